"""Tests of load_dataset and describe_datasets (the loaders' docstring examples run as
pytest --doctest-modules collects them)."""

import numpy as np
import pytest
from PIL import Image

from fer_features.datasets import describe_datasets, load_dataset, make_synthetic_faces


def write_csv(path, n=3):
    row = " ".join(["5"] * 2304)
    path.write_text(
        "emotion,pixels,Usage\n"
        + "".join(f"{i % 7},{row},{'Training' if i % 2 else 'PublicTest'}\n" for i in range(n))
    )
    return path


def test_synthetic():
    faces = load_dataset("synthetic", n_samples=14, random_state=2)
    np.testing.assert_array_equal(faces.data, make_synthetic_faces(14, random_state=2).data)
    assert load_dataset(" Synthetic ", n_samples=7).data.shape == (7, 2304)


def test_csv_and_gz_paths(tmp_path):
    import gzip

    path = write_csv(tmp_path / "fer.csv")
    faces = load_dataset(path)
    assert faces.target.tolist() == [0, 1, 2]
    assert load_dataset(str(path), usage="Training").target.tolist() == [1]
    gz = tmp_path / "fer.csv.gz"
    gz.write_bytes(gzip.compress(path.read_bytes()))
    np.testing.assert_array_equal(load_dataset(gz).data, faces.data)


def test_folder_path(tmp_path):
    (tmp_path / "HA").mkdir()
    Image.new("L", (10, 10), 3).save(tmp_path / "HA" / "KA.HA1.29.tiff")
    faces = load_dataset(tmp_path, image_size=(12, 12))
    assert faces.target_names == ["happy"] and faces.images.shape == (1, 12, 12)
    assert faces.groups.tolist() == ["KA"]


def test_fer2013_from_environment(tmp_path, monkeypatch):
    monkeypatch.delenv("FER_FEATURES_FER2013", raising=False)
    with pytest.raises(
        ValueError, match="environment variable FER_FEATURES_FER2013, which is not set"
    ):
        load_dataset("fer2013")
    monkeypatch.setenv("FER_FEATURES_FER2013", str(write_csv(tmp_path / "f.csv", 4)))
    assert load_dataset("fer2013").data.shape == (4, 2304)
    assert "FER_FEATURES_FER2013 is set to" in describe_datasets()


@pytest.mark.parametrize(
    "spec, error, message",
    [
        ("nothing", ValueError, "unknown data set 'nothing': give 'synthetic', 'fer2013'"),
        ("missing.csv", FileNotFoundError, "no such file or folder: 'missing.csv'"),
        ("some/dir", FileNotFoundError, "no such file or folder: 'some/dir'"),
        (3, ValueError, "data set must be 'synthetic', 'fer2013' or a path, got 3"),
    ],
)
def test_bad_specs(spec, error, message):
    with pytest.raises(error) as info:
        load_dataset(spec)
    assert message in str(info.value)


def test_file_that_is_not_a_csv(tmp_path):
    path = tmp_path / "face.png"
    Image.new("L", (4, 4)).save(path)
    with pytest.raises(ValueError, match="is a file but not a CSV"):
        load_dataset(path)


def test_keywords_that_do_not_apply(tmp_path):
    with pytest.raises(
        ValueError,
        match="usage= does not apply to 'synthetic' "
        r"\(make_synthetic_faces takes n_samples, n_classes",
    ):
        load_dataset("synthetic", usage="Training")
    with pytest.raises(ValueError, match="n_samples= does not apply to the CSV"):
        load_dataset(write_csv(tmp_path / "f.csv"), n_samples=3)


def test_describe_datasets_text():
    text = describe_datasets()
    for needle in [
        "synthetic",
        "PATH.csv[.gz]",
        "FOLDER/",
        "load_fer2013",
        "load_image_folder",
        "angry, disgust, fear, happy, sad, surprise, neutral, contempt",
        "CK+ codes: 0=neutral, 1=angry, 2=contempt",
        "JAFFE codes: AN=angry",
    ]:
        assert needle in text
    assert max(len(line) for line in text.splitlines()) <= 100


def test_describe_one_dataset(tmp_path):
    text = describe_datasets(write_csv(tmp_path / "f.csv", 4))
    assert text.startswith("FER2013 facial expressions read from f.csv: 4 grey 48x48 faces.")
    lines = text.splitlines()
    assert lines[2].split() == ["Training", "PublicTest", "total"]
    assert lines[3].split() == ["angry", "0", "1", "1"]
    assert lines[-3].split() == ["total", "2", "2", "4"]


def unreadable_folder(tmp_path):
    root = tmp_path / "faces"
    for sub, grey in (("happy", 3), ("sad", 200)):
        (root / sub).mkdir(parents=True)
        Image.new("L", (10, 10), grey).save(root / sub / "ok.png")
    (root / "sad" / "broken.png").write_bytes(b"not an image")
    return root


def test_skip_unreadable_skips_and_reports(tmp_path):
    root = unreadable_folder(tmp_path)
    with pytest.raises(ValueError, match=r"cannot read image '.*broken\.png'"):
        load_dataset(root)
    with pytest.warns(UserWarning, match="skipped 1 unreadable image.*: broken.png"):
        faces = load_dataset(root, skip_unreadable=True)
    assert faces.target.tolist() == [0, 1]
    assert [s.split("/")[-1] for s in faces.skipped] == ["broken.png"]
    with pytest.raises(ValueError, match="skip_unreadable=True and errors='raise' contradict"):
        load_dataset(root, skip_unreadable=True, errors="raise")
    csv = write_csv(tmp_path / "fer.csv")
    for spec in (csv, "synthetic"):
        with pytest.raises(
            ValueError,
            match=r"skip_unreadable \(--skip-unreadable\) applies "
            r"to folders of images",
        ):
            load_dataset(spec, skip_unreadable=True)


@pytest.mark.parametrize(
    "command", [["datasets"], ["eigenfaces", "--n-components", "2", "--show", "2", "--data"]]
)
def test_cli_skip_unreadable(tmp_path, capsys, command):
    """The CLI stops at an unreadable image, or with --skip-unreadable skips it, naming it."""
    from fer_features.cli import main

    root = unreadable_folder(tmp_path)
    extra = ["--out", str(tmp_path / "e.png")] if command[0] == "eigenfaces" else []
    assert main(command + [str(root)] + extra) == 2
    assert "broken.png" in capsys.readouterr().err
    with pytest.warns(UserWarning, match="skipped 1 unreadable image.*: broken.png"):
        assert main(command + [str(root), "--skip-unreadable"] + extra) == 0
    out = capsys.readouterr().out
    assert (
        "1 unreadable file(s) skipped" in out
        if command[0] == "datasets"
        else out.startswith("2 faces of 48x48")
    )
