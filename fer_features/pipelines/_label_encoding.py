"""A meta-classifier that hands its classifier labels 0..K-1 and class weights."""

import numpy as np
from sklearn.base import (
    BaseEstimator,
    ClassifierMixin,
    MetaEstimatorMixin,
    _fit_context,
    clone,
)
from sklearn.preprocessing import LabelEncoder
from sklearn.utils._param_validation import HasMethods, StrOptions
from sklearn.utils.class_weight import compute_class_weight
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import _check_sample_weight, check_is_fitted, validate_data

__all__ = ["LabelEncodedClassifier"]


def _default_xgboost():
    try:
        from xgboost import XGBClassifier
    except ImportError as exc:  # pragma: no cover - xgboost is a core dependency
        raise ImportError(
            "LabelEncodedClassifier() without an estimator wraps XGBoost, which is not "
            "installed; run `pip install xgboost` or pass estimator=..."
        ) from exc
    return XGBClassifier(n_estimators=100, tree_method="hist", random_state=0)


def _inner_has(attr):
    def check(self):
        inner = getattr(self, "estimator_", None)
        if inner is None:
            inner = self.estimator if self.estimator is not None else _default_xgboost()
        return hasattr(inner, attr)

    return check


class LabelEncodedClassifier(MetaEstimatorMixin, ClassifierMixin, BaseEstimator):
    """Fit a classifier on labels encoded as ``0 .. n_classes - 1``, with class weights.

    Some classifiers, XGBoost's among them, accept only the integers
    ``0 .. n_classes - 1`` as labels and have no ``class_weight`` parameter. This
    wrapper encodes any labels (strings, gaps such as ``[1, 2, 5]``, a class missing
    from a cross-validation fold), turns ``class_weight`` into sample weights,
    and decodes the predictions, so that the wrapped classifier behaves like any
    scikit-learn classifier in pipelines, grid searches and the benchmark runner.

    Parameters
    ----------
    estimator : classifier or None, default=None
        The classifier to fit on the encoded labels; cloned at fit. ``None``
        means ``xgboost.XGBClassifier(n_estimators=100, tree_method="hist",
        random_state=0)``.
    class_weight : dict, "balanced" or None, default=None
        Weights of the classes, given as sample weights to the classifier's
        ``fit`` (multiplied with any ``sample_weight`` passed to ``fit``).
        ``"balanced"`` weighs each class by ``n_samples / (n_classes * count)``
        (weighted counts when ``sample_weight`` is given).

    Attributes
    ----------
    estimator_ : classifier
        The fitted clone of ``estimator``.
    classes_ : ndarray of shape (n_classes,)
        The original class labels, sorted.
    n_features_in_ : int
        Number of features seen during ``fit``.
    feature_names_in_ : ndarray of str
        Names of the features seen during ``fit``, when they are all strings.

    See Also
    --------
    fer_features.pipelines.make_classic_pipeline : uses it for the ``xgb`` classifier.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.tree import DecisionTreeClassifier
    >>> from fer_features.pipelines import LabelEncodedClassifier
    >>> X = np.array([[0.0], [1.0], [2.0], [3.0]])
    >>> y = np.array(["sad", "sad", "happy", "happy"])
    >>> clf = LabelEncodedClassifier(DecisionTreeClassifier(random_state=0)).fit(X, y)
    >>> clf.classes_
    array(['happy', 'sad'], dtype='<U5')
    >>> clf.predict([[0.5], [2.5]])
    array(['sad', 'happy'], dtype='<U5')
    """

    _parameter_constraints = {
        "estimator": [HasMethods(["fit", "predict"]), None],
        "class_weight": [StrOptions({"balanced"}), dict, None],
    }

    def __init__(self, estimator=None, *, class_weight=None):
        self.estimator = estimator
        self.class_weight = class_weight

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y, sample_weight=None, **fit_params):
        """Encode ``y``, weigh the classes and fit a clone of ``estimator``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,)
            Class labels of any type.
        sample_weight : array-like of shape (n_samples,), default=None
            Per-sample weights, multiplied with the class weights.
        **fit_params : dict
            Passed on to the classifier's ``fit``.

        Returns
        -------
        self : LabelEncodedClassifier

        Raises
        ------
        ValueError
            If ``y`` holds a single class.
        """
        X, y = validate_data(self, X, y, accept_sparse=["csr", "csc"])
        check_classification_targets(y)
        self._encoder = LabelEncoder().fit(y)
        self.classes_ = self._encoder.classes_
        if len(self.classes_) < 2:
            # as SVC (and so the svc pipelines and the recipe) and the CNN refuse it:
            # XGBoost would fit one class and predict it for everything
            raise ValueError(
                f"The number of classes has to be greater than one; got {len(self.classes_)} class"
            )
        y_encoded = self._encoder.transform(y)
        if sample_weight is not None:
            sample_weight = _check_sample_weight(sample_weight, X)
        weights = sample_weight
        if self.class_weight is not None:
            # "balanced" counts weighted samples, so that a weight of 2 acts as a
            # repeated sample
            per_class = compute_class_weight(
                self.class_weight,
                classes=np.arange(len(self.classes_)),
                y=y_encoded,
                sample_weight=sample_weight,
            )
            per_class[~np.isfinite(per_class)] = 0.0  # classes whose weights are all 0
            weights = per_class[y_encoded] if weights is None else per_class[y_encoded] * weights
        estimator = self.estimator if self.estimator is not None else _default_xgboost()
        self.estimator_ = clone(estimator)
        if weights is not None:
            fit_params["sample_weight"] = weights
        self.estimator_.fit(X, y_encoded, **fit_params)
        return self

    def _validate(self, X):
        check_is_fitted(self)
        return validate_data(self, X, reset=False, accept_sparse=["csr", "csc"])

    def predict(self, X):
        """Predict the class labels of ``X`` (in the original label type).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Data.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
        """
        X = self._validate(X)
        encoded = np.asarray(self.estimator_.predict(X)).astype(np.intp).ravel()
        return self.classes_[encoded]

    @available_if(_inner_has("predict_proba"))
    def predict_proba(self, X):
        """Class probabilities, one column per entry of ``classes_``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Data.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
        """
        X = self._validate(X)
        proba = np.asarray(self.estimator_.predict_proba(X))
        if len(self.classes_) == 1 and proba.ndim == 1:  # pragma: no cover
            proba = proba.reshape(-1, 1)
        return proba

    @available_if(_inner_has("predict_log_proba"))
    def predict_log_proba(self, X):
        """Logarithm of :meth:`predict_proba`.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Data.

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
        """
        with np.errstate(divide="ignore"):
            return np.log(self.predict_proba(X))

    @available_if(_inner_has("decision_function"))
    def decision_function(self, X):
        """The classifier's decision function on ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Data.

        Returns
        -------
        scores : ndarray of shape (n_samples,) or (n_samples, n_classes)
        """
        X = self._validate(X)
        return self.estimator_.decision_function(X)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags
