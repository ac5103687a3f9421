"""Fingerprints of estimators, data and splits, and the per-estimator result files.

A result is reused on resume only when all three fingerprints match: the
estimator's parameters (every nested parameter, except ``n_jobs``, ``verbose``
and ``memory``, which do not change what is learned), the data (bytes of ``X``
and of the labels) and the split (the exact train and test indices of every
fold, after any per-class subsampling).
"""

import hashlib
import json
import math
import os
import re
import tempfile
from pathlib import Path

import numpy as np

__all__ = [
    "data_fingerprint",
    "describe_estimator",
    "estimator_fingerprint",
    "split_fingerprint",
    "ResultStore",
]

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
        inner = ", ".join(f"{key}={describe_estimator(params[key])}"
                          for key in sorted(params) if key not in IGNORED_PARAMS)
        kind = type(value)
        return f"{kind.__module__}.{kind.__qualname__}({inner})"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{describe_estimator(k)}: {describe_estimator(value[k])}"
                               for k in sorted(value, key=repr)) + "}"
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
    return hashlib.sha256(
        (_array_digest(X) + _array_digest(y)).encode()).hexdigest()


def split_fingerprint(folds):
    """SHA-256 of the train and test indices of every fold."""
    digest = hashlib.sha256()
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
        """The file of estimator ``name`` (unsafe characters replaced)."""
        safe = re.sub(r"[^A-Za-z0-9_.+=-]", "_", str(name)) or "_"
        return self.folder / f"{safe}.json"

    def load(self, name):
        """The stored record of ``name``, or ``None`` (missing or unreadable)."""
        path = self.path(name)
        try:
            with open(path, encoding="utf-8") as f:
                record = json.load(f)
        except (OSError, ValueError):
            return None
        if not isinstance(record, dict) or record.get("estimator") != name:
            return None
        return record

    def save(self, record):
        """Write a record (atomically) and return its path."""
        path = self.path(record["estimator"])
        write_json(path, record)
        return path
