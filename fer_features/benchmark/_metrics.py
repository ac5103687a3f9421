"""Scores of one set of predictions, their spread, and the most-confused pairs."""

import numpy as np

from .._confusion import most_confused_pairs, per_class_scores

__all__ = [
    "SCALAR_METRICS",
    "bootstrap_interval",
    "classification_metrics",
]

# metrics reported as one number per estimator (mean over folds), in table order
SCALAR_METRICS = (
    "accuracy",
    "balanced_accuracy",
    "macro_f1",
    "weighted_f1",
    "roc_auc_ovr",
    "precision",
    "recall",
    "roc_auc",
)

# every figure a fold and a summary record: the scores above, then costs and sizes
RECORDED_FIGURES = (
    *SCALAR_METRICS,
    "fit_seconds",
    "predict_seconds",
    "ms_per_image",
    "peak_memory_mb",
    "n_train",
    "n_test",
)

# metrics whose bootstrap interval is computed on a single test split
BOOTSTRAP_METRICS = ("accuracy", "balanced_accuracy", "macro_f1")


def _ovr_auc(y_true_idx, proba, n_classes):
    """Macro one-vs-rest ROC AUC over the classes present with both outcomes."""
    from sklearn.metrics import roc_auc_score

    scores = []
    for k in range(n_classes):
        positive = y_true_idx == k
        if positive.all() or not positive.any():
            continue
        scores.append(roc_auc_score(positive, proba[:, k]))
    return float(np.mean(scores)) if scores else float("nan")


def classification_metrics(y_true, y_pred, classes, proba=None):
    """Every score of one set of test predictions.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_samples,)
        True and predicted labels.
    classes : array-like of shape (n_classes,)
        All the labels, in the order of the confusion matrix and of the columns
        of ``proba`` (the estimator's ``classes_``).
    proba : ndarray of shape (n_samples, n_classes) or None
        Predicted probabilities (or scores), one column per entry of ``classes``.

    Returns
    -------
    metrics : dict
        ``accuracy``, ``balanced_accuracy``, ``macro_f1``, ``weighted_f1``;
        ``roc_auc_ovr`` (macro average of one-vs-rest AUCs, when ``proba`` is
        given); for two classes, ``precision``, ``recall`` and ``roc_auc`` of the
        second class; ``per_class`` (lists ``precision``, ``recall``, ``f1``,
        ``support``) and ``confusion_matrix`` (rows: true, columns: predicted).
        Scores that do not apply are ``nan``. Undefined precisions (a class never
        predicted) count as 0, as scikit-learn's ``zero_division=0``.
    """
    from sklearn.metrics import (
        accuracy_score,
        balanced_accuracy_score,
        confusion_matrix,
        f1_score,
        precision_recall_fscore_support,
    )

    classes = np.asarray(classes)
    y_true = np.asarray(y_true)
    y_pred = np.asarray(y_pred)
    labels = list(classes)
    precision, recall, f1, support = precision_recall_fscore_support(
        y_true, y_pred, labels=labels, zero_division=0
    )
    result = {
        "accuracy": float(accuracy_score(y_true, y_pred)),
        "balanced_accuracy": float(_balanced_accuracy(y_true, y_pred, balanced_accuracy_score)),
        "macro_f1": float(
            f1_score(y_true, y_pred, labels=labels, average="macro", zero_division=0)
        ),
        "weighted_f1": float(
            f1_score(y_true, y_pred, labels=labels, average="weighted", zero_division=0)
        ),
        "roc_auc_ovr": float("nan"),
        "precision": float("nan"),
        "recall": float("nan"),
        "roc_auc": float("nan"),
    }
    position = {label: i for i, label in enumerate(classes.tolist())}
    y_true_idx = np.array([position[v] for v in y_true.tolist()], dtype=np.intp)
    if proba is not None:
        proba = np.asarray(proba, dtype=np.float64)
        result["roc_auc_ovr"] = _ovr_auc(y_true_idx, proba, len(classes))
    if len(classes) == 2:
        result["precision"] = float(precision[1])
        result["recall"] = float(recall[1])
        if proba is not None:
            if len(np.unique(y_true_idx)) == 2:
                from sklearn.metrics import roc_auc_score

                result["roc_auc"] = float(roc_auc_score(y_true_idx == 1, proba[:, 1]))
    result["per_class"] = {
        "precision": [float(v) for v in precision],
        "recall": [float(v) for v in recall],
        "f1": [float(v) for v in f1],
        "support": [int(v) for v in support],
    }
    result["confusion_matrix"] = confusion_matrix(y_true, y_pred, labels=labels).tolist()
    return result


def _balanced_accuracy(y_true, y_pred, scorer):
    import warnings

    with warnings.catch_warnings():  # "y_pred contains classes not in y_true"
        warnings.simplefilter("ignore", UserWarning)
        return scorer(y_true, y_pred)


def _confused_pair_records(matrix, class_names, top=5):
    """:func:`fer_features.plotting.most_confused_pairs` as JSON-ready records.

    ``true``, ``predicted``, ``count`` and ``rate``: the same pairs, in the same
    order, as the confusion plot lists.
    """
    return [
        {"true": str(true), "predicted": str(predicted), "count": count, "rate": rate}
        for true, predicted, count, rate in most_confused_pairs(matrix, class_names, top)
    ]


def _scores_from_confusion(cms):
    """Accuracy, balanced accuracy and macro-F1 of a stack of confusion matrices.

    ``cms`` has shape ``(n, K, K)``; the definitions follow scikit-learn with
    ``zero_division=0``, and balanced accuracy averages the recall of the classes
    present (as ``balanced_accuracy_score``).
    """
    cms = np.asarray(cms, dtype=np.float64)
    tp = np.diagonal(cms, axis1=1, axis2=2)
    _, recall, f1, support = per_class_scores(cms)
    with np.errstate(divide="ignore", invalid="ignore"):
        accuracy = tp.sum(axis=1) / support.sum(axis=1)
        balanced = recall.sum(axis=1) / (support > 0).sum(axis=1)
    macro_f1 = f1.mean(axis=1)
    return {"accuracy": accuracy, "balanced_accuracy": balanced, "macro_f1": macro_f1}


def bootstrap_interval(
    y_true, y_pred, classes, *, n_resamples=1000, confidence=0.95, random_state=0
):
    """Bootstrap percentile intervals of accuracy, balanced accuracy and macro-F1.

    The test images are resampled with replacement ``n_resamples`` times; each
    resample's scores are computed from its confusion matrix, all at once.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_samples,)
        True and predicted labels.
    classes : array-like of shape (n_classes,)
        All the labels.
    n_resamples : int, default=1000
        Number of bootstrap resamples.
    confidence : float, default=0.95
        Coverage of the interval.
    random_state : int, default=0
        Seed of the resampling.

    Returns
    -------
    intervals : dict of str to (float, float)
        ``(low, high)`` per metric.

    Examples
    --------
    >>> from fer_features.benchmark import bootstrap_interval
    >>> low, high = bootstrap_interval([0, 1] * 50, [0, 1] * 50, [0, 1])["accuracy"]
    >>> low, high
    (1.0, 1.0)
    """
    classes = list(np.asarray(classes))
    index = {c: i for i, c in enumerate(classes)}
    k = len(classes)
    true_idx = np.array([index[v] for v in np.asarray(y_true).tolist()], dtype=np.intp)
    pred_idx = np.array([index[v] for v in np.asarray(y_pred).tolist()], dtype=np.intp)
    n = len(true_idx)
    cell = true_idx * k + pred_idx
    rng = np.random.default_rng(random_state)
    alpha = (1 - confidence) / 2
    low_high = {}
    scores = {m: [] for m in BOOTSTRAP_METRICS}
    for start in range(0, n_resamples, 250):  # bounded memory
        size = min(250, n_resamples - start)
        draws = rng.integers(0, n, size=(size, n))
        flat = (cell[draws] + (np.arange(size) * k * k)[:, None]).ravel()
        cms = np.bincount(flat, minlength=size * k * k).reshape(size, k, k)
        for name, values in _scores_from_confusion(cms).items():
            scores[name].append(values)
    for name, chunks in scores.items():
        values = np.concatenate(chunks)
        values = values[np.isfinite(values)]
        if values.size == 0:
            low_high[name] = (float("nan"), float("nan"))
        else:
            low_high[name] = (
                float(np.quantile(values, alpha)),
                float(np.quantile(values, 1 - alpha)),
            )
    return low_high


def _align(proba, model_classes, classes):
    """Probability columns reordered to ``classes`` (0 for classes the model lacks)."""
    model_classes = list(model_classes)
    if model_classes == list(classes):
        return proba
    aligned = np.zeros((len(proba), len(classes)))
    position = {c: i for i, c in enumerate(list(classes))}
    for j, c in enumerate(model_classes):
        if c in position:
            aligned[:, position[c]] = proba[:, j]
    return aligned


def predict_with_proba(model, X, classes):
    """Predicted labels and class probabilities of ``X`` from one pass of the model.

    Where the model has ``predict_proba`` and ``classes_``, the labels are the
    classes of the largest probability (ties: the first), so features and
    classifier run once; otherwise ``predict`` is called and the probabilities
    are ``None``.

    Parameters
    ----------
    model : fitted classifier
    X : array-like
    classes : array-like of shape (n_classes,)
        The columns of the returned probabilities.

    Returns
    -------
    y_pred : ndarray of shape (n_samples,)
    proba : ndarray of shape (n_samples, n_classes) or None
    """
    model_classes = getattr(model, "classes_", None)
    if hasattr(model, "predict_proba") and model_classes is not None:
        proba = np.asarray(model.predict_proba(X), dtype=np.float64)
        y_pred = np.asarray(model_classes)[np.argmax(proba, axis=1)]
        return y_pred, _align(proba, model_classes, classes)
    return np.asarray(model.predict(X)), None


def summarize_folds(folds, classes, class_names):
    """Aggregate fold records: means, stds, pooled confusion matrix and per-class."""
    summary = {}
    for metric in SCALAR_METRICS:
        values = np.array(
            [f[metric] if f.get(metric) is not None else np.nan for f in folds], dtype=np.float64
        )
        finite = values[np.isfinite(values)]
        summary[metric] = float(finite.mean()) if finite.size else float("nan")
        summary[f"{metric}_std"] = float(finite.std()) if finite.size > 1 else float("nan")
    if len(folds) == 1:
        for metric in BOOTSTRAP_METRICS:
            low, high = folds[0].get("ci", {}).get(metric, (np.nan, np.nan))
            summary[f"{metric}_ci_low"] = low
            summary[f"{metric}_ci_high"] = high
    for key in ("fit_seconds", "predict_seconds", "ms_per_image"):
        summary[key] = float(np.mean([f[key] for f in folds]))
    summary["peak_memory_mb"] = float(np.nanmax([f["peak_memory_mb"] for f in folds]))
    summary["n_train"] = int(round(np.mean([f["n_train"] for f in folds])))
    summary["n_test"] = int(round(np.mean([f["n_test"] for f in folds])))
    matrix = np.sum([np.asarray(f["confusion_matrix"]) for f in folds], axis=0)
    precision, recall, f1, support = per_class_scores(matrix)
    summary["per_class"] = {
        "precision": precision.tolist(),
        "recall": recall.tolist(),
        "f1": f1.tolist(),
        "support": support.tolist(),
    }
    summary["confusion_matrix"] = matrix.tolist()
    summary["most_confused"] = _confused_pair_records(matrix, class_names)
    return summary
