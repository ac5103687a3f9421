"""Parameter grids for the named pipelines, and a grid-search helper."""

import sys
import tempfile

__all__ = ["pipeline_param_grid", "pipeline_grid_search"]

# values to search, per estimator class name; keys are that class's own parameters
_GRIDS = {
    "LBPTransformer": {"grid_shape": [(6, 6), (8, 8)]},
    "HOGTransformer": {"pixels_per_cell": [(6, 6), (8, 8)]},
    "EigenfaceTransformer": {"n_components": [60, 150]},
    "PCA": {"n_components": [0.9, 0.95]},
    "SVC": {"C": [1.0, 10.0, 100.0]},
    "LinearSVC": {"C": [0.001, 0.01, 0.1]},
    "LogisticRegression": {"C": [0.001, 0.01, 0.1]},
    "RandomForestClassifier": {"max_features": ["sqrt", 0.1], "min_samples_leaf": [1, 3]},
    "HistGradientBoostingClassifier": {"learning_rate": [0.05, 0.1], "max_leaf_nodes": [15, 31]},
    "XGBClassifier": {"max_depth": [4, 6], "learning_rate": [0.1, 0.3]},
    # the CNN (defined in fer_features.deep; known here by its class name only)
    "KerasCNNClassifier": {"learning_rate": [1e-3, 3e-4], "batch_size": [32, 64]},
}


def _grid_for(estimator, prefix=""):
    """The grid of ``estimator`` and everything inside it, keys prefixed."""
    from sklearn.pipeline import FeatureUnion, Pipeline

    grid = {}
    if estimator is None or isinstance(estimator, str):  # "passthrough", "drop"
        return grid
    if isinstance(estimator, Pipeline):
        for name, step in estimator.steps:
            grid.update(_grid_for(step, f"{prefix}{name}__"))
        return grid
    if isinstance(estimator, FeatureUnion):
        for name, transformer in estimator.transformer_list:
            grid.update(_grid_for(transformer, f"{prefix}{name}__"))
        return grid
    inner = getattr(estimator, "estimator", None)
    if inner is not None and hasattr(inner, "get_params"):  # meta-estimators
        grid.update(_grid_for(inner, f"{prefix}estimator__"))
    own = _GRIDS.get(type(estimator).__name__, {})
    grid.update({f"{prefix}{key}": list(values) for key, values in own.items()})
    return grid


def _no_name(estimator):
    if isinstance(estimator, str):
        raise TypeError(
            f"got the estimator name {estimator!r}; pass an estimator, or use "
            f"fer_features.param_grid / fer_features.grid_search, which accept names"
        )


def pipeline_param_grid(estimator):
    """A ready parameter grid for ``GridSearchCV`` / ``HalvingGridSearchCV``.

    The grid is assembled from the steps of the pipeline: each feature
    transformer, PCA and classifier it contains contributes a few values of its
    most influential parameters (e.g. the LBP cell grid, the HOG cell size, the
    number of eigenfaces, the SVC's ``C``, the trees' depth or learning rate).
    Grids are kept small (a few dozen combinations at most): they are meant to
    be run on two cores.

    Parameters
    ----------
    estimator : estimator
        An estimator, such as a pipeline from :func:`make_classic_pipeline` or
        the recommended one (:func:`fer_features.registry.param_grid` also
        takes estimator names).

    Returns
    -------
    grid : dict of str to list
        Parameter names (``step__param``) to the values to try; every key is a
        parameter of the estimator.

    Raises
    ------
    ValueError
        If nothing in the estimator has a known grid.

    Examples
    --------
    >>> from fer_features.pipelines import make_classic_pipeline, pipeline_param_grid
    >>> pipeline_param_grid(make_classic_pipeline("lbp", "svc"))
    {'features__grid_shape': [(6, 6), (8, 8)], 'reduce__n_components': [0.9, 0.95], \
'clf__estimator__C': [1.0, 10.0, 100.0]}
    """
    _no_name(estimator)
    return _grid_of(estimator)


def _is_texture(estimator):
    """Whether ``estimator`` is built like the texture pipeline (:func:`make_texture_pipeline`)."""
    from sklearn.pipeline import Pipeline

    from ._batched import BatchedFeatureUnion
    from ._recommended import CappedPCA

    return (
        isinstance(estimator, Pipeline)
        and isinstance(estimator.steps[0][1], BatchedFeatureUnion)
        and isinstance(estimator.named_steps.get("reduce"), CappedPCA)
    )


def _is_recommended(estimator):
    """Whether ``estimator`` is built like the recommended pipeline (a vote of both halves)."""
    from sklearn.ensemble import VotingClassifier

    return (
        isinstance(estimator, VotingClassifier)
        and [name for name, _ in estimator.estimators] == ["texture", "words"]
        and _is_texture(estimator.estimators[0][1])
    )


def _grid_of(estimator):
    from ._recommended import RECOMMENDED_GRID, TEXTURE_GRID

    for built_like, grid in [(_is_recommended, RECOMMENDED_GRID), (_is_texture, TEXTURE_GRID)]:
        if built_like(estimator):
            return {key: list(values) for key, values in grid.items()}
    grid = _grid_for(estimator)
    if not grid:
        raise ValueError(
            f"no parameter grid is known for {type(estimator).__name__}; pass "
            f"param_grid=... yourself"
        )
    return grid


def pipeline_grid_search(
    estimator,
    X,
    y,
    *,
    param_grid=None,
    cv=5,
    n_jobs=None,
    verbose=1,
    halving=False,
    groups=None,
    random_state=0,
):
    """Search a parameter grid with macro-F1 scoring and stratified folds.

    Macro-F1 weighs every expression equally, so a search cannot win by
    predicting Happy more often; the folds keep the class proportions.

    Features are computed once per feature setting: for the texture
    pipeline (whose features learn nothing from the images) they are computed
    once for all images and the search runs on the steps after them; other
    pipelines are searched with ``Pipeline(memory=...)`` in a temporary
    directory, so that candidates differing only in later steps reuse each
    fold's features.

    Parameters
    ----------
    estimator : estimator
        The estimator (:func:`fer_features.registry.grid_search` also takes
        estimator names).
    X : array-like of shape (n_samples, n_features)
        Images in the library's convention (flattened rows).
    y : array-like of shape (n_samples,)
        Labels.
    param_grid : dict or list of dict, default=None
        The grid; ``None`` uses :func:`pipeline_param_grid` of the estimator.
    cv : int or cross-validation splitter, default=5
        An integer means ``StratifiedKFold(cv, shuffle=True)`` seeded with
        ``random_state``.
    n_jobs : int or None, default=None
        Parallel fits (candidates x folds), as ``GridSearchCV``'s. Inside
        ``joblib.parallel_config(backend="dask")`` with a
        ``dask.distributed.Client`` connected, they run on the Dask cluster
        (``None`` then means all its workers; ``pip install
        'fer_features[dask]'``), with the same scores as here, e.g.::

            import joblib
            from dask.distributed import Client

            client = Client("tcp://scheduler-host:8786")
            with joblib.parallel_config(backend="dask"):
                search = pipeline_grid_search(make_classic_pipeline("lbp", "svc"), X, y)

        On a cluster the features of a fold are not cached between candidates
        (the cache folder would be on this machine only); give the pipeline a
        ``memory`` on a file system all workers share to cache them.
    verbose : int, default=1
        Progress: 0 is silent; 1 prints the number of candidates and the best
        result (stderr) and scikit-learn's own summary (stdout); 2 and more add
        scikit-learn's line per fit with its time and score.
    halving : bool, default=False
        Use successive halving (``HalvingGridSearchCV``: candidates are first
        tried on a small part of the data and only the best go on), much
        cheaper for large grids.
    groups : array-like of shape (n_samples,), default=None
        Group labels for group-aware splitters (e.g. subject ids).
    random_state : int, default=0
        Seed of the folds (and of the halving subsamples).

    Returns
    -------
    search : GridSearchCV or HalvingGridSearchCV
        Fitted; ``best_estimator_`` is the whole pipeline refitted on all of
        ``X`` (for the texture pipeline, ``search.estimator`` is the part
        searched on the precomputed features).

    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> from sklearn.linear_model import LogisticRegression
    >>> from fer_features.pipelines import pipeline_grid_search
    >>> X, y = make_classification(n_samples=60, random_state=0)
    >>> search = pipeline_grid_search(LogisticRegression(), X, y, param_grid={"C": [0.1, 1]},
    ...                      cv=3, verbose=0)
    >>> search.scoring, search.cv_results_["params"]
    ('f1_macro', [{'C': 0.1}, {'C': 1}])
    """
    from sklearn.base import clone
    from sklearn.model_selection import GridSearchCV, StratifiedKFold
    from sklearn.pipeline import Pipeline

    _no_name(estimator)
    if param_grid is None:
        param_grid = _grid_of(estimator)
    if isinstance(cv, int) and not isinstance(cv, bool):
        cv = StratifiedKFold(n_splits=cv, shuffle=True, random_state=random_state)
    options = dict(
        scoring="f1_macro", cv=cv, n_jobs=n_jobs, verbose=verbose, error_score="raise", refit=True
    )
    fixed = _fixed_features(estimator, param_grid)
    cache = None
    if fixed is not None:
        # features that learn nothing from the images, and a grid that leaves them
        # alone: computed once for all images, the search runs on the rest
        name, features = fixed
        features = clone(features)
        X = features.fit_transform(X, y)
        searched = Pipeline(estimator.steps[1:])
    elif isinstance(estimator, Pipeline) and estimator.memory is None and _fits_run_here():
        # each step's fit on a fold is cached: candidates that differ only in
        # later steps reuse the features of the fold (in a folder of this
        # machine: not when the fits run on a Dask cluster)
        cache = tempfile.TemporaryDirectory(prefix="fer_features_grid_")
        searched = clone(estimator).set_params(memory=cache.name)
    else:
        searched = estimator
    if halving:
        from sklearn.experimental import enable_halving_search_cv  # noqa: F401
        from sklearn.model_selection import HalvingGridSearchCV

        search = HalvingGridSearchCV(searched, param_grid, random_state=random_state, **options)
    else:
        search = GridSearchCV(searched, param_grid, **options)
    if verbose:
        n = len(list(_iter_candidates(param_grid)))
        print(
            f"[grid_search] {type(estimator).__name__}: {n} candidates, scoring macro-F1",
            file=sys.stderr,
        )
    try:
        search.fit(X, y, groups=groups)
    finally:
        if cache is not None:
            search.estimator.set_params(memory=None)
            if hasattr(search, "best_estimator_"):
                search.best_estimator_.set_params(memory=None)
            cache.cleanup()
    if fixed is not None:
        search.best_estimator_ = Pipeline([(name, features), *search.best_estimator_.steps])
    if verbose:
        print(
            f"[grid_search] best macro-F1 {search.best_score_:.4f} with {search.best_params_}",
            file=sys.stderr,
        )
    return search


def _fits_run_here():
    """Whether joblib's active backend runs its tasks on this machine (not on Dask)."""
    from joblib.parallel import get_active_backend

    backend, _ = get_active_backend()
    return not type(backend).__name__.startswith("Dask")


def _fixed_features(estimator, grid):
    """``(name, step)`` of a first step to compute once for a search, or None.

    Only a :class:`BatchedFeatureUnion` (features that learn nothing from the
    images but their shape) that no key of the grid changes.
    """
    from sklearn.pipeline import Pipeline

    from ._batched import BatchedFeatureUnion

    if not isinstance(estimator, Pipeline) or len(estimator.steps) < 2:
        return None
    name, first = estimator.steps[0]
    if not isinstance(first, BatchedFeatureUnion):
        return None
    grids = grid if isinstance(grid, list) else [grid]
    if any(key == name or key.startswith(f"{name}__") for g in grids for key in g):
        return None
    return name, first


def _iter_candidates(grid):
    from sklearn.model_selection import ParameterGrid

    return iter(ParameterGrid(grid))
