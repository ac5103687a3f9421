"""Eigenfaces: principal component analysis of face images, as a thin wrapper over PCA."""

import warnings
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin, _fit_context
from sklearn.decomposition import PCA
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from .._blocks import blockwise
from .._images import feature_names_out, validate_fitted_images, validate_images

__all__ = ["EigenfaceTransformer"]


class EigenfaceTransformer(TransformerMixin, BaseEstimator):
    """Project face images on their principal components (eigenfaces).

    A thin wrapper over :class:`sklearn.decomposition.PCA` that knows the data
    are images: it exposes the mean face and the components as images, and
    :meth:`inverse_transform` reconstructs (flattened) images. The PCA itself is
    scikit-learn's, fitted once on the validated data (no extra copy).

    Parameters
    ----------
    n_components : int, float, "mle" or None, default=150
        Number of eigenfaces kept, as PCA's ``n_components``. An integer larger
        than ``min(n_samples, n_pixels)`` is reduced to that number, with a
        ``UserWarning`` naming both (see ``n_components_``), so the default
        also works on small data sets. At least two images are needed.
    whiten : bool, default=True
        Scale the projections to unit variance (the usual choice before an SVM).
    svd_solver : {"auto", "full", "covariance_eigh", "arpack", "randomized"}, default="auto"
        PCA's solver.
    image_shape : tuple of (int, int) or None, default=None
        ``(height, width)`` in which a row of ``X`` is read. One side may be -1:
        it is then inferred from the number of features, as in
        :func:`numpy.reshape` (``(1, -1)`` reads each row as a one-pixel-high
        strip). ``None``: the shape of 3-D input, otherwise a square.
    random_state : int, RandomState instance or None, default=None
        Seed for the randomized and arpack solvers.

    Attributes
    ----------
    pca_ : PCA
        The fitted PCA.
    mean_face_ : ndarray of shape (height, width)
        The mean image.
    eigenfaces_ : ndarray of shape (n_components_, height, width)
        The principal axes as images, by decreasing explained variance.
    explained_variance_ratio_ : ndarray of shape (n_components_,)
        Fraction of the variance explained by each eigenface.
    n_components_ : int
        Number of eigenfaces kept.
    image_shape_ : tuple of (int, int)
        Shape of the images seen in :meth:`fit`.
    n_features_in_ : int
        Number of pixels per image.
    feature_names_in_ : ndarray of str
        Names of the input columns, when ``X`` was a DataFrame with string
        column names.

    See Also
    --------
    sklearn.decomposition.PCA : The estimator doing the work.

    References
    ----------
    .. [1] M. Turk and A. Pentland, "Eigenfaces for recognition", Journal of
       Cognitive Neuroscience 3(1), 1991.

    Examples
    --------
    >>> import numpy as np
    >>> from fer_features import EigenfaceTransformer
    >>> rng = np.random.default_rng(0)
    >>> X = rng.random((40, 16 * 16))
    >>> eig = EigenfaceTransformer(n_components=10, random_state=0).fit(X)
    >>> eig.mean_face_.shape, eig.eigenfaces_.shape
    ((16, 16), (10, 16, 16))
    >>> codes = eig.transform(X)
    >>> codes.shape
    (40, 10)
    >>> eig.inverse_transform(codes).shape
    (40, 256)
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     EigenfaceTransformer(n_components=100).fit(X).n_components_
    40
    >>> print(caught[0].message)  # doctest: +NORMALIZE_WHITESPACE
    n_components=100 is more than the data allow, min(n_samples, n_pixels) =
    min(40, 256): keeping 40 eigenfaces
    """

    _parameter_constraints = {
        "n_components": [
            Interval(Integral, 0, None, closed="left"),
            Interval(Real, 0, 1, closed="neither"),
            StrOptions({"mle"}),
            None,
        ],
        "whiten": ["boolean"],
        "svd_solver": [StrOptions({"auto", "full", "covariance_eigh", "arpack", "randomized"})],
        "image_shape": ["array-like", None],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        *,
        n_components=150,
        whiten=True,
        svd_solver="auto",
        image_shape=None,
        random_state=None,
    ):
        self.n_components = n_components
        self.whiten = whiten
        self.svd_solver = svd_solver
        self.image_shape = image_shape
        self.random_state = random_state

    def _fit_pca(self, X, method):
        given = X
        X, _ = validate_images(self, X, [np.float64, np.float32])
        n_samples, n_pixels = X.shape
        if n_samples < 2:
            # PCA's variances divide by n_samples - 1
            raise ValueError(
                f"EigenfaceTransformer needs at least 2 images to find principal "
                f"components, got n_samples={n_samples}"
            )
        n_components = self.n_components
        if isinstance(n_components, Integral) and not isinstance(n_components, bool):
            n_components = int(n_components)
            if n_components > min(n_samples, n_pixels):
                warnings.warn(
                    f"n_components={n_components} is more than the data allow, "
                    f"min(n_samples, n_pixels) = min({n_samples}, {n_pixels}): keeping "
                    f"{min(n_samples, n_pixels)} eigenfaces",
                    UserWarning,
                    stacklevel=4,
                )
                n_components = min(n_samples, n_pixels)
        # validation already copied X when it converted it: let PCA work in place then
        copy = not isinstance(given, np.ndarray) or np.may_share_memory(X, given)
        self.pca_ = PCA(
            n_components=n_components,
            whiten=self.whiten,
            svd_solver=self.svd_solver,
            random_state=self.random_state,
            copy=bool(copy),
        )
        out = getattr(self.pca_, method)(X)
        h, w = self.image_shape_
        self.mean_face_ = self.pca_.mean_.reshape(h, w)
        self.eigenfaces_ = self.pca_.components_.reshape(-1, h, w)
        self.explained_variance_ratio_ = self.pca_.explained_variance_ratio_
        self.n_components_ = int(self.pca_.n_components_)
        return out

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Fit the PCA on face images.

        Parameters
        ----------
        X : array-like of shape (n_samples, height * width) or (n_samples, height, width)
            Face images, one per row.
        y : None
            Ignored.

        Returns
        -------
        self : EigenfaceTransformer
            The fitted transformer.
        """
        self._fit_pca(X, "fit")
        return self

    @_fit_context(prefer_skip_nested_validation=True)
    def fit_transform(self, X, y=None):
        """Fit the PCA and project ``X`` (PCA's own, faster, fit_transform).

        Parameters
        ----------
        X : array-like of shape (n_samples, height * width) or (n_samples, height, width)
            Face images, one per row.
        y : None
            Ignored.

        Returns
        -------
        projections : ndarray of shape (n_samples, n_components_)
        """
        return self._fit_pca(X, "fit_transform")

    def _validate_images(self, X):
        return validate_fitted_images(self, X, [np.float64, np.float32])[0]

    @blockwise
    def transform(self, X):
        """Coordinates of each image on the eigenfaces.

        Parameters
        ----------
        X : array-like of shape (n_samples, height * width) or (n_samples, height, width)
            Face images, one per row.

        Returns
        -------
        projections : ndarray of shape (n_samples, n_components_)
        """
        X = self._validate_images(X)  # first: it raises NotFittedError before fit
        return self.pca_.transform(X)

    def inverse_transform(self, X):
        """Reconstruct images from their eigenface coordinates.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_components_)
            Projections, as :meth:`transform` returns them.

        Returns
        -------
        images : ndarray of shape (n_samples, height * width)
            Flattened reconstructed images (reshape with ``image_shape_``).
        """
        check_is_fitted(self)
        return self.pca_.inverse_transform(X)

    def get_feature_names_out(self, input_features=None):
        """Names ``eigenface0``, ``eigenface1``, ... of the output features.

        Parameters
        ----------
        input_features : array-like of str or None, default=None
            Only checked against the input seen in :meth:`fit`.

        Returns
        -------
        feature_names_out : ndarray of str objects
        """
        return feature_names_out(
            self, input_features, lambda: (f"eigenface{i}" for i in range(self.n_components_))
        )

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags
