"""How :class:`~fer_features.deep.KerasCNNClassifier` trains: the batches, the
learning-rate schedule and the optional time budget.

Nothing here draws from a process-wide random generator: the batches are
shuffled by a ``numpy.random.Generator`` seeded from the classifier's
``random_state``, so a fit is the same whatever the process did before it and
leaves Python's, NumPy's and the backend's global generators as it found them.
"""

import math
import time

import numpy as np

from ._inputs import network_batch

__all__ = [
    "CosineSchedule",
    "ShuffledBatches",
    "mix_batch",
    "shuffled_batches",
    "training_callbacks",
]


class CosineSchedule:
    """Cosine decay with linear warm-up, driven by the steps (and the clock).

    Progress is the fraction of ``total_steps`` done; with a time budget
    (``max_time``), the larger of that and the fraction of ``max_time``
    spent, so the learning rate reaches its floor when training ends,
    whichever of the two ends it.

    Parameters
    ----------
    base_lr : float
        Peak learning rate.
    total_steps : int
        Steps of the whole training.
    max_time : float or None
        Time budget in seconds; ``None``: the schedule follows the steps only.
    warmup_steps : int
        Steps of linear warm-up from ``base_lr / warmup_steps`` to ``base_lr``.
    """

    def __init__(self, base_lr, total_steps, max_time, warmup_steps):
        self.base_lr = base_lr
        self.total_steps = max(1, total_steps)
        self.max_time = max_time
        self.warmup_steps = warmup_steps

    def __call__(self, step, elapsed):
        if step < self.warmup_steps:
            return self.base_lr * (step + 1) / self.warmup_steps
        progress = step / self.total_steps
        if self.max_time:
            progress = max(progress, elapsed / self.max_time)
        progress = min(1.0, progress)
        return self.base_lr * (0.01 + 0.99 * 0.5 * (1.0 + math.cos(math.pi * progress)))


def training_callbacks(keras, schedule, max_time):
    """A Keras callback that sets the learning rate and enforces a time budget.

    Parameters
    ----------
    keras : module
        The Keras 3 module.
    schedule : CosineSchedule or None
        Called as ``schedule(step, elapsed_seconds)`` before each batch; ``None``
        leaves the learning rate alone.
    max_time : float or None
        Training stops after the first step that ends past it (seconds).

    Returns
    -------
    clock : keras.callbacks.Callback
        With ``step`` (steps done) and ``timed_out`` (whether the budget ended
        training) once training is over.
    """

    class _Clock(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.step = 0
            self.start = None
            self.timed_out = False

        def on_train_begin(self, logs=None):
            self.start = time.perf_counter()

        def on_train_batch_begin(self, batch, logs=None):
            if schedule is not None:
                lr = schedule(self.step, time.perf_counter() - self.start)
                self.model.optimizer.learning_rate.assign(lr)

        def on_train_batch_end(self, batch, logs=None):
            self.step += 1
            if max_time is not None and time.perf_counter() - self.start > max_time:
                self.timed_out = True
                self.model.stop_training = True

    return _Clock()


class ShuffledBatches:
    """The batches of one training, reshuffled at each epoch by a seeded generator.

    The order of epoch ``e`` is the ``e``-th permutation drawn from
    ``numpy.random.default_rng(seed)``: it depends on ``seed`` only, not on
    any global generator. :func:`shuffled_batches` wraps it in a
    ``keras.utils.PyDataset`` for ``model.fit`` (with ``shuffle=False``).

    Parameters
    ----------
    X : ndarray of shape (n_rows, ...), float32 or uint8
        Inputs, possibly memory-mapped: only the rows of a batch are read, and
        converted to float32, when the batch is drawn.
    Y : ndarray of shape (n_samples, n_outputs)
        Targets.
    sample_weight : ndarray of shape (n_samples,) or None
        Weight of each sample in the loss.
    batch_size : int
        Samples per batch (the last one may be smaller).
    seed : int or sequence of int
        Seed of the shuffling.
    rows : ndarray of shape (n_samples,) or None, default=None
        The rows of ``X`` trained on, sample ``i`` being ``X[rows[i]]`` (a
        validation split leaves the others out without copying ``X``);
        ``None``: all of them, sample ``i`` being ``X[i]``.
    mixup, cutmix : float, default=0.0
        Alpha of the Beta(alpha, alpha) distribution of the mixing weight
        ``lam`` of mixup (Zhang et al. 2018: each image becomes ``lam`` times
        itself plus ``1 - lam`` times another image of the batch) and of
        CutMix (Yun et al. 2019: a rectangle of up to ``1 - lam`` of the
        image, cut at the borders, is pasted from the other image, ``lam``
        becoming the share of the image left); the targets and sample weights
        are mixed to match (:func:`mix_batch`). One ``lam`` and one pairing
        per batch; with both, each batch takes one of the two with even odds.
        0 (the default) is off. The mixing of batch ``b`` of epoch ``e``
        depends on ``seed``, ``e`` and ``b`` only.
    """

    def __init__(self, X, Y, sample_weight, batch_size, seed, rows=None, mixup=0.0, cutmix=0.0):
        self.X, self.Y, self.sample_weight = X, Y, sample_weight
        self.rows = None if rows is None else np.asarray(rows)
        self.n_samples = len(X) if rows is None else len(self.rows)
        self.batch_size = int(batch_size)
        self.mixup, self.cutmix = float(mixup), float(cutmix)
        # the mixing's own streams, apart from the order's: one per batch
        self._mix_key = [int(v) for v in np.atleast_1d(seed)] + [0x6D6978]
        self._rng = np.random.default_rng(seed)
        self.order = self._rng.permutation(self.n_samples)
        self.epochs_begun = 0

    def __len__(self):
        return math.ceil(self.n_samples / self.batch_size)

    def __getitem__(self, index):
        if not 0 <= index < len(self):
            raise IndexError(f"batch {index} of {len(self)}")
        samples = self.order[index * self.batch_size : (index + 1) * self.batch_size]
        x_rows = samples if self.rows is None else self.rows[samples]
        x = network_batch(self.X[x_rows])
        y = self.Y[samples]
        w = None if self.sample_weight is None else self.sample_weight[samples]
        if self.mixup or self.cutmix:
            rng = np.random.default_rng([*self._mix_key, self.epochs_begun, index])
            x, y, w = mix_batch(x, y, w, rng, self.mixup, self.cutmix)
        return (x, y) if w is None else (x, y, w)

    def on_epoch_begin(self):
        # Keras calls this before it creates the epoch's iterator, so every
        # batch of an epoch is read with that epoch's order
        if self.epochs_begun:
            self.order = self._rng.permutation(self.n_samples)
        self.epochs_begun += 1


def mix_batch(x, y, w, rng, mixup, cutmix):
    """Mixup or CutMix of one batch: new arrays, the inputs are left as they are.

    With sample weights, the weight becomes ``lam * w_i + (1 - lam) * w_j``
    and the target the weights' blend of the two targets, ``(lam * w_i * y_i
    + (1 - lam) * w_j * y_j)`` divided by that weight: the weighted
    cross-entropy of the mixed sample is then exactly ``lam * w_i * CE_i +
    (1 - lam) * w_j * CE_j``, each image keeping its class weight (label
    smoothing too, being linear in the target). Without weights, ``lam *
    y_i + (1 - lam) * y_j``.

    Parameters
    ----------
    x : ndarray of shape (n, height, width, ...)
        Images.
    y : ndarray of shape (n, n_classes)
        Targets (one-hot or already soft).
    w : ndarray of shape (n,) or None
        Sample weights.
    rng : numpy.random.Generator
        Draws the choice between the two, the weight and the pairing (and the
        rectangle of CutMix).
    mixup, cutmix : float
        Alpha of each (0: not used); at least one is positive.

    Returns
    -------
    x, y, w : the mixed batch (``w`` stays ``None`` when given ``None``).
    """
    use_cutmix = cutmix > 0 and (mixup <= 0 or rng.random() < 0.5)
    alpha = cutmix if use_cutmix else mixup
    lam = float(rng.beta(alpha, alpha))
    partner = rng.permutation(len(x))
    if use_cutmix:
        height, width = x.shape[1:3]
        side = np.sqrt(1.0 - lam)
        cut_h, cut_w = int(round(height * side)), int(round(width * side))
        centre_r, centre_c = int(rng.integers(height)), int(rng.integers(width))
        top, bottom = max(centre_r - cut_h // 2, 0), min(centre_r + cut_h - cut_h // 2, height)
        left, right = max(centre_c - cut_w // 2, 0), min(centre_c + cut_w - cut_w // 2, width)
        x = np.array(x, copy=True)
        x[:, top:bottom, left:right] = x[partner, top:bottom, left:right]
        lam = 1.0 - (bottom - top) * (right - left) / (height * width)
    else:
        x = lam * x + (1.0 - lam) * x[partner]
    if w is None:
        return x, lam * y + (1.0 - lam) * y[partner], None
    own, other = lam * w, (1.0 - lam) * w[partner]
    mixed_w = own + other
    # where both weights are 0 the sample counts for nothing: the plain blend
    safe = np.where(mixed_w > 0, mixed_w, 1)
    share = np.where(mixed_w > 0, own / safe, lam).astype(y.dtype)[:, None]
    return x, share * y + (1 - share) * y[partner], mixed_w


def shuffled_batches(
    keras, X, Y, sample_weight, batch_size, seed, rows=None, mixup=0.0, cutmix=0.0
):
    """:class:`ShuffledBatches` as a ``keras.utils.PyDataset`` (read in this thread)."""

    class _Batches(ShuffledBatches, keras.utils.PyDataset):
        def __init__(self):
            ShuffledBatches.__init__(
                self, X, Y, sample_weight, batch_size, seed, rows, mixup, cutmix
            )
            keras.utils.PyDataset.__init__(self, workers=1, use_multiprocessing=False)

    return _Batches()
