"""Tests of .ci/min_constraints.py, which pins every dependency to its declared minimum."""

import importlib.util
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def script():
    spec = importlib.util.spec_from_file_location(
        "min_constraints", ROOT / ".ci" / "min_constraints.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_dependency_of_pyproject_is_pinned_to_its_lower_bound(script):
    tomllib = pytest.importorskip("tomllib")
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = [e for e in project["optional-dependencies"] if e != "all"]
    pins = dict(line.split("==") for line in script.minimum_pins(ROOT / "pyproject.toml", extras))
    declared = project["dependencies"] + sum(
        (project["optional-dependencies"][e] for e in extras), []
    )
    names = set()
    for requirement in declared:  # keras is in two extras, with one bound
        name = re.match(r"[A-Za-z0-9._-]+", requirement).group(0).lower().replace("_", "-")
        lower = re.search(r">=\s*([^,\s]+)", requirement).group(1)
        assert pins[name] == lower, requirement
        names.add(name)
    assert set(pins) == names
    # the bug this job exists for: the *-svc pipelines need scikit-learn 1.8
    core = dict(line.split("==") for line in script.minimum_pins(ROOT / "pyproject.toml", []))
    assert tuple(int(v) for v in core["scikit-learn"].split(".")[:2]) >= (1, 8)


@pytest.mark.parametrize(
    "dependencies, message",
    [
        ('["numpy"]', "'numpy' in pyproject.toml has no single '>=' lower bound"),
        ('["numpy<3"]', "'numpy<3' in pyproject.toml has no single '>=' lower bound"),
        ('["numpy==2.0"]', "no single '>=' lower bound"),
        ('["numpy>=1.0", "NumPy>=1.1"]', "NumPy has two different lower bounds"),
    ],
)
def test_a_dependency_without_lower_bound_is_an_error(script, tmp_path, dependencies, message):
    path = tmp_path / "pyproject.toml"
    path.write_text(f'[project]\nname = "x"\ndependencies = {dependencies}\n')
    with pytest.raises(SystemExit, match=re.escape(message)):
        script.minimum_pins(path, [])


def test_extras_and_self_references(script, tmp_path):
    path = tmp_path / "pyproject.toml"
    path.write_text(
        '[project]\nname = "my_pkg"\ndependencies = ["scikit-learn>=1.8,<1.10"]\n'
        '[project.optional-dependencies]\nfast = ["dask[distributed] >= 2024.1"]\n'
        'all = ["my-pkg[fast]"]\n'
    )
    assert script.minimum_pins(path, []) == ["scikit-learn==1.8"]
    assert script.minimum_pins(path, ["fast", "all"]) == ["dask==2024.1", "scikit-learn==1.8"]
    with pytest.raises(SystemExit, match="pyproject.toml has no extra 'slow'"):
        script.minimum_pins(path, ["slow"])


def test_ci_runs_the_readme_test_command_in_a_fresh_venv():
    """.ci/run runs the README's test command verbatim; both make the venv anew."""
    ci = (ROOT / ".ci" / "run").read_text()
    command = re.search(r"^README_TEST='(.*)'$", ci, flags=re.MULTILINE).group(1)
    assert command in (ROOT / "README.md").read_text().splitlines()
    assert command.startswith("python3 -m venv --clear .venv ")
    assert "python3 -m venv --clear .venv-min" in ci
    assert "min_constraints.py" in ci and "-c .venv-min/constraints.txt" in ci
