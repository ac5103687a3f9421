"""The documentation builds, without warnings, so that it cannot rot.

The full build (API pages and the gallery, whose examples run) is slow and
marked so; it copies ``docs/`` and ``examples/`` into a temporary folder and
builds there, leaving the source tree untouched.
"""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
EXAMPLES = ROOT / "examples"
BUILT = ("_build", "generated", "auto_examples", "sg_execution_times.rst")


def _api_names():
    text = (DOCS / "api.rst").read_text()
    return set(re.findall(r"^   ([A-Za-z_][A-Za-z0-9_]*)\s*$", text, flags=re.M))


def test_api_page_lists_every_public_name():
    import fer_features
    import fer_features.plotting

    listed = _api_names()
    public = (set(fer_features.__all__) - {"__version__"}) | set(fer_features.plotting.__all__)
    assert sorted(public - listed) == []
    assert sorted(listed - public) == []


def test_every_example_is_in_the_gallery_and_has_a_title():
    scripts = sorted(EXAMPLES.glob("plot_*.py"))
    assert len(scripts) >= 5
    for script in scripts:
        lines = script.read_text().splitlines()
        # sphinx-gallery needs a docstring opening with an underlined title
        assert lines[0] == '"""', script.name
        assert set(lines[3]) == {"="} and lines[1] and set(lines[1]) == {"="}, script.name


@pytest.mark.slow
def test_docs_build_without_warnings(tmp_path):
    pytest.importorskip("sphinx", reason="building the docs needs the [docs] extra (sphinx)")
    pytest.importorskip("numpydoc", reason="building the docs needs the [docs] extra (numpydoc)")
    pytest.importorskip(
        "sphinx_gallery", reason="building the docs needs the [docs] extra (sphinx-gallery)"
    )
    src = tmp_path / "docs"
    shutil.copytree(DOCS, src, ignore=shutil.ignore_patterns(*BUILT))
    shutil.copytree(EXAMPLES, tmp_path / "examples")
    out = tmp_path / "html"
    env = dict(os.environ, MPLBACKEND="Agg", TF_CPP_MIN_LOG_LEVEL="2")
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "sphinx",
            "-W",
            "--keep-going",
            "-b",
            "html",
            "-q",
            str(src),
            str(out),
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=900,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-6000:]
    for page in [
        "index.html",
        "introduction.html",
        "api.html",
        "guide/data.html",
        "guide/features.html",
        "guide/pipelines.html",
        "guide/cnn.html",
        "guide/benchmark.html",
        "guide/plots.html",
        "guide/cli.html",
        "auto_examples/index.html",
        "generated/fer_features.plotting.EigenfacesDisplay.html",
        "generated/fer_features.LBPTransformer.html",
    ]:
        assert (out / page).is_file(), page
    for script in EXAMPLES.glob("plot_*.py"):
        page = out / "auto_examples" / f"{script.stem}.html"
        assert page.is_file(), page
        # every example drew at least one figure
        images = list((out / "_images").glob(f"sphx_glr_{script.stem}_*.png"))
        assert images, f"{script.name} drew no figure"
