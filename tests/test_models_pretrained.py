"""load_pretrained: the shipped model, and clear errors when it cannot load."""

import numpy as np
import pytest

import fer_features
from fer_features.models import (
    _pretrained,
    load_pretrained,
    pretrained_path,
    save_model,
)


def test_exported_from_the_package_root():
    assert fer_features.load_pretrained is load_pretrained


def test_missing_file_says_how_to_build_it(tmp_path, monkeypatch):
    missing = tmp_path / "pretrained.skops"
    monkeypatch.setattr(_pretrained, "pretrained_path", lambda: missing)
    with pytest.raises(FileNotFoundError) as err:
        load_pretrained()
    assert "no pretrained model yet" in str(err.value)
    assert "benchmarks/build_pretrained.py" in str(err.value)
    assert err.value.filename == str(missing)


def test_without_keras_names_the_deep_extra(tmp_path, monkeypatch):
    present = tmp_path / "pretrained.skops"
    present.write_bytes(b"model")
    monkeypatch.setattr(_pretrained, "pretrained_path", lambda: present)
    monkeypatch.setattr(_pretrained, "_keras_missing", lambda: "Keras is not installed")
    with pytest.raises(
        ImportError, match=r'Keras is not installed: pip install "fer_features\[deep\]"'
    ):
        load_pretrained()


def test_loads_the_file_with_load_model(tmp_path, monkeypatch):
    from sklearn.linear_model import LogisticRegression

    X = np.arange(12.0).reshape(6, 2)
    y = np.array(["happy"] * 3 + ["sad"] * 3)
    clf = LogisticRegression().fit(X, y)
    path = save_model(clf, tmp_path / "pretrained.skops")
    monkeypatch.setattr(_pretrained, "pretrained_path", lambda: path)
    monkeypatch.setattr(_pretrained, "_keras_missing", lambda: "")
    assert np.array_equal(load_pretrained().predict_proba(X), clf.predict_proba(X))


def test_the_package_ships_its_file_where_the_wheel_takes_it():
    from pathlib import Path

    tomllib = pytest.importorskip("tomllib", reason="reading pyproject.toml needs Python 3.11")

    root = Path(fer_features.__file__).resolve().parents[1]
    config = tomllib.loads((root / "pyproject.toml").read_text())
    patterns = config["tool"]["setuptools"]["package-data"]["fer_features"]
    relative = pretrained_path().relative_to(root / "fer_features")
    assert any(relative.match(p) for p in patterns)


def test_the_package_ships_the_model_file():
    # the file is in the repository, so every clone and wheel has it
    from fer_features import model_info

    path = pretrained_path()
    assert path.is_file(), f"{path} is missing: benchmarks/build_pretrained.py writes it"
    assert path.stat().st_size <= 2 * 1024 * 1024
    info = model_info(path)
    assert info["estimator"] == "fer_features.deep._classifier.KerasCNNClassifier"
    assert info["classes"] == sorted(
        ["angry", "disgust", "fear", "happy", "sad", "surprise", "neutral"]
    )  # FER2013's seven
    record = info["metadata"]
    assert record["n_train"] == 28709
    assert record["command"].startswith("python benchmarks/build_pretrained.py")
    assert info["untrusted"] == []


def test_the_shipped_model_has_every_parameter_of_the_classifier():
    # the file must give every parameter of the classifier as it is now, so that
    # it clones, refits and shows (a parameter added later needs a default in
    # KerasCNNClassifier.__setstate__)
    pytest.importorskip("keras")
    from sklearn.base import clone

    from fer_features.deep import KerasCNNClassifier

    model = load_pretrained()
    assert set(model.get_params()) == set(KerasCNNClassifier().get_params())
    assert clone(model).get_params() == model.get_params()
    assert "KerasCNNClassifier(" in repr(model)


@pytest.mark.fer2013
def test_the_shipped_model_recognises_real_faces(fer2013_small):
    pytest.importorskip("keras")
    model = load_pretrained()
    test = fer2013_small.usage == "PublicTest"
    names = np.asarray(fer2013_small.target_names)[fer2013_small.target[test]]
    proba = model.predict_proba(fer2013_small.data[test])
    assert proba.shape == (int(test.sum()), 7)
    assert np.allclose(proba.sum(axis=1), 1, atol=1e-5)
    predicted = model.classes_[proba.argmax(axis=1)]
    assert np.array_equal(model.predict(fer2013_small.data[test]), predicted)
    # 20 faces per class (fewer Disgust): chance is 1/7, an untrained net about that
    assert np.mean(predicted == names) > 0.4
    happy = names == "happy"
    assert np.mean(predicted[happy] == "happy") > 0.6  # its easiest class
