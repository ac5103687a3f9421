"""One entry point for every data source, and the text of ``fer-features datasets``."""

import inspect
import os
from pathlib import Path

from ._fer2013 import load_fer2013
from ._folder import load_image_folder
from ._synthetic import make_synthetic_faces
from ._vocabulary import DATASET_CODES, EXPRESSIONS

__all__ = ["load_dataset", "describe_datasets", "FER2013_ENV"]

#: Environment variable naming the FER2013 file that ``load_dataset("fer2013")`` loads.
FER2013_ENV = "FER_FEATURES_FER2013"

_CSV_SUFFIXES = (".csv", ".csv.gz", ".gz", ".txt")


def _call(loader, what, args, kwargs):
    accepted = inspect.signature(loader).parameters
    unknown = [k for k in kwargs if k not in accepted]
    if unknown:
        options = ", ".join(
            k for k, p in accepted.items() if p.kind == p.KEYWORD_ONLY or (p.default is not p.empty)
        )
        raise ValueError(
            f"{', '.join(u + '=' for u in unknown)} does not apply to {what} "
            f"({loader.__name__} takes {options})"
        )
    return loader(*args, **kwargs)


def load_dataset(spec, *, skip_unreadable=False, **kwargs):
    """Load a data set named by a string: the entry point of the benchmark and CLI.

    Parameters
    ----------
    spec : str or path-like
        ``"synthetic"``: the built-in synthetic faces
        (:func:`make_synthetic_faces`). ``"fer2013"``: the FER2013 file named by
        the environment variable ``FER_FEATURES_FER2013``. A path to a FER2013
        CSV (``.csv`` or ``.csv.gz``; :func:`load_fer2013`) or to a folder of
        images with one sub-folder per class (:func:`load_image_folder`).
    skip_unreadable : bool, default=False
        For a folder of images: skip the images that cannot be read instead of
        raising, with one warning giving their count and first names (they
        are all in the ``skipped`` field of the result): ``errors="warn"`` of
        :func:`load_image_folder`. The ``--skip-unreadable`` option of the
        command line. Other data sets have no image files to skip: there it is
        an error.
    **kwargs
        Passed to the loader, e.g. ``n_samples=700`` for ``"synthetic"``,
        ``usage="Training"`` for a CSV, ``image_size=(64, 64)`` for a folder.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch` or tuple
        What the loader returns.

    Raises
    ------
    ValueError
        If ``spec`` names nothing loadable, or a keyword (``skip_unreadable``
        included) does not apply to it.
    FileNotFoundError
        If ``spec`` looks like a path but nothing is there.

    See Also
    --------
    describe_datasets : what can be loaded, as text.

    Examples
    --------
    >>> from fer_features.datasets import load_dataset
    >>> faces = load_dataset("synthetic", n_samples=21, random_state=0)
    >>> faces.data.shape, faces.target_names[:3]
    ((21, 2304), ['angry', 'disgust', 'fear'])
    """
    if skip_unreadable and not (isinstance(spec, (str, os.PathLike)) and Path(spec).is_dir()):
        shown = os.fspath(spec) if isinstance(spec, (str, os.PathLike)) else spec
        raise ValueError(
            f"skip_unreadable (--skip-unreadable) applies to folders of images; "
            f"{shown!r} is not one (a FER2013 CSV has no image "
            f"files to skip: a bad row is an error)"
        )
    if isinstance(spec, str) and spec.strip().lower() == "synthetic":
        return _call(make_synthetic_faces, "'synthetic'", (), kwargs)
    if isinstance(spec, str) and spec.strip().lower() == "fer2013":
        path = os.environ.get(FER2013_ENV)
        if not path:
            raise ValueError(
                f"'fer2013' names the file given by the environment variable "
                f"{FER2013_ENV}, which is not set: set it, or give the path "
                f"of the FER2013 CSV"
            )
        return _call(load_fer2013, f"the FER2013 CSV {path!r}", (path,), kwargs)
    if not isinstance(spec, (str, os.PathLike)):
        raise ValueError(f"data set must be 'synthetic', 'fer2013' or a path, got {spec!r}")
    path = Path(spec)
    if path.is_dir():
        if skip_unreadable:
            if kwargs.get("errors", "warn") == "raise":
                raise ValueError(
                    "skip_unreadable=True and errors='raise' contradict "
                    "each other: give one of them"
                )
            kwargs.setdefault("errors", "warn")
        return _call(load_image_folder, f"the image folder {os.fspath(spec)!r}", (path,), kwargs)
    name = path.name.lower()
    if path.is_file():
        if name.endswith(_CSV_SUFFIXES):
            return _call(load_fer2013, f"the CSV {os.fspath(spec)!r}", (path,), kwargs)
        raise ValueError(
            f"{os.fspath(spec)!r} is a file but not a CSV (.csv or .csv.gz): "
            f"give a FER2013 CSV, or a folder of images with one sub-folder "
            f"per class"
        )
    if name.endswith(_CSV_SUFFIXES) or os.sep in str(spec) or "/" in str(spec):
        raise FileNotFoundError(f"no such file or folder: {os.fspath(spec)!r}")
    raise ValueError(
        f"unknown data set {os.fspath(spec)!r}: give 'synthetic', 'fer2013' "
        f"(with {FER2013_ENV} set), the path of a FER2013 CSV, or the path of "
        f"a folder of images with one sub-folder per class"
    )


def describe_datasets(spec=None, **kwargs):
    """Describe what can be loaded, or one data set.

    Parameters
    ----------
    spec : str or path-like, default=None
        Without it, the text printed by ``fer-features datasets``: the data
        sources :func:`load_dataset` accepts and the expression vocabulary. With
        it, the data set is loaded and its description (class counts) returned.
    **kwargs
        With ``spec``: passed to :func:`load_dataset` (e.g.
        ``skip_unreadable=True``).

    Returns
    -------
    text : str

    Examples
    --------
    >>> from fer_features.datasets import describe_datasets
    >>> print(describe_datasets().splitlines()[0])
    Data sets fer_features can load (name them with --data, or load_dataset(...)):
    """
    if spec is not None:
        return load_dataset(spec, **kwargs).DESCR
    if kwargs:
        raise ValueError(f"{', '.join(k + '=' for k in kwargs)} needs a data set to load")
    env = os.environ.get(FER2013_ENV)
    env_line = f"{FER2013_ENV} is set to {env!r}" if env else f"{FER2013_ENV} is not set"
    ck = ", ".join(f"{c}={n}" for c, n in DATASET_CODES["ck+"].items())
    jaffe = ", ".join(f"{c}={n}" for c, n in DATASET_CODES["jaffe"].items())
    return f"""\
Data sets fer_features can load (name them with --data, or load_dataset(...)):

  synthetic     built-in synthetic faces, no download: make_synthetic_faces(n_samples=1400,
                n_classes=7, image_size=48, noise=0.06, random_state=None). Procedurally
                drawn grey faces whose expression is carried by brows, eyes and mouth,
                with random identity, pose, scale, position, lighting and noise.
  fer2013       the FER2013 CSV named by the environment variable {FER2013_ENV}
                ({env_line}).
  PATH.csv[.gz] a FER2013 CSV: load_fer2013(path, usage=None, classes=None). Header
                emotion,pixels,Usage in any order and spacing (icml_face_data.csv),
                Usage optional (Kaggle train.csv); 2304 grey values per row; labels
                0..6; plain or gzip. usage= selects Training / PublicTest / PrivateTest.
  FOLDER/       images, one sub-folder per class (CK+, JAFFE, scraped sets):
                load_image_folder(root, image_size=(48, 48), classes=None,
                errors="raise", subject_pattern="auto"). Reads PNG, JPEG, BMP,
                TIFF (palette and 16-bit too), GIF, PGM/PPM, WebP; grey, resized;
                groups (subjects) from CK+ (S005_001_...) or JAFFE (KA.AN1.39) file
                names, or a pattern.

Every loader returns a Bunch with images (n, h, w) uint8, data (n, h*w) uint8, target,
target_names, usage, groups and DESCR. classes= selects or merges classes, e.g.
["happy", "sad", "surprise", "neutral"] or {{"happy": ["happy"], "other": [...]}}.

Expression vocabulary (target_names agree across data sets):
  {", ".join(EXPRESSIONS)}
  synonyms: anger, disgusted, fearful, happiness, sadness, surprised, ...
  FER2013 codes: {", ".join(f"{c}={n}" for c, n in DATASET_CODES["fer2013"].items())}
  CK+ codes: {ck}
  JAFFE codes: {jaffe}"""
