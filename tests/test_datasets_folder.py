"""Tests of load_image_folder on generated folders of images in every format."""

import struct
import warnings
import zlib

import numpy as np
import pytest
from PIL import Image

from fer_features.datasets import load_image_folder


def gradient(h=60, w=50):
    """A grey ramp image, values 0..245 across the columns."""
    return np.tile((np.arange(w) * 5).astype(np.uint8), (h, 1))


@pytest.fixture
def folder(tmp_path):
    """A CK+-named folder: PNG, JPEG, BMP, 16-bit TIFF, palette, RGB and a corrupt file."""
    root = tmp_path / "faces"
    happy, anger, surprised = root / "Happy", root / "Anger", root / "surprised"
    for d in (happy, anger, surprised):
        d.mkdir(parents=True)
    ramp = gradient()
    Image.fromarray(ramp).save(happy / "S005_001_00000011.png")
    Image.fromarray(ramp).save(happy / "S010_002_00000014.jpg", quality=95)
    Image.fromarray(np.stack([ramp] * 3, -1)).save(happy / "S011_004_00000020.bmp")
    # 16-bit TIFF: 0..65535 must come back as 0..255
    Image.fromarray(ramp.astype(np.uint16) * 257).save(anger / "S005_003_00000001.tiff")
    # palette image: index i has grey i * 10
    pal = Image.frombytes("P", (48, 48), (np.arange(48 * 48) % 20).astype(np.uint8).tobytes())
    pal.putpalette(sum(([min(i * 10, 255)] * 3 for i in range(256)), []))
    pal.save(anger / "S010_001_00000002.png")
    # RGB: pure red in the top half, pure blue in the bottom half
    rgb = np.zeros((48, 48, 3), np.uint8)
    rgb[:24, :, 0] = 255
    rgb[24:, :, 2] = 255
    Image.fromarray(rgb).save(surprised / "S011_002_00000005.png")
    (surprised / "S012_001_00000009.png").write_bytes(b"\x89PNG\r\n\x1a\n not really")
    (surprised / "notes.txt").write_text("ignored")
    (surprised / ".hidden.png").write_bytes(b"ignored too")
    return root


def test_raise_names_the_corrupt_file(folder):
    with pytest.raises(ValueError, match=r"cannot read image '.*S012_001_00000009\.png'"):
        load_image_folder(folder)


def test_formats_classes_and_groups(folder):
    faces = load_image_folder(folder, errors="skip", image_size=(60, 50))
    # classes: canonical names, in the vocabulary's order
    assert faces.target_names == ["angry", "happy", "surprise"]
    assert faces.target.tolist() == [0, 0, 1, 1, 1, 2]
    names = [f.split("/")[-1] for f in faces.filenames]
    assert names == [
        "S005_003_00000001.tiff",
        "S010_001_00000002.png",
        "S005_001_00000011.png",
        "S010_002_00000014.jpg",
        "S011_004_00000020.bmp",
        "S011_002_00000005.png",
    ]
    assert faces.groups.tolist() == ["S005", "S010", "S005", "S010", "S011", "S011"]
    assert faces.images.shape == (6, 60, 50) and faces.images.dtype == np.uint8
    assert faces.data.shape == (6, 3000)
    ramp = gradient()
    np.testing.assert_array_equal(faces.images[0], ramp)  # 16-bit TIFF, scaled
    np.testing.assert_array_equal(faces.images[2], ramp)  # PNG, unchanged
    np.testing.assert_array_equal(faces.images[4], ramp)  # RGB BMP of grey
    assert np.abs(faces.images[3].astype(int) - ramp).max() <= 3  # JPEG, near
    assert faces.skipped == [str(folder / "surprised" / "S012_001_00000009.png")]
    assert "1 unreadable file(s) skipped" in faces.DESCR
    assert faces.usage is None


def test_palette_and_rgb_conversion_after_resize(folder):
    faces = load_image_folder(folder, errors="skip", image_size=(48, 48))
    palette = faces.images[1]
    expected = (np.arange(48 * 48).reshape(48, 48) % 20) * 10
    np.testing.assert_array_equal(palette, expected)  # 48x48 already: no resampling
    rgb = faces.images[5]
    # ITU-R 601-2 luma: red 255 -> 76, blue 255 -> 29
    assert rgb[:24].tolist() == [[76] * 48] * 24 and rgb[24:].tolist() == [[29] * 48] * 24


def test_resize_to_image_size(folder):
    faces = load_image_folder(folder, errors="skip", image_size=(30, 25))
    assert faces.images.shape == (6, 30, 25)
    # a horizontal ramp halved: still a ramp, from ~5 to ~240
    row = faces.images[2, 10].astype(int)
    assert np.all(np.diff(row) > 0) and row[0] < 10 and row[-1] > 235


def test_warn_reports_count(folder):
    with pytest.warns(
        UserWarning,
        match=r"skipped 1 unreadable image\(s\) of 7 under .*: "
        r"S012_001_00000009\.png",
    ):
        faces = load_image_folder(folder, errors="warn")
    assert len(faces.target) == 6


def test_skip_is_silent(folder):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert len(load_image_folder(folder, errors="skip").target) == 6


def test_classes_select_and_merge(folder):
    faces = load_image_folder(folder, errors="skip", classes=["surprise", "anger"])
    assert faces.target_names == ["surprise", "angry"]
    assert faces.target.tolist() == [1, 1, 0]
    merged = load_image_folder(
        folder, errors="skip", classes={"positive": ["happy", "surprise"], "negative": "angry"}
    )
    assert merged.target_names == ["positive", "negative"]
    assert merged.target.tolist() == [1, 1, 0, 0, 0, 0]
    # the corrupt file is in a class not selected: nothing to skip
    angry = load_image_folder(folder, classes=["angry"])
    assert angry.skipped == [] and len(angry.target) == 2
    X, y = load_image_folder(folder, classes=["angry"], return_X_y=True)
    assert X.shape == (2, 2304) and y.tolist() == [0, 0]


def test_jaffe_names_and_unknown_folder_names(tmp_path):
    for folder, name in [
        ("SU", "KA.SU1.36.tiff"),
        ("SU", "YM.SU2.59.tiff"),
        ("pain", "KA.PA1.01.tiff"),
    ]:
        (tmp_path / folder).mkdir(exist_ok=True)
        Image.new("L", (40, 40), 9).save(tmp_path / folder / name)
    faces = load_image_folder(tmp_path)
    assert faces.target_names == ["surprise", "pain"]  # unknown names kept, after known ones
    assert faces.groups.tolist() == ["KA", "YM", "KA"]
    assert faces.images.min() == faces.images.max() == 9


def test_subject_patterns(tmp_path):
    (tmp_path / "happy").mkdir()
    for name in ["anna_01.png", "bob_07.png", "anna_02.png"]:
        Image.new("L", (8, 8)).save(tmp_path / "happy" / name)
    assert load_image_folder(tmp_path, subject_pattern=r"^([a-z]+)_").groups.tolist() == [
        "anna",
        "anna",
        "bob",
    ]
    assert load_image_folder(tmp_path, subject_pattern=lambda n: n[0]).groups.tolist() == [
        "a",
        "a",
        "b",
    ]
    assert load_image_folder(tmp_path).groups is None  # no built-in naming matches
    assert load_image_folder(tmp_path, subject_pattern=None).groups is None
    with pytest.raises(
        ValueError,
        match=r"subject_pattern='ck\+' finds no subject in the "
        r"file name 'anna_01.png' \(3 of 3 names",
    ):
        load_image_folder(tmp_path, subject_pattern="ck+")
    with pytest.raises(ValueError, match="is not a valid regular expression"):
        load_image_folder(tmp_path, subject_pattern="(")
    Image.new("L", (8, 8)).save(tmp_path / "happy" / "S001_001_00000001.png")
    with pytest.warns(
        UserWarning,
        match="1 of 4 file names match the CK\\+ or JAFFE naming "
        "but 'anna_01.png' does not; groups is None",
    ):
        assert load_image_folder(tmp_path).groups is None


def bomb_png(width, height):
    """A PNG whose header claims width x height pixels (its data is not needed)."""

    def chunk(kind, data):
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 16))
        + chunk(b"IEND", b"")
    )


@pytest.mark.parametrize(
    "width, height, message",
    [
        (100_000, 100_000, "refused as a decompression bomb"),  # Pillow's own limit
        (
            10_000,
            6_000,
            "refused as a decompression bomb: 10000x6000 = 60000000 pixels, more "
            "than the limit of 50000000",
        ),
    ],
)
def test_decompression_bomb_refused(tmp_path, width, height, message):
    (tmp_path / "fear").mkdir()
    (tmp_path / "fear" / "bomb.png").write_bytes(bomb_png(width, height))
    with pytest.raises(ValueError) as info:
        load_image_folder(tmp_path)
    assert "bomb.png" in str(info.value) and message in str(info.value)


def test_max_pixels(tmp_path):
    (tmp_path / "sad").mkdir()
    Image.new("L", (20, 10)).save(tmp_path / "sad" / "a.png")
    assert load_image_folder(tmp_path, max_pixels=200).data.shape == (1, 2304)
    with pytest.raises(ValueError, match="20x10 = 200 pixels, more than the limit of 199"):
        load_image_folder(tmp_path, max_pixels=199)


def test_image_size_none_needs_equal_sizes(tmp_path):
    (tmp_path / "sad").mkdir()
    Image.new("L", (20, 10)).save(tmp_path / "sad" / "a.png")
    assert load_image_folder(tmp_path, image_size=None).images.shape == (1, 10, 20)
    Image.new("L", (20, 12)).save(tmp_path / "sad" / "b.png")
    with pytest.raises(
        ValueError,
        match=r"b\.png' is 20x12 while .*a\.png' is 20x10; "
        r"pass image_size",
    ):
        load_image_folder(tmp_path, image_size=None)


def test_real_faces_round_trip(tmp_path, fer2013_small):
    """Real FER2013 faces written as PNG and read back are the same pixels."""
    names = fer2013_small.target_names
    for i in range(0, len(fer2013_small.target), 40):
        folder = tmp_path / names[fer2013_small.target[i]]
        folder.mkdir(exist_ok=True)
        Image.fromarray(fer2013_small.images[i]).save(folder / f"S{i:03d}_001_00000001.png")
    faces = load_image_folder(tmp_path)
    order = np.argsort([int(f.split("/")[-1][1:4]) for f in faces.filenames])
    idx = np.arange(0, len(fer2013_small.target), 40)
    np.testing.assert_array_equal(faces.images[order], fer2013_small.images[idx])
    np.testing.assert_array_equal(
        np.array(faces.target_names)[faces.target[order]],
        np.array(names)[fer2013_small.target[idx]],
    )


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"errors": "ignore"}, "errors must be 'raise', 'warn' or 'skip', got 'ignore'"),
        ({"image_size": 48}, "image_size must be a pair (height, width) of positive integers"),
        ({"image_size": (48, 0)}, "image_size must be a pair"),
        ({"subject_pattern": 3}, "subject_pattern must be 'auto', 'ck+', 'jaffe'"),
        ({"max_pixels": 0}, "max_pixels must be a positive integer"),
    ],
)
def test_parameter_errors(tmp_path, kwargs, message):
    (tmp_path / "sad").mkdir()
    Image.new("L", (8, 8)).save(tmp_path / "sad" / "a.png")
    with pytest.raises(ValueError) as info:
        load_image_folder(tmp_path, **kwargs)
    assert message in str(info.value)


def test_folder_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        load_image_folder(tmp_path / "nowhere")
    (tmp_path / "file.png").write_bytes(b"")
    with pytest.raises(ValueError, match="is not a folder"):
        load_image_folder(tmp_path / "file.png")
    with pytest.raises(ValueError, match="has no class sub-folder"):
        load_image_folder(tmp_path)
    (tmp_path / "Anger").mkdir()
    with pytest.raises(ValueError, match="no image found under"):
        load_image_folder(tmp_path)
    (tmp_path / "angry").mkdir()
    with pytest.raises(
        ValueError,
        match="the folders 'Anger' and 'angry' of .* both name the class 'angry'; merge them",
    ):
        load_image_folder(tmp_path)


# --- folders that are not classes, empty classes, broken links -------------------------


def test_system_and_hidden_folders_are_not_classes(tmp_path):
    """A zip made on a Mac holds __MACOSX/ (AppleDouble ._ files): it is no class."""
    root = tmp_path / "faces"
    for sub in ("happy", "sad", "__MACOSX/happy", "@eaDir", ".git", "sad/@eaDir"):
        (root / sub).mkdir(parents=True)
    Image.fromarray(gradient()).save(root / "happy" / "a.png")
    Image.fromarray(gradient()).save(root / "sad" / "b.png")
    (root / "__MACOSX" / "happy" / "._a.png").write_bytes(b"\x00\x05\x16\x07 AppleDouble")
    Image.fromarray(gradient()).save(root / "__MACOSX" / "c.png")
    Image.fromarray(gradient()).save(root / "@eaDir" / "d.png")
    Image.fromarray(gradient()).save(root / "sad" / "@eaDir" / "thumb.png")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        faces = load_image_folder(root, subject_pattern=None)
    assert faces.target_names == ["happy", "sad"]
    assert faces.target.tolist() == [0, 1]
    assert [f.split("/")[-1] for f in faces.filenames] == ["a.png", "b.png"]
    assert [f.split("/")[-1] for f in faces.ignored_folders] == [".git", "@eaDir", "__MACOSX"]


def test_class_folder_without_images_is_ignored_with_a_warning(tmp_path):
    root = tmp_path / "faces"
    for sub in ("happy", "sad", "fear"):
        (root / sub).mkdir(parents=True)
    Image.fromarray(gradient()).save(root / "happy" / "a.png")
    Image.fromarray(gradient()).save(root / "sad" / "b.png")
    (root / "fear" / "notes.txt").write_text("no image here")
    with pytest.warns(UserWarning, match="ignored 1 class folder.* holding no image: fear"):
        faces = load_image_folder(root, subject_pattern=None)
    assert faces.target_names == ["happy", "sad"]
    assert faces.target.tolist() == [0, 1]
    assert [f.split("/")[-1] for f in faces.ignored_folders] == ["fear"]
    assert "1 sub-folder(s) ignored (fear)" in faces.DESCR


def test_dangling_symlink_is_unreadable_and_listed(tmp_path):
    root = tmp_path / "faces"
    for sub in ("happy", "sad"):
        (root / sub).mkdir(parents=True)
    Image.fromarray(gradient()).save(root / "happy" / "a.png")
    Image.fromarray(gradient()).save(root / "sad" / "b.png")
    (root / "sad" / "gone.png").symlink_to(tmp_path / "moved-away.png")
    with pytest.raises(
        ValueError,
        match=r"cannot read image '.*gone\.png': a symbolic link "
        r"to the missing file '.*moved-away\.png'",
    ):
        load_image_folder(root, subject_pattern=None)
    faces = load_image_folder(root, errors="skip", subject_pattern=None)
    assert [s.split("/")[-1] for s in faces.skipped] == ["gone.png"]
    assert faces.target.tolist() == [0, 1]


def test_class_whose_every_image_is_unreadable_is_left_out(tmp_path):
    root = tmp_path / "faces"
    for sub in ("happy", "sad", "fear"):
        (root / sub).mkdir(parents=True)
    Image.fromarray(gradient()).save(root / "happy" / "a.png")
    Image.fromarray(gradient()).save(root / "sad" / "b.png")
    (root / "fear" / "broken.png").write_bytes(b"not an image")
    with pytest.warns(UserWarning, match="no image of the class.*'fear' could be read"):
        faces = load_image_folder(root, errors="skip", subject_pattern=None)
    assert faces.target_names == ["happy", "sad"]
    assert faces.target.tolist() == [0, 1]
    assert np.bincount(faces.target).tolist() == [1, 1]
