"""The recommended classic pipeline for 48x48 faces.

:func:`make_recommended_pipeline` is what ``make_classic_pipeline()`` (no
arguments) and the estimator name ``classic`` return. It was chosen by
measurement on FER2013 (Training -> PublicTest); ``benchmarks/RESULTS.md`` has
the tables and the variations tried.
"""

__all__ = ["make_recommended_pipeline"]


def make_recommended_pipeline(**params):
    """Return the recommended classic pipeline for 48x48 grey faces.

    The recipe: two LBP histogram blocks on a 6x6 grid of cells, (8
    neighbours, radius 1, ``nri_uniform``, 2,124 values) and (16 neighbours,
    radius 2, ``uniform``, 648 values), and LGBP histograms (LBP (8, 1,
    ``uniform``) on the same grid of the magnitudes of 8 Gabor filters, 2
    frequencies x 4 orientations, 2,880 values), each passed through a square
    root (Hellinger map), side by side with HOG (9 orientations, 8x8-pixel
    cells, 2x2-cell blocks, 900 values); standard scaling; PCA to 450
    components; an RBF SVC (``C=10``, ``gamma="scale"``, 1 GB kernel cache)
    whose decision values are turned into probabilities by temperature scaling,
    fitted on a stratified 5% of the training images held out from the SVC.

    Measured on FER2013, trained on all of Training (28,709 faces) and scored
    on PublicTest (3,589): accuracy 0.6135, macro-F1 0.607, a fit of about 6
    minutes in one thread. ``benchmarks/RESULTS.md`` has the measurements
    behind each step and the variations that were tried and not kept.

    The pipeline needs at least 450 training images for its PCA and 140 for
    the 5% calibration hold-out; for fewer, pass e.g.
    ``reduce__n_components=50`` and ``clf__cv=3``.

    Parameters
    ----------
    **params
        Set on the pipeline's steps with the usual ``step__param`` names,
        e.g. ``clf__estimator__C=10`` or ``features__hog__pixels_per_cell=(6, 6)``.

    Returns
    -------
    pipeline : sklearn.pipeline.Pipeline
        Unfitted; ``X`` is ``(n_samples, height * width)`` flattened grey
        images (48x48 for FER2013), or ``(n_samples, height, width)``.

    See Also
    --------
    fer_features.pipelines.make_classic_pipeline : returns this pipeline when
        called without arguments.

    Examples
    --------
    >>> from fer_features.pipelines import make_recommended_pipeline
    >>> pipe = make_recommended_pipeline(reduce__n_components=100)
    >>> [name for name, _ in pipe.steps]
    ['features', 'scale', 'reduce', 'clf']
    >>> pipe.named_steps["reduce"].n_components
    100
    """
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.decomposition import PCA
    from sklearn.model_selection import StratifiedShuffleSplit
    from sklearn.pipeline import FeatureUnion, Pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.svm import SVC

    from ..features import (
        HellingerTransformer,
        HOGTransformer,
        LBPTransformer,
        LGBPTransformer,
    )

    def lbp(P, R, method):
        return Pipeline([
            ("codes", LBPTransformer(P=P, R=R, method=method, grid_shape=(6, 6))),
            ("sqrt", HellingerTransformer(power=0.5)),
        ])

    features = FeatureUnion([
        ("lbp", lbp(8, 1, "nri_uniform")),
        ("hog", HOGTransformer(orientations=9, pixels_per_cell=(8, 8),
                               cells_per_block=(2, 2))),
        ("lbp16", lbp(16, 2, "uniform")),
        ("lgbp", Pipeline([
            ("codes", LGBPTransformer(frequencies=(0.25, 0.125), n_orientations=4,
                                      P=8, R=1, method="uniform", grid_shape=(6, 6))),
            ("sqrt", HellingerTransformer(power=0.5)),
        ])),
    ])
    holdout = StratifiedShuffleSplit(n_splits=1, test_size=0.05, random_state=0)
    pipeline = Pipeline([
        ("features", features),
        ("scale", StandardScaler()),
        ("reduce", PCA(n_components=450, random_state=0)),
        ("clf", CalibratedClassifierCV(
            SVC(kernel="rbf", C=10.0, gamma="scale", cache_size=1000),
            method="temperature", cv=holdout)),
    ])
    if params:
        pipeline.set_params(**params)
    return pipeline
