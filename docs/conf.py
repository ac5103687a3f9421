"""Sphinx configuration for the fer_features documentation.

Build offline with ``python -m sphinx -W -b html docs docs/_build/html``: nothing
here reaches the network (no intersphinx inventories, no remote images).
"""

import fer_features

project = "fer_features"
author = "fer_features developers"
copyright = "2026, fer_features developers"
release = fer_features.__version__
version = release

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.doctest",
    "sphinx.ext.mathjax",
    "numpydoc",
]
autosummary_generate = True
numpydoc_show_class_members = False
templates_path = ["_templates"]
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store"]
html_theme = "alabaster"
