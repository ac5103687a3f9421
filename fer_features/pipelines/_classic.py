"""Classic FER pipelines: image features, scaling, reduction and a classifier.

Every pipeline built here has the same four steps, so that parameter names are
the same whatever the features and the classifier::

    features -> scale -> reduce -> clf

``features`` is one feature transformer or a ``FeatureUnion`` of several (named
after the features: ``features__lbp__P``), ``scale`` a ``StandardScaler`` or
``"passthrough"``, ``reduce`` a ``PCA`` or ``"passthrough"``, ``clf`` the
classifier (for some, wrapped to give probabilities or to encode labels).
"""

FEATURES = {
    "pixels": "raw grey values",
    "eigenfaces": "eigenfaces (PCA of the faces, 150 whitened components)",
    "lbp": "LBP histograms on a grid of cells",
    "hog": "HOG (histograms of oriented gradients)",
}

CLASSIFIERS = {
    "rf": "random forest (balanced classes)",
    "gb": "histogram gradient boosting",
    "xgb": "XGBoost (balanced classes)",
    "svc": "RBF SVC (balanced classes, probabilities calibrated on a 5% hold-out)",
    "linear-svc": "linear SVC (balanced classes, probabilities calibrated on a 5% hold-out)",
    "logreg": "logistic regression (balanced classes)",
}

# classifiers that work on raw feature scales (trees) versus those that need scaling
_TREES = {"rf", "gb", "xgb"}

# fraction of the variance kept by the PCA in front of the RBF SVC
_SVC_PCA_VARIANCE = 0.95

__all__ = ["FEATURES", "CLASSIFIERS", "make_classic_pipeline", "parse_features"]


def parse_features(features):
    """Split a features name such as ``"lbp+hog"`` into its parts.

    Parameters
    ----------
    features : str
        One of :data:`FEATURES`, or several joined by ``+``.

    Returns
    -------
    parts : list of str

    Raises
    ------
    ValueError
        If a part is unknown or repeated.

    Examples
    --------
    >>> from fer_features.pipelines import parse_features
    >>> parse_features("lbp+hog")
    ['lbp', 'hog']
    """
    if not isinstance(features, str) or not features:
        raise ValueError(f"features must be a name such as 'lbp' or 'lbp+hog', got {features!r}")
    parts = features.split("+")
    for part in parts:
        if part not in FEATURES:
            raise ValueError(
                f"unknown features {part!r} in {features!r}; choose from "
                f"{', '.join(FEATURES)} or several joined by '+' (e.g. 'lbp+hog')"
            )
    repeated = sorted({p for p in parts if parts.count(p) > 1})
    if repeated:
        raise ValueError(f"features {features!r} names {repeated[0]!r} twice")
    return parts


def _feature_transformer(name, image_shape, random_state):
    if name == "pixels":
        return "passthrough"
    from ..features import EigenfaceTransformer, HOGTransformer, LBPTransformer

    if name == "eigenfaces":
        return EigenfaceTransformer(
            n_components=150, whiten=True, image_shape=image_shape, random_state=random_state
        )
    if name == "lbp":
        return LBPTransformer(
            P=8, R=1, method="nri_uniform", grid_shape=(6, 6), image_shape=image_shape
        )
    if name == "hog":
        return HOGTransformer(
            orientations=9, pixels_per_cell=(8, 8), cells_per_block=(2, 2), image_shape=image_shape
        )
    raise ValueError(f"unknown features {name!r}")  # pragma: no cover - parsed before


def _classifier(name, random_state):
    from ._calibration import calibrated

    if name == "rf":
        from sklearn.ensemble import RandomForestClassifier

        return RandomForestClassifier(
            n_estimators=300, class_weight="balanced_subsample", random_state=random_state
        )
    if name == "gb":
        from sklearn.ensemble import HistGradientBoostingClassifier

        # no class weights: with them, scikit-learn 1.9's histogram boosting fitted
        # 7 to 15 times slower in our measurements (weighted hessians)
        return HistGradientBoostingClassifier(
            max_iter=200, learning_rate=0.1, random_state=random_state
        )
    if name == "xgb":
        from xgboost import XGBClassifier

        from ._label_encoding import LabelEncodedClassifier

        return LabelEncodedClassifier(
            XGBClassifier(
                n_estimators=200,
                max_depth=6,
                learning_rate=0.1,
                subsample=0.8,
                colsample_bytree=0.5,
                tree_method="hist",
                random_state=random_state,
            ),
            class_weight="balanced",
        )
    if name == "svc":
        from sklearn.svm import SVC

        # SVC(probability=True) is deprecated since scikit-learn 1.9; temperature
        # scaling of the decision function keeps SVC's own argmax. One SVC fit.
        return calibrated(
            SVC(C=1.0, gamma="scale", class_weight="balanced"), random_state=random_state
        )
    if name == "linear-svc":
        from sklearn.svm import LinearSVC

        return calibrated(
            LinearSVC(C=0.01, class_weight="balanced", max_iter=5000, random_state=random_state),
            random_state=random_state,
        )
    if name == "logreg":
        from sklearn.linear_model import LogisticRegression

        return LogisticRegression(C=0.01, class_weight="balanced", max_iter=2000)
    raise ValueError(f"unknown classifier {name!r}; choose from {', '.join(CLASSIFIERS)}")


def make_classic_pipeline(
    features=None, classifier=None, *, image_shape=None, random_state=0, **params
):
    """Build a classic FER pipeline: image features, scaling, PCA, classifier.

    The pipeline has four steps, ``features``, ``scale``, ``reduce`` and ``clf``
    (unused ones are ``"passthrough"``), with these defaults:

    ============ =============================================================
    features     ``pixels``: the grey values as they are; ``eigenfaces``:
                 :class:`~fer_features.EigenfaceTransformer` (150 whitened
                 components); ``lbp``: :class:`~fer_features.LBPTransformer`
                 (8 neighbours, radius 1, ``nri_uniform``, 6x6 cells); ``hog``:
                 :class:`~fer_features.HOGTransformer` (9 orientations, 8x8-pixel
                 cells, 2x2 blocks); ``"lbp+hog"`` etc.: their ``FeatureUnion``.
    scale        ``StandardScaler`` for SVCs and logistic regression, none for
                 trees (they do not need it).
    reduce       ``PCA`` keeping 95 % of the variance in front of the RBF SVC
                 on LBP / HOG features (the kernel's cost grows with the number
                 of features, and the discarded directions are mostly noise);
                 none otherwise (eigenfaces are already a PCA, ``pixels`` is the
                 raw baseline, trees and linear models handle many features).
    clf          ``rf``: ``RandomForestClassifier(300 trees)``; ``gb``:
                 ``HistGradientBoostingClassifier``; ``xgb``: ``XGBClassifier``
                 inside :class:`LabelEncodedClassifier` (any label type);
                 ``svc``: RBF ``SVC(C=1)``; ``linear-svc``: ``LinearSVC``;
                 ``logreg``: ``LogisticRegression``. All but ``gb`` with
                 balanced class weights (FER2013 has 16 times more Happy than
                 Disgust faces); ``gb`` has none because they made scikit-learn
                 1.9's histogram boosting fit 7 to 15 times slower here.
                 The SVCs sit in ``CalibratedClassifierCV(method="temperature")``
                 fitted on a stratified 5% hold-out (at least one image per
                 class), so that every pipeline has ``predict_proba`` for the
                 cost of one SVC fit, on 95% of the images.
    ============ =============================================================

    Parameters
    ----------
    features : str or None, default=None
        ``"pixels"``, ``"eigenfaces"``, ``"lbp"``, ``"hog"`` or several joined by
        ``+`` (``"lbp+hog"``). ``None`` with ``classifier=None`` returns the
        recommended pipeline (:func:`make_recommended_pipeline`); ``None`` with a
        classifier means ``"lbp"``.
    classifier : str or None, default=None
        ``"rf"``, ``"gb"``, ``"xgb"``, ``"svc"``, ``"linear-svc"`` or
        ``"logreg"``. ``None`` with features given means ``"svc"``.
    image_shape : tuple of (int, int) or None, default=None
        Set on every feature transformer; ``None`` reads each row as a square image.
    random_state : int or None, default=0
        Seed of the randomised steps.
    **params : dict
        Set on the pipeline afterwards with the usual ``step__param`` names, e.g.
        ``clf__estimator__C=1.0`` or ``features__lbp__grid_shape=(8, 8)``.

    Returns
    -------
    pipeline : sklearn.pipeline.Pipeline or sklearn.ensemble.VotingClassifier
        Unfitted; the recommended one is a ``VotingClassifier`` of two
        pipelines.

    See Also
    --------
    make_estimator : the same pipelines by name (``"lbp-svc"``), plus ``"cnn"``.
    param_grid : a grid of parameters to search for a pipeline.

    Examples
    --------
    >>> from fer_features.pipelines import make_classic_pipeline
    >>> pipe = make_classic_pipeline("lbp+hog", "logreg", clf__C=0.1)
    >>> [name for name, _ in pipe.steps]
    ['features', 'scale', 'reduce', 'clf']
    >>> [name for name, _ in pipe.named_steps["features"].transformer_list]
    ['lbp', 'hog']
    >>> pipe.named_steps["clf"].C
    0.1
    """
    from sklearn.decomposition import PCA
    from sklearn.pipeline import FeatureUnion, Pipeline
    from sklearn.preprocessing import StandardScaler

    if features is None and classifier is None:
        from ._recommended import make_recommended_pipeline

        pipeline = make_recommended_pipeline(random_state=random_state)
        if image_shape is not None:
            _set_image_shape(pipeline, image_shape)
        if params:
            pipeline.set_params(**params)
        return pipeline
    features = "lbp" if features is None else features
    classifier = "svc" if classifier is None else classifier
    parts = parse_features(features)
    if classifier not in CLASSIFIERS:
        raise ValueError(f"unknown classifier {classifier!r}; choose from {', '.join(CLASSIFIERS)}")
    if len(parts) == 1:
        feature_step = _feature_transformer(parts[0], image_shape, random_state)
    else:
        feature_step = FeatureUnion(
            [(p, _feature_transformer(p, image_shape, random_state)) for p in parts]
        )
    scale = "passthrough" if classifier in _TREES else StandardScaler()
    reduce = "passthrough"
    if classifier == "svc" and not set(parts) <= {"pixels", "eigenfaces"}:
        reduce = PCA(n_components=_SVC_PCA_VARIANCE, svd_solver="full", random_state=random_state)
    pipeline = Pipeline(
        [
            ("features", feature_step),
            ("scale", scale),
            ("reduce", reduce),
            ("clf", _classifier(classifier, random_state)),
        ]
    )
    if params:
        pipeline.set_params(**params)
    return pipeline


def _set_image_shape(estimator, image_shape):
    """Set ``image_shape`` on every step of ``estimator`` that has the parameter."""
    keys = [
        k
        for k in estimator.get_params(deep=True)
        if k == "image_shape" or k.endswith("__image_shape")
    ]
    estimator.set_params(**{k: image_shape for k in keys})
