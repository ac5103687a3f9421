"""Transformers on data beyond memory: dask arrays and memory-mapped files.

Every public image transformer must give, on a ``dask.array`` (lazily) and on a
``numpy.memmap`` (block by block), exactly what it gives on the same images in
memory.
"""

import tracemalloc

import numpy as np
import pytest
from sklearn.exceptions import NotFittedError

from fer_features import _blocks
from fer_features.features import (
    EigenfaceTransformer,
    HellingerTransformer,
    HOGTransformer,
    LBPTransformer,
    LGBPTransformer,
)
from fer_features.preprocessing import (
    CenterCrop,
    HistogramEqualizer,
    ImageResizer,
    ImageStandardizer,
)

da = pytest.importorskip("dask.array")

SIDE = 16
TRANSFORMERS = [
    LBPTransformer(grid_shape=(2, 2)),
    LBPTransformer(P=8, R=1, method="nri_uniform", grid_shape=(3, 3), normalize=None),
    HOGTransformer(pixels_per_cell=(4, 4), cells_per_block=(2, 2)),
    LGBPTransformer(grid_shape=(2, 2)),
    EigenfaceTransformer(n_components=5),
    ImageStandardizer(),
    HistogramEqualizer(),
    ImageResizer(size=(8, 12)),
    CenterCrop(size=0.5),
]
IDS = [type(t).__name__ + str(i) for i, t in enumerate(TRANSFORMERS)]


def _assert_same(got, expected, transformer):
    """Exactly equal, but for the eigenfaces' matrix product, whose BLAS rounding
    depends on the number of rows multiplied at once."""
    if isinstance(transformer, EigenfaceTransformer):
        np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)
    else:
        np.testing.assert_array_equal(got, expected)


def _faces(n, seed=0):
    """Smooth random 16x16 uint8 images (a gradient plus noise), flattened."""
    rng = np.random.default_rng(seed)
    ramp = np.add.outer(np.arange(SIDE), np.arange(SIDE)) * 7
    noise = rng.integers(0, 40, size=(n, SIDE, SIDE))
    return ((ramp + noise) % 256).astype(np.uint8).reshape(n, -1)


@pytest.fixture(scope="module")
def images():
    return _faces(50)


@pytest.mark.parametrize("transformer", TRANSFORMERS, ids=IDS)
def test_dask_input_gives_a_lazy_dask_array_equal_to_numpy(transformer, images):
    fitted = transformer.fit(images)
    expected = fitted.transform(images)
    calls = []

    def count(block):
        if len(block):  # dask calls it on an empty block for its meta
            calls.append(block.size)
        return block

    X = da.from_array(images, chunks=(13, 64)).map_blocks(count, dtype=images.dtype)
    out = fitted.transform(X)
    assert isinstance(out, da.Array)
    assert calls == []  # nothing read yet
    assert out.shape == expected.shape and out.dtype == expected.dtype
    assert out.chunks[0] == (13, 13, 13, 11)
    got = out.compute(scheduler="sync")
    assert sum(calls) == images.size  # every pixel read once
    _assert_same(got, expected, transformer)


@pytest.mark.parametrize("transformer", [TRANSFORMERS[0], TRANSFORMERS[5]], ids=[IDS[0], IDS[5]])
def test_dask_3d_images(transformer, images):
    cube = images.reshape(-1, SIDE, SIDE)
    fitted = transformer.fit(cube)
    out = fitted.transform(da.from_array(cube, chunks=(20, 8, 8)))
    np.testing.assert_array_equal(out.compute(scheduler="sync"), fitted.transform(cube))


def test_dask_hellinger_on_features(images):
    features = LBPTransformer(grid_shape=(2, 2)).fit_transform(images)
    hell = HellingerTransformer().fit(features)
    out = hell.transform(da.from_array(features, chunks=(7, -1)))
    np.testing.assert_array_equal(out.compute(scheduler="sync"), hell.transform(features))


def test_dask_input_before_fit_raises_not_fitted(images):
    with pytest.raises(NotFittedError):
        LBPTransformer().transform(da.from_array(images, chunks=10))


def test_dask_input_with_the_wrong_width_raises_at_once(images):
    lbp = LBPTransformer(grid_shape=(2, 2)).fit(images)
    with pytest.raises(ValueError, match="features"):
        lbp.transform(da.from_array(images[:, :100], chunks=10))


def _memmap(tmp_path, array):
    path = tmp_path / "images.npy"
    out = np.lib.format.open_memmap(path, mode="w+", dtype=array.dtype, shape=array.shape)
    out[:] = array
    out.flush()
    del out
    return np.load(path, mmap_mode="r")


@pytest.mark.parametrize("transformer", TRANSFORMERS, ids=IDS)
def test_memmap_is_transformed_block_by_block(transformer, images, tmp_path, monkeypatch):
    fitted = transformer.fit(images)
    expected = fitted.transform(images)
    # 7 images per block: 8 blocks for 50 images
    monkeypatch.setattr(_blocks, "BLOCK_PIXELS", 7 * SIDE * SIDE)
    seen = []
    inner = _blocks._transform_rows

    def spy(transform, estimator, X, rows):
        seen.append(rows)
        return inner(transform, estimator, X, rows)

    monkeypatch.setattr(_blocks, "_transform_rows", spy)
    got = fitted.transform(_memmap(tmp_path, images))
    assert seen == [7]
    assert type(got) is np.ndarray
    _assert_same(got, expected, transformer)


def test_memmap_peak_memory_is_one_block(tmp_path, monkeypatch):
    """ImageStandardizer works in float64: on the whole of 2000 images that is
    37 MB of work arrays beside the 37 MB output; a block at a time, one block's."""
    n = 2000
    images = np.tile(_faces(50), (n // 50, 1))
    X = _memmap(tmp_path, images)
    std = ImageStandardizer().fit(images[:10])
    out_bytes = n * SIDE * SIDE * 8
    monkeypatch.setattr(_blocks, "BLOCK_PIXELS", 100 * SIDE * SIDE)
    tracemalloc.start()
    got = std.transform(X)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 1.25 * out_bytes
    np.testing.assert_array_equal(got[:50], std.transform(images[:50]))


def test_small_arrays_are_not_split(images, monkeypatch):
    monkeypatch.setattr(_blocks, "_transform_rows", None)  # would fail if called
    lbp = LBPTransformer(grid_shape=(2, 2)).fit(images)
    assert lbp.transform(images).shape == (50, 40)


def test_release_pages_only_touches_read_only_memmaps(tmp_path):
    X = _memmap(tmp_path, _faces(5))
    _blocks._release_pages(X[1:3])  # a view: found through .base
    assert X[2, 3] == _faces(5)[2, 3]
    writable = np.lib.format.open_memmap(
        tmp_path / "w.npy", mode="w+", dtype=np.uint8, shape=(2, 2)
    )
    writable[:] = 7
    _blocks._release_pages(writable)  # left alone: its pages hold unwritten data
    assert writable.sum() == 28
