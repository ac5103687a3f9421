"""LBP pictures: a face, its LBP code image, the cell grid and one cell's histogram."""

from numbers import Integral

import numpy as np

from .._images import flatten_images
from ._base import _axes_grid, _find_step, _show_image

__all__ = ["LBPDisplay"]


class LBPDisplay:
    """A face beside its LBP code image, its cell grid and one cell's histogram.

    Four panels, left to right: the face; its code image (the LBP code of each
    pixel); the face with the grid of cells over which histograms are taken,
    the chosen cell outlined; the histogram of codes in that cell, which is
    that cell's slice of the feature vector.

    Parameters
    ----------
    image : ndarray of shape (height, width)
        The face.
    code_image : ndarray of shape (height, width)
        Its LBP codes.
    row_edges, col_edges : ndarray of int
        The cell boundaries: cell ``(r, c)`` covers rows
        ``row_edges[r]:row_edges[r + 1]`` and columns
        ``col_edges[c]:col_edges[c + 1]``.
    cell : tuple of (int, int)
        The chosen cell ``(row, column)``.
    histogram : ndarray of shape (n_bins,)
        The histogram of codes in the chosen cell.

    Attributes
    ----------
    figure_ : matplotlib Figure
    ax_ : ndarray of 4 matplotlib Axes
        Face, code image, grid, histogram.

    See Also
    --------
    fer_features.LBPTransformer : The transformer whose features these are.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from fer_features.datasets import make_synthetic_faces
    >>> from fer_features.features import LBPTransformer
    >>> from fer_features.plotting import LBPDisplay
    >>> X, y = make_synthetic_faces(50, random_state=0, return_X_y=True)
    >>> lbp = LBPTransformer(grid_shape=(6, 6)).fit(X)
    >>> disp = LBPDisplay.from_estimator(lbp, X, index=3, cell=(2, 1))
    >>> [a.get_title() for a in disp.ax_]
    ['face', 'LBP codes', 'cells 6x6, cell (2, 1)', 'histogram of cell (2, 1)']
    """

    def __init__(self, image, code_image, row_edges, col_edges, cell, histogram):
        self.image = image
        self.code_image = code_image
        self.row_edges = row_edges
        self.col_edges = col_edges
        self.cell = cell
        self.histogram = histogram

    @classmethod
    def from_estimator(cls, estimator, X, *, index=0, cell=(0, 0), ax=None):
        """Draw the LBP of one face as a fitted LBP transformer computes it.

        Parameters
        ----------
        estimator : LBPTransformer or Pipeline
            A fitted :class:`~fer_features.LBPTransformer`, or a fitted pipeline
            with one among its steps (the steps before it are applied to ``X``).
        X : array-like of shape (n_samples, height * width) or (n_samples, height, width)
            Faces.
        index : int, default=0
            Which face of ``X`` to draw.
        cell : tuple of (int, int), default=(0, 0)
            The cell ``(row, column)`` whose histogram is drawn.
        ax : array-like of 4 matplotlib Axes, default=None
            A new figure if None.

        Returns
        -------
        display : LBPDisplay
        """
        caller = "LBPDisplay.from_estimator"
        step, preprocess = _find_step(
            estimator, ("code_images", "cell_edges", "image_shape_"), "LBPTransformer", caller
        )
        X, _ = flatten_images(X)
        n = len(X)
        if not isinstance(index, Integral) or not -n <= index < n:
            raise ValueError(f"{caller}: index={index!r} is not a face of X ({n} faces)")
        row = np.asarray(X)[[index]]
        row = preprocess(row)
        code_image = np.asarray(step.code_images(row))[0]
        shape = tuple(step.image_shape_)
        row_edges, col_edges = (np.asarray(e) for e in step.cell_edges(shape))
        n_rows, n_cols = len(row_edges) - 1, len(col_edges) - 1
        try:
            r, c = (int(v) for v in cell)
        except (TypeError, ValueError):
            raise ValueError(f"{caller}: cell must be a pair (row, column), got {cell!r}") from None
        if not (0 <= r < n_rows and 0 <= c < n_cols):
            raise ValueError(
                f"{caller}: cell={cell!r} is outside the {n_rows}x{n_cols} grid of cells"
            )
        histogram = _cell_histogram(step, row, code_image, row_edges, col_edges, r, c)
        image = np.asarray(row, dtype=float).reshape(shape)
        disp = cls(image, code_image, row_edges, col_edges, (r, c), histogram)
        return disp.plot(ax=ax)

    def plot(self, *, ax=None):
        """Draw the display.

        Parameters
        ----------
        ax : array-like of 4 matplotlib Axes, default=None
            A new figure if None.

        Returns
        -------
        display : LBPDisplay
        """
        from matplotlib.patches import Rectangle

        fig, axes = _axes_grid(ax, 4, 4, "LBPDisplay.plot", panel_size=2.6)
        re, ce = np.asarray(self.row_edges), np.asarray(self.col_edges)
        r, c = self.cell
        _show_image(axes[0], self.image, title="face", fontsize=10)
        _show_image(axes[1], self.code_image, title="LBP codes", cmap="viridis", fontsize=10)
        _show_image(
            axes[2],
            self.image,
            fontsize=10,
            title=f"cells {len(re) - 1}x{len(ce) - 1}, cell ({r}, {c})",
        )
        for edge in re:
            axes[2].axhline(edge - 0.5, color="yellow", lw=0.8)
        for edge in ce:
            axes[2].axvline(edge - 0.5, color="yellow", lw=0.8)
        axes[2].add_patch(
            Rectangle(
                (ce[c] - 0.5, re[r] - 0.5),
                ce[c + 1] - ce[c],
                re[r + 1] - re[r],
                fill=False,
                edgecolor="red",
                lw=2,
            )
        )
        hist = np.asarray(self.histogram, dtype=float)
        axes[3].bar(np.arange(hist.size), hist, color="tab:red", width=0.85)
        axes[3].set_title(f"histogram of cell ({r}, {c})", fontsize=10)
        axes[3].set_xlabel("LBP code bin")
        self.figure_, self.ax_ = fig, axes
        return self


def _cell_histogram(step, row, code_image, row_edges, col_edges, r, c):
    """The chosen cell's slice of the transformer's features.

    Found through the feature names (``lbp_r{r}c{c}_b{b}``) where the
    transformer gives them; otherwise counted from the code image.
    """
    try:
        names = np.asarray(step.get_feature_names_out(), dtype=str)
        values = np.asarray(step.transform(row), dtype=float)[0]
    except Exception:  # noqa: BLE001 - fall back to counting codes
        names = None
    if names is not None:
        prefix = f"r{r}c{c}_"
        picked = np.array([name.split("lbp_", 1)[-1].startswith(prefix) for name in names])
        if picked.any():
            return values[picked]
    n_bins = int(getattr(step, "n_bins_", 0)) or None
    codes = code_image[row_edges[r] : row_edges[r + 1], col_edges[c] : col_edges[c + 1]]
    return np.bincount(np.asarray(codes, dtype=np.int64).ravel(), minlength=n_bins or 0)
