"""Features of a million faces, out of memory: LBP and HOG through dask, from disk to disk.

Data: ``--n`` 48x48 uint8 images (default 1,000,000: 2.3 GB of pixels),
written into a ``.npy`` file in a temporary folder by tiling 2,000 built-in
synthetic faces (:func:`fer_features.make_synthetic_faces`), each copy rolled
by a few pixels so that no two chunks are alike. Written with plain file writes,
never held whole in memory.

Estimators: ``LBPTransformer()`` (uniform, P=8, R=1, 6x6 cells: 360 features)
and ``HOGTransformer()`` (9 orientations, 8x8 cells, 2x2 blocks: 900 features),
fitted on ten images (they learn only the image shape).

Timed, for each transformer and each scheduler: reading the images from the
``.npy`` file chunk by chunk (``--chunk`` rows per chunk), ``transform`` of the
``dask.array`` (a lazy ``map_blocks``), and writing the float32 features with
``dask.array.to_npy_stack`` (one ``.npy`` per chunk). Schedulers: ``threads``
(dask's local threads, ``--workers`` of them) and ``cluster`` (a
``distributed.LocalCluster`` of ``--workers`` worker processes with one thread
each). Printed: wall time, throughput (images per second) and peak resident
memory (``VmHWM``) of this process, and of each worker for the cluster.

The images are read through :class:`NpyRows`, which maps the file only for the
time it copies one chunk out of it: a ``numpy.memmap`` kept open would count
every page read so far in the process's resident memory (the kernel frees them
under pressure, but the peak RSS would report them), and pickling a memmap to a
worker would send its data.

Usage::

    python benchmarks/bench_scale.py [--n 1000000] [--chunk 20000] [--workers 2]
        [--schedulers threads,cluster] [--features lbp,hog] [--tmp DIR]
"""

import argparse
import resource
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np

SIDE = 48


class NpyRows:
    """Rows of a 2-D ``.npy`` file, read a slice at a time (for ``da.from_array``).

    Each ``__getitem__`` maps the file, copies the requested rows out and
    unmaps it again, so that nothing stays resident between chunks; the object
    itself is only a path, cheap to send to dask workers.
    """

    def __init__(self, path):
        self.path = str(path)
        header = np.load(self.path, mmap_mode="r")
        self.shape, self.dtype, self.ndim = header.shape, header.dtype, header.ndim
        del header

    def __getitem__(self, key):
        mm = np.load(self.path, mmap_mode="r")
        try:
            return np.array(mm[key])
        finally:
            del mm


def peak_rss_mib():
    """Peak resident memory of this process so far, in MiB (Linux: VmHWM)."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def write_images(path, n, seed=0):
    """Write ``n`` tiled synthetic 48x48 faces as a uint8 ``.npy``, a block at a time."""
    from fer_features import make_synthetic_faces

    base = make_synthetic_faces(2000, random_state=seed).images.astype(np.uint8)
    rng = np.random.default_rng(seed)
    header = {"descr": np.lib.format.dtype_to_descr(np.dtype(np.uint8)), "fortran_order": False}
    header["shape"] = (n, SIDE * SIDE)
    with open(path, "wb") as f:
        np.lib.format.write_array_header_1_0(f, header)
        for start in range(0, n, len(base)):
            count = min(len(base), n - start)
            shift = rng.integers(-3, 4, size=2)
            block = np.roll(base[:count], tuple(shift), axis=(1, 2))
            f.write(np.ascontiguousarray(block.reshape(count, -1)).tobytes())


def transformers():
    from fer_features import HOGTransformer, LBPTransformer

    return {"lbp": LBPTransformer(), "hog": HOGTransformer()}


def run_one(name, transformer, rows, chunk, out_dir, scheduler, client=None):
    import dask
    import dask.array as da

    images = da.from_array(rows, chunks=(chunk, -1), asarray=False, fancy=False)
    fitted = transformer.fit(rows[:10])
    # warm up (imports, numba compilation) where the work will run, untimed
    sample = rows[:100]
    if client is None:
        fitted.transform(sample)
    else:
        client.run(_warm_up, fitted, sample)
    features = fitted.transform(images).astype(np.float32)
    target = out_dir / f"{name}-{scheduler}"
    start = time.perf_counter()
    if client is None:
        with dask.config.set(scheduler="threads", num_workers=WORKERS):
            da.to_npy_stack(target, features)
    else:
        with dask.config.set(scheduler=client.get):
            da.to_npy_stack(target, features)
    elapsed = time.perf_counter() - start
    check = np.load(target / "0.npy", mmap_mode="r")
    n_check = min(50, len(check))
    expected = fitted.transform(rows[:n_check]).astype(np.float32)
    assert np.array_equal(check[:n_check], expected), f"{name}: stored features differ"
    shape = features.shape
    shutil.rmtree(target)
    return elapsed, shape


WORKERS = 2


def _warm_up(transformer, sample):
    transformer.transform(sample)


def main(argv=None):
    global WORKERS
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="number of 48x48 images")
    parser.add_argument("--chunk", type=int, default=20_000, help="rows per dask chunk")
    parser.add_argument("--workers", type=int, default=2, help="threads, or cluster workers")
    parser.add_argument("--schedulers", default="threads,cluster")
    parser.add_argument("--features", default="lbp,hog")
    parser.add_argument("--tmp", default=None, help="folder for the data (default: system temp)")
    args = parser.parse_args(argv)
    WORKERS = args.workers

    if args.tmp is not None:
        Path(args.tmp).mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="bench_scale_", dir=args.tmp))
    try:
        path = work / "images.npy"
        start = time.perf_counter()
        write_images(path, args.n)
        gib = args.n * SIDE * SIDE / 2**30
        print(f"wrote {args.n} images ({gib:.2f} GiB) in {time.perf_counter() - start:.1f} s")
        print(f"peak RSS after writing: {peak_rss_mib():.0f} MiB")
        rows = NpyRows(path)
        chosen = [t.strip() for t in args.features.split(",") if t.strip()]
        for scheduler in [s.strip() for s in args.schedulers.split(",") if s.strip()]:
            client = cluster = None
            if scheduler == "cluster":
                from distributed import Client, LocalCluster

                cluster = LocalCluster(
                    n_workers=args.workers,
                    threads_per_worker=1,
                    processes=True,
                    dashboard_address=":0",
                )
                client = Client(cluster)
            try:
                for name in chosen:
                    elapsed, shape = run_one(
                        name, transformers()[name], rows, args.chunk, work, scheduler, client
                    )
                    line = (
                        f"{scheduler:>7} {name:>3}: {shape[0]} x {shape[1]} features in "
                        f"{elapsed:.1f} s, {shape[0] / elapsed:,.0f} images/s, "
                        f"peak RSS {peak_rss_mib():.0f} MiB"
                    )
                    if client is not None:
                        peaks = client.run(peak_rss_mib)
                        line += (
                            " (workers: " + ", ".join(f"{v:.0f}" for v in peaks.values()) + " MiB)"
                        )
                    print(line, flush=True)
            finally:
                if client is not None:
                    client.close()
                    cluster.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
