"""``KerasCNNClassifier``: a Keras 3 CNN behind the scikit-learn classifier API."""

import gc
import math
import tempfile
import time
from numbers import Integral, Real
from pathlib import Path

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, _fit_context
from sklearn.preprocessing import LabelEncoder
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.class_weight import compute_class_weight
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from .._images import flatten_images
from ._architectures import ARCHITECTURES, BACKBONES
from ._augmentation import build_augmentation, resolve_augmentation
from ._backend import backend_global_rng, has_gpu, import_keras
from ._inputs import NETWORK_DTYPES, network_batch, network_images, resolve_network_shape
from ._seeding import seeded_build
from ._training import CosineSchedule, shuffled_batches, training_callbacks

__all__ = ["KerasCNNClassifier", "quick_cnn_params"]

_OPTIMIZERS = ("adam", "adamw", "sgd", "rmsprop")


def quick_cnn_params():
    """Settings of :class:`KerasCNNClassifier` for quick runs on small data.

    The benchmark runner's default (synthetic) benchmark uses them, so that the
    whole no-argument benchmark stays within a few minutes on 2 CPU cores: the
    default ``"simple"`` network, 8 epochs, no time budget.

    Returns
    -------
    params : dict
        Keyword arguments for :class:`KerasCNNClassifier`.

    Examples
    --------
    >>> from fer_features.deep import quick_cnn_params
    >>> quick_cnn_params()["epochs"]
    8
    """
    return {
        "architecture": "simple",
        "epochs": 8,
        "batch_size": 32,
        "augmentation": "low",
        "max_time": None,
    }


def _model_to_bytes(model):
    """The model in Keras's native ``.keras`` format, as bytes."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "model.keras"
        model.save(path)
        return path.read_bytes()


def _model_from_bytes(data):
    """Load a model saved by :func:`_model_to_bytes`, in Keras's safe mode."""
    keras = import_keras()
    from . import _layers  # noqa: F401  (registers the custom layers with Keras)

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "model.keras"
        path.write_bytes(data)
        return keras.saving.load_model(path, safe_mode=True)


def _forward(model, X, batch_size, view=None):
    """The model's output on ``X`` in inference mode, batch by batch, as float64.

    Calls the model directly rather than through ``model.predict``, which
    traces a graph function for each new model first: for the small inputs of
    an application or of a cross-validation fold, that tracing costs more than
    the computation. ``view``, when given, is applied to each batch of images
    ``(n, height, width, 1)`` before the network sees it.
    """
    keras = import_keras()
    parts = []
    for start in range(0, X.shape[0], batch_size):
        batch = X[start : start + batch_size]
        if view is not None:
            batch = view(batch)
        parts.append(keras.ops.convert_to_numpy(model(network_batch(batch), training=False)))
    return np.concatenate(parts).astype(np.float64, copy=False)


def shifted_images(images, dy, dx):
    """``images`` (n, height, width, 1) moved by ``dy`` rows and ``dx`` columns.

    A positive ``dx`` moves the content right; the pixels that come in repeat
    the nearest edge pixel (as ``numpy.pad``'s ``"edge"`` mode).
    """
    h, w = images.shape[1:3]
    py, px = abs(dy), abs(dx)
    padded = np.pad(images, ((0, 0), (py, py), (px, px), (0, 0)), mode="edge")
    return padded[:, py - dy : py - dy + h, px - dx : px - dx + w]


def _test_time_views(shift, flip):
    """The views that test-time augmentation averages: functions of a batch."""
    moves = [(0, 0)]
    if shift:
        moves += [(0, -shift), (0, shift), (-shift, 0), (shift, 0)]
    views = [
        None if move == (0, 0) else (lambda b, move=move: shifted_images(b, *move))
        for move in moves
    ]
    if flip:
        # the mirror images: columns reversed (a view; copied a batch at a time)
        views += [(lambda b, v=v: (b if v is None else v(b))[:, :, ::-1]) for v in list(views)]
    return views


class KerasCNNClassifier(ClassifierMixin, BaseEstimator):
    """A convolutional network (Keras 3) as a scikit-learn classifier.

    Images follow the library's convention: ``X`` of shape
    ``(n_samples, height * width)`` read with ``image_shape`` (square when
    ``None``), or ``(n_samples, height, width)`` / ``(n_samples, height, width, 1)``.
    Pixels are uint8 grey values 0-255 or floats in [0, 1]: ``fit`` decides
    which from the data (any value above 1 means 0-255) and stores the factor
    in ``pixel_scale_``; the network rescales by that factor itself, so
    ``predict`` expects data on the same scale as ``fit`` got.

    Keras is imported at the first ``fit`` (``import fer_features`` does not
    import TensorFlow). The network trains on a GPU whenever the Keras backend
    sees one, with mixed precision there, and on the CPU otherwise.

    Parameters
    ----------
    architecture : {"simple", "compact", "residual", "mini_xception", "vgg16", \
"vgg19", "resnet50v2", "efficientnetb0"} or callable, default="simple"
        The network. ``"simple"``: a VGG-style net for 48x48 faces (blocks of
        24-48-96-192 filters with batch normalisation, max-pooling and dropout,
        then a dense layer; 1.1 M parameters). ``"compact"``: the same at two
        thirds of its widths (16-32-64-128, a 128-unit dense layer; 0.44 M
        parameters, the shipped model's network). ``"residual"``:
        conv-and-residual stages 8-16-32-64, then 128 and 256 convolutions and
        two dense layers. ``"mini_xception"``:
        Arriaga et al. (2017), about 60k parameters. The others are
        ``keras.applications`` backbones for transfer learning, fed the grey
        image as 3 channels. A callable brings your own network: it is called
        as ``architecture(inputs, n_classes)`` with the Keras tensor of the
        images, shape ``(batch, height, width, 1)``, already scaled to [0, 1],
        augmented and resized, and returns the tensor of the ``n_classes``
        class scores (logits) built from it with Keras layers; the classifier
        adds the softmax. ``dense_units``, ``dropout``, ``weights`` and
        ``trainable_blocks`` do not apply to it. Use a module-level function
        (not a lambda) so that the classifier pickles.
    input_size : int or None, default=None
        Side to which images are resized inside the network (e.g. 96 for a
        backbone on 48x48 faces); ``None`` keeps their size. Backbones need at
        least 32.
    weights : None, "imagenet" or str path, default=None
        Initial weights of a backbone: random (``None``), ImageNet (downloaded
        by Keras on first use and cached in ``~/.keras/models``) or a local
        weights file of the backbone without its top (``include_top=False``),
        e.g. Keras's ``*_notop.h5`` file copied by hand for offline use.
        Ignored by the other architectures.
    trainable_blocks : int or "all", default="all"
        How many of a backbone's top convolution blocks are trained: 0 freezes
        the backbone (only the head learns), ``"all"`` trains everything.
        Ignored by the other architectures.
    dense_units : int or None, default=None
        Units of the hidden dense layer(s) of the head: ``None`` means the
        architecture's default (256; 128 for ``"compact"``; none for
        ``"mini_xception"``), 0 none.
    dropout : float, default=0.5
        Dropout rate before the output layer.
    epochs : int, default=30
        Number of passes over the training data (fewer if ``early_stopping``
        or ``max_time`` ends training first). The default, 30, is chosen to
        take about as long as the former default's 55-minute time budget on
        FER2013's 28,709 training faces on 2 CPU cores: that budget got through
        32 epochs on a shared 2-core machine, so 30 epochs take about 52
        minutes at the same speed (an estimate, not a timed run).
    batch_size : int, default=64
        Images per gradient step.
    optimizer : {"adam", "adamw", "sgd", "rmsprop"}, default="adam"
        The optimizer (``"sgd"`` with Nesterov momentum 0.9, ``"adamw"`` with
        weight decay 1e-4 unless ``weight_decay`` sets another).
    learning_rate : float, default=2e-3
        Initial (peak) learning rate. The default, 2e-3 (1e-3 before 0.2.0),
        was chosen for Adam and the default network on a validation split of
        FER2013, where it beat 1e-3 by 1.0 point of accuracy and 2.1 of
        macro-F1 at 30 epochs (``benchmarks/RESULTS.md``). Fine-tuning a
        backbone's ImageNet weights usually wants a rate ten or more times
        lower.
    weight_decay : float or None, default=None
        Weight decay of the optimizer, in Keras's decoupled form: each step
        shrinks every trained weight (batch normalisation's too) by the step's
        learning rate (after the schedule) times ``weight_decay``, outside the
        momentum, so with ``"sgd"`` 5e-3 here shrinks about as much as
        PyTorch's coupled 5e-4 with momentum 0.9; ``"adam"`` with a weight
        decay is then the same as ``"adamw"``. ``None``: this classifier's
        default for the optimizer, 1e-4 for ``"adamw"`` and none for the
        others. The GPU run of the ``"wide"`` network that scored 0.7021 on
        PublicTest used 5e-3, together with random erasing and a longer
        training; it was not measured alone (``benchmarks/RESULTS.md``). With
        ``warm_start`` the fitted network keeps its optimizer, so a new value
        applies from the next cold fit.
    schedule : {"cosine", "plateau"} or None, default="cosine"
        ``"cosine"``: one epoch of linear warm-up, then cosine decay to 1% of
        ``learning_rate`` at the end of the ``epochs`` (or of ``max_time``,
        if that comes first). ``"plateau"``: halve the rate when
        the (validation) loss stops improving for 3 epochs. ``None``: constant.
    max_time : float or None, default=None
        Optional time budget of ``fit`` in seconds: training stops after the
        step that exceeds it, and the cosine schedule follows the clock when
        the clock is ahead of the epochs. ``None`` (the default): training is
        defined by ``epochs`` alone, so that ``random_state`` defines the
        result. With a budget, how far training gets depends on the machine's
        speed and load, and two fits with the same ``random_state`` may differ
        (the estimator's ``non_deterministic`` tag says so).
    early_stopping : int or None, default=None
        Patience (epochs) of early stopping on the validation loss, restoring
        the best weights; needs ``validation_split`` or ``validation_data``.
    validation_split : float, default=0.0
        Fraction of the training data held out (stratified, drawn with
        ``random_state``) to monitor the loss. ``fit`` also accepts
        ``validation_data=(X_val, y_val)``.
    class_weight : None, "balanced", "balanced_sqrt" or dict, \
default="balanced_sqrt"
        Weights of the classes in the loss. ``"balanced"``: scikit-learn's
        ``n_samples / (n_classes * count)``; ``"balanced_sqrt"`` (the
        default): their square roots, half-way in log scale between no weights
        and balanced ones (on FER2013 Training 3.07 for "disgust", the rarest class,
        and 0.75 for "happy", the commonest); a dict's keys are the labels of
        ``y``, absent classes weigh 1; ``None``: every class weighs 1. The
        default was chosen on FER2013, where without weights the network
        almost never predicts "disgust" (``benchmarks/RESULTS.md``).
    label_smoothing : float, default=0.1
        Label smoothing of the cross-entropy loss.
    augmentation : {"none", "low", "mid", "high"} or dict, default="low"
        Random image transforms applied in training only (Keras preprocessing
        layers): ``"low"`` (the default) flips, rotations up to 5 degrees, 5%
        zooms and shifts, ``"mid"`` flips, rotations up to 10 degrees, 10%
        zooms and shifts, ``"high"`` stronger ones plus brightness, contrast
        and gamma. A dict gives some of the keys ``flip`` (bool), ``rotation``
        (degrees), ``zoom``, ``shift``, ``brightness``, ``contrast``
        (fractions), ``gamma`` (range of ``log(gamma)``), ``erasing``
        (random erasing: on half the images a rectangle of 2% up to this
        fraction of the image is replaced by noise), ``mixup`` and
        ``cutmix`` (the alpha of the Beta distribution of the mixing weight,
        0 for off: mixup blends each image and its target with another's of
        the batch, CutMix pastes a rectangle of another image and mixes the
        targets by area, each image keeping its class weight; with both, each
        batch takes one of them; they mix the batches before the layers
        above, and the training accuracy in ``history_`` is then judged
        against the larger share of each mixed target). With ``warm_start``,
        a changed ``mixup`` or ``cutmix`` applies at the next fit, the other
        keys only when the network is built anew. At the default
        30 epochs on FER2013 the network underfits, and ``"low"`` scored
        better than ``"mid"`` (``benchmarks/RESULTS.md``).
    jit_compile : bool or "auto", default="auto"
        XLA compilation of the training step. ``"auto"``: Keras's choice (on
        when every layer of the network compiles) on the JAX backend, where
        without it the step runs operation by operation (0.55 to 0.75 of the
        compiled speed on 2 CPU cores), and on a GPU; off on the CPU for
        TensorFlow and PyTorch. On TensorFlow on 2 CPU cores XLA was within the
        run-to-run spread of the default (``benchmarks/RESULTS.md``), and
        compiling costs time of its own; try ``True`` on yours.
    mixed_precision : bool, "auto" or "bfloat16", default="auto"
        ``True``: float16 compute with float32 weights (Keras's
        ``"mixed_float16"``); ``"auto"`` turns it on when a GPU is used.
        ``"bfloat16"``: bfloat16 compute with float32 weights
        (``"mixed_bfloat16"``), for CPUs with native bfloat16 arithmetic
        (AVX-512 BF16 or AMX): 1.15 times the float32 speed over a whole fit
        on such a 2-core CPU, seven times slower on one without, where it is
        emulated (``benchmarks/RESULTS.md``); ``"auto"`` never picks it. The network is
        built under this policy (``"float32"`` otherwise), whatever Keras's
        global dtype policy is; ``fit`` leaves the global policy as it was.
    image_shape : tuple of (int, int) or None, default=None
        ``(height, width)`` of the images in the rows of ``X``; one side may be
        -1 (inferred, as in ``numpy.reshape``). ``None``: the shape of 3-D
        input, otherwise square.
    random_state : int, RandomState instance or None, default=None
        Seeds weights, dropout, shuffling, augmentation and the validation
        split. With an int, two fits on the same data give the same network
        (exactly, on the CPU; a GPU's kernels may add rounding differences).
        Only the fit's own generators are seeded: Python's ``random``, NumPy's
        global generator, the backend's global seed and Keras's global state
        (dtype policy, layer names) are left as they were. ``None`` draws the
        seed from NumPy's global generator, as scikit-learn does.
    verbose : int, default=0
        Keras's progress output (0 silent, 1 progress bar, 2 one line per epoch).
    warm_start : bool, default=False
        When True, ``fit`` keeps training the fitted network (same classes and
        image shape) instead of building a new one.
    test_time_flip : bool, default=True
        When True (the default), ``predict_proba`` (and so ``predict``)
        averages the network's probabilities for each image and for its mirror
        image (left and right swapped), so that a face and its mirror get the
        same prediction. Training is unchanged; prediction costs twice as much
        (on FER2013 with the default network on 2 CPU cores, 1.15 against
        2.20 ms per face, for 1.7 points of PublicTest accuracy:
        ``benchmarks/RESULTS.md``). Set it to False for images that are not
        faces seen from the front, or to halve the cost of prediction. The
        shipped model uses it (``docs/guide/models.rst`` gives its score with
        and without).
    test_time_shift : int, default=0
        When positive, ``predict_proba`` also averages the network's
        probabilities for copies of each image moved by this many pixels
        left, right, up and down (the pixels that come in repeat the edge):
        five views, ten with ``test_time_flip``, each costing one more pass
        of the network. Training is unchanged. ``0``: no shifted copies.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The class labels.
    model_ : keras.Model
        The trained network (input: images ``(n, height, width, 1)`` on the
        scale of the training data; output: class probabilities).
    history_ : dict of str to list of float
        Per-epoch loss and accuracy (and validation ones) of the last ``fit``.
    n_epochs_ : int
        Epochs trained in total, over all ``fit`` / ``partial_fit`` calls.
    stopped_by_ : {"epochs", "early_stopping", "max_time"}
        What ended the last ``fit``.
    fit_time_ : float
        Seconds spent in Keras's ``fit`` in the last call.
    fit_steps_ : int
        Gradient steps (batches) of the last call.
    pixel_scale_ : float
        Factor the network applies to its input: 1/255 for 0-255 data, 1 for
        data in [0, 1].
    image_shape_ : tuple of (int, int)
        ``(height, width)`` of the training images.
    n_features_in_ : int
        Pixels per image.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of the columns of ``X`` when it was a DataFrame with string names.

    See Also
    --------
    CNNFeatureTransformer : the penultimate-layer features of a fitted network.
    quick_cnn_params : settings for quick runs on small data.

    Notes
    -----
    Each ``fit`` releases the previous network, so fitted networks do not
    pile up across a grid search. It does not call
    ``keras.backend.clear_session``, which would reset the user's Keras state
    (dtype policy, layer-name counters). TensorFlow's traced graphs are
    another matter: on the TensorFlow backend each fit leaves about 43 MiB of
    them behind, as a plain Keras loop does, and ``clear_session`` does not
    free them either (an open upstream bug, measured by
    ``benchmarks/bench_cnn_memory.py``).

    References
    ----------
    .. [1] O. Arriaga, M. Valdenegro-Toro, P. Ploeger, "Real-time convolutional
       neural networks for emotion and gender classification", 2017.
    .. [2] I. Goodfellow et al., "Challenges in representation learning: a
       report on three machine learning contests", ICONIP 2013 (FER2013).

    Examples
    --------
    >>> import numpy as np
    >>> from fer_features.deep import KerasCNNClassifier
    >>> rng = np.random.default_rng(0)
    >>> X = rng.integers(0, 256, size=(40, 16, 16), dtype=np.uint8)
    >>> X[:20, :8] //= 4                  # class "dark top": darker upper half
    >>> y = np.array(["dark top"] * 20 + ["plain"] * 20)
    >>> clf = KerasCNNClassifier(epochs=2, augmentation="none", random_state=0)
    >>> clf = clf.fit(X, y)
    >>> clf.classes_
    array(['dark top', 'plain'], dtype='<U8')
    >>> clf.predict_proba(X[:3]).shape
    (3, 2)
    >>> clf.pixel_scale_ == 1 / 255
    True
    """

    _parameter_constraints = {
        "architecture": [StrOptions(set(ARCHITECTURES)), callable],
        "input_size": [Interval(Integral, 1, None, closed="left"), None],
        "weights": [StrOptions({"imagenet"}), str, Path, None],
        "trainable_blocks": [Interval(Integral, 0, None, closed="left"), StrOptions({"all"})],
        "dense_units": [Interval(Integral, 0, None, closed="left"), None],
        "dropout": [Interval(Real, 0, 1, closed="left")],
        "epochs": [Interval(Integral, 1, None, closed="left")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "optimizer": [StrOptions(set(_OPTIMIZERS))],
        "learning_rate": [Interval(Real, 0, None, closed="neither")],
        "weight_decay": [Interval(Real, 0, None, closed="left"), None],
        "schedule": [StrOptions({"cosine", "plateau"}), None],
        "max_time": [Interval(Real, 0, None, closed="neither"), None],
        "early_stopping": [Interval(Integral, 1, None, closed="left"), None],
        "validation_split": [Interval(Real, 0, 1, closed="left")],
        "class_weight": [StrOptions({"balanced", "balanced_sqrt"}), dict, None],
        "label_smoothing": [Interval(Real, 0, 1, closed="left")],
        "augmentation": [StrOptions({"none", "low", "mid", "high"}), dict, None],
        "jit_compile": ["boolean", StrOptions({"auto"})],
        "mixed_precision": ["boolean", StrOptions({"auto", "bfloat16"})],
        "image_shape": [tuple, list, None],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
        "warm_start": ["boolean"],
        "test_time_flip": ["boolean"],
        "test_time_shift": [Interval(Integral, 0, None, closed="left")],
    }

    def __init__(
        self,
        *,
        architecture="simple",
        input_size=None,
        weights=None,
        trainable_blocks="all",
        dense_units=None,
        dropout=0.5,
        epochs=30,
        batch_size=64,
        optimizer="adam",
        learning_rate=2e-3,
        weight_decay=None,
        schedule="cosine",
        max_time=None,
        early_stopping=None,
        validation_split=0.0,
        class_weight="balanced_sqrt",
        label_smoothing=0.1,
        augmentation="low",
        jit_compile="auto",
        mixed_precision="auto",
        image_shape=None,
        random_state=None,
        verbose=0,
        warm_start=False,
        test_time_flip=True,
        test_time_shift=0,
    ):
        self.architecture = architecture
        self.input_size = input_size
        self.weights = weights
        self.trainable_blocks = trainable_blocks
        self.dense_units = dense_units
        self.dropout = dropout
        self.epochs = epochs
        self.batch_size = batch_size
        self.optimizer = optimizer
        self.learning_rate = learning_rate
        self.weight_decay = weight_decay
        self.schedule = schedule
        self.max_time = max_time
        self.early_stopping = early_stopping
        self.validation_split = validation_split
        self.class_weight = class_weight
        self.label_smoothing = label_smoothing
        self.augmentation = augmentation
        self.jit_compile = jit_compile
        self.mixed_precision = mixed_precision
        self.image_shape = image_shape
        self.random_state = random_state
        self.verbose = verbose
        self.warm_start = warm_start
        self.test_time_flip = test_time_flip
        self.test_time_shift = test_time_shift

    # ------------------------------------------------------------------ input
    def _validate_X(self, X, reset):
        X, implied = flatten_images(X)
        X = validate_data(self, X, reset=reset, dtype=NETWORK_DTYPES)
        return self._to_images(X, implied, reset)

    def _to_images(self, X, implied, reset):
        if reset:
            shape = resolve_network_shape(X.shape[1], self.image_shape, implied)
            return network_images(X, shape), shape
        shape = self.image_shape_
        return network_images(X, shape, implied, fitted_by=type(self).__name__), shape

    def _check_params_extra(self):
        resolve_augmentation(self.augmentation)
        if self.architecture in BACKBONES:
            if self.input_size is not None and self.input_size < 32:
                raise ValueError(
                    f"input_size={self.input_size}: the {self.architecture} backbone "
                    f"needs images of at least 32x32"
                )
        if self.weights is not None and self.weights != "imagenet":
            if not Path(self.weights).is_file():
                raise ValueError(
                    f"weights={str(self.weights)!r} is neither None, 'imagenet' nor an "
                    f"existing weights file"
                )

    # ------------------------------------------------------------------ keras
    def _seed(self):
        rng = check_random_state(self.random_state)
        return int(rng.randint(0, 2**31 - 1))

    def _use_gpu(self):
        return has_gpu()

    def _build(self, keras, n_classes, image_shape, pixel_scale, seed):
        """The network, built under the classifier's dtype policy and seeds.

        The global dtype policy is set to ``"mixed_float16"``,
        ``"mixed_bfloat16"`` or ``"float32"``
        (the classifier's choice, not the user's global one) while the layers
        are made and put back afterwards; Keras's default seeds (initializers,
        dropout) follow ``seed`` and Python's ``random`` state is restored.
        """
        mixed = self.mixed_precision
        if mixed == "auto":
            mixed = self._use_gpu()
        if mixed == "bfloat16":
            policy = "mixed_bfloat16"
        else:
            policy = "mixed_float16" if mixed else "float32"
        previous_policy = keras.config.dtype_policy()
        keras.config.set_dtype_policy(policy)
        try:
            with seeded_build(seed):
                return self._build_network(keras, n_classes, image_shape, pixel_scale, seed)
        finally:
            keras.config.set_dtype_policy(previous_policy)

    def _build_network(self, keras, n_classes, image_shape, pixel_scale, seed):
        layers = keras.layers
        inputs = keras.Input(shape=(*image_shape, 1), name="images")
        x = layers.Rescaling(pixel_scale, name="rescale")(inputs)
        for layer in build_augmentation(keras, self.augmentation, seed=seed):
            x = layer(x)
        if self.input_size is not None:
            x = layers.Resizing(self.input_size, self.input_size, name="resize")(x)
        elif self.architecture in BACKBONES and min(image_shape) < 32:
            raise ValueError(
                f"the {self.architecture} backbone needs images of at least 32x32, "
                f"got {image_shape}: set input_size (e.g. 96)"
            )
        if callable(self.architecture):
            outputs, name = self._build_custom(keras, x, n_classes)
        else:
            from ._architectures import build_network

            outputs = build_network(
                keras,
                self.architecture,
                x,
                n_classes,
                dense_units=self.dense_units,
                dropout=self.dropout,
                weights=self.weights,
                trainable_blocks=self.trainable_blocks,
            )
            name = self.architecture
        return keras.Model(inputs, outputs, name=f"fer_{name}")

    def _build_custom(self, keras, x, n_classes):
        """Apply a user's network (``architecture`` callable) and add the softmax."""
        name = getattr(self.architecture, "__name__", type(self.architecture).__name__)
        scores = self.architecture(x, n_classes)
        shape = tuple(getattr(scores, "shape", ()))
        if len(shape) != 2 or shape[-1] != n_classes:
            raise ValueError(
                f"architecture={name!r} must return a Keras tensor of shape "
                f"(batch, {n_classes}) (one score per class), got "
                f"{shape if shape else type(scores).__name__}"
            )
        outputs = keras.layers.Activation("softmax", dtype="float32", name="probabilities")(scores)
        return outputs, name

    def _make_optimizer(self, keras):
        lr = float(self.learning_rate)
        if self.optimizer == "adamw":  # AdamW insists on a number
            decay = 1e-4 if self.weight_decay is None else float(self.weight_decay)
            return keras.optimizers.AdamW(learning_rate=lr, weight_decay=decay)
        # Keras takes None for "no decay"; 0 would still add the step's work
        decay = float(self.weight_decay) if self.weight_decay else None
        if self.optimizer == "adam":
            return keras.optimizers.Adam(learning_rate=lr, weight_decay=decay)
        if self.optimizer == "sgd":
            return keras.optimizers.SGD(
                learning_rate=lr, momentum=0.9, nesterov=True, weight_decay=decay
            )
        return keras.optimizers.RMSprop(learning_rate=lr, weight_decay=decay)

    def _compile(self, keras, model):
        jit = self.jit_compile
        if jit == "auto":
            # JAX without XLA runs the step operation by operation, so Keras's
            # "auto" (compile when every layer can be) stays on there on the
            # CPU too; TensorFlow and PyTorch on the CPU run their own graphs,
            # where XLA did not win (benchmarks/RESULTS.md)
            on_jax = keras.backend.backend() == "jax"
            jit = "auto" if on_jax or self._use_gpu() else False
        model.compile(
            optimizer=self._make_optimizer(keras),
            loss=keras.losses.CategoricalCrossentropy(label_smoothing=self.label_smoothing),
            metrics=["accuracy"],
            jit_compile=jit,
        )

    def _encode(self, y):
        y = self._label_encoder.transform(y)
        return y

    def _class_weights(self, y_enc):
        n_classes = len(self.classes_)
        if self.class_weight is None:
            return None
        if isinstance(self.class_weight, str):  # "balanced" or "balanced_sqrt"
            present = np.unique(y_enc)
            weights = compute_class_weight("balanced", classes=present, y=y_enc)
            if self.class_weight == "balanced_sqrt":
                weights = np.sqrt(weights)
            out = {int(c): 1.0 for c in range(n_classes)}
            out.update({int(c): float(w) for c, w in zip(present, weights)})
            return out
        out = {int(c): 1.0 for c in range(n_classes)}
        for label, weight in self.class_weight.items():
            matches = np.flatnonzero(self.classes_ == label)
            if matches.size == 0:
                raise ValueError(
                    f"class_weight has a weight for label {label!r}, which is not one "
                    f"of the classes in y: {self.classes_.tolist()}"
                )
            out[int(matches[0])] = float(weight)
        return out

    # ------------------------------------------------------------------ fit
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, validation_data=None):
        """Train the network on images ``X`` with labels ``y``.

        Parameters
        ----------
        X : array-like of shape (n_samples, height * width), (n_samples, height, width) \
or (n_samples, height, width, 1)
            Grey images, 0-255 or in [0, 1]. A uint8 array (a
            :class:`numpy.memmap` too) is neither copied nor converted whole:
            each batch is read and converted to float32 when it is drawn.
        y : array-like of shape (n_samples,)
            Labels of any type.
        validation_data : tuple (X_val, y_val) or None, default=None
            Held-out images to monitor (instead of ``validation_split``).

        Returns
        -------
        self : KerasCNNClassifier
            The fitted classifier.
        """
        self._check_params_extra()
        continuing = self.warm_start and hasattr(self, "model_")
        X_img, y, image_shape = self._validate_Xy(X, y, reset=not continuing)
        classes = np.unique(y)
        if continuing:
            if image_shape != self.image_shape_ or not np.array_equal(classes, self.classes_):
                raise ValueError(
                    "warm_start=True needs the same classes and image shape as the "
                    f"previous fit: classes {self.classes_.tolist()} and shape "
                    f"{self.image_shape_}, got {classes.tolist()} and {image_shape}"
                )
        else:
            self._init_model(X_img, classes, image_shape)
        return self._train(X_img, y, validation_data, epochs=self.epochs, use_schedule=True)

    def _validate_Xy(self, X, y, reset):
        X, implied = flatten_images(X)
        X, y = validate_data(self, X, y, reset=reset, dtype=NETWORK_DTYPES)
        check_classification_targets(y)
        X_img, shape = self._to_images(X, implied, reset=reset)
        return X_img, y, shape

    def _init_model(self, X_img, classes, image_shape):
        keras = import_keras()
        if len(classes) < 2:
            raise ValueError(
                f"{type(self).__name__} needs at least 2 classes in y to train, got 1 "
                f"class: {classes.tolist()}"
            )
        self._release_model()
        seed = self._seed()
        self._train_seed = seed
        self.classes_ = classes
        self._label_encoder = LabelEncoder().fit(classes)
        self.image_shape_ = image_shape
        self.pixel_scale_ = 1.0 / 255.0 if X_img.size and float(X_img.max()) > 1.0 else 1.0
        model = self._build(keras, len(classes), image_shape, self.pixel_scale_, seed)
        self._compile(keras, model)
        self.model_ = model
        self.n_epochs_ = 0
        self.history_ = {}

    def _release_model(self):
        """Drop the previous network, so that its memory is freed before the next.

        No ``keras.backend.clear_session``: it would reset Keras's global
        state under the user's feet (the dtype policy, the counters that keep
        the names of the user's own layers unique).
        """
        if hasattr(self, "model_"):
            del self.model_
            gc.collect()  # Keras variables hold reference cycles

    def _train(self, X_img, y, validation_data, *, epochs, use_schedule):
        keras = import_keras()
        y_enc = self._encode(y)
        n_classes = len(self.classes_)
        # the fit's own generator: the validation split and the batch order
        # follow random_state (and the epochs already trained, so that
        # partial_fit and warm_start do not repeat one order), nothing global
        rng = np.random.default_rng([self._train_seed, getattr(self, "n_epochs_", 0)])
        val = None
        train_rows = None
        if validation_data is not None:
            X_val, y_val = validation_data
            X_val, implied = flatten_images(X_val)
            X_val = validate_data(self, X_val, reset=False, dtype=np.float32)
            X_val, _ = self._to_images(X_val, implied, reset=False)
            y_val = np.asarray(y_val)
            unknown = np.setdiff1d(y_val, self.classes_)
            if unknown.size:
                raise ValueError(f"validation_data has labels {unknown.tolist()} that are not in y")
            val = (X_val, self._one_hot(self._encode(y_val), n_classes))
        elif use_schedule and self.validation_split > 0:
            from sklearn.model_selection import train_test_split

            idx = np.arange(len(y_enc))
            counts = np.bincount(y_enc, minlength=n_classes)
            stratify = y_enc if counts.min() >= 2 else None
            tr, va = train_test_split(
                idx,
                test_size=self.validation_split,
                random_state=int(rng.integers(2**31 - 1)),
                stratify=stratify,
            )
            val = (network_batch(X_img[va]), self._one_hot(y_enc[va], n_classes))
            # the training rows are drawn from X_img batch by batch, not copied
            train_rows, y_enc = tr, y_enc[tr]
        if use_schedule and self.early_stopping is not None and val is None:
            raise ValueError(
                f"early_stopping={self.early_stopping} needs held-out data: set "
                f"validation_split > 0 or pass validation_data to fit"
            )

        callbacks = []
        clock_schedule = None
        steps_per_epoch = math.ceil(len(y_enc) / self.batch_size)
        max_time = self.max_time if use_schedule else None
        if use_schedule and self.schedule == "cosine":
            clock_schedule = CosineSchedule(
                float(self.learning_rate),
                steps_per_epoch * epochs,
                max_time,
                warmup_steps=steps_per_epoch if epochs > 1 else 0,
            )
        else:
            self.model_.optimizer.learning_rate.assign(float(self.learning_rate))
        clock = training_callbacks(keras, clock_schedule, max_time)
        callbacks.append(clock)
        monitor = "val_loss" if val is not None else "loss"
        if use_schedule and self.schedule == "plateau":
            callbacks.append(
                keras.callbacks.ReduceLROnPlateau(
                    monitor=monitor, factor=0.5, patience=3, min_lr=float(self.learning_rate) / 100
                )
            )
        early = None
        if use_schedule and self.early_stopping is not None:
            early = keras.callbacks.EarlyStopping(
                monitor="val_loss", patience=self.early_stopping, restore_best_weights=True
            )
            callbacks.append(early)

        class_weight = self._class_weights(y_enc)
        sample_weight = None
        if class_weight is not None:
            per_class = np.array([class_weight[c] for c in range(n_classes)], dtype=np.float32)
            sample_weight = per_class[y_enc]
        augmentation = resolve_augmentation(self.augmentation)
        batches = shuffled_batches(
            keras,
            X_img,
            self._one_hot(y_enc, n_classes),
            sample_weight,
            self.batch_size,
            seed=int(rng.integers(2**31 - 1)),
            rows=train_rows,
            mixup=augmentation["mixup"],
            cutmix=augmentation["cutmix"],
        )
        start = time.perf_counter()
        with backend_global_rng(int(rng.integers(2**31 - 1))):
            history = self.model_.fit(
                batches,
                epochs=epochs,
                validation_data=val,
                callbacks=callbacks,
                shuffle=False,
                verbose=self.verbose,
            )
        self.fit_time_ = time.perf_counter() - start
        self.fit_steps_ = clock.step
        self.history_ = {k: [float(v) for v in vals] for k, vals in history.history.items()}
        n_done = len(next(iter(self.history_.values()), []))
        self.n_epochs_ = getattr(self, "n_epochs_", 0) + n_done
        if clock.timed_out:
            self.stopped_by_ = "max_time"
        elif early is not None and early.stopped_epoch > 0:
            self.stopped_by_ = "early_stopping"
        else:
            self.stopped_by_ = "epochs"
        return self

    @staticmethod
    def _one_hot(y_enc, n_classes):
        out = np.zeros((len(y_enc), n_classes), dtype=np.float32)
        out[np.arange(len(y_enc)), y_enc] = 1.0
        return out

    def partial_fit(self, X, y, classes=None):
        """Train the network for one epoch on ``X``, ``y``.

        The first call builds the network; ``classes`` lists every label that
        will ever be seen (default: the labels of this first ``y``). Later calls
        continue training at the constant ``learning_rate`` (no schedule, no
        validation, no time budget).

        Parameters
        ----------
        X : array-like of shape (n_samples, height * width) or image array
            Grey images.
        y : array-like of shape (n_samples,)
            Labels.
        classes : array-like of shape (n_classes,) or None, default=None
            All the labels; needed only on the first call if this batch lacks some.

        Returns
        -------
        self : KerasCNNClassifier
            The classifier.
        """
        first = not hasattr(self, "model_")
        if first:
            self._validate_params()
            self._check_params_extra()
        X_img, y, image_shape = self._validate_Xy(X, y, reset=first)
        if first:
            all_classes = np.unique(y) if classes is None else np.unique(np.asarray(classes))
            self._init_model(X_img, all_classes, image_shape)
        unknown = np.setdiff1d(np.unique(y), self.classes_)
        if unknown.size:
            raise ValueError(
                f"y has labels {unknown.tolist()} that are not among the classes "
                f"{self.classes_.tolist()} given at the first partial_fit"
            )
        return self._train(X_img, y, None, epochs=1, use_schedule=False)

    # ------------------------------------------------------------------ predict
    def predict_proba(self, X):
        """Class probabilities of images ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, height * width) or image array
            Grey images on the scale of the training data.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Rows sum to 1; columns follow ``classes_``.
        """
        check_is_fitted(self)
        X_img, _ = self._validate_X(X, reset=False)
        if X_img.shape[0] == 0:
            return np.zeros((0, len(self.classes_)))
        batch_size = max(self.batch_size, 256)
        views = _test_time_views(self.test_time_shift, self.test_time_flip)
        proba = _forward(self.model_, X_img, batch_size, views[0])
        for view in views[1:]:
            proba += _forward(self.model_, X_img, batch_size, view)
        proba /= len(views)
        return proba / proba.sum(axis=1, keepdims=True)

    def predict(self, X):
        """Predicted labels of images ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, height * width) or image array
            Grey images on the scale of the training data.

        Returns
        -------
        y : ndarray of shape (n_samples,)
            Labels from ``classes_``.
        """
        proba = self.predict_proba(X)  # checks that the classifier is fitted
        return self.classes_[np.argmax(proba, axis=1)]

    # ------------------------------------------------------------------ pickling
    def __getstate__(self):
        state = dict(super().__getstate__())
        model = state.pop("model_", None)
        if model is not None:
            state["_model_keras_bytes"] = _model_to_bytes(model)
        return state

    def __setstate__(self, state):
        state = dict(state)
        # files written before the parameter existed
        state.setdefault("test_time_flip", False)
        state.setdefault("test_time_shift", 0)
        state.setdefault("weight_decay", None)
        data = state.pop("_model_keras_bytes", None)
        super().__setstate__(state)
        if data is not None:
            self.model_ = _model_from_bytes(data)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # a time budget makes the training depend on the machine's speed
        tags.non_deterministic = self.max_time is not None
        tags.input_tags.allow_nan = False
        tags.classifier_tags.multi_label = False
        return tags
