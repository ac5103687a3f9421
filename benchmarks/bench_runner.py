"""Overhead of the benchmark runner over a bare fit / predict loop.

The runner adds, per fold, the scoring (every metric, per-class scores, the
confusion matrix), the bootstrap interval on a single split, the memory probe
and the JSON record written after every fold; at the end results.csv,
results.json and report.md. This script times the same estimator on the same
folds both ways, in the same process, and prints the ratio.

    python benchmarks/bench_runner.py [--n-samples 1400] [--estimator hog-logreg]
                                      [--folds 5] [--repeats 3]
"""

import argparse
import tempfile
import time

import numpy as np
from sklearn.base import clone


def bare_loop(estimator, X, y, folds):
    """What the runner does minus its bookkeeping: fit, then predict_proba once."""
    for train, test in folds:
        model = clone(estimator).fit(X[train], y[train])
        model.predict_proba(X[test])


def main(argv=None):
    from threadpoolctl import threadpool_limits

    from fer_features.benchmark import resolve_split, run_benchmark
    from fer_features.datasets import make_synthetic_faces
    from fer_features.registry import make_estimator

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-samples", type=int, default=1400)
    parser.add_argument("--estimator", default="hog-logreg")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)

    data = make_synthetic_faces(args.n_samples, random_state=0)
    X, y = data.data, data.target
    estimator = make_estimator(args.estimator, profile="quick")
    print(
        f"runner overhead: {args.estimator} on {args.n_samples} synthetic faces, "
        f"{args.folds} folds and one hold-out split, best of {args.repeats}, one thread"
    )
    with threadpool_limits(1):
        for split in (args.folds, "holdout"):
            if split == "holdout":
                from sklearn.model_selection import StratifiedShuffleSplit

                split = StratifiedShuffleSplit(n_splits=1, test_size=0.25, random_state=0)
            folds, text = resolve_split(split, y, random_state=0)
            bare, runner = [], []
            for _ in range(args.repeats):
                start = time.perf_counter()
                bare_loop(estimator, X, y, folds)
                bare.append(time.perf_counter() - start)
                with tempfile.TemporaryDirectory() as out:
                    start = time.perf_counter()
                    run_benchmark(
                        {args.estimator: estimator},
                        data,
                        split=split,
                        out_dir=out,
                        resume=False,
                        verbose=0,
                        plots=False,
                    )
                    runner.append(time.perf_counter() - start)
            b, r = min(bare), min(runner)
            print(
                f"  {text}: bare loop {b:.2f} s, run_benchmark {r:.2f} s, "
                f"ratio {r / b:.3f} (overhead {r - b:+.2f} s)"
            )
        y_true = np.repeat(np.arange(7), 500)
        y_pred = np.where(np.random.default_rng(0).random(3500) < 0.6, y_true, 0)
        from fer_features.benchmark import bootstrap_interval

        start = time.perf_counter()
        bootstrap_interval(y_true, y_pred, np.arange(7), n_resamples=1000)
        print(
            f"  bootstrap interval, 1000 resamples of 3,500 test images: "
            f"{time.perf_counter() - start:.3f} s"
        )


if __name__ == "__main__":
    main()
