"""Intensity preprocessing: per-image standardisation and histogram equalisation."""

from numbers import Integral, Real

import numpy as np
from sklearn.base import OneToOneFeatureMixin
from sklearn.utils._param_validation import Interval, StrOptions

from ._base import _ImageTransformer

__all__ = ["ImageStandardizer", "HistogramEqualizer"]


class ImageStandardizer(OneToOneFeatureMixin, _ImageTransformer):
    """Standardise each image on its own: subtract its mean, divide by its std.

    Removes global brightness and contrast differences between faces. Unlike
    :class:`sklearn.preprocessing.StandardScaler`, which standardises each
    pixel across images, this standardises each image across its pixels, so it
    learns nothing in :meth:`fit`.

    Returns float64 (float32 for float32 input) images with, per image, mean 0
    (``with_mean=True``) and standard deviation 1 (``with_std=True``; a constant
    image has standard deviation 0 and is only centred). Values are unbounded,
    typically within [-5, 5].

    Parameters
    ----------
    with_mean : bool, default=True
        Subtract each image's mean.
    with_std : bool, default=True
        Divide each image by its standard deviation (population, ``ddof=0``).
    image_shape : tuple of (int, int) or None, default=None
        ``(height, width)`` in which a row of ``X`` is read. One side may be -1:
        it is then inferred from the number of features, as in
        :func:`numpy.reshape` (``(1, -1)`` reads each row as a one-pixel-high
        strip). ``None``: the shape of 3-D input, otherwise a square.

    Attributes
    ----------
    image_shape_ : tuple of (int, int)
        Shape of the images seen in :meth:`fit`.
    output_shape_ : tuple of (int, int)
        Shape of the output images (the same).
    n_features_in_ : int
        Number of pixels per image.
    feature_names_in_ : ndarray of str
        Names of the input columns, when ``X`` was a DataFrame with string
        column names.

    See Also
    --------
    HistogramEqualizer : Equalise the grey-level histogram instead.

    Examples
    --------
    >>> import numpy as np
    >>> from fer_features import ImageStandardizer
    >>> X = np.array([[0, 2, 4, 6], [5, 5, 5, 5]], dtype=np.uint8)
    >>> ImageStandardizer().fit_transform(X)
    array([[-1.34164079, -0.4472136 ,  0.4472136 ,  1.34164079],
           [ 0.        ,  0.        ,  0.        ,  0.        ]])
    """

    _parameter_constraints = {
        "with_mean": ["boolean"],
        "with_std": ["boolean"],
        "image_shape": ["array-like", None],
    }

    def __init__(self, *, with_mean=True, with_std=True, image_shape=None):
        self.with_mean = with_mean
        self.with_std = with_std
        self.image_shape = image_shape

    def _transform_images(self, images):
        n = images.shape[0]
        flat = images.reshape(n, -1)
        out = flat - flat.mean(axis=1, keepdims=True) if self.with_mean else flat.copy()
        if self.with_std:
            std = flat.std(axis=1, keepdims=True)
            std[std == 0] = 1.0
            std[~np.isfinite(std)] = np.nan  # overflowed: transform raises, naming the row
            out /= std
        return out

    def get_feature_names_out(self, input_features=None):
        """Names of the output features: the input's (one output per pixel).

        Parameters
        ----------
        input_features : array-like of str or None, default=None
            Input feature names; ``None`` uses ``feature_names_in_`` or
            ``x0, x1, ...``.

        Returns
        -------
        feature_names_out : ndarray of str objects
        """
        return OneToOneFeatureMixin.get_feature_names_out(self, input_features)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags


class HistogramEqualizer(OneToOneFeatureMixin, _ImageTransformer):
    """Histogram equalisation of each image, global or adaptive (CLAHE).

    ``method="global"`` is :func:`skimage.exposure.equalize_hist` per image (a
    pixel becomes the fraction of the image's pixels that are not brighter); for
    integer images (e.g. FER2013's uint8) it is computed for the whole batch at
    once with ``np.bincount``, with equal results. ``method="clahe"`` is
    :func:`skimage.exposure.equalize_adapthist` (contrast-limited adaptive
    histogram equalisation) per image, run in parallel chunks with ``n_jobs``.

    Input pixels must be non-negative. Integer images are used as they are;
    float images are first rescaled per image to [0, 1] by their minimum and
    maximum for CLAHE (which is invariant to that, apart from rounding) and used
    as they are for global equalisation (invariant to any increasing map).
    Returns float64 images in [0, 1].

    Parameters
    ----------
    method : {"global", "clahe"}, default="global"
        Global histogram equalisation, or CLAHE.
    clip_limit : float, default=0.01
        CLAHE's clipping limit, in (0, 1]; higher gives more contrast.
    kernel_size : int, tuple of (int, int) or None, default=None
        CLAHE's contextual region; ``None`` is 1/8 of the image height and width.
    n_bins : int, default=256
        Number of grey-level bins (for float images in global equalisation,
        and for CLAHE).
    image_shape : tuple of (int, int) or None, default=None
        ``(height, width)`` in which a row of ``X`` is read. One side may be -1:
        it is then inferred from the number of features, as in
        :func:`numpy.reshape` (``(1, -1)`` reads each row as a one-pixel-high
        strip). ``None``: the shape of 3-D input, otherwise a square.
    n_jobs : int or None, default=None
        Parallel jobs for CLAHE (joblib); ``None`` means 1.

    Attributes
    ----------
    image_shape_ : tuple of (int, int)
        Shape of the images seen in :meth:`fit`.
    output_shape_ : tuple of (int, int)
        Shape of the output images (the same).
    n_features_in_ : int
        Number of pixels per image.
    feature_names_in_ : ndarray of str
        Names of the input columns, when ``X`` was a DataFrame with string
        column names.

    See Also
    --------
    ImageStandardizer : Per-image mean and variance normalisation.
    skimage.exposure.equalize_hist, skimage.exposure.equalize_adapthist

    Examples
    --------
    >>> import numpy as np
    >>> from fer_features import HistogramEqualizer
    >>> X = np.array([[10, 10, 20, 40]], dtype=np.uint8)
    >>> HistogramEqualizer().fit_transform(X)
    array([[0.5 , 0.5 , 0.75, 1.  ]])
    >>> HistogramEqualizer(method="clahe").fit_transform(np.arange(64).reshape(1, 64)).shape
    (1, 64)
    """

    _parameter_constraints = {
        "method": [StrOptions({"global", "clahe"})],
        "clip_limit": [Interval(Real, 0, 1, closed="right")],
        "kernel_size": [Interval(Integral, 1, None, closed="left"), "array-like", None],
        "n_bins": [Interval(Integral, 2, None, closed="left")],
        "image_shape": ["array-like", None],
        "n_jobs": [Integral, None],
    }
    _keep_dtypes = (np.float64, np.float32, np.uint8, np.uint16)
    _non_negative = True

    def __init__(
        self,
        *,
        method="global",
        clip_limit=0.01,
        kernel_size=None,
        n_bins=256,
        image_shape=None,
        n_jobs=None,
    ):
        self.method = method
        self.clip_limit = clip_limit
        self.kernel_size = kernel_size
        self.n_bins = n_bins
        self.image_shape = image_shape
        self.n_jobs = n_jobs

    def _transform_images(self, images):
        if self.method == "global":
            if images.dtype.kind == "u":
                return _equalize_integer_batch(images)
            from skimage.exposure import equalize_hist

            return np.stack([equalize_hist(im, nbins=self.n_bins) for im in images]).astype(
                np.float64, copy=False
            )
        return self._clahe(images)

    def _clahe(self, images):
        from joblib import Parallel, delayed

        n_jobs = 1 if self.n_jobs is None else self.n_jobs
        if n_jobs == 1:
            return _clahe_chunk(images, self.kernel_size, self.clip_limit, self.n_bins)
        chunks = np.array_split(np.arange(len(images)), max(1, min(len(images), 4 * abs(n_jobs))))
        parts = Parallel(n_jobs=n_jobs)(
            delayed(_clahe_chunk)(images[idx], self.kernel_size, self.clip_limit, self.n_bins)
            for idx in chunks
            if idx.size
        )
        return np.concatenate(parts) if parts else np.empty(images.shape)

    def get_feature_names_out(self, input_features=None):
        """Names of the output features: the input's (one output per pixel).

        Parameters
        ----------
        input_features : array-like of str or None, default=None
            Input feature names; ``None`` uses ``feature_names_in_`` or
            ``x0, x1, ...``.

        Returns
        -------
        feature_names_out : ndarray of str objects
        """
        return OneToOneFeatureMixin.get_feature_names_out(self, input_features)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float64"]
        return tags


def _equalize_integer_batch(images):
    """Global equalisation of unsigned integer images, as ``equalize_hist`` does.

    For integer images scikit-image uses one bin per grey level, so a pixel of
    value ``v`` becomes ``count(pixels <= v) / n_pixels`` (the interpolation
    lands exactly on a bin centre).
    """
    n = images.shape[0]
    flat = images.reshape(n, -1)
    n_levels = int(flat.max(initial=0)) + 1
    index = flat.astype(np.intp) + (np.arange(n, dtype=np.intp) * n_levels)[:, None]
    counts = np.bincount(index.ravel(), minlength=n * n_levels).reshape(n, n_levels)
    cdf = np.cumsum(counts, axis=1)
    cdf = cdf / float(flat.shape[1])
    return np.take_along_axis(cdf, flat.astype(np.intp), axis=1).reshape(images.shape)


def _clahe_chunk(images, kernel_size, clip_limit, n_bins):
    from skimage.exposure import equalize_adapthist

    out = np.empty(images.shape, dtype=np.float64)
    for k, image in enumerate(images):
        if image.dtype.kind == "f":
            low, high = image.min(), image.max()
            image = (image - low) / (high - low) if high > low else np.zeros_like(image)
        out[k] = equalize_adapthist(
            image, kernel_size=kernel_size, clip_limit=clip_limit, nbins=n_bins
        )
    return out
