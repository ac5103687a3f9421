"""Speed of the HOG, LGBP, eigenface and dense SIFT transformers against their references.

Data: the FER2013 Training images (28,709 faces, 48x48, uint8).

1. HOG: ``HOGTransformer()`` (9 orientations, 8x8 cells, 2x2 blocks, L2-Hys) on
   all Training images, against ``skimage.feature.hog`` image by image on the
   first ``--reference-images`` (default 3000); outputs checked equal on those.
   Wall-clock and CPU throughputs and their ratio.
2. LGBP: ``LGBPTransformer()`` (8 Gabor filters, LBP (8, 1, uniform) on 6x6
   cells, L1) on all Training images, against the loop a user would write, image
   by image: each filter by ``scipy.signal.fftconvolve(image, kernel, "same")``,
   its magnitude rescaled to 0-255, ``skimage.feature.local_binary_pattern``,
   ``np.bincount`` per cell, L1 per cell; on the first ``--reference-images``.
   Then the compiled loop alone (``_lgbp81``: Gabor and LBP image by image)
   writing into an output it has written before, against the same reference:
   the difference is the first touch of ``transform``'s fresh output.
3. Eigenfaces: ``EigenfaceTransformer(n_components=150, random_state=0).fit``
   against ``sklearn.decomposition.PCA(150, whiten=True, random_state=0).fit``
   on all Training images (same solver, "auto" -> randomized); best of
   ``--repeats`` alternated runs; the fitted components checked equal.
4. Dense SIFT and Gabor words: the compiled pooling of descriptors from integral
   images (``_pooled_descriptors``) against its numpy formulation
   (``_pooled_descriptors_numpy``, the code before it), over the first
   ``--reference-images`` faces 128 at a time, both kinds and the recipe's four
   cell sizes, outputs checked equal; then ``DenseSIFTWords.transform`` of those
   faces (the recipe's settings, a vocabulary learnt from 20,000 descriptors per
   size) with each of the two.

Everything runs in this process with one BLAS / OpenMP thread (threadpoolctl);
ours and the reference are timed in turn (``--repeats`` pairs, best of each
kept; only the first run's outputs are kept, as a user keeps one result) and
the load average is printed beside them, so that the ratios hold on a busy
machine.

Usage::

    python benchmarks/bench_features.py [--fer2013 PATH] [--reference-images 3000] [--repeats 3]
"""

import argparse
import os
import time
import warnings

import numpy as np
from _data import fer2013_path


def timed(fn):
    wall, cpu = time.perf_counter(), time.process_time()
    out = fn()
    return out, time.perf_counter() - wall, time.process_time() - cpu


def alternated(ours, reference, repeats):
    """Time ``ours`` and ``reference`` in turn ``repeats`` times (same load for both).

    Returns their first outputs, their best wall-clock and CPU times, and the
    1-minute load average after each pair.
    """
    ours_runs, ref_runs, loads = [], [], []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for k in range(repeats):
            ours_runs.append(timed(ours))
            ref_runs.append(timed(reference))
            loads.append(os.getloadavg()[0])
            if k:  # keep the first outputs only, as a user keeps one result
                ours_runs[k] = (None, *ours_runs[k][1:])
                ref_runs[k] = (None, *ref_runs[k][1:])
    best = [min(r[i] for r in runs) for runs in (ours_runs, ref_runs) for i in (1, 2)]
    return ours_runs[0][0], ref_runs[0][0], best, loads


def print_speeds(n, m, best, loads):
    ours_wall, ours_cpu, ref_wall, ref_cpu = best
    print(f"  load average (1 min) during the runs: {', '.join(f'{x:.2f}' for x in loads)}")
    for label, ours, ref in (("wall-clock", ours_wall, ref_wall), ("CPU time", ours_cpu, ref_cpu)):
        print(
            f"  {label:>10}: ours {n / ours:9,.0f} images/s ({ours:.2f} s)   "
            f"reference {m / ref:7,.0f} images/s ({ref:.2f} s)   "
            f"speed-up {(n / ours) / (m / ref):.1f}x"
        )


def bench_hog(data, m, repeats):
    from skimage.feature import hog

    from fer_features import HOGTransformer

    X = data.data
    n = len(X)
    tf = HOGTransformer().fit(X[:10])
    tf.transform(X[:100])  # warm-up: lookup tables, compiled loops
    features, reference, best, loads = alternated(
        lambda: tf.transform(X),
        lambda: np.stack(
            [
                hog(
                    image,
                    orientations=9,
                    pixels_per_cell=(8, 8),
                    cells_per_block=(2, 2),
                    block_norm="L2-Hys",
                    feature_vector=True,
                )
                for image in data.images[:m]
            ]
        ),
        repeats,
    )
    equal = np.array_equal(features[:m], reference)
    print(f"HOG: 9 orientations, 8x8 cells, 2x2 blocks, L2-Hys ({features.shape[1]} features)")
    print(
        f"  ours: HOGTransformer.transform on all {n} images; reference: skimage.feature.hog "
        f"image by image on the first {m}; {repeats} alternated runs, best kept"
    )
    print(f"  outputs equal on the {m} reference images: {equal}")
    print_speeds(n, m, best, loads)
    return equal


def lgbp_reference(images, lgbp):
    """The per-image loop: Gabor magnitudes, skimage LBP, np.bincount per cell."""
    from scipy.signal import fftconvolve
    from skimage.feature import local_binary_pattern

    kernels = lgbp.kernels()
    row_edges, col_edges = lgbp.lbp_.cell_edges()
    n_bins = lgbp.n_bins_
    out = []
    for image in images.astype(np.float64):
        feats = []
        for kernel in kernels:
            mag = np.abs(fftconvolve(image, kernel, mode="same"))
            peak = mag.max()
            mag = np.rint(mag * (255.0 / peak)) if peak > 0 else np.zeros_like(mag)
            codes = local_binary_pattern(mag.astype(np.uint8), lgbp.P, lgbp.R, lgbp.method).astype(
                np.intp
            )
            for r0, r1 in zip(row_edges[:-1], row_edges[1:]):
                for c0, c1 in zip(col_edges[:-1], col_edges[1:]):
                    hist = np.bincount(codes[r0:r1, c0:c1].ravel(), minlength=n_bins)
                    feats.append(hist / hist.sum())
        out.append(np.concatenate(feats))
    return np.array(out)


def bench_lgbp(data, m, repeats, n_images):
    from fer_features import LGBPTransformer

    X = data.data[:n_images]
    n = len(X)
    tf = LGBPTransformer().fit(X[:10])
    tf.transform(X[:100])  # warm-up: the compiled Gabor and LBP loops
    features, reference, best, loads = alternated(
        lambda: tf.transform(X), lambda: lgbp_reference(data.images[:m], tf), repeats
    )
    equal = np.array_equal(features[:m], reference)
    close = np.allclose(features[:m], reference, rtol=0, atol=1e-12)
    print(
        f"LGBP: {tf.n_filters_} Gabor filters x 6x6 cells x {tf.n_bins_} uniform LBP bins "
        f"({features.shape[1]} features)"
    )
    print(
        f"  ours: LGBPTransformer.transform on the first {n} images; reference: fftconvolve "
        f"+ skimage LBP + np.bincount image by image on the first {m}; {repeats} "
        f"alternated runs, best kept"
    )
    print(f"  outputs equal on the {m} reference images: {equal} (within 1e-12: {close})")
    print_speeds(n, m, best, loads)
    # the compiled loop alone, writing into an output it has written before: the
    # first touch of a fresh output (about 23 KB per face) costs what this
    # virtual machine's memory makes it cost, from run to run
    from fer_features.features._lgbp import _lgbp81

    images = np.ascontiguousarray(X.reshape(-1, *tf.image_shape_))
    kernels = tf.kernels()
    out = np.empty_like(features)
    if _lgbp81(images, kernels, tf.lbp_, out):
        _, _, best, loads = alternated(
            lambda: _lgbp81(images, kernels, tf.lbp_, out),
            lambda: lgbp_reference(data.images[:m], tf),
            repeats,
        )
        print("  the compiled loop alone (Gabor and LBP image by image), into a written output:")
        print(f"  outputs equal to transform's: {np.array_equal(out, features)}")
        print_speeds(n, m, best, loads)
    return close


def bench_eigenfaces(data, repeats):
    from sklearn.decomposition import PCA

    from fer_features import EigenfaceTransformer

    X = data.data
    ours_runs, pca_runs = [], []
    for _ in range(repeats):
        ours_runs.append(
            timed(lambda: EigenfaceTransformer(n_components=150, random_state=0).fit(X))
        )
        pca_runs.append(timed(lambda: PCA(n_components=150, whiten=True, random_state=0).fit(X)))
    eig, pca = ours_runs[0][0], pca_runs[0][0]
    same = np.array_equal(eig.eigenfaces_.reshape(150, -1), pca.components_)
    ours_wall = min(r[1] for r in ours_runs)
    pca_wall = min(r[1] for r in pca_runs)
    ours_cpu = min(r[2] for r in ours_runs)
    pca_cpu = min(r[2] for r in pca_runs)
    print(
        f"Eigenfaces: fit of 150 components (whiten, svd_solver='auto' -> "
        f"{pca._fit_svd_solver}) on {len(X)} images of 48x48, best of {repeats}"
    )
    print(f"  same components as PCA: {same}")
    print(
        f"  wall-clock: EigenfaceTransformer {ours_wall:.2f} s, PCA {pca_wall:.2f} s, "
        f"ratio {ours_wall / pca_wall:.2f}"
    )
    print(
        f"    CPU time: EigenfaceTransformer {ours_cpu:.2f} s, PCA {pca_cpu:.2f} s, "
        f"ratio {ours_cpu / pca_cpu:.2f}"
    )
    return same


def bench_dense_sift(data, m, repeats):
    import fer_features.features._dense_sift as dense

    images = data.images[:m]
    words = dense.DenseSIFTWords(
        bin_sizes=(2, 3, 4, 5),
        descriptors=("sift", "gabor"),
        n_vocabulary_samples=20_000,
        random_state=0,
    )
    print(f"Dense SIFT and Gabor words, {m} images, batches of {words.batch_size}")

    def pooling(pool):
        def run():
            out = []
            for start in range(0, m, words.batch_size):
                batch = images[start : start + words.batch_size]
                for integral in (
                    dense._orientation_integrals(batch, 8),
                    dense._gabor_integrals(batch, (0.25, 0.125), 4),
                ):
                    out += [pool(integral, b, 2, 0.01)[0] for b in words.bin_sizes]
            return out

        return run

    ours, ref, best, loads = alternated(
        pooling(dense._pooled_descriptors), pooling(dense._pooled_descriptors_numpy), repeats
    )
    same = all(np.array_equal(a, b) for a, b in zip(ours, ref))
    print(f"  pooling: outputs equal: {same}")
    print_speeds(m, m, best, loads)
    words.fit(images)
    compiled = dense._pooled_descriptors

    def transform(pool):
        def run():
            dense._pooled_descriptors = pool
            try:
                return words.transform(images)
            finally:
                dense._pooled_descriptors = compiled

        return run

    ours, ref, best, loads = alternated(
        transform(compiled), transform(dense._pooled_descriptors_numpy), repeats
    )
    same_words = (ours != ref).nnz == 0
    print(f"  DenseSIFTWords.transform: words equal: {same_words}")
    print_speeds(m, m, best, loads)
    return same and same_words


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fer2013", default=None)
    parser.add_argument("--reference-images", type=int, default=3000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument(
        "--lgbp-images", type=int, default=28709, help="LGBP: ours is timed on this many images"
    )
    parser.add_argument("--only", choices=["hog", "lgbp", "eigenfaces", "dense_sift"], default=None)
    args = parser.parse_args(argv)

    from threadpoolctl import threadpool_limits

    from fer_features.datasets import load_fer2013

    data = load_fer2013(fer2013_path(args.fer2013, script="bench_features"), usage="Training")
    print(f"data: FER2013 Training, {len(data.data)} images 48x48")
    ok = True
    with threadpool_limits(1):
        if args.only in (None, "hog"):
            ok &= bench_hog(data, min(args.reference_images, len(data.data)), args.repeats)
        if args.only in (None, "lgbp"):
            ok &= bench_lgbp(
                data, min(args.reference_images, len(data.data)), args.repeats, args.lgbp_images
            )
        if args.only in (None, "eigenfaces"):
            ok &= bench_eigenfaces(data, args.repeats)
        if args.only in (None, "dense_sift"):
            ok &= bench_dense_sift(data, min(args.reference_images, len(data.data)), args.repeats)
    if not ok:
        raise SystemExit("an output differs from its reference")


if __name__ == "__main__":
    main()
