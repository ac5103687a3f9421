"""Speed of HOGTransformer and EigenfaceTransformer against their references.

Data: the FER2013 Training images (28,709 faces, 48x48, uint8).

1. HOG: ``HOGTransformer()`` (9 orientations, 8x8 cells, 2x2 blocks, L2-Hys) on
   all Training images, against ``skimage.feature.hog`` image by image on the
   first ``--reference-images`` (default 3000); outputs checked equal on those.
   Wall-clock and CPU throughputs and their ratio.
2. Eigenfaces: ``EigenfaceTransformer(n_components=150, random_state=0).fit``
   against ``sklearn.decomposition.PCA(150, whiten=True, random_state=0).fit``
   on all Training images (same solver, "auto" -> randomized); best of
   ``--repeats`` alternated runs; the fitted components checked equal.

Everything runs in this process with one BLAS / OpenMP thread (threadpoolctl),
so the numbers do not depend on how busy the other cores are.

Usage::

    python benchmarks/bench_features.py [--fer2013 PATH] [--reference-images 3000] [--repeats 3]
"""

import argparse
import time
import warnings

import numpy as np

from bench_lbp import fer2013_path


def timed(fn):
    wall, cpu = time.perf_counter(), time.process_time()
    out = fn()
    return out, time.perf_counter() - wall, time.process_time() - cpu


def bench_hog(data, m, repeats):
    from skimage.feature import hog

    from fer_features import HOGTransformer

    X = data.data
    n = len(X)
    tf = HOGTransformer().fit(X[:10])
    tf.transform(X[:100])  # warm-up: lookup tables
    runs = [timed(lambda: tf.transform(X)) for _ in range(repeats)]
    features = runs[0][0]
    ours_wall = min(r[1] for r in runs)
    ours_cpu = min(r[2] for r in runs)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reference, ref_wall, ref_cpu = timed(lambda: np.stack([
            hog(image, orientations=9, pixels_per_cell=(8, 8), cells_per_block=(2, 2),
                block_norm="L2-Hys", feature_vector=True)
            for image in data.images[:m]]))
    equal = np.array_equal(features[:m], reference)
    print(f"HOG: 9 orientations, 8x8 cells, 2x2 blocks, L2-Hys ({features.shape[1]} features)")
    print(f"  ours: HOGTransformer.transform on all {n} images, best of {repeats}; "
          f"reference: skimage.feature.hog image by image on the first {m}")
    print(f"  outputs equal on the {m} reference images: {equal}")
    for label, ours, ref in (("wall-clock", ours_wall, ref_wall), ("CPU time", ours_cpu, ref_cpu)):
        print(f"  {label:>10}: ours {n / ours:9,.0f} images/s ({ours:.2f} s)   "
              f"reference {m / ref:7,.0f} images/s ({ref:.2f} s)   "
              f"speed-up {(n / ours) / (m / ref):.1f}x")
    return equal


def bench_eigenfaces(data, repeats):
    from sklearn.decomposition import PCA

    from fer_features import EigenfaceTransformer

    X = data.data
    ours_runs, pca_runs = [], []
    for _ in range(repeats):
        ours_runs.append(timed(lambda: EigenfaceTransformer(n_components=150,
                                                            random_state=0).fit(X)))
        pca_runs.append(timed(lambda: PCA(n_components=150, whiten=True,
                                          random_state=0).fit(X)))
    eig, pca = ours_runs[0][0], pca_runs[0][0]
    same = np.array_equal(eig.eigenfaces_.reshape(150, -1), pca.components_)
    ours_wall = min(r[1] for r in ours_runs)
    pca_wall = min(r[1] for r in pca_runs)
    ours_cpu = min(r[2] for r in ours_runs)
    pca_cpu = min(r[2] for r in pca_runs)
    print(f"Eigenfaces: fit of 150 components (whiten, svd_solver='auto' -> "
          f"{pca._fit_svd_solver}) on {len(X)} images of 48x48, best of {repeats}")
    print(f"  same components as PCA: {same}")
    print(f"  wall-clock: EigenfaceTransformer {ours_wall:.2f} s, PCA {pca_wall:.2f} s, "
          f"ratio {ours_wall / pca_wall:.2f}")
    print(f"    CPU time: EigenfaceTransformer {ours_cpu:.2f} s, PCA {pca_cpu:.2f} s, "
          f"ratio {ours_cpu / pca_cpu:.2f}")
    return same


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fer2013", default=None)
    parser.add_argument("--reference-images", type=int, default=3000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--only", choices=["hog", "eigenfaces"], default=None)
    args = parser.parse_args(argv)

    from threadpoolctl import threadpool_limits

    from fer_features.datasets import load_fer2013

    data = load_fer2013(fer2013_path(args.fer2013), usage="Training")
    print(f"data: FER2013 Training, {len(data.data)} images 48x48")
    ok = True
    with threadpool_limits(1):
        if args.only in (None, "hog"):
            ok &= bench_hog(data, min(args.reference_images, len(data.data)), args.repeats)
        if args.only in (None, "eigenfaces"):
            ok &= bench_eigenfaces(data, args.repeats)
    if not ok:
        raise SystemExit("an output differs from its reference")


if __name__ == "__main__":
    main()
