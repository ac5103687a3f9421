"""Eigenface pictures: the mean face with the first eigenfaces, reconstructions
from k components and the explained-variance curve."""

import numpy as np

from .._images import flatten_images
from ._base import _axes_grid, _check_positive_int, _find_step, _show_image, _single_ax

__all__ = [
    "EigenfacesDisplay",
    "ReconstructionDisplay",
    "ExplainedVarianceDisplay",
    "write_eigenfaces_plot",
]

_EIGEN_ATTRS = ("mean_face_", "eigenfaces_")


def _eigen_step(estimator, caller):
    return _find_step(estimator, _EIGEN_ATTRS, "EigenfaceTransformer", caller)


class EigenfacesDisplay:
    """The mean face and a grid of the first eigenfaces.

    Build it with :meth:`from_estimator` from a fitted
    :class:`~fer_features.EigenfaceTransformer` (or a pipeline containing one),
    or directly from arrays, then call :meth:`plot`.

    Parameters
    ----------
    mean_face : ndarray of shape (height, width)
        The mean of the training faces.
    eigenfaces : ndarray of shape (n_eigenfaces, height, width)
        The principal axes read as images, strongest first.
    explained_variance_ratio : ndarray of shape (n_eigenfaces,), default=None
        Share of the variance along each eigenface, shown in the panel titles.

    Attributes
    ----------
    figure_ : matplotlib Figure
        The figure drawn on.
    ax_ : ndarray of matplotlib Axes
        The panels: ``ax_[0]`` holds the mean face, ``ax_[1:]`` the eigenfaces.
    images_ : list of matplotlib AxesImage
        The images drawn, in the order of ``ax_``.

    See Also
    --------
    ReconstructionDisplay : Faces rebuilt from their first k components.
    ExplainedVarianceDisplay : The explained-variance curve.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from fer_features.datasets import make_synthetic_faces
    >>> from fer_features.features import EigenfaceTransformer
    >>> from fer_features.plotting import EigenfacesDisplay
    >>> X, y = make_synthetic_faces(200, random_state=0, return_X_y=True)
    >>> eig = EigenfaceTransformer(n_components=30, random_state=0).fit(X)
    >>> disp = EigenfacesDisplay.from_estimator(eig, n_eigenfaces=24)
    >>> len(disp.ax_), disp.eigenfaces.shape
    (25, (24, 48, 48))
    """

    def __init__(self, mean_face, eigenfaces, *, explained_variance_ratio=None):
        self.mean_face = mean_face
        self.eigenfaces = eigenfaces
        self.explained_variance_ratio = explained_variance_ratio

    @classmethod
    def from_estimator(cls, estimator, *, n_eigenfaces=24, ax=None, n_cols=None, cmap="gray"):
        """Draw the mean face and the first eigenfaces of a fitted estimator.

        Parameters
        ----------
        estimator : EigenfaceTransformer or Pipeline
            A fitted :class:`~fer_features.EigenfaceTransformer`, or a fitted
            pipeline with one among its steps.
        n_eigenfaces : int, default=24
            How many eigenfaces to show (at most as many as were fitted).
        ax : array-like of matplotlib Axes, default=None
            At least ``n_eigenfaces + 1`` axes to draw on; a new figure if None.
        n_cols : int, default=None
            Columns of the new figure's grid; about a square grid if None.
        cmap : str, default="gray"
            Colour map of the eigenfaces.

        Returns
        -------
        display : EigenfacesDisplay
        """
        caller = "EigenfacesDisplay.from_estimator"
        n_eigenfaces = _check_positive_int(n_eigenfaces, "n_eigenfaces", caller)
        step, _ = _eigen_step(estimator, caller)
        eigenfaces = np.asarray(step.eigenfaces_)
        k = min(n_eigenfaces, eigenfaces.shape[0])
        ratio = getattr(step, "explained_variance_ratio_", None)
        disp = cls(
            np.asarray(step.mean_face_),
            eigenfaces[:k],
            explained_variance_ratio=None if ratio is None else np.asarray(ratio)[:k],
        )
        return disp.plot(ax=ax, n_cols=n_cols, cmap=cmap)

    def plot(self, *, ax=None, n_cols=None, cmap="gray"):
        """Draw the display.

        Parameters
        ----------
        ax : array-like of matplotlib Axes, default=None
            At least ``len(eigenfaces) + 1`` axes; a new figure if None.
        n_cols : int, default=None
            Columns of the new figure's grid; about a square grid if None.
        cmap : str, default="gray"
            Colour map of the eigenfaces (the mean face is always grey).

        Returns
        -------
        display : EigenfacesDisplay
            The display, with ``figure_``, ``ax_`` and ``images_`` set.
        """
        caller = "EigenfacesDisplay.plot"
        eigenfaces = np.asarray(self.eigenfaces)
        if eigenfaces.ndim != 3:
            raise ValueError(
                f"eigenfaces must have shape (n_eigenfaces, height, width), got {eigenfaces.shape}"
            )
        n_panels = eigenfaces.shape[0] + 1
        if n_cols is None:
            n_cols = int(np.ceil(np.sqrt(n_panels)))
        fig, axes = _axes_grid(ax, n_panels, n_cols, caller, panel_size=1.3)
        images = [_show_image(axes[0], self.mean_face, title="mean face")]
        ratio = self.explained_variance_ratio
        for i, face in enumerate(eigenfaces):
            title = f"#{i + 1}"
            if ratio is not None:
                title += f" ({100 * ratio[i]:.1f}%)"
            # symmetric limits: zero is mid-grey, signs are comparable
            lim = float(np.abs(face).max()) or 1.0
            images.append(
                _show_image(axes[i + 1], face, title=title, cmap=cmap, vmin=-lim, vmax=lim)
            )
        fig.suptitle(f"Mean face and first {eigenfaces.shape[0]} eigenfaces")
        self.figure_, self.ax_, self.images_ = fig, axes, images
        return self


def _project(faces, mean_face, eigenfaces, k):
    """Rebuild flattened ``faces`` from the first ``k`` eigenfaces."""
    mean = mean_face.ravel()
    basis = eigenfaces[:k].reshape(k, -1)
    centred = faces - mean
    # least-squares coefficients: exact for orthonormal eigenfaces, right for any basis
    coef, *_ = np.linalg.lstsq(basis.T, centred.T, rcond=None)
    return coef.T @ basis + mean


class ReconstructionDisplay:
    """Faces beside their reconstructions from the first k eigenfaces.

    Each row shows one face, then its projection on the first ``k``
    eigenfaces plus the mean face, for each ``k`` of ``n_components``.

    Parameters
    ----------
    originals : ndarray of shape (n_faces, height, width)
        The faces as given to the eigenface step.
    reconstructions : ndarray of shape (n_faces, n_ks, height, width)
        ``reconstructions[i, j]`` rebuilds face ``i`` from ``n_components[j]``
        eigenfaces.
    n_components : sequence of int
        The numbers of eigenfaces used, one per column.

    Attributes
    ----------
    figure_ : matplotlib Figure
    ax_ : ndarray of matplotlib Axes of shape (n_faces, n_ks + 1)
    errors_ : ndarray of shape (n_faces, n_ks)
        Root-mean-square pixel error of each reconstruction.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from fer_features.datasets import make_synthetic_faces
    >>> from fer_features.features import EigenfaceTransformer
    >>> from fer_features.plotting import ReconstructionDisplay
    >>> X, y = make_synthetic_faces(200, random_state=0, return_X_y=True)
    >>> eig = EigenfaceTransformer(n_components=40, random_state=0).fit(X)
    >>> disp = ReconstructionDisplay.from_estimator(eig, X[:3], n_components=(5, 40))
    >>> disp.ax_.shape
    (3, 3)
    >>> bool((disp.errors_[:, 1] <= disp.errors_[:, 0]).all())
    True
    """

    def __init__(self, originals, reconstructions, n_components):
        self.originals = originals
        self.reconstructions = reconstructions
        self.n_components = n_components

    @classmethod
    def from_estimator(cls, estimator, X, *, n_components=(5, 20, 50), n_faces=5, ax=None):
        """Rebuild faces of ``X`` from their first k eigenfaces and draw them.

        Parameters
        ----------
        estimator : EigenfaceTransformer or Pipeline
            Fitted; in a pipeline, the steps before the eigenface step are
            applied to ``X`` first.
        X : array-like of shape (n_samples, height * width) or (n_samples, height, width)
            Faces; the first ``n_faces`` are drawn.
        n_components : sequence of int, default=(5, 20, 50)
            Numbers of eigenfaces to rebuild from; values above the number
            fitted are clipped to it (and duplicates dropped).
        n_faces : int, default=5
            How many faces of ``X`` to draw.
        ax : array-like of matplotlib Axes, default=None
            ``n_faces * (len(n_components) + 1)`` axes; a new figure if None.

        Returns
        -------
        display : ReconstructionDisplay
        """
        caller = "ReconstructionDisplay.from_estimator"
        n_faces = _check_positive_int(n_faces, "n_faces", caller)
        step, preprocess = _eigen_step(estimator, caller)
        mean_face = np.asarray(step.mean_face_, dtype=float)
        eigenfaces = np.asarray(step.eigenfaces_, dtype=float)
        X, _ = flatten_images(X)
        X = np.asarray(preprocess(np.asarray(X)[:n_faces]), dtype=float)
        if X.ndim != 2 or X.shape[1] != mean_face.size:
            raise ValueError(
                f"X has {X.shape[-1]} values per face after the pipeline's earlier "
                f"steps, but the eigenfaces have {mean_face.size} pixels "
                f"{mean_face.shape}"
            )
        ks = []
        for k in n_components:
            k = _check_positive_int(k, "each of n_components", caller)
            k = min(k, eigenfaces.shape[0])
            if k not in ks:
                ks.append(k)
        recon = np.stack([_project(X, mean_face, eigenfaces, k) for k in ks], axis=1)
        shape = mean_face.shape
        disp = cls(X.reshape(-1, *shape), recon.reshape(X.shape[0], len(ks), *shape), ks)
        return disp.plot(ax=ax)

    def plot(self, *, ax=None):
        """Draw the display.

        Parameters
        ----------
        ax : array-like of matplotlib Axes, default=None
            ``n_faces * (n_ks + 1)`` axes; a new figure if None.

        Returns
        -------
        display : ReconstructionDisplay
        """
        originals = np.asarray(self.originals, dtype=float)
        recon = np.asarray(self.reconstructions, dtype=float)
        n_faces, n_ks = recon.shape[:2]
        n_cols = n_ks + 1
        fig, axes = _axes_grid(
            ax, n_faces * n_cols, n_cols, "ReconstructionDisplay.plot", panel_size=1.5
        )
        axes = axes.reshape(n_faces, n_cols)
        errors = np.sqrt(((recon - originals[:, None]) ** 2).mean(axis=(2, 3)))
        for i in range(n_faces):
            lo, hi = float(originals[i].min()), float(originals[i].max())
            _show_image(
                axes[i, 0], originals[i], title="original" if i == 0 else None, vmin=lo, vmax=hi
            )
            for j, k in enumerate(self.n_components):
                title = f"k={k}\nRMSE {errors[i, j]:.3g}"
                _show_image(axes[i, j + 1], recon[i, j], title=title, vmin=lo, vmax=hi)
        fig.suptitle("Faces rebuilt from their first k eigenfaces")
        self.figure_, self.ax_, self.errors_ = fig, axes, errors
        return self


class ExplainedVarianceDisplay:
    """Explained variance per eigenface and its cumulative curve.

    Parameters
    ----------
    explained_variance_ratio : ndarray of shape (n_components,)
        Share of the variance along each component, strongest first.

    Attributes
    ----------
    figure_ : matplotlib Figure
    ax_ : matplotlib Axes
    line_ : matplotlib Line2D
        The cumulative curve.
    n_components_for_ : dict of float to int
        For each of the ``thresholds``, the number of components needed to
        reach it (``None`` when never reached).

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> from fer_features.plotting import ExplainedVarianceDisplay
    >>> disp = ExplainedVarianceDisplay(np.array([0.5, 0.3, 0.15, 0.05])).plot()
    >>> disp.n_components_for_
    {0.8: 2, 0.9: 3, 0.95: 3}
    """

    def __init__(self, explained_variance_ratio):
        self.explained_variance_ratio = explained_variance_ratio

    @classmethod
    def from_estimator(cls, estimator, *, ax=None, thresholds=(0.8, 0.9, 0.95)):
        """Draw the explained variance of a fitted eigenface step (or PCA).

        Parameters
        ----------
        estimator : EigenfaceTransformer, PCA or Pipeline
            Fitted; any step with ``explained_variance_ratio_`` is used.
        ax : matplotlib Axes, default=None
        thresholds : sequence of float, default=(0.8, 0.9, 0.95)
            Cumulative shares marked on the curve.

        Returns
        -------
        display : ExplainedVarianceDisplay
        """
        step, _ = _find_step(
            estimator,
            ("explained_variance_ratio_",),
            "EigenfaceTransformer or PCA",
            "ExplainedVarianceDisplay.from_estimator",
        )
        return cls(np.asarray(step.explained_variance_ratio_)).plot(ax=ax, thresholds=thresholds)

    def plot(self, *, ax=None, thresholds=(0.8, 0.9, 0.95)):
        """Draw the display.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
        thresholds : sequence of float, default=(0.8, 0.9, 0.95)
            Cumulative shares marked on the curve.

        Returns
        -------
        display : ExplainedVarianceDisplay
        """
        ratio = np.asarray(self.explained_variance_ratio, dtype=float).ravel()
        fig, ax = _single_ax(ax, "ExplainedVarianceDisplay.plot", figsize=(6, 4))
        ks = np.arange(1, ratio.size + 1)
        cumulative = np.cumsum(ratio)
        ax.bar(ks, ratio, color="tab:gray", alpha=0.6, label="per component")
        (line,) = ax.plot(ks, cumulative, color="tab:blue", marker=".", label="cumulative")
        reached = {}
        for t in thresholds:
            hit = np.flatnonzero(cumulative >= t - 1e-12)
            k = int(hit[0] + 1) if hit.size else None
            reached[float(t)] = k
            if k is not None:
                ax.axhline(t, color="tab:red", lw=0.6, ls=":")
                ax.annotate(
                    f"{100 * t:.0f}% at k={k}",
                    (k, t),
                    fontsize=8,
                    xytext=(4, -10),
                    textcoords="offset points",
                )
        ax.set_xlabel("number of eigenfaces k")
        ax.set_ylabel("explained variance ratio")
        ax.set_ylim(0, 1.02)
        ax.set_title("Explained variance")
        ax.legend(loc="center right")
        self.figure_, self.ax_, self.line_, self.n_components_for_ = fig, ax, line, reached
        return self


def write_eigenfaces_plot(
    X, out, *, n_components=50, n_eigenfaces=24, image_shape=None, random_state=0, dpi=100
):
    """Fit eigenfaces on faces ``X`` and write the mean face and eigenfaces to a file.

    What ``fer-features eigenfaces`` does: fit an
    :class:`~fer_features.EigenfaceTransformer`, draw an
    :class:`EigenfacesDisplay` and save it (the format follows the file's
    extension, e.g. ``.png``).

    Parameters
    ----------
    X : array-like of shape (n_samples, height * width) or (n_samples, height, width)
        Faces, in the library's image convention.
    out : str or path-like
        The picture to write, with a picture extension (``.png``, ``.pdf``, ...),
        or a folder, which gets ``eigenfaces.png``; the folder is created if
        missing. Any other name is refused with a ``ValueError``.
    n_components : int, default=50
        Eigenfaces fitted (at most the number of faces and of pixels).
    n_eigenfaces : int, default=24
        Eigenfaces drawn (at most ``n_components``).
    image_shape : tuple of (int, int), default=None
        How to read a row as an image; square if None.
    random_state : int or None, default=0
        For the randomized SVD.
    dpi : int, default=100

    Returns
    -------
    display : EigenfacesDisplay
        With ``estimator_``, the fitted transformer, and ``path_``, the file.

    Examples
    --------
    >>> import tempfile, os
    >>> from fer_features.datasets import make_synthetic_faces
    >>> from fer_features.plotting import write_eigenfaces_plot
    >>> X, y = make_synthetic_faces(100, random_state=0, return_X_y=True)
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     disp = write_eigenfaces_plot(X, os.path.join(tmp, "eig.png"), n_components=10)
    ...     disp.path_.stat().st_size > 0
    True
    >>> disp.eigenfaces.shape
    (10, 48, 48)
    """
    from ..features import EigenfaceTransformer
    from ._base import _pyplot, picture_path

    caller = "write_eigenfaces_plot"
    path = picture_path(out, "eigenfaces.png")
    n_components = _check_positive_int(n_components, "n_components", caller)
    n_eigenfaces = _check_positive_int(n_eigenfaces, "n_eigenfaces", caller)
    X, implied = flatten_images(X)
    n_samples, n_pixels = np.shape(X)
    if n_components > min(n_samples, n_pixels):
        raise ValueError(
            f"n_components={n_components} is more than the data allow: "
            f"{n_samples} faces of {n_pixels} pixels give at most "
            f"{min(n_samples, n_pixels)} eigenfaces"
        )
    if image_shape is None and implied is not None:
        image_shape = implied
    estimator = EigenfaceTransformer(
        n_components=n_components, image_shape=image_shape, random_state=random_state
    ).fit(X)
    disp = EigenfacesDisplay.from_estimator(estimator, n_eigenfaces=min(n_eigenfaces, n_components))
    path.parent.mkdir(parents=True, exist_ok=True)
    disp.figure_.savefig(path, dpi=dpi)
    _pyplot(caller).close(disp.figure_)
    disp.estimator_, disp.path_ = estimator, path
    return disp
