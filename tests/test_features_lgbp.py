"""Tests of LGBPTransformer: Gabor kernels, magnitude images, LBP histograms of them."""

import numpy as np
import pytest
from scipy.signal import convolve2d

from fer_features.features import LBPTransformer, LGBPTransformer, gabor_kernel, gabor_magnitudes


@pytest.mark.parametrize("theta", [0.0, np.pi / 2, np.pi])
def test_kernel_equals_scikit_image_on_the_axes(theta):
    from skimage.filters import gabor_kernel as skimage_gabor

    ours = gabor_kernel(0.2, theta, 2.5)
    reference = skimage_gabor(0.2, theta=theta, sigma_x=2.5, sigma_y=2.5)
    assert ours.shape == reference.shape == (17, 17)
    np.testing.assert_allclose(ours, reference, rtol=1e-12, atol=1e-15)


def test_diagonal_kernel_matches_scikit_image_on_its_smaller_square():
    from skimage.filters import gabor_kernel as skimage_gabor

    ours = gabor_kernel(0.2, np.pi / 4, 2.5)
    reference = skimage_gabor(0.2, theta=np.pi / 4, sigma_x=2.5, sigma_y=2.5)
    assert ours.shape == (17, 17) and reference.shape == (13, 13)
    np.testing.assert_allclose(ours[2:-2, 2:-2], reference, rtol=1e-12, atol=1e-15)


def test_kernel_orientation_and_support():
    k = gabor_kernel(0.25, 0.0, 2.0)
    assert k.shape == (13, 13)
    # theta=0: a wave along the columns, constant down the centre column
    np.testing.assert_allclose(np.angle(k[:, 6]), 0.0, atol=1e-12)
    np.testing.assert_allclose(np.angle(k[6, 7]), 2 * np.pi * 0.25)
    # the diagonal kernel keeps the full square
    assert gabor_kernel(0.25, np.pi / 4, 2.0).shape == (13, 13)


def _magnitudes_one_by_one(images, kernels):
    out = np.empty((len(images), len(kernels), *images.shape[1:]), dtype=np.uint8)
    for i, image in enumerate(images.astype(np.float64)):
        for k, kernel in enumerate(kernels):
            mag = np.abs(convolve2d(image, kernel, mode="same"))
            out[i, k] = np.rint(mag * 255.0 / mag.max()) if mag.max() > 0 else 0
    return out


def test_magnitudes_equal_a_per_image_convolution():
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, size=(3, 11, 14)).astype(np.uint8)
    kernels = LGBPTransformer(frequencies=(0.3, 0.15), n_orientations=3).kernels()
    np.testing.assert_array_equal(
        gabor_magnitudes(images, kernels), _magnitudes_one_by_one(images, kernels)
    )


def test_blank_images_give_zeros_not_nan():
    X = np.zeros((2, 16 * 16), dtype=np.uint8)
    lgbp = LGBPTransformer(grid_shape=(2, 2)).fit(X)
    assert not lgbp.magnitude_images(X).any()
    features = lgbp.transform(X)
    assert np.isfinite(features).all()


def test_transform_is_lbp_of_each_magnitude_image():
    rng = np.random.default_rng(1)
    X = rng.integers(0, 256, size=(4, 20 * 20)).astype(np.uint8)
    lgbp = LGBPTransformer(
        frequencies=(0.25,), n_orientations=2, P=8, R=1, method="nri_uniform", grid_shape=(2, 3)
    ).fit(X)
    features = lgbp.transform(X)
    mags = lgbp.magnitude_images(X)
    lbp = LBPTransformer(P=8, R=1, method="nri_uniform", grid_shape=(2, 3)).fit(mags[:, 0])
    expected = np.hstack([lbp.transform(mags[:, k]) for k in range(2)])
    np.testing.assert_array_equal(features, expected)
    assert features.shape == (4, 2 * 6 * 59)
    assert lgbp.n_filters_ == 2 and lgbp.n_bins_ == 59
    names = lgbp.get_feature_names_out()
    assert names[0] == "lgbp_f0_r0c0_b0" and names[-1] == "lgbp_f1_r1c2_b58"
    assert len(names) == features.shape[1]


def test_images_as_3d_arrays_and_wrong_shape():
    rng = np.random.default_rng(2)
    images = rng.integers(0, 256, size=(3, 12, 16)).astype(np.uint8)
    lgbp = LGBPTransformer(grid_shape=(2, 2)).fit(images)
    assert lgbp.image_shape_ == (12, 16)
    np.testing.assert_array_equal(
        lgbp.transform(images),
        LGBPTransformer(grid_shape=(2, 2), image_shape=(12, 16)).fit_transform(
            images.reshape(3, -1)
        ),
    )
    with pytest.raises(
        ValueError,
        match=r"fitted on images of shape \(12, 16\), got "
        r"images of shape \(16, 12\)",
    ):
        lgbp.transform(images.transpose(0, 2, 1))


@pytest.mark.parametrize(
    "params, message",
    [
        (
            {"frequencies": (0.25, 0.9)},
            r"frequencies must be a non-empty sequence of numbers "
            r"in \(0, 0.5\] cycles per pixel, got \(0.25, 0.9\)",
        ),
        ({"frequencies": ()}, "frequencies must be a non-empty sequence"),
        ({"method": "default", "P": 24}, "would give 2\\*\\*24 histogram bins"),
    ],
)
def test_bad_parameters(params, message):
    with pytest.raises(ValueError, match=message):
        LGBPTransformer(**params).fit(np.zeros((2, 64)))


@pytest.mark.fer2013
def test_lgbp_features_tell_expressions_apart(fer2013_small):
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    data = fer2013_small
    train = data.usage == "Training"
    pipe = make_pipeline(
        LGBPTransformer(), StandardScaler(), LogisticRegression(C=0.01, max_iter=500)
    )
    pipe.fit(data.data[train], data.target[train])
    # 7 expressions, 420 training faces: chance is 0.14
    assert pipe.score(data.data[~train], data.target[~train]) > 0.22


def test_separable_kernels_run_the_compiled_loop_others_the_fft(monkeypatch):
    from fer_features.features import _lgbp

    rng = np.random.default_rng(3)
    images = rng.integers(0, 256, size=(4, 17, 12)).astype(np.uint8)
    kernels = LGBPTransformer(frequencies=(0.2, 0.4), n_orientations=5).kernels()
    *_, symmetric, partner = _lgbp._separable_factors(kernels)
    assert symmetric.all()  # Hermitian factors: folded taps
    # theta and pi - theta share their passes: 1/5 with 4/5, 2/5 with 3/5 of pi
    assert list(partner) == [-1, 4, 3, -1, -1, -1, 9, 8, -1, -1]
    # separable but not Hermitian: every tap on its own
    lopsided = np.outer(rng.random(5) + 1j * rng.random(5), rng.random(5) - 0.5j)
    kernels = kernels + [lopsided]
    *_, symmetric, partner = _lgbp._separable_factors(kernels)
    assert list(symmetric) == [True] * 10 + [False] and partner[-1] == -1
    expected = _magnitudes_one_by_one(images, kernels)
    for batch in (images, images.astype(np.float64), images.astype(np.float32)):
        np.testing.assert_array_equal(gabor_magnitudes(batch, kernels), expected)
    # rank 2, an even side, a zero centre: not separable, the FFT path
    zero_centre = rng.random((5, 5)) + 1j * rng.random((5, 5))
    zero_centre[2, 2] = 0
    others = [kernels[0] + kernels[1], rng.random((4, 4)) + 0.5j, zero_centre]
    for kernel in others:
        assert _lgbp._separable_factors([kernels[0], kernel]) is None
    monkeypatch.setattr(_lgbp, "_BATCH_PIXELS", 1)  # the FFT path one image at a time
    np.testing.assert_array_equal(
        gabor_magnitudes(images, others), _magnitudes_one_by_one(images, others)
    )


def test_transform_in_chunks_equals_one_chunk(monkeypatch):
    from fer_features.features import _lgbp

    rng = np.random.default_rng(4)
    X = rng.integers(0, 256, size=(7, 16 * 16)).astype(np.uint8)
    lgbp = LGBPTransformer(grid_shape=(2, 2)).fit(X)
    whole = lgbp.transform(X)
    monkeypatch.setattr(_lgbp, "_CHUNK_PIXELS", 3 * 16 * 16 * 8)  # 3 images a chunk
    np.testing.assert_array_equal(lgbp.transform(X), whole)
    mags = lgbp.magnitude_images(X)
    lbp = LBPTransformer(grid_shape=(2, 2), method="uniform").fit(mags[:, 0])
    expected = np.hstack([lbp.transform(mags[:, k]) for k in range(8)])
    np.testing.assert_array_equal(whole, expected)


@pytest.mark.parametrize("normalize", [None, "l1", "l2"])
@pytest.mark.parametrize("method", ["default", "ror", "uniform", "nri_uniform"])
def test_one_compiled_loop_equals_magnitudes_then_lbp(monkeypatch, method, normalize):
    # P=8, R=1 and separable kernels: Gabor and LBP in one compiled loop
    # (_lgbp81); the same values as the LBP of each magnitude image
    from fer_features.features import _lgbp

    ran = []
    real = _lgbp._lgbp81
    monkeypatch.setattr(_lgbp, "_lgbp81", lambda *a: ran.append(real(*a)) or ran[-1])
    rng = np.random.default_rng(5)
    X = rng.integers(0, 256, size=(3, 15, 13)).astype(np.uint8)  # 13 columns: not 4k
    lgbp = LGBPTransformer(method=method, normalize=normalize, grid_shape=(2, 3)).fit(X)
    mags = lgbp.magnitude_images(X)
    lbp = LBPTransformer(method=method, normalize=normalize, grid_shape=(2, 3)).fit(mags[:, 0])
    expected = np.hstack([lbp.transform(mags[:, k]) for k in range(lgbp.n_filters_)])
    for batch in (X, X.astype(np.float32), X.astype(np.float64)):
        np.testing.assert_array_equal(lgbp.transform(batch), expected)
    assert ran == [True] * 3
    # other neighbourhoods take magnitudes then the LBP transformer
    other = LGBPTransformer(P=4, R=2, method=method, normalize=normalize, grid_shape=(2, 3))
    features = other.fit(X).transform(X)
    assert ran[-1] is False
    lbp4 = LBPTransformer(P=4, R=2, method=method, normalize=normalize, grid_shape=(2, 3))
    lbp4.fit(mags[:, 0])
    np.testing.assert_array_equal(
        features, np.hstack([lbp4.transform(mags[:, k]) for k in range(other.n_filters_)])
    )
