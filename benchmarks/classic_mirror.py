"""Mirror images as training data for the recommended classic pipeline (issue #16).

Earlier studies (``benchmarks/RESULTS.md``) trained on mirror *images*
(features computed on each flipped face, not flipped feature vectors), but
with a random half of the faces mirrored, never both copies. This script
measures the standard augmentation: every training face and its mirror image.

Selection split as in RESULTS.md: a stratified 10% of FER2013 ``Training``
(seed 0) held out; the recipe is trained on the first ``--n`` faces of the
rest (8,000: the screening size used there), then

* on the same faces and their mirror images (2 x n),
* the same, averaging each held-out face's probabilities with its mirror's,
* on 2 x n real faces (what more data of the usual kind gives).

Prints accuracy, macro-F1 and fit seconds on the held-out faces. Usage (from
the project root)::

    python benchmarks/classic_mirror.py [FER2013_CSV] [--n 8000]
"""

import argparse
import sys
import time

import numpy as np
from _data import fer2013_path


def load_selection_split(data, script):
    """FER2013 and RESULTS.md's selection split of it.

    Returns the faces, the rows of Training minus a stratified 10% (seed 0),
    and the rows of that 10%. ``data`` is the file given on the command line
    (or None); ``script`` names the caller in the error for a missing file.
    """
    from sklearn.model_selection import train_test_split

    from fer_features.datasets import load_fer2013

    faces = load_fer2013(fer2013_path(data, script=script))
    train = np.flatnonzero(faces.usage == "Training")
    rest, held = train_test_split(
        train, test_size=0.1, stratify=faces.target[train], random_state=0
    )
    return faces, rest, held


def print_row(label, y_true, pred, seconds):
    """One row of the Markdown table: held-out accuracy, macro-F1, fit seconds."""
    from sklearn.metrics import accuracy_score, f1_score

    print(
        f"| {label} | {accuracy_score(y_true, pred):.4f} "
        f"| {f1_score(y_true, pred, average='macro'):.4f} | {seconds:.0f} |",
        flush=True,
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", nargs="?")
    parser.add_argument("--n", type=int, default=8000)
    args = parser.parse_args(argv)
    faces, rest, held = load_selection_split(args.data, "classic_mirror")

    from fer_features.pipelines import make_texture_pipeline

    images, target = faces.images, faces.target
    first = rest[: args.n]

    def flat(x):
        return x.reshape(len(x), -1)

    X_held = images[held]
    y_held = target[held]
    variants = {
        f"recipe, {len(first)} faces": (images[first], target[first]),
        f"recipe, the {len(first)} faces and their mirror images": (
            np.concatenate([images[first], images[first][:, :, ::-1]]),
            np.concatenate([target[first], target[first]]),
        ),
        f"recipe, {2 * len(first)} real faces": (
            images[rest[: 2 * len(first)]],
            target[rest[: 2 * len(first)]],
        ),
    }
    print(f"held out: {len(held)} Training faces (stratified 10%, seed 0)", flush=True)
    print("| variant | held-out accuracy | macro-F1 | fit s |")
    print("|---|---|---|---|")
    for name, (X, y) in variants.items():
        start = time.perf_counter()
        model = make_texture_pipeline(random_state=0).fit(flat(X), y)
        seconds = time.perf_counter() - start
        proba = model.predict_proba(flat(X_held))
        rows = [(name, proba)]
        if "mirror" in name:
            mirrored = model.predict_proba(flat(X_held[:, :, ::-1]))
            rows.append((name + ", mirror averaged at prediction", (proba + mirrored) / 2))
        for label, p in rows:
            print_row(label, y_held, model.classes_[p.argmax(axis=1)], seconds)
    return 0


if __name__ == "__main__":
    sys.exit(main())
