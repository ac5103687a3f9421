"""Dense SIFT visual words beside the recommended classic pipeline (issue #16).

The encoding of Ionescu, Popescu and Grozea (2013), the last lever of #16 not yet
measured: dense SIFT-style descriptors every 2 pixels at three cell sizes, a
vocabulary of 4,096 words per size (a two-level k-means tree), square roots of
word counts over 3x3 and 6x6 spatial grids (``fer_features.features._dense_sift``),
and a linear SVM on them (552,960 sparse columns: a kernel SVM would not fit
the budget), trained on each face and its mirror image and averaging each
face's probabilities with its mirror image's at prediction. Its probabilities
(temperature scaling on a 5 % hold-out, as the recipe's SVC) are averaged with
the recipe's.

``--split selection`` (default): RESULTS.md's selection split, a stratified 10 %
of Training (seed 0) held out, training on the first ``--n`` faces of the rest.
``--split public``: all of Training, scored on PublicTest (the confirmation).
Prints accuracy, macro-F1 and fit seconds of the recipe, the words alone and the
average, and the process's peak resident memory. Usage (from the project root)::

    python benchmarks/classic_bovw.py [FER2013_CSV] [--split selection] [--n 8000] [--C 0.1]
"""

import argparse
import resource
import sys
import time

import numpy as np
from classic_mirror import load_selection_split, print_row


def words_pipeline(C, random_state=0):
    """Visual words and a calibrated linear SVM."""
    from sklearn.pipeline import Pipeline
    from sklearn.svm import LinearSVC

    from fer_features.features._dense_sift import DenseSIFTWords
    from fer_features.pipelines._calibration import calibrated

    return Pipeline(
        [
            ("words", DenseSIFTWords(random_state=random_state)),
            ("clf", calibrated(LinearSVC(C=C, max_iter=5000), random_state=random_state)),
        ]
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", nargs="?")
    parser.add_argument("--split", choices=["selection", "public"], default="selection")
    parser.add_argument("--n", type=int, default=8000)
    parser.add_argument("--C", type=float, default=0.1)
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
    print(f"trained on {len(train)} faces, scored on {len(held)} ({args.split})", flush=True)
    print("| variant | accuracy | macro-F1 | fit s |")
    print("|---|---|---|---|")
    mirror = X.reshape(-1, 48, 48)[:, :, ::-1].reshape(len(X), -1)
    mirror_held = X_held.reshape(-1, 48, 48)[:, :, ::-1].reshape(len(X_held), -1)
    probabilities = []
    fits = []
    recipe = make_recommended_pipeline(random_state=0)
    start = time.perf_counter()
    recipe.fit(X, y)
    fits.append(time.perf_counter() - start)
    probabilities.append(recipe.predict_proba(X_held))
    print_row("the recipe", y_held, recipe.classes_[probabilities[0].argmax(1)], fits[-1])
    model = words_pipeline(args.C)
    start = time.perf_counter()
    model.fit(np.concatenate([X, mirror]), np.concatenate([y, y]))
    fits.append(time.perf_counter() - start)
    p = (model.predict_proba(X_held) + model.predict_proba(mirror_held)) / 2
    probabilities.append(p)
    label = f"visual words, linear SVM (C={args.C}), faces and mirror images"
    print_row(label, y_held, model.classes_[p.argmax(1)], fits[-1])
    mean = (probabilities[0] + probabilities[1]) / 2
    print_row("the two averaged", y_held, model.classes_[mean.argmax(1)], sum(fits))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak resident memory of the process: {peak:.0f} MiB", file=sys.stderr)


if __name__ == "__main__":
    main()
