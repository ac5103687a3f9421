"""Dense SIFT-style descriptors and their visual-word histograms (DenseSIFTWords).

Exactness on tiny arrays against a per-patch, per-pixel loop written from the
definition in the module's docstring (no dense SIFT with wheels on the package
index computes this variant); behaviour on real faces.
"""

import math

import numpy as np
import pytest

from fer_features.features import (
    DenseSIFTWords,
    dense_gabor_descriptors,
    dense_sift_descriptors,
)
from fer_features.features._dense_sift import TreeVocabulary
from fer_features.features._lgbp import gabor_kernel


def reference_descriptors(image, bin_size, step, n_orientations=8, contrast_threshold=0.01):
    """One image's descriptors, patch by patch and pixel by pixel."""
    image = np.asarray(image, dtype=np.float64) / 255
    h, w = image.shape
    patch = 4 * bin_size
    out = []
    for r in range(0, h - patch + 1, step):
        for c in range(0, w - patch + 1, step):
            cells = np.zeros((4, 4, n_orientations))
            for i in range(patch):
                for j in range(patch):
                    y, x = r + i, c + j
                    g_row = 0.5 * (image[y + 1, x] - image[y - 1, x]) if 0 < y < h - 1 else 0.0
                    g_col = 0.5 * (image[y, x + 1] - image[y, x - 1]) if 0 < x < w - 1 else 0.0
                    magnitude = math.hypot(g_row, g_col)
                    position = (
                        (math.atan2(g_row, g_col) % (2 * math.pi)) * n_orientations / (2 * math.pi)
                    )
                    for o in range(n_orientations):
                        distance = abs(position - o)
                        distance = min(distance, n_orientations - distance)
                        cells[i // bin_size, j // bin_size, o] += magnitude * max(0.0, 1 - distance)
            d = cells.ravel()
            length = np.linalg.norm(d)
            if length < contrast_threshold:
                out.append(np.zeros_like(d))
                continue
            d = np.minimum(d / length, 0.2)
            out.append(d / np.linalg.norm(d))
    return np.array(out)


@pytest.mark.parametrize(
    "bin_size, step, shape", [(2, 1, (9, 11)), (3, 2, (14, 12)), (1, 3, (7, 7))]
)
def test_descriptors_equal_the_per_pixel_definition(bin_size, step, shape):
    rng = np.random.default_rng(bin_size)
    images = rng.integers(0, 256, size=(3, *shape), dtype=np.uint8)
    images[2, :, : shape[1] // 2] = 40  # a flat half: low-contrast patches
    got, centres = dense_sift_descriptors(images, bin_size, step)
    for image, descriptors in zip(images, got):
        np.testing.assert_allclose(
            descriptors, reference_descriptors(image, bin_size, step), rtol=1e-4, atol=1e-6
        )
    assert centres[0].tolist() == [2 * bin_size, 2 * bin_size]
    assert got.dtype == np.float32


@pytest.mark.parametrize("bin_size", [2, 3])
def test_a_mirror_image_has_the_mirrored_descriptors(bin_size):
    # mirrored left to right, a patch's cells swap columns and a gradient's angle
    # theta becomes pi - theta: orientation bin o becomes (n/2 - o) mod n
    image = np.random.default_rng(5).integers(0, 256, size=(20, 20)).astype(np.uint8)
    d, _ = dense_sift_descriptors(image[None], bin_size, 2)
    m, _ = dense_sift_descriptors(image[None, :, ::-1], bin_size, 2)
    side = math.isqrt(d.shape[1])  # (20 - patch) is even: the grid is symmetric
    d = d.reshape(side, side, 4, 4, 8)
    mirrored = d[:, ::-1, :, ::-1, :][..., (4 - np.arange(8)) % 8]
    np.testing.assert_allclose(m.reshape(side, side, 4, 4, 8), mirrored, atol=1e-5)


def reference_gabor_descriptors(image, bin_size, step, frequencies, n_orientations):
    """One image's Gabor descriptors: scipy's convolution, then patch by patch, pixel by pixel."""
    from scipy.signal import convolve2d

    image = np.asarray(image, dtype=np.float64)
    h, w = image.shape
    magnitudes = []
    for f in frequencies:
        for k in range(n_orientations):
            kernel = gabor_kernel(f, np.pi * k / n_orientations, 0.5 / f)
            m = np.abs(convolve2d(image, kernel, mode="same"))
            magnitudes.append(np.rint(m * 255 / m.max()) / 255)
    patch = 4 * bin_size
    out = []
    for r in range(0, h - patch + 1, step):
        for c in range(0, w - patch + 1, step):
            cells = np.zeros((4, 4, len(magnitudes)))
            for i in range(patch):
                for j in range(patch):
                    for o, m in enumerate(magnitudes):
                        cells[i // bin_size, j // bin_size, o] += m[r + i, c + j]
            d = cells.ravel()
            d = np.minimum(d / np.linalg.norm(d), 0.2)
            out.append(d / np.linalg.norm(d))
    return np.array(out)


@pytest.mark.parametrize(
    "bin_size, step, shape, frequencies, n_orientations",
    [(2, 1, (10, 9), (0.25,), 4), (3, 2, (15, 13), (0.25, 0.125), 4), (1, 3, (8, 8), (0.3,), 3)]
    + [(2, 1, (6, 7), (0.25,), 2)],  # smaller than a patch: padded by repeating the border
)
def test_gabor_descriptors_equal_the_per_pixel_definition(
    bin_size, step, shape, frequencies, n_orientations
):
    rng = np.random.default_rng(bin_size)
    images = rng.integers(0, 256, size=(2, *shape), dtype=np.uint8)
    got, centres = dense_gabor_descriptors(images, bin_size, step, frequencies, n_orientations)
    assert got.shape[2] == 16 * len(frequencies) * n_orientations and got.dtype == np.float32
    patch = 4 * bin_size
    pad = ((0, 0), (0, max(0, patch - shape[0])), (0, max(0, patch - shape[1])))
    for image, descriptors in zip(np.pad(images, pad, mode="edge"), got):
        expected = reference_gabor_descriptors(image, bin_size, step, frequencies, n_orientations)
        np.testing.assert_allclose(descriptors, expected, rtol=1e-4, atol=1e-6)
    assert centres[0].tolist() == [2 * bin_size, 2 * bin_size]


def test_cell_sizes_share_a_batch_filtering_only_where_their_padding_agrees():
    # 10x10 faces: 8-pixel patches (cells of 2) need no padding, 12-pixel ones (3) do
    images = np.random.default_rng(7).integers(0, 256, size=(3, 10, 10), dtype=np.uint8)
    words = DenseSIFTWords(bin_sizes=(2, 3), descriptors=("sift", "gabor"))
    integrals = {}
    for kind, describe in (("sift", dense_sift_descriptors), ("gabor", dense_gabor_descriptors)):
        for bin_size in (2, 3, 2):
            got, _ = words._describe(images, kind, bin_size, np.arange(3), integrals)
            np.testing.assert_array_equal(got, describe(images, bin_size, 2)[0])
    assert len(integrals) == 4  # two kinds x two padded shapes


def test_a_ramp_puts_its_gradient_in_the_orientation_of_its_direction():
    ramp = np.tile(np.arange(0, 240, 12, dtype=np.uint8), (20, 1))  # brighter to the right
    across, _ = dense_sift_descriptors(ramp[None], bin_size=2, step=4)
    down, _ = dense_sift_descriptors(ramp.T[None], bin_size=2, step=4)
    # interior cells only: the border columns have no gradient
    per_orientation = across[0, 5].reshape(4, 4, 8).sum(axis=(0, 1))
    assert per_orientation.argmax() == 0 and np.count_nonzero(per_orientation) == 1
    per_orientation = down[0, 5].reshape(4, 4, 8).sum(axis=(0, 1))
    assert per_orientation.argmax() == 2 and np.count_nonzero(per_orientation) == 1


def test_flat_images_and_images_smaller_than_a_patch():
    flat, _ = dense_sift_descriptors(np.full((2, 16, 16), 90, np.uint8), bin_size=2, step=2)
    assert not flat.any()
    small = np.random.default_rng(0).integers(0, 256, size=(2, 3, 5), dtype=np.uint8)
    d, centres = dense_sift_descriptors(small, bin_size=2, step=1)
    # padded to 8x8 by repeating the border: one patch, normalised
    assert d.shape == (2, 1, 128)
    np.testing.assert_allclose(np.linalg.norm(d, axis=2), 1, rtol=1e-5)


def test_tree_vocabulary_finds_separated_clusters_and_is_seeded():
    rng = np.random.default_rng(0)
    # three groups of three clusters: the tree's two levels can separate them all
    groups = rng.normal(size=(3, 1, 4)) * 100
    centres = (groups + rng.normal(size=(3, 3, 4)) * 5).reshape(9, 4).astype(np.float32)
    labels = rng.integers(0, 9, size=900)
    X = centres[labels] + rng.normal(scale=0.1, size=(900, 4)).astype(np.float32)
    vocabulary = TreeVocabulary(branching=3, random_state=0).fit(X)
    words = vocabulary.predict(X)
    # nine words, each one of the nine clusters
    assert len(np.unique(words)) == 9
    for word in np.unique(words):
        assert len(np.unique(labels[words == word])) == 1
    again = TreeVocabulary(branching=3, random_state=0).fit(X).predict(X)
    np.testing.assert_array_equal(words, again)
    # fewer distinct descriptors than words: they become the leaves
    few = TreeVocabulary(branching=4, random_state=0).fit(X[:3])
    assert len(np.unique(few.predict(X[:3]))) == len(np.unique(X[:3], axis=0))


def test_word_histograms_are_square_roots_of_counts_per_region():
    rng = np.random.default_rng(1)
    images = rng.integers(0, 256, size=(5, 16, 16), dtype=np.uint8)
    words = DenseSIFTWords(
        bin_sizes=(2,), step=2, branching=4, pyramid_levels=(1, 2), random_state=0
    ).fit(images)
    Z = words.transform(images).toarray()
    assert Z.shape == (5, (1 + 4) * 16) == (5, words.n_features_out_)
    d, centres = dense_sift_descriptors(images, 2, 2)
    w = words.vocabularies_[0].predict(d.reshape(-1, 128)).reshape(5, -1)
    for k in range(5):
        whole = np.sqrt(np.bincount(w[k], minlength=16))
        np.testing.assert_allclose(Z[k, :16], whole / np.linalg.norm(whole), rtol=1e-6)
        top_left = (centres[:, 0] < 8) & (centres[:, 1] < 8)
        region = np.sqrt(np.bincount(w[k][top_left], minlength=16))
        level = np.linalg.norm(Z[k, 16:])
        np.testing.assert_allclose(level, 1, rtol=1e-6)
        block = Z[k, 16:32]
        np.testing.assert_allclose(
            block / np.linalg.norm(block), region / np.linalg.norm(region), rtol=1e-6
        )


def test_two_kinds_of_descriptor_put_their_words_side_by_side():
    rng = np.random.default_rng(3)
    images = rng.integers(0, 256, size=(12, 16, 16), dtype=np.uint8)
    params = dict(bin_sizes=(2, 3), branching=3, pyramid_levels=(1, 2), random_state=0)
    sift = DenseSIFTWords(**params).fit(images)
    both = DenseSIFTWords(descriptors=("sift", "gabor"), **params).fit(images)
    assert len(both.vocabularies_) == 4
    assert both.n_features_out_ == 2 * sift.n_features_out_ == 2 * 2 * 5 * 9
    Z = both.transform(images)
    assert Z.shape == (12, both.n_features_out_) and Z.dtype == np.float32
    # the SIFT columns come first and are those of SIFT alone (the same seeded draws)
    half = sift.n_features_out_
    assert (Z[:, :half] != sift.transform(images)).nnz == 0
    # then the Gabor words of each cell size: the whole-image level of the first size
    d, _ = dense_gabor_descriptors(images, 2, 2)
    w = both.vocabularies_[2].predict(d.reshape(-1, d.shape[2])).reshape(12, -1)
    for k in range(12):
        whole = np.sqrt(np.bincount(w[k], minlength=9))
        np.testing.assert_allclose(
            Z[k, half : half + 9].toarray().ravel(), whole / np.linalg.norm(whole), rtol=1e-6
        )


@pytest.mark.parametrize(
    "descriptors", [(), ("sift", "sift"), ("hog",), "sift"], ids=["none", "twice", "hog", "str"]
)
def test_descriptors_must_be_distinct_known_kinds(descriptors):
    images = np.zeros((3, 8, 8), np.uint8)
    # a string is refused by scikit-learn's parameter validation, the rest by fit
    message = r"descriptors must be a non-empty tuple|'descriptors' parameter"
    with pytest.raises(ValueError, match=message):
        DenseSIFTWords(descriptors=descriptors).fit(images)


def test_gabor_frequencies_must_be_below_half_a_cycle_per_pixel():
    images = np.zeros((3, 8, 8), np.uint8)
    with pytest.raises(ValueError, match=r"gabor_frequencies must .* got \(0.7,\)"):
        DenseSIFTWords(descriptors=("gabor",), gabor_frequencies=(0.7,)).fit(images)
    # SIFT alone does not read them
    DenseSIFTWords(descriptors=("sift",), gabor_frequencies=(0.7,), bin_sizes=(1,)).fit(images)


def test_batch_size_gives_the_same_words_on_these_images():
    # (on real faces a descriptor equally near two words can change word with the
    # batch size, through the matrix product's rounding: benchmarks/RESULTS.md)
    rng = np.random.default_rng(4)
    images = rng.integers(0, 256, size=(11, 12, 12), dtype=np.uint8)
    params = dict(bin_sizes=(1, 2), branching=3, descriptors=("sift", "gabor"), random_state=0)
    whole = DenseSIFTWords(**params).fit(images)
    one_go = whole.transform(images)
    assert one_go.dtype == np.float32 and one_go.indices.dtype == np.int32
    assert one_go.has_sorted_indices
    for batch_size in (1, 4, 5):
        batched = whole.set_params(batch_size=batch_size).transform(images)
        assert batched.shape == one_go.shape and (batched != one_go).nnz == 0
    # the kinds fitted are the ones described, whatever set_params did since
    assert whole.kinds_ == ("sift", "gabor")
    again = whole.set_params(descriptors=("gabor",), batch_size=128).transform(images)
    assert (again != one_go).nnz == 0


def test_same_seed_same_words_and_other_seed_other_vocabulary():
    rng = np.random.default_rng(2)
    images = rng.integers(0, 256, size=(20, 16, 16), dtype=np.uint8)
    params = dict(bin_sizes=(2, 3), branching=5, n_vocabulary_samples=400)
    first = DenseSIFTWords(random_state=3, **params).fit(images)
    second = DenseSIFTWords(random_state=3, **params).fit(images)
    other = DenseSIFTWords(random_state=4, **params).fit(images)
    assert (first.transform(images) != second.transform(images)).nnz == 0
    assert not np.array_equal(first.vocabularies_[0].top_, other.vocabularies_[0].top_)


def test_words_classify_real_faces(fer2013_small):
    from sklearn.svm import LinearSVC

    faces = fer2013_small
    train, test = faces.usage == "Training", faces.usage == "PublicTest"
    words = DenseSIFTWords(bin_sizes=(4,), step=4, branching=16, random_state=0)
    Z = words.fit_transform(faces.data[train])
    clf = LinearSVC(C=0.1).fit(Z, faces.target[train])
    accuracy = (clf.predict(words.transform(faces.data[test])) == faces.target[test]).mean()
    # 7 classes, balanced test set: chance is 1/7 (0.14)
    assert accuracy > 0.25


def test_gabor_words_classify_real_faces(fer2013_small):
    from sklearn.svm import LinearSVC

    faces = fer2013_small
    train, test = faces.usage == "Training", faces.usage == "PublicTest"
    words = DenseSIFTWords(
        descriptors=("gabor",), bin_sizes=(4,), step=4, branching=16, random_state=0
    )
    Z = words.fit_transform(faces.data[train])
    clf = LinearSVC(C=0.1).fit(Z, faces.target[train])
    accuracy = (clf.predict(words.transform(faces.data[test])) == faces.target[test]).mean()
    assert accuracy > 0.25


def test_overflowing_pixels_name_their_row():
    rng = np.random.default_rng(6)
    images = rng.uniform(0, 255, size=(30, 12, 12))
    words = DenseSIFTWords(bin_sizes=(2,), branching=2, batch_size=8, random_state=0)
    words.fit(images)
    images[21, 3, 4] = 1e300  # in the third batch of 8
    message = r"DenseSIFTWords overflowed: the pixel values of row 21 \(largest magnitude 1e\+300\)"
    with pytest.warns(RuntimeWarning), pytest.raises(ValueError, match=message):
        words.transform(images)
    with pytest.warns(RuntimeWarning), pytest.raises(ValueError, match=message):
        DenseSIFTWords(bin_sizes=(2,), branching=2, random_state=0).fit(images)


def test_integer_pixels_beyond_uint8_are_not_wrapped():
    # int16 grey levels up to 765: read as numbers, not cast to uint8 (which wraps at 256)
    images = (np.arange(4 * 144).reshape(4, 144) * 4 % 766).astype(np.int16)
    params = dict(bin_sizes=(2,), branching=2, random_state=0)
    ints = DenseSIFTWords(**params).fit_transform(images)
    floats = DenseSIFTWords(**params).fit_transform(images.astype(np.float64))
    wrapped = DenseSIFTWords(**params).fit_transform(images.astype(np.uint8))
    assert (ints != floats).nnz == 0
    assert (ints != wrapped).nnz > 0


@pytest.mark.parametrize("channels", [1, 8, 12])
@pytest.mark.parametrize("bin_size, step", [(1, 1), (2, 2), (3, 1)])
def test_compiled_pooling_gives_numpys_numbers(channels, bin_size, step):
    from fer_features.features._dense_sift import (
        _pooled_descriptors,
        _pooled_descriptors_numpy,
    )

    rng = np.random.default_rng(channels * 10 + bin_size)
    values = rng.exponential(size=(3, channels, 15, 13)).astype(np.float32)
    values[1] = 1e-6  # a low-contrast image: zero vectors
    values[2, :2] *= 50  # values clipped at 0.2
    integral = np.zeros((3, channels, 16, 14), np.float32)
    integral[:, :, 1:, 1:] = values.cumsum(2).cumsum(3)
    compiled, centres = _pooled_descriptors(integral, bin_size, step, 0.01)
    expected, expected_centres = _pooled_descriptors_numpy(integral, bin_size, step, 0.01)
    assert compiled.shape == expected.shape == (3, len(centres), 16 * channels)
    assert (compiled[1] == 0).all() and (compiled[[0, 2]] != 0).all(axis=2).all()
    np.testing.assert_array_equal(centres, expected_centres)
    if channels == 8:
        # 128 values (SIFT's, the default Gabor bank's): numpy's float32
        # operations in numpy's order, pairwise sums included
        np.testing.assert_array_equal(compiled, expected)
    else:
        np.testing.assert_allclose(compiled, expected, rtol=1e-6, atol=1e-7)


def test_compiled_pooling_refuses_integrals_smaller_than_a_patch():
    from fer_features.features._dense_sift import _pooled_descriptors

    # the compiled loop does not check its indices: this must not reach it
    with pytest.raises(ValueError, match="7x9 pixels are smaller than a patch"):
        _pooled_descriptors(np.zeros((1, 8, 8, 10), np.float32), 2, 2, 0.01)
