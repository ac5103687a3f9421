"""Train the CNN on FER2013 Training, score it on PublicTest, and measure the wrapper.

Usage (from the project root)::

    python benchmarks/bench_cnn.py [FER2013_CSV] [--profile default|full|smoke]
        [--set NAME=VALUE ...]
    python benchmarks/bench_cnn.py [FER2013_CSV] --overhead 1 [--limit 8000]

The file is the first argument, else ``$FER_FEATURES_FER2013``, else
``../shared/data/fer2013/fer2013.csv.gz`` beside the project.

Profiles:

* ``default``: ``KerasCNNClassifier(random_state=0)``, exactly the library
  default (30 epochs, no time budget: about an hour on 2 CPU cores);
* ``full``: for a GPU: the default network with a 512-unit head, 120 epochs,
  "high" augmentation, batch 128, no time budget (the configuration measured
  on a GPU, the ``"wide"`` network, is ``gpu_fer2013.py``'s);
* ``smoke``: 1 epoch on ``--limit`` images, to check the script.

``--set NAME=VALUE`` (repeatable) overrides one of the profile's parameters,
the value read as a Python literal, else as a string: ``--set
mixed_precision=bfloat16 --set epochs=20``.

``--jit`` measures the default network's training speed with and without
XLA compilation (``jit_compile``), compilation excluded.

Prints PublicTest accuracy and macro-F1, epochs, wall time and training
images/s, and the scores, recall per class and predict time with and without
each test-time augmentation: ``test_time_flip`` (each face averaged with its
mirror image) and ``test_time_shift=2`` (with its copies moved by 2 pixels).
``--save NPZ`` writes those PublicTest probabilities, ``--save-model PATH`` the
fitted model. ``--overhead N`` instead trains
the same network N epochs through ``KerasCNNClassifier.fit`` and through a
plain Keras ``model.fit`` (same network, data, batch size, compiled the same
way), alternately twice each, in this process, and prints the wrapper's
overhead.
"""

import argparse
import sys
import time

import numpy as np
from _data import fer2013_path


def profile_params(profile):
    if profile == "full":
        return {
            "epochs": 120,
            "augmentation": "high",
            "dense_units": 512,
            "max_time": None,
            "batch_size": 128,
        }
    if profile == "smoke":
        return {"epochs": 1, "max_time": None}
    return {}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", nargs="?", help="FER2013 CSV (.csv or .csv.gz)")
    parser.add_argument("--profile", choices=["default", "full", "smoke"], default="default")
    parser.add_argument(
        "--limit", type=int, default=None, help="use only the first N training images"
    )
    parser.add_argument(
        "--overhead",
        type=int,
        default=None,
        metavar="EPOCHS",
        help="measure the wrapper against a plain model.fit instead",
    )
    parser.add_argument(
        "--jit", action="store_true", help="measure XLA (jit_compile=True) against no XLA instead"
    )
    parser.add_argument("--verbose", type=int, default=2)
    parser.add_argument(
        "--save", metavar="NPZ", help="write the PublicTest probabilities (each test-time setting)"
    )
    parser.add_argument("--save-model", metavar="PATH", help="write the fitted model (skops)")
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="override a parameter of the profile (VALUE a Python literal, else a "
        "string), e.g. --set mixed_precision=bfloat16 --set epochs=20",
    )
    args = parser.parse_args(argv)
    overrides = parse_overrides(args.set, parser)

    from fer_features._malloc import keep_freed_memory
    from fer_features.datasets import load_fer2013
    from fer_features.deep import KerasCNNClassifier

    # this process is the script's: keep freed memory (benchmarks/bench_malloc.py)
    keep_freed_memory()
    t0 = time.perf_counter()
    faces = load_fer2013(fer2013_path(args.data, script="bench_cnn"))
    train = faces.usage == "Training"
    test = faces.usage == "PublicTest"
    X_train, y_train = faces.data[train], faces.target[train]
    X_test, y_test = faces.data[test], faces.target[test]
    if args.limit:
        X_train, y_train = X_train[: args.limit], y_train[: args.limit]
    print(
        f"data: {len(y_train)} Training and {len(y_test)} PublicTest images, "
        f"loaded in {time.perf_counter() - t0:.1f} s",
        flush=True,
    )

    if args.overhead:
        return overhead(X_train, y_train, args.overhead)
    if args.jit:
        return jit_speed(X_train, y_train)

    params = {
        "random_state": 0,
        "verbose": args.verbose,
        **profile_params(args.profile),
        **overrides,
    }
    clf = KerasCNNClassifier(**params)
    print(
        f"profile {args.profile}: KerasCNNClassifier("
        + ", ".join(f"{k}={v!r}" for k, v in params.items())
        + ")",
        flush=True,
    )
    t0 = time.perf_counter()
    clf.fit(X_train, y_train)
    wall = time.perf_counter() - t0
    if args.save_model:
        from fer_features.models import save_model

        save_model(clf, args.save_model)
    flip = bool(clf.test_time_flip)
    shift = clf.test_time_shift
    scores = test_time_scores(clf, X_test, y_test, args.save)
    clf.set_params(test_time_flip=flip, test_time_shift=shift)
    acc, f1 = scores[flip, shift][:2]
    images_per_s = clf.fit_steps_ * clf.batch_size / clf.fit_time_
    print("\nRESULT")
    print(f"  PublicTest accuracy  {acc:.4f}")
    print(f"  PublicTest macro-F1  {f1:.4f}")
    for (flip, shift), (a, f, recall, seconds) in sorted(scores.items()):
        print(
            f"  test_time_flip={flip!s:5} test_time_shift={shift}  accuracy {a:.4f}, "
            f"macro-F1 {f:.4f}, predict {1000 * seconds / len(y_test):.2f} ms per image, "
            "recall per class " + " ".join(f"{r:.2f}" for r in recall)
        )
    print(f"  epochs               {clf.n_epochs_} (stopped by {clf.stopped_by_})")
    print(f"  fit wall time        {wall:.0f} s ({wall / 60:.1f} min)")
    print(f"  train images/s       {images_per_s:.0f}")
    print(f"  parameters           {clf.model_.count_params()}")
    print(
        "  last epoch           " + ", ".join(f"{k}={v[-1]:.4f}" for k, v in clf.history_.items())
    )
    return 0


def parse_overrides(settings, parser):
    """``["name=value", ...]`` as a dict: each value a Python literal, else the string.

    A setting without ``=`` or with a name that is not an identifier is a
    usage error naming it; the estimator checks the values when it fits.
    """
    import ast

    overrides = {}
    for setting in settings:
        name, sep, value = setting.partition("=")
        if not (sep and name.isidentifier()):
            parser.error(f"--set {setting!r}: expected NAME=VALUE")
        try:
            overrides[name] = ast.literal_eval(value)
        except (ValueError, SyntaxError):
            overrides[name] = value
    return overrides


def test_time_scores(clf, X_test, y_test, save=None, shifts=(0, 2)):
    """Scores of ``clf`` with and without each test-time augmentation.

    Returns ``{(test_time_flip, test_time_shift): (accuracy, macro-F1,
    recall per class, predict seconds)}``; ``save`` (a path) also writes the
    probabilities of each to an ``.npz`` file. Leaves ``clf``'s two
    parameters at the last setting scored.
    """
    from sklearn.metrics import accuracy_score, f1_score, recall_score

    scores, probas = {}, {}
    for shift in shifts:
        for flip in (False, True):
            clf.set_params(test_time_flip=flip, test_time_shift=shift)
            t0 = time.perf_counter()
            proba = clf.predict_proba(X_test)
            seconds = time.perf_counter() - t0
            pred = clf.classes_[proba.argmax(axis=1)]
            probas[f"flip{int(flip)}_shift{shift}"] = proba
            scores[flip, shift] = (
                accuracy_score(y_test, pred),
                f1_score(y_test, pred, average="macro"),
                recall_score(y_test, pred, average=None, labels=clf.classes_),
                seconds,
            )
    if save:
        np.savez(save, y=y_test, classes=clf.classes_, **probas)
    return scores


def overhead(X, y, epochs):
    """Wrapper fit vs plain model.fit of the same network, alternated."""
    import keras

    from fer_features.deep import KerasCNNClassifier

    params = {"epochs": epochs, "max_time": None, "random_state": 0}
    times = {"wrapper": [], "plain": []}
    for _ in range(2):
        clf = KerasCNNClassifier(**params)
        t0 = time.perf_counter()
        clf.fit(X, y)
        times["wrapper"].append(time.perf_counter() - t0)

        # the same network, built and compiled by the same code, trained by plain Keras
        keras.backend.clear_session()
        keras.utils.set_random_seed(0)
        X_img = X.reshape(-1, 48, 48, 1).astype(np.float32)
        Y = np.eye(7, dtype=np.float32)[y]
        model = clf._build(keras, 7, (48, 48), 1 / 255, seed=0)
        clf._compile(keras, model)
        del clf
        t0 = time.perf_counter()
        model.fit(X_img, Y, batch_size=64, epochs=epochs, shuffle=True, verbose=0)
        times["plain"].append(time.perf_counter() - t0)
        del model
    n = len(y) * epochs
    w, p = min(times["wrapper"]), min(times["plain"])
    print("\nOVERHEAD (best of 2 alternated runs each, same process)")
    print(
        f"  KerasCNNClassifier.fit  {w:.1f} s  {n / w:.0f} images/s  (runs: "
        + ", ".join(f"{t:.1f}" for t in times["wrapper"])
        + ")"
    )
    print(
        f"  plain model.fit         {p:.1f} s  {n / p:.0f} images/s  (runs: "
        + ", ".join(f"{t:.1f}" for t in times["plain"])
        + ")"
    )
    print(
        f"  wrapper overhead        {100 * (w / p - 1):+.1f} %  "
        f"(includes validation, one-hot, building and compiling the network)"
    )
    return 0


def jit_speed(X, y, repeats=2):
    """Training images/s of the default network with and without XLA.

    Each network is compiled, warmed up on a few batches (so XLA's compilation
    is not timed), then timed on one pass over ``X``; alternated ``repeats`` times.
    """
    import keras

    from fer_features.deep import KerasCNNClassifier

    X_img = X.reshape(-1, 48, 48, 1).astype(np.float32)
    Y = np.eye(7, dtype=np.float32)[y]
    speed = {False: [], True: []}
    for _ in range(repeats):
        for jit in (False, True):
            keras.backend.clear_session()
            clf = KerasCNNClassifier(jit_compile=jit, random_state=0)
            model = clf._build(keras, 7, (48, 48), 1 / 255, seed=0)
            clf._compile(keras, model)
            model.fit(X_img[:256], Y[:256], batch_size=64, epochs=1, verbose=0)
            t0 = time.perf_counter()
            model.fit(X_img, Y, batch_size=64, epochs=1, verbose=0)
            speed[jit].append(len(Y) / (time.perf_counter() - t0))
    print("\nXLA ON THE CPU (default 'simple' network, batch 64, images/s per run)")
    for jit in (False, True):
        print(
            f"  jit_compile={jit!s:5}  best {max(speed[jit]):.0f}  (runs: "
            + ", ".join(f"{v:.0f}" for v in speed[jit])
            + ")"
        )
    print(f"  XLA speed-up  x{max(speed[True]) / max(speed[False]):.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
