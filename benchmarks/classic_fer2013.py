"""Accuracy and fit time of the recommended classic pipeline and the reference roster.

Data: FER2013, trained on the ``Training`` rows (28,709 faces) and scored on the
``PublicTest`` rows (3,589 faces), 48x48 grey.
Estimators (each fitted once on raw pixels, features included in the timing):

* ``classic``: :func:`fer_features.pipelines.make_recommended_pipeline`, all of
  Training.
* ``lbp-pca300-svc``: the hand-built reference, LBP (8 neighbours, radius 1,
  ``nri_uniform``, 6x6 grid of cell histograms) + PCA 300 + RBF ``SVC()``, built
  here from the library's ``LBPTransformer`` (whose output equals scikit-image's
  per-image ``local_binary_pattern`` histograms).
* ``eigenfaces-svc``: scikit-learn's eigenfaces recipe, PCA 150 whitened + RBF
  ``SVC(C=10, class_weight="balanced")``.
* ``pixels-rf``, ``pixels-gb``, ``pixels-svc``: raw pixels (scaled to 0..1) with
  100 training images per class, the protocol of an early FER study.

Timed: ``fit`` (features, scaling, PCA and classifier) and ``predict`` on
PublicTest, wall-clock seconds, in this process; the fit's CPU seconds too
(``time.process_time``, all threads of the process), which is what the fit
costs when other jobs share the CPU. Prints accuracy, macro-F1, fit and predict
seconds per estimator, the number of training images each saw, the peak
resident memory of the process after each fit (``resource.getrusage``: the
peak since the process started, so it is the fit's own peak for the first
estimator of a run), and the machine's CPU count and load averages (other jobs
sharing the CPU slow the fits down; the load says how much). Run it with
``OMP_NUM_THREADS=1`` to time one thread.

Usage::

    python benchmarks/classic_fer2013.py [--fer2013 PATH]
        [--estimators classic,lbp-pca300-svc,eigenfaces-svc,pixels-rf,pixels-gb,pixels-svc]
        [--max-train N]

``--max-train N`` trains the estimators that would use all of Training on a fixed
stratified subset of N images instead (seed 0), to measure slow ones quickly.
The FER2013 file is looked for at ``--fer2013``, then ``FER_FEATURES_FER2013``,
then ``../shared/data/fer2013/fer2013.csv.gz`` beside the project.
"""

import argparse
import os
import resource
import sys
import time

import numpy as np
from _data import fer2013_path

ALL = ["classic", "lbp-pca300-svc", "eigenfaces-svc", "pixels-rf", "pixels-gb", "pixels-svc"]


def _to_unit(X):
    return np.asarray(X, dtype=np.float64) / 255.0


def make(name):
    """(estimator, training protocol) for a roster name."""
    from sklearn.decomposition import PCA
    from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import FunctionTransformer
    from sklearn.svm import SVC

    from fer_features.features import EigenfaceTransformer, LBPTransformer
    from fer_features.pipelines import make_recommended_pipeline

    to_unit = FunctionTransformer(_to_unit)
    if name == "classic":
        return make_recommended_pipeline(), "all"
    if name == "lbp-pca300-svc":
        return make_pipeline(
            LBPTransformer(P=8, R=1, method="nri_uniform", grid_shape=(6, 6)),
            PCA(n_components=300, random_state=0),
            SVC(),
        ), "all"
    if name == "eigenfaces-svc":
        return make_pipeline(
            EigenfaceTransformer(n_components=150, whiten=True, random_state=0),
            SVC(C=10.0, class_weight="balanced"),
        ), "all"
    if name == "pixels-rf":
        return make_pipeline(
            to_unit, RandomForestClassifier(n_estimators=200, random_state=0, n_jobs=2)
        ), 100
    if name == "pixels-gb":
        return make_pipeline(to_unit, HistGradientBoostingClassifier(random_state=0)), 100
    if name == "pixels-svc":
        return make_pipeline(to_unit, SVC(C=10.0, class_weight="balanced")), 100
    raise SystemExit(f"unknown estimator {name!r}; choose from {', '.join(ALL)}")


def training_rows(target, protocol, max_train):
    """Indices (into the Training rows) an estimator is trained on."""
    rng = np.random.RandomState(0)
    if protocol == "all":
        if max_train is None or max_train >= len(target):
            return np.arange(len(target))
        from sklearn.model_selection import train_test_split

        keep, _ = train_test_split(
            np.arange(len(target)), train_size=max_train, stratify=target, random_state=0
        )
        return np.sort(keep)
    per_class = int(protocol)
    return np.sort(
        np.concatenate(
            [
                rng.choice(np.flatnonzero(target == c), per_class, replace=False)
                for c in np.unique(target)
            ]
        )
    )


def _peak_rss_mib():
    """Peak resident memory of this process so far, in MiB."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 1024  # bytes / KiB


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fer2013", default=None)
    parser.add_argument("--estimators", default=",".join(ALL))
    parser.add_argument("--max-train", type=int, default=None)
    args = parser.parse_args(argv)

    from sklearn.metrics import accuracy_score, f1_score

    from fer_features.datasets import load_fer2013

    names = [n.strip() for n in args.estimators.split(",") if n.strip()]
    for name in names:
        make(name)  # fail early on unknown names
    data = load_fer2013(fer2013_path(args.fer2013, script="classic_fer2013"))
    train = data.usage == "Training"
    test = data.usage == "PublicTest"
    X_train, y_train = data.data[train], data.target[train]
    X_test, y_test = data.data[test], data.target[test]
    print(
        f"FER2013: {len(y_train)} Training, {len(y_test)} PublicTest images; "
        f"{os.cpu_count()} CPUs; load average at start {os.getloadavg()[0]:.1f}",
        flush=True,
    )
    header = (
        "| estimator | training images | accuracy | macro-F1 | fit s (wall) "
        "| fit s (CPU) | peak RSS MiB | predict s | load avg (1 min) |"
    )
    print(f"peak RSS before the first fit: {_peak_rss_mib():.0f} MiB", flush=True)
    rows = []
    for name in names:
        estimator, protocol = make(name)
        rows_ = training_rows(y_train, protocol, args.max_train)
        t0, c0 = time.perf_counter(), time.process_time()
        estimator.fit(X_train[rows_], y_train[rows_])
        fit_s, fit_cpu = time.perf_counter() - t0, time.process_time() - c0
        peak = _peak_rss_mib()
        t0 = time.perf_counter()
        pred = estimator.predict(X_test)
        predict_s = time.perf_counter() - t0
        seen = f"{len(rows_)}" + (" (100 per class)" if protocol != "all" else "")
        row = (
            f"| {name} | {seen} | {accuracy_score(y_test, pred):.4f} "
            f"| {f1_score(y_test, pred, average='macro'):.4f} | {fit_s:.1f} | {fit_cpu:.1f} "
            f"| {peak:.0f} | {predict_s:.1f} | {os.getloadavg()[0]:.1f} |"
        )
        rows.append(row)
        print(row, flush=True)
    print()
    print(header)
    print("|---|---|---|---|---|---|---|---|---|")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
