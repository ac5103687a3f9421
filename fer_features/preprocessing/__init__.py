"""Image preprocessing transformers: standardise, equalise, resize, crop.

Same input convention as every estimator of the library: ``X`` of shape
``(n_samples, height * width)`` (or ``(n_samples, height, width)``) plus an
``image_shape`` parameter; the output is flattened images again, so these
compose in a :class:`~sklearn.pipeline.Pipeline` before the feature transformers.
"""

from ._geometry import CenterCrop, ImageResizer
from ._intensity import HistogramEqualizer, ImageStandardizer

__all__ = [
    "CenterCrop",
    "HistogramEqualizer",
    "ImageResizer",
    "ImageStandardizer",
]
