"""fer_features: facial expression recognition baselines as scikit-learn estimators.

Every method, classic or deep, is a scikit-learn estimator: feature transformers
(:class:`LBPTransformer`, :class:`LGBPTransformer`, :class:`EigenfaceTransformer`,
:class:`HOGTransformer`),
named classic pipelines, the Keras CNN (:class:`KerasCNNClassifier`) and a benchmark
runner that scores them on the same data and splits.

Public names are resolved lazily, so ``import fer_features`` is fast and does not
import TensorFlow, matplotlib or scikit-image until they are used.
"""

import importlib

__version__ = "0.2.0"

# public name -> module that defines it (relative to this package)
_LAZY = {
    # data
    "load_fer2013": ".datasets",
    "load_image_folder": ".datasets",
    "make_synthetic_faces": ".datasets",
    "load_dataset": ".datasets",
    "EXPRESSIONS": ".datasets",
    "canonical_expression": ".datasets",
    "align_targets": ".datasets",
    # preprocessing
    "ImageStandardizer": ".preprocessing",
    "HistogramEqualizer": ".preprocessing",
    "ImageResizer": ".preprocessing",
    "CenterCrop": ".preprocessing",
    # features
    "LBPTransformer": ".features",
    "LGBPTransformer": ".features",
    "EigenfaceTransformer": ".features",
    "HOGTransformer": ".features",
    "HellingerTransformer": ".features",
    "DenseSIFTWords": ".features",
    # pipelines
    "make_classic_pipeline": ".pipelines",
    "make_recommended_pipeline": ".pipelines",
    "make_texture_pipeline": ".pipelines",
    "make_words_pipeline": ".pipelines",
    "MirrorAugmentedClassifier": ".pipelines",
    # estimator names
    "param_grid": ".registry",
    "grid_search": ".registry",
    "make_estimator": ".registry",
    "list_estimators": ".registry",
    # cleaning: duplicates, label conflicts, blanks
    "find_duplicates": ".cleaning",
    "DuplicateReport": ".cleaning",
    "phash": ".cleaning",
    "hamming_distance": ".cleaning",
    # benchmark
    "run_benchmark": ".benchmark",
    # faces in photos and video (video needs the [video] extra, imported when used)
    "FaceDetector": ".faces",
    "FaceCropper": ".faces",
    "ExpressionRecognizer": ".faces",
    "recognize_video": ".faces",
    "predict_file": ".faces",
    # models as files (skops archives: no arbitrary code at load time)
    "save_model": ".models",
    "load_model": ".models",
    "model_info": ".models",
    "load_pretrained": ".models",
    # deep (the only part that imports Keras, and only when used)
    "KerasCNNClassifier": ".deep",
    "CNNFeatureTransformer": ".deep",
}

__all__ = ["__version__", *_LAZY]


def __getattr__(name):
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'fer_features' has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(__all__))
