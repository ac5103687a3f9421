"""End-to-end tests of ``fer-features datasets``."""

import subprocess
import sys

from fer_features.cli import main


def test_lists_data_sets(capsys):
    assert main(["datasets"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Data sets fer_features can load")
    assert "synthetic" in out and "JAFFE codes" in out


def test_describes_one_data_set(capsys, tmp_path):
    row = " ".join(["1"] * 2304)
    path = tmp_path / "tiny.csv"
    path.write_text(f"emotion,pixels\n3,{row}\n3,{row}\n5,{row}\n")
    assert main(["datasets", str(path)]) == 0
    out = capsys.readouterr().out
    assert "tiny.csv: 3 grey 48x48 faces" in out
    assert "happy" in out and "surprise" in out


def test_synthetic_counts(capsys):
    assert main(["datasets", "synthetic"]) == 0
    out = capsys.readouterr().out
    assert "1400 grey 48x48 faces" in out
    assert [line.split() for line in out.splitlines() if line.startswith("happy")] == [
        ["happy", "200"]
    ]


def test_errors_exit_2_with_message(capsys, tmp_path):
    assert main(["datasets", "nonsense"]) == 2
    assert "fer-features datasets: error: unknown data set 'nonsense'" in capsys.readouterr().err
    bad = tmp_path / "bad.csv"
    bad.write_text("emotion,pixels\n3,1 2 3\n")
    assert main(["datasets", str(bad)]) == 2
    assert "bad.csv, row 1: 3 pixel values, expected 2304" in capsys.readouterr().err


def test_installed_command():
    """The console script runs in a fresh interpreter."""
    result = subprocess.run(
        [sys.executable, "-m", "fer_features.cli", "datasets"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "Expression vocabulary" in result.stdout
