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


# name -> (add arguments, run); later work appends its subcommands here
_SUBCOMMANDS = {
    "datasets": (_add_datasets, _run_datasets),
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
