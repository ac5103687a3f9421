"""scikit-learn's estimator checks over every public estimator of the library,
plus the behaviour all image transformers share: pandas output, 3-D input, clear
errors.

The estimators are found, not listed: every class in the ``__all__`` of the
subpackages in ``SUBPACKAGES`` that is a scikit-learn estimator. Each gets its
check instances from :func:`check_instances` (a class of its own needs an entry
in ``CHECK_PARAMS`` only when its defaults do not suit the checks' tiny data),
and ``EXPECTED_FAILED_CHECKS`` is the one list of the checks known not to apply,
class name -> {check name: reason}. The estimators of ``fer_features.deep``
need the ``deep`` extra: without Keras they are left out at collection and
``test_keras_estimators_skipped`` says so.
"""

import importlib
import importlib.util
import inspect
import re

import numpy as np
import pytest
from _nets import OneConvNet
from sklearn.base import BaseEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.tree import DecisionTreeClassifier
from sklearn.utils.estimator_checks import parametrize_with_checks

from fer_features._images import IMAGE_SHAPE_DOC
from fer_features.features import (
    DenseSIFTWords,
    EigenfaceTransformer,
    HOGTransformer,
    LBPTransformer,
    LGBPTransformer,
)
from fer_features.pipelines import MirrorAugmentedClassifier
from fer_features.preprocessing import (
    CenterCrop,
    HistogramEqualizer,
    ImageResizer,
    ImageStandardizer,
)

SUBPACKAGES = ["features", "preprocessing", "pipelines", "deep", "faces"]
# Keras is looked for, not imported: importing TensorFlow would slow every collection
HAS_KERAS = importlib.util.find_spec("keras") is not None


def public_estimators():
    """Every scikit-learn estimator class named in a subpackage's ``__all__``."""
    found = {}
    for sub in SUBPACKAGES:
        module = importlib.import_module(f"fer_features.{sub}")
        for name in module.__all__:
            obj = getattr(module, name)
            if (
                inspect.isclass(obj)
                and issubclass(obj, BaseEstimator)
                and not inspect.isabstract(obj)
            ):
                found[obj.__name__] = obj
    return [found[name] for name in sorted(found)]


def needs_keras(cls):
    return cls.__module__.startswith("fer_features.deep")


def _check_cnn(**params):
    from fer_features.deep import KerasCNNClassifier

    # one epoch of a one-convolution net, each row read as a one-pixel-high strip
    return KerasCNNClassifier(
        **{
            "epochs": 1,
            "batch_size": 16,
            "augmentation": "none",
            "max_time": None,
            "random_state": 0,
            "architecture": OneConvNet(),
            "image_shape": (1, -1),
            # test-time augmentation is off in the checks: their images are strips
            "test_time_flip": False,
            **params,
        }
    )


# class name -> the parameters of its check instances (one dict per instance), or a
# function returning the instances; a class not here is checked once with its defaults.
# Every estimator with an image_shape is given image_shape=(1, -1): the checks' X have
# 1 to 20 features, and each row is read as a one-pixel-high strip of that many pixels.
CHECK_PARAMS = {
    "LBPTransformer": [
        dict(grid_shape=(1, 1)),
        # one cell: check_fit2d_1feature gives one-pixel images, which no grid of two
        # cells fits (feature names of several cells: test_pandas_output_and_three_d_input)
        dict(P=4, R=1.5, method="nri_uniform", normalize="l2", grid_shape=(1, 1)),
    ],
    "HOGTransformer": [dict(pixels_per_cell=(1, 1), cells_per_block=(1, 1))],
    "LGBPTransformer": [dict(frequencies=(0.25,), n_orientations=2, grid_shape=(1, 1))],
    "EigenfaceTransformer": [dict(n_components=2)],
    "HistogramEqualizer": [dict(), dict(method="clahe")],
    "ImageResizer": [dict(size=(2, 2))],
    "CenterCrop": [dict(size=1.0)],
    "HellingerTransformer": [dict(), dict(power=1.0, norm="l2")],
    # a vocabulary of 4 words of 1-pixel cells: the checks' images have 1 to 20 pixels
    "DenseSIFTWords": [
        dict(bin_sizes=(1,), branching=2, pyramid_levels=(1, 2), random_state=0),
        dict(bin_sizes=(1,), branching=2, descriptors=("sift", "gabor"), random_state=0),
    ],
    # images one pixel wide (a column per row): their mirror images are themselves, so
    # the checks' point clouds stay learnable (what mirroring does is in test_dense_sift)
    "MirrorAugmentedClassifier": lambda: [
        MirrorAugmentedClassifier(LogisticRegression(), image_shape=(-1, 1))
    ],
    "LabelEncodedClassifier": [
        # min_weight_fraction_leaf as check_class_weight_classifiers sets it on a bare
        # tree: a fully grown tree separates the check's training data whatever the
        # weights, a tree whose leaves need 1% of the weight lets the weights decide
        dict(estimator=DecisionTreeClassifier(min_weight_fraction_leaf=0.01, random_state=0)),
        dict(estimator=LogisticRegression(), class_weight="balanced"),
    ],
    # 3 epochs at a learning rate of 0.03 give check_classifiers_train's blobs 0.92 to
    # 0.96 training accuracy (its threshold is 0.83)
    "KerasCNNClassifier": lambda: [_check_cnn(epochs=3, learning_rate=0.03)],
    "CNNFeatureTransformer": lambda: [
        __import__("fer_features.deep", fromlist=["CNNFeatureTransformer"]).CNNFeatureTransformer(
            _check_cnn()
        )
    ],
}


def check_instances(cls):
    """The instances of ``cls`` that the scikit-learn checks run on."""
    entry = CHECK_PARAMS.get(cls.__name__, [{}])
    if callable(entry):
        return entry()
    image = {"image_shape": (1, -1)} if "image_shape" in cls().get_params() else {}
    return [cls(**{**image, **params}) for params in entry]


# FaceDetector.fit learns nothing and takes no data (detect takes photos of any size):
# the checks that fit refuses or records bad X do not apply to it
_FIT_IGNORES_X = "FaceDetector.fit ignores X: nothing is learnt, detect() takes photos of any size"

# class name -> {check name: reason}: the one list of checks known not to apply
EXPECTED_FAILED_CHECKS = {
    "FaceCropper": {
        "check_dict_unchanged": "transform records the face boxes and fallbacks of the "
        "images it was given in boxes_ and fallback_ (documented), so it changes __dict__",
    },
    "FaceDetector": {
        check: _FIT_IGNORES_X
        for check in [
            "check_complex_data",
            "check_dtype_object",
            "check_estimator_sparse_tag",
            "check_estimators_empty_data_messages",
            "check_estimators_nan_inf",
            "check_fit1d",
            "check_n_features_in",
            "check_n_features_in_after_fitting",
        ]
    },
}


def _expected_failed_checks(estimator):
    return EXPECTED_FAILED_CHECKS.get(type(estimator).__name__, {})


ESTIMATOR_CLASSES = public_estimators()
KERAS_CLASSES = [cls for cls in ESTIMATOR_CLASSES if needs_keras(cls)]
ESTIMATORS = [
    est
    for cls in ESTIMATOR_CLASSES
    if HAS_KERAS or not needs_keras(cls)
    for est in check_instances(cls)
]


def _marked_deep(parametrize):
    """``parametrize`` with the checks of the Keras estimators marked ``deep``."""
    param_type = type(pytest.param(None))
    argvalues = []
    for value in parametrize.args[1]:
        if not isinstance(value, param_type):
            value = pytest.param(*value)
        marks = list(value.marks)
        if needs_keras(type(value.values[0])):
            marks.append(pytest.mark.deep)
        argvalues.append(pytest.param(*value.values, marks=marks, id=value.id))
    return pytest.mark.parametrize(*parametrize.args[:1], argvalues, **parametrize.kwargs)


@_marked_deep(
    parametrize_with_checks(
        ESTIMATORS, expected_failed_checks=_expected_failed_checks, xfail_strict=True
    )
)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)


@pytest.mark.deep
@pytest.mark.skipif(HAS_KERAS, reason="Keras is installed: the checks above ran on them")
@pytest.mark.parametrize("name", [cls.__name__ for cls in KERAS_CLASSES])
def test_keras_estimators_skipped(name):
    pytest.skip(
        f'{name} needs the deep extra (pip install "fer_features[deep]"): keras is not importable'
    )


def test_every_public_estimator_is_checked():
    names = {cls.__name__ for cls in ESTIMATOR_CLASSES}
    # one from each subpackage: the discovery walks them all
    assert {
        "LBPTransformer",
        "HellingerTransformer",
        "ImageResizer",
        "LabelEncodedClassifier",
        "KerasCNNClassifier",
        "FaceCropper",
        "FaceDetector",
    } <= names
    # no stale entries: every class named in the two lists exists
    stale = (set(EXPECTED_FAILED_CHECKS) | set(CHECK_PARAMS)) - names
    assert stale == set()
    for cls in ESTIMATOR_CLASSES:
        if not needs_keras(cls):
            assert all(type(est) is cls for est in check_instances(cls))


@pytest.mark.parametrize(
    "cls",
    [
        cls
        for cls in ESTIMATOR_CLASSES
        if "image_shape" in inspect.signature(cls).parameters and not needs_keras(cls)
    ],
    ids=lambda cls: cls.__name__,
)
def test_image_shape_documented_in_one_wording(cls):
    # the numpydoc entry of image_shape, whitespace aside
    doc = " ".join(inspect.getdoc(cls).split())
    assert " ".join(IMAGE_SHAPE_DOC.split()) in doc


# --- behaviour shared by the image transformers -----------------------------------

IMAGE_TRANSFORMERS = {
    "lbp": lambda **kw: LBPTransformer(grid_shape=(2, 2), **kw),
    "lgbp": lambda **kw: LGBPTransformer(n_orientations=2, grid_shape=(2, 2), **kw),
    "hog": lambda **kw: HOGTransformer(pixels_per_cell=(2, 2), **kw),
    "eigenfaces": lambda **kw: EigenfaceTransformer(n_components=3, **kw),
    "standardizer": lambda **kw: ImageStandardizer(**kw),
    "equalizer": lambda **kw: HistogramEqualizer(**kw),
    "clahe": lambda **kw: HistogramEqualizer(method="clahe", kernel_size=3, **kw),
    "resizer": lambda **kw: ImageResizer(size=(3, 5), **kw),
    "crop": lambda **kw: CenterCrop(size=(4, 4), **kw),
}
# the same errors from DenseSIFTWords, whose sparse output has no pandas form
CHECKED_INPUT = {
    **IMAGE_TRANSFORMERS,
    "words": lambda **kw: DenseSIFTWords(bin_sizes=(1,), branching=2, random_state=0, **kw),
}


@pytest.fixture
def images():
    return np.random.default_rng(0).integers(0, 256, size=(8, 6, 6)).astype(np.float64)


@pytest.mark.parametrize("name", IMAGE_TRANSFORMERS)
def test_pandas_output_and_three_d_input(name, images):
    make = IMAGE_TRANSFORMERS[name]
    X = images.reshape(8, 36)
    flat = make().fit(X).transform(X)
    np.testing.assert_array_equal(make().fit(images).transform(images), flat)
    frame = make().set_output(transform="pandas").fit(X).transform(X)
    est = make().fit(X)
    assert list(frame.columns) == list(est.get_feature_names_out())
    assert frame.shape == flat.shape
    np.testing.assert_array_equal(frame.to_numpy(), flat)


def _nan(X):
    X = X.copy()
    X[1, 3] = np.nan
    return X


def _text(X):
    X = X.astype(object)
    X[0, 0] = "smile"
    return X


def _negative(X):
    X = X.copy()
    X[2, 5] = -3.0
    return X


@pytest.mark.parametrize("name", CHECKED_INPUT)
@pytest.mark.parametrize(
    "params, make_X, error, message",
    [
        (
            dict(image_shape=(0, 36)),
            lambda X: X,
            ValueError,
            "image_shape must be a pair (height, width) of positive integers, got (0, 36)",
        ),
        (
            dict(image_shape=(4, 4)),
            lambda X: X,
            ValueError,
            "X has 36 features per row, which cannot be read as images of shape (4, 4) (16 pixels)",
        ),
        (
            dict(),
            lambda X: X[:, :35],
            ValueError,
            "X has 35 features per row, which is not a square image; "
            "pass image_shape=(height, width)",
        ),
        (
            dict(image_shape=(9, 4)),
            lambda X: X.reshape(8, 6, 6),
            ValueError,
            "image_shape=(9, 4) does not match the shape of the images given, (6, 6)",
        ),
        (dict(), _nan, ValueError, "Input X contains NaN"),
        (dict(), lambda X: X[0], ValueError, "Expected 2D array, got 1D array instead"),
        (
            dict(),
            lambda X: np.stack([X.reshape(8, 6, 6)] * 3, axis=-1),
            ValueError,
            "images must be given as (n_samples, height * width), (n_samples, height, width) or "
            "(n_samples, height, width, 1); got an array of shape (8, 6, 6, 3)",
        ),
        (dict(), _text, ValueError, "could not convert string to float: 'smile'"),
    ],
)
def test_clear_errors(name, params, make_X, error, message, images):
    X = make_X(images.reshape(8, 36))
    with pytest.raises(error, match=re.escape(message)):
        CHECKED_INPUT[name](**params).fit(X)


@pytest.mark.parametrize("name", ["equalizer", "clahe"])
def test_negative_pixels_refused_where_meaningless(name, images):
    X = _negative(images.reshape(8, 36))
    message = (
        "Negative values in data passed to HistogramEqualizer: pixel values must be "
        ">= 0, but row 2 has -3.0 at feature 5"
    )
    with pytest.raises(ValueError, match=re.escape(message)):
        IMAGE_TRANSFORMERS[name]().fit(X)


@pytest.mark.parametrize("name", ["lbp", "hog", "eigenfaces", "standardizer", "resizer", "crop"])
def test_negative_pixels_accepted_elsewhere(name, images):
    # standardised images are negative: the feature transformers take them
    X = _negative(images.reshape(8, 36)) - 128
    assert np.isfinite(IMAGE_TRANSFORMERS[name]().fit_transform(X)).all()
