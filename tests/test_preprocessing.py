"""Preprocessing transformers: standardise, equalise (global, CLAHE), resize, crop."""

import re

import numpy as np
import pytest
from skimage.exposure import equalize_adapthist, equalize_hist
from skimage.transform import resize
from sklearn.pipeline import make_pipeline

from fer_features import (
    CenterCrop,
    HistogramEqualizer,
    ImageResizer,
    ImageStandardizer,
    LBPTransformer,
)

# --- ImageStandardizer -----------------------------------------------------------


def test_standardizer_exact_values():
    X = np.array([[0, 2, 4, 6], [5, 5, 5, 5], [1, 1, 3, 3]], dtype=np.uint8)
    out = ImageStandardizer().fit_transform(X)
    s = np.sqrt(5.0)  # std of (0, 2, 4, 6) is sqrt(5)
    np.testing.assert_allclose(out[0], [-3 / s, -1 / s, 1 / s, 3 / s], rtol=1e-15)
    np.testing.assert_array_equal(out[1], 0.0)  # constant image: centred only
    np.testing.assert_array_equal(out[2], [-1, -1, 1, 1])
    np.testing.assert_array_equal(
        ImageStandardizer(with_std=False).fit_transform(X)[2], [-1, -1, 1, 1]
    )
    np.testing.assert_allclose(ImageStandardizer(with_mean=False).fit_transform(X)[2], [1, 1, 3, 3])


@pytest.mark.fer2013
def test_standardizer_on_real_faces(fer2013_small):
    out = ImageStandardizer().fit_transform(fer2013_small.data)
    nonblank = fer2013_small.data.std(axis=1) > 0
    np.testing.assert_allclose(out.mean(axis=1), 0, atol=1e-12)
    np.testing.assert_allclose(out[nonblank].std(axis=1), 1, rtol=1e-12)


def test_standardizer_float32_and_names():
    X = np.random.default_rng(0).random((3, 9)).astype(np.float32)
    out = ImageStandardizer().fit_transform(X)
    assert out.dtype == np.float32
    import pandas as pd

    frame = pd.DataFrame(X, columns=[f"p{i}" for i in range(9)])
    result = ImageStandardizer().set_output(transform="pandas").fit_transform(frame)
    assert list(result.columns) == [f"p{i}" for i in range(9)]


# --- HistogramEqualizer ----------------------------------------------------------


def test_global_equalization_exact_values():
    X = np.array([[10, 10, 20, 40], [0, 0, 0, 0], [3, 1, 2, 0]], dtype=np.uint8)
    out = HistogramEqualizer().fit_transform(X)
    np.testing.assert_array_equal(
        out, [[0.5, 0.5, 0.75, 1.0], [1, 1, 1, 1], [1.0, 0.5, 0.75, 0.25]]
    )


@pytest.mark.fer2013
def test_global_equalization_equals_skimage_on_real_faces(fer2013_small):
    images = fer2013_small.images[::2]
    out = HistogramEqualizer().fit_transform(images.reshape(len(images), -1))
    expected = np.stack([equalize_hist(image) for image in images]).reshape(len(images), -1)
    np.testing.assert_array_equal(out, expected)
    floats = images[:40] / 255.0
    out = HistogramEqualizer(n_bins=64).fit_transform(floats)
    expected = np.stack([equalize_hist(image, nbins=64) for image in floats])
    np.testing.assert_array_equal(out, expected.reshape(40, -1))


@pytest.mark.fer2013
def test_clahe_equals_skimage_on_real_faces(fer2013_small):
    images = fer2013_small.images[:30]
    eq = HistogramEqualizer(method="clahe", clip_limit=0.02, kernel_size=8)
    out = eq.fit_transform(images)
    expected = np.stack(
        [equalize_adapthist(image, kernel_size=8, clip_limit=0.02) for image in images]
    )
    np.testing.assert_array_equal(out, expected.reshape(30, -1))
    assert out.min() >= 0 and out.max() <= 1
    # floats on another scale give the same picture up to rounding (an output
    # grey level here and there)
    scaled = HistogramEqualizer(method="clahe", clip_limit=0.02, kernel_size=8).fit_transform(
        images.astype(np.float64) * 3.0 + 7.0
    )
    assert np.abs(scaled - out).max() <= 0.02 and np.abs(scaled - out).mean() < 1e-3
    # parallel chunks: same result
    parallel = HistogramEqualizer(method="clahe", clip_limit=0.02, kernel_size=8, n_jobs=2)
    np.testing.assert_array_equal(parallel.fit_transform(images), out)


def test_equalizer_rejects_negative_pixels():
    X = np.zeros((3, 16))
    X[2, 5] = -0.5
    with pytest.raises(
        ValueError,
        match=re.escape(
            "Negative values in data passed to HistogramEqualizer: pixel values must be >= 0, "
            "but row 2 has -0.5 at feature 5"
        ),
    ):
        HistogramEqualizer().fit(X)


# --- ImageResizer ----------------------------------------------------------------


@pytest.mark.parametrize("order", [0, 1, 3])
@pytest.mark.parametrize("size", [(24, 20), (60, 50)])
def test_resizer_equals_skimage_per_image(order, size):
    images = np.random.default_rng(order).integers(0, 256, size=(5, 48, 40), dtype=np.uint8)
    out = ImageResizer(size=size, order=order).fit_transform(images)
    expected = np.stack([resize(image, size, order=order, preserve_range=True) for image in images])
    assert out.shape == (5, size[0] * size[1])
    np.testing.assert_array_equal(out, expected.reshape(5, -1))


@pytest.mark.fer2013
def test_resizer_on_real_faces(fer2013_small):
    X = fer2013_small.data[:50]
    resizer = ImageResizer(size=(32, 32)).fit(X)
    out = resizer.transform(X)
    assert resizer.output_shape_ == (32, 32) and out.shape == (50, 1024)
    assert 0 <= out.min() and out.max() <= 255
    expected = np.stack(
        [resize(im, (32, 32), preserve_range=True) for im in fer2013_small.images[:50]]
    )
    np.testing.assert_array_equal(out, expected.reshape(50, -1))
    assert resizer.get_feature_names_out()[33] == "pixel_r1_c1"


# --- CenterCrop ------------------------------------------------------------------


def test_center_crop_exact():
    X = np.arange(2 * 25, dtype=np.uint8).reshape(2, 25)
    crop = CenterCrop(size=(3, 2)).fit(X)
    assert crop.offset_ == (1, 1) and crop.output_shape_ == (3, 2)
    out = crop.transform(X)
    assert out.dtype == np.uint8
    np.testing.assert_array_equal(out[1], [31, 32, 36, 37, 41, 42])
    assert CenterCrop(size=0.875).fit(np.zeros((1, 48, 48))).output_shape_ == (42, 42)
    assert CenterCrop(size=1.0).fit(X).output_shape_ == (5, 5)


@pytest.mark.fer2013
def test_pipeline_crop_equalize_lbp_on_real_faces(fer2013_small):
    X = fer2013_small.data[:40]
    pipe = make_pipeline(
        CenterCrop(size=(40, 40)), HistogramEqualizer(), LBPTransformer(grid_shape=(4, 4))
    )
    features = pipe.fit_transform(X)
    assert features.shape == (40, 16 * 10)
    images = fer2013_small.images[:40, 4:44, 4:44]
    equalized = np.stack([equalize_hist(image) for image in images])
    expected = LBPTransformer(grid_shape=(4, 4)).fit_transform(equalized)
    np.testing.assert_array_equal(features, expected)


@pytest.mark.parametrize(
    "estimator, X, message",
    [
        (
            CenterCrop(size=(50, 10)),
            np.zeros((2, 48 * 48)),
            "size=(50, 10) is larger than the images, of shape (48, 48); "
            "use a crop size of at most (48, 48)",
        ),
        (
            CenterCrop(size=(0, 10)),
            np.zeros((2, 48 * 48)),
            "size must be a pair (height, width) of positive integers, got (0, 10)",
        ),
        (
            ImageResizer(size=(10,)),
            np.zeros((2, 16)),
            "size must be a pair (height, width) of positive integers, got (10,)",
        ),
        (
            ImageResizer(order=7),
            np.zeros((2, 16)),
            "The 'order' parameter of ImageResizer must be an int in the range [0, 5]",
        ),
        (
            HistogramEqualizer(method="local"),
            np.zeros((2, 16)),
            "The 'method' parameter of HistogramEqualizer must be a str among",
        ),
        (
            HistogramEqualizer(clip_limit=0),
            np.zeros((2, 16)),
            "The 'clip_limit' parameter of HistogramEqualizer must be a float "
            "in the range (0.0, 1.0]",
        ),
    ],
)
def test_parameter_errors(estimator, X, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        estimator.fit(X)


def test_transform_rejects_other_shapes():
    crop = CenterCrop(size=(2, 2)).fit(np.zeros((2, 4, 6)))
    with pytest.raises(
        ValueError,
        match=re.escape(
            "CenterCrop was fitted on images of shape (4, 6), got images of shape (6, 4)"
        ),
    ):
        crop.transform(np.zeros((2, 6, 4)))
