"""Custom Keras layers of fer_features (this module imports Keras: import it lazily).

They are registered with Keras's serialization under the package name
``"fer_features"``, so models holding them load in Keras's safe mode once this
module has been imported (which :class:`~fer_features.deep.KerasCNNClassifier`
does before loading).
"""

import keras
from keras import ops

__all__ = ["RandomGamma"]


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
