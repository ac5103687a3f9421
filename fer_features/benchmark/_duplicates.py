"""Test rows that duplicate training rows: counted in every fold, dropped on request."""

import hashlib

import numpy as np

__all__ = ["find_test_duplicates"]


def _exact_in_reference(X, X_reference):
    """Rows of ``X`` byte-equal to a row of ``X_reference`` (boolean, one per row)."""
    X = np.ascontiguousarray(X)
    X_reference = np.ascontiguousarray(X_reference, dtype=X.dtype)

    def keys(rows):
        return [hashlib.blake2b(row, digest_size=16).digest() for row in rows]

    seen = set(keys(X_reference))
    return np.fromiter((key in seen for key in keys(X)), dtype=bool, count=len(X))


def find_test_duplicates(X, folds, *, drop=False):
    """Count, and optionally drop, the test rows of each fold that repeat a training row.

    A test image that is also in the training set (FER2013 holds such copies
    across its usages) is scored as recall of a seen image, not as recognition.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        The images, one row each.
    folds : list of (ndarray, ndarray)
        Train and test indices.
    drop : bool, default=False
        Remove the duplicated rows from the test folds.

    Returns
    -------
    folds : list of (ndarray, ndarray)
        ``folds`` itself, or with the duplicated test rows removed.
    duplicates : dict
        ``method``; per fold ``exact`` (test rows byte-equal to a training row
        of their fold) and ``n_test`` (test rows before any dropping); their
        totals ``n_exact`` and ``n_test_rows``; ``dropped``: how many rows
        were removed (``None`` when ``drop`` is false).
    """
    exact, n_test, kept = [], [], []
    for train, test in folds:
        flags = _exact_in_reference(X[test], X[train])
        exact.append(int(flags.sum()))
        n_test.append(int(len(test)))
        kept.append((train, np.asarray(test)[~flags] if drop else test))
    report = {
        "method": "exact",
        "exact": exact,
        "n_test": n_test,
        "n_exact": int(sum(exact)),
        "n_test_rows": int(sum(n_test)),
        "dropped": int(sum(exact)) if drop else None,
    }
    return (kept if drop else list(folds)), report
