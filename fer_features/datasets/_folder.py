"""Loader of a folder of face images, one sub-folder per class."""

import os
import re
import warnings
from numbers import Integral
from pathlib import Path

import numpy as np
from sklearn.utils import Bunch

from ._base import select_classes, summarize_targets
from ._vocabulary import EXPRESSIONS, _canonical_or_verbatim

__all__ = ["load_image_folder", "IMAGE_EXTENSIONS", "SUBJECT_PATTERNS", "SYSTEM_FOLDERS"]

#: File name endings read as images (compared in lower case).
IMAGE_EXTENSIONS = (
    ".png",
    ".jpg",
    ".jpeg",
    ".bmp",
    ".tif",
    ".tiff",
    ".gif",
    ".pgm",
    ".ppm",
    ".pnm",
    ".webp",
)

#: Built-in file-name patterns giving the subject of an image: CK+ names its
#: files ``S005_001_00000011.png`` (subject ``S005``), JAFFE ``KA.AN1.39.tiff``
#: (subject ``KA``).
SUBJECT_PATTERNS = {
    "ck+": re.compile(r"^(S\d{3,})_\d+_\d+"),
    "jaffe": re.compile(r"^([A-Z]{2})\.[A-Z]{2}\d*\.\d+"),
}

#: Images with more pixels than this are refused as decompression bombs.
MAX_IMAGE_PIXELS = 50_000_000

#: Folders that archivers and operating systems add beside the data (compared in
#: lower case); they are never classes and their files are never read. Hidden
#: folders (``.git``, ``.Trashes``, ...) are ignored too.
SYSTEM_FOLDERS = frozenset(
    {
        "__macosx",
        "@eadir",
        "$recycle.bin",
        "system volume information",
        "lost+found",
        "__pycache__",
        ".ipynb_checkpoints",
    }
)


def _is_system(name):
    """Whether a file or folder name is hidden or one of :data:`SYSTEM_FOLDERS`."""
    return name.startswith(".") or name.lower() in SYSTEM_FOLDERS


def _to_grey(image):
    """A Pillow image as a 2-D uint8 array, whatever its mode and bit depth."""
    mode = image.mode
    if mode in (
        "L",
        "P",
        "1",
        "RGB",
        "RGBA",
        "LA",
        "PA",
        "CMYK",
        "YCbCr",
        "LAB",
        "HSV",
        "RGBX",
        "La",
        "RGBa",
    ):
        return np.asarray(image.convert("L"))
    array = np.asarray(image)
    if array.ndim == 3:  # multi-channel high bit depth: average the channels
        array = array[..., :3].mean(axis=-1)
    if mode.startswith("I;16") or array.dtype in (np.uint16, np.dtype(">u2")):
        return (array.astype(np.float64) / 257.0).round().astype(np.uint8)
    if mode == "F" or array.dtype.kind == "f":
        array = array.astype(np.float64)
        top = 1.0 if np.nanmax(array, initial=0.0) <= 1.0 else 255.0
        return np.clip(np.nan_to_num(array) / top * 255.0, 0, 255).round().astype(np.uint8)
    # 32-bit integer images ("I"): 16-bit data read by older Pillow, or 8-bit
    top = 255.0 if array.max(initial=0) <= 255 else 65535.0
    return np.clip(array.astype(np.float64) / top * 255.0, 0, 255).round().astype(np.uint8)


def _read_image(path, size, max_pixels):
    """Read one image file as a grey uint8 array of ``size`` (h, w) or its own."""
    from PIL import Image, ImageOps

    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(path)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise ValueError(f"refused as a decompression bomb ({exc})") from None
    with image:
        width, height = image.size
        if width * height > max_pixels:
            raise ValueError(
                f"refused as a decompression bomb: {width}x{height} = {width * height} "
                f"pixels, more than the limit of {max_pixels}"
            )
        image.load()
        if image.mode not in ("I;16", "I;16B", "I;16L", "I", "F"):
            image = ImageOps.exif_transpose(image)
        grey = _to_grey(image)
    if size is not None and grey.shape != size:
        grey = np.asarray(
            Image.fromarray(grey).resize((size[1], size[0]), Image.Resampling.BILINEAR)
        )
    return grey


def _subject_function(subject_pattern):
    """A function file name -> subject (or None), and whether misses are errors."""
    if subject_pattern is None:
        return None, False
    if callable(subject_pattern) and not isinstance(subject_pattern, re.Pattern):
        return subject_pattern, True
    if isinstance(subject_pattern, str) and subject_pattern.lower() in SUBJECT_PATTERNS:
        patterns, strict = [SUBJECT_PATTERNS[subject_pattern.lower()]], True
    elif isinstance(subject_pattern, str) and subject_pattern == "auto":
        patterns, strict = list(SUBJECT_PATTERNS.values()), False
    elif isinstance(subject_pattern, (str, re.Pattern)):
        try:
            patterns, strict = [re.compile(subject_pattern)], True
        except re.error as exc:
            raise ValueError(
                f"subject_pattern {subject_pattern!r} is not a valid regular expression: {exc}"
            ) from None
    else:
        raise ValueError(
            f"subject_pattern must be 'auto', 'ck+', 'jaffe', a regular expression, a "
            f"function of the file name, or None; got {subject_pattern!r}"
        )

    def subject(filename):
        for pattern in patterns:
            match = pattern.search(filename)
            if match:
                return match.group(1) if pattern.groups else match.group(0)
        return None

    return subject, strict


def load_image_folder(
    root,
    *,
    image_size=(48, 48),
    classes=None,
    errors="raise",
    subject_pattern="auto",
    max_pixels=MAX_IMAGE_PIXELS,
    return_X_y=False,
    crop_faces=False,
):
    """Load face images stored one sub-folder per class.

    The form in which CK+, JAFFE and most scraped data sets come:
    ``root/<class>/<image>``, images found at any depth below the class folder.
    PNG, JPEG, BMP, TIFF, GIF, PGM/PPM and WebP files are read (palette,
    16-bit and float images included), converted to grey and resized to
    ``image_size``. Class folder names are read through the shared expression
    vocabulary (``Anger`` and ``AN`` become ``angry``); other names are kept
    as written. Files with other endings and hidden files are ignored, and so
    are hidden and system folders (``__MACOSX/`` of a zip made on a Mac,
    ``@eaDir/``, ``$RECYCLE.BIN/``, ...; see :data:`SYSTEM_FOLDERS`) wherever
    they are. A class folder holding no image is ignored with a warning, and
    so is a class whose every image was skipped as unreadable.

    Parameters
    ----------
    root : str or path-like
        The folder holding one sub-folder per class.
    image_size : tuple of (int, int) or None, default=(48, 48)
        ``(height, width)`` every image is resized to (bilinear, anti-aliased).
        ``None`` keeps the sizes, which must then all agree.
    classes : list of str or dict, default=None
        Select and/or merge classes, as in :func:`load_fer2013`. Without it, the
        classes are the sub-folders, known expressions first in the order of
        :data:`~fer_features.datasets.EXPRESSIONS`, then others alphabetically.
    errors : {"raise", "warn", "skip"}, default="raise"
        What an unreadable image does: raise a ``ValueError`` naming it, or be
        skipped, with one warning giving the count and the first names
        (``"warn"``) or silently (``"skip"``). Skipped files are listed in
        the ``skipped`` field either way. A symbolic link to a missing file is
        an unreadable image.
    subject_pattern : "auto", "ck+", "jaffe", str, re.Pattern, callable or None, \
default="auto"
        How ``groups`` (the subject each image shows) is read from the file name
        (without its folder): a built-in pattern (CK+ ``S005_001_00000011.png`` ->
        ``S005``, JAFFE ``KA.AN1.39.tiff`` -> ``KA``), a regular expression (its
        first group, or the whole match, is the subject) or a function of the
        file name. A name it does not match is an error, except with ``"auto"``,
        which tries both built-in patterns and gives ``groups=None`` (with a
        warning when only some names match). ``None``: no groups.
    max_pixels : int, default=50_000_000
        Images with more pixels than this are refused as decompression bombs
        (before being decoded).
    return_X_y : bool, default=False
        Return ``(data, target)`` instead of a Bunch.
    crop_faces : bool, default=False
        Read photos rather than face crops: crop each image's largest face
        with FER2013's framing (:class:`~fer_features.faces.FaceCropper`,
        resized to ``image_size``, 48x48 when None); an image with no face
        found is centre-cropped and listed in the ``fallback`` field.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        With ``images`` (n, height, width) uint8, ``data`` (n, height * width)
        uint8, ``target`` (n,) int64, ``target_names`` (list of str),
        ``usage`` (None), ``groups`` ((n,) str array or None), ``filenames``
        ((n,) str array of paths), ``skipped`` (list of the paths skipped),
        ``ignored_folders`` (list of the paths of the sub-folders of ``root``
        not read as classes: hidden, system or without images) and ``DESCR``.
    (data, target) : tuple
        With ``return_X_y=True``.

    Raises
    ------
    ValueError
        If ``root`` holds no class folder or no image, an image cannot be read
        (``errors="raise"``), two folders name the same expression, or a file
        name does not match an explicit ``subject_pattern``.

    See Also
    --------
    load_dataset : one entry point for every data source.

    Examples
    --------
    >>> import numpy as np
    >>> from PIL import Image
    >>> from fer_features.datasets import load_image_folder
    >>> import tempfile
    >>> from pathlib import Path
    >>> root = Path(tempfile.mkdtemp())
    >>> for folder, subject in [("Happy", "KA"), ("Anger", "KA"), ("Anger", "YM")]:
    ...     (root / folder).mkdir(exist_ok=True)
    ...     code = "HA" if folder == "Happy" else "AN"
    ...     Image.new("L", (64, 64), 200).save(root / folder / f"{subject}.{code}1.39.png")
    >>> faces = load_image_folder(root)
    >>> faces.target_names, faces.target.tolist(), faces.groups.tolist()
    (['angry', 'happy'], [0, 0, 1], ['KA', 'YM', 'KA'])
    >>> faces.images.shape, int(faces.images.max())
    ((3, 48, 48), 200)
    """
    root_path = Path(root)
    if not root_path.is_dir():
        if not root_path.exists():
            raise FileNotFoundError(f"image folder {os.fspath(root)!r} does not exist")
        raise ValueError(
            f"{os.fspath(root)!r} is not a folder: load_image_folder expects a "
            f"folder holding one sub-folder of images per class"
        )
    if errors not in ("raise", "warn", "skip"):
        raise ValueError(f"errors must be 'raise', 'warn' or 'skip', got {errors!r}")
    if image_size is not None:
        try:
            size = tuple(image_size)
        except TypeError:
            size = ()
        if len(size) != 2 or not all(
            isinstance(s, Integral) and not isinstance(s, bool) and s > 0 for s in size
        ):
            raise ValueError(
                f"image_size must be a pair (height, width) of positive "
                f"integers or None, got {image_size!r}"
            )
        size = (int(size[0]), int(size[1]))
    else:
        size = None
    if not isinstance(max_pixels, Integral) or max_pixels < 1:
        raise ValueError(f"max_pixels must be a positive integer, got {max_pixels!r}")
    subject_of, strict = _subject_function(subject_pattern)

    subfolders = sorted(p for p in root_path.iterdir() if p.is_dir())
    folders = [p for p in subfolders if not _is_system(p.name)]
    ignored_folders = [os.fspath(p) for p in subfolders if _is_system(p.name)]
    if not folders:
        raise ValueError(
            f"{os.fspath(root)!r} has no class sub-folder: put the images of "
            f"each class in a sub-folder named after it (e.g. happy/, sad/)"
        )
    by_name = {}
    for folder in folders:
        name = _canonical_or_verbatim(folder.name)
        if name in by_name:
            raise ValueError(
                f"the folders {by_name[name].name!r} and {folder.name!r} of "
                f"{os.fspath(root)!r} both name the class {name!r}; merge them"
            )
        by_name[name] = folder
    order = {name: i for i, name in enumerate(EXPRESSIONS)}
    names = sorted(by_name, key=lambda n: (order.get(n, len(order)), n))

    files_of = {}
    for name in names:
        # image files, and links to missing files (unreadable images, reported)
        files_of[name] = [
            path
            for path in sorted(by_name[name].rglob("*"))
            if path.suffix.lower() in IMAGE_EXTENSIONS
            and (path.is_file() or (path.is_symlink() and not path.exists()))
            and not any(_is_system(part) for part in path.relative_to(root_path).parts)
        ]
    empty = [name for name in names if not files_of[name]]
    if empty and len(empty) < len(names):
        ignored_folders += [os.fspath(by_name[name]) for name in empty]
        warnings.warn(
            f"ignored {len(empty)} class folder(s) of {os.fspath(root)!r} holding "
            f"no image: {', '.join(by_name[name].name for name in empty)}",
            UserWarning,
            stacklevel=2,
        )
        names = [name for name in names if files_of[name]]
    ignored_folders.sort()
    files, codes = [], []
    for code, name in enumerate(names):
        files += files_of[name]
        codes += [code] * len(files_of[name])
    codes = np.asarray(codes, dtype=np.int64)
    keep, target, names = select_classes(codes, names, classes)
    files = [f for f, k in zip(files, keep) if k]
    if not files:
        raise ValueError(
            f"no image found under {os.fspath(root)!r} (files ending in "
            f"{', '.join(IMAGE_EXTENSIONS)})"
        )

    images, kept, skipped, fallback = [], [], [], []
    if crop_faces:  # faces/ sits above datasets/: imported only when asked for
        from ..faces import FaceCropper

        cropper = FaceCropper(size=size or (48, 48)).fit()
    for i, path in enumerate(files):
        try:
            if path.is_symlink() and not path.exists():
                raise ValueError(f"a symbolic link to the missing file {os.readlink(path)!r}")
            grey = _read_image(path, None if crop_faces else size, max_pixels)
            if crop_faces:
                grey = cropper.transform([grey]).reshape(cropper.output_shape_)
                if cropper.fallback_.size:
                    fallback.append(os.fspath(path))
        except Exception as exc:  # Pillow raises many kinds on broken files
            reason = str(exc) or type(exc).__name__
            if errors == "raise":
                raise ValueError(f"cannot read image {os.fspath(path)!r}: {reason}") from exc
            skipped.append(os.fspath(path))
            continue
        if size is None and images and grey.shape != images[0].shape:
            raise ValueError(
                f"image {os.fspath(path)!r} is {grey.shape[1]}x{grey.shape[0]} while "
                f"{os.fspath(files[kept[0]])!r} is {images[0].shape[1]}x"
                f"{images[0].shape[0]}; pass image_size=(height, width) to resize them"
            )
        images.append(grey)
        kept.append(i)
    if skipped and errors == "warn":
        shown = ", ".join(os.path.basename(s) for s in skipped[:3])
        more = "" if len(skipped) <= 3 else f" and {len(skipped) - 3} more"
        warnings.warn(
            f"skipped {len(skipped)} unreadable image(s) of {len(files)} under "
            f"{os.fspath(root)!r}: {shown}{more}",
            UserWarning,
            stacklevel=2,
        )
    if not images:
        raise ValueError(f"none of the {len(files)} images under {os.fspath(root)!r} could be read")
    images = np.stack(images)
    target = target[kept]
    lost = [name for code, name in enumerate(names) if not np.any(target == code)]
    if lost:  # every image of these classes was skipped: drop the classes
        warnings.warn(
            f"no image of the class(es) {', '.join(map(repr, lost))} could be "
            f"read: the class(es) are left out",
            UserWarning,
            stacklevel=2,
        )
        present = [code for code, name in enumerate(names) if name not in lost]
        renumber = np.full(len(names), -1, dtype=np.int64)
        renumber[present] = np.arange(len(present))
        target = renumber[target]
        names = [names[code] for code in present]
    filenames = np.asarray([os.fspath(files[i]) for i in kept], dtype=str)
    data = images.reshape(images.shape[0], -1)
    if return_X_y:
        return data, target

    groups = None
    if subject_of is not None:
        subjects = [subject_of(os.path.basename(f)) for f in filenames]
        missing = [f for f, s in zip(filenames, subjects) if s is None]
        if strict and missing:
            raise ValueError(
                f"subject_pattern={subject_pattern!r} finds no subject in the "
                f"file name {os.path.basename(missing[0])!r} "
                f"({len(missing)} of {len(filenames)} names do not match)"
            )
        if not missing:
            groups = np.asarray([str(s) for s in subjects], dtype=str)
        elif len(missing) < len(filenames):
            warnings.warn(
                f"{len(filenames) - len(missing)} of {len(filenames)} file names match the "
                f"CK+ or JAFFE naming but {os.path.basename(missing[0])!r} does not; groups "
                f"is None (pass subject_pattern= to read the subjects)",
                UserWarning,
                stacklevel=2,
            )
    descr = (
        f"Face images read from the folder {root_path.name!r}: {len(images)} grey "
        f"{images.shape[1]}x{images.shape[2]} images"
        + (f" of {len(np.unique(groups))} subjects" if groups is not None else "")
        + (f", {len(skipped)} unreadable file(s) skipped" if skipped else "")
        + (
            f", {len(ignored_folders)} sub-folder(s) ignored ("
            f"{', '.join(os.path.basename(f) for f in ignored_folders)})"
            if ignored_folders
            else ""
        )
        + ".\n\n"
        + summarize_targets(target, names)
    )
    bunch = Bunch(
        images=images,
        data=data,
        target=target,
        target_names=names,
        usage=None,
        groups=groups,
        filenames=filenames,
        skipped=skipped,
        ignored_folders=ignored_folders,
        DESCR=descr,
    )
    if crop_faces:
        bunch.fallback = fallback  # the paths of images centre-cropped, no face found
    return bunch
