"""The ``fer-features`` command line.

The command only parses arguments, calls the library and prints: everything it
does is reachable from Python. Each subcommand is a pair of functions, one that
declares its arguments (``_add_NAME``) and one that runs it (``_run_NAME``),
registered in ``_SUBCOMMANDS``.
"""

import argparse
import contextlib
import os
import sys

# TensorFlow's C++ start-up messages (cuInit errors without a GPU, absl and oneDNN
# notes) are hidden unless --verbose; set only where the user has not set them
_QUIET_ENVIRONMENT = {"TF_CPP_MIN_LOG_LEVEL": "3", "GRPC_VERBOSITY": "ERROR"}

# exit status of a run stopped by Ctrl-C (128 + SIGINT), as shells report it
EXIT_INTERRUPTED = 130


def _add_data_size(p):
    """``--max-per-class`` and ``--n-samples``: how much of the data a command uses."""
    p.add_argument(
        "--max-per-class",
        type=_positive_int,
        metavar="N",
        help="keep at most N training images per class",
    )
    p.add_argument(
        "--n-samples",
        type=_positive_int,
        metavar="N",
        help="number of synthetic faces (only with --data synthetic; default: 1400)",
    )


def _add_verbose(p):
    # SUPPRESS: a -v given before the subcommand is not reset by the subcommand's default
    p.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        default=argparse.SUPPRESS,
        help="show tracebacks and library start-up messages",
    )


def _add_skip_unreadable(p):
    p.add_argument(
        "--skip-unreadable",
        action="store_true",
        help="with an image folder: skip the images that cannot be read, with a "
        "warning naming them, instead of stopping at the first",
    )


def _add_datasets(subparsers):
    p = subparsers.add_parser(
        "datasets",
        help="list the data sets that can be loaded",
        description="List the data sets fer_features can load, and how to name them "
        "with --data; or, given one, load it and show its class counts.",
    )
    p.add_argument(
        "data",
        nargs="?",
        default=None,
        metavar="DATA",
        help="a data set to load and describe: 'synthetic', 'fer2013', the path "
        "of a FER2013 CSV, or the path of an image folder",
    )
    _add_skip_unreadable(p)
    return p


def _run_datasets(args):
    from .datasets import describe_datasets

    options = {"skip_unreadable": True} if args.skip_unreadable else {}
    print(describe_datasets(args.data, **options))
    return 0


def _add_eigenfaces(subparsers):
    p = subparsers.add_parser(
        "eigenfaces",
        help="fit eigenfaces and draw the mean face with the first eigenfaces",
        description="Fit eigenfaces (PCA of the face pixels) on a data set and write a "
        "picture of the mean face and the first eigenfaces.",
    )
    p.add_argument(
        "--data",
        default="synthetic",
        help="'synthetic' (the built-in synthetic faces, the default), the path "
        "of a FER2013 CSV, or the path of an image folder",
    )
    p.add_argument(
        "--n-components",
        type=int,
        default=50,
        metavar="K",
        help="number of eigenfaces to fit (default: 50)",
    )
    p.add_argument(
        "--show",
        type=int,
        default=24,
        metavar="N",
        help="number of eigenfaces to draw (default: 24)",
    )
    p.add_argument(
        "--out",
        default="eigenfaces.png",
        help="picture to write; its extension sets the format; a folder "
        "(an existing one, or a name ending in /) gets eigenfaces.png "
        "(default: eigenfaces.png)",
    )
    p.add_argument(
        "--random-state",
        type=int,
        default=0,
        metavar="SEED",
        help="seed of the synthetic faces and of the randomized PCA (default: 0)",
    )
    _add_verbose(p)
    _add_skip_unreadable(p)
    return p


def _run_eigenfaces(args):
    from .datasets import load_dataset
    from .plotting import picture_path, write_eigenfaces_plot

    path = picture_path(args.out, "eigenfaces.png")  # refuse a bad --out before any work
    if args.data.strip().lower() == "synthetic":
        data = load_dataset(
            "synthetic", random_state=args.random_state, skip_unreadable=args.skip_unreadable
        )
    else:
        data = load_dataset(args.data, skip_unreadable=args.skip_unreadable)
    disp = write_eigenfaces_plot(
        data.images,
        path,
        n_components=args.n_components,
        n_eigenfaces=args.show,
        random_state=args.random_state,
    )
    ratio = disp.estimator_.explained_variance_ratio_
    print(
        f"{len(data.images)} faces of {data.images.shape[1]}x{data.images.shape[2]} "
        f"pixels; {len(ratio)} eigenfaces explain {100 * ratio.sum():.1f}% of the variance"
    )
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
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
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
        "already scored with the same parameters, data and split are reused; "
        "results of other data, split or parameters there are never replaced "
        "without --overwrite. Ctrl-C writes what finished and exits 130.",
    )
    p.add_argument(
        "--data",
        default="synthetic",
        help="'synthetic' (the built-in synthetic faces, the default), the path "
        "of a FER2013 CSV, or the path of an image folder",
    )
    p.add_argument(
        "--train-usage",
        metavar="USAGE",
        help="train on the rows of this usage (default: Training when the data have usages)",
    )
    p.add_argument(
        "--test-usage",
        metavar="USAGE",
        help="test on the rows of this usage (default: PublicTest when the data have usages)",
    )
    p.add_argument(
        "--cv",
        type=_positive_int,
        metavar="K",
        help="stratified K-fold cross-validation instead of a train/test split",
    )
    p.add_argument(
        "--split",
        choices=["subject", "random"],
        default="subject",
        help="subject (the default): when the data say who each face is (CK+ or "
        "JAFFE file names, the synthetic faces), --cv folds and the hold-out keep "
        "every subject on one side, so the scores measure the expression, not the "
        "person; random: split the images regardless of subjects (warns)",
    )
    p.add_argument(
        "--drop-test-duplicates",
        action="store_true",
        help="remove the test images that duplicate a training image before scoring "
        "(the report always says how many there are; kept by default, so that "
        "FER2013 scores stay comparable with published ones)",
    )
    p.add_argument(
        "--estimators",
        metavar="A,B,...",
        help="comma-separated estimator names (see `fer-features list`); "
        "default: eigenfaces-svc,lbp-svc,hog-xgb,lbp-rf and cnn when the "
        "[deep] extra is installed",
    )
    p.add_argument(
        "--profile",
        choices=["quick", "full"],
        help="model sizes: quick (fewer trees, boosting rounds, CNN epochs) or "
        "full; default: quick on synthetic data, full otherwise",
    )
    p.add_argument(
        "--out",
        default="fer_results",
        metavar="DIR",
        help="folder for the results (default: fer_results), checked before "
        "any work; an existing one is resumed",
    )
    p.add_argument(
        "--n-jobs",
        type=int,
        default=1,
        metavar="N",
        help="threads and jobs inside each estimator (default: 1, which keeps "
        "timings steady and avoids over-subscribed OpenMP threads on a "
        "shared machine; -1: all cores)",
    )
    _add_data_size(p)
    p.add_argument(
        "--no-resume",
        action="store_true",
        help="recompute every estimator even if --out holds its result",
    )
    p.add_argument(
        "--overwrite",
        action="store_true",
        help="replace results in --out of other data, split, parameters or "
        "library version (without it the run refuses to touch them)",
    )
    p.add_argument("--no-plots", action="store_true", help="do not draw the plots")
    p.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="run the estimator-fold fits in parallel on a Dask cluster: the "
        "address of its scheduler (tcp://host:8786), or local[:N] for N worker "
        "processes on this machine (default 2, one thread each); needs the "
        "[dask] extra. The results folder is written by this process only",
    )
    p.add_argument(
        "--seed",
        type=int,
        default=0,
        help="seed of the folds, subsampling and bootstrap (default: 0)",
    )
    p.add_argument("-q", "--quiet", action="store_true", help="no progress lines")
    _add_verbose(p)
    _add_skip_unreadable(p)
    return p


def _enter_scheduler(stack, scheduler, verbose):
    """Send the benchmark's fits to the Dask cluster of ``--scheduler`` until ``stack`` closes."""
    from .benchmark import dask_cluster

    client = stack.enter_context(dask_cluster(scheduler))
    if verbose:
        n = len(client.scheduler_info(n_workers=-1)["workers"])
        print(
            f"[benchmark] fits on the Dask cluster at {client.scheduler.address} "
            f"({n} worker{'s' if n != 1 else ''}; dashboard {client.dashboard_link})",
            file=sys.stderr,
        )


def _run_benchmark(args):
    from .benchmark import (
        BenchmarkInterrupted,
        check_out_dir,
        default_roster,
        make_roster,
        run_benchmark,
    )

    check_out_dir(args.out)  # a bad --out is reported before any work
    if args.scheduler is not None:
        from .benchmark import check_scheduler

        check_scheduler(args.scheduler)  # so is a bad --scheduler, or no Dask
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
        data = load_dataset(
            "synthetic",
            n_samples=n_samples,
            random_state=args.seed,
            skip_unreadable=args.skip_unreadable,
        )
    else:
        data = load_dataset(args.data, skip_unreadable=args.skip_unreadable)
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
        raise ValueError(
            f"--train-usage/--test-usage: the data ({args.data}) have no "
            f"usages; use --cv K for cross-validation"
        )
    if args.cv is not None:
        split = args.cv
    elif args.train_usage or args.test_usage or has_usage:
        split = (args.train_usage or "Training", args.test_usage or "PublicTest")
    else:
        split = 0.25  # no usages and no --cv: one stratified hold-out of a quarter of the images
    if verbose:
        print(f"[benchmark] profile {profile}; data {args.data}", file=sys.stderr)
    if "cnn" in roster and not args.verbose:
        import_tensorflow_quietly()
    cluster = contextlib.ExitStack()
    if args.scheduler is not None:
        _enter_scheduler(cluster, args.scheduler, verbose)
    try:
        result = run_benchmark(
            roster,
            data,
            split=split,
            grouped=args.split == "subject",
            drop_test_duplicates=args.drop_test_duplicates,
            max_per_class=args.max_per_class,
            out_dir=args.out,
            resume=not args.no_resume,
            overwrite=args.overwrite,
            n_jobs=args.n_jobs,
            random_state=args.seed,
            verbose=verbose,
            plots=not args.no_plots,
        )
    except BenchmarkInterrupted as stop:
        result = stop.result
        print(result.to_text())
        print(
            f"\ninterrupted during {result.meta['interrupted']}; what finished is in "
            f"{result.files['report.md']}; run the same command again to resume"
        )
        return EXIT_INTERRUPTED
    finally:
        cluster.close()
    print(result.to_text())
    failed = [n for n, r in zip(result.table["estimator"], result.table["status"]) if r == "failed"]
    if failed:
        print(
            f"\n{len(failed)} estimator(s) failed: "
            f"{', '.join(failed)} (see {result.files['report.md']})"
        )
    print(f"\nreport: {result.files['report.md']}")
    return 0


def _add_train(subparsers):
    p = subparsers.add_parser(
        "train",
        help="train one estimator and write it to a model file",
        description="Fit one estimator on the data's training rows (FER2013: Training; "
        "an image folder or the synthetic faces: all of them), print its "
        "accuracy and macro-F1 on the test rows when the data have them "
        "(FER2013: PublicTest), and write it with save_model to a model "
        "file that loads without running untrusted code (load it with "
        "fer_features.load_model). Progress goes to stderr.",
    )
    p.add_argument(
        "--data",
        default="synthetic",
        help="'synthetic' (the built-in synthetic faces, the default), the path "
        "of a FER2013 CSV, or the path of an image folder",
    )
    p.add_argument(
        "--estimator",
        required=True,
        metavar="NAME",
        help="the estimator's name (see `fer-features list`), e.g. classic, hog-logreg, cnn",
    )
    p.add_argument(
        "--profile",
        choices=["quick", "full"],
        help="model size: quick or full; default: quick on synthetic data, full otherwise",
    )
    p.add_argument(
        "--out",
        default="model.skops",
        metavar="MODEL",
        help="model file to write, checked before training (default: "
        "model.skops); an existing file is replaced",
    )
    p.add_argument(
        "--train-usage",
        metavar="USAGE",
        help="train on the rows of this usage (default: Training when the data have usages)",
    )
    p.add_argument(
        "--test-usage",
        metavar="USAGE",
        help="score on the rows of this usage (default: PublicTest when the data have it)",
    )
    _add_data_size(p)
    p.add_argument(
        "--seed",
        type=int,
        default=0,
        help="seed of the synthetic faces, the subsampling and the estimator (default: 0)",
    )
    p.add_argument("-q", "--quiet", action="store_true", help="no progress lines")
    _add_verbose(p)
    _add_skip_unreadable(p)
    return p


def _check_model_out(out):
    """Refuse an ``--out`` that cannot be written, before any training."""
    import tempfile
    from pathlib import Path

    path = Path(out)
    if path.is_dir() or str(out).endswith(("/", os.sep)):
        raise ValueError(
            f"--out {out}: is a folder; give the model file's name, e.g. {path / 'model.skops'}"
        )
    folder = path.parent
    if not folder.is_dir():
        raise ValueError(f"--out {out}: the folder {folder} does not exist")
    try:
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".fer-features-check-"):
            pass
    except OSError as exc:
        raise ValueError(f"--out {out}: cannot write in {folder} ({exc.strerror or exc})") from None
    return path


def _run_train(args):
    from pathlib import Path

    from . import make_estimator
    from .models import model_info, save_model, train_model

    out = _check_model_out(args.out)
    synthetic = args.data.strip().lower() == "synthetic"
    if args.n_samples is not None and not synthetic:
        raise ValueError("--n-samples applies to --data synthetic only")
    from .datasets import load_dataset

    profile = args.profile or ("quick" if synthetic else "full")
    make_estimator(args.estimator, profile=profile)  # a bad name fails before loading
    verbose = 0 if args.quiet else 1
    if verbose:
        print(f"[train] loading {args.data}", file=sys.stderr, flush=True)
    if synthetic:
        n_samples = 1400 if args.n_samples is None else args.n_samples
        data = load_dataset(
            "synthetic",
            n_samples=n_samples,
            random_state=args.seed,
            skip_unreadable=args.skip_unreadable,
        )
    else:
        data = load_dataset(args.data, skip_unreadable=args.skip_unreadable)
    image_shape = tuple(data.images.shape[1:3])
    estimator = make_estimator(
        args.estimator, profile=profile, image_shape=image_shape, random_state=args.seed
    )
    if args.estimator == "cnn" and not args.verbose:
        import_tensorflow_quietly()
    estimator, metadata = train_model(
        estimator,
        data,
        train_usage=args.train_usage,
        test_usage=args.test_usage,
        max_per_class=args.max_per_class,
        random_state=args.seed,
        name=args.estimator,
        verbose=verbose,
    )
    metadata = {
        "estimator_name": args.estimator,
        "profile": profile,
        "data_source": "synthetic" if synthetic else Path(args.data).name,
        **metadata,
    }
    save_model(estimator, out, metadata=metadata)
    if "accuracy" in metadata:
        print(
            f"{args.estimator}: accuracy {metadata['accuracy']:.4f}, macro-F1 "
            f"{metadata['macro_f1']:.4f} on {metadata['n_test']} "
            f"{metadata['test_usage']} images (trained on {metadata['n_train']})"
        )
    else:
        print(
            f"{args.estimator}: trained on {metadata['n_train']} images (the data "
            f"have no test rows to score it on)"
        )
    size = out.stat().st_size
    untrusted = model_info(out)["untrusted"]
    print(
        f"wrote {out} ({size / 1024:.0f} KiB); load it with "
        f"fer_features.load_model({str(out)!r}"
        + (f", trusted={untrusted!r})" if untrusted else ")")
    )
    return 0


def _add_predict(subparsers):
    p = subparsers.add_parser(
        "predict",
        help="recognise the expression of every face in photos and videos",
        description="Find every face in each photo or video and classify its expression "
        "with a model file (--model, loaded without running untrusted code) "
        "or the pretrained CNN. A photo gets a table of its faces: box, "
        "detector score, expression and the probability of each; a video "
        "gets one line per tracked face. An input that is not a photo or a "
        "video, or that fails, gets one line on stderr and the others go on; "
        "the exit status is then 1 (2 when nothing could start, e.g. a bad "
        "model file).",
    )
    p.add_argument(
        "inputs",
        nargs="+",
        metavar="INPUT",
        help="photos (any picture Pillow reads) and videos (a video extension "
        "such as .mp4, or any file FFmpeg reads as video; needs the "
        "'video' extra)",
    )
    p.add_argument(
        "--model",
        metavar="MODEL",
        help="a model file written by `fer-features train` or save_model "
        "(default: the pretrained CNN, which needs the 'deep' extra)",
    )
    p.add_argument(
        "--out",
        metavar="PATH",
        help="with one input: for a photo, the annotated picture (its extension "
        "sets the format); for a video, the timeline (.csv or .json) or the "
        "annotated video (.mp4, .mkv, .mov, .avi). With several inputs, or "
        "an existing folder or a name ending in /: a folder (created if "
        "missing) that gets STEM_faces.png for each photo and "
        "STEM_faces.csv for each video",
    )
    p.add_argument(
        "--json",
        action="store_true",
        help="print one JSON list, an object per input, instead of the tables",
    )
    p.add_argument(
        "--every",
        type=_positive_int,
        default=1,
        metavar="N",
        help="in videos, recognise every N-th frame (default: 1, all)",
    )
    _add_verbose(p)
    return p


_PICTURE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff", ".webp")
_VIDEO_OUT_EXTENSIONS = (".mp4", ".mkv", ".mov", ".avi")
_EMOJI = {
    "angry": "\U0001f620",
    "disgust": "\U0001f922",
    "fear": "\U0001f628",
    "happy": "\U0001f600",
    "sad": "\U0001f622",
    "surprise": "\U0001f62e",
    "neutral": "\U0001f610",
}


def _load_predict_model(args):
    """The model of ``--model`` (safe loading), or the pretrained one."""
    from .models import load_model, load_pretrained, model_info, pretrained_path

    if args.model is not None:
        if not args.verbose and "keras" in model_info(args.model).get("versions", {}):
            import_tensorflow_quietly()
        return load_model(args.model)
    if not args.verbose and pretrained_path().is_file():
        import_tensorflow_quietly()
    try:
        return load_pretrained()
    except FileNotFoundError as exc:
        raise ValueError(f"{exc.strerror}; give a model file with --model MODEL") from None


def _predict_out_paths(inputs, out):
    """``--out`` for each input: ``(folder or None, {input: path or None})``."""
    from pathlib import Path

    if out is None:
        return None, {}
    folder_like = len(inputs) > 1 or Path(out).is_dir() or str(out).endswith(("/", os.sep))
    if not folder_like:
        path = Path(out)
        if not path.parent.is_dir():
            raise ValueError(f"--out {out}: the folder {path.parent} does not exist")
        return None, {inputs[0]: path}
    folder = Path(out)
    if folder.exists() and not folder.is_dir():
        raise ValueError(f"--out {out}: with several inputs --out is a folder, and {out} is a file")
    paths, seen = {}, {}
    for name in inputs:
        stem = Path(name).stem
        if stem in seen and seen[stem] != name:
            raise ValueError(
                f"--out {out}: {seen[stem]} and {name} would both write "
                f"{stem}_faces.*; rename one or run them separately"
            )
        seen[stem] = name
        paths[name] = folder / stem  # the extension follows the input's kind
    return folder, paths


def _emoji(name, stream):
    emoji = _EMOJI.get(name)
    if emoji is None:
        return ""
    try:
        emoji.encode(stream.encoding or "ascii")
    except (UnicodeEncodeError, LookupError):
        return ""
    return emoji + " "


def _photo_table(prediction, stream):
    names = prediction.class_names
    faces = prediction.faces
    lines = [f"{prediction.input}: {len(faces)} face{'s' if len(faces) != 1 else ''}"]
    if not faces:
        return lines
    rows = [["face", "box (x, y, w, h)", "score", "expression", *names]]
    for k, face in enumerate(faces, 1):
        rows.append(
            [
                str(k),
                ", ".join(str(v) for v in face.box),
                f"{face.score:g}",
                _emoji(face.expression, stream) + face.expression,
                *(f"{face.probabilities[n]:.3f}" for n in names),
            ]
        )
    return lines + _format_rows(rows, n_left=4)


def _video_table(prediction, stream):
    table = prediction.timeline
    names = prediction.class_names
    ids = sorted(set(table["face_id"].tolist()))
    every = prediction.every
    lines = [
        (
            f"{prediction.input}: video, {table['frame'].nunique()} frames with faces "
            f"(every {'frame' if every == 1 else f'{every}th frame'} recognised), "
            f"{len(ids)} face{'s' if len(ids) != 1 else ''} tracked"
        )
    ]
    if not ids:
        return lines
    rows = [["face_id", "frames", "time (s)", "expression", *(f"mean {n}" for n in names)]]
    for face_id in ids:
        rows_of = table[table["face_id"] == face_id]
        mean = rows_of[names].mean()
        top = mean.idxmax()
        rows.append(
            [
                str(face_id),
                str(len(rows_of)),
                f"{rows_of['time'].min():.2f}-{rows_of['time'].max():.2f}",
                _emoji(top, stream) + top,
                *(f"{mean[n]:.3f}" for n in names),
            ]
        )
    return lines + _format_rows(rows, n_left=4)


def _format_rows(rows, n_left):
    """Columns padded to their widest cell; the first ``n_left`` left-aligned."""
    import unicodedata

    def width(text):  # emoji take two columns
        return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)

    widths = [max(width(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for row in rows:
        cells = [
            cell + " " * (w - width(cell)) if i < n_left else " " * (w - width(cell)) + cell
            for i, (cell, w) in enumerate(zip(row, widths))
        ]
        lines.append("  " + "  ".join(cells).rstrip())
    return lines


def _write_prediction(prediction, recognizer, path, folder):
    """Write what ``--out`` asks for one input; return the path written."""
    import json

    from .faces import write_annotated_video

    if folder is not None:
        folder.mkdir(parents=True, exist_ok=True)
        path = path.with_name(
            path.name + ("_faces.png" if prediction.kind == "photo" else "_faces.csv")
        )
    suffix = path.suffix.lower()
    if prediction.kind == "photo":
        if suffix not in _PICTURE_EXTENSIONS:
            raise ValueError(
                f"--out {path}: {prediction.input} is a photo; give a picture "
                f"name ({', '.join(_PICTURE_EXTENSIONS)})"
            )
        recognizer.annotate(prediction.input, prediction.faces).save(path)
    elif suffix == ".csv":
        prediction.timeline.to_csv(path, index=False)
    elif suffix == ".json":
        path.write_text(json.dumps(prediction.to_dict(), indent=2) + "\n")
    elif suffix in _VIDEO_OUT_EXTENSIONS:
        write_annotated_video(prediction, recognizer, path)
    else:
        raise ValueError(
            f"--out {path}: {prediction.input} is a video; give a timeline "
            f"(.csv, .json) or a video ({', '.join(_VIDEO_OUT_EXTENSIONS)})"
        )
    return path


def _one_line(exc):
    """An exception's message on one line, without OSError's ``[Errno N]``."""
    if isinstance(exc, OSError) and exc.strerror:
        message = exc.strerror
        if exc.filename is not None and str(exc.filename) not in message:
            message += f": {exc.filename}"
    else:
        message = str(exc)
    return " ".join(message.split()) or type(exc).__name__


def _run_predict(args):
    import json

    from .faces import ExpressionRecognizer, predict_file

    folder, out_paths = _predict_out_paths(args.inputs, args.out)
    recognizer = ExpressionRecognizer(_load_predict_model(args))
    results, failed, first = [], 0, True
    for name in args.inputs:
        try:
            prediction = predict_file(name, recognizer, every=args.every)
            written = None
            if name in out_paths:
                written = _write_prediction(prediction, recognizer, out_paths[name], folder)
        except (ValueError, OSError, ImportError) as exc:
            if args.verbose:
                raise
            failed += 1
            message = _one_line(exc)
            where = "" if name in message else f"{name}: "
            print(f"fer-features predict: {where}{message}", file=sys.stderr, flush=True)
            results.append({"input": name, "error": message})
            continue
        results.append(prediction.to_dict())
        if not args.json:
            table = (_photo_table if prediction.kind == "photo" else _video_table)(
                prediction, sys.stdout
            )
            print(("" if first else "\n") + "\n".join(table))
            first = False
        if written is not None:
            print(f"wrote {written}", file=sys.stderr if args.json else sys.stdout)
    if args.json:
        print(json.dumps(results, indent=2, ensure_ascii=False))
    return 1 if failed else 0


def _add_clean(subparsers):
    p = subparsers.add_parser(
        "clean",
        help="find duplicate, near-duplicate, conflicting and blank images",
        description="Find the exact and near duplicates of a data set (perceptual hash, "
        "confirmed by pixel correlation), the groups whose labels disagree, the blank "
        "images and, for FER2013, the test rows that duplicate Training rows; print "
        "the counts, and on request write a JSON report and a cleaned copy.",
    )
    p.add_argument(
        "data",
        metavar="DATA",
        help="the path of a FER2013 CSV (.csv or .csv.gz) or of an image folder "
        "(one sub-folder per class)",
    )
    p.add_argument(
        "--report", metavar="JSON", default=None, help="write the full report (JSON) here"
    )
    p.add_argument(
        "--out",
        default=None,
        help="write the rows kept here, in the input's format: a FER2013 CSV "
        "(gzipped when the name ends in .gz), or for an image folder a new folder "
        "tree holding copies of the kept images",
    )
    p.add_argument(
        "--max-distance",
        type=int,
        default=10,
        metavar="N",
        help="largest Hamming distance (bits of 64) between the perceptual hashes "
        "of near duplicates (default: 10)",
    )
    p.add_argument(
        "--method",
        choices=("phash", "exact"),
        default="phash",
        help="'exact': byte-equal images only; 'phash' (default): near duplicates too",
    )
    p.add_argument(
        "--keep-duplicates",
        action="store_true",
        help="with --out: keep every copy (drop only conflicts, blanks and test "
        "rows seen in training)",
    )
    _add_verbose(p)
    _add_skip_unreadable(p)
    return p


def _run_clean(args):
    import json

    from .cleaning import check_cleaned_out, find_dataset_duplicates, write_cleaned
    from .datasets import load_dataset

    if args.out is not None:  # refuse a bad --out before any work
        if not os.path.exists(args.data):
            raise FileNotFoundError(f"no such file or folder: {args.data!r}")
        check_cleaned_out(args.data, args.out)
    data = load_dataset(args.data, skip_unreadable=args.skip_unreadable)
    report = find_dataset_duplicates(data, method=args.method, max_distance=args.max_distance)
    counts = report.summary()
    width = max(len(k) for k in counts)
    for key, value in counts.items():
        print(f"{key.ljust(width)}  {value}")
    if args.report is not None:
        content = report.to_dict()
        content["data"] = os.fspath(args.data)
        with open(args.report, "w") as f:
            json.dump(content, f, indent=1)
        print(f"wrote {args.report}")
    if args.out is not None:
        keep = report.keep_mask(drop_duplicates=not args.keep_duplicates)
        n = write_cleaned(args.data, args.out, keep, filenames=data.get("filenames"))
        print(f"wrote {args.out} ({n} of {len(keep)} images)")
    return 0


# name -> (add arguments, run); later work appends its subcommands here
_SUBCOMMANDS = {
    "datasets": (_add_datasets, _run_datasets),
    "eigenfaces": (_add_eigenfaces, _run_eigenfaces),
    "list": (_add_list, _run_list),
    "benchmark": (_add_benchmark, _run_benchmark),
    "train": (_add_train, _run_train),
    "predict": (_add_predict, _run_predict),
    "clean": (_add_clean, _run_clean),
}


def build_parser():
    """Return the ``argparse`` parser of the ``fer-features`` command."""
    from . import __version__

    parser = argparse.ArgumentParser(
        prog="fer-features",
        description="Facial expression recognition baselines as scikit-learn estimators.",
    )
    parser.add_argument("--version", action="version", version=f"fer-features {__version__}")
    parser.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        help="show tracebacks and library start-up messages (TensorFlow's)",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for add, _ in _SUBCOMMANDS.values():
        add(subparsers)
    return parser


def quiet_environment(environ=None):
    """Hide TensorFlow's C++ start-up messages, unless the user set these variables.

    Must run before TensorFlow is imported; returns the variables it set.
    """
    environ = os.environ if environ is None else environ
    added = {k: v for k, v in _QUIET_ENVIRONMENT.items() if k not in environ}
    environ.update(added)
    return added


def import_tensorflow_quietly():
    """Import Keras (and TensorFlow) with the C++ stderr muted.

    TensorFlow prints some start-up lines (``Could not find cuda drivers``,
    ``All log messages before absl::InitializeLog()``) before it reads
    ``TF_CPP_MIN_LOG_LEVEL``; they go to the process's stderr file, which is
    muted for the import only. An import error is left for the estimator that
    needs Keras to report.
    """
    import tempfile

    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError):  # pragma: no cover - no real stderr
        saved = None
    captured = tempfile.TemporaryFile()
    try:
        if saved is not None:
            os.dup2(captured.fileno(), 2)
        try:
            import keras  # noqa: F401
        except Exception:  # noqa: BLE001 - reported when the CNN is built
            return False
        return True
    finally:
        if saved is not None:
            os.dup2(saved, 2)
            os.close(saved)
        captured.close()


def main(argv=None):
    """Run the command line; return the exit code.

    An expected failure (bad argument, unreadable or unwritable file, missing
    extra) prints one line ``fer-features COMMAND: error: ...`` and returns 2;
    ``--verbose`` shows its traceback instead. Ctrl-C returns 130.
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    if not args.verbose:
        quiet_environment()
    _, run = _SUBCOMMANDS[args.command]
    try:
        return run(args)
    except (ValueError, OSError, ImportError) as exc:
        if args.verbose:
            raise
        message = " ".join(str(exc).split()) or type(exc).__name__
        if (
            isinstance(exc, OSError)
            and exc.filename is not None
            and str(exc.filename) not in message
        ):
            message += f": {exc.filename}"
        print(f"fer-features {args.command}: error: {message}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        if args.verbose:
            raise
        print(f"fer-features {args.command}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


def console_main():
    """The ``fer-features`` program: :func:`main` in a process of its own.

    The process is the command's, so it sets glibc's ``malloc`` to keep freed
    memory (:mod:`fer_features._malloc`: CNN training on the CPU about twice as
    fast) before running :func:`main`, which changes no process-wide setting.
    """
    from ._malloc import keep_freed_memory

    keep_freed_memory()
    sys.exit(main())


if __name__ == "__main__":  # pragma: no cover
    console_main()
