"""The compiled loop of dense descriptors pooled from integral images (numba), loaded on first use.

:func:`._dense_sift._pooled_descriptors` calls :func:`pooled_descriptors`:
the cell sums of each channel, their gathering into the 4x4 cells of every
patch and SIFT's normalisation are fused in one pass over each image, where
numpy made a gathered copy, a transposed copy and two norms. The float32
operations are numpy's, in numpy's order (the squared lengths of descriptors of
128 values, SIFT's and the default Gabor bank's, are summed as numpy's pairwise
sum does), so those descriptors are the same numbers; other lengths may differ
in the last bit. Compiled once per machine (``cache=True``); one thread.
"""

import numpy as np
from numba import njit


@njit(cache=True, nogil=True)
def _squared_length(x, partial):
    """Sum of ``x * x`` in float32: numpy's pairwise order for up to 128 values.

    numpy sums a contiguous row of 8 to 128 values in 8 interleaved partial
    sums; longer rows are summed here 128 values at a time, in turn (numpy
    halves them instead, so the last bit may differ there). No recursion:
    numba's cache does not reload recursive functions safely. ``partial`` is
    a float32 scratch array of 8 values.
    """
    n = len(x)
    total = np.float32(0)
    for start in range(0, n, 128):
        stop = min(start + 128, n)
        if stop - start < 8:
            block = np.float32(0)
            for i in range(start, stop):
                block += x[i] * x[i]
        else:
            for j in range(8):
                partial[j] = x[start + j] * x[start + j]
            i = start + 8
            while i + 8 <= stop:
                for j in range(8):
                    partial[j] += x[i + j] * x[i + j]
                i += 8
            block = ((partial[0] + partial[1]) + (partial[2] + partial[3])) + (
                (partial[4] + partial[5]) + (partial[6] + partial[7])
            )
            while i < stop:
                block += x[i] * x[i]
                i += 1
        total = block if start == 0 else total + block
    return total


@njit(cache=True, nogil=True)
def pooled_descriptors(integral, bin_size, rows, cols, contrast_threshold, out):
    """Normalised descriptors of the 4x4 cells of every patch, from integral images.

    Parameters
    ----------
    integral : (n, channels, height + 1, width + 1) float32
        Per-channel integral images (a zero first row and column).
    bin_size : int
        Side of a cell in pixels.
    rows, cols : (R,) and (C,) int64
        Top and left pixel of each patch; patches are row-major.
    contrast_threshold : float
        A patch whose raw descriptor is shorter gets the zero vector.
    out : (n, R * C, 16 * channels) float32
        Filled with the descriptors, values ordered (cell row, cell column,
        channel): unit length, clipped at 0.2, unit length again. NaN stays NaN.
    """
    n, channels, h1, w1 = integral.shape
    b = bin_size
    cells = np.empty((channels, h1 - b, w1 - b), np.float32)
    size = out.shape[2]
    threshold = np.float32(contrast_threshold)
    tiny = np.float32(1e-12)
    clip = np.float32(0.2)
    partial = np.empty(8, np.float32)  # _squared_length's scratch
    for k in range(n):
        for o in range(channels):
            for r in range(h1 - b):
                for c in range(w1 - b):
                    value = integral[k, o, r + b, c + b] - integral[k, o, r, c + b]
                    value = value - integral[k, o, r + b, c]
                    cells[o, r, c] = value + integral[k, o, r, c]
        p = 0
        for r in rows:
            for c in cols:
                d = out[k, p]
                index = 0
                for i in range(4):
                    for j in range(4):
                        for o in range(channels):
                            d[index] = cells[o, r + i * b, c + j * b]
                            index += 1
                length = np.sqrt(_squared_length(d, partial))
                if length < threshold:
                    d[:] = 0
                else:
                    # comparisons that keep NaN, as np.maximum and np.minimum do
                    divisor = tiny if length < tiny else length
                    for v in range(size):
                        value = d[v] / divisor
                        d[v] = clip if value > clip else value
                    length = np.sqrt(_squared_length(d, partial))
                    divisor = tiny if length < tiny else length
                    for v in range(size):
                        d[v] = d[v] / divisor
                p += 1
    return out
