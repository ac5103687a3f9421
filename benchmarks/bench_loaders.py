"""Time the data loaders against naive references, in the same process.

Usage::

    python benchmarks/bench_loaders.py [PATH_TO_FER2013_CSV] [--rows N] [--repeat R]

The FER2013 file is taken from the argument, else from the environment
variable FER_FEATURES_FER2013, else from ../shared/data/fer2013/fer2013.csv.gz
beside the project. Without it, that part is skipped.

What is timed (best of R runs each):

1. load_fer2013 on the real file, the time to merely read (decompress) its
   text, and two naive loaders of the same rows:
   the csv module with a per-row ``np.array(pixels.split(), dtype=np.uint8)``,
   and pandas.read_csv with the same per-row conversion. Both give the same
   arrays (checked).
2. make_synthetic_faces: faces per second for the default 1400 faces and 5000.
3. load_image_folder on a generated folder of PNG faces (96x96, resized to
   48x48), against a plain loop of PIL open / convert("L") / resize.
"""

import argparse
import csv
import gzip
import io
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from _data import fer2013_candidate

from fer_features.datasets import load_fer2013, load_image_folder, make_synthetic_faces


def best_of(repeat, func):
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = func()
        times.append(time.perf_counter() - start)
    return min(times), result


def open_text(path):
    with open(path, "rb") as f:
        gz = f.read(2) == b"\x1f\x8b"
    return io.TextIOWrapper(gzip.open(path), newline="") if gz else open(path, newline="")


def naive_csv(path):
    """The loader one writes first: csv module, one split per row."""
    data, target = [], []
    with open_text(path) as f:
        reader = csv.reader(f)
        header = next(reader)
        ie, ip = header.index("emotion"), header.index("pixels")
        for row in reader:
            target.append(int(row[ie]))
            data.append(np.array(row[ip].split(), dtype=np.uint8))
    return np.stack(data), np.array(target)


def naive_pandas(path):
    """pandas.read_csv, then one split per row."""
    import pandas as pd

    frame = pd.read_csv(path)
    data = np.stack([np.array(p.split(), dtype=np.uint8) for p in frame["pixels"]])
    return data, frame["emotion"].to_numpy()


def bench_fer2013(path, rows, repeat):
    print(f"== load_fer2013 on {path.name}" + (f" (first {rows} rows)" if rows else ""))
    if rows:
        with open_text(path) as f:
            head = [f.readline() for _ in range(rows + 1)]
        tmp = Path(tempfile.mkdtemp()) / "head.csv"
        tmp.write_text("".join(head))
        path = tmp
    try:
        _bench_fer2013(path, repeat)
    finally:
        if rows:
            path.unlink()
            path.parent.rmdir()


def _bench_fer2013(path, repeat):
    t_fast, faces = best_of(repeat, lambda: load_fer2013(path))
    n = faces.data.shape[0]
    print(f"load_fer2013         {t_fast:7.2f} s   {n / t_fast:9.0f} rows/s   ({n} rows)")

    def read_only():
        with open_text(path) as f:
            return len(f.read())

    t_read, _ = best_of(repeat, read_only)
    print(
        f"reading the text     {t_read:7.2f} s   (decompression and decoding alone: "
        f"the floor; load_fer2013 spends {t_fast - t_read:.2f} s more)"
    )
    t_csv, (data, target) = best_of(1, lambda: naive_csv(path))
    assert np.array_equal(data, faces.data) and np.array_equal(target, faces.target)
    print(
        f"naive csv + split    {t_csv:7.2f} s   {n / t_csv:9.0f} rows/s   "
        f"ratio {t_csv / t_fast:5.1f}x slower"
    )
    t_pd, (data, target) = best_of(1, lambda: naive_pandas(path))
    assert np.array_equal(data, faces.data) and np.array_equal(target, faces.target)
    print(
        f"pandas + split       {t_pd:7.2f} s   {n / t_pd:9.0f} rows/s   "
        f"ratio {t_pd / t_fast:5.1f}x slower"
    )


def bench_synthetic(repeat):
    print("== make_synthetic_faces")
    for n in (1400, 5000):
        t, _ = best_of(repeat, lambda n=n: make_synthetic_faces(n, random_state=0))
        print(f"{n:5d} faces            {t:7.2f} s   {n / t:9.0f} faces/s")


def bench_folder(repeat, n=700):
    print(f"== load_image_folder on {n} generated 96x96 PNG faces")
    with tempfile.TemporaryDirectory() as tmp:
        _bench_folder(repeat, n, Path(tmp))


def _bench_folder(repeat, n, root):
    from PIL import Image

    faces = make_synthetic_faces(n, image_size=96, random_state=0)
    for i, (image, code) in enumerate(zip(faces.images, faces.target)):
        folder = root / faces.target_names[code]
        folder.mkdir(exist_ok=True)
        Image.fromarray(image).save(folder / f"S{i % 20:03d}_001_{i:08d}.png")
    t_fast, loaded = best_of(repeat, lambda: load_image_folder(root))
    print(f"load_image_folder    {t_fast:7.2f} s   {n / t_fast:9.0f} images/s")

    def plain():
        out = []
        for path in sorted(root.rglob("*.png")):
            with Image.open(path) as im:
                out.append(np.asarray(im.convert("L").resize((48, 48), Image.BILINEAR)))
        return np.stack(out)

    t_plain, _ = best_of(repeat, plain)
    print(
        f"plain PIL loop       {t_plain:7.2f} s   {n / t_plain:9.0f} images/s   "
        f"ratio {t_fast / t_plain:5.2f} (load_image_folder time / plain loop time)"
    )
    assert loaded.images.shape == (n, 48, 48)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", nargs="?", default=None)
    parser.add_argument(
        "--rows",
        type=int,
        default=0,
        help="time only the first N rows of the FER2013 file (default: all)",
    )
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args(argv)
    path = fer2013_candidate(args.path)
    if path.is_file():
        bench_fer2013(path, args.rows, args.repeat)
    else:
        print(f"== load_fer2013: skipped, no FER2013 file at {path}")
    bench_synthetic(args.repeat)
    bench_folder(args.repeat)
    return 0


if __name__ == "__main__":
    sys.exit(main())
