"""Screen settings of the default CNN on the selection split (issue #14).

The split of ``classic_mirror.py`` (RESULTS.md's: a stratified 10% of FER2013
``Training``, seed 0, held out). ``KerasCNNClassifier(random_state=0)`` is
trained on the rest, once as it is and once per ``--set`` (parameters as
``name=value``, the value read as a Python literal; several in one ``--set``
separated by ``;``), all with ``--epochs`` epochs, so that the settings are
compared on the same schedule.

Each setting trains in a child process of its own; ``--jobs 2`` runs two at
once, each pinned to one core (the results do not depend on it: the fits are
defined by their epochs). Prints held-out accuracy, macro-F1 and the recall of
each class, without and with mirror averaging (``test_time_flip``), and the
fit time, and writes each setting's held-out probabilities and log to ``--out``.
Usage (from the project root)::

    python benchmarks/cnn_screen.py [FER2013_CSV] [--epochs 8] [--jobs 2] [--n N]
        --set "augmentation='mid'" --set "class_weight=None"
"""

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from bench_cnn import test_time_scores
from classic_mirror import load_selection_split
from classic_screen import parse_setting


def child(data, text, epochs, n, out, core):
    """Train one setting and write its held-out scores and probabilities."""
    if core is not None:
        os.sched_setaffinity(0, {core})
    from fer_features._malloc import keep_freed_memory

    keep_freed_memory()
    from fer_features.deep import KerasCNNClassifier

    faces, rest, held = load_selection_split(data, "cnn_screen")
    rest = rest[:n]
    clf = KerasCNNClassifier(random_state=0, epochs=epochs, **parse_setting(text))
    start = time.perf_counter()
    clf.fit(faces.images[rest], faces.target[rest])
    seconds = time.perf_counter() - start
    scores = test_time_scores(clf, faces.images[held], faces.target[held], out, shifts=(0,))
    return {
        "seconds": seconds,
        "epochs": clf.n_epochs_,
        "history": clf.history_,
        "scores": {
            str(flip): [acc, f1, recall.tolist()]
            for (flip, _), (acc, f1, recall, _) in scores.items()
        },
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", nargs="?")
    parser.add_argument("--epochs", type=int, default=8)
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--n", type=int, default=None, help="train on the first n faces only")
    parser.add_argument("--set", action="append", default=[], dest="settings")
    parser.add_argument("--out", default="cnn_screen_out")
    parser.add_argument("--skip-default", action="store_true")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        text, out, core = args.child
        core = None if core == "-" else int(core)
        result = child(args.data, text, args.epochs, args.n, out, core)
        print("RESULT " + json.dumps(result), flush=True)
        return 0

    settings = ([] if args.skip_default else [""]) + args.settings
    Path(args.out).mkdir(exist_ok=True)
    print(f"{args.epochs} epochs each, {len(settings)} settings, {args.jobs} at a time", flush=True)
    running, results = [], []  # a list: the same --set given twice runs twice
    for i, text in enumerate(settings):
        while len(running) >= args.jobs:
            running = [p for p in running if p[1].poll() is None]
            time.sleep(1)
        out = str(Path(args.out) / f"setting{i}.npz")
        core = str(i % 2) if args.jobs > 1 else "-"
        cmd = [sys.executable, __file__, *([args.data] if args.data else [])]
        cmd += ["--epochs", str(args.epochs), "--child", text, out, core]
        if args.n:
            cmd += ["--n", str(args.n)]
        log = Path(args.out) / f"setting{i}.log"
        with open(log, "w") as stream:  # the child keeps its own copy of the handle
            running.append((text, subprocess.Popen(cmd, stdout=stream, stderr=subprocess.STDOUT)))
        results.append((text, log))
    for _, proc in running:
        proc.wait()

    print(
        "| setting | held-out accuracy | macro-F1 | with mirror | macro-F1 | fit s "
        "| recall per class |"
    )
    print("|---|---|---|---|---|---|---|")
    for text, log_name in results:
        lines = [ln for ln in log_name.read_text().splitlines() if ln.startswith("RESULT ")]
        if not lines:
            print(f"| {text or 'the default'} | failed: see {log_name} |")
            continue
        fit = json.loads(lines[-1][7:])
        (acc, f1, rec), (acc_f, f1_f, _) = fit["scores"]["False"], fit["scores"]["True"]
        recall = " ".join(f"{r:.2f}" for r in rec)
        print(
            f"| {text or 'the default'} | {acc:.4f} | {f1:.4f} | {acc_f:.4f} | {f1_f:.4f} "
            f"| {fit['seconds']:.0f} | {recall} |",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
