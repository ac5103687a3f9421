"""The compiled loop of the Gabor filter bank (numba), imported on first use.

:func:`._lgbp.gabor_magnitudes` calls :func:`gabor_batch` for the filters of
:func:`._lgbp.gabor_kernel`, which are separable: ``g(r, c) = v(r) u(c)``. Each
image is convolved by each filter as a row pass (``u`` along every row) then a
column pass (``v`` down every column), on the image and a zero border, with no
FFT and no work array larger than one image; the magnitude is rescaled to
0-255 per image and filter as it is written. Compiled once per machine
(``cache=True``); one thread.

Every innermost loop runs along one-dimensional views, so that the compiler
vectorises it (indexing shifted by a tap, ``row[c - t]``, kept it scalar:
about 1.4 times slower): the row pass along one row, the Hermitian column pass
along a block of ``_BLOCK_ROWS`` rows, contiguous in the work arrays, which
stay in the first-level cache (a pass over the whole image at a time does not,
and was slower; one row at a time spent more in starting each loop).

Filters at ``theta`` and ``pi - theta`` share their passes (``partner``):
the eight filters of the default bank cost six row and six column passes.
The shared filter's factors are taken as the exact conjugate
of its partner's where the kernel's differ by rounding (``cos(3 pi / 4)`` is
not exactly ``-cos(pi / 4)``), and a Hermitian column pass sums its real and
imaginary parts as two sums each (``P - Q``, ``S + T``), so the magnitudes
differ from the earlier one-filter-at-a-time loop by about 1e-16 of the
response: a rounded magnitude changes only where it falls that close to a
half-integer.

:func:`lgbp81_batch` runs the LBP kernel of :mod:`._lbp_numba` on each
image's magnitude images as soon as they are made (LGBP with ``P=8, R=1``).
numba's on-disk cache checks this file only, not the functions it calls from
:mod:`._lbp_numba`: after editing that file, clear the cache (the
``__pycache__/_gabor_numba.*.nb*`` files) or touch this one.
"""

import numpy as np
from numba import njit

from ._lbp_numba import _count81, _lbp81_image

# rows of one block of the Hermitian column pass: its work arrays (4 sums of
# 4 rows of 48 pixels) stay in the first-level cache while each loop over the
# block runs long enough to amortise its start (about 10 % faster than one row)
_BLOCK_ROWS = 4


@njit(cache=True, nogil=True)
def _workspace(h, w, half):
    """Work arrays of :func:`_gabor_image` for ``(h, w)`` images."""
    hm = 0
    for f in range(half.shape[0]):
        hm = max(hm, half[f])
    padded = np.zeros((h, w + 2 * hm), dtype=np.float64)
    y_re = np.zeros((h + 2 * hm, w), dtype=np.float64)
    y_im = np.zeros((h + 2 * hm, w), dtype=np.float64)
    rows = np.empty((2, w), dtype=np.float64)
    mags = np.empty((2, h, w), dtype=np.float64)
    sums = np.empty((4, _BLOCK_ROWS * w), dtype=np.float64)
    return padded, y_re, y_im, rows, mags, sums


@njit(cache=True, nogil=True)
def gabor_batch(images, u_re, u_im, v_re, v_im, half, symmetric, partner, out):
    """Gabor magnitudes of each image, rescaled to integers 0-255.

    Parameters
    ----------
    images : (n, h, w) uint8 or float64
    u_re, u_im : (n_filters, k_max) float64
        Real and imaginary parts of each filter's factor along the columns
        (``u[b]`` for column offset ``b - half``).
    v_re, v_im : (n_filters, k_max) float64
        The same for the factor along the rows.
    half : (n_filters,) intp
        Half width of each filter (``2 half + 1`` taps).
    symmetric : (n_filters,) bool
        Both factors are Hermitian (``u[half - t] == conj(u[half + t])``, the
        same for ``v``), as Gabor filters are: each pair of taps ``half +- t``
        then costs one multiplication per part, on the sum and the difference
        of the two pixels.
    partner : (n_filters,) intp
        For a Hermitian filter ``f``, a later filter ``j`` whose row factor is
        ``conj(u[f])`` and whose column factor is ``v[f]`` (Gabor filters at
        ``theta`` and ``pi - theta``), else -1. Filter ``j`` is then computed
        from ``f``'s row pass: the row pass of a real image by ``conj(u)`` is
        the conjugate of its pass by ``u``, so with ``y = A + iB`` the column
        pass's four real sums ``P = v_re A``, ``Q = v_im B``, ``S = v_im A``
        and ``T = v_re B`` give ``f`` as ``(P - Q) + i (S + T)`` and ``j`` as
        ``(P + Q) + i (S - T)``: one row pass and one column pass for the two.
    out : (n, n_filters, h, w) uint8
        ``rint(|image * g| * 255 / max |image * g|)``, zero for a zero response.
    """
    n, h, w = images.shape
    work = _workspace(h, w, half)
    for k in range(n):
        _gabor_image(images[k], u_re, u_im, v_re, v_im, half, symmetric, partner, work, out[k])
    return out


@njit(cache=True, nogil=True)
def _gabor_image(image, u_re, u_im, v_re, v_im, half, symmetric, partner, work, out):
    """:func:`gabor_batch` of one image into ``out`` (n_filters, h, w) uint8."""
    padded, y_re, y_im, rows, mags, sums = work
    h, w = image.shape
    n_filters = half.shape[0]
    hm = (y_re.shape[0] - h) // 2
    re = rows[0]
    im = rows[1]
    mag = mags[0]
    mag2 = mags[1]
    sp = sums[0]
    sq = sums[1]
    ss = sums[2]
    st = sums[3]
    yrf = y_re.reshape(-1)
    yif = y_im.reshape(-1)
    magf = mag.reshape(-1)
    mag2f = mag2.reshape(-1)
    for r in range(h):
        for c in range(w):
            padded[r, c + hm] = image[r, c]
    for f in range(n_filters):
        shared = False
        for g in range(f):
            if partner[g] == f:
                shared = True
        if shared:
            continue  # written with its partner
        hf = half[f]
        sym = symmetric[f]
        pair = partner[f]
        # row pass: y[p, c] = sum_b u[b] x[p, c + hf - b]
        for p in range(h):
            yr = y_re[p + hm]
            yi = y_im[p + hm]
            row = padded[p]
            if sym:
                # u[hf + t] x[c - t] + conj(u[hf + t]) x[c + t]
                a_re = u_re[f, hf]
                a_im = u_im[f, hf]
                centre = row[hm : hm + w]
                for c in range(w):
                    x = centre[c]
                    yr[c] = a_re * x
                    yi[c] = a_im * x
                for t in range(1, hf + 1):
                    a_re = u_re[f, hf + t]
                    a_im = u_im[f, hf + t]
                    before = row[hm - t : hm - t + w]
                    after = row[hm + t : hm + t + w]
                    for c in range(w):
                        yr[c] += a_re * (before[c] + after[c])
                        yi[c] += a_im * (before[c] - after[c])
            else:
                for c in range(w):
                    yr[c] = 0.0
                    yi[c] = 0.0
                for b in range(2 * hf + 1):
                    a_re = u_re[f, b]
                    a_im = u_im[f, b]
                    src = row[hm + hf - b : hm + hf - b + w]
                    for c in range(w):
                        yr[c] += a_re * src[c]
                        yi[c] += a_im * src[c]
        # column pass: z[r, c] = sum_a v[a] y[r + hf - a, c]
        peak = 0.0
        peak2 = 0.0
        if sym:
            # v[hf + t] y[r - t] + conj(v[hf + t]) y[r + t], as the four real
            # sums P, Q, S, T of y = A + iB (see partner above), over blocks of
            # rows: a block's rows are contiguous in y and in the magnitudes
            for r0 in range(0, h, _BLOCK_ROWS):
                m = min(_BLOCK_ROWS, h - r0) * w
                o = (r0 + hm) * w
                b_re = v_re[f, hf]
                b_im = v_im[f, hf]
                ya = yrf[o : o + m]
                yb = yif[o : o + m]
                for c in range(m):
                    sp[c] = b_re * ya[c]
                    sq[c] = b_im * yb[c]
                    ss[c] = b_im * ya[c]
                    st[c] = b_re * yb[c]
                for t in range(1, hf + 1):
                    b_re = v_re[f, hf + t]
                    b_im = v_im[f, hf + t]
                    up_a = yrf[o - t * w : o - t * w + m]
                    up_b = yif[o - t * w : o - t * w + m]
                    down_a = yrf[o + t * w : o + t * w + m]
                    down_b = yif[o + t * w : o + t * w + m]
                    for c in range(m):
                        sp[c] += b_re * (up_a[c] + down_a[c])
                        sq[c] += b_im * (up_b[c] - down_b[c])
                        ss[c] += b_im * (up_a[c] - down_a[c])
                        st[c] += b_re * (up_b[c] + down_b[c])
                block = magf[r0 * w : r0 * w + m]
                for c in range(m):
                    re_f = sp[c] - sq[c]
                    im_f = ss[c] + st[c]
                    block[c] = np.sqrt(re_f * re_f + im_f * im_f)
                peak = max(peak, _peak(block))
                if pair >= 0:
                    block = mag2f[r0 * w : r0 * w + m]
                    for c in range(m):
                        re_j = sp[c] + sq[c]
                        im_j = ss[c] - st[c]
                        block[c] = np.sqrt(re_j * re_j + im_j * im_j)
                    peak2 = max(peak2, _peak(block))
        else:
            for r in range(h):
                for c in range(w):
                    re[c] = 0.0
                    im[c] = 0.0
                for a in range(2 * hf + 1):
                    b_re = v_re[f, a]
                    b_im = v_im[f, a]
                    yr = y_re[r + hm + hf - a]
                    yi = y_im[r + hm + hf - a]
                    for c in range(w):
                        re[c] += b_re * yr[c] - b_im * yi[c]
                        im[c] += b_re * yi[c] + b_im * yr[c]
                block = mag[r]
                for c in range(w):
                    block[c] = np.sqrt(re[c] * re[c] + im[c] * im[c])
                peak = max(peak, _peak(block))
        _write_rescaled(mag, peak, out[f])
        if pair >= 0:
            _write_rescaled(mag2, peak2, out[pair])


@njit(cache=True, nogil=True)
def _peak(values):
    """The largest of ``values`` (1-D, not empty, no NaN), as four running maxima.

    One running maximum is a chain of dependent comparisons that the compiler
    cannot vectorise (``max`` is not a reduction it knows); four independent
    ones run faster. The maximum is the same.
    """
    n = values.shape[0]
    p0 = p1 = p2 = p3 = values[0]
    whole = n - n % 4
    for c in range(0, whole, 4):
        p0 = max(p0, values[c])
        p1 = max(p1, values[c + 1])
        p2 = max(p2, values[c + 2])
        p3 = max(p3, values[c + 3])
    for c in range(whole, n):
        p0 = max(p0, values[c])
    return max(max(p0, p1), max(p2, p3))


@njit(cache=True, nogil=True, inline="always")
def _write_rescaled(mag, peak, o):
    """``o = rint(mag * 255 / peak)``, zeros for a zero response."""
    scale = 255.0 / peak if peak > 0 else 0.0
    h, w = mag.shape
    for r in range(h):
        for c in range(w):
            o[r, c] = np.uint8(np.rint(mag[r, c] * scale))


@njit(cache=True, nogil=True)
def lgbp81_batch(
    images,
    u_re,
    u_im,
    v_re,
    v_im,
    half,
    symmetric,
    partner,
    col_w,
    row_w,
    table,
    base,
    n_bins,
    norm,
    out,
):
    """LBP (P=8, R=1) cell histograms of each image's Gabor magnitude images.

    :func:`gabor_batch` then :func:`._lbp_numba.lbp81_batch` with cell
    histograms, image by image, so that an image's magnitude images never leave
    the CPU cache; the same operations, so the same values.

    Parameters
    ----------
    images : (n, h, w) uint8 or float64
    u_re, u_im, v_re, v_im, half, symmetric, partner
        The filters, as for :func:`gabor_batch`.
    col_w, row_w, table, base
        As for :func:`._lbp_numba.lbp81_batch`.
    n_bins : int
        Bins of one cell's histogram: ``base`` holds multiples of it and
        ``table`` codes below it.
    norm : int
        0: counts; 1: each cell's histogram divided by its sum (L1); 2: by its
        Euclidean norm (L2), as :class:`~fer_features.LBPTransformer` does.
    out : (n, n_filters * width) float64
        Filter by filter, the ``width`` bins of one magnitude image's cells.
    """
    n, h, w = images.shape
    n_filters = half.shape[0]
    width = out.shape[1] // n_filters
    work = _workspace(h, w, half)
    mags = np.empty((n_filters, h, w), dtype=np.uint8)
    padded = np.zeros((h + 2, w + 2), dtype=np.float64)
    h_plus = np.empty((h + 2, w), dtype=np.float64)
    h_minus = np.empty((h + 2, w), dtype=np.float64)
    pattern = np.empty((h, w), dtype=np.uint8)
    counts = np.zeros((4, width), dtype=np.int32)
    for k in range(n):
        _gabor_image(images[k], u_re, u_im, v_re, v_im, half, symmetric, partner, work, mags)
        for f in range(n_filters):
            _lbp81_image(mags[f], padded, h_plus, h_minus, col_w, row_w, pattern)
            hist = out[k, f * width : (f + 1) * width]
            _count81(pattern, table, base, counts, hist)
            if norm == 0:
                continue
            for b0 in range(0, width, n_bins):
                cell = hist[b0 : b0 + n_bins]
                total = 0.0
                for b in range(n_bins):
                    total += cell[b] if norm == 1 else cell[b] * cell[b]
                if norm == 2:
                    total = np.sqrt(total)
                for b in range(n_bins):
                    cell[b] /= total
    return out
