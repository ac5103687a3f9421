"""Finding duplicate, near-duplicate, conflicting and blank images.

The search never builds an all-pairs matrix: byte-equal images are collapsed
first (one sort of the rows), the remaining distinct images are compared by
the Hamming distance of their perceptual hashes a block of rows at a time
(XOR and popcount on uint64, ``block x n`` at once), and each pair within
``max_distance`` bits is confirmed by the correlation of its pixels. Groups
are the connected components of the pairs found (so a chain of near copies
is one group).
"""

from numbers import Integral, Real

import numpy as np

from ._phash import _as_uint8_images, _popcount, phash
from ._report import DuplicateReport

__all__ = ["find_duplicates"]

METHODS = ("exact", "phash")
# hashes compared per step (block rows x n): small enough to stay in the CPU cache,
# which is faster than large blocks that stream through memory
_PAIR_BUDGET = 1 << 17


def _check_number(value, name, low, high=None, integer=False):
    kind = Integral if integer else Real
    if not isinstance(value, kind) or isinstance(value, bool):
        what = "an integer" if integer else "a number"
        raise ValueError(f"find_duplicates: {name} must be {what}, got {value!r}")
    if value < low or (high is not None and value > high):
        bounds = f"in {low}..{high}" if high is not None else f">= {low}"
        raise ValueError(f"find_duplicates: {name} must be {bounds}, got {value!r}")
    return value


def _exact_classes(flat):
    """For each row, the index of the first row byte-equal to it."""
    n = len(flat)
    if n == 0:
        return np.zeros(0, dtype=np.intp)
    rows = np.ascontiguousarray(flat).view(np.dtype((np.void, flat.shape[1] * flat.itemsize)))
    _, first, inverse = np.unique(rows.ravel(), return_index=True, return_inverse=True)
    return first[inverse.ravel()]


def _hash_pairs(hashes, max_distance):
    """Index pairs (i < j) of ``hashes`` within ``max_distance`` bits, by blocks."""
    n = len(hashes)
    block = max(1, min(n, _PAIR_BUDGET // max(n, 1)))
    found_i, found_j = [], []
    for start in range(0, n, block):
        stop = min(start + block, n)
        # compare rows start..stop with every later row (j > i): the upper triangle
        dist = _popcount(hashes[start:stop, None] ^ hashes[None, start:])
        i, j = np.nonzero(dist <= max_distance)
        later = j > i
        found_i.append(i[later] + start)
        found_j.append(j[later] + start)
    if not found_i:
        return np.zeros(0, dtype=np.intp), np.zeros(0, dtype=np.intp)
    return np.concatenate(found_i), np.concatenate(found_j)


def _pearson(a, b):
    """Row-wise Pearson correlation of two (k, m) float32 arrays (0 where constant)."""
    a = a - a.mean(axis=1, keepdims=True)
    b = b - b.mean(axis=1, keepdims=True)
    num = np.einsum("ij,ij->i", a, b)
    den = np.sqrt(np.einsum("ij,ij->i", a, a) * np.einsum("ij,ij->i", b, b))
    return np.divide(num, den, out=np.zeros_like(num), where=den > 0)


def _shift_correlations(images, i, j, max_shift, chunk=2048):
    """Best Pearson correlation of each pair's pixels over shifts of up to ``max_shift``.

    The centre of image ``i`` (a margin of ``max_shift`` pixels cut off) is
    compared with every window of image ``j`` shifted by ``-max_shift`` to
    ``max_shift`` pixels along each axis, so that a copy moved by a pixel or
    two correlates as well as an unmoved one.
    """
    n, h, w = images.shape
    s = max_shift
    out = np.full(len(i), -1.0, dtype=np.float32)
    for start in range(0, len(i), chunk):
        a = images[i[start : start + chunk]].astype(np.float32)
        b = images[j[start : start + chunk]].astype(np.float32)
        core = a[:, s : h - s, s : w - s].reshape(len(a), -1)
        best = out[start : start + chunk]
        for dy in range(-s, s + 1):
            for dx in range(-s, s + 1):
                window = b[:, s + dy : h - s + dy, s + dx : w - s + dx].reshape(len(b), -1)
                np.maximum(best, _pearson(core, window), out=best)
    return out


def _components(n, i, j):
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    graph = coo_matrix((np.ones(len(i), dtype=np.int8), (i, j)), shape=(n, n))
    _, labels = connected_components(graph, directed=False)
    return labels


def _pairs(flat, shape, method, max_distance, min_correlation, max_shift):
    """All duplicate pairs (i < j) among the rows of ``flat``, and the hashes."""
    n = len(flat)
    first = _exact_classes(flat)
    rows = np.arange(n)
    # byte-equal rows: each linked to the first of its kind
    copies = first != rows
    pi, pj = [first[copies]], [rows[copies]]
    hashes = None
    if method == "phash":
        distinct = np.flatnonzero(~copies)
        hashes = phash(flat, image_shape=shape)  # all rows: no copy of the distinct ones
        i, j = _hash_pairs(hashes[distinct], max_distance)
        if len(i):
            i, j = distinct[i], distinct[j]
            images = flat.reshape(n, *shape)
            keep = _shift_correlations(images, i, j, max_shift) >= min_correlation
            pi.append(i[keep])
            pj.append(j[keep])
    i, j = np.concatenate(pi), np.concatenate(pj)
    swap = i > j
    i[swap], j[swap] = j[swap], i[swap]
    return i, j, first, hashes


def find_duplicates(
    X,
    y=None,
    *,
    X_reference=None,
    y_reference=None,
    reference_rows=None,
    method="phash",
    max_distance=10,
    min_correlation=0.95,
    max_shift=1,
    blank_std=2.0,
    image_shape=None,
):
    """Find duplicate, near-duplicate, conflicting and blank images.

    Exact duplicates are byte-equal images. Near duplicates
    (``method="phash"``) are pairs whose perceptual hashes (:func:`phash`)
    differ in at most ``max_distance`` bits *and* whose pixels correlate at
    ``min_correlation`` or more: a copy shifted by a pixel, re-encoded as
    JPEG, brightened or contrast-stretched. Pairs link into groups (connected
    components), so a chain of copies is one group.

    Parameters
    ----------
    X : array-like of shape (n_samples, height * width) or (n_samples, height, width)
        Grey images, pixel values in 0..255.
    y : array-like of shape (n_samples,), default=None
        Labels; with them, groups whose members disagree are ``conflicts``.
    X_reference : array-like of shape (n_reference, n_features), default=None
        Another set (e.g. the training set when ``X`` is a test set): the rows
        of ``X`` that duplicate one of its images are marked ``in_reference``.
        Groups are formed among the rows of ``X`` only.
    y_reference : array-like of shape (n_reference,), default=None
        Labels of ``X_reference``; with ``y``, an ``in_reference`` row whose
        label differs from its copy's is marked in ``reference_conflicts``.
    reference_rows : array-like of bool of shape (n_samples,), default=None
        Rows of ``X`` that are the reference (e.g. ``usage == "Training"`` of
        a whole FER2013 file): the *other* rows that duplicate one of them are
        marked ``in_reference``, while groups span all rows. Not together with
        ``X_reference``.
    method : {"phash", "exact"}, default="phash"
        ``"exact"``: byte-equal images only.
    max_distance : int, default=10
        Largest Hamming distance (bits of 64) between the hashes of near
        duplicates. Measured on 380 real FER2013 faces: a copy re-encoded as
        JPEG (quality 50 or 75), brightened by 30 grey levels or
        contrast-stretched is at most 6 bits away; one shifted by a pixel is
        a median 5-6 bits away, within 10 bits for 98% (horizontal shift) to
        99.5% (vertical); diagonal shifts reach 16 bits (89% within 10). Above
        10, the candidate pairs, and the time to confirm them, grow fast
        (13,000 within 10 bits on FER2013, 60,000 within 12) for few more
        groups (1,898 groups at 10, 1,918 at 12).
    min_correlation : float, default=0.95
        Smallest correlation of the pixels of near duplicates (see
        ``max_shift``), which turns away distinct faces whose hashes happen to
        be close. Planted copies correlate at 0.96 or more (JPEG at quality 50,
        the lowest), shifted ones at 1.0; pairs of FER2013 images within 10
        bits and above 0.95 are, by eye, the same photo recropped, retouched
        or re-encoded, while between 0.9 and 0.95 some distinct faces appear.
        -1 accepts every hash match.
    max_shift : int, default=1
        The correlation is the best over shifts of the second image by up to
        this many pixels along each axis (the first image's centre, a margin of
        ``max_shift`` cut off, against each shifted window), so that a copy
        moved by a pixel correlates as well as an unmoved one. 0: no shift.
    blank_std : float, default=2.0
        Images whose pixel standard deviation is below this (grey levels) are
        ``blank``.
    image_shape : tuple of (int, int), default=None
        ``(height, width)`` of flattened rows; ``None``: the shape of 3-D
        input, otherwise square.

    Returns
    -------
    report : DuplicateReport

    See Also
    --------
    phash : the perceptual hashes compared here.
    DuplicateReport.keep_mask : the rows to keep under a cleaning policy.

    Examples
    --------
    >>> import numpy as np
    >>> from fer_features.cleaning import find_duplicates
    >>> from fer_features.datasets import make_synthetic_faces
    >>> X, y = make_synthetic_faces(20, random_state=0, return_X_y=True)
    >>> X = np.vstack([X, X[3], np.roll(X[7].reshape(48, 48), 1, axis=1).ravel()])
    >>> y = np.concatenate([y, [y[3], (y[7] + 1) % 7]])
    >>> report = find_duplicates(X, y)
    >>> [g.tolist() for g in report.groups]
    [[3, 20], [7, 21]]
    >>> [g.tolist() for g in report.conflicts]
    [[7, 21]]
    >>> int(report.keep_mask().sum())
    19
    """
    if method not in METHODS:
        raise ValueError(f"find_duplicates: method must be one of {METHODS}, got {method!r}")
    max_distance = int(_check_number(max_distance, "max_distance", 0, 64, integer=True))
    min_correlation = float(_check_number(min_correlation, "min_correlation", -1.0, 1.0))
    max_shift = int(_check_number(max_shift, "max_shift", 0, integer=True))
    blank_std = float(_check_number(blank_std, "blank_std", 0.0))
    images = _as_uint8_images(X, image_shape)
    n, h, w = images.shape
    if 2 * max_shift >= min(h, w):
        raise ValueError(
            f"find_duplicates: max_shift={max_shift} leaves nothing of {h}x{w} "
            f"images to compare; it must be below {(min(h, w) + 1) // 2}"
        )
    flat = images.reshape(n, h * w)
    y = _check_labels(y, n, "y")
    if X_reference is not None and reference_rows is not None:
        raise ValueError("find_duplicates: give X_reference or reference_rows, not both")
    if X_reference is not None:
        reference = _as_uint8_images(X_reference, image_shape)
        if reference.shape[1:] != (h, w):
            raise ValueError(
                f"find_duplicates: X_reference holds {reference.shape[1]}x"
                f"{reference.shape[2]} images, X holds {h}x{w}"
            )
        y_reference = _check_labels(y_reference, len(reference), "y_reference")
        flat = np.vstack([flat, reference.reshape(len(reference), h * w)])
        is_reference = np.arange(len(flat)) >= n
        grouped = ~is_reference
        labels = None
        if y is not None and y_reference is not None:
            labels = np.concatenate([y.astype(object), y_reference.astype(object)])
    else:
        if y_reference is not None:
            raise ValueError("find_duplicates: y_reference needs X_reference")
        is_reference = np.zeros(n, dtype=bool)
        if reference_rows is not None:
            is_reference = np.asarray(reference_rows)
            if is_reference.dtype != bool or is_reference.shape != (n,):
                raise ValueError(
                    f"find_duplicates: reference_rows must be a boolean array of "
                    f"shape ({n},), got dtype {is_reference.dtype} and shape "
                    f"{is_reference.shape}"
                )
        grouped = np.ones(n, dtype=bool)
        labels = y
    i, j, first, hashes = _pairs(flat, (h, w), method, max_distance, min_correlation, max_shift)

    # groups: connected components of the pairs among grouped rows
    inside = grouped[i] & grouped[j]
    component = _components(len(flat), i[inside], j[inside])[:n]
    order = np.argsort(component, kind="stable")
    starts = np.flatnonzero(np.r_[True, np.diff(component[order]) != 0])
    groups = [g for g in np.split(order, starts[1:]) if len(g) >= 2]
    groups.sort(key=lambda g: g[0])
    exact = [bool(np.all(first[g] == first[g[0]])) for g in groups]

    # rows of X linked directly to a reference row
    across = is_reference[i] != is_reference[j]
    ai, aj = i[across], j[across]
    mine = np.where(is_reference[ai], aj, ai)
    theirs = np.where(is_reference[ai], ai, aj)
    in_reference = np.zeros(n, dtype=bool)
    in_reference[mine] = True
    reference_conflicts = np.zeros(n, dtype=bool)
    if labels is not None:
        differ = labels[mine] != labels[theirs]
        reference_conflicts[mine[differ]] = True
    # byte-equal rows are linked to the first of their kind only: a row whose
    # byte-equal twin duplicates a reference row duplicates it too
    partner = np.full(len(flat), -1)
    partner[first[mine]] = theirs
    refs = np.flatnonzero(is_reference)
    partner[first[refs]] = refs
    rows = np.flatnonzero(~is_reference[:n])
    linked = rows[partner[first[rows]] >= 0]
    in_reference[linked] = True
    if labels is not None:
        differ = labels[linked] != labels[partner[first[linked]]]
        reference_conflicts[linked[differ]] = True

    # by blocks: the standard deviation of all rows at once would hold them all in float64
    std = np.concatenate(
        [flat[start : min(start + 4096, n)].std(axis=1) for start in range(0, n, 4096)]
        or [np.zeros(0)]
    )
    return DuplicateReport(
        images=images,
        labels=y,
        groups=groups,
        exact=exact,
        in_reference=in_reference,
        reference_conflicts=reference_conflicts,
        blank=std < blank_std,
        hashes=None if hashes is None else hashes[:n],
        params={
            "method": method,
            "max_distance": max_distance,
            "min_correlation": min_correlation,
            "blank_std": blank_std,
        },
    )


def _check_labels(y, n, name):
    if y is None:
        return None
    y = np.asarray(y)
    if y.ndim != 1 or len(y) != n:
        raise ValueError(
            f"find_duplicates: {name} must hold one label per image ({n}), "
            f"got an array of shape {y.shape}"
        )
    return y
