"""Training speed of KerasCNNClassifier on each Keras backend installed here.

Keras reads ``KERAS_BACKEND`` once, at import, so each measurement runs in a
child process of its own; the backends take turns (``--rounds`` rounds), and
the best round of each is kept. Each child keeps freed memory as the
``fer-features`` command does (``fer_features._malloc.keep_freed_memory``),
loads ``--limit`` FER2013 Training faces, trains one epoch on 640 of them
(building, tracing and compiling), then times one more epoch on all of them
(``warm_start``) and prints training images/s.

``--settings`` measures variants of the fit on each backend, each in its own
child: ``float32`` (the estimator's CPU default), ``bfloat16`` (Keras's
``mixed_bfloat16`` policy: bfloat16 compute, float32 weights; the child swaps
it in for the float32 policy the estimator sets on the CPU), ``xla``
(``jit_compile=True``), ``eager`` (``jit_compile=False``: what JAX ran before
its default became compiled) and ``batch128`` (``batch_size=128``), or several joined
by ``+`` (``xla+batch128``).

Usage (from the project root)::

    python benchmarks/bench_backends.py [FER2013_CSV] [--architecture simple]
        [--limit 3200] [--rounds 2] [--backends tensorflow jax torch]
        [--settings float32 bfloat16 xla eager batch128]

A backend that is not installed is listed as such. The file is the first
argument, else ``$FER_FEATURES_FER2013``, else
``../shared/data/fer2013/fer2013.csv.gz`` beside the project.
"""

import argparse
import importlib.util
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from _data import fer2013_path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
BACKENDS = ("tensorflow", "jax", "torch")
SETTINGS = ("float32", "bfloat16", "xla", "eager", "batch128")

CHILD = r"""
import json, sys, time
sys.path.insert(0, {root!r})
from fer_features._malloc import keep_freed_memory
keep_freed_memory()
import numpy as np
import keras
from fer_features.datasets import load_fer2013
from fer_features.deep import KerasCNNClassifier

setting = {setting!r}
tokens = setting.split("+")
if "bfloat16" in tokens:
    # the estimator sets float32 on the CPU; measure bfloat16 compute instead
    set_policy = keras.config.set_dtype_policy
    keras.config.set_dtype_policy = lambda p: set_policy(
        "mixed_bfloat16" if str(getattr(p, "name", p)) == "float32" else p
    )
params = {{}}
for token, extra in (("xla", {{"jit_compile": True}}), ("eager", {{"jit_compile": False}}),
                     ("batch128", {{"batch_size": 128}})):
    if token in tokens:
        params.update(extra)
faces = load_fer2013({data!r})
rows = np.flatnonzero(faces.usage == "Training")[: {limit}]
X, y = faces.images[rows], faces.target[rows]
clf = KerasCNNClassifier(architecture={architecture!r}, epochs=1, augmentation="low",
                         random_state=0, **params)
clf.fit(X[:640], y[:640])  # build, trace, compile
clf.set_params(warm_start=True)
start = time.perf_counter()
clf.fit(X, y)
elapsed = time.perf_counter() - start
print("RESULT " + json.dumps({{"backend": keras.backend.backend(), "setting": setting,
    "policy": keras.config.dtype_policy().name,
    "keras": keras.__version__, "seconds": elapsed, "images_per_s": len(X) / elapsed}}))
"""


def measure(backend, code):
    env = {**os.environ, "KERAS_BACKEND": backend, "TF_CPP_MIN_LOG_LEVEL": "3"}
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False
    )
    for line in done.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[len("RESULT ") :])
    tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
    raise RuntimeError(f"{backend}: the child failed: {' / '.join(tail)}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", nargs="?", help="FER2013 CSV (.csv or .csv.gz)")
    parser.add_argument("--architecture", default="simple")
    parser.add_argument("--limit", type=int, default=3200, help="timed training images")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--backends", nargs="+", default=list(BACKENDS), choices=BACKENDS)
    parser.add_argument(
        "--settings",
        nargs="+",
        default=["float32"],
        help=f"each one of {', '.join(SETTINGS)}, or several joined by '+' (xla+batch128)",
    )
    args = parser.parse_args(argv)
    for setting in args.settings:
        unknown = set(setting.split("+")) - set(SETTINGS)
        if unknown:
            parser.error(f"unknown setting {setting!r}; use {', '.join(SETTINGS)}, joined by '+'")

    installed = [b for b in args.backends if importlib.util.find_spec(b) is not None]
    for b in args.backends:
        if b not in installed:
            print(f"{b}: not installed, skipped")
    path = str(fer2013_path(args.data, script="bench_backends"))
    runs = [(b, setting) for b in installed for setting in args.settings]
    best = {}
    for r in range(1, args.rounds + 1):
        for backend, setting in runs:
            code = CHILD.format(
                root=str(PROJECT_ROOT),
                data=path,
                limit=args.limit,
                architecture=args.architecture,
                setting=setting,
            )
            name = backend if args.settings == ["float32"] else f"{backend}, {setting}"
            try:
                result = measure(backend, code)
            except RuntimeError as exc:
                print(exc, flush=True)
                continue
            print(
                f"round {r}: {name:<22} {result['images_per_s']:6.1f} images/s "
                f"({result['seconds']:.1f} s, policy {result['policy']}), "
                f"load {os.getloadavg()[0]:.1f}",
                flush=True,
            )
            result["backend"] = name
            if name not in best or result["images_per_s"] > best[name]["images_per_s"]:
                best[name] = result
    if not best:
        return 1
    reference = next(iter(best.values()))
    print()
    print(
        f"{args.architecture!r} network, one epoch of {args.limit} FER2013 faces, "
        f"'low' augmentation, best of {args.rounds} ({time.strftime('%Y-%m-%d')})"
    )
    print(f"| backend | training images/s | ratio to {reference['backend']} |")
    print("|---|---|---|")
    for backend, result in best.items():
        ratio = result["images_per_s"] / reference["images_per_s"]
        speed = result["images_per_s"]
        print(f"| {backend} (keras {result['keras']}) | {speed:.0f} | {ratio:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
