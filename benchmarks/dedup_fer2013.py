"""How much FER2013's duplicates move the recommended pipeline's PublicTest score.

Fits :func:`fer_features.make_classic_pipeline` (the recommended recipe) once on
the FER2013 ``Training`` rows, predicts the ``PublicTest`` rows once, and prints
its accuracy and macro-F1 on all of PublicTest and on PublicTest without the
rows that duplicate a Training image (exact or near, as
:func:`fer_features.cleaning.find_dataset_duplicates` finds them at its
defaults), with the number of rows removed. With ``--clean-train`` it also fits
the recipe on the Training rows that the report's default policy keeps
(one image per duplicate group, no conflicting groups, no blanks) and scores
that model the same two ways.

Usage (from the project root)::

    python benchmarks/dedup_fer2013.py [FER2013_CSV] [--clean-train] [--max-train N]

The FER2013 file is the first argument, else ``$FER_FEATURES_FER2013``, else
``../shared/data/fer2013/fer2013.csv.gz`` beside the project. ``--max-train N``
fits on a stratified draw of N Training rows (to check the script quickly).
"""

import argparse
import os
import resource
import sys
import time
from pathlib import Path

import numpy as np
from _data import fer2013_path

PROJECT_ROOT = Path(__file__).resolve().parents[1]


def scores(y_true, y_pred):
    from sklearn.metrics import accuracy_score, f1_score

    return accuracy_score(y_true, y_pred), f1_score(y_true, y_pred, average="macro")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", nargs="?", help="FER2013 CSV (.csv or .csv.gz)")
    parser.add_argument("--clean-train", action="store_true", help="also fit on cleaned Training")
    parser.add_argument("--max-train", type=int, default=None, metavar="N")
    args = parser.parse_args(argv)

    sys.path.insert(0, str(PROJECT_ROOT))
    from sklearn.model_selection import train_test_split

    from fer_features import make_classic_pipeline
    from fer_features.cleaning import find_dataset_duplicates
    from fer_features.datasets import load_fer2013

    path = fer2013_path(args.data, script="dedup_fer2013")
    t0 = time.perf_counter()
    faces = load_fer2013(path, usage=["Training", "PublicTest"])
    report = find_dataset_duplicates(faces)
    print(f"loaded and searched for duplicates in {time.perf_counter() - t0:.1f} s", flush=True)
    train = np.flatnonzero(faces.usage == "Training")
    test = np.flatnonzero(faces.usage == "PublicTest")
    seen = report.in_reference[test]
    keep = report.keep_mask(drop_in_reference=False)
    if args.max_train is not None and args.max_train < len(train):
        train, _ = train_test_split(
            train, train_size=args.max_train, random_state=0, stratify=faces.target[train]
        )
        train = np.sort(train)
    fits = {"all Training": train}
    if args.clean_train:
        fits["cleaned Training"] = train[keep[train]]
    print(
        f"PublicTest: {len(test)} rows, {int(seen.sum())} of them duplicate a Training "
        f"image ({seen.mean():.1%})",
        flush=True,
    )
    rows = []
    for name, rows_train in fits.items():
        model = make_classic_pipeline()
        c0, w0 = time.process_time(), time.perf_counter()
        model.fit(faces.data[rows_train], faces.target[rows_train])
        fit_cpu, fit_wall = time.process_time() - c0, time.perf_counter() - w0
        pred = model.predict(faces.data[test])
        y = faces.target[test]
        acc_all, f1_all = scores(y, pred)
        acc_new, f1_new = scores(y[~seen], pred[~seen])
        acc_seen, _ = scores(y[seen], pred[seen]) if seen.any() else (float("nan"), None)
        rows.append((name, len(rows_train), acc_all, f1_all, acc_new, f1_new, acc_seen))
        print(
            f"[{name}] fitted on {len(rows_train)} images in {fit_wall:.0f} s "
            f"({fit_cpu:.0f} CPU s), load {os.getloadavg()[0]:.1f}",
            flush=True,
        )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print("\nRESULT (make_classic_pipeline, PublicTest)")
    print(
        "| trained on | images | accuracy, all rows | macro-F1, all rows | accuracy, "
        "without Training duplicates | macro-F1, without | accuracy on the duplicates |"
    )
    print("|---|---|---|---|---|---|---|")
    for name, n, a, f, a2, f2, a3 in rows:
        print(f"| {name} | {n} | {a:.4f} | {f:.4f} | {a2:.4f} | {f2:.4f} | {a3:.4f} |")
    print(
        f"rows removed: {int(seen.sum())} of {len(test)}; peak RSS {peak:.0f} MiB; "
        f"{os.cpu_count()} CPUs, load {os.getloadavg()}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
