"""MirrorAugmentedClassifier: training on images and their mirror images."""

import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression

from fer_features.pipelines import MirrorAugmentedClassifier


class Recording(ClassifierMixin, BaseEstimator):
    """Remembers what fit was given; its probabilities are a fixed function of the pixels."""

    def fit(self, X, y, sample_weight=None):
        self.X_, self.y_, self.sample_weight_ = np.array(X), np.array(y), sample_weight
        self.classes_ = np.unique(y)
        return self

    def predict_proba(self, X):
        # depends on where the bright pixels are: not mirror-symmetric
        X = np.asarray(X, dtype=float)
        score = X @ np.linspace(-1, 1, X.shape[1])
        p = 1 / (1 + np.exp(-score / 100))
        return np.column_stack([1 - p, p])

    def predict(self, X):
        return self.classes_[self.predict_proba(X).argmax(axis=1)]


@pytest.fixture
def images():
    rng = np.random.default_rng(0)
    return rng.integers(0, 256, size=(12, 3, 4)).astype(np.uint8), np.repeat([0, 1], 6)


def test_fits_on_the_images_then_their_mirror_images(images):
    X, y = images
    weights = np.arange(12.0)
    clf = MirrorAugmentedClassifier(Recording()).fit(X, y, sample_weight=weights)
    seen = clf.estimator_.X_
    assert seen.shape == (24, 12) and seen.dtype == np.uint8
    np.testing.assert_array_equal(seen[:12], X.reshape(12, 12))
    np.testing.assert_array_equal(seen[12:], X[:, :, ::-1].reshape(12, 12))
    np.testing.assert_array_equal(clf.estimator_.y_, np.concatenate([y, y]))
    np.testing.assert_array_equal(clf.estimator_.sample_weight_, np.concatenate([weights] * 2))
    assert clf.image_shape_ == (3, 4) and clf.n_features_in_ == 12


def test_probabilities_are_the_mean_over_each_image_and_its_mirror(images):
    X, y = images
    clf = MirrorAugmentedClassifier(Recording(), image_shape=(3, 4)).fit(X.reshape(12, 12), y)
    inner = clf.estimator_
    flat, mirrored = X.reshape(12, 12), X[:, :, ::-1].reshape(12, 12)
    expected = (inner.predict_proba(flat) + inner.predict_proba(mirrored)) / 2
    np.testing.assert_allclose(clf.predict_proba(flat), expected)
    # so a face and its mirror image get the same answer, though the inner model's differ
    assert not np.allclose(inner.predict_proba(flat), inner.predict_proba(mirrored))
    np.testing.assert_allclose(clf.predict_proba(mirrored), clf.predict_proba(flat))
    np.testing.assert_array_equal(clf.predict(flat), clf.classes_[expected.argmax(axis=1)])


def test_decision_function_and_predict_of_a_model_without_probabilities(images):
    from sklearn.svm import LinearSVC

    X, y = images
    clf = MirrorAugmentedClassifier(LinearSVC()).fit(X, y)
    assert not hasattr(clf, "predict_proba")
    inner = clf.estimator_.decision_function
    expected = (inner(X.reshape(12, 12)) + inner(X[:, :, ::-1].reshape(12, 12))) / 2
    np.testing.assert_allclose(clf.decision_function(X), expected)
    np.testing.assert_array_equal(clf.predict(X), np.where(expected > 0, 1, 0))


def test_clear_errors(images):
    X, y = images
    with pytest.raises(ValueError, match="requires y to be passed"):
        MirrorAugmentedClassifier(LogisticRegression()).fit(X, None)
    with pytest.raises(ValueError, match="12 features per row, which is not a square image"):
        MirrorAugmentedClassifier(LogisticRegression()).fit(X.reshape(12, 12), y)
    clf = MirrorAugmentedClassifier(LogisticRegression()).fit(X, y)
    with pytest.raises(ValueError, match=r"fitted on images of shape \(3, 4\), got .* \(4, 3\)"):
        clf.predict(X.reshape(12, 4, 3))
