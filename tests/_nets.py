"""A one-convolution Keras network shared by the tests of the Keras estimators.

Keras is imported inside ``__call__``: importing this module needs no Keras.
"""


class OneConvNet:
    """A network of input normalisation, one 8-filter convolution and a dense layer.

    The estimator checks and the tests of the wrapper's behaviour (parameters,
    fitted state, input validation, pickling, training settings) test code that
    is the same whatever the network; this one builds, traces and trains several
    times faster than the default ``"simple"`` net, and each built-in
    architecture has its own tests. A class
    with a fixed ``repr``, so that the checks' test ids are the same in every
    pytest-xdist worker. The batch normalisation first undoes the 1/255 scaling
    that the wrapper applies to the checks' standardised data (values above 1
    read as 0-255 pixels), which would otherwise leave the biases to dominate.
    """

    def __call__(self, x, n_classes):
        import keras

        x = keras.layers.BatchNormalization(momentum=0.5, name="normalise")(x)
        x = keras.layers.Conv2D(8, 3, padding="same", activation="relu", name="conv")(x)
        x = keras.layers.Flatten(name="flatten")(x)
        return keras.layers.Dense(n_classes, name="scores")(x)

    def __repr__(self):
        return "OneConvNet()"

    def __eq__(self, other):  # a clone's or an unpickled copy's equals the original
        return type(other) is type(self)

    def __hash__(self):
        return hash(type(self))
