"""Expressions of the faces of a video, frame by frame, each face followed by its id."""

import os
from numbers import Integral, Real

import numpy as np

from ._detector import box_iou
from ._recognizer import ExpressionRecognizer

__all__ = ["IoUTracker", "read_video_frames", "recognize_video"]


def _import_av():
    try:
        import av
    except ImportError as exc:
        raise ImportError(
            "reading video needs PyAV, which is not installed: "
            "`pip install 'fer_features[video]'` (or `pip install av`)"
        ) from exc
    return av


def read_video_frames(path, *, every=1, max_frames=None):
    """Yield ``(frame index, time in seconds, grey uint8 frame)`` of a video file.

    Frames are decoded by PyAV (FFmpeg's libraries, shipped in its wheels),
    converted to grey by FFmpeg, and only every ``every``-th frame is
    converted (the others are decoded and dropped). Times are the frames'
    presentation times, exact for variable frame rates too.

    Parameters
    ----------
    path : str or path-like
    every : int, default=1
    max_frames : int or None, default=None
        Stop after this many frames read (counting skipped ones).

    Yields
    ------
    index : int
    time : float
    frame : ndarray of uint8 of shape (height, width)
    """
    av = _import_av()
    if not os.path.isfile(path):
        raise FileNotFoundError(f"no such video file {os.fspath(path)!r}")
    try:
        container = av.open(os.fspath(path))
    except Exception as exc:
        raise ValueError(f"cannot read video {os.fspath(path)!r}: {exc}") from exc
    with container:
        if not container.streams.video:
            raise ValueError(f"{os.fspath(path)!r} has no video stream")
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        rate = float(stream.average_rate) if stream.average_rate else None
        for index, frame in enumerate(container.decode(stream)):
            if max_frames is not None and index >= max_frames:
                break
            if index % every:
                continue
            if frame.time is not None:
                time = float(frame.time)
            else:
                time = index / rate if rate else float("nan")
            yield index, time, frame.to_ndarray(format="gray")


class IoUTracker:
    """Give each face an id that it keeps from frame to frame, by box overlap.

    A face of a new frame takes the id of the face of a recent frame whose box
    overlaps it most (intersection over union above ``iou_threshold``), each
    id given to at most one face per frame (greedy, best overlaps first); a
    face matching none gets a new id. An id not seen for more than
    ``max_missed`` updates is forgotten.

    Parameters
    ----------
    iou_threshold : float, default=0.3
    max_missed : int, default=5

    Examples
    --------
    >>> from fer_features.faces import IoUTracker
    >>> tracker = IoUTracker()
    >>> tracker.update([[0, 0, 10, 10], [50, 50, 10, 10]]).tolist()
    [0, 1]
    >>> tracker.update([[52, 50, 10, 10], [1, 1, 10, 10]]).tolist()
    [1, 0]
    >>> tracker.update([[100, 100, 10, 10]]).tolist()
    [2]
    """

    def __init__(self, *, iou_threshold=0.3, max_missed=5):
        if (
            not isinstance(iou_threshold, Real)
            or isinstance(iou_threshold, bool)
            or not 0 <= iou_threshold < 1
        ):
            raise ValueError(
                f"IoUTracker: iou_threshold must be a number in [0, 1), got {iou_threshold!r}"
            )
        if not isinstance(max_missed, Integral) or isinstance(max_missed, bool) or max_missed < 0:
            raise ValueError(f"IoUTracker: max_missed must be an integer >= 0, got {max_missed!r}")
        self.iou_threshold = float(iou_threshold)
        self.max_missed = int(max_missed)
        self._tracks = {}  # id -> (last box, updates since seen)
        self._next = 0

    def update(self, boxes):
        """Ids of the faces ``boxes`` ``(n, 4)`` of the next frame."""
        boxes = np.asarray(boxes, dtype=np.float64).reshape(-1, 4)
        ids = np.full(len(boxes), -1, dtype=np.int64)
        known = list(self._tracks)
        if known and len(boxes):
            iou = box_iou(boxes, [self._tracks[k][0] for k in known])
            for flat in np.argsort(-iou, axis=None):
                i, j = np.unravel_index(flat, iou.shape)
                if iou[i, j] <= self.iou_threshold:
                    break
                if ids[i] < 0 and known[j] is not None:
                    ids[i] = known[j]
                    known[j] = None
        for i in np.flatnonzero(ids < 0):
            ids[i] = self._next
            self._next += 1
        seen = set(ids.tolist())
        for k in list(self._tracks):
            if k not in seen:
                box, missed = self._tracks[k]
                if missed + 1 > self.max_missed:
                    del self._tracks[k]
                else:
                    self._tracks[k] = (box, missed + 1)
        for k, box in zip(ids.tolist(), boxes):
            self._tracks[k] = (box, 0)
        return ids


def recognize_video(
    path,
    recognizer,
    *,
    every=1,
    max_frames=None,
    batch_size=256,
    iou_threshold=0.3,
    max_missed=5,
    class_names=None,
    detector=None,
):
    """Recognise the expression of every face of a video, frame by frame.

    Frames are read with PyAV (the ``video`` extra), every ``every``-th one
    kept; faces are detected in each kept frame, cropped with FER2013's
    framing, and the crops of many frames go through the classifier in
    batches of up to ``batch_size``. Faces keep an id from frame to frame
    (:class:`IoUTracker`).

    Parameters
    ----------
    path : str or path-like
        A video file FFmpeg reads (MP4, AVI, MKV, WebM, MOV, ...).
    recognizer : ExpressionRecognizer or fitted classifier
        A classifier is wrapped in ``ExpressionRecognizer(recognizer,
        detector, class_names=class_names)``.
    every : int, default=1
        Recognise every ``every``-th frame (1: all of them).
    max_frames : int or None, default=None
        Stop after this many frames of the video.
    batch_size : int, default=256
        Faces classified per call of ``predict_proba``.
    iou_threshold : float, default=0.3
        See :class:`IoUTracker`.
    max_missed : int, default=5
        Frames kept (counted among those recognised) a face may go unseen and
        keep its id.
    class_names : sequence of str or None, default=None
        Only when ``recognizer`` is a classifier.
    detector : FaceDetector or None, default=None
        Only when ``recognizer`` is a classifier.

    Returns
    -------
    faces : pandas.DataFrame
        One row per face per frame recognised: ``frame`` (index in the
        video), ``time`` (seconds), ``face_id``, ``x``, ``y``, ``w``, ``h``,
        ``score`` (the detector's), ``expression``, then one column per
        expression holding its probability.

    See Also
    --------
    fer_features.plotting.VideoExpressionsDisplay : draws the probabilities
        of each face over time.
    """
    import pandas as pd

    if not isinstance(recognizer, ExpressionRecognizer):
        recognizer = ExpressionRecognizer(recognizer, detector, class_names=class_names)
    elif class_names is not None or detector is not None:
        raise ValueError(
            "recognize_video: class_names and detector are for a classifier; "
            "an ExpressionRecognizer already has its own"
        )
    for name, value, low in (("every", every, 1), ("batch_size", batch_size, 1)):
        if not isinstance(value, Integral) or isinstance(value, bool) or value < low:
            raise ValueError(f"recognize_video: {name} must be a positive integer, got {value!r}")
    if max_frames is not None and (
        not isinstance(max_frames, Integral) or isinstance(max_frames, bool) or max_frames < 1
    ):
        raise ValueError(
            f"recognize_video: max_frames must be a positive integer or None, got {max_frames!r}"
        )
    tracker = IoUTracker(iou_threshold=iou_threshold, max_missed=max_missed)
    names = recognizer.class_names_
    rows, crops, probas = [], [], []

    def flush(full_only=False):
        while len(crops) >= batch_size or (crops and not full_only):
            probas.append(recognizer._classify(crops[:batch_size]))
            del crops[:batch_size]

    from joblib import effective_n_jobs

    # frames are detected a chunk at a time, on the detector's n_jobs threads
    chunk_size = 4 * effective_n_jobs(recognizer.detector_.n_jobs)
    chunk = []

    def detect_chunk():
        found_all = recognizer.detector_._detect_many([grey for _, _, grey in chunk])
        for (index, time, grey), found in zip(chunk, found_all):
            ids = tracker.update(found.boxes)
            for box, score, face_id in zip(found.boxes, found.scores, ids):
                rows.append((index, time, int(face_id), *(int(v) for v in box), float(score)))
            crops.extend(recognizer._crops(grey, found.boxes))
        chunk.clear()
        flush(full_only=True)

    for item in read_video_frames(path, every=every, max_frames=max_frames):
        chunk.append(item)
        if len(chunk) >= chunk_size:
            detect_chunk()
    detect_chunk()
    flush()
    columns = ["frame", "time", "face_id", "x", "y", "w", "h", "score"]
    frame = pd.DataFrame(rows, columns=columns)
    proba = np.concatenate(probas) if probas else np.zeros((0, len(names)))
    frame = frame.astype(
        {
            "frame": np.int64,
            "time": np.float64,
            "face_id": np.int64,
            "x": np.int64,
            "y": np.int64,
            "w": np.int64,
            "h": np.int64,
            "score": np.float64,
        }
    )
    frame["expression"] = pd.Series(
        [names[i] for i in proba.argmax(axis=1)] if len(proba) else [], dtype=object
    )
    for k, name in enumerate(names):
        frame[name] = proba[:, k]
    return frame
