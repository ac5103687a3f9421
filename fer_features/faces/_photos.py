"""Reading photographs: paths, Pillow images and arrays of any size, colour or grey.

Detection, cropping and recognition all take *photos*, which, unlike the
library's rows of 48x48 faces, have sizes of their own; so a batch of photos
is a list (or a stack of same-sized images), and each item is read here into a
uint8 array: ``(height, width)`` for grey, ``(height, width, 3)`` for colour.
"""

import os
from numbers import Real

import numpy as np

__all__ = ["as_photo_list", "read_photo", "to_grey"]


def _describe(photo):
    if isinstance(photo, np.ndarray):
        return f"an array of shape {photo.shape} and dtype {photo.dtype}"
    return f"{type(photo).__name__} {photo!r}"[:120]


def read_photo(photo, *, which="photo"):
    """Return ``photo`` as a uint8 array, ``(h, w)`` (grey) or ``(h, w, 3)`` (RGB).

    Parameters
    ----------
    photo : str, path-like, PIL.Image.Image or array-like
        A file name, a Pillow image, or an array ``(h, w)``, ``(h, w, 3)`` or
        ``(h, w, 4)`` (alpha dropped) of uint8, or of floats in [0, 1]
        (scikit-image's convention) or [0, 255].
    which : str, default="photo"
        How the photo is named in error messages (``"photo 3"``).

    Returns
    -------
    array : ndarray of uint8
    """
    from PIL import Image, ImageOps

    if isinstance(photo, (str, os.PathLike)):
        try:
            with Image.open(photo) as image:
                image.load()
                image = ImageOps.exif_transpose(image)
        except FileNotFoundError:
            raise FileNotFoundError(f"{which}: no such file {os.fspath(photo)!r}") from None
        except Exception as exc:  # Pillow raises many kinds on broken files
            raise ValueError(
                f"{which}: cannot read image {os.fspath(photo)!r}: {exc or type(exc).__name__}"
            ) from exc
        photo = image
    if isinstance(photo, Image.Image):
        if photo.mode in ("L", "RGB"):
            return np.asarray(photo)
        if photo.mode in (
            "1",
            "P",
            "RGBA",
            "LA",
            "PA",
            "CMYK",
            "YCbCr",
            "RGBX",
            "RGBa",
            "La",
            "HSV",
            "LAB",
        ):
            target = "L" if photo.mode in ("1", "LA", "La") else "RGB"
            return np.asarray(photo.convert(target))
        photo = np.asarray(photo)  # 16-bit, 32-bit integer and float images
        if photo.dtype.kind in "ui" and photo.max(initial=0) > 255:
            photo = photo.astype(np.float64) / (257.0 if photo.max() <= 65535 else 65535 * 257.0)
    try:
        array = np.asarray(photo)
    except Exception as exc:
        raise ValueError(
            f"{which} must be a file name, a PIL image or an array, got {_describe(photo)}"
        ) from exc
    if array.dtype == object or array.dtype.kind not in "uifb":
        raise ValueError(
            f"{which} must be a file name, a PIL image or a numeric array, got {_describe(photo)}"
        )
    if array.ndim == 3 and array.shape[2] == 4:
        array = array[..., :3]
    if array.ndim == 3 and array.shape[2] == 1:
        array = array[..., 0]
    if not (array.ndim == 2 or (array.ndim == 3 and array.shape[2] == 3)):
        raise ValueError(
            f"{which} must be a grey (height, width) or colour (height, width, 3) "
            f"image, got {_describe(array)}"
        )
    if array.shape[0] < 1 or array.shape[1] < 1:
        raise ValueError(f"{which} is empty: {_describe(array)}")
    if array.dtype == np.uint8:
        return array
    if array.dtype.kind == "b":
        return array.astype(np.uint8) * 255
    values = array.astype(np.float64)
    if not np.isfinite(values).all():
        raise ValueError(f"{which} holds NaN or infinite values")
    top = 1.0 if array.dtype.kind == "f" and values.max(initial=0.0) <= 1.0 else 255.0
    return np.clip(np.rint(values / top * 255.0), 0, 255).astype(np.uint8)


def as_photo_list(photos, caller):
    """Return ``photos`` (a batch) as a list, refusing a lone image with a clear error.

    A list or tuple is a batch of photos of any sizes; an ndarray is a batch
    only when it is a stack ``(n, h, w)`` of grey images or ``(n, h, w, 3)`` of
    colour ones. A 2-D array, or a 3-D array whose last axis has 3 or 4
    entries (one colour photo, or a stack of grey ones 3 or 4 pixels wide),
    is refused: wrap one photo in a list.
    """
    if isinstance(photos, (str, os.PathLike)) or not hasattr(photos, "__len__"):
        from PIL import Image

        if isinstance(photos, (str, os.PathLike, Image.Image)):
            raise ValueError(
                f"{caller} takes a list of photos; wrap one photo in a list: [{_describe(photos)}]"
            )
        raise ValueError(
            f"{caller} takes a list of photos (file names, PIL images or "
            f"arrays), got {_describe(photos)}"
        )
    if isinstance(photos, np.ndarray):
        if photos.ndim == 2 or (photos.ndim == 3 and photos.shape[-1] in (3, 4)):
            raise ValueError(
                f"{caller} takes a list of photos, got {_describe(photos)}; wrap one photo "
                f"in a list ([photo]) or pass a stack of shape (n, height, width[, 3])"
            )
        if photos.ndim not in (3, 4):
            raise ValueError(f"{caller} takes a list of photos, got {_describe(photos)}")
    photos = list(photos)
    if not photos:
        raise ValueError(f"{caller} got an empty list of photos")
    return photos


def to_grey(array):
    """A uint8 ``(h, w)`` or ``(h, w, 3)`` array as grey uint8 (ITU-R 601 luma, as Pillow)."""
    if array.ndim == 2:
        return array
    from PIL import Image

    return np.asarray(Image.fromarray(np.ascontiguousarray(array), "RGB").convert("L"))


def _check_fraction(value, name, caller, *, low=0.0, high=1.0):
    if not isinstance(value, Real) or isinstance(value, bool) or not low <= value <= high:
        raise ValueError(f"{caller}: {name} must be a number in [{low}, {high}], got {value!r}")
    return float(value)
