"""Eye-line alignment: the tilt of a face from its left-right mirror symmetry.

Neither scikit-image nor this library has an eye detector, so the tilt is
read from the symmetry of the face itself: a face tilted by ``a`` degrees and
its mirror image differ by a rotation of ``2a``, so the rotation ``phi`` that
best matches the image to its mirror (largest correlation over a central
disc, the mirror's axis free to move a few pixels sideways) gives the tilt,
``-phi / 2``. The rotations are sparse bilinear matrices, built once per
image shape and angle, applied to a whole batch at once.
"""

import functools

import numpy as np

__all__ = ["estimate_tilt", "rotate_images", "rotation_matrix"]


@functools.lru_cache(maxsize=256)
def rotation_matrix(shape, angle):
    """Sparse ``(h*w, h*w)`` matrix rotating a flattened image by ``angle`` degrees.

    Counterclockwise as displayed (rows down), about the image's centre,
    bilinear, the edge pixels repeated outside: ``(M @ image.ravel())`` is the
    rotated image.
    """
    from scipy import sparse

    h, w = shape
    t = np.deg2rad(angle)
    r, c = np.mgrid[0:h, 0:w].astype(np.float64)
    cy, cx = (h - 1) / 2, (w - 1) / 2
    y, x = r - cy, c - cx
    xs = np.clip(np.cos(t) * x - np.sin(t) * y + cx, 0, w - 1)
    ys = np.clip(np.sin(t) * x + np.cos(t) * y + cy, 0, h - 1)
    x0 = np.minimum(np.floor(xs).astype(np.int64), max(w - 2, 0))
    y0 = np.minimum(np.floor(ys).astype(np.int64), max(h - 2, 0))
    fx, fy = xs - x0, ys - y0
    x1, y1 = np.minimum(x0 + 1, w - 1), np.minimum(y0 + 1, h - 1)
    rows = np.repeat(np.arange(h * w), 4)
    cols = np.stack([y0 * w + x0, y0 * w + x1, y1 * w + x0, y1 * w + x1], -1).ravel()
    vals = np.stack([(1 - fx) * (1 - fy), fx * (1 - fy), (1 - fx) * fy, fx * fy], -1).ravel()
    return sparse.csr_matrix((vals, (rows, cols)), shape=(h * w, h * w))


def rotate_images(images, angles):
    """Rotate each image ``(n, h, w)`` by its angle (degrees, counterclockwise)."""
    images = np.asarray(images, dtype=np.float64)
    n, h, w = images.shape
    flat = images.reshape(n, h * w)
    angles = np.broadcast_to(np.asarray(angles, dtype=np.float64), (n,))
    out = np.empty_like(flat)
    for angle in np.unique(angles):
        rows = angles == angle
        out[rows] = (rotation_matrix((h, w), float(angle)) @ flat[rows].T).T
    return out.reshape(n, h, w)


def _unit_rows(A):
    A = A - A.mean(axis=1, keepdims=True)
    return A / (np.linalg.norm(A, axis=1, keepdims=True) + 1e-12)


def estimate_tilt(images, *, max_angle=15.0, step=1.0, max_shift=3, radius=0.42, sigma=1.0):
    """The tilt of each face, in degrees (counterclockwise as displayed).

    Rotating a face by ``-estimate_tilt(...)`` levels its eyes, as far as its
    mirror symmetry tells.

    Parameters
    ----------
    images : ndarray of shape (n, h, w)
        Grey faces, cropped (FER2013's framing).
    max_angle : float, default=15.0
        Tilts searched: ``-max_angle`` to ``max_angle``.
    step : float, default=1.0
        Step of the search, in degrees of tilt; the peak is refined by a parabola.
    max_shift : int, default=3
        The mirror axis may lie this many half-pixels left or right of the centre.
    radius : float, default=0.42
        The disc compared, as a fraction of the smaller side.
    sigma : float, default=1.0
        Gaussian smoothing (pixels) before comparing.

    Returns
    -------
    angles : ndarray of float64 of shape (n,)
    """
    from scipy import ndimage

    images = np.asarray(images, dtype=np.float64)
    n, h, w = images.shape
    if sigma:
        images = ndimage.gaussian_filter(images, (0, sigma, sigma))
    flat = images.reshape(n, h * w)
    r, c = np.mgrid[0:h, 0:w]
    disc = ((r - (h - 1) / 2) ** 2 + (c - (w - 1) / 2) ** 2 <= (radius * min(h, w)) ** 2).ravel()
    mirrors = [
        _unit_rows(np.roll(images[:, :, ::-1], s, axis=2).reshape(n, -1)[:, disc])
        for s in range(-max_shift, max_shift + 1)
    ]
    # the mirror of a face tilted by a is the face tilted by -a: compare rotations by phi = -2a
    phis = np.arange(-2 * max_angle, 2 * max_angle + 1e-9, 2 * step)
    score = np.empty((n, len(phis)))
    for k, phi in enumerate(phis):
        rotated = _unit_rows((rotation_matrix((h, w), float(phi)) @ flat.T).T[:, disc])
        score[:, k] = np.max([np.einsum("ij,ij->i", rotated, m) for m in mirrors], axis=0)
    best = score.argmax(axis=1)
    inner = np.clip(best, 1, len(phis) - 2)
    rows = np.arange(n)
    left, mid, right = score[rows, inner - 1], score[rows, inner], score[rows, inner + 1]
    curvature = left - 2 * mid + right
    with np.errstate(divide="ignore", invalid="ignore"):
        offset = np.where(curvature < 0, 0.5 * (left - right) / curvature, 0.0)
    offset = np.where(best == inner, np.clip(offset, -1, 1), 0.0)
    return -(phis[best] + offset * 2 * step) / 2
