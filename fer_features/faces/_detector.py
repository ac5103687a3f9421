"""Face detection in photographs: scikit-image's LBP cascade, or OpenCV's Haar cascades."""

import functools
from numbers import Integral, Real
from typing import NamedTuple

import numpy as np
from sklearn.base import BaseEstimator

from ._photos import as_photo_list, read_photo, to_grey

__all__ = ["Detections", "FaceDetector", "box_iou", "group_detections"]


class Detections(NamedTuple):
    """The faces found in one photo.

    Attributes
    ----------
    boxes : ndarray of int64 of shape (n_faces, 4)
        ``(x, y, w, h)`` of each face in the photo's pixels: column ``x``, row
        ``y`` of the top-left corner, width and height.
    scores : ndarray of float64 of shape (n_faces,)
        The detector's score of each face (see :class:`FaceDetector`); faces
        are sorted by decreasing score, then decreasing size.
    """

    boxes: np.ndarray
    scores: np.ndarray

    def __len__(self):  # the number of faces, not of fields
        return int(self.boxes.shape[0])

    def __iter__(self):  # unpacks as (boxes, scores)
        return iter((self.boxes, self.scores))


def _empty():
    return Detections(np.zeros((0, 4), dtype=np.int64), np.zeros(0, dtype=np.float64))


def box_iou(a, b):
    """Intersection over union of boxes ``a`` (n, 4) and ``b`` (m, 4), ``(x, y, w, h)``.

    Returns
    -------
    iou : ndarray of shape (n, m)
    """
    a = np.asarray(a, dtype=np.float64).reshape(-1, 4)
    b = np.asarray(b, dtype=np.float64).reshape(-1, 4)
    x0 = np.maximum(a[:, None, 0], b[None, :, 0])
    y0 = np.maximum(a[:, None, 1], b[None, :, 1])
    x1 = np.minimum(a[:, None, 0] + a[:, None, 2], b[None, :, 0] + b[None, :, 2])
    y1 = np.minimum(a[:, None, 1] + a[:, None, 3], b[None, :, 1] + b[None, :, 3])
    inter = np.clip(x1 - x0, 0, None) * np.clip(y1 - y0, 0, None)
    union = (a[:, None, 2] * a[:, None, 3] + b[None, :, 2] * b[None, :, 3]) - inter
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(union > 0, inter / union, 0.0)


def _containment(a, b):
    """Intersection of boxes over the area of the smaller one, (n, m)."""
    a = np.asarray(a, dtype=np.float64).reshape(-1, 4)
    b = np.asarray(b, dtype=np.float64).reshape(-1, 4)
    x0 = np.maximum(a[:, None, 0], b[None, :, 0])
    y0 = np.maximum(a[:, None, 1], b[None, :, 1])
    x1 = np.minimum(a[:, None, 0] + a[:, None, 2], b[None, :, 0] + b[None, :, 2])
    y1 = np.minimum(a[:, None, 1] + a[:, None, 3], b[None, :, 1] + b[None, :, 3])
    inter = np.clip(x1 - x0, 0, None) * np.clip(y1 - y0, 0, None)
    small = np.minimum(a[:, None, 2] * a[:, None, 3], b[None, :, 2] * b[None, :, 3])
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(small > 0, inter / small, 0.0)


def group_detections(raw, *, overlap=0.3, min_neighbors=3):
    """Merge overlapping raw detections into faces, each scored by its group's size.

    Raw windows are linked when their intersection over union exceeds
    ``overlap``; each connected group becomes one face whose box is the mean
    of its windows and whose score is the number of windows merged (what
    OpenCV calls the neighbours of a detection). Groups of fewer than
    ``min_neighbors`` windows are dropped, and so is a face lying mostly
    (more than half its area) inside a face of higher score.

    Parameters
    ----------
    raw : array-like of shape (n_windows, 4)
        ``(x, y, w, h)`` of the raw windows the cascade accepted.
    overlap : float, default=0.3
    min_neighbors : int, default=3

    Returns
    -------
    detections : Detections
        Sorted by decreasing score, then decreasing area.

    Examples
    --------
    >>> from fer_features.faces import group_detections
    >>> raw = [[10, 10, 20, 20], [11, 10, 20, 20], [10, 12, 22, 22], [80, 80, 20, 20]]
    >>> faces = group_detections(raw, min_neighbors=2)
    >>> faces.boxes.tolist(), faces.scores.tolist()
    ([[10, 11, 21, 21]], [3.0])
    """
    raw = np.asarray(raw, dtype=np.float64).reshape(-1, 4)
    if raw.shape[0] == 0:
        return _empty()
    n = raw.shape[0]
    linked = box_iou(raw, raw) > overlap
    # connected components by union-find over the linked pairs
    parent = np.arange(n)

    def find(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, j in zip(*np.nonzero(np.triu(linked, 1))):
        ri, rj = find(i), find(j)
        if ri != rj:
            parent[max(ri, rj)] = min(ri, rj)
    roots = np.array([find(i) for i in range(n)])
    labels, counts = np.unique(roots, return_counts=True)
    keep = counts >= min_neighbors
    if not keep.any():
        return _empty()
    boxes = np.array([raw[roots == label].mean(axis=0) for label in labels[keep]])
    boxes = np.rint(boxes).astype(np.int64)
    scores = counts[keep].astype(np.float64)
    order = np.lexsort((-boxes[:, 2] * boxes[:, 3], -scores))
    boxes, scores = boxes[order], scores[order]
    inside = _containment(boxes, boxes) > 0.5
    kept = []
    for i in range(len(boxes)):
        if not any(inside[i, j] for j in kept):
            kept.append(i)
    return Detections(boxes[kept], scores[kept])


@functools.cache
def _skimage_cascade():
    """scikit-image's LBP frontal-face cascade, read once per process.

    Reading its XML costs some 15 ms, more than detecting in a small photo, and
    a fitted cascade is only read from: detectors and their threads share it.
    """
    from skimage.data import lbp_frontal_face_cascade_filename
    from skimage.feature import Cascade

    return Cascade(lbp_frontal_face_cascade_filename())


def _opencv_cascade(name):
    """Load one of OpenCV's bundled Haar cascades, or say clearly why it cannot be."""
    try:
        import cv2
    except ImportError as exc:
        raise ImportError(
            "FaceDetector(backend='opencv') needs OpenCV with its Haar cascades, which is "
            "not installed: `pip install 'opencv-python-headless<5'` (the opencv extra of "
            "fer_features; OpenCV is optional, "
            "backend='skimage', the default, needs nothing more)"
        ) from exc
    version = getattr(cv2, "__version__", "unknown")
    folder = getattr(getattr(cv2, "data", None), "haarcascades", None)
    import os

    path = None if folder is None else os.path.join(folder, name)
    if path is None or not os.path.isfile(path):
        major = version.split(".")[0]
        why = (
            f"OpenCV {major} wheels no longer ship them"
            if major.isdigit() and int(major) >= 5
            else "a partial or broken OpenCV install?"
        )
        raise ImportError(
            f"FaceDetector(backend='opencv'): the installed OpenCV {version} does not ship "
            f"its Haar cascades (cv2.data.haarcascades has no {name!r}: {why}); run "
            f"`pip install 'opencv-python-headless<5'` (the opencv extra of fer_features) "
            f"or use backend='skimage'"
        )
    cascade = cv2.CascadeClassifier(path)
    if cascade.empty():
        raise ImportError(
            f"FaceDetector(backend='opencv'): OpenCV {version} could not load the cascade {path!r}"
        )
    return cascade


class FaceDetector(BaseEstimator):
    """Find frontal faces in photographs, in batches.

    The default backend runs the LBP frontal-face cascade that scikit-image
    ships (:func:`skimage.data.lbp_frontal_face_cascade_filename`, trained by
    OpenCV) through :class:`skimage.feature.Cascade`: no extra dependency and
    nothing downloaded. ``backend="opencv"`` runs OpenCV's Haar cascade
    ``haarcascade_frontalface_default.xml`` instead, when an OpenCV that still
    ships it (``opencv-python-headless<5``) is installed; OpenCV is never a
    dependency.

    Photos larger than ``max_side`` are downscaled (their longer side to
    ``max_side``) before detection and the boxes mapped back to the photo's
    pixels, which bounds the time per photo: about 100 ms or less for a
    640x480 photo on one CPU core (see ``benchmarks/bench_faces.py``). The
    price is a smallest detectable face of ``24 * longer side / max_side``
    pixels (48 px in a 640x480 photo with the default ``max_side=320``).

    The cascade accepts many overlapping windows around each face; they are
    merged by :func:`group_detections`, and a face's score is the number of
    windows merged (at least ``min_neighbors``): higher is more certain.

    Parameters
    ----------
    backend : {"skimage", "opencv"}, default="skimage"
    scale_factor : float, default=1.2
        Ratio of successive window sizes (> 1): smaller is slower and finds
        more.
    step_ratio : float, default=1.5
        Window step as a fraction of the scale (skimage backend): 1 is an
        exhaustive search (two to three times as slow as 1.5, finding more
        faces and more false ones), larger is faster.
    min_size : int, default=24
        Smallest face side searched, in pixels of the image the cascade sees
        (after any downscaling); the cascade's own window is 24.
    max_side : int or None, default=320
        Downscale photos whose longer side exceeds this before detection;
        None detects at full resolution.
    min_neighbors : int, default=2
        Faces backed by fewer raw windows are dropped (raise it with a
        smaller ``step_ratio``, which gives more windows per face).
    overlap : float, default=0.3
        Intersection over union above which raw windows are merged.
    n_jobs : int or None, default=None
        Threads detecting the photos of a batch in parallel (the cascades
        release the GIL): ``None`` is 1, ``-1`` every CPU core.

    See Also
    --------
    FaceCropper : crops the faces found, framed as FER2013's.
    ExpressionRecognizer : detects, crops and classifies in one call.

    Examples
    --------
    >>> from skimage import data
    >>> from fer_features.faces import FaceDetector
    >>> [faces] = FaceDetector().detect([data.astronaut()])
    >>> len(faces)
    1
    >>> x, y, w, h = faces.boxes[0]
    >>> bool(150 < x + w / 2 < 260 and 60 < y + h / 2 < 180)
    True
    """

    def __init__(
        self,
        *,
        backend="skimage",
        scale_factor=1.2,
        step_ratio=1.5,
        min_size=24,
        max_side=320,
        min_neighbors=2,
        overlap=0.3,
        n_jobs=None,
    ):
        self.backend = backend
        self.scale_factor = scale_factor
        self.step_ratio = step_ratio
        self.min_size = min_size
        self.max_side = max_side
        self.min_neighbors = min_neighbors
        self.overlap = overlap
        self.n_jobs = n_jobs

    def _validate(self):
        caller = type(self).__name__
        if self.backend not in ("skimage", "opencv"):
            raise ValueError(
                f"{caller}: backend must be 'skimage' or 'opencv', got {self.backend!r}"
            )
        for name, low in (("scale_factor", 1.0), ("step_ratio", 0.0)):
            value = getattr(self, name)
            if not isinstance(value, Real) or isinstance(value, bool) or not value > low:
                raise ValueError(f"{caller}: {name} must be a number > {low:g}, got {value!r}")
        for name, low, none_ok in (
            ("min_size", 1, False),
            ("max_side", 24, True),
            ("min_neighbors", 1, False),
        ):
            value = getattr(self, name)
            if value is None and none_ok:
                continue
            if not isinstance(value, Integral) or isinstance(value, bool) or value < low:
                raise ValueError(
                    f"{caller}: {name} must be an integer >= {low}"
                    f"{' or None' if none_ok else ''}, got {value!r}"
                )
        if (
            not isinstance(self.overlap, Real)
            or isinstance(self.overlap, bool)
            or not 0 <= self.overlap < 1
        ):
            raise ValueError(f"{caller}: overlap must be a number in [0, 1), got {self.overlap!r}")
        if self.n_jobs is not None and (
            not isinstance(self.n_jobs, Integral)
            or isinstance(self.n_jobs, bool)
            or self.n_jobs == 0
        ):
            raise ValueError(
                f"{caller}: n_jobs must be a non-zero integer or None, got {self.n_jobs!r}"
            )

    def fit(self, X=None, y=None):
        """Check the parameters and load the cascade (nothing is learnt).

        Parameters
        ----------
        X, y : ignored

        Returns
        -------
        self : FaceDetector
        """
        self._validate()
        if self.backend == "skimage":
            self.cascade_ = _skimage_cascade()
        else:
            self.cascade_ = _opencv_cascade("haarcascade_frontalface_default.xml")
        self.fitted_params_ = self.get_params()
        return self

    def _ensure_fitted(self):
        if getattr(self, "fitted_params_", None) != self.get_params():
            self.fit()

    def __getstate__(self):  # the cascades do not pickle; they are reloaded on use
        state = dict(self.__dict__)
        state.pop("cascade_", None)
        state.pop("fitted_params_", None)
        return state

    def detect(self, photos):
        """Find the faces of each photo.

        Parameters
        ----------
        photos : list of (str, path-like, PIL.Image.Image or array-like)
            Photos of any sizes, colour or grey (see
            :func:`~fer_features.faces.read_photo`); a stack ``(n, h, w)`` or
            ``(n, h, w, 3)`` is also read as ``n`` photos.

        Returns
        -------
        detections : list of Detections
            One per photo: ``boxes`` ``(n_faces, 4)`` as ``(x, y, w, h)`` in
            the photo's pixels and ``scores`` ``(n_faces,)``.
        """
        photos = as_photo_list(photos, f"{type(self).__name__}.detect")
        self._ensure_fitted()
        return self._detect_many(
            to_grey(read_photo(p, which=f"photo {i}")) for i, p in enumerate(photos)
        )

    def _detect_many(self, greys):
        """Detections of grey uint8 images (an iterable), on ``n_jobs`` threads."""
        from joblib import effective_n_jobs

        self._ensure_fitted()  # the cascade is reloaded after unpickling
        n_jobs = effective_n_jobs(self.n_jobs)
        if n_jobs == 1:
            return [self._detect_grey(grey) for grey in greys]
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=n_jobs) as pool:
            return list(pool.map(self._detect_grey, greys))

    def _detect_grey(self, grey):
        """Detections of one grey uint8 ``(h, w)`` image."""
        height, width = grey.shape
        scale = 1.0
        if self.max_side is not None and max(height, width) > self.max_side:
            from PIL import Image

            scale = self.max_side / max(height, width)
            size = (max(1, round(width * scale)), max(1, round(height * scale)))
            grey = np.asarray(Image.fromarray(grey).resize(size, Image.Resampling.BILINEAR))
        small = min(grey.shape)
        min_size = max(int(self.min_size), 24)
        if small < min_size:
            return _empty()
        if self.backend == "skimage":
            found = self.cascade_.detect_multi_scale(
                img=grey.astype(np.float32) / 255.0,
                scale_factor=float(self.scale_factor),
                step_ratio=float(self.step_ratio),
                min_size=(min_size, min_size),
                max_size=(small, small),
                min_neighbor_number=1,
                # a threshold above 1 keeps every raw window: we group them ourselves
                intersection_score_threshold=2.0,
            )
            raw = np.array(
                [[d["c"], d["r"], d["width"], d["height"]] for d in found], dtype=np.float64
            ).reshape(-1, 4)
            faces = group_detections(
                raw, overlap=self.overlap, min_neighbors=int(self.min_neighbors)
            )
        else:
            boxes, counts = self.cascade_.detectMultiScale2(
                grey,
                scaleFactor=float(self.scale_factor),
                minNeighbors=int(self.min_neighbors),
                minSize=(min_size, min_size),
            )
            boxes = np.asarray(boxes, dtype=np.int64).reshape(-1, 4)
            scores = np.asarray(counts, dtype=np.float64).reshape(-1)
            order = np.lexsort((-boxes[:, 2] * boxes[:, 3], -scores))
            faces = Detections(boxes[order], scores[order])
        if scale != 1.0 and len(faces):
            boxes = np.rint(faces.boxes / scale).astype(np.int64)
            boxes[:, 2] = np.minimum(boxes[:, 2], width - boxes[:, 0])
            boxes[:, 3] = np.minimum(boxes[:, 3], height - boxes[:, 1])
            faces = Detections(boxes, faces.scores)
        return faces
