"""Collection settings for the whole project (the package's doctests and tests/).

pytest collects the docstring examples of every module of ``fer_features``
(``--doctest-modules``, see pyproject.toml). Those of ``fer_features.deep``
need the ``deep`` extra: without Keras that subpackage is left out.
"""

import importlib.util

collect_ignore = []
if importlib.util.find_spec("keras") is None:
    collect_ignore.append("fer_features/deep")
