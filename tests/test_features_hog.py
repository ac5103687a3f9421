"""HOGTransformer: exact equality with skimage.feature.hog, layout, errors."""

import re

import numpy as np
import pytest
from skimage.feature import hog

from fer_features import HOGTransformer
from fer_features.features import _hog

PARAMS = [
    dict(),
    dict(orientations=8, pixels_per_cell=(6, 6), cells_per_block=(3, 3)),
    dict(pixels_per_cell=(7, 5), cells_per_block=(1, 2), block_norm="L1"),
    dict(pixels_per_cell=(4, 4), block_norm="L2"),
    dict(orientations=12, pixels_per_cell=(9, 9), block_norm="L1-sqrt"),
]


def skimage_hog(
    images, orientations=9, pixels_per_cell=(8, 8), cells_per_block=(2, 2), block_norm="L2-Hys"
):
    return np.stack(
        [
            hog(
                image,
                orientations=orientations,
                pixels_per_cell=pixels_per_cell,
                cells_per_block=cells_per_block,
                block_norm=block_norm,
                feature_vector=True,
            )
            for image in images
        ]
    )


def test_tiny_ramp_exact_values():
    # horizontal ramp: g_col = 2 inside, g_row = 0, every orientation is 0 degrees
    image = np.tile(np.arange(4, dtype=np.float64), (4, 1))
    tf = HOGTransformer(
        orientations=4, pixels_per_cell=(2, 2), cells_per_block=(1, 1), block_norm="L1"
    )
    features = tf.fit_transform(image.reshape(1, -1))[0].reshape(2, 2, 4)
    # each 2x2 cell has two pixels of magnitude 2 in bin 0: (2 + 2) / 4 = 1,
    # then L1 block normalisation 1 / (1 + 1e-5)
    expected_cell = np.array([1 / (1 + 1e-5), 0, 0, 0])
    for i in range(2):
        for j in range(2):
            np.testing.assert_array_equal(features[i, j], expected_cell)
    np.testing.assert_array_equal(
        features.ravel(), skimage_hog(image[None], 4, (2, 2), (1, 1), "L1")[0]
    )


@pytest.mark.parametrize("params", PARAMS)
@pytest.mark.parametrize("kind", ["uint8", "float64", "float32", "negative", "ties"])
def test_equal_skimage_on_random_arrays(params, kind):
    rng = np.random.default_rng(len(params) + len(kind))
    if kind == "uint8":
        images = rng.integers(0, 256, size=(4, 26, 31), dtype=np.uint8)
    elif kind == "float64":
        images = rng.random((4, 26, 31))
    elif kind == "float32":
        images = rng.random((4, 26, 31)).astype(np.float32)
    elif kind == "negative":
        images = rng.normal(size=(4, 26, 31)) * 3
    else:
        images = rng.integers(0, 3, size=(4, 26, 31)).astype(np.uint8)
    ours = HOGTransformer(**params).fit_transform(images)
    reference = skimage_hog(images, **params)
    assert ours.dtype == reference.dtype
    np.testing.assert_array_equal(ours, reference)


@pytest.mark.fer2013
@pytest.mark.parametrize("params", PARAMS)
@pytest.mark.parametrize("scale", ["uint8", "float64", "float32"])
def test_equal_skimage_on_real_faces(fer2013_small, params, scale):
    images = fer2013_small.images[::2]
    if scale == "float64":
        images = images / 255.0
    elif scale == "float32":
        images = (images / 255.0).astype(np.float32)
    X = images.reshape(len(images), -1)
    ours = HOGTransformer(**params).fit_transform(X)
    np.testing.assert_array_equal(ours, skimage_hog(images, **params))


def test_lookup_table_path_equals_float_path():
    # 8-bit images use tables of magnitude and bin per integer gradient pair
    rng = np.random.default_rng(5)
    images = rng.integers(0, 256, size=(6, 16, 16), dtype=np.uint8)
    images[0] = 0
    images[1, :, ::2] = 255  # the extreme gradients +-255
    assert _hog._integer_gradients(images) is not None
    table = _hog.hog_histograms(images, 9, (4, 4))
    direct = _hog.hog_histograms(images.astype(np.float64), 9, (4, 4))
    np.testing.assert_array_equal(table, direct)
    # 16-bit images with large gradients fall back to the float path
    wide = images.astype(np.uint16) * 200
    assert _hog._integer_gradients(wide) is None
    np.testing.assert_array_equal(
        HOGTransformer(pixels_per_cell=(4, 4)).fit_transform(wide),
        skimage_hog(wide, pixels_per_cell=(4, 4)),
    )


def test_threads_give_the_same_result(monkeypatch):
    rng = np.random.default_rng(6)
    images = rng.integers(0, 256, size=(9, 16, 16), dtype=np.uint8)
    single = HOGTransformer(pixels_per_cell=(4, 4)).fit_transform(images)
    monkeypatch.setattr(_hog, "_CHUNK_PIXELS", 2 * 256)  # chunks of 2 images
    threaded = HOGTransformer(pixels_per_cell=(4, 4), n_jobs=2).fit_transform(images)
    np.testing.assert_array_equal(single, threaded)


def test_attributes_names_and_pandas():
    rng = np.random.default_rng(7)
    X = rng.integers(0, 256, size=(3, 48 * 48), dtype=np.uint8)
    tf = HOGTransformer().fit(X)
    assert tf.image_shape_ == (48, 48) and tf.n_cells_ == (6, 6) and tf.n_blocks_ == (5, 5)
    names = tf.get_feature_names_out()
    assert len(names) == 5 * 5 * 2 * 2 * 9 == tf.transform(X).shape[1]
    assert names[0] == "hog_b0_0_c0_0_o0" and names[9] == "hog_b0_0_c0_1_o0"
    assert names[-1] == "hog_b4_4_c1_1_o8"
    frame = HOGTransformer().set_output(transform="pandas").fit_transform(X)
    assert list(frame.columns) == list(names)
    np.testing.assert_array_equal(frame.to_numpy(), tf.transform(X))


@pytest.mark.parametrize(
    "params, X, message",
    [
        (
            dict(),
            np.zeros((2, 12 * 12)),
            "images of shape (12, 12) are too small for pixels_per_cell=(8, 8) and "
            "cells_per_block=(2, 2): they need at least 16 rows and 16 columns",
        ),
        (
            dict(pixels_per_cell=(8, 0)),
            np.zeros((2, 256)),
            "pixels_per_cell must be a pair of positive integers, got (8, 0)",
        ),
        (
            dict(cells_per_block=(3,)),
            np.zeros((2, 256)),
            "cells_per_block must be a pair of positive integers, got (3,)",
        ),
        (
            dict(block_norm="L3"),
            np.zeros((2, 256)),
            "The 'block_norm' parameter of HOGTransformer must be a str among",
        ),
        (
            dict(orientations=0),
            np.zeros((2, 256)),
            "The 'orientations' parameter of HOGTransformer must be an int in the range [1, inf)",
        ),
    ],
)
def test_fit_errors(params, X, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        HOGTransformer(**params).fit(X)


def test_transform_other_image_shape():
    tf = HOGTransformer().fit(np.zeros((2, 16, 18)))
    with pytest.raises(
        ValueError,
        match=re.escape(
            "HOGTransformer was fitted on images of shape (16, 18), got images of shape (18, 16)"
        ),
    ):
        tf.transform(np.zeros((2, 18, 16)))


@pytest.mark.parametrize("shape, cell", [((26, 31), (4, 5)), ((1, 9), (1, 3)), ((7, 2), (3, 1))])
def test_compiled_uint8_path_equals_skimage_and_the_numpy_path(monkeypatch, shape, cell):
    from fer_features.features import _hog_numba

    rng = np.random.default_rng(shape[1])
    images = rng.integers(0, 256, size=(5, *shape), dtype=np.uint8)
    images[0, :, ::2] = 255  # extreme gradients
    images[1] = rng.integers(0, 3, size=shape)  # ties
    compiled = _hog.hog_histograms(images, 7, cell)
    numpy_path = _hog.hog_histograms(images.astype(np.int16), 7, cell)  # table, no numba
    np.testing.assert_array_equal(compiled, numpy_path)
    np.testing.assert_array_equal(
        HOGTransformer(orientations=7, pixels_per_cell=cell, cells_per_block=(1, 1)).fit_transform(
            images
        ),
        skimage_hog(images, orientations=7, pixels_per_cell=cell, cells_per_block=(1, 1)),
    )

    def fail(*args):
        raise AssertionError("compiled loop ran")

    monkeypatch.setattr(_hog_numba, "hog_cells_uint8", fail)
    with pytest.raises(AssertionError, match="compiled loop ran"):
        _hog.hog_histograms(images, 7, cell)


@pytest.mark.parametrize("block_norm", ["L1", "L1-sqrt", "L2", "L2-Hys"])
@pytest.mark.parametrize("cells_per_block, orientations", [((2, 2), 9), ((1, 3), 2), ((4, 4), 9)])
def test_compiled_block_normalisation_equals_numpy(block_norm, cells_per_block, orientations):
    # (4, 4) x 9 = 144 values a block: NumPy's sum splits runs longer than 128
    rng = np.random.default_rng(orientations)
    hist = rng.random((3, 5, 6, orientations)) ** 4 * 10.0 ** rng.integers(-6, 2, (3, 5, 6, 1))
    hist[0, :2] = 0.0  # empty cells: eps alone
    for dtype in (np.float64, np.float32):
        ours = _hog.normalize_blocks(hist, cells_per_block, block_norm, dtype)
        numpy_path = _hog._normalize_blocks_numpy(hist, cells_per_block, block_norm, dtype)
        assert ours.dtype == numpy_path.dtype == dtype
        np.testing.assert_array_equal(ours, numpy_path)
