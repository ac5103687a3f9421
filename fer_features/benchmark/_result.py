"""The outcome of a benchmark run: its records as tables."""

import numpy as np

from ._metrics import BOOTSTRAP_METRICS, RECORDED_FIGURES, SCALAR_METRICS

__all__ = ["BenchmarkInterrupted", "BenchmarkResult"]


class BenchmarkResult:
    """The outcome of :func:`run_benchmark`.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per estimator, in roster order: ``estimator``, ``status``
        (``"ok"`` or ``"failed"``), ``reused``, ``n_folds``, ``n_train``,
        ``n_test``; per score (``accuracy``, ``balanced_accuracy``, ``macro_f1``,
        ``weighted_f1``, ``roc_auc_ovr`` and, for two classes, ``precision``,
        ``recall``, ``roc_auc``) its mean over folds, ``<score>_std`` (standard
        deviation over folds, numpy's ``ddof=0``; ``nan`` for one fold) and,
        for accuracy, balanced accuracy and macro-F1 on a single test split,
        ``<score>_ci_low`` / ``<score>_ci_high`` (bootstrap 95 % interval);
        ``fit_seconds`` and ``predict_seconds`` (mean per fold),
        ``ms_per_image`` (prediction), ``peak_memory_mb`` (largest over folds)
        and ``error`` (for failures).
    per_class : pandas.DataFrame
        ``estimator``, ``class``, ``precision``, ``recall``, ``f1``, ``support``
        from the confusion matrix pooled over folds.
    folds : pandas.DataFrame
        One row per estimator and fold with that fold's scores and timings.
    confusion_matrices : dict
        Estimator name to ``(matrix, class names)``: counts pooled over folds,
        rows true, columns predicted.
    confused_pairs : dict
        Estimator name to its most-confused class pairs (see
        :func:`fer_features.plotting.most_confused_pairs`).
    failures : dict
        Estimator name to its error message.
    records : list of dict
        The full per-estimator records, as stored in the JSON files.
    meta : dict
        Data, split and machine description.
    files : dict
        Paths written (``results.csv``, ``results.json``, ``report.md``, plots).
    """

    def __init__(self, records, meta, files=None):
        self.records = records
        self.meta = meta
        self.files = dict(files or {})
        self._build_tables()

    def _build_tables(self):
        import pandas as pd

        class_names = self.meta["class_names"]
        rows, per_class, folds = [], [], []
        self.confusion_matrices, self.confused_pairs, self.failures = {}, {}, {}
        for record in self.records:
            name = record["estimator"]
            row = {
                "estimator": name,
                "status": record["status"],
                "reused": bool(record.get("reused", False)),
            }
            summary = record.get("summary") or {}
            row.update(
                {
                    "n_folds": len(record.get("folds", [])),
                    "n_train": summary.get("n_train"),
                    "n_test": summary.get("n_test"),
                }
            )
            for metric in SCALAR_METRICS:
                row[metric] = summary.get(metric)
                row[f"{metric}_std"] = summary.get(f"{metric}_std")
                if metric in BOOTSTRAP_METRICS:
                    row[f"{metric}_ci_low"] = summary.get(f"{metric}_ci_low")
                    row[f"{metric}_ci_high"] = summary.get(f"{metric}_ci_high")
            for key in ("fit_seconds", "predict_seconds", "ms_per_image", "peak_memory_mb"):
                row[key] = summary.get(key)
            row["error"] = record.get("error")
            rows.append(row)
            if record["status"] != "ok":
                self.failures[name] = record.get("error")
            else:
                matrix = np.asarray(summary["confusion_matrix"], dtype=np.int64)
                self.confusion_matrices[name] = (matrix, list(class_names))
                self.confused_pairs[name] = summary.get("most_confused", [])
                for i, cls in enumerate(class_names):
                    per_class.append(
                        {
                            "estimator": name,
                            "class": cls,
                            **{
                                k: summary["per_class"][k][i]
                                for k in ("precision", "recall", "f1", "support")
                            },
                        }
                    )
            for i, fold in enumerate(record.get("folds", [])):
                folds.append(
                    {
                        "estimator": name,
                        "fold": i,
                        **{k: fold.get(k) for k in RECORDED_FIGURES},
                    }
                )
        table = pd.DataFrame(rows)
        numeric = [c for c in table.columns if c not in ("estimator", "status", "reused", "error")]
        table[numeric] = table[numeric].apply(pd.to_numeric, errors="coerce")
        self.table = table
        self.per_class = pd.DataFrame(
            per_class, columns=["estimator", "class", "precision", "recall", "f1", "support"]
        )
        self.folds = pd.DataFrame(folds)

    def __repr__(self):
        ok = int((self.table["status"] == "ok").sum())
        return (
            f"BenchmarkResult({len(self.table)} estimators, {ok} ok, "
            f"{len(self.failures)} failed; {self.meta['split']})"
        )

    def to_text(self):
        """The main scores as a plain text table (as the command prints it)."""
        from ._report import format_table

        return format_table(self.table)

    def to_markdown(self):
        """The readable report (what ``report.md`` holds)."""
        from ._report import render_report

        return render_report(self)


class BenchmarkInterrupted(KeyboardInterrupt):
    """Raised by :func:`run_benchmark` on Ctrl-C, after writing what finished.

    A ``KeyboardInterrupt``, so code that does not know it stops as before.

    Attributes
    ----------
    result : BenchmarkResult
        The estimators that finished, and the interrupted one (status
        ``"interrupted"``).
    """

    def __init__(self, result):
        super().__init__(f"benchmark interrupted during {result.meta.get('interrupted')}")
        self.result = result
