"""Screen settings of the recommended classic pipeline on the selection split (issue #16).

The split of ``classic_mirror.py`` (RESULTS.md's: a stratified 10% of FER2013
``Training``, seed 0, held out); the recipe is trained on the first ``--n``
faces of the rest, once as it is and once per ``--set`` (parameters of
``make_texture_pipeline()`` as ``name=value``, the value read as a Python
literal; several in one ``--set`` separated by ``;``). Prints held-out
accuracy, macro-F1 and fit seconds. Usage (from the project root)::

    python benchmarks/classic_screen.py [FER2013_CSV] [--n 8000]
        --set "features__lgbp__codes__n_orientations=8"
"""

import argparse
import ast
import sys
import time

from classic_mirror import load_selection_split, print_row


def parse_setting(text):
    params = {}
    for part in filter(None, (p.strip() for p in text.split(";"))):
        name, _, value = part.partition("=")
        params[name.strip()] = ast.literal_eval(value.strip())
    return params


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", nargs="?")
    parser.add_argument("--n", type=int, default=8000)
    parser.add_argument("--set", action="append", default=[], dest="settings")
    args = parser.parse_args(argv)
    faces, rest, held = load_selection_split(args.data, "classic_screen")

    from fer_features.pipelines import make_texture_pipeline

    first = rest[: args.n]
    print(f"trained on {len(first)} faces, scored on {len(held)} held out", flush=True)
    print("| setting | held-out accuracy | macro-F1 | fit s |")
    print("|---|---|---|---|")
    for text in ["", *args.settings]:
        model = make_texture_pipeline(random_state=0).set_params(**parse_setting(text))
        start = time.perf_counter()
        model.fit(faces.data[first], faces.target[first])
        seconds = time.perf_counter() - start
        pred = model.predict(faces.data[held])
        print_row(text or "the recipe", faces.target[held], pred, seconds)
    return 0


if __name__ == "__main__":
    sys.exit(main())
