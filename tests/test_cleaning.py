"""Tests of fer_features.cleaning: pHash, duplicate search, reports, masks."""

import io
import json

import numpy as np
import pytest

from fer_features.cleaning import (
    DuplicateReport,
    find_duplicates,
    hamming_distance,
    phash,
)
from fer_features.cleaning._phash import _popcount, _resize_square
from fer_features.datasets import make_synthetic_faces


def _imagehash(images):
    imagehash = pytest.importorskip("imagehash", reason="the reference pHash needs imagehash")
    from PIL import Image

    return np.array(
        [int(str(imagehash.phash(Image.fromarray(image))), 16) for image in images],
        dtype=np.uint64,
    )


def _shift(image, dx, dy):
    """``image`` moved by (dx, dy) pixels, the uncovered border repeating the edge."""
    out = np.roll(image, (dy, dx), axis=(0, 1))
    if dx > 0:
        out[:, :dx] = image[:, :1]
    if dx < 0:
        out[:, dx:] = image[:, -1:]
    if dy > 0:
        out[:dy] = image[:1]
    if dy < 0:
        out[dy:] = image[-1:]
    return out


def _jpeg(image, quality=75):
    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, "JPEG", quality=quality)
    return np.asarray(Image.open(io.BytesIO(buffer.getvalue())).convert("L"))


def _brighten(image, amount=30):
    return np.clip(image.astype(int) + amount, 0, 255).astype(np.uint8)


def _plant(images, labels, quality=75):
    """Append copies of faces 0..4: exact, shifted by a pixel (x, then y), JPEG,
    brightened, and an exact copy of face 5 with another label (a conflict).
    Returns the images, labels and the planted groups.

    The synthetic faces carry pixel noise that JPEG at quality 75 smooths away
    (correlation 0.948 with the original, below the default 0.95), so they are
    planted with ``quality=95``; real faces are planted at 75."""
    copies = [
        images[0],
        _shift(images[1], 1, 0),
        _shift(images[2], 0, -1),
        _jpeg(images[3], quality),
        _brighten(images[4]),
        images[5],
    ]
    n = len(images)
    new_labels = [labels[0], labels[1], labels[2], labels[3], labels[4], (labels[5] + 1) % 7]
    groups = [[k, n + k] for k in range(6)]
    return (
        np.concatenate([images, np.stack(copies)]),
        np.concatenate([labels, new_labels]),
        groups,
    )


# --- pHash ------------------------------------------------------------------


@pytest.mark.fer2013
def test_phash_equals_imagehash_on_real_faces(fer2013_small):
    images = fer2013_small.images[:300]
    assert np.array_equal(phash(images), _imagehash(images))
    # flattened rows give the same hashes
    assert np.array_equal(phash(images.reshape(300, -1)), phash(images))


@pytest.mark.parametrize("shape", [(48, 48), (37, 37), (64, 40), (20, 30)])
def test_phash_equals_imagehash_on_any_shape(shape):
    rng = np.random.default_rng(sum(shape))
    images = rng.integers(0, 256, size=(12, *shape), dtype=np.uint8)
    assert np.array_equal(phash(images), _imagehash(images))
    assert np.array_equal(phash(images.reshape(12, -1), image_shape=shape), phash(images))


@pytest.mark.parametrize("size", [48, 100, 33, 32, 20])
def test_batched_resize_equals_pillow(size):
    from PIL import Image

    images = np.random.default_rng(size).integers(0, 256, size=(8, size, size), dtype=np.uint8)
    expected = np.stack(
        [
            np.asarray(Image.fromarray(im).resize((32, 32), Image.Resampling.LANCZOS))
            for im in images
        ]
    )
    assert np.array_equal(_resize_square(images, 32), expected)


def test_phash_of_float_images_rounds_like_pillow():
    images = make_synthetic_faces(7, random_state=1).images
    assert np.array_equal(phash(images.astype(np.float64)), phash(images))
    with pytest.raises(
        ValueError,
        match=r"pixel values must be in 0..255 \(grey levels\); got values from -1.0 to -1.0",
    ):
        phash(np.full((2, 48, 48), -1.0))


def test_hamming_distance_and_popcount_fallback(monkeypatch):
    a = np.array([0, 0b1011, 2**64 - 1], dtype=np.uint64)
    b = np.array([0, 0b0001, 0], dtype=np.uint64)
    assert hamming_distance(a, b).tolist() == [0, 2, 64]
    values = np.random.default_rng(0).integers(0, 2**63, size=200, dtype=np.uint64) * np.uint64(3)
    expected = [bin(int(v)).count("1") for v in values]
    assert _popcount(values).tolist() == expected
    monkeypatch.delattr(np, "bitwise_count", raising=False)  # numpy < 2
    assert _popcount(values).tolist() == expected


# --- planted duplicates -------------------------------------------------------


def test_planted_copies_of_synthetic_faces_are_found_and_nothing_else():
    faces = make_synthetic_faces(150, random_state=3)
    X, y, planted = _plant(faces.images, faces.target, quality=95)
    report = find_duplicates(X, y)
    assert [g.tolist() for g in report.groups] == planted
    assert report.exact == [True, False, False, False, False, True]
    assert [g.tolist() for g in report.conflicts] == [planted[5]]
    # the distinct faces alone: no group at all
    assert find_duplicates(faces.images, faces.target).groups == []


@pytest.mark.fer2013
def test_planted_copies_of_real_faces_are_found_and_nothing_else(fer2013_small):
    images, labels = fer2013_small.images, fer2013_small.target
    # FER2013's own duplicates among these 560 faces (all eight checked by eye:
    # the same photo, byte-equal or recropped); without them, no group is left
    found = find_duplicates(images, labels).groups
    assert [g.tolist() for g in found] == [
        [157, 502],
        [255, 496],
        [343, 416],
        [365, 388, 545],
        [369, 377],
        [374, 403],
        [382, 409],
        [387, 402],
    ]
    distinct = np.setdiff1d(np.arange(len(images)), np.concatenate([g[1:] for g in found]))
    images, labels = images[distinct], labels[distinct]
    assert find_duplicates(images, labels).groups == []
    X, y, planted = _plant(images, labels)
    report = find_duplicates(X, y)
    assert [g.tolist() for g in report.groups] == planted
    assert [g.tolist() for g in report.conflicts] == [planted[5]]
    # exact search: only the byte-equal copies
    exact = find_duplicates(X, y, method="exact")
    assert [g.tolist() for g in exact.groups] == [planted[0], planted[5]]


def test_a_chain_of_copies_is_one_group():
    faces = make_synthetic_faces(30, random_state=0).images
    a = faces[4]
    X = np.concatenate([faces, [_shift(a, 1, 0), _shift(_shift(a, 1, 0), 1, 0)]])
    report = find_duplicates(X)
    assert [g.tolist() for g in report.groups] == [[4, 30, 31]]


def test_correlation_turns_away_hash_matches():
    faces = make_synthetic_faces(40, random_state=2).images
    X = np.concatenate([faces, [_shift(faces[7], 1, 0)]])
    everything = find_duplicates(X, max_distance=64, min_correlation=-1)
    assert len(everything.groups) == 1 and len(everything.groups[0]) == 41
    assert [g.tolist() for g in find_duplicates(X, max_distance=64).groups] == [[7, 40]]
    # without shifts, a moved copy correlates less than one
    strict = find_duplicates(X, max_shift=0, min_correlation=0.999)
    assert strict.groups == []


def test_blank_images():
    faces = make_synthetic_faces(10, random_state=0).images
    flat = np.full((48, 48), 17, dtype=np.uint8)
    noisy = flat.copy()
    noisy[::7, ::5] += 3  # std about 1: near-constant
    X = np.concatenate([faces, [flat, noisy]])
    report = find_duplicates(X)
    assert np.flatnonzero(report.blank).tolist() == [10, 11]
    assert report.groups == []  # constant images correlate with nothing
    assert np.flatnonzero(find_duplicates(X, blank_std=0.5).blank).tolist() == [10]


# --- reference sets -----------------------------------------------------------


def test_in_reference_with_two_sets():
    train = make_synthetic_faces(60, random_state=0)
    test = make_synthetic_faces(20, random_state=1)
    X = test.images.copy()
    y = test.target.copy()
    X[3] = train.images[10]  # seen in training, same label
    y[3] = train.target[10]
    X[8] = _jpeg(train.images[20])  # seen in training, other label
    y[8] = (train.target[20] + 1) % 7
    report = find_duplicates(X, y, X_reference=train.images, y_reference=train.target)
    assert np.flatnonzero(report.in_reference).tolist() == [3, 8]
    assert np.flatnonzero(report.reference_conflicts).tolist() == [8]
    assert report.groups == []  # groups are formed within X only
    alone = find_duplicates(X, y)
    assert not alone.in_reference.any() and not alone.reference_conflicts.any()


def test_every_byte_equal_copy_of_a_reference_image_is_in_reference():
    # rows 1 and 3 are the same image, a copy of reference row 2: both are seen,
    # although the exact pairs link a copy to the first of its kind only
    train = make_synthetic_faces(7, random_state=0)
    test = make_synthetic_faces(7, random_state=1)
    X, y = test.images.copy(), test.target.copy()
    X[1] = X[3] = train.images[2]
    y[1], y[3] = train.target[2], (train.target[2] + 1) % 7
    for method in ("exact", "phash"):
        report = find_duplicates(
            X, y, X_reference=train.images, y_reference=train.target, method=method
        )
        assert np.flatnonzero(report.in_reference).tolist() == [1, 3]
        assert np.flatnonzero(report.reference_conflicts).tolist() == [3]


def test_reference_rows_of_one_file():
    faces = make_synthetic_faces(40, random_state=4)
    X = np.concatenate([faces.images, faces.images[[2, 30]]])
    training = np.arange(42) < 30  # rows 0..29 are training; 30..41 are test
    report = find_duplicates(X, reference_rows=training)
    # row 40 copies training row 2; row 41 copies test row 30
    assert np.flatnonzero(report.in_reference).tolist() == [40]
    assert [g.tolist() for g in report.groups] == [[2, 40], [30, 41]]


# --- keep_mask, summary, frames ----------------------------------------------


@pytest.fixture(scope="module")
def planted_report():
    faces = make_synthetic_faces(60, random_state=5)
    X, y, _ = _plant(faces.images, faces.target, quality=95)
    X[20] = 0  # a blank
    reference = np.concatenate([faces.images[[30]], faces.images[[31]]])
    return find_duplicates(X, y, X_reference=reference)


@pytest.mark.parametrize(
    "policy, dropped",
    [
        ({}, [20, 30, 31, 5, 60, 61, 62, 63, 64, 65]),
        ({"drop_duplicates": False}, [20, 30, 31, 5, 65]),
        ({"drop_conflicts": False}, [20, 30, 31, 60, 61, 62, 63, 64, 65]),
        ({"drop_blank": False}, [30, 31, 5, 60, 61, 62, 63, 64, 65]),
        ({"drop_in_reference": False}, [20, 5, 60, 61, 62, 63, 64, 65]),
        (dict.fromkeys(["drop_duplicates", "drop_conflicts", "drop_blank"], False), [30, 31]),
    ],
)
def test_keep_mask_policies(planted_report, policy, dropped):
    keep = planted_report.keep_mask(**policy)
    assert sorted(np.flatnonzero(~keep).tolist()) == sorted(dropped)


def test_summary_frame_and_dict_agree(planted_report):
    report = planted_report
    counts = report.summary()
    assert counts == {
        "n_images": 66,
        "n_groups": 6,
        "n_exact_groups": 2,
        "n_near_groups": 4,
        "n_duplicates": 6,
        "n_conflict_groups": 1,
        "n_conflict_images": 2,
        "n_blank": 1,
        "n_in_reference": 2,
        "n_reference_conflicts": 0,
        "n_kept": 56,
    }
    frame = report.to_frame()
    assert list(frame.columns) == [
        "index",
        "group",
        "label",
        "kind",
        "first",
        "conflict",
        "blank",
        "in_reference",
    ]
    assert len(frame) == 12 and frame["first"].sum() == 6
    assert frame.loc[frame["conflict"], "index"].tolist() == [5, 65]
    assert frame.groupby("group")["kind"].first().tolist() == [
        "exact",
        "near",
        "near",
        "near",
        "near",
        "exact",
    ]
    content = json.loads(json.dumps(report.to_dict()))
    assert content["summary"] == counts
    assert content["in_reference"] == [30, 31] and content["blank"] == [20]
    assert content["groups"][5] == {
        "indices": [5, 65],
        "kind": "exact",
        "conflict": True,
        "labels": report.labels[[5, 65]].tolist(),
    }
    assert isinstance(report, DuplicateReport) and "n_groups=6" in repr(report)


def test_plot_draws_conflicts_first(planted_report):
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    disp = planted_report.plot(n_groups=3, target_names=make_synthetic_faces(7).target_names)
    assert disp.ax_.shape == (3, 2)
    assert disp.conflict_.tolist() == [True, False, False]
    assert disp.ax_[0, 1].get_title().startswith("#65 ")
    assert disp.ax_[1, 0].get_title().startswith("exact\n#0 ")
    import matplotlib.pyplot as plt

    plt.close(disp.figure_)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"method": "md5"}, r"method must be one of \('exact', 'phash'\), got 'md5'"),
        ({"max_distance": 65}, "max_distance must be in 0..64, got 65"),
        ({"max_distance": 2.5}, "max_distance must be an integer, got 2.5"),
        ({"min_correlation": 2}, "min_correlation must be in -1.0..1.0, got 2"),
        ({"max_shift": 24}, "max_shift=24 leaves nothing of 48x48 images to compare"),
        ({"y": [0, 1]}, r"y must hold one label per image \(7\), got an array of shape \(2,\)"),
        ({"reference_rows": [1, 0, 0, 1, 0, 0, 1]}, "reference_rows must be a boolean array"),
        ({"y_reference": [0]}, "y_reference needs X_reference"),
        (
            {"X_reference": np.zeros((2, 30, 30), np.uint8)},
            "X_reference holds 30x30 images, X holds 48x48",
        ),
    ],
)
def test_errors_name_the_bad_input(kwargs, message):
    X = make_synthetic_faces(7, random_state=0).images
    with pytest.raises(ValueError, match=message):
        find_duplicates(X, **kwargs)


def test_images_that_are_not_square():
    faces = make_synthetic_faces(30, random_state=6).images[:, :, 4:44]  # 48x40
    X = np.concatenate([faces, [faces[2], _shift(faces[9], 0, 1)]])
    for data, shape in ((X, None), (X.reshape(len(X), -1), (48, 40))):
        report = find_duplicates(data, image_shape=shape)
        assert [g.tolist() for g in report.groups] == [[2, 30], [9, 31]]
        assert report.exact == [True, False]
        assert np.array_equal(report.hashes, phash(X))
