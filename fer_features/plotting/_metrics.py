"""Classification pictures: expression confusion matrix, per-class bars, binary ROC."""

import numpy as np

from .._confusion import most_confused_pairs, per_class_scores, row_rates
from ._base import _label_names, _single_ax

__all__ = [
    "ExpressionConfusionDisplay",
    "ClassificationReportDisplay",
    "BinaryROCDisplay",
]


def _predict_labels(estimator, X, y, labels):
    from sklearn.utils.multiclass import unique_labels

    y_pred = estimator.predict(X)
    if labels is None:
        classes = getattr(estimator, "classes_", None)
        labels = unique_labels(y, y_pred) if classes is None else classes
    return y_pred, labels


class ExpressionConfusionDisplay:
    """Confusion matrix with expression names, counts, row rates and the worst pairs.

    Each cell shows the count and, below it, the share of the true class
    (row-normalised rate), which also sets the cell's colour; the diagonal
    rates are the per-class recalls. The most-confused pairs are listed under
    the matrix.

    Parameters
    ----------
    confusion_matrix : ndarray of shape (n_classes, n_classes)
        Counts, true classes in rows, predicted classes in columns.
    display_labels : sequence of str, default=None
        Class names; ``"0"``, ``"1"``, ... if None.

    Attributes
    ----------
    figure_ : matplotlib Figure
    ax_ : matplotlib Axes
    im_ : matplotlib AxesImage
    text_ : ndarray of matplotlib Text of shape (n_classes, n_classes)
    rates_ : ndarray of shape (n_classes, n_classes)
        Row-normalised rates.
    most_confused_pairs_ : list of tuple (true, predicted, count, rate)
        As returned by :func:`most_confused_pairs`.

    See Also
    --------
    sklearn.metrics.ConfusionMatrixDisplay : The plain scikit-learn display.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from fer_features.plotting import ExpressionConfusionDisplay
    >>> y_true = ["happy", "happy", "sad", "sad", "sad", "angry"]
    >>> y_pred = ["happy", "sad", "sad", "angry", "angry", "angry"]
    >>> disp = ExpressionConfusionDisplay.from_predictions(y_true, y_pred)
    >>> disp.display_labels
    ['angry', 'happy', 'sad']
    >>> disp.most_confused_pairs_[0]
    ('sad', 'angry', 2, 0.6666666666666666)
    """

    def __init__(self, confusion_matrix, *, display_labels=None):
        self.confusion_matrix = confusion_matrix
        self.display_labels = display_labels

    @classmethod
    def from_predictions(
        cls,
        y_true,
        y_pred,
        *,
        labels=None,
        target_names=None,
        n_pairs=5,
        ax=None,
        cmap="Blues",
        colorbar=True,
    ):
        """Draw the confusion matrix of predictions.

        Parameters
        ----------
        y_true, y_pred : array-like of shape (n_samples,)
            True and predicted labels.
        labels : array-like, default=None
            Classes to show, in this order; those seen in ``y_true`` or
            ``y_pred`` if None.
        target_names : sequence of str, default=None
            Names of integer classes (``target_names[c]`` names class ``c``,
            as in a data set's Bunch), or one name per shown class.
        n_pairs : int, default=5
            How many most-confused pairs to list.
        ax : matplotlib Axes, default=None
        cmap : str, default="Blues"
        colorbar : bool, default=True

        Returns
        -------
        display : ExpressionConfusionDisplay
        """
        from sklearn.metrics import confusion_matrix
        from sklearn.utils.multiclass import unique_labels

        if labels is None:
            labels = unique_labels(y_true, y_pred)
        cm = confusion_matrix(y_true, y_pred, labels=labels)
        disp = cls(cm, display_labels=_label_names(labels, target_names))
        return disp.plot(ax=ax, n_pairs=n_pairs, cmap=cmap, colorbar=colorbar)

    @classmethod
    def from_estimator(
        cls,
        estimator,
        X,
        y,
        *,
        labels=None,
        target_names=None,
        n_pairs=5,
        ax=None,
        cmap="Blues",
        colorbar=True,
    ):
        """Draw the confusion matrix of a fitted classifier on ``X``, ``y``.

        Parameters
        ----------
        estimator : fitted classifier
        X : array-like
            Faces, as the classifier takes them.
        y : array-like of shape (n_samples,)
            True labels.
        labels, target_names, n_pairs, ax, cmap, colorbar
            As in :meth:`from_predictions`; ``labels`` defaults to the
            classifier's ``classes_``.

        Returns
        -------
        display : ExpressionConfusionDisplay
        """
        y_pred, labels = _predict_labels(estimator, X, y, labels)
        return cls.from_predictions(
            y,
            y_pred,
            labels=labels,
            target_names=target_names,
            n_pairs=n_pairs,
            ax=ax,
            cmap=cmap,
            colorbar=colorbar,
        )

    def plot(self, *, ax=None, n_pairs=5, cmap="Blues", colorbar=True):
        """Draw the display.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
        n_pairs : int, default=5
            How many most-confused pairs to list under the matrix (0: none).
        cmap : str, default="Blues"
        colorbar : bool, default=True

        Returns
        -------
        display : ExpressionConfusionDisplay
        """
        cm = np.asarray(self.confusion_matrix)
        n = cm.shape[0]
        labels = (
            self.display_labels if self.display_labels is not None else [str(i) for i in range(n)]
        )
        labels = [str(v) for v in labels]
        size = max(4.5, 0.9 * n + 2)
        fig, ax = _single_ax(ax, "ExpressionConfusionDisplay.plot", figsize=(size + 1, size + 1))
        rates = row_rates(cm)
        im = ax.imshow(rates, cmap=cmap, vmin=0, vmax=1, interpolation="nearest")
        cmap_obj = im.cmap
        text = np.empty((n, n), dtype=object)
        for i in range(n):
            for j in range(n):
                colour = cmap_obj(0.0) if rates[i, j] > 0.5 else cmap_obj(1.0)
                text[i, j] = ax.text(
                    j,
                    i,
                    f"{cm[i, j]:d}\n{100 * rates[i, j]:.0f}%",
                    ha="center",
                    va="center",
                    color=colour,
                    fontsize=8,
                )
        if colorbar:
            fig.colorbar(im, ax=ax, label="share of the true class")
        ax.set_xticks(np.arange(n), labels=labels, rotation=45, ha="right")
        ax.set_yticks(np.arange(n), labels=labels)
        ax.set_ylabel("true expression")
        accuracy = np.trace(cm) / cm.sum() if cm.sum() else 0.0
        ax.set_title(f"Confusion matrix (accuracy {accuracy:.3f}, n={cm.sum()})")
        pairs = most_confused_pairs(cm, labels, n_pairs) if n_pairs else []
        # the list goes in the x label, which the figure's layout makes room for
        xlabel = "predicted expression"
        if pairs:
            xlabel += "\n\nmost confused (true \u2192 predicted, count, share of the true class):\n"
            xlabel += "\n".join(f"{t} \u2192 {p}: {c} ({100 * r:.0f}%)" for t, p, c, r in pairs)
        ax.set_xlabel(xlabel)
        self.figure_, self.ax_, self.im_, self.text_ = fig, ax, im, text
        self.rates_, self.most_confused_pairs_ = rates, pairs
        return self


class ClassificationReportDisplay:
    """Per-class precision, recall and F1 as grouped bars.

    Parameters
    ----------
    precision, recall, f1 : ndarray of shape (n_classes,)
    support : ndarray of shape (n_classes,)
        Number of true faces per class, shown under the class names.
    display_labels : sequence of str

    Attributes
    ----------
    figure_ : matplotlib Figure
    ax_ : matplotlib Axes
    bars_ : dict of str to matplotlib BarContainer
        ``"precision"``, ``"recall"`` and ``"f1"``.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from fer_features.plotting import ClassificationReportDisplay
    >>> disp = ClassificationReportDisplay.from_predictions(
    ...     [0, 0, 1, 1], [0, 1, 1, 1], target_names=["sad", "happy"])
    >>> disp.recall.tolist(), disp.precision.tolist()
    ([0.5, 1.0], [1.0, 0.6666666666666666])
    """

    def __init__(self, precision, recall, f1, support, display_labels):
        self.precision = precision
        self.recall = recall
        self.f1 = f1
        self.support = support
        self.display_labels = display_labels

    @classmethod
    def from_predictions(cls, y_true, y_pred, *, labels=None, target_names=None, ax=None):
        """Draw per-class scores of predictions.

        Parameters
        ----------
        y_true, y_pred : array-like of shape (n_samples,)
        labels : array-like, default=None
            Classes, in order; those seen in ``y_true`` or ``y_pred`` if None.
        target_names : sequence of str, default=None
            Names of integer classes, or one per class.
        ax : matplotlib Axes, default=None

        Returns
        -------
        display : ClassificationReportDisplay
        """
        from sklearn.metrics import confusion_matrix
        from sklearn.utils.multiclass import unique_labels

        if labels is None:
            labels = unique_labels(y_true, y_pred)
        p, r, f, s = per_class_scores(confusion_matrix(y_true, y_pred, labels=labels))
        disp = cls(p, r, f, s, _label_names(labels, target_names))
        return disp.plot(ax=ax)

    @classmethod
    def from_estimator(cls, estimator, X, y, *, labels=None, target_names=None, ax=None):
        """Draw per-class scores of a fitted classifier on ``X``, ``y``.

        Parameters
        ----------
        estimator : fitted classifier
        X : array-like
        y : array-like of shape (n_samples,)
        labels, target_names, ax
            As in :meth:`from_predictions`; ``labels`` defaults to the
            classifier's ``classes_``.

        Returns
        -------
        display : ClassificationReportDisplay
        """
        y_pred, labels = _predict_labels(estimator, X, y, labels)
        return cls.from_predictions(y, y_pred, labels=labels, target_names=target_names, ax=ax)

    def plot(self, *, ax=None):
        """Draw the display.

        Parameters
        ----------
        ax : matplotlib Axes, default=None

        Returns
        -------
        display : ClassificationReportDisplay
        """
        labels = [str(v) for v in self.display_labels]
        n = len(labels)
        fig, ax = _single_ax(
            ax, "ClassificationReportDisplay.plot", figsize=(max(5, 1.1 * n + 2), 4)
        )
        x = np.arange(n)
        width = 0.27
        bars = {}
        for offset, (name, values, colour) in zip(
            (-width, 0.0, width),
            (
                ("precision", self.precision, "tab:blue"),
                ("recall", self.recall, "tab:orange"),
                ("f1", self.f1, "tab:green"),
            ),
        ):
            bars[name] = ax.bar(
                x + offset, np.asarray(values, dtype=float), width, label=name, color=colour
            )
        ax.set_xticks(x, labels=[f"{lab}\n(n={int(s)})" for lab, s in zip(labels, self.support)])
        ax.set_ylim(0, 1.05)
        ax.set_ylabel("score")
        macro = float(np.mean(self.f1)) if n else 0.0
        ax.set_title(f"Per-class precision, recall and F1 (macro-F1 {macro:.3f})")
        ax.legend(loc="upper right", fontsize=8, ncols=3)
        self.figure_, self.ax_, self.bars_ = fig, ax, bars
        return self


class BinaryROCDisplay:
    """ROC curve of a binary task, such as *happy* against every other expression.

    Parameters
    ----------
    fpr, tpr : ndarray
        False and true positive rates, as from :func:`sklearn.metrics.roc_curve`.
    roc_auc : float
        Area under the curve.
    positive_label : str
        Name of the positive class, e.g. ``"happy"``.
    estimator_name : str, default=None
        Shown in the legend.

    Attributes
    ----------
    figure_ : matplotlib Figure
    ax_ : matplotlib Axes
    line_ : matplotlib Line2D

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from fer_features.plotting import BinaryROCDisplay
    >>> disp = BinaryROCDisplay.from_predictions(
    ...     ["happy", "sad", "happy", "angry"], [0.9, 0.2, 0.4, 0.5], positive="happy")
    >>> disp.roc_auc
    0.75
    """

    def __init__(self, fpr, tpr, roc_auc, positive_label, *, estimator_name=None):
        self.fpr = fpr
        self.tpr = tpr
        self.roc_auc = roc_auc
        self.positive_label = positive_label
        self.estimator_name = estimator_name

    @classmethod
    def from_predictions(
        cls, y_true, y_score, *, positive, target_names=None, estimator_name=None, ax=None
    ):
        """Draw the ROC of scores for ``positive`` against all other classes.

        Parameters
        ----------
        y_true : array-like of shape (n_samples,)
            True labels, any number of classes.
        y_score : array-like of shape (n_samples,)
            Scores for the positive class (e.g. its predicted probability).
        positive : label or str
            The positive class: a label of ``y_true``, or its name in
            ``target_names`` (e.g. ``"happy"`` with FER2013's integer targets).
        target_names : sequence of str, default=None
            Names of integer classes.
        estimator_name : str, default=None
        ax : matplotlib Axes, default=None

        Returns
        -------
        display : BinaryROCDisplay
        """
        from sklearn.metrics import auc, roc_curve

        y_true = np.asarray(y_true)
        label, name = _resolve_positive(positive, y_true, target_names)
        y_bin = y_true == label
        if y_bin.all() or not y_bin.any():
            raise ValueError(
                f"the ROC for {name!r} needs faces of both {name!r} and other "
                f"classes in y_true; got {int(y_bin.sum())} of {y_bin.size}"
            )
        fpr, tpr, _ = roc_curve(y_bin, np.asarray(y_score, dtype=float))
        disp = cls(fpr, tpr, float(auc(fpr, tpr)), name, estimator_name=estimator_name)
        return disp.plot(ax=ax)

    @classmethod
    def from_estimator(
        cls, estimator, X, y, *, positive, target_names=None, estimator_name=None, ax=None
    ):
        """Draw the ROC of a fitted classifier's probability for ``positive``.

        Works for binary and multiclass classifiers: the score is the predicted
        probability of the positive class (the decision function where there is
        no ``predict_proba`` on a binary classifier).

        Parameters
        ----------
        estimator : fitted classifier
        X : array-like
        y : array-like of shape (n_samples,)
        positive, target_names, estimator_name, ax
            As in :meth:`from_predictions`.

        Returns
        -------
        display : BinaryROCDisplay
        """
        classes = np.asarray(estimator.classes_)
        label, _ = _resolve_positive(positive, classes, target_names)
        column = int(np.flatnonzero(classes == label)[0])
        if hasattr(estimator, "predict_proba"):
            score = np.asarray(estimator.predict_proba(X))[:, column]
        elif len(classes) == 2:
            score = np.asarray(estimator.decision_function(X)).ravel()
            score = score if column == 1 else -score
        else:
            raise ValueError(
                f"{type(estimator).__name__} has no predict_proba; the ROC of a "
                f"multiclass classifier needs class probabilities"
            )
        if estimator_name is None:
            estimator_name = type(estimator).__name__
        return cls.from_predictions(
            y,
            score,
            positive=label,
            target_names=target_names,
            estimator_name=estimator_name,
            ax=ax,
        )

    def plot(self, *, ax=None):
        """Draw the display.

        Parameters
        ----------
        ax : matplotlib Axes, default=None

        Returns
        -------
        display : BinaryROCDisplay
        """
        fig, ax = _single_ax(ax, "BinaryROCDisplay.plot", figsize=(4.5, 4.5))
        label = f"AUC {self.roc_auc:.3f}"
        if self.estimator_name:
            label = f"{self.estimator_name} ({label})"
        (line,) = ax.plot(self.fpr, self.tpr, lw=2, label=label)
        ax.plot([0, 1], [0, 1], ls="--", color="gray", lw=1, label="chance")
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1.01)
        ax.set_aspect("equal")
        ax.set_xlabel("false positive rate")
        ax.set_ylabel("true positive rate")
        ax.set_title(f"ROC: {self.positive_label} vs rest")
        ax.legend(loc="lower right", fontsize=8)
        self.figure_, self.ax_, self.line_ = fig, ax, line
        return self


def _resolve_positive(positive, labels, target_names):
    """Return ``(label, name)`` for the positive class given by label or name."""
    labels = np.asarray(labels)
    present = set(labels.tolist())
    if positive in present:
        name = positive
        if target_names is not None and isinstance(positive, (int, np.integer)):
            name = target_names[int(positive)]
        return positive, str(name)
    if target_names is not None and positive in list(target_names):
        index = list(target_names).index(positive)
        if index in present:
            return index, str(positive)
    raise ValueError(
        f"positive={positive!r} is neither a class of the labels "
        f"({sorted(present, key=str)}) nor a name in target_names"
    )
