"""Tests of the recommended classic pipeline, its texture half and HellingerTransformer."""

import numpy as np
import pytest
from _recipe import SMALL_WORDS
from sklearn.base import clone

from fer_features.features import HellingerTransformer
from fer_features.pipelines import make_recommended_pipeline, make_texture_pipeline

# --------------------------------------------------------------------------
# HellingerTransformer: exact values
# --------------------------------------------------------------------------


def test_hellinger_exact_values():
    X = np.array([[4.0, 0.0, 0.25], [-9.0, 1.0, 16.0]])
    np.testing.assert_array_equal(
        HellingerTransformer().fit_transform(X), [[2.0, 0.0, 0.5], [-3.0, 1.0, 4.0]]
    )
    np.testing.assert_array_equal(HellingerTransformer(power=1.0).fit_transform(X), X)
    np.testing.assert_allclose(
        HellingerTransformer(power=2.0).fit_transform(X),
        [[16.0, 0.0, 0.0625], [-81.0, 1.0, 256.0]],
    )


def test_hellinger_l2_norm_and_zero_rows():
    X = np.array([[9.0, 16.0], [0.0, 0.0]])
    out = HellingerTransformer(norm="l2").fit_transform(X)
    np.testing.assert_allclose(out, [[0.6, 0.8], [0.0, 0.0]])


def test_hellinger_of_l1_histograms_has_unit_l2_norm():
    # the square roots of a probability histogram form a unit vector
    rng = np.random.RandomState(0)
    H = rng.rand(5, 59)
    H /= H.sum(axis=1, keepdims=True)
    out = HellingerTransformer().fit_transform(H)
    np.testing.assert_allclose(np.linalg.norm(out, axis=1), 1.0)


def test_hellinger_keeps_float32_and_names():
    X = np.ones((2, 3), dtype=np.float32)
    t = HellingerTransformer().fit(X)
    assert t.transform(X).dtype == np.float32
    assert list(t.get_feature_names_out()) == ["x0", "x1", "x2"]


def test_hellinger_rejects_bad_power():
    with pytest.raises(ValueError, match="power"):
        HellingerTransformer(power=0).fit(np.ones((2, 2)))


# --------------------------------------------------------------------------
# The recommended pipeline (and its texture half), on real and synthetic faces
# --------------------------------------------------------------------------


def test_recommended_pipeline_params_and_clone():
    pipe = make_recommended_pipeline()
    assert clone(pipe).get_params().keys() == pipe.get_params().keys()
    with pytest.raises(ValueError):
        make_recommended_pipeline(no_such_step__C=1.0)


@pytest.mark.fer2013
def test_recommended_pipeline_on_real_fer2013_subset(fer2013_small):
    data = fer2013_small
    train = data.usage == "Training"
    test = data.usage == "PublicTest"
    # 420 training faces: fewer than the 450 PCA components of the recipe
    pipe = make_recommended_pipeline(texture__reduce__n_components=200, **SMALL_WORDS)
    pipe.fit(data.data[train], data.target[train])
    score = pipe.score(data.data[test], data.target[test])
    # 7 classes (chance 0.14); 60 faces per class is far too few for the
    # full-data accuracy, but the pipeline must clearly learn something
    assert score > 0.25, score
    proba = pipe.predict_proba(data.data[test])
    assert proba.shape == (test.sum(), 7)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-6)
    assert (proba >= 0).all()
    np.testing.assert_array_equal(pipe.classes_, np.arange(7))
    # the mean of the two halves' probabilities, each of them above chance
    halves = [pipe.named_estimators_[name] for name in ("texture", "words")]
    np.testing.assert_allclose(
        proba, sum(half.predict_proba(data.data[test]) for half in halves) / 2, rtol=1e-6
    )
    for half in halves:
        assert half.score(data.data[test], data.target[test]) > 0.2


def test_recommended_pipeline_on_synthetic_faces():
    from fer_features.datasets import make_synthetic_faces

    X, y = make_synthetic_faces(700, random_state=0, return_X_y=True)
    X_test, y_test = make_synthetic_faces(350, random_state=1, return_X_y=True)
    pipe = make_recommended_pipeline(**SMALL_WORDS).fit(X, y)
    # 7 classes (chance 0.14); held-out faces drawn with another seed
    assert pipe.score(X_test, y_test) > 0.3
    np.testing.assert_allclose(pipe.predict_proba(X_test).sum(axis=1), 1.0, rtol=1e-6)


def test_recommended_pipeline_fits_three_faces_per_class():
    from fer_features.datasets import make_synthetic_faces

    X, y = make_synthetic_faces(21, random_state=0, return_X_y=True)
    assert np.bincount(y).tolist() == [3] * 7
    pipe = make_recommended_pipeline(**SMALL_WORDS).fit(X, y)
    # the PCA keeps what 21 faces allow; its parameter is left as set
    reduce = pipe.named_estimators_["texture"].named_steps["reduce"]
    assert reduce.n_components_ == 21
    assert reduce.n_components == 450
    proba = pipe.predict_proba(X)
    assert proba.shape == (21, 7)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-6)


def test_recommended_features_are_float32_without_copies():
    import tracemalloc

    from fer_features.datasets import make_synthetic_faces

    def peak_and_features(n):
        X, y = make_synthetic_faces(n, random_state=0, return_X_y=True)
        front = make_texture_pipeline(features__batch_size=50)[:2]  # + scaling
        tracemalloc.start()
        try:
            Z = front.fit_transform(X, y)
            return tracemalloc.get_traced_memory()[1], Z
        finally:
            tracemalloc.stop()

    peak_and_features(20)  # compiled kernels and caches first: not counted below
    small_peak, small = peak_and_features(100)
    large_peak, large = peak_and_features(400)
    assert large.dtype == np.float32 and large.shape == (400, 6552)
    # memory per extra face: the float32 features plus the scaler's variance
    # work, about 1.4 times the features; with float64 blocks, their stacking,
    # the Gabor responses of all faces at once and the scaler's copy it was 12
    per_face = (large_peak - small_peak) / (large.nbytes - small.nbytes)
    # 3.1 since the compiled Gabor filtering (numba, 0.2.0), against 1.0 with the
    # FFT path; the fit on all of FER2013 Training still peaks at 2,880 MiB
    # (benchmarks/dedup_fer2013.py), as before it. The cause is not found yet.
    assert per_face < 3.5, per_face


def test_batched_features_equal_features_of_one_batch():
    from fer_features.datasets import make_synthetic_faces

    X, _ = make_synthetic_faces(120, random_state=0, return_X_y=True)
    one = make_texture_pipeline().named_steps["features"].fit_transform(X)
    batched = make_texture_pipeline(features__batch_size=50).named_steps["features"]
    np.testing.assert_array_equal(batched.fit_transform(X), one)
    np.testing.assert_array_equal(batched.transform(X[:70]), one[:70])
    np.testing.assert_array_equal(batched.transform(X.reshape(120, 48, 48)), one)
    assert one.dtype == np.float32
    names = batched.get_feature_names_out()
    assert len(names) == one.shape[1] == 6552
    with pytest.raises(ValueError, match="batch_size must be a positive integer, got 0"):
        batched.set_params(batch_size=0).fit(X)
