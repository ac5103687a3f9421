"""Cleaning face data sets: exact and near duplicates, label conflicts, blanks.

:func:`find_duplicates` returns a :class:`DuplicateReport` whose
:meth:`~DuplicateReport.keep_mask` gives the rows to keep; :func:`phash` is the
perceptual hash it compares (equal to ``imagehash.phash``, on a whole batch).
"""

from ._duplicates import find_duplicates
from ._files import check_cleaned_out, find_dataset_duplicates, write_cleaned
from ._phash import hamming_distance, phash
from ._report import DuplicateReport

__all__ = [
    "find_duplicates",
    "DuplicateReport",
    "phash",
    "hamming_distance",
    "find_dataset_duplicates",
    "write_cleaned",
    "check_cleaned_out",
]
