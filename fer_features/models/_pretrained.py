"""The model that ships with fer_features: a small CNN trained on FER2013."""

import importlib.util
from pathlib import Path

__all__ = ["PRETRAINED_FILE", "load_pretrained", "pretrained_path"]

# relative to the fer_features package; built by benchmarks/build_pretrained.py
PRETRAINED_FILE = "data/pretrained.skops"


def pretrained_path():
    """Where the shipped model file is (it may not be there yet)."""
    return Path(__file__).resolve().parents[1] / PRETRAINED_FILE


def _keras_missing():
    """Why the shipped CNN cannot load here, or ``""``."""
    if importlib.util.find_spec("keras") is None:
        return "Keras is not installed"
    return ""


def load_pretrained():
    """Load the model that ships with fer_features: a small CNN trained on FER2013.

    A :class:`~fer_features.KerasCNNClassifier` (``compact``) trained on
    the 28,709 FER2013 ``Training`` faces by ``benchmarks/build_pretrained.py``.
    It reads 48x48 grey faces (rows of 2,304 pixels, 0-255) and predicts one
    of seven expressions by name (``classes_``). Its data, training command,
    scores and limits are on the model card (the "Models" page of the guide);
    :func:`~fer_features.model_info` on :func:`pretrained_path` gives them too.

    Returns
    -------
    classifier : KerasCNNClassifier
        Fitted.

    Raises
    ------
    FileNotFoundError
        If this installation has no model file yet.
    ImportError
        If Keras is not installed (the ``deep`` extra).
    """
    path = pretrained_path()
    if not path.is_file():
        raise FileNotFoundError(
            2,
            f"this installation of fer_features has no pretrained model yet "
            f"(fer_features/{PRETRAINED_FILE}); build it with "
            f"benchmarks/build_pretrained.py, or train one with `fer-features train`",
            str(path),
        )
    missing = _keras_missing()
    if missing:
        from ..deep import DEEP_EXTRA_HINT

        raise ImportError(
            f"the pretrained model is a Keras CNN and {missing}: {DEEP_EXTRA_HINT} installs it"
        )
    from ._io import load_model

    return load_model(path)
