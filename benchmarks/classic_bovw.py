"""The recommended classic pipeline and its two halves on FER2013 (issue #16).

Fits ``make_recommended_pipeline()`` once (``make_classic_pipeline()``: the soft
vote of the texture pipeline, LBP/LGBP/HOG and an RBF SVC, and the visual-word
pipeline, dense SIFT words and a linear model trained on faces and their mirror
images) and scores the vote and each fitted half on the same held-out faces.
The vote prints each half's fit time as it goes (``verbose``).

``--split selection`` (default): RESULTS.md's selection split, a stratified 10 %
of Training (seed 0) held out, training on the first ``--n`` faces of the rest.
``--split public``: all of Training, scored on PublicTest (the confirmation).
Prints accuracy, macro-F1 and fit seconds, then the process's peak resident
memory (the fit's, as the process does nothing else that large). Usage (from
the project root)::

    python benchmarks/classic_bovw.py [FER2013_CSV] [--split selection] [--n 8000] [--seed 0]
"""

import argparse
import resource
import sys
import time

import numpy as np
from classic_mirror import load_selection_split, print_row


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", nargs="?")
    parser.add_argument("--split", choices=["selection", "public"], default="selection")
    parser.add_argument("--n", type=int, default=8000)
    parser.add_argument("--seed", type=int, default=0, help="the pipeline's random_state")
    args = parser.parse_args(argv)
    from fer_features.pipelines import make_recommended_pipeline

    faces, rest, held = load_selection_split(args.data, "classic_bovw")
    if args.split == "public":
        train = np.flatnonzero(faces.usage == "Training")
        held = np.flatnonzero(faces.usage == "PublicTest")
    else:
        train = rest[: args.n]
    X, y = faces.data[train], faces.target[train]
    X_held, y_held = faces.data[held], faces.target[held]
    del faces
    print(f"trained on {len(train)} faces, scored on {len(held)} ({args.split})", flush=True)
    model = make_recommended_pipeline(random_state=args.seed, verbose=True)
    start = time.perf_counter()
    model.fit(X, y)
    fit = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print("| model | accuracy | macro-F1 | fit s |")
    print("|---|---|---|---|")
    for name in ("texture", "words"):
        half = model.named_estimators_[name]
        print_row(f"{name} alone", y_held, half.predict(X_held), float("nan"))
    start = time.perf_counter()
    pred = model.predict(X_held)
    predict = time.perf_counter() - start
    print_row("the recommended pipeline (both averaged)", y_held, pred, fit)
    print(
        f"predict {1000 * predict / len(X_held):.1f} ms per face; peak resident memory of "
        f"the process after the fit: {peak:.0f} MiB",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
