"""The image convention helpers in fer_features/_images.py."""

import numpy as np
import pytest

from fer_features._images import (
    as_images,
    check_non_negative_pixels,
    flatten_images,
    resolve_image_shape,
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
    ],
)
def test_resolve_image_shape(n_features, image_shape, implied, expected):
    assert resolve_image_shape(n_features, image_shape, implied) == expected


@pytest.mark.parametrize(
    "n_features, image_shape, implied, message",
    [
        (12, None, None, "X has 12 features per row, which is not a square image; "
                         r"pass image_shape=\(height, width\)"),
        (2301, (48, 48), None, r"X has 2301 features per row, which cannot be read as images "
                               r"of shape \(48, 48\) \(2304 pixels\)"),
        (12, (3, 0), None, r"image_shape must be a pair \(height, width\) of positive integers, "
                           r"got \(3, 0\)"),
        (12, (3, 4, 1), None, r"image_shape must be a pair"),
        (12, (3.0, 4), None, r"image_shape must be a pair"),
        (12, "ab", None, r"image_shape must be a pair"),
        (12, (2, 6), (3, 4), r"image_shape=\(2, 6\) does not match the shape of the images "
                             r"given, \(3, 4\)"),
    ],
)
def test_resolve_image_shape_errors(n_features, image_shape, implied, message):
    with pytest.raises(ValueError, match=message):
        resolve_image_shape(n_features, image_shape, implied)


def test_check_non_negative_pixels_names_row_and_value():
    X = np.zeros((3, 4))
    X[2, 1] = -0.5
    with pytest.raises(ValueError, match=r"Negative values in data passed to Foo: .*row 2 has "
                                         r"-0.5 at feature 1"):
        check_non_negative_pixels(X, "Foo")
    check_non_negative_pixels(np.zeros((2, 2), dtype=np.uint8), "Foo")
