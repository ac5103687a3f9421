"""The runner's ``data`` and ``split`` arguments as arrays and explicit train / test folds."""

from numbers import Integral, Real

import numpy as np

__all__ = [
    "group_overlap",
    "resolve_split",
    "subsample_per_class",
    "unpack_data",
    "warn_shared_subjects",
]

DEFAULT_USAGES = ("Training", "PublicTest")


def _has_usages(usage, names):
    if usage is None:
        return False
    values = set(np.asarray(usage).tolist())
    return all(name in values for name in names)


def _n_groups(groups):
    return len(np.unique(groups))


def _group_folds(splitter, y, groups, what, needed):
    n_groups = _n_groups(groups)
    if n_groups < needed:
        raise ValueError(
            f"{what} needs at least {needed} subjects (groups), but the data have "
            f"{n_groups}; use fewer folds, or split='random' (grouped=False) to "
            f"share subjects between training and testing"
        )
    import warnings

    with warnings.catch_warnings():  # "least populated class ... fewer than n_splits"
        warnings.filterwarnings("ignore", message=".*least populated class")
        folds = list(splitter.split(np.zeros((len(y), 1)), y, groups))
    shared = group_overlap(folds, groups)["shared_groups"]
    if any(shared):  # pragma: no cover - a group splitter that mixes groups is a bug
        raise RuntimeError(f"{splitter!r} put subjects in both training and test: {shared}")
    return folds


def resolve_split(split, y, *, usage=None, groups=None, random_state=0, grouped=True):
    """The folds of a split, as index arrays, and a description.

    Parameters
    ----------
    split : None, pair of str, int, float or splitter
        ``None``: the FER2013 split ``("Training", "PublicTest")`` when the data
        have those usages, otherwise 5-fold cross-validation. A pair of usage
        names: train on the rows of the first, test on those of the second. An
        integer ``k >= 2``: stratified k-fold cross-validation, shuffled
        (``StratifiedGroupKFold`` when the data have ``groups`` and ``grouped``,
        else ``StratifiedKFold``). A float in (0, 1): one stratified hold-out of
        about that fraction of the images (with groups and ``grouped``: one fold
        of ``StratifiedGroupKFold(round(1 / split))``, so the fraction is
        approximate; else ``StratifiedShuffleSplit``). Any scikit-learn splitter
        (an object with ``split``): its folds, given the data's ``groups``.
    y : ndarray of shape (n_samples,)
        Labels.
    usage : ndarray of shape (n_samples,) or None
        Usage name of every row.
    groups : ndarray of shape (n_samples,) or None
        Group (subject) of every row.
    random_state : int, default=0
        Seed of the shuffled folds.
    grouped : bool, default=True
        Whether an integer or float ``split`` (or ``None`` without usages) keeps
        each group on one side (subject-independent scores). ``False`` ignores
        the groups, so one subject may be in both training and test sets. No
        effect without ``groups``, nor on usage pairs and splitters.

    Returns
    -------
    folds : list of (ndarray, ndarray)
        Train and test indices.
    description : str

    Raises
    ------
    ValueError
        On a malformed split, an unknown usage, or fewer groups than a
        subject-independent split needs (the message gives both numbers).

    See Also
    --------
    group_overlap : how many groups the folds share between training and test.

    Examples
    --------
    >>> import numpy as np
    >>> from fer_features.benchmark import resolve_split
    >>> y = np.tile([0, 1], 6)
    >>> groups = np.repeat(["ann", "bob", "cy"], 4)
    >>> folds, text = resolve_split(3, y, groups=groups)
    >>> text.split(" (")[0]
    'subject-independent stratified 3-fold cross-validation'
    >>> [sorted(set(groups[test].tolist())) for _, test in folds]
    [['cy'], ['bob'], ['ann']]
    """
    n = len(y)
    use_groups = grouped and groups is not None
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
        from sklearn.model_selection import StratifiedGroupKFold, StratifiedKFold

        k = int(split)
        if k < 2:
            raise ValueError(f"split={k}: k-fold cross-validation needs k >= 2")
        counts = np.unique(y, return_counts=True)[1]
        if counts.max() < k:
            raise ValueError(f"split={k}: every class has fewer than {k} images; use fewer folds")
        if use_groups:
            splitter = StratifiedGroupKFold(n_splits=k, shuffle=True, random_state=random_state)
            folds = _group_folds(
                splitter, y, groups, f"split={k}: subject-independent {k}-fold cross-validation", k
            )
            return folds, (
                f"subject-independent stratified {k}-fold cross-validation "
                f"(StratifiedGroupKFold, {_n_groups(groups)} subjects, shuffled, "
                f"seed {random_state})"
            )
        splitter = StratifiedKFold(n_splits=k, shuffle=True, random_state=random_state)
        folds = list(splitter.split(np.zeros((n, 1)), y))
        return folds, f"stratified {k}-fold cross-validation (shuffled, seed {random_state})"
    if isinstance(split, Real) and not isinstance(split, bool):
        from sklearn.model_selection import StratifiedGroupKFold, StratifiedShuffleSplit

        fraction = float(split)
        if not 0 < fraction < 1:
            raise ValueError(
                f"split={split!r}: a hold-out fraction must lie strictly between 0 and 1"
            )
        if use_groups:
            k = max(2, round(1 / fraction))
            splitter = StratifiedGroupKFold(n_splits=k, shuffle=True, random_state=random_state)
            folds = _group_folds(
                splitter, y, groups, f"split={split!r}: a subject-independent hold-out of 1/{k}", k
            )
            return folds[:1], (
                f"subject-independent stratified hold-out of about 1/{k} of the images "
                f"(one fold of StratifiedGroupKFold({k}), {_n_groups(groups)} subjects, "
                f"seed {random_state})"
            )
        splitter = StratifiedShuffleSplit(n_splits=1, test_size=fraction, random_state=random_state)
        folds = list(splitter.split(np.zeros((n, 1)), y))
        return folds, f"stratified hold-out of {fraction:g} of the images (seed {random_state})"
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
        f"split must be a pair of usage names, an integer k >= 2, a hold-out fraction "
        f"in (0, 1) or a scikit-learn splitter, got {split!r}"
    )


def group_overlap(folds, groups):
    """Whether the folds keep every group (subject) on one side, and how many they share.

    Parameters
    ----------
    folds : list of (ndarray, ndarray)
        Train and test indices.
    groups : ndarray of shape (n_samples,) or None
        Group of every row.

    Returns
    -------
    overlap : dict
        ``split_kind``: ``"subject-independent"`` (no fold has a group in
        both its training and its test set), ``"subjects shared"`` (some fold
        has) or ``"no groups"`` (``groups`` is None); ``n_groups``: the number
        of distinct groups (``None`` without groups); ``shared_groups``: for
        each fold, the number of groups found in both its training and its test
        set (``None`` without groups).

    Examples
    --------
    >>> import numpy as np
    >>> from fer_features.benchmark import group_overlap
    >>> groups = np.array(["a", "a", "b", "b", "c"])
    >>> group_overlap([(np.array([0, 1]), np.array([2, 3, 4]))], groups)["split_kind"]
    'subject-independent'
    >>> group_overlap([(np.array([0, 2]), np.array([1, 3, 4]))], groups)["shared_groups"]
    [2]
    """
    if groups is None:
        return {"split_kind": "no groups", "n_groups": None, "shared_groups": None}
    groups = np.asarray(groups)
    shared = [
        int(len(np.intersect1d(groups[np.asarray(train)], groups[np.asarray(test)])))
        for train, test in folds
    ]
    return {
        "split_kind": "subjects shared" if any(shared) else "subject-independent",
        "n_groups": _n_groups(groups),
        "shared_groups": shared,
    }


def warn_shared_subjects(overlap, description, *, grouped):
    """Warn when the folds of ``overlap`` (see :func:`group_overlap`) share subjects."""
    if overlap["split_kind"] != "subjects shared":
        return
    import warnings

    how = (
        "split='random' (grouped=False; --split random) ignores the subjects"
        if not grouped
        else "give an integer or fraction split, or a group splitter, to keep each "
        "subject on one side"
    )
    warnings.warn(
        f"training and test share subjects: up to {max(overlap['shared_groups'])} of the "
        f"{overlap['n_groups']} subjects (groups) are in both sets of a fold "
        f"({description}), so the scores measure recognising the person as well as the "
        f"expression; {how}",
        UserWarning,
        stacklevel=3,
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
