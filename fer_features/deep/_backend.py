"""Lazy access to Keras, and what the backend can do (GPU, mixed precision, XLA).

Nothing here imports Keras at module import: :func:`import_keras` does, on first
use, and turns a missing installation into an error that names the extra to
install.
"""

import importlib
from contextlib import contextmanager

__all__ = ["import_keras", "has_gpu", "backend_global_rng", "DEEP_EXTRA_HINT"]

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


@contextmanager
def backend_global_rng(seed):
    """Context in which the backend's global generator follows ``seed``, restored on exit.

    Only PyTorch needs it: Keras's torch backend draws the masks of a
    ``Dropout`` built without a seed of its own from torch's global generator
    (its fast path), so a fit would depend on, and change, the process's
    torch seed. Here that generator is forked (``torch.random.fork_rng``, the
    CPU's and every GPU's state saved and put back) and seeded. TensorFlow and
    JAX take every random draw of a fit from Keras's own seed generators: for
    them this does nothing.

    Parameters
    ----------
    seed : int
        Seed of the backend's global generator for the duration.
    """
    keras = import_keras()
    if keras.backend.backend() != "torch":
        yield
        return
    import torch

    devices = list(range(torch.cuda.device_count())) if torch.cuda.is_available() else []
    with torch.random.fork_rng(devices=devices):
        torch.manual_seed(seed)
        yield
