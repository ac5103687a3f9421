"""Transforming data larger than memory, block by block.

Every transformer of :mod:`fer_features.features` and
:mod:`fer_features.preprocessing` decorates its ``transform`` with
:func:`blockwise`, which adds two ways in besides the ordinary in-memory one:

- a ``dask.array`` of flattened (or 3-D) images: ``transform`` returns a
  ``dask.array`` built with ``map_blocks`` over chunks of rows, the output
  width and dtype known from the fitted transformer. Nothing is computed
  until the caller computes or stores it (``da.store``,
  ``da.to_npy_stack``), so the features of images on disk never need to fit
  in memory;
- a :class:`numpy.memmap` (or any array of more than :data:`BLOCK_BYTES`):
  ``transform`` reads and transforms it :data:`BLOCK_PIXELS` pixels at a time
  into one preallocated output, so the work arrays (float copies, gradients,
  Gabor responses) are those of one block and a read-only memmap's pages are
  released after each block.

dask is imported only when a dask array is given.
"""

import functools
import mmap
import sys

import numpy as np

__all__ = ["BLOCK_BYTES", "BLOCK_PIXELS", "blockwise", "block_rows", "is_dask_array"]

# pixels per block of rows: 4M pixels, about 1800 images of 48x48
BLOCK_PIXELS = 1 << 22
# in-memory arrays larger than this are transformed block by block too
BLOCK_BYTES = 1 << 28


def is_dask_array(X):
    """Whether ``X`` is a ``dask.array.Array`` (without importing dask)."""
    if "dask.array" not in sys.modules:
        return False
    import dask.array as da

    return isinstance(X, da.Array)


def block_rows(n_features, block_pixels=None):
    """Rows per block for rows of ``n_features`` values (at least one).

    Examples
    --------
    >>> from fer_features._blocks import block_rows
    >>> block_rows(48 * 48, block_pixels=48 * 48 * 100)
    100
    >>> block_rows(10**9, block_pixels=1000)
    1
    """
    block_pixels = BLOCK_PIXELS if block_pixels is None else block_pixels
    return max(1, int(block_pixels) // max(1, int(n_features)))


def _probe(transform, estimator, X):
    """Output width and dtype of ``transform`` on one zero row shaped like ``X``'s."""
    with np.errstate(all="ignore"):
        out = np.asarray(transform(estimator, np.zeros((1, *X.shape[1:]), dtype=X.dtype)))
    if out.ndim != 2:
        raise ValueError(
            f"{type(estimator).__name__}.transform of dask arrays needs 2-D output, "
            f"got {out.ndim}-D"
        )
    return out.shape[1], out.dtype


def _transform_dask(transform, estimator, X):
    if X.ndim < 2:
        raise ValueError(
            f"{type(estimator).__name__} expects a 2-D dask array (n_samples, n_features) "
            f"or 3-D images; got a dask array of shape {X.shape}"
        )
    width, dtype = _probe(transform, estimator, X)
    # whole rows in each block, only the rows split
    X = X.rechunk({axis: -1 for axis in range(1, X.ndim)})
    drop = tuple(range(2, X.ndim))

    def block(x):
        return np.asarray(transform(estimator, x))

    return X.map_blocks(
        block,
        dtype=dtype,
        chunks=(X.chunks[0], (width,)),
        drop_axis=drop if drop else None,
        meta=np.empty((0, width), dtype=dtype),
    )


def _release_pages(X):
    """Drop the resident pages of a read-only memmap (the file keeps the data)."""
    base = X
    while base is not None and not isinstance(getattr(base, "_mmap", None), mmap.mmap):
        base = getattr(base, "base", None)
    if base is None or getattr(base, "mode", None) != "r":
        return
    advise = getattr(base._mmap, "madvise", None)
    dontneed = getattr(mmap, "MADV_DONTNEED", None)
    if advise is not None and dontneed is not None:
        try:
            advise(dontneed)
        except (OSError, ValueError):  # closed, or not supported here
            pass


def _transform_rows(transform, estimator, X, rows):
    n = X.shape[0]
    first = np.asarray(transform(estimator, X[:rows]))
    out = np.empty((n, *first.shape[1:]), dtype=first.dtype)
    out[: len(first)] = first
    del first
    for start in range(rows, n, rows):
        _release_pages(X)
        out[start : start + rows] = transform(estimator, X[start : start + rows])
    _release_pages(X)
    return out


def _needs_blocks(X, rows):
    if not isinstance(X, np.ndarray) or X.ndim < 2 or X.shape[0] <= rows:
        return False
    return isinstance(X, np.memmap) or X.nbytes > BLOCK_BYTES


def blockwise(transform):
    """Decorate a ``transform(self, X)`` so that it also takes data beyond memory.

    A ``dask.array`` gives a lazy ``dask.array`` (one ``transform`` call per
    chunk of rows); a :class:`numpy.memmap`, or an array of more than
    :data:`BLOCK_BYTES`, is transformed :data:`BLOCK_PIXELS` pixels at a
    time; anything else goes to ``transform`` unchanged. The result is the same
    as ``transform`` of the whole array, row for row.

    Parameters
    ----------
    transform : callable
        The method ``transform(self, X)`` of a fitted transformer whose rows
        are transformed independently of each other.

    Returns
    -------
    transform : callable
    """

    @functools.wraps(transform)
    def wrapper(self, X):
        if is_dask_array(X):
            return _transform_dask(transform, self, X)
        if isinstance(X, np.ndarray) and X.ndim >= 2:
            rows = block_rows(int(np.prod(X.shape[1:])))
            if _needs_blocks(X, rows):
                return _transform_rows(transform, self, X, rows)
        return transform(self, X)

    return wrapper
