"""What the image preprocessing transformers share: reading rows as images."""

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin, _fit_context

from .._blocks import blockwise
from .._images import (
    as_images,
    check_finite_output,
    feature_names_out,
    pixel_names,
    validate_fitted_images,
    validate_images,
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
        validate = validate_images if reset else validate_fitted_images
        X, shape = validate(self, X, self._keep_dtypes, non_negative=self._non_negative)
        if reset:
            self._check_params(shape)
            self.output_shape_ = self._output_shape(shape)
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

    @blockwise
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
        check_finite_output(out, images, type(self).__name__)
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
        return feature_names_out(self, input_features, lambda: pixel_names(self.output_shape_))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.requires_fit = True
        tags.input_tags.positive_only = self._non_negative
        return tags
