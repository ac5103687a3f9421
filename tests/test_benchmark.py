"""The benchmark runner: metrics against scikit-learn, failures, resume, outputs."""

import json

import numpy as np
import pandas as pd
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.dummy import DummyClassifier
from sklearn.metrics import (
    accuracy_score,
    balanced_accuracy_score,
    confusion_matrix,
    f1_score,
    precision_recall_fscore_support,
    precision_score,
    recall_score,
    roc_auc_score,
)
from sklearn.model_selection import GroupKFold
from sklearn.naive_bayes import GaussianNB
from sklearn.utils import Bunch

from fer_features.benchmark import (
    bootstrap_interval,
    classification_metrics,
    describe_estimator,
    estimator_fingerprint,
    resolve_split,
    run_benchmark,
    subsample_per_class,
)
from fer_features.benchmark._metrics import _confused_pair_records as most_confused_pairs
from fer_features.benchmark._metrics import _scores_from_confusion


class FixedPredictor(ClassifierMixin, BaseEstimator):
    """Reads its predictions from the data: column 0 is the predicted label,
    the next ``n_classes`` columns the probabilities."""

    def __init__(self, n_classes=3, tag=0):
        self.n_classes = n_classes
        self.tag = tag

    def fit(self, X, y):
        self.classes_ = np.arange(self.n_classes)
        return self

    def predict(self, X):
        return np.asarray(X)[:, 0].astype(int)

    def predict_proba(self, X):
        return np.asarray(X)[:, 1 : 1 + self.n_classes]


class CountingClassifier(DummyClassifier):
    """A prior classifier counting its fits (class-level, survives clone)."""

    fits = 0
    fail_on_fit = None  # fail on the fit with this count

    def fit(self, X, y, sample_weight=None):
        type(self).fits += 1
        if type(self).fits == type(self).fail_on_fit:
            raise RuntimeError("interrupted on purpose")
        return super().fit(X, y, sample_weight)


class Exploding(ClassifierMixin, BaseEstimator):
    def fit(self, X, y):
        raise ValueError("this estimator always fails")


@pytest.fixture(autouse=True, scope="module")
def _one_thread():
    """One BLAS / OpenMP thread (over-subscribed threads are slow on shared machines)."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):
        yield


@pytest.fixture(autouse=True)
def _reset_counter():
    CountingClassifier.fits = 0
    CountingClassifier.fail_on_fit = None


def _fixed_data(n_classes=3, n=120, seed=0):
    """Labels, and 'predictions' stored in X, with usages train / test."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, n_classes, n)
    pred = np.where(rng.random(n) < 0.6, y, rng.integers(0, n_classes, n))
    scores = rng.random((n, n_classes)) + np.eye(n_classes)[pred]
    proba = scores / scores.sum(axis=1, keepdims=True)
    X = np.column_stack([pred, proba])
    usage = np.array(["train", "test"])[np.arange(n) % 2]
    return (
        Bunch(data=X, target=y, usage=usage, target_names=[f"c{i}" for i in range(n_classes)]),
        pred,
        proba,
    )


# ------------------------------------------------------------------- metrics
def test_runner_metrics_equal_sklearn_multiclass():
    data, pred, proba = _fixed_data()
    result = run_benchmark({"fixed": FixedPredictor()}, data, split=("train", "test"), verbose=0)
    row = result.table.iloc[0]
    test = data.usage == "test"
    y, p, s = data.target[test], pred[test], proba[test]
    assert row["status"] == "ok" and row["n_test"] == test.sum()
    assert row["accuracy"] == pytest.approx(accuracy_score(y, p), abs=1e-12)
    assert row["balanced_accuracy"] == pytest.approx(balanced_accuracy_score(y, p), abs=1e-12)
    assert row["macro_f1"] == pytest.approx(f1_score(y, p, average="macro"), abs=1e-12)
    assert row["weighted_f1"] == pytest.approx(f1_score(y, p, average="weighted"), abs=1e-12)
    assert row["roc_auc_ovr"] == pytest.approx(
        roc_auc_score(y, s, multi_class="ovr", average="macro"), abs=1e-12
    )
    assert np.isnan(row["precision"]) and np.isnan(row["roc_auc"])  # not binary
    matrix, names = result.confusion_matrices["fixed"]
    np.testing.assert_array_equal(matrix, confusion_matrix(y, p))
    assert names == ["c0", "c1", "c2"]
    precision, recall, f1, support = precision_recall_fscore_support(y, p)
    per = result.per_class
    np.testing.assert_allclose(per["precision"], precision)
    np.testing.assert_allclose(per["recall"], recall)
    np.testing.assert_allclose(per["f1"], f1)
    np.testing.assert_array_equal(per["support"], support)
    assert list(per["class"]) == names
    # a single split: bootstrap interval around the point estimate, no std
    assert row["accuracy_ci_low"] <= row["accuracy"] <= row["accuracy_ci_high"]
    assert row["accuracy_ci_high"] - row["accuracy_ci_low"] > 0.05
    assert np.isnan(row["accuracy_std"])
    assert row["fit_seconds"] >= 0 and row["ms_per_image"] >= 0
    assert row["peak_memory_mb"] > 0


def test_runner_metrics_binary():
    data, pred, proba = _fixed_data(n_classes=2, seed=1)
    row = run_benchmark(
        {"fixed": FixedPredictor(n_classes=2)}, data, split=("train", "test"), verbose=0
    ).table.iloc[0]
    test = data.usage == "test"
    y, p, s = data.target[test], pred[test], proba[test]
    assert row["precision"] == pytest.approx(precision_score(y, p))
    assert row["recall"] == pytest.approx(recall_score(y, p))
    assert row["roc_auc"] == pytest.approx(roc_auc_score(y, s[:, 1]))


def test_kfold_mean_and_std_over_folds():
    data, pred, _ = _fixed_data(n=90)
    result = run_benchmark({"fixed": FixedPredictor()}, data, split=3, verbose=0)
    folds, _ = resolve_split(3, data.target, random_state=0)
    accs = [accuracy_score(data.target[te], pred[te]) for _, te in folds]
    f1s = [f1_score(data.target[te], pred[te], average="macro") for _, te in folds]
    row = result.table.iloc[0]
    assert row["n_folds"] == 3
    assert row["accuracy"] == pytest.approx(np.mean(accs))
    assert row["accuracy_std"] == pytest.approx(np.std(accs))
    assert row["macro_f1"] == pytest.approx(np.mean(f1s))
    assert np.isnan(row["accuracy_ci_low"])
    np.testing.assert_allclose(result.folds["accuracy"], accs)
    # every image is tested once: the pooled matrix is the whole confusion matrix
    np.testing.assert_array_equal(
        result.confusion_matrices["fixed"][0], confusion_matrix(data.target, pred)
    )


def test_classification_metrics_with_an_absent_class():
    # class 2 is neither in y_true nor predicted; its AUC is left out
    y, p = np.array([0, 0, 1, 1]), np.array([0, 1, 1, 1])
    proba = np.array([[0.9, 0.1, 0], [0.4, 0.6, 0], [0.2, 0.8, 0], [0.1, 0.9, 0]])
    m = classification_metrics(y, p, [0, 1, 2], proba)
    assert m["macro_f1"] == pytest.approx(
        f1_score(y, p, labels=[0, 1, 2], average="macro", zero_division=0)
    )
    assert m["roc_auc_ovr"] == pytest.approx(1.0)
    assert m["per_class"]["support"] == [2, 2, 0]
    assert m["confusion_matrix"] == [[1, 1, 0], [0, 2, 0], [0, 0, 0]]


def test_bootstrap_scores_match_sklearn_on_every_resample():
    rng = np.random.default_rng(3)
    y, p = rng.integers(0, 4, 50), rng.integers(0, 4, 50)
    cms = []
    expected = {"accuracy": [], "balanced_accuracy": [], "macro_f1": []}
    for _ in range(20):
        idx = rng.integers(0, 50, 50)
        cms.append(confusion_matrix(y[idx], p[idx], labels=[0, 1, 2, 3]))
        expected["accuracy"].append(accuracy_score(y[idx], p[idx]))
        expected["balanced_accuracy"].append(balanced_accuracy_score(y[idx], p[idx]))
        expected["macro_f1"].append(
            f1_score(y[idx], p[idx], labels=[0, 1, 2, 3], average="macro", zero_division=0)
        )
    got = _scores_from_confusion(np.array(cms))
    for name, values in expected.items():
        np.testing.assert_allclose(got[name], values, atol=1e-12, err_msg=name)


def test_bootstrap_interval():
    y = np.repeat([0, 1, 2], 100)
    perfect = bootstrap_interval(y, y, [0, 1, 2])
    assert perfect == {m: (1.0, 1.0) for m in ("accuracy", "balanced_accuracy", "macro_f1")}
    rng = np.random.default_rng(0)
    p = np.where(rng.random(300) < 0.7, y, (y + 1) % 3)
    low, high = bootstrap_interval(y, p, [0, 1, 2], n_resamples=2000)["accuracy"]
    acc = np.mean(p == y)
    # normal approximation of the binomial interval: +-1.96 sqrt(acc(1-acc)/n)
    half = 1.96 * np.sqrt(acc * (1 - acc) / 300)
    assert low == pytest.approx(acc - half, abs=0.015)
    assert high == pytest.approx(acc + half, abs=0.015)
    assert bootstrap_interval(y, p, [0, 1, 2]) == bootstrap_interval(y, p, [0, 1, 2])


def test_most_confused_pairs():
    matrix = [[5, 3, 0], [1, 9, 4], [0, 4, 2]]
    # a tie in count (4) goes to the higher rate: c -> b (4/6) before b -> c (4/14)
    assert most_confused_pairs(matrix, ["a", "b", "c"], top=3) == [
        {"true": "c", "predicted": "b", "count": 4, "rate": 4 / 6},
        {"true": "b", "predicted": "c", "count": 4, "rate": 4 / 14},
        {"true": "a", "predicted": "b", "count": 3, "rate": 3 / 8},
    ]


def test_report_and_confusion_plot_list_the_same_pairs():
    from fer_features.plotting import most_confused_pairs as plotted_pairs

    rng = np.random.default_rng(3)
    for _ in range(20):
        matrix = rng.integers(0, 4, (4, 4))  # many ties
        names = ["w", "x", "y", "z"]
        listed = [
            (p["true"], p["predicted"], p["count"], p["rate"])
            for p in most_confused_pairs(matrix, names, top=12)
        ]
        assert listed == plotted_pairs(matrix, names, 12)


# -------------------------------------------------------------------- splits
def test_resolve_split_forms():
    y = np.repeat([0, 1], 10)
    usage = np.array(["Training"] * 12 + ["PublicTest"] * 8)
    folds, text = resolve_split(None, y, usage=usage)
    assert len(folds) == 1 and text == "train on Training, test on PublicTest"
    np.testing.assert_array_equal(folds[0][1], np.arange(12, 20))
    folds, _ = resolve_split(None, y)  # no usages: 5 folds
    assert len(folds) == 5
    groups = np.repeat(np.arange(5), 4)
    for train, test in resolve_split(GroupKFold(n_splits=5), y, groups=groups)[0]:
        assert not set(groups[train]) & set(groups[test])


def test_group_splitter_gets_the_bunch_groups():
    data, _, _ = _fixed_data(n=60)
    data["groups"] = np.arange(60) // 6  # 10 "subjects"
    result = run_benchmark(
        {"fixed": FixedPredictor()}, data, split=GroupKFold(n_splits=5), verbose=0
    )
    assert result.table.loc[0, "n_folds"] == 5
    assert result.folds["n_test"].tolist() == [12] * 5  # two whole subjects per fold
    assert result.meta["split"].startswith("GroupKFold(")


@pytest.mark.parametrize(
    "split, kwargs, message",
    [
        (
            ("Training", "PrivateTest"),
            {"usage": np.array(["Training", "PublicTest"] * 5)},
            "usage 'PrivateTest' is not in the data; its usages are 'Training', 'PublicTest'",
        ),
        (("Training", "PublicTest"), {}, "the data have no `usage`"),
        (1, {}, "needs k >= 2"),
        (GroupKFold(n_splits=2), {}, "needs groups"),
        ("ten", {}, "split must be a pair of usage names"),
    ],
)
def test_resolve_split_errors(split, kwargs, message):
    with pytest.raises(ValueError, match=message):
        resolve_split(split, np.repeat([0, 1], 5), **kwargs)


def test_max_per_class():
    y = np.array([0] * 10 + [1] * 3 + [2] * 7)
    kept = subsample_per_class(np.arange(20), y, 4, random_state=0)
    assert np.bincount(y[kept]).tolist() == [4, 3, 4]
    assert np.array_equal(kept, np.sort(kept))
    data, _, _ = _fixed_data(n=200)
    row = run_benchmark(
        {"fixed": FixedPredictor()}, data, split=("train", "test"), max_per_class=5, verbose=0
    ).table.iloc[0]
    assert row["n_train"] == 15 and row["n_test"] == 100  # test is never cut


# ------------------------------------------------------- failures and resume
def test_failing_estimator_is_recorded_and_others_kept(tmp_path):
    data, _, _ = _fixed_data()
    result = run_benchmark(
        {
            "good": FixedPredictor(),
            "bad": Exploding(),
            "bad_factory": lambda: 1 / 0,
            "after": GaussianNB(),
        },
        data,
        split=("train", "test"),
        out_dir=tmp_path,
        verbose=0,
        plots=False,
    )
    table = result.table.set_index("estimator")
    assert list(table["status"]) == ["ok", "failed", "failed", "ok"]
    assert table.loc["bad", "error"] == "ValueError in fit of fold 1/1: this estimator always fails"
    assert "ZeroDivisionError in building the estimator" in table.loc["bad_factory", "error"]
    assert set(result.failures) == {"bad", "bad_factory"}
    assert set(result.confusion_matrices) == {"good", "after"}
    stored = json.loads((tmp_path / "estimators" / "bad.json").read_text())
    assert stored["status"] == "failed" and "always fails" in stored["traceback"]
    report = (tmp_path / "report.md").read_text()
    assert "## Failures" in report and "this estimator always fails" in report


def test_resume_reuses_and_recomputes(tmp_path, capsys):
    data, _, _ = _fixed_data(n=60)
    kwargs = dict(split=3, out_dir=tmp_path, verbose=1, plots=False)
    run_benchmark({"prior": CountingClassifier()}, data, **kwargs)
    assert CountingClassifier.fits == 3
    first = (tmp_path / "estimators" / "prior.json").read_text()
    # same parameters, data and split: nothing is fitted again
    again = run_benchmark({"prior": CountingClassifier()}, data, **kwargs)
    assert CountingClassifier.fits == 3
    assert bool(again.table.loc[0, "reused"])
    assert "prior: reused" in capsys.readouterr().err
    assert (tmp_path / "estimators" / "prior.json").read_text() == first
    # other parameters: not run, the stored result is kept, the error says what to do
    other = run_benchmark({"prior": CountingClassifier(strategy="uniform")}, data, **kwargs)
    assert CountingClassifier.fits == 3
    assert other.table.loc[0, "status"] == "failed"
    assert "holds its result for other parameters" in other.failures["prior"]
    assert "--overwrite (overwrite=True)" in other.failures["prior"]
    assert (tmp_path / "estimators" / "prior.json").read_text() == first
    # ... unless overwrite=True: recomputed
    run_benchmark({"prior": CountingClassifier(strategy="uniform")}, data, **kwargs, overwrite=True)
    assert CountingClassifier.fits == 6
    # other data or another split: refused before any work, unless overwrite=True
    changed = Bunch(**data)
    changed["data"] = data.data + 1
    for other_data, split in ((changed, 3), (data, 2)):
        with pytest.raises(
            ValueError, match="holds results of other data or another split .*--overwrite"
        ):
            run_benchmark(
                {"prior": CountingClassifier(strategy="uniform")},
                other_data,
                **{**kwargs, "split": split},
            )
    assert CountingClassifier.fits == 6
    run_benchmark(
        {"prior": CountingClassifier(strategy="uniform")}, changed, **kwargs, overwrite=True
    )
    assert CountingClassifier.fits == 9
    run_benchmark(
        {"prior": CountingClassifier(strategy="uniform")},
        changed,
        **{**kwargs, "split": 2},
        overwrite=True,
    )
    assert CountingClassifier.fits == 11
    # resume=False: recomputed
    run_benchmark(
        {"prior": CountingClassifier(strategy="uniform")},
        changed,
        **{**kwargs, "split": 2, "resume": False},
    )
    assert CountingClassifier.fits == 13


def test_a_stored_result_of_another_library_version_is_not_reused(tmp_path, monkeypatch):
    import fer_features.benchmark._runner as runner

    data, _, _ = _fixed_data(n=60)
    kwargs = dict(split=3, out_dir=tmp_path, verbose=0, plots=False)
    run_benchmark({"prior": CountingClassifier()}, data, **kwargs)
    stored = json.loads((tmp_path / "estimators" / "prior.json").read_text())
    assert stored["fingerprints"]["library"] == f"fer_features {runner.__version__}"
    monkeypatch.setattr(runner, "__version__", "99.0")
    result = run_benchmark({"prior": CountingClassifier()}, data, **kwargs)
    assert "fer_features 99.0" in result.failures["prior"]
    assert CountingClassifier.fits == 3
    run_benchmark({"prior": CountingClassifier()}, data, **kwargs, overwrite=True)
    assert CountingClassifier.fits == 6


class CountingPredictor(FixedPredictor):
    """FixedPredictor counting its predict and predict_proba calls."""

    calls = []

    def predict(self, X):
        type(self).calls.append("predict")
        return super().predict(X)

    def predict_proba(self, X):
        type(self).calls.append("predict_proba")
        return super().predict_proba(X)


def test_each_test_fold_is_predicted_once():
    CountingPredictor.calls = []
    data, pred, _ = _fixed_data()
    result = run_benchmark({"fixed": CountingPredictor()}, data, split=("train", "test"), verbose=0)
    assert CountingPredictor.calls == ["predict_proba"]
    test = data.usage == "test"
    assert result.table.loc[0, "accuracy"] == accuracy_score(data.target[test], pred[test])
    # without predict_proba: predict, once
    from sklearn.svm import SVC

    result = run_benchmark({"svc": SVC()}, data, split=("train", "test"), verbose=0)
    assert result.table.loc[0, "status"] == "ok"
    assert np.isnan(result.table.loc[0, "roc_auc_ovr"])


def test_same_seed_same_scores():
    from sklearn.ensemble import RandomForestClassifier

    X = np.random.default_rng(0).random((90, 6))
    y = (X[:, 0] + 0.8 * np.random.default_rng(1).random(90) > 0.9).astype(int)

    def scores(seed):
        table = run_benchmark(
            {"rf": RandomForestClassifier(n_estimators=5)},
            (X, y),
            split=3,
            random_state=seed,
            verbose=0,
        ).table
        return table[["accuracy", "macro_f1", "roc_auc_ovr"]].to_numpy()

    first = scores(0)
    np.testing.assert_array_equal(first, scores(0))
    assert any(not np.array_equal(first, scores(s)) for s in (1, 2, 3))


def test_bad_out_dir_is_found_before_any_work(tmp_path):
    data, _, _ = _fixed_data()
    a_file = tmp_path / "a_file"
    a_file.write_text("x")
    for out, message in (
        (a_file, "is a file, not a folder"),
        (a_file / "sub", "cannot create the results folder"),
    ):
        with pytest.raises(ValueError, match=message):
            run_benchmark({"prior": CountingClassifier()}, data, split=3, out_dir=out, verbose=0)
    assert CountingClassifier.fits == 0


def test_unwritable_out_dir_is_found_before_any_work(tmp_path):
    import os

    if hasattr(os, "geteuid") and os.geteuid() == 0:
        pytest.skip("root writes anywhere")
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o500)
    data, _, _ = _fixed_data()
    try:
        with pytest.raises(ValueError, match="cannot write in the results folder"):
            run_benchmark({"prior": CountingClassifier()}, data, split=3, out_dir=folder, verbose=0)
    finally:
        folder.chmod(0o700)
    assert CountingClassifier.fits == 0


class InterruptedOnFit(DummyClassifier):
    """Raises KeyboardInterrupt on the fit with this (class-level) count."""

    fits = 0
    interrupt_on = 2

    def fit(self, X, y, sample_weight=None):
        type(self).fits += 1
        if type(self).fits == type(self).interrupt_on:
            raise KeyboardInterrupt
        return super().fit(X, y, sample_weight)


def test_ctrl_c_writes_what_finished_and_resumes(tmp_path):
    from fer_features.benchmark import BenchmarkInterrupted

    InterruptedOnFit.fits = 0
    data, _, _ = _fixed_data(n=60)
    roster = {"done": CountingClassifier(), "stopped": InterruptedOnFit(), "never": GaussianNB()}
    kwargs = dict(split=3, out_dir=tmp_path, verbose=0, plots=False)
    with pytest.raises(BenchmarkInterrupted) as info:
        run_benchmark(roster, data, **kwargs)
    assert isinstance(info.value, KeyboardInterrupt)
    table = pd.read_csv(tmp_path / "results.csv")
    assert list(table["estimator"]) == ["done", "stopped"]
    assert list(table["status"]) == ["ok", "interrupted"]
    assert "interrupted in fit of fold 2/3" in table.loc[1, "error"]
    assert "| stopped | interrupted |" in (tmp_path / "report.md").read_text()
    assert json.loads((tmp_path / "results.json").read_text())["meta"]["interrupted"] == "stopped"
    stored = json.loads((tmp_path / "estimators" / "stopped.json").read_text())
    assert stored["status"] == "interrupted" and len(stored["folds"]) == 1
    # a re-run resumes: done is reused, stopped goes on at fold 2
    result = run_benchmark(roster, data, **kwargs)
    assert list(result.table["status"]) == ["ok", "ok", "ok"]
    assert bool(result.table.loc[0, "reused"])
    assert InterruptedOnFit.fits == 4  # 2 the first time, folds 2 and 3 now
    assert CountingClassifier.fits == 3


@pytest.mark.parametrize(
    "edit, reason",
    [
        (lambda r: r["summary"].pop("per_class"), "lacks per-class scores"),
        (lambda r: r["summary"].update(accuracy="high"), "lacks a number for 'accuracy'"),
        (lambda r: r["folds"][0].update(confusion_matrix=[[1, 2]]), "square confusion"),
        (lambda r: r.update(status="done"), "status 'done'"),
        (lambda r: r.update(folds={}), "folds are not a list"),
    ],
)
def test_malformed_stored_record_is_ignored_with_a_warning(tmp_path, edit, reason):
    data, _, _ = _fixed_data(n=60)
    kwargs = dict(split=3, out_dir=tmp_path, verbose=0, plots=False)
    run_benchmark({"prior": CountingClassifier()}, data, **kwargs)
    path = tmp_path / "estimators" / "prior.json"
    record = json.loads(path.read_text())
    edit(record)
    path.write_text(json.dumps(record))
    with pytest.warns(UserWarning, match=f"ignoring the stored result .*prior.json: .*{reason}"):
        result = run_benchmark({"prior": CountingClassifier()}, data, **kwargs)
    assert result.table.loc[0, "status"] == "ok"
    assert CountingClassifier.fits == 6


def test_truncated_stored_record_is_recomputed_with_a_warning(tmp_path):
    data, _, _ = _fixed_data(n=60)
    kwargs = dict(split=3, out_dir=tmp_path, verbose=0, plots=False)
    run_benchmark({"prior": CountingClassifier()}, data, **kwargs)
    path = tmp_path / "estimators" / "prior.json"
    path.write_text(path.read_text()[:100])
    with pytest.warns(UserWarning, match="prior.json: it is not valid JSON, perhaps truncated"):
        run_benchmark({"prior": CountingClassifier()}, data, **kwargs)
    assert CountingClassifier.fits == 6


def test_names_differing_in_punctuation_get_their_own_files(tmp_path):
    data, _, _ = _fixed_data(n=60)
    run_benchmark(
        {
            "lbp svc": CountingClassifier(),
            "lbp_svc": GaussianNB(),
            "lbp/svc": DummyClassifier(strategy="uniform"),
        },
        data,
        split=2,
        out_dir=tmp_path,
        verbose=0,
        plots=False,
    )
    files = sorted(p.name for p in (tmp_path / "estimators").glob("*.json"))
    assert len(files) == 3 and "lbp_svc.json" in files
    names = {json.loads((tmp_path / "estimators" / f).read_text())["estimator"] for f in files}
    assert names == {"lbp svc", "lbp_svc", "lbp/svc"}


def test_interrupted_run_resumes_after_finished_folds(tmp_path):
    data, _, _ = _fixed_data(n=60)
    CountingClassifier.fail_on_fit = 2
    first = run_benchmark(
        {"prior": CountingClassifier()}, data, split=3, out_dir=tmp_path, verbose=0, plots=False
    )
    assert first.table.loc[0, "status"] == "failed"
    assert "fold 2/3" in first.table.loc[0, "error"]
    stored = json.loads((tmp_path / "estimators" / "prior.json").read_text())
    assert len(stored["folds"]) == 1
    CountingClassifier.fail_on_fit = None
    second = run_benchmark(
        {"prior": CountingClassifier()}, data, split=3, out_dir=tmp_path, verbose=0, plots=False
    )
    assert second.table.loc[0, "status"] == "ok"
    assert CountingClassifier.fits == 4  # 2 the first time, folds 2 and 3 now
    assert second.table.loc[0, "n_folds"] == 3


def test_n_jobs_is_set_and_does_not_change_the_fingerprint(tmp_path):
    from sklearn.ensemble import RandomForestClassifier

    rf = RandomForestClassifier(n_estimators=3, random_state=0)
    assert estimator_fingerprint(rf) == estimator_fingerprint(rf.set_params(n_jobs=2))
    assert estimator_fingerprint(rf) != estimator_fingerprint(
        RandomForestClassifier(n_estimators=4, random_state=0)
    )
    assert "n_jobs" not in describe_estimator(rf)
    data, _, _ = _fixed_data(n=60)
    run_benchmark({"rf": rf}, data, split=2, out_dir=tmp_path, verbose=0, n_jobs=1, plots=False)
    result = run_benchmark({"rf": rf}, data, split=2, out_dir=tmp_path, verbose=0, plots=False)
    assert bool(result.table.loc[0, "reused"])


# ------------------------------------------------------------------- outputs
def test_outputs_written(tmp_path):
    data, _, _ = _fixed_data()
    result = run_benchmark(
        {"fixed": FixedPredictor(), "nb": GaussianNB()},
        data,
        split=("train", "test"),
        out_dir=tmp_path / "new" / "dir",
        verbose=0,
        plots=False,
    )
    out = tmp_path / "new" / "dir"
    csv = pd.read_csv(out / "results.csv")
    assert list(csv["estimator"]) == ["fixed", "nb"]
    np.testing.assert_allclose(csv["accuracy"], result.table["accuracy"])
    payload = json.loads((out / "results.json").read_text())
    assert [r["estimator"] for r in payload["estimators"]] == ["fixed", "nb"]
    assert payload["meta"]["split"] == "train on train, test on test"
    report = (out / "report.md").read_text()
    assert report.startswith("# FER benchmark")
    assert "| fixed | ok |" in report and "Most confused" in report
    assert "results.csv" in result.files and "report.md" in result.files


def test_plots_are_linked_from_the_report(tmp_path):
    pytest.importorskip("matplotlib")
    data, _, _ = _fixed_data()
    result = run_benchmark(
        {"fixed": FixedPredictor()}, data, split=("train", "test"), out_dir=tmp_path, verbose=0
    )
    assert result.plots, "fer_features.plotting wrote no plot"
    report = (tmp_path / "report.md").read_text()
    for path in result.plots:
        assert path.exists()
        assert f"]({path.name})" in report


@pytest.mark.parametrize(
    "estimators, message",
    [
        ({}, "estimators is empty"),
        ({"x": 3}, "neither an estimator"),
        (["lbp-svc", "lbp-svc"], "given twice"),
    ],
)
def test_bad_estimators(estimators, message):
    data, _, _ = _fixed_data()
    with pytest.raises(ValueError, match=message):
        run_benchmark(estimators, data, verbose=0)


def test_bad_data():
    with pytest.raises(ValueError, match="one label per row"):
        run_benchmark({"nb": GaussianNB()}, (np.zeros((4, 2)), [0, 1]), verbose=0)
    with pytest.raises(ValueError, match="max_per_class must be a positive integer"):
        run_benchmark(
            {"nb": GaussianNB()}, (np.zeros((4, 2)), [0, 1, 0, 1]), max_per_class=0, verbose=0
        )


# ----------------------------------------------------------------- real data
@pytest.mark.fer2013
def test_benchmark_on_real_faces(fer2013_small, tmp_path):
    from fer_features.registry import make_estimator

    roster = {
        "hog-logreg": "hog-logreg",  # a name: built by make_estimator
        "pixels-xgb": make_estimator("pixels-xgb", profile="quick"),
    }
    result = run_benchmark(
        roster, fer2013_small, out_dir=tmp_path, verbose=0, plots=False, max_per_class=40, n_jobs=1
    )
    table = result.table.set_index("estimator")
    assert list(table["status"]) == ["ok", "ok"]
    assert table["n_test"].tolist() == [140, 140]
    assert table["n_train"].tolist() == [280, 280]
    # HOG + logistic regression beats chance (1/7) clearly on real faces
    assert table.loc["hog-logreg", "accuracy"] > 0.2
    assert result.meta["split"].startswith("train on Training, test on PublicTest")
    assert result.confusion_matrices["hog-logreg"][1][:2] == ["angry", "disgust"]
