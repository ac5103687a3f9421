"""Cropping faces out of photos, framed as FER2013's 48x48 faces are."""

import math
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin, clone

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


def _check_shape(image_shape, caller):
    try:
        shape = tuple(image_shape)
    except TypeError:
        shape = ()
    if len(shape) != 2 or not all(
        isinstance(s, Integral) and not isinstance(s, bool) and s > 0 for s in shape
    ):
        raise ValueError(
            f"{caller}: image_shape must be a pair (height, width) of positive "
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
    grey : ndarray of uint8 of shape (height, width)
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
    face : ndarray of uint8 of shape image_shape
    """
    scale, shift_x, shift_y = _check_framing(framing, "crop_face")
    shape = _check_shape(image_shape, "crop_face")
    x, y, w, h = (float(v) for v in box)
    side = scale * w
    side_y = side * shape[0] / shape[1]  # keep the output's aspect
    cx, cy = x + w / 2 + shift_x * w, y + h / 2 + shift_y * h
    return _resample(grey, cx - side / 2, cy - side_y / 2, side, side_y, shape)


def center_crop(grey, *, image_shape=(48, 48)):
    """The largest centred window of ``grey`` with the aspect of ``image_shape``, resized.

    Parameters
    ----------
    grey : ndarray of uint8 of shape (height, width)
    image_shape : tuple of (int, int), default=(48, 48)

    Returns
    -------
    image : ndarray of uint8 of shape image_shape
    """
    shape = _check_shape(image_shape, "center_crop")
    height, width = grey.shape
    side_x = min(width, height * shape[1] / shape[0])
    side_y = side_x * shape[0] / shape[1]
    return _resample(grey, (width - side_x) / 2, (height - side_y) / 2, side_x, side_y, shape)


class FaceCropper(TransformerMixin, BaseEstimator):
    """Crop the largest face of each photo, framed as FER2013's, grey and resized.

    A scikit-learn transformer whose input is a *list of photos* (file names,
    Pillow images or arrays, colour or grey, each of its own size) rather
    than a 2-D array, since photos do not share a shape; a stack ``(n, h, w)``
    or ``(n, h, w, 3)`` of same-sized photos is accepted too. Its output is in
    the library's image convention, an array ``(n_photos, height * width)``
    of uint8, so that it can stand in front of any pipeline trained on
    :func:`~fer_features.load_fer2013` rows, inside a
    :class:`~sklearn.pipeline.Pipeline`. Nothing is learnt: ``fit`` checks
    the parameters and prepares the detector.

    Each photo's largest detected face is cropped with :func:`crop_face`: a
    square ``framing[0]`` times the detector's box, the framing measured on
    FER2013 itself (:data:`FER2013_FRAMING`), so that a cropped face is
    positioned and sized in its 48x48 frame as FER2013's faces are. A photo
    where no face is found falls back to its centre crop
    (:func:`center_crop`); the indices of those photos are kept in
    ``fallback_``.

    Parameters
    ----------
    detector : FaceDetector or None, default=None
        The detector (cloned); ``None`` is ``FaceDetector()``.
    image_shape : tuple of (int, int), default=(48, 48)
        ``(height, width)`` of the crops.
    framing : "fer2013" or tuple of (float, float, float), default="fer2013"
        ``(scale, shift_x, shift_y)`` of the crop relative to the detector's
        box (see :func:`crop_face`).

    Attributes
    ----------
    detector_ : FaceDetector
        The fitted clone of ``detector``.
    image_shape_ : tuple of (int, int)
    n_features_out_ : int
        ``height * width``.
    boxes_ : ndarray of int64 of shape (n_photos, 4)
        The face box cropped in each photo of the last :meth:`transform`
        (``-1`` for a fallback). Set by ``transform``, not by ``fit``: it
        describes the last photos transformed.
    fallback_ : ndarray of int64
        Indices, among the photos of the last :meth:`transform`, of those with
        no detected face, which were centre-cropped instead.

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
    """

    def __init__(self, *, detector=None, image_shape=(48, 48), framing="fer2013"):
        self.detector = detector
        self.image_shape = image_shape
        self.framing = framing

    def fit(self, X=None, y=None):
        """Check the parameters and prepare the detector (nothing is learnt).

        Parameters
        ----------
        X : list of photos, default=None
            Ignored.
        y : ignored

        Returns
        -------
        self : FaceCropper
        """
        caller = type(self).__name__
        self.image_shape_ = _check_shape(self.image_shape, caller)
        self.framing_ = _check_framing(self.framing, caller)
        if self.detector is not None and not isinstance(self.detector, FaceDetector):
            raise ValueError(
                f"{caller}: detector must be a FaceDetector or None, got "
                f"{type(self.detector).__name__}"
            )
        self.detector_ = clone(self.detector if self.detector is not None else FaceDetector()).fit()
        self.n_features_out_ = self.image_shape_[0] * self.image_shape_[1]
        return self

    def transform(self, X):
        """Crop the largest face of each photo.

        Parameters
        ----------
        X : list of photos
            File names, Pillow images or arrays of any sizes.

        Returns
        -------
        faces : ndarray of uint8 of shape (n_photos, height * width)
        """
        from sklearn.utils.validation import check_is_fitted

        check_is_fitted(self, "detector_")
        photos = as_photo_list(X, f"{type(self).__name__}.transform")
        out = np.empty((len(photos), self.n_features_out_), dtype=np.uint8)
        boxes = np.full((len(photos), 4), -1, dtype=np.int64)
        fallback = []
        greys = [to_grey(read_photo(photo, which=f"photo {i}")) for i, photo in enumerate(photos)]
        for i, (grey, found) in enumerate(zip(greys, self.detector_._detect_many(greys))):
            if len(found):
                largest = int(np.argmax(found.boxes[:, 2] * found.boxes[:, 3]))
                boxes[i] = found.boxes[largest]
                face = crop_face(
                    grey, boxes[i], framing=self.framing_, image_shape=self.image_shape_
                )
            else:
                fallback.append(i)
                face = center_crop(grey, image_shape=self.image_shape_)
            out[i] = face.ravel()
        self.boxes_ = boxes
        self.fallback_ = np.asarray(fallback, dtype=np.int64)
        return out

    def get_feature_names_out(self, input_features=None):
        """Names ``pixel0`` ... ``pixel{height * width - 1}`` of the output columns.

        Parameters
        ----------
        input_features : ignored

        Returns
        -------
        feature_names_out : ndarray of str objects
        """
        from sklearn.utils.validation import check_is_fitted

        check_is_fitted(self, "detector_")
        return np.asarray([f"pixel{i}" for i in range(self.n_features_out_)], dtype=object)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False
        tags.requires_fit = False
        return tags
