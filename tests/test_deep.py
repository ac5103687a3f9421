"""Tests of fer_features.deep: KerasCNNClassifier, its architectures and CNNFeatureTransformer.

Tiny synthetic images (16x16 to 24x24), one or two epochs: fast on a CPU.
"""

import os
import pickle
import subprocess
import sys
import textwrap

import numpy as np
import pytest

keras = pytest.importorskip("keras")

import joblib  # noqa: E402
from sklearn.base import clone  # noqa: E402
from sklearn.model_selection import GridSearchCV  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.svm import SVC  # noqa: E402

from fer_features.datasets import make_synthetic_faces  # noqa: E402
from fer_features.deep import (  # noqa: E402
    ARCHITECTURES,
    BACKBONES,
    CNNFeatureTransformer,
    KerasCNNClassifier,
    quick_cnn_params,
)
from fer_features.deep._architectures import backbone_blocks  # noqa: E402
from fer_features.deep._augmentation import build_augmentation, resolve_augmentation  # noqa: E402
from fer_features.deep._classifier import shifted_images  # noqa: E402
from fer_features.deep._inputs import resolve_network_shape  # noqa: E402
from fer_features.deep._training import CosineSchedule  # noqa: E402

pytestmark = pytest.mark.deep

# settings that make a fit take a second or two on tiny data
from _nets import OneConvNet  # noqa: E402

FAST = {
    "epochs": 1,
    "batch_size": 16,
    "augmentation": "none",
    "max_time": None,
    "random_state": 0,
    "test_time_flip": False,
}


# FAST with the one-convolution network: for tests of the wrapper, not of a network
TINY = {**FAST, "architecture": OneConvNet()}


def _easy(n=48, size=16, seed=0, dtype=np.uint8):
    """Two classes anyone can tell apart: a dark or a bright upper half."""
    rng = np.random.default_rng(seed)
    X = rng.integers(60, 200, size=(n, size, size)).astype(dtype)
    y = np.arange(n) % 2
    X[y == 0, : size // 2] //= 4
    return X, y


@pytest.fixture(scope="module")
def faces():
    """Synthetic 3-expression faces, 24x24, uint8."""
    return make_synthetic_faces(120, n_classes=3, image_size=24, random_state=0)


@pytest.fixture(scope="module")
def fitted(faces):
    """A classifier fitted once with string labels and the 'mid' augmentation."""
    labels = np.asarray(faces.target_names)[faces.target]
    clf = KerasCNNClassifier(**{**TINY, "epochs": 2, "augmentation": "mid"})
    return clf.fit(faces.data, labels)


# --------------------------------------------------------------- import and install


def _run_python(code):
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_import_does_not_import_keras():
    result = _run_python("""
        import sys
        import fer_features, fer_features.deep
        fer_features.KerasCNNClassifier(); fer_features.CNNFeatureTransformer()
        print(sorted(m for m in ("keras", "tensorflow") if m in sys.modules))
    """)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_clear_error_without_the_deep_extra():
    result = _run_python("""
        import sys
        sys.modules["keras"] = None  # as if Keras were not installed
        import numpy as np
        from fer_features import KerasCNNClassifier
        try:
            KerasCNNClassifier().fit(np.zeros((4, 16)), [0, 1, 0, 1])
        except ImportError as exc:
            print("ImportError:", exc)
    """)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("ImportError:")
    assert 'pip install "fer_features[deep]"' in result.stdout


# --------------------------------------------------------------- the classifier


def test_fit_predict_on_synthetic_faces(fitted, faces):
    names = np.asarray(faces.target_names)
    assert fitted.classes_.tolist() == sorted(names.tolist())
    proba = fitted.predict_proba(faces.data[:10])
    assert proba.shape == (10, 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-12)
    assert set(fitted.predict(faces.data)) <= set(names)
    # images given as (n, h, w) or (n, h, w, 1) give the same answer as flat rows
    np.testing.assert_array_equal(fitted.predict_proba(faces.images[:10]), proba)
    np.testing.assert_array_equal(fitted.predict_proba(faces.images[:10, ..., None]), proba)
    assert fitted.image_shape_ == (24, 24)
    assert fitted.pixel_scale_ == 1 / 255
    assert fitted.n_epochs_ == 2 and len(fitted.history_["loss"]) == 2
    assert fitted.stopped_by_ == "epochs"
    assert fitted.fit_steps_ == 2 * 8  # 120 images / 16 per batch, rounded up
    assert fitted.model_.get_layer("probabilities").output.shape[-1] == 3


def test_learns_an_easy_problem_from_uint8_and_from_floats():
    # 48 steps: enough for the batch-normalisation statistics (momentum 0.9) to settle
    X, y = _easy(64)
    params = {**TINY, "epochs": 6, "batch_size": 8}
    clf = KerasCNNClassifier(**params).fit(X, y)
    assert clf.pixel_scale_ == 1 / 255
    assert clf.score(X, y) >= 0.9
    clf_float = KerasCNNClassifier(**params).fit(X / 255.0, y)
    assert clf_float.pixel_scale_ == 1.0
    assert clf_float.score(X / 255.0, y) >= 0.9


def test_wrong_image_shape_at_predict(fitted):
    with pytest.raises(
        ValueError,
        match=r"fitted on images of shape \(24, 24\), got images "
        r"of shape \(12, 48\)",
    ):
        fitted.predict(np.zeros((2, 12, 48)))
    with pytest.raises(ValueError, match="576 features"):
        fitted.predict(np.zeros((2, 100)))


@pytest.mark.parametrize(
    "params, message",
    [
        (
            {"architecture": "vgg16"},
            r"needs images of at least 32x32, got \(16, 16\): set input_size",
        ),
        ({"architecture": "vgg16", "input_size": 16}, "input_size=16: the vgg16 backbone needs"),
        ({"early_stopping": 2}, "early_stopping=2 needs held-out data"),
        ({"weights": "no/such/file.weights.h5"}, "weights='no/such/file.weights.h5' is neither"),
        ({"augmentation": {"rotate": 10}}, r"unknown keys \['rotate'\]"),
        (
            {"image_shape": (5, 5)},
            r"X has 256 features per row, which cannot be read as images "
            r"of shape \(5, 5\)",
        ),
        ({"class_weight": {"cat": 2.0}}, "weight for label 'cat', which is not one of the classes"),
    ],
)
def test_fit_errors_name_the_bad_input(params, message):
    X, y = _easy(8)
    with pytest.raises(ValueError, match=message):
        KerasCNNClassifier(**{**FAST, **params}).fit(X.reshape(8, -1), y)


def test_one_class_is_an_error():
    X, _ = _easy(8)
    with pytest.raises(ValueError, match=r"at least 2 classes in y to train, got 1 class: \[3\]"):
        KerasCNNClassifier(**FAST).fit(X, np.full(8, 3))


@pytest.mark.parametrize(
    "n_features, image_shape, expected",
    [
        (12, (1, -1), (1, 12)),
        (12, (-1, 4), (3, 4)),
        (12, (3, 4), (3, 4)),
        (16, None, (4, 4)),
    ],
)
def test_image_shape_with_minus_one(n_features, image_shape, expected):
    assert resolve_network_shape(n_features, image_shape, None) == expected


def test_image_shape_minus_one_that_does_not_divide():
    with pytest.raises(ValueError, match=r"image_shape=\(-1, 5\) cannot be read from rows of 12"):
        resolve_network_shape(12, (-1, 5), None)


def test_string_labels_and_class_weights():
    X, y = _easy(32)
    labels = np.where(y == 0, "sad", "happy")
    clf = KerasCNNClassifier(**TINY, class_weight={"sad": 3.0}).fit(X, labels)
    assert clf.classes_.tolist() == ["happy", "sad"]
    assert set(clf.predict(X)) <= {"happy", "sad"}
    # the dict is keyed by label; Keras gets it keyed by encoded class
    assert clf._class_weights(np.array([0, 1])) == {0: 1.0, 1: 3.0}
    # "balanced": n_samples / (n_classes * count)
    clf.set_params(class_weight="balanced")
    assert clf._class_weights(np.array([0, 0, 0, 1])) == {0: 4 / 6, 1: 2.0}
    # "balanced_sqrt": the square roots of those
    clf.set_params(class_weight="balanced_sqrt")
    assert clf._class_weights(np.array([0, 0, 0, 1])) == pytest.approx(
        {0: (4 / 6) ** 0.5, 1: 2**0.5}
    )
    clf.set_params(class_weight=None)
    assert clf._class_weights(np.array([0, 1])) is None


def test_class_weight_changes_training():
    X, y = _easy(32)
    a = KerasCNNClassifier(**TINY).fit(X, y)
    b = KerasCNNClassifier(**TINY, class_weight={0: 10.0}).fit(X, y)
    assert a.history_["loss"][0] != pytest.approx(b.history_["loss"][0], rel=1e-3)


def _dropout_net(x, n_classes):
    """OneConvNet with a dropout layer (whose seed Keras draws when none is given)."""
    x = keras.layers.BatchNormalization(momentum=0.5)(x)
    x = keras.layers.Conv2D(8, 3, padding="same", activation="relu")(x)
    x = keras.layers.Dropout(0.3)(keras.layers.Flatten()(x))
    return keras.layers.Dense(n_classes)(x)


def test_same_random_state_same_model_whatever_the_global_state():
    import random

    X, y = _easy(32)
    # initial weights, dropout, shuffling (batches of 8 over 2 epochs) and the
    # random augmentation all follow random_state, and only it
    params = {
        **TINY,
        "architecture": _dropout_net,
        "augmentation": "high",
        "epochs": 2,
        "batch_size": 8,
        "validation_split": 0.25,
    }
    p1 = KerasCNNClassifier(**params).fit(X, y).predict_proba(X)
    keras.utils.set_random_seed(3)  # Python's, NumPy's and the backend's global seeds
    random.seed(1)
    np.random.seed(2)  # noqa: NPY002 - the global RNG is what is checked
    keras.layers.Dense(2)  # a layer made by the user between the fits
    p2 = KerasCNNClassifier(**params).fit(X, y).predict_proba(X)
    np.testing.assert_array_equal(p1, p2)
    p3 = KerasCNNClassifier(**{**params, "random_state": 1}).fit(X, y).predict_proba(X)
    assert not np.allclose(p1, p3, rtol=1e-3)


def test_a_fit_on_torch_leaves_torch_global_generator_as_it_found_it():
    if keras.backend.backend() != "torch":
        pytest.skip("Keras's torch backend only (KERAS_BACKEND=torch)")
    import torch

    X, y = _easy(32)
    params = {**TINY, "architecture": _dropout_net, "epochs": 2, "batch_size": 8}
    torch.manual_seed(7)
    before = torch.get_rng_state()
    KerasCNNClassifier(**params).fit(X, y)
    assert torch.equal(torch.get_rng_state(), before)


def test_defaults_train_by_epochs_and_the_tags_say_so():
    clf = KerasCNNClassifier()
    assert clf.max_time is None and clf.epochs == 30
    assert not clf.__sklearn_tags__().non_deterministic
    # a time budget makes the result depend on the machine's speed
    assert KerasCNNClassifier(max_time=60).__sklearn_tags__().non_deterministic


def test_fit_leaves_the_process_state_alone():
    import random

    tf_context = pytest.importorskip("tensorflow.python.eager.context")

    class ProbeLayer(keras.layers.Layer):
        def call(self, x):
            return x

    X, y = _easy(16)
    user_model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    user_out = keras.ops.convert_to_numpy(user_model(np.ones((1, 3), dtype="float32")))
    user_layers = [layer.name for layer in user_model.layers]
    first_probe = ProbeLayer()
    random.seed(11)
    np.random.seed(12)  # noqa: NPY002 - the global RNG is what is checked
    before_random, before_np = random.getstate(), np.random.get_state()  # noqa: NPY002 - the global RNG is what is checked
    before_tf = tf_context.global_seed()
    previous_policy = keras.config.dtype_policy()
    keras.config.set_dtype_policy("mixed_bfloat16")
    try:
        clf = KerasCNNClassifier(
            **{**TINY, "architecture": _dropout_net, "augmentation": "low"}
        ).fit(X, y)
        assert keras.config.dtype_policy().name == "mixed_bfloat16"
        # the network follows mixed_precision, not the global policy
        assert clf.model_.get_layer("rescale").dtype_policy.name == "float32"
    finally:
        keras.config.set_dtype_policy(previous_policy)
    assert random.getstate() == before_random
    after_np = np.random.get_state()  # noqa: NPY002 - the global RNG is what is checked
    assert after_np[0] == before_np[0] and after_np[2:] == before_np[2:]
    np.testing.assert_array_equal(after_np[1], before_np[1])
    assert tf_context.global_seed() == before_tf  # no tf.random.set_seed
    # Keras's name counters were not reset: the user's new layers keep unique names
    assert ProbeLayer().name != first_probe.name
    assert [layer.name for layer in user_model.layers] == user_layers
    np.testing.assert_array_equal(
        keras.ops.convert_to_numpy(user_model(np.ones((1, 3), dtype="float32"))), user_out
    )


def test_shuffled_batches_follow_their_seed_only():
    from fer_features.deep._training import ShuffledBatches

    X = np.arange(10)[:, None] * 1.0
    Y = np.arange(10)[:, None] * 2.0
    w = np.arange(10) * 3.0

    def epochs(seed, n=3):
        batches = ShuffledBatches(X, Y, w, batch_size=4, seed=seed)
        out = []
        for _ in range(n):
            batches.on_epoch_begin()
            parts = [batches[i] for i in range(len(batches))]
            assert [len(p[0]) for p in parts] == [4, 4, 2]
            rows = np.concatenate([p[0][:, 0] for p in parts]).astype(int)
            np.testing.assert_array_equal(np.concatenate([p[1][:, 0] for p in parts]), 2 * rows)
            np.testing.assert_array_equal(np.concatenate([p[2] for p in parts]), 3 * rows)
            out.append(rows.tolist())
        return out

    first = epochs(0)
    assert all(sorted(rows) == list(range(10)) for rows in first)  # each epoch: every row once
    assert first[0] != first[1] != first[2]  # reshuffled at each epoch
    assert epochs(0) == first and epochs(1) != first
    with pytest.raises(IndexError):
        ShuffledBatches(X, Y, None, batch_size=4, seed=0)[3]


def _identity_batches(n=12, batch_size=6, seed=0, rows=None, **mixing):
    """Batches whose targets name their images: image ``i`` is target class ``i``."""
    from fer_features.deep._training import ShuffledBatches

    rng = np.random.default_rng(5)
    X = rng.uniform(0, 255, size=(n, 5, 6, 1)).astype(np.float32)
    Y = np.eye(n, dtype=np.float32)
    w = rng.uniform(0.5, 3, size=n).astype(np.float32)
    if rows is not None:
        Y, w = Y[rows], w[rows]
    plain = ShuffledBatches(X, Y, w, batch_size=batch_size, seed=seed, rows=rows)
    mixed = ShuffledBatches(X, Y, w, batch_size=batch_size, seed=seed, rows=rows, **mixing)
    return X, Y, w, plain, mixed


def _mix_of(y_plain, y_mixed):
    """Each row's own class, its partner's and the own class's share of the target."""
    own = y_plain.argmax(axis=1)
    shares = y_mixed[np.arange(len(own)), own]
    rest = y_mixed.copy()
    rest[np.arange(len(own)), own] = 0
    partner = np.where(rest.max(axis=1) > 0, rest.argmax(axis=1), own)
    return own, partner, shares


def _weighted_cross_entropy(y, w, log_p):
    return w * -(y * log_p).sum(axis=1)


def test_mixup_blends_images_and_keeps_each_image_its_class_weight():
    X, Y, w, plain, mixed = _identity_batches(mixup=0.4)
    before = X.copy(), Y.copy(), w.copy()
    log_p = np.log(np.random.default_rng(1).dirichlet(np.ones(len(X)), size=6))
    lams_by_epoch = []
    for _ in range(2):
        plain.on_epoch_begin()
        mixed.on_epoch_begin()
        lams_by_epoch.append([])
        for b in range(len(mixed)):
            (_, y0, w0), (x, y, wb) = plain[b], mixed[b]
            assert x.dtype == y.dtype == wb.dtype == np.float32
            own, partner, shares = _mix_of(y0, y)
            np.testing.assert_allclose(y.sum(axis=1), 1, rtol=1e-6)
            # one pairing of the batch's images among themselves, one weight
            assert sorted(partner.tolist()) == sorted(own.tolist())
            moved = partner != own
            assert moved.any()
            # the image weight lam, from the target's share s = lam w_i / (lam w_i + (1-lam) w_j)
            wi, wj = w[own], w[partner]
            lam = shares * wj / (wi * (1 - shares) + shares * wj)
            np.testing.assert_allclose(lam[moved], lam[moved][0], rtol=1e-5)
            lam = float(lam[moved][0])
            assert 0 < lam < 1
            np.testing.assert_allclose(x, lam * X[own] + (1 - lam) * X[partner], atol=1e-3)
            np.testing.assert_allclose(wb, lam * wi + (1 - lam) * wj, rtol=1e-5)
            # the weighted loss of a mixed sample is the blend of its two images' own
            n = len(x)
            mixed_loss = _weighted_cross_entropy(y, wb, log_p[:n])
            parts = lam * _weighted_cross_entropy(y0, w0, log_p[:n]) + (
                1 - lam
            ) * _weighted_cross_entropy(Y[partner], w[partner], log_p[:n])
            np.testing.assert_allclose(mixed_loss, parts, rtol=1e-4)
            lams_by_epoch[-1].append(lam)
    for array, copy in zip((X, Y, w), before):
        np.testing.assert_array_equal(array, copy)
    assert lams_by_epoch[0] != lams_by_epoch[1]  # drawn afresh at each epoch


@pytest.mark.parametrize("mixing", [{"mixup": 0.4}, {"cutmix": 1.0}])
def test_a_batch_mixing_follows_seed_epoch_and_batch_only(mixing):
    def read(seed=0, reverse=False):
        batches = _identity_batches(seed=seed, **mixing)[4]
        batches.on_epoch_begin()
        order = range(len(batches))
        got = {b: batches[b] for b in (reversed(order) if reverse else order)}
        return [got[b] for b in order]

    first, backwards, other = read(), read(reverse=True), read(seed=1)
    for one, two in zip(first, backwards):
        for a, b in zip(one, two):
            np.testing.assert_array_equal(a, b)
    assert not np.array_equal(first[0][0], other[0][0])


def test_mixing_with_a_validation_split_mixes_the_training_rows_only():
    rows = np.array([0, 2, 3, 5, 7, 8, 10, 11])
    X, Y, w, plain, mixed = _identity_batches(batch_size=8, rows=rows, mixup=1.0)
    plain.on_epoch_begin()
    mixed.on_epoch_begin()
    (x0, y0, _), (x, y, _) = plain[0], mixed[0]
    own, partner, shares = _mix_of(y0, y)
    assert set(partner) == set(own) == set(rows)
    np.testing.assert_array_equal(x0, X[own])
    wi, wj = w[np.searchsorted(rows, own)], w[np.searchsorted(rows, partner)]
    lam = (shares * wj / (wi * (1 - shares) + shares * wj))[partner != own][0]
    np.testing.assert_allclose(x, lam * X[own] + (1 - lam) * X[partner], atol=1e-3)


def test_mixing_two_samples_of_weight_zero_keeps_a_valid_target():
    from fer_features.deep._training import mix_batch

    x = np.arange(4, dtype=np.float32).reshape(2, 2, 1, 1)
    y = np.eye(2, dtype=np.float32)
    w = np.zeros(2, np.float32)
    _, ym, wm = mix_batch(x, y, w, np.random.default_rng(0), 0.4, 0.0)
    np.testing.assert_array_equal(wm, 0)
    assert np.isfinite(ym).all()
    np.testing.assert_allclose(ym.sum(axis=1), 1, rtol=1e-6)


def test_cutmix_pastes_one_rectangle_and_mixes_targets_by_its_area():
    X, Y, w, plain, mixed = _identity_batches(cutmix=1.0)
    plain.on_epoch_begin()
    mixed.on_epoch_begin()
    pasted_areas = []
    for b in range(len(mixed)):
        (_, y0, _), (x, y, wb) = plain[b], mixed[b]
        assert x.dtype == y.dtype == wb.dtype == np.float32
        own, partner, shares = _mix_of(y0, y)
        from_partner = (x != X[own]) & (X[partner] != X[own])
        # the pixels that differ from the own image are the partner's
        np.testing.assert_array_equal(x[from_partner], X[partner][from_partner])
        np.testing.assert_array_equal(x[~from_partner], X[own][~from_partner])
        # one rectangle, the same for the whole batch
        box = np.zeros(X.shape[1:3], bool)
        rows_, cols_ = np.nonzero(from_partner[partner != own].any(axis=(0, 3)))
        if len(rows_):
            box[rows_.min() : rows_.max() + 1, cols_.min() : cols_.max() + 1] = True
        area = box.mean()
        for r in np.flatnonzero(partner != own):
            np.testing.assert_array_equal(from_partner[r, :, :, 0], box)
            wi, wj = w[own[r]], w[partner[r]]
            assert wb[r] == pytest.approx((1 - area) * wi + area * wj, rel=1e-6)
            assert y[r, partner[r]] == pytest.approx(area * wj / wb[r], rel=1e-5)
            assert shares[r] == pytest.approx((1 - area) * wi / wb[r], rel=1e-5)
        pasted_areas.append(area)
    assert any(0 < a < 1 for a in pasted_areas)


def test_mixup_and_cutmix_together_take_turns():
    X, _, _, _, mixed = _identity_batches(n=4, batch_size=4, mixup=1.0, cutmix=1.0)
    kinds = []
    for _ in range(20):
        mixed.on_epoch_begin()
        # mixup makes new pixel values; CutMix only moves the images' own
        blended = not np.isin(mixed[0][0], X).all()
        kinds.append("mixup" if blended else "cutmix")
    assert 3 <= kinds.count("mixup") <= 17


def test_mixing_keys_resolve_and_build_no_layer():
    assert resolve_augmentation({"mixup": 0.2, "cutmix": 1})["cutmix"] == 1.0
    assert resolve_augmentation("high")["mixup"] == 0.0
    assert [la.name for la in build_augmentation(keras, {"flip": True, "mixup": 0.2})] == [
        "aug_flip"
    ]


@pytest.mark.parametrize("value", [-0.5, float("nan"), float("inf")])
def test_mixing_settings_are_checked(value):
    with pytest.raises(ValueError, match=r"augmentation\['mixup'\] must be a finite number >= 0"):
        KerasCNNClassifier(augmentation={"mixup": value}).fit(*_easy(8))


def test_a_fit_with_mixup_and_cutmix_is_deterministic_and_differs_from_one_without():
    X, y = _easy(48)
    mixing = {**TINY, "augmentation": {"mixup": 0.4, "cutmix": 1.0}}
    first = KerasCNNClassifier(**mixing).fit(X, y).predict_proba(X)
    again = KerasCNNClassifier(**mixing).fit(X, y).predict_proba(X)
    plain = KerasCNNClassifier(**TINY).fit(X, y).predict_proba(X)
    np.testing.assert_array_equal(first, again)
    assert not np.allclose(first, plain)
    np.testing.assert_allclose(first.sum(axis=1), 1, rtol=1e-5)


def test_clone_keeps_every_setting_and_grid_search_runs():
    X, y = _easy(48)
    clf = KerasCNNClassifier(
        **{**FAST, "augmentation": {"flip": True, "gamma": 0.1}},
        architecture="mini_xception",
        label_smoothing=0.2,
        optimizer="adamw",
        schedule="plateau",
        class_weight="balanced",
        dense_units=16,
    )
    assert clone(clf).get_params() == clf.get_params()
    search = GridSearchCV(
        KerasCNNClassifier(**TINY),
        {"learning_rate": [1e-3, 1e-2], "dropout": [0.0, 0.5]},
        cv=2,
    ).fit(X.reshape(48, -1), y)
    assert len(search.cv_results_["params"]) == 4
    assert search.best_estimator_.learning_rate in (1e-3, 1e-2)
    assert search.best_estimator_.epochs == 1 and search.best_estimator_.max_time is None
    assert search.predict(X.reshape(48, -1)).shape == (48,)


def test_pickle_and_joblib_round_trip(fitted, faces, tmp_path):
    expected = fitted.predict_proba(faces.data)
    restored = pickle.loads(pickle.dumps(fitted))
    np.testing.assert_array_equal(restored.predict_proba(faces.data), expected)
    assert restored.get_params() == fitted.get_params()
    assert restored.history_ == fitted.history_
    joblib.dump(fitted, tmp_path / "cnn.joblib")
    loaded = joblib.load(tmp_path / "cnn.joblib")
    np.testing.assert_array_equal(loaded.predict_proba(faces.data), expected)
    np.testing.assert_array_equal(loaded.predict(faces.data), fitted.predict(faces.data))


def test_refit_and_dropped_clones_release_their_networks():
    import gc
    import weakref

    X, y = _easy(16)
    clf = KerasCNNClassifier(**TINY).fit(X, y)
    first = weakref.ref(clf.model_)
    clf.fit(X, y)  # a new network replaces the first
    dropped = weakref.ref(clone(clf).fit(X, y).model_)  # as in a grid search
    gc.collect()
    assert first() is None and dropped() is None
    assert clf.model_ is not None


def test_test_time_flip_averages_each_face_and_its_mirror(fitted, faces):
    images = faces.images
    mirrored = images[:, :, ::-1]
    plain = fitted.predict_proba(images)
    # the fixture's network is not symmetric: mirrors get other probabilities
    assert not np.allclose(plain, fitted.predict_proba(mirrored), atol=1e-4)
    flipping = clone(fitted).set_params(test_time_flip=True)
    flipping.__dict__.update({k: v for k, v in vars(fitted).items() if k.endswith("_")})
    both = flipping.predict_proba(images)
    np.testing.assert_allclose(both, (plain + fitted.predict_proba(mirrored)) / 2, rtol=1e-6)
    # a face and its mirror image now get the same prediction
    np.testing.assert_allclose(flipping.predict_proba(mirrored), both, rtol=1e-6)
    assert np.array_equal(flipping.predict(images), flipping.classes_[both.argmax(axis=1)])
    # flat rows are mirrored as images, not as rows
    np.testing.assert_allclose(flipping.predict_proba(faces.data), both, rtol=1e-6)


def test_shifted_images_move_the_content_and_repeat_the_edge():
    images = np.arange(2 * 3 * 4).reshape(2, 3, 4, 1)
    first = images[0, :, :, 0]  # rows [0 1 2 3], [4 5 6 7], [8 9 10 11]
    right = shifted_images(images, 0, 1)[0, :, :, 0]
    np.testing.assert_array_equal(right, [[0, 0, 1, 2], [4, 4, 5, 6], [8, 8, 9, 10]])
    up = shifted_images(images, -1, 0)[0, :, :, 0]
    np.testing.assert_array_equal(up, [[4, 5, 6, 7], [8, 9, 10, 11], [8, 9, 10, 11]])
    np.testing.assert_array_equal(shifted_images(images, 0, 0), images)
    moved = shifted_images(images, 2, -2)
    assert moved.shape == images.shape
    np.testing.assert_array_equal(moved[1, 2:, :2, 0], images[1, :1, 2:, 0])
    np.testing.assert_array_equal(moved[0, :, :, 0][:2, 2:], np.full((2, 2), first[0, 3]))


def test_test_time_shift_averages_the_moved_copies(fitted, faces):
    images = faces.images[..., None]
    moves = [(0, 0), (0, -2), (0, 2), (-2, 0), (2, 0)]

    def plain(x):
        return fitted.predict_proba(x[..., 0])

    each = [plain(shifted_images(images, dy, dx)) for dy, dx in moves]
    shifting = clone(fitted).set_params(test_time_shift=2)
    shifting.__dict__.update({k: v for k, v in vars(fitted).items() if k.endswith("_")})
    np.testing.assert_allclose(shifting.predict_proba(faces.data), np.mean(each, axis=0), rtol=1e-6)
    # with the mirror images too: ten views, in the same order of faces
    shifting.set_params(test_time_flip=True)
    mirrored = [plain(shifted_images(images, dy, dx)[:, :, ::-1]) for dy, dx in moves]
    np.testing.assert_allclose(
        shifting.predict_proba(faces.images), np.mean(each + mirrored, axis=0), rtol=1e-6
    )
    assert shifting.predict(faces.images).shape == (len(faces.images),)


def test_a_file_from_before_test_time_flip_loads_without_it(fitted, faces):
    state = fitted.__getstate__()
    del state["test_time_flip"], state["test_time_shift"], state["weight_decay"]
    restored = KerasCNNClassifier.__new__(KerasCNNClassifier)
    restored.__setstate__(state)
    assert restored.test_time_flip is False and restored.test_time_shift == 0
    assert restored.weight_decay is None
    assert clone(restored).get_params() == {**fitted.get_params(), "test_time_flip": False}
    np.testing.assert_array_equal(
        restored.predict_proba(faces.data), fitted.predict_proba(faces.data)
    )


def test_pickle_of_an_unfitted_classifier():
    clf = pickle.loads(pickle.dumps(KerasCNNClassifier(epochs=3)))
    assert clf.epochs == 3 and not hasattr(clf, "model_")


def test_warm_start_and_partial_fit():
    X, y = _easy(32)
    clf = KerasCNNClassifier(**TINY, warm_start=True).fit(X, y)
    model = clf.model_
    clf.fit(X, y)
    assert clf.model_ is model and clf.n_epochs_ == 2
    with pytest.raises(ValueError, match="warm_start=True needs the same classes"):
        clf.fit(X, y + 5)
    clf.set_params(warm_start=False).fit(X, y)
    assert clf.model_ is not model and clf.n_epochs_ == 1

    inc = KerasCNNClassifier(**TINY)
    inc.partial_fit(X[:16], y[:16], classes=[0, 1, 2])
    inc.partial_fit(X[16:], y[16:])
    assert inc.n_epochs_ == 2 and inc.classes_.tolist() == [0, 1, 2]
    assert inc.predict_proba(X).shape == (32, 3)
    with pytest.raises(ValueError, match=r"y has labels \[7\] that are not among the classes"):
        inc.partial_fit(X[:4], np.full(4, 7))


def test_validation_split_early_stopping_and_time_budget():
    X, y = _easy(40)
    clf = KerasCNNClassifier(**{**TINY, "epochs": 3}, validation_split=0.25, early_stopping=1).fit(
        X, y
    )
    assert {"loss", "val_loss", "accuracy", "val_accuracy"} <= set(clf.history_)
    assert clf.fit_steps_ == len(clf.history_["loss"]) * 2  # 30 training images / 16
    assert clf.stopped_by_ in ("epochs", "early_stopping")
    Xv, yv = _easy(8, seed=1)
    clf = KerasCNNClassifier(**TINY).fit(X, y, validation_data=(Xv, yv))
    assert "val_loss" in clf.history_
    timed = KerasCNNClassifier(**{**TINY, "epochs": 50, "max_time": 1e-6}).fit(X, y)
    assert timed.stopped_by_ == "max_time"
    assert timed.n_epochs_ == 1 and timed.fit_steps_ == 1


def test_cosine_schedule_values():
    schedule = CosineSchedule(1.0, total_steps=100, max_time=None, warmup_steps=10)
    assert schedule(0, 0.0) == pytest.approx(0.1)
    assert schedule(9, 0.0) == pytest.approx(1.0)
    assert schedule(50, 0.0) == pytest.approx(0.01 + 0.99 * 0.5)
    assert schedule(100, 0.0) == pytest.approx(0.01)
    # the clock drives it when it is ahead of the steps
    clock = CosineSchedule(1.0, total_steps=100, max_time=60.0, warmup_steps=0)
    assert clock(10, 30.0) == pytest.approx(0.01 + 0.99 * 0.5)
    assert clock(10, 120.0) == pytest.approx(0.01)
    assert clock(50, 1.0) == pytest.approx(0.01 + 0.99 * 0.5)


def test_quick_params_make_a_valid_classifier():
    clf = KerasCNNClassifier(**quick_cnn_params())
    clf._validate_params()
    assert clf.max_time is None and clf.epochs <= 10


# --------------------------------------------------------------- architectures


@pytest.mark.parametrize(
    "architecture, n_features",
    [
        ("simple", 256),
        ("residual", 256),
        ("compact", 128),
        ("wide", 512),
        ("mini_xception", 128),  # its last feature map (128 channels), averaged over space
    ],
)
def test_from_scratch_architectures_fit_predict_and_give_features(architecture, n_features):
    X, y = _easy(16, size=20)
    y = np.arange(16) % 3
    clf = KerasCNNClassifier(**{**FAST, "architecture": architecture}).fit(X, y)
    proba = clf.predict_proba(X[:5])
    assert proba.shape == (5, 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-12)
    features = CNNFeatureTransformer(clf, prefit=True).fit(X).transform(X[:3])
    assert features.shape == (3, n_features)


def _two_layer_net(x, n_classes):
    x = keras.layers.GlobalAveragePooling2D(name="pooled")(x)
    return keras.layers.Dense(n_classes, name="scores")(x)


def test_custom_architecture():
    X, y = _easy(16)
    clf = KerasCNNClassifier(**{**FAST, "architecture": _two_layer_net}).fit(X, y)
    assert clf.model_.name == "fer__two_layer_net"
    assert [la.name for la in clf.model_.layers[-3:]] == ["pooled", "scores", "probabilities"]
    np.testing.assert_allclose(clf.predict_proba(X).sum(axis=1), 1.0, rtol=1e-12)
    # its features are the input of the layer that gives the scores: the pooled image
    features = CNNFeatureTransformer(clf, prefit=True).fit(X).transform(X[:4])
    np.testing.assert_allclose(features[:, 0], X[:4].mean(axis=(1, 2)) / 255, rtol=1e-5)
    assert clone(clf).architecture is _two_layer_net


def test_custom_architecture_must_give_one_score_per_class():
    def one_score(x, n_classes):
        return keras.layers.Dense(1)(keras.layers.Flatten()(x))

    X, y = _easy(8)
    with pytest.raises(
        ValueError,
        match=r"architecture='one_score' must return a Keras tensor "
        r"of shape \(batch, 2\) \(one score per class\), "
        r"got \(None, 1\)",
    ):
        KerasCNNClassifier(**{**FAST, "architecture": one_score}).fit(X, y)


def test_compact_is_the_simple_net_at_two_thirds_width_and_fits_2_mb():
    simple = KerasCNNClassifier()._build(keras, 7, (48, 48), 1 / 255, seed=0)
    compact = KerasCNNClassifier(architecture="compact")._build(keras, 7, (48, 48), 1 / 255, seed=0)
    # the same layers, in the same order
    assert [type(la).__name__ for la in compact.layers] == [
        type(la).__name__ for la in simple.layers
    ]
    widths = [la.filters for la in compact.layers if hasattr(la, "filters")]
    assert widths == [2 * la.filters // 3 for la in simple.layers if hasattr(la, "filters")]
    # float32 weights of the shipped model's network under 2 MB
    assert 4 * compact.count_params() < 2 * 1024 * 1024


def test_wide_is_the_simple_stack_at_vgg_widths():
    wide = KerasCNNClassifier(architecture="wide")._build(keras, 7, (48, 48), 1 / 255, seed=0)
    convs = [la for la in wide.layers if hasattr(la, "filters")]
    assert [la.filters for la in convs] == [64, 64, 128, 128, 256, 256, 512, 512]
    assert wide.get_layer("head_dense1").units == 512
    assert wide.count_params() == 7_054_919


def _benchmark_script(name):
    """A script of benchmarks/ as a module (its main() is not run)."""
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "benchmarks" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_gpu_script_packs_faces_exactly_and_smaller():
    script = _benchmark_script("gpu_fer2013")
    rng = np.random.default_rng(0)
    # smooth faces with noise, and the extremes that wrap around modulo 256
    ramp = np.add.outer(np.arange(24), np.arange(24)) * 5
    faces = (ramp + rng.integers(0, 8, size=(6, 24, 24))).astype(np.uint8)
    faces[0] = 0
    faces[1] = 255
    faces[2, ::2, ::2] = 255
    packed = script.pack_faces(faces)
    assert packed.dtype == np.uint8 and packed.size < faces.size / 2
    restored = script.unpack_faces(packed, faces.shape)
    assert restored.dtype == np.uint8
    np.testing.assert_array_equal(restored, faces)


def test_gpu_script_configuration_is_valid():
    clf = _benchmark_script("gpu_fer2013").gpu_estimator(minutes=7, epochs=150, seed=0)
    clf._validate_params()
    assert clf.architecture == "wide" and clf.max_time == 420 and clf.optimizer == "sgd"
    # the settings of the best measured GPU run (benchmarks/RESULTS.md) are the defaults
    assert resolve_augmentation(clf.augmentation) == {
        **resolve_augmentation("high"),
        "erasing": 0.33,
    }
    assert clf.weight_decay == 5e-3 and clf.learning_rate == 0.05


def test_a_network_with_a_fresh_optimizer_saves_small_predicts_and_trains_on(tmp_path):
    from fer_features import load_model, save_model

    X, y = _easy(16)
    clf = KerasCNNClassifier(**FAST).fit(X, y)
    before = clf.predict_proba(X)
    save_model(clf, tmp_path / "full.skops")
    # as build_pretrained ships it: the weights, and an optimizer whose state is zeros
    _benchmark_script("build_pretrained").drop_optimizer_state(clf)
    save_model(clf, tmp_path / "bare.skops")
    # Adam's two moments per weight no longer take room in the (compressed) file
    full_size = (tmp_path / "full.skops").stat().st_size
    assert (tmp_path / "bare.skops").stat().st_size < 0.6 * full_size
    loaded = load_model(tmp_path / "bare.skops")
    np.testing.assert_allclose(loaded.predict_proba(X), before, rtol=1e-5, atol=1e-6)
    loaded.set_params(warm_start=True, epochs=1).fit(X, y)
    assert loaded.n_epochs_ == 2
    assert not np.allclose(loaded.predict_proba(X), before)


def test_mini_xception_has_about_60k_parameters():
    clf = KerasCNNClassifier(architecture="mini_xception")
    model = clf._build(keras, 7, (48, 48), 1 / 255, seed=0)
    assert 55_000 <= model.count_params() <= 65_000


@pytest.mark.parametrize("architecture", sorted(BACKBONES))
def test_backbones_build_and_predict(architecture):
    clf = KerasCNNClassifier(
        architecture=architecture, input_size=32, weights=None, dense_units=16, trainable_blocks=1
    )
    model = clf._build(keras, 4, (24, 24), 1 / 255, seed=0)
    X = np.random.default_rng(0).integers(0, 256, size=(3, 24, 24, 1)).astype("float32")
    proba = keras.ops.convert_to_numpy(model(X, training=False))
    assert proba.shape == (3, 4)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-5)
    backbone = next(layer for layer in model.layers if isinstance(layer, keras.Model))
    blocks = [b for b in backbone_blocks(architecture, backbone) if b[0] != "stem"]
    trainable = [name for name, layers in blocks if any(la.trainable for la in layers)]
    assert trainable == [blocks[-1][0]]  # trainable_blocks=1: the top block only


def test_trainable_blocks_on_vgg16():
    def trainable_blocks(value):
        clf = KerasCNNClassifier(architecture="vgg16", input_size=32, trainable_blocks=value)
        model = clf._build(keras, 3, (32, 32), 1 / 255, seed=0)
        backbone = model.get_layer("vgg16")
        return sorted(
            {la.name.split("_")[0] for la in backbone.layers if la.trainable and la.weights}
        )

    assert trainable_blocks(0) == []
    assert trainable_blocks(2) == ["block4", "block5"]
    assert trainable_blocks("all") == [f"block{i}" for i in range(1, 6)]
    with pytest.raises(ValueError, match="trainable_blocks=6 but vgg16 has only 5"):
        trainable_blocks(6)


def test_backbone_fits_with_a_frozen_body():
    X, y = _easy(8, size=32)
    clf = KerasCNNClassifier(
        **{**FAST, "architecture": "vgg16"}, trainable_blocks=0, dense_units=8
    ).fit(X, y)
    assert clf.predict_proba(X).shape == (8, 2)
    backbone = clf.model_.get_layer("vgg16")
    assert not any(w.trainable for w in backbone.weights)


def test_local_weights_file(tmp_path):
    source = keras.applications.VGG16(include_top=False, weights=None, input_shape=(32, 32, 3))
    path = tmp_path / "vgg16_notop.weights.h5"
    source.save_weights(path)
    clf = KerasCNNClassifier(architecture="vgg16", weights=str(path), input_size=32)
    model = clf._build(keras, 3, (32, 32), 1 / 255, seed=123)
    loaded = model.get_layer("vgg16").get_weights()
    assert len(loaded) == len(source.get_weights())
    for a, b in zip(loaded, source.get_weights()):
        np.testing.assert_array_equal(a, b)
    bad = tmp_path / "other.weights.h5"
    keras.applications.VGG19(include_top=False, weights=None, input_shape=(32, 32, 3)).save_weights(
        bad
    )
    with pytest.raises(ValueError, match="could not load the weights file"):
        KerasCNNClassifier(architecture="vgg16", weights=str(bad), input_size=32)._build(
            keras, 3, (32, 32), 1 / 255, seed=0
        )


@pytest.mark.parametrize(
    "mixed_precision, policy", [(True, "mixed_float16"), ("bfloat16", "mixed_bfloat16")]
)
def test_mixed_precision_is_local_to_the_model(mixed_precision, policy):
    before = keras.config.dtype_policy().name
    clf = KerasCNNClassifier(mixed_precision=mixed_precision)
    model = clf._build(keras, 3, (16, 16), 1 / 255, seed=0)
    assert model.get_layer("block1_1_conv").dtype_policy.name == policy
    assert model.get_layer("probabilities").dtype_policy.compute_dtype == "float32"
    assert keras.config.dtype_policy().name == before


def test_bfloat16_fit_trains_in_bfloat16_with_float32_weights():
    X, y = _easy()
    clf = KerasCNNClassifier(**{**TINY, "mixed_precision": "bfloat16"}).fit(X, y)
    assert clf.model_.get_layer("conv").compute_dtype == "bfloat16"
    assert clf.model_.get_layer("conv").kernel.dtype == "float32"
    proba = clf.predict_proba(X)
    assert np.isfinite(proba).all()
    assert proba.shape == (len(X), len(clf.classes_))
    np.testing.assert_allclose(proba.sum(axis=1), 1, rtol=1e-5)
    # bfloat16 keeps 8 bits of mantissa: the scores differ from a float32 fit's
    reference = KerasCNNClassifier(**TINY).fit(X, y).predict_proba(X)
    assert not np.array_equal(proba, reference)


# --------------------------------------------------------------- augmentation


@pytest.mark.parametrize(
    "augmentation, message",
    [
        ("extreme", "augmentation='extreme' is not a preset"),
        ({"zoom": 1.5}, "must be < 1"),
        ({"rotation": -3}, r"augmentation\['rotation'\] must be a finite number >= 0, got -3"),
        ({"shear": 0.1}, r"unknown keys \['shear'\]"),
    ],
)
def test_augmentation_errors(augmentation, message):
    with pytest.raises(ValueError, match=message):
        resolve_augmentation(augmentation)


def test_augmentation_presets():
    assert resolve_augmentation("none") == resolve_augmentation(None)
    assert resolve_augmentation("mid") == {
        "flip": True,
        "rotation": 10.0,
        "zoom": 0.1,
        "shift": 0.1,
        "brightness": 0.0,
        "contrast": 0.0,
        "gamma": 0.0,
        "erasing": 0.0,
        "mixup": 0.0,
        "cutmix": 0.0,
    }
    assert build_augmentation(keras, "none") == []
    names = [layer.name for layer in build_augmentation(keras, "high", seed=0)]
    assert names == [
        "aug_flip",
        "aug_rotation",
        "aug_zoom",
        "aug_shift",
        "aug_brightness",
        "aug_contrast",
        "aug_gamma",
    ]


def test_the_training_step_compiles_on_jax_with_the_augmentation(fitted):
    # Keras marks rotation, zoom and shift as not compilable (TensorFlow's
    # kernel has no XLA version); one such layer made JAX run every step
    # uncompiled. On the other backends the CPU default stays uncompiled.
    on_jax = keras.backend.backend() == "jax"
    assert fitted.model_.get_layer("aug_rotation").supports_jit is on_jax
    assert fitted.model_.jit_compile is on_jax


def test_augmentation_changes_training_inputs_only(fitted, faces):
    images = (faces.images[:8, ..., None] / 255.0).astype("float32")
    aug = [
        fitted.model_.get_layer(n) for n in ("aug_flip", "aug_rotation", "aug_zoom", "aug_shift")
    ]
    train_x, infer_x = images, images
    for layer in aug:
        train_x = layer(train_x, training=True)
        infer_x = layer(infer_x, training=False)
    assert not np.allclose(keras.ops.convert_to_numpy(train_x), images)
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(infer_x), images)
    # predictions are deterministic: augmentation is off outside fit
    np.testing.assert_array_equal(
        fitted.predict_proba(faces.data[:8]), fitted.predict_proba(faces.data[:8])
    )


def test_erasing_layer_puts_one_rectangle_of_noise_on_about_half_the_images(tmp_path):
    from fer_features.deep._layers import RandomErasing

    x = np.full((400, 20, 30, 1), -1.0, dtype="float32")  # noise is in [0, 1]
    layer = RandomErasing(0.3, seed=1)
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(layer(x, training=False)), x)
    out = keras.ops.convert_to_numpy(layer(x, training=True))[..., 0]
    erased = out != -1
    hit = erased.any(axis=(1, 2))
    assert 0.4 < hit.mean() < 0.6
    assert ((out[erased] >= 0) & (out[erased] <= 1)).all()
    areas = []
    for mask in erased[hit]:
        rows, cols = np.flatnonzero(mask.any(1)), np.flatnonzero(mask.any(0))
        box = np.zeros_like(mask)
        box[rows.min() : rows.max() + 1, cols.min() : cols.max() + 1] = True
        np.testing.assert_array_equal(mask, box)  # one solid rectangle
        areas.append(mask.mean())
    # 2% to 30% of the image, give or take the pixels at the rectangle's edges
    assert 0.01 < min(areas) and max(areas) < 0.36 and np.std(areas) > 0.03
    # the same seed draws the same rectangles
    again = keras.ops.convert_to_numpy(RandomErasing(0.3, seed=1)(x, training=True))[..., 0]
    np.testing.assert_array_equal(again, out)
    # below 2 %, max_area still bounds the area; probability 1 erases every image
    small = RandomErasing(0.005, probability=1.0, seed=3)(
        np.full((50, 40, 40, 1), -1.0), training=True
    )
    fractions = (keras.ops.convert_to_numpy(small) != -1).mean(axis=(1, 2, 3))
    assert fractions.min() > 0 and fractions.mean() < 0.008
    unchanged = RandomErasing(0.0, seed=1)(x, training=True)
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(unchanged), x)
    model = keras.Sequential([keras.Input((8, 8, 1)), RandomErasing(0.2, seed=2, name="e")])
    model.save(tmp_path / "e.keras")
    loaded = keras.saving.load_model(tmp_path / "e.keras", safe_mode=True).get_layer("e")
    assert loaded.get_config()["max_area"] == pytest.approx(0.2)
    assert loaded.get_config()["probability"] == pytest.approx(0.5)


def test_erasing_is_an_augmentation_key():
    assert resolve_augmentation({"erasing": 0.25})["erasing"] == 0.25
    assert resolve_augmentation("high")["erasing"] == 0.0
    names = [la.name for la in build_augmentation(keras, {"flip": True, "erasing": 0.2})]
    assert names == ["aug_flip", "aug_erasing"]
    with pytest.raises(ValueError, match=r"augmentation\['erasing'\] .* must be <= 1, got 1.5"):
        resolve_augmentation({"erasing": 1.5})


@pytest.mark.parametrize("optimizer", ["sgd", "adam", "rmsprop"])
def test_weight_decay_is_keras_decoupled_decay(optimizer):
    clf = KerasCNNClassifier(optimizer=optimizer, learning_rate=0.1, weight_decay=0.5)
    opt = clf._make_optimizer(keras)
    weights = keras.Variable(np.full(3, 2.0, dtype="float32"))
    for _ in range(2):  # no gradient: only the decay moves the weights, outside any momentum
        opt.apply([keras.ops.zeros(3)], [weights])
    np.testing.assert_allclose(keras.ops.convert_to_numpy(weights), 2.0 * (1 - 0.1 * 0.5) ** 2)


def test_a_fit_uses_the_weight_decay():
    X, y = _easy(48)
    params = {**TINY, "epochs": 2, "optimizer": "sgd", "learning_rate": 0.01}
    params["mixed_precision"] = False  # on a GPU "auto" would wrap the optimizer
    plain = KerasCNNClassifier(**params).fit(X, y)
    decayed = KerasCNNClassifier(**params, weight_decay=5.0).fit(X, y)

    def norm(clf):
        return sum(
            float(np.sum(keras.ops.convert_to_numpy(w) ** 2)) for w in clf.model_.trainable_weights
        )

    assert norm(decayed) < 0.9 * norm(plain)
    assert plain.model_.optimizer.weight_decay is None
    assert decayed.model_.optimizer.weight_decay == pytest.approx(5.0)


def test_a_fit_with_random_erasing_trains_and_predicts():
    X, y = _easy(48)
    clf = KerasCNNClassifier(**{**TINY, "augmentation": {"flip": True, "erasing": 0.3}}).fit(X, y)
    assert clf.model_.get_layer("aug_erasing").max_area == pytest.approx(0.3)
    proba = clf.predict_proba(X)
    np.testing.assert_array_equal(proba, clf.predict_proba(X))  # no erasing at prediction
    np.testing.assert_allclose(proba.sum(axis=1), 1, rtol=1e-5)


def test_weight_decay_none_keeps_adamw_default():
    clf = KerasCNNClassifier(optimizer="adamw")
    assert clf._make_optimizer(keras).weight_decay == pytest.approx(1e-4)
    assert KerasCNNClassifier(optimizer="adamw", weight_decay=0.0)._make_optimizer(
        keras
    ).weight_decay == pytest.approx(0.0)
    assert (
        KerasCNNClassifier(optimizer="rmsprop", weight_decay=0.0)
        ._make_optimizer(keras)
        .weight_decay
        is None
    )


def test_gamma_layer_and_its_serialization(tmp_path):
    from fer_features.deep._layers import RandomGamma

    x = np.linspace(0.1, 0.9, 16, dtype="float32").reshape(1, 4, 4, 1)
    layer = RandomGamma(0.5, seed=1)
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(layer(x, training=False)), x)
    out = keras.ops.convert_to_numpy(layer(x, training=True))
    gamma = np.log(out) / np.log(x)  # one gamma per image
    np.testing.assert_allclose(gamma, gamma.flat[0], rtol=1e-4)
    assert np.exp(-0.5) <= gamma.flat[0] <= np.exp(0.5) and gamma.flat[0] != 1
    model = keras.Sequential([keras.Input((4, 4, 1)), RandomGamma(0.3, seed=2, name="g")])
    model.save(tmp_path / "g.keras")
    again = keras.saving.load_model(tmp_path / "g.keras", safe_mode=True)
    assert again.get_layer("g").get_config()["factor"] == pytest.approx(0.3)


# --------------------------------------------------------------- CNN features


def test_cnn_features_feed_an_svc(faces):
    cnn = KerasCNNClassifier(**{**FAST, "epochs": 2}, dense_units=32)
    pipe = make_pipeline(CNNFeatureTransformer(cnn), SVC()).fit(faces.data, faces.target)
    features = pipe[0].transform(faces.data[:5])
    assert features.shape == (5, 32)
    assert pipe[0].get_feature_names_out()[[0, -1]].tolist() == ["cnnfeature0", "cnnfeature31"]
    assert pipe.predict(faces.data[:5]).shape == (5,)
    # the features are the input of the output layer: the classifier's output is
    # softmax(features @ W + b)
    W, b = pipe[0].estimator_.model_.get_layer("predictions").get_weights()
    logits = pipe[0].transform(faces.data[:5]) @ W + b
    expected = np.exp(logits - logits.max(1, keepdims=True))
    expected /= expected.sum(1, keepdims=True)
    np.testing.assert_allclose(
        pipe[0].estimator_.predict_proba(faces.data[:5]), expected, rtol=1e-4, atol=1e-6
    )


def test_cnn_features_from_a_prefitted_network(fitted, faces):
    transformer = CNNFeatureTransformer(fitted, prefit=True).fit(faces.data)
    assert transformer.estimator_ is fitted
    features = transformer.transform(faces.data[:4])
    # OneConvNet: 8 channels of 24x24, flattened, feed its score layer
    assert features.shape == (4, 24 * 24 * 8)
    again = pickle.loads(pickle.dumps(transformer))
    np.testing.assert_array_equal(again.transform(faces.data[:4]), features)


def test_cnn_features_refit_uses_the_new_network():
    X, y = _easy(24)
    a = KerasCNNClassifier(**TINY).fit(X, y)
    b = KerasCNNClassifier(**{**TINY, "random_state": 1}).fit(X, y)
    expected_b = CNNFeatureTransformer(b, prefit=True).fit(X).transform(X[:4])
    transformer = CNNFeatureTransformer(a, prefit=True).fit(X)
    from_a = transformer.transform(X[:4])
    assert not np.allclose(from_a, expected_b)
    transformer.set_params(estimator=b).fit(X)
    np.testing.assert_array_equal(transformer.transform(X[:4]), expected_b)

    # refit on other labels: the features are those of the new network, whose
    # output is softmax(features @ W + b)
    transformer = CNNFeatureTransformer(KerasCNNClassifier(**TINY)).fit(X, y)
    first = transformer.transform(X[:4])
    transformer.fit(X, 1 - y)
    features = transformer.transform(X[:4])
    assert not np.allclose(features, first)
    W, bias = transformer.estimator_.model_.get_layer("scores").get_weights()
    logits = features @ W + bias
    proba = np.exp(logits - logits.max(1, keepdims=True))
    proba /= proba.sum(1, keepdims=True)
    np.testing.assert_allclose(
        transformer.estimator_.predict_proba(X[:4]), proba, rtol=1e-4, atol=1e-6
    )


def test_cnn_features_check_the_image_shape_themselves(fitted):
    transformer = CNNFeatureTransformer(fitted, prefit=True).fit(np.zeros((2, 24 * 24)))
    with pytest.raises(
        ValueError,
        match=r"the network of CNNFeatureTransformer was fitted on "
        r"images of shape \(24, 24\), got images of shape "
        r"\(12, 48\)",
    ):
        transformer.transform(np.zeros((2, 12, 48)))


def test_cnn_features_need_labels_or_a_fitted_network():
    X, _ = _easy(8)
    with pytest.raises(ValueError, match="requires y to be passed, but the target y is None"):
        CNNFeatureTransformer().fit(X)
    with pytest.raises(ValueError, match="prefit=True needs a fitted estimator"):
        CNNFeatureTransformer(prefit=True).fit(X)


# --------------------------------------------------------------- real faces


@pytest.mark.fer2013
def test_real_faces(fer2013_small):
    train = fer2013_small.usage == "Training"
    clf = KerasCNNClassifier(**{**FAST, "epochs": 2, "augmentation": "mid"})
    clf.fit(fer2013_small.images[train], fer2013_small.target[train])
    assert clf.image_shape_ == (48, 48) and clf.pixel_scale_ == 1 / 255
    assert clf.classes_.tolist() == list(range(7))
    proba = clf.predict_proba(fer2013_small.data[~train])
    assert proba.shape == ((~train).sum(), 7)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-12)
    assert ARCHITECTURES[0] == "simple"
    features = CNNFeatureTransformer(clf, prefit=True).fit(fer2013_small.data[train])
    assert features.transform(fer2013_small.data[~train][:5]).shape == (5, 256)
