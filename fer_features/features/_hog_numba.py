"""The compiled loop of HOG cell histograms for 8-bit images (numba), imported on first use.

:func:`._hog.hog_histograms` calls :func:`hog_cells_uint8` for uint8 batches:
gradients, their magnitude and orientation bin (looked up from the tables of
``_hog._gradient_tables``) and the float32 accumulation of each cell are fused
in one pass over each image, in scikit-image's order. Compiled once per machine
(``cache=True``); one thread.
"""

import numpy as np
from numba import njit


@njit(cache=True, nogil=True)
def hog_cells_uint8(images, c_row, c_col, magnitude_table, bin_table, radius, out):
    """Cell orientation histograms of uint8 images, as scikit-image computes them.

    Parameters
    ----------
    images : (n, h, w) uint8
    c_row, c_col : int
        Cell size.
    magnitude_table, bin_table : (side * side,) float64 and int16
        Magnitude and bin (``orientations`` for none) of the integer gradient
        pair at ``(g_row + radius) * side + g_col + radius``, ``side = 2 radius + 1``.
    out : (n, h // c_row, w // c_col, orientations) float64
        ``total / (c_row * c_col)`` in float32, where each bin's ``total`` is
        accumulated in float32 pixel by pixel, row-major within the cell.
    """
    n, h, w = images.shape
    n_cr, n_cc, orientations = out.shape[1], out.shape[2], out.shape[3]
    side = 2 * radius + 1
    centre = radius * side + radius
    totals = np.zeros(orientations + 1, dtype=np.float32)
    area = np.float32(c_row * c_col)
    for k in range(n):
        image = images[k]
        for i in range(n_cr):
            for j in range(n_cc):
                totals[:] = 0
                for dy in range(c_row):
                    r = i * c_row + dy
                    row_inside = 0 < r < h - 1
                    for dx in range(c_col):
                        c = j * c_col + dx
                        index = centre
                        if row_inside:
                            index += (np.intp(image[r + 1, c]) - np.intp(image[r - 1, c])) * side
                        if 0 < c < w - 1:
                            index += np.intp(image[r, c + 1]) - np.intp(image[r, c - 1])
                        b = bin_table[index]
                        # the C float accumulator: (float)((double)total + magnitude)
                        totals[b] = np.float32(np.float64(totals[b]) + magnitude_table[index])
                for o in range(orientations):
                    out[k, i, j, o] = np.float64(totals[o] / area)
    return out


@njit(cache=True, nogil=True)
def _pairwise_sum(a, n):
    """``np.add.reduce`` of ``a[:n]`` (float64), in NumPy's order: 8 running sums."""
    if n < 8:
        res = 0.0
        for i in range(n):
            res += a[i]
        return res
    if n <= 128:
        r = a[:8].copy()
        i = 8
        while i < n - (n % 8):
            for j in range(8):
                r[j] += a[i + j]
            i += 8
        res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]))
        while i < n:
            res += a[i]
            i += 1
        return res
    half = n // 2
    half -= half % 8
    return _pairwise_sum(a[:half], half) + _pairwise_sum(a[half:], n - half)


@njit(cache=True, nogil=True)
def normalize_blocks_compiled(histograms, b_row, b_col, norm, eps, eps2, out):
    """``_hog.normalize_blocks`` with NumPy's operations in NumPy's order, block by block.

    ``norm``: 0 L1, 1 L1-sqrt, 2 L2, 3 L2-Hys; ``eps2`` is ``eps ** 2`` as Python
    computes it. ``out`` is
    ``(n, n_blocks_row, n_blocks_col, b_row, b_col, orientations)`` float64.
    """
    n, n_br, n_bc = out.shape[0], out.shape[1], out.shape[2]
    o = histograms.shape[3]
    size = b_row * b_col * o
    flat = np.empty(size, dtype=np.float64)
    work = np.empty(size, dtype=np.float64)
    for k in range(n):
        for br in range(n_br):
            for bc in range(n_bc):
                m = 0
                for i in range(b_row):
                    for j in range(b_col):
                        for q in range(o):
                            flat[m] = histograms[k, br + i, bc + j, q]
                            m += 1
                if norm <= 1:
                    for m in range(size):
                        work[m] = abs(flat[m])
                    d = _pairwise_sum(work, size) + eps
                    for m in range(size):
                        work[m] = flat[m] / d
                        if norm == 1:
                            work[m] = np.sqrt(work[m])
                else:
                    for m in range(size):
                        work[m] = flat[m] * flat[m]
                    d = np.sqrt(_pairwise_sum(work, size) + eps2)
                    for m in range(size):
                        work[m] = flat[m] / d
                    if norm == 3:
                        for m in range(size):
                            work[m] = min(work[m], 0.2)
                            flat[m] = work[m] * work[m]
                        d = np.sqrt(_pairwise_sum(flat, size) + eps2)
                        for m in range(size):
                            work[m] = work[m] / d
                m = 0
                for i in range(b_row):
                    for j in range(b_col):
                        for q in range(o):
                            out[k, br, bc, i, j, q] = work[m]
                            m += 1
    return out
