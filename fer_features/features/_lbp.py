"""Local binary patterns over a whole batch of images, and the LBP histogram transformer.

The codes are computed by the batch kernel in :mod:`._lbp_kernel`, which equals
:func:`skimage.feature.local_binary_pattern` exactly.
"""

from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin, _fit_context
from sklearn.utils import check_array
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from .._blocks import blockwise
from .._images import (
    as_images,
    check_positive_pair,
    feature_names_out,
    flatten_images,
    resolve_image_shape,
    validate_fitted_images,
    validate_images,
)
from ._lbp_kernel import lbp_codes, lbp_histograms

__all__ = ["LBPTransformer", "lbp_code_images", "lbp_n_bins"]

_METHODS = ("default", "ror", "uniform", "nri_uniform")

# dtypes kept as they are by validation (anything else becomes float64);
# scikit-image converts every image to float64, and so do we for interpolation.
_KEEP_DTYPES = (np.float64, np.float32, np.uint8, np.uint16, np.int8, np.int16, np.int32, np.uint32)


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
            f"images must be an array of shape (n_images, height, width), got shape {images.shape}"
        )
    if images.dtype.kind not in "uif":
        images = images.astype(np.float64)
    _check_lbp_params(P, method)
    return lbp_codes(images, P, R, method)


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

    def __init__(
        self, *, P=8, R=1.0, method="uniform", grid_shape=(6, 6), normalize="l1", image_shape=None
    ):
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

    @blockwise
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
        n = len(images)
        gh, gw = self._grid()
        n_cells, n_bins = gh * gw, self.n_bins_
        counts = lbp_histograms(
            images, self.P, self.R, self.method, self._pixel_bins(), n_cells * n_bins
        )
        if self.normalize is not None:
            cells = counts.reshape(n, n_cells, n_bins)
            if self.normalize == "l1":
                norms = cells.sum(axis=2, keepdims=True)
            else:
                norms = np.sqrt(np.einsum("ijk,ijk->ij", cells, cells))[:, :, None]
            cells /= norms
        return counts

    def _pixel_bins(self):
        """Offset of each pixel's cell within an image's histograms, (h, w) intp."""
        h, w = self.image_shape_
        gw = self._grid()[1]
        row_edges, col_edges = self.cell_edges()
        cell_of_row = np.searchsorted(row_edges, np.arange(h), side="right") - 1
        cell_of_col = np.searchsorted(col_edges, np.arange(w), side="right") - 1
        return ((cell_of_row[:, None] * gw + cell_of_col[None, :]) * self.n_bins_).astype(np.intp)

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
            return (
                f"lbp_r{i}c{j}_b{k}"
                for i in range(gh)
                for j in range(gw)
                for k in range(self.n_bins_)
            )

        return feature_names_out(self, input_features, names)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = []
        return tags
