"""Write a pip constraints file pinning every dependency to its declared minimum.

Reads ``pyproject.toml`` (the project's dependencies and the optional
dependencies of the extras named on the command line) and prints one line
``name==minimum`` per dependency, the minimum being the version of its ``>=``
bound. A dependency without a ``>=`` bound is an error: every bound the project
declares is one this job proves. ``pip install -c <that file> ".[extras]"`` then
installs the oldest versions the project claims to support.

Usage: ``python .ci/min_constraints.py [EXTRA ...] > constraints.txt``
(no extra: the core dependencies only).
"""

import re
import sys
from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"
# name, optional [extras], then the version specifiers (PEP 508, no markers here)
_REQUIREMENT = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[[^\]]*\])?\s*(.*?)\s*$")


def minimum_pins(pyproject, extras):
    """The lines ``name==minimum`` for the core dependencies and ``extras``."""
    project = tomllib.loads(Path(pyproject).read_text(encoding="utf-8"))["project"]
    self_name = project["name"].lower().replace("_", "-")
    optional = project.get("optional-dependencies", {})
    requirements = list(project.get("dependencies", []))
    for extra in extras:
        if extra not in optional:
            raise SystemExit(
                f"pyproject.toml has no extra {extra!r} (it has {', '.join(sorted(optional))})"
            )
        requirements += optional[extra]
    pins = {}
    for requirement in requirements:
        match = _REQUIREMENT.match(requirement)
        if match is None or ";" in requirement:
            raise SystemExit(f"cannot read the requirement {requirement!r} of pyproject.toml")
        name, specifiers = match.group(1), match.group(3)
        key = name.lower().replace("_", "-")
        if key == self_name:  # an extra made of other extras, e.g. all
            continue
        lower = [s.strip()[2:].strip() for s in specifiers.split(",") if s.strip().startswith(">=")]
        if len(lower) != 1:
            raise SystemExit(
                f"{requirement!r} in pyproject.toml has no single '>=' lower "
                f"bound; declare the oldest version it was tested with"
            )
        if pins.get(key, lower[0]) != lower[0]:
            raise SystemExit(f"{name} has two different lower bounds in pyproject.toml")
        pins[key] = lower[0]
    return [f"{name}=={version}" for name, version in sorted(pins.items())]


if __name__ == "__main__":
    print("\n".join(minimum_pins(PYPROJECT, sys.argv[1:])))
