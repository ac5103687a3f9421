"""The compiled loop of the Gabor filter bank (numba), imported on first use.

:func:`._lgbp.gabor_magnitudes` calls :func:`gabor_batch` for the filters of
:func:`._lgbp.gabor_kernel`, which are separable: ``g(r, c) = v(r) u(c)``. Each
image is convolved by each filter as a row pass (``u`` along every row) then a
column pass (``v`` down every column), on the image and a zero border, with no
FFT and no work array larger than one image; the magnitude is rescaled to
0-255 per image and filter as it is written. Compiled once per machine
(``cache=True``); one thread.

Every innermost loop runs along one row through one-dimensional views of it,
so that the compiler vectorises it (indexing shifted by a tap, ``row[c - t]``,
kept it scalar: about 1.4 times slower); the work arrays of one row stay in
the first-level cache, which a pass over the whole image at a time does not
(slower again). Filters at ``theta`` and ``pi - theta`` share their passes
(``partner``): the eight filters of the default bank cost six row and six
column passes. The shared filter's factors are taken as the exact conjugate
of its partner's where the kernel's differ by rounding (``cos(3 pi / 4)`` is
not exactly ``-cos(pi / 4)``), and a Hermitian column pass sums its real and
imaginary parts as two sums each (``P - Q``, ``S + T``), so the magnitudes
differ from the earlier one-filter-at-a-time loop by about 1e-16 of the
response: a rounded magnitude changes only where it falls that close to a
half-integer.
"""

import numpy as np
from numba import njit


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
    n_filters = half.shape[0]
    hm = 0
    for f in range(n_filters):
        hm = max(hm, half[f])
    wp = w + 2 * hm
    padded = np.zeros((h, wp), dtype=np.float64)
    y_re = np.zeros((h + 2 * hm, w), dtype=np.float64)
    y_im = np.zeros((h + 2 * hm, w), dtype=np.float64)
    re = np.empty(w, dtype=np.float64)
    im = np.empty(w, dtype=np.float64)
    mag = np.empty((h, w), dtype=np.float64)
    mag2 = np.empty((h, w), dtype=np.float64)
    sp = np.empty(w, dtype=np.float64)
    sq = np.empty(w, dtype=np.float64)
    ss = np.empty(w, dtype=np.float64)
    st = np.empty(w, dtype=np.float64)
    shared = np.zeros(n_filters, dtype=np.bool_)
    for f in range(n_filters):
        if partner[f] >= 0:
            shared[partner[f]] = True
    for k in range(n):
        for r in range(h):
            for c in range(w):
                padded[r, c + hm] = images[k, r, c]
        for f in range(n_filters):
            if shared[f]:
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
            for r in range(h):
                m = mag[r]
                if sym:
                    # v[hf + t] y[r - t] + conj(v[hf + t]) y[r + t], as the four
                    # real sums P, Q, S, T of y = A + iB (see partner above)
                    b_re = v_re[f, hf]
                    b_im = v_im[f, hf]
                    ya = y_re[r + hm]
                    yb = y_im[r + hm]
                    for c in range(w):
                        sp[c] = b_re * ya[c]
                        sq[c] = b_im * yb[c]
                        ss[c] = b_im * ya[c]
                        st[c] = b_re * yb[c]
                    for t in range(1, hf + 1):
                        b_re = v_re[f, hf + t]
                        b_im = v_im[f, hf + t]
                        up_a = y_re[r + hm - t]
                        up_b = y_im[r + hm - t]
                        down_a = y_re[r + hm + t]
                        down_b = y_im[r + hm + t]
                        for c in range(w):
                            sp[c] += b_re * (up_a[c] + down_a[c])
                            sq[c] += b_im * (up_b[c] - down_b[c])
                            ss[c] += b_im * (up_a[c] - down_a[c])
                            st[c] += b_re * (up_b[c] + down_b[c])
                    for c in range(w):
                        re[c] = sp[c] - sq[c]
                        im[c] = ss[c] + st[c]
                    if pair >= 0:
                        m2 = mag2[r]
                        for c in range(w):
                            re_j = sp[c] + sq[c]
                            im_j = ss[c] - st[c]
                            m2[c] = np.sqrt(re_j * re_j + im_j * im_j)
                        for c in range(w):
                            peak2 = max(peak2, m2[c])
                else:
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
                for c in range(w):
                    m[c] = np.sqrt(re[c] * re[c] + im[c] * im[c])
                for c in range(w):
                    peak = max(peak, m[c])
            _write_rescaled(mag, peak, out[k, f])
            if pair >= 0:
                _write_rescaled(mag2, peak2, out[k, pair])
    return out


@njit(cache=True, nogil=True, inline="always")
def _write_rescaled(mag, peak, o):
    """``o = rint(mag * 255 / peak)``, zeros for a zero response."""
    scale = 255.0 / peak if peak > 0 else 0.0
    h, w = mag.shape
    for r in range(h):
        for c in range(w):
            o[r, c] = np.uint8(np.rint(mag[r, c] * scale))
