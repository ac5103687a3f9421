"""Train one estimator on a data set's training rows and score it on its test rows."""

import sys
import time

import numpy as np

__all__ = ["train_model"]


def _labels(data):
    """The data's labels as expression names when the data name their classes."""
    y = np.asarray(data["target"])
    names = data.get("target_names")
    if (
        names is not None
        and y.dtype.kind in "iu"
        and len(y)
        and 0 <= y.min()
        and y.max() < len(names)
    ):
        return np.asarray(names, dtype=object)[y].astype(str)
    return y


def _rows(usage, name, what):
    rows = np.flatnonzero(usage == name)
    if rows.size == 0:
        found = ", ".join(sorted(map(str, np.unique(usage))))
        raise ValueError(
            f"the data have no {what} rows of usage {name!r}; their usages are: {found}"
        )
    return rows


def train_model(
    estimator,
    data,
    *,
    train_usage=None,
    test_usage=None,
    max_per_class=None,
    random_state=0,
    name=None,
    description=None,
    verbose=1,
    stream=None,
):
    """Fit ``estimator`` on the training rows of ``data``; score it on the test rows.

    Rows are chosen by the data's usage column when it has one (FER2013:
    ``Training`` to fit, ``PublicTest`` to score); otherwise every row is used
    to fit and there is no score. Labels are the expression names when the data
    name their classes, so that the model predicts ``"happy"``, not ``3``.

    Parameters
    ----------
    estimator : estimator
        An unfitted scikit-learn classifier (e.g. from
        :func:`~fer_features.make_estimator`); fitted in place.
    data : Bunch
        As returned by :func:`~fer_features.load_dataset`: ``images``,
        ``target``, optionally ``usage`` and ``target_names``.
    train_usage, test_usage : str or None, default=None
        Usages to fit and score on; default ``"Training"`` and ``"PublicTest"``
        when the data have usages (``test_usage`` is skipped when absent). Given
        for data without usages, they are an error.
    max_per_class : int or None, default=None
        Keep at most this many training images per class, drawn at random.
    random_state : int, default=0
        Seed of that draw.
    name : str or None, default=None
        The estimator's name in the progress lines (default: its class name).
    description : str or None, default=None
        What the data are, recorded in the metadata (default: their
        ``DESCR``'s first line).
    verbose : int, default=1
        1 writes progress lines (what, how many images, elapsed time) to ``stream``.
    stream : file or None, default=None
        Where progress goes (default: ``sys.stderr``).

    Returns
    -------
    estimator : estimator
        The fitted estimator.
    metadata : dict
        How it was trained, for :func:`~fer_features.save_model`: ``data``,
        ``train_usage``, ``n_train``, ``train_counts`` (per class),
        ``max_per_class``, ``image_shape``, ``fit_seconds``, and when scored
        ``test_usage``, ``n_test``, ``accuracy``, ``macro_f1``.

    Raises
    ------
    ValueError
        If a usage is missing from the data, or the data have none but one
        was asked for.
    """
    from sklearn.metrics import accuracy_score, f1_score

    from ..benchmark import subsample_per_class

    stream = sys.stderr if stream is None else stream
    start = time.perf_counter()

    def say(message):
        if verbose:
            print(f"[train {time.perf_counter() - start:7.1f}s] {message}", file=stream, flush=True)

    images = np.asarray(data["images"])
    y = _labels(data)
    usage = data.get("usage")
    if usage is None:
        if train_usage is not None or test_usage is not None:
            raise ValueError(
                "the data have no usage column, so --train-usage/"
                "--test-usage (train_usage/test_usage) cannot apply"
            )
        train = np.arange(len(y))
        test = None
    else:
        usage = np.asarray(usage).astype(str)
        train = _rows(usage, train_usage or "Training", "training")
        if test_usage is not None:
            test = _rows(usage, test_usage, "test")
        else:
            test = np.flatnonzero(usage == "PublicTest")
            test = test if test.size else None
    train = subsample_per_class(train, y, max_per_class, random_state)
    if len(train) == 0:
        raise ValueError("the data have no training images")
    classes, counts = np.unique(y[train], return_counts=True)
    if len(classes) < 2:
        raise ValueError(
            f"training needs at least 2 classes, the training rows have "
            f"{len(classes)}: {classes.tolist()}"
        )
    height, width = images.shape[1:3]
    name = type(estimator).__name__ if name is None else name
    say(f"fitting {name} on {len(train)} images of {height}x{width} pixels, {len(classes)} classes")
    fit_start = time.perf_counter()
    estimator.fit(images[train].reshape(len(train), -1), y[train])
    fit_seconds = time.perf_counter() - fit_start
    say(f"fitted in {fit_seconds:.1f} s")
    if description is None:
        description = str(data.get("DESCR") or "").strip().splitlines()[:1]
        description = description[0] if description else ""
    metadata = {
        "data": description,
        "train_usage": None if usage is None else (train_usage or "Training"),
        "n_train": len(train),
        "train_counts": {str(c): int(n) for c, n in zip(classes, counts)},
        "max_per_class": max_per_class,
        "random_state": random_state,
        "image_shape": [int(height), int(width)],
        "fit_seconds": round(fit_seconds, 1),
    }
    if test is not None:
        say(f"scoring on {len(test)} {test_usage or 'PublicTest'} images")
        predicted = estimator.predict(images[test].reshape(len(test), -1))
        metadata.update(
            {
                "test_usage": test_usage or "PublicTest",
                "n_test": len(test),
                "accuracy": float(accuracy_score(y[test], predicted)),
                "macro_f1": float(f1_score(y[test], predicted, average="macro")),
            }
        )
        say(f"accuracy {metadata['accuracy']:.4f}, macro-F1 {metadata['macro_f1']:.4f}")
    return estimator, metadata
