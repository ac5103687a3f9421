"""Power normalisation of histogram features (the Hellinger map)."""

from numbers import Real

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin, _fit_context
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted, validate_data

from .._blocks import blockwise

__all__ = ["HellingerTransformer"]


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
    >>> from fer_features.features import HellingerTransformer
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

    @blockwise
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
        # one output array and no temporaries of the input's size: features of a
        # whole data set are large
        out = np.abs(X)
        np.power(out, self.power, out=out)
        np.copysign(out, X, out=out)
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
