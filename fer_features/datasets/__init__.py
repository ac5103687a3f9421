"""Data: the FER2013 CSV, folders of images, built-in synthetic faces.

Every loader returns a :class:`sklearn.utils.Bunch` with the same fields
(``images`` ``(n, h, w)`` uint8, ``data`` ``(n, h * w)`` uint8, ``target``,
``target_names`` in the shared expression vocabulary, ``usage``, ``groups``,
``DESCR``), or ``(data, target)`` with ``return_X_y=True``.
"""

from ._base import select_classes
from ._fer2013 import FER2013_USAGES, load_fer2013
from ._folder import (
    IMAGE_EXTENSIONS,
    SUBJECT_PATTERNS,
    SYSTEM_FOLDERS,
    load_image_folder,
)
from ._load import FER2013_ENV, describe_datasets, load_dataset
from ._synthetic import make_synthetic_faces
from ._vocabulary import DATASET_CODES, EXPRESSIONS, align_targets, canonical_expression

__all__ = [
    "load_fer2013",
    "load_image_folder",
    "make_synthetic_faces",
    "load_dataset",
    "describe_datasets",
    "EXPRESSIONS",
    "DATASET_CODES",
    "canonical_expression",
    "align_targets",
    "select_classes",
    "FER2013_USAGES",
    "FER2013_ENV",
    "IMAGE_EXTENSIONS",
    "SUBJECT_PATTERNS",
    "SYSTEM_FOLDERS",
]
