"""Feature transformers: LBP histograms, eigenfaces and HOG, computed over whole batches."""

from ._hog import HOGTransformer
from ._lbp import LBPTransformer, lbp_code_images, lbp_n_bins

__all__ = [
    "HOGTransformer",
    "LBPTransformer",
    "lbp_code_images",
    "lbp_n_bins",
]
