"""One expression vocabulary shared by every data set.

Data sets name the same expressions differently: FER2013 says ``Angry`` and
codes it 0, CK+ says ``anger`` and codes it 1, JAFFE writes ``AN`` in its file
names. Every loader of the library maps what it reads to the canonical names
below, so that ``target_names`` agree between data sets and a model trained on
one can be scored on another (see :func:`align_targets`).
"""

from numbers import Integral

import numpy as np

__all__ = [
    "EXPRESSIONS",
    "DATASET_CODES",
    "canonical_expression",
    "align_targets",
]

#: The canonical expression names, in the order of the FER2013 codes (0..6),
#: followed by ``contempt`` (CK+ only).
EXPRESSIONS = (
    "angry",
    "disgust",
    "fear",
    "happy",
    "sad",
    "surprise",
    "neutral",
    "contempt",
)

# lower-case synonym -> canonical name; the canonical names map to themselves
_SYNONYMS = {
    "angry": "angry",
    "anger": "angry",
    "an": "angry",
    "ang": "angry",
    "mad": "angry",
    "disgust": "disgust",
    "disgusted": "disgust",
    "disgusting": "disgust",
    "di": "disgust",
    "dis": "disgust",
    "fear": "fear",
    "fearful": "fear",
    "afraid": "fear",
    "scared": "fear",
    "fe": "fear",
    "happy": "happy",
    "happiness": "happy",
    "joy": "happy",
    "happy face": "happy",
    "smile": "happy",
    "ha": "happy",
    "hap": "happy",
    "sad": "sad",
    "sadness": "sad",
    "unhappy": "sad",
    "sa": "sad",
    "surprise": "surprise",
    "surprised": "surprise",
    "su": "surprise",
    "sur": "surprise",
    "neutral": "neutral",
    "neutrality": "neutral",
    "calm": "neutral",
    "ne": "neutral",
    "neu": "neutral",
    "contempt": "contempt",
    "contemptuous": "contempt",
    "co": "contempt",
}

#: Integer (or letter) codes of the data sets the library knows, as
#: ``{data set: {code: canonical name}}``.
DATASET_CODES = {
    "fer2013": dict(enumerate(EXPRESSIONS[:7])),
    "ck+": dict(
        enumerate(("neutral", "angry", "contempt", "disgust", "fear", "happy", "sad", "surprise"))
    ),
    "jaffe": {
        "AN": "angry",
        "DI": "disgust",
        "FE": "fear",
        "HA": "happy",
        "SA": "sad",
        "SU": "surprise",
        "NE": "neutral",
    },
}
_DATASET_ALIASES = {
    "fer2013": "fer2013",
    "fer": "fer2013",
    "fer-2013": "fer2013",
    "ck+": "ck+",
    "ckplus": "ck+",
    "ck": "ck+",
    "jaffe": "jaffe",
}


def canonical_expression(name, *, dataset=None):
    """Return the canonical name of an expression.

    Parameters
    ----------
    name : str or int
        An expression name or synonym in any case (``"Anger"``, ``"happiness"``,
        ``"SU"``), or, with ``dataset``, one of that data set's codes (``3``,
        ``"AN"``).
    dataset : {"fer2013", "ck+", "jaffe"} or None, default=None
        Read ``name`` as a code of this data set. Without it an integer is an
        error, since the data sets disagree on what the integers mean.

    Returns
    -------
    name : str
        One of :data:`EXPRESSIONS`.

    Raises
    ------
    ValueError
        If ``name`` is not a known expression (or code of ``dataset``).

    See Also
    --------
    align_targets : renumber targets from one list of names to another.

    Examples
    --------
    >>> from fer_features.datasets import canonical_expression
    >>> canonical_expression("Sadness")
    'sad'
    >>> canonical_expression("SU")
    'surprise'
    >>> canonical_expression(2, dataset="ck+")
    'contempt'
    >>> canonical_expression(2, dataset="fer2013")
    'fear'
    """
    if dataset is not None:
        key = _DATASET_ALIASES.get(str(dataset).strip().lower())
        if key is None:
            raise ValueError(
                f"unknown data set {dataset!r} for expression codes; "
                f"known: {', '.join(DATASET_CODES)}"
            )
        codes = DATASET_CODES[key]
        code = name
        if isinstance(code, str):
            stripped = code.strip()
            code = int(stripped) if stripped.isdigit() else stripped.upper()
        elif isinstance(code, Integral) and not isinstance(code, bool):
            code = int(code)
        if code in codes:
            return codes[code]
        if isinstance(name, str) and name.strip().lower() in _SYNONYMS:
            return _SYNONYMS[name.strip().lower()]
        known = ", ".join(f"{c}={n}" for c, n in codes.items())
        raise ValueError(f"unknown {key} expression code {name!r}; known codes: {known}")
    if not isinstance(name, str):
        raise ValueError(
            f"expression {name!r} is not a name; integer codes differ between data "
            f"sets, pass dataset='fer2013', 'ck+' or 'jaffe' to read them"
        )
    key = " ".join(name.strip().lower().replace("_", " ").replace("-", " ").split())
    if key in _SYNONYMS:
        return _SYNONYMS[key]
    raise ValueError(
        f"unknown expression {name!r}; known expressions: {', '.join(EXPRESSIONS)} "
        f"(and synonyms such as 'anger', 'happiness', 'sadness', 'surprised', or "
        f"JAFFE codes AN DI FE HA SA SU NE)"
    )


def _canonical_or_verbatim(name):
    """The canonical name of ``name`` when it is a known expression, else ``name``."""
    try:
        return canonical_expression(name)
    except ValueError:
        return name


def align_targets(target, target_names, to_names, *, unknown="raise"):
    """Renumber integer targets from one data set's classes to another's.

    A model trained on FER2013 predicts codes of FER2013's ``target_names``; to
    score it on CK+ or JAFFE, map their targets onto the same names.

    Parameters
    ----------
    target : array-like of int
        Targets, codes into ``target_names``.
    target_names : sequence of str
        The names of the classes ``target`` codes (any synonyms).
    to_names : sequence of str
        The names to renumber to (any synonyms).
    unknown : "raise" or int, default="raise"
        What becomes of targets whose class is not in ``to_names``:
        ``"raise"`` raises a ``ValueError``; an integer (e.g. ``-1``) is used as
        their code, so that such rows can be dropped with ``result >= 0``.

    Returns
    -------
    target : ndarray of int
        Codes into ``to_names``.

    Examples
    --------
    >>> from fer_features.datasets import align_targets
    >>> ck_names = ["neutral", "anger", "contempt", "disgust", "fear", "happy",
    ...             "sadness", "surprise"]
    >>> fer_names = ["angry", "disgust", "fear", "happy", "sad", "surprise", "neutral"]
    >>> align_targets([0, 1, 5, 2], ck_names, fer_names, unknown=-1).tolist()
    [6, 0, 3, -1]
    """
    target = np.asarray(target)
    src = [_canonical_or_verbatim(n) for n in target_names]
    dst = [_canonical_or_verbatim(n) for n in to_names]
    index = {name: i for i, name in enumerate(dst)}
    if isinstance(unknown, str):
        if unknown != "raise":
            raise ValueError(f"unknown must be 'raise' or an integer, got {unknown!r}")
        fill = None
    elif isinstance(unknown, Integral) and not isinstance(unknown, bool):
        fill = int(unknown)
    else:
        raise ValueError(f"unknown must be 'raise' or an integer, got {unknown!r}")
    table = np.empty(len(src), dtype=np.int64)
    for i, name in enumerate(src):
        if name in index:
            table[i] = index[name]
        elif fill is None:
            if np.any(target == i):
                raise ValueError(
                    f"class {target_names[i]!r} (code {i}) has no counterpart in "
                    f"{list(to_names)}; pass unknown=-1 to mark such targets"
                )
            table[i] = -1
        else:
            table[i] = fill
    if target.size and (target.min() < 0 or target.max() >= len(src)):
        raise ValueError(
            f"targets must be codes 0..{len(src) - 1} into target_names, "
            f"got values from {target.min()} to {target.max()}"
        )
    return table[target.astype(np.int64)]
