"""Time and peak memory of cleaning the real FER2013 file, and its counts.

What it measures, on the FER2013 CSV (Training + PublicTest here, 32,298 rows):

* loading the file (:func:`~fer_features.datasets.load_fer2013`);
* :func:`~fer_features.cleaning.phash` of every image, and the same hashes
  from ``imagehash.phash`` on the first 2,000 images (speed ratio, measured in
  this one process, and equality);
* :func:`~fer_features.cleaning.find_dataset_duplicates` with its defaults
  (near duplicates included; PublicTest rows against Training rows), and with
  ``method="exact"``; the exact duplicates are checked against an
  independent count by :func:`numpy.unique`;
* with ``--faces N``: the share of N FER2013 crops (48x48) in which
  :class:`~fer_features.faces.FaceDetector` finds a face, as is and upscaled
  to 96x96, i.e. whether "no face found" could flag non-faces.

Wall-clock figures depend on what else runs: the load average is printed
beside them, and so is the CPU time of this process, which contention
inflates less. Peak memory (maximum resident set size) is not affected.

Run ``python benchmarks/bench_cleaning.py [PATH] [--faces 500]``.
"""

import argparse
import os
import resource
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from _data import fer2013_path

from fer_features.cleaning import find_dataset_duplicates, phash
from fer_features.datasets import load_fer2013


def load():
    return "load average " + ", ".join(f"{v:.2f}" for v in os.getloadavg()) + " (2 cores)"


def peak_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class Timer:
    def __enter__(self):
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc):
        self.wall = time.perf_counter() - self.wall
        self.cpu = time.process_time() - self.cpu

    def __str__(self):
        return f"{self.wall:.1f} s wall, {self.cpu:.1f} s CPU; {load()}"


def faces_found(images, detector):
    from PIL import Image

    found = detector.detect(list(images))
    small = sum(len(f) > 0 for f in found)
    big = [
        np.asarray(Image.fromarray(im).resize((96, 96), Image.Resampling.BILINEAR)) for im in images
    ]
    upscaled = sum(len(f) > 0 for f in detector.detect(big))
    return small, upscaled


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "path",
        nargs="?",
        default=None,
        help="FER2013 CSV (default: $FER_FEATURES_FER2013, else "
        "../shared/data/fer2013/fer2013.csv.gz beside the project)",
    )
    parser.add_argument("--faces", type=int, default=0, metavar="N")
    args = parser.parse_args(argv)

    with Timer() as t:
        data = load_fer2013(fer2013_path(args.path, script="bench_cleaning"))
    print(f"load_fer2013: {len(data.images)} images in {t}")
    with Timer() as t_all:
        with Timer() as t:
            hashes = phash(data.images)
        print(f"phash of all: {t}")
        ours = Timer()
        with ours:
            phash(data.images[:2000])
        try:
            import imagehash
            from PIL import Image

            with Timer() as theirs:
                ref = [
                    int(str(imagehash.phash(Image.fromarray(im))), 16) for im in data.images[:2000]
                ]
            same = np.array_equal(np.array(ref, dtype=np.uint64), hashes[:2000])
            print(
                f"phash of 2,000: {ours.cpu:.2f} s CPU, imagehash.phash {theirs.cpu:.2f} s CPU "
                f"(x{theirs.cpu / ours.cpu:.1f}); equal: {same}"
            )
        except ImportError:
            print("imagehash is not installed: no comparison")
        with Timer() as t:
            report = find_dataset_duplicates(data)
        print(f"find_dataset_duplicates (phash, defaults): {t}")
    print(f"hashes + search, all of it: {t_all}")
    for key, value in report.summary().items():
        print(f"  {key:24s} {value}")
    with Timer() as t:
        exact = find_dataset_duplicates(data, method="exact")
    print(f"find_dataset_duplicates (exact): {t}")
    for key, value in exact.summary().items():
        print(f"  {key:24s} {value}")
    rows = np.ascontiguousarray(data.data).view(np.dtype((np.void, data.data.shape[1]))).ravel()
    n_unique = len(np.unique(rows))
    print(
        f"numpy.unique: {len(rows) - n_unique} rows repeat an earlier one "
        f"(exact search: {exact.summary()['n_duplicates']})"
    )
    public = data.usage == "PublicTest"
    print(
        f"PublicTest rows seen in Training: {int(report.in_reference.sum())} of "
        f"{int(public.sum())} (exact copies: {int(exact.in_reference.sum())})"
    )
    print(f"peak memory (max RSS): {peak_mb():.0f} MB")
    if args.faces:
        from fer_features.faces import FaceDetector

        sample = np.random.default_rng(0).choice(len(data.images), args.faces, replace=False)
        with Timer() as t:
            small, upscaled = faces_found(data.images[sample], FaceDetector())
        print(
            f"FaceDetector on {args.faces} FER2013 crops: a face in {small} at 48x48, "
            f"{upscaled} upscaled to 96x96; {t}"
        )


if __name__ == "__main__":
    main()
