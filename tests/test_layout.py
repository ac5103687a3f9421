"""The package's layout: data flows one way and imports follow it.

Read from the source (``ast``), so that an import hidden inside a function counts
as much as one at the top of a module.
"""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "fer_features"

# the lower layers, and what none of their modules may import
LOW = ("datasets", "preprocessing", "features", "pipelines")
HIGH = ("deep", "benchmark", "plotting", "cli", "registry")


def _imported_modules(path):
    """Absolute names of the fer_features modules that ``path`` imports."""
    tree = ast.parse(path.read_text(), filename=str(path))
    package = ".".join(("fer_features", *path.relative_to(PACKAGE).parent.parts))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            names.add(module)
            names.update(f"{module}.{alias.name}" for alias in node.names)
    return {name for name in names if name.split(".")[0] == "fer_features"}


def _layer(module):
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


@pytest.mark.parametrize("low", LOW)
def test_lower_layers_never_import_higher_ones(low):
    offences = []
    for path in sorted((PACKAGE / low).rglob("*.py")):
        for module in sorted(_imported_modules(path)):
            if _layer(module) in HIGH:
                offences.append(f"{path.relative_to(PACKAGE.parent)} imports {module}")
    assert offences == []


def test_only_deep_imports_keras_at_module_level():
    offences = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if "deep" in path.relative_to(PACKAGE).parts:
            continue
        tree = ast.parse(path.read_text())
        for node in tree.body:  # module level only: lazy imports inside functions are fine
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and not node.level:
                names = [node.module or ""]
            for name in names:
                if name.split(".")[0] in ("keras", "tensorflow"):
                    offences.append(f"{path.relative_to(PACKAGE.parent)} imports {name}")
    assert offences == []


def _module_level_definitions(path):
    tree = ast.parse(path.read_text())
    names = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
    return names


def test_every_public_name_is_defined_in_exactly_one_module():
    import fer_features
    import fer_features.plotting

    public = (set(fer_features.__all__) | set(fer_features.plotting.__all__)) - {"__version__"}
    homes = {name: [] for name in public}
    for path in sorted(PACKAGE.rglob("*.py")):
        for name in _module_level_definitions(path) & public:
            homes[name].append(str(path.relative_to(PACKAGE.parent)))
    assert {name: where for name, where in homes.items() if len(where) != 1} == {}


def test_no_subpackage_reaches_into_another_ones_private_modules():
    # what several subpackages share lives in the shared layer (fer_features._images,
    # fer_features._confusion) or is public in its subpackage's __all__
    offences = []
    for path in sorted(PACKAGE.rglob("*.py")):
        own = _layer(".".join(("fer_features", *path.relative_to(PACKAGE).parts)))
        for module in sorted(_imported_modules(path)):
            parts = module.split(".")
            private = [p for p in parts[2:] if p.startswith("_") and not p.startswith("__")]
            if len(parts) > 2 and parts[1] != own and private:
                offences.append(f"{path.relative_to(PACKAGE.parent)} imports {module}")
    assert offences == []
