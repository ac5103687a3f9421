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

:func:`validate_images` does the first three steps in ``fit``, and
:func:`validate_fitted_images` does them after ``fit``, plus the check that
the images have the fitted ``image_shape_``. Every estimator documents its
``image_shape`` parameter with the same words (:data:`IMAGE_SHAPE_DOC`).

The other helpers are what the image estimators share besides:
:func:`check_positive_pair` for their ``(height, width)``-like parameters,
:func:`check_input_features` and :func:`feature_names_out` for
``get_feature_names_out``, and :func:`check_non_negative_pixels`.
"""

from math import isqrt
from numbers import Integral

import numpy as np

__all__ = [
    "IMAGE_SHAPE_DOC",
    "flatten_images",
    "resolve_image_shape",
    "as_images",
    "check_positive_pair",
    "check_non_negative_pixels",
    "check_finite_output",
    "validate_images",
    "validate_fitted_images",
    "check_input_features",
    "feature_names_out",
    "pixel_names",
]

# How every estimator documents its ``image_shape`` parameter.
IMAGE_SHAPE_DOC = """\
image_shape : tuple of (int, int) or None, default=None
    ``(height, width)`` in which a row of ``X`` is read. One side may be -1:
    it is then inferred from the number of features, as in
    :func:`numpy.reshape` (``(1, -1)`` reads each row as a one-pixel-high
    strip). ``None``: the shape of 3-D input, otherwise a square."""


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
        The estimator's ``image_shape`` parameter. One side may be -1: it is
        then inferred from ``n_features``, as in :func:`numpy.reshape`.
        ``None`` means: the shape of the 3-D input if one was given, otherwise
        a square image.
    implied : tuple of (int, int) or None
        The shape of a 3-D input, as returned by :func:`flatten_images`.

    Returns
    -------
    image_shape : tuple of (int, int)

    Raises
    ------
    ValueError
        If the shape is malformed or does not hold ``n_features`` pixels.

    Examples
    --------
    >>> from fer_features._images import resolve_image_shape
    >>> resolve_image_shape(2304)
    (48, 48)
    >>> resolve_image_shape(12, (3, 4))
    (3, 4)
    >>> resolve_image_shape(12, (1, -1)), resolve_image_shape(12, (-1, 2))
    ((1, 12), (6, 2))
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
    height, width = _shape_pair(image_shape)
    if height == -1 or width == -1:
        known = width if height == -1 else height
        if n_features % known:
            raise ValueError(
                f"X has {n_features} features per row, which cannot be read as images "
                f"of shape {(height, width)}: {n_features} is not a multiple of {known}"
            )
        inferred = n_features // known
        height, width = (inferred, width) if height == -1 else (height, inferred)
    if implied is not None and implied != (height, width):
        raise ValueError(
            f"image_shape={(height, width)} does not match the shape of the images given, {implied}"
        )
    if height * width != n_features:
        raise ValueError(
            f"X has {n_features} features per row, which cannot be read as images "
            f"of shape {(height, width)} ({height * width} pixels)"
        )
    return (height, width)


def _is_positive_int(value):
    return isinstance(value, Integral) and not isinstance(value, bool) and value > 0


def _shape_pair(image_shape):
    """Check an ``image_shape`` parameter: positive integers, at most one -1."""
    try:
        height, width = image_shape
    except (TypeError, ValueError):
        height = width = None
    sides = (height, width)
    if (
        isinstance(image_shape, str)
        or not all(_is_positive_int(v) or _is_minus_one(v) for v in sides)
        or all(_is_minus_one(v) for v in sides)
    ):
        raise ValueError(
            f"image_shape must be a pair (height, width) of positive integers, "
            f"got {image_shape!r}; one side may be -1, to be inferred from the "
            f"number of features"
        )
    return int(height), int(width)


def _is_minus_one(value):
    return isinstance(value, Integral) and not isinstance(value, bool) and value == -1


def check_positive_pair(value, name, labels=None):
    """Check that a parameter is a pair of positive integers.

    Parameters
    ----------
    value : object
        The parameter's value, such as ``grid_shape`` or ``pixels_per_cell``.
    name : str
        The parameter's name, used in the message.
    labels : str or None, default=None
        What the two numbers are, as ``"(height, width)"``, used in the message.

    Returns
    -------
    pair : tuple of (int, int)

    Raises
    ------
    ValueError
        Naming the parameter and its value, if it is not such a pair.

    Examples
    --------
    >>> from fer_features._images import check_positive_pair
    >>> check_positive_pair([6, 7], "grid_shape")
    (6, 7)
    >>> check_positive_pair((6, 0), "grid_shape", "(rows, cols)")
    Traceback (most recent call last):
    ...
    ValueError: grid_shape must be a pair (rows, cols) of positive integers, got (6, 0)
    """
    try:
        a, b = value
    except (TypeError, ValueError):
        a = b = None
    if not (_is_positive_int(a) and _is_positive_int(b)):
        what = "a pair" if labels is None else f"a pair {labels}"
        raise ValueError(f"{name} must be {what} of positive integers, got {value!r}")
    return int(a), int(b)


def as_images(X, image_shape):
    """View validated 2-D data ``X`` as a batch of images ``(n, height, width)``."""
    X = np.asarray(X)
    return X.reshape(X.shape[0], *image_shape)


def validate_images(estimator, X, dtype, non_negative=False):
    """Validate the images given to ``fit`` and record their shape.

    Flattens ``X``, runs scikit-learn's ``validate_data(estimator, X,
    dtype=dtype)`` (which sets ``n_features_in_``), resolves the image shape
    from ``estimator.image_shape`` and stores it as ``estimator.image_shape_``.

    Parameters
    ----------
    estimator : estimator with an ``image_shape`` parameter
        The estimator being fitted.
    X : array-like of shape (n_samples, height * width) or (n_samples, height, width)
        The images.
    dtype : dtype or list of dtypes
        Passed to ``validate_data``.
    non_negative : bool, default=False
        Refuse negative pixels (:func:`check_non_negative_pixels`), before the
        shape is checked.

    Returns
    -------
    X : ndarray of shape (n_samples, height * width)
        The validated rows.
    image_shape : tuple of (int, int)
        Their ``(height, width)``, also stored as ``estimator.image_shape_``.
    """
    from sklearn.utils.validation import validate_data

    X, implied = flatten_images(X)
    X = validate_data(estimator, X, dtype=dtype)
    if non_negative:
        check_non_negative_pixels(X, type(estimator).__name__)
    estimator.image_shape_ = resolve_image_shape(X.shape[1], estimator.image_shape, implied)
    return X, estimator.image_shape_


def validate_fitted_images(estimator, X, dtype, non_negative=False):
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
    non_negative : bool, default=False
        Refuse negative pixels (:func:`check_non_negative_pixels`), before the
        shape is checked.

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
    if non_negative:
        check_non_negative_pixels(X, type(estimator).__name__)
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


def check_finite_output(out, images, whom, rows=None):
    """Raise a ``ValueError`` if an image transformer's output is not finite.

    The input is finite (validation refuses NaN and infinity), so a non-finite
    output means the arithmetic overflowed on pixel values near the float
    limit. The message names the input row with the largest magnitude.

    Parameters
    ----------
    out : ndarray
        The transformer's output.
    images : ndarray of shape (n_samples, ...)
        Its validated input.
    whom : str
        Name of the estimator, used in the message.
    rows : ndarray of int or None, default=None
        The row numbers of ``images`` in the estimator's input, when they are a
        part of it (a batch, a sample); ``None``: ``0 .. n_samples - 1``.
    """
    if out.dtype.kind != "f" or np.isfinite(out).all():
        return
    magnitude = np.abs(np.asarray(images, dtype=np.float64).reshape(len(images), -1)).max(axis=1)
    at = int(np.argmax(magnitude))
    row = at if rows is None else int(rows[at])
    raise ValueError(
        f"{whom} overflowed: the pixel values of row {row} (largest magnitude "
        f"{magnitude[at]:.3g}) are too large for float arithmetic; rescale the "
        f"images, e.g. to 0..255 or 0..1"
    )


def check_input_features(estimator, input_features):
    """Check ``input_features`` of ``get_feature_names_out`` against the fit input.

    Parameters
    ----------
    estimator : fitted estimator
        Has ``n_features_in_`` and, if fitted on a DataFrame, ``feature_names_in_``.
    input_features : array-like of str or None
        The argument given to ``get_feature_names_out``.

    Raises
    ------
    ValueError
        If ``input_features`` differs from ``feature_names_in_`` or has the
        wrong length.
    """
    if input_features is None:
        return
    input_features = np.asarray(input_features, dtype=object)
    names_in = getattr(estimator, "feature_names_in_", None)
    if names_in is not None and not np.array_equal(names_in, input_features):
        raise ValueError("input_features is not equal to feature_names_in_")
    if input_features.shape != (estimator.n_features_in_,):
        raise ValueError(
            f"input_features should have length equal to number of features "
            f"({estimator.n_features_in_}), got {len(input_features)}"
        )


def feature_names_out(estimator, input_features, names):
    """What an image transformer's ``get_feature_names_out`` returns.

    Checks that ``estimator`` is fitted and ``input_features`` (only checked,
    since the output features of an image transformer are not input columns),
    then returns ``names()`` as an object array.

    Parameters
    ----------
    estimator : estimator
        The transformer.
    input_features : array-like of str or None
        The argument given to ``get_feature_names_out``.
    names : callable
        Called with no argument once the checks pass: the iterable of names.

    Returns
    -------
    feature_names_out : ndarray of str objects
    """
    from sklearn.utils.validation import check_is_fitted

    check_is_fitted(estimator)
    check_input_features(estimator, input_features)
    return np.asarray(list(names()), dtype=object)


def pixel_names(image_shape, prefix="pixel"):
    """Names ``{prefix}_r{row}_c{col}`` of the pixels of an image, row by row.

    Examples
    --------
    >>> from fer_features._images import pixel_names
    >>> pixel_names((2, 2))
    ['pixel_r0_c0', 'pixel_r0_c1', 'pixel_r1_c0', 'pixel_r1_c1']
    """
    h, w = image_shape
    return [f"{prefix}_r{r}_c{c}" for r in range(h) for c in range(w)]
