"""Expressions of the faces in files: a photo or a video, told apart, as plain data.

This is what ``fer-features predict`` does for each input, reachable from
Python: :func:`input_kind` tells a photo from a video, :func:`predict_file`
recognises its faces (:meth:`ExpressionRecognizer.recognize` for a photo,
:func:`recognize_video` for a video) and returns a :class:`FilePrediction`,
whose :meth:`~FilePrediction.to_dict` is JSON-ready; :func:`write_annotated_video`
draws a video's faces on its frames.
"""

import os
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

import numpy as np

from ._recognizer import ExpressionRecognizer, RecognizedFace

__all__ = [
    "VIDEO_EXTENSIONS",
    "FilePrediction",
    "input_kind",
    "predict_file",
    "write_annotated_video",
]

#: Extensions read as video without trying them as pictures first.
VIDEO_EXTENSIONS = frozenset(
    {
        ".mp4",
        ".m4v",
        ".mov",
        ".avi",
        ".mkv",
        ".webm",
        ".mpg",
        ".mpeg",
        ".wmv",
        ".flv",
        ".3gp",
        ".ogv",
        ".ts",
        ".mts",
        ".m2ts",
    }
)

# FFmpeg demuxers that turn any text file into "video"; never a video here
_TEXT_FORMATS = frozenset({"tty", "ansi", "bin", "xbin", "idf", "adf", "txt"})


def _import_av_for(path):
    from ._video import _import_av

    try:
        return _import_av()
    except ImportError as exc:
        raise ImportError(f"{os.fspath(path)!r} looks like a video and {exc}") from None


def _is_video(path, av):
    """Whether FFmpeg reads a video stream from ``path`` (a picture or text file is not)."""
    try:
        container = av.open(os.fspath(path))
    except Exception:  # noqa: BLE001 - FFmpeg raises many kinds on what it cannot read
        return False
    with container:
        names = set(container.format.name.split(","))
        return bool(container.streams.video) and not names & _TEXT_FORMATS


def input_kind(path):
    """Tell whether ``path`` is a photo or a video.

    A name ending in a video extension (:data:`VIDEO_EXTENSIONS`) is a video;
    otherwise a file Pillow opens is a photo, and one from which PyAV (the
    ``video`` extra) reads a video stream is a video.

    Parameters
    ----------
    path : str or path-like

    Returns
    -------
    kind : {"photo", "video"}

    Raises
    ------
    FileNotFoundError
        If there is no such file.
    ValueError
        If it is neither a picture Pillow reads nor a video FFmpeg reads.
    ImportError
        If it has a video extension and PyAV is not installed.
    """
    from PIL import Image, UnidentifiedImageError

    name = os.fspath(path)
    if os.path.isdir(name):
        raise IsADirectoryError(21, f"{name!r} is a folder, not a photo or a video", name)
    if not os.path.isfile(name):
        raise FileNotFoundError(2, f"no such file {name!r}", name)
    if Path(name).suffix.lower() in VIDEO_EXTENSIONS:
        _import_av_for(name)
        return "video"
    try:
        with Image.open(name):
            return "photo"
    except (UnidentifiedImageError, OSError, ValueError):
        pass
    try:
        import av
    except ImportError:
        av = None
    if av is not None and _is_video(name, av):
        return "video"
    raise ValueError(
        f"{name!r} is not a picture Pillow reads or a video FFmpeg reads"
        + (
            ""
            if av is not None
            else " (PyAV, the 'video' extra, is not installed to try it as a video)"
        )
    )


def _face_dict(face):
    return {
        "box": [int(v) for v in face.box],
        "score": float(face.score),
        "expression": face.expression,
        "probabilities": {k: float(v) for k, v in face.probabilities.items()},
    }


@dataclass
class FilePrediction:
    """The faces of one photo or video, as :func:`predict_file` found them.

    Attributes
    ----------
    input : str
        The file.
    kind : {"photo", "video"}
    faces : list of RecognizedFace or None
        A photo's faces (decreasing detector score); ``None`` for a video.
    timeline : pandas.DataFrame or None
        A video's faces, one row per face per frame recognised, as
        :func:`recognize_video` returns them; ``None`` for a photo.
    class_names : list of str
        The expressions, in the classifier's order.
    every : int
        For a video, every ``every``-th frame was recognised.
    """

    input: str
    kind: str
    faces: list = None
    timeline: object = field(default=None, repr=False)
    class_names: list = field(default_factory=list, repr=False)
    every: int = 1

    def video_frames(self):
        """A video's faces frame by frame: ``[(frame, time, [(face_id, RecognizedFace)])]``.

        Only frames in which a face was found are listed.
        """
        if self.timeline is None:
            raise ValueError(f"{self.input!r} is a photo; it has no frames")
        names = self.class_names
        frames = []
        table = self.timeline
        columns = [
            table[c].to_numpy()
            for c in ("frame", "time", "face_id", "x", "y", "w", "h", "score", "expression")
        ]
        proba = table[names].to_numpy(dtype=np.float64) if len(table) else np.zeros((0, 0))
        for row, p in zip(zip(*columns), proba):
            frame, time, face_id, x, y, w, h, score, expression = row
            face = RecognizedFace(
                box=(int(x), int(y), int(w), int(h)),
                score=float(score),
                expression=str(expression),
                probabilities={n: float(v) for n, v in zip(names, p)},
            )
            if not frames or frames[-1][0] != int(frame):
                frames.append((int(frame), float(time), []))
            frames[-1][2].append((int(face_id), face))
        return frames

    def to_dict(self):
        """A JSON-ready dict.

        A photo: ``{"input": PATH, "faces": [{"box": [x, y, w, h], "score": S,
        "expression": NAME, "probabilities": {NAME: P, ...}}, ...]}``. A video:
        ``{"input": PATH, "frames": [{"frame": N, "time": T, "faces": [...]},
        ...]}`` with a ``"face_id"`` on each face, frames without faces left out.
        """
        if self.kind == "photo":
            return {"input": self.input, "faces": [_face_dict(f) for f in self.faces]}
        return {
            "input": self.input,
            "frames": [
                {
                    "frame": frame,
                    "time": time,
                    "faces": [{"face_id": face_id, **_face_dict(face)} for face_id, face in faces],
                }
                for frame, time, faces in self.video_frames()
            ],
        }


def predict_file(path, recognizer, *, every=1):
    """Recognise the expression of every face of a photo or video file.

    Parameters
    ----------
    path : str or path-like
        A picture Pillow reads or a video FFmpeg reads (see :func:`input_kind`).
    recognizer : ExpressionRecognizer or fitted classifier
        A classifier is wrapped in ``ExpressionRecognizer(recognizer)``.
    every : int, default=1
        For a video, recognise every ``every``-th frame.

    Returns
    -------
    prediction : FilePrediction

    Examples
    --------
    >>> import tempfile, os
    >>> from skimage import data
    >>> from PIL import Image
    >>> from sklearn.dummy import DummyClassifier
    >>> from fer_features.faces import predict_file
    >>> model = DummyClassifier().fit([[0] * 2304] * 2, [3, 6])
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     path = os.path.join(tmp, "astronaut.png")
    ...     Image.fromarray(data.astronaut()).save(path)
    ...     result = predict_file(path, model).to_dict()
    >>> [face["expression"] for face in result["faces"]]
    ['happy']
    """
    if not isinstance(recognizer, ExpressionRecognizer):
        recognizer = ExpressionRecognizer(recognizer)
    name = os.fspath(path)
    kind = input_kind(name)
    if kind == "photo":
        return FilePrediction(
            input=name,
            kind=kind,
            faces=recognizer.recognize(name),
            class_names=list(recognizer.class_names_),
        )
    from ._video import recognize_video

    timeline = recognize_video(name, recognizer, every=every)
    return FilePrediction(
        input=name,
        kind=kind,
        timeline=timeline,
        class_names=list(recognizer.class_names_),
        every=every,
    )


def _encoder(av):
    """The best video encoder this PyAV build has: H.264 (libx264), else MPEG-4 part 2."""
    for codec in ("libx264", "mpeg4"):
        try:
            av.codec.Codec(codec, "w")
        except Exception:  # noqa: BLE001, S112 - UnknownCodecError: a build without it
            continue
        return codec
    raise ValueError("this PyAV build has neither the libx264 nor the mpeg4 encoder")


def write_annotated_video(prediction, recognizer, out):
    """Write a video's frames with each face's box and expression drawn.

    Frames between two recognised ones (``every`` > 1) show the faces of the
    last recognised frame. The encoder is H.264 (``libx264``) where PyAV has
    it, MPEG-4 otherwise; the container follows ``out``'s extension (``.mp4``,
    ``.mkv``, ``.mov``, ``.avi``). Odd widths and heights lose their last
    pixel column or row (the encoders need even sizes).

    Parameters
    ----------
    prediction : FilePrediction
        A video's, from :func:`predict_file`.
    recognizer : ExpressionRecognizer
        Draws the faces (:meth:`ExpressionRecognizer.annotate`).
    out : str or path-like

    Returns
    -------
    n_frames : int
        Frames written.
    """
    from ._video import _import_av

    if prediction.kind != "video":
        raise ValueError(
            f"{prediction.input!r} is a photo; write it with "
            f"ExpressionRecognizer.annotate(...).save(...)"
        )
    av = _import_av()
    codec = _encoder(av)
    by_frame = {frame: [face for _, face in faces] for frame, _, faces in prediction.video_frames()}
    n_written = 0
    with av.open(prediction.input) as source, av.open(os.fspath(out), "w") as target:
        in_stream = source.streams.video[0]
        rate = in_stream.average_rate or Fraction(25)
        stream = None
        faces = []
        for index, frame in enumerate(source.decode(in_stream)):
            array = frame.to_ndarray(format="rgb24")
            if index % prediction.every == 0:  # a recognised frame
                faces = by_frame.get(index, [])
            h, w = array.shape[0] // 2 * 2, array.shape[1] // 2 * 2
            if stream is None:
                if h < 2 or w < 2:
                    raise ValueError(
                        f"{prediction.input!r}: frames of {array.shape[1]}x"
                        f"{array.shape[0]} pixels are too small to encode"
                    )
                stream = target.add_stream(codec, rate=rate)
                stream.width, stream.height, stream.pix_fmt = w, h, "yuv420p"
            image = np.asarray(recognizer.annotate(array, faces))[:h, :w]
            video_frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(image), format="rgb24")
            for packet in stream.encode(video_frame):
                target.mux(packet)
            n_written += 1
        if stream is not None:
            for packet in stream.encode():
                target.mux(packet)
    return n_written
