"""Where the benchmark scripts find the FER2013 file.

The file is the path a script is given (its argument or option), else
``$FER_FEATURES_FER2013`` when set and not empty, else
``../shared/data/fer2013/fer2013.csv.gz`` beside the project root
(:data:`DEFAULT_FER2013`).

The scripts run as ``python benchmarks/X.py``, which puts ``benchmarks/`` first
on ``sys.path``, so they import this module as ``from _data import fer2013_path``.
"""

import os
import sys
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_FER2013 = PROJECT_ROOT.parent / "shared" / "data" / "fer2013" / "fer2013.csv.gz"
ENV_VAR = "FER_FEATURES_FER2013"


def fer2013_candidate(arg=None):
    """The path to try for FER2013, as a :class:`~pathlib.Path`; it may not exist.

    For scripts that do without the file; the others use :func:`fer2013_path`.
    """
    return Path(arg or os.environ.get(ENV_VAR) or DEFAULT_FER2013)


def fer2013_path(arg=None, *, script=None):
    """The FER2013 file: ``arg``, else ``$FER_FEATURES_FER2013``, else the default.

    Returns a :class:`~pathlib.Path`. Where there is no file at that path, raises
    :class:`SystemExit` with a message naming ``script`` (by default the running
    script's name), the path tried and how to give another.
    """
    path = fer2013_candidate(arg)
    if not path.is_file():
        name = script or Path(sys.argv[0]).stem or "benchmark"
        raise SystemExit(
            f"{name}: no FER2013 file at {path} "
            f"(pass its path to the script, see --help, or set {ENV_VAR}=PATH)"
        )
    return path
