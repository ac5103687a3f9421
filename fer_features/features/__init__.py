"""Feature transformers: LBP and LGBP histograms, eigenfaces, HOG, computed over whole batches,
and the Hellinger (square-root) map for histogram features."""

from ._eigenfaces import EigenfaceTransformer
from ._hellinger import HellingerTransformer
from ._hog import HOGTransformer
from ._lbp import LBPTransformer, lbp_code_images, lbp_n_bins
from ._lgbp import LGBPTransformer, gabor_kernel, gabor_magnitudes

__all__ = [
    "EigenfaceTransformer",
    "HOGTransformer",
    "HellingerTransformer",
    "LBPTransformer",
    "LGBPTransformer",
    "gabor_kernel",
    "gabor_magnitudes",
    "lbp_code_images",
    "lbp_n_bins",
]
