"""A benchmark and a grid search on a local Dask cluster against the same work run serially.

Data: ``--n-samples`` built-in synthetic faces (default 2,000, 48x48).
Work, each run twice in this process, serially and inside
:func:`fer_features.benchmark.dask_cluster` (``local:N``, N worker processes of
one thread each, started before the clock runs):

- ``run_benchmark`` of ``--estimators`` (quick profile) on ``--folds``
  stratified folds: serially one fit after the other, on the cluster
  ``parallel_fits`` = every worker;
- ``grid_search`` of ``hog-logreg`` over ``--candidates`` values of ``C``
  with 3 folds.

Everything runs with BLAS and OpenMP held to one thread (``threadpoolctl``),
so that the serial run uses one core and each worker one. Printed: the wall
time of each, the speed-up, the load average, and whether the scores of the
two runs are identical (they must be: the same seeds, the same folds).

Usage::

    python benchmarks/bench_cluster.py [--n-samples 2000] [--workers 2] [--folds 4]
        [--estimators hog-logreg,lbp-logreg,pixels-logreg,hog-rf] [--candidates 8]
"""

import argparse
import json
import os
import tempfile
import time

import numpy as np

# what the clock and the memory probe measured: differs between any two runs
MEASURED = {"fit_seconds", "predict_seconds", "ms_per_image", "peak_memory_mb"}


def benchmark_scores(result):
    """Every fold's scores of every estimator, without the measured times and memory."""
    return json.dumps(
        [
            [{k: v for k, v in fold.items() if k not in MEASURED} for fold in record["folds"]]
            for record in result.records
        ],
        sort_keys=True,
    ).replace("NaN", "null")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-samples", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--folds", type=int, default=4)
    parser.add_argument("--estimators", default="hog-logreg,lbp-logreg,pixels-logreg,hog-rf")
    parser.add_argument("--candidates", type=int, default=8)
    args = parser.parse_args(argv)

    from threadpoolctl import threadpool_limits

    from fer_features.benchmark import dask_cluster, run_benchmark
    from fer_features.datasets import make_synthetic_faces
    from fer_features.registry import grid_search, make_estimator

    faces = make_synthetic_faces(n_samples=args.n_samples, random_state=0)
    names = args.estimators.split(",")
    roster = {name: make_estimator(name, profile="quick") for name in names}
    grid = {"clf__C": list(np.logspace(-3, 2, args.candidates))}

    def bench(parallel_fits):
        with tempfile.TemporaryDirectory() as out:
            start = time.perf_counter()
            result = run_benchmark(
                roster,
                faces,
                split=args.folds,
                out_dir=out,
                parallel_fits=parallel_fits,
                verbose=0,
                plots=False,
            )
            return time.perf_counter() - start, benchmark_scores(result)

    def search():
        start = time.perf_counter()
        found = grid_search(
            "hog-logreg", faces.data, faces.target, param_grid=grid, cv=3, verbose=0
        )
        return time.perf_counter() - start, np.round(found.cv_results_["mean_test_score"], 12)

    rows = []
    with threadpool_limits(1):
        serial_bench = bench(1)
        serial_search = search()
        load_serial = os.getloadavg()[0]
        with dask_cluster(f"local:{args.workers}"):
            cluster_bench = bench(None)
            cluster_search = search()
        load_cluster = os.getloadavg()[0]
    bench_what = f"run_benchmark, {len(names)} estimators x {args.folds} folds"
    for what, serial, cluster in (
        (bench_what, serial_bench, cluster_bench),
        (f"grid_search, {args.candidates} candidates x 3 folds", serial_search, cluster_search),
    ):
        same = (
            serial[1] == cluster[1]
            if isinstance(serial[1], str)
            else np.array_equal(serial[1], cluster[1])
        )
        rows.append((what, serial[0], cluster[0], serial[0] / cluster[0], same))
    print(
        f"{args.n_samples} synthetic faces; serial: one process, one thread; cluster: "
        f"LocalCluster of {args.workers} worker processes x 1 thread "
        f"(load average {load_serial:.1f} after the serial runs, {load_cluster:.1f} after "
        f"the cluster's; {time.strftime('%Y-%m-%d')})"
    )
    print("| work | serial (s) | cluster (s) | speed-up | same scores |")
    print("|---|---|---|---|---|")
    for what, serial, cluster, speed_up, same in rows:
        print(f"| {what} | {serial:.1f} | {cluster:.1f} | {speed_up:.2f}x | {same} |")
    if not all(row[-1] for row in rows):
        raise SystemExit("the cluster's scores differ from the serial run's")


if __name__ == "__main__":
    main()
