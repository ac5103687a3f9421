"""The LBP batch kernel: codes of many images at once, equal to scikit-image's.

:func:`~fer_features.features.lbp_code_images` and the LBP transformers call
it; it is kept apart from them as scikit-image keeps the kernel of
``local_binary_pattern`` (``skimage/feature/_texture.pyx``) apart from its API.

The codes reproduce :func:`skimage.feature.local_binary_pattern` exactly (same
neighbour coordinates, same bilinear interpolation with a constant-zero border,
same floating point operations in the same order, same mapping of bit patterns
to codes), but are computed with NumPy on many images at once.

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
only and ``dc`` on the column only, so for a whole batch the interpolation is a
handful of array operations on shifted views of a zero-padded copy: the
horizontal pass ``top`` is computed once per distinct ``cp`` and shared by the
neighbours (and the ``bottom`` rows) that use it. Bit ``i`` is set where
``value - centre >= 0``, which is ``value >= centre`` exactly in IEEE arithmetic.
Axis-aligned neighbours need no interpolation (``value`` is the pixel itself),
and on integer images they are compared in the integer dtype.

This is the arithmetic of scikit-image 0.26 (checked against the
installed version by the tests, on x86-64 where the compiled reference does not
fuse multiply-adds). scikit-image's development branch changes it (the
``v0 + t * (v1 - v0)`` form and a ``-1e-12`` tolerance), which would move a few
tie-breaking bits; the tests would show it.

The ``P``-bit pattern is then mapped to the method's code through a lookup table
built once per ``(P, method)`` for ``P <= 16``; for larger ``P`` (``uniform`` and
``nri_uniform`` only) the code is computed from the pattern's number of ones,
number of transitions and first one / first zero, as scikit-image does.
"""

from functools import lru_cache

import numpy as np

# pixels per chunk: the float64 work arrays of one chunk stay within a few MB
_CHUNK_PIXELS = 1 << 15


def _neighbour_offsets(P, R):
    """Row and column offsets of the ``P`` neighbours, as scikit-image rounds them."""
    angles = 2 * np.pi * np.arange(P, dtype=np.float64) / P
    rows = -R * np.sin(angles)
    cols = R * np.cos(angles)
    return np.round(rows, 5), np.round(cols, 5)


def _axis_terms(n, offset, pad):
    """Interpolation indices (into the padded axis) and weights along one axis.

    Returns ``(lo, hi, frac)``: for each of the ``n`` positions ``p``, the padded
    indices of ``floor(p + offset)`` and ``ceil(p + offset)`` and the fraction
    ``(p + offset) - floor(p + offset)``, all computed in float64 as scikit-image
    does.
    """
    pos = np.arange(n, dtype=np.float64) + offset
    lo = np.floor(pos)
    hi = np.ceil(pos)
    frac = pos - lo
    return _index_spec(lo.astype(np.intp) + pad), _index_spec(hi.astype(np.intp) + pad), frac


def _index_spec(index):
    """A slice when ``index`` is a contiguous run (a view, no copy), else the array."""
    start = int(index[0])
    if np.array_equal(index, np.arange(start, start + index.size)):
        return slice(start, start + index.size)
    return index


def _select(a, spec, axis):
    if isinstance(spec, slice):
        return a[(slice(None),) * axis + (spec,)]
    return np.take(a, spec, axis=axis)


def _pattern_dtype(P):
    if P <= 8:
        return np.uint8
    if P <= 16:
        return np.uint16
    return np.uint32


@lru_cache(maxsize=32)
def _plan(h, w, P, R):
    """What to compute for each neighbour, for images of shape ``(h, w)``.

    Returns ``(pad, horizontal, neighbours)``: ``horizontal`` maps a column
    offset to ``(left, right, 1 - dc, dc)`` (``right`` None when the offset is
    a whole number: no horizontal interpolation); ``neighbours`` lists, per
    neighbour, ``("pixel", rows, cols)`` for a neighbour that is a pixel, or
    ``("interp", key, top_rows, bottom_rows, 1 - dr, dr)`` (``bottom_rows``
    None when the row offset is a whole number).
    """
    rp, cp = _neighbour_offsets(P, R)
    pad = int(np.ceil(R)) + 1
    horizontal = {}
    neighbours = []
    for i in range(P):
        rlo, rhi, dr = _axis_terms(h, rp[i], pad)
        clo, chi, dc = _axis_terms(w, cp[i], pad)
        row_exact = not dr.any()
        col_exact = not dc.any()
        if row_exact and col_exact:
            # value = (1 - 0) * pixel + 0 * pixel = pixel, exactly
            neighbours.append(("pixel", rlo, clo))
            continue
        key = float(cp[i])
        if key not in horizontal:
            horizontal[key] = (clo, None, None, None) if col_exact else (clo, chi, 1 - dc, dc)
        if row_exact:
            neighbours.append(("interp", key, rlo, None, None, None))
        else:
            neighbours.append(("interp", key, rlo, rhi, (1 - dr)[:, None], dr[:, None]))
    return pad, horizontal, neighbours


def _lbp_patterns(images, P, R):
    """Raw ``P``-bit LBP patterns (bit ``i`` = neighbour ``i`` >= centre) of a chunk.

    Parameters
    ----------
    images : ndarray of shape (n, h, w)
        Any real dtype; interpolation happens in float64 as in scikit-image.

    Returns
    -------
    patterns : ndarray of shape (n, h, w), unsigned integers
    """
    n, h, w = images.shape
    pad, horizontal, neighbours = _plan(h, w, P, R)
    inner = (slice(None), slice(pad, pad + h), slice(pad, pad + w))

    padded = np.zeros((n, h + 2 * pad, w + 2 * pad), dtype=np.float64)
    padded[inner] = images
    center = padded[inner]
    integer = images.dtype.kind in "ui" and images.dtype.itemsize <= 4
    if integer and any(kind == "pixel" for kind, *_ in neighbours):
        # whole-pixel neighbours are compared in the integer dtype (exact)
        ipadded = np.zeros(padded.shape, dtype=images.dtype)
        ipadded[inner] = images
        source, centre = ipadded, ipadded[inner]
    else:
        source, centre = padded, center

    # horizontal pass of the interpolation, once per distinct column offset,
    # over all padded rows: top = (1 - dc) * left + dc * right
    tops = {}
    for key, (left, right, one_minus_dc, dc) in horizontal.items():
        top = _select(padded, left, 2)
        if right is not None:
            top = np.multiply(one_minus_dc, top)
            top += dc * _select(padded, right, 2)
        tops[key] = top

    # bits are gathered byte by byte (uint8 multiply-adds vectorise well;
    # shifts do not), then the bytes are combined into the pattern
    n_bytes = (P + 7) // 8
    pattern_bytes = np.zeros((n_bytes, n, h, w), dtype=np.uint8)
    bit = np.empty((n, h, w), dtype=bool)
    bit_u8 = bit.view(np.uint8)
    weighted = np.empty((n, h, w), dtype=np.uint8)
    value = np.empty((n, h, w), dtype=np.float64)
    scratch = np.empty((n, h, w), dtype=np.float64)

    for i, (kind, *spec) in enumerate(neighbours):
        if kind == "pixel":
            rows, cols = spec
            np.greater_equal(_select(_select(source, rows, 1), cols, 2), centre, out=bit)
        else:
            key, top_rows, bottom_rows, one_minus_dr, dr = spec
            top = _select(tops[key], top_rows, 1)
            if bottom_rows is None:
                neighbour = top  # value = (1 - 0) * top + 0 * bottom = top
            else:
                # value = (1 - dr) * top + dr * bottom, as scikit-image computes it
                np.multiply(one_minus_dr, top, out=value)
                np.multiply(dr, _select(tops[key], bottom_rows, 1), out=scratch)
                np.add(value, scratch, out=value)
                neighbour = value
            # value - centre >= 0  <=>  value >= centre in IEEE arithmetic
            np.greater_equal(neighbour, center, out=bit)
        byte, shift = divmod(i, 8)
        np.multiply(bit_u8, np.uint8(1 << shift), out=weighted)
        np.add(pattern_bytes[byte], weighted, out=pattern_bytes[byte])
    if n_bytes == 1:
        return pattern_bytes[0]
    pattern = pattern_bytes[0].astype(_pattern_dtype(P))
    for byte in range(1, n_bytes):
        pattern |= pattern_bytes[byte].astype(pattern.dtype) << (8 * byte)
    return pattern


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


def _codes_of_chunk(images, P, R, method):
    """LBP codes (small unsigned integers) of a chunk of images."""
    patterns = _lbp_patterns(images, P, R)
    if method == "default":
        return patterns
    if P <= 16:
        return np.take(_code_table(P, method), patterns)
    return _pattern_codes(patterns, P, method)


def _chunks(n, h, w):
    step = max(1, _CHUNK_PIXELS // max(1, h * w))
    for start in range(0, n, step):
        yield slice(start, min(n, start + step))
