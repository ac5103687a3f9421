"""Classic FER pipelines, their parameter grids and a grid-search helper.

:func:`make_classic_pipeline` builds ``FEATURES-CLASSIFIER`` pipelines
(``lbp-svc``, ``hog-xgb``, ``lbp+hog-logreg``, ...) and, without arguments, the
recommended one (:func:`make_recommended_pipeline`: the soft vote of
:func:`make_texture_pipeline` and :func:`make_words_pipeline`). The names themselves are
resolved by :mod:`fer_features.registry` (:func:`~fer_features.make_estimator`).
"""

from ._classic import CLASSIFIERS, FEATURES, make_classic_pipeline, parse_features
from ._grids import pipeline_grid_search, pipeline_param_grid
from ._label_encoding import LabelEncodedClassifier
from ._mirror import MirrorAugmentedClassifier
from ._recommended import (
    make_recommended_pipeline,
    make_texture_pipeline,
    make_words_pipeline,
)

__all__ = [
    "CLASSIFIERS",
    "FEATURES",
    "LabelEncodedClassifier",
    "MirrorAugmentedClassifier",
    "make_classic_pipeline",
    "make_recommended_pipeline",
    "make_texture_pipeline",
    "make_words_pipeline",
    "pipeline_grid_search",
    "pipeline_param_grid",
    "parse_features",
]
