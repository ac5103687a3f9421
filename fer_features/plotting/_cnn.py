"""CNN feature maps: what chosen layers of a fitted KerasCNNClassifier see in one face.

The only plotting module that touches Keras, and only inside
:meth:`FeatureMapsDisplay.from_estimator`.
"""

from numbers import Integral

import numpy as np

from ._base import _axes_grid, _check_positive_int, _images_of, _show_image

__all__ = ["FeatureMapsDisplay"]


class FeatureMapsDisplay:
    """Activations of chosen convolutional layers of a CNN for one face.

    One row per layer: the face, then the ``n_maps`` channels of that layer
    with the strongest mean activation for this face.

    Parameters
    ----------
    image : ndarray of shape (height, width)
        The face.
    feature_maps : list of ndarray of shape (h_l, w_l, n_channels_l)
        The activations of each layer.
    layer_names : list of str
        One per entry of ``feature_maps``.

    Attributes
    ----------
    figure_ : matplotlib Figure
    ax_ : ndarray of matplotlib Axes of shape (n_layers, n_maps + 1)
        Unused cells (layers with fewer channels) are hidden.
    channels_ : list of ndarray of int
        For each layer, the channels drawn, strongest first.

    See Also
    --------
    fer_features.KerasCNNClassifier : The estimator whose layers are drawn.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> from fer_features.plotting import FeatureMapsDisplay
    >>> maps = [np.random.default_rng(0).random((24, 24, 16)),
    ...         np.random.default_rng(1).random((12, 12, 32))]
    >>> disp = FeatureMapsDisplay(np.zeros((48, 48)), maps, ["conv1", "conv2"]).plot(n_maps=6)
    >>> disp.ax_.shape, disp.ax_[1, 1].get_images()[0].get_array().shape
    ((2, 7), (12, 12))
    """

    def __init__(self, image, feature_maps, layer_names):
        self.image = image
        self.feature_maps = feature_maps
        self.layer_names = layer_names

    @classmethod
    def from_estimator(
        cls, estimator, X, *, index=0, layers=None, n_maps=8, image_shape=None, ax=None
    ):
        """Run one face through a fitted Keras CNN and draw chosen layers.

        Parameters
        ----------
        estimator : KerasCNNClassifier
            Fitted (it has ``model_``, a Keras model).
        X : array-like of shape (n_samples, height * width) or (n_samples, height, width)
            Faces, as the estimator takes them.
        index : int, default=0
            Which face of ``X`` to draw.
        layers : list of str or int, default=None
            Layer names, or indices into ``model_.layers``. None: the
            convolutional layers, at most four, spread from first to last.
        n_maps : int, default=8
            Channels drawn per layer.
        image_shape : tuple of (int, int), default=None
            How to read a row as an image; the estimator's ``image_shape_`` (or
            a square) if None.
        ax : array-like of matplotlib Axes, default=None

        Returns
        -------
        display : FeatureMapsDisplay
        """
        caller = "FeatureMapsDisplay.from_estimator"
        n_maps = _check_positive_int(n_maps, "n_maps", caller)
        model = getattr(estimator, "model_", None)
        if model is None:
            raise ValueError(
                f"{caller} needs a fitted KerasCNNClassifier (with model_); got "
                f"{type(estimator).__name__} without model_ (fit it first)"
            )
        import keras

        if image_shape is None:
            image_shape = getattr(estimator, "image_shape_", None)
        images = _images_of(X, None if image_shape is None else tuple(image_shape))
        n = images.shape[0]
        if not isinstance(index, Integral) or not -n <= index < n:
            raise ValueError(f"{caller}: index={index!r} is not a face of X ({n} faces)")
        chosen = _choose_layers(model, layers, caller)
        inputs = model.inputs[0] if len(model.inputs) == 1 else model.inputs
        probe = keras.Model(inputs=inputs, outputs=[layer.output for layer in chosen])
        batch = _model_input(images[[index]])
        outputs = probe(batch, training=False)
        if not isinstance(outputs, (list, tuple)):
            outputs = [outputs]
        maps = [np.asarray(keras.ops.convert_to_numpy(o))[0] for o in outputs]
        for layer, fmap in zip(chosen, maps):
            if fmap.ndim != 3:
                raise ValueError(
                    f"{caller}: layer {layer.name!r} gives outputs of shape "
                    f"{fmap.shape} per face, not feature maps (height, width, "
                    f"channels); choose convolutional layers"
                )
        disp = cls(np.asarray(images[index], dtype=float), maps, [lay.name for lay in chosen])
        return disp.plot(ax=ax, n_maps=n_maps)

    def plot(self, *, ax=None, n_maps=8, cmap="viridis"):
        """Draw the display.

        Parameters
        ----------
        ax : array-like of matplotlib Axes, default=None
            ``n_layers * (n_maps + 1)`` axes; a new figure if None.
        n_maps : int, default=8
            Channels drawn per layer, the strongest on average for this face.
        cmap : str, default="viridis"

        Returns
        -------
        display : FeatureMapsDisplay
        """
        n_maps = _check_positive_int(n_maps, "n_maps", "FeatureMapsDisplay.plot")
        n_layers = len(self.feature_maps)
        n_cols = n_maps + 1
        fig, axes = _axes_grid(
            ax, n_layers * n_cols, n_cols, "FeatureMapsDisplay.plot", panel_size=1.3
        )
        axes = axes.reshape(n_layers, n_cols)
        channels = []
        for row, (fmap, name) in enumerate(zip(self.feature_maps, self.layer_names)):
            fmap = np.asarray(fmap, dtype=float)
            strength = fmap.reshape(-1, fmap.shape[-1]).mean(axis=0)
            order = np.argsort(-strength, kind="stable")[:n_maps]
            channels.append(order)
            _show_image(axes[row, 0], self.image, title=name, fontsize=7)
            for j in range(n_maps):
                target = axes[row, j + 1]
                if j < order.size:
                    _show_image(
                        target, fmap[..., order[j]], cmap=cmap, title=f"ch {order[j]}", fontsize=7
                    )
                else:
                    target.set_visible(False)
        fig.suptitle("CNN feature maps")
        self.figure_, self.ax_, self.channels_ = fig, axes, channels
        return self


def _choose_layers(model, layers, caller):
    """Keras layers chosen by name or index; by default up to four conv layers."""
    all_layers = list(model.layers)
    if layers is None:
        conv = [lay for lay in all_layers if "conv" in type(lay).__name__.lower()]
        if not conv:
            raise ValueError(
                f"{caller}: the model has no convolutional layer at its top level; "
                f"pass layers=[...] with the names of layers giving feature maps"
            )
        if len(conv) > 4:
            conv = [conv[i] for i in np.linspace(0, len(conv) - 1, 4).round().astype(int)]
        return conv
    if isinstance(layers, (str, Integral)):
        layers = [layers]
    chosen = []
    names = [lay.name for lay in all_layers]
    for key in layers:
        if isinstance(key, Integral):
            if not -len(all_layers) <= key < len(all_layers):
                raise ValueError(
                    f"{caller}: layer index {key} is out of range (the model has "
                    f"{len(all_layers)} layers)"
                )
            chosen.append(all_layers[key])
        elif key in names:
            chosen.append(all_layers[names.index(key)])
        else:
            raise ValueError(
                f"{caller}: the model has no layer named {key!r}; its layers are {names}"
            )
    return chosen


def _model_input(images):
    """The Keras input for ``images`` (n, h, w): float32 (n, h, w, 1).

    As :class:`~fer_features.KerasCNNClassifier` feeds its model, which rescales
    pixel values itself (its first layer).
    """
    return np.asarray(images, dtype="float32")[..., None]
