"""The ``fer-features clean`` command end to end, and the counts on the real file."""

import gzip
import json
import re
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from fer_features.cleaning import find_dataset_duplicates, find_duplicates
from fer_features.cli import main
from fer_features.datasets import load_fer2013, load_image_folder, make_synthetic_faces

DOCS = Path(__file__).resolve().parents[1] / "docs" / "guide" / "cleaning.rst"


def _shift(image):
    out = np.roll(image, 1, axis=1)
    out[:, 0] = image[:, 0]
    return out


@pytest.fixture
def fer_csv(tmp_path):
    """A FER2013-style CSV: 30 Training then 10 PublicTest rows, with planted
    duplicates: row 20 a shifted copy of row 10, row 25 a copy of row 5 with
    another label, row 35 (PublicTest) a copy of Training row 3."""
    faces = make_synthetic_faces(40, random_state=0)
    X, y = faces.images.copy(), faces.target.copy()
    X[20] = _shift(X[10])
    y[20] = y[10]
    X[25] = X[5]
    y[25] = (y[5] + 1) % 7
    X[35] = X[3]
    y[35] = y[3]
    usage = ["Training"] * 30 + ["PublicTest"] * 10
    lines = ["emotion,pixels,Usage"]
    for image, label, u in zip(X, y, usage):
        lines.append(f"{label},{' '.join(map(str, image.ravel()))},{u}")
    path = tmp_path / "faces.csv.gz"
    with gzip.open(path, "wt") as f:
        f.write("\r\n".join(lines) + "\r\n")
    return path, X, y


def test_clean_a_fer2013_csv(fer_csv, tmp_path, capsys):
    path, X, y = fer_csv
    report_path, out = tmp_path / "report.json", tmp_path / "clean.csv.gz"
    assert main(["clean", str(path), "--report", str(report_path), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert re.search(r"^n_groups +3$", printed, re.M)
    assert re.search(r"^n_in_reference +1$", printed, re.M)
    assert f"wrote {out} (36 of 40 images)" in printed
    content = json.loads(report_path.read_text())
    assert [g["indices"] for g in content["groups"]] == [[3, 35], [5, 25], [10, 20]]
    assert [g["conflict"] for g in content["groups"]] == [False, True, False]
    assert content["in_reference"] == [35]
    assert content["params"]["max_distance"] == 10
    # the copy: same format, rows 5, 20, 25 and 35 gone, in order
    cleaned = load_fer2013(out)
    keep = np.setdiff1d(np.arange(40), [5, 20, 25, 35])
    assert np.array_equal(cleaned.images, X[keep])
    assert np.array_equal(cleaned.target, y[keep])
    assert cleaned.usage.tolist() == ["Training"] * 27 + ["PublicTest"] * 9
    assert gzip.open(out, "rt").readline() == "emotion,pixels,Usage\n"


def test_options_reach_the_search(fer_csv, tmp_path, capsys):
    path, _, _ = fer_csv
    out = tmp_path / "plain.csv"
    argv = ["clean", str(path), "--method", "exact", "--keep-duplicates", "--out", str(out)]
    assert main(argv) == 0
    printed = capsys.readouterr().out
    assert re.search(r"^n_groups +2$", printed, re.M)  # the shifted copy is not byte-equal
    # kept: every copy but the conflicting pair and the test row seen in training
    assert len(load_fer2013(out).images) == 37
    assert out.read_bytes()[:2] != b"\x1f\x8b"  # no .gz: plain text
    assert main(["clean", str(path), "--max-distance", "0"]) == 0
    assert re.search(r"^n_groups +2$", capsys.readouterr().out, re.M)


def test_clean_an_image_folder(tmp_path, capsys):
    faces = make_synthetic_faces(14, random_state=1)
    root = tmp_path / "faces"
    for k, (image, label) in enumerate(zip(faces.images, faces.target)):
        folder = root / faces.target_names[label]
        folder.mkdir(parents=True, exist_ok=True)
        Image.fromarray(image).save(folder / f"face{k:02d}.png")
    label = faces.target_names[faces.target[4]]
    Image.fromarray(faces.images[4]).save(root / label / "zz_copy.png")
    out = tmp_path / "cleaned"
    assert main(["clean", str(root), "--out", str(out)]) == 0
    assert "(14 of 15 images)" in capsys.readouterr().out
    written = sorted(p.relative_to(out) for p in out.rglob("*.png"))
    assert written == sorted(p.relative_to(root) for p in root.rglob("face*.png"))
    assert len(load_image_folder(out).images) == 14
    # a second run into the same, now full, folder is refused before any work
    assert main(["clean", str(root), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"fer-features clean: error: --out {out}: exists and is not an empty")


def test_bad_inputs_print_one_error_line(tmp_path, capsys):
    missing = tmp_path / "missing.csv"
    assert main(["clean", str(missing)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith("fer-features clean: error: ") and "missing.csv" in err
    bad = tmp_path / "bad.csv"
    bad.write_text("emotion,pixels,Usage\n0,1 2 3,Training\n")
    assert main(["clean", str(bad)]) == 2
    assert "bad.csv, row 1: 3 pixel values, expected 2304" in capsys.readouterr().err
    assert main(["clean", str(bad), "--out", str(bad)]) == 2
    assert "that is the input itself" in capsys.readouterr().err


@pytest.mark.slow
@pytest.mark.fer2013
def test_counts_on_the_real_file_match_the_guide(fer2013):
    report = find_dataset_duplicates(fer2013)
    counts = report.summary()
    exact = find_duplicates(fer2013.images, method="exact")
    # the exact search agrees with an independent count of repeated rows
    rows = np.ascontiguousarray(fer2013.data).view(np.dtype((np.void, 2304))).ravel()
    assert exact.summary()["n_duplicates"] == len(rows) - len(np.unique(rows))
    # every exact group lies inside one group of the near-duplicate search
    ids = report.group_ids()
    assert all(len(set(ids[g].tolist())) == 1 and ids[g[0]] >= 0 for g in exact.groups)
    # only PublicTest rows can be in the reference (Training)
    assert set(fer2013.usage[report.in_reference]) == {"PublicTest"}
    # the counts the guide prints are these
    block = DOCS.read_text().split(".. counts-begin")[1].split(".. counts-end")[0]
    documented = {k: int(v) for k, v in re.findall(r"^\s+(n_\w+)\s+(\d+)$", block, re.M)}
    assert documented == counts
