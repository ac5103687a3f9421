"""Models as files: save, load (without running untrusted code), train, and the shipped one.

:func:`save_model` writes a fitted estimator to a skops archive that records
the versions it was made with and how it was trained; :func:`load_model` reads
it back, building only trusted types; :func:`model_info` reads the record
alone. :func:`train_model` fits an estimator on a data set's training rows and
scores it on its test rows (the ``fer-features train`` command), and
:func:`load_pretrained` loads the small CNN that ships with the library.
"""

from ._io import (
    ModelVersionWarning,
    UntrustedModelError,
    load_model,
    model_info,
    save_model,
)
from ._pretrained import load_pretrained, pretrained_path
from ._train import train_model

__all__ = [
    "ModelVersionWarning",
    "UntrustedModelError",
    "load_model",
    "load_pretrained",
    "model_info",
    "pretrained_path",
    "save_model",
    "train_model",
]
