"""The image convention helpers in fer_features/_images.py."""

import re

import numpy as np
import pandas as pd
import pytest
from sklearn.base import BaseEstimator
from sklearn.exceptions import NotFittedError

from fer_features._images import (
    as_images,
    check_input_features,
    check_non_negative_pixels,
    check_positive_pair,
    feature_names_out,
    flatten_images,
    pixel_names,
    resolve_image_shape,
    validate_fitted_images,
    validate_images,
)


def test_flatten_images_3d_keeps_pixels_in_row_major_order():
    images = np.arange(2 * 3 * 4).reshape(2, 3, 4)
    X, shape = flatten_images(images)
    assert shape == (3, 4)
    assert X.shape == (2, 12)
    np.testing.assert_array_equal(X[1], images[1].ravel())
    np.testing.assert_array_equal(as_images(X, shape), images)


def test_flatten_images_single_channel_4d():
    images = np.arange(2 * 3 * 4).reshape(2, 3, 4, 1)
    X, shape = flatten_images(images)
    assert shape == (3, 4)
    np.testing.assert_array_equal(X, images.reshape(2, 12))


@pytest.mark.parametrize("X", [[[1, 2], [3, 4]], np.ones((3, 5))])
def test_flatten_images_leaves_2d_data_alone(X):
    out, shape = flatten_images(X)
    assert out is X
    assert shape is None


def test_flatten_images_rejects_colour_images():
    with pytest.raises(ValueError, match=r"got an array of shape \(2, 4, 4, 3\)"):
        flatten_images(np.zeros((2, 4, 4, 3)))


@pytest.mark.parametrize(
    "n_features, image_shape, implied, expected",
    [
        (2304, None, None, (48, 48)),
        (12, None, (3, 4), (3, 4)),
        (12, (3, 4), None, (3, 4)),
        (12, (4, 3), None, (4, 3)),
        (12, [3, 4], (3, 4), (3, 4)),
        # one side -1: inferred from the number of features, as in numpy.reshape
        (12, (1, -1), None, (1, 12)),
        (12, (-1, 1), None, (12, 1)),
        (12, (-1, 4), None, (3, 4)),
        (12, (3, -1), (3, 4), (3, 4)),
        (1, (1, -1), None, (1, 1)),
        (12, (np.int64(-1), np.int64(6)), None, (2, 6)),
    ],
)
def test_resolve_image_shape(n_features, image_shape, implied, expected):
    assert resolve_image_shape(n_features, image_shape, implied) == expected


@pytest.mark.parametrize(
    "n_features, image_shape, implied, message",
    [
        (
            12,
            None,
            None,
            "X has 12 features per row, which is not a square image; "
            r"pass image_shape=\(height, width\)",
        ),
        (
            2301,
            (48, 48),
            None,
            r"X has 2301 features per row, which cannot be read as images "
            r"of shape \(48, 48\) \(2304 pixels\)",
        ),
        (
            12,
            (3, 0),
            None,
            r"image_shape must be a pair \(height, width\) of positive integers, "
            r"got \(3, 0\)",
        ),
        (12, (3, 4, 1), None, r"image_shape must be a pair"),
        (12, (3.0, 4), None, r"image_shape must be a pair"),
        (12, "ab", None, r"image_shape must be a pair"),
        (
            12,
            (2, 6),
            (3, 4),
            r"image_shape=\(2, 6\) does not match the shape of the images "
            r"given, \(3, 4\)",
        ),
        (
            12,
            (5, -1),
            None,
            r"X has 12 features per row, which cannot be read as images of "
            r"shape \(5, -1\): 12 is not a multiple of 5",
        ),
        (
            12,
            (-1, -1),
            None,
            r"image_shape must be a pair \(height, width\) of positive "
            r"integers, got \(-1, -1\); one side may be -1",
        ),
        (12, (-2, 6), None, r"got \(-2, 6\); one side may be -1, to be inferred"),
        (12, (-1, 0), None, r"got \(-1, 0\); one side may be -1"),
        (12, (True, -1), None, r"image_shape must be a pair"),
        (12, (-1.0, 12), None, r"image_shape must be a pair"),
        (
            12,
            (-1, 6),
            (3, 4),
            r"image_shape=\(2, 6\) does not match the shape of the images "
            r"given, \(3, 4\)",
        ),
    ],
)
def test_resolve_image_shape_errors(n_features, image_shape, implied, message):
    with pytest.raises(ValueError, match=message):
        resolve_image_shape(n_features, image_shape, implied)


def test_check_non_negative_pixels_names_row_and_value():
    X = np.zeros((3, 4))
    X[2, 1] = -0.5
    with pytest.raises(
        ValueError,
        match=r"Negative values in data passed to Foo: .*row 2 has "
        r"-0.5 at feature 1",
    ):
        check_non_negative_pixels(X, "Foo")
    check_non_negative_pixels(np.zeros((2, 2), dtype=np.uint8), "Foo")


@pytest.mark.parametrize(
    "value, labels, expected",
    [
        ((2, 3), None, (2, 3)),
        ([np.int64(1), 7], "(rows, cols)", (1, 7)),
    ],
)
def test_check_positive_pair(value, labels, expected):
    pair = check_positive_pair(value, "grid_shape", labels)
    assert pair == expected and all(type(v) is int for v in pair)


@pytest.mark.parametrize(
    "value, labels, message",
    [
        ((0, 3), None, "grid_shape must be a pair of positive integers, got (0, 3)"),
        (
            (2, 3, 4),
            "(rows, cols)",
            "grid_shape must be a pair (rows, cols) of positive integers, got (2, 3, 4)",
        ),
        (
            4,
            "(height, width)",
            "grid_shape must be a pair (height, width) of positive integers, got 4",
        ),
        ((2.0, 3), None, "got (2.0, 3)"),
        ((True, 3), None, "got (True, 3)"),
        ((-1, 3), None, "got (-1, 3)"),
    ],
)
def test_check_positive_pair_errors(value, labels, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        check_positive_pair(value, "grid_shape", labels)


class _Images(BaseEstimator):
    def __init__(self, image_shape=None):
        self.image_shape = image_shape

    def fit(self, X, y=None):
        validate_images(self, X, np.float64)
        return self


def test_validate_images_then_validate_fitted_images():
    est = _Images(image_shape=(1, -1))
    X, shape = validate_images(est, np.arange(12.0).reshape(2, 6), np.float64)
    assert shape == est.image_shape_ == (1, 6) and est.n_features_in_ == 6
    X2, shape2 = validate_fitted_images(est, np.ones((3, 6)), np.float64)
    assert shape2 == (1, 6) and X2.shape == (3, 6)
    est3 = _Images()
    validate_images(est3, np.zeros((2, 2, 3)), np.float64)
    assert est3.image_shape_ == (2, 3)
    with pytest.raises(
        ValueError,
        match=re.escape("_Images was fitted on images of shape (2, 3), got images of shape (3, 2)"),
    ):
        validate_fitted_images(est3, np.zeros((2, 3, 2)), np.float64)


def test_validate_fitted_images_before_fit():
    with pytest.raises(NotFittedError):
        validate_fitted_images(_Images(), np.zeros((2, 4)), np.float64)


def test_feature_names_out_checks_fitted_and_input_features():
    est = _Images()
    with pytest.raises(NotFittedError):
        feature_names_out(est, None, lambda: ["a"])
    validate_images(est, pd.DataFrame(np.zeros((2, 4)), columns=list("abcd")), np.float64)
    out = feature_names_out(est, None, lambda: (f"f{i}" for i in range(3)))
    assert out.dtype == object and list(out) == ["f0", "f1", "f2"]
    assert list(feature_names_out(est, list("abcd"), lambda: ["x"])) == ["x"]
    with pytest.raises(ValueError, match="input_features is not equal to feature_names_in_"):
        feature_names_out(est, list("abce"), lambda: ["x"])


def test_check_input_features_length():
    est = _Images()
    validate_images(est, np.zeros((2, 4)), np.float64)
    check_input_features(est, None)
    check_input_features(est, ["p", "q", "r", "s"])
    with pytest.raises(
        ValueError,
        match=re.escape("input_features should have length equal to number of features (4), got 3"),
    ):
        check_input_features(est, ["p", "q", "r"])


def test_pixel_names_row_major():
    assert pixel_names((2, 3)) == [
        "pixel_r0_c0",
        "pixel_r0_c1",
        "pixel_r0_c2",
        "pixel_r1_c0",
        "pixel_r1_c1",
        "pixel_r1_c2",
    ]
    assert pixel_names((1, 1), prefix="p") == ["p_r0_c0"]
