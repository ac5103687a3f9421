"""The benchmark runner: classic pipelines and CNNs scored on the same data and folds.

:func:`run_benchmark` trains every estimator on the same training folds, scores it
on the same test folds (accuracy, balanced accuracy, macro and weighted F1,
per-class scores, ROC AUC, confusion matrix, timings, memory), writes each
estimator's result as soon as it is done and resumes an interrupted run.
"""

from ._cluster import check_scheduler, dask_cluster, parse_scheduler
from ._metrics import (
    SCALAR_METRICS,
    bootstrap_interval,
    classification_metrics,
)
from ._report import format_table
from ._result import BenchmarkInterrupted, BenchmarkResult
from ._roster import DEFAULT_ROSTER, default_roster, make_roster
from ._runner import run_benchmark
from ._splits import group_overlap, resolve_split, subsample_per_class
from ._store import (
    check_out_dir,
    data_fingerprint,
    describe_estimator,
    estimator_fingerprint,
    file_stem,
    split_fingerprint,
)

__all__ = [
    "DEFAULT_ROSTER",
    "BenchmarkInterrupted",
    "SCALAR_METRICS",
    "BenchmarkResult",
    "bootstrap_interval",
    "classification_metrics",
    "dask_cluster",
    "data_fingerprint",
    "default_roster",
    "describe_estimator",
    "check_out_dir",
    "check_scheduler",
    "estimator_fingerprint",
    "file_stem",
    "format_table",
    "group_overlap",
    "make_roster",
    "parse_scheduler",
    "resolve_split",
    "run_benchmark",
    "split_fingerprint",
    "subsample_per_class",
]
