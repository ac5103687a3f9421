"""
========================================
Features and a classifier beyond memory
========================================

A million 48x48 faces are 2.3 GB of pixels, their LBP features 1.4 GB as
float32 and 9 GB of float32 pixels for a CNN. None of it needs to fit in memory:
the images stay in a ``.npy`` file on disk, every transformer of the library
turns a ``dask.array`` into a lazy ``dask.array`` of features computed chunk by
chunk, ``dask.array.store`` writes them to another file, and a linear model
learns from that file a chunk at a time with ``partial_fit``. Shown here on
3,000 built-in synthetic faces; the code is the same for a million.
"""

# %%
# The images, in a file on disk
# -----------------------------
# Any ``(n_images, 48 * 48)`` uint8 ``.npy`` file; opened with
# ``mmap_mode="r"`` nothing is read until it is used.
import tempfile
from pathlib import Path

import dask.array as da
import numpy as np
from sklearn.linear_model import SGDClassifier
from sklearn.preprocessing import StandardScaler

from fer_features import LBPTransformer, make_synthetic_faces

folder = Path(tempfile.mkdtemp())
faces = make_synthetic_faces(3000, random_state=0)
np.save(folder / "images.npy", faces.data)
np.save(folder / "labels.npy", faces.target)

images = np.load(folder / "images.npy", mmap_mode="r")
labels = np.load(folder / "labels.npy")
print(f"images: {images.shape} {images.dtype}, {images.nbytes / 2**20:.1f} MiB on disk")

# %%
# Features, from disk to disk
# ---------------------------
# LBP learns nothing from the images but their shape: fit it on a few. Its
# ``transform`` of a dask array is lazy, one call per chunk of 500 rows; the
# store computes the chunks (in parallel threads) and writes each one as it
# comes, so memory holds a few chunks at a time.
lbp = LBPTransformer(grid_shape=(6, 6)).fit(images[:10])
features = lbp.transform(da.from_array(images, chunks=(500, -1))).astype(np.float32)
print(features)

out = np.lib.format.open_memmap(
    folder / "features.npy", mode="w+", dtype=features.dtype, shape=features.shape
)
da.store(features, out)
out.flush()
del out
X = np.load(folder / "features.npy", mmap_mode="r")

# %%
# A linear model, trained a chunk at a time
# -----------------------------------------
# ``StandardScaler.partial_fit`` takes the mean and variance over one pass of
# the chunks; ``SGDClassifier.partial_fit`` then makes a few passes (epochs),
# each chunk scaled as it is read. The last 500 faces are held out.
chunk, n_train = 500, 2500
classes = np.unique(labels)

scaler = StandardScaler()
for start in range(0, n_train, chunk):
    scaler.partial_fit(X[start : start + chunk])

clf = SGDClassifier(loss="log_loss", alpha=1e-4, random_state=0)
for _epoch in range(5):
    for start in range(0, n_train, chunk):
        rows = slice(start, start + chunk)
        clf.partial_fit(scaler.transform(X[rows]), labels[rows], classes=classes)

accuracy = clf.score(scaler.transform(X[n_train:]), labels[n_train:])
print(f"accuracy on the {len(X) - n_train} held-out faces: {accuracy:.3f}")
