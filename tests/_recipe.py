"""Settings that shrink the recommended pipeline's visual words for tests' small data.

A vocabulary of 8 x 8 words learnt from 5,000 descriptors instead of 64 x 64
from 150,000: the k-means that take 30 s on a few hundred faces take under a
second, and the pipeline is otherwise the recipe.
"""

SMALL_WORDS = {
    "words__estimator__words__branching": 8,
    "words__estimator__words__n_vocabulary_samples": 5000,
}
