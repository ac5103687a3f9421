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
                    "with --data; or, given one, load it and show its class counts.",
    )
    p.add_argument("data", nargs="?", default=None, metavar="DATA",
                   help="a data set to load and describe: 'synthetic', 'fer2013', the path "
                        "of a FER2013 CSV, or the path of an image folder")
    return p


def _run_datasets(args):
    from .datasets import describe_datasets

    print(describe_datasets(args.data))
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


def _add_list(subparsers):
    p = subparsers.add_parser(
        "list",
        help="list the estimators known by name",
        description="List every estimator the benchmark and the other commands know by "
                    "name, with a one-line description and whether it can run here. "
                    "Any union of features (e.g. lbp+hog+pixels-logreg) is accepted too.",
    )
    return p


def _run_list(args):
    from .registry import list_estimators

    infos = list_estimators()
    width = max(len(info.name) for info in infos)
    for info in infos:
        note = "" if info.available else f"  [unavailable: {info.reason}]"
        print(f"{info.name.ljust(width)}  {info.description}{note}")
    return 0


def _positive_int(text):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return value


def _add_benchmark(subparsers):
    p = subparsers.add_parser(
        "benchmark",
        help="train and compare estimators on the same data and splits",
        description="Train and score estimators on the same data and splits, write "
                    "results.csv, results.json, report.md and plots into --out, and print "
                    "the comparison table. Progress goes to stderr, the table to stdout. "
                    "With no arguments: the built-in synthetic faces, the default roster, "
                    "the quick profile. An existing --out folder is resumed: estimators "
                    "already scored with the same parameters, data and split are reused.",
    )
    p.add_argument("--data", default="synthetic",
                   help="'synthetic' (the built-in synthetic faces, the default), the path "
                        "of a FER2013 CSV, or the path of an image folder")
    p.add_argument("--train-usage", metavar="USAGE",
                   help="train on the rows of this usage (default: Training when the data "
                        "have usages)")
    p.add_argument("--test-usage", metavar="USAGE",
                   help="test on the rows of this usage (default: PublicTest when the data "
                        "have usages)")
    p.add_argument("--cv", type=_positive_int, metavar="K",
                   help="stratified K-fold cross-validation instead of a train/test split")
    p.add_argument("--estimators", metavar="A,B,...",
                   help="comma-separated estimator names (see `fer-features list`); "
                        "default: eigenfaces-svc,lbp-svc,hog-xgb,lbp-rf and cnn when the "
                        "[deep] extra is installed")
    p.add_argument("--profile", choices=["quick", "full"],
                   help="model sizes: quick (fewer trees, boosting rounds, CNN epochs) or "
                        "full; default: quick on synthetic data, full otherwise")
    p.add_argument("--out", default="fer_results", metavar="DIR",
                   help="folder for the results (default: fer_results); an existing one "
                        "is resumed")
    p.add_argument("--n-jobs", type=int, default=1, metavar="N",
                   help="threads and jobs inside each estimator (default: 1, which keeps "
                        "timings steady and avoids over-subscribed OpenMP threads on a "
                        "shared machine; -1: all cores)")
    p.add_argument("--max-per-class", type=_positive_int, metavar="N",
                   help="keep at most N training images per class")
    p.add_argument("--n-samples", type=_positive_int, metavar="N",
                   help="number of synthetic faces (only with --data synthetic; "
                        "default: 1400)")
    p.add_argument("--no-resume", action="store_true",
                   help="recompute every estimator even if --out holds its result")
    p.add_argument("--no-plots", action="store_true", help="do not draw the plots")
    p.add_argument("--seed", type=int, default=0,
                   help="seed of the folds, subsampling and bootstrap (default: 0)")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress lines")
    return p


def _run_benchmark(args):
    from .benchmark import default_roster, make_roster, run_benchmark

    synthetic = args.data.strip().lower() == "synthetic"
    if args.n_samples is not None and not synthetic:
        raise ValueError("--n-samples applies to --data synthetic only")
    if args.cv is not None and (args.train_usage or args.test_usage):
        raise ValueError("give either --cv or --train-usage/--test-usage, not both")
    if args.cv is not None and args.cv < 2:
        raise ValueError(f"--cv {args.cv}: cross-validation needs at least 2 folds")
    from .datasets import load_dataset

    if synthetic:
        n_samples = 1400 if args.n_samples is None else args.n_samples
        data = load_dataset("synthetic", n_samples=n_samples, random_state=args.seed)
    else:
        data = load_dataset(args.data)
    profile = args.profile or ("quick" if synthetic else "full")
    image_shape = tuple(data.images.shape[1:3]) if "images" in data else None
    verbose = 0 if args.quiet else 1
    if args.estimators:
        names = [n.strip() for n in args.estimators.split(",") if n.strip()]
        if not names:
            raise ValueError("--estimators names no estimator")
        roster = make_roster(names, profile=profile, image_shape=image_shape)
    else:
        roster = default_roster(profile=profile, image_shape=image_shape, verbose=verbose)
    usage = data.get("usage")
    has_usage = usage is not None
    if (args.train_usage or args.test_usage) and not has_usage:
        raise ValueError(f"--train-usage/--test-usage: the data ({args.data}) have no "
                         f"usages; use --cv K for cross-validation")
    if args.cv is not None:
        split = args.cv
    elif args.train_usage or args.test_usage or has_usage:
        split = (args.train_usage or "Training", args.test_usage or "PublicTest")
    else:
        from sklearn.model_selection import StratifiedShuffleSplit

        # no usages and no --cv: one stratified hold-out of a quarter of the images
        split = StratifiedShuffleSplit(n_splits=1, test_size=0.25, random_state=args.seed)
    if verbose:
        print(f"[benchmark] profile {profile}; data {args.data}", file=sys.stderr)
    result = run_benchmark(roster, data, split=split, max_per_class=args.max_per_class,
                           out_dir=args.out, resume=not args.no_resume, n_jobs=args.n_jobs,
                           random_state=args.seed, verbose=verbose,
                           plots=not args.no_plots)
    print(result.to_text())
    if result.failures:
        print(f"\n{len(result.failures)} estimator(s) failed: "
              f"{', '.join(result.failures)} (see {result.files['report.md']})")
    print(f"\nreport: {result.files['report.md']}")
    return 0


# name -> (add arguments, run); later work appends its subcommands here
_SUBCOMMANDS = {
    "datasets": (_add_datasets, _run_datasets),
    "eigenfaces": (_add_eigenfaces, _run_eigenfaces),
    "list": (_add_list, _run_list),
    "benchmark": (_add_benchmark, _run_benchmark),
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
