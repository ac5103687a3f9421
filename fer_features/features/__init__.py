"""Feature transformers: LBP and LGBP histograms, eigenfaces, HOG, computed over whole batches,
the Hellinger (square-root) map for histogram features, and dense SIFT visual words."""

from ._dense_sift import DenseSIFTWords, dense_gabor_descriptors, dense_sift_descriptors
from ._eigenfaces import EigenfaceTransformer
from ._hellinger import HellingerTransformer
from ._hog import HOGTransformer
from ._lbp import LBPTransformer, lbp_code_images, lbp_n_bins
from ._lgbp import LGBPTransformer, gabor_kernel, gabor_magnitudes

__all__ = [
    "DenseSIFTWords",
    "EigenfaceTransformer",
    "HOGTransformer",
    "HellingerTransformer",
    "LBPTransformer",
    "LGBPTransformer",
    "dense_gabor_descriptors",
    "dense_sift_descriptors",
    "gabor_kernel",
    "gabor_magnitudes",
    "lbp_code_images",
    "lbp_n_bins",
]
