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
