"""The recommended classic pipeline for 48x48 faces, and its two halves.

:func:`make_recommended_pipeline` is what ``make_classic_pipeline()`` (no
arguments) and the estimator name ``classic`` return: the soft vote of
:func:`make_texture_pipeline` (LBP, LGBP and HOG histograms, RBF SVC) and
:func:`make_words_pipeline` (dense SIFT and Gabor visual words, linear model,
mirror images). It was chosen by measurement on FER2013 (a validation split of
Training, then PublicTest); ``benchmarks/RESULTS.md`` has the tables and the
variations tried.
"""

from numbers import Integral

from sklearn.decomposition import PCA

__all__ = ["make_recommended_pipeline", "make_texture_pipeline", "make_words_pipeline"]

# the recipe's own setting is one candidate of its grid (see param_grid)
TEXTURE_GRID = {
    "reduce__n_components": [300, 450],
    "clf__estimator__C": [5.0, 10.0],
}
RECOMMENDED_GRID = {
    "texture__clf__estimator__C": [5.0, 10.0],
    "words__estimator__clf__alpha": [1e-5, 3e-5],
}


class CappedPCA(PCA):
    """``PCA`` that keeps at most as many components as the data allow.

    An integer ``n_components`` larger than ``min(n_samples, n_features)`` of
    the data given to ``fit`` is reduced to that number for this fit (the
    parameter itself is left as set); ``n_components_`` says how many were kept.
    Everything else is scikit-learn's ``PCA``.
    """

    def _fit(self, X):
        requested = self.n_components
        limit = min(X.shape)
        if isinstance(requested, Integral) and requested > limit:
            self.n_components = limit
            try:
                return super()._fit(X)
            finally:
                self.n_components = requested
        return super()._fit(X)


def make_texture_pipeline(*, random_state=0, **params):
    """Return the texture half of the recommended classic pipeline (LBP, LGBP, HOG, RBF SVC).

    Two LBP histogram blocks on a 6x6 grid of cells, (8 neighbours, radius 1,
    ``nri_uniform``, 2,124 values) and (16 neighbours, radius 2, ``uniform``,
    648 values), and LGBP histograms (LBP (8, 1, ``uniform``) on the same
    grid of the magnitudes of 8 Gabor filters, 2 frequencies x 4
    orientations, 2,880 values), each passed through a square root
    (Hellinger map), side by side with HOG (9 orientations, 8x8-pixel cells,
    2x2-cell blocks, 900 values); standard scaling; PCA to 450 components; an
    RBF SVC (``C=10``, ``gamma="scale"``, 1 GB kernel cache) whose decision
    values are turned into probabilities by temperature scaling, fitted on a
    stratified 5% of the training images held out from the SVC (one SVC fit).

    It adapts to the data it is given: the PCA keeps at most
    ``min(n_samples, n_features)`` components (:class:`CappedPCA`), and the
    hold-out has at least one image of each class, so that it fits any data
    set with at least 2 images per class (3 or more leave the SVC 2 per
    class). Features are computed a thousand images at a time into one float32
    array (:class:`BatchedFeatureUnion`), and scaling and PCA work in place on
    it: the fit on all of FER2013 Training peaks under 3 GiB of memory.

    Measured on FER2013, trained on all of Training (28,709 faces) and scored
    on PublicTest (3,589): accuracy 0.6135, macro-F1 0.607, a fit of about 6
    minutes in one thread (it was the recommended pipeline until the visual
    words joined it). ``benchmarks/RESULTS.md`` has the measurements behind
    each step and the variations that were tried and not kept.

    Parameters
    ----------
    random_state : int or None, default=0
        Seed of the PCA's randomised SVD and of the calibration hold-out.
    **params
        Set on the pipeline's steps with the usual ``step__param`` names,
        e.g. ``clf__estimator__C=10`` or
        ``features__hog__pixels_per_cell=(6, 6)``.

    Returns
    -------
    pipeline : sklearn.pipeline.Pipeline
        Unfitted; ``X`` is ``(n_samples, height * width)`` flattened grey
        images (48x48 for FER2013), or ``(n_samples, height, width)``.

    See Also
    --------
    make_recommended_pipeline : averages its probabilities with the visual
        words' (:func:`make_words_pipeline`).

    Examples
    --------
    >>> from fer_features.pipelines import make_texture_pipeline
    >>> pipe = make_texture_pipeline(reduce__n_components=100)
    >>> [name for name, _ in pipe.steps]
    ['features', 'scale', 'reduce', 'clf']
    >>> pipe.named_steps["reduce"].n_components
    100
    """
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.svm import SVC

    from ..features import (
        HellingerTransformer,
        HOGTransformer,
        LBPTransformer,
        LGBPTransformer,
    )
    from ._batched import BatchedFeatureUnion
    from ._calibration import calibrated

    def histograms(codes):
        return Pipeline([("codes", codes), ("sqrt", HellingerTransformer(power=0.5))])

    # a thousand faces at a time into one float32 array: the transformers' work
    # arrays (Gabor responses, float64 histograms) are those of one batch
    features = BatchedFeatureUnion(
        [
            ("lbp", histograms(LBPTransformer(P=8, R=1, method="nri_uniform", grid_shape=(6, 6)))),
            ("hog", HOGTransformer(orientations=9, pixels_per_cell=(8, 8), cells_per_block=(2, 2))),
            ("lbp16", histograms(LBPTransformer(P=16, R=2, method="uniform", grid_shape=(6, 6)))),
            (
                "lgbp",
                histograms(
                    LGBPTransformer(
                        frequencies=(0.25, 0.125),
                        n_orientations=4,
                        P=8,
                        R=1,
                        method="uniform",
                        grid_shape=(6, 6),
                    )
                ),
            ),
        ],
        batch_size=1000,
    )
    pipeline = Pipeline(
        [
            ("features", features),
            # in place: the features are the pipeline's own array
            ("scale", StandardScaler(copy=False)),
            ("reduce", CappedPCA(n_components=450, copy=False, random_state=random_state)),
            (
                "clf",
                calibrated(
                    SVC(kernel="rbf", C=10.0, gamma="scale", cache_size=1000),
                    random_state=random_state,
                ),
            ),
        ]
    )
    if params:
        pipeline.set_params(**params)
    return pipeline


def make_words_pipeline(*, random_state=0, **params):
    """Return the visual-word half of the recommended classic pipeline.

    :class:`~fer_features.DenseSIFTWords` with two kinds of descriptor,
    ``descriptors=("sift", "gabor")``: dense SIFT-style descriptors (gradient
    orientations) and the magnitudes of 8 Gabor filters pooled in the same
    cells, every 2 pixels with cells of 2, 3, 4 and 5 pixels (patches of 8 to
    20 pixels), a vocabulary of 4,096 words per kind and cell size, square
    roots of the word counts over 3x3 and 6x6 grids (1,474,560 sparse columns,
    about 3,940 non-zero per 48x48 face), and one linear model on both kinds
    of words: ``SGDClassifier(loss="log_loss", alpha=1e-5)``, 15 epochs,
    averaged weights, one-vs-rest probabilities. The words are float32 CSR and
    ``SGDClassifier`` learns on them as they are, without a copy. The whole
    pipeline sits in :class:`MirrorAugmentedClassifier`: it learns from each
    face and its mirror image, and averages each face's probabilities with its
    mirror image's.

    Measured on FER2013 (``benchmarks/classic_bovw.py``, RESULTS.md): chosen
    on a validation split of Training, where the Gabor words, weak alone (0.58),
    lifted the SIFT words' vote with :func:`make_texture_pipeline` from 0.648
    to 0.653, and the 20-pixel patches (cells of 5 pixels) lifted it to 0.660;
    trained on all of Training, 0.632 alone on PublicTest (0.627 without the
    20-pixel patches, 0.618 with the SIFT words only), in a fit of 4.6 minutes
    on two cores whose words take about 1.8 GB. Its linear model has 7 x
    1,474,560 weights, which a model file holds.

    Parameters
    ----------
    random_state : int or None, default=0
        Seed of the vocabularies (descriptor sample and k-means) and of the
        linear model's shuffling.
    **params
        Set with the usual names, e.g. ``estimator__words__branching=96``
        or ``estimator__clf__alpha=3e-5``.

    Returns
    -------
    classifier : MirrorAugmentedClassifier
        Unfitted; ``X`` is ``(n_samples, height * width)`` flattened grey
        images (48x48 for FER2013), or ``(n_samples, height, width)``.

    See Also
    --------
    make_recommended_pipeline : averages its probabilities with the texture
        pipeline's.

    Examples
    --------
    >>> from fer_features.pipelines import make_words_pipeline
    >>> model = make_words_pipeline(estimator__words__branching=8)
    >>> [name for name, _ in model.estimator.steps]
    ['words', 'clf']
    """
    from sklearn.linear_model import SGDClassifier
    from sklearn.pipeline import Pipeline

    from ..features import DenseSIFTWords
    from ._mirror import MirrorAugmentedClassifier

    model = MirrorAugmentedClassifier(
        Pipeline(
            [
                (
                    "words",
                    DenseSIFTWords(
                        bin_sizes=(2, 3, 4, 5),
                        descriptors=("sift", "gabor"),
                        random_state=random_state,
                    ),
                ),
                (
                    "clf",
                    SGDClassifier(
                        loss="log_loss",
                        alpha=1e-5,
                        max_iter=15,
                        tol=None,
                        average=True,
                        random_state=random_state,
                    ),
                ),
            ]
        )
    )
    if params:
        model.set_params(**params)
    return model


def make_recommended_pipeline(*, random_state=0, **params):
    """Return the recommended classic pipeline for 48x48 grey faces.

    The mean of the probabilities of two classifiers that see the faces
    differently (scikit-learn's ``VotingClassifier(voting="soft")``):

    ``texture``
        :func:`make_texture_pipeline`: LBP, LGBP and HOG histograms, PCA and
        an RBF SVC.
    ``words``
        :func:`make_words_pipeline`: visual words of dense SIFT-style and
        Gabor descriptors in a spatial pyramid and a linear model, trained on
        the faces and their mirror images.

    Measured on FER2013 (``benchmarks/classic_bovw.py``, ``benchmarks/RESULTS.md``):
    chosen on a validation split of Training, then trained on all of Training
    (28,709 faces) and scored on PublicTest (3,589): **0.650** accuracy and
    0.639 macro-F1, against 0.6135 and 0.607 for the texture pipeline alone
    (``random_state=1``: 0.648 and 0.634; the seed moves the score by a few
    tenths of a point).
    The halves are fitted in turn: the fit took 8.8 minutes on two cores and
    peaked at 2.7 GiB of resident memory. Prediction takes about 8 ms per
    face.

    Parameters
    ----------
    random_state : int or None, default=0
        Seed of both halves.
    **params
        Set with the usual names: ``texture__reduce__n_components=300``,
        ``words__estimator__clf__alpha=3e-5``, ``weights=[2, 1]``.

    Returns
    -------
    classifier : sklearn.ensemble.VotingClassifier
        Unfitted; ``X`` is ``(n_samples, height * width)`` flattened grey
        images (48x48 for FER2013), or ``(n_samples, height, width)``.

    See Also
    --------
    fer_features.pipelines.make_classic_pipeline : returns this pipeline when
        called without arguments.

    Examples
    --------
    >>> from fer_features.pipelines import make_recommended_pipeline
    >>> model = make_recommended_pipeline(texture__reduce__n_components=100)
    >>> [name for name, _ in model.estimators]
    ['texture', 'words']
    >>> model.voting
    'soft'
    """
    from sklearn.ensemble import VotingClassifier

    model = VotingClassifier(
        [
            ("texture", make_texture_pipeline(random_state=random_state)),
            ("words", make_words_pipeline(random_state=random_state)),
        ],
        voting="soft",
    )
    if params:
        model.set_params(**params)
    return model
