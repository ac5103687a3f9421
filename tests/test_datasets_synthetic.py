"""Tests of make_synthetic_faces: shape, determinism, balance, learnability."""

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from fer_features.datasets import EXPRESSIONS, make_synthetic_faces


def test_fields_and_types():
    faces = make_synthetic_faces(30, random_state=0)
    assert sorted(faces) == ["DESCR", "data", "groups", "images", "target", "target_names", "usage"]
    assert faces.images.shape == (30, 48, 48) and faces.images.dtype == np.uint8
    assert faces.data.shape == (30, 2304) and faces.data.dtype == np.uint8
    np.testing.assert_array_equal(faces.data, faces.images.reshape(30, -1))
    assert faces.target.dtype == np.int64
    assert faces.target_names == list(EXPRESSIONS[:7])
    assert faces.usage is None
    assert faces.groups.shape == (30,) and faces.groups.max() < 20
    assert "30 grey 48x48 faces" in faces.DESCR


def test_deterministic_per_random_state():
    a = make_synthetic_faces(50, random_state=3)
    b = make_synthetic_faces(50, random_state=3)
    c = make_synthetic_faces(50, random_state=4)
    np.testing.assert_array_equal(a.data, b.data)
    np.testing.assert_array_equal(a.target, b.target)
    np.testing.assert_array_equal(a.groups, b.groups)
    assert not np.array_equal(a.data, c.data)
    rng = np.random.RandomState(3)
    np.testing.assert_array_equal(make_synthetic_faces(50, random_state=rng).data, a.data)
    # more faces than one drawing batch: all drawn, all different
    big = make_synthetic_faces(600, random_state=0)
    assert big.images.shape == (600, 48, 48) and len(np.unique(big.data, axis=0)) == 600


@pytest.mark.parametrize("n_samples, n_classes", [(7, 7), (200, 7), (301, 7), (16, 2), (80, 8)])
def test_balanced_and_all_classes_present(n_samples, n_classes):
    faces = make_synthetic_faces(n_samples, n_classes=n_classes, random_state=0)
    counts = np.bincount(faces.target, minlength=n_classes)
    assert len(counts) == n_classes and counts.min() >= 1
    assert counts.max() - counts.min() <= 1
    assert faces.target_names == list(EXPRESSIONS[:n_classes])


def test_classes_are_shuffled_not_in_blocks():
    target = make_synthetic_faces(70, random_state=0).target
    assert not np.array_equal(target, np.sort(target))
    assert not np.array_equal(target, np.arange(70) % 7)


def test_image_size_and_noise():
    rect = make_synthetic_faces(14, image_size=(32, 40), random_state=0)
    assert rect.images.shape == (14, 32, 40) and rect.data.shape == (14, 1280)
    clean = make_synthetic_faces(40, noise=0.0, random_state=0)
    noisy = make_synthetic_faces(40, noise=0.2, random_state=0)
    np.testing.assert_array_equal(clean.target, noisy.target)
    # noise adds high-frequency energy: neighbouring pixels differ more
    rough = [np.abs(np.diff(f.images.astype(float), axis=2)).mean() for f in (clean, noisy)]
    assert rough[1] > 3 * rough[0]


def test_faces_look_like_faces():
    """A bright head on a background, with darker features inside it."""
    faces = make_synthetic_faces(140, noise=0.0, random_state=0)
    mean = faces.images.astype(float).mean(axis=0)
    assert mean[24, 24] > mean[2, 2] + 20 and mean[24, 24] > mean[45, 45] + 20  # head
    eyes_row = mean[18:22, 12:36].mean()
    cheeks_row = mean[25:28, 12:36].mean()
    assert eyes_row < cheeks_row  # the eyes and brows are darker than the cheeks
    assert faces.images.min() < 40 and faces.images.max() > 180


def test_expression_changes_the_face_not_just_noise():
    """Class means differ where the features are (mouth, eyes), beyond chance."""
    faces = make_synthetic_faces(700, noise=0.0, random_state=1)
    means = np.array([faces.images[faces.target == k].astype(float).mean(axis=0) for k in range(7)])
    happy, surprise = means[3], means[5]
    mouth = np.abs(happy - surprise)[30:42, 14:34].mean()
    corner = np.abs(happy - surprise)[:8, :8].mean()
    assert mouth > 3 * corner


@pytest.mark.slow
def test_learnable_but_not_trivial():
    """Pixels + logistic regression: clearly above chance (1/7) but far from
    perfect; HOG features + the same classifier do clearly better."""
    from skimage.feature import hog
    from threadpoolctl import threadpool_limits

    faces = make_synthetic_faces(700, random_state=0)
    cv = StratifiedKFold(3, shuffle=True, random_state=0)

    def score(X):
        model = make_pipeline(StandardScaler(), LogisticRegression(C=0.01, max_iter=300))
        # one BLAS thread: on a busy machine competing BLAS threads slow lbfgs 50-fold
        with threadpool_limits(1):
            return cross_val_score(model, X, faces.target, cv=cv).mean()

    pixels = score(faces.data / 255.0)
    hogs = score(
        np.array(
            [
                hog(im, orientations=9, pixels_per_cell=(6, 6), cells_per_block=(2, 2))
                for im in faces.images
            ]
        )
    )
    assert 0.25 < pixels < 0.8
    assert hogs > pixels + 0.08


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"n_samples": 6}, "n_samples must be an integer >= n_classes (7), got 6"),
        ({"n_samples": 10.0}, "n_samples must be an integer"),
        ({"n_classes": 1}, "n_classes must be an integer in 2..8, got 1"),
        ({"n_classes": 9}, "n_classes must be an integer in 2..8, got 9"),
        ({"image_size": 8}, "image_size must be an integer >= 16 or a pair"),
        ({"image_size": (48, 48, 3)}, "image_size must be an integer >= 16 or a pair"),
        ({"image_size": "big"}, "image_size must be an integer >= 16 or a pair"),
        ({"noise": -0.1}, "noise must be a number >= 0, got -0.1"),
        ({"n_subjects": 0}, "n_subjects must be a positive integer, got 0"),
    ],
)
def test_parameter_errors(kwargs, message):
    with pytest.raises(ValueError) as info:
        make_synthetic_faces(**{"n_samples": 20, **kwargs})
    assert message in str(info.value)


def test_return_X_y():
    X, y = make_synthetic_faces(21, random_state=0, return_X_y=True)
    faces = make_synthetic_faces(21, random_state=0)
    np.testing.assert_array_equal(X, faces.data)
    np.testing.assert_array_equal(y, faces.target)
