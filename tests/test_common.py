"""scikit-learn's estimator checks over every transformer of the library, plus the
behaviour all image transformers share: pandas output, 3-D input, clear errors.

To add estimators from another subpackage, append instances to ``ESTIMATORS``
and, if some checks cannot apply, an entry to ``EXPECTED_FAILED_CHECKS`` (class
name -> {check name: reason}).
"""

import re

import numpy as np
import pytest
from sklearn.utils.estimator_checks import parametrize_with_checks

from fer_features.features import (EigenfaceTransformer, HOGTransformer, LBPTransformer,
                                   LGBPTransformer)
from fer_features.preprocessing import (CenterCrop, HistogramEqualizer, ImageResizer,
                                        ImageStandardizer)

# Most checks pass X with 3 features: those instances read a row as a 1x3 image.
CHECK_IMAGE_SHAPE = (1, 3)

ESTIMATORS = [
    LBPTransformer(grid_shape=(1, 1), image_shape=CHECK_IMAGE_SHAPE),
    LBPTransformer(P=4, R=1.5, method="nri_uniform", normalize="l2", grid_shape=(1, 2),
                   image_shape=CHECK_IMAGE_SHAPE),
    HOGTransformer(pixels_per_cell=(1, 1), cells_per_block=(1, 1), image_shape=CHECK_IMAGE_SHAPE),
    LGBPTransformer(frequencies=(0.25,), n_orientations=2, grid_shape=(1, 1),
                    image_shape=CHECK_IMAGE_SHAPE),
    EigenfaceTransformer(n_components=2, image_shape=CHECK_IMAGE_SHAPE),
    ImageStandardizer(image_shape=CHECK_IMAGE_SHAPE),
    HistogramEqualizer(image_shape=CHECK_IMAGE_SHAPE),
    HistogramEqualizer(method="clahe", image_shape=CHECK_IMAGE_SHAPE),
    ImageResizer(size=(2, 2), image_shape=CHECK_IMAGE_SHAPE),
    CenterCrop(size=1.0, image_shape=CHECK_IMAGE_SHAPE),
]

# Checks whose data have another number of features than CHECK_IMAGE_SHAPE
# holds (2, 4, 5, 10 or 1): an image transformer must refuse rows it cannot
# read as images of its image_shape, and does, with a ValueError saying so.
_OTHER_FEATURE_COUNTS = {
    "check_estimators_overwrite_params": "X has 2 features, not a 1x3 image",
    "check_estimators_fit_returns_self": "X has 2 features, not a 1x3 image",
    "check_readonly_memmap_input": "X has 2 features, not a 1x3 image",
    "check_fit_idempotent": "X has 2 features, not a 1x3 image",
    "check_fit_check_is_fitted": "X has 2 features, not a 1x3 image",
    "check_n_features_in": "X has 2 features, not a 1x3 image",
    "check_n_features_in_after_fitting": "X has 4 features, not a 1x3 image",
    "check_positive_only_tag_during_fit": "X has 4 features, not a 1x3 image",
    "check_estimators_dtypes": "X has 5 features, not a 1x3 image",
    "check_dtype_object": "X has 10 features, not a 1x3 image",
    "check_fit2d_1sample": "X has 10 features, not a 1x3 image: the shape error comes "
                           "before any one-sample error",
    "check_fit2d_1feature": "X has 1 feature, not a 1x3 image: the shape error is not "
                            "the one-feature error the check looks for",
}

# class name -> {check name: reason}: the one list of checks known not to apply
EXPECTED_FAILED_CHECKS = {
    "LBPTransformer": dict(_OTHER_FEATURE_COUNTS),
    "HOGTransformer": dict(_OTHER_FEATURE_COUNTS),
    "LGBPTransformer": dict(_OTHER_FEATURE_COUNTS),
    "EigenfaceTransformer": dict(_OTHER_FEATURE_COUNTS),
    "ImageStandardizer": dict(_OTHER_FEATURE_COUNTS),
    "HistogramEqualizer": {
        **{k: v for k, v in _OTHER_FEATURE_COUNTS.items()
           if k != "check_positive_only_tag_during_fit"},
    },
    "ImageResizer": dict(_OTHER_FEATURE_COUNTS),
    "CenterCrop": dict(_OTHER_FEATURE_COUNTS),
}


def _expected_failed_checks(estimator):
    return EXPECTED_FAILED_CHECKS.get(type(estimator).__name__, {})


@parametrize_with_checks(ESTIMATORS, expected_failed_checks=_expected_failed_checks)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)


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


@pytest.mark.parametrize("name", IMAGE_TRANSFORMERS)
@pytest.mark.parametrize("params, make_X, error, message", [
    (dict(image_shape=(0, 36)), lambda X: X, ValueError,
     "image_shape must be a pair (height, width) of positive integers, got (0, 36)"),
    (dict(image_shape=(4, 4)), lambda X: X, ValueError,
     "X has 36 features per row, which cannot be read as images of shape (4, 4) (16 pixels)"),
    (dict(), lambda X: X[:, :35], ValueError,
     "X has 35 features per row, which is not a square image; pass image_shape=(height, width)"),
    (dict(image_shape=(9, 4)), lambda X: X.reshape(8, 6, 6), ValueError,
     "image_shape=(9, 4) does not match the shape of the images given, (6, 6)"),
    (dict(), _nan, ValueError, "Input X contains NaN"),
    (dict(), lambda X: X[0], ValueError, "Expected 2D array, got 1D array instead"),
    (dict(), lambda X: np.stack([X.reshape(8, 6, 6)] * 3, axis=-1), ValueError,
     "images must be given as (n_samples, height * width), (n_samples, height, width) or "
     "(n_samples, height, width, 1); got an array of shape (8, 6, 6, 3)"),
    (dict(), _text, ValueError, "could not convert string to float: 'smile'"),
])
def test_clear_errors(name, params, make_X, error, message, images):
    X = make_X(images.reshape(8, 36))
    with pytest.raises(error, match=re.escape(message)):
        IMAGE_TRANSFORMERS[name](**params).fit(X)


@pytest.mark.parametrize("name", ["equalizer", "clahe"])
def test_negative_pixels_refused_where_meaningless(name, images):
    X = _negative(images.reshape(8, 36))
    message = ("Negative values in data passed to HistogramEqualizer: pixel values must be "
               ">= 0, but row 2 has -3.0 at feature 5")
    with pytest.raises(ValueError, match=re.escape(message)):
        IMAGE_TRANSFORMERS[name]().fit(X)


@pytest.mark.parametrize("name", ["lbp", "hog", "eigenfaces", "standardizer", "resizer", "crop"])
def test_negative_pixels_accepted_elsewhere(name, images):
    # standardised images are negative: the feature transformers take them
    X = _negative(images.reshape(8, 36)) - 128
    assert np.isfinite(IMAGE_TRANSFORMERS[name]().fit_transform(X)).all()
