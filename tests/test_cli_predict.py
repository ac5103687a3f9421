"""`fer-features predict`, end to end in a temporary folder.

The photo is composed: a real FER2013 face, upscaled, pasted on a brick wall;
the video is written here (the astronaut's face moving across a wall). The
model is a small HOG + logistic regression fitted on real FER2013 faces and
written with save_model.
"""

import json
import zipfile

import numpy as np
import pandas as pd
import pytest
from _media import write_video
from PIL import Image
from skimage import data

from fer_features.cli import main
from fer_features.faces import (
    FER2013_FRAMING,
    ExpressionRecognizer,
    FaceDetector,
    box_iou,
    crop_face,
    input_kind,
    predict_file,
)
from fer_features.models import load_model, save_model

pytestmark = pytest.mark.fer2013

NAMES = ["angry", "disgust", "fear", "happy", "sad", "surprise", "neutral"]


@pytest.fixture(autouse=True)
def _one_thread():
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):
        yield


def _background(seed, height=480, width=640):
    """A face-less textured photo: a brick wall lit unevenly, with noise."""
    rng = np.random.default_rng(seed)
    wall = np.asarray(Image.fromarray(data.brick()).resize((width, height)), dtype=float)
    light = np.linspace(0.6, 1.0, width)[None, :]
    noisy = wall * light + rng.normal(0, 6, size=(height, width))
    return np.clip(noisy, 0, 255).astype(np.uint8)


def _expected_face_box(x, y, side):
    """The detector box that FER2013's framing puts in a FER2013 face pasted at (x, y)."""
    scale, shift_x, shift_y = FER2013_FRAMING
    w = side / scale
    cx, cy = x + side / 2 - shift_x * w, y + side / 2 - shift_y * w
    return (cx - w / 2, cy - w / 2, w, w)


@pytest.fixture(scope="module")
def model_path(fer2013_small, tmp_path_factory):
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from fer_features import HOGTransformer

    train = fer2013_small.usage == "Training"
    model = make_pipeline(HOGTransformer(), StandardScaler(), LogisticRegression(max_iter=300))
    model.fit(fer2013_small.data[train], fer2013_small.target[train])
    return save_model(model, tmp_path_factory.mktemp("model") / "hog.skops")


@pytest.fixture(scope="module")
def photo(fer2013_small, tmp_path_factory):
    """A 640x480 wall with one real FER2013 face (one the detector finds) at 200 px."""
    detector = FaceDetector().fit()
    faces = fer2013_small.images[fer2013_small.usage == "PublicTest"]
    x, y, side = 220, 140, 200
    for face in faces:
        picture = _background(7)
        big = Image.fromarray(face).resize((side, side), Image.Resampling.BICUBIC)
        picture[y : y + side, x : x + side] = np.asarray(big)
        [found] = detector.detect([picture])
        if len(found) == 1 and box_iou(found.boxes, [_expected_face_box(x, y, side)])[0, 0] > 0.5:
            break
    else:  # pragma: no cover - the detector finds about half of FER2013's faces
        pytest.fail("the detector found none of the PublicTest faces pasted on the wall")
    path = tmp_path_factory.mktemp("photos") / "wall.png"
    Image.fromarray(picture).save(path)
    return path


@pytest.fixture(scope="module")
def video(tmp_path_factory):
    """8 frames at 10 fps of the astronaut's face moving 16 px a frame across a wall."""
    astronaut = data.astronaut()[20:260, 120:330]
    frames = []
    for k in range(8):
        frame = np.dstack([_background(50, 300, 400)] * 3)
        frame[30:270, 20 + 16 * k : 230 + 16 * k] = astronaut
        frames.append(frame)
    path = tmp_path_factory.mktemp("videos") / "moving.mkv"
    write_video(path, frames, fps=10)
    return path


# ---------------------------------------------------------------------- photos


def test_photo_table(model_path, photo, capsys):
    assert main(["predict", str(photo), "--model", str(model_path)]) == 0
    out = capsys.readouterr().out.splitlines()
    model = load_model(model_path)
    [face] = ExpressionRecognizer(model).recognize(photo)
    picture = np.asarray(Image.open(photo))
    proba = model.predict_proba(crop_face(picture, face.box).reshape(1, -1))[0]
    assert out[0] == f"{photo}: 1 face"
    assert out[1].split() == ["face", "box", "(x,", "y,", "w,", "h)", "score", "expression", *NAMES]
    cells = out[2].split()
    assert cells[0] == "1"
    assert " ".join(cells[1:5]) == ", ".join(str(v) for v in face.box)
    assert cells[-7:] == [f"{p:.3f}" for p in proba]
    assert cells[-8] == NAMES[int(np.argmax(proba))]
    assert len(out) == 3


def test_photo_json_and_annotated_picture(model_path, photo, tmp_path, capsys):
    out = tmp_path / "annotated.webp"
    assert (
        main(["predict", str(photo), "--model", str(model_path), "--json", "--out", str(out)]) == 0
    )
    captured = capsys.readouterr()
    [result] = json.loads(captured.out)  # stdout is the JSON alone
    assert f"wrote {out}" in captured.err
    assert set(result) == {"input", "faces"} and result["input"] == str(photo)
    [face] = result["faces"]
    assert set(face) == {"box", "score", "expression", "probabilities"}
    x, y, _w, h = face["box"]
    assert all(isinstance(v, int) for v in face["box"])
    assert box_iou([face["box"]], [_expected_face_box(220, 140, 200)])[0, 0] > 0.5
    assert list(face["probabilities"]) == NAMES
    picture = np.asarray(Image.open(photo))
    proba = load_model(model_path).predict_proba(crop_face(picture, face["box"]).reshape(1, -1))[0]
    np.testing.assert_allclose(list(face["probabilities"].values()), proba)
    assert face["expression"] == NAMES[int(np.argmax(proba))]
    # the annotated picture: its extension sets the format; (in PNG) the box is drawn
    # and the rest is as it was
    with Image.open(out) as image:
        assert image.format == "WEBP" and image.size == (640, 480)
    png = tmp_path / "annotated.png"
    assert main(["predict", str(photo), "--model", str(model_path), "--out", str(png)]) == 0
    drawn = np.asarray(Image.open(png).convert("L"), dtype=float)
    assert abs(drawn[y + h // 2, x] - picture[y + h // 2, x]) > 20  # the box's left edge
    np.testing.assert_array_equal(drawn[400:, :150], picture[400:, :150])  # far from it


def test_predict_file_from_python(model_path, photo):
    model = load_model(model_path)
    assert input_kind(photo) == "photo"
    result = predict_file(photo, model)
    assert result.kind == "photo" and result.timeline is None
    [face] = ExpressionRecognizer(model).recognize(photo)
    assert result.faces == [face]
    assert result.to_dict()["faces"][0]["box"] == list(face.box)


# ---------------------------------------------------------------------- videos


def test_video_timeline_csv_and_json(model_path, video, tmp_path, capsys):
    csv = tmp_path / "timeline.csv"
    assert main(["predict", str(video), "--model", str(model_path), "--out", str(csv)]) == 0
    out = capsys.readouterr().out.splitlines()
    table = pd.read_csv(csv)
    assert list(table.columns) == [
        "frame",
        "time",
        "face_id",
        "x",
        "y",
        "w",
        "h",
        "score",
        "expression",
        *NAMES,
    ]
    assert table["frame"].tolist() == list(range(8))
    np.testing.assert_allclose(table["time"], np.arange(8) / 10)
    assert table["face_id"].tolist() == [0] * 8
    x = table["x"].to_numpy()
    assert np.abs(np.diff(x) - 16).max() <= 8  # the box follows the face
    np.testing.assert_allclose(table[NAMES].sum(axis=1), 1.0)
    assert out[0] == (
        f"{video}: video, 8 frames with faces (every frame recognised), 1 face tracked"
    )
    cells = out[2].split()
    mean = table[NAMES].mean()
    assert cells[:3] == ["0", "8", "0.00-0.70"]
    assert cells[-7:] == [f"{mean[n]:.3f}" for n in NAMES]
    assert out[-1] == f"wrote {csv}"
    # the same as JSON, every 3rd frame
    timeline = tmp_path / "timeline.json"
    assert (
        main(
            [
                "predict",
                str(video),
                "--model",
                str(model_path),
                "--every",
                "3",
                "--out",
                str(timeline),
            ]
        )
        == 0
    )
    result = json.loads(timeline.read_text())
    assert result["input"] == str(video)
    assert [f["frame"] for f in result["frames"]] == [0, 3, 6]
    assert [f["time"] for f in result["frames"]] == pytest.approx([0.0, 0.3, 0.6])
    for frame, row in zip(result["frames"], table.iloc[[0, 3, 6]].itertuples()):
        [face] = frame["faces"]
        assert set(face) == {"face_id", "box", "score", "expression", "probabilities"}
        assert face["face_id"] == 0
        assert face["box"] == [row.x, row.y, row.w, row.h]
        assert face["probabilities"] == pytest.approx({n: getattr(row, n) for n in NAMES})


def test_video_json_on_stdout(model_path, video, capsys):
    assert main(["predict", str(video), "--model", str(model_path), "--json"]) == 0
    [result] = json.loads(capsys.readouterr().out)
    assert set(result) == {"input", "frames"}
    assert [f["frame"] for f in result["frames"]] == list(range(8))
    assert {face["face_id"] for f in result["frames"] for face in f["faces"]} == {0}


def test_annotated_video(model_path, video, tmp_path, capsys):
    av = pytest.importorskip("av")
    out = tmp_path / "annotated.mp4"
    assert (
        main(["predict", str(video), "--model", str(model_path), "--every", "2", "--out", str(out)])
        == 0
    )
    assert capsys.readouterr().out.splitlines()[-1] == f"wrote {out}"
    with av.open(str(out)) as container:
        stream = container.streams.video[0]
        assert stream.codec_context.name in ("h264", "mpeg4")
        frames = [f.to_ndarray(format="rgb24") for f in container.decode(stream)]
    with av.open(str(video)) as container:
        originals = [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]
    assert len(frames) == 8 and frames[0].shape == (300, 400, 3)
    face = predict_file(video, load_model(model_path), every=2).video_frames()
    boxes = {frame: faces[0][1].box for frame, _, faces in face}
    for k in range(8):
        x, y, _w, h = boxes[k - k % 2]  # odd frames show the faces of the frame before
        edge = np.abs(frames[k][y + h // 2, x].astype(float) - originals[k][y + h // 2, x])
        assert edge.max() > 40, k  # the box is drawn (lossy encoding changes little)
        far = np.abs(frames[k][280:, 380:].astype(float) - originals[k][280:, 380:])
        assert far.mean() < 12, k


# ------------------------------------------------------------ several inputs, errors


def test_several_inputs_bad_ones_reported_others_written(
    model_path, photo, video, tmp_path, capsys
):
    text = tmp_path / "notes.txt"
    text.write_text("not a picture\n")
    missing = tmp_path / "missing.jpg"
    out = tmp_path / "results"  # created: several inputs make --out a folder
    inputs = [str(text), str(photo), str(missing), str(video)]
    assert main(["predict", *inputs, "--model", str(model_path), "--out", str(out)]) == 1
    captured = capsys.readouterr()
    errors = captured.err.splitlines()
    assert errors == [
        (
            f"fer-features predict: {str(text)!r} is not a picture Pillow reads or a "
            f"video FFmpeg reads"
        ),
        f"fer-features predict: no such file {str(missing)!r}",
    ]
    assert f"{photo}: 1 face" in captured.out
    assert f"{video}: video, 8 frames with faces" in captured.out
    assert sorted(p.name for p in out.iterdir()) == ["moving_faces.csv", "wall_faces.png"]
    assert pd.read_csv(out / "moving_faces.csv")["frame"].tolist() == list(range(8))
    # --json: a failed input is an object with its error
    assert main(["predict", *inputs, "--model", str(model_path), "--json"]) == 1
    captured = capsys.readouterr()
    results = json.loads(captured.out)
    assert [r["input"] for r in results] == inputs
    assert results[0] == {"input": str(text), "error": errors[0].split(": ", 1)[1]}
    assert results[2] == {"input": str(missing), "error": f"no such file {str(missing)!r}"}
    assert len(results[1]["faces"]) == 1 and len(results[3]["frames"]) == 8
    assert len(captured.err.splitlines()) == 2


def test_out_of_the_wrong_kind_is_an_input_error(model_path, photo, video, tmp_path, capsys):
    assert (
        main(["predict", str(photo), "--model", str(model_path), "--out", str(tmp_path / "x.csv")])
        == 1
    )
    [line] = capsys.readouterr().err.splitlines()
    assert "is a photo; give a picture name" in line
    assert (
        main(["predict", str(video), "--model", str(model_path), "--out", str(tmp_path / "x.png")])
        == 1
    )
    [line] = capsys.readouterr().err.splitlines()
    assert "is a video; give a timeline (.csv, .json) or a video" in line
    assert not list(tmp_path.iterdir())


def test_same_stem_in_a_folder_is_refused_before_any_work(model_path, photo, tmp_path, capsys):
    other = tmp_path / "wall.jpg"
    Image.open(photo).convert("RGB").save(other)
    assert (
        main(
            [
                "predict",
                str(photo),
                str(other),
                "--model",
                str(model_path),
                "--out",
                str(tmp_path / "out"),
            ]
        )
        == 2
    )
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "would both write wall_faces.*" in captured.err
    assert not (tmp_path / "out").exists()


def test_untrusted_model_is_refused_in_one_line(model_path, photo, tmp_path, capsys):
    tampered = tmp_path / "tampered.skops"
    with zipfile.ZipFile(model_path) as src:
        members = {name: src.read(name) for name in src.namelist()}
    schema = json.loads(members["schema.json"])
    text = json.dumps(schema).replace(
        '"__module__": "sklearn.linear_model._logistic"', '"__module__": "os"', 1
    )
    members["schema.json"] = text.replace(
        '"__class__": "LogisticRegression"', '"__class__": "system"', 1
    ).encode()
    with zipfile.ZipFile(tampered, "w") as dst:
        for name, content in members.items():
            dst.writestr(name, content)
    assert main(["predict", str(photo), "--model", str(tampered)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    [line] = captured.err.splitlines()
    assert line.startswith(
        f"fer-features predict: error: {tampered} asks for types that "
        f"are not trusted, so it was not loaded: os.system."
    )


def test_photo_with_the_shipped_model(photo, capsys):
    # no --model: the CNN that ships in the package, offline
    pytest.importorskip("keras")
    assert main(["predict", str(photo), "--json"]) == 0
    [entry] = json.loads(capsys.readouterr().out)
    assert entry["input"] == str(photo)
    [face] = entry["faces"]
    assert face["expression"] in NAMES
    assert sorted(face["probabilities"]) == sorted(NAMES)
    assert sum(face["probabilities"].values()) == pytest.approx(1, abs=1e-3)
    assert face["expression"] == max(face["probabilities"], key=face["probabilities"].get)


def test_without_a_model_and_no_pretrained_file(photo, tmp_path, monkeypatch, capsys):
    from fer_features.models import _pretrained

    monkeypatch.setattr(_pretrained, "pretrained_path", lambda: tmp_path / "absent.skops")
    assert main(["predict", str(photo)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    [line] = captured.err.splitlines()
    assert line == (
        "fer-features predict: error: this installation of fer_features has no "
        "pretrained model yet (fer_features/data/pretrained.skops); build it "
        "with benchmarks/build_pretrained.py, or train one with `fer-features "
        "train`; give a model file with --model MODEL"
    )


def test_without_a_model_and_no_deep_extra(photo, tmp_path, monkeypatch, capsys):
    from fer_features.models import _pretrained

    present = tmp_path / "pretrained.skops"
    present.write_bytes(b"")
    monkeypatch.setattr(_pretrained, "pretrained_path", lambda: present)
    monkeypatch.setattr(_pretrained, "_keras_missing", lambda: "Keras is not installed")
    assert main(["predict", str(photo)]) == 2
    [line] = capsys.readouterr().err.splitlines()
    assert line == (
        "fer-features predict: error: the pretrained model is a Keras CNN and "
        'Keras is not installed: pip install "fer_features[deep]" installs it'
    )
