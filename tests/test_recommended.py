"""Tests of the recommended classic pipeline and its two helper estimators."""

import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.linear_model import LogisticRegression

from fer_features.pipelines import make_recommended_pipeline
from fer_features.pipelines._recommended import (
    FlipAugmentedClassifier,
    HellingerTransformer,
)


def test_flip_classifier_passes_the_checks_that_use_square_images():
    # the checks above that are expected to fail do so only for the shape of
    # their data: on square images the same behaviours hold
    rng = np.random.RandomState(0)
    X = rng.rand(30, 16)
    y = np.repeat([0, 1, 2], 10)
    clf = FlipAugmentedClassifier().fit(X, y)
    proba = clf.predict_proba(X)
    assert proba.shape == (30, 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    # subset and order invariance, idempotent fit
    np.testing.assert_allclose(clf.predict_proba(X[::-1]), proba[::-1])
    np.testing.assert_allclose(clf.predict_proba(X[:7]), proba[:7])
    np.testing.assert_allclose(clone(clf).fit(X, y).predict_proba(X), proba)
    with pytest.raises(ValueError, match="X has 15 features"):
        clf.predict(X[:, :15])


# --------------------------------------------------------------------------
# HellingerTransformer: exact values
# --------------------------------------------------------------------------

def test_hellinger_exact_values():
    X = np.array([[4.0, 0.0, 0.25], [-9.0, 1.0, 16.0]])
    np.testing.assert_array_equal(
        HellingerTransformer().fit_transform(X), [[2.0, 0.0, 0.5], [-3.0, 1.0, 4.0]]
    )
    np.testing.assert_array_equal(
        HellingerTransformer(power=1.0).fit_transform(X), X
    )
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
# FlipAugmentedClassifier
# --------------------------------------------------------------------------

class _Recorder(ClassifierMixin, BaseEstimator):
    """Remembers what it was fitted on; scores = first pixel of each row."""

    def fit(self, X, y, sample_weight=None):
        self.X_ = np.asarray(X)
        self.y_ = np.asarray(y)
        self.sample_weight_ = sample_weight
        self.classes_ = np.unique(y)
        return self

    def decision_function(self, X):
        return np.asarray(X, dtype=float)[:, 0]

    def predict(self, X):
        return self.classes_[(self.decision_function(X) > 0).astype(int)]


def test_flip_mirrors_each_row_of_the_image():
    X = np.arange(12).reshape(2, 6)  # two 2x3 images
    clf = FlipAugmentedClassifier(image_shape=(2, 3))
    np.testing.assert_array_equal(
        clf.flip(X), [[2, 1, 0, 5, 4, 3], [8, 7, 6, 11, 10, 9]]
    )
    # 3-D input keeps its own shape
    np.testing.assert_array_equal(
        FlipAugmentedClassifier().flip(X.reshape(2, 2, 3)), clf.flip(X)
    )


def test_flip_augmentation_doubles_the_training_set():
    X = np.arange(8).reshape(2, 4)  # two 2x2 images
    y = np.array([0, 1])
    w = np.array([1.0, 3.0])
    clf = FlipAugmentedClassifier(_Recorder()).fit(X, y, sample_weight=w)
    np.testing.assert_array_equal(
        clf.estimator_.X_, [[0, 1, 2, 3], [4, 5, 6, 7], [1, 0, 3, 2], [5, 4, 7, 6]]
    )
    np.testing.assert_array_equal(clf.estimator_.y_, [0, 1, 0, 1])
    np.testing.assert_array_equal(clf.estimator_.sample_weight_, [1, 3, 1, 3])
    assert clf.image_shape_ == (2, 2)

    plain = FlipAugmentedClassifier(_Recorder(), augment=False).fit(X, y)
    np.testing.assert_array_equal(plain.estimator_.X_, X)


def test_flip_averaging_of_decision_function():
    X = np.array([[4.0, -2.0, 0.0, 0.0], [-1.0, -5.0, 0.0, 0.0]])
    y = np.array([0, 1])
    clf = FlipAugmentedClassifier(_Recorder()).fit(X, y)
    # the recorder's score is the first pixel; the mirror's first pixel is the second
    np.testing.assert_allclose(clf.decision_function(X), [1.0, -3.0])
    np.testing.assert_array_equal(clf.predict(X), [1, 0])
    one_view = FlipAugmentedClassifier(_Recorder(), average_flips=False).fit(X, y)
    np.testing.assert_allclose(one_view.decision_function(X), [4.0, -1.0])
    np.testing.assert_array_equal(one_view.predict(X), [1, 0])
    assert not hasattr(clf, "predict_proba")


def test_flip_classifier_is_mirror_symmetric():
    rng = np.random.RandomState(1)
    X = rng.rand(40, 36)
    y = rng.randint(0, 3, 40)
    clf = FlipAugmentedClassifier(LogisticRegression()).fit(X, y)
    np.testing.assert_allclose(clf.predict_proba(X), clf.predict_proba(clf.flip(X)))


def test_flip_classifier_errors_name_the_shape():
    X = np.zeros((4, 6))
    y = np.array([0, 1, 0, 1])
    with pytest.raises(ValueError, match="6 features per row, which is not a square"):
        FlipAugmentedClassifier().fit(X, y)
    clf = FlipAugmentedClassifier(image_shape=(2, 3)).fit(X, y)
    with pytest.raises(ValueError, match=r"images of shape \(3, 2\) given"):
        clf.predict(np.zeros((4, 3, 2)))


# --------------------------------------------------------------------------
# The recommended pipeline, on real and synthetic faces
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
    pipe = make_recommended_pipeline(pca__n_components=200)
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


def test_recommended_pipeline_on_synthetic_faces():
    from fer_features.datasets import make_synthetic_faces

    X, y = make_synthetic_faces(700, random_state=0, return_X_y=True)
    X_test, y_test = make_synthetic_faces(350, random_state=1, return_X_y=True)
    pipe = make_recommended_pipeline().fit(X, y)
    # 7 classes (chance 0.14); held-out faces drawn with another seed
    assert pipe.score(X_test, y_test) > 0.3
    np.testing.assert_allclose(pipe.predict_proba(X_test).sum(axis=1), 1.0, rtol=1e-6)
