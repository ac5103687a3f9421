"""Train the GPU configuration of KerasCNNClassifier on FER2013 and score PublicTest.

Meant for a machine with a GPU and Keras on JAX (or PyTorch), but no network
and no TensorFlow: everything it needs travels with the project in one ignored
folder, made here first. Two steps:

1. Here, with the FER2013 file and the package index at hand::

       python benchmarks/gpu_fer2013.py prepare [--fer2013 PATH] [--out .gpu]

   writes ``.gpu/fer2013.npz`` (Training and PublicTest, 32,298 faces, about
   49 MiB: each face's differences from its left and upper neighbours, xz
   compressed, which decompress to the exact pixels) and downloads into
   ``.gpu/whl`` the wheels of Keras and those of its dependencies that such a
   machine lacks (``namex``, ``optree``; for CPython ``--python-version``,
   default 3.12). Add ``.gpu/`` to ``.git/info/exclude``.

2. There, from the project root::

       python3 -m pip install -q --no-index --no-deps --target /tmp/site .gpu/whl/*.whl
       PYTHONPATH=/tmp/site:. KERAS_BACKEND=jax python3 benchmarks/gpu_fer2013.py train \\
           --data .gpu/fer2013.npz --out RESULTS_DIR [--minutes 8]

   trains ``KerasCNNClassifier(architecture="wide", ...)`` (the settings are in
   :func:`gpu_estimator`) on Training for ``--epochs`` (400) or ``--minutes`` (8) of
   training time, whichever ends first, then
   prints and writes to ``RESULTS_DIR/gpu_fer2013.json``: PublicTest accuracy
   and macro-F1 without mirror averaging, with it, and with it and the
   shifted views of ``test_time_shift=2``, per-class recall, epochs run,
   training time and images/s, and the versions and device used (and the
   flip-averaged probabilities to ``publictest_proba.npz``). Every
   epoch prints a line as it ends. On one NVIDIA H200 (JAX 0.11.2),
   the defaults trained 279 epochs in 8.1 minutes, for 0.7021
   PublicTest accuracy with the flip averaged, 0.7055 with the shifted views
   too (``benchmarks/RESULTS.md``).

``--batch-size`` and ``--learning-rate`` change those of the run, ``--mixup``
and ``--cutmix`` (alphas, 0 for none) add those to the augmentation; ``--no-score``
trains only (a speed probe: the JSON holds the images/s after the first epoch,
which compiles).

Run ``train`` here with ``KERAS_BACKEND=jax`` and ``--max-train 512 --epochs 1``
to check the script on the CPU (under a minute on 2 cores). The whole step 2 as one command of the
project's GPU machine, with ``.gpu`` carried (55 MiB with the project)::

    python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir \
        --upgrade --target /tmp/site .gpu/whl/*.whl && export PYTHONPATH=/tmp/site:. \
        && KERAS_BACKEND=jax PYTHONUNBUFFERED=1 python3 benchmarks/gpu_fer2013.py train \
        --out $OUT 2>&1 | tee $OUT/log.txt
"""

import argparse
import contextlib
import inspect
import json
import lzma
import platform
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

# what such a machine lacks of Keras's dependencies (absl-py, h5py, ml-dtypes,
# numpy, packaging and rich are there): the pure-Python ones and optree
WHEELS = ("keras", "namex", "optree")
PLATFORMS = (
    "manylinux_2_28_x86_64",
    "manylinux_2_27_x86_64",
    "manylinux_2_17_x86_64",
    "manylinux2014_x86_64",
    "manylinux1_x86_64",
)


def pack_faces(images):
    """Exact, compressible form of uint8 faces: 2-D differences, xz compressed."""
    x = images.astype(np.int16)
    diff = np.diff(np.diff(x, axis=2, prepend=0), axis=1, prepend=0)
    return np.frombuffer(lzma.compress((diff % 256).astype(np.uint8).tobytes()), np.uint8)


def unpack_faces(packed, shape):
    """Inverse of :func:`pack_faces`: sums of the differences, modulo 256."""
    diff = np.frombuffer(lzma.decompress(packed.tobytes()), np.uint8).reshape(shape)
    summed = np.cumsum(np.cumsum(diff, axis=1, dtype=np.int64), axis=2)
    return (summed % 256).astype(np.uint8)


def prepare(args):
    # imported here: `train` runs elsewhere without the file, and the tests load
    # this file without benchmarks/ on sys.path
    from _data import fer2013_path

    from fer_features.datasets import load_fer2013

    path = fer2013_path(args.fer2013, script="gpu_fer2013 prepare")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    faces = {}
    for usage in ("Training", "PublicTest"):
        data = load_fer2013(path, usage=usage)
        faces[usage] = (data.images, np.asarray(data.target, dtype=np.int8))
        names = np.asarray(data.target_names, dtype=str)
        print(f"{usage}: {len(data.images)} faces", flush=True)
    start = time.perf_counter()
    arrays = {"target_names": names}
    for usage, (images, target) in faces.items():
        arrays[f"{usage}_faces"] = pack_faces(images)
        arrays[f"{usage}_shape"] = np.array(images.shape)
        arrays[f"{usage}_target"] = target
        restored = unpack_faces(arrays[f"{usage}_faces"], images.shape)
        if not np.array_equal(restored, images):
            raise SystemExit(f"{usage}: the packed faces do not restore exactly")
    target = out / "fer2013.npz"
    np.savez(target, **arrays)
    print(
        f"wrote {target} ({target.stat().st_size / 2**20:.1f} MiB, "
        f"{time.perf_counter() - start:.0f} s; faces restore exactly)",
        flush=True,
    )
    import keras

    versions = {"keras": keras.__version__}
    for name in WHEELS[1:]:
        from importlib.metadata import version

        versions[name] = version(name)
    command = [
        sys.executable,
        "-m",
        "pip",
        "download",
        "--no-deps",
        "--only-binary=:all:",
        "--python-version",
        args.python_version,
        "--implementation",
        "cp",
        *[item for p in PLATFORMS for item in ("--platform", p)],
        "-d",
        str(out / "whl"),
        *[f"{name}=={versions[name]}" for name in WHEELS],
    ]
    subprocess.run(command, check=True)
    total = sum(f.stat().st_size for f in out.rglob("*") if f.is_file())
    print(f"{out}: {total / 2**20:.1f} MiB in all", flush=True)


def gpu_estimator(
    minutes,
    epochs,
    seed,
    augmentation="high",
    erasing=0.33,
    weight_decay=5e-3,
    batch_size=128,
    learning_rate=0.05,
    mixup=0.0,
    cutmix=0.0,
):
    """The GPU configuration: the wide VGG-style net, SGD, a time budget.

    ``augmentation`` is a preset, to which ``erasing`` (random erasing's
    largest area, 0 for none), ``mixup`` and ``cutmix`` (their Beta
    distributions' alpha, 0 for none) are added; ``weight_decay`` is Keras's
    decoupled one (5e-3 shrinks about as much as PyTorch's coupled 5e-4 with
    SGD's momentum 0.9).
    """
    from fer_features import KerasCNNClassifier
    from fer_features.deep import AUGMENTATION_PRESETS

    extra = {"erasing": erasing, "mixup": mixup, "cutmix": cutmix}
    extra = {key: value for key, value in extra.items() if value}
    if extra:
        augmentation = {**AUGMENTATION_PRESETS[augmentation], **extra}
    return KerasCNNClassifier(
        architecture="wide",
        epochs=epochs,
        max_time=60 * minutes,
        batch_size=batch_size,
        optimizer="sgd",
        learning_rate=learning_rate,
        weight_decay=weight_decay or None,
        schedule="cosine",
        label_smoothing=0.1,
        augmentation=augmentation,
        random_state=seed,
        verbose=2,
    )


@contextlib.contextmanager
def timed_epochs():
    """Within it, the estimator's fits note when each epoch ends in the list given."""
    from fer_features.deep import _classifier

    ends = []
    original = _classifier.training_callbacks

    def timed(keras, schedule, max_time):
        clock = original(keras, schedule, max_time)
        on_epoch_end = clock.on_epoch_end

        def note(epoch, logs=None):
            on_epoch_end(epoch, logs)
            ends.append(time.perf_counter())

        clock.on_epoch_end = note
        return clock

    _classifier.training_callbacks = timed
    try:
        yield ends
    finally:
        _classifier.training_callbacks = original


def train(args):
    import keras
    from sklearn.metrics import accuracy_score, f1_score, recall_score

    backend = keras.backend.backend()
    device = "cpu"
    if backend == "jax":
        import jax

        device = ", ".join(sorted({d.device_kind for d in jax.devices()}))
        versions = {"jax": jax.__version__}
    elif backend == "torch":
        import torch

        device = torch.cuda.get_device_name(0) if torch.cuda.is_available() else "cpu"
        versions = {"torch": torch.__version__}
    else:
        versions = {}
    versions.update(python=platform.python_version(), keras=keras.__version__)
    print(f"backend {backend}, device {device}, versions {versions}", flush=True)

    with np.load(args.data) as stored:
        data = {
            usage: (
                unpack_faces(stored[f"{usage}_faces"], tuple(stored[f"{usage}_shape"])),
                stored[f"{usage}_target"].astype(np.intp),
            )
            for usage in ("Training", "PublicTest")
        }
        names = [str(n) for n in stored["target_names"]]
    X_train, y_train = data["Training"]
    X_test, y_test = data["PublicTest"]
    if args.max_train:
        X_train, y_train = X_train[: args.max_train], y_train[: args.max_train]
        X_test, y_test = X_test[: args.max_train], y_test[: args.max_train]
    print(f"Training {len(X_train)} faces, PublicTest {len(X_test)} faces", flush=True)

    clf = gpu_estimator(
        args.minutes,
        args.epochs,
        args.seed,
        args.augmentation,
        args.erasing,
        args.weight_decay,
        args.batch_size,
        args.learning_rate,
        args.mixup,
        args.cutmix,
    )
    with timed_epochs() as epoch_ends:
        start = time.perf_counter()
        clf.fit(X_train, y_train)
        fit_s = time.perf_counter() - start
    epochs_run = len(clf.history_["loss"])
    # the speed once compiled: the steps after the first epoch, which compiles
    # (a last epoch that the time budget cut short counts for the steps it ran)
    per_epoch = -(-len(X_train) // clf.batch_size)
    steady = None
    if len(epoch_ends) > 1:
        images = (clf.fit_steps_ - per_epoch) / per_epoch * len(X_train)
        steady = round(images / (epoch_ends[-1] - epoch_ends[0]), 1)
    result = {
        "backend": backend,
        "device": device,
        "versions": versions,
        "estimator": {k: v for k, v in clf.get_params().items() if k != "verbose"},
        "n_train": len(X_train),
        "n_test": len(X_test),
        "epochs_run": epochs_run,
        "fit_seconds": round(fit_s, 1),
        "train_images_per_second": round(epochs_run * len(X_train) / fit_s, 1),
        "first_epoch_seconds": round(epoch_ends[0] - start, 1),
        "steady_images_per_second": steady,
        "history": {k: [round(float(v), 4) for v in vs] for k, vs in clf.history_.items()},
    }
    views = {"without_flip": (False, 0), "with_flip": (True, 0), "with_flip_and_shifts": (True, 2)}
    if not args.score:  # a speed probe: the per-epoch lines above are what it is for
        views = {}
    kept = None
    for key, (flip, shift) in views.items():
        clf.set_params(test_time_flip=flip, test_time_shift=shift)
        start = time.perf_counter()
        proba = clf.predict_proba(X_test).astype(np.float32)
        pred = clf.classes_[proba.argmax(axis=1)]
        result[key] = {
            "accuracy": round(accuracy_score(y_test, pred), 4),
            "macro_f1": round(f1_score(y_test, pred, average="macro"), 4),
            "recall": dict(
                zip(
                    [names[c] for c in clf.classes_],
                    np.round(
                        recall_score(
                            y_test, pred, labels=clf.classes_, average=None, zero_division=0
                        ),
                        3,
                    ).tolist(),
                )
            ),
            "predict_seconds": round(time.perf_counter() - start, 2),
        }
        print(f"PublicTest {key}: {result[key]}", flush=True)
        if key == "with_flip":
            kept = proba
    print(
        f"fit {fit_s:.0f} s for {epochs_run} epochs, "
        f"{result['train_images_per_second']:.0f} training images/s "
        f"(after the first epoch, {steady}), batch {clf.batch_size}",
        flush=True,
    )
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "gpu_fer2013.json").write_text(json.dumps(result, indent=1, default=str))
    if kept is not None:  # PublicTest probabilities (flip averaged), for later analyses
        np.savez_compressed(out / "publictest_proba.npz", proba=kept, target=y_test)
    print(f"wrote {out / 'gpu_fer2013.json'}", flush=True)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="step", required=True)
    p = sub.add_parser("prepare", help="pack the faces and download the wheels (here)")
    p.add_argument("--fer2013", default=None)
    p.add_argument("--out", default=".gpu")
    p.add_argument("--python-version", default="3.12")
    t = sub.add_parser("train", help="train and score (on the GPU machine)")
    # the run's settings default to gpu_estimator's, so that the two cannot drift
    given = {k: v.default for k, v in inspect.signature(gpu_estimator).parameters.items()}
    t.add_argument("--data", default=".gpu/fer2013.npz")
    t.add_argument("--out", default="gpu_results")
    t.add_argument("--minutes", type=float, default=8.0, help="training time budget")
    t.add_argument("--epochs", type=int, default=400, help="at most this many epochs")
    t.add_argument(
        "--augmentation", default=given["augmentation"], choices=("none", "low", "mid", "high")
    )
    t.add_argument(
        "--erasing",
        type=float,
        default=given["erasing"],
        help="random erasing's largest area (0: none)",
    )
    for name in ("mixup", "cutmix"):
        t.add_argument(
            f"--{name}",
            type=float,
            default=given[name],
            help=f"{name}'s alpha (0: none); both: each batch takes one",
        )
    t.add_argument(
        "--weight-decay",
        type=float,
        default=given["weight_decay"],
        help="SGD's decoupled weight decay (0: none)",
    )
    t.add_argument("--batch-size", type=int, default=given["batch_size"])
    t.add_argument("--learning-rate", type=float, default=given["learning_rate"])
    t.add_argument(
        "--no-score", dest="score", action="store_false", help="train only (a speed probe)"
    )
    t.add_argument("--seed", type=int, default=0)
    t.add_argument("--max-train", type=int, default=None, help="a quick check on fewer faces")
    args = parser.parse_args(argv)
    (prepare if args.step == "prepare" else train)(args)


if __name__ == "__main__":
    main()
