"""Model files: save_model / load_model / model_info round trips, trust and versions."""

import json
import os
import zipfile

import numpy as np
import pytest
from _recipe import SMALL_WORDS

from fer_features import load_model, model_info, save_model
from fer_features.models import ModelVersionWarning, UntrustedModelError
from fer_features.models._io import METADATA_MEMBER, _is_own_estimator


@pytest.fixture(scope="module")
def faces():
    from fer_features.datasets import load_dataset

    data = load_dataset("synthetic", n_samples=140, random_state=0)
    return data.data, np.asarray(data.target_names)[data.target]


@pytest.fixture(scope="module")
def hog_logreg(faces):
    from fer_features import make_estimator

    return make_estimator("hog-logreg", profile="quick").fit(*faces)


@pytest.fixture()
def saved(hog_logreg, tmp_path):
    return save_model(
        hog_logreg,
        tmp_path / "model.skops",
        metadata={"data": "synthetic", "n_train": np.int64(140)},
    )


def _rewrite(path, edit_schema=None, edit_metadata=None):
    """Rewrite a model file with its schema.json / metadata changed by the callables."""
    with zipfile.ZipFile(path) as src:
        members = {name: src.read(name) for name in src.namelist()}
    if edit_schema is not None:
        schema = json.loads(members["schema.json"])
        edit_schema(schema)
        members["schema.json"] = json.dumps(schema).encode()
    if edit_metadata is not None:
        info = json.loads(members[METADATA_MEMBER])
        edit_metadata(info)
        members[METADATA_MEMBER] = json.dumps(info).encode()
    with zipfile.ZipFile(path, "w") as dst:
        for name, data in members.items():
            dst.writestr(name, data)


def _nodes(node):
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _nodes(value)
    elif isinstance(node, list):
        for value in node:
            yield from _nodes(value)


def _rename_class(old, module, name):
    def edit(schema):
        hits = [n for n in _nodes(schema) if n.get("__class__") == old]
        assert hits, f"no {old} in the schema"
        hits[0]["__module__"], hits[0]["__class__"] = module, name

    return edit


def test_round_trip_of_a_classic_pipeline(hog_logreg, faces, saved):
    X, _ = faces
    loaded = load_model(saved)
    assert loaded is not hog_logreg
    assert np.array_equal(loaded.predict_proba(X), hog_logreg.predict_proba(X))
    assert loaded.classes_.tolist() == hog_logreg.classes_.tolist()


def test_round_trip_of_the_recommended_pipeline(faces, tmp_path):
    from fer_features import make_classic_pipeline

    X, y = faces
    # the recipe, shrunk for 140 faces (its PCA keeps 450 components by default), with
    # its own calibration hold-out (HoldoutSplit, a helper class of fer_features)
    pipe = make_classic_pipeline(texture__reduce__n_components=20, **SMALL_WORDS)
    pipe.fit(X[:100], y[:100])
    path = save_model(pipe, tmp_path / "classic.skops")
    assert model_info(path)["untrusted"] == []  # fer_features' own classes are trusted
    assert np.array_equal(load_model(path).predict_proba(X[100:]), pipe.predict_proba(X[100:]))


def test_model_info_reads_the_record(saved, hog_logreg):
    import sklearn

    import fer_features

    info = model_info(saved)
    assert info["estimator"] == "sklearn.pipeline.Pipeline"
    assert info["classes"] == hog_logreg.classes_.tolist()
    assert info["metadata"] == {"data": "synthetic", "n_train": 140}
    assert info["versions"]["fer_features"] == fer_features.__version__
    assert info["versions"]["scikit-learn"] == sklearn.__version__
    assert info["versions"]["numpy"] == np.__version__
    assert "keras" not in info["versions"]
    assert info["untrusted"] == []


@pytest.mark.parametrize(
    "module, name",
    [
        ("os", "system"),  # code execution
        ("evil_module", "Payload"),  # a class nobody knows
        ("fer_features.models._io", "save_model"),  # ours, but not an estimator
    ],
)
def test_a_tampered_file_is_refused_with_the_list(saved, module, name, monkeypatch):
    calls = []
    monkeypatch.setattr(os, "system", lambda *a: calls.append(a))
    _rewrite(saved, edit_schema=_rename_class("LogisticRegression", module, name))
    with pytest.raises(UntrustedModelError) as err:
        load_model(saved)
    assert err.value.untrusted == [f"{module}.{name}"]
    message = str(err.value)
    assert f"{module}.{name}" in message and str(saved) in message
    assert f"trusted=['{module}.{name}']" in message
    assert calls == []
    assert model_info(saved)["untrusted"] == [f"{module}.{name}"]


def test_trusted_types_load_other_libraries_estimators(faces, tmp_path):
    pytest.importorskip("xgboost")
    from fer_features import make_estimator

    X, y = faces
    est = make_estimator(
        "hog-xgb", profile="quick", clf__estimator__n_estimators=5, clf__estimator__n_jobs=1
    ).fit(X, y)
    path = save_model(est, tmp_path / "xgb.skops")
    untrusted = model_info(path)["untrusted"]
    assert "xgboost.sklearn.XGBClassifier" in untrusted
    assert not any(t.startswith("fer_features.") for t in untrusted)
    with pytest.raises(UntrustedModelError, match="xgboost.sklearn.XGBClassifier"):
        load_model(path)
    assert "xgboost" in model_info(path)["versions"]
    loaded = load_model(path, trusted=untrusted)
    assert np.array_equal(loaded.predict_proba(X), est.predict_proba(X))


@pytest.mark.parametrize(
    "type_name, own",
    [
        ("fer_features.features._hog.HOGTransformer", True),
        ("fer_features.features._hellinger.HellingerTransformer", True),
        ("fer_features.pipelines.LabelEncodedClassifier", False),  # an alias, not its home
        ("fer_features.models._io.save_model", False),
        ("fer_features.no_such_module.Thing", False),
        ("sklearn.linear_model.LogisticRegression", False),
        ("fer_features_evil.Thing", False),
    ],
)
def test_own_estimator_classes(type_name, own):
    assert _is_own_estimator(type_name) is own


def test_other_versions_are_warned_by_name(saved, hog_logreg, faces):
    import sklearn

    def edit(info):
        info["versions"]["scikit-learn"] = "0.0.1"
        info["versions"]["not-a-package"] = "1.0"

    _rewrite(saved, edit_metadata=edit)
    with pytest.warns(ModelVersionWarning) as record:
        loaded = load_model(saved)
    message = str(record[0].message)
    assert f"scikit-learn 0.0.1 (installed {sklearn.__version__})" in message
    assert "not-a-package 1.0 (not installed)" in message
    assert "numpy" not in message  # unchanged versions are not named
    assert np.array_equal(loaded.predict(faces[0]), hog_logreg.predict(faces[0]))


def test_same_versions_load_without_warning(saved, recwarn):
    load_model(saved)
    assert not [w for w in recwarn if issubclass(w.category, ModelVersionWarning)]


def test_missing_and_garbage_files_are_named(tmp_path):
    missing = tmp_path / "nothing.skops"
    with pytest.raises(FileNotFoundError, match=f"no model file at {missing}"):
        load_model(missing)
    with pytest.raises(FileNotFoundError, match="nothing.skops"):
        model_info(missing)
    garbage = tmp_path / "garbage.skops"
    garbage.write_bytes(b"\x80\x04 not a model")
    with pytest.raises(ValueError, match=f"{garbage} is not a fer_features model file"):
        load_model(garbage)
    other_zip = tmp_path / "other.zip"
    with zipfile.ZipFile(other_zip, "w") as z:
        z.writestr("hello.txt", "hi")
    with pytest.raises(ValueError, match="without schema.json"):
        load_model(other_zip)
    with pytest.raises(IsADirectoryError, match="is a folder"):
        load_model(tmp_path)


def test_a_plain_skops_file_loads_but_has_no_record(hog_logreg, faces, tmp_path):
    import skops.io as sio

    path = tmp_path / "plain.skops"
    sio.dump(hog_logreg, path)
    with pytest.raises(ValueError, match="without fer_features metadata"):
        model_info(path)
    X, _ = faces
    assert np.array_equal(load_model(path).predict_proba(X), hog_logreg.predict_proba(X))


def test_bad_metadata_is_refused_and_nothing_written(hog_logreg, tmp_path):
    path = tmp_path / "model.skops"
    with pytest.raises(ValueError, match="JSON-compatible"):
        save_model(hog_logreg, path, metadata={"when": object()})
    with pytest.raises(ValueError, match="must be a dict"):
        save_model(hog_logreg, path, metadata=["data"])
    assert list(tmp_path.iterdir()) == []


def test_save_replaces_a_file_and_leaves_no_temporary(hog_logreg, tmp_path):
    path = tmp_path / "model.skops"
    path.write_text("old")
    save_model(hog_logreg, path, metadata={"run": 2})
    assert model_info(path)["metadata"] == {"run": 2}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.skops"]
    assert oct(path.stat().st_mode & 0o777) == oct(0o666 & ~_umask())


def _umask():
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_cnn_round_trip_in_keras_safe_mode(tmp_path):
    pytest.importorskip("keras")
    from fer_features import KerasCNNClassifier

    rng = np.random.default_rng(0)
    X = rng.integers(0, 256, size=(40, 16, 16), dtype=np.uint8)
    X[:20, :8] //= 4
    y = np.array(["dark top"] * 20 + ["plain"] * 20)
    clf = KerasCNNClassifier(
        architecture="mini_xception", epochs=1, augmentation="none", random_state=0
    ).fit(X, y)
    path = save_model(clf, tmp_path / "cnn.skops")
    info = model_info(path)
    assert info["untrusted"] == []
    keras = pytest.importorskip("keras")
    # Keras and the backend the network ran on (tensorflow, jax or torch)
    assert {"keras", keras.backend.backend()} <= set(info["versions"])
    loaded = load_model(path)
    assert np.array_equal(loaded.predict_proba(X), clf.predict_proba(X))
    assert loaded.classes_.tolist() == ["dark top", "plain"]
