"""The networks behind :class:`~fer_features.deep.KerasCNNClassifier`.

Each builder takes the Keras module, the input tensor (already rescaled to
[0, 1] and augmented) and the head settings, and returns the class
probabilities. Every network ends in a ``Dense`` or ``Conv2D`` layer named
``"predictions"`` followed by a float32 softmax named ``"probabilities"``; the
input of ``"predictions"`` is the penultimate representation that
:class:`~fer_features.deep.CNNFeatureTransformer` exposes.

Pooling uses ``padding="same"`` throughout, so every network also accepts
images smaller than it was designed for (down to a single row of pixels).
"""

import re

__all__ = [
    "ARCHITECTURES",
    "BACKBONES",
    "DEFAULT_DENSE_UNITS",
    "build_network",
    "backbone_blocks",
]

# name -> default number of units of the hidden dense layer(s) of the head
DEFAULT_DENSE_UNITS = {
    "simple": 256,
    "residual": 256,
    "compact": 128,
    "wide": 512,
    "mini_xception": 0,
    "vgg16": 256,
    "vgg19": 256,
    "resnet50v2": 256,
    "efficientnetb0": 256,
}

# keras.applications backbones: name -> (constructor, how inputs in [0, 1] are
# brought to what the ImageNet weights expect)
BACKBONES = {
    "vgg16": ("VGG16", "caffe"),
    "vgg19": ("VGG19", "caffe"),
    "resnet50v2": ("ResNet50V2", "tf"),
    "efficientnetb0": ("EfficientNetB0", "raw"),
}

ARCHITECTURES = tuple(DEFAULT_DENSE_UNITS)

# The default "simple" net: (filters, convolutions) per block. Chosen by
# measuring training images/s on 2 CPU cores against accuracy per epoch: the
# first block works at full 48x48 resolution, so it gets one narrow
# convolution; the deeper blocks get two.
SIMPLE_BLOCKS = ((24, 1), (48, 2), (96, 2), (192, 2))
SIMPLE_BLOCK_DROPOUT = 0.1

# "compact": the "simple" net at two thirds of its widths and a 128-unit dense
# layer, 0.44 M parameters (1.8 MB of float32 weights), so that a trained model
# fits the 2 MB the shipped model may take.
COMPACT_BLOCKS = ((16, 1), (32, 2), (64, 2), (128, 2))

# "wide": the same VGG-style stack with two convolutions in every block and the
# widths of VGG (64 to 512 filters) and a 512-unit dense layer: 7.05 M
# parameters and about 0.47 G multiply-adds per 48x48 face forward (0.13 G in
# each of the last three blocks), a network for a GPU.
WIDE_BLOCKS = ((64, 2), (128, 2), (256, 2), (512, 2))
# Batch-normalisation moving averages: 0.9 rather than Keras's 0.99, so that the
# inference statistics are right after a few hundred steps (short trainings on
# small data), at no cost on FER2013's 450 steps per epoch.
BN_MOMENTUM = 0.9


def _conv_bn_relu(keras, x, filters, kernel=3, strides=1, name=None):
    layers = keras.layers
    x = layers.Conv2D(
        filters,
        kernel,
        strides=strides,
        padding="same",
        use_bias=False,
        name=None if name is None else name + "_conv",
    )(x)
    x = layers.BatchNormalization(
        momentum=BN_MOMENTUM, name=None if name is None else name + "_bn"
    )(x)
    return layers.Activation("relu", name=None if name is None else name + "_relu")(x)


def _dense_head(keras, x, n_classes, dense_units, dropout, n_hidden=1):
    layers = keras.layers
    for i in range(n_hidden if dense_units else 0):
        x = layers.Dense(dense_units, use_bias=False, name=f"head_dense{i + 1}")(x)
        x = layers.BatchNormalization(momentum=BN_MOMENTUM, name=f"head_bn{i + 1}")(x)
        x = layers.Activation("relu", name=f"head_relu{i + 1}")(x)
        if dropout:
            x = layers.Dropout(dropout, name=f"head_dropout{i + 1}")(x)
    x = layers.Dense(n_classes, name="predictions")(x)
    return layers.Activation("softmax", dtype="float32", name="probabilities")(x)


def _simple(keras, x, n_classes, dense_units, dropout, blocks=SIMPLE_BLOCKS, **_):
    layers = keras.layers
    for b, (filters, n_conv) in enumerate(blocks, start=1):
        for c in range(1, n_conv + 1):
            x = _conv_bn_relu(keras, x, filters, name=f"block{b}_{c}")
        x = layers.MaxPooling2D(2, padding="same", name=f"block{b}_pool")(x)
        x = layers.Dropout(SIMPLE_BLOCK_DROPOUT, name=f"block{b}_dropout")(x)
    x = layers.Flatten(name="flatten")(x)
    return _dense_head(keras, x, n_classes, dense_units, dropout)


def _residual(keras, x, n_classes, dense_units, dropout, **_):
    """Conv-and-residual stages 8-16-32-64, then 128 and 256 convolutions."""
    layers = keras.layers
    for s, filters in enumerate((8, 16, 32, 64), start=1):
        x = _conv_bn_relu(keras, x, filters, name=f"stage{s}")
        shortcut = x
        y = _conv_bn_relu(keras, x, filters, name=f"stage{s}_res1")
        y = layers.Conv2D(filters, 3, padding="same", use_bias=False, name=f"stage{s}_res2_conv")(y)
        y = layers.BatchNormalization(momentum=BN_MOMENTUM, name=f"stage{s}_res2_bn")(y)
        x = layers.Add(name=f"stage{s}_add")([shortcut, y])
        x = layers.Activation("relu", name=f"stage{s}_out")(x)
        x = layers.MaxPooling2D(2, padding="same", name=f"stage{s}_pool")(x)
    for s, filters in ((5, 128), (6, 256)):
        x = _conv_bn_relu(keras, x, filters, name=f"stage{s}")
        x = layers.MaxPooling2D(2, padding="same", name=f"stage{s}_pool")(x)
    x = layers.Flatten(name="flatten")(x)
    return _dense_head(keras, x, n_classes, dense_units, dropout, n_hidden=2)


def _mini_xception(keras, x, n_classes, dense_units, dropout, **_):
    """mini-Xception (Arriaga, Ploeger and Valdenegro 2017), about 60k parameters."""
    layers = keras.layers
    reg = keras.regularizers.L2(0.01)
    for i in (1, 2):
        x = layers.Conv2D(
            8, 3, padding="same", use_bias=False, kernel_regularizer=reg, name=f"entry{i}_conv"
        )(x)
        x = layers.BatchNormalization(momentum=BN_MOMENTUM, name=f"entry{i}_bn")(x)
        x = layers.Activation("relu", name=f"entry{i}_relu")(x)
    for m, filters in enumerate((16, 32, 64, 128), start=1):
        residual = layers.Conv2D(
            filters, 1, strides=2, padding="same", use_bias=False, name=f"module{m}_shortcut"
        )(x)
        residual = layers.BatchNormalization(momentum=BN_MOMENTUM, name=f"module{m}_shortcut_bn")(
            residual
        )
        x = layers.SeparableConv2D(
            filters,
            3,
            padding="same",
            use_bias=False,
            depthwise_regularizer=reg,
            pointwise_regularizer=reg,
            name=f"module{m}_sep1",
        )(x)
        x = layers.BatchNormalization(momentum=BN_MOMENTUM, name=f"module{m}_sep1_bn")(x)
        x = layers.Activation("relu", name=f"module{m}_sep1_relu")(x)
        x = layers.SeparableConv2D(
            filters,
            3,
            padding="same",
            use_bias=False,
            depthwise_regularizer=reg,
            pointwise_regularizer=reg,
            name=f"module{m}_sep2",
        )(x)
        x = layers.BatchNormalization(momentum=BN_MOMENTUM, name=f"module{m}_sep2_bn")(x)
        x = layers.MaxPooling2D(3, strides=2, padding="same", name=f"module{m}_pool")(x)
        x = layers.Add(name=f"module{m}_add")([x, residual])
    if dense_units:
        x = layers.GlobalAveragePooling2D(name="gap")(x)
        return _dense_head(keras, x, n_classes, dense_units, dropout)
    # the paper's head: a convolution to one map per class, averaged
    x = layers.Conv2D(n_classes, 3, padding="same", name="predictions")(x)
    x = layers.GlobalAveragePooling2D(name="gap")(x)
    return layers.Activation("softmax", dtype="float32", name="probabilities")(x)


_BLOCK_PATTERNS = {
    "vgg16": r"^(block\d+)_",
    "vgg19": r"^(block\d+)_",
    "resnet50v2": r"^(conv\d+)_block",
    "efficientnetb0": r"^(block\d+)[a-z]_",
}


def backbone_blocks(name, backbone):
    """Group the layers of a ``keras.applications`` backbone into its blocks.

    Returns a list of ``(block_name, [layers])`` from the input to the output.
    Layers before the first block (the stem) form a block of their own named
    ``"stem"``; layers after the last block (final normalisation, top
    convolution) are counted in the last block.
    """
    pattern = re.compile(_BLOCK_PATTERNS[name])
    blocks = []
    for layer in backbone.layers:
        match = pattern.match(layer.name)
        if match:
            key = match.group(1)
        elif blocks and blocks[-1][0] != "stem":
            key = blocks[-1][0]  # trailing layers join the last block
        else:
            key = "stem"
        if not blocks or blocks[-1][0] != key:
            blocks.append((key, []))
        blocks[-1][1].append(layer)
    return blocks


def _set_trainable_blocks(name, backbone, trainable_blocks):
    if trainable_blocks == "all":
        backbone.trainable = True
        return
    blocks = [b for b in backbone_blocks(name, backbone) if b[0] != "stem"]
    n_blocks = len(blocks)
    if trainable_blocks > n_blocks:
        raise ValueError(
            f"trainable_blocks={trainable_blocks} but {name} has only {n_blocks} "
            f"convolution blocks ({', '.join(b[0] for b in blocks)}); use 'all' or fewer"
        )
    for layer in backbone.layers:
        layer.trainable = False
    for _, block_layers in blocks[n_blocks - trainable_blocks :]:
        for layer in block_layers:
            layer.trainable = True


def _backbone(keras, x, n_classes, dense_units, dropout, *, name, weights, trainable_blocks):
    layers = keras.layers
    constructor, preprocessing = BACKBONES[name]
    # grey to 3 channels, then the value range the ImageNet weights were trained on
    x = layers.Concatenate(axis=-1, name="grey_to_rgb")([x, x, x])
    if preprocessing == "caffe":
        # BGR with the ImageNet mean subtracted, on a 0..255 scale
        x = layers.Rescaling(255.0, name="to_255")(x)
        x = layers.Normalization(
            mean=[103.939, 116.779, 123.68], variance=[1.0, 1.0, 1.0], name="imagenet_mean"
        )(x)
    elif preprocessing == "tf":
        x = layers.Rescaling(2.0, offset=-1.0, name="to_pm1")(x)
    else:  # EfficientNet rescales 0..255 itself
        x = layers.Rescaling(255.0, name="to_255")(x)
    backbone_weights = "imagenet" if weights == "imagenet" else None
    backbone = getattr(keras.applications, constructor)(
        include_top=False,
        weights=backbone_weights,
        input_shape=tuple(x.shape[1:]),
        pooling=None,
    )
    if weights not in (None, "imagenet"):
        try:
            backbone.load_weights(str(weights))
        except Exception as exc:
            raise ValueError(
                f"could not load the weights file {str(weights)!r} into the {name} "
                f"backbone (include_top=False): {exc}"
            ) from exc
    _set_trainable_blocks(name, backbone, trainable_blocks)
    x = backbone(x)
    x = layers.GlobalAveragePooling2D(name="gap")(x)
    return _dense_head(keras, x, n_classes, dense_units, dropout)


def _compact(keras, x, n_classes, dense_units, dropout, **_):
    return _simple(keras, x, n_classes, dense_units, dropout, blocks=COMPACT_BLOCKS)


def _wide(keras, x, n_classes, dense_units, dropout, **_):
    return _simple(keras, x, n_classes, dense_units, dropout, blocks=WIDE_BLOCKS)


_BUILDERS = {
    "simple": _simple,
    "compact": _compact,
    "wide": _wide,
    "residual": _residual,
    "mini_xception": _mini_xception,
}


def build_network(
    keras,
    architecture,
    x,
    n_classes,
    *,
    dense_units=None,
    dropout=0.5,
    weights=None,
    trainable_blocks="all",
):
    """Apply the named network to the tensor ``x``; return the probabilities.

    Parameters
    ----------
    keras : module
        The Keras 3 module.
    architecture : str
        One of :data:`ARCHITECTURES`.
    x : KerasTensor of shape (batch, height, width, 1)
        Grey images scaled to [0, 1].
    n_classes : int
        Number of output units.
    dense_units : int or None
        Units of the hidden dense layer(s) of the head; ``None`` means the
        architecture's default (:data:`DEFAULT_DENSE_UNITS`), ``0`` no hidden layer.
    dropout : float
        Dropout before the output layer.
    weights : None, "imagenet" or path
        Initial weights of a ``keras.applications`` backbone.
    trainable_blocks : int or "all"
        How many of a backbone's top convolution blocks are trained.
    """
    if dense_units is None:
        dense_units = DEFAULT_DENSE_UNITS[architecture]
    if architecture in BACKBONES:
        return _backbone(
            keras,
            x,
            n_classes,
            dense_units,
            dropout,
            name=architecture,
            weights=weights,
            trainable_blocks=trainable_blocks,
        )
    return _BUILDERS[architecture](keras, x, n_classes, dense_units, dropout)
