"""The LBP batch kernel: codes of many images at once, equal to scikit-image's.

:func:`~fer_features.features.lbp_code_images` and the LBP transformers call
it; it is kept apart from them as scikit-image keeps the kernel of
``local_binary_pattern`` (``skimage/feature/_texture.pyx``) apart from its API.

The codes reproduce :func:`skimage.feature.local_binary_pattern` exactly (same
neighbour coordinates, same bilinear interpolation with a constant-zero border,
same floating point operations in the same order, same mapping of bit patterns
to codes), but are computed for many images at once by one compiled loop
(numba, in :mod:`._lbp_numba`, imported on first use; compiled once per
machine and cached on disk).

How the batch kernel works
--------------------------
Neighbour ``i`` of pixel ``(r, c)`` sits at ``(r + rp[i], c + cp[i])`` with
``rp = round(-R sin(2 pi i / P), 5)`` and ``cp = round(R cos(2 pi i / P), 5)``.
Its value is scikit-image's bilinear interpolation::

    top    = (1 - dc) * I[r0, c0] + dc * I[r0, c1]
    bottom = (1 - dc) * I[r1, c0] + dc * I[r1, c1]
    value  = (1 - dr) * top + dr * bottom

with ``r0 = floor(r + rp[i])``, ``r1 = ceil(r + rp[i])``, ``dr = (r + rp[i]) - r0``
(likewise for columns) and zero outside the image. ``dr`` depends on the row
only and ``dc`` on the column only, so the kernel lays a few images side by
side in a zero-padded strip (the zeros between them are each image's zero
border) and runs each step along the strip's long rows: the horizontal pass
``top`` once per distinct ``cp``, shared by the neighbours (and the ``bottom``
rows) that use it, then one pass per neighbour. Bit ``i`` is set where
``value - centre >= 0``, which is ``value >= centre`` exactly in IEEE arithmetic.
Whole-number offsets need no interpolation (``(1 - 0) * x + 0 * y == x`` for
finite values). Images other than float64 are converted to float64 (exactly,
as scikit-image does) chunk by chunk, so the kernel is compiled for one
signature only (a few seconds, once per machine).

This is the arithmetic of scikit-image 0.26 (checked against the
installed version by the tests, on x86-64 where the compiled reference does not
fuse multiply-adds). scikit-image's development branch changes it (the
``v0 + t * (v1 - v0)`` form and a ``-1e-12`` tolerance), which would move a few
tie-breaking bits; the tests would show it.

The common ``P=8, R=1`` case has a kernel of its own
(:func:`._lbp_numba.lbp81_batch`): the neighbours lie on the 3x3 square around
each pixel, so it works one image at a time in a zero-bordered copy, with the
four on-pixel neighbours compared directly, the four diagonal ones
interpolated with the same weights and operations as above (two horizontal
passes, ``c + 0.70711`` and ``c - 0.70711``, shared by the rows above and below),
the 8-bit pattern mapped through a 256-entry table and counted into its cell's
histogram as it is computed. uint8 images go in as they are (converted to
float64 pixel by pixel, exactly); other dtypes are converted chunk by chunk.

The ``P``-bit pattern is then mapped to the method's code through a lookup table
built once per ``(P, method)`` for ``P <= 16``; for larger ``P`` (``uniform`` and
``nri_uniform`` only) the code is computed from the pattern's number of ones,
number of transitions and first one / first zero, as scikit-image does.
"""

from functools import lru_cache

import numpy as np

# pixels per chunk of images converted to float64 before the kernel (2 MB)
_CHUNK_PIXELS = 1 << 18


def _neighbour_offsets(P, R):
    """Row and column offsets of the ``P`` neighbours, as scikit-image rounds them."""
    angles = 2 * np.pi * np.arange(P, dtype=np.float64) / P
    rows = -R * np.sin(angles)
    cols = R * np.cos(angles)
    return np.round(rows, 5), np.round(cols, 5)


_POPCOUNT_BYTE = np.array([bin(i).count("1") for i in range(256)], dtype=np.int64)


def _popcount(x):
    """Number of set bits of each element of a uint64 array."""
    if hasattr(np, "bitwise_count"):  # NumPy >= 2.0
        return np.bitwise_count(x).astype(np.int64)
    total = np.zeros(x.shape, dtype=np.int64)
    for shift in range(0, 64, 8):
        total += _POPCOUNT_BYTE[(x >> np.uint64(shift)) & np.uint64(255)]
    return total


def _lowest_set_bit(x):
    """Index of the lowest set bit of each element of a uint64 array (-1 for 0)."""
    lowest = x & (~x + np.uint64(1))  # two's complement: keeps only the lowest set bit
    # frexp of 2**k is exactly (0.5, k + 1), and of 0 is (0, 0)
    return np.frexp(lowest.astype(np.float64))[1].astype(np.int64) - 1


def _pattern_codes(patterns, P, method):
    """Map ``P``-bit patterns (uint64 array) to scikit-image's codes for ``method``.

    ``uniform`` and ``nri_uniform`` follow scikit-image: ``changes`` counts the
    bit changes between neighbours ``i`` and ``i + 1`` for ``i < P - 1``; a
    pattern is uniform when ``changes <= 2``; ``nri_uniform`` numbers the uniform
    patterns by their number of ones and rotation (from the first one and the
    first zero).
    """
    patterns = np.asarray(patterns, dtype=np.uint64)
    if method == "default":
        return patterns.astype(np.int64)
    if method == "ror":
        # smallest value over the P circular right shifts
        best = patterns.copy()
        rot = patterns.copy()
        top = np.uint64(P - 1)
        for _ in range(1, P):
            rot = (rot >> np.uint64(1)) | ((rot & np.uint64(1)) << top)
            np.minimum(best, rot, out=best)
        return best.astype(np.int64)
    n_ones = _popcount(patterns)
    pairs = np.uint64((1 << (P - 1)) - 1)
    changes = _popcount((patterns ^ (patterns >> np.uint64(1))) & pairs)
    uniform = changes <= 2
    if method == "uniform":
        return np.where(uniform, n_ones, P + 1)
    # nri_uniform: index of the rotation of a uniform pattern
    first_one = _lowest_set_bit(patterns)
    first_zero = _lowest_set_bit(~patterns & np.uint64((1 << P) - 1))
    rot_index = np.where(first_one == 0, n_ones - first_zero, P - first_one)
    codes = 1 + (n_ones - 1) * P + rot_index
    codes = np.where(n_ones == 0, 0, codes)
    codes = np.where(n_ones == P, P * (P - 1) + 1, codes)
    return np.where(uniform, codes, P * (P - 1) + 2)


@lru_cache(maxsize=16)
def _code_table(P, method):
    """Lookup table from every ``P``-bit pattern to its code (``P <= 16``)."""
    codes = _pattern_codes(np.arange(2**P, dtype=np.uint64), P, method)
    table = codes.astype(np.uint8 if codes.max() < 256 else np.uint16)
    table.setflags(write=False)
    return table


def _chunks(n, h, w):
    step = max(1, _CHUNK_PIXELS // max(1, h * w))
    for start in range(0, n, step):
        yield slice(start, min(n, start + step))


# --- the compiled kernel ---------------------------------------------------------

_COMPILED_DTYPES = (np.float64,)  # others are converted to float64 first


@lru_cache(maxsize=32)
def _numba_plan(h, w, P, R):
    """Dense arrays of the interpolation plan, for :func:`._lbp_numba.lbp_batch`.

    scikit-image's indices and weights (``floor``, ``ceil`` and the fraction of
    ``position + offset``, in float64), one row per distinct column offset
    (``key_*``) and one per neighbour (``nb_*``).
    """
    rp, cp = _neighbour_offsets(P, R)
    pad = int(np.ceil(R)) + 1
    keys = {}
    key_rows = []
    nb = []
    for i in range(P):
        pos = np.arange(w, dtype=np.float64) + cp[i]
        clo = np.floor(pos)
        dc = pos - clo
        key = float(cp[i])
        if key not in keys:
            keys[key] = len(key_rows)
            lo = clo.astype(np.intp) + pad
            hi = np.ceil(pos).astype(np.intp) + pad
            # floor(c + offset) is c + floor(offset) for every column: a run
            if not (
                np.array_equal(lo, lo[0] + np.arange(w))
                and np.array_equal(hi, hi[0] + np.arange(w))
            ):
                raise ValueError(f"LBP radius R={R} is too large for images {w} pixels wide")
            key_rows.append((lo[0], hi[0], 1 - dc, dc, not dc.any()))
        pos = np.arange(h, dtype=np.float64) + rp[i]
        rlo = np.floor(pos)
        dr = pos - rlo
        nb.append(
            (
                keys[key],
                rlo.astype(np.intp) + pad,
                np.ceil(pos).astype(np.intp) + pad,
                1 - dr,
                dr,
                not dr.any(),
            )
        )
    key_arrays = tuple(
        np.ascontiguousarray(np.stack([row[j] for row in key_rows])) for j in range(5)
    )
    nb_arrays = tuple(np.ascontiguousarray(np.stack([row[j] for row in nb])) for j in range(6))
    for a in key_arrays + nb_arrays:
        a.setflags(write=False)
    return pad, key_arrays, nb_arrays


@lru_cache(maxsize=16)
def _code_mode(P, method):
    """How the kernel maps patterns to codes, and its table (uint16, read-only).

    One table type for every method, so that the kernel is compiled once per
    image dtype.
    """
    if method == "default":
        mode, table = 0, np.zeros(1, dtype=np.uint16)
    elif P <= 16:
        mode, table = 1, _code_table(P, method).astype(np.uint16)
    else:
        mode, table = (3 if method == "nri_uniform" else 2), np.zeros(1, dtype=np.uint16)
    table.setflags(write=False)
    return mode, table


_NO_BASE = np.zeros((1, 1), dtype=np.intp)
# strip columns: images are laid side by side until a strip is about this wide
_STRIP_COLUMNS = 512


@lru_cache(maxsize=32)
def _plan81(h, w):
    """Weights of the P=8, R=1 kernel (:func:`._lbp_numba.lbp81_batch`).

    Taken from the general plan, whose indices are checked to be those the
    kernel assumes: neighbours 0, 2, 4 and 6 on pixels, the diagonal neighbours
    1, 3 (rows ``r - 1``, ``r``) and 5, 7 (rows ``r``, ``r + 1``) interpolated
    between columns ``c``, ``c + 1`` (1, 7) or ``c - 1``, ``c`` (3, 5).
    """
    pad, (key_lo, key_hi, key_w0, key_w1, key_exact), nb = _numba_plan(h, w, 8, 1)
    nb_key, nb_lo, nb_hi, nb_w0, nb_w1, nb_exact = nb
    plus, minus = nb_key[1], nb_key[3]
    rows = np.arange(h)
    expected = (
        key_lo[plus] == pad
        and key_hi[plus] == pad + 1
        and key_lo[minus] == pad - 1
        and key_hi[minus] == pad
        and nb_key[7] == plus
        and nb_key[5] == minus
        and not key_exact[plus]
        and not key_exact[minus]
        and all(nb_exact[i] and key_exact[nb_key[i]] for i in (0, 2, 4, 6))
        and [key_lo[nb_key[i]] - pad for i in (0, 2, 4, 6)] == [1, 0, -1, 0]
        and all(
            np.array_equal(nb_lo[i] - pad, rows + d) for i, d in zip((0, 2, 4, 6), (0, -1, 0, 1))
        )
        and all(np.array_equal(nb_lo[i] - pad, rows - 1) for i in (1, 3))
        and all(np.array_equal(nb_hi[i] - pad, rows) for i in (1, 3))
        and all(np.array_equal(nb_lo[i] - pad, rows) for i in (5, 7))
        and all(np.array_equal(nb_hi[i] - pad, rows + 1) for i in (5, 7))
    )
    if not expected:  # pragma: no cover - scikit-image's offsets for (8, 1) are fixed
        return None
    col_w = np.stack([key_w0[plus], key_w1[plus], key_w0[minus], key_w1[minus]])
    row_w = np.stack([x for i in (1, 3, 5, 7) for x in (nb_w0[i], nb_w1[i])])
    for a in (col_w, row_w):
        a.setflags(write=False)
    return col_w, row_w


@lru_cache(maxsize=8)
def _table81(method):
    """Code of each 8-bit pattern (uint16, read-only)."""
    table = _pattern_codes(np.arange(256, dtype=np.uint64), 8, method).astype(np.uint16)
    table.setflags(write=False)
    return table


# image dtypes the P=8, R=1 kernel is compiled for (others are converted to float64)
_DTYPES_81 = (np.uint8, np.float64)


def _batches81(images, method, base, out, plan):
    from ._lbp_numba import lbp81_batch

    histogram = base is not None
    if base is None:
        base = _NO_BASE
    table = _table81(method)
    if images.dtype in _DTYPES_81:
        lbp81_batch(np.ascontiguousarray(images), *plan, table, base, histogram, out)
        return out
    for sl in _chunks(*images.shape):
        lbp81_batch(images[sl].astype(np.float64), *plan, table, base, histogram, out[sl])
    return out


def _compiled_batches(images, P, R, method, base, out):
    """Run the compiled kernel on ``images`` in chunks, filling ``out``."""
    from ._lbp_numba import lbp_batch

    n, h, w = images.shape
    if P == 8 and R == 1:
        plan = _plan81(h, w)
        if plan is not None:
            return _batches81(images, method, base, out, plan)
    pad, key_arrays, nb_arrays = _numba_plan(h, w, P, R)
    mode, table = _code_mode(P, method)
    histogram = base is not None
    per_strip = max(1, min(n, _STRIP_COLUMNS // (w + pad)))
    if base is None:
        base = _NO_BASE
    if images.dtype in _COMPILED_DTYPES:
        # C-contiguous and writeable: one compiled signature
        lbp_batch(
            np.require(images, requirements=["C", "W"]),
            pad,
            *key_arrays,
            *nb_arrays,
            mode,
            table,
            base,
            histogram,
            out,
            per_strip,
        )
        return out
    # other dtypes: converted to float64 (exactly, as scikit-image does) chunk by chunk
    for sl in _chunks(n, h, w):
        lbp_batch(
            images[sl].astype(np.float64),
            pad,
            *key_arrays,
            *nb_arrays,
            mode,
            table,
            base,
            histogram,
            out[sl],
            per_strip,
        )
    return out


def lbp_codes(images, P, R, method):
    """LBP code images ``(n, h, w)`` float64 of a batch (compiled kernel)."""
    n, h, w = images.shape
    out = np.empty((n, h * w), dtype=np.float64)
    return _compiled_batches(images, P, R, method, None, out).reshape(n, h, w)


def lbp_histograms(images, P, R, method, base, width):
    """Per-image histograms of codes: ``out[k, base[r, c] + code] += 1``.

    ``base`` (h, w) holds the offset of each pixel's cell in an image's
    ``width`` histogram bins. Returns ``(n, width)`` float64 counts.
    """
    out = np.zeros((images.shape[0], width), dtype=np.float64)
    return _compiled_batches(images, P, R, method, np.ascontiguousarray(base, dtype=np.intp), out)
