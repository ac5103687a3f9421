"""LBPTransformer: exact equality with scikit-image, histogram layout, errors."""

import re
import warnings

import numpy as np
import pytest
from skimage.feature import local_binary_pattern

from fer_features import LBPTransformer
from fer_features.features import _lbp_kernel, lbp_code_images, lbp_n_bins

ALL_METHODS = ["default", "ror", "uniform", "nri_uniform"]
# (P, R, method): every method at (8, 1); uniform and nri_uniform at (16, 2), (24, 3)
CONFIGS = (
    [(8, 1, m) for m in ALL_METHODS]
    + [(16, 2, m) for m in ("uniform", "nri_uniform")]
    + [(24, 3, m) for m in ("uniform", "nri_uniform")]
)


def skimage_codes(images, P, R, method):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # float images warn
        return np.stack([local_binary_pattern(im, P, R, method) for im in images])


def skimage_counts(images, P, R, method):
    n_bins = lbp_n_bins(P, method)
    codes = skimage_codes(images, P, R, method).astype(np.intp)
    return np.stack([np.bincount(c.ravel(), minlength=n_bins) for c in codes])


# --- exact values on tiny arrays -------------------------------------------------


def test_code_images_tiny_exact_values():
    image = np.array([[0, 0, 0], [0, 5, 9], [0, 9, 9]], dtype=np.uint8)
    # default: bit i set where neighbour i (counter-clockwise from the right) >= centre
    codes = lbp_code_images(image[None], P=8, R=1, method="default")[0]
    # centre pixel (1, 1) = 5: right 9 (bit 0), down-right 9 (bit 7), down 9 (bit 6);
    # the diagonal neighbours are interpolated, e.g. up-right
    # = 0.29289**2 * 5 + ... < 5, so only bits 0, 6 and 7 are set
    assert codes[1, 1] == 1 + 64 + 128
    # the all-zero corner: every neighbour (zero border included) >= 0
    assert codes[0, 0] == 255
    uniform = lbp_code_images(image[None], P=8, R=1, method="uniform")[0]
    np.testing.assert_array_equal(uniform, [[8, 8, 8], [8, 3, 1], [8, 1, 9]])


def test_four_neighbour_codes_by_hand():
    # P=4, R=1: the neighbours are exactly right, up, left, down (no interpolation)
    image = np.array([[1, 2, 3], [4, 5, 6], [7, 8, 9]], dtype=np.float64)
    codes = lbp_code_images(image[None], P=4, R=1, method="default")[0]
    # centre 5: right 6 (bit 0), up 2, left 4, down 8 (bit 3) -> 1 + 8
    assert codes[1, 1] == 9
    # top-left 1: right 2 (1), up 0 border, left 0 border, down 4 (8) -> 9
    assert codes[0, 0] == 9
    # bottom-right 9: right border, up 6, left 8, down border -> 0
    assert codes[2, 2] == 0
    np.testing.assert_array_equal(codes, skimage_codes(image[None], 4, 1, "default")[0])


@pytest.mark.parametrize(
    "P, R, method",
    CONFIGS
    + [
        (4, 1.5, "ror"),
        (16, 2, "default"),
        (16, 2, "ror"),
        (12, 2.5, "nri_uniform"),
        (1, 1, "nri_uniform"),
        (3, 0.5, "uniform"),
    ],
)
@pytest.mark.parametrize("kind", ["uint8", "float", "float32", "few_levels"])
def test_codes_equal_skimage_on_random_arrays(P, R, method, kind):
    rng = np.random.default_rng(P * 100 + int(10 * R))
    if kind == "uint8":
        images = rng.integers(0, 256, size=(6, 9, 11), dtype=np.uint8)
    elif kind == "float":
        images = rng.random((6, 9, 11)) * 3 - 1  # negatives and non-integers
    elif kind == "float32":
        images = (rng.random((6, 9, 11)) * 3).astype(np.float32)
    else:  # many ties, where the interpolation's last bit decides
        images = rng.integers(0, 3, size=(6, 9, 11)).astype(np.uint8)
    np.testing.assert_array_equal(
        lbp_code_images(images, P, R, method), skimage_codes(images, P, R, method)
    )


def test_code_table_matches_skimage_semantics():
    # a few patterns by hand, P = 8
    table = _lbp_kernel._code_table(8, "nri_uniform")
    assert table[0] == 0  # no ones
    assert table[255] == 8 * 7 + 1  # all ones
    assert table[0b01010101] == 8 * 7 + 2  # not uniform
    # 1 + (n_ones - 1) * P + rot, rot = n_ones - first_zero if bit 0 is set,
    # else P - first_one
    assert table[0b00000001] == 1 + 0 * 8 + (1 - 1)
    assert table[0b00000010] == 1 + 0 * 8 + (8 - 1)
    assert table[0b10000011] == 1 + 2 * 8 + (3 - 2)
    uniform = _lbp_kernel._code_table(8, "uniform")
    assert uniform[0b00001111] == 4 and uniform[0b00101111] == 9
    ror = _lbp_kernel._code_table(8, "ror")
    assert ror[0b10000000] == 1 and ror[0b11000001] == 0b00000111


@pytest.mark.parametrize("numpy_popcount", [True, False])
def test_bit_helpers(monkeypatch, numpy_popcount):
    if not numpy_popcount:
        monkeypatch.delattr(np, "bitwise_count", raising=False)
    x = np.array([0, 1, 2, 0b1011000, 2**23, 2**24 - 1, 2**32 - 1], dtype=np.uint64)
    np.testing.assert_array_equal(_lbp_kernel._popcount(x), [0, 1, 1, 3, 1, 24, 32])
    np.testing.assert_array_equal(_lbp_kernel._lowest_set_bit(x), [-1, 0, 1, 3, 23, 0, 0])


def test_direct_codes_equal_tables():
    # P > 16 computes codes from the pattern; P <= 16 uses tables built the same
    # way: check the formulas against a bit-by-bit reading of scikit-image's loop
    P = 10
    patterns = np.arange(2**P, dtype=np.uint64)
    bits = (patterns[:, None] >> np.arange(P, dtype=np.uint64)) & np.uint64(1)
    bits = bits.astype(int)
    changes = (bits[:, :-1] != bits[:, 1:]).sum(axis=1)
    n_ones = bits.sum(axis=1)
    expected = []
    for b, c, k in zip(bits, changes, n_ones):
        if c > 2:
            expected.append(P * (P - 1) + 2)
        elif k == 0:
            expected.append(0)
        elif k == P:
            expected.append(P * (P - 1) + 1)
        else:
            first_one = int(np.argmax(b == 1))
            first_zero = int(np.argmax(b == 0))
            rot = k - first_zero if first_one == 0 else P - first_one
            expected.append(1 + (k - 1) * P + rot)
    np.testing.assert_array_equal(_lbp_kernel._pattern_codes(patterns, P, "nri_uniform"), expected)
    np.testing.assert_array_equal(
        _lbp_kernel._pattern_codes(patterns, P, "uniform"), np.where(changes <= 2, n_ones, P + 1)
    )


def test_n_bins():
    assert [lbp_n_bins(8, m) for m in ALL_METHODS] == [256, 256, 10, 59]
    assert lbp_n_bins(24, "uniform") == 26 and lbp_n_bins(24, "nri_uniform") == 555


def test_chunking_does_not_change_results(monkeypatch):
    rng = np.random.default_rng(3)
    images = rng.integers(0, 256, size=(13, 10, 10), dtype=np.uint8)
    X = images.reshape(13, -1)
    whole = LBPTransformer(method="nri_uniform", grid_shape=(2, 3)).fit_transform(X)
    monkeypatch.setattr(_lbp_kernel, "_CHUNK_PIXELS", 250)  # chunks of 2 images
    monkeypatch.setattr(_lbp_kernel, "_STRIP_COLUMNS", 25)  # strips of 2 images
    chunked = LBPTransformer(method="nri_uniform", grid_shape=(2, 3)).fit_transform(X)
    np.testing.assert_array_equal(whole, chunked)
    as_int16 = LBPTransformer(method="nri_uniform", grid_shape=(2, 3)).fit_transform(
        X.astype(np.int16)
    )
    np.testing.assert_array_equal(whole, as_int16)


# --- real FER2013 faces ----------------------------------------------------------


@pytest.mark.fer2013
@pytest.mark.parametrize("P, R, method", CONFIGS)
@pytest.mark.parametrize("as_float", [False, True], ids=["uint8", "float"])
def test_histograms_equal_skimage_bincount_on_real_faces(fer2013_small, P, R, method, as_float):
    images = fer2013_small.images[::3]
    if as_float:
        images = images.astype(np.float64) / 255.0
    X = images.reshape(len(images), -1)
    lbp = LBPTransformer(P=P, R=R, method=method, grid_shape=(1, 1), normalize=None)
    features = lbp.fit_transform(X)
    np.testing.assert_array_equal(features, skimage_counts(images, P, R, method))
    np.testing.assert_array_equal(lbp.code_images(X), skimage_codes(images, P, R, method))


@pytest.mark.fer2013
def test_all_real_faces_nri_uniform_codes(fer2013_small):
    images = fer2013_small.images
    np.testing.assert_array_equal(
        lbp_code_images(images, 8, 1, "nri_uniform"),
        skimage_codes(images, 8, 1, "nri_uniform"),
    )


@pytest.mark.fer2013
@pytest.mark.parametrize("normalize", [None, "l1", "l2"])
def test_grid_histograms_on_real_faces(fer2013_small, normalize):
    images = fer2013_small.images[:25]
    lbp = LBPTransformer(method="nri_uniform", grid_shape=(6, 6), normalize=normalize)
    features = lbp.fit_transform(images.reshape(25, -1))
    assert features.shape == (25, 36 * 59)
    row_edges, col_edges = lbp.cell_edges()
    np.testing.assert_array_equal(row_edges, [0, 8, 16, 24, 32, 40, 48])
    codes = skimage_codes(images, 8, 1, "nri_uniform").astype(np.intp)
    expected = []
    for k in range(25):
        cells = []
        for i in range(6):
            for j in range(6):
                cell = codes[k, row_edges[i] : row_edges[i + 1], col_edges[j] : col_edges[j + 1]]
                hist, _ = np.histogram(cell, bins=59, range=(0, 59))
                hist = hist.astype(float)
                if normalize == "l1":
                    hist /= hist.sum()
                elif normalize == "l2":
                    hist /= np.linalg.norm(hist)
                cells.append(hist)
        expected.append(np.concatenate(cells))
    np.testing.assert_allclose(features, np.array(expected), rtol=1e-12, atol=0)


# --- histogram layout, attributes, names -----------------------------------------


def test_cell_layout_row_major_each_cell_whole():
    # a 4x4 image: left half 0, right half 10; grid (2, 2), P=4, R=1, default codes
    image = np.zeros((4, 4))
    image[:, 2:] = 10
    lbp = LBPTransformer(P=4, R=1, method="default", grid_shape=(2, 2), normalize=None)
    features = lbp.fit_transform(image.reshape(1, -1))[0]
    assert features.shape == (4 * 16,)
    codes = skimage_codes(image[None], 4, 1, "default")[0].astype(int)
    for cell, (rows, cols) in enumerate(
        [((0, 2), (0, 2)), ((0, 2), (2, 4)), ((2, 4), (0, 2)), ((2, 4), (2, 4))]
    ):
        block = codes[rows[0] : rows[1], cols[0] : cols[1]]
        np.testing.assert_array_equal(
            features[16 * cell : 16 * (cell + 1)], np.bincount(block.ravel(), minlength=16)
        )
    # left half: the right neighbour of column 1 is 10 >= 0
    assert codes[0, 1] & 1 == 1


def test_l1_cells_sum_to_one_and_attributes():
    rng = np.random.default_rng(0)
    X = rng.integers(0, 256, size=(5, 20 * 15), dtype=np.uint8)
    lbp = LBPTransformer(grid_shape=(3, 2), image_shape=(20, 15)).fit(X)
    assert lbp.image_shape_ == (20, 15) and lbp.n_bins_ == 10 and lbp.n_features_in_ == 300
    features = lbp.transform(X)
    np.testing.assert_allclose(features.reshape(5, 6, 10).sum(axis=2), 1.0)
    names = lbp.get_feature_names_out()
    assert len(names) == 60
    assert names[0] == "lbp_r0c0_b0" and names[10] == "lbp_r0c1_b0" and names[-1] == "lbp_r2c1_b9"


def test_cell_edges():
    lbp = LBPTransformer(grid_shape=(7, 5))
    rows, cols = lbp.cell_edges((48, 48))
    np.testing.assert_array_equal(rows, [0, 7, 14, 21, 27, 34, 41, 48])
    np.testing.assert_array_equal(cols, np.round(np.linspace(0, 48, 6)).astype(int))
    assert rows.dtype.kind == "i"


def test_three_d_input_and_pandas_output():
    rng = np.random.default_rng(1)
    images = rng.integers(0, 256, size=(4, 8, 8), dtype=np.uint8)
    lbp = LBPTransformer(grid_shape=(2, 2))
    flat = lbp.fit_transform(images.reshape(4, -1))
    np.testing.assert_array_equal(LBPTransformer(grid_shape=(2, 2)).fit_transform(images), flat)
    frame = LBPTransformer(grid_shape=(2, 2)).set_output(transform="pandas").fit_transform(images)
    assert list(frame.columns[:2]) == ["lbp_r0c0_b0", "lbp_r0c0_b1"]
    np.testing.assert_array_equal(frame.to_numpy(), flat)


def test_code_images_unfitted_and_fitted():
    rng = np.random.default_rng(2)
    images = rng.integers(0, 256, size=(3, 6, 6), dtype=np.uint8)
    lbp = LBPTransformer(method="ror")
    unfitted = lbp.code_images(images.reshape(3, -1))
    assert not hasattr(lbp, "image_shape_")
    np.testing.assert_array_equal(unfitted, skimage_codes(images, 8, 1, "ror"))
    lbp.fit(images)
    np.testing.assert_array_equal(lbp.code_images(images), unfitted)


# --- errors ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "params, X, error, message",
    [
        (
            dict(P=24, method="default"),
            np.zeros((2, 16)),
            ValueError,
            "method='default' with P=24 would give 2**24 histogram bins; use P <= 16 with "
            "'default' and 'ror', or method='uniform' or 'nri_uniform' for larger P",
        ),
        (
            dict(P=17, method="ror"),
            np.zeros((2, 16)),
            ValueError,
            "method='ror' with P=17 would give 2**17 histogram bins",
        ),
        (
            dict(grid_shape=(5, 4)),
            np.zeros((2, 16)),
            ValueError,
            "grid_shape=(5, 4) has more cells than the images have pixels (image shape (4, 4)); "
            "use a smaller grid_shape",
        ),
        (
            dict(grid_shape=(2, 0)),
            np.zeros((2, 16)),
            ValueError,
            "grid_shape must be a pair (rows, cols) of positive integers, got (2, 0)",
        ),
        (
            dict(grid_shape=(2,)),
            np.zeros((2, 16)),
            ValueError,
            "grid_shape must be a pair (rows, cols) of positive integers, got (2,)",
        ),
        (
            dict(method="var"),
            np.zeros((2, 16)),
            ValueError,
            "The 'method' parameter of LBPTransformer must be a str among",
        ),
        (
            dict(P=0),
            np.zeros((2, 16)),
            ValueError,
            "The 'P' parameter of LBPTransformer must be an int in the range [1, 32]",
        ),
        (
            dict(R=0),
            np.zeros((2, 16)),
            ValueError,
            "The 'R' parameter of LBPTransformer must be a float in the range (0.0, inf)",
        ),
        (
            dict(grid_shape=(1, 1)),
            np.zeros((2, 15)),
            ValueError,
            "X has 15 features per row, which is not a square image; "
            "pass image_shape=(height, width)",
        ),
    ],
)
def test_fit_errors(params, X, error, message):
    with pytest.raises(error, match=re.escape(message)):
        LBPTransformer(**params).fit(X)


def test_transform_shape_mismatch():
    lbp = LBPTransformer(grid_shape=(2, 2)).fit(np.zeros((2, 6, 6)))
    with pytest.raises(
        ValueError,
        match=re.escape("image_shape=(4, 9) does not match the shape of the images given, (6, 6)"),
    ):
        LBPTransformer(grid_shape=(2, 2), image_shape=(4, 9)).fit(np.zeros((2, 6, 6)))
    lbp36 = LBPTransformer(grid_shape=(2, 2)).fit(np.zeros((2, 4, 9)))
    with pytest.raises(
        ValueError,
        match=re.escape(
            "LBPTransformer was fitted on images of shape (4, 9), got images of shape (6, 6)"
        ),
    ):
        lbp36.transform(np.zeros((2, 6, 6)))
    with pytest.raises(
        ValueError, match="X has 25 features, but LBPTransformer is expecting 36 features as input"
    ):
        lbp.transform(np.zeros((2, 25)))
