"""EigenfaceTransformer: the same numbers as PCA, images in and out."""

import re

import numpy as np
import pytest
from sklearn.decomposition import PCA

from fer_features import EigenfaceTransformer


@pytest.fixture(autouse=True)
def one_blas_thread():
    """One BLAS thread: on a busy machine OpenBLAS threads spin and make the
    small SVDs here ten times slower."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1, user_api="blas"):
        yield


@pytest.fixture
def faces():
    rng = np.random.default_rng(0)
    return rng.integers(0, 256, size=(30, 8 * 6), dtype=np.uint8)


@pytest.mark.parametrize("whiten", [True, False])
def test_same_numbers_as_pca(faces, whiten):
    eig = EigenfaceTransformer(
        n_components=5, whiten=whiten, svd_solver="full", image_shape=(8, 6)
    ).fit(faces)
    pca = PCA(n_components=5, whiten=whiten, svd_solver="full").fit(faces.astype(np.float64))
    np.testing.assert_array_equal(eig.transform(faces), pca.transform(faces.astype(np.float64)))
    np.testing.assert_array_equal(eig.explained_variance_ratio_, pca.explained_variance_ratio_)
    np.testing.assert_array_equal(eig.eigenfaces_.reshape(5, -1), pca.components_)
    np.testing.assert_allclose(eig.mean_face_, faces.mean(axis=0).reshape(8, 6), rtol=1e-12)


def test_image_shape_and_attributes(faces):
    eig = EigenfaceTransformer(n_components=4, image_shape=(8, 6)).fit(faces)
    assert eig.image_shape_ == (8, 6)
    assert eig.mean_face_.shape == (8, 6) and eig.eigenfaces_.shape == (4, 8, 6)
    assert eig.n_components_ == 4 and eig.explained_variance_ratio_.shape == (4,)
    # eigenfaces are orthonormal
    flat = eig.eigenfaces_.reshape(4, -1)
    np.testing.assert_allclose(flat @ flat.T, np.eye(4), atol=1e-12)


def test_n_components_reduced_to_data_size(faces):
    message = (
        "n_components=150 is more than the data allow, min(n_samples, n_pixels) = "
        "min(30, 48): keeping 30 eigenfaces"
    )
    with pytest.warns(UserWarning, match=re.escape(message)):
        eig = EigenfaceTransformer(image_shape=(8, 6)).fit(faces)  # default 150 > 30 samples
    assert eig.n_components_ == 30 and eig.transform(faces).shape == (30, 30)
    with pytest.warns(UserWarning, match=re.escape("min(30, 48): keeping 30 eigenfaces")):
        assert EigenfaceTransformer(n_components=31, image_shape=(8, 6)).fit_transform(
            faces
        ).shape == (30, 30)
    # fewer pixels than images: the pixels bound it
    with pytest.warns(UserWarning, match=re.escape("min(30, 6): keeping 6 eigenfaces")):
        assert (
            EigenfaceTransformer(n_components=7, image_shape=(2, 3)).fit(faces[:, :6]).n_components_
            == 6
        )
    eig = EigenfaceTransformer(n_components=0.9, image_shape=(8, 6)).fit(faces)
    assert eig.explained_variance_ratio_.sum() >= 0.9
    assert eig.explained_variance_ratio_[:-1].sum() < 0.9


@pytest.mark.parametrize("whiten", [True, False])
def test_inverse_transform_reconstructs_flattened_images(faces, whiten):
    eig = EigenfaceTransformer(
        n_components=30, whiten=whiten, image_shape=(8, 6), svd_solver="full"
    ).fit(faces)
    back = eig.inverse_transform(eig.transform(faces))
    assert back.shape == (30, 48)
    np.testing.assert_allclose(back, faces, atol=1e-8)


def test_input_left_untouched():
    rng = np.random.default_rng(1)
    X = rng.random((20, 16))
    before = X.copy()
    for solver in ("full", "covariance_eigh", "randomized"):
        EigenfaceTransformer(n_components=3, svd_solver=solver, random_state=0).fit(X)
        EigenfaceTransformer(n_components=3, svd_solver=solver, random_state=0).fit_transform(X)
    np.testing.assert_array_equal(X, before)


def test_fit_transform_equals_fit_then_transform(faces):
    a = EigenfaceTransformer(n_components=6, image_shape=(8, 6), svd_solver="full")
    b = EigenfaceTransformer(n_components=6, image_shape=(8, 6), svd_solver="full")
    np.testing.assert_allclose(
        a.fit_transform(faces), b.fit(faces).transform(faces), rtol=1e-9, atol=1e-9
    )


def test_three_d_input_pandas_and_names():
    rng = np.random.default_rng(2)
    images = rng.random((12, 5, 5))
    eig = EigenfaceTransformer(n_components=3).fit(images)
    np.testing.assert_array_equal(eig.transform(images), eig.transform(images.reshape(12, 25)))
    assert list(eig.get_feature_names_out()) == ["eigenface0", "eigenface1", "eigenface2"]
    frame = EigenfaceTransformer(n_components=3).set_output(transform="pandas").fit(images)
    out = frame.transform(images)
    assert list(out.columns) == ["eigenface0", "eigenface1", "eigenface2"]


def test_other_image_shape_rejected():
    eig = EigenfaceTransformer(n_components=2).fit(np.random.default_rng(3).random((5, 4, 9)))
    with pytest.raises(
        ValueError,
        match=re.escape(
            "EigenfaceTransformer was fitted on images of shape (4, 9), got images of shape (6, 6)"
        ),
    ):
        eig.transform(np.zeros((2, 6, 6)))


@pytest.mark.fer2013
def test_real_faces(fer2013_small):
    X = fer2013_small.data[:200]
    eig = EigenfaceTransformer(n_components=60, whiten=False, svd_solver="full").fit(X)
    assert eig.image_shape_ == (48, 48)
    np.testing.assert_allclose(eig.mean_face_, fer2013_small.images[:200].mean(axis=0), rtol=1e-10)
    ratios = eig.explained_variance_ratio_
    assert np.all(np.diff(ratios) <= 1e-12)  # decreasing
    # faces are highly correlated: 60 eigenfaces explain most of the variance
    assert 0.8 < ratios.sum() < 1.0
    # more eigenfaces, smaller reconstruction error; all 60 give inverse_transform
    codes = eig.transform(X)
    errors = []
    for k in (5, 20, 60):
        partial = codes[:, :k] @ eig.eigenfaces_[:k].reshape(k, -1) + eig.mean_face_.ravel()
        errors.append(np.mean((partial - X) ** 2))
    np.testing.assert_allclose(partial, eig.inverse_transform(codes), atol=1e-8)
    assert errors[0] > errors[1] > errors[2]


def test_n_components_the_data_allow_kept_silently(faces):
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert (
            EigenfaceTransformer(n_components=30, image_shape=(8, 6)).fit(faces).n_components_ == 30
        )


def test_transform_before_fit_is_not_fitted_error(faces):
    from sklearn.exceptions import NotFittedError

    eig = EigenfaceTransformer(image_shape=(8, 6))
    for method in (eig.transform, eig.inverse_transform):
        with pytest.raises(NotFittedError, match="EigenfaceTransformer instance is not fitted"):
            method(faces)
    with pytest.raises(NotFittedError):
        eig.get_feature_names_out()


def test_one_image_refused_without_dividing_by_zero(faces):
    import warnings

    message = (
        "EigenfaceTransformer needs at least 2 images to find principal components, got n_samples=1"
    )
    for method in ("fit", "fit_transform"):
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # no divide-by-zero RuntimeWarning either
            with pytest.raises(ValueError, match=re.escape(message)):
                getattr(EigenfaceTransformer(n_components=1, image_shape=(8, 6)), method)(faces[:1])
    two = EigenfaceTransformer(n_components=1, image_shape=(8, 6)).fit_transform(faces[:2])
    assert np.isfinite(two).all() and two.shape == (2, 1)
