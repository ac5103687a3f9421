"""Model files that load without running arbitrary code: ``save_model`` / ``load_model``.

A pickle or joblib file runs code when it is loaded, so a model received from
someone else is a decision to trust them. A fer_features model file is a
`skops <https://skops.readthedocs.io>`_ archive instead: ``schema.json`` names
every type the estimator is made of, and loading builds only types that are
trusted. scikit-learn's, NumPy's and SciPy's types are trusted by skops;
fer_features' own estimator classes are trusted here (the user installed the
library), and so are the private scikit-learn helpers of the calibrated SVCs in
its named pipelines; anything else is refused with the list of what the file asks for,
until the caller names it in ``trusted=``. A Keras network travels inside as
the bytes of a ``.keras`` archive, loaded with Keras's safe mode.

Beside the estimator, the archive holds ``fer_features.json``: the versions of
the library and of its dependencies at saving time, the classes, and the
caller's ``metadata`` (how the model was trained, on what, its score), which
:func:`model_info` reads without loading the estimator.
"""

import datetime
import importlib
import io
import json
import os
import platform
import sys
import tempfile
import warnings
import zipfile
from pathlib import Path

import numpy as np

__all__ = [
    "ModelVersionWarning",
    "UntrustedModelError",
    "load_model",
    "model_info",
    "save_model",
]

# the archive member holding the metadata, and the format it follows
METADATA_MEMBER = "fer_features.json"
FORMAT = "fer_features model"
FORMAT_VERSION = 1

# packages whose versions every file records (distribution names)
_ALWAYS_RECORDED = ("numpy", "scipy", "scikit-learn", "scikit-image", "skops")
# top-level module -> distribution, where they differ
_DISTRIBUTIONS = {"sklearn": "scikit-learn", "skimage": "scikit-image"}
# top-level modules of the schema that are not packages to record
# scikit-learn's private helper classes inside the library's named pipelines (the SVCs
# are wrapped in CalibratedClassifierCV; the recommended pipeline, a VotingClassifier,
# keeps its fitted halves in a Bunch, a dict) that skops's list of trusted types lacks;
# like scikit-learn's public estimators, loading them only sets their attributes
_TRUSTED_SKLEARN_HELPERS = frozenset(
    {
        "sklearn.calibration._CalibratedClassifier",
        "sklearn.calibration._TemperatureScaling",
        "sklearn.calibration._SigmoidCalibration",
        "sklearn.utils._bunch.Bunch",
    }
)
# fer_features' own helper classes that are not estimators but sit inside its
# pipelines (the hold-out splitter of the SVCs' calibration); loading them only
# sets their parameters
_TRUSTED_OWN_HELPERS = frozenset({"fer_features.pipelines._calibration.HoldoutSplit"})
_NOT_RECORDED = {
    "builtins",
    "fer_features",
    "collections",
    "functools",
    "operator",
    "datetime",
    "zoneinfo",
    "_operator",
    "numbers",
}


class UntrustedModelError(ValueError):
    """A model file asks for types that are not trusted; nothing was loaded.

    Attributes
    ----------
    path : str
        The model file.
    untrusted : list of str
        The types it asks for that are not trusted, fully qualified.
    """

    def __init__(self, path, untrusted):
        self.path = str(path)
        self.untrusted = list(untrusted)
        super().__init__(
            f"{self.path} asks for types that are not trusted, so it was not loaded: "
            f"{', '.join(self.untrusted)}. Loading them runs their code: if you trust "
            f"whoever made the file, load it with load_model({self.path!r}, "
            f"trusted={self.untrusted!r})"
        )


class ModelVersionWarning(UserWarning):
    """A model file was saved under versions other than the installed ones."""


# ------------------------------------------------------------------ helpers
def _package_version(name):
    """Installed version of a distribution, or ``None``."""
    if name == "fer_features":
        from .. import __version__

        return __version__
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(name)
    except PackageNotFoundError:
        return None


def _schema_modules(node, found=None):
    """Every ``__module__`` named in a skops schema (a nested dict/list)."""
    found = set() if found is None else found
    if isinstance(node, dict):
        module = node.get("__module__")
        if isinstance(module, str):
            found.add(module)
        for value in node.values():
            _schema_modules(value, found)
    elif isinstance(node, list):
        for value in node:
            _schema_modules(value, found)
    return found


def _versions(modules):
    """Versions of fer_features, its core dependencies and the packages ``modules`` use."""
    names = ["fer_features", *_ALWAYS_RECORDED]
    for module in sorted(modules):
        top = module.split(".")[0]
        if top not in _NOT_RECORDED and not top.startswith("_"):
            names.append(_DISTRIBUTIONS.get(top, top))
    if any(m == "fer_features.deep" or m.startswith("fer_features.deep.") for m in modules):
        # the network is .keras bytes, not in the schema: Keras and the backend it ran on
        keras = sys.modules.get("keras")
        names += ["keras", keras.backend.backend() if keras is not None else "tensorflow"]
    versions = {}
    for name in dict.fromkeys(names):
        found = _package_version(name)
        if found is not None:
            versions[name] = found
    return versions


def _jsonable(value):
    """``value`` as plain JSON types (NumPy scalars and arrays become Python ones)."""
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value


def _is_own_estimator(type_name):
    """Whether ``type_name`` is an estimator class defined by fer_features itself."""
    module_name, _, class_name = type_name.rpartition(".")
    if module_name != "fer_features" and not module_name.startswith("fer_features."):
        return False
    try:
        module = importlib.import_module(module_name)
    except ImportError:
        return False
    cls = getattr(module, class_name, None)
    from sklearn.base import BaseEstimator

    return (
        isinstance(cls, type)
        and issubclass(cls, BaseEstimator)
        and cls.__module__ == module_name
        and cls.__qualname__ == class_name
    )


def _trusted_names(trusted):
    """``trusted`` (types or their fully qualified names) as a set of names."""
    if trusted is None:
        return set()
    if isinstance(trusted, (str, type)):
        trusted = [trusted]
    names = set()
    for item in trusted:
        if isinstance(item, type):
            names.add(f"{item.__module__}.{item.__qualname__}")
        elif isinstance(item, str):
            names.add(item)
        else:
            raise TypeError(f"trusted must list types or their names as strings, got {item!r}")
    return names


def _open_archive(path):
    """Open a model file for reading; clear errors for a missing or foreign file."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(2, f"no model file at {path}", str(path))
    if path.is_dir():
        raise IsADirectoryError(21, f"{path} is a folder, not a model file", str(path))
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        raise ValueError(
            f"{path} is not a fer_features model file (not a zip archive saved by save_model)"
        ) from None
    if "schema.json" not in archive.namelist():
        archive.close()
        raise ValueError(
            f"{path} is not a fer_features model file (a zip archive without schema.json)"
        )
    return archive


def _read_metadata(archive, path):
    try:
        raw = archive.read(METADATA_MEMBER)
    except KeyError:
        return None
    try:
        info = json.loads(raw)
    except ValueError as exc:
        raise ValueError(f"{path}: its {METADATA_MEMBER} is not valid JSON ({exc})") from None
    if not isinstance(info, dict) or info.get("format") != FORMAT:
        raise ValueError(f"{path}: its {METADATA_MEMBER} is not fer_features model metadata")
    return info


def _read_schema(archive, path):
    try:
        return json.loads(archive.read("schema.json"))
    except ValueError as exc:
        raise ValueError(f"{path}: its schema.json is not valid JSON ({exc})") from None


# ------------------------------------------------------------------ public
def save_model(estimator, path, *, metadata=None):
    """Write a fitted estimator to a file that loads without running arbitrary code.

    The file is a skops archive (``.skops`` by convention) that also records
    the versions of fer_features and of the packages the estimator uses, its
    classes and ``metadata``. It is written to a temporary file beside ``path``
    and then moved into place, so an interrupted save leaves no half file.

    Parameters
    ----------
    estimator : estimator
        A (fitted) scikit-learn estimator, e.g. a pipeline of fer_features
        transformers or a :class:`~fer_features.KerasCNNClassifier`.
    path : str or path-like
        The file to write; an existing file is replaced.
    metadata : dict or None, default=None
        How the model was made, as JSON-compatible values (str keys; str,
        numbers, bools, None, lists, dicts; NumPy values are converted), e.g.
        ``{"data": "FER2013 Training", "n_train": 28709, "accuracy": 0.61}``.

    Returns
    -------
    path : pathlib.Path
        The file written.

    Raises
    ------
    ValueError
        If ``metadata`` is not JSON-compatible, or the estimator holds an
        object skops cannot store.
    OSError
        If the file cannot be written.

    See Also
    --------
    load_model : read it back.
    model_info : read the metadata only.

    Examples
    --------
    >>> import tempfile, os
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from fer_features import save_model, load_model, model_info
    >>> X, y = np.arange(8.0).reshape(4, 2), np.array(["a", "a", "b", "b"])
    >>> clf = LogisticRegression().fit(X, y)
    >>> path = os.path.join(tempfile.mkdtemp(), "model.skops")
    >>> _ = save_model(clf, path, metadata={"data": "four points"})
    >>> model_info(path)["metadata"]
    {'data': 'four points'}
    >>> load_model(path).predict(X).tolist()
    ['a', 'a', 'b', 'b']
    """
    import skops.io as sio

    if metadata is not None and not isinstance(metadata, dict):
        raise ValueError(f"metadata must be a dict or None, got {type(metadata).__name__}")
    user = _jsonable(metadata or {})
    try:
        json.dumps(user, allow_nan=True)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"metadata must hold JSON-compatible values only: {exc}") from None
    try:
        data = sio.dumps(estimator, compression=zipfile.ZIP_DEFLATED)
    except TypeError as exc:  # skops: "Getting the state of type ... is not supported"
        raise ValueError(f"cannot save {type(estimator).__name__}: {exc}") from None
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        modules = _schema_modules(_read_schema(archive, "the saved model"))
    classes = getattr(estimator, "classes_", None)
    info = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "saved_at": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "estimator": f"{type(estimator).__module__}.{type(estimator).__qualname__}",
        "classes": None if classes is None else _jsonable(np.asarray(classes)),
        "n_features_in": _jsonable(getattr(estimator, "n_features_in_", None)),
        "python": platform.python_version(),
        "versions": _versions(modules),
        "metadata": user,
    }
    path = Path(path)
    fd, tmp = tempfile.mkstemp(
        prefix=f".{path.name}.", suffix=".tmp", dir=path.parent if str(path.parent) else "."
    )
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        with zipfile.ZipFile(tmp, "a", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(METADATA_MEMBER, json.dumps(info, indent=2))
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp's file is private; a model file is not
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def model_info(path):
    """What a model file holds, read without loading the estimator.

    Parameters
    ----------
    path : str or path-like
        A file written by :func:`save_model`.

    Returns
    -------
    info : dict
        ``estimator`` (its class, fully qualified), ``classes``,
        ``n_features_in``, ``saved_at`` (UTC), ``python``, ``versions``
        (package -> version at saving time), ``metadata`` (as given to
        :func:`save_model`), ``untrusted`` (the types the file asks for that
        :func:`load_model` would refuse without ``trusted=``), plus ``format``
        and ``format_version``.

    Raises
    ------
    FileNotFoundError
        If there is no file at ``path``.
    ValueError
        If the file is not a fer_features model file.

    See Also
    --------
    save_model, load_model
    """
    with _open_archive(path) as archive:
        info = _read_metadata(archive, path)
        if info is None:
            raise ValueError(
                f"{path} is a skops file without fer_features metadata (not written by save_model)"
            )
    info = dict(info)
    info["untrusted"] = _untrusted(path, set())
    return info


def _untrusted(path, trusted):
    """Types named in the file that neither skops, fer_features nor ``trusted`` trust."""
    import skops.io as sio

    try:
        asked = sio.get_untrusted_types(file=path)
    except Exception as exc:  # noqa: BLE001 - a malformed schema, reported by name
        raise ValueError(
            f"{path}: its schema cannot be read ({type(exc).__name__}: {exc})"
        ) from None
    return [
        t
        for t in asked
        if t not in trusted
        and t not in _TRUSTED_SKLEARN_HELPERS | _TRUSTED_OWN_HELPERS
        and not _is_own_estimator(t)
    ]


def _check_versions(info, path):
    """Warn when the packages that saved the file differ from the installed ones."""
    saved = info.get("versions") or {}
    differ = []
    for name, version in saved.items():
        installed = _package_version(name)
        if installed != version:
            now = "not installed" if installed is None else f"installed {installed}"
            differ.append(f"{name} {version} ({now})")
    if differ:
        warnings.warn(
            f"{path} was saved with other versions than those installed here: "
            f"{'; '.join(differ)}. It may fail to load or predict differently; "
            f"retrain it or install those versions to be sure.",
            ModelVersionWarning,
            stacklevel=3,
        )
    return differ


def load_model(path, *, trusted=None):
    """Load an estimator written by :func:`save_model`, running no untrusted code.

    Every type the file names is checked before anything is built: the types
    skops trusts (scikit-learn's, NumPy's, SciPy's, Python's builtins),
    fer_features' own estimator classes (and the helpers inside its pipelines:
    the calibrated SVCs' hold-out splitter and private scikit-learn classes, the
    recommended pipeline's ``Bunch``) and those in ``trusted`` are built;
    any other one makes the load fail with the list. A Keras network inside
    is loaded with Keras's safe mode (no Python code from the file). A file
    saved under other versions of fer_features or its dependencies loads with
    a :class:`ModelVersionWarning` naming them.

    Parameters
    ----------
    path : str or path-like
        The model file.
    trusted : list of str or type, or None, default=None
        More types to trust, by fully qualified name as listed by
        :func:`model_info` (``info["untrusted"]``) or in the error. Trust only
        types of files whose author you trust: building them runs their code.

    Returns
    -------
    estimator : estimator
        The fitted estimator.

    Raises
    ------
    FileNotFoundError
        If there is no file at ``path``.
    UntrustedModelError
        If the file asks for types that are not trusted (a ``ValueError``);
        its message lists them and how to trust them.
    ValueError
        If the file is not a fer_features model file.

    Warns
    -----
    ModelVersionWarning
        If the file was saved with other versions of the packages it records.

    See Also
    --------
    save_model, model_info
    """
    import skops.io as sio

    trusted_names = _trusted_names(trusted)
    with _open_archive(path) as archive:
        info = _read_metadata(archive, path)
    untrusted = _untrusted(path, trusted_names)
    if untrusted:
        raise UntrustedModelError(path, untrusted)
    if info is not None:
        _check_versions(info, path)
    # everything the file names is now trusted by skops, by us or by the caller
    allowed = sio.get_untrusted_types(file=path)
    return sio.load(path, trusted=allowed)
