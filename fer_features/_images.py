"""The image convention shared by every estimator of the library.

Images travel as scikit-learn expects data to travel: ``X`` has shape
``(n_samples, height * width)``, one flattened grey image per row, and an
``image_shape`` parameter says how to read a row back as an image. A 3-D array
``(n_samples, height, width)`` (or a 4-D one with a single channel) is accepted
too and flattened, its shape remembered.

Estimators use these helpers in this order::

    X, implied = flatten_images(X)          # before validate_data
    X = validate_data(self, X, ...)         # scikit-learn's own checks
    shape = resolve_image_shape(X.shape[1], self.image_shape, implied)
    images = as_images(X, shape)            # (n, h, w) view, no copy

and, after ``fit``, :func:`validate_fitted_images` does the first three steps
plus the check that the images have the fitted ``image_shape_``.
"""

from math import isqrt
from numbers import Integral

import numpy as np

__all__ = [
    "flatten_images",
    "resolve_image_shape",
    "as_images",
    "check_non_negative_pixels",
    "validate_fitted_images",
]


def flatten_images(X):
    """Flatten a batch of images given as a 3-D (or single-channel 4-D) array.

    Parameters
    ----------
    X : array-like
        Either ``(n_samples, n_features)`` data, returned unchanged (so that pandas
        input keeps its feature names for scikit-learn), or a NumPy array of shape
        ``(n_samples, height, width)`` or ``(n_samples, height, width, 1)``.

    Returns
    -------
    X : array-like
        Two-dimensional data, or ``X`` unchanged when it was not an image array.
    image_shape : tuple of int or None
        ``(height, width)`` when ``X`` was an image array, otherwise ``None``.
    """
    ndim = getattr(X, "ndim", None)
    if not isinstance(X, np.ndarray) or ndim is None or ndim <= 2:
        return X, None
    if ndim == 4 and X.shape[-1] == 1:
        X = X[..., 0]
        ndim = 3
    if ndim != 3:
        raise ValueError(
            f"images must be given as (n_samples, height * width), "
            f"(n_samples, height, width) or (n_samples, height, width, 1); "
            f"got an array of shape {X.shape}"
        )
    n, h, w = X.shape
    return X.reshape(n, h * w), (int(h), int(w))


def resolve_image_shape(n_features, image_shape=None, implied=None):
    """Return the ``(height, width)`` in which a row of ``n_features`` is read.

    Parameters
    ----------
    n_features : int
        Number of values per row.
    image_shape : tuple of (int, int) or None
        The estimator's ``image_shape`` parameter. ``None`` means: the shape of
        the 3-D input if one was given, otherwise a square image.
    implied : tuple of (int, int) or None
        The shape of a 3-D input, as returned by :func:`flatten_images`.

    Returns
    -------
    image_shape : tuple of (int, int)

    Raises
    ------
    ValueError
        If the shape is malformed or does not hold ``n_features`` pixels.
    """
    if image_shape is None:
        if implied is not None:
            return implied
        side = isqrt(int(n_features))
        if side * side != n_features or side == 0:
            raise ValueError(
                f"X has {n_features} features per row, which is not a square image; "
                f"pass image_shape=(height, width)"
            )
        return (side, side)
    try:
        height, width = image_shape
    except (TypeError, ValueError):
        raise ValueError(
            f"image_shape must be a pair (height, width) of positive integers, "
            f"got {image_shape!r}"
        ) from None
    if not all(isinstance(v, Integral) and not isinstance(v, bool) and v > 0
               for v in (height, width)):
        raise ValueError(
            f"image_shape must be a pair (height, width) of positive integers, "
            f"got {image_shape!r}"
        )
    height, width = int(height), int(width)
    if implied is not None and implied != (height, width):
        raise ValueError(
            f"image_shape={(height, width)} does not match the shape of the "
            f"images given, {implied}"
        )
    if height * width != n_features:
        raise ValueError(
            f"X has {n_features} features per row, which cannot be read as images "
            f"of shape {(height, width)} ({height * width} pixels)"
        )
    return (height, width)


def as_images(X, image_shape):
    """View validated 2-D data ``X`` as a batch of images ``(n, height, width)``."""
    X = np.asarray(X)
    return X.reshape(X.shape[0], *image_shape)


def validate_fitted_images(estimator, X, dtype):
    """Validate images given to a fitted estimator (``transform``, ``predict``).

    Checks that ``estimator`` is fitted, flattens ``X``, runs scikit-learn's
    ``validate_data(estimator, X, dtype=dtype, reset=False)`` and checks that
    the images have the shape the estimator was fitted on (its
    ``image_shape_``).

    Parameters
    ----------
    estimator : estimator with ``image_shape`` and a fitted ``image_shape_``
        The estimator the images are given to.
    X : array-like of shape (n_samples, height * width) or (n_samples, height, width)
        The images.
    dtype : dtype or list of dtypes
        Passed to ``validate_data``.

    Returns
    -------
    X : ndarray of shape (n_samples, height * width)
        The validated rows.
    image_shape : tuple of (int, int)
        Their ``(height, width)``, equal to ``estimator.image_shape_``.
    """
    from sklearn.utils.validation import check_is_fitted, validate_data

    check_is_fitted(estimator)
    X, implied = flatten_images(X)
    X = validate_data(estimator, X, dtype=dtype, reset=False)
    shape = resolve_image_shape(X.shape[1], estimator.image_shape, implied)
    if shape != estimator.image_shape_:
        raise ValueError(
            f"{type(estimator).__name__} was fitted on images of shape "
            f"{estimator.image_shape_}, got images of shape {shape}"
        )
    return X, shape


def check_non_negative_pixels(X, whom):
    """Raise a ``ValueError`` naming the first negative pixel of ``X``.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        Validated data.
    whom : str
        Name of the estimator, used in the message.
    """
    X = np.asarray(X)
    if X.size and X.dtype.kind not in "ub" and X.min() < 0:
        row, col = np.unravel_index(np.argmin(X), X.shape)
        raise ValueError(
            f"Negative values in data passed to {whom}: pixel values must be >= 0, "
            f"but row {row} has {X[row, col].item()!r} at feature {col}"
        )
