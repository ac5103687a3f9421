"""Tests of load_fer2013: the real file, its variants, and every kind of defect."""

import gzip
import io
import tracemalloc

import numpy as np
import pytest

from fer_features.datasets import load_fer2013
from fer_features.datasets._fer2013 import _parse_pixels, _parse_pixels_reference

NAMES = ["angry", "disgust", "fear", "happy", "sad", "surprise", "neutral"]
COUNTS = {  # from the README beside the real file
    "Training": [3995, 436, 4097, 7215, 4830, 3171, 4965],
    "PublicTest": [467, 56, 496, 895, 653, 415, 607],
}


def pixels(values=None, n=2304, fill=7):
    """A pixel string: ``values`` first, then ``fill`` up to ``n`` values."""
    values = list(values or [])
    return " ".join(str(v) for v in values + [fill] * (n - len(values)))


def write(tmp_path, text, name="faces.csv"):
    path = tmp_path / name
    path.write_text(text)
    return path


def good_rows(n=5):
    return "".join(f"{i % 7},{pixels([i, 255, 0, 10 * i])},Training\n" for i in range(n))


# --- the real file -------------------------------------------------------------


@pytest.mark.fer2013
def test_real_file_counts_and_first_row(fer2013):
    assert fer2013.data.shape == (32298, 2304)
    assert fer2013.images.shape == (32298, 48, 48)
    assert fer2013.data.dtype == np.uint8 and fer2013.images.dtype == np.uint8
    assert np.shares_memory(fer2013.data, fer2013.images)
    assert fer2013.target_names == NAMES
    assert fer2013.groups is None
    for usage, counts in COUNTS.items():
        assert np.bincount(fer2013.target[fer2013.usage == usage]).tolist() == counts
    assert set(fer2013.usage.tolist()) == {"Training", "PublicTest"}
    assert fer2013.usage[28708] == "Training" and fer2013.usage[28709] == "PublicTest"
    assert fer2013.data[0, :10].tolist() == [70, 80, 82, 72, 58, 58, 60, 63, 54, 58]
    assert fer2013.images[0, 1, 0] == fer2013.data[0, 48]
    assert fer2013.target[:7].tolist() == [0, 0, 2, 4, 6, 2, 4]
    # the 12 blank images listed in the data's README
    blank = np.flatnonzero(fer2013.data.max(axis=1) == 0)
    assert blank.tolist() == [
        6458,
        7629,
        10423,
        11286,
        13148,
        13402,
        13988,
        15894,
        22198,
        22927,
        28601,
        30002,
    ]
    assert "32298" in fer2013.DESCR and "PublicTest" in fer2013.DESCR


@pytest.mark.fer2013
def test_real_file_bulk_parse_equals_reference(fer2013_path, fer2013):
    """The vectorised parse gives what a row-by-row split gives, on real rows."""
    with gzip.open(fer2013_path, "rb") as f:
        f.readline()
        lines = [f.readline() for _ in range(300)]
    fields = [line.split(b",")[1] for line in lines]
    rows = list(range(1, 301))
    bulk = _parse_pixels("fer2013.csv", rows, fields)
    reference = _parse_pixels_reference("fer2013.csv", rows, fields)
    expected = np.array([[int(v) for v in f.split()] for f in fields], dtype=np.uint8)
    np.testing.assert_array_equal(bulk, expected)
    np.testing.assert_array_equal(reference, expected)
    np.testing.assert_array_equal(bulk, fer2013.data[:300])


@pytest.mark.fer2013
def test_real_file_usage_and_classes(fer2013_path):
    public = load_fer2013(
        fer2013_path, usage="PublicTest", classes=["happy", "sad", "surprise", "neutral"]
    )
    assert public.target_names == ["happy", "sad", "surprise", "neutral"]
    assert np.bincount(public.target).tolist() == [895, 653, 415, 607]
    assert set(public.usage.tolist()) == {"PublicTest"}


# --- synthetic files: formats and variants ------------------------------------


def test_values_and_fields(tmp_path):
    path = write(tmp_path, "emotion,pixels,Usage\n" + good_rows(3))
    faces = load_fer2013(path)
    assert faces.target.tolist() == [0, 1, 2]
    assert faces.target.dtype == np.int64
    assert faces.data[:, :5].tolist() == [[0, 255, 0, 0, 7], [1, 255, 0, 10, 7], [2, 255, 0, 20, 7]]
    assert faces.images[1, 0, :4].tolist() == [1, 255, 0, 10]
    assert faces.usage.tolist() == ["Training"] * 3
    assert faces.target_names == NAMES
    assert sorted(faces) == ["DESCR", "data", "groups", "images", "target", "target_names", "usage"]


def test_gzip_detected_from_content(tmp_path):
    text = "emotion,pixels,Usage\n" + good_rows(4)
    gz = tmp_path / "faces.csv.gz"
    gz.write_bytes(gzip.compress(text.encode()))
    odd = tmp_path / "faces.data"  # compressed, whatever the name says
    odd.write_bytes(gzip.compress(text.encode()))
    plain = load_fer2013(write(tmp_path, text))
    for path in (gz, odd):
        faces = load_fer2013(path)
        np.testing.assert_array_equal(faces.data, plain.data)
        np.testing.assert_array_equal(faces.target, plain.target)


@pytest.mark.parametrize(
    "header, make_row",
    [
        # icml_face_data.csv: spaces in the header, Usage before pixels
        ("emotion, Usage, pixels", lambda t, p, u: f"{t},{u},{p}"),
        # another order, upper case, quoted pixels, CRLF line ends, a BOM
        ("\ufeffPixels,Usage,Emotion", lambda t, p, u: f'"{p}",{u},{t}'),
    ],
)
def test_header_variants(tmp_path, header, make_row):
    rows = [(3, pixels([1, 2, 3]), "Training"), (5, pixels([9]), "PrivateTest")]
    text = header + "\r\n" + "".join(make_row(*r) + "\r\n" for r in rows)
    path = tmp_path / "variant.csv"
    path.write_bytes(text.encode("utf-8"))
    faces = load_fer2013(path)
    assert faces.target.tolist() == [3, 5]
    assert faces.usage.tolist() == ["Training", "PrivateTest"]
    assert faces.data[0, :4].tolist() == [1, 2, 3, 7]
    assert faces.data[1, :2].tolist() == [9, 7]


def test_no_usage_column_as_in_kaggle_train_csv(tmp_path):
    path = write(tmp_path, "emotion,pixels\n0," + pixels() + "\n6," + pixels([200]) + "\n")
    faces = load_fer2013(path)
    assert faces.target.tolist() == [0, 6]
    assert faces.usage is None
    with pytest.raises(ValueError, match="faces.csv has no Usage column, so usage='Training'"):
        load_fer2013(path, usage="Training")


def test_irregular_spacing_and_leading_zeros_are_read(tmp_path):
    """Valid but unusual rows take the row-by-row path and still load."""
    spaced = "  ".join(["5"] * 2304)
    zeros = " ".join(["007"] * 2303 + ["0255"])
    path = write(tmp_path, f"emotion,pixels\n1,{spaced}\n2,{zeros}\n\n")
    faces = load_fer2013(path)
    assert faces.data[0].tolist() == [5] * 2304
    assert faces.data[1, -2:].tolist() == [7, 255]


def test_blank_lines_are_skipped_and_rows_numbered_by_line(tmp_path):
    text = "emotion,pixels\n0," + pixels() + "\n\n0," + pixels(n=2301) + "\n"
    with pytest.raises(ValueError, match="row 3: 2301 pixel values, expected 2304"):
        load_fer2013(write(tmp_path, text))


def test_usage_filter(tmp_path):
    rows = "".join(
        f"{i},{pixels([i])},{u}\n"
        for i, u in enumerate(["Training", "PublicTest", "PrivateTest", "Training"])
    )
    path = write(tmp_path, "emotion,pixels,Usage\n" + rows)
    assert load_fer2013(path, usage="Training").target.tolist() == [0, 3]
    assert load_fer2013(path, usage="publictest").target.tolist() == [1]
    both = load_fer2013(path, usage=["PrivateTest", "PublicTest"])
    assert both.target.tolist() == [1, 2]
    assert both.data[:, 0].tolist() == [1, 2]
    assert both.usage.tolist() == ["PublicTest", "PrivateTest"]


def test_classes_select_and_merge(tmp_path):
    rows = "".join(f"{t},{pixels([t])},Training\n" for t in [0, 1, 2, 3, 4, 5, 6, 3])
    path = write(tmp_path, "emotion,pixels,Usage\n" + rows)
    four = load_fer2013(path, classes=["Happy", "sadness", "surprised", "neutral"])
    assert four.target_names == ["happy", "sad", "surprise", "neutral"]
    assert four.target.tolist() == [0, 1, 2, 3, 0]
    assert four.data[:, 0].tolist() == [3, 4, 5, 6, 3]
    binary = load_fer2013(
        path,
        classes={
            "not happy": ["angry", "disgust", "fear", "sad", "surprise", "neutral"],
            "Happiness": "happy",
        },
    )
    assert binary.target_names == ["not happy", "happy"]
    assert binary.target.tolist() == [0, 0, 0, 1, 0, 0, 0, 1]
    X, y = load_fer2013(path, classes=["neutral", "angry"], return_X_y=True)
    assert X.shape == (2, 2304) and y.tolist() == [1, 0]


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (
            {"usage": "Validation"},
            "unknown usage 'Validation'; FER2013's Usage values are "
            "Training, PublicTest, PrivateTest",
        ),
        ({"usage": []}, "usage is empty"),
        (
            {"usage": "PrivateTest"},
            "no row of faces.csv is left after selecting "
            "usage='PrivateTest' (the file has Training)",
        ),
        ({"classes": ["happy", "joy"]}, "class 'happy' is named twice in classes"),
        (
            {"classes": ["happy", "bored"]},
            "unknown class 'bored' in classes; the data has: angry, disgust",
        ),
        ({"classes": "happy"}, "classes must be a list of class names or a mapping"),
        ({"classes": []}, "classes is empty"),
        (
            {"classes": {"a": ["sad"], "b": ["sad", "fear"]}},
            "class 'sad' is given twice in classes (in 'a' and 'b')",
        ),
    ],
)
def test_option_errors(tmp_path, kwargs, message):
    path = write(tmp_path, "emotion,pixels,Usage\n" + good_rows(3))
    with pytest.raises(ValueError) as info:
        load_fer2013(path, **kwargs)
    assert message in str(info.value)


# --- defects: each names the row and the problem ----------------------------------

DEFECTS = [
    ("", "faces.csv is empty: expected a header line 'emotion,pixels,Usage'"),
    ("\n\n", "faces.csv is empty"),
    ("emotion,pixels,Usage\n", "faces.csv has a header but no data rows"),
    (
        "0," + pixels() + ",Training\n",
        "faces.csv has no 'emotion' column: its first line is '0,7 7 7 7 7",
    ),
    ("emotion,Usage\n0,Training\n", "faces.csv has no 'pixels' column"),
    (
        "emotion,pixels,Usage\n" + good_rows(5) + "4," + pixels(n=2301) + ",Training\n",
        "faces.csv, row 6: 2301 pixel values, expected 2304",
    ),
    (
        "emotion,pixels,Usage\n4," + pixels(n=2305) + ",Training\n",
        "faces.csv, row 1: 2305 pixel values, expected 2304",
    ),
    ("emotion,pixels,Usage\n4,,Training\n", "faces.csv, row 1: 0 pixel values, expected 2304"),
    (
        "emotion,pixels,Usage\n" + good_rows(2) + "4," + pixels([1, 2, "x3"]) + ",Training\n",
        "faces.csv, row 3: pixel value 'x3' at position 3 is not an integer in 0..255",
    ),
    (
        "emotion,pixels,Usage\n4," + pixels([1, 2.5]) + ",Training\n",
        "faces.csv, row 1: pixel value '2.5' at position 2 is not an integer in 0..255",
    ),
    (
        "emotion,pixels,Usage\n4," + pixels([1, -3]) + ",Training\n",
        "faces.csv, row 1: pixel value '-3' at position 2 is not an integer in 0..255",
    ),
    (
        "emotion,pixels,Usage\n" + good_rows(3) + "4," + pixels([0, 0, 0, 256]) + ",Training\n",
        "faces.csv, row 4: pixel value 256 at position 4 is out of range 0..255",
    ),
    (
        "emotion,pixels,Usage\n4," + pixels([1000]) + ",Training\n",
        "faces.csv, row 1: pixel value 1000 at position 1 is out of range 0..255",
    ),
    (
        "emotion,pixels,Usage\n" + good_rows(1) + "7," + pixels() + ",Training\n",
        "faces.csv, row 2: unknown emotion label '7', expected an integer 0..6 (0=angry, 1=disgust",
    ),
    (
        "emotion,pixels,Usage\nhappy," + pixels() + ",Training\n",
        "faces.csv, row 1: unknown emotion label 'happy', expected an integer 0..6",
    ),
    (
        "emotion,pixels,Usage\n" + good_rows(1) + "3," + pixels() + "\n",
        "faces.csv, row 2: 2 fields, expected 3 (emotion,pixels,Usage)",
    ),
    (
        "emotion,pixels,Usage\n3," + pixels() + ",Training,extra\n",
        "faces.csv, row 1: 4 fields, expected 3",
    ),
]


@pytest.mark.parametrize("content, message", DEFECTS)
def test_defects_raise_naming_row_and_problem(tmp_path, content, message):
    path = write(tmp_path, content)
    with pytest.raises(ValueError) as info:
        load_fer2013(path)
    assert message in str(info.value)


def test_row_with_too_few_values_is_found_among_many(tmp_path):
    """A short row compensated by a long one must not shift pixels silently."""
    rows = (
        good_rows(4) + "1," + pixels(n=2303) + ",Training\n" + "1," + pixels(n=2305) + ",Training\n"
    )
    with pytest.raises(ValueError, match="row 5: 2303 pixel values, expected 2304"):
        load_fer2013(write(tmp_path, "emotion,pixels,Usage\n" + rows))


def test_bad_row_after_a_full_chunk(tmp_path):
    """Row numbers stay right past the first bulk-converted chunk of rows."""
    n_good = 2100
    rows = "".join(f"{i % 7},{pixels([i % 256])},Training\n" for i in range(n_good))
    rows += "2," + pixels([9, 300]) + ",Training\n"
    with pytest.raises(ValueError, match=f"row {n_good + 1}: pixel value 300 at position 2"):
        load_fer2013(write(tmp_path, "emotion,pixels,Usage\n" + rows))


def test_not_a_csv(tmp_path):
    path = tmp_path / "faces.csv.gz"
    path.write_bytes(b"\x1f\x8b\x08\x00garbage")
    with pytest.raises(ValueError, match="faces.csv.gz could not be decompressed"):
        load_fer2013(path)
    binary = tmp_path / "image.csv"
    binary.write_bytes(b"\xff\xfe\x00\x81\x82,\n")
    with pytest.raises(ValueError, match="image.csv is not a text CSV file"):
        load_fer2013(binary)


def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError):
        load_fer2013(tmp_path / "nowhere.csv")


@pytest.mark.parametrize(
    "values",
    [
        [0, 1, 9, 10, 99, 100, 199, 200, 255],
        [255] * 5,
        [3],
    ],
)
def test_bulk_parse_exact_values(values):
    """Each digit count (1, 2, 3) and both ends of the range read back exactly."""
    rng = np.random.default_rng(0)
    rows = [list(values) + rng.integers(0, 256, 2304 - len(values)).tolist() for _ in range(3)]
    fields = [" ".join(map(str, r)).encode() for r in rows]
    out = _parse_pixels("x.csv", [1, 2, 3], fields)
    np.testing.assert_array_equal(out, np.array(rows, dtype=np.uint8))


# --- arguments, line ends and memory on bad files ------------------------------------


def test_folder_instead_of_file_is_named(tmp_path):
    with pytest.raises(ValueError, match="is a folder, not a FER2013 CSV file") as info:
        load_fer2013(tmp_path)
    assert str(tmp_path) in str(info.value)


@pytest.mark.parametrize("usage", [5, 2.5, b"Training", {"Training": 1}])
def test_usage_of_a_wrong_type_is_named(tmp_path, usage):
    path = write(tmp_path, "emotion,pixels,Usage\n" + good_rows(2))
    with pytest.raises(ValueError, match="usage must be a Usage value such as 'Training'") as info:
        load_fer2013(path, usage=usage)
    assert repr(usage) in str(info.value)


@pytest.mark.parametrize("newline", ["\r", "\r\n", "\n"])
def test_any_line_ends_read_alike(tmp_path, newline):
    """Old Mac files end their lines with a lone CR: every row is still read."""
    text = "emotion,pixels,Usage\n" + good_rows(4) + "\n" + good_rows(3)
    path = tmp_path / "faces.csv"
    path.write_bytes(text.replace("\n", newline).encode())
    faces = load_fer2013(path)
    expected = load_fer2013(write(tmp_path, text, "lf.csv"))
    np.testing.assert_array_equal(faces.data, expected.data)
    assert faces.target.tolist() == [0, 1, 2, 3, 0, 1, 2]
    bad = text + "4," + pixels(n=2303) + ",Training\n"
    path.write_bytes(bad.replace("\n", newline).encode())
    with pytest.raises(ValueError, match="row 9: 2303 pixel values"):
        load_fer2013(path)


@pytest.mark.parametrize("block", [1, 2, 3, 5, 64])
def test_lines_split_like_bytes_splitlines_whatever_the_block(monkeypatch, block):
    """Line ends cut between two blocks (a CR, then its LF) are still one line end."""
    from fer_features.datasets import _fer2013

    monkeypatch.setattr(_fer2013, "_READ_BLOCK", block)
    rng = np.random.default_rng(block)
    pieces = [b"a", b"bc", b"\r", b"\n", b"\r\n", b","]
    for _ in range(300):
        text = b"".join(pieces[i] for i in rng.integers(0, len(pieces), rng.integers(0, 25)))
        assert list(_fer2013._lines(io.BytesIO(text))) == text.splitlines(), text


BAD_LONG_LINES = {
    "pixels": ("3," + "12 " * 700_000 + ",Training", "row 1: 700000 pixel values, expected 2304"),
    "commas": ("3," + "," * 2_000_000, "row 1: 2000002 fields, expected 3"),
    "usage": (
        "3," + pixels() + "," + "T" * 2_000_000,
        (
            "row 1: Usage value 'TTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTT'... (2000000 "
            "characters) is not a split name"
        ),
    ),
    "label": (
        "9" * 2_000_000 + "," + pixels() + ",Training",
        (
            "unknown emotion label '9999999999999999999999999999999999999999'... "
            "(2000000 characters)"
        ),
    ),
}


@pytest.mark.parametrize("kind", BAD_LONG_LINES)
def test_a_huge_bad_line_costs_memory_proportional_to_it(tmp_path, kind):
    """A 2 MB line is reported with a short message, using a few times its size."""
    line, message = BAD_LONG_LINES[kind]
    path = write(tmp_path, "emotion,pixels,Usage\n" + good_rows(2) + line + "\n")
    size = path.stat().st_size
    tracemalloc.start()
    try:
        with pytest.raises(ValueError) as info:
            load_fer2013(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert message.replace("row 1", "row 3") in str(info.value)
    assert len(str(info.value)) < 300
    assert peak < 5 * size, f"peak {peak / size:.1f} times the file"
