"""Rosters: the runner's ``estimators`` argument, named estimators built lazily."""

import sys
from collections.abc import Mapping

from ..registry import PROFILES, accepts, list_estimators, make_estimator, parse_name

__all__ = ["DEFAULT_ROSTER", "build_estimator", "default_roster", "make_roster", "normalize_roster"]

# the default comparison (the CNN is added when the [deep] extra is installed)
DEFAULT_ROSTER = ("eigenfaces-svc", "lbp-svc", "hog-xgb", "lbp-rf", "cnn")


def _factory(name, profile, params):
    def build():
        return make_estimator(name, profile=profile, **params)

    build.__qualname__ = f"make_estimator({name!r}, profile={profile!r})"
    return build


def make_roster(names, *, profile="full", image_shape=None):
    """Map estimator names to factories that build them when their turn comes.

    Building lazily keeps ``import fer_features`` and a classic-only run free of
    Keras: ``cnn`` imports it only when it is about to be trained.

    Parameters
    ----------
    names : iterable of str
        Estimator names (see :func:`fer_features.registry.make_estimator`).
    profile : {"full", "quick"}, default="full"
        Settings profile (see :func:`fer_features.registry.quick_params`).
    image_shape : tuple of (int, int) or None, default=None
        Shape of the images, given to every classic pipeline (and to the CNN when
        it has an ``image_shape`` parameter); ``None`` reads rows as square images.

    Returns
    -------
    roster : dict of str to callable
        For :func:`run_benchmark`.

    Raises
    ------
    ValueError
        If a name or the profile is unknown, or ``cnn`` is asked for and cannot be
        built here (the message says which extra to install).

    Examples
    --------
    >>> from fer_features.benchmark import make_roster
    >>> roster = make_roster(["lbp-svc", "hog-rf"], profile="quick")
    >>> list(roster)
    ['lbp-svc', 'hog-rf']
    >>> roster["hog-rf"]().named_steps["clf"].n_estimators
    100
    """
    if profile not in PROFILES:
        raise ValueError(f"unknown profile {profile!r}; choose from {', '.join(PROFILES)}")
    names = list(names)
    _check_unique(names)
    available = {info.name: info for info in list_estimators()}
    roster = {}
    for name in names:
        _, classifier = parse_name(name)  # raises ValueError for unknown names
        info = available.get(name)
        if info is not None and not info.available:
            raise ValueError(f"estimator {name!r} is not available here: {info.reason}")
        params = {}
        if image_shape is not None:
            if classifier == "cnn":
                if accepts(name, "image_shape"):
                    params["image_shape"] = tuple(image_shape)
            else:
                params["image_shape"] = tuple(image_shape)
        roster[name] = _factory(name, profile, params)
    return roster


def default_roster(*, profile="quick", image_shape=None, verbose=1):
    """The default comparison: eigenfaces-svc, lbp-svc, hog-xgb, lbp-rf and cnn.

    ``cnn`` is left out, with a message on stderr, when the ``[deep]`` extra is
    missing.

    Parameters
    ----------
    profile : {"quick", "full"}, default="quick"
        Settings profile.
    image_shape : tuple of (int, int) or None, default=None
        See :func:`make_roster`.
    verbose : int, default=1
        Print the message about a skipped CNN.

    Returns
    -------
    roster : dict of str to callable
    """
    available = {info.name: info for info in list_estimators()}
    names = []
    for name in DEFAULT_ROSTER:
        info = available[name]
        if info.available:
            names.append(name)
        elif verbose:
            print(f"[benchmark] skipping {name}: {info.reason}", file=sys.stderr)
    return make_roster(names, profile=profile, image_shape=image_shape)


def _check_unique(names):
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise ValueError(f"estimator name {repeated[0]!r} is given twice")


def normalize_roster(estimators):
    """``[(name, estimator, or factory, or estimator name)]`` from the argument."""
    if isinstance(estimators, str):
        estimators = [estimators]
    if isinstance(estimators, Mapping):
        items = list(estimators.items())
    else:
        try:
            items = [(e, e) if isinstance(e, str) else e for e in estimators]
            items = [(str(name), spec) for name, spec in items]
        except (TypeError, ValueError):
            raise ValueError(
                "estimators must map names to estimators (or factories), or list "
                f"estimator names; got {estimators!r}"
            ) from None
    if not items:
        raise ValueError("estimators is empty: give at least one estimator")
    _check_unique([str(name) for name, _ in items])
    for name, spec in items:
        if not (isinstance(spec, str) or hasattr(spec, "fit") or callable(spec)):
            raise ValueError(
                f"estimator {name!r} is {spec!r}, which is neither an estimator, a "
                f"factory returning one, nor an estimator name"
            )
    return [(str(name), spec) for name, spec in items]


def build_estimator(spec):
    """An unfitted clone of the estimator a roster entry stands for."""
    from sklearn.base import clone

    if isinstance(spec, str):
        return make_estimator(spec)
    if hasattr(spec, "fit"):
        return clone(spec)
    return spec()
