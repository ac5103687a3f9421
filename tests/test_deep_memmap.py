"""KerasCNNClassifier trained from a uint8 memory-mapped array: batches are read
and converted to float32 one at a time, never the whole array."""

import tracemalloc

import numpy as np
import pytest

keras = pytest.importorskip("keras")

from _nets import OneConvNet  # noqa: E402

from fer_features.deep import KerasCNNClassifier  # noqa: E402
from fer_features.deep._training import ShuffledBatches  # noqa: E402

PARAMS = {
    "epochs": 2,
    "batch_size": 32,
    "augmentation": "none",
    "max_time": None,
    "random_state": 0,
    "architecture": OneConvNet(),
    "validation_split": 0.25,
}


def _memmap_images(tmp_path, n, size=16, seed=0):
    """Two classes (a dark or a bright upper half), as a read-only uint8 .npy memmap."""
    rng = np.random.default_rng(seed)
    X = rng.integers(60, 200, size=(n, size * size)).astype(np.uint8)
    y = np.arange(n) % 2
    X[y == 0, : size * size // 2] //= 4
    path = tmp_path / "images.npy"
    np.save(path, X)
    return np.load(path, mmap_mode="r"), y


def test_memmap_fit_equals_in_memory_float32_fit(tmp_path):
    X, y = _memmap_images(tmp_path, 64)
    params = {**PARAMS, "epochs": 1}
    from_memmap = KerasCNNClassifier(**params).fit(X, y)
    in_memory = KerasCNNClassifier(**params).fit(np.asarray(X, dtype=np.float32), y)
    assert from_memmap.pixel_scale_ == in_memory.pixel_scale_ == 1 / 255
    np.testing.assert_array_equal(from_memmap.predict_proba(X), in_memory.predict_proba(X))
    assert from_memmap.history_ == in_memory.history_


def test_memmap_fit_never_converts_the_whole_array(tmp_path):
    X, y = _memmap_images(tmp_path, 8000)
    float32_bytes = X.size * 4  # 8 MB: what converting X whole would allocate
    clf = KerasCNNClassifier(**{**PARAMS, "epochs": 1, "batch_size": 100, "validation_split": 0.05})
    # build and trace outside the measurement, with the batch shapes of the measured fit
    # (full batches of 100 for training and validation: JAX traces each new shape again)
    clf.fit(X[:2000], y[:2000])
    clf.set_params(warm_start=True)
    tracemalloc.start()
    clf.fit(X, y)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    # the validation rows are converted (0.4 MB); the training rows never are, whole.
    # On JAX the fit allocates about 2 MB more (measured 2.2 MB in all; its cause was not
    # looked into), still far from the 8 MB of a whole conversion.
    bound = 0.5 if keras.backend.backend() == "jax" else 0.25
    assert peak < bound * float32_bytes, peak


def test_batches_read_only_their_rows_and_convert_them():
    X = np.arange(20, dtype=np.uint8)[:, None]
    Y = np.arange(20)[:, None] * 2.0
    rows = np.array([3, 5, 7, 11, 13])
    batches = ShuffledBatches(X, Y[rows], None, batch_size=2, seed=0, rows=rows)
    assert len(batches) == 3
    xs, ys = zip(*(batches[i] for i in range(3)))
    assert all(x.dtype == np.float32 for x in xs)
    got = np.concatenate(xs)[:, 0]
    assert sorted(got.tolist()) == rows.tolist()
    np.testing.assert_array_equal(np.concatenate(ys)[:, 0], 2 * got)
