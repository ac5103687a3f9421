"""The ``fer-features`` command line.

The command only parses arguments, calls the library and prints: everything it
does is reachable from Python. Each subcommand is a pair of functions, one that
declares its arguments (``_add_NAME``) and one that runs it (``_run_NAME``),
registered in ``_SUBCOMMANDS``.
"""

import argparse
import sys


def _add_datasets(subparsers):
    p = subparsers.add_parser(
        "datasets",
        help="list the data sets that can be loaded",
        description="List the data sets fer_features can load, and how to name them "
                    "with --data.",
    )
    return p


def _run_datasets(args):
    from .datasets import describe_datasets

    print(describe_datasets())
    return 0


def _add_eigenfaces(subparsers):
    p = subparsers.add_parser(
        "eigenfaces",
        help="fit eigenfaces and draw the mean face with the first eigenfaces",
        description="Fit eigenfaces (PCA of the face pixels) on a data set and write a "
                    "picture of the mean face and the first eigenfaces.",
    )
    p.add_argument("--data", default="synthetic",
                   help="'synthetic' (the built-in synthetic faces, the default), the path "
                        "of a FER2013 CSV, or the path of an image folder")
    p.add_argument("--n-components", type=int, default=50, metavar="K",
                   help="number of eigenfaces to fit (default: 50)")
    p.add_argument("--show", type=int, default=24, metavar="N",
                   help="number of eigenfaces to draw (default: 24)")
    p.add_argument("--out", default="eigenfaces.png",
                   help="picture to write; its extension sets the format "
                        "(default: eigenfaces.png)")
    return p


def _run_eigenfaces(args):
    from .datasets import load_dataset
    from .plotting import write_eigenfaces_plot

    data = load_dataset(args.data)
    disp = write_eigenfaces_plot(data.images, args.out, n_components=args.n_components,
                                 n_eigenfaces=args.show)
    ratio = disp.estimator_.explained_variance_ratio_
    print(f"{len(data.images)} faces of {data.images.shape[1]}x{data.images.shape[2]} "
          f"pixels; {len(ratio)} eigenfaces explain {100 * ratio.sum():.1f}% of the variance")
    print(f"wrote {disp.path_}")
    return 0


# name -> (add arguments, run); later work appends its subcommands here
_SUBCOMMANDS = {
    "datasets": (_add_datasets, _run_datasets),
    "eigenfaces": (_add_eigenfaces, _run_eigenfaces),
}


def build_parser():
    """Return the ``argparse`` parser of the ``fer-features`` command."""
    from . import __version__

    parser = argparse.ArgumentParser(
        prog="fer-features",
        description="Facial expression recognition baselines as scikit-learn estimators.",
    )
    parser.add_argument("--version", action="version",
                        version=f"fer-features {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (add, _) in _SUBCOMMANDS.items():
        add(subparsers)
    return parser


def main(argv=None):
    """Run the command line; return the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    _, run = _SUBCOMMANDS[args.command]
    try:
        return run(args)
    except (ValueError, FileNotFoundError) as exc:
        print(f"fer-features {args.command}: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
