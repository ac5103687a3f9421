"""Faces found in a photo with their expression probabilities, and over a video."""

import numpy as np

from ._base import _axes_grid, _pyplot

__all__ = ["FaceExpressionsDisplay", "VideoExpressionsDisplay"]

_COLOURS = [
    "tab:blue",
    "tab:orange",
    "tab:green",
    "tab:red",
    "tab:purple",
    "tab:brown",
    "tab:pink",
    "tab:gray",
    "tab:olive",
    "tab:cyan",
]


class FaceExpressionsDisplay:
    """A photo with a box around each face, and each face's expression probabilities.

    The photo is drawn with the boxes numbered; beside it, one bar chart per
    face gives the probability of every expression, the predicted one
    highlighted.

    Parameters
    ----------
    photo : ndarray of shape (height, width) or (height, width, 3)
        The photo (anything :func:`~fer_features.faces.read_photo` reads).
    faces : list of RecognizedFace
        As :meth:`ExpressionRecognizer.recognize
        <fer_features.faces.ExpressionRecognizer.recognize>` returns them.

    Attributes
    ----------
    figure_ : matplotlib Figure
    ax_ : ndarray of matplotlib Axes
        ``ax_[0]`` holds the photo, ``ax_[1 + i]`` the bars of face ``i``.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from skimage import data
    >>> from sklearn.dummy import DummyClassifier
    >>> from fer_features.faces import ExpressionRecognizer
    >>> from fer_features.plotting import FaceExpressionsDisplay
    >>> model = DummyClassifier().fit([[0] * 2304] * 4, [3, 3, 3, 6])
    >>> disp = FaceExpressionsDisplay.from_recognizer(ExpressionRecognizer(model),
    ...                                               data.astronaut())
    >>> len(disp.ax_), disp.ax_[1].get_title()
    (2, 'face 0: happy 75%')
    """

    def __init__(self, photo, faces):
        self.photo = photo
        self.faces = faces

    @classmethod
    def from_recognizer(cls, recognizer, photo, *, ax=None):
        """Recognise the faces of ``photo`` and draw them.

        Parameters
        ----------
        recognizer : ExpressionRecognizer
        photo : str, path-like, PIL.Image.Image or array-like
        ax : array-like of matplotlib Axes, default=None
            At least ``1 + n_faces`` axes; a new figure when None.

        Returns
        -------
        display : FaceExpressionsDisplay
        """
        from ..faces import read_photo

        array = read_photo(photo)
        return cls(array, recognizer.recognize(array)).plot(ax=ax)

    def plot(self, *, ax=None):
        """Draw the photo and the probabilities.

        Parameters
        ----------
        ax : array-like of matplotlib Axes, default=None
            At least ``1 + n_faces`` axes (the photo first); a new figure
            when None.

        Returns
        -------
        self : FaceExpressionsDisplay
        """
        from ..faces import read_photo

        caller = "FaceExpressionsDisplay.plot"
        plt = _pyplot(caller)
        photo = read_photo(self.photo)
        faces = list(self.faces)
        n = len(faces)
        if ax is None:
            fig = plt.figure(figsize=(8, max(3.0, 1.6 * max(n, 1))), layout="constrained")
            grid = fig.add_gridspec(max(n, 1), 2, width_ratios=(3, 2))
            axes = [fig.add_subplot(grid[:, 0])]
            axes += [fig.add_subplot(grid[i, 1]) for i in range(n)]
            axes = np.asarray(axes, dtype=object)
        else:
            fig, axes = _axes_grid(ax, 1 + n, 1 + n, caller)
        image_ax = axes[0]
        image_ax.imshow(photo, cmap="gray" if photo.ndim == 2 else None, vmin=0, vmax=255)
        image_ax.set_xticks([])
        image_ax.set_yticks([])
        from matplotlib.patches import Rectangle

        for i, face in enumerate(faces):
            x, y, w, h = face.box
            colour = _COLOURS[i % len(_COLOURS)]
            image_ax.add_patch(
                Rectangle((x - 0.5, y - 0.5), w, h, fill=False, edgecolor=colour, linewidth=2)
            )
            image_ax.text(
                x,
                y - 2,
                f"{i}: {face.expression}",
                color="white",
                fontsize=8,
                va="bottom",
                bbox={"facecolor": colour, "edgecolor": "none", "pad": 1},
            )
            bar_ax = axes[1 + i]
            names = list(face.probabilities)
            values = [face.probabilities[name] for name in names]
            colours = [colour if name == face.expression else "lightgray" for name in names]
            bar_ax.barh(np.arange(len(names)), values, color=colours)
            bar_ax.set_yticks(np.arange(len(names)), names, fontsize=7)
            bar_ax.invert_yaxis()
            bar_ax.set_xlim(0, 1)
            bar_ax.tick_params(axis="x", labelsize=7)
            bar_ax.set_title(
                f"face {i}: {face.expression} {face.probabilities[face.expression]:.0%}", fontsize=8
            )
        image_ax.set_title(f"{n} face{'s' if n != 1 else ''} found", fontsize=9)
        self.figure_, self.ax_ = fig, axes
        return self


class VideoExpressionsDisplay:
    """Each face's expression probabilities over the time of a video.

    One panel per face (by ``face_id``), one line per expression.

    Parameters
    ----------
    faces : pandas.DataFrame
        As :func:`~fer_features.faces.recognize_video` returns it: columns
        ``time``, ``face_id`` and one per expression (the columns after
        ``expression``).

    Attributes
    ----------
    figure_ : matplotlib Figure
    ax_ : ndarray of matplotlib Axes, one per face drawn
    face_ids_ : list of int
        The faces drawn, in the order of ``ax_``.
    lines_ : dict of (int, str) to matplotlib Line2D
        ``(face_id, expression)`` -> its line.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import pandas as pd
    >>> from fer_features.plotting import VideoExpressionsDisplay
    >>> faces = pd.DataFrame({"frame": [0, 1, 1], "time": [0.0, 0.04, 0.04],
    ...                       "face_id": [0, 0, 1], "expression": ["sad", "happy", "sad"],
    ...                       "happy": [0.2, 0.7, 0.1], "sad": [0.8, 0.3, 0.9]})
    >>> disp = VideoExpressionsDisplay(faces).plot()
    >>> disp.face_ids_, disp.lines_[0, "happy"].get_ydata().tolist()
    ([0, 1], [0.2, 0.7])
    """

    def __init__(self, faces):
        self.faces = faces

    @classmethod
    def from_video(
        cls, path, recognizer, *, every=1, max_frames=None, face_ids=None, ax=None, **kwargs
    ):
        """Recognise the faces of a video and draw their probabilities over time.

        Parameters
        ----------
        path : str or path-like
        recognizer : ExpressionRecognizer or fitted classifier
        every, max_frames : int
            See :func:`~fer_features.faces.recognize_video`.
        face_ids : list of int, default=None
            The faces to draw (all by default).
        ax : array-like of matplotlib Axes, default=None
        **kwargs
            Passed to :func:`~fer_features.faces.recognize_video`.

        Returns
        -------
        display : VideoExpressionsDisplay
        """
        from ..faces import recognize_video

        faces = recognize_video(path, recognizer, every=every, max_frames=max_frames, **kwargs)
        return cls(faces).plot(face_ids=face_ids, ax=ax)

    def plot(self, *, face_ids=None, ax=None, min_frames=1):
        """Draw one panel per face.

        Parameters
        ----------
        face_ids : list of int, default=None
            The faces to draw; by default every face seen in at least
            ``min_frames`` frames.
        ax : array-like of matplotlib Axes, default=None
            At least one axes per face drawn; a new figure when None.
        min_frames : int, default=1

        Returns
        -------
        self : VideoExpressionsDisplay
        """
        caller = "VideoExpressionsDisplay.plot"
        faces = self.faces
        missing = [c for c in ("time", "face_id", "expression") if c not in faces.columns]
        if missing:
            raise ValueError(
                f"{caller}: faces has no column {missing[0]!r}; pass the frame "
                f"recognize_video returns"
            )
        names = list(faces.columns[list(faces.columns).index("expression") + 1 :])
        counts = faces["face_id"].value_counts()
        if face_ids is None:
            face_ids = sorted(int(k) for k, c in counts.items() if c >= min_frames)
        else:
            face_ids = [int(k) for k in face_ids]
            unknown = [k for k in face_ids if k not in counts.index]
            if unknown:
                raise ValueError(
                    f"{caller}: no face has the id {unknown[0]} (ids: "
                    f"{sorted(int(k) for k in counts.index)})"
                )
        if not face_ids:
            raise ValueError(f"{caller}: no face to draw (the video had none found)")
        fig, axes = (
            _axes_grid(ax, len(face_ids), 1, caller, panel_size=2.2)
            if ax is not None
            else self._new_axes(len(face_ids), caller)
        )
        lines = {}
        for panel, face_id in zip(axes, face_ids):
            rows = faces[faces["face_id"] == face_id].sort_values("time")
            for k, name in enumerate(names):
                (line,) = panel.plot(
                    rows["time"].to_numpy(),
                    rows[name].to_numpy(),
                    marker=".",
                    markersize=3,
                    linewidth=1,
                    color=_COLOURS[k % len(_COLOURS)],
                    label=name,
                )
                lines[face_id, name] = line
            panel.set_ylim(0, 1)
            panel.set_ylabel("probability", fontsize=8)
            panel.set_title(f"face {face_id} ({len(rows)} frames)", fontsize=9)
        axes[-1].set_xlabel("time (s)")
        axes[0].legend(fontsize=7, ncols=min(4, len(names)), loc="upper right")
        self.figure_, self.ax_, self.face_ids_, self.lines_ = fig, axes, face_ids, lines
        return self

    @staticmethod
    def _new_axes(n, caller):
        plt = _pyplot(caller)
        fig, axes = plt.subplots(
            n, 1, squeeze=False, sharex=True, figsize=(8, 0.6 + 2.0 * n), layout="constrained"
        )
        return fig, axes.ravel()
