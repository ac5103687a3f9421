"""Data: the FER2013 CSV, folders of images, built-in synthetic faces.

Every loader returns a :class:`sklearn.utils.Bunch` with the same fields
(``images`` ``(n, h, w)`` uint8, ``data`` ``(n, h * w)`` uint8, ``target``,
``target_names`` in the shared expression vocabulary, ``usage``, ``groups``,
``DESCR``), or ``(data, target)`` with ``return_X_y=True``.
"""

from ._base import select_classes
from ._fer2013 import FER2013_USAGES, load_fer2013
from ._synthetic import make_synthetic_faces
from ._vocabulary import DATASET_CODES, EXPRESSIONS, align_targets, canonical_expression

__all__ = [
    "load_fer2013",
    "make_synthetic_faces",
    "FER2013_USAGES",
    "EXPRESSIONS",
    "DATASET_CODES",
    "canonical_expression",
    "align_targets",
    "select_classes",
]
