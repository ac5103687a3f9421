"""The benchmark comparison chart and the plots written beside a benchmark report."""

from pathlib import Path

import numpy as np

from ._base import _pyplot

__all__ = ["BenchmarkDisplay", "write_benchmark_plots"]

_FAILED = ("fail", "error", "crash", "skip", "unavailable")


def _is_ok(status):
    """Whether a benchmark ``status`` value means the estimator was scored."""
    if status is None or (isinstance(status, float) and np.isnan(status)):
        return True
    return not str(status).lower().startswith(_FAILED)


def _summary(table):
    """One row per estimator: mean accuracy, macro-F1, fit seconds; failed flag."""
    import pandas as pd

    table = pd.DataFrame(table)
    missing = {"estimator", "accuracy", "macro_f1", "fit_seconds"} - set(table.columns)
    if missing:
        raise ValueError(
            f"the benchmark table lacks the column(s) {sorted(missing)}; it has "
            f"{list(table.columns)}"
        )
    if "status" not in table.columns:
        table = table.assign(status="ok")
    table = table.assign(ok=[_is_ok(s) for s in table["status"]])
    rows = []
    for name, group in table.groupby("estimator", sort=False):
        good = group[group["ok"]]
        if len(good):
            rows.append(
                (
                    str(name),
                    True,
                    float(pd.to_numeric(good["accuracy"], errors="coerce").mean()),
                    float(pd.to_numeric(good["macro_f1"], errors="coerce").mean()),
                    float(pd.to_numeric(good["fit_seconds"], errors="coerce").mean()),
                )
            )
        else:
            rows.append((str(name), False, np.nan, np.nan, np.nan))
    return pd.DataFrame(rows, columns=["estimator", "ok", "accuracy", "macro_f1", "fit_seconds"])


class BenchmarkDisplay:
    """Accuracy and macro-F1 per estimator beside each one's fit time.

    Left: horizontal bars of accuracy and macro-F1 per estimator, best first.
    Right: the fit time of each (log scale). Estimators that failed are
    listed in the title and left out of the bars. With several rows per
    estimator (cross-validation folds), their means are drawn.

    Parameters
    ----------
    table : pandas.DataFrame
        The benchmark result's ``table``, with columns ``estimator``,
        ``accuracy``, ``macro_f1``, ``fit_seconds`` and (optionally) ``status``.

    Attributes
    ----------
    figure_ : matplotlib Figure
    ax_ : ndarray of 2 matplotlib Axes
        Scores, fit times.
    summary_ : pandas.DataFrame
        One row per estimator as drawn: ``estimator``, ``ok``, ``accuracy``,
        ``macro_f1``, ``fit_seconds``.
    failed_ : list of str
        Estimators without a score.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import pandas as pd
    >>> from fer_features.plotting import BenchmarkDisplay
    >>> table = pd.DataFrame({"estimator": ["lbp-svc", "hog-xgb", "cnn"],
    ...                       "status": ["ok", "ok", "failed"],
    ...                       "accuracy": [0.61, 0.55, None],
    ...                       "macro_f1": [0.58, 0.50, None],
    ...                       "fit_seconds": [12.0, 30.5, None]})
    >>> disp = BenchmarkDisplay(table).plot()
    >>> disp.summary_["estimator"].tolist(), disp.failed_
    (['lbp-svc', 'hog-xgb'], ['cnn'])
    """

    def __init__(self, table):
        self.table = table

    @classmethod
    def from_result(cls, result, *, ax=None):
        """Draw the comparison chart of a benchmark result.

        Parameters
        ----------
        result : object with a ``table`` attribute, or a DataFrame
            As returned by :func:`~fer_features.run_benchmark`.
        ax : array-like of 2 matplotlib Axes, default=None

        Returns
        -------
        display : BenchmarkDisplay
        """
        table = getattr(result, "table", result)
        return cls(table).plot(ax=ax)

    def plot(self, *, ax=None):
        """Draw the display.

        Parameters
        ----------
        ax : array-like of 2 matplotlib Axes, default=None

        Returns
        -------
        display : BenchmarkDisplay
        """
        summary = _summary(self.table)
        failed = summary.loc[~summary["ok"], "estimator"].tolist()
        summary = (
            summary[summary["ok"]]
            .sort_values("accuracy", ascending=False, kind="stable")
            .reset_index(drop=True)
        )
        n = len(summary)
        plt = _pyplot("BenchmarkDisplay.plot")
        if ax is None:
            fig, axes = plt.subplots(
                1,
                2,
                figsize=(10, 1.2 + 0.55 * max(n, 2)),
                gridspec_kw={"width_ratios": [3, 2]},
                sharey=True,
                layout="constrained",
            )
        else:
            axes = np.asarray(ax, dtype=object).ravel()
            if axes.size != 2:
                raise ValueError(f"BenchmarkDisplay.plot needs 2 axes, got {axes.size}")
            fig = axes[0].figure
        y = np.arange(n)
        h = 0.38
        acc = axes[0].barh(y - h / 2, summary["accuracy"], h, label="accuracy", color="tab:blue")
        f1 = axes[0].barh(y + h / 2, summary["macro_f1"], h, label="macro-F1", color="tab:orange")
        for bars in (acc, f1):
            axes[0].bar_label(bars, fmt="%.3f", fontsize=7, padding=2)
        axes[0].set_yticks(y, labels=summary["estimator"])
        axes[0].invert_yaxis()
        axes[0].set_xlim(0, 1.1)
        axes[0].set_xlabel("score on the test data")
        axes[0].legend(loc="lower right", fontsize=8)
        axes[0].set_title("Accuracy and macro-F1")
        times = summary["fit_seconds"].to_numpy(dtype=float)
        tbars = axes[1].barh(y, np.where(np.isfinite(times), times, 0), 0.6, color="tab:gray")
        axes[1].bar_label(tbars, labels=[f"{t:.1f} s" for t in times], fontsize=7, padding=2)
        if n and np.nanmax(times) > 0:
            axes[1].set_xscale("log")
            positive = times[times > 0]
            axes[1].set_xlim(positive.min() / 2 if positive.size else 0.1, np.nanmax(times) * 8)
        axes[1].set_xlabel("fit time (s, log scale)")
        axes[1].set_title("Fit time")
        title = "Benchmark"
        if failed:
            title += " (failed: " + ", ".join(failed) + ")"
        fig.suptitle(title)
        self.figure_, self.ax_, self.summary_, self.failed_ = fig, axes, summary, failed
        return self


def write_benchmark_plots(result, out_dir, *, dpi=100):
    """Write the benchmark's plots as PNG files into ``out_dir``.

    The comparison chart (``benchmark.png``, see :class:`BenchmarkDisplay`)
    and one confusion matrix per successful estimator
    (``confusion_<estimator>.png``, see
    :class:`~fer_features.plotting.ExpressionConfusionDisplay`).

    Parameters
    ----------
    result : benchmark result
        As returned by :func:`~fer_features.run_benchmark`: its ``table``
        DataFrame and its ``confusion_matrices`` dict (estimator name to a pair
        ``(matrix, class names)``).
    out_dir : str or path-like
        Created if missing.
    dpi : int, default=100

    Returns
    -------
    paths : list of pathlib.Path
        The files written, the comparison chart first.

    Examples
    --------
    >>> import tempfile
    >>> import numpy as np
    >>> import pandas as pd
    >>> from types import SimpleNamespace
    >>> from fer_features.plotting import write_benchmark_plots
    >>> result = SimpleNamespace(
    ...     table=pd.DataFrame({"estimator": ["lbp-svc"], "status": ["ok"],
    ...                         "accuracy": [0.6], "macro_f1": [0.55],
    ...                         "fit_seconds": [3.0]}),
    ...     confusion_matrices={"lbp-svc": (np.array([[3, 1], [0, 4]]), ["sad", "happy"])})
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     [p.name for p in write_benchmark_plots(result, tmp)]
    ['benchmark.png', 'confusion_lbp-svc.png']
    """
    from ..benchmark import file_stem
    from ._metrics import ExpressionConfusionDisplay

    plt = _pyplot("write_benchmark_plots")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    table = getattr(result, "table", None)
    if table is None:
        raise ValueError(
            f"write_benchmark_plots needs a benchmark result with a `table`; got "
            f"{type(result).__name__}"
        )
    written = []
    disp = BenchmarkDisplay(table).plot()
    path = out_dir / "benchmark.png"
    disp.figure_.savefig(path, dpi=dpi)
    plt.close(disp.figure_)
    written.append(path)
    ok = set(disp.summary_["estimator"])
    matrices = getattr(result, "confusion_matrices", None) or {}
    for name, entry in matrices.items():
        if str(name) not in ok or entry is None:
            continue
        matrix, labels = entry
        cdisp = ExpressionConfusionDisplay(np.asarray(matrix), display_labels=list(labels)).plot()
        cdisp.ax_.set_title(f"{name}: " + cdisp.ax_.get_title())
        path = out_dir / f"confusion_{file_stem(name)}.png"
        cdisp.figure_.savefig(path, dpi=dpi, bbox_inches="tight")
        plt.close(cdisp.figure_)
        written.append(path)
    return written
