"""Property-based tests: random malformed input fails with a documented error.

For the loaders (random CSV rows and fields for ``load_fer2013``, random bytes as
image files for ``load_image_folder``) and every image transformer (random
shapes, dtypes, constant images, NaN and inf, tiny and huge values), each call
either succeeds with a well-formed result (the right shape, finite values) or
raises a ``ValueError`` (or a subclass) whose message names the problem; never
another exception, a hang or a silently wrong result.

The number of examples comes from the hypothesis profile (``tests/conftest.py``):
``ci`` (the default: few, derandomised, with a deadline) or ``long``
(``HYPOTHESIS_PROFILE=long``, many more).
"""

import gzip
import io
import warnings

import numpy as np
import pytest

hypothesis = pytest.importorskip("hypothesis")

from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from hypothesis.extra import numpy as hnp  # noqa: E402

from fer_features.datasets import load_fer2013, load_image_folder  # noqa: E402
from fer_features.features import (  # noqa: E402
    DenseSIFTWords,
    EigenfaceTransformer,
    HellingerTransformer,
    HOGTransformer,
    LBPTransformer,
    LGBPTransformer,
)
from fer_features.preprocessing import (  # noqa: E402
    CenterCrop,
    HistogramEqualizer,
    ImageResizer,
    ImageStandardizer,
)

N_PIXELS = 48 * 48


def _check_message(exc):
    message = str(exc)
    assert len(message) > 10, f"{type(exc).__name__} with no useful message: {message!r}"
    return message


# ---------------------------------------------------------------- load_fer2013
def _valid_pixels(seed):
    values = np.random.default_rng(seed).integers(0, 256, N_PIXELS)
    return " ".join(map(str, values))


@st.composite
def pixel_fields(draw):
    seed = draw(st.integers(0, 2**16))
    kind = draw(st.sampled_from(["valid", "count", "token", "range", "empty", "text", "spaces"]))
    values = np.random.default_rng(seed).integers(0, 256, N_PIXELS).astype(object)
    if kind == "valid":
        return _valid_pixels(seed)
    if kind == "count":
        delta = draw(st.integers(-5, 5).filter(bool))
        values = values[:delta] if delta < 0 else np.concatenate([values, values[:delta]])
    elif kind == "token":
        values[draw(st.integers(0, N_PIXELS - 1))] = draw(
            st.text(alphabet=st.characters(blacklist_characters=',"\r\n '), min_size=1)
        )
    elif kind == "range":
        values[draw(st.integers(0, N_PIXELS - 1))] = draw(
            st.sampled_from(["256", "-1", "1.5", "nan", "inf", "1e3", "0x10", "99999999999"])
        )
    elif kind == "empty":
        return ""
    elif kind == "text":
        return draw(st.text(alphabet=st.characters(blacklist_characters='"\r\n'), max_size=30))
    else:
        return "  ".join(map(str, values)) + "   "
    return " ".join(map(str, values))


emotion_fields = st.one_of(
    st.integers(0, 6).map(str),
    st.sampled_from(["7", "-1", "", " 3 ", "03", "3.0", "happy", "1e0", "٣"]),
    st.text(alphabet=st.characters(blacklist_characters='",\r\n'), max_size=8),
)
usage_fields = st.one_of(
    st.sampled_from(["Training", "PublicTest", "PrivateTest", "", "training", " Training "]),
    st.text(alphabet=st.characters(blacklist_characters='",\r\n'), max_size=12),
)


@st.composite
def fer2013_files(draw):
    header = draw(
        st.sampled_from(["emotion,pixels,Usage", "emotion, Usage, pixels", "emotion,pixels"])
    )
    columns = [c.strip() for c in header.split(",")]
    rows = draw(
        st.lists(
            st.fixed_dictionaries(
                {"emotion": emotion_fields, "pixels": pixel_fields(), "Usage": usage_fields}
            ),
            min_size=0,
            max_size=4,
        )
    )
    lines = [header]
    for row in rows:
        fields = [row[c] for c in columns]
        if draw(st.booleans()) and draw(st.booleans()):  # a field too many or too few
            fields = fields[:-1] if draw(st.booleans()) else fields + ["extra"]
        lines.append(",".join(fields))
    ending = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    text = ending.join(lines) + draw(st.sampled_from(["", ending]))
    data = text.encode("utf-8")
    if draw(st.booleans()):
        data = gzip.compress(data)
    return data, len(rows)


@given(fer2013_files())
def test_load_fer2013_random_rows(tmp_path_factory, file):
    data, n_rows = file
    path = tmp_path_factory.mktemp("fer") / "fer2013.csv"
    path.write_bytes(data)
    try:
        bunch = load_fer2013(path)
    except ValueError as exc:
        _check_message(exc)
        return
    assert bunch.data.shape == (n_rows, N_PIXELS)
    assert bunch.data.dtype == np.uint8
    assert bunch.target.shape == (n_rows,)
    assert set(bunch.target.tolist()) <= set(range(7))


@given(st.binary(max_size=300), st.booleans())
def test_load_fer2013_random_bytes(tmp_path_factory, data, compress):
    path = tmp_path_factory.mktemp("fer") / "fer2013.csv"
    path.write_bytes(gzip.compress(data) if compress else data)
    with pytest.raises(ValueError) as info:
        load_fer2013(path)
    _check_message(info.value)


# ----------------------------------------------------------- load_image_folder
def _png(seed, size=(6, 5)):
    from PIL import Image

    pixels = np.random.default_rng(seed).integers(0, 256, size, dtype=np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="PNG")
    return buffer.getvalue()


@st.composite
def broken_images(draw):
    """Random bytes, or a valid PNG truncated or with a few bytes changed."""
    if draw(st.booleans()):
        return draw(st.binary(max_size=200))
    data = bytearray(_png(draw(st.integers(0, 100))))
    if draw(st.booleans()):
        return bytes(data[: draw(st.integers(0, len(data) - 1))])
    for _ in range(draw(st.integers(1, 4))):
        data[draw(st.integers(0, len(data) - 1))] = draw(st.integers(0, 255))
    return bytes(data)


@given(broken_images(), st.sampled_from([".png", ".jpg", ".pgm", ".gif", ".tiff"]))
def test_load_image_folder_random_bytes(tmp_path_factory, data, suffix):
    root = tmp_path_factory.mktemp("faces")
    for label in ("happy", "sad"):
        (root / label).mkdir()
        (root / label / "good.png").write_bytes(_png(len(label)))
    (root / "happy" / f"broken{suffix}").write_bytes(data)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            bunch = load_image_folder(root, image_size=(8, 8), subject_pattern=None)
        except ValueError as exc:
            assert "broken" in _check_message(exc)  # names the file
        else:  # the bytes happened to be a readable image
            assert bunch.data.shape == (3, 64)
        skipped = load_image_folder(root, image_size=(8, 8), subject_pattern=None, errors="skip")
    n_read = len(skipped.data)
    assert n_read in (2, 3)
    assert skipped.data.shape == (n_read, 64)
    assert np.isfinite(skipped.data).all()
    assert len(skipped.skipped) == 3 - n_read


# ---------------------------------------------------------------- transformers
TRANSFORMERS = [
    lambda: LBPTransformer(grid_shape=(2, 2)),
    lambda: LBPTransformer(P=4, R=1.5, method="ror", grid_shape=(1, 1), normalize="l2"),
    lambda: HOGTransformer(pixels_per_cell=(2, 2), cells_per_block=(1, 1)),
    lambda: HOGTransformer(pixels_per_cell=(2, 2), cells_per_block=(2, 2), block_norm="L1"),
    lambda: LGBPTransformer(grid_shape=(1, 1), n_orientations=2, frequencies=(0.25,)),
    lambda: EigenfaceTransformer(n_components=2),
    lambda: ImageStandardizer(),
    lambda: HistogramEqualizer(),
    lambda: HistogramEqualizer(method="clahe"),
    lambda: ImageResizer(size=(3, 5)),
    lambda: CenterCrop(size=0.5),
]
IDS = [
    "lbp",
    "lbp-ror",
    "hog",
    "hog-l1",
    "lgbp",
    "eigenfaces",
    "standardizer",
    "equalizer",
    "clahe",
    "resizer",
    "crop",
]

DTYPES = [np.uint8, np.int16, np.int32, np.int64, np.float32, np.float64, np.bool_, np.float16]
SPECIAL = [0.0, -0.0, 1.0, -1.0, 255.0, np.nan, np.inf, -np.inf, 1e-300, 1e300, -1e300, 3e38]


@st.composite
def image_batches(draw):
    n = draw(st.integers(0, 4))
    h, w = draw(st.integers(1, 9)), draw(st.integers(1, 9))
    dtype = np.dtype(draw(st.sampled_from(DTYPES)))
    kind = draw(st.sampled_from(["random", "constant", "special", "extremes"]))
    if kind == "extremes":  # the dtype's largest and smallest values, and zero
        if dtype.kind == "b":
            values = [False, True]
        else:
            info = np.finfo(dtype) if dtype.kind == "f" else np.iinfo(dtype)
            values = [info.max, info.min, 0]
        X = draw(hnp.arrays(dtype, (n, h * w), elements=st.sampled_from(values)))
    elif kind == "constant":
        value = draw(hnp.from_dtype(dtype, allow_nan=False, allow_infinity=False))
        X = np.full((n, h * w), value, dtype=dtype)
    else:
        X = draw(hnp.arrays(dtype, (n, h * w), elements=hnp.from_dtype(dtype)))
        if kind == "special" and dtype.kind == "f" and X.size:
            with np.errstate(over="ignore"):
                X.flat[draw(st.integers(0, X.size - 1))] = draw(st.sampled_from(SPECIAL))
    return X, (h, w)


@pytest.mark.parametrize("make", TRANSFORMERS, ids=IDS)
@given(batch=image_batches(), three_d=st.booleans())
def test_transformers_random_images(make, batch, three_d):
    X, (h, w) = batch
    if three_d:
        X = X.reshape(len(X), h, w)
        transformer = make()
    else:
        transformer = make().set_params(image_shape=(h, w))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            out = transformer.fit(X).transform(X)
        except ValueError as exc:
            _check_message(exc)
            return
    out = np.asarray(out)
    assert out.shape == (len(X), len(transformer.get_feature_names_out()))
    assert np.isfinite(out).all(), f"non-finite output for input {X!r}"


@given(batch=image_batches())
def test_dense_sift_words_random_images(batch):
    X, (h, w) = batch
    words = DenseSIFTWords(
        bin_sizes=(1, 2), branching=2, pyramid_levels=(1, 2), image_shape=(h, w), random_state=0
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            out = words.fit(X).transform(X)
        except ValueError as exc:
            _check_message(exc)
            return
    assert out.shape == (len(X), words.n_features_out_)
    assert np.isfinite(out.data).all(), f"non-finite output for input {X!r}"


@given(
    hnp.arrays(
        np.float64,
        hnp.array_shapes(min_dims=2, max_dims=2, max_side=5),
        elements=st.floats(allow_nan=True, allow_infinity=True),
    )
)
def test_hellinger_random_features(X):
    try:
        out = HellingerTransformer().fit(X).transform(X)
    except ValueError as exc:
        _check_message(exc)
        return
    assert out.shape == X.shape
    assert np.isfinite(out).all(), f"non-finite output for input {X!r}"


@pytest.mark.parametrize(
    "transformer",
    [HOGTransformer(pixels_per_cell=(2, 2)), ImageStandardizer(), ImageResizer(size=(3, 3))],
    ids=["hog", "standardizer", "resizer"],
)
def test_overflow_names_the_row(transformer):
    """Found by the fuzz tests: pixel values near the float64 limit overflowed
    silently into NaN features."""
    X = np.zeros((2, 36))
    X[1, :18], X[1, 18:] = np.finfo(np.float64).max, np.finfo(np.float64).min  # top, bottom
    transformer.set_params(image_shape=(6, 6)).fit(X[:1])
    message = r"overflowed: the pixel values of row 1 \(largest magnitude 1\.8e\+308\)"
    with pytest.raises(ValueError, match=message):
        transformer.transform(X)
