"""Perceptual hashes (pHash) of a batch of images, equal to ``imagehash.phash``.

imagehash hashes one PIL image at a time: convert to grey ("L"), resize to
32x32 with Pillow's Lanczos filter, take the 2-D DCT-II (``scipy.fftpack.dct``
along rows then columns), keep its low-frequency 8x8 block and set each bit
where a coefficient is above the block's median. Here the same steps run on a
whole batch: the resize reproduces Pillow's fixed-point Lanczos exactly (its
coefficients, its 22-bit integer rounding, horizontal pass then vertical) as
two matrix products, and the DCT runs once on the whole batch. Pillow orders
the two passes by size when the image is not square, so images that are not
square go through Pillow itself, one image at a time, for the resize only.
"""

import numpy as np

from .._images import as_images, flatten_images, resolve_image_shape

__all__ = ["phash", "hamming_distance"]

HASH_SIZE = 8
HIGHFREQ_FACTOR = 4
# Pillow's fixed-point precision of 8-bit resampling (libImaging/Resample.c)
_PRECISION_BITS = 32 - 8 - 2
_LANCZOS_SUPPORT = 3.0


def _sinc(x):
    out = np.ones_like(x)
    nonzero = x != 0
    scaled = x[nonzero] * np.pi
    out[nonzero] = np.sin(scaled) / scaled
    return out


def _lanczos_matrix(in_size, out_size):
    """Pillow's integer Lanczos coefficients as an (out_size, in_size) matrix."""
    scale = in_size / out_size
    filterscale = max(scale, 1.0)
    support = _LANCZOS_SUPPORT * filterscale
    matrix = np.zeros((out_size, in_size), dtype=np.float64)
    for xx in range(out_size):
        center = (xx + 0.5) * scale
        xmin = max(int(center - support + 0.5), 0)
        xmax = min(int(center + support + 0.5), in_size)
        x = (np.arange(xmin, xmax) - center + 0.5) / filterscale
        inside = (x >= -_LANCZOS_SUPPORT) & (x < _LANCZOS_SUPPORT)
        w = np.where(inside, _sinc(x) * _sinc(x / _LANCZOS_SUPPORT), 0.0)
        total = w.sum()
        if total != 0.0:
            w = w / total
        # C's (int) cast truncates towards zero, after adding -0.5 or 0.5
        w = w * (1 << _PRECISION_BITS)
        matrix[xx, xmin:xmax] = np.trunc(np.where(w < 0, w - 0.5, w + 0.5))
    return matrix


def _fixed_point(values):
    """Pillow's rounding of fixed-point sums to 8 bits: add half, shift, clip (in place)."""
    # the sums are integers below 2**40, exact in float64; scaling by a power of
    # two is exact too, and floor is the arithmetic shift of the C code
    values += 1 << (_PRECISION_BITS - 1)
    values *= 1.0 / (1 << _PRECISION_BITS)
    np.floor(values, out=values)
    return np.clip(values, 0, 255, out=values)


def _resize_square(images, size):
    """Pillow's ``resize((size, size), LANCZOS)`` of square uint8 images, batched."""
    n, h, w = images.shape
    rows_t = _lanczos_matrix(w, size).T.copy()
    cols = _lanczos_matrix(h, size)
    out = np.empty((n, size, size), dtype=np.uint8)
    chunk = 1024  # a few MB per step: stays in cache
    for start in range(0, n, chunk):
        block = images[start : start + chunk].astype(np.float64)
        horizontal = _fixed_point(block @ rows_t)  # (k, h, size)
        out[start : start + chunk] = _fixed_point(np.matmul(cols, horizontal))
    return out


def _resize_pillow(images, size):
    from PIL import Image

    resample = Image.Resampling.LANCZOS
    return np.stack(
        [np.asarray(Image.fromarray(image).resize((size, size), resample)) for image in images]
    )


def _as_uint8_images(X, image_shape):
    X, implied = flatten_images(X)
    X = np.asarray(X)
    if X.ndim != 2:
        raise ValueError(
            f"images must be given as (n_samples, height * width) or "
            f"(n_samples, height, width); got an array of shape {X.shape}"
        )
    shape = resolve_image_shape(X.shape[1], image_shape, implied)
    if X.dtype != np.uint8:
        if X.size and (not np.all(np.isfinite(X)) or X.min() < 0 or X.max() > 255):
            raise ValueError(
                f"pixel values must be in 0..255 (grey levels); got values from "
                f"{X.min()} to {X.max()}"
            )
        # PIL's conversion of a grey image to "L": values rounded to 8 bits
        X = np.rint(X).astype(np.uint8) if X.dtype.kind == "f" else X.astype(np.uint8)
    return np.ascontiguousarray(as_images(X, shape))


def phash(X, *, image_shape=None):
    """Perceptual hash of each image, as a 64-bit unsigned integer.

    Bit for bit the hash of ``imagehash.phash(image)`` (``hash_size=8``,
    ``highfreq_factor=4``) on the same grey image, read as a number: the first
    bit of imagehash's 8x8 array (row-major) is the most significant, so
    ``int(str(imagehash.phash(img)), 16)`` equals the value here.

    Parameters
    ----------
    X : array-like of shape (n_samples, height * width) or (n_samples, height, width)
        Grey images, pixel values in 0..255 (uint8, or numbers that are rounded
        to 8 bits as Pillow's conversion to "L" does).
    image_shape : tuple of (int, int), default=None
        ``(height, width)`` of the flattened rows; ``None``: the shape of 3-D
        input, otherwise square.

    Returns
    -------
    hashes : ndarray of shape (n_samples,), uint64

    See Also
    --------
    hamming_distance : number of bits in which two hashes differ.
    find_duplicates : groups of duplicate images, found through these hashes.

    Notes
    -----
    Square images are resized by a batched copy of Pillow's fixed-point Lanczos
    filter (exact, tested against Pillow); other shapes are resized by Pillow
    one image at a time, since Pillow then picks the order of its two passes.
    The DCT of the whole batch is one call of :func:`scipy.fft.dct`.

    Examples
    --------
    >>> import numpy as np
    >>> from fer_features.cleaning import phash, hamming_distance
    >>> rng = np.random.default_rng(0)
    >>> faces = rng.integers(0, 256, size=(2, 48, 48), dtype=np.uint8)
    >>> h = phash(faces)
    >>> h.dtype, h.shape
    (dtype('uint64'), (2,))
    >>> int(hamming_distance(h[0], phash(faces[:1])[0]))
    0
    """
    import scipy.fft

    images = _as_uint8_images(X, image_shape)
    n, h, w = images.shape
    size = HASH_SIZE * HIGHFREQ_FACTOR
    if n == 0:
        return np.zeros(0, dtype=np.uint64)
    small = _resize_square(images, size) if h == w else _resize_pillow(images, size)
    hashes = np.empty(n, dtype=np.uint64)
    chunk = 2048  # a few MB of float64 per DCT
    for start in range(0, n, chunk):
        block = small[start : start + chunk].astype(np.float64)
        dct = scipy.fft.dct(scipy.fft.dct(block, axis=1), axis=2)
        low = dct[:, :HASH_SIZE, :HASH_SIZE].reshape(len(block), HASH_SIZE * HASH_SIZE)
        bits = low > np.median(low, axis=1, keepdims=True)
        hashes[start : start + chunk] = np.packbits(bits, axis=1).view(">u8")[:, 0]
    return hashes


_BYTE_POPCOUNT = np.array([bin(i).count("1") for i in range(256)], dtype=np.uint8)


def _popcount(values):
    """Number of set bits of each uint64 (numpy>=2 has it built in)."""
    values = np.asarray(values, dtype=np.uint64)
    if hasattr(np, "bitwise_count"):
        return np.bitwise_count(values)
    as_bytes = values.reshape(*values.shape, 1).view(np.uint8)  # pragma: no cover
    return _BYTE_POPCOUNT[as_bytes].sum(axis=-1, dtype=np.uint8)  # pragma: no cover


def hamming_distance(a, b):
    """Number of bits in which 64-bit hashes differ (broadcasting).

    Parameters
    ----------
    a, b : array-like of uint64
        Hashes, as :func:`phash` returns them.

    Returns
    -------
    distance : ndarray of uint8 (a scalar for scalar input)

    Examples
    --------
    >>> import numpy as np
    >>> from fer_features.cleaning import hamming_distance
    >>> hamming_distance(np.uint64(0b1011), np.uint64(0b0001)).item()
    2
    """
    a = np.asarray(a, dtype=np.uint64)
    b = np.asarray(b, dtype=np.uint64)
    return _popcount(np.bitwise_xor(a, b))
