"""Screen local learning for the recommended classic pipeline (issue #16).

Ionescu, Popescu and Grozea (2013) put a local step on top of their global
SVM: for each test face, an SVM trained on its nearest training faces. This
screens the idea on RESULTS.md's selection split (``classic_mirror.py``): the
recipe's features, scaling and PCA fitted on the first ``--n`` faces of the
rest; a global RBF SVC (the recipe's C, ``gamma="scale"``, no calibration) on
them; then, for each held-out face and each ``K``, an RBF SVC (same C and
gamma) on its K nearest training faces in the PCA space (Euclidean), predicting
alone, and averaged with the global SVC's one-vs-rest decision values on the
classes the neighbours have. Prints held-out accuracy, macro-F1 and seconds.
Usage (from the project root)::

    python benchmarks/classic_local.py [FER2013_CSV] [--n 8000] [--k 100 200 300 1000]
"""

import argparse
import sys
import time

import numpy as np
from classic_mirror import load_selection_split, print_row


def local_predictions(Z, y, Zh, decisions, neighbours, gamma, C):
    """Predictions of the local SVC alone and averaged with the global decisions."""
    from sklearn.svm import SVC

    alone = np.empty(len(Zh), dtype=y.dtype)
    mixed = np.empty(len(Zh), dtype=y.dtype)
    for i, rows in enumerate(neighbours):
        labels = y[rows]
        classes = np.unique(labels)
        if len(classes) == 1:
            alone[i] = mixed[i] = classes[0]
            continue
        local = SVC(C=C, gamma=gamma).fit(Z[rows], labels)
        alone[i] = local.predict(Zh[i : i + 1])[0]
        d = local.decision_function(Zh[i : i + 1])[0]
        if len(classes) == 2:  # one value: the second class's margin
            d = np.array([-d, d])
        full = decisions[i].copy()
        full[classes] = 0.5 * (full[classes] + d)
        mixed[i] = np.argmax(full)
    return alone, mixed


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", nargs="?")
    parser.add_argument("--n", type=int, default=8000)
    parser.add_argument("--k", type=int, nargs="+", default=[100, 200, 300, 1000])
    args = parser.parse_args(argv)
    faces, rest, held = load_selection_split(args.data, "classic_local")

    from sklearn.neighbors import NearestNeighbors
    from sklearn.pipeline import Pipeline
    from sklearn.svm import SVC

    from fer_features.pipelines import make_texture_pipeline

    first = rest[: args.n]
    y, y_held = faces.target[first], faces.target[held]
    recipe = make_texture_pipeline(random_state=0)
    C = recipe.named_steps["clf"].get_params()["estimator__C"]
    before = Pipeline(recipe.steps[:-1])
    Z = before.fit_transform(faces.data[first], y)
    Zh = before.transform(faces.data[held])
    print(f"trained on {len(first)} faces, scored on {len(held)} held out")
    print("| variant | held-out accuracy | macro-F1 | s |")
    print("|---|---|---|---|")
    start = time.perf_counter()
    svc = SVC(C=C, gamma="scale", cache_size=1000).fit(Z, y)
    decisions = svc.decision_function(Zh)
    print_row("global SVC (no calibration)", y_held, svc.predict(Zh), time.perf_counter() - start)
    index = NearestNeighbors().fit(Z)
    for k in args.k:
        start = time.perf_counter()
        neighbours = index.kneighbors(Zh, n_neighbors=k, return_distance=False)
        alone, mixed = local_predictions(Z, y, Zh, decisions, neighbours, svc._gamma, C)
        seconds = time.perf_counter() - start
        print_row(f"local SVC, {k} neighbours", y_held, alone, seconds)
        print_row(f"local and global averaged, {k} neighbours", y_held, mixed, seconds)
    return 0


if __name__ == "__main__":
    sys.exit(main())
