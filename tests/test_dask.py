"""Fits on a Dask cluster: the same scores as a serial run, written by this process."""

import json
import re
import sys
import time

import joblib
import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.dummy import DummyClassifier
from sklearn.ensemble import RandomForestClassifier
from sklearn.naive_bayes import GaussianNB

distributed = pytest.importorskip("distributed")

from fer_features.benchmark import check_scheduler, parse_scheduler, run_benchmark  # noqa: E402
from fer_features.cli import main  # noqa: E402
from fer_features.datasets import make_synthetic_faces  # noqa: E402
from fer_features.registry import grid_search  # noqa: E402

# what differs between runs on different processes: the clocks and the memory
MEASURED = {"fit_seconds", "predict_seconds", "ms_per_image", "peak_memory_mb"}


class OnWorkerOnly(GaussianNB):
    """Fits only inside a Dask worker (proves where a fit ran)."""

    def fit(self, X, y, sample_weight=None):
        distributed.get_worker()  # ValueError outside a worker
        return super().fit(X, y, sample_weight)


class Exploding(ClassifierMixin, BaseEstimator):
    def fit(self, X, y):
        raise ValueError("this estimator always fails")


class SlowFirstFit(GaussianNB):
    """Its first fit (class-level count) takes longer, so a later fold finishes first."""

    fits = 0

    def fit(self, X, y, sample_weight=None):
        type(self).fits += 1
        if type(self).fits == 1:
            time.sleep(1.0)
        return super().fit(X, y, sample_weight)


@pytest.fixture(scope="module")
def client():
    """Two worker processes of one thread each, the client the default (as a user's)."""
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        yield client


@pytest.fixture(scope="module")
def faces():
    return make_synthetic_faces(90, n_classes=3, image_size=16, random_state=0)


def _roster():
    return {
        "bayes": GaussianNB(),
        "bad": Exploding(),
        "forest": RandomForestClassifier(n_estimators=3),  # seeded by the runner
        "prior": DummyClassifier(),
    }


def _scores(record):
    """A record's folds without what the clock and the memory probe measured, as JSON."""
    folds = [{k: v for k, v in fold.items() if k not in MEASURED} for fold in record["folds"]]
    # as JSON, where an undefined score (NaN) equals itself, stored (null) or not
    return json.dumps(folds, sort_keys=True).replace("NaN", "null")


def test_benchmark_on_dask_equals_the_serial_run(client, faces, tmp_path):
    kwargs = dict(split=2, verbose=0, plots=False, n_bootstrap=0, random_state=3)
    serial = run_benchmark(_roster(), faces, out_dir=tmp_path / "serial", **kwargs)
    with distributed.get_task_stream(client) as stream, joblib.parallel_config(backend="dask"):
        on_dask = run_benchmark(_roster(), faces, out_dir=tmp_path / "dask", **kwargs)
    assert len(stream.data) >= 3 * 2  # the fits ran as tasks on the cluster
    assert "Dask" in on_dask.meta["fits"] and serial.meta["fits"].startswith("one at a time")
    assert list(on_dask.table["estimator"]) == list(serial.table["estimator"])
    assert list(on_dask.table["status"]) == ["ok", "failed", "ok", "ok"]
    assert (
        serial.table.loc[1, "error"] == "ValueError in fit of fold 1/2: this estimator always fails"
    )
    # the fold whose failure comes in first (folds run at the same time)
    assert re.fullmatch(
        r"ValueError in fit of fold [12]/2: this estimator always fails",
        on_dask.table.loc[1, "error"],
    )
    for a, b in zip(serial.records, on_dask.records):
        assert _scores(a) == _scores(b)
        assert a.get("summary", {}).get("accuracy") == b.get("summary", {}).get("accuracy")
    # the store was written by this process, in fold order: a re-run reuses all of it
    stored, stored_serial = (
        json.loads((tmp_path / run / "estimators" / "forest.json").read_text())
        for run in ("dask", "serial")
    )
    assert stored["status"] == "ok" and _scores(stored) == _scores(stored_serial)
    again = run_benchmark(_roster(), faces, out_dir=tmp_path / "dask", **kwargs)
    assert list(again.table["reused"]) == [True, False, True, True]


def test_fits_run_on_the_workers_not_here(client, faces):
    kwargs = dict(split=2, verbose=0, plots=False, n_bootstrap=0)
    here = run_benchmark({"w": OnWorkerOnly()}, faces, **kwargs)
    assert here.table.loc[0, "status"] == "failed"
    with joblib.parallel_config(backend="dask"):
        there = run_benchmark({"w": OnWorkerOnly()}, faces, **kwargs)
    assert there.table.loc[0, "status"] == "ok" and there.table.loc[0, "n_folds"] == 2


def test_folds_finishing_out_of_order_are_stored_in_fold_order(faces, tmp_path):
    # threads (no Dask needed): fold 1 is slow, fold 2 comes in first
    kwargs = dict(split=3, verbose=0, plots=False, n_bootstrap=0)
    serial = run_benchmark({"nb": GaussianNB()}, faces, **kwargs)
    SlowFirstFit.fits = 0
    with joblib.parallel_config(backend="threading"):
        threads = run_benchmark(
            {"nb": SlowFirstFit()}, faces, out_dir=tmp_path, parallel_fits=3, **kwargs
        )
    assert SlowFirstFit.fits == 3 and "ThreadingBackend (n_jobs=3)" in threads.meta["fits"]
    assert _scores(threads.records[0]) == _scores(serial.records[0])
    # in the serial run's fold order (subject folds of the synthetic faces differ in size)
    sizes = [f["n_train"] for f in serial.records[0]["folds"]]
    assert len(set(sizes)) > 1
    assert [f["n_train"] for f in threads.records[0]["folds"]] == sizes
    stored = json.loads((tmp_path / "estimators" / "nb.json").read_text())
    assert stored["status"] == "ok" and len(stored["folds"]) == 3


def test_ctrl_c_during_parallel_fits_stores_the_running_estimators(faces, tmp_path, monkeypatch):
    from fer_features.benchmark import BenchmarkInterrupted, _runner

    record_folds = _runner._record_folds
    calls = []

    def ctrl_c_on_the_third_fold(*args):
        calls.append(1)
        if len(calls) == 3:  # Ctrl-C reaches this process while fits run elsewhere
            raise KeyboardInterrupt
        return record_folds(*args)

    kwargs = dict(split=3, verbose=0, plots=False, n_bootstrap=0, out_dir=tmp_path)
    roster = {"a": GaussianNB(), "b": DummyClassifier()}
    monkeypatch.setattr(_runner, "_record_folds", ctrl_c_on_the_third_fold)
    with joblib.parallel_config(backend="threading"):
        with pytest.raises(BenchmarkInterrupted) as info:
            run_benchmark(roster, faces, parallel_fits=2, **kwargs)
    result = info.value.result
    assert "interrupted" in set(result.table["status"])
    stopped = [r for r in result.records if r["status"] == "interrupted"]
    assert result.meta["interrupted"] == ", ".join(r["estimator"] for r in stopped)
    assert (tmp_path / "results.csv").exists()
    for record in stopped:
        stored = json.loads((tmp_path / "estimators" / f"{record['estimator']}.json").read_text())
        assert stored["status"] == "interrupted"
        assert len(stored["folds"]) == len(record["folds"]) < 3
    # a re-run resumes each at its first unfinished fold and ends as a serial run does
    monkeypatch.setattr(_runner, "_record_folds", record_folds)
    resumed = run_benchmark(roster, faces, **kwargs)
    serial = run_benchmark(roster, faces, **{**kwargs, "out_dir": tmp_path / "serial"})
    assert list(resumed.table["status"]) == ["ok", "ok"]
    for a, b in zip(resumed.records, serial.records):
        assert _scores(a) == _scores(b)


def test_grid_search_by_name_on_dask_equals_the_serial_search(client, faces):
    X, y = faces.data, faces.target
    kwargs = dict(param_grid={"clf__C": [0.01, 1.0]}, cv=2, verbose=0)
    serial = grid_search("pixels-logreg", X, y, **kwargs)
    with distributed.get_task_stream(client) as stream, joblib.parallel_config(backend="dask"):
        on_dask = grid_search("pixels-logreg", X, y, **kwargs)
    assert len(stream.data) >= 2 * 2  # the candidates' fits ran on the cluster
    assert serial.best_params_ == on_dask.best_params_
    np.testing.assert_array_equal(
        serial.cv_results_["mean_test_score"], on_dask.cv_results_["mean_test_score"]
    )
    np.testing.assert_array_equal(serial.predict(X), on_dask.predict(X))
    assert on_dask.best_estimator_.memory is None


def test_cli_scheduler_address_runs_the_same_benchmark(client, tmp_path, capsys):
    fast = ["--n-samples", "70", "--estimators", "pixels-logreg", "--no-plots", "--cv", "2"]
    assert main(["benchmark", *fast, "--out", str(tmp_path / "serial")]) == 0
    address = client.scheduler.address
    assert main(["benchmark", *fast, "--out", str(tmp_path / "dask"), "--scheduler", address]) == 0
    assert f"fits on the Dask cluster at {address} (2 workers" in capsys.readouterr().err
    serial, on_dask = (
        json.loads((tmp_path / run / "estimators" / "pixels-logreg.json").read_text())
        for run in ("serial", "dask")
    )
    assert _scores(serial) == _scores(on_dask) and len(on_dask["folds"]) == 2
    meta = json.loads((tmp_path / "dask" / "results.json").read_text())["meta"]
    assert "Dask" in meta["fits"]


@pytest.mark.parametrize(
    "scheduler, expected",
    [("local", 2), ("local:3", 3), ("LOCAL:1", 1), ("tcp://10.1.2.3:8786", None), ("h:1", None)],
)
def test_parse_scheduler(scheduler, expected):
    assert parse_scheduler(scheduler) == expected


@pytest.mark.parametrize(
    "scheduler, message",
    [
        ("local:0", "local:N needs a positive number of worker processes, got '0'"),
        ("local:two", "got 'two'"),
        (" ", "the scheduler is empty"),
    ],
)
def test_bad_scheduler(scheduler, message):
    with pytest.raises(ValueError, match=message):
        parse_scheduler(scheduler)


def test_cli_bad_scheduler_is_one_line_before_any_work(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["benchmark", "--scheduler", "local:0", "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "local:N needs a positive number" in err[0]
    assert not (out / "results.csv").exists()


def test_without_dask_the_error_names_the_extra(monkeypatch, tmp_path, capsys):
    monkeypatch.setitem(sys.modules, "dask.distributed", None)
    with pytest.raises(ImportError, match=r"pip install 'fer_features\[dask\]'"):
        check_scheduler("local")
    argv = ["benchmark", "--scheduler", "tcp://h:8786", "--out", str(tmp_path / "o")]
    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "fer_features[dask]" in err[0]


def _fit_here(estimator, X, y):
    """A task: fit ``estimator`` where it runs; return it, its probabilities and the worker."""
    fitted = estimator.fit(X, y)
    return fitted, fitted.predict_proba(X), distributed.get_worker().address


@pytest.mark.deep
def test_a_cnn_fits_on_a_worker_and_comes_back_usable(client):
    pytest.importorskip("keras")
    from _nets import OneConvNet

    from fer_features.deep import KerasCNNClassifier

    rng = np.random.default_rng(0)
    X = rng.integers(60, 200, size=(32, 16, 16)).astype(np.uint8)
    y = np.arange(32) % 2
    X[y == 0, :8] //= 4
    cnn = KerasCNNClassifier(
        epochs=1,
        batch_size=16,
        augmentation="none",
        max_time=None,
        random_state=0,
        architecture=OneConvNet(),
    )
    fitted, proba_there, worker = client.submit(_fit_here, cnn, X, y, pure=False).result()
    assert worker in client.scheduler_info(n_workers=-1)["workers"]
    assert not hasattr(cnn, "classes_")  # the fit happened there, on a copy
    np.testing.assert_allclose(fitted.predict_proba(X), proba_there, rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(fitted.classes_, [0, 1])
