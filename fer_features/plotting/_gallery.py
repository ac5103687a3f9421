"""A gallery of faces with their true label, predicted label and probabilities."""

import numpy as np

from ._base import _axes_grid, _check_positive_int, _images_of, _label_names, _show_image

__all__ = ["FaceGalleryDisplay"]


class FaceGalleryDisplay:
    """Faces with their true and predicted expressions and the probabilities.

    Each panel shows a face titled with its true label and the predicted one
    (green when right, red when wrong) with its probability; under the face,
    the top three class probabilities.

    Parameters
    ----------
    images : ndarray of shape (n_faces, height, width)
    y_true : array-like of shape (n_faces,)
        True labels, or None.
    y_pred : array-like of shape (n_faces,)
        Predicted labels.
    y_proba : ndarray of shape (n_faces, n_classes), default=None
        Predicted probabilities, columns in the order of ``classes``.
    classes : array-like of shape (n_classes,), default=None
        The classes of the probability columns (the classifier's ``classes_``).
    target_names : sequence of str, default=None
        Names of integer classes (``target_names[c]`` names class ``c``), or
        one name per entry of ``classes``.

    Attributes
    ----------
    figure_ : matplotlib Figure
    ax_ : ndarray of matplotlib Axes, one per face
    correct_ : ndarray of bool of shape (n_faces,)
        Whether each prediction is right (all False when ``y_true`` is None).

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> from fer_features.plotting import FaceGalleryDisplay
    >>> images = np.random.default_rng(0).integers(0, 256, size=(4, 48, 48))
    >>> proba = np.array([[0.8, 0.2], [0.3, 0.7], [0.6, 0.4], [0.1, 0.9]])
    >>> disp = FaceGalleryDisplay(images, [0, 1, 1, 1], [0, 1, 0, 1], y_proba=proba,
    ...                           classes=[0, 1], target_names=["sad", "happy"]).plot()
    >>> disp.correct_.tolist()
    [True, True, False, True]
    >>> disp.ax_[2].get_title()
    'true happy\\npred sad 60%'
    """

    def __init__(self, images, y_true, y_pred, *, y_proba=None, classes=None, target_names=None):
        self.images = images
        self.y_true = y_true
        self.y_pred = y_pred
        self.y_proba = y_proba
        self.classes = classes
        self.target_names = target_names

    @classmethod
    def from_estimator(
        cls,
        estimator,
        X,
        y=None,
        *,
        n_faces=16,
        select="first",
        image_shape=None,
        target_names=None,
        random_state=None,
        ax=None,
        n_cols=None,
    ):
        """Predict faces of ``X`` with a fitted classifier and draw them.

        Parameters
        ----------
        estimator : fitted classifier
            Its ``predict_proba`` is used when it has one.
        X : array-like of shape (n_samples, height * width) or (n_samples, height, width)
            Faces, in the library's image convention.
        y : array-like of shape (n_samples,), default=None
            True labels.
        n_faces : int, default=16
            How many faces to draw.
        select : {"first", "random", "errors"}, default="first"
            Which faces: the first ones, a random sample, or mistakes first
            (``"errors"`` needs ``y``).
        image_shape : tuple of (int, int), default=None
            How to read a row as an image; square if None.
        target_names : sequence of str, default=None
            Names of integer classes.
        random_state : int, RandomState instance or None, default=None
            For ``select="random"``.
        ax : array-like of matplotlib Axes, default=None
        n_cols : int, default=None

        Returns
        -------
        display : FaceGalleryDisplay
        """
        from sklearn.utils import check_random_state

        caller = "FaceGalleryDisplay.from_estimator"
        n_faces = _check_positive_int(n_faces, "n_faces", caller)
        if select not in ("first", "random", "errors"):
            raise ValueError(
                f"{caller}: select must be 'first', 'random' or 'errors', got {select!r}"
            )
        if select == "errors" and y is None:
            raise ValueError(f"{caller}: select='errors' needs the true labels y")
        images = _images_of(X, image_shape)
        n = images.shape[0]
        if select == "random":
            order = check_random_state(random_state).permutation(n)[:n_faces]
            idx = np.sort(order)
        elif select == "first":
            idx = np.arange(min(n, n_faces))
        else:
            idx = None
        X_arr = X if idx is None else _take(X, idx)
        y_pred = np.asarray(estimator.predict(X_arr))
        proba = (
            np.asarray(estimator.predict_proba(X_arr))
            if hasattr(estimator, "predict_proba")
            else None
        )
        y_true = None if y is None else np.asarray(y)
        if idx is None:  # errors first, then right ones, each in data order
            wrong = y_pred != y_true
            idx = np.concatenate([np.flatnonzero(wrong), np.flatnonzero(~wrong)])[:n_faces]
            y_pred = y_pred[idx]
            proba = None if proba is None else proba[idx]
        if y_true is not None:
            y_true = y_true[idx]
        disp = cls(
            images[idx],
            y_true,
            y_pred,
            y_proba=proba,
            classes=getattr(estimator, "classes_", None),
            target_names=target_names,
        )
        return disp.plot(ax=ax, n_cols=n_cols)

    def plot(self, *, ax=None, n_cols=None):
        """Draw the display.

        Parameters
        ----------
        ax : array-like of matplotlib Axes, default=None
            One per face; a new figure if None.
        n_cols : int, default=None
            Columns of the new figure's grid (up to 6 if None).

        Returns
        -------
        display : FaceGalleryDisplay
        """
        images = np.asarray(self.images)
        n = images.shape[0]
        y_pred = np.asarray(self.y_pred)
        classes = (
            np.asarray(self.classes)
            if self.classes is not None
            else np.unique(
                np.concatenate(
                    [y_pred] + ([] if self.y_true is None else [np.asarray(self.y_true)])
                )
            )
        )
        names = dict(zip(classes.tolist(), _label_names(classes.tolist(), self.target_names)))

        def name(label):
            label = label.item() if hasattr(label, "item") else label
            return names.get(label, str(label))

        fig, axes = _axes_grid(
            ax, n, n_cols or min(n, 6), "FaceGalleryDisplay.plot", panel_size=1.9
        )
        correct = np.zeros(n, dtype=bool)
        if self.y_true is not None:
            correct = np.asarray(self.y_true) == y_pred
        for i in range(n):
            title = f"pred {name(y_pred[i])}"
            if self.y_proba is not None:
                col = np.flatnonzero(classes == y_pred[i])
                if col.size:
                    title += f" {100 * self.y_proba[i, col[0]]:.0f}%"
            if self.y_true is not None:
                title = f"true {name(self.y_true[i])}\n" + title
            _show_image(axes[i], images[i], title=title)
            if self.y_true is not None:
                axes[i].title.set_color("tab:green" if correct[i] else "tab:red")
            if self.y_proba is not None:
                top = np.argsort(self.y_proba[i])[::-1][:3]
                axes[i].set_xlabel(
                    "\n".join(f"{name(classes[c])} {100 * self.y_proba[i, c]:.0f}%" for c in top),
                    fontsize=6,
                )
        self.figure_, self.ax_, self.correct_ = fig, axes, correct
        return self


def _take(X, idx):
    """Rows ``idx`` of X (ndarray or pandas)."""
    if hasattr(X, "iloc"):
        return X.iloc[idx]
    return np.asarray(X)[idx]
