"""Test rows that duplicate training rows: counted in every fold, dropped on request."""

import numpy as np

__all__ = ["DUPLICATE_METHODS", "find_test_duplicates"]

# what find_test_duplicates can count (and drop): byte-equal copies, or those and near copies
DUPLICATE_METHODS = ("phash", "exact")


def _unique_rows(X):
    """The distinct rows of ``X`` and, for each row, the index of its distinct row."""
    X = np.ascontiguousarray(X)
    if len(X) == 0:
        return X, np.zeros(0, dtype=np.intp)
    rows = X.view(np.dtype((np.void, X.shape[1] * X.itemsize))).ravel()
    _, first, inverse = np.unique(rows, return_index=True, return_inverse=True)
    return X[first], inverse.ravel()


def find_test_duplicates(X, folds, *, drop=False, method="phash", image_shape=None):
    """Count, and optionally drop, the test images of each fold that repeat a training image.

    A test image that is also in the training set (FER2013's PublicTest holds
    copies of Training images) is scored as recall of a seen image, not as
    recognition. Duplicates are found by
    :func:`fer_features.cleaning.find_duplicates` with the training fold as
    ``X_reference``: always the byte-equal ones, and with ``method="phash"``
    the near ones too (the same photo shifted, re-encoded or brightened).

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        The images, one row each (grey levels 0..255).
    folds : list of (ndarray, ndarray)
        Train and test indices.
    drop : bool, default=False
        Remove the duplicated rows (those ``method`` finds) from the test folds.
    method : {"phash", "exact"}, default="phash"
        Which duplicates are counted as ``near`` and dropped: byte-equal and
        near copies (``"phash"``), or byte-equal ones only (``"exact"``).
    image_shape : tuple of (int, int) or None, default=None
        ``(height, width)`` of the rows; ``None``: square.

    Returns
    -------
    folds : list of (ndarray, ndarray)
        ``folds`` itself, or with the duplicated test rows removed.
    duplicates : dict
        ``method``; per fold, ``exact`` (test images byte-equal to an image of
        the training fold), ``near`` (test images that ``method`` finds: exact
        or near copies; ``None`` for ``"exact"``) and ``n_test`` (test images
        before any dropping); their totals ``n_exact``, ``n_near`` and
        ``n_test_rows``; the settings ``max_distance`` and
        ``min_correlation`` of the near search; ``dropped``, the number of test
        images removed (``None`` without ``drop``). When ``X`` is not images
        (values outside 0..255, rows that are not square images), nothing is counted:
        ``method`` is ``None`` and ``reason`` says why.

    Examples
    --------
    >>> import numpy as np
    >>> from fer_features.benchmark._duplicates import find_test_duplicates
    >>> X = np.random.default_rng(0).integers(0, 256, (6, 64), dtype=np.uint8)
    >>> X[4] = X[0]  # test image 4 is training image 0
    >>> folds = [(np.arange(4), np.arange(4, 6))]
    >>> kept, report = find_test_duplicates(X, folds, drop=True)
    >>> report["n_exact"], report["dropped"], kept[0][1].tolist()
    (1, 1, [5])
    """
    if method not in DUPLICATE_METHODS:
        raise ValueError(f"method must be one of {DUPLICATE_METHODS}, got {method!r}")
    from ..cleaning import find_duplicates

    exact, near, n_test, kept = [], [], [], []
    params = {}
    for train, test in folds:
        # each distinct test image once: its copies within the test set share its answer
        unique, inverse = _unique_rows(X[test])
        found = {}
        try:
            for kind in dict.fromkeys(("exact", method)):
                report = find_duplicates(
                    unique, X_reference=X[train], method=kind, image_shape=image_shape
                )
                found[kind] = report.in_reference[inverse]
                params = report.params
        except ValueError as exc:
            reason = " ".join(str(exc).split())
            return list(folds), {
                "method": None,
                "reason": f"the data are not grey images ({reason})",
                "dropped": None,
            }
        flags = found[method]
        exact.append(int(found["exact"].sum()))
        near.append(int(flags.sum()))
        n_test.append(int(len(test)))
        kept.append((train, np.asarray(test)[~flags] if drop else test))
    phash = method == "phash"
    summary = {
        "method": method,
        "exact": exact,
        "near": near if phash else None,
        "n_test": n_test,
        "n_exact": int(sum(exact)),
        "n_near": int(sum(near)) if phash else None,
        "n_test_rows": int(sum(n_test)),
        "max_distance": params.get("max_distance") if phash else None,
        "min_correlation": params.get("min_correlation") if phash else None,
        "dropped": int(sum(near)) if drop else None,
    }
    return (kept if drop else list(folds)), summary
