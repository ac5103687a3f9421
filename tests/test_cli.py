"""The fer-features command frame: version, help, unknown commands."""

import subprocess
import sys

import pytest

import fer_features
from fer_features.cli import main


def test_version(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0
    assert capsys.readouterr().out.strip() == f"fer-features {fer_features.__version__}"


def test_no_command_prints_help_and_fails(capsys):
    assert main([]) == 2
    assert "usage: fer-features" in capsys.readouterr().out


def test_unknown_command_is_an_argument_error(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["no-such-command"])
    assert exc.value.code == 2
    assert "invalid choice: 'no-such-command'" in capsys.readouterr().err


def test_import_does_not_pull_heavy_dependencies():
    code = (
        "import sys, fer_features; "
        "heavy = [m for m in ('tensorflow', 'keras', 'matplotlib', 'skimage', 'xgboost') "
        "if m in sys.modules]; print(','.join(heavy))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert out == ""


def test_unknown_public_name_is_an_attribute_error():
    with pytest.raises(AttributeError, match="has no attribute 'NoSuchThing'"):
        fer_features.NoSuchThing  # noqa: B018 - the attribute access is the test
