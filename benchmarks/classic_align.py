"""Levelled eyes before the recommended classic pipeline (issue #16).

Each face is rotated by minus the tilt that ``fer_features.faces``'s
``estimate_tilt`` reads from its mirror symmetry (the alignment of
``FaceCropper(align=True)``), rounded to the nearest ``--step`` degrees and
back to whole grey levels, and the recipe is trained and scored on the
levelled faces. Selection split as in ``benchmarks/RESULTS.md``: a stratified
10% of FER2013 ``Training`` (seed 0) held out; the recipe is trained on the
first ``--n`` faces of the rest, as they are and levelled.

Prints the spread of the tilts, then accuracy, macro-F1 and fit seconds on the
held-out faces. Usage (from the project root)::

    python benchmarks/classic_align.py [FER2013_CSV] [--n 8000] [--step 0.5]
"""

import argparse
import sys
import time

import numpy as np
from classic_mirror import load_selection_split, print_row


def levelled(images, step):
    """The faces rotated by minus their estimated tilt, rounded to grey levels."""
    from fer_features.faces._align import estimate_tilt, rotate_images

    tilts = estimate_tilt(images)
    angles = -np.round(tilts / step) * step
    out = np.clip(np.rint(rotate_images(images, angles)), 0, 255).astype(images.dtype)
    return out, tilts


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", nargs="?")
    parser.add_argument("--n", type=int, default=8000)
    parser.add_argument("--step", type=float, default=0.5)
    args = parser.parse_args(argv)
    faces, rest, held = load_selection_split(args.data, "classic_align")
    from fer_features.pipelines import make_texture_pipeline

    first = rest[: args.n]
    start = time.perf_counter()
    train_lev, train_tilts = levelled(faces.images[first], args.step)
    held_lev, held_tilts = levelled(faces.images[held], args.step)
    seconds = time.perf_counter() - start
    tilts = np.abs(np.concatenate([train_tilts, held_tilts]))
    print(
        f"tilts of {len(tilts)} faces, absolute degrees: median {np.median(tilts):.1f}, "
        f"90th percentile {np.percentile(tilts, 90):.1f}, {np.mean(tilts >= 5):.1%} at 5 or "
        f"more; levelling took {seconds:.0f} s",
        flush=True,
    )
    print(f"held out: {len(held)} Training faces (stratified 10%, seed 0)", flush=True)
    print("| variant | held-out accuracy | macro-F1 | fit s |")
    print("|---|---|---|---|")
    variants = {
        f"recipe, {len(first)} faces as they are": (faces.images[first], faces.images[held]),
        f"recipe, {len(first)} faces levelled": (train_lev, held_lev),
    }
    y, y_held = faces.target[first], faces.target[held]
    for name, (X, X_held) in variants.items():
        start = time.perf_counter()
        model = make_texture_pipeline(random_state=0).fit(X.reshape(len(X), -1), y)
        seconds = time.perf_counter() - start
        pred = model.predict(X_held.reshape(len(X_held), -1))
        print_row(name, y_held, pred, seconds)
    return 0


if __name__ == "__main__":
    sys.exit(main())
