"""Faces in photographs and video: detection, cropping, expression recognition.

Photos have sizes of their own, so the functions here take *lists* of photos
(file names, Pillow images or arrays, colour or grey) rather than the rows of
48x48 faces the rest of the library works on; :class:`FaceCropper` turns
photos, or rows of larger images, into such rows, framed as FER2013's faces
are (and levelled, with ``align=True``), and
:class:`ExpressionRecognizer` runs a classifier fitted on such rows on every
face of a photo. :func:`recognize_video` does it for a video, with PyAV (the
``video`` extra), imported only when a video is read. :func:`predict_file`
tells a photo file from a video file and returns its faces as plain data (what
``fer-features predict`` prints).
"""

from ._cropper import FER2013_FRAMING, FaceCropper, center_crop, crop_face
from ._detector import Detections, FaceDetector, box_iou, group_detections
from ._photos import read_photo
from ._predict import (
    VIDEO_EXTENSIONS,
    FilePrediction,
    input_kind,
    predict_file,
    write_annotated_video,
)
from ._recognizer import ExpressionRecognizer, RecognizedFace, expression_names
from ._video import IoUTracker, read_video_frames, recognize_video

__all__ = [
    "FER2013_FRAMING",
    "VIDEO_EXTENSIONS",
    "Detections",
    "ExpressionRecognizer",
    "FaceCropper",
    "FaceDetector",
    "FilePrediction",
    "IoUTracker",
    "RecognizedFace",
    "box_iou",
    "center_crop",
    "crop_face",
    "expression_names",
    "group_detections",
    "input_kind",
    "predict_file",
    "read_photo",
    "read_video_frames",
    "recognize_video",
    "write_annotated_video",
]
