"""Custom Keras layers of fer_features (this module imports Keras: import it lazily).

They are registered with Keras's serialization under the package name
``"fer_features"``, so models holding them load in Keras's safe mode once this
module has been imported (which :class:`~fer_features.deep.KerasCNNClassifier`
does before loading).
"""

import math

import keras
from keras import ops

__all__ = ["RandomGamma", "RandomErasing"]


@keras.saving.register_keras_serializable(package="fer_features")
class RandomGamma(keras.layers.Layer):
    """Random gamma correction ``x ** g`` of images in [0, 1], in training only.

    ``log(g)`` is drawn uniformly in ``[-factor, factor]``, one value per image.

    Parameters
    ----------
    factor : float
        Range of ``log(gamma)``; 0 leaves images unchanged.
    seed : int or None
        Seed of the random draws.
    """

    def __init__(self, factor, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.factor = float(factor)
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)
        self.supports_masking = True

    def call(self, inputs, training=False):
        if not training or self.factor == 0:
            return inputs
        batch = ops.shape(inputs)[0]
        log_gamma = keras.random.uniform(
            (batch, 1, 1, 1),
            minval=-self.factor,
            maxval=self.factor,
            seed=self.seed_generator,
            dtype=inputs.dtype,
        )
        return ops.power(ops.clip(inputs, 0.0, 1.0), ops.exp(log_gamma))

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config.update({"factor": self.factor, "seed": self.seed})
        return config


@keras.saving.register_keras_serializable(package="fer_features")
class RandomErasing(keras.layers.Layer):
    """Random erasing (Zhong et al., 2017) of images in [0, 1], in training only.

    Each image, with probability ``probability``, gets one rectangle replaced
    by uniform noise in [0, 1]. The rectangle's area is drawn uniformly between
    2% (or ``max_area``, if smaller) and ``max_area`` of the image's, its
    aspect ratio (height over width) log-uniformly between 0.3 and 1/0.3, and
    its place uniformly where it fits; a rectangle taller or wider than the
    image is cut to it (so large areas come out smaller, unlike torchvision's
    redraws). The project's own layer because Keras's ``RandomErasing`` came
    with Keras 3.9 (the project supports 3.1 on) and means other things by
    its ``factor`` and ``scale``.

    Parameters
    ----------
    max_area : float
        Largest erased area as a fraction of the image, at most 1; 0 leaves
        images unchanged.
    probability : float, default=0.5
        Fraction of the images that get a rectangle erased.
    seed : int or None
        Seed of the random draws.

    References
    ----------
    .. [1] Z. Zhong, L. Zheng, G. Kang, S. Li, Y. Yang, "Random erasing data
       augmentation", AAAI 2020 (arXiv:1708.04896, 2017).
    """

    MIN_AREA = 0.02
    MAX_RATIO = 1 / 0.3

    def __init__(self, max_area, probability=0.5, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.max_area = float(max_area)
        self.probability = float(probability)
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)
        self.supports_masking = True

    def call(self, inputs, training=False):
        if not training or self.max_area == 0 or self.probability == 0:
            return inputs
        shape = ops.shape(inputs)
        batch, height, width = shape[0], shape[1], shape[2]
        h, w = ops.cast(height, "float32"), ops.cast(width, "float32")

        def draw(low, high):
            return keras.random.uniform(
                (batch, 1, 1, 1), minval=low, maxval=high, seed=self.seed_generator
            )

        area = draw(min(self.MIN_AREA, self.max_area), self.max_area) * h * w
        ratio = ops.exp(draw(-math.log(self.MAX_RATIO), math.log(self.MAX_RATIO)))
        box_h = ops.minimum(ops.sqrt(area * ratio), h)
        box_w = ops.minimum(ops.sqrt(area / ratio), w)
        top = draw(0.0, 1.0) * (h - box_h)
        left = draw(0.0, 1.0) * (w - box_w)
        rows = ops.reshape(ops.arange(height, dtype="float32"), (1, -1, 1, 1)) + 0.5
        cols = ops.reshape(ops.arange(width, dtype="float32"), (1, 1, -1, 1)) + 0.5
        inside = ops.logical_and(
            ops.logical_and(rows >= top, rows < top + box_h),
            ops.logical_and(cols >= left, cols < left + box_w),
        )
        chosen = draw(0.0, 1.0) < self.probability
        noise = keras.random.uniform(shape, seed=self.seed_generator, dtype=inputs.dtype)
        return ops.where(ops.logical_and(inside, chosen), noise, inputs)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config.update(
            {"max_area": self.max_area, "probability": self.probability, "seed": self.seed}
        )
        return config
