"""The beyond-memory recipe (examples/plot_beyond_memory.py, docs/guide/scale.rst):
features of a memory-mapped file through dask, stored to disk, then a linear
model trained chunk by chunk with partial_fit."""

import runpy
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("dask.array")

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "plot_beyond_memory.py"


@pytest.fixture(scope="module")
def recipe():
    return runpy.run_path(str(EXAMPLE))


def test_stored_features_equal_the_in_memory_ones(recipe):
    from fer_features import LBPTransformer

    expected = LBPTransformer(grid_shape=(6, 6)).fit_transform(recipe["faces"].data)
    X = recipe["X"]
    assert isinstance(X, np.memmap) and X.dtype == np.float32
    np.testing.assert_array_equal(X, expected.astype(np.float32))


def test_chunked_training_saw_every_training_row_and_learns(recipe):
    scaler, clf = recipe["scaler"], recipe["clf"]
    assert scaler.n_samples_seen_ == recipe["n_train"]
    np.testing.assert_allclose(
        scaler.mean_, np.asarray(recipe["X"][: recipe["n_train"]]).mean(0), rtol=1e-6, atol=1e-6
    )
    assert clf.t_ == 5 * recipe["n_train"] + 1  # five epochs of every training row
    chance = np.bincount(recipe["labels"]).max() / len(recipe["labels"])
    assert recipe["accuracy"] > chance + 0.05  # 7 classes of synthetic faces: LBP is weak on them
