"""Pictures of faces, features and results, drawn in one line.

Every plot is a *display* object following scikit-learn's
:class:`~sklearn.metrics.ConfusionMatrixDisplay` pattern: build it with
``from_estimator`` (a fitted estimator, or a pipeline containing the step to
draw), ``from_predictions`` or ``from_result``, or from arrays with the
constructor and :meth:`plot`; every ``plot`` accepts ``ax=`` and returns the
display with ``figure_`` and ``ax_`` set.

matplotlib is imported only when something is drawn, so importing this module
is cheap; Keras is imported only by :class:`FeatureMapsDisplay`.
"""

from .._confusion import most_confused_pairs
from ._base import picture_path
from ._benchmark import BenchmarkDisplay, write_benchmark_plots
from ._cleaning import DuplicateGroupsDisplay
from ._cnn import FeatureMapsDisplay
from ._eigenfaces import (
    EigenfacesDisplay,
    ExplainedVarianceDisplay,
    ReconstructionDisplay,
    write_eigenfaces_plot,
)
from ._faces import FaceExpressionsDisplay, VideoExpressionsDisplay
from ._gallery import FaceGalleryDisplay
from ._lbp import LBPDisplay
from ._metrics import (
    BinaryROCDisplay,
    ClassificationReportDisplay,
    ExpressionConfusionDisplay,
)

__all__ = [
    "EigenfacesDisplay",
    "ReconstructionDisplay",
    "ExplainedVarianceDisplay",
    "LBPDisplay",
    "ExpressionConfusionDisplay",
    "ClassificationReportDisplay",
    "BinaryROCDisplay",
    "FeatureMapsDisplay",
    "FaceGalleryDisplay",
    "BenchmarkDisplay",
    "FaceExpressionsDisplay",
    "VideoExpressionsDisplay",
    "DuplicateGroupsDisplay",
    "write_benchmark_plots",
    "write_eigenfaces_plot",
    "picture_path",
    "most_confused_pairs",
]
