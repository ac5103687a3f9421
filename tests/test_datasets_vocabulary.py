"""Tests of the shared expression vocabulary and of class selection."""

import numpy as np
import pytest

from fer_features.datasets import (
    DATASET_CODES,
    EXPRESSIONS,
    align_targets,
    canonical_expression,
    select_classes,
)


def test_canonical_names():
    assert EXPRESSIONS == (
        "angry",
        "disgust",
        "fear",
        "happy",
        "sad",
        "surprise",
        "neutral",
        "contempt",
    )
    for name in EXPRESSIONS:
        assert canonical_expression(name) == name
        assert canonical_expression(name.upper()) == name


@pytest.mark.parametrize(
    "name, expected",
    [
        ("Anger", "angry"),
        ("sadness", "sad"),
        ("Happiness", "happy"),
        ("surprised", "surprise"),
        ("Fearful", "fear"),
        ("disgusted", "disgust"),
        ("  Neutral ", "neutral"),
        ("AN", "angry"),
        ("DI", "disgust"),
        ("FE", "fear"),
        ("HA", "happy"),
        ("SA", "sad"),
        ("SU", "surprise"),
        ("NE", "neutral"),
        ("contemptuous", "contempt"),
    ],
)
def test_synonyms(name, expected):
    assert canonical_expression(name) == expected


def test_dataset_codes():
    assert [canonical_expression(i, dataset="ck+") for i in range(8)] == [
        "neutral",
        "angry",
        "contempt",
        "disgust",
        "fear",
        "happy",
        "sad",
        "surprise",
    ]
    assert [canonical_expression(i, dataset="fer2013") for i in range(7)] == list(EXPRESSIONS[:7])
    assert canonical_expression("3", dataset="FER2013") == "happy"
    assert canonical_expression("an", dataset="jaffe") == "angry"
    assert canonical_expression(np.int64(7), dataset="CK+") == "surprise"
    assert set(DATASET_CODES) == {"fer2013", "ck+", "jaffe"}


@pytest.mark.parametrize(
    "args, kwargs, message",
    [
        (
            ("bored",),
            {},
            "unknown expression 'bored'; known expressions: angry, disgust, fear, "
            "happy, sad, surprise, neutral, contempt",
        ),
        (
            (3,),
            {},
            "expression 3 is not a name; integer codes differ between data sets, pass "
            "dataset='fer2013', 'ck+' or 'jaffe'",
        ),
        (
            (8,),
            {"dataset": "ck+"},
            "unknown ck+ expression code 8; known codes: 0=neutral, 1=angry",
        ),
        ((7,), {"dataset": "fer2013"}, "unknown fer2013 expression code 7"),
        (
            ("XX",),
            {"dataset": "jaffe"},
            "unknown jaffe expression code 'XX'; known codes: AN=angry",
        ),
        (
            (1,),
            {"dataset": "affectnet"},
            "unknown data set 'affectnet' for expression codes; known: fer2013, ck+, jaffe",
        ),
    ],
)
def test_unknown_names_raise(args, kwargs, message):
    with pytest.raises(ValueError) as info:
        canonical_expression(*args, **kwargs)
    assert message in str(info.value)


def test_align_targets_between_data_sets():
    ck = ["neutral", "anger", "contempt", "disgust", "fear", "happy", "sadness", "surprise"]
    fer = list(EXPRESSIONS[:7])
    y_ck = np.array([0, 1, 2, 3, 4, 5, 6, 7])
    assert align_targets(y_ck, ck, fer, unknown=-1).tolist() == [6, 0, -1, 1, 2, 3, 4, 5]
    with pytest.raises(ValueError, match="class 'contempt' \\(code 2\\) has no counterpart"):
        align_targets(y_ck, ck, fer)
    # fine while no target is contempt
    assert align_targets([0, 5], ck, fer).tolist() == [6, 3]
    # and back
    assert align_targets([6, 0, 3], fer, ck).tolist() == [0, 1, 5]
    with pytest.raises(ValueError, match="targets must be codes 0..6 into target_names"):
        align_targets([7], fer, ck)
    with pytest.raises(ValueError, match="unknown must be 'raise' or an integer"):
        align_targets([0], fer, ck, unknown="drop")


def test_select_classes_exact():
    names = ["angry", "happy", "sad"]
    target = np.array([0, 1, 2, 1, 0])
    keep, new, new_names = select_classes(target, names, None)
    assert keep.all() and new.tolist() == [0, 1, 2, 1, 0] and new_names == names
    keep, new, new_names = select_classes(target, names, ["sadness", "anger"])
    assert keep.tolist() == [True, False, True, False, True]
    assert new.tolist() == [1, 0, 1] and new_names == ["sad", "angry"]
    keep, new, new_names = select_classes(
        target, names, {"happy": "HA", "negative": ["angry", "sad"]}
    )
    assert keep.all() and new.tolist() == [1, 0, 1, 0, 1]
    assert new_names == ["happy", "negative"]
    with pytest.raises(ValueError, match="class 'x' in classes merges no old class"):
        select_classes(target, names, {"x": []})
