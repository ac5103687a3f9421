"""The recommended classic pipeline for 48x48 faces.

PROVISIONAL: the recipe below is a first guess (LBP + HOG union, power
normalisation, scaling, PCA, RBF SVC); it will be replaced by the recipe chosen
by measurement on FER2013, with its figures.
"""

from numbers import Real

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin, _fit_context
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted, validate_data

__all__ = ["HellingerTransformer", "make_recommended_pipeline"]


class HellingerTransformer(TransformerMixin, BaseEstimator):
    """Power-normalise features: ``sign(x) * |x| ** power``, optionally L2 per row.

    With ``power=0.5`` on histogram features (LBP codes, HOG cells) this is the
    Hellinger map: a linear or RBF model on the result behaves like one using the
    Bhattacharyya similarity between histograms, which suits histograms better
    than Euclidean distance.

    Parameters
    ----------
    power : float, default=0.5
        Exponent applied to the absolute values; 1 leaves them unchanged.
    norm : {"l2", None}, default=None
        Normalise each output row to unit L2 length after the power map.

    Attributes
    ----------
    n_features_in_ : int
        Number of features seen during ``fit``.
    feature_names_in_ : ndarray of str
        Names of the features seen during ``fit``, when they are all strings.

    Examples
    --------
    >>> import numpy as np
    >>> from fer_features.pipelines._recommended import HellingerTransformer
    >>> HellingerTransformer().fit_transform(np.array([[4.0, -9.0, 0.25]]))
    array([[ 2. , -3. ,  0.5]])
    """

    _parameter_constraints = {
        "power": [Interval(Real, 0, None, closed="neither")],
        "norm": [StrOptions({"l2"}), None],
    }

    def __init__(self, *, power=0.5, norm=None):
        self.power = power
        self.norm = norm

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Record the number of features; nothing is learned.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Features.
        y : None
            Ignored.

        Returns
        -------
        self : HellingerTransformer
        """
        validate_data(self, X, dtype=[np.float64, np.float32])
        return self

    def transform(self, X):
        """Apply the signed power map (and the row normalisation).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Features.

        Returns
        -------
        X_new : ndarray of shape (n_samples, n_features)
        """
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=[np.float64, np.float32])
        out = np.sign(X) * np.abs(X) ** self.power
        if self.norm == "l2":
            lengths = np.linalg.norm(out, axis=1, keepdims=True)
            lengths[lengths == 0] = 1.0
            out /= lengths
        return out

    def get_feature_names_out(self, input_features=None):
        """Output feature names: the input names, unchanged."""
        from sklearn.utils.validation import _check_feature_names_in

        check_is_fitted(self)
        return _check_feature_names_in(self, input_features)


def make_recommended_pipeline(**params):
    """Return the recommended classic pipeline for 48x48 grey faces.

    PROVISIONAL recipe: the union of LBP histograms (8 neighbours, radius 1,
    ``nri_uniform``, 6x6 grid) and HOG (9 orientations, 8x8-pixel cells, 2x2
    blocks), square-root (Hellinger) map, standard scaling, PCA to 300 whitened
    components and an RBF SVC with probability estimates.

    Parameters
    ----------
    **params
        Set on the pipeline's steps with the usual ``step__param`` names,
        e.g. ``svc__C=5`` or ``features__lbp__grid_shape=(8, 8)``.

    Returns
    -------
    pipeline : sklearn.pipeline.Pipeline
        Unfitted; ``X`` is ``(n_samples, 2304)`` flattened 48x48 images.
    """
    from sklearn.decomposition import PCA
    from sklearn.pipeline import FeatureUnion, Pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.svm import SVC

    from ..features import HOGTransformer, LBPTransformer

    features = FeatureUnion([
        ("lbp", LBPTransformer(P=8, R=1, method="nri_uniform", grid_shape=(6, 6))),
        ("hog", HOGTransformer(orientations=9, pixels_per_cell=(8, 8),
                               cells_per_block=(2, 2))),
    ])
    pipeline = Pipeline([
        ("features", features),
        ("sqrt", HellingerTransformer(power=0.5)),
        ("scale", StandardScaler()),
        ("pca", PCA(n_components=300, whiten=True, random_state=0)),
        ("svc", SVC(kernel="rbf", C=5.0, gamma="scale", probability=True,
                    class_weight="balanced", random_state=0)),
    ])
    if params:
        pipeline.set_params(**params)
    return pipeline
