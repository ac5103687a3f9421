"""Expressions of every face in photos: detect, crop, classify in one batch."""

import os
from dataclasses import dataclass, field
from numbers import Integral

import numpy as np
from sklearn.base import clone

from ._cropper import _check_framing, _check_shape, crop_face
from ._detector import FaceDetector
from ._photos import read_photo, to_grey

__all__ = ["ExpressionRecognizer", "RecognizedFace", "expression_names"]


@dataclass(frozen=True)
class RecognizedFace:
    """One face found in a photo and its expression.

    Attributes
    ----------
    box : tuple of (int, int, int, int)
        ``(x, y, w, h)`` in the photo's pixels.
    score : float
        The detector's score (see :class:`FaceDetector`).
    expression : str
        The most probable expression.
    probabilities : dict of str to float
        The probability of every expression, in the classifier's class order.
    """

    box: tuple
    score: float
    expression: str
    probabilities: dict = field(repr=False)


def expression_names(classes, class_names=None):
    """Names of a classifier's classes: integer labels read as FER2013 codes.

    Parameters
    ----------
    classes : array-like of shape (n_classes,)
        The classifier's ``classes_``.
    class_names : sequence of str or None, default=None
        Names given by the user: one per class, or (for integer classes) one
        per code, ``class_names[c]`` naming class ``c``.

    Returns
    -------
    names : list of str
    """
    from ..datasets import DATASET_CODES, canonical_expression

    classes = list(np.asarray(classes).tolist())
    integral = all(isinstance(c, Integral) and not isinstance(c, bool) for c in classes)
    if class_names is not None:
        names = [str(n) for n in class_names]
        if len(names) == len(classes):
            return names
        if integral and all(0 <= c < len(names) for c in classes):
            return [names[c] for c in classes]
        raise ValueError(
            f"class_names has {len(names)} names but the classifier has "
            f"{len(classes)} classes {classes!r}"
        )
    if integral:
        codes = DATASET_CODES["fer2013"]
        missing = [c for c in classes if c not in codes]
        if missing:
            raise ValueError(
                f"the classifier's integer classes {missing!r} are not FER2013 "
                f"codes (0-6); pass class_names=[...] to name them"
            )
        return [codes[c] for c in classes]
    names = []
    for c in classes:
        try:
            names.append(canonical_expression(str(c)))
        except ValueError:
            names.append(str(c))
    return names


def _is_single(photos):
    from PIL import Image

    if isinstance(photos, (str, os.PathLike, Image.Image)):
        return True
    if isinstance(photos, np.ndarray):
        return photos.ndim == 2 or (photos.ndim == 3 and photos.shape[-1] in (3, 4))
    return False


class ExpressionRecognizer:
    """Find every face in photos and classify its expression.

    Each photo goes through :class:`FaceDetector`; every face found is cropped
    with FER2013's framing (:func:`crop_face`), grey, at ``image_shape``,
    flattened; the faces of all the photos given go through the classifier's
    ``predict_proba`` in one batch.

    Parameters
    ----------
    estimator : fitted classifier
        Anything with ``predict_proba`` and ``classes_`` that takes flattened
        ``image_shape`` grey rows of uint8 pixels (0-255), such as a classic
        pipeline fitted on :func:`~fer_features.load_fer2013` data.
    detector : FaceDetector or None, default=None
        ``None`` is ``FaceDetector()``.
    class_names : sequence of str or None, default=None
        Names of the classes. By default integer classes are FER2013 codes
        (``0`` is ``"angry"``, ..., ``6`` is ``"neutral"``, the shared
        vocabulary of :mod:`fer_features.datasets`) and string classes are
        read through :func:`~fer_features.canonical_expression`.
    image_shape : tuple of (int, int), default=(48, 48)
        The classifier's input image shape.
    framing : "fer2013" or tuple, default="fer2013"
        See :func:`crop_face`.

    Attributes
    ----------
    class_names_ : list of str
        The expression names, in the classifier's class order.
    detector_ : FaceDetector

    See Also
    --------
    recognize_video : the same for every frame of a video, with face tracking.
    fer_features.plotting.FaceExpressionsDisplay : draws a photo's faces and
        their probabilities.

    Examples
    --------
    >>> from skimage import data
    >>> from sklearn.dummy import DummyClassifier
    >>> from fer_features.faces import ExpressionRecognizer
    >>> model = DummyClassifier().fit([[0] * 2304] * 2, [3, 6])
    >>> [face] = ExpressionRecognizer(model).recognize(data.astronaut())
    >>> face.expression, face.probabilities
    ('happy', {'happy': 0.5, 'neutral': 0.5})
    """

    def __init__(
        self, estimator, detector=None, *, class_names=None, image_shape=(48, 48), framing="fer2013"
    ):
        caller = type(self).__name__
        if not hasattr(estimator, "predict_proba"):
            raise ValueError(
                f"{caller}: the estimator {type(estimator).__name__} has no "
                f"predict_proba; use a probabilistic classifier"
            )
        if not hasattr(estimator, "classes_"):
            raise ValueError(
                f"{caller}: the estimator {type(estimator).__name__} is not "
                f"fitted (it has no classes_); fit it first"
            )
        if detector is not None and not isinstance(detector, FaceDetector):
            raise ValueError(
                f"{caller}: detector must be a FaceDetector or None, got {type(detector).__name__}"
            )
        self.estimator = estimator
        self.detector = detector
        self.class_names = class_names
        self.image_shape = _check_shape(image_shape, caller)
        self.framing = _check_framing(framing, caller)
        self.class_names_ = expression_names(estimator.classes_, class_names)
        self.detector_ = clone(detector if detector is not None else FaceDetector()).fit()

    def _crops(self, grey, boxes):
        return [
            crop_face(grey, box, framing=self.framing, image_shape=self.image_shape).ravel()
            for box in boxes
        ]

    def _classify(self, crops):
        """Probabilities ``(n_faces, n_classes)`` of flattened crops, one batch."""
        n_classes = len(self.class_names_)
        if not crops:
            return np.zeros((0, n_classes))
        proba = np.asarray(self.estimator.predict_proba(np.stack(crops)), dtype=np.float64)
        if proba.shape != (len(crops), n_classes):
            raise ValueError(
                f"the estimator's predict_proba returned shape {proba.shape}, "
                f"expected {(len(crops), n_classes)}"
            )
        return proba

    def _faces(self, detections, proba):
        names = self.class_names_
        faces = []
        for box, score, p in zip(detections.boxes, detections.scores, proba):
            faces.append(
                RecognizedFace(
                    box=tuple(int(v) for v in box),
                    score=float(score),
                    expression=names[int(np.argmax(p))],
                    probabilities={n: float(v) for n, v in zip(names, p)},
                )
            )
        return faces

    def recognize(self, photos):
        """Every face of a photo, or of each photo of a list, with its expression.

        Parameters
        ----------
        photos : photo or list of photos
            A file name, Pillow image or array (``(h, w)`` grey or ``(h, w, 3)``
            colour), or a list of them (any sizes).

        Returns
        -------
        faces : list of RecognizedFace, or list of such lists
            For one photo, its faces; for a list, one list per photo. Faces
            come in the detector's order (decreasing score).
        """
        single = _is_single(photos)
        from ._photos import as_photo_list

        batch = [photos] if single else as_photo_list(photos, f"{type(self).__name__}.recognize")
        greys = [to_grey(read_photo(photo, which=f"photo {i}")) for i, photo in enumerate(batch)]
        detections, crops = self.detector_._detect_many(greys), []
        for grey, found in zip(greys, detections):
            crops.extend(self._crops(grey, found.boxes))
        proba = self._classify(crops)
        out, start = [], 0
        for found in detections:
            out.append(self._faces(found, proba[start : start + len(found)]))
            start += len(found)
        return out[0] if single else out

    def annotate(self, photo, faces=None, *, width=None):
        """A copy of ``photo`` with each face's box, expression and probability drawn.

        Parameters
        ----------
        photo : str, path-like, PIL.Image.Image or array-like
        faces : list of RecognizedFace, default=None
            The faces to draw; by default :meth:`recognize` finds them.
        width : int, default=None
            Line width of the boxes; by default 1/150 of the photo's longer side.

        Returns
        -------
        image : PIL.Image.Image
            An RGB copy; the photo itself is unchanged.
        """
        from PIL import Image, ImageDraw, ImageFont

        array = read_photo(photo)
        if faces is None:
            faces = self.recognize(array)
        image = Image.fromarray(array).convert("RGB")
        draw = ImageDraw.Draw(image)
        longer = max(image.size)
        width = max(1, longer // 150) if width is None else int(width)
        try:
            font = ImageFont.load_default(size=max(10, longer // 40))
        except TypeError:  # Pillow < 10.1 has no sized default font
            font = ImageFont.load_default()
        for face in faces:
            x, y, w, h = face.box
            colour = _PALETTE[self.class_names_.index(face.expression) % len(_PALETTE)]
            draw.rectangle([x, y, x + w - 1, y + h - 1], outline=colour, width=width)
            label = (
                f"{face.expression} {face.probabilities[face.expression]:.0%} "
                f"(score {face.score:g})"
            )
            left, top, right, bottom = draw.textbbox((0, 0), label, font=font)
            ty = y - (bottom - top) - 2 * width if y - (bottom - top) - 2 * width >= 0 else y + h
            draw.rectangle(
                [x, ty, x + right - left + 2 * width, ty + bottom - top + 2 * width], fill=colour
            )
            draw.text((x + width - left, ty + width - top), label, fill=(0, 0, 0), font=font)
        return image


#: Box colours, one per class index (matplotlib's tab10).
_PALETTE = [
    (31, 119, 180),
    (255, 127, 14),
    (44, 160, 44),
    (214, 39, 40),
    (148, 103, 189),
    (140, 86, 75),
    (227, 119, 194),
    (127, 127, 127),
    (188, 189, 34),
    (23, 190, 207),
]
