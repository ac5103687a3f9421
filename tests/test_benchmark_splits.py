"""Honest benchmark splits: subjects on one side, test images that repeat training images."""

import json
import warnings

import numpy as np
import pytest
from PIL import Image
from sklearn.dummy import DummyClassifier
from sklearn.model_selection import StratifiedKFold
from sklearn.utils import Bunch

from fer_features.benchmark import (
    group_overlap,
    resolve_split,
    run_benchmark,
    split_fingerprint,
)
from fer_features.benchmark._duplicates import find_test_duplicates
from fer_features.cli import main


class RecordingPrior(DummyClassifier):
    """A prior classifier that keeps the rows it was asked to score (class-level)."""

    scored = []

    def predict_proba(self, X):
        type(self).scored.extend(bytes(row) for row in np.asarray(X))
        return super().predict_proba(X)


@pytest.fixture(autouse=True)
def _reset_recording():
    RecordingPrior.scored = []


def _grouped_data(n_subjects=8, per_subject=6, n_classes=3, seed=0, usage=None):
    """Random 16x16 noise images (no two alike), every subject showing every class."""
    rng = np.random.default_rng(seed)
    n = n_subjects * per_subject
    X = rng.integers(0, 200, (n, 256), dtype=np.uint8)
    y = np.tile(np.arange(per_subject) % n_classes, n_subjects)
    groups = np.repeat([f"S{i:03d}" for i in range(n_subjects)], per_subject)
    return Bunch(data=X, target=y, groups=groups, usage=usage)


def _shared(folds, groups):
    return [set(groups[train]) & set(groups[test]) for train, test in folds]


# ----------------------------------------------------------------- group splits
@pytest.mark.parametrize("split", [2, 3, 4, 0.25, 0.5, None])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_subject_splits_never_share_a_group(split, seed):
    data = _grouped_data(n_subjects=9, seed=seed)
    folds, text = resolve_split(split, data.target, groups=data.groups, random_state=seed)
    assert text.startswith("subject-independent stratified")
    assert _shared(folds, data.groups) == [set()] * len(folds)
    for train, test in folds:  # every image is used once per fold
        assert len(np.intersect1d(train, test)) == 0
        assert len(train) + len(test) == len(data.target)
    if isinstance(split, int) or split is None:  # k-fold: every image tested once
        tested = np.sort(np.concatenate([test for _, test in folds]))
        np.testing.assert_array_equal(tested, np.arange(len(data.target)))
    assert group_overlap(folds, data.groups) == {
        "split_kind": "subject-independent",
        "n_groups": 9,
        "shared_groups": [0] * len(folds),
    }


def test_random_split_mixes_subjects_as_before():
    data = _grouped_data()
    folds, text = resolve_split(3, data.target, groups=data.groups, grouped=False)
    expected = StratifiedKFold(3, shuffle=True, random_state=0).split(data.data, data.target)
    for (train, test), (train0, test0) in zip(
        folds, expected
    ):  # the folds of earlier versions, exactly
        np.testing.assert_array_equal(train, train0)
        np.testing.assert_array_equal(test, test0)
    assert text == "stratified 3-fold cross-validation (shuffled, seed 0)"
    overlap = group_overlap(folds, data.groups)
    assert overlap["split_kind"] == "subjects shared"
    assert overlap["shared_groups"] == [len(s) for s in _shared(folds, data.groups)]
    assert min(overlap["shared_groups"]) > 0


def test_without_groups_the_split_is_unchanged():
    data = _grouped_data()
    a, text = resolve_split(3, data.target)
    b, _ = resolve_split(3, data.target, groups=data.groups, grouped=False)
    for (train_a, test_a), (train_b, test_b) in zip(a, b):
        np.testing.assert_array_equal(train_a, train_b)
        np.testing.assert_array_equal(test_a, test_b)
    assert group_overlap(a, None) == {
        "split_kind": "no groups",
        "n_groups": None,
        "shared_groups": None,
    }


@pytest.mark.parametrize(
    "split, message",
    [
        (5, r"split=5: subject-independent 5-fold .* needs at least 5 subjects .* data have 4"),
        (0.1, r"hold-out of 1/10 needs at least 10 subjects \(groups\), but the data have 4"),
        (1.5, "a hold-out fraction must lie strictly between 0 and 1"),
    ],
)
def test_too_few_groups_names_both_numbers(split, message):
    data = _grouped_data(n_subjects=4)
    with pytest.raises(ValueError, match=message):
        resolve_split(split, data.target, groups=data.groups)


def test_runner_random_split_warns_and_the_subject_split_does_not():
    data = _grouped_data()
    with pytest.warns(UserWarning, match=r"training and test share subjects: up to \d of the 8"):
        result = run_benchmark({"prior": RecordingPrior()}, data, split=3, grouped=False, verbose=0)
    assert result.meta["split_kind"] == "subjects shared"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = run_benchmark({"prior": RecordingPrior()}, data, split=3, verbose=0)
    assert result.meta["split_kind"] == "subject-independent"
    assert result.meta["shared_groups"] == [0, 0, 0]


def test_a_usage_split_that_shares_subjects_warns_too():
    usage = np.array(["train", "test"])[np.arange(48) % 2]  # every subject on both sides
    data = _grouped_data(usage=usage)
    with pytest.warns(UserWarning, match="give an integer or fraction split, or a group splitter"):
        result = run_benchmark(
            {"prior": RecordingPrior()}, data, split=("train", "test"), verbose=0
        )
    assert result.meta["shared_groups"] == [8]


@pytest.mark.parametrize("grouped", [True, False])
def test_report_and_json_state_split_kind_and_group_count(tmp_path, grouped):
    data = _grouped_data()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = run_benchmark(
            {"prior": RecordingPrior()},
            data,
            split=2,
            grouped=grouped,
            out_dir=tmp_path,
            verbose=0,
            plots=False,
        )
    meta = json.loads((tmp_path / "results.json").read_text())["meta"]
    report = (tmp_path / "report.md").read_text()
    assert meta["n_groups"] == result.meta["n_groups"] == 8
    if grouped:
        assert meta["split_kind"] == "subject-independent"
        assert "- Subjects: subject-independent: each of the 8 subjects" in report
    else:
        assert meta["split_kind"] == "subjects shared"
        shared = max(meta["shared_groups"])
        assert f"- Subjects: subjects shared: up to {shared} of the 8 subjects" in report


def test_report_without_groups_says_so():
    data = _grouped_data()
    data.groups = None
    result = run_benchmark({"prior": RecordingPrior()}, data, split=2, verbose=0)
    assert result.meta["split_kind"] == "no groups" and result.meta["n_groups"] is None
    assert "- Subjects: no subjects: the data do not say who" in result.to_markdown()


# ------------------------------------------------------------- test duplicates
def _planted(n_copies=5, n_near=0):
    """Usage train / test data whose test rows 31, 34, 37, ... copy training rows
    (the first ``n_copies`` exactly, the next ``n_near`` brightened by 40 grey levels)."""
    usage = np.array(["train"] * 30 + ["test"] * 18)
    data = _grouped_data(usage=usage)
    data.groups = None
    planted = 30 + 3 * np.arange(n_copies + n_near) + 1
    data.data[planted] = data.data[np.arange(n_copies + n_near) * 2]
    data.data[planted[n_copies:]] += 40
    return data, planted


def test_exact_test_duplicates_are_counted_and_dropped_exactly():
    data, planted = _planted()
    folds, _ = resolve_split(("train", "test"), data.target, usage=data.usage)
    kept, report = find_test_duplicates(data.data, folds)
    assert kept[0][1] is folds[0][1]  # nothing dropped without drop=True
    assert report["exact"] == [5] and report["n_test_rows"] == 18 and report["dropped"] is None
    for method in ("exact", "phash"):
        dropped, report = find_test_duplicates(data.data, folds, drop=True, method=method)
        np.testing.assert_array_equal(dropped[0][1], np.setdiff1d(np.arange(30, 48), planted))
        np.testing.assert_array_equal(dropped[0][0], folds[0][0])
        assert report["dropped"] == 5 and report["n_exact"] == 5


def test_near_test_duplicates_are_counted_apart_and_dropped():
    data, planted = _planted(n_copies=2, n_near=3)
    folds, _ = resolve_split(("train", "test"), data.target, usage=data.usage)
    _, report = find_test_duplicates(data.data, folds, method="exact")
    assert (report["n_exact"], report["n_near"]) == (2, None)
    dropped, report = find_test_duplicates(data.data, folds, drop=True)
    assert (report["n_exact"], report["n_near"], report["dropped"]) == (2, 5, 5)
    assert report["max_distance"] == 10 and report["min_correlation"] == 0.95
    np.testing.assert_array_equal(dropped[0][1], np.setdiff1d(np.arange(30, 48), planted))


def test_copies_within_the_test_set_are_each_counted():
    data, planted = _planted(n_copies=1)
    data.data[[40, 43]] = data.data[planted[0]]  # two more copies of the same training image
    folds, _ = resolve_split(("train", "test"), data.target, usage=data.usage)
    dropped, report = find_test_duplicates(data.data, folds, drop=True)
    assert report["n_exact"] == report["n_near"] == report["dropped"] == 3
    assert not {planted[0], 40, 43} & set(dropped[0][1])


def test_data_that_are_not_images_are_not_counted():
    data, _ = _planted()
    X = data.data.astype(float) * 2  # up to 398: not grey levels
    folds, _ = resolve_split(("train", "test"), data.target, usage=data.usage)
    kept, report = find_test_duplicates(X, folds, drop=True)
    assert kept[0][1] is folds[0][1]
    assert report["method"] is None and "pixel values must be in 0..255" in report["reason"]
    result = run_benchmark(
        {"prior": RecordingPrior()}, (X, data.target), split=2, verbose=0, drop_test_duplicates=True
    )
    assert "- Test duplicates: not counted: the data are not grey images" in result.to_markdown()


def test_a_copy_within_the_test_set_is_not_a_training_duplicate():
    data, _ = _planted(n_copies=0)
    data.data[40] = data.data[41]  # two equal test images, neither in training
    folds, _ = resolve_split(("train", "test"), data.target, usage=data.usage)
    assert find_test_duplicates(data.data, folds)[1]["n_exact"] == 0


def test_runner_drops_exactly_the_planted_rows_and_reports_them():
    data, planted = _planted()
    result = run_benchmark(
        {"prior": RecordingPrior()}, data, split=("train", "test"), verbose=0, n_bootstrap=0
    )
    assert result.table.loc[0, "n_test"] == 18
    assert result.meta["test_duplicates"]["n_exact"] == 5
    assert (
        "5 of the 18 test images duplicate a training image exactly, 5 exactly or nearly "
        "(pHash within 10 bits and pixels correlating at 0.95 or more); kept"
    ) in result.to_markdown()
    RecordingPrior.scored = []
    result = run_benchmark(
        {"prior": RecordingPrior()},
        data,
        split=("train", "test"),
        drop_test_duplicates=True,
        verbose=0,
        n_bootstrap=0,
    )
    assert result.table.loc[0, "n_test"] == 13
    kept = np.setdiff1d(np.arange(30, 48), planted)
    assert sorted(RecordingPrior.scored) == sorted(bytes(row) for row in data.data[kept])
    assert "; 5 removed before scoring" in result.to_markdown()


def test_drop_in_every_fold_of_a_cross_validation():
    data = _grouped_data(n_subjects=6)
    data.data[7] = data.data[30]  # subjects S001 and S005 share one image
    folds, _ = resolve_split(3, data.target, groups=data.groups)
    kept, report = find_test_duplicates(data.data, folds, drop=True)
    split_apart = [
        (7 in test and 30 in train) or (30 in test and 7 in train) for train, test in folds
    ]
    assert report["exact"] == [int(s) for s in split_apart]
    for (train, test), (_, test_kept) in zip(folds, kept):
        removed = set(test) - set(test_kept)
        assert removed == ({7} & set(test) if 30 in train else set()) | (
            {30} & set(test) if 7 in train else set()
        )


# ----------------------------------------------------------------- fingerprints
def test_split_options_are_in_the_fingerprint(tmp_path):
    """Same folds, other options: a stored result is never reused for them."""
    folds = [(np.arange(4), np.arange(4, 6))]
    assert split_fingerprint(folds) == split_fingerprint(folds, {})
    assert split_fingerprint(folds, {"grouped": True}) != split_fingerprint(
        folds, {"grouped": False}
    )
    data, _ = _planted(n_copies=0)  # no duplicates and no groups: the folds are the same
    kwargs = dict(split=("train", "test"), out_dir=tmp_path, verbose=0, plots=False)
    run_benchmark({"prior": RecordingPrior()}, data, **kwargs)
    for option in (
        {"drop_test_duplicates": True},
        {"grouped": False},
        {"duplicate_method": "exact"},
    ):
        with pytest.raises(ValueError, match="holds results of other data or another split"):
            run_benchmark({"prior": RecordingPrior()}, data, **kwargs, **option)
    result = run_benchmark({"prior": RecordingPrior()}, data, **kwargs)
    assert bool(result.table.loc[0, "reused"])


def test_unknown_duplicate_method():
    data = _grouped_data()
    with pytest.raises(ValueError, match=r"method must be one of \('phash', 'exact'\), got 'md5'"):
        run_benchmark({"prior": RecordingPrior()}, data, split=2, duplicate_method="md5")


@pytest.mark.parametrize("option", ["grouped", "drop_test_duplicates"])
def test_options_must_be_booleans(option):
    data = _grouped_data()
    with pytest.raises(ValueError, match=f"{option} must be True or False, got 'yes'"):
        run_benchmark({"prior": RecordingPrior()}, data, split=2, verbose=0, **{option: "yes"})


# -------------------------------------------------------------- the command
def _ck_folder(root, n_subjects=6, per_class=2):
    """A CK+-style folder: one sub-folder per expression, S00k_001_0000000i.png names."""
    rng = np.random.default_rng(0)
    for label in ("happy", "sad", "surprise"):
        (root / label).mkdir(parents=True)
        for s in range(1, n_subjects + 1):
            for i in range(per_class):
                pixels = rng.integers(0, 256, (48, 48), dtype=np.uint8)
                Image.fromarray(pixels).save(root / label / f"S{s:03d}_001_{i + 1:08d}.png")
    return root


def test_cli_end_to_end_on_a_folder_of_subjects(tmp_path, capsys):
    folder = _ck_folder(tmp_path / "ck")
    # one image of S001 is also an image of every other subject: in every fold the two
    # copies tested duplicate the four trained on, 6 over the 3 folds
    for s in range(2, 7):
        (folder / "happy" / f"S{s:03d}_001_00000001.png").write_bytes(
            (folder / "happy" / "S001_001_00000001.png").read_bytes()
        )
    base = ["benchmark", "--data", str(folder), "--estimators", "pixels-logreg", "--no-plots"]
    out = tmp_path / "subject"
    assert main([*base, "--cv", "3", "--out", str(out), "-q"]) == 0
    meta = json.loads((out / "results.json").read_text())["meta"]
    assert meta["split_kind"] == "subject-independent" and meta["n_groups"] == 6
    assert meta["split"].startswith("subject-independent stratified 3-fold")
    report = (out / "report.md").read_text()
    assert "each of the 6 subjects (groups) is in the training or the test set" in report
    assert meta["test_duplicates"]["exact"] == [2, 2, 2]
    assert "6 of the 36 test images duplicate a training image exactly, 6 exactly or" in report

    out = tmp_path / "dropped"
    assert main([*base, "--cv", "3", "--out", str(out), "-q", "--drop-test-duplicates"]) == 0
    csv = (out / "results.csv").read_text()
    assert "pixels-logreg,ok," in csv
    meta = json.loads((out / "results.json").read_text())["meta"]
    assert meta["test_duplicates"]["dropped"] == 6
    assert "; 6 removed before scoring" in (out / "report.md").read_text()
    assert "pixels-logreg" in csv

    capsys.readouterr()
    out = tmp_path / "random"
    with pytest.warns(UserWarning, match="training and test share subjects"):
        assert main([*base, "--split", "random", "--out", str(out), "-q"]) == 0
    meta = json.loads((out / "results.json").read_text())["meta"]
    assert meta["split_kind"] == "subjects shared"
    assert meta["split"] == "stratified hold-out of 0.25 of the images (seed 0)"

    assert main([*base, "--cv", "10", "--out", str(tmp_path / "ten")]) == 2
    err = capsys.readouterr().err
    assert "needs at least 10 subjects (groups), but the data have 6" in err


# ----------------------------------------------------------------- real faces
@pytest.mark.fer2013
def test_real_faces_exact_copies_and_planted_near_copies(fer2013):
    X, usage = fer2013.data, fer2013.usage
    train, test = np.flatnonzero(usage == "Training"), np.flatnonzero(usage == "PublicTest")
    _, report = find_test_duplicates(X, [(train, test)], method="exact")
    seen = {bytes(row) for row in X[train]}
    assert report["n_exact"] == sum(bytes(row) in seen for row in X[test])
    assert report["n_exact"] > 0  # FER2013's usages share images

    # a small part, with 20 brightened copies of training faces planted among the test faces
    train, test = train[:1500], test[:300]
    kept, before = find_test_duplicates(X, [(train, test)], drop=True)
    flagged = np.setdiff1d(test, kept[0][1])
    X = X.copy()
    targets = np.setdiff1d(test, flagged)[::7][:20]
    X[targets] = np.clip(X[train[:20]].astype(int) + 30, 0, 255).astype(np.uint8)
    kept, after = find_test_duplicates(X, [(train, test)], drop=True)
    assert after["n_exact"] == before["n_exact"]  # brightened: not byte-equal
    assert after["n_near"] == before["n_near"] + 20
    np.testing.assert_array_equal(np.setdiff1d(test, kept[0][1]), np.union1d(flagged, targets))
