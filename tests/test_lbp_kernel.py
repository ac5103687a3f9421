"""The compiled LBP batch kernel: exact equality with scikit-image on every path.

Paths: float64 images go to the kernel as they are, other dtypes (uint8
included) are converted to float64 chunk by chunk; images are laid side by side in strips (one
or several per strip, the last strip partly filled); codes go through a table
(``P <= 16``), are the raw pattern (``default``) or are computed from the pattern
(``uniform`` / ``nri_uniform`` with ``P > 16``); the output is code images or cell
histograms (odd and even widths).
"""

import warnings

import numpy as np
import pytest
from skimage.feature import local_binary_pattern

from fer_features import LBPTransformer
from fer_features.features import _lbp_kernel, lbp_code_images, lbp_n_bins

METHODS = ["default", "ror", "uniform", "nri_uniform"]


def skimage_codes(images, P, R, method):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # float images warn
        return np.stack([local_binary_pattern(im, P, R, method) for im in images])


def grid_counts(codes, row_edges, col_edges, n_bins):
    """The per-image loop: bincount of each cell's codes, cells in row-major order."""
    out = []
    for image in codes.astype(np.intp):
        out.append(
            np.concatenate(
                [
                    np.bincount(image[r0:r1, c0:c1].ravel(), minlength=n_bins)
                    for r0, r1 in zip(row_edges[:-1], row_edges[1:])
                    for c0, c1 in zip(col_edges[:-1], col_edges[1:])
                ]
            )
        )
    return np.array(out, dtype=np.float64)


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("P, R", [(8, 1), (8, 1.5), (4, 2.5), (6, 0.7)])
@pytest.mark.parametrize("kind", ["uint8", "float64"])
@pytest.mark.parametrize("shape", [(7, 13), (1, 5), (2, 2)])
def test_codes_every_method_odd_sizes_non_integer_radius(method, P, R, kind, shape):
    rng = np.random.default_rng(P + int(10 * R) + shape[1])
    if kind == "uint8":
        images = rng.integers(0, 4, size=(5, *shape), dtype=np.uint8)  # many ties
    else:
        images = rng.random((5, *shape)) * 2 - 0.5
    np.testing.assert_array_equal(
        lbp_code_images(images, P, R, method), skimage_codes(images, P, R, method)
    )


@pytest.mark.parametrize("method", ["uniform", "nri_uniform"])
def test_codes_computed_from_the_pattern_for_large_P(method):
    # P > 16: no table, the kernel counts ones and transitions itself
    rng = np.random.default_rng(24)
    images = rng.integers(0, 3, size=(4, 9, 12), dtype=np.uint8)
    assert _lbp_kernel._code_mode(24, method)[0] in (2, 3)
    for P, R in [(24, 3), (17, 2.5), (32, 4)]:
        np.testing.assert_array_equal(
            lbp_code_images(images, P, R, method), skimage_codes(images, P, R, method)
        )


@pytest.mark.parametrize("strip_columns", [1, 30, 10_000])
@pytest.mark.parametrize("n", [1, 7])
def test_strips_of_any_number_of_images(monkeypatch, strip_columns, n):
    # one image per strip, a few (the last strip partly filled), all in one strip
    monkeypatch.setattr(_lbp_kernel, "_STRIP_COLUMNS", strip_columns)
    rng = np.random.default_rng(n)
    images = rng.integers(0, 256, size=(n, 11, 9), dtype=np.uint8)
    for P, R, method in [(8, 1, "nri_uniform"), (16, 2, "uniform"), (8, 2.5, "default")]:
        np.testing.assert_array_equal(
            lbp_code_images(images, P, R, method), skimage_codes(images, P, R, method)
        )


@pytest.mark.parametrize(
    "dtype", [np.uint8, np.int8, np.int16, np.uint16, np.int32, np.uint32, np.float32]
)
def test_other_dtypes_are_converted_in_chunks(monkeypatch, dtype):
    monkeypatch.setattr(_lbp_kernel, "_CHUNK_PIXELS", 150)  # chunks of 2 images
    rng = np.random.default_rng(7)
    images = rng.integers(-3 if np.dtype(dtype).kind != "u" else 0, 4, size=(5, 8, 9)).astype(dtype)
    if dtype == np.float32:
        images = images / np.float32(3)
    np.testing.assert_array_equal(
        lbp_code_images(images, 8, 1.5, "ror"), skimage_codes(images, 8, 1.5, "ror")
    )


def test_read_only_and_non_contiguous_input():
    rng = np.random.default_rng(8)
    images = rng.random((4, 10, 20))[:, :, ::2]
    assert not images.flags.c_contiguous
    expected = skimage_codes(images, 8, 1, "uniform")
    np.testing.assert_array_equal(lbp_code_images(images, 8, 1, "uniform"), expected)
    frozen = np.ascontiguousarray(images)
    frozen.setflags(write=False)  # a read-only array is passed to the kernel as a copy
    np.testing.assert_array_equal(lbp_code_images(frozen, 8, 1, "uniform"), expected)


def test_empty_batch():
    empty = np.zeros((0, 5, 5), dtype=np.uint8)
    assert lbp_code_images(empty, 8, 1, "default").shape == (0, 5, 5)
    assert _lbp_kernel.lbp_histograms(empty, 8, 1, "uniform", np.zeros((5, 5)), 10).shape == (0, 10)


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("shape, grid", [((9, 11), (2, 3)), ((10, 8), (3, 3)), ((5, 7), (1, 1))])
@pytest.mark.parametrize("kind", ["uint8", "float64"])
def test_cell_histograms_equal_bincount_of_skimage_codes(method, shape, grid, kind):
    # odd and even widths (the kernel counts pixels two at a time)
    rng = np.random.default_rng(shape[1])
    images = rng.integers(0, 256, size=(6, *shape), dtype=np.uint8)
    if kind == "float64":
        images = images / 255.0
    lbp = LBPTransformer(P=8, R=1.5, method=method, grid_shape=grid, normalize=None)
    features = lbp.fit_transform(images)
    row_edges, col_edges = lbp.cell_edges()
    expected = grid_counts(
        skimage_codes(images, 8, 1.5, method), row_edges, col_edges, lbp_n_bins(8, method)
    )
    np.testing.assert_array_equal(features, expected)


@pytest.mark.fer2013
@pytest.mark.parametrize(
    "P, R, method",
    [
        (8, 1, "nri_uniform"),
        (8, 1, "default"),
        (16, 2, "ror"),
        (12, 1.5, "uniform"),
        (24, 3, "nri_uniform"),
    ],
)
def test_grid_histograms_of_real_faces_equal_the_per_image_loop(fer2013_small, P, R, method):
    # "ror" with P=16 has 2**16 bins a cell: fewer faces keep the reference loop quick
    images = fer2013_small.images[:: 16 if method == "ror" else 4]
    lbp = LBPTransformer(P=P, R=R, method=method, grid_shape=(6, 6), normalize=None)
    features = lbp.fit_transform(images.reshape(len(images), -1))
    row_edges, col_edges = lbp.cell_edges()
    expected = grid_counts(
        skimage_codes(images, P, R, method), row_edges, col_edges, lbp_n_bins(P, method)
    )
    np.testing.assert_array_equal(features, expected)


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("dtype", [np.uint8, np.float64, np.int16])
@pytest.mark.parametrize("shape", [(1, 1), (1, 6), (5, 1), (6, 9), (48, 48)])
def test_p8_r1_kernel_equals_skimage(monkeypatch, method, dtype, shape):
    # P=8, R=1 has its own kernel (lbp81_batch): the general one must not run
    from fer_features.features import _lbp_numba

    def fail(*args):
        raise AssertionError("the general kernel ran for P=8, R=1")

    monkeypatch.setattr(_lbp_numba, "lbp_batch", fail)
    monkeypatch.setattr(_lbp_kernel, "_CHUNK_PIXELS", 100)  # int16: several chunks
    rng = np.random.default_rng(shape[0] * 100 + shape[1])
    images = rng.integers(0, 3, size=(7, *shape)).astype(dtype)  # ties everywhere
    if dtype == np.float64:
        # near-ties: equal corners make the interpolated value round either way
        images = images / 3.0 + 0.1
    np.testing.assert_array_equal(
        lbp_code_images(images, 8, 1, method), skimage_codes(images, 8, 1, method)
    )
    if min(shape) >= 2:
        lbp = LBPTransformer(P=8, R=1, method=method, grid_shape=(2, 2), normalize=None)
        features = lbp.fit_transform(images)
        row_edges, col_edges = lbp.cell_edges()
        expected = grid_counts(
            skimage_codes(images, 8, 1, method), row_edges, col_edges, lbp_n_bins(8, method)
        )
        np.testing.assert_array_equal(features, expected)
