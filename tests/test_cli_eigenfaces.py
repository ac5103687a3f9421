"""The ``fer-features eigenfaces`` command, end to end."""

import matplotlib

matplotlib.use("Agg")

import pytest  # noqa: E402

from fer_features.cli import main  # noqa: E402

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _check_png(path):
    from PIL import Image

    assert path.read_bytes()[:8] == PNG_SIGNATURE
    with Image.open(path) as img:
        img.verify()
    with Image.open(path) as img:
        return img.size


def test_eigenfaces_synthetic_writes_png(tmp_path, capsys):
    out = tmp_path / "pics" / "eigenfaces.png"
    assert main(["eigenfaces", "--n-components", "12", "--out", str(out)]) == 0
    width, height = _check_png(out)
    assert width > 300 and height > 200
    printed = capsys.readouterr().out
    assert "faces of 48x48 pixels; 12 eigenfaces explain" in printed
    assert f"wrote {out}" in printed


def test_eigenfaces_out_folder_gets_a_file_inside(tmp_path, capsys):
    folder = tmp_path / "pics"
    assert main(["eigenfaces", "--n-components", "8", "--out", f"{folder}/"]) == 0
    _check_png(folder / "eigenfaces.png")
    assert not (tmp_path / "pics.png").exists()
    assert f"wrote {folder / 'eigenfaces.png'}" in capsys.readouterr().out
    # an existing folder, named without the slash: the same
    assert main(["eigenfaces", "--n-components", "8", "--out", str(folder)]) == 0
    assert f"wrote {folder / 'eigenfaces.png'}" in capsys.readouterr().out


def test_eigenfaces_out_without_a_picture_extension_is_refused(tmp_path, capsys):
    for name, message in (
        ("faces", "it has no extension"),
        ("faces.txt", "its extension .txt is not"),
    ):
        out = tmp_path / name
        assert main(["eigenfaces", "--n-components", "8", "--out", str(out)]) == 2
        err = capsys.readouterr().err
        assert err.startswith("fer-features eigenfaces: error: --out ")
        assert message in err and ".png" in err
        assert not out.exists() and not (tmp_path / f"{name}.png").exists()


def test_eigenfaces_same_command_same_picture(tmp_path, capsys):
    printed = []
    for i in range(2):
        assert main(["eigenfaces", "--n-components", "8", "--out", str(tmp_path / f"{i}.png")]) == 0
        printed.append(capsys.readouterr().out.splitlines()[0])
    assert printed[0] == printed[1]
    assert (tmp_path / "0.png").read_bytes() == (tmp_path / "1.png").read_bytes()
    assert (
        main(
            [
                "eigenfaces",
                "--n-components",
                "8",
                "--random-state",
                "1",
                "--out",
                str(tmp_path / "2.png"),
            ]
        )
        == 0
    )
    assert capsys.readouterr().out.splitlines()[0] != printed[0]


def test_eigenfaces_fewer_shown_than_fitted(tmp_path):
    small = tmp_path / "small.png"
    large = tmp_path / "large.png"
    assert main(["eigenfaces", "--n-components", "30", "--show", "3", "--out", str(small)]) == 0
    assert main(["eigenfaces", "--n-components", "30", "--out", str(large)]) == 0
    # 4 panels against 25: the picture of 24 eigenfaces is larger
    (ws, hs), (wl, hl) = _check_png(small), _check_png(large)
    assert ws * hs < wl * hl


@pytest.mark.fer2013
def test_eigenfaces_real_fer2013(tmp_path, fer2013_small, capsys):
    # the real faces of the subset, written as a FER2013 CSV (kept small for speed)
    csv = tmp_path / "fer_subset.csv"
    lines = ["emotion,pixels,Usage"]
    for label, row, usage in zip(fer2013_small.target, fer2013_small.data, fer2013_small.usage):
        lines.append(f"{label},{' '.join(map(str, row))},{usage}")
    csv.write_text("\n".join(lines) + "\n")
    out = tmp_path / "fer.png"
    assert main(["eigenfaces", "--data", str(csv), "--n-components", "24", "--out", str(out)]) == 0
    _check_png(out)
    n = len(fer2013_small.target)
    assert f"{n} faces of 48x48 pixels; 24 eigenfaces explain" in capsys.readouterr().out


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--n-components", "0"], "n_components must be a positive integer, got 0"),
        (["--show", "-1"], "n_eigenfaces must be a positive integer, got -1"),
        (["--data", "no/such/file.csv"], "no/such/file.csv"),
    ],
)
def test_eigenfaces_bad_arguments_exit_2(tmp_path, capsys, argv, message):
    out = tmp_path / "x.png"
    assert main(["eigenfaces", *argv, "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("fer-features eigenfaces: error: ")
    assert message in err
    assert not out.exists()


def test_eigenfaces_too_many_components(tmp_path, capsys):
    assert main(["eigenfaces", "--n-components", "5000", "--out", str(tmp_path / "x.png")]) == 2
    assert "n_components=5000 is more than the data allow" in capsys.readouterr().err
