"""Local binary patterns over a whole batch of images, and the LBP histogram transformer.

The codes reproduce :func:`skimage.feature.local_binary_pattern` exactly (same
neighbour coordinates, same bilinear interpolation with a constant-zero border,
same floating point operations in the same order, same mapping of bit patterns
to codes), but are computed with NumPy on many images at once.

How the batch kernel works
--------------------------
Neighbour ``i`` of pixel ``(r, c)`` sits at ``(r + rp[i], c + cp[i])`` with
``rp = round(-R sin(2 pi i / P), 5)`` and ``cp = round(R cos(2 pi i / P), 5)``.
Its value is scikit-image's bilinear interpolation::

    top    = (1 - dc) * I[r0, c0] + dc * I[r0, c1]
    bottom = (1 - dc) * I[r1, c0] + dc * I[r1, c1]
    value  = (1 - dr) * top + dr * bottom

with ``r0 = floor(r + rp[i])``, ``r1 = ceil(r + rp[i])``, ``dr = (r + rp[i]) - r0``
(likewise for columns) and zero outside the image. ``dr`` depends on the row
only and ``dc`` on the column only, so for a whole batch the interpolation is a
handful of array operations on shifted views of a zero-padded copy: the
horizontal pass ``top`` is computed once per distinct ``cp`` and shared by the
neighbours (and the ``bottom`` rows) that use it. Bit ``i`` is set where
``value - centre >= 0``, which is ``value >= centre`` exactly in IEEE arithmetic.
Axis-aligned neighbours need no interpolation (``value`` is the pixel itself),
and on integer images they are compared in the integer dtype.

This is the arithmetic of scikit-image 0.26 (checked against the
installed version by the tests, on x86-64 where the compiled reference does not
fuse multiply-adds). scikit-image's development branch changes it (the
``v0 + t * (v1 - v0)`` form and a ``-1e-12`` tolerance), which would move a few
tie-breaking bits; the tests would show it.

The ``P``-bit pattern is then mapped to the method's code through a lookup table
built once per ``(P, method)`` for ``P <= 16``; for larger ``P`` (``uniform`` and
``nri_uniform`` only) the code is computed from the pattern's number of ones,
number of transitions and first one / first zero, as scikit-image does.
"""

from functools import lru_cache
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin, _fit_context
from sklearn.utils import check_array
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from .._images import (as_images, check_positive_pair, feature_names_out, flatten_images,
                       resolve_image_shape, validate_fitted_images, validate_images)

__all__ = ["LBPTransformer", "lbp_code_images", "lbp_n_bins"]

_METHODS = ("default", "ror", "uniform", "nri_uniform")

# dtypes kept as they are by validation (anything else becomes float64);
# scikit-image converts every image to float64, and so do we for interpolation.
_KEEP_DTYPES = (np.float64, np.float32, np.uint8, np.uint16, np.int8, np.int16,
                np.int32, np.uint32)

# pixels per chunk: the float64 work arrays of one chunk stay within a few MB
_CHUNK_PIXELS = 1 << 15


def lbp_n_bins(P, method):
    """Number of distinct LBP codes (histogram bins) for ``P`` neighbours.

    Parameters
    ----------
    P : int
        Number of circular neighbours.
    method : {"default", "ror", "uniform", "nri_uniform"}
        Code mapping, as in :func:`skimage.feature.local_binary_pattern`.

    Returns
    -------
    n_bins : int
        ``P + 2`` for ``uniform``, ``P * (P - 1) + 3`` for ``nri_uniform`` and
        ``2 ** P`` for ``default`` and ``ror``.

    Examples
    --------
    >>> from fer_features.features import lbp_n_bins
    >>> lbp_n_bins(8, "uniform"), lbp_n_bins(8, "nri_uniform"), lbp_n_bins(8, "ror")
    (10, 59, 256)
    """
    if method == "uniform":
        return P + 2
    if method == "nri_uniform":
        return P * (P - 1) + 3
    return 2**P


def _neighbour_offsets(P, R):
    """Row and column offsets of the ``P`` neighbours, as scikit-image rounds them."""
    angles = 2 * np.pi * np.arange(P, dtype=np.float64) / P
    rows = -R * np.sin(angles)
    cols = R * np.cos(angles)
    return np.round(rows, 5), np.round(cols, 5)


def _axis_terms(n, offset, pad):
    """Interpolation indices (into the padded axis) and weights along one axis.

    Returns ``(lo, hi, frac)``: for each of the ``n`` positions ``p``, the padded
    indices of ``floor(p + offset)`` and ``ceil(p + offset)`` and the fraction
    ``(p + offset) - floor(p + offset)``, all computed in float64 as scikit-image
    does.
    """
    pos = np.arange(n, dtype=np.float64) + offset
    lo = np.floor(pos)
    hi = np.ceil(pos)
    frac = pos - lo
    return _index_spec(lo.astype(np.intp) + pad), _index_spec(hi.astype(np.intp) + pad), frac


def _index_spec(index):
    """A slice when ``index`` is a contiguous run (a view, no copy), else the array."""
    start = int(index[0])
    if np.array_equal(index, np.arange(start, start + index.size)):
        return slice(start, start + index.size)
    return index


def _select(a, spec, axis):
    if isinstance(spec, slice):
        return a[(slice(None),) * axis + (spec,)]
    return np.take(a, spec, axis=axis)


def _pattern_dtype(P):
    if P <= 8:
        return np.uint8
    if P <= 16:
        return np.uint16
    return np.uint32


@lru_cache(maxsize=32)
def _plan(h, w, P, R):
    """What to compute for each neighbour, for images of shape ``(h, w)``.

    Returns ``(pad, horizontal, neighbours)``: ``horizontal`` maps a column
    offset to ``(left, right, 1 - dc, dc)`` (``right`` None when the offset is
    a whole number: no horizontal interpolation); ``neighbours`` lists, per
    neighbour, ``("pixel", rows, cols)`` for a neighbour that is a pixel, or
    ``("interp", key, top_rows, bottom_rows, 1 - dr, dr)`` (``bottom_rows``
    None when the row offset is a whole number).
    """
    rp, cp = _neighbour_offsets(P, R)
    pad = int(np.ceil(R)) + 1
    horizontal = {}
    neighbours = []
    for i in range(P):
        rlo, rhi, dr = _axis_terms(h, rp[i], pad)
        clo, chi, dc = _axis_terms(w, cp[i], pad)
        row_exact = not dr.any()
        col_exact = not dc.any()
        if row_exact and col_exact:
            # value = (1 - 0) * pixel + 0 * pixel = pixel, exactly
            neighbours.append(("pixel", rlo, clo))
            continue
        key = float(cp[i])
        if key not in horizontal:
            horizontal[key] = (clo, None, None, None) if col_exact else (clo, chi, 1 - dc, dc)
        if row_exact:
            neighbours.append(("interp", key, rlo, None, None, None))
        else:
            neighbours.append(("interp", key, rlo, rhi, (1 - dr)[:, None], dr[:, None]))
    return pad, horizontal, neighbours


def _lbp_patterns(images, P, R):
    """Raw ``P``-bit LBP patterns (bit ``i`` = neighbour ``i`` >= centre) of a chunk.

    Parameters
    ----------
    images : ndarray of shape (n, h, w)
        Any real dtype; interpolation happens in float64 as in scikit-image.

    Returns
    -------
    patterns : ndarray of shape (n, h, w), unsigned integers
    """
    n, h, w = images.shape
    pad, horizontal, neighbours = _plan(h, w, P, R)
    inner = (slice(None), slice(pad, pad + h), slice(pad, pad + w))

    padded = np.zeros((n, h + 2 * pad, w + 2 * pad), dtype=np.float64)
    padded[inner] = images
    center = padded[inner]
    integer = images.dtype.kind in "ui" and images.dtype.itemsize <= 4
    if integer and any(kind == "pixel" for kind, *_ in neighbours):
        # whole-pixel neighbours are compared in the integer dtype (exact)
        ipadded = np.zeros(padded.shape, dtype=images.dtype)
        ipadded[inner] = images
        source, centre = ipadded, ipadded[inner]
    else:
        source, centre = padded, center

    # horizontal pass of the interpolation, once per distinct column offset,
    # over all padded rows: top = (1 - dc) * left + dc * right
    tops = {}
    for key, (left, right, one_minus_dc, dc) in horizontal.items():
        top = _select(padded, left, 2)
        if right is not None:
            top = np.multiply(one_minus_dc, top)
            top += dc * _select(padded, right, 2)
        tops[key] = top

    # bits are gathered byte by byte (uint8 multiply-adds vectorise well;
    # shifts do not), then the bytes are combined into the pattern
    n_bytes = (P + 7) // 8
    pattern_bytes = np.zeros((n_bytes, n, h, w), dtype=np.uint8)
    bit = np.empty((n, h, w), dtype=bool)
    bit_u8 = bit.view(np.uint8)
    weighted = np.empty((n, h, w), dtype=np.uint8)
    value = np.empty((n, h, w), dtype=np.float64)
    scratch = np.empty((n, h, w), dtype=np.float64)

    for i, (kind, *spec) in enumerate(neighbours):
        if kind == "pixel":
            rows, cols = spec
            np.greater_equal(_select(_select(source, rows, 1), cols, 2), centre, out=bit)
        else:
            key, top_rows, bottom_rows, one_minus_dr, dr = spec
            top = _select(tops[key], top_rows, 1)
            if bottom_rows is None:
                neighbour = top  # value = (1 - 0) * top + 0 * bottom = top
            else:
                # value = (1 - dr) * top + dr * bottom, as scikit-image computes it
                np.multiply(one_minus_dr, top, out=value)
                np.multiply(dr, _select(tops[key], bottom_rows, 1), out=scratch)
                np.add(value, scratch, out=value)
                neighbour = value
            # value - centre >= 0  <=>  value >= centre in IEEE arithmetic
            np.greater_equal(neighbour, center, out=bit)
        byte, shift = divmod(i, 8)
        np.multiply(bit_u8, np.uint8(1 << shift), out=weighted)
        np.add(pattern_bytes[byte], weighted, out=pattern_bytes[byte])
    if n_bytes == 1:
        return pattern_bytes[0]
    pattern = pattern_bytes[0].astype(_pattern_dtype(P))
    for byte in range(1, n_bytes):
        pattern |= pattern_bytes[byte].astype(pattern.dtype) << (8 * byte)
    return pattern


_POPCOUNT_BYTE = np.array([bin(i).count("1") for i in range(256)], dtype=np.int64)


def _popcount(x):
    """Number of set bits of each element of a uint64 array."""
    if hasattr(np, "bitwise_count"):  # NumPy >= 2.0
        return np.bitwise_count(x).astype(np.int64)
    total = np.zeros(x.shape, dtype=np.int64)
    for shift in range(0, 64, 8):
        total += _POPCOUNT_BYTE[(x >> np.uint64(shift)) & np.uint64(255)]
    return total


def _lowest_set_bit(x):
    """Index of the lowest set bit of each element of a uint64 array (-1 for 0)."""
    lowest = x & (~x + np.uint64(1))  # two's complement: keeps only the lowest set bit
    # frexp of 2**k is exactly (0.5, k + 1), and of 0 is (0, 0)
    return np.frexp(lowest.astype(np.float64))[1].astype(np.int64) - 1


def _pattern_codes(patterns, P, method):
    """Map ``P``-bit patterns (uint64 array) to scikit-image's codes for ``method``.

    ``uniform`` and ``nri_uniform`` follow scikit-image: ``changes`` counts the
    bit changes between neighbours ``i`` and ``i + 1`` for ``i < P - 1``; a
    pattern is uniform when ``changes <= 2``; ``nri_uniform`` numbers the uniform
    patterns by their number of ones and rotation (from the first one and the
    first zero).
    """
    patterns = np.asarray(patterns, dtype=np.uint64)
    if method == "default":
        return patterns.astype(np.int64)
    if method == "ror":
        # smallest value over the P circular right shifts
        best = patterns.copy()
        rot = patterns.copy()
        top = np.uint64(P - 1)
        for _ in range(1, P):
            rot = (rot >> np.uint64(1)) | ((rot & np.uint64(1)) << top)
            np.minimum(best, rot, out=best)
        return best.astype(np.int64)
    n_ones = _popcount(patterns)
    pairs = np.uint64((1 << (P - 1)) - 1)
    changes = _popcount((patterns ^ (patterns >> np.uint64(1))) & pairs)
    uniform = changes <= 2
    if method == "uniform":
        return np.where(uniform, n_ones, P + 1)
    # nri_uniform: index of the rotation of a uniform pattern
    first_one = _lowest_set_bit(patterns)
    first_zero = _lowest_set_bit(~patterns & np.uint64((1 << P) - 1))
    rot_index = np.where(first_one == 0, n_ones - first_zero, P - first_one)
    codes = 1 + (n_ones - 1) * P + rot_index
    codes = np.where(n_ones == 0, 0, codes)
    codes = np.where(n_ones == P, P * (P - 1) + 1, codes)
    return np.where(uniform, codes, P * (P - 1) + 2)


@lru_cache(maxsize=16)
def _code_table(P, method):
    """Lookup table from every ``P``-bit pattern to its code (``P <= 16``)."""
    codes = _pattern_codes(np.arange(2**P, dtype=np.uint64), P, method)
    table = codes.astype(np.uint8 if lbp_n_bins(P, method) <= 256 else np.uint16)
    table.setflags(write=False)
    return table


def _codes_of_chunk(images, P, R, method):
    """LBP codes (small unsigned integers) of a chunk of images."""
    patterns = _lbp_patterns(images, P, R)
    if method == "default":
        return patterns
    if P <= 16:
        return np.take(_code_table(P, method), patterns)
    return _pattern_codes(patterns, P, method)


def _chunks(n, h, w):
    step = max(1, _CHUNK_PIXELS // max(1, h * w))
    for start in range(0, n, step):
        yield slice(start, min(n, start + step))


def _check_lbp_params(P, method):
    if method in ("default", "ror") and P > 16:
        raise ValueError(
            f"method={method!r} with P={P} would give 2**{P} histogram bins; "
            f"use P <= 16 with 'default' and 'ror', or method='uniform' or "
            f"'nri_uniform' for larger P"
        )


def lbp_code_images(images, P=8, R=1.0, method="default"):
    """LBP code images of a batch, equal to scikit-image's image by image.

    Parameters
    ----------
    images : array-like of shape (n_images, height, width)
        Grey images of any real dtype.
    P : int, default=8
        Number of circular neighbours (``P <= 16`` for ``default`` and ``ror``).
    R : float, default=1.0
        Radius of the circle.
    method : {"default", "ror", "uniform", "nri_uniform"}, default="default"
        Code mapping, as in :func:`skimage.feature.local_binary_pattern`.

    Returns
    -------
    codes : ndarray of shape (n_images, height, width), float64
        ``codes[k]`` equals ``local_binary_pattern(images[k], P, R, method)``.

    Examples
    --------
    >>> import numpy as np
    >>> from fer_features.features import lbp_code_images
    >>> image = np.array([[0, 0, 0], [0, 5, 9], [0, 9, 9]], dtype=np.uint8)
    >>> lbp_code_images(image[None], P=8, R=1, method="uniform")[0]
    array([[8., 8., 8.],
           [8., 3., 1.],
           [8., 1., 9.]])
    >>> from skimage.feature import local_binary_pattern
    >>> local_binary_pattern(image, P=8, R=1, method="uniform")
    array([[8., 8., 8.],
           [8., 3., 1.],
           [8., 1., 9.]])
    """
    images = np.asarray(images)
    if images.ndim != 3:
        raise ValueError(
            f"images must be an array of shape (n_images, height, width), "
            f"got shape {images.shape}"
        )
    if images.dtype.kind not in "uif":
        images = images.astype(np.float64)
    _check_lbp_params(P, method)
    n, h, w = images.shape
    out = np.empty((n, h, w), dtype=np.float64)
    for sl in _chunks(n, h, w):
        out[sl] = _codes_of_chunk(images[sl], P, R, method)
    return out


def _grid_edges(length, parts):
    return np.round(np.linspace(0, length, parts + 1)).astype(np.intp)


class LBPTransformer(TransformerMixin, BaseEstimator):
    """Grid of local binary pattern histograms, the classic face descriptor.

    Each image is divided into a ``grid_shape`` grid of cells; in each cell the
    histogram of LBP codes (as :func:`skimage.feature.local_binary_pattern`
    computes them) is taken, optionally normalised, and the cell histograms are
    concatenated: cells in row-major order, each cell's histogram whole before
    the next (Ahonen et al.; Shan et al.). The width of the output depends only
    on the parameters, never on the data.

    The codes are computed on the whole batch at once with NumPy, in
    memory-bounded chunks, and are exactly scikit-image's (same interpolation of
    the circular neighbours, same arithmetic). With ``grid_shape=(1, 1)`` and
    ``normalize=None`` a row of the output is ``np.bincount`` of
    ``local_binary_pattern(image, P, R, method).ravel()`` padded to
    ``n_bins_`` bins.

    Parameters
    ----------
    P : int, default=8
        Number of circular neighbours. At most 16 for ``method="default"`` and
        ``"ror"`` (which have ``2 ** P`` bins), at most 32 otherwise.
    R : float, default=1.0
        Radius of the circle of neighbours, in pixels.
    method : {"default", "ror", "uniform", "nri_uniform"}, default="uniform"
        How a bit pattern becomes a code: ``default`` the raw ``P``-bit pattern
        (``2 ** P`` bins), ``ror`` its minimum over rotations (``2 ** P`` bins,
        most empty), ``uniform`` the rotation-invariant uniform patterns
        (``P + 2`` bins), ``nri_uniform`` the non-rotation-invariant uniform
        patterns (``P * (P - 1) + 3`` bins, 59 for ``P=8``).
    grid_shape : tuple of (int, int), default=(6, 6)
        Number of cell rows and cell columns. Cell boundaries are
        ``np.round(np.linspace(0, height, grid_shape[0] + 1))`` (and likewise
        for the width), see :meth:`cell_edges`.
    normalize : {"l1", "l2"} or None, default="l1"
        Normalisation of each cell's histogram: ``"l1"`` divides by the number
        of pixels in the cell (the histogram sums to 1), ``"l2"`` by its
        Euclidean norm, ``None`` keeps raw counts.
    image_shape : tuple of (int, int) or None, default=None
        ``(height, width)`` in which a row of ``X`` is read. One side may be -1:
        it is then inferred from the number of features, as in
        :func:`numpy.reshape` (``(1, -1)`` reads each row as a one-pixel-high
        strip). ``None``: the shape of 3-D input, otherwise a square.

    Attributes
    ----------
    image_shape_ : tuple of (int, int)
        Shape of the images seen in :meth:`fit`.
    n_bins_ : int
        Number of histogram bins per cell.
    n_features_in_ : int
        Number of pixels per image.
    feature_names_in_ : ndarray of str
        Names of the input columns, when ``X`` was a DataFrame with string
        column names.

    See Also
    --------
    HOGTransformer : Histograms of oriented gradients.
    skimage.feature.local_binary_pattern : The per-image reference.

    References
    ----------
    .. [1] T. Ojala, M. Pietikainen and T. Maenpaa, "Multiresolution gray-scale and
       rotation invariant texture classification with local binary patterns",
       IEEE TPAMI 24(7), 2002.
    .. [2] T. Ahonen, A. Hadid and M. Pietikainen, "Face description with local
       binary patterns: application to face recognition", IEEE TPAMI 28(12), 2006.
    .. [3] C. Shan, S. Gong and P. W. McOwan, "Facial expression recognition based
       on local binary patterns: a comprehensive study", Image and Vision
       Computing 27(6), 2009.

    Examples
    --------
    >>> import numpy as np
    >>> from fer_features import LBPTransformer
    >>> rng = np.random.default_rng(0)
    >>> X = rng.integers(0, 256, size=(4, 12 * 12), dtype=np.uint8)
    >>> lbp = LBPTransformer(P=8, R=1, method="nri_uniform", grid_shape=(2, 2))
    >>> features = lbp.fit_transform(X)
    >>> features.shape, lbp.n_bins_, lbp.image_shape_
    ((4, 236), 59, (12, 12))
    >>> features[:, :59].sum(axis=1)
    array([1., 1., 1., 1.])
    >>> lbp.get_feature_names_out()[:2]
    array(['lbp_r0c0_b0', 'lbp_r0c0_b1'], dtype=object)
    """

    _parameter_constraints = {
        "P": [Interval(Integral, 1, 32, closed="both")],
        "R": [Interval(Real, 0, None, closed="neither")],
        "method": [StrOptions(set(_METHODS))],
        "grid_shape": ["array-like"],
        "normalize": [StrOptions({"l1", "l2"}), None],
        "image_shape": ["array-like", None],
    }

    def __init__(self, *, P=8, R=1.0, method="uniform", grid_shape=(6, 6),
                 normalize="l1", image_shape=None):
        self.P = P
        self.R = R
        self.method = method
        self.grid_shape = grid_shape
        self.normalize = normalize
        self.image_shape = image_shape

    def _grid(self):
        return check_positive_pair(self.grid_shape, "grid_shape", "(rows, cols)")

    def _check_grid(self, image_shape):
        grid = self._grid()
        if grid[0] > image_shape[0] or grid[1] > image_shape[1]:
            raise ValueError(
                f"grid_shape={grid} has more cells than the images have pixels "
                f"(image shape {image_shape}); use a smaller grid_shape"
            )
        return grid

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
        self : LBPTransformer
            The fitted transformer.
        """
        _check_lbp_params(self.P, self.method)
        validate_images(self, X, _KEEP_DTYPES)
        self._check_grid(self.image_shape_)
        self.n_bins_ = lbp_n_bins(self.P, self.method)
        return self

    def _validated_images(self, X):
        """Validate ``X`` against the fitted shape and view it as images."""
        return as_images(*validate_fitted_images(self, X, _KEEP_DTYPES))

    def transform(self, X):
        """Concatenated LBP histograms of the cells of each image.

        Parameters
        ----------
        X : array-like of shape (n_samples, height * width) or (n_samples, height, width)
            Grey images, one per row.

        Returns
        -------
        features : ndarray of shape (n_samples, n_cells * n_bins_), float64
        """
        images = self._validated_images(X)
        n, h, w = images.shape
        gh, gw = self._grid()
        n_cells, n_bins = gh * gw, self.n_bins_
        row_edges, col_edges = self.cell_edges()
        cell_of_row = np.searchsorted(row_edges, np.arange(h), side="right") - 1
        cell_of_col = np.searchsorted(col_edges, np.arange(w), side="right") - 1
        # bin offset of each pixel's cell within an image's feature vector
        base = ((cell_of_row[:, None] * gw + cell_of_col[None, :]) * n_bins).astype(np.intp)
        width = n_cells * n_bins
        counts = np.empty((n, width), dtype=np.float64)
        chunks = list(_chunks(n, h, w))
        if chunks:
            # bin offset of each pixel within the chunk's concatenated histograms
            step = chunks[0].stop - chunks[0].start
            offsets = base + (np.arange(step, dtype=np.intp) * width)[:, None, None]
        for sl in chunks:
            codes = _codes_of_chunk(images[sl], self.P, self.R, self.method)
            m = codes.shape[0]
            index = np.add(codes, offsets[:m], dtype=np.intp)
            counts[sl] = np.bincount(index.ravel(), minlength=m * width).reshape(m, width)
        if self.normalize is not None:
            cells = counts.reshape(n, n_cells, n_bins)
            if self.normalize == "l1":
                norms = cells.sum(axis=2, keepdims=True)
            else:
                norms = np.sqrt(np.einsum("ijk,ijk->ij", cells, cells))[:, :, None]
            cells /= norms
        return counts

    def code_images(self, X):
        """LBP code images, as :func:`skimage.feature.local_binary_pattern` gives them.

        Parameters
        ----------
        X : array-like of shape (n_samples, height * width) or (n_samples, height, width)
            Grey images. If the transformer is fitted they must have its image
            shape; otherwise the shape is resolved from ``image_shape`` as in
            :meth:`fit`.

        Returns
        -------
        codes : ndarray of shape (n_samples, height, width), float64
        """
        if hasattr(self, "image_shape_"):
            images = self._validated_images(X)
        else:
            self._validate_params()
            _check_lbp_params(self.P, self.method)
            X, implied = flatten_images(X)
            X = check_array(X, dtype=_KEEP_DTYPES)
            images = as_images(X, resolve_image_shape(X.shape[1], self.image_shape, implied))
        return lbp_code_images(images, self.P, self.R, self.method)

    def cell_edges(self, image_shape=None):
        """Row and column boundaries of the grid cells.

        Cell ``(i, j)`` covers rows ``row_edges[i]:row_edges[i + 1]`` and columns
        ``col_edges[j]:col_edges[j + 1]``, with
        ``row_edges = np.round(np.linspace(0, height, grid_shape[0] + 1))``
        (NumPy rounds halves to even) and likewise for columns.

        Parameters
        ----------
        image_shape : tuple of (int, int) or None, default=None
            Image shape; ``None`` uses the fitted ``image_shape_``.

        Returns
        -------
        row_edges : ndarray of shape (grid_shape[0] + 1,), int
        col_edges : ndarray of shape (grid_shape[1] + 1,), int

        Examples
        --------
        >>> from fer_features import LBPTransformer
        >>> LBPTransformer(grid_shape=(7, 6)).cell_edges((48, 48))
        (array([ 0,  7, 14, 21, 27, 34, 41, 48]), array([ 0,  8, 16, 24, 32, 40, 48]))
        """
        if image_shape is None:
            check_is_fitted(self)
            image_shape = self.image_shape_
        else:
            try:
                n_pixels = int(np.prod(image_shape))
            except (TypeError, ValueError):
                n_pixels = 0
            image_shape = resolve_image_shape(n_pixels, image_shape)
        gh, gw = self._check_grid(image_shape)
        return _grid_edges(image_shape[0], gh), _grid_edges(image_shape[1], gw)

    def get_feature_names_out(self, input_features=None):
        """Names ``lbp_r{row}c{col}_b{bin}`` of the output features.

        Parameters
        ----------
        input_features : array-like of str or None, default=None
            Only checked against the input seen in :meth:`fit`.

        Returns
        -------
        feature_names_out : ndarray of str objects
        """
        def names():
            gh, gw = self._grid()
            return (f"lbp_r{i}c{j}_b{k}" for i in range(gh) for j in range(gw)
                    for k in range(self.n_bins_))

        return feature_names_out(self, input_features, names)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = []
        return tags

