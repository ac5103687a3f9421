"""Procedurally drawn grey faces: the built-in data of the library."""

from numbers import Integral, Real

import numpy as np
from sklearn.utils import Bunch, check_random_state

from ._base import summarize_targets
from ._vocabulary import EXPRESSIONS

__all__ = ["make_synthetic_faces"]

_CHUNK = 256  # faces drawn per vectorised batch (bounds the memory used)

# Expression geometry, as offsets from the neutral face, in face units (the
# head is an ellipse of half-width ~0.62 and half-height ~0.8; v grows
# downwards). Columns: inner brow dv, outer brow dv, eye opening factor,
# mouth curve (corner dv: < 0 corners up), mouth opening, mouth width factor,
# mouth skew (one corner up), upper-lip raise.
_FIELDS = ("brow_in", "brow_out", "eye", "curve", "open", "width", "skew", "lip")
_GEOMETRY = {
    "neutral": (0.00, 0.00, 1.00, 0.00, 0.00, 1.00, 0.00, 0.00),
    "angry": (0.07, -0.02, 0.70, 0.03, 0.00, 0.85, 0.00, 0.00),
    "disgust": (0.04, 0.03, 0.65, 0.05, 0.03, 0.95, 0.03, 0.04),
    "fear": (-0.07, -0.02, 1.40, 0.04, 0.07, 1.20, 0.00, 0.00),
    "happy": (-0.01, -0.01, 0.75, -0.09, 0.03, 1.25, 0.00, 0.00),
    "sad": (-0.06, 0.03, 0.80, 0.07, 0.00, 0.95, 0.00, 0.00),
    "surprise": (-0.09, -0.09, 1.50, 0.00, 0.15, 0.65, 0.00, 0.00),
    "contempt": (0.00, 0.01, 0.95, 0.00, 0.00, 1.00, -0.07, 0.00),
}


def _soft(distance, width):
    """Coverage of a shape at a signed distance (negative inside), anti-aliased."""
    return np.clip(0.5 - distance / width, 0.0, 1.0)


def _draw(params, shape):
    """Draw the faces described by ``params`` (dict of (n, 1, 1) arrays)."""
    height, width = shape
    p = params
    aspect = width / height
    ys = np.linspace(-1.0, 1.0, height, dtype=np.float32)[None, :, None]
    xs = (np.linspace(-1.0, 1.0, width, dtype=np.float32) * aspect)[None, None, :]
    edge = np.float32(3.0 / min(height, width))  # anti-aliasing width, ~1.5 pixel
    dx, dy = xs - p["cx"], ys - p["cy"]
    cos, sin = np.cos(p["angle"]), np.sin(p["angle"])
    u = (cos * dx + sin * dy) / p["scale"]
    v = (-sin * dx + cos * dy) / p["scale"]
    edge = edge / p["scale"]

    # background with a lighting gradient
    light = 1.0 + p["grad_x"] * xs + p["grad_y"] * ys
    image = p["background"] * light
    # head: a shaded ellipse, hair on top
    r = np.sqrt((u / p["head_w"]) ** 2 + (v / p["head_h"]) ** 2)
    head = _soft((r - 1.0) * p["head_w"], edge)
    skin = p["skin"] * (1.0 - 0.25 * r**2) * light
    hair = head * _soft(v - p["hair_line"] - 0.08 * (u / p["head_w"]) ** 2, edge) * p["hair"]
    image = image + head * (skin - image)
    image = image - hair * skin * 0.6
    face = head * (1.0 - hair)

    fu = np.abs(u - p["yaw"])  # features mirrored about the (shifted) midline
    uu = u - p["yaw"]
    # eyes
    eye_h = p["eye_h"] * p["eye"]
    re = np.sqrt(((fu - p["eye_x"]) / p["eye_w"]) ** 2 + ((v - p["eye_y"]) / eye_h) ** 2)
    eyes = _soft((re - 1.0) * eye_h, edge)
    # brows: thick segments from inner to outer end
    x0, y0 = p["brow_x0"], p["eye_y"] - p["brow_gap"] + p["brow_in"]
    x1, y1 = p["brow_x1"], p["eye_y"] - p["brow_gap"] + p["brow_out"]
    sx, sy = x1 - x0, y1 - y0
    t = np.clip(((fu - x0) * sx + (v - y0) * sy) / (sx * sx + sy * sy), 0.0, 1.0)
    dist = np.sqrt((fu - x0 - t * sx) ** 2 + (v - y0 - t * sy) ** 2)
    brows = _soft(dist - p["brow_t"], edge)
    # nose: a faint shadow line
    nose = 0.35 * _soft(np.abs(uu) - 0.02, edge) * _soft(np.abs(v - 0.12) - 0.12, edge)
    # mouth: a curved lip line, opening into a dark lens in the middle
    mw = p["mouth_w"] * p["width"]
    tm = uu / mw
    inside = np.clip(1.0 - tm**2, 0.0, None)
    centre = p["mouth_y"] + p["curve"] * tm**2 + p["skew"] * tm - p["lip"] * inside
    half = p["lip_t"] + p["open"] * np.sqrt(inside)
    dist = np.maximum(np.abs(v - centre - 0.4 * p["open"] * inside) - half, np.abs(uu) - mw)
    mouth = _soft(dist, edge)

    dark = np.maximum.reduce([0.75 * eyes, 0.65 * brows, nose, 0.7 * mouth])
    image = image - face * dark * skin
    return image


def make_synthetic_faces(
    n_samples=1400,
    *,
    n_classes=7,
    image_size=48,
    noise=0.06,
    n_subjects=20,
    random_state=None,
    return_X_y=False,
):
    """Draw grey faces whose expression is carried by their geometry.

    Each face is an ellipse with hair, eyes, brows, a nose shadow and a mouth,
    drawn with whole-array operations (thousands of faces per second). The
    expression sets the brow angle and height, the eye opening, the mouth curve,
    opening, width and skew, at a random intensity; each face also varies in
    identity (``n_subjects`` subjects with their own proportions and skin tone),
    pose (roll, a little yaw), scale, position, lighting and pixel noise. At the
    defaults a linear model on raw pixels scores clearly above chance but far
    from perfectly, while local features (HOG, LBP) and CNNs do better.

    Parameters
    ----------
    n_samples : int, default=1400
        Number of faces. The classes are balanced: their counts differ by at most
        one, so every class is present once ``n_samples >= n_classes``.
    n_classes : int, default=7
        Number of expressions, 2 to 8: the first ``n_classes`` of
        :data:`~fer_features.datasets.EXPRESSIONS` (the FER2013 classes in
        FER2013's order, then ``contempt``).
    image_size : int or tuple of (int, int), default=48
        Side of the square images, or ``(height, width)``; at least 16.
    noise : float, default=0.06
        Standard deviation of the Gaussian pixel noise, as a fraction of the grey
        range (0.06 is about 15 grey levels).
    n_subjects : int, default=20
        Number of distinct synthetic people; ``groups`` says who each face is.
    random_state : int, RandomState instance or None, default=None
        Seed: the same seed gives the same faces.
    return_X_y : bool, default=False
        Return ``(data, target)`` instead of a Bunch.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        With ``images`` (n, height, width) uint8, ``data`` (n, height * width)
        uint8, ``target`` (n,) int64, ``target_names`` (list of str), ``usage``
        (None), ``groups`` (n,) int64 subject ids, ``DESCR``.
    (data, target) : tuple
        With ``return_X_y=True``.

    See Also
    --------
    load_dataset : ``load_dataset("synthetic")`` calls this function.

    Examples
    --------
    >>> from fer_features.datasets import make_synthetic_faces
    >>> faces = make_synthetic_faces(70, random_state=0)
    >>> faces.images.shape, faces.images.dtype
    ((70, 48, 48), dtype('uint8'))
    >>> faces.target_names
    ['angry', 'disgust', 'fear', 'happy', 'sad', 'surprise', 'neutral']
    >>> import numpy as np
    >>> np.bincount(faces.target).tolist()
    [10, 10, 10, 10, 10, 10, 10]
    >>> X, y = make_synthetic_faces(16, n_classes=2, image_size=32, random_state=0,
    ...                             return_X_y=True)
    >>> X.shape, np.bincount(y).tolist()
    ((16, 1024), [8, 8])
    """
    if (
        not isinstance(n_classes, Integral)
        or isinstance(n_classes, bool)
        or not 2 <= n_classes <= len(EXPRESSIONS)
    ):
        raise ValueError(
            f"n_classes must be an integer in 2..{len(EXPRESSIONS)}, got {n_classes!r}"
        )
    if not isinstance(n_samples, Integral) or isinstance(n_samples, bool) or n_samples < n_classes:
        raise ValueError(
            f"n_samples must be an integer >= n_classes ({n_classes}), got {n_samples!r}"
        )
    if isinstance(image_size, Integral) and not isinstance(image_size, bool):
        shape = (int(image_size), int(image_size))
    else:
        try:
            shape = tuple(int(s) for s in image_size)
        except (TypeError, ValueError):
            shape = ()
        if len(shape) != 2 or shape != tuple(image_size):
            shape = ()
    if len(shape) != 2 or min(shape) < 16:
        raise ValueError(
            f"image_size must be an integer >= 16 or a pair (height, width) "
            f"of such integers, got {image_size!r}"
        )
    if not isinstance(noise, Real) or isinstance(noise, bool) or not noise >= 0:
        raise ValueError(f"noise must be a number >= 0, got {noise!r}")
    if not isinstance(n_subjects, Integral) or isinstance(n_subjects, bool) or n_subjects < 1:
        raise ValueError(f"n_subjects must be a positive integer, got {n_subjects!r}")
    rng = check_random_state(random_state)
    n = int(n_samples)
    names = list(EXPRESSIONS[:n_classes])

    target = rng.permutation(np.arange(n) % n_classes).astype(np.int64)
    # identities
    ident = {
        "head_w": rng.uniform(0.56, 0.68, n_subjects),
        "head_h": rng.uniform(0.74, 0.86, n_subjects),
        "skin": rng.uniform(0.55, 0.85, n_subjects),
        "hair": rng.uniform(0.0, 1.0, n_subjects),
        "hair_line": rng.uniform(-0.72, -0.5, n_subjects),
        "eye_x": rng.uniform(0.2, 0.27, n_subjects),
        "eye_y": rng.uniform(-0.2, -0.1, n_subjects),
        "eye_w": rng.uniform(0.1, 0.14, n_subjects),
        "eye_h": rng.uniform(0.05, 0.07, n_subjects),
        "brow_gap": rng.uniform(0.11, 0.16, n_subjects),
        "brow_t": rng.uniform(0.025, 0.04, n_subjects),
        "mouth_y": rng.uniform(0.36, 0.46, n_subjects),
        "mouth_w": rng.uniform(0.17, 0.23, n_subjects),
        "lip_t": rng.uniform(0.02, 0.03, n_subjects),
    }
    groups = rng.randint(0, n_subjects, n).astype(np.int64)
    params = {k: v[groups] for k, v in ident.items()}
    params["brow_x0"] = params["eye_x"] - rng.uniform(0.1, 0.13, n)
    params["brow_x1"] = params["eye_x"] + rng.uniform(0.1, 0.14, n)
    # expression, at a random intensity, with individual variation
    geometry = np.array([_GEOMETRY[name] for name in names])[target]
    neutral = np.array(_GEOMETRY["neutral"])
    intensity = rng.uniform(0.75, 1.0, (n, 1))
    expr = neutral + intensity * (geometry - neutral)
    jitter = np.array([0.008, 0.008, 0.06, 0.01, 0.008, 0.04, 0.006, 0.004])
    expr = expr + rng.normal(0.0, 1.0, expr.shape) * jitter
    expr[:, 2] = np.clip(expr[:, 2], 0.3, None)  # eye opening
    expr[:, 4] = np.clip(expr[:, 4], 0.0, None)  # mouth opening
    expr[:, 5] = np.clip(expr[:, 5], 0.5, None)  # mouth width factor
    for j, field in enumerate(_FIELDS):
        params[field] = expr[:, j]
    # pose, position, scale, lighting
    params["angle"] = np.clip(rng.normal(0.0, np.deg2rad(8), n), -0.3, 0.3)
    params["yaw"] = rng.uniform(-0.06, 0.06, n)
    params["scale"] = rng.uniform(0.8, 1.08, n)
    params["cx"] = rng.uniform(-0.15, 0.15, n)
    params["cy"] = rng.uniform(-0.12, 0.12, n)
    params["background"] = rng.uniform(0.1, 0.6, n)
    direction = rng.uniform(0, 2 * np.pi, n)
    strength = rng.uniform(0.0, 0.3, n)
    params["grad_x"] = strength * np.cos(direction)
    params["grad_y"] = strength * np.sin(direction)
    contrast = rng.uniform(0.7, 1.15, n)
    brightness = rng.uniform(-0.08, 0.08, n)
    noise_seed = rng.randint(0, 2**31 - 1)
    noise_rng = np.random.default_rng(noise_seed)

    images = np.empty((n, *shape), dtype=np.uint8)
    for start in range(0, n, _CHUNK):
        stop = min(start + _CHUNK, n)
        chunk = {k: v[start:stop, None, None].astype(np.float32) for k, v in params.items()}
        image = _draw(chunk, shape)
        image = (
            (image - 0.5) * contrast[start:stop, None, None]
            + 0.5
            + brightness[start:stop, None, None]
        )
        if noise > 0:
            image = image + noise_rng.normal(0.0, noise, image.shape).astype(np.float32)
        images[start:stop] = np.clip(np.rint(image * 255.0), 0, 255).astype(np.uint8)

    data = images.reshape(n, -1)
    if return_X_y:
        return data, target
    descr = (
        f"Synthetic faces: {n} grey {shape[0]}x{shape[1]} faces of {n_subjects} "
        f"synthetic subjects drawn by make_synthetic_faces (noise={noise}, "
        f"random_state={random_state!r}); the expression is carried by brow, eye and "
        f"mouth geometry.\n\n" + summarize_targets(target, names)
    )
    return Bunch(
        images=images,
        data=data,
        target=target,
        target_names=names,
        usage=None,
        groups=groups,
        DESCR=descr,
    )
