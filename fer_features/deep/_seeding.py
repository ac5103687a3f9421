"""Seeding a network's construction without changing the process's random state.

Keras gives every layer, initializer and dropout built without an explicit
seed one drawn from Python's global ``random`` module. :func:`seeded_build`
seeds that module for the duration of a build and puts its previous state back
afterwards, so that the network depends on the classifier's ``random_state``
only and the user's own use of ``random`` is not disturbed.
"""

import random
from contextlib import contextmanager

__all__ = ["seeded_build"]


@contextmanager
def seeded_build(seed):
    """Context in which Keras's default seeds follow ``seed``.

    Python's ``random`` state is saved on entry, seeded with ``seed`` and
    restored on exit (also when the build raises). Another thread that draws
    from ``random`` during the build would see the seeded stream: builds are
    short, and Keras itself is not thread-safe while building.

    Parameters
    ----------
    seed : int
        Seed of the build.
    """
    state = random.getstate()
    random.seed(seed)
    try:
        yield
    finally:
        random.setstate(state)
