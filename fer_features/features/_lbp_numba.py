"""The compiled loops of the LBP batch kernel (numba), imported on first use.

:mod:`._lbp_kernel` plans the work (neighbour offsets, interpolation indices and
weights, code tables) and calls :func:`lbp_batch`, which runs scikit-image's
arithmetic image by image in one compiled loop: no Python per image, and the
work arrays of one image stay in the CPU cache. Compiled functions are cached on
disk (``cache=True``), so only the first use on a machine pays the compilation;
the loops are serial (one thread), so the results never depend on scheduling,
and release the GIL (``nogil=True``), so that threads can share a batch.
:func:`lbp81_batch` is the ``P=8, R=1`` kernel (see :mod:`._lbp_kernel`).
"""

import numpy as np
from numba import njit


@njit(cache=True, nogil=True)
def _direct_code(pattern, P, nri):
    """``uniform`` / ``nri_uniform`` code of a ``P``-bit pattern, as scikit-image.

    ``changes`` counts the differing pairs of neighbours ``i``, ``i + 1`` for
    ``i < P - 1``; a pattern is uniform when ``changes <= 2``.
    """
    n_ones = 0
    changes = 0
    first_one = -1
    first_zero = -1
    previous = pattern & 1
    for i in range(P):
        bit = (pattern >> i) & 1
        if bit:
            n_ones += 1
            if first_one < 0:
                first_one = i
        elif first_zero < 0:
            first_zero = i
        if i > 0 and bit != previous:
            changes += 1
        previous = bit
    if not nri:
        return n_ones if changes <= 2 else P + 1
    if changes > 2:
        return P * (P - 1) + 2
    if n_ones == 0:
        return 0
    if n_ones == P:
        return P * (P - 1) + 1
    if first_one == 0:
        rot = n_ones - first_zero
    else:
        rot = P - first_one
    return 1 + (n_ones - 1) * P + rot


@njit(cache=True, nogil=True)
def lbp_batch(
    images,
    pad,
    key_lo,
    key_hi,
    key_w0,
    key_w1,
    key_exact,
    nb_key,
    nb_lo,
    nb_hi,
    nb_w0,
    nb_w1,
    nb_exact,
    code_mode,
    table,
    base,
    histogram,
    out,
    per_strip,
):
    """LBP codes or cell histograms of each image of ``images`` (n, h, w).

    Images are laid side by side, ``per_strip`` at a time, in a zero-padded
    strip (``pad`` zero columns between and around them, ``pad`` zero rows
    above and below), so that every pass runs along long rows. Each value is
    computed with scikit-image's operations in its order; the zeros between
    images are the zero border each image has in scikit-image.

    Parameters (prepared by ``_lbp_kernel._numba_plan``)
    ----------------------------------------------------
    pad : int
        Zero border around each image (more than the radius).
    key_lo, key_hi : (n_keys,) intp
        For each distinct column offset, the padded column of ``floor`` and of
        ``ceil`` for image column 0 (column ``c`` adds ``c``).
    key_w0, key_w1 : (n_keys, w) float64
        The weights ``1 - dc`` and ``dc`` of each column.
    key_exact : (n_keys,) bool
        The offset is a whole number: no horizontal interpolation.
    nb_key, nb_lo, nb_hi, nb_w0, nb_w1, nb_exact : per neighbour
        Its column-offset key, and along rows the padded indices of ``floor``
        and ``ceil``, the weights ``1 - dr`` and ``dr`` ((P, h) arrays), and
        whether the row offset is a whole number.
    code_mode : int
        0: the raw pattern (``default``); 1: ``table[pattern]``; 2 / 3:
        ``uniform`` / ``nri_uniform`` computed from the pattern (``P > 16``).
    base : (h, w) intp
        Histogram mode: offset of each pixel's cell in an image's histograms.
    histogram : bool
        True: ``out[k, base[r, c] + code] += 1``; False: ``out[k, r * w + c] = code``.
    out : (n, width) float64
        Zeroed histograms, or the flattened code images.
    per_strip : int
        Images per strip.
    """
    n, h, w = images.shape
    n_keys = key_lo.shape[0]
    P = nb_key.shape[0]
    hp = h + 2 * pad
    stride = w + pad
    width = per_strip * stride + pad
    span = width - 2 * pad  # strip columns from the first image's column 0
    strip = np.zeros((hp, width), dtype=np.float64)
    # horizontal pass of each interpolated column offset, strip column x at x - pad
    tops = np.zeros((n_keys, hp, span), dtype=np.float64)
    # per strip column, the weights of its image column (zero between images)
    w0 = np.zeros((n_keys, span), dtype=np.float64)
    w1 = np.zeros((n_keys, span), dtype=np.float64)
    for q in range(n_keys):
        for j in range(per_strip):
            for c in range(w):
                w0[q, j * stride + c] = key_w0[q, c]
                w1[q, j * stride + c] = key_w1[q, c]
    pattern = np.empty(span, dtype=np.uint32)
    codes = np.empty((h, span), dtype=np.intp)
    counts = np.zeros((2, out.shape[1] if histogram else 1), dtype=np.int32)
    for first in range(0, n, per_strip):
        m = min(per_strip, n - first)
        for j in range(m):
            for r in range(h):
                for c in range(w):
                    strip[r + pad, pad + j * stride + c] = images[first + j, r, c]
        # top = (1 - dc) * left + dc * right
        for q in range(n_keys):
            if not key_exact[q]:
                a = w0[q]
                b = w1[q]
                for r in range(hp):
                    left = strip[r, key_lo[q] : key_lo[q] + span]
                    right = strip[r, key_hi[q] : key_hi[q] + span]
                    row = tops[q, r]
                    for x in range(span):
                        row[x] = a[x] * left[x] + b[x] * right[x]
        for r in range(h):
            centre = strip[r + pad, pad : pad + span]
            pattern[:] = 0
            for i in range(P):
                q = nb_key[i]
                shift = np.uint32(i)
                if key_exact[q]:
                    top = strip[nb_lo[i, r], key_lo[q] : key_lo[q] + span]
                else:
                    top = tops[q, nb_lo[i, r]]
                if nb_exact[i]:
                    # value = (1 - 0) * top + 0 * bottom = top
                    for x in range(span):
                        pattern[x] |= np.uint32(top[x] >= centre[x]) << shift
                else:
                    if key_exact[q]:
                        bottom = strip[nb_hi[i, r], key_lo[q] : key_lo[q] + span]
                    else:
                        bottom = tops[q, nb_hi[i, r]]
                    a = nb_w0[i, r]
                    b = nb_w1[i, r]
                    for x in range(span):
                        # value - centre >= 0  <=>  value >= centre (IEEE)
                        value = a * top[x] + b * bottom[x]
                        pattern[x] |= np.uint32(value >= centre[x]) << shift
            # codes of the strip row
            if code_mode == 0:
                for x in range(span):
                    codes[r, x] = pattern[x]
            elif code_mode == 1:
                for x in range(span):
                    codes[r, x] = table[pattern[x]]
            else:
                for x in range(span):
                    codes[r, x] = _direct_code(pattern[x], P, code_mode == 3)
        for j in range(m):
            k = first + j
            x0 = j * stride
            if not histogram:
                for r in range(h):
                    for c in range(w):
                        out[k, r * w + c] = codes[r, x0 + c]
                continue
            # two interleaved histograms, so that runs of one code do not wait
            # on their own increments
            counts[:] = 0
            for r in range(h):
                cells = base[r]
                row = codes[r]
                for c in range(0, w - 1, 2):
                    counts[0, cells[c] + row[x0 + c]] += 1
                    counts[1, cells[c + 1] + row[x0 + c + 1]] += 1
                if w % 2:
                    counts[0, cells[w - 1] + row[x0 + w - 1]] += 1
            for b in range(counts.shape[1]):
                out[k, b] = counts[0, b] + counts[1, b]
    return out


@njit(cache=True, nogil=True)
def _lbp81_image(image, padded, h_plus, h_minus, col_w, row_w, pattern):
    """The P=8, R=1 patterns of one image into ``pattern`` (h, w) uint8.

    ``padded`` (h + 2, w + 2) float64 has a zero border that stays zero;
    ``h_plus`` / ``h_minus`` (h + 2, w) hold the horizontal interpolations of
    every padded row towards column ``c + 0.70711`` / ``c - 0.70711``.
    """
    h, w = image.shape
    for r in range(h):
        for c in range(w):
            padded[r + 1, c + 1] = image[r, c]
    a_p = col_w[0]
    b_p = col_w[1]
    a_m = col_w[2]
    b_m = col_w[3]
    for y in range(h + 2):
        row = padded[y]
        hp = h_plus[y]
        hm = h_minus[y]
        for c in range(w):
            # top = (1 - dc) * I[r0, c0] + dc * I[r0, c1]
            hp[c] = a_p[c] * row[c + 1] + b_p[c] * row[c + 2]
            hm[c] = a_m[c] * row[c] + b_m[c] * row[c + 1]
    for r in range(h):
        y = r + 1
        up = padded[y - 1]
        mid = padded[y]
        down = padded[y + 1]
        hp_up = h_plus[y - 1]
        hp_mid = h_plus[y]
        hp_down = h_plus[y + 1]
        hm_up = h_minus[y - 1]
        hm_mid = h_minus[y]
        hm_down = h_minus[y + 1]
        a1 = row_w[0, r]
        b1 = row_w[1, r]
        a3 = row_w[2, r]
        b3 = row_w[3, r]
        a5 = row_w[4, r]
        b5 = row_w[5, r]
        a7 = row_w[6, r]
        b7 = row_w[7, r]
        out = pattern[r]
        for c in range(w):
            centre = mid[c + 1]
            # value = (1 - dr) * top + dr * bottom; value - centre >= 0 <=> value >= centre
            v1 = a1 * hp_up[c] + b1 * hp_mid[c]
            v3 = a3 * hm_up[c] + b3 * hm_mid[c]
            v5 = a5 * hm_mid[c] + b5 * hm_down[c]
            v7 = a7 * hp_mid[c] + b7 * hp_down[c]
            out[c] = (
                np.uint8(mid[c + 2] >= centre)
                | (np.uint8(v1 >= centre) << np.uint8(1))
                | (np.uint8(up[c + 1] >= centre) << np.uint8(2))
                | (np.uint8(v3 >= centre) << np.uint8(3))
                | (np.uint8(mid[c] >= centre) << np.uint8(4))
                | (np.uint8(v5 >= centre) << np.uint8(5))
                | (np.uint8(down[c + 1] >= centre) << np.uint8(6))
                | (np.uint8(v7 >= centre) << np.uint8(7))
            )


@njit(cache=True, nogil=True)
def lbp81_batch(images, col_w, row_w, table, base, histogram, out):
    """``lbp_batch`` for P=8, R=1 (neighbours on the 3x3 square), one image at a time.

    Parameters
    ----------
    images : (n, h, w) uint8 or float64
    col_w : (4, w) float64
        ``1 - dc`` and ``dc`` of the column offsets ``+0.70711`` then ``-0.70711``.
    row_w : (8, h) float64
        ``1 - dr`` and ``dr`` of the diagonal neighbours 1, 3, 5 and 7.
    table : (256,) uint16
        Code of each pattern.
    base, histogram, out
        As for :func:`lbp_batch`.
    """
    n, h, w = images.shape
    padded = np.zeros((h + 2, w + 2), dtype=np.float64)
    h_plus = np.empty((h + 2, w), dtype=np.float64)
    h_minus = np.empty((h + 2, w), dtype=np.float64)
    pattern = np.empty((h, w), dtype=np.uint8)
    counts = np.zeros((4, out.shape[1] if histogram else 1), dtype=np.int32)
    for k in range(n):
        _lbp81_image(images[k], padded, h_plus, h_minus, col_w, row_w, pattern)
        if not histogram:
            for r in range(h):
                for c in range(w):
                    out[k, r * w + c] = table[pattern[r, c]]
            continue
        _count81(pattern, table, base, counts, out[k])
    return out


@njit(cache=True, nogil=True)
def _count81(pattern, table, base, counts, out):
    """``out[base[r, c] + table[pattern[r, c]]] += 1`` over the image, ``out`` zeroed first.

    Counted in four interleaved histograms (``counts``, (4, len(out)) int32),
    so that runs of one code do not wait on their own increments (four: about
    15 % faster than two on FER2013's Gabor magnitude images).
    """
    h, w = pattern.shape
    counts[:] = 0
    whole = w - w % 4
    for r in range(h):
        cells = base[r]
        row = pattern[r]
        for c in range(0, whole, 4):
            counts[0, cells[c] + table[row[c]]] += 1
            counts[1, cells[c + 1] + table[row[c + 1]]] += 1
            counts[2, cells[c + 2] + table[row[c + 2]]] += 1
            counts[3, cells[c + 3] + table[row[c + 3]]] += 1
        for c in range(whole, w):
            counts[0, cells[c] + table[row[c]]] += 1
    for b in range(out.shape[0]):
        out[b] = (counts[0, b] + counts[1, b]) + (counts[2, b] + counts[3, b])
