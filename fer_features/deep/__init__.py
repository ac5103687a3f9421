"""Deep baselines: a Keras 3 CNN as a scikit-learn classifier, and its features.

This subpackage is the only part of fer_features that imports Keras, and it
does so when a network is first built, not at import: ``import
fer_features.deep`` is cheap and works without the ``deep`` extra; using the
estimators without Keras raises an ``ImportError`` that says
``pip install "fer_features[deep]"``.
"""

from ._architectures import ARCHITECTURES, BACKBONES
from ._augmentation import AUGMENTATION_PRESETS
from ._backend import DEEP_EXTRA_HINT, import_keras
from ._classifier import KerasCNNClassifier, quick_cnn_params
from ._features import CNNFeatureTransformer

__all__ = [
    "KerasCNNClassifier",
    "CNNFeatureTransformer",
    "quick_cnn_params",
    "ARCHITECTURES",
    "BACKBONES",
    "AUGMENTATION_PRESETS",
    "import_keras",
    "DEEP_EXTRA_HINT",
]
