"""Geometric preprocessing: resizing and cropping a central face region."""

from numbers import Integral, Real

import numpy as np
from sklearn.utils._param_validation import Interval

from .._images import check_positive_pair
from ._base import _ImageTransformer

__all__ = ["ImageResizer", "CenterCrop"]


class ImageResizer(_ImageTransformer):
    """Resize every image to ``size`` with :func:`skimage.transform.resize`.

    Uses scikit-image's resampling (spline interpolation of the given
    ``order``, Gaussian anti-aliasing when shrinking, ``mode="reflect"``), on the
    whole batch at once for ``order`` 0 and 1 (the first axis is left alone, so
    the result equals resizing image by image) and image by image otherwise.

    Returns float64 images (float32 for float32 input; the input dtype for
    ``order=0``) on the same pixel scale as the input (``preserve_range=True``):
    resizing FER2013's uint8 faces gives values in [0, 255].

    Parameters
    ----------
    size : tuple of (int, int), default=(48, 48)
        Output ``(height, width)``.
    order : int, default=1
        Spline interpolation order (0 nearest, 1 bilinear, 3 bicubic), 0 to 5.
    anti_aliasing : bool or None, default=None
        Gaussian smoothing before shrinking; ``None`` smooths when shrinking.
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
        ``size``.
    n_features_in_ : int
        Number of pixels per image.
    feature_names_in_ : ndarray of str
        Names of the input columns, when ``X`` was a DataFrame with string
        column names.

    See Also
    --------
    CenterCrop : Keep the central part of each image.

    Examples
    --------
    >>> import numpy as np
    >>> from fer_features import ImageResizer
    >>> X = np.arange(16, dtype=np.uint8).reshape(1, 16)
    >>> ImageResizer(size=(2, 2), anti_aliasing=False).fit_transform(X)
    array([[ 2.5,  4.5, 10.5, 12.5]])
    >>> ImageResizer(size=(2, 2)).fit_transform(X).round(3)  # smoothed before shrinking
    array([[ 3.036,  4.822, 10.178, 11.964]])
    """

    _keep_dtypes = (np.float64, np.float32, np.uint8, np.uint16)
    _parameter_constraints = {
        "size": ["array-like"],
        "order": [Interval(Integral, 0, 5, closed="both")],
        "anti_aliasing": ["boolean", None],
        "image_shape": ["array-like", None],
    }

    def __init__(self, *, size=(48, 48), order=1, anti_aliasing=None, image_shape=None):
        self.size = size
        self.order = order
        self.anti_aliasing = anti_aliasing
        self.image_shape = image_shape

    def _check_params(self, image_shape):
        check_positive_pair(self.size, "size", "(height, width)")

    def _output_shape(self, image_shape):
        return check_positive_pair(self.size, "size", "(height, width)")

    def _transform_images(self, images):
        from skimage.transform import resize

        n = images.shape[0]
        h, w = self.output_shape_
        kwargs = dict(order=self.order, anti_aliasing=self.anti_aliasing, preserve_range=True)
        if n == 0:
            return np.empty((0, h, w))
        if self.order <= 1:
            if self.anti_aliasing is None:
                # decide as scikit-image would for one image, not for the batch
                kwargs["anti_aliasing"] = not (images.dtype.kind in "ui" and self.order == 0) and (
                    h < images.shape[1] or w < images.shape[2]
                )
            return resize(images, (n, h, w), **kwargs)
        return np.stack([resize(image, (h, w), **kwargs) for image in images])

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags


class CenterCrop(_ImageTransformer):
    """Keep the central region of every image.

    Face crops such as FER2013's include hair and background at the borders;
    cropping the centre keeps eyes, brows and mouth. The crop starts at row
    ``(height - crop_height) // 2`` and column ``(width - crop_width) // 2``.

    Returns the cropped pixels unchanged (same values and dtype as the validated
    input: uint8 stays uint8, floats stay floats).

    Parameters
    ----------
    size : float or tuple of (int, int), default=0.875
        A float in (0, 1]: the fraction of the height and of the width kept
        (rounded to the nearest pixel, at least one; 0.875 keeps 42x42 of 48x48).
        A pair of ints: the output ``(height, width)`` in pixels.
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
        Shape of the cropped images.
    offset_ : tuple of (int, int)
        Row and column of the crop's top-left pixel.
    n_features_in_ : int
        Number of pixels per image.
    feature_names_in_ : ndarray of str
        Names of the input columns, when ``X`` was a DataFrame with string
        column names.

    See Also
    --------
    ImageResizer : Resize images.

    Examples
    --------
    >>> import numpy as np
    >>> from fer_features import CenterCrop
    >>> X = np.arange(25).reshape(1, 25)
    >>> crop = CenterCrop(size=(3, 2)).fit(X)
    >>> crop.transform(X).reshape(crop.output_shape_)
    array([[ 6,  7],
           [11, 12],
           [16, 17]])
    >>> CenterCrop(size=0.5).fit(np.zeros((1, 48, 48))).output_shape_
    (24, 24)
    """

    _parameter_constraints = {
        "size": [Interval(Real, 0, 1, closed="right"), "array-like"],
        "image_shape": ["array-like", None],
    }
    _keep_dtypes = "numeric"

    def __init__(self, *, size=0.875, image_shape=None):
        self.size = size
        self.image_shape = image_shape

    def _crop_shape(self, image_shape):
        h, w = image_shape
        if isinstance(self.size, Real) and not isinstance(self.size, bool):
            return max(1, int(round(h * self.size))), max(1, int(round(w * self.size)))
        ch, cw = check_positive_pair(self.size, "size", "(height, width)")
        if ch > h or cw > w:
            raise ValueError(
                f"size={(ch, cw)} is larger than the images, of shape {image_shape}; "
                f"use a crop size of at most {image_shape}"
            )
        return ch, cw

    def _check_params(self, image_shape):
        self._crop_shape(image_shape)

    def _output_shape(self, image_shape):
        ch, cw = self._crop_shape(image_shape)
        self.offset_ = ((image_shape[0] - ch) // 2, (image_shape[1] - cw) // 2)
        return ch, cw

    def _transform_images(self, images):
        (top, left), (ch, cw) = self.offset_, self.output_shape_
        return np.ascontiguousarray(images[:, top : top + ch, left : left + cw])

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags
