"""Shared fixtures.

The real FER2013 file is looked for at ``FER_FEATURES_FER2013`` (an environment
variable) or at ``../shared/data/fer2013/fer2013.csv.gz`` beside the project.
Where it is absent (a user's clone), the tests that need it are skipped with the
reason; with ``FER_FEATURES_REQUIRE_DATA=1`` (set by ``.ci/run``) that skip is a
failure instead, so CI always runs them.
"""

import os
from pathlib import Path

import pytest

try:
    from hypothesis import HealthCheck, settings
except ImportError:  # the fuzz tests skip themselves
    pass
else:
    # tests/test_fuzz.py: few derandomised examples by default (CI), many more
    # with HYPOTHESIS_PROFILE=long (see CONTRIBUTING.md). The deadline catches a
    # hang, not slowness: an example may compile a numba kernel for a new dtype.
    settings.register_profile(
        "ci",
        max_examples=25,
        deadline=60_000,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    settings.register_profile(
        "long", max_examples=2000, deadline=60_000, suppress_health_check=[HealthCheck.too_slow]
    )
    settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_FER2013 = PROJECT_ROOT.parent / "shared" / "data" / "fer2013" / "fer2013.csv.gz"


def fer2013_file():
    """Path of the real FER2013 file, or None where there is none."""
    path = Path(os.environ.get("FER_FEATURES_FER2013", DEFAULT_FER2013))
    return path if path.is_file() else None


@pytest.fixture(scope="session")
def fer2013_path():
    """Path of the real FER2013 CSV (Training + PublicTest rows)."""
    path = fer2013_file()
    if path is None:
        reason = (
            f"the real FER2013 file is not at {DEFAULT_FER2013} "
            f"(set FER_FEATURES_FER2013 to its path)"
        )
        if os.environ.get("FER_FEATURES_REQUIRE_DATA") == "1":
            pytest.fail(reason + "; FER_FEATURES_REQUIRE_DATA=1 makes this a failure")
        pytest.skip(reason)
    return path


@pytest.fixture(scope="session")
def fer2013(fer2013_path):
    """The whole real FER2013 file, loaded once per test session."""
    from fer_features.datasets import load_fer2013

    return load_fer2013(fer2013_path)


@pytest.fixture(scope="session")
def fer2013_small(fer2013):
    """A fast, stratified subset of real faces: 60 Training and 20 PublicTest
    images per class (fewer for Disgust where the split has fewer), as a Bunch
    with ``data``, ``images``, ``target``, ``usage`` and ``target_names``."""
    import numpy as np
    from sklearn.utils import Bunch

    keep = []
    for usage, per_class in (("Training", 60), ("PublicTest", 20)):
        for label in range(len(fer2013.target_names)):
            idx = np.flatnonzero((fer2013.usage == usage) & (fer2013.target == label))
            keep.append(idx[:per_class])
    keep = np.sort(np.concatenate(keep))
    return Bunch(
        data=fer2013.data[keep],
        images=fer2013.images[keep],
        target=fer2013.target[keep],
        usage=fer2013.usage[keep],
        target_names=list(fer2013.target_names),
    )
