"""Eye-line alignment: the tilt estimate and FaceCropper(align=True)."""

import re

import numpy as np
import pytest
from PIL import Image
from skimage import data

from fer_features.faces import FaceCropper
from fer_features.faces._align import estimate_tilt, rotate_images


def _pattern(h=48, w=48):
    """A mirror-symmetric face-like pattern: a bright oval, two dark eyes, a mouth."""
    r, c = np.mgrid[0:h, 0:w].astype(float)
    cy, cx = (h - 1) / 2, (w - 1) / 2
    face = 60.0 + 120.0 * (((r - cy) / 20) ** 2 + ((c - cx) / 15) ** 2 < 1)
    for ex in (cx - 8, cx + 8):
        face -= 90 * np.exp(-(((r - 17) / 2.5) ** 2 + ((c - ex) / 3.5) ** 2))
    face -= 70 * np.exp(-(((r - 34) / 2.0) ** 2 + ((c - cx) / 6.0) ** 2))
    face -= 40 * np.exp(-(((r - 26) / 4.0) ** 2 + ((c - cx) / 1.5) ** 2))  # nose
    return face


def test_rotate_images_exact():
    image = np.arange(12, dtype=float).reshape(1, 3, 4)
    np.testing.assert_allclose(rotate_images(image, 0.0), image)
    # a quarter turn of a square image is np.rot90, counterclockwise as displayed
    square = np.arange(16, dtype=float).reshape(1, 4, 4)
    np.testing.assert_allclose(rotate_images(square, 90.0)[0], np.rot90(square[0]), atol=1e-9)


@pytest.mark.parametrize("angle", [-12.0, -5.0, 0.0, 7.5, 14.0])
def test_estimate_tilt_of_a_symmetric_pattern(angle):
    tilted = rotate_images(_pattern()[None], angle)
    assert abs(estimate_tilt(tilted)[0] - angle) < 0.75


def test_estimate_tilt_with_the_axis_off_centre():
    # the mirror axis two pixels right of the image centre
    shifted = np.roll(rotate_images(_pattern()[None], 9.0), 2, axis=2)
    assert abs(estimate_tilt(shifted)[0] - 9.0) < 1.0


@pytest.mark.fer2013
def test_estimate_tilt_follows_rotations_of_fer2013_faces(fer2013_small):
    faces = fer2013_small.images[:150].astype(float)
    rng = np.random.default_rng(0)
    alpha = rng.uniform(5, 12, len(faces)) * rng.choice([-1, 1], len(faces))
    upright = estimate_tilt(faces)
    tilted = estimate_tilt(rotate_images(faces, alpha))
    # a FER2013 face is not level itself: the estimate moves by the rotation
    change = tilted - upright
    assert np.median(np.abs(change - alpha)) < 1.5
    # and tells the side of the rotation for most faces (73 % of these; chance is 50 %)
    assert np.mean(np.sign(change) == np.sign(alpha)) > 0.65


def _astronaut(angle):
    grey = np.asarray(Image.fromarray(data.astronaut()).convert("L"))
    # turned about the face's centre, counterclockwise as displayed
    return np.asarray(
        Image.fromarray(grey).rotate(angle, resample=Image.Resampling.BILINEAR, center=(223, 116))
    )


def test_cropper_align_levels_a_tilted_face():
    photos = [_astronaut(0), _astronaut(8), _astronaut(-8)]
    plain = FaceCropper().fit()
    aligned = FaceCropper(align=True).fit()
    crops = plain.transform(photos).astype(float)
    assert plain.tilts_.tolist() == [0.0, 0.0, 0.0]
    levelled = aligned.transform(photos).astype(float)
    assert aligned.fallback_.tolist() == []
    np.testing.assert_array_equal(aligned.boxes_, plain.boxes_)
    # the estimate moves with the turn of the photo
    tilts = aligned.tilts_
    assert abs((tilts[1] - tilts[0]) - 8) < 2.5 and abs((tilts[2] - tilts[0]) + 8) < 2.5

    def corr(a, b):
        return np.corrcoef(a, b)[0, 1]

    # levelled, the turned faces look more alike the upright one than unlevelled
    for k in (1, 2):
        assert corr(levelled[k], levelled[0]) > corr(crops[k], crops[0]) + 0.05


def test_cropper_align_leaves_fallbacks_and_keeps_dtypes():
    X = np.arange(2 * 4 * 6, dtype=np.float32).reshape(2, 24)
    plain = FaceCropper(size=(4, 4), image_shape=(4, 6)).fit(X)
    aligned = FaceCropper(size=(4, 4), image_shape=(4, 6), align=True).fit(X)
    out = aligned.transform(X)
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out, plain.transform(X))
    assert aligned.tilts_.tolist() == [0.0, 0.0]


def test_cropper_align_parameter_error():
    with pytest.raises(
        ValueError, match=re.escape("FaceCropper: align must be True or False, got 'yes'")
    ):
        FaceCropper(align="yes").fit()
