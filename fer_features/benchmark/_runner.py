"""The benchmark runner: every estimator on the same data and folds, resumable."""

import datetime
import gc
import os
import platform
import sys
import time
import traceback
from collections.abc import Mapping
from numbers import Integral
from pathlib import Path

import numpy as np

from ._metrics import (
    BOOTSTRAP_METRICS,
    SCALAR_METRICS,
    bootstrap_interval,
    classification_metrics,
    most_confused_pairs,
)
from ._splits import resolve_split, subsample_per_class
from ._store import (
    ResultStore,
    data_fingerprint,
    describe_estimator,
    estimator_fingerprint,
    split_fingerprint,
    write_json,
    write_text,
)

__all__ = ["BenchmarkResult", "run_benchmark"]

# version of the record layout; a record of another version is recomputed
RECORD_VERSION = 1


# --------------------------------------------------------------------------- memory
def _reset_peak_memory():
    """Reset the process's peak resident memory where the OS allows it (Linux)."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return "peak resident memory of the process (VmHWM, reset per fold)"
    except OSError:
        return "peak resident memory of the process since it started (ru_maxrss)"


def _peak_memory_mb():
    """Peak resident memory of the process in MiB."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    try:
        import resource

        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024
    except (ImportError, OSError):  # pragma: no cover - Windows
        return float("nan")


# ---------------------------------------------------------------------------- input
def _unpack(data):
    """X, y, usage, groups, target_names from a Bunch or an ``(X, y)`` pair."""
    if isinstance(data, tuple) and len(data) == 2:
        X, y = data
        usage = groups = target_names = None
    else:
        try:
            X, y = data["data"], data["target"]
        except (KeyError, TypeError):
            raise ValueError(
                "data must be a loader's Bunch (with `data` and `target`) or a pair "
                f"(X, y), got {type(data).__name__}"
            ) from None
        usage = data.get("usage")
        groups = data.get("groups")
        target_names = data.get("target_names")
    X = np.asarray(X)
    y = np.asarray(y)
    if X.ndim == 3:
        X = X.reshape(len(X), -1)
    if X.ndim != 2:
        raise ValueError(f"data must be (n_samples, n_features) images, got shape {X.shape}")
    if y.ndim != 1 or len(y) != len(X):
        raise ValueError(
            f"data has {len(X)} rows but target has shape {y.shape}; one label per row "
            f"is needed"
        )
    if usage is not None:
        usage = np.asarray(usage)
        if usage.shape != y.shape:
            raise ValueError(f"data.usage has shape {usage.shape}, expected {y.shape}")
    if groups is not None:
        groups = np.asarray(groups)
        if groups.shape != y.shape:
            raise ValueError(f"data.groups has shape {groups.shape}, expected {y.shape}")
    return X, y, usage, groups, target_names


def _class_names(classes, target_names):
    if target_names is not None:
        names = list(target_names)
        if np.issubdtype(np.asarray(classes).dtype, np.integer) and len(classes) and \
                0 <= int(np.min(classes)) and int(np.max(classes)) < len(names):
            return [str(names[int(c)]) for c in classes]
    return [str(c) for c in classes]


def _roster(estimators):
    """``[(name, estimator, or factory, or estimator name)]`` from the argument."""
    if isinstance(estimators, str):
        estimators = [estimators]
    if isinstance(estimators, Mapping):
        items = list(estimators.items())
    else:
        try:
            items = [(e, e) if isinstance(e, str) else e for e in estimators]
            items = [(str(name), spec) for name, spec in items]
        except (TypeError, ValueError):
            raise ValueError(
                "estimators must map names to estimators (or factories), or list "
                f"estimator names; got {estimators!r}"
            ) from None
    if not items:
        raise ValueError("estimators is empty: give at least one estimator")
    names = [str(name) for name, _ in items]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise ValueError(f"estimator name {repeated[0]!r} is given twice")
    for name, spec in items:
        if not (isinstance(spec, str) or hasattr(spec, "fit") or callable(spec)):
            raise ValueError(
                f"estimator {name!r} is {spec!r}, which is neither an estimator, a "
                f"factory returning one, nor an estimator name"
            )
    return [(str(name), spec) for name, spec in items]


def _build(spec):
    """An unfitted clone of the estimator a roster entry stands for."""
    from sklearn.base import clone

    if isinstance(spec, str):
        from ..registry import make_estimator

        return make_estimator(spec)
    if hasattr(spec, "fit"):
        return clone(spec)
    return spec()


def _set_n_jobs(estimator, n_jobs):
    """Give ``n_jobs`` to every ``n_jobs`` parameter left at ``None``."""
    if n_jobs is None:
        return
    params = estimator.get_params(deep=True)

    def owner(key):
        return params[key.rsplit("__", 1)[0]] if "__" in key else estimator

    # LogisticRegression's n_jobs does nothing since scikit-learn 1.8 (and warns)
    keys = {k: n_jobs for k, v in params.items()
            if (k == "n_jobs" or k.endswith("__n_jobs")) and v is None
            and type(owner(k)).__name__ != "LogisticRegression"}
    if keys:
        estimator.set_params(**keys)


def _thread_limit(n_jobs):
    """A context limiting the BLAS and OpenMP thread pools to ``n_jobs`` threads."""
    import contextlib

    if n_jobs is None:
        return contextlib.nullcontext()
    from threadpoolctl import threadpool_limits

    threads = n_jobs if n_jobs > 0 else max(1, (os.cpu_count() or 1) + 1 + n_jobs)
    return threadpool_limits(limits=threads)


def _aligned_proba(model, X, classes):
    """``predict_proba`` with one column per entry of ``classes`` (0 for unseen ones)."""
    if not hasattr(model, "predict_proba"):
        return None
    proba = np.asarray(model.predict_proba(X), dtype=np.float64)
    model_classes = list(getattr(model, "classes_", classes))
    if list(model_classes) == list(classes):
        return proba
    aligned = np.zeros((len(X), len(classes)))
    position = {c: i for i, c in enumerate(list(classes))}
    for j, c in enumerate(model_classes):
        if c in position:
            aligned[:, position[c]] = proba[:, j]
    return aligned


# --------------------------------------------------------------------------- result
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
        :func:`most_confused_pairs`).
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
            row = {"estimator": name, "status": record["status"],
                   "reused": bool(record.get("reused", False))}
            summary = record.get("summary") or {}
            row.update({"n_folds": len(record.get("folds", [])),
                        "n_train": summary.get("n_train"), "n_test": summary.get("n_test")})
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
                    per_class.append({
                        "estimator": name, "class": cls,
                        **{k: summary["per_class"][k][i]
                           for k in ("precision", "recall", "f1", "support")}})
            for i, fold in enumerate(record.get("folds", [])):
                folds.append({"estimator": name, "fold": i,
                              **{k: fold.get(k) for k in (*SCALAR_METRICS, "fit_seconds",
                                                          "predict_seconds", "ms_per_image",
                                                          "peak_memory_mb", "n_train",
                                                          "n_test")}})
        table = pd.DataFrame(rows)
        numeric = [c for c in table.columns
                   if c not in ("estimator", "status", "reused", "error")]
        table[numeric] = table[numeric].apply(pd.to_numeric, errors="coerce")
        self.table = table
        self.per_class = pd.DataFrame(
            per_class, columns=["estimator", "class", "precision", "recall", "f1", "support"])
        self.folds = pd.DataFrame(folds)

    def __repr__(self):
        ok = int((self.table["status"] == "ok").sum())
        return (f"BenchmarkResult({len(self.table)} estimators, {ok} ok, "
                f"{len(self.failures)} failed; {self.meta['split']})")

    def to_text(self):
        """The main scores as a plain text table (as the command prints it)."""
        return format_table(self.table)

    def to_markdown(self):
        """The readable report (what ``report.md`` holds)."""
        from ._report import render_report

        return render_report(self)


def _fmt(value, spec=".3f"):
    if value is None or (isinstance(value, float) and not np.isfinite(value)):
        return "-"
    return format(value, spec)


def format_table(table):
    """A fixed-width text table of the main columns of a result's ``table``."""
    columns = [("estimator", "estimator"), ("status", "status"),
               ("accuracy", "accuracy"), ("balanced_accuracy", "bal.acc"),
               ("macro_f1", "macro-F1"), ("roc_auc_ovr", "AUC-ovr"),
               ("fit_seconds", "fit s"), ("ms_per_image", "ms/img")]
    lines = []
    cells = []
    for _, row in table.iterrows():
        line = []
        for key, _ in columns:
            value = row[key]
            if key in ("estimator", "status"):
                line.append(str(value))
            elif key in ("fit_seconds",):
                line.append(_fmt(value, ".1f"))
            elif key == "ms_per_image":
                line.append(_fmt(value, ".2f"))
            else:
                text = _fmt(value)
                std = row.get(f"{key}_std")
                if text != "-" and std is not None and np.isfinite(std):
                    text += f" ±{std:.3f}"
                line.append(text)
        cells.append(line)
    widths = [max([len(title)] + [len(c[i]) for c in cells])
              for i, (_, title) in enumerate(columns)]
    lines.append("  ".join(t.ljust(w) for (_, t), w in zip(columns, widths)).rstrip())
    for line in cells:
        lines.append("  ".join(c.ljust(w) for c, w in zip(line, widths)).rstrip())
    return "\n".join(lines)


# --------------------------------------------------------------------------- runner
class _Progress:
    def __init__(self, verbose):
        self.verbose = verbose

    def __call__(self, message):
        if self.verbose:
            print(f"[benchmark] {message}", file=sys.stderr, flush=True)


def _summarize(folds, classes, class_names):
    """Aggregate fold records: means, stds, pooled confusion matrix and per-class."""
    summary = {}
    for metric in SCALAR_METRICS:
        values = np.array([f[metric] if f.get(metric) is not None else np.nan
                           for f in folds], dtype=np.float64)
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
    tp = np.diag(matrix).astype(np.float64)
    true = matrix.sum(axis=1)
    predicted = matrix.sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        precision = np.where(predicted > 0, tp / predicted, 0.0)
        recall = np.where(true > 0, tp / true, 0.0)
        f1 = np.where(true + predicted > 0, 2 * tp / (true + predicted), 0.0)
    summary["per_class"] = {"precision": precision.tolist(), "recall": recall.tolist(),
                            "f1": f1.tolist(), "support": true.astype(int).tolist()}
    summary["confusion_matrix"] = matrix.tolist()
    summary["most_confused"] = most_confused_pairs(matrix, class_names)
    return summary


def run_benchmark(estimators, data, *, split=None, max_per_class=None, out_dir=None,
                  resume=True, n_jobs=None, random_state=0, verbose=1, plots=True,
                  n_bootstrap=1000):
    """Train and score estimators on the same data and folds; write a resumable report.

    Each estimator is fitted on every training fold and scored on the matching
    test fold; a fresh clone is used per fold. Estimators run one after the
    other (so their timings are comparable); ``n_jobs`` parallelises inside each
    one. An estimator that raises is recorded as failed with its error and the
    others go on.

    With ``out_dir``, each estimator's record is written to
    ``out_dir/estimators/<name>.json`` after every fold, so an interrupted or
    failing run loses at most the fold in progress; a later run with
    ``resume=True`` reuses a stored record (or its finished folds) only when
    the estimator's parameters, the data and the split are all the same
    (compared through SHA-256 fingerprints; ``n_jobs`` and ``verbose`` do not
    count). At the end ``results.csv`` (the table), ``results.json`` (every
    record), ``report.md`` and, when :mod:`fer_features.plotting` provides
    them, PNG plots are written there.

    To run the estimators' inner parallel loops (forests, grid searches,
    calibration folds) on a Dask cluster, wrap the call in
    ``with joblib.parallel_backend("dask"):`` with a ``dask.distributed.Client``
    connected (``pip install 'fer_features[dask]'``) and pass ``n_jobs=-1``.

    Parameters
    ----------
    estimators : dict, list or str
        A mapping from names to scikit-learn estimators (cloned before use), to
        zero-argument factories returning one (called only when that estimator's
        turn comes, e.g. to import Keras lazily; an error there is recorded as
        a failure), or to estimator names; or a list of estimator names (see
        :func:`fer_features.pipelines.make_estimator`), built with their full
        settings.
    data : Bunch or (X, y)
        A loader's Bunch (``data`` as ``(n_samples, h * w)`` rows, ``target``,
        optionally ``target_names``, ``usage`` and ``groups``) or a pair.
    split : None, pair of str, int or splitter, default=None
        ``("Training", "PublicTest")``: train on the rows of the first usage,
        test on those of the second. ``k``: stratified k-fold (shuffled with
        ``random_state``). A scikit-learn splitter: its folds, given
        ``data.groups`` (group splitters score subject-independently). ``None``:
        ``("Training", "PublicTest")`` when the data have those usages, else 5
        folds.
    max_per_class : int or None, default=None
        Keep at most this many training images per class in every training fold
        (chosen at random with ``random_state``), for quick or balanced runs;
        test folds are never subsampled.
    out_dir : path-like or None, default=None
        Folder for the results (created if missing; an existing one is resumed).
        ``None`` writes nothing.
    resume : bool, default=True
        Reuse matching stored results from ``out_dir``.
    n_jobs : int or None, default=None
        Parallelism inside each estimator: set on every ``n_jobs`` parameter the
        estimators leave at ``None`` (forests, XGBoost, calibration folds), and
        the BLAS and OpenMP thread pools (gradient boosting, NumPy) are limited
        to that many threads during fit and predict (``-1``: all cores).
        ``None`` leaves every library at its own default. On a machine shared
        with other jobs, ``n_jobs=1`` avoids the large slow-downs of
        over-subscribed OpenMP threads.
    random_state : int, default=0
        Seed of the k-fold shuffling, the per-class subsampling and the bootstrap.
    verbose : int, default=1
        0 is silent; 1 writes one line per estimator and fold (with timings) to
        stderr.
    plots : bool, default=True
        Write the plots of :func:`fer_features.plotting.write_benchmark_plots`
        next to the report (when ``out_dir`` is given).
    n_bootstrap : int, default=1000
        Bootstrap resamples for the 95 % intervals on a single test split.

    Returns
    -------
    result : BenchmarkResult
        ``result.table`` is the comparison (one row per estimator).

    Raises
    ------
    ValueError
        For bad arguments or data (unknown usage, malformed estimators, ...),
        before any estimator runs.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from sklearn.dummy import DummyClassifier
    >>> from sklearn.naive_bayes import GaussianNB
    >>> from fer_features.benchmark import run_benchmark
    >>> X, y = load_digits(return_X_y=True)
    >>> result = run_benchmark({"bayes": GaussianNB(), "prior": DummyClassifier()},
    ...                        (X, y), split=3, verbose=0)
    >>> result.table[["estimator", "status", "n_folds"]]
      estimator status  n_folds
    0     bayes     ok        3
    1     prior     ok        3
    >>> bool(result.table.loc[0, "accuracy"] > 0.7)
    True
    """
    X, y, usage, groups, target_names = _unpack(data)
    roster = _roster(estimators)
    if max_per_class is not None and (not isinstance(max_per_class, Integral)
                                      or isinstance(max_per_class, bool)
                                      or max_per_class < 1):
        raise ValueError(f"max_per_class must be a positive integer or None, got "
                         f"{max_per_class!r}")
    progress = _Progress(verbose)
    classes = np.unique(y)
    class_names = _class_names(classes, target_names)
    folds, description = resolve_split(split, y, usage=usage, groups=groups,
                                       random_state=random_state)
    if max_per_class is not None:
        folds = [(subsample_per_class(train, y, max_per_class, random_state + i), test)
                 for i, (train, test) in enumerate(folds)]
        description += f", at most {max_per_class} training images per class"
    for i, (train, test) in enumerate(folds):
        if len(train) == 0 or len(test) == 0:
            raise ValueError(f"fold {i + 1} of the split ({description}) has an empty "
                             f"{'training' if len(train) == 0 else 'test'} set")
    fingerprints = {"data": data_fingerprint(X, y), "split": split_fingerprint(folds)}
    store = ResultStore(out_dir) if out_dir is not None else None
    meta = {
        "split": description,
        "n_folds": len(folds),
        "n_samples": int(len(y)),
        "n_features": int(X.shape[1]),
        "classes": classes.tolist(),
        "class_names": class_names,
        "max_per_class": max_per_class,
        "random_state": random_state,
        "data_fingerprint": fingerprints["data"],
        "split_fingerprint": fingerprints["split"],
        "started": datetime.datetime.now().isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, {platform.system()}",
        "python": platform.python_version(),
        "memory_measure": _reset_peak_memory(),
    }
    where = f"; results in {out_dir}" if out_dir is not None else ""
    progress(f"{len(roster)} estimator(s) on {len(y)} images, {description} "
             f"({len(folds)} fold{'s' if len(folds) > 1 else ''}){where}")
    records = []
    for name, spec in roster:
        record = _run_one(name, spec, X, y, classes, class_names, folds, fingerprints,
                          store=store, resume=resume, n_jobs=n_jobs, progress=progress,
                          n_bootstrap=n_bootstrap, random_state=random_state)
        records.append(record)
    meta["finished"] = datetime.datetime.now().isoformat(timespec="seconds")
    result = BenchmarkResult(records, meta)
    if out_dir is not None:
        _write_outputs(result, Path(out_dir), plots=plots, progress=progress)
    return result


def _run_one(name, spec, X, y, classes, class_names, folds, fingerprints, *, store,
             resume, n_jobs, progress, n_bootstrap, random_state):
    from sklearn.base import clone

    record = {"version": RECORD_VERSION, "estimator": name, "status": "running",
              "folds": [], "error": None}
    try:
        estimator = _build(spec)
        _set_n_jobs(estimator, n_jobs)
        record["params"] = describe_estimator(estimator)
        record["fingerprints"] = {"params": estimator_fingerprint(estimator), **fingerprints}
    except Exception as exc:  # noqa: BLE001 - any error is recorded
        return _failed(record, exc, "building the estimator", store, progress)
    previous = store.load(name) if (store is not None and resume) else None
    if previous is not None and (previous.get("version") != RECORD_VERSION
                                 or previous.get("fingerprints") != record["fingerprints"]):
        progress(f"{name}: stored result is for other parameters, data or split; "
                 f"recomputing")
        previous = None
    if previous is not None and previous.get("status") == "ok":
        progress(f"{name}: reused (same parameters, data and split) from "
                 f"{store.path(name)}")
        previous["reused"] = True
        return previous
    if previous is not None and previous.get("folds"):
        record["folds"] = list(previous["folds"])
        progress(f"{name}: resuming after {len(record['folds'])} finished fold(s)")
    n_folds = len(folds)
    gc.collect()
    for i, (train, test) in enumerate(folds):
        if i < len(record["folds"]):
            continue
        stage = "fit"
        try:
            model = clone(estimator)
            _reset_peak_memory()
            with _thread_limit(n_jobs):
                start = time.perf_counter()
                model.fit(X[train], y[train])
                fit_seconds = time.perf_counter() - start
                stage = "predict"
                start = time.perf_counter()
                y_pred = np.asarray(model.predict(X[test]))
                predict_seconds = time.perf_counter() - start
                stage = "predict_proba"
                proba = _aligned_proba(model, X[test], classes)
            peak = _peak_memory_mb()
            stage = "scoring"
            fold = classification_metrics(y[test], y_pred, classes, proba)
            fold.pop("per_class")
            fold.update(fit_seconds=fit_seconds, predict_seconds=predict_seconds,
                        ms_per_image=1000 * predict_seconds / len(test),
                        peak_memory_mb=peak, n_train=int(len(train)),
                        n_test=int(len(test)), has_proba=proba is not None)
            if n_folds == 1 and n_bootstrap:
                fold["ci"] = bootstrap_interval(y[test], y_pred, classes,
                                                n_resamples=n_bootstrap,
                                                random_state=random_state)
        except Exception as exc:  # noqa: BLE001 - any error is recorded
            return _failed(record, exc, f"{stage} of fold {i + 1}/{n_folds}", store,
                           progress)
        finally:
            model = None
            gc.collect()
        record["folds"].append(fold)
        progress(f"{name}: fold {i + 1}/{n_folds} fit {fit_seconds:.1f} s, predict "
                 f"{predict_seconds:.2f} s, accuracy {fold['accuracy']:.3f}, macro-F1 "
                 f"{fold['macro_f1']:.3f}")
        if store is not None and i + 1 < n_folds:
            record["status"] = "partial"
            store.save(record)
    record["status"] = "ok"
    record["summary"] = _summarize(record["folds"], classes, class_names)
    if store is not None:
        store.save(record)
    summary = record["summary"]
    progress(f"{name}: done, accuracy {summary['accuracy']:.3f}, macro-F1 "
             f"{summary['macro_f1']:.3f}, fit {summary['fit_seconds']:.1f} s per fold")
    return record


def _failed(record, exc, stage, store, progress):
    record["status"] = "failed"
    record["error"] = f"{type(exc).__name__} in {stage}: {exc}"
    record["traceback"] = traceback.format_exc()
    record.setdefault("fingerprints", None)
    if store is not None:
        store.save(record)
    progress(f"{record['estimator']}: FAILED ({record['error']})")
    return record


def _write_outputs(result, out_dir, *, plots, progress):
    from ._report import render_report

    out_dir.mkdir(parents=True, exist_ok=True)
    csv_path = out_dir / "results.csv"
    write_text(csv_path, result.table.to_csv(index=False))
    json_path = out_dir / "results.json"
    write_json(json_path, {"meta": result.meta, "estimators": result.records})
    result.files.update({"results.csv": csv_path, "results.json": json_path})
    result.plots = []
    result.plot_error = None
    if plots:
        # the report stage: plotting imports matplotlib only when it draws
        from ..plotting import write_benchmark_plots

        try:
            result.plots = [Path(p) for p in write_benchmark_plots(result, out_dir)]
        except Exception as exc:  # noqa: BLE001 - plots must not lose results
            result.plot_error = f"{type(exc).__name__}: {exc}"
            progress(f"plots failed ({result.plot_error}); the results are saved")
    report_path = out_dir / "report.md"
    write_text(report_path, render_report(result))
    result.files["report.md"] = report_path
    for i, path in enumerate(result.plots):
        result.files[f"plot {i + 1}"] = path
    progress(f"wrote {csv_path}, {json_path}, {report_path}"
             + (f" and {len(result.plots)} plot(s)" if result.plots else ""))
