"""The result of :func:`find_duplicates`: groups, conflicts, blanks, and masks."""

import numpy as np

__all__ = ["DuplicateReport"]


class DuplicateReport:
    """Duplicates, conflicts and blanks found in a set of images.

    Made by :func:`find_duplicates`; not meant to be built by hand.

    Attributes
    ----------
    n_samples : int
        Number of images examined (rows of ``X``).
    groups : list of ndarray of int
        Groups of duplicate images (indices into ``X``, sorted, at least two
        each), ordered by their first index.
    exact : list of bool
        For each group, whether all its images are byte-equal.
    conflicts : list of ndarray of int
        The groups whose members carry different labels (empty without labels).
    in_reference : ndarray of bool of shape (n_samples,)
        Rows that duplicate an image of the reference set (all False without one).
    reference_conflicts : ndarray of bool of shape (n_samples,)
        ``in_reference`` rows whose label differs from their copy's.
    blank : ndarray of bool of shape (n_samples,)
        Blank or near-constant images.
    hashes : ndarray of uint64 of shape (n_samples,) or None
        The perceptual hash of each image (None with ``method="exact"``).
    labels : ndarray of shape (n_samples,) or None
    params : dict
        The settings of the search.
    """

    def __init__(
        self,
        *,
        images,
        labels,
        groups,
        exact,
        in_reference,
        reference_conflicts,
        blank,
        hashes,
        params,
    ):
        self.images = images
        self.labels = labels
        self.groups = groups
        self.exact = exact
        self.in_reference = in_reference
        self.reference_conflicts = reference_conflicts
        self.blank = blank
        self.hashes = hashes
        self.params = params
        self.n_samples = len(images)
        if labels is None:
            self.conflicts = []
        else:
            self.conflicts = [g for g in groups if len(np.unique(labels[g])) > 1]

    def __repr__(self):
        counts = ", ".join(f"{k}={v}" for k, v in self.summary().items())
        return f"DuplicateReport({counts})"

    def group_ids(self):
        """Group of each row: its index in ``groups``, or -1 for a row in none."""
        ids = np.full(self.n_samples, -1, dtype=np.intp)
        for k, group in enumerate(self.groups):
            ids[group] = k
        return ids

    def summary(self):
        """Counts, as a dict of int.

        Returns
        -------
        counts : dict
            ``n_images``; ``n_groups``, ``n_exact_groups``, ``n_near_groups``
            (groups holding some image that is not a byte-equal copy);
            ``n_duplicates`` (images in groups beyond the first of each, the
            ones ``keep_mask`` drops as duplicates); ``n_conflict_groups``
            and ``n_conflict_images``; ``n_blank``; ``n_in_reference`` and
            ``n_reference_conflicts``; ``n_kept`` (rows kept by
            ``keep_mask()`` with its defaults).
        """
        n_exact = int(sum(self.exact))
        return {
            "n_images": int(self.n_samples),
            "n_groups": len(self.groups),
            "n_exact_groups": n_exact,
            "n_near_groups": len(self.groups) - n_exact,
            "n_duplicates": int(sum(len(g) - 1 for g in self.groups)),
            "n_conflict_groups": len(self.conflicts),
            "n_conflict_images": int(sum(len(g) for g in self.conflicts)),
            "n_blank": int(self.blank.sum()),
            "n_in_reference": int(self.in_reference.sum()),
            "n_reference_conflicts": int(self.reference_conflicts.sum()),
            "n_kept": int(self.keep_mask().sum()),
        }

    def keep_mask(
        self,
        *,
        drop_duplicates=True,
        drop_conflicts=True,
        drop_blank=True,
        drop_in_reference=True,
    ):
        """Rows to keep under a cleaning policy.

        Parameters
        ----------
        drop_duplicates : bool, default=True
            Keep only the first image of each group (exact or near).
        drop_conflicts : bool, default=True
            Drop every image of a group whose labels disagree, the first too:
            which label is right is unknown.
        drop_blank : bool, default=True
            Drop blank and near-constant images.
        drop_in_reference : bool, default=True
            Drop the rows that duplicate an image of the reference set (test
            rows seen in training).

        Returns
        -------
        mask : ndarray of bool of shape (n_samples,)
            True for the rows to keep; ``X[mask]``, ``y[mask]`` is the clean set.
        """
        keep = np.ones(self.n_samples, dtype=bool)
        if drop_duplicates:
            for group in self.groups:
                keep[group[1:]] = False
        if drop_conflicts:
            for group in self.conflicts:
                keep[group] = False
        if drop_blank:
            keep &= ~self.blank
        if drop_in_reference:
            keep &= ~self.in_reference
        return keep

    def to_frame(self):
        """One row per image in a group, as a pandas DataFrame.

        Returns
        -------
        frame : pandas.DataFrame
            Columns ``index`` (row of ``X``), ``group``, ``label`` (None
            without labels), ``kind`` (``"exact"`` or ``"near"``: the
            group's), ``first`` (the group's first image, the one kept),
            ``conflict``, ``blank`` and ``in_reference``.
        """
        import pandas as pd

        conflicting = {int(g[0]) for g in self.conflicts}
        records = []
        for k, (group, exact) in enumerate(zip(self.groups, self.exact)):
            for position, index in enumerate(group):
                index = int(index)
                label = None if self.labels is None else self.labels[index]
                records.append(
                    {
                        "index": index,
                        "group": k,
                        "label": label.item() if hasattr(label, "item") else label,
                        "kind": "exact" if exact else "near",
                        "first": position == 0,
                        "conflict": int(group[0]) in conflicting,
                        "blank": bool(self.blank[index]),
                        "in_reference": bool(self.in_reference[index]),
                    }
                )
        columns = ["index", "group", "label", "kind", "first", "conflict", "blank", "in_reference"]
        return pd.DataFrame.from_records(records, columns=columns)

    def to_dict(self):
        """Everything found, as plain JSON-ready Python values.

        Returns
        -------
        report : dict
            ``summary`` (see :meth:`summary`), ``params``, ``groups`` (a list
            of ``{"indices", "kind", "conflict", "labels"}``), and the indices
            of the ``blank``, ``in_reference`` and ``reference_conflicts`` rows.
        """
        conflicting = {int(g[0]) for g in self.conflicts}
        groups = []
        for group, exact in zip(self.groups, self.exact):
            entry = {
                "indices": [int(i) for i in group],
                "kind": "exact" if exact else "near",
                "conflict": int(group[0]) in conflicting,
            }
            if self.labels is not None:
                entry["labels"] = [_plain(v) for v in self.labels[group]]
            groups.append(entry)
        return {
            "summary": self.summary(),
            "params": dict(self.params),
            "groups": groups,
            "blank": np.flatnonzero(self.blank).tolist(),
            "in_reference": np.flatnonzero(self.in_reference).tolist(),
            "reference_conflicts": np.flatnonzero(self.reference_conflicts).tolist(),
        }

    def plot(self, *, n_groups=8, max_per_group=6, target_names=None, ax=None):
        """Draw example groups, one row of faces per group.

        Parameters
        ----------
        n_groups : int, default=8
            Number of groups drawn (conflicting groups first, then the others
            in order).
        max_per_group : int, default=6
            Faces drawn per group at most.
        target_names : sequence of str, default=None
            Names of integer labels, for the titles.
        ax : array of matplotlib Axes of shape (n_groups, max_per_group), default=None

        Returns
        -------
        display : :class:`~fer_features.plotting.DuplicateGroupsDisplay`
        """
        from ..plotting import DuplicateGroupsDisplay

        return DuplicateGroupsDisplay.from_report(
            self,
            n_groups=n_groups,
            max_per_group=max_per_group,
            target_names=target_names,
            ax=ax,
        )


def _plain(value):
    return value.item() if hasattr(value, "item") else value
