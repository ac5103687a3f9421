"""`fer-features list` and `fer-features benchmark`, end to end in a temporary folder."""

import json

import pandas as pd
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin

from fer_features.cli import main
from fer_features.registry import list_estimators


@pytest.fixture(autouse=True)
def _one_thread():
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):
        yield


def test_list(capsys):
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert len(lines) == len(list_estimators())
    names = [line.split()[0] for line in lines]
    assert {"classic", "lbp-svc", "hog-xgb", "eigenfaces-svc", "lbp+hog-logreg", "cnn"} <= set(
        names
    )
    cnn = [line for line in lines if line.startswith("cnn ")][0]
    available = [i for i in list_estimators() if i.name == "cnn"][0].available
    assert ("[unavailable:" in cnn) == (not available)


FAST = ["--n-samples", "140", "--estimators", "pixels-logreg,hog-rf", "--no-plots"]


def test_benchmark_end_to_end_and_resume(tmp_path, capsys):
    out = tmp_path / "results"
    assert main(["benchmark", *FAST, "--out", str(out)]) == 0
    captured = capsys.readouterr()
    # the table on stdout, the progress on stderr
    table_lines = captured.out.splitlines()
    assert table_lines[0].split()[:3] == ["estimator", "status", "accuracy"]
    assert table_lines[1].startswith("pixels-logreg  ok")
    assert table_lines[2].startswith("hog-rf")
    assert "[benchmark] pixels-logreg: fold 1/1 fit" in captured.err
    assert "[benchmark] profile quick" in captured.err
    assert "[benchmark]" not in captured.out
    for name in ("results.csv", "results.json", "report.md", "estimators/hog-rf.json"):
        assert (out / name).is_file(), name
    csv = pd.read_csv(out / "results.csv")
    assert list(csv["estimator"]) == ["pixels-logreg", "hog-rf"]
    assert list(csv["status"]) == ["ok", "ok"]
    # 140 faces, the subjects of about a quarter held out (test_benchmark_splits.py checks them)
    assert (csv["n_test"] + csv["n_train"]).tolist() == [140, 140]
    assert 0.15 < csv["n_test"][0] / 140 < 0.35
    record = json.loads((out / "estimators" / "hog-rf.json").read_text())
    assert "n_estimators=100" in record["params"]  # the quick profile

    # an existing folder resumes: nothing is refitted
    assert main(["benchmark", *FAST, "--out", str(out)]) == 0
    err = capsys.readouterr().err
    assert "pixels-logreg: reused" in err and "hog-rf: reused" in err
    # --profile full changes hog-rf's parameters: its stored result is kept, not run
    assert main(["benchmark", *FAST, "--out", str(out), "--profile", "full"]) == 0
    captured = capsys.readouterr()
    assert "pixels-logreg: reused" in captured.err
    assert "hog-rf: not run: " in captured.err
    assert "holds its result for other parameters" in captured.err
    assert "1 estimator(s) failed: hog-rf" in captured.out
    assert (
        "n_estimators=100" in json.loads((out / "estimators" / "hog-rf.json").read_text())["params"]
    )
    # --overwrite: it alone is recomputed
    assert main(["benchmark", *FAST, "--out", str(out), "--profile", "full", "--overwrite"]) == 0
    err = capsys.readouterr().err
    assert "pixels-logreg: reused" in err
    assert "hog-rf: stored result is for other parameters; recomputing" in err
    # --no-resume recomputes everything
    assert (
        main(["benchmark", *FAST, "--out", str(out), "--no-resume", "-q", "--profile", "full"]) == 0
    )
    assert capsys.readouterr().err == ""


def test_benchmark_refuses_an_out_folder_of_other_data(tmp_path, capsys):
    out = tmp_path / "results"
    fast = ["--estimators", "pixels-logreg", "--no-plots", "-q", "--out", str(out)]
    assert main(["benchmark", "--n-samples", "70", *fast]) == 0
    before = (out / "results.csv").read_text()
    capsys.readouterr()
    assert main(["benchmark", "--n-samples", "84", *fast]) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1
    assert "holds results of other data or another split" in err
    assert "give another --out (out_dir), or --overwrite" in err
    assert (out / "results.csv").read_text() == before
    assert main(["benchmark", "--n-samples", "84", *fast, "--overwrite"]) == 0
    row = pd.read_csv(out / "results.csv").loc[0]
    assert row["n_test"] + row["n_train"] == 84


@pytest.mark.parametrize(
    "make_out, message",
    [
        (lambda tmp: tmp / "file", "is a file, not a folder"),
        (lambda tmp: tmp / "file" / "under", "cannot create the results folder"),
    ],
)
def test_benchmark_bad_out_is_reported_before_any_work(tmp_path, capsys, make_out, message):
    (tmp_path / "file").write_text("x")
    # the data do not exist either: --out is checked first, before loading anything
    code = main(
        ["benchmark", "--data", str(tmp_path / "missing.csv"), "--out", str(make_out(tmp_path))]
    )
    assert code == 2
    err = capsys.readouterr().err
    assert err.startswith("fer-features benchmark: error: ") and message in err
    assert len(err.splitlines()) == 1


class _StopsOnFit(ClassifierMixin, BaseEstimator):
    def fit(self, X, y):
        raise KeyboardInterrupt


def test_benchmark_ctrl_c_writes_results_exits_130_and_resumes(tmp_path, capsys, monkeypatch):
    import fer_features.benchmark._roster as roster

    real = roster.make_estimator
    out = tmp_path / "results"
    monkeypatch.setattr(
        roster,
        "make_estimator",
        lambda name, **kw: _StopsOnFit() if name == "hog-rf" else real(name, **kw),
    )
    assert main(["benchmark", *FAST, "--out", str(out)]) == 130
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    assert "interrupted during hog-rf" in captured.out
    csv = pd.read_csv(out / "results.csv")
    assert list(csv["status"]) == ["ok", "interrupted"]
    assert (out / "report.md").is_file()
    monkeypatch.undo()
    assert main(["benchmark", *FAST, "--out", str(out)]) == 0
    assert "pixels-logreg: reused" in capsys.readouterr().err
    assert list(pd.read_csv(out / "results.csv")["status"]) == ["ok", "ok"]


@pytest.mark.parametrize(
    "error",
    [
        IsADirectoryError(21, "Is a directory", "faces"),
        PermissionError(13, "Permission denied", "faces.csv"),
        ImportError("needs the [deep] extra: pip install 'fer_features[deep]'"),
    ],
)
def test_expected_errors_print_one_line(monkeypatch, capsys, error):
    import fer_features.cli as cli

    def run(args):
        raise error

    monkeypatch.setitem(cli._SUBCOMMANDS, "list", (cli._add_list, run))
    assert main(["list"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("fer-features list: error: ") and len(err.splitlines()) == 1
    if isinstance(error, OSError):
        assert error.filename in err
    # --verbose shows the traceback instead
    with pytest.raises(type(error)):
        main(["--verbose", "list"])


def test_tensorflow_start_up_messages_are_hidden_unless_verbose(monkeypatch):
    import os

    from fer_features.cli import quiet_environment

    environ = {"TF_CPP_MIN_LOG_LEVEL": "1"}
    assert quiet_environment(environ) == {"GRPC_VERBOSITY": "ERROR"}
    assert environ["TF_CPP_MIN_LOG_LEVEL"] == "1"  # the user's choice is kept
    monkeypatch.delenv("TF_CPP_MIN_LOG_LEVEL", raising=False)
    assert main(["list"]) == 0
    assert os.environ["TF_CPP_MIN_LOG_LEVEL"] == "3"
    monkeypatch.delenv("TF_CPP_MIN_LOG_LEVEL")
    assert main(["--verbose", "list"]) == 0
    assert "TF_CPP_MIN_LOG_LEVEL" not in os.environ


def test_tensorflow_import_is_silent_in_the_command():
    import os
    import subprocess
    import sys

    pytest.importorskip("keras")
    env = {
        k: v for k, v in os.environ.items() if k not in ("TF_CPP_MIN_LOG_LEVEL", "GRPC_VERBOSITY")
    }
    code = (
        "from fer_features.cli import quiet_environment, import_tensorflow_quietly; "
        "quiet_environment(); assert import_tensorflow_quietly(); "
        "import tensorflow as tf; print(int(tf.constant(1) + 1))"
    )
    run = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    assert run.stdout.strip() == "2"
    assert run.stderr == ""


def test_benchmark_cross_validation_and_plots(tmp_path, capsys):
    out = tmp_path / "cv"
    code = main(
        [
            "benchmark",
            "--n-samples",
            "70",
            "--estimators",
            "pixels-logreg",
            "--cv",
            "2",
            "--out",
            str(out),
            "-q",
            "--max-per-class",
            "4",
        ]
    )
    assert code == 0
    csv = pd.read_csv(out / "results.csv")
    assert csv.loc[0, "n_folds"] == 2 and csv.loc[0, "n_train"] == 28
    assert csv.loc[0, "accuracy_std"] >= 0
    report = (out / "report.md").read_text()
    assert "![benchmark](benchmark.png)" in report
    assert (out / "benchmark.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


class _Broken(ClassifierMixin, BaseEstimator):
    def fit(self, X, y):
        raise RuntimeError("broken on purpose")


def test_benchmark_exits_0_when_an_estimator_fails(tmp_path, capsys, monkeypatch):
    import fer_features.benchmark._roster as roster

    real = roster.make_estimator

    def fake(name, **kwargs):
        return _Broken() if name == "hog-rf" else real(name, **kwargs)

    monkeypatch.setattr(roster, "make_estimator", fake)
    assert main(["benchmark", *FAST, "--out", str(tmp_path)]) == 0
    captured = capsys.readouterr()
    rows = {line.split()[0]: line.split()[1] for line in captured.out.splitlines()[1:3]}
    assert rows == {"pixels-logreg": "ok", "hog-rf": "failed"}
    assert "1 estimator(s) failed: hog-rf" in captured.out
    assert (
        "RuntimeError in fit of fold 1/1: broken on purpose" in (tmp_path / "report.md").read_text()
    )


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--estimators", "lbp-knn"], "unknown estimator 'lbp-knn'"),
        (["--estimators", ","], "--estimators names no estimator"),
        (["--data", "no/such/file.csv"], "no such file or folder"),
        (["--train-usage", "Training"], "the data (synthetic) have no usages; use --cv K"),
        (["--cv", "1"], "--cv 1: cross-validation needs at least 2 folds"),
        (["--cv", "3", "--test-usage", "PublicTest"], "either --cv or --train-usage"),
        (["--data", "nothing-like-this"], "unknown data set 'nothing-like-this'"),
    ],
)
def test_benchmark_bad_arguments_exit_2(tmp_path, capsys, argv, message):
    code = main(["benchmark", "--out", str(tmp_path / "x"), *argv])
    assert code == 2
    *notes, last = capsys.readouterr().err.splitlines()
    # one error line; before it at most progress notes (e.g. "skipping cnn" without Keras)
    assert last.startswith("fer-features benchmark: error: ")
    assert message in last
    assert all(note.startswith("[benchmark] ") for note in notes)
    assert not (tmp_path / "x" / "results.csv").exists()


@pytest.mark.parametrize(
    "argv", [["--profile", "fast"], ["--max-per-class", "0"], ["--n-jobs", "two"]]
)
def test_benchmark_malformed_options_exit_2(argv, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["benchmark", *argv])
    assert exc.value.code == 2


def test_n_samples_needs_synthetic(tmp_path, capsys):
    assert main(["benchmark", "--data", str(tmp_path), "--n-samples", "10"]) == 2
    assert "--n-samples applies to --data synthetic only" in capsys.readouterr().err


@pytest.mark.fer2013
def test_benchmark_on_the_real_file(fer2013_path, tmp_path, capsys):
    out = tmp_path / "fer"
    code = main(
        [
            "benchmark",
            "--data",
            str(fer2013_path),
            "--estimators",
            "hog-logreg",
            "--max-per-class",
            "30",
            "--out",
            str(out),
            "--no-plots",
            "-q",
        ]
    )
    assert code == 0
    csv = pd.read_csv(out / "results.csv")
    assert csv.loc[0, "n_train"] == 210  # 30 of each of the 7 classes
    assert csv.loc[0, "n_test"] == 3589  # all of PublicTest
    assert csv.loc[0, "accuracy"] > 0.18
    report = (out / "report.md").read_text()
    assert "train on Training, test on PublicTest" in report
    assert "| angry |" in report and "| disgust |" in report


@pytest.mark.parametrize(
    "backend, missing, extra",
    [
        ("tensorflow", "tensorflow", "deep"),
        ("jax", "jax", "jax"),
        ("torch", "torch", "torch"),
        (None, "keras", "deep"),
    ],
)
def test_an_unavailable_cnn_names_the_extra_of_its_backend(monkeypatch, backend, missing, extra):
    import importlib.util

    import fer_features.registry as registry

    if backend is None:
        monkeypatch.delenv("KERAS_BACKEND", raising=False)
    else:
        monkeypatch.setenv("KERAS_BACKEND", backend)
    # every other module counts as installed, so that the test means the same
    # in an environment without Keras (CI's minimum-versions job)
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name: None if name == missing else object()
    )
    assert registry._cnn_missing() == (
        f"needs the [{extra}] extra ({missing} is not installed): "
        f"pip install 'fer_features[{extra}]'"
    )


def test_default_roster_with_and_without_the_cnn(monkeypatch, capsys):
    import fer_features.registry as registry
    from fer_features.benchmark import DEFAULT_ROSTER, default_roster

    monkeypatch.setattr(registry, "_cnn_missing", lambda: "needs the [deep] extra")
    roster = default_roster(profile="quick")
    assert list(roster) == ["eigenfaces-svc", "lbp-svc", "hog-xgb", "lbp-rf"]
    assert "skipping cnn: needs the [deep] extra" in capsys.readouterr().err
    # asked for by name, an unavailable CNN is a bad argument
    assert main(["benchmark", "--estimators", "cnn", "--n-samples", "14"]) == 2
    assert (
        "estimator 'cnn' is not available here: needs the [deep] extra" in capsys.readouterr().err
    )
    monkeypatch.undo()
    if not [i for i in list_estimators() if i.name == "cnn"][0].available:
        pytest.skip("the [deep] extra is not installed")
    roster = default_roster(profile="quick")
    assert tuple(roster) == DEFAULT_ROSTER
    cnn = roster["cnn"]()
    assert type(cnn).__name__ == "KerasCNNClassifier"
    from fer_features.deep import quick_cnn_params

    params = cnn.get_params()
    for key, value in quick_cnn_params().items():
        assert params[key] == value, key
    assert params["verbose"] == 0 and params["random_state"] == 0


def test_listing_and_building_do_not_import_keras():
    import subprocess
    import sys

    code = (
        "import sys; from fer_features.registry import list_estimators, "
        "make_estimator; from fer_features.benchmark import default_roster; "
        "list_estimators(); [f() for f in default_roster(verbose=0).values()]; "
        "print(sorted(m for m in ('keras', 'tensorflow') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"
