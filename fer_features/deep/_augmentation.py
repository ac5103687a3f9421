"""Training-time augmentation of grey face images, as Keras preprocessing layers.

The layers sit inside the model right after the rescaling to [0, 1]; Keras runs
them only in training (``fit``), so predictions never see them. Mixup and
CutMix, which mix labels as well as images, are not layers: the training
batches are mixed before they enter the model
(:class:`~fer_features.deep._training.ShuffledBatches`).
"""

import math
from numbers import Real

__all__ = ["AUGMENTATION_PRESETS", "resolve_augmentation", "build_augmentation"]

# rotation in degrees; zoom, shift, brightness, contrast as fractions; gamma as
# the range of log(gamma); flip: random horizontal flips (faces are symmetric);
# erasing: the largest area (fraction of the image) of the rectangle of noise
# that random erasing puts on half the images; mixup, cutmix: the alpha of the
# Beta(alpha, alpha) distribution of the mixing weight (0: off)
AUGMENTATION_PRESETS = {
    "none": {},
    "low": {"flip": True, "rotation": 5.0, "zoom": 0.05, "shift": 0.05},
    "mid": {"flip": True, "rotation": 10.0, "zoom": 0.1, "shift": 0.1},
    "high": {
        "flip": True,
        "rotation": 15.0,
        "zoom": 0.15,
        "shift": 0.15,
        "brightness": 0.2,
        "contrast": 0.2,
        "gamma": 0.2,
    },
}

_KEYS = (
    "flip",
    "rotation",
    "zoom",
    "shift",
    "brightness",
    "contrast",
    "gamma",
    "erasing",
    "mixup",
    "cutmix",
)


def resolve_augmentation(augmentation):
    """Return the augmentation settings as a dict with every key.

    Parameters
    ----------
    augmentation : {"none", "low", "mid", "high"}, dict or None
        A preset name, or a dict with some of the keys ``flip`` (bool),
        ``rotation`` (degrees), ``zoom``, ``shift``, ``brightness``,
        ``contrast`` (fractions), ``gamma`` (range of ``log(gamma)``) and
        ``erasing`` (largest area of the rectangle that random erasing fills
        with noise on half the images, as a fraction of the image), ``mixup``
        and ``cutmix`` (alpha of the Beta distribution of the mixing weight;
        0 is off). ``None`` means ``"none"``.

    Raises
    ------
    ValueError
        For an unknown preset, an unknown key or a negative value.
    """
    if augmentation is None:
        augmentation = "none"
    if isinstance(augmentation, str):
        if augmentation not in AUGMENTATION_PRESETS:
            raise ValueError(
                f"augmentation={augmentation!r} is not a preset; use one of "
                f"{sorted(AUGMENTATION_PRESETS)} or a dict with keys {list(_KEYS)}"
            )
        settings = dict(AUGMENTATION_PRESETS[augmentation])
    else:
        unknown = sorted(set(augmentation) - set(_KEYS))
        if unknown:
            raise ValueError(f"augmentation has unknown keys {unknown}; the keys are {list(_KEYS)}")
        settings = dict(augmentation)
    resolved = {"flip": bool(settings.get("flip", False))}
    for key in _KEYS[1:]:
        value = settings.get(key, 0.0)
        if (
            not isinstance(value, Real)
            or isinstance(value, bool)
            or not math.isfinite(value)
            or value < 0
        ):
            raise ValueError(f"augmentation[{key!r}] must be a finite number >= 0, got {value!r}")
        resolved[key] = float(value)
    if resolved["erasing"] > 1:
        raise ValueError(
            f"augmentation['erasing'] is a fraction of the image and must be <= 1, "
            f"got {resolved['erasing']}"
        )
    if resolved["zoom"] >= 1 or resolved["shift"] >= 1:
        raise ValueError(
            f"augmentation zoom and shift are fractions of the image and must be < 1, "
            f"got zoom={resolved['zoom']}, shift={resolved['shift']}"
        )
    return resolved


def build_augmentation(keras, augmentation, seed=None):
    """Return the list of Keras layers that implement ``augmentation``.

    Parameters
    ----------
    keras : module
        The Keras 3 module.
    augmentation : str, dict or None
        As for :func:`resolve_augmentation`.
    seed : int or None
        Base seed; each layer gets its own seed derived from it.

    Returns
    -------
    layers : list of keras.layers.Layer
        Empty for ``"none"``. Inputs are expected in [0, 1]. ``mixup`` and
        ``cutmix`` have no layer: the batches are mixed before the model.
    """
    settings = resolve_augmentation(augmentation)
    layers = keras.layers

    def next_seed(i):
        return None if seed is None else int(seed) + 1000 * (i + 1)

    out = []
    if settings["flip"]:
        out.append(layers.RandomFlip("horizontal", seed=next_seed(0), name="aug_flip"))
    if settings["rotation"]:
        out.append(
            layers.RandomRotation(
                settings["rotation"] / 360.0,
                fill_mode="reflect",
                seed=next_seed(1),
                name="aug_rotation",
            )
        )
    if settings["zoom"]:
        out.append(
            layers.RandomZoom(
                settings["zoom"], fill_mode="reflect", seed=next_seed(2), name="aug_zoom"
            )
        )
    if settings["shift"]:
        out.append(
            layers.RandomTranslation(
                settings["shift"],
                settings["shift"],
                fill_mode="reflect",
                seed=next_seed(3),
                name="aug_shift",
            )
        )
    if keras.backend.backend() == "jax":
        # Keras marks its affine-transform layers as not compilable because
        # TensorFlow's kernel for them has no XLA version; on JAX they are
        # plain JAX operations and compile. Without this, one such layer makes
        # Keras run the whole JAX training step uncompiled, operation by
        # operation (0.55 to 0.75 of the compiled speed on 2 CPU cores, measured).
        for layer in out:
            if isinstance(
                layer, (layers.RandomRotation, layers.RandomZoom, layers.RandomTranslation)
            ):
                layer.supports_jit = True
    if settings["brightness"]:
        out.append(
            layers.RandomBrightness(
                settings["brightness"],
                value_range=(0.0, 1.0),
                seed=next_seed(4),
                name="aug_brightness",
            )
        )
    if settings["contrast"]:
        out.append(
            layers.RandomContrast(
                settings["contrast"], value_range=(0.0, 1.0), seed=next_seed(5), name="aug_contrast"
            )
        )
    if settings["gamma"]:
        from ._layers import RandomGamma

        out.append(RandomGamma(settings["gamma"], seed=next_seed(6), name="aug_gamma"))
    if settings["erasing"]:
        from ._layers import RandomErasing

        out.append(RandomErasing(settings["erasing"], seed=next_seed(7), name="aug_erasing"))
    return out
