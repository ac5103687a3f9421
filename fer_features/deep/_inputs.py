"""How validated rows of images become the input of a network.

:class:`~fer_features.deep.KerasCNNClassifier` and
:class:`~fer_features.deep.CNNFeatureTransformer` both feed their networks
through :func:`network_images`, on top of the library's image convention
(:mod:`fer_features._images`).
"""

from numbers import Integral

import numpy as np

from .._images import resolve_image_shape

__all__ = ["NETWORK_DTYPES", "network_batch", "network_images", "resolve_network_shape"]

# dtypes kept by validation: 8-bit images stay 8-bit (a memory-mapped uint8
# array is neither copied nor converted whole, which for a million 48x48
# images would be 9 GB of float32); anything else becomes float32
NETWORK_DTYPES = (np.float32, np.uint8)


def network_batch(X):
    """One batch of validated images as the network's float32 input.

    Parameters
    ----------
    X : ndarray of dtype float32 or uint8
        A batch of rows (or images) of the validated input.

    Returns
    -------
    batch : ndarray of float32
        ``X`` itself when it is already C-contiguous float32 (else its
        contiguous float32 copy, e.g. of a mirrored view): the
        conversion is made a batch at a time, never for the whole input.
    """
    return np.ascontiguousarray(X, dtype=np.float32)


def resolve_network_shape(n_features, image_shape, implied):
    """``resolve_image_shape``, plus ``-1`` for one side as in ``numpy.reshape``.

    Parameters
    ----------
    n_features : int
        Values per row.
    image_shape : tuple of (int, int) or None
        The classifier's ``image_shape`` parameter; one side may be -1.
    implied : tuple of (int, int) or None
        The shape of 3-D input (from :func:`~fer_features._images.flatten_images`).

    Returns
    -------
    image_shape : tuple of (int, int)
    """
    if (
        image_shape is not None
        and not isinstance(image_shape, str)
        and hasattr(image_shape, "__len__")
        and len(image_shape) == 2
        and -1 in tuple(image_shape)
    ):
        h, w = image_shape
        known = w if h == -1 else h
        if (
            not isinstance(known, Integral)
            or known <= 0
            or n_features % known
            or (h == -1 and w == -1)
        ):
            raise ValueError(
                f"image_shape={tuple(image_shape)!r} cannot be read from rows of "
                f"{n_features} features"
            )
        image_shape = (n_features // known, known) if h == -1 else (known, n_features // known)
    return resolve_image_shape(n_features, image_shape, implied)


def network_images(X, image_shape, implied=None, fitted_by=None):
    """Validated rows ``X`` as the network's input ``(n, height, width, 1)``.

    Parameters
    ----------
    X : ndarray of shape (n_samples, height * width)
        Rows already checked by ``validate_data``.
    image_shape : tuple of (int, int)
        The shape the network takes.
    implied : tuple of (int, int) or None, default=None
        The shape of the images as given (3-D input), which must be
        ``image_shape``.
    fitted_by : str or None, default=None
        Name of the fitted estimator, for the error message; ``None`` when the
        shape was just resolved from ``X`` (nothing to check).

    Returns
    -------
    images : ndarray of shape (n_samples, height, width, 1)
        A view of ``X``.
    """
    if fitted_by is not None and implied is not None and tuple(implied) != tuple(image_shape):
        raise ValueError(
            f"{fitted_by} was fitted on images of shape {tuple(image_shape)}, "
            f"got images of shape {tuple(implied)}"
        )
    return X.reshape(X.shape[0], image_shape[0], image_shape[1], 1)
