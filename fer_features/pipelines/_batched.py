"""A feature union computed a batch of images at a time, into one float32 array."""

import numpy as np
from sklearn.pipeline import FeatureUnion

__all__ = ["BatchedFeatureUnion"]


def _rows(X, sl):
    return X.iloc[sl] if hasattr(X, "iloc") else X[sl]


class BatchedFeatureUnion(FeatureUnion):
    """``FeatureUnion`` of image features, computed ``batch_size`` images at a time.

    The features of all images are written into one preallocated array of
    ``dtype``: the memory a transformer needs while it works (Gabor responses,
    gradients, float64 histograms) is that of one batch, and the blocks are
    never held twice for stacking. Meant for transformers that learn nothing
    from the images but their shape (LBP, LGBP, HOG and the maps after them):
    :meth:`fit` fits them on the first batch only.

    Parameters
    ----------
    transformer_list : list of (str, transformer)
        As for ``FeatureUnion``.
    batch_size : int, default=1000
        Images per batch.
    dtype : numpy dtype, default=numpy.float32
        Type of the features returned.
    n_jobs, transformer_weights, verbose, verbose_feature_names_out
        As for ``FeatureUnion`` (within a batch).
    """

    def __init__(
        self,
        transformer_list,
        *,
        batch_size=1000,
        dtype=np.float32,
        n_jobs=None,
        transformer_weights=None,
        verbose=False,
        verbose_feature_names_out=True,
    ):
        super().__init__(
            transformer_list,
            n_jobs=n_jobs,
            transformer_weights=transformer_weights,
            verbose=verbose,
            verbose_feature_names_out=verbose_feature_names_out,
        )
        self.batch_size = batch_size
        self.dtype = dtype

    def _check_batch_size(self):
        if not isinstance(self.batch_size, (int, np.integer)) or self.batch_size < 1:
            raise ValueError(f"batch_size must be a positive integer, got {self.batch_size!r}")

    def fit(self, X, y=None, **fit_params):
        """Fit the transformers on the first batch of images.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or (n_samples, height, width)
            Images.
        y : array-like of shape (n_samples,), default=None
            Targets (the first batch's are passed on).
        **fit_params : dict
            Passed on to the transformers.

        Returns
        -------
        self : BatchedFeatureUnion
        """
        self._fit_first(X, y, fit_params)
        return self

    def _fit_first(self, X, y, fit_params):
        self._check_batch_size()
        if not hasattr(X, "iloc"):
            X = np.asarray(X)
        first = slice(0, self.batch_size)
        y_first = None if y is None else _rows(np.asarray(y), first)
        return np.asarray(super().fit_transform(_rows(X, first), y_first, **fit_params))

    def fit_transform(self, X, y=None, **fit_params):
        """Fit on the first batch, then compute the features of all images.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or (n_samples, height, width)
            Images.
        y : array-like of shape (n_samples,), default=None
            Targets.
        **fit_params : dict
            Passed on to the transformers.

        Returns
        -------
        features : ndarray of shape (n_samples, n_output_features), ``dtype``
        """
        first = self._fit_first(X, y, fit_params)
        return self._transform_rest(X, first)

    def transform(self, X):
        """Features of all images, computed a batch at a time.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or (n_samples, height, width)
            Images.

        Returns
        -------
        features : ndarray of shape (n_samples, n_output_features), ``dtype``
        """
        self._check_batch_size()
        if not hasattr(X, "iloc"):
            X = np.asarray(X)
        first = np.asarray(super().transform(_rows(X, slice(0, self.batch_size))))
        return self._transform_rest(X, first)

    def _transform_rest(self, X, first):
        if not hasattr(X, "iloc"):
            X = np.asarray(X)
        n = X.shape[0]
        out = np.empty((n, first.shape[1]), dtype=self.dtype)
        out[: len(first)] = first
        del first
        for start in range(self.batch_size, n, self.batch_size):
            sl = slice(start, start + self.batch_size)
            out[sl] = np.asarray(super().transform(_rows(X, sl)))
        return out
