"""Speed of LBPTransformer against the per-image scikit-image loop.

Data: the FER2013 Training images (28,709 faces, 48x48, uint8).
Estimator: ``LBPTransformer(P=8, R=1, method="nri_uniform", grid_shape=(6, 6),
normalize=None)``, i.e. 36 cells x 59 bins of raw counts.
Reference: the loop a user would write: for each image,
``skimage.feature.local_binary_pattern(image, 8, 1, "nri_uniform")``, then
``np.bincount`` of the codes of each cell (on the same cell edges), which is
about ten times faster than ``np.histogram`` per cell.
Timed: ours on all Training images; the reference loop on the first
``--reference-images`` of them (default 3000), as a throughput. Both in this
process, one thread, alternated ``--repeats`` times (best kept), with the load
average printed beside them; the outputs are checked equal on the reference
subset. Prints both throughputs (images per second), the ratio, and ours on two
threads (the compiled kernel releases the GIL).

Usage::

    python benchmarks/bench_lbp.py [--fer2013 PATH] [--reference-images 3000]

The FER2013 file is looked for at ``--fer2013``, then ``FER_FEATURES_FER2013``,
then ``../shared/data/fer2013/fer2013.csv.gz`` beside the project.
"""

import argparse
import os
import time
import warnings

import numpy as np
from _data import fer2013_path


def reference_histograms(images, row_edges, col_edges, n_bins=59):
    """The per-image loop: scikit-image LBP codes, then np.bincount per cell."""
    from skimage.feature import local_binary_pattern

    out = np.empty((len(images), (len(row_edges) - 1) * (len(col_edges) - 1) * n_bins))
    for k, image in enumerate(images):
        codes = local_binary_pattern(image, 8, 1, "nri_uniform")
        cells = []
        for i in range(len(row_edges) - 1):
            for j in range(len(col_edges) - 1):
                cell = codes[row_edges[i] : row_edges[i + 1], col_edges[j] : col_edges[j + 1]]
                cells.append(np.bincount(cell.astype(np.intp).ravel(), minlength=n_bins))
        out[k] = np.concatenate(cells)
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fer2013", default=None)
    parser.add_argument("--reference-images", type=int, default=3000)
    parser.add_argument(
        "--repeats",
        type=int,
        default=3,
        help="ours and the reference are timed this many times, alternated; the best is kept",
    )
    args = parser.parse_args(argv)

    from threadpoolctl import threadpool_limits

    from fer_features import LBPTransformer
    from fer_features.datasets import load_fer2013

    data = load_fer2013(fer2013_path(args.fer2013, script="bench_lbp"), usage="Training")
    X = data.data
    n = len(X)
    lbp = LBPTransformer(P=8, R=1, method="nri_uniform", grid_shape=(6, 6), normalize=None)
    lbp.fit(X[:10])
    row_edges, col_edges = lbp.cell_edges()

    m = min(args.reference_images, n)
    with threadpool_limits(1), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wall = time.perf_counter()
        lbp.transform(X[:200])  # warm-up: compiles the kernel, or loads it from numba's cache
        first_call = time.perf_counter() - wall
        # alternated: ours, reference, ours, ... so that both see the same load
        ours_wall, ours_cpu, ref_wall, ref_cpu, loads = [], [], [], [], []
        for _ in range(args.repeats):
            wall, cpu = time.perf_counter(), time.process_time()
            features = lbp.transform(X)
            ours_wall.append(time.perf_counter() - wall)
            ours_cpu.append(time.process_time() - cpu)
            wall, cpu = time.perf_counter(), time.process_time()
            reference = reference_histograms(data.images[:m], row_edges, col_edges)
            ref_wall.append(time.perf_counter() - wall)
            ref_cpu.append(time.process_time() - cpu)
            loads.append(os.getloadavg()[0])
        # two threads: the kernel releases the GIL, each thread transforms half
        from concurrent.futures import ThreadPoolExecutor

        halves = (X[: n // 2], X[n // 2 :])
        two_wall = []
        with ThreadPoolExecutor(2) as pool:
            for _ in range(args.repeats):
                wall = time.perf_counter()
                list(pool.map(lbp.transform, halves))
                two_wall.append(time.perf_counter() - wall)

    equal = np.array_equal(features[:m], reference)
    print(
        f"data: FER2013 Training, {n} images 48x48; 6x6 cells x 59 nri_uniform bins "
        f"(P=8, R=1), raw counts"
    )
    print(
        f"ours: LBPTransformer.transform on all {n} images; reference: skimage "
        f"local_binary_pattern + np.bincount per cell, image by image, on the first {m} "
        f"images; {args.repeats} alternated runs of each, best kept, one thread"
    )
    print(f"load average (1 min) during the runs: {', '.join(f'{x:.2f}' for x in loads)}")
    print(f"first call on 200 images (kernel compiled or loaded from cache): {first_call:.2f} s")
    print(f"outputs equal on the {m} reference images: {equal}")
    for label, ours, ref in (
        ("wall-clock", min(ours_wall), min(ref_wall)),
        ("CPU time", min(ours_cpu), min(ref_cpu)),
    ):
        print(
            f"{label:>10}: ours {n / ours:9,.0f} images/s ({ours:.2f} s)   "
            f"reference {m / ref:7,.0f} images/s ({ref:.2f} s)   "
            f"speed-up {(n / ours) / (m / ref):.1f}x"
        )
    two = min(two_wall)
    print(
        f"two threads (each half of the images): ours {n / two:9,.0f} images/s ({two:.2f} s), "
        f"{(n / two) / (m / min(ref_wall)):.1f}x the one-thread reference"
    )
    if not equal:
        raise SystemExit("outputs differ")


if __name__ == "__main__":
    main()
