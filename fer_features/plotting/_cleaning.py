"""Example groups of duplicate images, one row of faces per group."""

import numpy as np

from ._base import _check_positive_int, _label_names, _pyplot, _show_image

__all__ = ["DuplicateGroupsDisplay"]


class DuplicateGroupsDisplay:
    """Groups of duplicate faces, one row per group, titled with their labels.

    Each row shows the faces of one group (the first, the one a cleaning keeps,
    on the left), each titled with its row index and label; the row's first
    title also says whether the group is of exact or near copies, and red
    titles mark a group whose labels disagree.

    Parameters
    ----------
    images : ndarray of shape (n_samples, height, width)
        All the images the groups index.
    groups : list of array-like of int
        The groups to draw (indices into ``images``).
    labels : array-like of shape (n_samples,), default=None
    kinds : list of str, default=None
        ``"exact"`` or ``"near"`` for each group.
    target_names : sequence of str, default=None
        Names of integer labels.
    max_per_group : int, default=6
        Faces drawn per group at most.

    Attributes
    ----------
    figure_ : matplotlib Figure
    ax_ : ndarray of matplotlib Axes of shape (n_groups, max_per_group)
    conflict_ : ndarray of bool of shape (n_groups,)
        Whether each drawn group's labels disagree.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> from fer_features.plotting import DuplicateGroupsDisplay
    >>> images = np.random.default_rng(0).integers(0, 256, size=(5, 48, 48))
    >>> disp = DuplicateGroupsDisplay(images, [[0, 3], [1, 2, 4]], labels=[0, 1, 1, 0, 2],
    ...                               target_names=["angry", "happy", "sad"]).plot()
    >>> disp.ax_.shape, disp.conflict_.tolist()
    ((2, 3), [False, True])
    >>> disp.ax_[1, 2].get_title()
    '#4 sad'
    """

    def __init__(
        self, images, groups, *, labels=None, kinds=None, target_names=None, max_per_group=6
    ):
        self.images = images
        self.groups = groups
        self.labels = labels
        self.kinds = kinds
        self.target_names = target_names
        self.max_per_group = max_per_group

    @classmethod
    def from_report(cls, report, *, n_groups=8, max_per_group=6, target_names=None, ax=None):
        """Draw example groups of a :class:`~fer_features.cleaning.DuplicateReport`.

        Conflicting groups come first, then the others in order of their
        first index.

        Parameters
        ----------
        report : DuplicateReport
        n_groups : int, default=8
        max_per_group : int, default=6
        target_names : sequence of str, default=None
        ax : array of matplotlib Axes of shape (n_groups, max_per_group), default=None

        Returns
        -------
        display : DuplicateGroupsDisplay
        """
        caller = cls.__name__
        n_groups = _check_positive_int(n_groups, "n_groups", caller)
        conflicting = {int(g[0]) for g in report.conflicts}
        order = sorted(
            range(len(report.groups)),
            key=lambda k: (int(report.groups[k][0]) not in conflicting, k),
        )[:n_groups]
        if not order:
            raise ValueError(f"{caller}: the report holds no group of duplicates to draw")
        disp = cls(
            report.images,
            [report.groups[k] for k in order],
            labels=report.labels,
            kinds=["exact" if report.exact[k] else "near" for k in order],
            target_names=target_names,
            max_per_group=max_per_group,
        )
        return disp.plot(ax=ax)

    def plot(self, *, ax=None):
        """Draw the groups.

        Parameters
        ----------
        ax : array of matplotlib Axes of shape (n_groups, max_per_group), default=None
            Where to draw; a new figure when None.

        Returns
        -------
        self : DuplicateGroupsDisplay
        """
        caller = type(self).__name__
        per_group = _check_positive_int(self.max_per_group, "max_per_group", caller)
        groups = [np.asarray(g, dtype=np.intp) for g in self.groups]
        if not groups:
            raise ValueError(f"{caller}: no group to draw")
        images = np.asarray(self.images)
        labels = None if self.labels is None else np.asarray(self.labels)
        n_cols = min(per_group, max(len(g) for g in groups))
        if ax is None:
            plt = _pyplot(caller)
            fig, axes = plt.subplots(
                len(groups),
                n_cols,
                squeeze=False,
                figsize=(1.4 * n_cols, 1.65 * len(groups) + 0.3),
                layout="constrained",
            )
        else:
            axes = np.asarray(ax, dtype=object).reshape(len(groups), -1)
            if axes.shape[1] < n_cols:
                raise ValueError(
                    f"{caller} draws {len(groups)} x {n_cols} faces but ax has shape "
                    f"{axes.shape}; pass ax=None or a big enough array of axes"
                )
            fig = axes[0, 0].figure
        conflict = np.zeros(len(groups), dtype=bool)
        for row, group in enumerate(groups):
            if labels is not None:
                conflict[row] = len(np.unique(labels[group])) > 1
            for col in range(axes.shape[1]):
                a = axes[row, col]
                if col >= min(len(group), n_cols):
                    a.set_visible(False)
                    continue
                index = int(group[col])
                title = f"#{index}"
                if labels is not None:
                    title += " " + _label_names([labels[index]], self.target_names)[0]
                if col == 0 and self.kinds is not None:
                    title = f"{self.kinds[row]}\n{title}"
                _show_image(a, images[index], title=title, vmin=0, vmax=255)
                if conflict[row]:
                    a.title.set_color("tab:red")
        self.figure_ = fig
        self.ax_ = axes
        self.conflict_ = conflict
        return self
