"""Probabilities for SVCs: temperature scaling fitted on a stratified hold-out."""

import math

import numpy as np

__all__ = ["HoldoutSplit", "calibrated"]

# share of the training images held out to fit the temperature
_HOLDOUT_FRACTION = 0.05


class HoldoutSplit:
    """One stratified train / hold-out split, at least one image per class held out.

    ``CalibratedClassifierCV(estimator, cv=HoldoutSplit())`` fits the
    classifier once, on the training part, and the calibration on the hold-out,
    where ``cv=3`` would fit it four times (three folds and a final fit).

    Parameters
    ----------
    test_size : float, default=0.05
        Share of the images held out (rounded up), and at least one image of
        each class.
    random_state : int or None, default=0
        Seed of the split.

    Examples
    --------
    >>> import numpy as np
    >>> from fer_features.pipelines._calibration import HoldoutSplit
    >>> y = np.repeat([0, 1, 2], 3)
    >>> train, held_out = next(HoldoutSplit().split(np.zeros((9, 1)), y))
    >>> len(train), sorted(y[held_out].tolist())
    (6, [0, 1, 2])
    """

    def __init__(self, test_size=_HOLDOUT_FRACTION, random_state=0):
        self.test_size = test_size
        self.random_state = random_state

    def get_n_splits(self, X=None, y=None, groups=None):
        """Number of splits: 1."""
        return 1

    def split(self, X, y, groups=None):
        """Yield the indices of the training part and of the hold-out.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Data (only its length is used).
        y : array-like of shape (n_samples,)
            Class labels, for stratification.
        groups : None
            Ignored.

        Yields
        ------
        train, held_out : ndarray of int
        """
        from sklearn.model_selection import StratifiedShuffleSplit

        y = np.asarray(y)
        n_classes = len(np.unique(y))
        n_test = max(math.ceil(self.test_size * len(y)), n_classes)
        splitter = StratifiedShuffleSplit(
            n_splits=1, test_size=n_test, random_state=self.random_state
        )
        yield from splitter.split(np.zeros((len(y), 1)), y)

    def __repr__(self):
        return f"HoldoutSplit(test_size={self.test_size!r}, random_state={self.random_state!r})"


def calibrated(estimator, random_state=0):
    """``estimator`` inside temperature scaling fitted on a :class:`HoldoutSplit`.

    One fit of ``estimator`` (on 95% of the training images, at least all but
    one image per class); temperature scaling of its decision function keeps
    its argmax.
    """
    from sklearn.calibration import CalibratedClassifierCV

    return CalibratedClassifierCV(
        estimator, method="temperature", cv=HoldoutSplit(random_state=random_state)
    )
