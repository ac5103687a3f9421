"""A meta-classifier trained on images and their mirror images."""

import numpy as np
from sklearn.base import (
    BaseEstimator,
    ClassifierMixin,
    MetaEstimatorMixin,
    _fit_context,
    clone,
)
from sklearn.utils._param_validation import HasMethods
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_is_fitted

from .._images import as_images, validate_fitted_images, validate_images

__all__ = ["MirrorAugmentedClassifier"]


def _inner_has(attr):
    def check(self):
        return hasattr(getattr(self, "estimator_", self.estimator), attr)

    return check


class MirrorAugmentedClassifier(MetaEstimatorMixin, ClassifierMixin, BaseEstimator):
    """Train a classifier on each image and its mirror image; average the two at prediction.

    A face mirrored left to right shows the same expression, so the mirror
    images double the training set for free, and the mean of a face's
    probabilities (or decision values) with its mirror image's is a steadier
    answer than either. The classifier sees images (flattened rows), so this
    wraps a whole pipeline, features included: features computed on a mirrored
    *image* are not the mirrored features of the image.

    Parameters
    ----------
    estimator : classifier
        Fitted, cloned, on the ``2 * n_samples`` images: the images first,
        then their mirror images, in the same order.
    image_shape : tuple of (int, int) or None, default=None
        ``(height, width)`` in which a row of ``X`` is read. One side may be -1:
        it is then inferred from the number of features, as in
        :func:`numpy.reshape` (``(1, -1)`` reads each row as a one-pixel-high
        strip). ``None``: the shape of 3-D input, otherwise a square.

    Attributes
    ----------
    estimator_ : classifier
        The fitted clone of ``estimator``.
    classes_ : ndarray of shape (n_classes,)
        The class labels, as the fitted classifier has them.
    image_shape_ : tuple of (int, int)
        The ``(height, width)`` of the images seen in ``fit``.
    n_features_in_ : int
        Pixels per image seen in ``fit``.

    See Also
    --------
    fer_features.pipelines.make_recommended_pipeline : trains its visual-word
        model this way.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from fer_features.pipelines import MirrorAugmentedClassifier
    >>> rng = np.random.default_rng(0)
    >>> X = rng.uniform(0, 255, (20, 4, 4))
    >>> y = np.repeat([0, 1], 10)
    >>> clf = MirrorAugmentedClassifier(LogisticRegression()).fit(X, y)
    >>> clf.estimator_.n_features_in_, clf.predict(X).shape
    (16, (20,))
    """

    _parameter_constraints = {
        "estimator": [HasMethods(["fit", "predict"])],
        "image_shape": ["array-like", None],
    }

    def __init__(self, estimator, *, image_shape=None):
        self.estimator = estimator
        self.image_shape = image_shape

    def _mirrored(self, X, shape):
        return as_images(X, shape)[:, :, ::-1].reshape(len(X), -1)

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y, **fit_params):
        """Fit a clone of ``estimator`` on the images and their mirror images.

        Parameters
        ----------
        X : array-like of shape (n_samples, height * width) or (n_samples, height, width)
            Grey images.
        y : array-like of shape (n_samples,)
            Their labels.
        **fit_params : dict
            Passed on to the classifier's ``fit``; per-sample arrays
            (``sample_weight``) are repeated for the mirror images.

        Returns
        -------
        self : MirrorAugmentedClassifier
        """
        from sklearn.utils.validation import (
            _is_arraylike_not_scalar,
            _num_samples,
            check_consistent_length,
        )

        if y is None:
            raise ValueError(
                f"{type(self).__name__} requires y to be passed, but the target y is None"
            )
        X, shape = validate_images(self, X, None)
        check_consistent_length(X, y)
        y = np.asarray(y)
        n = len(X)
        both = np.concatenate([X, self._mirrored(X, shape)])
        repeated = {
            key: np.concatenate([value, value])
            if _is_arraylike_not_scalar(value) and _num_samples(value) == n
            else value
            for key, value in fit_params.items()
        }
        self.estimator_ = clone(self.estimator).fit(both, np.concatenate([y, y]), **repeated)
        self.classes_ = self.estimator_.classes_
        return self

    def _both(self, method, X):
        check_is_fitted(self)
        X, shape = validate_fitted_images(self, X, None)
        own = getattr(self.estimator_, method)
        return own(X), own(self._mirrored(X, shape))

    @available_if(_inner_has("predict_proba"))
    def predict_proba(self, X):
        """Mean of the classifier's probabilities for each image and its mirror image.

        Parameters
        ----------
        X : array-like of shape (n_samples, height * width) or (n_samples, height, width)
            Grey images of the shape seen in ``fit``.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
        """
        a, b = self._both("predict_proba", X)
        return (a + b) / 2

    @available_if(_inner_has("predict_proba"))
    def predict_log_proba(self, X):
        """Logarithm of :meth:`predict_proba`."""
        with np.errstate(divide="ignore"):
            return np.log(self.predict_proba(X))

    @available_if(_inner_has("decision_function"))
    def decision_function(self, X):
        """Mean of the classifier's decision values for each image and its mirror image.

        Parameters
        ----------
        X : array-like of shape (n_samples, height * width) or (n_samples, height, width)
            Grey images of the shape seen in ``fit``.

        Returns
        -------
        decision : ndarray of shape (n_samples,) or (n_samples, n_classes)
        """
        a, b = self._both("decision_function", X)
        return (a + b) / 2

    def predict(self, X):
        """Class of the highest mean probability (or decision value) over each image and its mirror.

        Parameters
        ----------
        X : array-like of shape (n_samples, height * width) or (n_samples, height, width)
            Grey images of the shape seen in ``fit``.

        Returns
        -------
        y : ndarray of shape (n_samples,)
        """
        if _inner_has("predict_proba")(self):
            scores = self.predict_proba(X)
        else:
            scores = self.decision_function(X)
            if scores.ndim == 1:
                return self.classes_[(scores > 0).astype(int)]
        return self.classes_[scores.argmax(axis=1)]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = False
        return tags
