"""``CNNFeatureTransformer``: a trained CNN's penultimate layer as features."""

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin, _fit_context, clone
from sklearn.utils._param_validation import HasMethods
from sklearn.utils.validation import check_is_fitted, validate_data

from .._images import flatten_images
from ._backend import import_keras
from ._classifier import KerasCNNClassifier, _forward
from ._inputs import network_images

__all__ = ["CNNFeatureTransformer"]


class CNNFeatureTransformer(TransformerMixin, BaseEstimator):
    """The penultimate-layer activations of a :class:`KerasCNNClassifier`.

    Deep features for the classic classifiers: put it before an ``SVC`` in a
    ``Pipeline``. The features are the input of the network's output layer
    (of the layer that gives the class scores, for a custom ``architecture``),
    averaged over space when that input is a feature map (as in
    ``"mini_xception"``), computed in inference mode (no dropout, no
    augmentation).

    Parameters
    ----------
    estimator : KerasCNNClassifier or None, default=None
        The network. With ``prefit=False`` a clone of it is trained in ``fit``
        (``None`` means ``KerasCNNClassifier()``); with ``prefit=True`` it must
        already be fitted and is used as is.
    prefit : bool, default=False
        Whether ``estimator`` is already fitted.
    batch_size : int, default=256
        Images per forward pass in ``transform``.

    Attributes
    ----------
    estimator_ : KerasCNNClassifier
        The fitted network the features come from.
    n_features_out_ : int
        Number of features.
    n_features_in_ : int
        Pixels per image.

    See Also
    --------
    KerasCNNClassifier : the network.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.svm import SVC
    >>> from fer_features.deep import CNNFeatureTransformer, KerasCNNClassifier
    >>> rng = np.random.default_rng(0)
    >>> X = rng.integers(0, 256, size=(40, 16 * 16)).astype(np.uint8)
    >>> y = np.repeat([0, 1], 20)
    >>> X[y == 0, :128] //= 4
    >>> cnn = KerasCNNClassifier(epochs=1, dense_units=32, augmentation="none",
    ...                          random_state=0)
    >>> pipe = make_pipeline(CNNFeatureTransformer(cnn), SVC()).fit(X, y)
    >>> pipe[0].transform(X[:2]).shape
    (2, 32)
    """

    _parameter_constraints = {
        "estimator": [HasMethods(["fit", "predict_proba"]), None],
        "prefit": ["boolean"],
        "batch_size": [int],
    }

    def __init__(self, estimator=None, *, prefit=False, batch_size=256):
        self.estimator = estimator
        self.prefit = prefit
        self.batch_size = batch_size

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y=None, **fit_params):
        """Train the network (unless ``prefit``) and prepare the feature model.

        Parameters
        ----------
        X : array-like of shape (n_samples, height * width) or image array
            Grey images.
        y : array-like of shape (n_samples,)
            Labels; needed unless ``prefit=True``.
        **fit_params : dict
            Passed to the network's ``fit`` (e.g. ``validation_data``).

        Returns
        -------
        self : CNNFeatureTransformer
            The fitted transformer.
        """
        self.__dict__.pop("_feature_model_cache", None)  # a refit has a new network
        if self.prefit:
            if self.estimator is None:
                raise ValueError("prefit=True needs a fitted estimator, got estimator=None")
            check_is_fitted(self.estimator)
            self.estimator_ = self.estimator
            X2, _ = flatten_images(X)
            validate_data(self, X2, reset=True, dtype=np.float32)
        else:
            if y is None:
                raise ValueError(
                    f"{type(self).__name__} requires y to be passed, but the target y is "
                    f"None: it trains a CNN in fit and needs the labels (or prefit=True "
                    f"with a fitted estimator)"
                )
            base = KerasCNNClassifier() if self.estimator is None else self.estimator
            self.estimator_ = clone(base).fit(X, y, **fit_params)
            X2, _ = flatten_images(X)
            validate_data(self, X2, reset=True, dtype=np.float32)
        self.n_features_out_ = int(self._feature_model().output.shape[-1])
        return self

    def _feature_model(self):
        """The feature model of ``estimator_``'s current network (built once per network)."""
        net = self.estimator_.model_
        cached = getattr(self, "_feature_model_cache", None)
        if cached is not None and cached[0] is net:
            model = cached[1]
        else:
            keras = import_keras()
            names = {layer.name for layer in net.layers}
            if "predictions" in names:  # the built-in networks' output layer
                features = net.get_layer("predictions").input
            else:  # a custom network: the input of the layer giving the class scores
                scores = net.get_layer("probabilities").input
                features = scores._keras_history.operation.input
            if len(features.shape) == 4:
                features = keras.layers.GlobalAveragePooling2D(dtype="float32", name="feature_gap")(
                    features
                )
            model = keras.Model(net.input, features, name="cnn_features")
            self._feature_model_cache = (net, model)
        return model

    def transform(self, X):
        """Penultimate-layer features of images ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, height * width) or image array
            Grey images on the scale of the network's training data.

        Returns
        -------
        features : ndarray of shape (n_samples, n_features_out_)
        """
        check_is_fitted(self)
        X2, implied = flatten_images(X)
        X2 = validate_data(self, X2, reset=False, dtype=np.float32)
        X_img = network_images(
            X2,
            self.estimator_.image_shape_,
            implied,
            fitted_by=f"the network of {type(self).__name__}",
        )
        if X_img.shape[0] == 0:
            return np.zeros((0, self.n_features_out_))
        return _forward(self._feature_model(), X_img, self.batch_size)

    def get_feature_names_out(self, input_features=None):
        """Names ``cnnfeature0``, ``cnnfeature1``, ... of the output features."""
        check_is_fitted(self)
        return np.asarray([f"cnnfeature{i}" for i in range(self.n_features_out_)], dtype=object)

    def __getstate__(self):
        state = dict(self.__dict__)
        state.pop("_feature_model_cache", None)
        return state

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.required = not self.prefit
        return tags
