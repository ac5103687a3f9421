"""The benchmark runner: every estimator on the same data and folds, resumable.

Read top to bottom: :func:`run_benchmark` checks its arguments and resolves the
folds, then :func:`_run_one` fits and scores one estimator fold by fold (saving
its record after each fold), and :func:`_write_outputs` writes the table, the
report and the plots.
"""

import datetime
import gc
import json
import os
import platform
import sys
import time
import traceback
from numbers import Integral
from pathlib import Path

import numpy as np

from .. import __version__
from .._confusion import label_names
from ._duplicates import find_test_duplicates
from ._metrics import (
    bootstrap_interval,
    classification_metrics,
    predict_with_proba,
    summarize_folds,
)
from ._report import duplicates_text, split_subjects_text
from ._resources import (
    limit_threads,
    peak_memory_mb,
    reset_peak_memory,
    set_n_jobs,
    set_random_state,
)
from ._result import BenchmarkInterrupted, BenchmarkResult
from ._roster import build_estimator, normalize_roster
from ._splits import (
    group_overlap,
    resolve_split,
    subsample_per_class,
    unpack_data,
    warn_shared_subjects,
)
from ._store import (
    RECORD_VERSION,
    ResultStore,
    check_out_dir,
    data_fingerprint,
    describe_estimator,
    estimator_fingerprint,
    split_fingerprint,
    write_json,
    write_text,
)

__all__ = ["run_benchmark"]


class _Progress:
    def __init__(self, verbose):
        self.verbose = verbose

    def __call__(self, message):
        if self.verbose:
            print(f"[benchmark] {message}", file=sys.stderr, flush=True)


def run_benchmark(
    estimators,
    data,
    *,
    split=None,
    grouped=True,
    drop_test_duplicates=False,
    duplicate_method="phash",
    max_per_class=None,
    out_dir=None,
    resume=True,
    overwrite=False,
    n_jobs=None,
    parallel_fits=None,
    random_state=0,
    verbose=1,
    plots=True,
    n_bootstrap=1000,
):
    """Train and score estimators on the same data and folds; write a resumable report.

    Each estimator is fitted on every training fold and scored on the matching
    test fold; a fresh clone is used per fold. By default the fits run one
    after the other in this process (so their timings are comparable) and
    ``n_jobs`` parallelises inside each one; ``parallel_fits`` runs several
    estimator-fold fits at once, on joblib's workers or a Dask cluster. An
    estimator that raises is recorded as failed with its error and the others
    go on.

    Each test fold is predicted once: where the estimator has ``predict_proba``
    the predicted labels are its ``classes_`` at the largest probability (for
    an ``SVC(probability=True)`` these can differ from ``SVC.predict``, which
    does not use the calibrated probabilities); otherwise ``predict``. Every
    ``random_state`` parameter the estimators leave at ``None`` is set to
    ``random_state``, so two runs with the same seed give the same scores.

    With ``out_dir``, each estimator's record is written to
    ``out_dir/estimators/<name>.json`` after every fold, so an interrupted or
    failing run loses at most the fold in progress; a later run with
    ``resume=True`` reuses a stored record (or its finished folds) only when
    the estimator's parameters, the data and the split are all the same
    (compared through SHA-256 fingerprints; ``n_jobs`` and ``verbose`` do not
    count) and it was written by the same ``fer_features`` version. At the end
    ``results.csv`` (the table), ``results.json`` (every record), ``report.md``
    and, when :mod:`fer_features.plotting` provides them, PNG plots are written
    there.

    A folder is never silently overwritten with other results: when it holds
    results of other data or another split, the run stops before any work
    (``ValueError``), and an estimator whose stored result has other
    parameters or an older library version is not run (recorded as failed with
    the reason); ``overwrite=True`` replaces them. On ``KeyboardInterrupt``
    (Ctrl-C) the run stops, the estimator in progress is stored as
    ``"interrupted"`` with its finished folds, the table and the report of what
    finished are written, and :class:`BenchmarkInterrupted` (a
    ``KeyboardInterrupt`` carrying the partial ``result``) is raised; a re-run
    resumes at the interrupted fold.

    To run the fits on a Dask cluster, call it inside
    ``joblib.parallel_config(backend="dask")`` with a
    ``dask.distributed.Client`` connected (``pip install 'fer_features[dask]'``):
    ``parallel_fits=None`` then means every worker of the cluster. Only this
    process writes ``out_dir``, each estimator's finished folds as they come
    in; the scores are those of a run one fit at a time, the timings and peak
    memory those of the worker that ran each fit.

    Parameters
    ----------
    estimators : dict, list or str
        A mapping from names to scikit-learn estimators (cloned before use), to
        zero-argument factories returning one (called only when that estimator's
        turn comes, e.g. to import Keras lazily; an error there is recorded as
        a failure), or to estimator names; or a list of estimator names (see
        :func:`fer_features.registry.make_estimator`), built with their full
        settings.
    data : Bunch or (X, y)
        A loader's Bunch (``data`` as ``(n_samples, h * w)`` rows, ``target``,
        optionally ``target_names``, ``usage`` and ``groups``) or a pair.
    split : None, pair of str, int, float or splitter, default=None
        ``("Training", "PublicTest")``: train on the rows of the first usage,
        test on those of the second. ``k``: stratified k-fold (shuffled with
        ``random_state``). A float in (0, 1): one stratified hold-out of about
        that fraction. A scikit-learn splitter: its folds, given
        ``data.groups`` (group splitters score subject-independently). ``None``:
        ``("Training", "PublicTest")`` when the data have those usages, else 5
        folds. See :func:`~fer_features.benchmark.resolve_split`.
    grouped : bool, default=True
        When the data have ``groups`` (the subject of each image, as
        :func:`~fer_features.datasets.load_image_folder` reads them from CK+
        or JAFFE file names), k-fold and hold-out splits keep every subject on
        one side (``StratifiedGroupKFold``), so the scores measure the
        expression, not the person; fewer subjects than folds is an error
        that gives both numbers. ``False`` splits the images regardless of
        their subjects (what earlier versions did), with a warning that
        subjects are shared. Whatever the split, the result's ``meta`` says
        ``split_kind`` (``"subject-independent"``, ``"subjects shared"`` or
        ``"no groups"``), ``n_groups`` and ``shared_groups`` (per fold, the
        subjects in both sets), and a split that shares subjects warns.
    drop_test_duplicates : bool, default=False
        Remove from every test fold the images that duplicate an image of its
        training fold (as ``duplicate_method`` finds them) before scoring.
        Either way ``meta["test_duplicates"]`` and the report give how many
        test images duplicate training images, exactly and nearly (and how many
        were removed); see :func:`fer_features.cleaning.find_duplicates`. Off by
        default, so that scores on FER2013's Training / PublicTest split stay
        comparable with published ones, which keep them.
    duplicate_method : {"phash", "exact"}, default="phash"
        The duplicates counted as near and dropped: byte-equal and near copies
        (the same photo shifted, re-encoded or brightened; a few CPU seconds
        a fold on FER2013), or byte-equal ones only.
    max_per_class : int or None, default=None
        Keep at most this many training images per class in every training fold
        (chosen at random with ``random_state``), for quick or balanced runs;
        test folds are never subsampled.
    out_dir : path-like or None, default=None
        Folder for the results (created if missing; an existing one is resumed).
        It is checked (created, written to) before any work. ``None`` writes
        nothing.
    resume : bool, default=True
        Reuse matching stored results from ``out_dir``.
    overwrite : bool, default=False
        Replace stored results of other data, split, parameters or library
        version in ``out_dir`` instead of refusing.
    n_jobs : int or None, default=None
        Parallelism inside each estimator: set on every ``n_jobs`` parameter the
        estimators leave at ``None`` (forests, XGBoost, calibration folds), and
        the BLAS and OpenMP thread pools (gradient boosting, NumPy) are limited
        to that many threads during fit and predict (``-1``: all cores).
        ``None`` leaves every library at its own default. On a machine shared
        with other jobs, ``n_jobs=1`` avoids the large slow-downs of
        over-subscribed OpenMP threads.
    parallel_fits : int or None, default=None
        How many estimator-fold fits run at the same time, through
        ``joblib.Parallel(n_jobs=parallel_fits)``: ``None`` is one at a time in
        this process unless a ``joblib.parallel_config`` context says otherwise
        (under the ``"dask"`` backend: all the cluster's workers); ``-1`` is
        all cores (or workers). The estimators travel to the workers pickled
        (factories are called in this process).
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
        For bad arguments or data (unknown usage, malformed estimators, an
        ``out_dir`` that cannot be written or holds results of other data or
        another split), before any estimator runs.
    BenchmarkInterrupted
        On Ctrl-C, after writing what finished.

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
    if out_dir is not None:
        out_dir = check_out_dir(out_dir)
    X, y, usage, groups, target_names = unpack_data(data)
    roster = normalize_roster(estimators)
    if max_per_class is not None and (
        not isinstance(max_per_class, Integral)
        or isinstance(max_per_class, bool)
        or max_per_class < 1
    ):
        raise ValueError(f"max_per_class must be a positive integer or None, got {max_per_class!r}")
    for option, value in (("grouped", grouped), ("drop_test_duplicates", drop_test_duplicates)):
        if not isinstance(value, (bool, np.bool_)):
            raise ValueError(f"{option} must be True or False, got {value!r}")
    progress = _Progress(verbose)
    classes = np.unique(y)
    class_names = label_names(classes, target_names)
    folds, description = resolve_split(
        split, y, usage=usage, groups=groups, random_state=random_state, grouped=grouped
    )
    if max_per_class is not None:
        folds = [
            (subsample_per_class(train, y, max_per_class, random_state + i), test)
            for i, (train, test) in enumerate(folds)
        ]
        description += f", at most {max_per_class} training images per class"
    overlap = group_overlap(folds, groups)
    warn_shared_subjects(overlap, description, grouped=grouped)
    folds, duplicates = find_test_duplicates(
        X,
        folds,
        drop=drop_test_duplicates,
        method=duplicate_method,
        image_shape=_image_shape(data),
    )
    for i, (train, test) in enumerate(folds):
        if len(train) == 0 or len(test) == 0:
            raise ValueError(
                f"fold {i + 1} of the split ({description}) has an empty "
                f"{'training' if len(train) == 0 else 'test'} set"
            )
    fingerprints = {
        "data": data_fingerprint(X, y),
        "split": split_fingerprint(
            folds,
            {
                "grouped": bool(grouped),
                "drop_test_duplicates": bool(drop_test_duplicates),
                "duplicates": duplicates["method"],
            },
        ),
        "library": f"fer_features {__version__}",
    }
    store = ResultStore(out_dir) if out_dir is not None else None
    if store is not None and not overwrite:
        _refuse_other_data(store, fingerprints)
    meta = {
        "split": description,
        **overlap,
        "test_duplicates": duplicates,
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
        "memory_measure": reset_peak_memory(),
    }
    where = f"; results in {out_dir}" if out_dir is not None else ""
    progress(
        f"{len(roster)} estimator(s) on {len(y)} images, {description} "
        f"({len(folds)} fold{'s' if len(folds) > 1 else ''}){where}"
    )
    progress(f"{split_subjects_text(meta)}; {duplicates_text(meta)}")
    records = _run_all(
        roster,
        X,
        y,
        classes,
        class_names,
        folds,
        fingerprints,
        store=store,
        resume=resume,
        overwrite=overwrite,
        n_jobs=n_jobs,
        parallel_fits=parallel_fits,
        progress=progress,
        n_bootstrap=n_bootstrap,
        random_state=random_state,
        meta=meta,
    )
    stopped = [r["estimator"] for r in records if r["status"] == "interrupted"]
    interrupted = bool(stopped)
    meta["finished"] = datetime.datetime.now().isoformat(timespec="seconds")
    if interrupted:
        meta["interrupted"] = ", ".join(stopped)
    result = BenchmarkResult(records, meta)
    if out_dir is not None:
        _write_outputs(result, out_dir, plots=plots and not interrupted, progress=progress)
    if interrupted:
        raise BenchmarkInterrupted(result)
    return result


def _image_shape(data):
    """``(height, width)`` of a Bunch's ``images``, else ``None`` (square rows)."""
    try:
        shape = np.shape(data["images"])
    except (KeyError, TypeError, IndexError):
        return None
    return tuple(shape[1:3]) if len(shape) >= 3 else None


def _refuse_other_data(store, fingerprints):
    """Raise if the folder holds results of other data or another split."""
    current = (fingerprints["data"], fingerprints["split"])
    found = dict(store.stored_fingerprints())
    try:
        with open(store.out_dir / "results.json", encoding="utf-8") as f:
            meta = json.load(f)["meta"]
        found["results.json"] = (meta["data_fingerprint"], meta["split_fingerprint"])
    except (OSError, ValueError, KeyError, TypeError):
        pass
    other = [name for name, fps in found.items() if fps != current]
    if other:
        raise ValueError(
            f"the results folder {store.out_dir} holds results of other data or "
            f"another split ({', '.join(other[:3])}{', ...' if len(other) > 3 else ''});"
            f" give another --out (out_dir), or --overwrite (overwrite=True) to "
            f"replace them"
        )


class _Entry:
    """One estimator of the roster, as the parent process follows it."""

    def __init__(self, name, spec):
        self.name = name
        self.spec = spec
        self.record = None  # set once its turn comes (prepared)
        self.estimator = None  # the unfitted estimator its folds clone
        self.finished = {}  # fold index -> fold scores, not yet in record["folds"]

    @property
    def running(self):
        return self.record is not None and self.record["status"] in ("running", "partial")


def _run_all(
    roster,
    X,
    y,
    classes,
    class_names,
    folds,
    fingerprints,
    *,
    store,
    resume,
    overwrite,
    n_jobs,
    parallel_fits,
    progress,
    n_bootstrap,
    random_state,
    meta,
):
    """Fit and score every estimator on every fold; return the records in roster order.

    The fits (one task per estimator and fold) go through
    ``joblib.Parallel(n_jobs=parallel_fits)``: one at a time in this process by
    default, or on the workers of the active joblib backend (e.g. Dask). Only
    this process writes the store: each estimator's finished folds as they
    come in (in fold order), its record when it is done or fails.
    """
    from joblib import Parallel, delayed
    from joblib.parallel import get_active_backend

    entries = [_Entry(name, spec) for name, spec in roster]
    n_folds = len(folds)
    stop = False  # set on Ctrl-C (or a failing backend): no more tasks
    parallel = Parallel(
        n_jobs=parallel_fits, return_as="generator_unordered", batch_size=1, pre_dispatch="n_jobs"
    )
    if parallel.n_jobs == 1:
        meta["fits"] = "one at a time in this process"
    else:
        backend = type(get_active_backend()[0]).__name__
        meta["fits"] = f"in parallel through joblib's {backend} (n_jobs={parallel.n_jobs})"

    def tasks():
        # runs in this process, lazily: an estimator is built when its turn comes
        nonlocal stop
        for k, entry in enumerate(entries):
            if stop:
                return
            gc.collect()
            entry.record, entry.estimator = _prepare(
                entry.name,
                entry.spec,
                fingerprints,
                store=store,
                resume=resume,
                overwrite=overwrite,
                n_jobs=n_jobs,
                progress=progress,
                random_state=random_state,
            )
            if entry.record["status"] == "interrupted":
                stop = True
                return
            if not entry.running:
                continue
            if len(entry.record["folds"]) >= n_folds:  # a stored record whose folds all finished
                _finish(entry.record, classes, class_names, store, progress)
                continue
            for i in range(len(entry.record["folds"]), n_folds):
                if stop or not entry.running:  # Ctrl-C, or a fold of it failed
                    break
                train, test = folds[i]
                yield delayed(_fit_fold)(
                    k,
                    i,
                    entry.estimator,
                    X,
                    y,
                    train,
                    test,
                    classes,
                    n_jobs=n_jobs,
                    n_bootstrap=n_bootstrap if n_folds == 1 else 0,
                    random_state=random_state,
                )

    try:
        for outcome in parallel(tasks()):
            entry = entries[outcome["estimator"]]
            if not entry.running:
                continue  # a fold finishing after another fold of it failed
            if "fold" in outcome:
                entry.finished[outcome["index"]] = outcome["fold"]
                _record_folds(entry, n_folds, store, progress)
                if len(entry.record["folds"]) == n_folds:
                    _finish(entry.record, classes, class_names, store, progress)
                continue
            stage = f"{outcome['stage']} of fold {outcome['index'] + 1}/{n_folds}"
            if outcome["error"] is None:  # Ctrl-C during a fit in this process
                stop = True
                _interrupted(entry.record, stage, store, progress)
                break
            _failed(entry.record, outcome["error"], stage, store, progress, outcome["traceback"])
    except KeyboardInterrupt:
        stop = True
    except Exception as exc:  # noqa: BLE001 - the parallel backend failed (a worker died)
        stop = True
        error = f"{type(exc).__name__}: {exc}"
        for entry in entries:
            if entry.running:
                stage = f"fold {len(entry.record['folds']) + 1}/{n_folds} (on joblib's workers)"
                _failed(entry.record, error, stage, store, progress)
            elif entry.record is None:  # its turn never came
                entry.record = {
                    "version": RECORD_VERSION,
                    "estimator": entry.name,
                    "status": "failed",
                    "folds": [],
                    "error": f"not run: the parallel fits stopped ({error})",
                    "fingerprints": None,
                }
                progress(f"{entry.name}: {entry.record['error']}")
    for entry in entries:  # after a Ctrl-C: the estimators whose fits were under way
        if stop and entry.running:
            stage = f"fold {len(entry.record['folds']) + 1}/{n_folds}"
            _interrupted(entry.record, stage, store, progress)
    return [entry.record for entry in entries if entry.record is not None]


def _prepare(name, spec, fingerprints, *, store, resume, overwrite, n_jobs, progress, random_state):
    """Build the estimator and decide what is left to do.

    Returns ``(record, estimator)``: ``record["status"]`` is ``"running"`` (its
    ``folds`` hold those a stored record already finished) with the estimator
    to fit, or final (``"ok"`` reused, ``"failed"``, ``"interrupted"``) with
    ``None``.
    """
    record = {
        "version": RECORD_VERSION,
        "estimator": name,
        "status": "running",
        "folds": [],
        "error": None,
    }
    try:
        estimator = build_estimator(spec)
        set_n_jobs(estimator, n_jobs)
        set_random_state(estimator, random_state)
        record["params"] = describe_estimator(estimator)
        record["fingerprints"] = {"params": estimator_fingerprint(estimator), **fingerprints}
    except KeyboardInterrupt:
        return _interrupted(record, "building the estimator", store, progress), None
    except Exception as exc:  # noqa: BLE001 - any error is recorded
        error = f"{type(exc).__name__}: {exc}"
        return _failed(record, error, "building the estimator", store, progress), None
    previous = store.load(name) if store is not None else None
    if previous is not None and not (previous["folds"] or previous["status"] == "ok"):
        previous = None  # nothing finished in it (e.g. it failed at once): replace it
    if previous is not None and previous.get("fingerprints") != record["fingerprints"]:
        differs = _what_differs(previous.get("fingerprints") or {}, record["fingerprints"])
        if not overwrite:
            # never overwrite a result of other settings: leave it, say how to proceed
            record["status"] = "failed"
            record["error"] = (
                f"not run: {store.path(name)} holds its result for "
                f"{differs}; give another --out (out_dir), or --overwrite "
                f"(overwrite=True) to replace it"
            )
            progress(f"{name}: {record['error']}")
            return record, None
        progress(f"{name}: stored result is for {differs}; recomputing (overwrite)")
        previous = None
    if not resume:
        previous = None
    if previous is not None and previous.get("status") == "ok":
        progress(f"{name}: reused (same parameters, data and split) from {store.path(name)}")
        previous["reused"] = True
        return previous, None
    if previous is not None and previous.get("folds"):
        record["folds"] = list(previous["folds"])
        progress(f"{name}: resuming after {len(record['folds'])} finished fold(s)")
    return record, estimator


def _fit_fold(k, i, estimator, X, y, train, test, classes, *, n_jobs, n_bootstrap, random_state):
    """Fit a clone of ``estimator`` on fold ``i`` and score it: one task.

    Runs where joblib sends it (this process, or a worker) and returns plain
    data: ``{"estimator": k, "index": i, "fold": scores}``, or ``"stage"``,
    ``"error"`` and ``"traceback"`` when it raised (``"error"`` is ``None`` for
    a Ctrl-C). Timings and peak memory are those of the process that ran it.
    """
    from sklearn.base import clone

    outcome = {"estimator": k, "index": i}
    stage = "fit"
    model = None
    try:
        model = clone(estimator)
        reset_peak_memory()
        with limit_threads(n_jobs):
            start = time.perf_counter()
            model.fit(X[train], y[train])
            fit_seconds = time.perf_counter() - start
            stage = "predict"
            start = time.perf_counter()
            y_pred, proba = predict_with_proba(model, X[test], classes)
            predict_seconds = time.perf_counter() - start
        peak = peak_memory_mb()
        stage = "scoring"
        fold = classification_metrics(y[test], y_pred, classes, proba)
        fold.pop("per_class")
        fold.update(
            fit_seconds=fit_seconds,
            predict_seconds=predict_seconds,
            ms_per_image=1000 * predict_seconds / len(test),
            peak_memory_mb=peak,
            n_train=int(len(train)),
            n_test=int(len(test)),
            has_proba=proba is not None,
        )
        if n_bootstrap:
            fold["ci"] = bootstrap_interval(
                y[test], y_pred, classes, n_resamples=n_bootstrap, random_state=random_state
            )
        outcome["fold"] = fold
    except KeyboardInterrupt:
        outcome.update(stage=stage, error=None, traceback=None)
    except Exception as exc:  # noqa: BLE001 - any error is recorded
        outcome.update(
            stage=stage, error=f"{type(exc).__name__}: {exc}", traceback=traceback.format_exc()
        )
    finally:
        model = None
        gc.collect()
    return outcome


def _record_folds(entry, n_folds, store, progress):
    """Move the folds finished in order into the record; save it after each."""
    record = entry.record
    while len(record["folds"]) in entry.finished:
        i = len(record["folds"])
        fold = entry.finished.pop(i)
        record["folds"].append(fold)
        progress(
            f"{entry.name}: fold {i + 1}/{n_folds} fit {fold['fit_seconds']:.1f} s, predict "
            f"{fold['predict_seconds']:.2f} s, accuracy {fold['accuracy']:.3f}, macro-F1 "
            f"{fold['macro_f1']:.3f}"
        )
        if store is not None and i + 1 < n_folds:
            record["status"] = "partial"
            store.save(record)


def _finish(record, classes, class_names, store, progress):
    record["status"] = "ok"
    record["summary"] = summarize_folds(record["folds"], classes, class_names)
    if store is not None:
        store.save(record)
    summary = record["summary"]
    progress(
        f"{record['estimator']}: done, accuracy {summary['accuracy']:.3f}, macro-F1 "
        f"{summary['macro_f1']:.3f}, fit {summary['fit_seconds']:.1f} s per fold"
    )


def _what_differs(stored, current):
    names = {"params": "other parameters", "data": "other data", "split": "another split"}
    differs = [text for key, text in names.items() if stored.get(key) != current.get(key)]
    if stored.get("library") != current.get("library"):
        differs.append(
            f"{stored.get('library') or 'an older fer_features'} (this is {current.get('library')})"
        )
    return " and ".join(differs) or "other settings"


def _interrupted(record, stage, store, progress):
    record["status"] = "interrupted"
    record["error"] = (
        f"interrupted in {stage}; re-run the same command to resume "
        f"after {len(record['folds'])} finished fold(s)"
    )
    record.setdefault("fingerprints", None)
    if store is not None and record["fingerprints"] is not None:
        store.save(record)
    progress(f"{record['estimator']}: INTERRUPTED ({record['error']})")
    return record


def _failed(record, error, stage, store, progress, trace=None):
    """Record ``error`` (``"Type: message"``), raised in ``stage``, and save the record."""
    kind, _, message = error.partition(": ")
    record["status"] = "failed"
    record["error"] = f"{kind} in {stage}: {message}"
    record["traceback"] = traceback.format_exc() if trace is None else trace
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
    progress(
        f"wrote {csv_path}, {json_path}, {report_path}"
        + (f" and {len(result.plots)} plot(s)" if result.plots else "")
    )
