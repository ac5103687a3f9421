"""Lazy access to Keras, and what the backend can do (GPU, mixed precision, XLA).

Nothing here imports Keras at module import: :func:`import_keras` does, on first
use, and turns a missing installation into an error that names the extra to
install.
"""

import importlib

__all__ = ["import_keras", "has_gpu", "DEEP_EXTRA_HINT"]

DEEP_EXTRA_HINT = 'pip install "fer_features[deep]"'


def import_keras():
    """Import and return the ``keras`` module (Keras 3).

    Raises
    ------
    ImportError
        If Keras (or its backend) is not installed, with the command that
        installs the ``deep`` extra.
    """
    try:
        keras = importlib.import_module("keras")
    except ImportError as exc:
        raise ImportError(
            "fer_features.deep needs Keras 3 with a backend (TensorFlow by default), "
            f"which is not installed: {DEEP_EXTRA_HINT} installs it ({exc})"
        ) from exc
    version = getattr(keras, "__version__", "0")
    if int(version.split(".")[0]) < 3:
        raise ImportError(
            f"fer_features.deep needs Keras >= 3, found keras {version}: "
            f"{DEEP_EXTRA_HINT} installs a recent one"
        )
    return keras


def has_gpu():
    """Whether the active Keras backend sees a GPU."""
    keras = import_keras()
    backend = keras.backend.backend()
    try:
        if backend == "tensorflow":
            import tensorflow as tf

            return bool(tf.config.list_physical_devices("GPU"))
        if backend == "jax":
            import jax

            return any(d.platform == "gpu" for d in jax.devices())
        if backend == "torch":
            import torch

            return bool(torch.cuda.is_available())
    except Exception:  # a broken driver means: no usable GPU
        return False
    return False
