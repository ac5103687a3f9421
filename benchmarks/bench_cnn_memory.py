"""Does memory grow across the fits of a grid search? KerasCNNClassifier vs plain Keras.

Data: 300 built-in synthetic faces (48x48, 7 expressions). Estimator: the
default ``"simple"`` network, 1 epoch, no augmentation.

Measured, in one process: the resident memory (RSS, from ``/proc/self/statm``)
after each of ``--fits`` fits

* of fresh clones of ``KerasCNNClassifier``, each fitted and used to predict and
  then dropped, as ``GridSearchCV`` and ``cross_validate`` do (the wrapper
  releases the previous network and clears the Keras session at each fit);
* then of the same network built, compiled and fitted with plain Keras in a loop,
  each model dropped after use but the Keras session never cleared (the
  reference: what a notebook loop does).

Prints the RSS after the warm-up fits and at the end of each phase, and the
growth per fit after the warm-up, for both. Linux only (reads /proc).

Usage::

    python benchmarks/bench_cnn_memory.py [--fits 30] [--warmup 5]
"""

import argparse
import gc
import os
import time


def rss_mib():
    """Resident set size of this process in MiB (Linux)."""
    with open("/proc/self/statm") as f:
        pages = int(f.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fits", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=5)
    args = parser.parse_args(argv)

    import keras
    from sklearn.base import clone

    from fer_features.datasets import make_synthetic_faces
    from fer_features.deep import KerasCNNClassifier

    faces = make_synthetic_faces(300, random_state=0)
    X, y = faces.images, faces.target
    params = dict(epochs=1, batch_size=32, augmentation="none", max_time=None, random_state=0)
    template = KerasCNNClassifier(**params)

    def wrapper_fit():
        est = clone(template).fit(X, y)
        est.predict(X[:50])

    def plain_fit():
        # the same network, built by the wrapper's own builder, trained with plain Keras
        net = template._build(keras, 7, (48, 48), 1 / 255, seed=0)
        net.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
        net.fit(X[..., None].astype("float32"), y, batch_size=32, epochs=1, verbose=0)
        net.predict(X[:50, ..., None].astype("float32"), verbose=0)

    results = {}
    for name, fit in (
        ("KerasCNNClassifier (clone per fit)", wrapper_fit),
        ("plain Keras loop, no clear_session", plain_fit),
    ):
        series = []
        start = time.perf_counter()
        for i in range(args.fits):
            fit()
            gc.collect()
            series.append(rss_mib())
            if (i + 1) % 10 == 0:
                print(f"{name}: {i + 1} fits, RSS {series[-1]:.0f} MiB", flush=True)
        elapsed = time.perf_counter() - start
        after_warmup = series[args.warmup - 1]
        growth = (series[-1] - after_warmup) / (args.fits - args.warmup)
        results[name] = (after_warmup, series[-1], growth, elapsed / args.fits)

    print()
    print(
        f"{args.fits} fits each ({args.warmup} warm-up), 300 faces 48x48, 1 epoch, "
        f"keras {keras.__version__} ({keras.backend.backend()})"
    )
    print(
        "| loop | RSS after warm-up (MiB) | RSS at the end (MiB) | growth per fit (MiB) "
        "| s per fit |"
    )
    print("|---|---|---|---|---|")
    for name, (a, b, g, s) in results.items():
        print(f"| {name} | {a:.0f} | {b:.0f} | {g:+.2f} | {s:.2f} |")


if __name__ == "__main__":
    main()
