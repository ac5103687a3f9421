"""CNN training with glibc's default malloc settings and with the command's.

``fer-features`` (and the CNN benchmark scripts) call
``fer_features._malloc.keep_freed_memory`` at start. This script measures what
it changes: the same one-epoch CNN fit in fresh child processes, alternately
with glibc's defaults and with the settings, each timed after a warm-up fit
(graph tracing left out), with the kernel (system) CPU time and the page faults
of the fit. The settings are process-wide and cannot be undone in a process, so
the two sides run in separate processes, alternated so that a change in the
machine's load touches both.

Usage (from the project root)::

    python benchmarks/bench_malloc.py [FER2013_CSV] [--images N] [--architecture A] [--repeats R]

The FER2013 file is the first argument, else ``$FER_FEATURES_FER2013``, else
``../shared/data/fer2013/fer2013.csv.gz`` beside the project.
"""

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

from _data import fer2013_path

PROJECT_ROOT = Path(__file__).resolve().parents[1]

# one child: warm-up fit (traces the graphs), then the timed one-epoch fit
_CHILD = """
import json, resource, sys, time
sys.path.insert(0, sys.argv[1])
if sys.argv[2] == "tuned":
    from fer_features._malloc import keep_freed_memory
    assert keep_freed_memory()
from fer_features.datasets import load_fer2013
from fer_features.deep import KerasCNNClassifier
n = int(sys.argv[5])
faces = load_fer2013(sys.argv[3], usage="Training")
X, y = faces.images[:n], faces.target[:n]
params = dict(architecture=sys.argv[4], epochs=1, augmentation="low", random_state=0)
KerasCNNClassifier(**params).fit(X[:256], y[:256])
r0 = resource.getrusage(resource.RUSAGE_SELF)
t0 = time.perf_counter()
clf = KerasCNNClassifier(**params).fit(X, y)
wall = time.perf_counter() - t0
r1 = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"wall": wall, "user": r1.ru_utime - r0.ru_utime,
                  "system": r1.ru_stime - r0.ru_stime,
                  "faults": r1.ru_minflt - r0.ru_minflt}))
"""


def child(mode, data, architecture, n):
    from fer_features._malloc import ENVIRONMENT

    # glibc's defaults on the "default" side, whatever this shell has set
    env = {k: v for k, v in os.environ.items() if k not in ENVIRONMENT}
    env["TF_CPP_MIN_LOG_LEVEL"] = "3"
    out = subprocess.run(
        [sys.executable, "-c", _CHILD, str(PROJECT_ROOT), mode, str(data), architecture, str(n)],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", nargs="?", help="FER2013 CSV (.csv or .csv.gz)")
    parser.add_argument("--images", type=int, default=3200)
    parser.add_argument("--architecture", default="mini_xception")
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args(argv)
    sys.path.insert(0, str(PROJECT_ROOT))
    data = fer2013_path(args.data, script="bench_malloc")

    print(
        f"{args.architecture}, one epoch on {args.images} FER2013 Training faces "
        f"(batch 64), best of {args.repeats} alternated child processes per side; "
        f"load average before: {os.getloadavg()[0]:.2f}",
        flush=True,
    )
    runs = {"default": [], "tuned": []}
    for _ in range(args.repeats):
        for mode in runs:
            runs[mode].append(child(mode, data, args.architecture, args.images))
            r = runs[mode][-1]
            print(
                f"  {mode:8s} {r['wall']:6.1f} s wall, {args.images / r['wall']:5.0f} images/s, "
                f"user {r['user']:6.1f} s, system {r['system']:5.1f} s, "
                f"{r['faults']:,} page faults",
                flush=True,
            )
    best = {mode: min(rs, key=lambda r: r["wall"]) for mode, rs in runs.items()}
    print(
        f"tuned / default: wall {best['tuned']['wall'] / best['default']['wall']:.2f}, "
        f"page faults {best['tuned']['faults'] / best['default']['faults']:.2f}; "
        f"load average after: {os.getloadavg()[0]:.2f}"
    )


if __name__ == "__main__":
    main()
