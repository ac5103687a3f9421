"""Named classic FER pipelines, their parameter grids and a grid-search helper.

Every estimator has a name, used by :func:`make_estimator`, the benchmark runner
and the ``fer-features`` command: ``FEATURES-CLASSIFIER`` (``lbp-svc``,
``hog-xgb``, ``lbp+hog-logreg``, ...), ``classic`` (the recommended classic
pipeline) and ``cnn`` (:class:`~fer_features.KerasCNNClassifier`).
"""

from ._classic import CLASSIFIERS, FEATURES, make_classic_pipeline, parse_features
from ._grids import grid_search, param_grid
from ._label_encoding import LabelEncodedClassifier
from ._recommended import make_recommended_pipeline
from ._registry import (
    PROFILES,
    EstimatorInfo,
    list_estimators,
    make_estimator,
    parse_name,
    quick_params,
)

__all__ = [
    "CLASSIFIERS",
    "FEATURES",
    "PROFILES",
    "EstimatorInfo",
    "LabelEncodedClassifier",
    "grid_search",
    "list_estimators",
    "make_classic_pipeline",
    "make_estimator",
    "make_recommended_pipeline",
    "param_grid",
    "parse_features",
    "parse_name",
    "quick_params",
]
