"""``LGBPTransformer``: LBP histograms of Gabor magnitude images (LGBP)."""

from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin, _fit_context
from sklearn.utils._param_validation import Interval, StrOptions

from .._blocks import blockwise
from .._images import as_images, feature_names_out, validate_fitted_images, validate_images
from ._lbp import LBPTransformer

__all__ = ["LGBPTransformer", "gabor_kernel", "gabor_magnitudes"]

# images per FFT batch: the complex work arrays of one batch stay within ~100 MB
_BATCH_PIXELS = 2_000_000
# magnitude pixels per chunk of LGBPTransformer.transform (uint8: 1 MB)
_CHUNK_PIXELS = 1 << 20


def gabor_kernel(frequency, theta, sigma):
    """A complex Gabor kernel with a round Gaussian envelope on a full 3-sigma square.

    ``g(r, c) = exp(-(r**2 + c**2) / (2 sigma**2)) / (2 pi sigma**2)
    * exp(2j pi frequency (c cos(theta) + r sin(theta)))`` for rows and columns
    ``r, c`` from ``-ceil(3 sigma)`` to ``ceil(3 sigma)``: ``theta=0`` gives a
    wave along the columns. For ``theta`` a multiple of ``pi / 2`` it equals
    :func:`skimage.filters.gabor_kernel` ``(frequency, theta, sigma_x=sigma,
    sigma_y=sigma)``; for other orientations scikit-image cuts the kernel to a
    smaller square (half-width ``3 sigma max(|cos theta|, |sin theta|)``), which
    would make the diagonal filters differ from the others in more than their
    orientation, so this one keeps the full square.

    Parameters
    ----------
    frequency : float
        Cycles per pixel.
    theta : float
        Direction of the wave, in radians from the column axis.
    sigma : float
        Standard deviation of the envelope, in pixels.

    Returns
    -------
    kernel : ndarray of shape (2 * ceil(3 sigma) + 1, 2 * ceil(3 sigma) + 1), complex128
    """
    half = int(np.ceil(3 * sigma))
    rows, cols = np.mgrid[-half : half + 1, -half : half + 1].astype(np.float64)
    envelope = np.exp(-(rows**2 + cols**2) / (2 * sigma**2)) / (2 * np.pi * sigma**2)
    along = cols * np.cos(theta) + rows * np.sin(theta)
    return envelope * np.exp(2j * np.pi * frequency * along)


def _gabor_kernels(frequencies, n_orientations, sigmas):
    """The filter bank, frequency-major then orientation."""
    return [
        gabor_kernel(f, np.pi * k / n_orientations, s)
        for f, s in zip(frequencies, sigmas)
        for k in range(n_orientations)
    ]


def _separable_factors(kernels):
    """Column and row factors of each kernel, or None if one is not separable.

    A square kernel of odd side ``2 H + 1`` with ``k[H, H] != 0`` is ``v u``
    (outer product) with ``v = k[:, H] / k[H, H]`` and ``u = k[H, :]`` when it
    has rank one; it is taken as separable when ``v u`` equals it to 1e-12 of its
    largest value. Returns the real and imaginary parts of ``u`` and ``v``, each
    ``(n_kernels, k_max)`` with zeros after a kernel's taps, the half sides,
    whether both factors of a kernel are Hermitian (``u[H - t] == conj(u[H + t])``),
    and each kernel's partner (:func:`_partners`).
    """
    halves = []
    for k in kernels:
        k = np.asarray(k)
        if k.ndim != 2 or k.shape[0] != k.shape[1] or k.shape[0] % 2 == 0:
            return None
        halves.append((k.shape[0] - 1) // 2)
    k_max = 2 * max(halves) + 1
    u = np.zeros((len(kernels), k_max), dtype=np.complex128)
    v = np.zeros((len(kernels), k_max), dtype=np.complex128)
    for i, (k, half) in enumerate(zip(kernels, halves)):
        k = np.asarray(k, dtype=np.complex128)
        centre = k[half, half]
        if centre == 0 or not np.all(np.isfinite(k)):
            return None
        col = k[:, half] / centre
        row = k[half, :]
        if np.abs(np.outer(col, row) - k).max() > 1e-12 * np.abs(k).max():
            return None
        v[i, : 2 * half + 1] = col
        u[i, : 2 * half + 1] = row
    parts = [np.ascontiguousarray(x) for x in (u.real, u.imag, v.real, v.imag)]
    symmetric = np.array(
        [
            all(np.array_equal(f[i, : 2 * h + 1], np.conj(f[i, 2 * h :: -1])) for f in (u, v))
            for i, h in enumerate(halves)
        ]
    )
    return (*parts, np.array(halves, dtype=np.intp), symmetric, _partners(u, v, halves, symmetric))


def _partners(u, v, halves, symmetric, rtol=1e-12):
    """For each filter, a later one with row factor ``conj(u)`` and column factor ``v``.

    Gabor filters at ``theta`` and ``pi - theta`` are such pairs (to rounding:
    ``cos(3 pi / 4)`` is not exactly ``-cos(pi / 4)``); the compiled loop then
    computes both from one row pass. -1 where there is none; Hermitian filters
    only, each in at most one pair.
    """
    partner = np.full(len(halves), -1, dtype=np.intp)
    taken = np.zeros(len(halves), dtype=bool)
    for i in range(len(halves)):
        if taken[i] or not symmetric[i]:
            continue
        for j in range(i + 1, len(halves)):
            if taken[j] or not symmetric[j] or halves[j] != halves[i]:
                continue
            if np.abs(u[j] - np.conj(u[i])).max() <= rtol * np.abs(u[i]).max() and (
                np.abs(v[j] - v[i]).max() <= rtol * np.abs(v[i]).max()
            ):
                partner[i] = j
                taken[i] = taken[j] = True
                break
    return partner


def _compiled_input(images):
    """``images`` as the compiled Gabor loops take them: C-contiguous uint8 or float64."""
    if images.dtype not in (np.uint8, np.float64):
        images = images.astype(np.float64)
    return np.ascontiguousarray(images)


def gabor_magnitudes(images, kernels):
    """Gabor magnitude images, each rescaled to integers 0-255.

    Each image is convolved with each complex kernel (zero padding outside the
    image, output the size of the image, as ``scipy.signal.convolve2d(image,
    kernel, mode="same")``); the magnitude of the response is divided by its
    maximum over the image, times 255, and rounded. An image whose response is
    zero everywhere (a blank image) gives zeros.

    Separable kernels (those of :func:`gabor_kernel` are, ``g(r, c) = v(r) u(c)``)
    are applied as a row pass then a column pass by a compiled loop (numba,
    image by image); others through FFTs of the batch. Both equal the direct
    convolution up to rounding (about 1e-16 of the response), which changes a
    rounded magnitude only where it falls within that of a half-integer.

    Parameters
    ----------
    images : ndarray of shape (n_images, height, width)
        Grey images.
    kernels : list of 2-D complex ndarray
        The filters.

    Returns
    -------
    magnitudes : ndarray of shape (n_images, n_kernels, height, width), uint8
    """
    from scipy import fft

    images = np.asarray(images)
    n, h, w = images.shape
    out = np.empty((n, len(kernels), h, w), dtype=np.uint8)
    if n == 0 or not kernels:
        return out
    factors = _separable_factors(kernels)
    if factors is not None:
        from ._gabor_numba import gabor_batch

        gabor_batch(_compiled_input(images), *factors, out)
        return out
    images = np.asarray(images, dtype=np.float64)
    # one FFT size for the whole bank (the largest kernel's full convolution), so
    # that each batch of images is transformed once, not once per filter
    kh = max(k.shape[0] for k in kernels)
    kw = max(k.shape[1] for k in kernels)
    shape = (fft.next_fast_len(h + kh - 1), fft.next_fast_len(w + kw - 1))
    spectra = [fft.fft2(k, shape) for k in kernels]
    step = max(1, _BATCH_PIXELS // max(1, h * w))
    for start in range(0, n, step):
        batch = fft.fft2(images[start : start + step], shape, axes=(1, 2))
        for k, (kernel, spectrum) in enumerate(zip(kernels, spectra)):
            full = fft.ifft2(batch * spectrum, axes=(1, 2))
            # "same": the centre of the full convolution, as scipy.signal does
            top, left = (kernel.shape[0] - 1) // 2, (kernel.shape[1] - 1) // 2
            mag = np.abs(full[:, top : top + h, left : left + w])
            peak = mag.reshape(len(mag), -1).max(axis=1)
            peak[peak == 0] = 1.0
            out[start : start + step, k] = np.rint(mag * (255.0 / peak)[:, None, None])
    return out


def _lgbp81(images, kernels, lbp, out):
    """LGBP histograms by one compiled loop, when it applies; returns whether it did.

    It applies to separable kernels and the ``P=8, R=1`` LBP kernel: Gabor
    magnitudes then LBP histograms image by image
    (:func:`._gabor_numba.lgbp81_batch`), the same values as
    :func:`gabor_magnitudes` then ``lbp.transform``.
    """
    from ._lbp_kernel import _plan81, _table81

    h, w = images.shape[1:]
    if not (lbp.P == 8 and lbp.R == 1):
        return False
    plan = _plan81(h, w)
    factors = _separable_factors(kernels)
    if plan is None or factors is None:
        return False
    from ._gabor_numba import lgbp81_batch

    norm = {None: 0, "l1": 1, "l2": 2}[lbp.normalize]
    base = lbp._pixel_bins()
    table = _table81(lbp.method)
    lgbp81_batch(_compiled_input(images), *factors, *plan, table, base, lbp.n_bins_, norm, out)
    return True


class LGBPTransformer(TransformerMixin, BaseEstimator):
    """Local Gabor binary patterns: LBP histograms of Gabor magnitude images.

    Each image is filtered by a bank of complex Gabor filters
    (:func:`gabor_kernel`, ``len(frequencies)`` scales times
    ``n_orientations`` orientations); the magnitude of each response is
    rescaled to 0-255 per image and described like a face by
    :class:`LBPTransformer` (a grid of LBP code histograms). The histograms of
    all filters are concatenated, filter by filter (Zhang et al. 2005). The
    Gabor filters pick out edges and bars of one scale and orientation, on
    which the LBP histograms then describe local structure: a texture
    description that complements LBP on the grey levels.

    Parameters
    ----------
    frequencies : tuple of float, default=(0.25, 0.125)
        Spatial frequencies of the filters, in cycles per pixel.
    n_orientations : int, default=4
        Orientations per frequency, ``pi * k / n_orientations`` for
        ``k = 0 .. n_orientations - 1``.
    sigma_wavelengths : float, default=0.5
        Width of each filter's Gaussian envelope in wavelengths: its standard
        deviation is ``sigma_wavelengths / frequency`` pixels (2 and 4 pixels for the
        default frequencies).
    P : int, default=8
        LBP neighbours (see :class:`LBPTransformer`).
    R : float, default=1.0
        LBP radius.
    method : {"default", "ror", "uniform", "nri_uniform"}, default="uniform"
        LBP code method.
    grid_shape : tuple of (int, int), default=(6, 6)
        Grid of cells of the LBP histograms.
    normalize : {"l1", "l2"} or None, default="l1"
        Normalisation of each cell histogram.
    image_shape : tuple of (int, int) or None, default=None
        ``(height, width)`` in which a row of ``X`` is read. One side may be -1:
        it is then inferred from the number of features, as in
        :func:`numpy.reshape` (``(1, -1)`` reads each row as a one-pixel-high
        strip). ``None``: the shape of 3-D input, otherwise a square.

    Attributes
    ----------
    image_shape_ : tuple of (int, int)
        Shape of the images seen in :meth:`fit`.
    n_filters_ : int
        Number of Gabor filters.
    lbp_ : LBPTransformer
        The fitted LBP transformer applied to each magnitude image.
    n_bins_ : int
        LBP histogram bins per cell.
    n_features_in_ : int
        Number of pixels per image.
    feature_names_in_ : ndarray of str
        Names of the input columns, when ``X`` was a DataFrame with string
        column names.

    See Also
    --------
    LBPTransformer : LBP histograms of the grey levels.
    gabor_kernel : The filters.

    References
    ----------
    .. [1] W. Zhang, S. Shan, W. Gao, X. Chen and H. Zhang, "Local Gabor binary
       pattern histogram sequence (LGBPHS): a novel non-statistical model for
       face representation and recognition", ICCV 2005.

    Examples
    --------
    >>> import numpy as np
    >>> from fer_features.features import LGBPTransformer
    >>> rng = np.random.default_rng(0)
    >>> X = rng.integers(0, 256, size=(3, 24 * 24), dtype=np.uint8)
    >>> lgbp = LGBPTransformer(grid_shape=(2, 2)).fit(X)
    >>> lgbp.n_filters_, lgbp.n_bins_
    (8, 10)
    >>> lgbp.transform(X).shape          # 8 filters x 4 cells x 10 bins
    (3, 320)
    >>> lgbp.get_feature_names_out()[:2]
    array(['lgbp_f0_r0c0_b0', 'lgbp_f0_r0c0_b1'], dtype=object)
    """

    _parameter_constraints = {
        "frequencies": ["array-like"],
        "n_orientations": [Interval(Integral, 1, None, closed="left")],
        "sigma_wavelengths": [Interval(Real, 0, None, closed="neither")],
        "P": [Interval(Integral, 1, 32, closed="both")],
        "R": [Interval(Real, 0, None, closed="neither")],
        "method": [StrOptions({"default", "ror", "uniform", "nri_uniform"})],
        "grid_shape": ["array-like"],
        "normalize": [StrOptions({"l1", "l2"}), None],
        "image_shape": ["array-like", None],
    }

    def __init__(
        self,
        *,
        frequencies=(0.25, 0.125),
        n_orientations=4,
        sigma_wavelengths=0.5,
        P=8,
        R=1.0,
        method="uniform",
        grid_shape=(6, 6),
        normalize="l1",
        image_shape=None,
    ):
        self.frequencies = frequencies
        self.n_orientations = n_orientations
        self.sigma_wavelengths = sigma_wavelengths
        self.P = P
        self.R = R
        self.method = method
        self.grid_shape = grid_shape
        self.normalize = normalize
        self.image_shape = image_shape

    def _frequencies(self):
        freqs = np.atleast_1d(np.asarray(self.frequencies, dtype=float))
        if freqs.ndim != 1 or freqs.size == 0 or not np.all((freqs > 0) & (freqs <= 0.5)):
            raise ValueError(
                f"frequencies must be a non-empty sequence of numbers in (0, 0.5] "
                f"cycles per pixel, got {self.frequencies!r}"
            )
        return tuple(float(f) for f in freqs)

    def kernels(self):
        """The complex Gabor kernels, frequency by frequency, then orientation.

        Returns
        -------
        kernels : list of 2-D complex ndarray
        """
        freqs = self._frequencies()
        return _gabor_kernels(
            freqs, self.n_orientations, [self.sigma_wavelengths / f for f in freqs]
        )

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Check the parameters and record the image shape.

        Parameters
        ----------
        X : array-like of shape (n_samples, height * width) or (n_samples, height, width)
            Grey images, one per row.
        y : None
            Ignored.

        Returns
        -------
        self : LGBPTransformer
            The fitted transformer.
        """
        freqs = self._frequencies()
        validate_images(self, X, [np.float64, np.float32, np.uint8])
        # the LBP transformer checks its own parameters (P, method, grid) in fit
        self.lbp_ = LBPTransformer(
            P=self.P,
            R=self.R,
            method=self.method,
            grid_shape=self.grid_shape,
            normalize=self.normalize,
        ).fit(np.zeros((1, *self.image_shape_), dtype=np.uint8))
        self.n_bins_ = self.lbp_.n_bins_
        self.n_filters_ = len(freqs) * self.n_orientations
        return self

    def _validated_images(self, X):
        return as_images(*validate_fitted_images(self, X, [np.float64, np.float32, np.uint8]))

    def magnitude_images(self, X):
        """The Gabor magnitude images the LBP histograms are taken of.

        Parameters
        ----------
        X : array-like of shape (n_samples, height * width) or (n_samples, height, width)
            Grey images of the fitted shape.

        Returns
        -------
        magnitudes : ndarray of shape (n_samples, n_filters_, height, width), uint8
            Each filter's response magnitude, rescaled to 0-255 per image.
        """
        return gabor_magnitudes(self._validated_images(X), self.kernels())

    @blockwise
    def transform(self, X):
        """Concatenated LBP histograms of each Gabor magnitude image.

        Parameters
        ----------
        X : array-like of shape (n_samples, height * width) or (n_samples, height, width)
            Grey images, one per row.

        Returns
        -------
        features : ndarray of shape (n_samples, n_filters_ * n_cells * n_bins_), float64
        """
        images = self._validated_images(X)
        kernels = self.kernels()
        n, h, w = images.shape
        gh, gw = self.lbp_._grid()
        out = np.empty((n, self.n_filters_ * gh * gw * self.n_bins_), dtype=np.float64)
        if n and _lgbp81(images, kernels, self.lbp_, out):
            return out
        # a few images at a time: their magnitude images stay in the CPU cache
        step = max(1, _CHUNK_PIXELS // max(1, h * w * len(kernels)))
        for start in range(0, n, step):
            mags = gabor_magnitudes(images[start : start + step], kernels)
            hist = self.lbp_.transform(mags.reshape(-1, h, w))
            out[start : start + step] = hist.reshape(len(mags), -1)
        return out

    def get_feature_names_out(self, input_features=None):
        """Names ``lgbp_f{filter}_r{row}c{col}_b{bin}`` of the output features.

        Parameters
        ----------
        input_features : array-like of str or None, default=None
            Only checked against the input seen in :meth:`fit`.

        Returns
        -------
        feature_names_out : ndarray of str objects
        """

        def names():
            cells = [name[len("lbp_") :] for name in self.lbp_.get_feature_names_out()]
            return (f"lgbp_f{k}_{c}" for k in range(self.n_filters_) for c in cells)

        return feature_names_out(self, input_features, names)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = []
        return tags
