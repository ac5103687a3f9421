"""Dense SIFT-style descriptors encoded as spatial histograms of visual words.

The encoding of Ionescu, Popescu and Grozea (2013) for FER2013, in the flat-window
form of VLFeat's ``dsift``: gradient-orientation descriptors of 4x4 cells taken
every few pixels at several cell sizes, quantised against a vocabulary learned
by k-means, and counted over the regions of a spatial pyramid. The same cells
can also pool Gabor filter magnitudes instead of gradient orientations
(:func:`dense_gabor_descriptors`), a second kind of descriptor with its own
vocabularies.

:class:`DenseSIFTWords` is the visual-word half of the recommended classic
pipeline (:func:`fer_features.make_words_pipeline`);
``benchmarks/RESULTS.md`` has the measurements behind its settings.

Descriptor of a patch of ``4 * bin_size`` pixels square whose top-left pixel is
``(r, c)``:

- pixels as float32 on the 0-255 scale divided by 255; gradients are half the
  central differences, zero on the image border;
- each pixel's gradient magnitude is shared between the two orientation bins
  (of ``n_orientations`` over the full circle, bin ``o`` centred on
  ``2 pi o / n``) nearest its direction, in proportion to closeness;
- cell ``(i, j)`` (``i, j`` in 0..3) sums the pixels
  ``r + i b .. r + (i + 1) b - 1`` by ``c + j b .. c + (j + 1) b - 1``
  (a flat window, no Gaussian weighting, no rotation to a dominant
  orientation), the 128 values ordered (cell row, cell column, orientation);
- the vector is scaled to unit L2 length, clipped at 0.2 and scaled to unit
  length again (SIFT's normalisation); a patch whose raw length is under
  ``contrast_threshold`` gets the zero vector.
"""

from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin, _fit_context
from sklearn.utils._param_validation import Interval
from sklearn.utils.validation import check_random_state

from .._images import (
    as_images,
    check_finite_output,
    validate_fitted_images,
    validate_images,
)

__all__ = ["DenseSIFTWords", "dense_sift_descriptors", "dense_gabor_descriptors", "TreeVocabulary"]

_CELLS = 4  # cells per side of a patch, as in SIFT


def _padded(images, size):
    """``images`` with their border pixels repeated up to ``size`` on each side."""
    n, h, w = images.shape
    if h >= size and w >= size:
        return images
    return np.pad(images, ((0, 0), (0, max(0, size - h)), (0, max(0, size - w))), mode="edge")


def patch_starts(length, bin_size, step):
    """Top (or left) pixel of each patch along a side of ``length`` pixels."""
    patch = _CELLS * bin_size
    return np.arange(0, max(length, patch) - patch + 1, step)


def _n_patches(shape, bin_size, step):
    """Patches of one cell size in an image of ``shape`` (height, width)."""
    return len(patch_starts(shape[0], bin_size, step)) * len(patch_starts(shape[1], bin_size, step))


def _orientation_integrals(images, n_orientations):
    """Integral images of each orientation bin's share of the gradient magnitude."""
    X = np.asarray(images).astype(np.float32) / np.float32(255)
    n, h, w = X.shape
    g_row = np.zeros_like(X)
    g_col = np.zeros_like(X)
    g_row[:, 1:-1] = 0.5 * (X[:, 2:] - X[:, :-2])
    g_col[:, :, 1:-1] = 0.5 * (X[:, :, 2:] - X[:, :, :-2])
    magnitude = np.hypot(g_row, g_col)
    angle = np.mod(np.arctan2(g_row, g_col), 2 * np.pi) * np.float32(n_orientations / (2 * np.pi))
    integral = np.zeros((n, n_orientations, h + 1, w + 1), np.float32)
    for o in range(n_orientations):
        distance = np.abs(angle - o)
        distance = np.minimum(distance, n_orientations - distance)
        weight = magnitude * np.maximum(0, 1 - distance)
        integral[:, o, 1:, 1:] = weight.cumsum(1).cumsum(2)
    return integral


def _gabor_integrals(images, frequencies, n_orientations):
    """Integral images of each Gabor filter's magnitude image (0-255 per image, then / 255)."""
    from ._lgbp import LGBPTransformer, gabor_magnitudes

    bank = LGBPTransformer(frequencies=frequencies, n_orientations=n_orientations)
    magnitudes = gabor_magnitudes(np.asarray(images), bank.kernels())
    n, k, h, w = magnitudes.shape
    integral = np.zeros((n, k, h + 1, w + 1), np.float32)
    np.cumsum(magnitudes, axis=2, dtype=np.float32, out=integral[:, :, 1:, 1:])
    np.cumsum(integral[:, :, 1:, 1:], axis=3, out=integral[:, :, 1:, 1:])
    integral /= np.float32(255)
    return integral


def _pooled_descriptors(integral, bin_size, step, contrast_threshold):
    """Descriptors of 4x4 cells of each patch, summed from per-channel integral images.

    ``integral`` is ``(n, n_channels, height + 1, width + 1)``; the values of a
    descriptor are ordered (cell row, cell column, channel) and normalised as
    SIFT's (unit length, clipped at 0.2, unit length again; zero under
    ``contrast_threshold``). The compiled loop of :mod:`._dense_sift_numba`;
    :func:`_pooled_descriptors_numpy` is the same computation in numpy.
    """
    from ._dense_sift_numba import pooled_descriptors

    integral = np.ascontiguousarray(integral, dtype=np.float32)
    n, channels, h, w = integral.shape
    if min(h, w) - 1 < _CELLS * bin_size:
        # the loop does not check its indices: images are padded to a patch first
        raise ValueError(f"images of {h - 1}x{w - 1} pixels are smaller than a patch")
    rows = patch_starts(h - 1, bin_size, step)
    cols = patch_starts(w - 1, bin_size, step)
    out = np.empty((n, len(rows) * len(cols), _CELLS * _CELLS * channels), np.float32)
    pooled_descriptors(integral, bin_size, rows, cols, float(contrast_threshold), out)
    return out, _patch_centres(rows, cols, bin_size)


def _patch_centres(rows, cols, bin_size):
    """``(row, column)`` of the centre of each patch, row-major."""
    centres = np.stack(np.meshgrid(rows, cols, indexing="ij"), axis=-1).reshape(-1, 2)
    return centres + _CELLS * bin_size / 2


def _pooled_descriptors_numpy(integral, bin_size, step, contrast_threshold):
    """:func:`_pooled_descriptors` in numpy: the reference of the compiled loop.

    Kept for the tests and ``benchmarks/bench_features.py --only dense_sift``,
    which check that the two give the same numbers and time them.
    """
    n, _, h, w = integral.shape
    h, w = h - 1, w - 1
    b = bin_size
    cells = integral[:, :, b:, b:] - integral[:, :, :-b, b:] - integral[:, :, b:, :-b]
    cells += integral[:, :, :-b, :-b]  # cells[..., r, c]: the cell whose top-left pixel is (r, c)
    rows = patch_starts(h, b, step)
    cols = patch_starts(w, b, step)
    offsets = b * np.arange(_CELLS)
    r_index = (rows[:, None] + offsets)[:, None, :, None]
    c_index = (cols[:, None] + offsets)[None, :, None, :]
    gathered = cells[:, :, r_index, c_index]  # n, channels, R, C, 4, 4
    descriptors = gathered.transpose(0, 2, 3, 4, 5, 1).reshape(n, len(rows) * len(cols), -1)
    length = np.linalg.norm(descriptors, axis=2, keepdims=True)
    low = length[..., 0] < contrast_threshold
    descriptors /= np.maximum(length, np.float32(1e-12))
    np.minimum(descriptors, np.float32(0.2), out=descriptors)
    descriptors /= np.maximum(np.linalg.norm(descriptors, axis=2, keepdims=True), np.float32(1e-12))
    descriptors[low] = 0
    return descriptors, _patch_centres(rows, cols, b)


def dense_sift_descriptors(images, bin_size=4, step=2, n_orientations=8, contrast_threshold=0.01):
    """SIFT-style descriptors of every patch of a batch of grey images.

    Parameters
    ----------
    images : ndarray of shape (n, height, width)
        Grey images on the 0-255 scale. Images smaller than a patch
        (``4 * bin_size`` pixels) are padded by repeating their border pixels.
    bin_size : int, default=4
        Side of a cell in pixels.
    step : int, default=2
        Pixels between the top-left corners of neighbouring patches.
    n_orientations : int, default=8
        Orientation bins over the full circle.
    contrast_threshold : float, default=0.01
        Patches whose raw descriptor is shorter get the zero vector.

    Returns
    -------
    descriptors : ndarray of shape (n, n_patches, 16 * n_orientations), float32
        Patches in row-major order of their top-left corners.
    centres : ndarray of shape (n_patches, 2)
        ``(row, column)`` of each patch's centre in pixels, for the padded image.
    """
    padded = _padded(np.asarray(images), _CELLS * bin_size)
    integral = _orientation_integrals(padded, n_orientations)
    return _pooled_descriptors(integral, bin_size, step, contrast_threshold)


def dense_gabor_descriptors(
    images, bin_size=4, step=2, frequencies=(0.25, 0.125), n_orientations=4, contrast_threshold=0.01
):
    """Descriptors of Gabor magnitudes pooled in the 4x4 cells of every patch.

    The SIFT-style layout of :func:`dense_sift_descriptors` with the gradient
    orientation bins replaced by Gabor filter magnitudes: each image is filtered
    by the bank of :class:`~fer_features.LGBPTransformer` (for each of
    ``frequencies``, ``n_orientations`` complex Gabor kernels with a round
    envelope of half a wavelength's standard deviation; :func:`gabor_kernel`),
    each magnitude image rescaled to 0-255 and rounded as
    :func:`gabor_magnitudes` does, then divided by 255; a cell's value for a
    filter is the sum of that filter's magnitudes over the cell's pixels. The
    values are ordered (cell row, cell column, filter: frequency-major) and
    normalised as SIFT's.

    Parameters
    ----------
    images : ndarray of shape (n, height, width)
        Grey images. Images smaller than a patch are padded by repeating their
        border pixels.
    bin_size : int, default=4
        Side of a cell in pixels.
    step : int, default=2
        Pixels between the top-left corners of neighbouring patches.
    frequencies : tuple of float, default=(0.25, 0.125)
        Filter frequencies in cycles per pixel.
    n_orientations : int, default=4
        Filter orientations per frequency, evenly spaced over a half circle.
    contrast_threshold : float, default=0.01
        Patches whose raw descriptor is shorter get the zero vector.

    Returns
    -------
    descriptors : ndarray of shape (n, n_patches, 16 * len(frequencies) * n_orientations), float32
    centres : ndarray of shape (n_patches, 2)
        As for :func:`dense_sift_descriptors`.
    """
    padded = _padded(np.asarray(images), _CELLS * bin_size)
    integral = _gabor_integrals(padded, tuple(frequencies), n_orientations)
    return _pooled_descriptors(integral, bin_size, step, contrast_threshold)


def _nearest(X, centres, chunk=4096):
    """Index of the nearest of ``centres`` (squared Euclidean) for each row of ``X``."""
    squared = np.einsum("ij,ij->i", centres, centres)
    scaled = np.ascontiguousarray(-2 * centres.T)
    out = np.empty(len(X), np.intp)
    for start in range(0, len(X), chunk):
        d = X[start : start + chunk] @ scaled
        d += squared
        out[start : start + chunk] = d.argmin(axis=1)
    return out


class TreeVocabulary(BaseEstimator):
    """Two-level k-means vocabulary (a vocabulary tree) of ``branching ** 2`` words.

    ``branching`` clusters of the descriptors, then ``branching`` clusters
    inside each: a descriptor is compared with ``2 * branching`` centres
    instead of ``branching ** 2`` (Nister and Stewenius, 2006). Word
    ``t * branching + l`` is leaf ``l`` of top cluster ``t``; clusters with
    fewer descriptors than ``branching`` keep their descriptors as leaves and
    leave the other words unused.

    A scikit-learn estimator only so that it has parameters, clones and is a
    trusted type in model files (:func:`fer_features.save_model`); it takes
    descriptors, not images.

    Parameters
    ----------
    branching : int, default=64
        Clusters per level.
    random_state : int, RandomState or None, default=None
        Seeds the k-means of both levels.

    Attributes
    ----------
    top_ : ndarray of shape (branching, n_dims), float32
        Centres of the first level (``inf`` rows: unused).
    leaves_ : ndarray of shape (branching, branching, n_dims), float32
        Centres of the second level under each first-level centre.
    """

    def __init__(self, branching=64, random_state=None):
        self.branching = branching
        self.random_state = random_state

    def fit(self, descriptors):
        from sklearn.cluster import KMeans

        b = self.branching
        rng = check_random_state(self.random_state)
        X = np.asarray(descriptors, dtype=np.float32)
        distinct = len(np.unique(X, axis=0))
        top = KMeans(min(b, distinct), n_init=1, random_state=rng.randint(2**31)).fit(X)
        self.top_ = np.full((b, X.shape[1]), np.inf, np.float32)
        self.top_[: top.n_clusters] = top.cluster_centers_
        labels = _nearest(X, self.top_[: top.n_clusters])
        self.leaves_ = np.full((b, b, X.shape[1]), np.inf, np.float32)
        for t in range(top.n_clusters):
            part = X[labels == t]
            unique = np.unique(part, axis=0)
            if len(unique) <= b:
                self.leaves_[t, : len(unique)] = unique
                continue
            leaf = KMeans(b, n_init=1, max_iter=50, random_state=rng.randint(2**31)).fit(part)
            self.leaves_[t] = leaf.cluster_centers_
        return self

    def predict(self, descriptors):
        """Word of each descriptor (row), in ``[0, branching ** 2)``."""
        X = np.asarray(descriptors, dtype=np.float32)
        b = self.branching
        used_top = np.isfinite(self.top_[:, 0])
        top = np.flatnonzero(used_top)[_nearest(X, self.top_[used_top])]
        words = np.empty(len(X), np.intp)
        order = np.argsort(top, kind="stable")
        bounds = np.searchsorted(top[order], np.arange(b + 1))
        for t in range(b):
            rows = order[bounds[t] : bounds[t + 1]]
            if len(rows):
                used = np.isfinite(self.leaves_[t, :, 0])
                leaf = np.flatnonzero(used)[_nearest(X[rows], self.leaves_[t, used])]
                words[rows] = t * b + leaf
        return words


class DenseSIFTWords(TransformerMixin, BaseEstimator):
    """Spatial histograms of visual words of dense SIFT-style descriptors (sparse output).

    For each cell size in ``bin_sizes``: descriptors every ``step`` pixels
    (:func:`dense_sift_descriptors`), a :class:`TreeVocabulary` of
    ``branching ** 2`` words learned in ``fit`` from ``n_vocabulary_samples``
    descriptors drawn from the training images, and, for each level ``L`` of
    ``pyramid_levels``, the square roots of the word counts in each of the
    ``L x L`` regions (a patch belongs to the region of its centre), each
    level's block scaled to unit L2 length. With more than one kind of
    descriptor (``descriptors=("sift", "gabor")``), each kind has its own
    vocabularies and columns, side by side.

    The result is built a batch at a time into its final arrays: its memory is
    about 8 bytes per non-zero value (float32 values, int32 column indices).

    Parameters
    ----------
    bin_sizes : tuple of int, default=(2, 3, 4)
        Cell sides in pixels, one descriptor size each (patches of 4 cells a side).
    step : int, default=2
        Pixels between neighbouring patches.
    branching : int, default=64
        Clusters per level of each vocabulary tree: ``branching ** 2`` words.
    pyramid_levels : tuple of int, default=(3, 6)
        Grids ``L x L`` over which the words are counted (1: the whole image).
    n_vocabulary_samples : int, default=150_000
        Descriptors drawn from the training images to learn each vocabulary.
    contrast_threshold : float, default=0.01
        Patches whose raw descriptor (gradient, or Gabor magnitude) is shorter
        get the zero descriptor (one shared word).
    batch_size : int, default=128
        Images described at a time (memory: about ``batch_size * n_patches *
        1024`` bytes of descriptors and their work copies; 128 was faster than
        250 and 500 on 48x48 faces, ``benchmarks/RESULTS.md``). The batch size
        can move a descriptor equally near two words from one to the other (the
        rounding of the matrix product that compares them), so it is part of
        what fixes the result.
    image_shape : tuple of (int, int) or None, default=None
        ``(height, width)`` in which a row of ``X`` is read. One side may be -1:
        it is then inferred from the number of features, as in
        :func:`numpy.reshape` (``(1, -1)`` reads each row as a one-pixel-high
        strip). ``None``: the shape of 3-D input, otherwise a square.
    random_state : int, RandomState or None, default=None
        Seeds the choice of descriptors and the k-means of the vocabularies.
    descriptors : tuple of {"sift", "gabor"}, default=("sift",)
        The kinds of descriptor, each with its own vocabularies and columns:
        ``"sift"`` (:func:`dense_sift_descriptors`, gradient orientations) and
        ``"gabor"`` (:func:`dense_gabor_descriptors`, Gabor magnitudes of the
        bank below pooled in the same cells).
    gabor_frequencies : tuple of float, default=(0.25, 0.125)
        Frequencies of the Gabor bank, in cycles per pixel (``"gabor"`` only).
    gabor_orientations : int, default=4
        Orientations of the Gabor bank per frequency (``"gabor"`` only).

    Attributes
    ----------
    vocabularies_ : list of TreeVocabulary
        One per kind of descriptor and cell size, kind by kind.
    kinds_ : tuple of str
        The kinds of descriptor fitted (``descriptors`` as a tuple).
    n_features_out_ : int
        Columns of the output: ``len(descriptors) * len(bin_sizes) * sum(L * L)
        * branching ** 2``, kind by kind, then cell size, then level.
    """

    _parameter_constraints = {
        "bin_sizes": ["array-like"],
        "step": [Interval(Integral, 1, None, closed="left")],
        "branching": [Interval(Integral, 1, None, closed="left")],
        "pyramid_levels": ["array-like"],
        "n_vocabulary_samples": [Interval(Integral, 1, None, closed="left")],
        "contrast_threshold": [Interval(Real, 0, None, closed="left")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "image_shape": ["array-like", None],
        "random_state": ["random_state"],
        "descriptors": ["array-like"],
        "gabor_frequencies": ["array-like"],
        "gabor_orientations": [Interval(Integral, 1, None, closed="left")],
    }

    def __init__(
        self,
        *,
        bin_sizes=(2, 3, 4),
        step=2,
        branching=64,
        pyramid_levels=(3, 6),
        n_vocabulary_samples=150_000,
        contrast_threshold=0.01,
        batch_size=128,
        image_shape=None,
        random_state=None,
        descriptors=("sift",),
        gabor_frequencies=(0.25, 0.125),
        gabor_orientations=4,
    ):
        self.bin_sizes = bin_sizes
        self.step = step
        self.branching = branching
        self.pyramid_levels = pyramid_levels
        self.n_vocabulary_samples = n_vocabulary_samples
        self.contrast_threshold = contrast_threshold
        self.batch_size = batch_size
        self.image_shape = image_shape
        self.random_state = random_state
        self.descriptors = descriptors
        self.gabor_frequencies = gabor_frequencies
        self.gabor_orientations = gabor_orientations

    def _kinds(self):
        kinds = tuple(self.descriptors)
        if not kinds or len(set(kinds)) != len(kinds) or not set(kinds) <= {"sift", "gabor"}:
            raise ValueError(
                "descriptors must be a non-empty tuple of distinct kinds among 'sift' and "
                f"'gabor', got {self.descriptors!r}"
            )
        if "gabor" in kinds:
            freqs = np.atleast_1d(np.asarray(self.gabor_frequencies, dtype=float))
            if freqs.ndim != 1 or freqs.size == 0 or not np.all((freqs > 0) & (freqs <= 0.5)):
                raise ValueError(
                    "gabor_frequencies must be a non-empty sequence of numbers in (0, 0.5] "
                    f"cycles per pixel, got {self.gabor_frequencies!r}"
                )
        return kinds

    def _describe(self, images, kind, bin_size, rows, integrals=None):
        """Descriptors of one kind and cell size; ``integrals`` caches the filtered batch."""
        padded = _padded(np.asarray(images), _CELLS * bin_size)
        key = (kind, padded.shape)
        integrals = {} if integrals is None else integrals
        if key not in integrals:
            if kind == "sift":
                integrals[key] = _orientation_integrals(padded, 8)
            else:
                frequencies = tuple(float(f) for f in np.atleast_1d(self.gabor_frequencies))
                integrals[key] = _gabor_integrals(padded, frequencies, self.gabor_orientations)
        d, centres = _pooled_descriptors(
            integrals[key], bin_size, self.step, self.contrast_threshold
        )
        # pixels near the float32 limit overflow into descriptors that are all NaN
        check_finite_output(d[..., 0], images, type(self).__name__, rows)
        return d, centres

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Learn one vocabulary per kind of descriptor and cell size from the images."""
        kinds = self._kinds()
        X, shape = validate_images(self, X, [np.float32, np.float64, np.uint8])
        images = as_images(X, shape)
        rng = check_random_state(self.random_state)
        self.vocabularies_ = []
        for kind, bin_size in self._sizes(kinds):
            n_patches = _n_patches(shape, bin_size, self.step)
            n_images = min(len(images), -(-self.n_vocabulary_samples // n_patches))
            chosen = np.sort(rng.choice(len(images), n_images, replace=False))
            descriptors = self._describe(images[chosen], kind, bin_size, chosen)[0]
            descriptors = descriptors.reshape(-1, descriptors.shape[-1])
            if len(descriptors) > self.n_vocabulary_samples:
                keep = rng.choice(len(descriptors), self.n_vocabulary_samples, replace=False)
                descriptors = descriptors[np.sort(keep)]
            vocabulary = TreeVocabulary(self.branching, random_state=rng.randint(2**31))
            self.vocabularies_.append(vocabulary.fit(descriptors))
        self.kinds_ = kinds
        n_regions = sum(level * level for level in self.pyramid_levels)
        self.n_features_out_ = len(self.vocabularies_) * n_regions * self.branching**2
        return self

    def _sizes(self, kinds):
        return [(kind, bin_size) for kind in kinds for bin_size in self.bin_sizes]

    def transform(self, X):
        """Sparse (CSR, float32) spatial word histograms, one row per image."""
        import scipy.sparse as sp

        X, shape = validate_fitted_images(self, X, [np.float32, np.float64, np.uint8])
        images = as_images(X, shape)
        n = len(images)
        # a batch of images at a time, each batch's histograms copied into arrays
        # sized for the most words an image can have (one per patch, size and
        # level): pages past the words actually written are never touched, so
        # the memory held is that of the result and one batch, not the batches
        # and the result together
        most = n * sum(
            _n_patches(shape, b, self.step) * len(self.pyramid_levels)
            for _, b in self._sizes(self.kinds_)
        )
        index = np.int32 if max(most, self.n_features_out_) < np.iinfo(np.int32).max else np.int64
        data = np.empty(most, np.float32)
        indices = np.empty(most, index)
        indptr = np.zeros(n + 1, index)
        at = 0
        for start in range(0, n, self.batch_size):
            part = self._histograms(images[start : start + self.batch_size], shape, start)
            part.sort_indices()
            data[at : at + part.nnz] = part.data
            indices[at : at + part.nnz] = part.indices
            # in the index type: a batch's int32 offsets plus ``at`` can pass 2**31
            indptr[start + 1 : start + part.shape[0] + 1] = part.indptr[1:].astype(index) + at
            at += part.nnz
        # shrunk in place (realloc): no copy, and no address space kept past the words
        data.resize(at, refcheck=False)
        indices.resize(at, refcheck=False)
        return sp.csr_matrix((data, indices, indptr), shape=(n, self.n_features_out_), copy=False)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # float32 histograms whatever the pixels' type
        tags.transformer_tags.preserves_dtype = ["float32"]
        return tags

    def _histograms(self, images, shape, first_row):
        import scipy.sparse as sp

        n_words = self.branching**2
        blocks = []
        integrals = {}  # each kind's filtering of the batch, shared by its cell sizes
        image_rows = first_row + np.arange(len(images))
        # the kinds fitted, whatever set_params did since: each has its vocabularies
        for (kind, bin_size), vocabulary in zip(self._sizes(self.kinds_), self.vocabularies_):
            d, centres = self._describe(images, kind, bin_size, image_rows, integrals)
            words = vocabulary.predict(d.reshape(-1, d.shape[2])).reshape(d.shape[:2])
            del d
            height, width = np.maximum(shape, _CELLS * bin_size)
            rows = np.repeat(np.arange(len(images)), words.shape[1])
            for level in self.pyramid_levels:
                region_row = np.minimum((centres[:, 0] * level / height).astype(int), level - 1)
                region_col = np.minimum((centres[:, 1] * level / width).astype(int), level - 1)
                region = region_row * level + region_col
                columns = (region[None, :] * n_words + words).ravel()
                counts = sp.csr_matrix(
                    (np.ones(len(columns), np.float32), (rows, columns)),
                    shape=(len(images), level * level * n_words),
                )
                counts.sum_duplicates()
                np.sqrt(counts.data, out=counts.data)
                lengths = np.sqrt(np.asarray(counts.multiply(counts).sum(axis=1)).ravel())
                counts = sp.diags((1 / np.maximum(lengths, 1e-12)).astype(np.float32)) @ counts
                blocks.append(counts)
        return sp.hstack(blocks, format="csr", dtype=np.float32)
