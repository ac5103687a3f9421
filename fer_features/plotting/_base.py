"""Helpers shared by the display classes: lazy matplotlib, axes grids, checks.

Nothing here imports matplotlib at module level: :func:`_pyplot` does it when
a display is drawn, so ``import fer_features.plotting`` stays light.
"""

from numbers import Integral

import numpy as np

from .._confusion import label_names as _label_names  # noqa: F401 - one rule, shared
from .._images import as_images, flatten_images, resolve_image_shape


def _pyplot(caller):
    """Import and return ``matplotlib.pyplot``, or raise a clear ImportError."""
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:  # pragma: no cover - matplotlib is a core dependency
        raise ImportError(
            f"{caller} needs matplotlib to draw; install it with "
            f"`pip install matplotlib` (it comes with `pip install fer_features`)"
        ) from exc
    return plt


def picture_path(out, default_name):
    """Where a picture asked for as ``out`` is written.

    A folder (existing, or a name ending in a path separator) gets
    ``default_name`` inside it; any other name must end in an extension that
    matplotlib can write, so that the file lands exactly where asked.

    Parameters
    ----------
    out : str or path-like
        A file name with a picture extension (``.png``, ``.pdf``, ...) or a folder.
    default_name : str
        The file name used inside a folder, e.g. ``"eigenfaces.png"``.

    Returns
    -------
    path : pathlib.Path

    Raises
    ------
    ValueError
        If ``out`` is not a folder and has no picture extension.
    """
    import os
    from pathlib import Path

    from matplotlib.backend_bases import FigureCanvasBase

    path = Path(out)
    if path.is_dir() or str(out).endswith(("/", os.sep)):
        path = path / default_name
    formats = FigureCanvasBase.get_supported_filetypes()
    suffix = path.suffix.lower().lstrip(".")
    if suffix not in formats:
        what = f"its extension .{suffix} is not" if suffix else "it has no extension, so"
        raise ValueError(
            f"--out {out}: {what} a picture format; end the name with one "
            f"of {', '.join('.' + f for f in sorted(formats))} "
            f"(e.g. {path.with_suffix('.png').name})"
        )
    return path


def _single_ax(ax, caller, **subplots_kw):
    """Return ``(figure, ax)``: the given axes' figure, or a new figure."""
    plt = _pyplot(caller)
    if ax is None:
        subplots_kw.setdefault("layout", "constrained")
        fig, ax = plt.subplots(**subplots_kw)
    else:
        fig = ax.figure
    return fig, ax


def _axes_grid(ax, n_panels, n_cols, caller, *, panel_size=1.4, extra_height=0.0):
    """Return ``(figure, axes)`` with at least ``n_panels`` axes in a flat array.

    ``ax`` may be ``None`` (a new figure with a grid of ``n_cols`` columns is
    made) or an array-like of matplotlib axes with at least ``n_panels`` items
    (the figure of the first is used); unused axes are hidden.
    """
    plt = _pyplot(caller)
    if ax is None:
        n_cols = max(1, min(n_cols, n_panels))
        n_rows = -(-n_panels // n_cols)
        fig, axes = plt.subplots(
            n_rows,
            n_cols,
            squeeze=False,
            figsize=(panel_size * n_cols, (panel_size + 0.25) * n_rows + 0.5 + extra_height),
            layout="constrained",
        )
        axes = axes.ravel()
    else:
        axes = np.asarray(ax, dtype=object).ravel()
        if axes.size < n_panels:
            raise ValueError(
                f"{caller} draws {n_panels} panels but ax holds only {axes.size} "
                f"axes; pass ax=None or an array of at least {n_panels} axes"
            )
        fig = axes[0].figure
    for extra in axes[n_panels:]:
        extra.set_visible(False)
    return fig, axes[:n_panels]


def _show_image(ax, image, *, title=None, cmap="gray", vmin=None, vmax=None, fontsize=8):
    """Draw one grey image without ticks; return the AxesImage."""
    im = ax.imshow(image, cmap=cmap, vmin=vmin, vmax=vmax, interpolation="nearest")
    ax.set_xticks([])
    ax.set_yticks([])
    if title is not None:
        ax.set_title(title, fontsize=fontsize)
    return im


def _check_positive_int(value, name, caller):
    """Raise a ValueError naming ``name`` unless ``value`` is an int >= 1."""
    if not isinstance(value, Integral) or isinstance(value, bool) or value < 1:
        raise ValueError(f"{caller}: {name} must be a positive integer, got {value!r}")
    return int(value)


def _find_step(estimator, attributes, kind, caller):
    """Find a fitted step with all ``attributes`` in ``estimator`` or a pipeline.

    Returns ``(step, preprocess)`` where ``preprocess(X)`` applies the pipeline
    steps before the found one (identity when ``estimator`` is the step itself).
    Nested pipelines, the transformers of a ``FeatureUnion`` and the fitted
    estimator inside a search (``best_estimator_``) or a wrapper
    (``estimator_``) are searched too; for a step inside a union, the union's
    own input is used.
    """

    def has_all(obj):
        return all(hasattr(obj, a) for a in attributes)

    def search(obj):
        # returns (step, list of transformers to apply first) or None
        if has_all(obj):
            return obj, []
        # fitted meta-estimators: a search's best estimator, a wrapper's estimator
        for attr in ("best_estimator_", "estimator_"):
            inner = getattr(obj, attr, None)
            if inner is not None and inner is not obj:
                found = search(inner)
                if found is not None:
                    return found
        steps = getattr(obj, "steps", None)
        if steps is not None:
            for i, (_, step) in enumerate(steps):
                if step is None or step == "passthrough":
                    continue
                found = search(step)
                if found is not None:
                    before = [s for _, s in steps[:i] if s is not None and s != "passthrough"]
                    return found[0], before + found[1]
            return None
        parts = getattr(obj, "transformer_list", None)
        if parts is not None:
            for _, part in parts:
                if part is None or part in ("drop", "passthrough"):
                    continue
                found = search(part)
                if found is not None:
                    return found
        return None

    found = search(estimator)
    if found is None:
        raise ValueError(
            f"{caller} needs a fitted {kind}, or a fitted pipeline containing one; "
            f"got {type(estimator).__name__}, in which no step has the fitted "
            f"attributes {', '.join(attributes)} (fit it first)"
        )
    step, before = found

    def preprocess(X):
        for transformer in before:
            X = transformer.transform(X)
        return X

    return step, preprocess


def _images_of(X, image_shape=None):
    """Return (n, h, w) images from ``X`` in the library's image convention."""
    X, implied = flatten_images(X)
    X = np.asarray(X)
    if X.ndim == 1:
        X = X[None, :]
    shape = resolve_image_shape(X.shape[1], image_shape, implied)
    return as_images(X, shape)
