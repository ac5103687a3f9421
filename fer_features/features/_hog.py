"""Histograms of oriented gradients over a whole batch, equal to scikit-image's ``hog``.

:func:`skimage.feature.hog` works on one image; :class:`HOGTransformer` computes
the same numbers for a batch with NumPy, following scikit-image's arithmetic step
by step so that the results are equal, not merely close:

- gradients ``image[2:] - image[:-2]`` (zero on the border) in the image's float
  type (float64, or float32 for float32 images), then float64;
- ``magnitude = hypot(g_col, g_row)`` and
  ``orientation = rad2deg(arctan2(g_row, g_col)) % 180`` on contiguous arrays;
- orientation bin ``i`` holds ``[180 / n * i, 180 / n * (i + 1))`` (float64 bounds);
- each cell's bin total is accumulated pixel by pixel in row-major order in
  float32 (the C accumulator is a ``float``), then divided by the cell's area in
  float32: we do the same accumulation for all cells of all images at once, one
  pixel position of the cell at a time;
- blocks are normalised with the same expressions, the block sums taken over
  contiguous ``(b_row, b_col, orientations)`` runs as ``np.sum`` does.

The cell histograms of uint8 images (the common case) and the block
normalisation of every batch run as compiled loops, image by image and block by
block (:mod:`._hog_numba`), with the same operations in the same order; the
NumPy histograms stay for the other dtypes, and the NumPy normalisation as the
reference of its test.
"""

from functools import lru_cache
from numbers import Integral

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin, _fit_context
from sklearn.utils._param_validation import Interval, StrOptions

from .._blocks import blockwise
from .._images import (
    as_images,
    check_finite_output,
    check_positive_pair,
    feature_names_out,
    validate_fitted_images,
    validate_images,
)

__all__ = ["HOGTransformer"]

_BLOCK_NORMS = ("L1", "L1-sqrt", "L2", "L2-Hys")
_EPS = 1e-5
# dtypes kept by validation: integer images use exact lookup tables
_KEEP_DTYPES = (np.float64, np.float32, np.uint8, np.int8, np.uint16, np.int16)
# images per chunk: a few MB of float64 work arrays for 48x48 faces
_CHUNK_PIXELS = 1 << 20


def _pair(value, name):
    return check_positive_pair(value, name)


def _float_type(dtype):
    """scikit-image's working float type for an image dtype."""
    if dtype == np.float32 or dtype == np.float16:
        return np.float32
    return np.float64


def _gradients(images, float_type):
    """Central differences along rows and columns, zero on the border."""
    images = images.astype(float_type, copy=False)
    g_row = np.zeros(images.shape, dtype=float_type)
    g_col = np.zeros(images.shape, dtype=float_type)
    g_row[:, 1:-1, :] = images[:, 2:, :] - images[:, :-2, :]
    g_col[:, :, 1:-1] = images[:, :, 2:] - images[:, :, :-2]
    return g_row.astype(np.float64, copy=False), g_col.astype(np.float64, copy=False)


def _orientation_bins(orientation, orientations):
    """Bin ``i`` where ``180 / n * i <= orientation < 180 / n * (i + 1)``, else ``n``."""
    bounds = (180.0 / orientations) * np.arange(orientations + 1, dtype=np.float64)
    bins = np.searchsorted(bounds, orientation, side="right") - 1
    # orientation == 180.0 (a rounding of % 180) falls in no bin in scikit-image
    bins[(bins < 0) | (bins >= orientations)] = orientations
    return bins


def _magnitude_and_bins(g_row, g_col, orientations):
    """scikit-image's magnitude and orientation bin of float64 gradients."""
    magnitude = np.hypot(g_col, g_row)
    orientation = np.rad2deg(np.arctan2(g_row, g_col)) % 180
    return magnitude, _orientation_bins(orientation, orientations)


_TABLE_RADIUS = 255  # integer gradients in [-255, 255]: 8-bit images
_TABLE_SIDE = 2 * _TABLE_RADIUS + 1


@lru_cache(maxsize=8)
def _gradient_tables(orientations):
    """Magnitude and bin of every integer gradient pair, computed as for an image.

    Entry ``(g_row + 255) * 511 + (g_col + 255)``. The same NumPy functions on
    the same float64 values give the same results, so looking them up is exact.
    """
    values = np.arange(-_TABLE_RADIUS, _TABLE_RADIUS + 1, dtype=np.float64)
    g_row = np.ascontiguousarray(np.repeat(values, _TABLE_SIDE))
    g_col = np.ascontiguousarray(np.tile(values, _TABLE_SIDE))
    magnitude, bins = _magnitude_and_bins(g_row, g_col, orientations)
    bins = bins.astype(np.int16)
    magnitude.setflags(write=False)
    bins.setflags(write=False)
    return magnitude, bins


def _integer_gradients(images):
    """Integer gradients (int32) of an integer image batch, or None if out of table range."""
    if images.dtype.kind not in "ui" or images.dtype.itemsize > 2:
        return None
    ints = images.astype(np.int32)
    g_row = np.zeros(images.shape, dtype=np.int32)
    g_col = np.zeros(images.shape, dtype=np.int32)
    np.subtract(ints[:, 2:, :], ints[:, :-2, :], out=g_row[:, 1:-1, :])
    np.subtract(ints[:, :, 2:], ints[:, :, :-2], out=g_col[:, :, 1:-1])
    if (
        images.dtype.itemsize > 1
        and max(np.abs(g_row).max(initial=0), np.abs(g_col).max(initial=0)) > _TABLE_RADIUS
    ):
        return None
    return g_row, g_col


def hog_histograms(images, orientations, pixels_per_cell):
    """Per-cell orientation histograms of a batch, as scikit-image computes them.

    Returns an array of shape ``(n, n_cells_row, n_cells_col, orientations)``,
    float64, equal to scikit-image's ``orientation_histogram`` for each image.
    """
    n, h, w = images.shape
    c_row, c_col = pixels_per_cell
    n_cr, n_cc = h // c_row, w // c_col
    if images.dtype == np.uint8:
        # one compiled pass per image: gradients, table look-ups and cell totals
        from ._hog_numba import hog_cells_uint8

        magnitude_table, bin_table = _gradient_tables(orientations)
        out = np.empty((n, n_cr, n_cc, orientations), dtype=np.float64)
        return hog_cells_uint8(
            np.ascontiguousarray(images),
            c_row,
            c_col,
            magnitude_table,
            bin_table,
            _TABLE_RADIUS,
            out,
        )
    integer = _integer_gradients(images)
    if integer is not None:
        # 8-bit images: look magnitude and bin up from the integer gradients
        g_row, g_col = integer
        index = g_row * _TABLE_SIDE
        index += g_col
        index += _TABLE_RADIUS * _TABLE_SIDE + _TABLE_RADIUS
        magnitude_table, bin_table = _gradient_tables(orientations)
        magnitude = np.take(magnitude_table, index)
        bins = np.take(bin_table, index)
    else:
        g_row, g_col = _gradients(images, _float_type(images.dtype))
        magnitude, bins = _magnitude_and_bins(g_row, g_col, orientations)
    n_slots = orientations + 1

    totals = np.zeros(n * n_cr * n_cc * n_slots, dtype=np.float32)
    # cell (i, j) covers rows i * c_row + dy and columns j * c_col + dx; scikit-image
    # visits (dy, dx) in row-major order. Lay the pixels out as
    # (dy, dx, image, cell row, cell column) so that each step is contiguous.
    split = (n, n_cr, c_row, n_cc, c_col)
    order = (2, 4, 0, 1, 3)
    cells = (slice(None), slice(0, n_cr * c_row), slice(0, n_cc * c_col))
    magnitude = np.ascontiguousarray(magnitude[cells].reshape(split).transpose(order))
    slots = np.ascontiguousarray(bins[cells].reshape(split).transpose(order), dtype=np.intp)
    slots += np.arange(n * n_cr * n_cc, dtype=np.intp).reshape(n, n_cr, n_cc) * n_slots
    for dy in range(c_row):
        for dx in range(c_col):
            slot = slots[dy, dx]
            # the C float accumulator: total = (float)((double)total + magnitude)
            totals[slot] = totals[slot] + magnitude[dy, dx]
    totals = totals.reshape(n, n_cr, n_cc, n_slots)[..., :orientations]
    # the C code returns total / (cell_rows * cell_columns), a float division
    return (totals / np.float32(c_row * c_col)).astype(np.float64)


def _contiguous_sum(x):
    """Sum over the last axis of a C-contiguous array, as ``np.sum`` of each run."""
    return np.add.reduce(np.ascontiguousarray(x), axis=-1)


_BLOCK_NORMS = ("L1", "L1-sqrt", "L2", "L2-Hys")


def normalize_blocks(histograms, cells_per_block, block_norm, out_dtype=np.float64):
    """Normalised overlapping blocks, ``(n, n_blocks_row, n_blocks_col, b_row, b_col, o)``.

    A compiled loop, block by block, with the operations of
    :func:`_normalize_blocks_numpy` in NumPy's order (sums as ``np.add.reduce``
    takes them), so that the results are equal.
    """
    from ._hog_numba import normalize_blocks_compiled

    n, n_cr, n_cc, o = histograms.shape
    b_row, b_col = cells_per_block
    out = np.empty((n, n_cr - b_row + 1, n_cc - b_col + 1, b_row, b_col, o), dtype=np.float64)
    normalize_blocks_compiled(
        np.ascontiguousarray(histograms, dtype=np.float64),
        b_row,
        b_col,
        _BLOCK_NORMS.index(block_norm),
        _EPS,
        _EPS**2,
        out,
    )
    return out.astype(out_dtype, copy=False)


def _normalize_blocks_numpy(histograms, cells_per_block, block_norm, out_dtype=np.float64):
    """:func:`normalize_blocks` with NumPy on the whole batch (the reference of its test)."""
    n, n_cr, n_cc, o = histograms.shape
    b_row, b_col = cells_per_block
    n_br, n_bc = n_cr - b_row + 1, n_cc - b_col + 1
    # gather every block as a contiguous (b_row, b_col, o) run
    blocks = np.empty((n, n_br, n_bc, b_row, b_col, o), dtype=np.float64)
    for i in range(b_row):
        for j in range(b_col):
            blocks[:, :, :, i, j, :] = histograms[:, i : i + n_br, j : j + n_bc, :]
    flat = blocks.reshape(n, n_br, n_bc, b_row * b_col * o)
    if block_norm == "L1":
        out = flat / (_contiguous_sum(np.abs(flat)) + _EPS)[..., None]
    elif block_norm == "L1-sqrt":
        out = np.sqrt(flat / (_contiguous_sum(np.abs(flat)) + _EPS)[..., None])
    else:
        out = flat / np.sqrt(_contiguous_sum(flat**2) + _EPS**2)[..., None]
        if block_norm == "L2-Hys":
            out = np.minimum(out, 0.2)
            out = out / np.sqrt(_contiguous_sum(out**2) + _EPS**2)[..., None]
    return out.astype(out_dtype, copy=False).reshape(blocks.shape)


class HOGTransformer(TransformerMixin, BaseEstimator):
    """Histogram of oriented gradients of each image, equal to scikit-image's ``hog``.

    A row of the output equals ``skimage.feature.hog(image, orientations,
    pixels_per_cell, cells_per_block, block_norm, feature_vector=True)`` for
    the corresponding image, computed for the whole batch at once (vectorised
    gradients, histograms and block normalisation, in memory-bounded chunks).

    Parameters
    ----------
    orientations : int, default=9
        Number of orientation bins over ``[0, 180)`` degrees.
    pixels_per_cell : tuple of (int, int), default=(8, 8)
        Cell size in pixels (rows, columns). Pixels beyond the last whole cell
        are ignored, as in scikit-image.
    cells_per_block : tuple of (int, int), default=(2, 2)
        Block size in cells; blocks overlap with a stride of one cell.
    block_norm : {"L2-Hys", "L2", "L1", "L1-sqrt"}, default="L2-Hys"
        Block normalisation, as in :func:`skimage.feature.hog`.
    image_shape : tuple of (int, int) or None, default=None
        ``(height, width)`` in which a row of ``X`` is read. One side may be -1:
        it is then inferred from the number of features, as in
        :func:`numpy.reshape` (``(1, -1)`` reads each row as a one-pixel-high
        strip). ``None``: the shape of 3-D input, otherwise a square.
    n_jobs : int or None, default=None
        Number of chunks computed in parallel (joblib threads; the NumPy work
        releases the GIL). ``None`` means 1.

    Attributes
    ----------
    image_shape_ : tuple of (int, int)
        Shape of the images seen in :meth:`fit`.
    n_cells_ : tuple of (int, int)
        Number of cells along rows and columns.
    n_blocks_ : tuple of (int, int)
        Number of blocks along rows and columns.
    n_features_in_ : int
        Number of pixels per image.
    feature_names_in_ : ndarray of str
        Names of the input columns, when ``X`` was a DataFrame with string
        column names.

    See Also
    --------
    LBPTransformer : Local binary pattern histograms.
    skimage.feature.hog : The per-image reference.

    References
    ----------
    .. [1] N. Dalal and B. Triggs, "Histograms of oriented gradients for human
       detection", CVPR 2005.

    Examples
    --------
    >>> import numpy as np
    >>> from fer_features import HOGTransformer
    >>> from skimage.feature import hog
    >>> rng = np.random.default_rng(0)
    >>> images = rng.integers(0, 256, size=(3, 24, 24), dtype=np.uint8)
    >>> hog_tf = HOGTransformer(pixels_per_cell=(8, 8), cells_per_block=(2, 2))
    >>> features = hog_tf.fit_transform(images.reshape(3, -1))
    >>> features.shape, hog_tf.n_cells_, hog_tf.n_blocks_
    ((3, 144), (3, 3), (2, 2))
    >>> bool(np.array_equal(features[0], hog(images[0], 9, (8, 8), (2, 2), "L2-Hys")))
    True
    """

    _parameter_constraints = {
        "orientations": [Interval(Integral, 1, None, closed="left")],
        "pixels_per_cell": ["array-like"],
        "cells_per_block": ["array-like"],
        "block_norm": [StrOptions(set(_BLOCK_NORMS))],
        "image_shape": ["array-like", None],
        "n_jobs": [Integral, None],
    }

    def __init__(
        self,
        *,
        orientations=9,
        pixels_per_cell=(8, 8),
        cells_per_block=(2, 2),
        block_norm="L2-Hys",
        image_shape=None,
        n_jobs=None,
    ):
        self.orientations = orientations
        self.pixels_per_cell = pixels_per_cell
        self.cells_per_block = cells_per_block
        self.block_norm = block_norm
        self.image_shape = image_shape
        self.n_jobs = n_jobs

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Check the parameters and record the image shape.

        Parameters
        ----------
        X : array-like of shape (n_samples, height * width) or (n_samples, height, width)
            Grey images, one per row.
        y : None
            Ignored.

        Returns
        -------
        self : HOGTransformer
            The fitted transformer.
        """
        ppc = _pair(self.pixels_per_cell, "pixels_per_cell")
        cpb = _pair(self.cells_per_block, "cells_per_block")
        _, shape = validate_images(self, X, _KEEP_DTYPES)
        n_cells = (shape[0] // ppc[0], shape[1] // ppc[1])
        n_blocks = (n_cells[0] - cpb[0] + 1, n_cells[1] - cpb[1] + 1)
        if min(n_blocks) <= 0:
            raise ValueError(
                f"images of shape {shape} are too small for pixels_per_cell={ppc} and "
                f"cells_per_block={cpb}: they need at least {cpb[0] * ppc[0]} rows and "
                f"{cpb[1] * ppc[1]} columns"
            )
        self.image_shape_ = shape
        self.n_cells_ = n_cells
        self.n_blocks_ = n_blocks
        return self

    @blockwise
    def transform(self, X):
        """HOG descriptor of each image.

        Parameters
        ----------
        X : array-like of shape (n_samples, height * width) or (n_samples, height, width)
            Grey images, one per row.

        Returns
        -------
        features : ndarray of shape (n_samples, n_features_out)
            float64, or float32 for float32 input (as scikit-image).
        """
        images = as_images(*validate_fitted_images(self, X, _KEEP_DTYPES))
        n, h, w = images.shape
        out_dtype = _float_type(images.dtype)
        out = np.empty((n, self._n_features_out()), dtype=out_dtype)
        step = max(1, _CHUNK_PIXELS // (h * w))
        slices = [slice(s, min(n, s + step)) for s in range(0, n, step)]
        ppc = _pair(self.pixels_per_cell, "pixels_per_cell")
        cpb = _pair(self.cells_per_block, "cells_per_block")

        def work(sl):
            hist = hog_histograms(images[sl], self.orientations, ppc)
            blocks = normalize_blocks(hist, cpb, self.block_norm, out_dtype)
            out[sl] = blocks.reshape(blocks.shape[0], -1)

        n_jobs = 1 if self.n_jobs is None else self.n_jobs
        if n_jobs == 1 or len(slices) == 1:
            for sl in slices:
                work(sl)
        else:
            from joblib import Parallel, delayed

            Parallel(n_jobs=n_jobs, prefer="threads")(delayed(work)(sl) for sl in slices)
        check_finite_output(out, images, type(self).__name__)
        return out

    def _n_features_out(self):
        cpb = _pair(self.cells_per_block, "cells_per_block")
        return self.n_blocks_[0] * self.n_blocks_[1] * cpb[0] * cpb[1] * self.orientations

    def get_feature_names_out(self, input_features=None):
        """Names ``hog_b{block_row}_{block_col}_c{cell_row}_{cell_col}_o{bin}``.

        Parameters
        ----------
        input_features : array-like of str or None, default=None
            Only checked against the input seen in :meth:`fit`.

        Returns
        -------
        feature_names_out : ndarray of str objects
        """

        def names():
            b_row, b_col = _pair(self.cells_per_block, "cells_per_block")
            return (
                f"hog_b{r}_{c}_c{i}_{j}_o{k}"
                for r in range(self.n_blocks_[0])
                for c in range(self.n_blocks_[1])
                for i in range(b_row)
                for j in range(b_col)
                for k in range(self.orientations)
            )

        return feature_names_out(self, input_features, names)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags
