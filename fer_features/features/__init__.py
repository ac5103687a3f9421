"""Feature transformers: LBP histograms, eigenfaces and HOG, computed over whole batches."""

from ._eigenfaces import EigenfaceTransformer
from ._hog import HOGTransformer
from ._lbp import LBPTransformer, lbp_code_images, lbp_n_bins

__all__ = [
    "EigenfaceTransformer",
    "HOGTransformer",
    "LBPTransformer",
    "lbp_code_images",
    "lbp_n_bins",
]
