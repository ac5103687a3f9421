"""Cropping faces out of photos, framed as FER2013's 48x48 faces are."""

import math
import os
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin, clone

from .._images import (
    as_images,
    check_input_features,
    flatten_images,
    resolve_image_shape,
    validate_fitted_images,
    validate_images,
)
from ._detector import FaceDetector
from ._photos import as_photo_list, read_photo, to_grey

__all__ = ["FER2013_FRAMING", "FaceCropper", "center_crop", "crop_face"]

#: How FER2013 frames a face relative to the box :class:`FaceDetector` puts
#: around it, as ``(scale, shift_x, shift_y)``: the crop is a square of side
#: ``scale * w`` centred at ``(x + w / 2 + shift_x * w, y + h / 2 + shift_y * h)``.
#: Measured by detecting faces in FER2013 images upscaled 4 times and padded
#: (``benchmarks/bench_faces.py --framing`` prints the measurement): the
#: medians over the faces found.
FER2013_FRAMING = (1.03, 0.0, 0.0)

# what rows of images are validated as: uint8 and floats kept, the rest float64
_ROW_DTYPES = [np.float64, np.float32, np.uint8]


def _check_shape(image_shape, caller, name="image_shape"):
    try:
        shape = tuple(image_shape)
    except TypeError:
        shape = ()
    if len(shape) != 2 or not all(
        isinstance(s, Integral) and not isinstance(s, bool) and s > 0 for s in shape
    ):
        raise ValueError(
            f"{caller}: {name} must be a pair (height, width) of positive "
            f"integers, got {image_shape!r}"
        )
    return int(shape[0]), int(shape[1])


def _check_framing(framing, caller):
    if isinstance(framing, str):
        if framing != "fer2013":
            raise ValueError(
                f"{caller}: framing must be 'fer2013' or a tuple (scale, shift_x, "
                f"shift_y), got {framing!r}"
            )
        return FER2013_FRAMING
    try:
        values = tuple(framing)
    except TypeError:
        values = ()
    if (
        len(values) != 3
        or not all(
            isinstance(v, Real) and not isinstance(v, bool) and math.isfinite(v) for v in values
        )
        or values[0] <= 0
    ):
        raise ValueError(
            f"{caller}: framing must be 'fer2013' or a tuple (scale, shift_x, "
            f"shift_y) of numbers with scale > 0, got {framing!r}"
        )
    return tuple(float(v) for v in values)


def _resample(grey, left, top, side_x, side_y, image_shape):
    """The window ``(left, top, side_x, side_y)`` (floats, may leave the image) of a
    grey uint8 image, resized to ``image_shape``; outside pixels repeat the edge."""
    from PIL import Image

    if grey.dtype != np.uint8:  # pixel values of another scale: resampled as float32
        grey = grey.astype(np.float32)
    height, width = grey.shape
    x0, y0 = math.floor(left), math.floor(top)
    x1, y1 = math.ceil(left + side_x), math.ceil(top + side_y)
    pad = ((max(0, -y0), max(0, y1 - height)), (max(0, -x0), max(0, x1 - width)))
    sub = grey[max(0, y0) : min(height, y1), max(0, x0) : min(width, x1)]
    if sub.size == 0:  # the window lies wholly outside: the nearest edge pixel
        sub = grey[
            min(max(0, y0), height - 1) : min(max(0, y0), height - 1) + 1,
            min(max(0, x0), width - 1) : min(max(0, x0), width - 1) + 1,
        ]
        pad = ((0, y1 - y0 - 1), (0, x1 - x0 - 1))
    if any(p for pair in pad for p in pair):
        sub = np.pad(sub, pad, mode="edge")
    box = (left - x0, top - y0, left - x0 + side_x, top - y0 + side_y)
    out = Image.fromarray(np.ascontiguousarray(sub)).resize(
        (image_shape[1], image_shape[0]), Image.Resampling.BILINEAR, box=box
    )
    return np.asarray(out)


def crop_face(grey, box, *, framing="fer2013", image_shape=(48, 48)):
    """Crop the face in ``box`` out of a grey photo, framed as FER2013's faces.

    Parameters
    ----------
    grey : ndarray of shape (height, width)
        uint8, or pixel values of any scale (resampled as float32).
    box : array-like of 4 numbers
        ``(x, y, w, h)`` as :class:`FaceDetector` returns it.
    framing : "fer2013" or tuple of (float, float, float), default="fer2013"
        ``(scale, shift_x, shift_y)``: a square of side ``scale * w`` centred at
        ``(x + w/2 + shift_x * w, y + h/2 + shift_y * h)``;
        ``"fer2013"`` is :data:`FER2013_FRAMING`. Parts outside the photo
        repeat its edge pixels.
    image_shape : tuple of (int, int), default=(48, 48)

    Returns
    -------
    face : ndarray of shape image_shape
        uint8 for a uint8 ``grey``, float32 otherwise.
    """
    scale, shift_x, shift_y = _check_framing(framing, "crop_face")
    shape = _check_shape(image_shape, "crop_face")
    x, y, w, h = (float(v) for v in box)
    side = scale * w
    side_y = side * shape[0] / shape[1]  # keep the output's aspect
    cx, cy = x + w / 2 + shift_x * w, y + h / 2 + shift_y * h
    return _resample(grey, cx - side / 2, cy - side_y / 2, side, side_y, shape)


def _crop_levelled(grey, box, tilt, framing, image_shape):
    """:func:`crop_face`, the window turned by ``tilt`` degrees about its centre.

    The window 1.5 times as large is resampled at three times the crop's size
    (so that a large face is smoothed before it shrinks), rotated by ``-tilt``
    at twice the crop's size with bilinear interpolation (edge pixels
    repeated), and averaged over 2x2 blocks. A tilt of 0 gives the crop of
    :func:`crop_face` to within interpolation.
    """
    from scipy import ndimage

    scale, shift_x, shift_y = framing
    height, width = image_shape
    x, y, w, h = (float(v) for v in box)
    side = scale * w
    side_y = side * height / width
    cx, cy = x + w / 2 + shift_x * w, y + h / 2 + shift_y * h
    big = _resample(
        grey,
        cx - 0.75 * side,
        cy - 0.75 * side_y,
        1.5 * side,
        1.5 * side_y,
        (3 * height, 3 * width),
    ).astype(np.float64)
    r, c = np.mgrid[0 : 2 * height, 0 : 2 * width].astype(np.float64)
    r -= (2 * height - 1) / 2
    c -= (2 * width - 1) / 2
    t = np.deg2rad(-tilt)  # turning the face by -tilt levels it
    xs = np.cos(t) * c - np.sin(t) * r + (3 * width - 1) / 2
    ys = np.sin(t) * c + np.cos(t) * r + (3 * height - 1) / 2
    fine = ndimage.map_coordinates(big, [ys, xs], order=1, mode="nearest")
    face = fine.reshape(height, 2, width, 2).mean(axis=(1, 3))
    if grey.dtype == np.uint8:
        return np.clip(np.rint(face), 0, 255).astype(np.uint8)
    return face.astype(np.float32)


def center_crop(grey, *, image_shape=(48, 48)):
    """The largest centred window of ``grey`` with the aspect of ``image_shape``, resized.

    Parameters
    ----------
    grey : ndarray of shape (height, width)
        uint8, or pixel values of any scale (resampled as float32).
    image_shape : tuple of (int, int), default=(48, 48)

    Returns
    -------
    image : ndarray of shape image_shape
        uint8 for a uint8 ``grey``, float32 otherwise.
    """
    shape = _check_shape(image_shape, "center_crop")
    height, width = grey.shape
    side_x = min(width, height * shape[1] / shape[0])
    side_y = side_x * shape[0] / shape[1]
    return _resample(grey, (width - side_x) / 2, (height - side_y) / 2, side_x, side_y, shape)


def _is_photo_batch(X):
    """Whether ``X`` is a batch of photos rather than rows of images.

    Photos: a list or tuple holding file names, Pillow images or 2-D / 3-D
    arrays (an empty list too, refused later with its own message), or a
    colour stack ``(n, h, w, 3)`` or ``(n, h, w, 4)``. Everything else (a 2-D
    array, a stack ``(n, h, w)``, a DataFrame, a list of rows) is rows of
    images in the library's convention.
    """
    if isinstance(X, np.ndarray):
        return X.ndim == 4 and X.shape[-1] in (3, 4)
    if not isinstance(X, (list, tuple)):
        return False
    if not X:
        return True
    from PIL import Image

    first = X[0]
    return isinstance(first, (str, os.PathLike, Image.Image)) or np.ndim(first) >= 2


class FaceCropper(TransformerMixin, BaseEstimator):
    """Crop the largest face of each image, framed as FER2013's, grey and resized.

    A scikit-learn transformer with two kinds of input. Rows of images in the
    library's convention, ``X`` of shape ``(n_samples, height * width)`` read
    with ``image_shape`` (or a stack ``(n_samples, height, width)``), of any
    size: frames of a camera, say, or FER2013's own rows. Or a *list of
    photos* (file names, Pillow images or arrays, colour or grey, each of its
    own size), since photos do not share a shape; a stack ``(n, h, w, 3)``
    of same-sized colour photos is accepted too. Its output is in the
    library's image convention, an array ``(n_samples, size[0] * size[1])``,
    so that it can stand in front of any pipeline trained on
    :func:`~fer_features.load_fer2013` rows, inside a
    :class:`~sklearn.pipeline.Pipeline`. Nothing is learnt: ``fit`` checks
    the parameters, prepares the detector and, for rows, records their shape.

    Each image's largest detected face is cropped with :func:`crop_face`: a
    square ``framing[0]`` times the detector's box, the framing measured on
    FER2013 itself (:data:`FER2013_FRAMING`), so that a cropped face is
    positioned and sized in its frame as FER2013's faces are. An image where
    no face is found falls back to its centre crop (:func:`center_crop`); the
    indices of those images are kept in ``fallback_``.

    Photos are read as uint8 (see :func:`~fer_features.faces.read_photo`) and
    give uint8 crops. Rows give crops on their own pixel scale: uint8 rows
    give uint8 crops, float rows float crops (float32 for float32 rows,
    float64 otherwise), resampled from the values themselves; the detector
    sees them as :func:`~fer_features.faces.read_photo` reads an array (floats
    of at most 1 as [0, 1], others as [0, 255], clipped).

    Parameters
    ----------
    detector : FaceDetector or None, default=None
        The detector (cloned); ``None`` is ``FaceDetector()``.
    size : tuple of (int, int), default=(48, 48)
        ``(height, width)`` of the crops.
    framing : "fer2013" or tuple of (float, float, float), default="fer2013"
        ``(scale, shift_x, shift_y)`` of the crop relative to the detector's
        box (see :func:`crop_face`).
    align : bool, default=False
        Level the eyes of each detected face: its tilt is estimated from
        its left-right mirror symmetry (up to 15 degrees either way) and the
        crop turned by it about the crop's centre, from the image's own
        pixels. It helps tilted faces and costs a little on upright ones
        (measured in the user guide, "Eye-line alignment"); the fallback
        centre crops are not turned.
    image_shape : tuple of (int, int) or None, default=None
        ``(height, width)`` in which a row of ``X`` is read. One side may be -1:
        it is then inferred from the number of features, as in
        :func:`numpy.reshape` (``(1, -1)`` reads each row as a one-pixel-high
        strip). ``None``: the shape of 3-D input, otherwise a square.
        Not used for a list of photos, which have shapes of their own.

    Attributes
    ----------
    detector_ : FaceDetector
        The fitted clone of ``detector``.
    output_shape_ : tuple of (int, int)
        ``size``.
    n_features_out_ : int
        ``size[0] * size[1]``.
    image_shape_ : tuple of (int, int)
        Shape of the rows seen in :meth:`fit` (only when fitted on rows).
    n_features_in_ : int
        Number of pixels per row (only when fitted on rows).
    feature_names_in_ : ndarray of str
        Names of the input columns, when ``X`` was a DataFrame with string
        column names.
    boxes_ : ndarray of int64 of shape (n_samples, 4)
        The face box cropped in each image of the last :meth:`transform`
        (``-1`` for a fallback). Set by ``transform``, not by ``fit``: it
        describes the last images transformed.
    fallback_ : ndarray of int64
        Indices, among the images of the last :meth:`transform`, of those
        with no detected face, which were centre-cropped instead.
    tilts_ : ndarray of float64 of shape (n_samples,)
        With ``align=True``, the tilt (degrees, counterclockwise as
        displayed) each face of the last :meth:`transform` was turned back
        by; 0 for the fallbacks, and everywhere with ``align=False``.

    See Also
    --------
    FaceDetector : finds the faces.
    ExpressionRecognizer : crops every face and classifies its expression.

    Examples
    --------
    >>> from skimage import data
    >>> from fer_features.faces import FaceCropper
    >>> cropper = FaceCropper().fit()
    >>> faces = cropper.transform([data.astronaut(), data.astronaut()[:, ::-1]])
    >>> faces.shape, faces.dtype.name
    ((2, 2304), 'uint8')
    >>> cropper.fallback_.tolist()
    []

    Rows of grey images, here of 512x512 pixels:

    >>> grey = data.astronaut().mean(axis=2).astype("uint8")
    >>> rows = grey.reshape(1, -1)
    >>> FaceCropper(size=(32, 32)).fit_transform(rows).shape
    (1, 1024)
    """

    def __init__(
        self, *, detector=None, size=(48, 48), framing="fer2013", align=False, image_shape=None
    ):
        self.detector = detector
        self.size = size
        self.framing = framing
        self.align = align
        self.image_shape = image_shape

    def fit(self, X=None, y=None):
        """Check the parameters, prepare the detector and record the rows' shape.

        Parameters
        ----------
        X : array-like of shape (n_samples, height * width), list of photos or None
            Rows: their shape is recorded (``image_shape_``, ``n_features_in_``)
            and checked again by :meth:`transform`. Photos or ``None``: not used.
        y : ignored

        Returns
        -------
        self : FaceCropper
        """
        caller = type(self).__name__
        self.output_shape_ = _check_shape(self.size, caller, "size")
        self.framing_ = _check_framing(self.framing, caller)
        if not isinstance(self.align, (bool, np.bool_)):
            raise ValueError(f"{caller}: align must be True or False, got {self.align!r}")
        if self.detector is not None and not isinstance(self.detector, FaceDetector):
            raise ValueError(
                f"{caller}: detector must be a FaceDetector or None, got "
                f"{type(self.detector).__name__}"
            )
        for name in ("image_shape_", "n_features_in_", "feature_names_in_"):
            self.__dict__.pop(name, None)  # from an earlier fit on rows
        if X is not None and not _is_photo_batch(X):
            validate_images(self, X, dtype=_ROW_DTYPES)
        self.detector_ = clone(self.detector if self.detector is not None else FaceDetector()).fit()
        self.n_features_out_ = self.output_shape_[0] * self.output_shape_[1]
        return self

    def transform(self, X):
        """Crop the largest face of each image.

        Parameters
        ----------
        X : array-like of shape (n_samples, height * width) or list of photos
            Rows of images read with ``image_shape`` (a stack ``(n_samples,
            height, width)`` too), or photos: file names, Pillow images or
            arrays of any sizes.

        Returns
        -------
        faces : ndarray of shape (n_samples, size[0] * size[1])
            uint8 for photos and uint8 rows, float for float rows.
        """
        from sklearn.utils.validation import check_is_fitted, validate_data

        check_is_fitted(self, "detector_")
        caller = f"{type(self).__name__}.transform"
        if _is_photo_batch(X):
            photos = as_photo_list(X, caller)
            greys = [to_grey(read_photo(p, which=f"photo {i}")) for i, p in enumerate(photos)]
            values, dtype = greys, np.uint8
        else:
            if hasattr(self, "n_features_in_"):
                X, shape = validate_fitted_images(self, X, dtype=_ROW_DTYPES)
            else:  # fitted without rows: any shape is taken
                X, implied = flatten_images(X)
                X = validate_data(self, X, dtype=_ROW_DTYPES, reset=False)
                shape = resolve_image_shape(X.shape[1], self.image_shape, implied)
            values = as_images(X, shape)
            greys = [read_photo(v, which=f"row {i}") for i, v in enumerate(values)]
            dtype = X.dtype
        out = np.empty((len(greys), self.n_features_out_), dtype=dtype)
        boxes = np.full((len(greys), 4), -1, dtype=np.int64)
        fallback = []
        for i, found in enumerate(self.detector_._detect_many(greys)):
            if len(found):
                largest = int(np.argmax(found.boxes[:, 2] * found.boxes[:, 3]))
                boxes[i] = found.boxes[largest]
                face = crop_face(
                    values[i], boxes[i], framing=self.framing_, image_shape=self.output_shape_
                )
            else:
                fallback.append(i)
                face = center_crop(values[i], image_shape=self.output_shape_)
            out[i] = face.ravel()
        tilts = np.zeros(len(greys))
        found = np.flatnonzero(boxes[:, 0] >= 0) if self.align else []
        if len(found):
            from ._align import estimate_tilt

            tilts[found] = estimate_tilt(out[found].reshape(-1, *self.output_shape_))
            for i in found:
                face = _crop_levelled(
                    values[i], boxes[i], tilts[i], self.framing_, self.output_shape_
                )
                out[i] = face.ravel()
        self.boxes_ = boxes
        self.fallback_ = np.asarray(fallback, dtype=np.int64)
        self.tilts_ = tilts
        return out

    def get_feature_names_out(self, input_features=None):
        """Names ``pixel0`` ... ``pixel{size[0] * size[1] - 1}`` of the output columns.

        Parameters
        ----------
        input_features : array-like of str or None, default=None
            Only checked against the rows seen in :meth:`fit`, if any.

        Returns
        -------
        feature_names_out : ndarray of str objects
        """
        from sklearn.utils.validation import check_is_fitted

        check_is_fitted(self, "detector_")
        if hasattr(self, "n_features_in_"):
            check_input_features(self, input_features)
        return np.asarray([f"pixel{i}" for i in range(self.n_features_out_)], dtype=object)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags
