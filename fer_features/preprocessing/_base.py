"""What the image preprocessing transformers share: reading rows as images."""

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin, _fit_context
from sklearn.utils.validation import check_is_fitted, validate_data

from .._images import (as_images, check_non_negative_pixels, flatten_images,
                       resolve_image_shape)


def _check_input_features(estimator, input_features):
    """Check ``input_features`` of ``get_feature_names_out`` against the fit input."""
    if input_features is None:
        return
    input_features = np.asarray(input_features, dtype=object)
    names_in = getattr(estimator, "feature_names_in_", None)
    if names_in is not None and not np.array_equal(names_in, input_features):
        raise ValueError("input_features is not equal to feature_names_in_")
    if input_features.shape != (estimator.n_features_in_,):
        raise ValueError(
            f"input_features should have length equal to number of features "
            f"({estimator.n_features_in_}), got {len(input_features)}"
        )


class _ImageTransformer(TransformerMixin, BaseEstimator):
    """Base of the preprocessing transformers (stateless apart from the image shape).

    Subclasses set ``_keep_dtypes`` (dtypes kept by validation, the first being
    the conversion target), ``_non_negative`` and implement ``_transform_images``
    (``(n, h, w)`` array in, ``(n, h', w')`` array out) and, when the output shape
    differs from the input's, ``_output_shape``.
    """

    _keep_dtypes = (np.float64, np.float32)
    _non_negative = False

    def _check_params(self, image_shape):
        """Check parameters that depend on the image shape (after validation)."""

    def _output_shape(self, image_shape):
        return image_shape

    def _images(self, X, reset):
        if not reset:
            check_is_fitted(self)
        X, implied = flatten_images(X)
        X = validate_data(self, X, dtype=self._keep_dtypes, reset=reset)
        if self._non_negative:
            check_non_negative_pixels(X, type(self).__name__)
        shape = resolve_image_shape(X.shape[1], self.image_shape, implied)
        if reset:
            self._check_params(shape)
            self.image_shape_ = shape
            self.output_shape_ = self._output_shape(shape)
        elif shape != self.image_shape_:
            raise ValueError(
                f"{type(self).__name__} was fitted on images of shape "
                f"{self.image_shape_}, got images of shape {shape}"
            )
        return as_images(X, shape)

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Check the parameters and record the image shape.

        Parameters
        ----------
        X : array-like of shape (n_samples, height * width) or (n_samples, height, width)
            Grey images, one per row.
        y : None
            Ignored.

        Returns
        -------
        self : object
            The fitted transformer.
        """
        self._images(X, reset=True)
        return self

    def transform(self, X):
        """Transform each image.

        Parameters
        ----------
        X : array-like of shape (n_samples, height * width) or (n_samples, height, width)
            Grey images, one per row, of the shape seen in :meth:`fit`.

        Returns
        -------
        X_out : ndarray of shape (n_samples, out_height * out_width)
            The transformed images, flattened (``output_shape_`` gives their shape).
        """
        images = self._images(X, reset=False)
        out = self._transform_images(images)
        return out.reshape(out.shape[0], -1)

    def get_feature_names_out(self, input_features=None):
        """Pixel names ``pixel_r{row}_c{col}`` of the output images.

        Parameters
        ----------
        input_features : array-like of str or None, default=None
            Only checked against the input seen in :meth:`fit`.

        Returns
        -------
        feature_names_out : ndarray of str objects
        """
        check_is_fitted(self)
        _check_input_features(self, input_features)
        h, w = self.output_shape_
        return np.asarray([f"pixel_r{r}_c{c}" for r in range(h) for c in range(w)],
                          dtype=object)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.requires_fit = True
        tags.input_tags.positive_only = self._non_negative
        return tags
