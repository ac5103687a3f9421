"""Sphinx configuration for the fer_features documentation.

Build offline with ``python -m sphinx -W -b html docs docs/_build/html``: nothing
here reaches the network (no intersphinx inventories, no remote images, no
binder or JupyterLite links). The gallery runs the scripts of ``examples/`` at
the project root on the built-in synthetic faces; set the environment variable
``FER_FEATURES_DOCS_NO_GALLERY=1`` to build without running them.
"""

import os
import warnings
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import fer_features  # noqa: E402

HERE = Path(__file__).resolve().parent

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
    "sphinx_gallery.gen_gallery",
]

# --- API pages -------------------------------------------------------------
autosummary_generate = True
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
templates_path = ["_templates"]
exclude_patterns = [
    "_build",
    "Thumbs.db",
    ".DS_Store",
    "**/*.ipynb",
    "**/*.py.md5",
    "**/*.codeobj.json",
    "**/*.zip",
]

# --- the gallery -----------------------------------------------------------
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
# keep the examples' own progress bars and warnings out of the build log
warnings.filterwarnings("ignore", category=UserWarning, message="Matplotlib is currently using agg")

sphinx_gallery_conf = {
    "examples_dirs": str(HERE.parent / "examples"),
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    "plot_gallery": os.environ.get("FER_FEATURES_DOCS_NO_GALLERY") != "1",
    "abort_on_example_error": True,
    "download_all_examples": False,
    "within_subsection_order": "FileNameSortKey",
    "image_scrapers": ("matplotlib",),
    "remove_config_comments": True,
    "show_memory": False,
    "show_signature": False,
    "reference_url": {"fer_features": None},
    "doc_module": ("fer_features",),
    "backreferences_dir": "generated/backreferences",
    "min_reported_time": 1,
    # displays are drawn, not printed: no repr of the last expression of a block
    "capture_repr": (),
}

# --- HTML --------------------------------------------------------------------
html_theme = "alabaster"
html_title = f"fer_features {release}"
html_static_path = []
html_theme_options = {
    "description": "Facial expression recognition baselines as scikit-learn estimators",
    "fixed_sidebar": True,
}


# --- docstring fix-ups ---------------------------------------------------------
# numpydoc types such as "ndarray of shape (n_components_,)" name fitted
# attributes; to reStructuredText a word ending in "_" is a link to a target of
# that name. Escape the underscore inside "shape (...)" so that it is shown as
# written instead of failing the build.
import re  # noqa: E402

_SHAPE = re.compile(r"shape \(([^()]*)\)")
_TRAILING_UNDERSCORE = re.compile(r"(?<![\\`])\b([A-Za-z][A-Za-z0-9_]*?)_(?=[\s,)]|$)")


def _escape_shape_underscores(app, what, name, obj, options, lines):
    for i, line in enumerate(lines):
        if "shape (" in line:
            lines[i] = _SHAPE.sub(
                lambda m: "shape (" + _TRAILING_UNDERSCORE.sub(r"\1\\_", m.group(1)) + ")", line
            )


def _skip_metadata_request_methods(app, what, name, obj, skip, options):
    # scikit-learn generates set_{fit,score,...}_request on every estimator
    # class; they are about metadata routing, not about this library
    if name.startswith("set_") and name.endswith("_request"):
        return True
    return None


def setup(app):
    # before numpydoc (priority 500) rewrites the sections
    app.connect("autodoc-process-docstring", _escape_shape_underscores, priority=400)
    app.connect("autodoc-skip-member", _skip_metadata_request_methods)
