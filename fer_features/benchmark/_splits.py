"""The runner's ``data`` and ``split`` arguments as arrays and explicit train / test folds."""

from numbers import Integral

import numpy as np

__all__ = ["resolve_split", "subsample_per_class", "unpack_data"]

DEFAULT_USAGES = ("Training", "PublicTest")


def _has_usages(usage, names):
    if usage is None:
        return False
    values = set(np.asarray(usage).tolist())
    return all(name in values for name in names)


def resolve_split(split, y, *, usage=None, groups=None, random_state=0):
    """The folds of a split, as index arrays, and a description.

    Parameters
    ----------
    split : None, pair of str, int or splitter
        ``None``: the FER2013 split ``("Training", "PublicTest")`` when the data
        have those usages, otherwise 5-fold stratified cross-validation. A pair
        of usage names: train on the rows of the first, test on those of the
        second. An integer ``k >= 2``: ``StratifiedKFold(k, shuffle=True)``. Any
        scikit-learn splitter (an object with ``split``): its folds, given the
        data's ``groups`` (so group splitters such as ``GroupKFold`` give
        subject-independent scores).
    y : ndarray of shape (n_samples,)
        Labels.
    usage : ndarray of shape (n_samples,) or None
        Usage name of every row.
    groups : ndarray of shape (n_samples,) or None
        Group of every row.
    random_state : int, default=0
        Seed of the shuffled stratified folds.

    Returns
    -------
    folds : list of (ndarray, ndarray)
        Train and test indices.
    description : str
    """
    n = len(y)
    if split is None:
        split = DEFAULT_USAGES if _has_usages(usage, DEFAULT_USAGES) else 5
    if (
        isinstance(split, (tuple, list))
        and len(split) == 2
        and all(isinstance(s, str) for s in split)
    ):
        if usage is None:
            raise ValueError(
                f"split={tuple(split)!r} names usages, but the data have no `usage`; "
                f"pass an integer (k-fold) or a splitter instead"
            )
        usage = np.asarray(usage)
        available = list(dict.fromkeys(usage.tolist()))
        folds = []
        for name in split:
            if name not in available:
                raise ValueError(
                    f"usage {name!r} is not in the data; its usages are "
                    f"{', '.join(map(repr, available))}"
                )
        if split[0] == split[1]:
            raise ValueError(f"split uses usage {split[0]!r} for both training and testing")
        train = np.flatnonzero(usage == split[0])
        test = np.flatnonzero(usage == split[1])
        folds.append((train, test))
        return folds, f"train on {split[0]}, test on {split[1]}"
    if isinstance(split, Integral) and not isinstance(split, bool):
        from sklearn.model_selection import StratifiedKFold

        k = int(split)
        if k < 2:
            raise ValueError(f"split={k}: k-fold cross-validation needs k >= 2")
        counts = np.unique(y, return_counts=True)[1]
        if counts.max() < k:
            raise ValueError(f"split={k}: every class has fewer than {k} images; use fewer folds")
        splitter = StratifiedKFold(n_splits=k, shuffle=True, random_state=random_state)
        folds = list(splitter.split(np.zeros((n, 1)), y))
        return folds, f"stratified {k}-fold cross-validation (shuffled, seed {random_state})"
    if hasattr(split, "split") and not isinstance(split, str):
        import warnings

        try:
            with warnings.catch_warnings():  # "The groups parameter is ignored by ..."
                warnings.filterwarnings("ignore", message=".*groups parameter is ignored")
                folds = list(split.split(np.zeros((n, 1)), y, groups))
        except ValueError as exc:
            if groups is None and "groups" in str(exc):
                raise ValueError(
                    f"{split!r} needs groups, but the data have none (data.groups is None)"
                ) from None
            raise
        folds = [(np.asarray(tr), np.asarray(te)) for tr, te in folds]
        if not folds:
            raise ValueError(f"{split!r} gave no folds")
        return folds, " ".join(repr(split).split())
    raise ValueError(
        f"split must be a pair of usage names, an integer k >= 2 or a scikit-learn "
        f"splitter, got {split!r}"
    )


def subsample_per_class(indices, y, max_per_class, random_state=0):
    """Keep at most ``max_per_class`` of ``indices`` per class, chosen at random.

    Parameters
    ----------
    indices : ndarray of int
        Row indices (e.g. a training fold).
    y : ndarray of shape (n_samples,)
        Labels of all rows.
    max_per_class : int or None
        ``None`` keeps everything.
    random_state : int, default=0
        Seed of the choice.

    Returns
    -------
    kept : ndarray of int
        Sorted indices.

    Examples
    --------
    >>> import numpy as np
    >>> from fer_features.benchmark import subsample_per_class
    >>> y = np.array([0, 0, 0, 1, 1, 2])
    >>> len(subsample_per_class(np.arange(6), y, 2))
    5
    """
    indices = np.asarray(indices)
    if max_per_class is None:
        return indices
    rng = np.random.default_rng(random_state)
    labels = np.asarray(y)[indices]
    kept = []
    for label in np.unique(labels):
        members = indices[labels == label]
        if len(members) > max_per_class:
            members = rng.choice(members, size=max_per_class, replace=False)
        kept.append(members)
    return np.sort(np.concatenate(kept))


def unpack_data(data):
    """X, y, usage, groups, target_names from a Bunch or an ``(X, y)`` pair."""
    if isinstance(data, tuple) and len(data) == 2:
        X, y = data
        usage = groups = target_names = None
    else:
        try:
            X, y = data["data"], data["target"]
        except (KeyError, TypeError):
            raise ValueError(
                "data must be a loader's Bunch (with `data` and `target`) or a pair "
                f"(X, y), got {type(data).__name__}"
            ) from None
        usage = data.get("usage")
        groups = data.get("groups")
        target_names = data.get("target_names")
    X = np.asarray(X)
    y = np.asarray(y)
    if X.ndim == 3:
        X = X.reshape(len(X), -1)
    if X.ndim != 2:
        raise ValueError(f"data must be (n_samples, n_features) images, got shape {X.shape}")
    if y.ndim != 1 or len(y) != len(X):
        raise ValueError(
            f"data has {len(X)} rows but target has shape {y.shape}; one label per row is needed"
        )
    if usage is not None:
        usage = np.asarray(usage)
        if usage.shape != y.shape:
            raise ValueError(f"data.usage has shape {usage.shape}, expected {y.shape}")
    if groups is not None:
        groups = np.asarray(groups)
        if groups.shape != y.shape:
            raise ValueError(f"data.groups has shape {groups.shape}, expected {y.shape}")
    return X, y, usage, groups, target_names
