"""`fer-features train`, end to end in a temporary folder."""

import gzip

import numpy as np
import pytest

from fer_features import load_model, model_info
from fer_features.cli import main


@pytest.fixture(autouse=True)
def _one_thread():
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):
        yield


@pytest.fixture(scope="module")
def fer2013_subset(fer2013_path, tmp_path_factory):
    """A small FER2013 CSV: the first 280 Training and 70 PublicTest rows of the real file."""
    wanted = {"Training": 280, "PublicTest": 70}
    kept = []
    with gzip.open(fer2013_path, "rt") as f:
        header = f.readline()
        for line in f:
            usage = line.rstrip("\n").rsplit(",", 1)[-1]
            if wanted.get(usage, 0) > 0:
                wanted[usage] -= 1
                kept.append(line)
            if not any(wanted.values()):
                break
    path = tmp_path_factory.mktemp("fer2013") / "fer2013_small.csv"
    path.write_text(header + "".join(kept))
    return path


def test_train_on_synthetic_faces(tmp_path, capsys):
    out = tmp_path / "model.skops"
    assert (
        main(["train", "--estimator", "hog-logreg", "--n-samples", "140", "--out", str(out)]) == 0
    )
    captured = capsys.readouterr()
    assert "trained on 140 images" in captured.out
    assert f"wrote {out}" in captured.out
    assert "fitting hog-logreg on 140 images of 48x48 pixels, 7 classes" in captured.err
    assert "fitted in" in captured.err
    info = model_info(out)
    assert info["metadata"]["estimator_name"] == "hog-logreg"
    assert info["metadata"]["profile"] == "quick"
    assert info["metadata"]["n_train"] == 140
    assert "accuracy" not in info["metadata"]  # no test rows in the synthetic faces
    model = load_model(out)
    from fer_features.datasets import load_dataset

    data = load_dataset("synthetic", n_samples=140, random_state=0)
    assert set(model.predict(data.data)) <= set(data.target_names)
    assert info["classes"] == sorted(data.target_names)


def test_train_on_fer2013_scores_on_publictest(fer2013_subset, tmp_path, capsys):
    from sklearn.metrics import accuracy_score, f1_score

    from fer_features.datasets import load_fer2013

    out = tmp_path / "fer.skops"
    assert (
        main(
            [
                "train",
                "--data",
                str(fer2013_subset),
                "--estimator",
                "hog-logreg",
                "--max-per-class",
                "20",
                "--out",
                str(out),
                "-q",
            ]
        )
        == 0
    )
    captured = capsys.readouterr()
    assert captured.err == ""  # -q: no progress
    meta = model_info(out)["metadata"]
    assert meta["data_source"] == "fer2013_small.csv"
    assert meta["train_usage"] == "Training" and meta["test_usage"] == "PublicTest"
    assert meta["n_test"] == 70
    assert meta["n_train"] == sum(meta["train_counts"].values())
    assert max(meta["train_counts"].values()) == 20
    assert meta["max_per_class"] == 20
    # the printed and recorded scores are those of the saved model on PublicTest
    data = load_fer2013(fer2013_subset)
    test = data.usage == "PublicTest"
    truth = np.asarray(data.target_names)[data.target[test]]
    predicted = load_model(out).predict(data.data[test])
    assert meta["accuracy"] == accuracy_score(truth, predicted)
    assert meta["macro_f1"] == f1_score(truth, predicted, average="macro")
    assert (
        f"accuracy {meta['accuracy']:.4f}, macro-F1 {meta['macro_f1']:.4f} on 70 PublicTest images"
    ) in captured.out


@pytest.mark.parametrize(
    "args, message",
    [
        (["--data", "no/such/file.csv"], "no/such/file.csv"),
        (["--estimator", "nonsense-net"], "nonsense-net"),
        (["--out", "no_such_folder/model.skops"], "the folder no_such_folder does not exist"),
        (["--out", "."], "--out .: is a folder"),
        (["--data", "no/such/file.csv", "--n-samples", "10"], "--n-samples applies to"),
        (["--train-usage", "Training"], "no usage column"),
    ],
)
def test_bad_inputs_are_one_line_errors(args, message, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    base = {"--estimator": "hog-logreg", "--out": "m.skops"}
    if "--data" not in args:
        base["--n-samples"] = "20"
    for i in range(0, len(args), 2):
        base[args[i]] = args[i + 1]
    argv = ["train"] + [x for kv in base.items() for x in kv]
    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("fer-features train: error: ")
    assert message in err[-1]
    assert not any("fitting" in line for line in err)
    if "--estimator" in args:  # a bad name is reported before the data are loaded
        assert not any("loading" in line for line in err)
    assert not (tmp_path / "m.skops").exists()


def test_unwritable_out_is_refused_before_loading_data(tmp_path, capsys):
    blocker = tmp_path / "a_file"
    blocker.write_text("")
    assert (
        main(
            [
                "train",
                "--estimator",
                "hog-logreg",
                "--data",
                "no/such/data",
                "--out",
                str(blocker / "model.skops"),
            ]
        )
        == 2
    )
    err = capsys.readouterr().err
    assert f"the folder {blocker} does not exist" in err
    assert "loading" not in err


def test_estimator_is_required(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["train"])
    assert exit_.value.code == 2
    assert "--estimator" in capsys.readouterr().err
