"""Helpers shared by the loaders: class selection and merging, summaries."""

from collections.abc import Mapping

import numpy as np

from ._vocabulary import _canonical_or_verbatim

__all__ = ["select_classes", "summarize_targets"]


def select_classes(target, target_names, classes):
    """Select and/or merge classes, renumbering targets in the order given.

    Parameters
    ----------
    target : ndarray of int
        Codes into ``target_names``.
    target_names : sequence of str
        Canonical class names of the data.
    classes : None, sequence of str or mapping of str to (str or sequence of str)
        ``None`` keeps everything. A list of names (any synonyms) keeps those
        classes, numbered in the order given. A mapping ``{new name: [old
        names]}`` merges the old classes into each new one (new names that are
        known expressions are made canonical, others kept as written).

    Returns
    -------
    keep : ndarray of bool
        Which rows belong to a selected class.
    target : ndarray of int
        New codes of the kept rows.
    target_names : list of str
        New class names.
    """
    target = np.asarray(target)
    names = [str(n) for n in target_names]
    if classes is None:
        return np.ones(target.shape[0], dtype=bool), target, names
    if isinstance(classes, str):
        raise ValueError(
            f"classes must be a list of class names or a mapping from new names to "
            f"lists of old ones, got the string {classes!r}; write [{classes!r}]"
        )
    position = {name: i for i, name in enumerate(names)}

    def old_code(name):
        canonical = _canonical_or_verbatim(name) if isinstance(name, str) else name
        if canonical not in position:
            raise ValueError(f"unknown class {name!r} in classes; the data has: {', '.join(names)}")
        return position[canonical]

    if isinstance(classes, Mapping):
        groups = []
        for new, olds in classes.items():
            if isinstance(olds, str):
                olds = [olds]
            groups.append((_canonical_or_verbatim(str(new)), [old_code(o) for o in olds]))
    else:
        groups = [(names[old_code(c)], [old_code(c)]) for c in classes]
    if not groups:
        raise ValueError("classes is empty: name at least one class to keep")
    table = np.full(len(names), -1, dtype=np.int64)
    new_names = []
    for new_code, (new_name, olds) in enumerate(groups):
        if new_name in new_names:
            raise ValueError(f"class {new_name!r} is named twice in classes")
        new_names.append(new_name)
        if not olds:
            raise ValueError(f"class {new_name!r} in classes merges no old class")
        for o in olds:
            if table[o] >= 0:
                raise ValueError(
                    f"class {names[o]!r} is given twice in classes (in "
                    f"{new_names[table[o]]!r} and {new_name!r})"
                )
            table[o] = new_code
    mapped = table[target] if target.size else target.astype(np.int64)
    keep = mapped >= 0
    return keep, mapped[keep], new_names


def summarize_targets(target, target_names, usage=None):
    """A small text table of class counts (per usage when given)."""
    target = np.asarray(target)
    width = max([len(n) for n in target_names] + [8])
    lines = []
    if usage is None or not np.any(np.asarray(usage) != ""):
        columns = [("total", np.ones(target.shape[0], dtype=bool))]
    else:
        usage = np.asarray(usage)
        known = {"Training": 0, "PublicTest": 1, "PrivateTest": 2}
        values = sorted(dict.fromkeys(usage.tolist()), key=lambda u: (known.get(u, 3), u))
        columns = [(u, usage == u) for u in values]
        columns.append(("total", np.ones(target.shape[0], dtype=bool)))
    colw = [max(len(c), 7) for c, _ in columns]
    lines.append(" " * width + "  " + "  ".join(c.rjust(w) for (c, _), w in zip(columns, colw)))
    for code, name in enumerate(target_names):
        counts = [int(np.sum((target == code) & m)) for _, m in columns]
        lines.append(
            name.ljust(width) + "  " + "  ".join(str(n).rjust(w) for n, w in zip(counts, colw))
        )
    totals = [int(np.sum(m)) for _, m in columns]
    lines.append(
        "total".ljust(width) + "  " + "  ".join(str(n).rjust(w) for n, w in zip(totals, colw))
    )
    return "\n".join(lines)
