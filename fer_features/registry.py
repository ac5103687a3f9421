"""One naming scheme for every estimator: ``FEATURES-CLASSIFIER``, ``classic``, ``cnn``.

The names are used by :func:`make_estimator`, :func:`list_estimators`,
:func:`param_grid`, :func:`grid_search`, the benchmark runner and the
``fer-features`` command. This module sits above :mod:`fer_features.pipelines`
(the classic names) and :mod:`fer_features.deep` (``cnn``, imported only when
that name is built).
"""

import importlib.util
import os
from collections import namedtuple

from .pipelines import (
    CLASSIFIERS,
    FEATURES,
    make_classic_pipeline,
    parse_features,
    pipeline_grid_search,
    pipeline_param_grid,
)

__all__ = [
    "EstimatorInfo",
    "PROFILES",
    "accepts",
    "grid_search",
    "list_estimators",
    "make_estimator",
    "param_grid",
    "parse_name",
    "quick_params",
]

PROFILES = ("quick", "full")

EstimatorInfo = namedtuple("EstimatorInfo", ["name", "description", "available", "reason"])
EstimatorInfo.__doc__ = """An estimator known by name.

Fields: ``name`` (as given to :func:`make_estimator`), ``description`` (one line),
``available`` (bool: can it be built here?) and ``reason`` (why not, or ``""``).
"""

# settings of the "quick" profile: small enough for the default benchmark on the
# synthetic faces to finish within minutes on two cores
_QUICK_CLASSIFIER = {
    "rf": {"clf__n_estimators": 100},
    "gb": {"clf__max_iter": 50},
    # 64 histogram bins and depth 4: 6 times faster than 256 bins and depth 6 on the
    # synthetic faces, with the same accuracy
    "xgb": {
        "clf__estimator__n_estimators": 60,
        "clf__estimator__max_depth": 4,
        "clf__estimator__max_bin": 64,
    },
}
# the names shown by list_estimators (any union of features is accepted too)
_LISTED_FEATURES = ("pixels", "eigenfaces", "lbp", "hog", "lbp+hog")


def parse_name(name):
    """Split an estimator name into ``(features, classifier)``.

    Parameters
    ----------
    name : str
        ``"FEATURES-CLASSIFIER"`` (e.g. ``"lbp+hog-linear-svc"``), ``"classic"`` or
        ``"cnn"``.

    Returns
    -------
    features : str or None
        ``None`` for ``"classic"`` and ``"cnn"``.
    classifier : str
        The classifier's name, or ``"classic"`` / ``"cnn"``.

    Raises
    ------
    ValueError
        If the name is not of that form.

    Examples
    --------
    >>> from fer_features.registry import parse_name
    >>> parse_name("lbp+hog-linear-svc")
    ('lbp+hog', 'linear-svc')
    """
    if not isinstance(name, str):
        raise ValueError(f"an estimator name must be a string, got {name!r}")
    if name in ("classic", "cnn"):
        return None, name
    for clf in sorted(CLASSIFIERS, key=len, reverse=True):
        if name.endswith("-" + clf):
            features = name[: -len(clf) - 1]
            try:
                parse_features(features)
            except ValueError as exc:
                raise ValueError(f"unknown estimator {name!r}: {exc}") from None
            return features, clf
    raise ValueError(
        f"unknown estimator {name!r}; names are 'classic', 'cnn' or FEATURES-CLASSIFIER "
        f"with FEATURES one of {', '.join(FEATURES)} (or several joined by '+') and "
        f"CLASSIFIER one of {', '.join(CLASSIFIERS)}, e.g. 'lbp-svc' or 'lbp+hog-logreg'; "
        f"`fer-features list` shows them"
    )


def _cnn_missing():
    """Why the CNN cannot be built here, or ``""`` when it can."""
    backend = os.environ.get("KERAS_BACKEND", "tensorflow")
    extra = backend if backend in ("jax", "torch") else "deep"
    for module in ("keras", backend):
        if importlib.util.find_spec(module) is None:
            return (
                f"needs the [{extra}] extra ({module} is not installed): "
                f"pip install 'fer_features[{extra}]'"
            )
    return ""


def quick_params(name):
    """Parameters of the ``quick`` profile for an estimator name.

    The quick profile keeps every method but trains smaller models (fewer trees,
    boosting rounds or CNN epochs), so that a benchmark of the default roster on
    the synthetic faces takes a few minutes on two cores.

    Parameters
    ----------
    name : str
        An estimator name.

    Returns
    -------
    params : dict
        Keyword arguments for :func:`make_estimator` (empty when the quick and
        full settings are the same).

    Examples
    --------
    >>> from fer_features.registry import quick_params
    >>> quick_params("lbp-rf")
    {'clf__n_estimators': 100}
    """
    _, classifier = parse_name(name)
    if classifier == "cnn":
        # the deep part's own quick settings (importing it does not import Keras)
        from .deep import quick_cnn_params

        return {**quick_cnn_params(), "verbose": 0}
    return dict(_QUICK_CLASSIFIER.get(classifier, {}))


def make_estimator(name, *, profile="full", **params):
    """Build an estimator by name.

    Parameters
    ----------
    name : str
        ``"FEATURES-CLASSIFIER"`` for :func:`make_classic_pipeline` (e.g.
        ``"lbp-svc"``, ``"hog-xgb"``, ``"lbp+hog-logreg"``), ``"classic"`` for the
        recommended classic pipeline, ``"cnn"`` for
        :class:`~fer_features.KerasCNNClassifier` (imported only here, so that the
        classic names work without the ``[deep]`` extra).
    profile : {"full", "quick"}, default="full"
        ``"quick"`` first applies :func:`quick_params` (smaller models).
    **params : dict
        Parameters set on the estimator (``step__param`` names for pipelines, the
        CNN's own names for ``"cnn"``); they override the profile's.

    Returns
    -------
    estimator : scikit-learn estimator
        Unfitted.

    Raises
    ------
    ValueError
        If the name or the profile is unknown.
    ImportError
        If ``"cnn"`` is asked for without the ``[deep]`` extra.

    See Also
    --------
    list_estimators : every name, described.

    Examples
    --------
    >>> from fer_features.registry import make_estimator
    >>> make_estimator("hog-rf", profile="quick").named_steps["clf"].n_estimators
    100
    """
    if profile not in PROFILES:
        raise ValueError(f"unknown profile {profile!r}; choose from {', '.join(PROFILES)}")
    features, classifier = parse_name(name)
    settings = quick_params(name) if profile == "quick" else {}
    if classifier == "cnn":
        missing = _cnn_missing()
        if missing:
            raise ImportError(f"estimator 'cnn' is not available: {missing}")
        from .deep import KerasCNNClassifier

        settings.update(params)
        settings.setdefault("random_state", 0)
        return KerasCNNClassifier(**settings)
    settings.update(params)
    if classifier == "classic":
        return make_classic_pipeline(**settings)
    return make_classic_pipeline(features, classifier, **settings)


def list_estimators():
    """Every estimator known by name, with a one-line description and availability.

    Any union of features is accepted by :func:`make_estimator`; the list shows the
    single features and ``lbp+hog``.

    Returns
    -------
    estimators : list of EstimatorInfo
        Named tuples ``(name, description, available, reason)``.

    Examples
    --------
    >>> from fer_features.registry import list_estimators
    >>> names = [info.name for info in list_estimators()]
    >>> names[:3]
    ['classic', 'pixels-rf', 'pixels-gb']
    >>> "lbp+hog-svc" in names and "cnn" in names
    True
    """
    infos = [
        EstimatorInfo(
            "classic",
            "the recommended classic pipeline for 48x48 faces: texture histograms and "
            "dense SIFT and Gabor words, probabilities averaged (make_recommended_pipeline)",
            True,
            "",
        )
    ]
    for features in _LISTED_FEATURES:
        described = " + ".join(FEATURES[p] for p in parse_features(features))
        for clf, clf_text in CLASSIFIERS.items():
            infos.append(EstimatorInfo(f"{features}-{clf}", f"{described}; {clf_text}", True, ""))
    cnn_missing = _cnn_missing()
    infos.append(
        EstimatorInfo(
            "cnn",
            "Keras CNN trained from scratch (KerasCNNClassifier)",
            not cnn_missing,
            cnn_missing,
        )
    )
    return infos


def accepts(name, param):
    """Whether the estimator built for ``name`` has the parameter ``param``.

    Parameters
    ----------
    name : str
        An estimator name.
    param : str
        A parameter name (``step__param`` for pipelines).

    Returns
    -------
    bool

    Examples
    --------
    >>> from fer_features.registry import accepts
    >>> accepts("lbp-svc", "features__image_shape"), accepts("lbp-svc", "epochs")
    (True, False)
    """
    return param in make_estimator(name).get_params(deep=True)


def param_grid(estimator):
    """A ready parameter grid for ``GridSearchCV``, by name or for an estimator.

    Parameters
    ----------
    estimator : str or estimator
        An estimator name (built with :func:`make_estimator`) or an estimator.

    Returns
    -------
    grid : dict of str to list
        See :func:`fer_features.pipelines.pipeline_param_grid`.

    Examples
    --------
    >>> from fer_features.registry import param_grid
    >>> param_grid("hog-rf")
    {'features__pixels_per_cell': [(6, 6), (8, 8)], 'clf__max_features': ['sqrt', 0.1], \
'clf__min_samples_leaf': [1, 3]}
    """
    if isinstance(estimator, str):
        estimator = make_estimator(estimator)
    return pipeline_param_grid(estimator)


def grid_search(estimator, X, y, **kwargs):
    """:func:`fer_features.pipelines.pipeline_grid_search`, with the estimator given by name or not.

    Inside ``joblib.parallel_config(backend="dask")`` (with a
    ``dask.distributed.Client`` connected) the fits run on the Dask cluster,
    with the same scores.

    Parameters
    ----------
    estimator : str or estimator
        An estimator name (built with :func:`make_estimator`) or an estimator.
    X : array-like of shape (n_samples, n_features)
        Images in the library's convention (flattened rows).
    y : array-like of shape (n_samples,)
        Labels.
    **kwargs : dict
        The options of :func:`fer_features.pipelines.pipeline_grid_search` (``param_grid``,
        ``cv``, ``n_jobs``, ``verbose``, ``halving``, ``groups``, ``random_state``).

    Returns
    -------
    search : GridSearchCV or HalvingGridSearchCV
        Fitted.
    """
    if isinstance(estimator, str):
        estimator = make_estimator(estimator)
    return pipeline_grid_search(estimator, X, y, **kwargs)
