"""Loader of the FER2013 CSV file and its common variants."""

import csv
import gzip
import os
import re
import zlib
from collections.abc import Iterable

import numpy as np
from sklearn.utils import Bunch

from ._base import select_classes, summarize_targets
from ._vocabulary import EXPRESSIONS

__all__ = ["load_fer2013", "FER2013_USAGES"]

#: The values of FER2013's ``Usage`` column.
FER2013_USAGES = ("Training", "PublicTest", "PrivateTest")

_SIDE = 48
_N_PIXELS = _SIDE * _SIDE
_NAMES = list(EXPRESSIONS[:7])
_CHUNK = 128  # rows per bulk conversion: ~1 MB, so that its ~20 passes stay in cache
# the longest pixel field the bulk conversion takes: 2304 values of 3 digits and
# single spaces; longer ones (extra spaces, leading zeros, or garbage) go row by row
_MAX_BULK_FIELD = 4 * _N_PIXELS - 1
_READ_BLOCK = 1 << 20  # bytes read at a time when splitting lines
_TOKEN = re.compile(r"\S+")
_MAX_USAGE_CHARS = 100  # a longer Usage value is a defect, not a split name

# accepted header spellings (compared stripped and lower-cased)
_COLUMN_ALIASES = {
    "emotion": ("emotion", "emotions", "label", "labels", "target", "expression", "class"),
    "pixels": ("pixels", "pixel", "image", "img"),
    "usage": ("usage", "split", "set"),
}


def _open_binary(path):
    """Open a file for binary reading, decompressing it when it is gzip (by content)."""
    with open(path, "rb") as f:
        magic = f.read(2)
    if magic == b"\x1f\x8b":
        return gzip.open(path, "rb")
    return open(path, "rb")


def _lines(f):
    """The lines of a binary file, without their ends, whatever those are.

    Lines end with ``\\n``, ``\\r\\n`` or a lone ``\\r`` (old Mac files). The
    file is read a block at a time, so memory stays proportional to the longest
    line, not to the file.
    """
    parts, skip_lf = [], False
    while True:
        block = f.read(_READ_BLOCK)
        if not block:
            break
        if skip_lf and block.startswith(b"\n"):  # a \r\n cut between two blocks
            block = block[1:]
        skip_lf = False
        for piece in block.splitlines(keepends=True):
            # skip_lf: this piece ends with a lone \r, which a \n may follow
            skip_lf = piece.endswith(b"\r")
            if piece.endswith(b"\r\n"):
                parts.append(piece[:-2])
            elif piece.endswith((b"\n", b"\r")):
                parts.append(piece[:-1])
            else:  # the end of the block cuts this line
                parts.append(piece)
                continue
            yield b"".join(parts) if len(parts) > 1 else parts[0]
            parts = []
    if parts:
        yield b"".join(parts)


def _shown(value, limit=40):
    """``repr`` of a value read from the file, cut after ``limit`` characters."""
    size = len(value)
    if isinstance(value, bytes):
        value = value[:limit].decode("utf-8", "replace")
    if size > limit:
        return f"{value[:limit]!r}... ({size} characters)"
    return repr(value)


def _check_usage_arg(usage):
    if usage is None:
        return None
    if isinstance(usage, str):
        values = [usage]
    elif isinstance(usage, Iterable) and not isinstance(usage, (bytes, dict)):
        values = list(usage)
    else:
        raise ValueError(
            f"usage must be a Usage value such as 'Training', a list of them, or None; "
            f"got {usage!r}"
        )
    if not values:
        raise ValueError("usage is empty: give a Usage value such as 'Training', or None")
    canonical = {u.lower(): u for u in FER2013_USAGES}
    out = []
    for value in values:
        if not isinstance(value, str) or value.strip().lower() not in canonical:
            raise ValueError(
                f"unknown usage {value!r}; FER2013's Usage values are {', '.join(FER2013_USAGES)}"
            )
        out.append(canonical[value.strip().lower()])
    return set(out)


def _row_values(name, rowno, pixels):
    """The 2304 values of one row of pixels (a str) as ints.

    Raises the ``ValueError`` naming the row and its first problem. The values
    are counted before they are split, so a huge row costs no more memory than
    its text.
    """
    count = sum(1 for _ in _TOKEN.finditer(pixels))
    if count != _N_PIXELS:
        raise ValueError(f"{name}, row {rowno}: {count} pixel values, expected {_N_PIXELS}")
    values = []
    for position, token in enumerate(pixels.split(), start=1):
        if not token.isascii() or not token.isdigit():
            raise ValueError(
                f"{name}, row {rowno}: pixel value {_shown(token)} at position "
                f"{position} is not an integer in 0..255"
            )
        digits = token.lstrip("0") or "0"
        if len(digits) > 3 or int(digits) > 255:
            shown = token if len(token) <= 40 else _shown(token)
            raise ValueError(
                f"{name}, row {rowno}: pixel value {shown} at position "
                f"{position} is out of range 0..255"
            )
        values.append(int(digits))
    return values


def _parse_pixels_reference(name, rownos, fields):
    """Row-by-row conversion of pixel strings: the reference for the bulk one.

    Accepts any whitespace between values and leading zeros; raises the
    ``ValueError`` of the first bad row.
    """
    out = np.empty((len(fields), _N_PIXELS), dtype=np.uint8)
    for i, (rowno, field) in enumerate(zip(rownos, fields)):
        text = field.decode("utf-8", "replace") if isinstance(field, bytes) else field
        out[i] = _row_values(name, rowno, text)
    return out


def _parse_pixels(name, rownos, fields):
    """Convert pixel strings (bytes) to a ``(n, 2304)`` uint8 array, in bulk.

    The bytes of all rows are parsed at once with whole-array operations: a
    value is read at the last digit of each number from that digit and the two
    before it. Anything unexpected (a wrong count, characters other than digits
    and spaces, a number of 4 digits or more, a value above 255, a row longer
    than 2304 three-digit values and single spaces) sends the block
    to :func:`_parse_pixels_reference`, which accepts the valid variants and
    names the first bad row.
    """
    n = len(fields)
    if any(len(field) > _MAX_BULK_FIELD for field in fields):
        return _parse_pixels_reference(name, rownos, fields)
    n_tokens = n * _N_PIXELS
    buf = np.frombuffer(b" ".join(fields), dtype=np.uint8)
    digits = buf - np.uint8(48)  # a space wraps around to 240
    is_digit = digits < 10
    if buf.size < 4 or np.count_nonzero(is_digit) + np.count_nonzero(buf == 32) != buf.size:
        return _parse_pixels_reference(name, rownos, fields)
    last = is_digit.copy()  # the last digit of each number
    last[:-1] &= ~is_digit[1:]
    ends = np.flatnonzero(last)
    if ends.size != n_tokens:
        return _parse_pixels_reference(name, rownos, fields)
    # each row must hold exactly 2304 numbers: the space joining row i to row
    # i + 1 must fall between number 2304 * (i + 1) - 1 and the next one
    if n > 1:
        joins = np.cumsum([len(f) for f in fields[:-1]], dtype=np.int64) + np.arange(n - 1)
        cut = np.arange(1, n) * _N_PIXELS
        if not (np.all(ends[cut - 1] < joins) and np.all(ends[cut] > joins)):
            return _parse_pixels_reference(name, rownos, fields)
    if np.any(is_digit[3:] & is_digit[2:-1] & is_digit[1:-2] & is_digit[:-3]):
        return _parse_pixels_reference(name, rownos, fields)  # 4 digits or more
    # digit values (spaces read as 0) in uint16 *arrays*: under NumPy 1.x a uint16
    # scalar times a uint8 array stays uint8, so 100 * 3 wrapped to 44 and 300 was
    # read as 44 instead of being refused
    d = (digits * is_digit).astype(np.uint16)
    value = d.copy()
    value[1:] += 10 * d[:-1]
    value[2:] += 100 * (d[:-2] * is_digit[1:-1])  # only in 3-digit numbers
    values = value[ends]
    if values.max() > 255:
        return _parse_pixels_reference(name, rownos, fields)
    return values.astype(np.uint8).reshape(n, _N_PIXELS)


def _split_line(line):
    """Split one CSV line (bytes) into fields (bytes); quoted lines go through csv."""
    if b'"' not in line:
        return line.split(b",")
    row = next(csv.reader([line.decode("utf-8")]), [])
    return [field.encode("utf-8") for field in row]


def _find_columns(name, header):
    cleaned = [h.strip().lower() for h in header]
    found = {}
    for key, aliases in _COLUMN_ALIASES.items():
        for i, h in enumerate(cleaned):
            if h in aliases:
                found[key] = i
                break
    for key in ("emotion", "pixels"):
        if key not in found:
            shown = ",".join(header)
            if len(shown) > 60:
                shown = shown[:57] + "..."
            raise ValueError(
                f"{name} has no {key!r} column: its first line is {shown!r}, expected a "
                f"header naming the columns emotion and pixels (and optionally Usage), "
                f"e.g. 'emotion,pixels,Usage'"
            )
    return found


def load_fer2013(path, *, usage=None, classes=None, return_X_y=False):
    """Load the FER2013 facial expression data set from its CSV file.

    Reads the file as users download it: a header ``emotion,pixels,Usage`` then
    one row per 48x48 grey image, ``pixels`` holding 2304 space-separated values
    in 0..255 (row-major), ``emotion`` a code 0..6 (angry, disgust, fear, happy,
    sad, surprise, neutral). Plain or gzip-compressed, lines ending with LF,
    CRLF or a lone CR (old Mac files); the header may name the
    columns in another order or with spaces (``icml_face_data.csv``:
    ``emotion, Usage, pixels``) and may lack ``Usage`` (Kaggle's ``train.csv``).
    The pixel strings are converted in bulk, a chunk of rows per call, so the
    whole 35,887-row file loads in seconds.

    Parameters
    ----------
    path : str or path-like
        The CSV file (``.csv`` or ``.csv.gz``; compression is detected from the
        content).
    usage : str or list of str, default=None
        Keep only the rows with this ``Usage`` (``"Training"``, ``"PublicTest"``,
        ``"PrivateTest"``) or any of these. ``None`` keeps all rows.
    classes : list of str or dict, default=None
        Select and/or merge classes; targets are then renumbered in the order
        given. A list of names (any synonyms, e.g. ``["happy", "sad",
        "surprise", "neutral"]``) keeps those classes. A mapping from new names
        to lists of old ones merges, e.g. ``{"happy": ["happy"], "other":
        ["angry", "disgust", "fear", "sad", "surprise", "neutral"]}``.
    return_X_y : bool, default=False
        Return ``(data, target)`` instead of a Bunch.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        With fields

        - ``images``: ndarray of shape (n, 48, 48), uint8;
        - ``data``: ndarray of shape (n, 2304), uint8, the images flattened;
        - ``target``: ndarray of shape (n,), int64, the codes of the file
          (0..6), or codes into the ``classes`` given;
        - ``target_names``: list of canonical names (see
          :data:`~fer_features.datasets.EXPRESSIONS`);
        - ``usage``: ndarray of shape (n,), str, the ``Usage`` of each row,
          or None when the file has no such column;
        - ``groups``: None (FER2013 does not say who each face is);
        - ``DESCR``: a description with the class counts.
    (data, target) : tuple
        With ``return_X_y=True``.

    Raises
    ------
    ValueError
        Naming the row (data rows counted from 1 after the header) and the
        problem: a wrong number of pixel values or fields, a value that is not
        an integer in 0..255, an unknown label; or a missing column, an empty
        file, no rows left after filtering; a ``usage`` that is neither a
        string nor a list of them; a folder given as ``path``. Values quoted
        from the file are cut to 40 characters. Nothing is returned
        half-loaded, and a bad file, however long its lines, costs memory of a
        few times its longest line.
    FileNotFoundError
        If ``path`` does not exist.

    See Also
    --------
    load_dataset : one entry point for every data source.
    load_image_folder : load a folder of images, one sub-folder per class.

    Examples
    --------
    >>> import numpy as np
    >>> from fer_features.datasets import load_fer2013
    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "mini.csv")
    >>> row = " ".join(["128"] * 2304)
    >>> with open(path, "w") as f:
    ...     _ = f.write(f"emotion,pixels,Usage\\n3,{row},Training\\n6,{row},PublicTest\\n")
    >>> faces = load_fer2013(path)
    >>> faces.images.shape, faces.target.tolist(), faces.usage.tolist()
    ((2, 48, 48), [3, 6], ['Training', 'PublicTest'])
    >>> faces.target_names
    ['angry', 'disgust', 'fear', 'happy', 'sad', 'surprise', 'neutral']
    >>> X, y = load_fer2013(path, classes=["neutral", "happy"], return_X_y=True)
    >>> X.shape, y.tolist()
    ((2, 2304), [1, 0])
    """
    path = os.fspath(path)
    name = os.path.basename(path)
    if os.path.isdir(path):
        raise ValueError(
            f"{path!r} is a folder, not a FER2013 CSV file: give the path of "
            f"the CSV (e.g. fer2013.csv), or load a folder of images with "
            f"load_image_folder"
        )
    if not os.path.exists(path):
        raise FileNotFoundError(f"FER2013 CSV file {path!r} does not exist")
    wanted_usage = _check_usage_arg(usage)
    class_keep, class_code, names = select_classes(np.arange(len(_NAMES)), _NAMES, classes)
    code_table = np.full(len(_NAMES), -1, dtype=np.int64)
    code_table[class_keep] = class_code

    label_table = {str(i).encode(): i for i in range(len(_NAMES))}
    targets, usages, blocks = [], [], []
    pix_fields, pix_rows = [], []
    usage_names = {}  # bytes -> str, the few Usage values met
    n_data_rows = 0
    try:
        with _open_binary(path) as f:
            header, lineno = None, 0
            lines = _lines(f)
            for line in lines:
                lineno += 1
                if lineno == 1 and line.startswith(b"\xef\xbb\xbf"):
                    line = line[3:]
                if line.strip():
                    header = [h.decode("utf-8") for h in _split_line(line)]
                    break
            if header is None:
                raise ValueError(
                    f"{name} is empty: expected a header line 'emotion,pixels,Usage' "
                    f"followed by one row per image"
                )
            columns = _find_columns(name, header)
            n_fields = len(header)
            ie, ip = columns["emotion"], columns["pixels"]
            iu = columns.get("usage")
            if wanted_usage is not None and iu is None:
                raise ValueError(
                    f"{name} has no Usage column, so usage={usage!r} cannot select "
                    f"rows; pass usage=None"
                )
            header_line = lineno
            for line in lines:
                lineno += 1
                if not line.strip():
                    continue  # blank line
                rowno = lineno - header_line
                n_data_rows += 1
                # count the fields before splitting: a line of a million commas
                # must not become a million objects (quotes only merge fields)
                n_commas = line.count(b",")
                if n_commas + 1 < n_fields or (n_commas + 1 > n_fields and b'"' not in line):
                    row = None
                else:
                    row = _split_line(line)
                del line
                if row is None or len(row) != n_fields:
                    found = n_commas + 1 if row is None else len(row)
                    raise ValueError(
                        f"{name}, row {rowno}: {found} fields, expected {n_fields} "
                        f"({','.join(h.strip() for h in header)})"
                    )
                label = label_table.get(row[ie].strip())
                if label is None:
                    raise ValueError(
                        f"{name}, row {rowno}: unknown emotion label "
                        f"{_shown(row[ie])}, expected an integer "
                        f"0..6 ({', '.join(f'{i}={n}' for i, n in enumerate(_NAMES))})"
                    )
                if iu is not None:
                    raw = row[iu]
                    row_usage = usage_names.get(raw)
                    if row_usage is None:
                        if len(raw.strip()) > _MAX_USAGE_CHARS:
                            raise ValueError(
                                f"{name}, row {rowno}: Usage value {_shown(raw.strip())} is "
                                f"not a split name; expected {', '.join(FER2013_USAGES)}"
                            )
                        row_usage = usage_names[raw] = raw.decode("utf-8").strip()
                else:
                    row_usage = ""
                if wanted_usage is not None and row_usage not in wanted_usage:
                    continue
                code = code_table[label]
                if code < 0:
                    continue
                targets.append(code)
                usages.append(row_usage)
                pix_fields.append(row[ip].strip())
                pix_rows.append(rowno)
                if len(pix_fields) == _CHUNK:
                    blocks.append(_parse_pixels(name, pix_rows, pix_fields))
                    pix_fields, pix_rows = [], []
    except UnicodeDecodeError as exc:
        raise ValueError(f"{name} is not a text CSV file ({exc})") from None
    except (EOFError, gzip.BadGzipFile, zlib.error) as exc:
        raise ValueError(f"{name} could not be decompressed: {exc}") from None
    except csv.Error as exc:
        raise ValueError(f"{name} is not a valid CSV file: {exc}") from None
    if pix_fields:
        blocks.append(_parse_pixels(name, pix_rows, pix_fields))
    seen_usages = set(usage_names.values())

    if n_data_rows == 0:
        raise ValueError(f"{name} has a header but no data rows")
    if not targets:
        what = []
        if wanted_usage is not None:
            what.append(f"usage={usage!r} (the file has {', '.join(sorted(seen_usages))})")
        if classes is not None:
            what.append(f"classes={classes!r}")
        raise ValueError(f"no row of {name} is left after selecting {' and '.join(what)}")

    data = np.concatenate(blocks) if len(blocks) > 1 else blocks[0]
    target = np.asarray(targets, dtype=np.int64)
    usage_arr = np.asarray(usages, dtype=str) if iu is not None else None
    if return_X_y:
        return data, target
    selection = []
    if wanted_usage is not None:
        selection.append(f"usage {', '.join(sorted(wanted_usage))}")
    if classes is not None:
        selection.append(f"classes {classes!r}")
    descr = (
        f"FER2013 facial expressions read from {name}"
        + (f" ({'; '.join(selection)})" if selection else "")
        + f": {target.shape[0]} grey 48x48 faces.\n\n"
        + summarize_targets(target, names, usage_arr)
        + "\n\nGoodfellow et al., Challenges in Representation Learning: A report on "
        "three machine learning contests, ICONIP 2013. Research use only."
    )
    return Bunch(
        images=data.reshape(-1, _SIDE, _SIDE),
        data=data,
        target=target,
        target_names=names,
        usage=usage_arr,
        groups=None,
        DESCR=descr,
    )
