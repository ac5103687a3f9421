"""Time the default grid search of the texture pipeline (issue #10).

``grid_search(make_texture_pipeline(), X, y, n_jobs=...)`` (the recommended
pipeline until 2026-12-04, now its texture half) on FER2013 ``Training`` (all
of it, or the first ``--n`` faces): its ``param_grid`` (PCA 300 / 450 x
C 5 / 10), 5 stratified folds, macro-F1, the features computed once for all
images, then the refit of the best candidate. Prints the wall-clock and CPU
time (this process and its workers), the 1-minute load average before and
after, the peak resident memory of this process and of its largest worker, and
each candidate's mean and spread of fold macro-F1 with its mean fit time.

Usage (from the project root)::

    python benchmarks/classic_grid.py [FER2013_CSV] [--n N] [--n-jobs 2]
"""

import argparse
import os
import resource
import sys
import time

from _data import fer2013_path


def cpu_seconds():
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", nargs="?")
    parser.add_argument("--n", type=int, default=None, help="the first N Training faces")
    parser.add_argument("--n-jobs", type=int, default=2)
    args = parser.parse_args(argv)
    path = fer2013_path(args.data, script="classic_grid")

    from fer_features.datasets import load_fer2013
    from fer_features.pipelines import make_texture_pipeline
    from fer_features.registry import grid_search, param_grid

    texture = make_texture_pipeline()

    data = load_fer2013(path, usage="Training")
    X, y = data.data[: args.n], data.target[: args.n]
    print(f"FER2013 Training: {len(X)} faces; grid {param_grid(texture)}; 5 folds", flush=True)
    load_before = os.getloadavg()[0]
    wall, cpu = time.perf_counter(), cpu_seconds()
    search = grid_search(texture, X, y, n_jobs=args.n_jobs, verbose=1)
    wall = time.perf_counter() - wall
    # joblib's workers count in RUSAGE_CHILDREN once they have exited
    from joblib.externals.loky import get_reusable_executor

    get_reusable_executor().shutdown(wait=True)
    cpu = cpu_seconds() - cpu
    own_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    worker_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(
        f"grid search and refit: {wall:.0f} s wall ({wall / 60:.1f} min), {cpu:.0f} s CPU, "
        f"n_jobs={args.n_jobs}; load average (1 min) {load_before:.2f} before, "
        f"{os.getloadavg()[0]:.2f} after"
    )
    print(f"peak resident memory: this process {own_peak:.0f} MiB, a worker {worker_peak:.0f} MiB")
    results = search.cv_results_
    print("| candidate | mean macro-F1 | std | mean fit s |")
    print("|---|---|---|---|")
    for k, params in enumerate(results["params"]):
        print(
            f"| {params} | {results['mean_test_score'][k]:.4f} | "
            f"{results['std_test_score'][k]:.4f} | {results['mean_fit_time'][k]:.0f} |"
        )
    print(f"best: {search.best_params_} (macro-F1 {search.best_score_:.4f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
