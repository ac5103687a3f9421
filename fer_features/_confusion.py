"""Class names and confusion-matrix arithmetic shared by the benchmark and the plots.

One rule names classes, one function turns a confusion matrix into per-class
scores and one lists its most-confused cells, so that a benchmark report and a plot of the same
predictions always agree. Only NumPy is imported.
"""

from numbers import Integral

import numpy as np

__all__ = ["confused_cells", "label_names", "most_confused_pairs", "per_class_scores", "row_rates"]


def label_names(classes, target_names=None):
    """Names to show for ``classes``.

    The rule: without ``target_names``, each class's own text. Integer classes
    that all index ``target_names`` are named ``target_names[c]`` (a loader's
    Bunch convention, also when only some classes are present). Otherwise
    ``target_names`` must give one name per class, in order.

    Parameters
    ----------
    classes : sequence
        The class labels, in display order.
    target_names : sequence of str or None
        Names of integer classes, or one name per class.

    Returns
    -------
    names : list of str

    Raises
    ------
    ValueError
        When ``target_names`` can neither be indexed by the classes nor name them
        one by one.
    """
    classes = list(np.asarray(classes).tolist()) if not isinstance(classes, list) else list(classes)
    if target_names is None:
        return [str(c) for c in classes]
    target_names = list(target_names)
    if all(
        isinstance(c, Integral) and not isinstance(c, bool) and 0 <= c < len(target_names)
        for c in classes
    ):
        return [str(target_names[int(c)]) for c in classes]
    if len(target_names) == len(classes):
        return [str(n) for n in target_names]
    raise ValueError(
        f"target_names has {len(target_names)} names, which can neither name the "
        f"{len(classes)} classes {classes!r} one by one nor be indexed by them"
    )


def per_class_scores(matrix):
    """Precision, recall, F1 and support of every class from confusion matrices.

    Parameters
    ----------
    matrix : array-like of shape (n_classes, n_classes) or (n, n_classes, n_classes)
        Counts, rows true and columns predicted (a stack of matrices works too).

    Returns
    -------
    precision, recall, f1 : ndarray of shape (..., n_classes)
        As scikit-learn's with ``zero_division=0``.
    support : ndarray of shape (..., n_classes)
        Images of each true class.
    """
    cm = np.asarray(matrix, dtype=np.float64)
    tp = np.diagonal(cm, axis1=-2, axis2=-1)
    true = cm.sum(axis=-1)
    predicted = cm.sum(axis=-2)
    with np.errstate(divide="ignore", invalid="ignore"):
        precision = np.where(predicted > 0, tp / predicted, 0.0)
        recall = np.where(true > 0, tp / true, 0.0)
        f1 = np.where(true + predicted > 0, 2 * tp / (true + predicted), 0.0)
    return precision, recall, f1, true.astype(np.int64)


def row_rates(matrix):
    """Each cell as a share of its row (its true class); 0 for an empty row."""
    cm = np.asarray(matrix, dtype=float)
    totals = cm.sum(axis=1, keepdims=True)
    return np.divide(cm, totals, out=np.zeros_like(cm), where=totals > 0)


def confused_cells(matrix, top=5):
    """The off-diagonal cells of a confusion matrix with the most images.

    Ties in count go to the higher rate (share of the true class), then to
    matrix order (row, then column).

    Parameters
    ----------
    matrix : array-like of shape (n_classes, n_classes)
        Counts, rows true and columns predicted.
    top : int, default=5
        How many cells at most (cells with no image are left out).

    Returns
    -------
    cells : list of (true index, predicted index, count, rate)
    """
    cm = np.asarray(matrix)
    if cm.ndim != 2 or cm.shape[0] != cm.shape[1]:
        raise ValueError(f"confusion_matrix must be square, got shape {cm.shape}")
    rates = row_rates(cm)
    cells = [
        (int(cm[i, j]), float(rates[i, j]), i, j)
        for i in range(cm.shape[0])
        for j in range(cm.shape[1])
        if i != j and cm[i, j] > 0
    ]
    cells.sort(key=lambda t: (-t[0], -t[1], t[2], t[3]))
    return [(i, j, count, rate) for count, rate, i, j in cells[:top]]


def most_confused_pairs(confusion_matrix, labels=None, n_pairs=5):
    """The off-diagonal cells of a confusion matrix with the most mistakes.

    Parameters
    ----------
    confusion_matrix : array-like of shape (n_classes, n_classes)
        Counts, true classes in rows and predicted classes in columns.
    labels : sequence of str, default=None
        Class names; ``"0"``, ``"1"``, ... if None.
    n_pairs : int, default=5
        How many pairs to return at most (pairs with no mistakes are left out).

    Returns
    -------
    pairs : list of tuple (true, predicted, count, rate)
        Most mistakes first (ties: higher rate first, then matrix order);
        ``rate`` is the count divided by the number of faces of the true class.

    Examples
    --------
    >>> most_confused_pairs([[5, 3, 0], [1, 7, 0], [0, 3, 1]], ["angry", "sad", "fear"], 2)
    [('fear', 'sad', 3, 0.75), ('angry', 'sad', 3, 0.375)]
    """
    cm = np.asarray(confusion_matrix)
    if cm.ndim != 2 or cm.shape[0] != cm.shape[1]:
        raise ValueError(f"confusion_matrix must be square, got shape {cm.shape}")
    labels = [str(i) for i in range(cm.shape[0])] if labels is None else list(labels)
    if len(labels) != cm.shape[0]:
        raise ValueError(f"labels has {len(labels)} names for a {cm.shape[0]}x{cm.shape[0]} matrix")
    return [
        (labels[i], labels[j], count, rate) for i, j, count, rate in confused_cells(cm, n_pairs)
    ]
