"""Fingerprints of estimators, data and splits, and the per-estimator result files.

A result is reused on resume only when all three fingerprints match: the
estimator's parameters (every nested parameter, except ``n_jobs``, ``verbose``
and ``memory``, which do not change what is learned), the data (bytes of ``X``
and of the labels) and the split (the exact train and test indices of every
fold, after any per-class subsampling and dropping of test duplicates, and the
split options: subject-independent or not, duplicates dropped or not).
"""

import hashlib
import json
import math
import os
import re
import tempfile
import warnings
from numbers import Real
from pathlib import Path

import numpy as np

__all__ = [
    "RECORD_VERSION",
    "ResultStore",
    "check_out_dir",
    "data_fingerprint",
    "describe_estimator",
    "estimator_fingerprint",
    "file_stem",
    "split_fingerprint",
]

# version of the record layout; a record of another version is recomputed
RECORD_VERSION = 1

# the statuses a stored record may have
STATUSES = ("ok", "partial", "failed", "interrupted", "running")

# parameters that change how an estimator runs, not what it learns
IGNORED_PARAMS = frozenset({"n_jobs", "verbose", "memory"})


def _array_digest(array):
    array = np.asarray(array)
    digest = hashlib.sha256()
    digest.update(f"{array.dtype.str}{array.shape}".encode())
    if array.dtype.kind == "O":
        digest.update(repr(array.tolist()).encode())
    else:
        digest.update(memoryview(np.ascontiguousarray(array)).cast("B"))
    return digest.hexdigest()


def describe_estimator(value):
    """A canonical text of an estimator and all its nested parameters.

    Unlike ``repr``, it is never abbreviated and lists parameters in a fixed
    order, so that two estimators with the same parameters give the same text.

    Parameters
    ----------
    value : estimator or parameter value

    Returns
    -------
    text : str

    Examples
    --------
    >>> from sklearn.svm import SVC
    >>> from fer_features.benchmark import describe_estimator
    >>> describe_estimator(SVC(C=2))[:40]
    'sklearn.svm._classes.SVC(C=2, break_ties'
    """
    if hasattr(value, "get_params") and not isinstance(value, type):
        params = value.get_params(deep=False)
        inner = ", ".join(
            f"{key}={describe_estimator(params[key])}"
            for key in sorted(params)
            if key not in IGNORED_PARAMS
        )
        kind = type(value)
        return f"{kind.__module__}.{kind.__qualname__}({inner})"
    if isinstance(value, dict):
        return (
            "{"
            + ", ".join(
                f"{describe_estimator(k)}: {describe_estimator(value[k])}"
                for k in sorted(value, key=repr)
            )
            + "}"
        )
    if isinstance(value, (list, tuple)):
        inner = ", ".join(describe_estimator(v) for v in value)
        return f"[{inner}]" if isinstance(value, list) else f"({inner})"
    if isinstance(value, np.ndarray):
        return f"array<{_array_digest(value)}>"
    if isinstance(value, (np.integer, np.floating, np.bool_)):
        return repr(value.item())
    if callable(value) and hasattr(value, "__qualname__"):
        return f"{getattr(value, '__module__', '')}.{value.__qualname__}"
    return repr(value)


def estimator_fingerprint(estimator):
    """SHA-256 of :func:`describe_estimator` of ``estimator``."""
    return hashlib.sha256(describe_estimator(estimator).encode()).hexdigest()


def data_fingerprint(X, y):
    """SHA-256 of the data and the labels (values, dtypes and shapes)."""
    return hashlib.sha256((_array_digest(X) + _array_digest(y)).encode()).hexdigest()


def split_fingerprint(folds, options=None):
    """SHA-256 of the train and test indices of every fold, and of the split options.

    ``options`` (a JSON-able dict, e.g. ``{"grouped": True}``) names settings
    that change what a result means even where they leave the indices
    unchanged, so that results of other settings are never reused.
    """
    digest = hashlib.sha256()
    if options:
        digest.update(json.dumps(to_jsonable(options), sort_keys=True).encode())
    for train, test in folds:
        digest.update(_array_digest(np.asarray(train, dtype=np.int64)).encode())
        digest.update(_array_digest(np.asarray(test, dtype=np.int64)).encode())
    return digest.hexdigest()


def to_jsonable(value):
    """``value`` with NumPy types made plain and NaN / infinities turned to ``None``."""
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return to_jsonable(value.tolist())
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def write_json(path, payload):
    """Write ``payload`` as JSON atomically (a reader never sees half a file)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(to_jsonable(payload), f, indent=1, allow_nan=False)
            f.write("\n")
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def write_text(path, text):
    """Write ``text`` atomically."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def check_out_dir(out_dir):
    """Create the results folder if needed and check that files can be written there.

    Called before any work, so that a bad folder is reported before an
    estimator has spent time training.

    Parameters
    ----------
    out_dir : path-like

    Returns
    -------
    path : pathlib.Path

    Raises
    ------
    ValueError
        If ``out_dir`` is a file, lies under a file, or cannot be created or
        written to; the message names the folder and the reason.
    """
    path = Path(out_dir)
    if path.exists() and not path.is_dir():
        raise ValueError(
            f"the results folder {path} is a file, not a folder; give another --out (out_dir)"
        )
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ValueError(
            f"cannot create the results folder {path}: {exc.strerror or exc}"
        ) from None
    try:
        fd, tmp = tempfile.mkstemp(prefix=".write-check.", dir=path)
        os.close(fd)
        os.unlink(tmp)
    except OSError as exc:
        raise ValueError(
            f"cannot write in the results folder {path}: {exc.strerror or exc}"
        ) from None
    return path


def file_stem(name):
    """A file name for ``name``: unchanged when safe, else made safe plus a short hash.

    Two names that differ only in characters a file name cannot hold
    (``"lbp svc"``, ``"lbp/svc"``) get two different stems, and a safe name
    (``"lbp_svc"``) keeps its own.

    Examples
    --------
    >>> from fer_features.benchmark import file_stem
    >>> file_stem("lbp_svc"), file_stem("lbp svc")
    ('lbp_svc', 'lbp_svc-39654d8e')
    """
    name = str(name)
    safe = re.sub(r"[^A-Za-z0-9_.+=-]", "_", name).lstrip(".") or "_"
    if safe != name:
        safe += "-" + hashlib.sha256(name.encode()).hexdigest()[:8]
    return safe


def _is_number(value):
    return value is None or (isinstance(value, Real) and not isinstance(value, bool))


def _matrix_problem(matrix, where):
    if not (
        isinstance(matrix, list)
        and matrix
        and all(isinstance(r, list) and len(r) == len(matrix) for r in matrix)
        and all(isinstance(v, int) and not isinstance(v, bool) for r in matrix for v in r)
    ):
        return f"{where} has no square confusion matrix of counts"
    return None


_FOLD_KEYS = (
    "accuracy",
    "balanced_accuracy",
    "macro_f1",
    "fit_seconds",
    "predict_seconds",
    "ms_per_image",
    "peak_memory_mb",
    "n_train",
    "n_test",
)


def record_problem(record, name):
    """Why a stored record cannot be used, or ``None`` when it can."""
    from ._metrics import RECORDED_FIGURES

    if not isinstance(record, dict):
        return f"it holds a JSON {type(record).__name__}, not a record"
    if record.get("estimator") != name:
        return f"it is the record of {record.get('estimator')!r}, not of {name!r}"
    if record.get("version") != RECORD_VERSION:
        return f"its layout version is {record.get('version')!r}, this code writes {RECORD_VERSION}"
    if record.get("status") not in STATUSES:
        return f"its status {record.get('status')!r} is none of {', '.join(STATUSES)}"
    if not isinstance(record.get("fingerprints"), dict) and record["status"] != "failed":
        return "it has no fingerprints"
    folds = record.get("folds")
    if not isinstance(folds, list):
        return "its folds are not a list"
    for i, fold in enumerate(folds):
        if not isinstance(fold, dict):
            return f"fold {i + 1} is not an object"
        bad = [k for k in _FOLD_KEYS if k not in fold or not _is_number(fold[k])]
        if bad:
            return f"fold {i + 1} lacks a number for {bad[0]!r}"
        problem = _matrix_problem(fold.get("confusion_matrix"), f"fold {i + 1}")
        if problem:
            return problem
    if record["status"] != "ok":
        return None
    summary = record.get("summary")
    if not isinstance(summary, dict):
        return "it is finished but has no summary"
    bad = [k for k in RECORDED_FIGURES if k not in summary or not _is_number(summary[k])]
    if bad:
        return f"its summary lacks a number for {bad[0]!r}"
    problem = _matrix_problem(summary.get("confusion_matrix"), "its summary")
    if problem:
        return problem
    n = len(summary["confusion_matrix"])
    per_class = summary.get("per_class")
    if not (
        isinstance(per_class, dict)
        and all(
            isinstance(per_class.get(k), list) and len(per_class[k]) == n
            for k in ("precision", "recall", "f1", "support")
        )
    ):
        return f"its summary lacks per-class scores for {n} classes"
    if not isinstance(summary.get("most_confused", []), list):
        return "its most-confused pairs are not a list"
    if not folds:
        return "it is finished but has no fold"
    return None


class ResultStore:
    """The folder of per-estimator JSON results: ``<out_dir>/estimators/<name>.json``.

    Parameters
    ----------
    out_dir : path-like
        The benchmark's output folder (created when needed).
    """

    def __init__(self, out_dir):
        self.out_dir = Path(out_dir)
        self.folder = self.out_dir / "estimators"

    def path(self, name):
        """The file of estimator ``name`` (see :func:`file_stem`)."""
        return self.folder / f"{file_stem(name)}.json"

    def load(self, name):
        """The stored record of ``name``, or ``None``.

        A missing file gives ``None`` silently; a file that cannot be read, is
        not JSON (e.g. truncated) or is not a valid record gives ``None`` with a
        warning that names the file and the reason (the estimator is then
        computed again).
        """
        path = self.path(name)
        if not path.exists():
            return None
        try:
            with open(path, encoding="utf-8") as f:
                record = json.load(f)
        except OSError as exc:
            problem = f"it cannot be read ({exc.strerror or exc})"
        except ValueError as exc:
            problem = f"it is not valid JSON, perhaps truncated ({exc})"
        else:
            problem = record_problem(record, name)
        if problem is not None:
            warnings.warn(
                f"ignoring the stored result {path}: {problem}; {name!r} is computed again",
                UserWarning,
                stacklevel=2,
            )
            return None
        return record

    def stored_fingerprints(self):
        """``{file name: (data, split) fingerprints}`` of every readable stored record."""
        found = {}
        if not self.folder.is_dir():
            return found
        for path in sorted(self.folder.glob("*.json")):
            try:
                with open(path, encoding="utf-8") as f:
                    record = json.load(f)
                fps = record.get("fingerprints") or {}
                if fps.get("data") is not None:
                    found[path.name] = (fps.get("data"), fps.get("split"))
            except (OSError, ValueError, AttributeError):
                continue
        return found

    def save(self, record):
        """Write a record (atomically) and return its path."""
        path = self.path(record["estimator"])
        write_json(path, record)
        return path
