"""Speed of face detection in photos and of expression recognition in video.

What it times, on what:

* **photos**: :class:`FaceDetector` (default settings) on 640x480 photos,
  each with two FER2013 faces (120-200 px) pasted on a textured background
  (the astronaut's face when the FER2013 file is absent), pinned to **one
  CPU core**, one thread. Also recall and false detections on them.
* **video**: :func:`recognize_video` on a 640x480, 30 fps video this script
  writes (a face crossing a textured background), with two threads pinned to
  **two CPU cores**: reading, detection, cropping, tracking and the
  classifier included. The classifier is a small classic pipeline, HOG +
  standardisation + logistic regression, fitted (outside the timing) on
  2,000 FER2013 Training faces, or on synthetic faces without the file.
* ``--align N``: eye-line alignment (``FaceCropper(align=True)``'s tilt
  estimate) on N FER2013 PublicTest faces turned by known angles (5 to 15
  degrees either way): the error of the estimated angle, and the accuracy
  of ``lbp-logreg`` fitted on 4,000 Training faces, on the turned faces with
  and without alignment (and turned back by the true angle, the best any
  alignment could do), and on upright faces with and without. The classifier
  sees the central 32x32 pixels, which a turn of 48x48 pixels by up to 15
  degrees (and back) fills from the face itself, not from its padded edge.
* ``--framing``: how FER2013 frames a face relative to the detector's box,
  measured by detecting faces in FER2013 images upscaled 4 times and padded;
  the medians give :data:`fer_features.faces.FER2013_FRAMING`.

Wall-clock figures depend on what else runs: the load average is printed
beside them, and so is the CPU time, which contention inflates less. The
targets (at most 100 ms per photo on one core, at least 15 frames/s on two)
are judged by both, and the last lines say which is met.

Run ``python benchmarks/bench_faces.py [--photos 40] [--frames 150] [--framing 400]
[--align 1500] [--skip photos] [--skip video]``.
"""

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image
from skimage import data

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from _data import fer2013_candidate

from fer_features.faces import (
    FER2013_FRAMING,
    ExpressionRecognizer,
    FaceDetector,
    box_iou,
    recognize_video,
)

ALL_CORES = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None


def load():
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} cores"


#: the targets of issue #12: detection per 640x480 photo on one core, video on two
PHOTO_TARGET_MS = 100.0
VIDEO_TARGET_FPS = 15.0


def verdict(what, wall, cpu, target, unit, lower_is_better):
    """One line saying whether ``target`` is met, by the wall clock and by CPU time.

    Under contention the wall clock overstates the time a free core would take;
    the CPU time (what the process itself used) is the fairer figure then, so
    both are judged.
    """

    def met(value):
        ok = value <= target if lower_is_better else value >= target
        return "met" if ok else "NOT met"

    sign = "<=" if lower_is_better else ">="
    line = (
        f"  target {what} {sign} {target:g} {unit}: {met(wall)} by the wall clock "
        f"({wall:.1f} {unit}), {met(cpu)} by CPU time ({cpu:.1f} {unit}) ({load()})"
    )
    print(line)
    return line


def pin(n_cores):
    """Run on the first n_cores CPUs only (where the OS lets us)."""
    try:
        cores = ALL_CORES[:n_cores]
        os.sched_setaffinity(0, cores)
        return cores
    except (AttributeError, OSError):
        return None


def fer2013_faces(path):
    from fer_features.datasets import load_fer2013

    if path is None or not Path(path).is_file():
        return None
    return load_fer2013(path)


def background(seed, height=480, width=640):
    rng = np.random.default_rng(seed)
    wall = np.asarray(Image.fromarray(data.brick()).resize((width, height)), dtype=float)
    light = np.linspace(0.6, 1.0, width)[None, :]
    return np.clip(wall * light + rng.normal(0, 6, size=(height, width)), 0, 255).astype(np.uint8)


def astronaut_face():
    return np.asarray(
        Image.fromarray(data.astronaut()).convert("L").crop((155, 48, 290, 183)).resize((48, 48))
    )


def composed_photos(faces, n_photos, seed=0):
    """640x480 photos with two faces each (120-200 px) at known places."""
    rng = np.random.default_rng(seed)
    photos, frames = [], []
    for k in range(n_photos):
        photo = background(k)
        boxes = []
        for left, right in ((0, 300), (320, 640)):
            side = int(rng.integers(120, 201))
            x, y = int(rng.integers(left, right - side)), int(rng.integers(0, 480 - side))
            face = faces[rng.integers(len(faces))]
            photo[y : y + side, x : x + side] = np.asarray(
                Image.fromarray(face).resize((side, side), Image.Resampling.BICUBIC)
            )
            boxes.append((x, y, side, side))
        photos.append(photo)
        frames.append(boxes)
    return photos, frames


def expected_box(frame):
    x, y, side, _ = frame
    scale, shift_x, shift_y = FER2013_FRAMING
    w = side / scale
    cx, cy = x + side / 2 - shift_x * w, y + side / 2 - shift_y * w
    return (cx - w / 2, cy - w / 2, w, w)


def bench_photos(faces, n_photos):
    cores = pin(1)
    photos, frames = composed_photos(faces, n_photos)
    detector = FaceDetector().fit()
    detector.detect(photos[:2])  # warm up
    wall, cpu = time.perf_counter(), time.process_time()
    found = detector.detect(photos)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    hits = false = 0
    for detections, truth in zip(found, frames):
        iou = box_iou([expected_box(f) for f in truth], detections.boxes)
        hits += int((iou.max(axis=1, initial=0) > 0.3).sum())
        false += int((iou.max(axis=0, initial=0) <= 0.3).sum()) if len(detections) else 0
    print(f"photos: FaceDetector() on {n_photos} 640x480 photos, CPU core(s) {cores}, 1 thread")
    print(
        f"  {n_photos / wall:.1f} photos/s, {1000 * wall / n_photos:.1f} ms/photo wall, "
        f"{1000 * cpu / n_photos:.1f} ms/photo CPU ({load()})"
    )
    print(f"  recall {hits}/{2 * n_photos} = {hits / (2 * n_photos):.2f}, {false} false detections")
    return verdict(
        "ms/photo on one core",
        1000 * wall / n_photos,
        1000 * cpu / n_photos,
        PHOTO_TARGET_MS,
        "ms",
        lower_is_better=True,
    )


def fitted_model(bunch):
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from fer_features import HOGTransformer

    if bunch is not None:
        train = np.flatnonzero(bunch.usage == "Training")[:2000]
        X, y, what = bunch.data[train], bunch.target[train], "2,000 FER2013 Training faces"
    else:
        from fer_features.datasets import make_synthetic_faces

        X, y = make_synthetic_faces(1400, random_state=0, return_X_y=True)
        what = "1,400 synthetic faces"
    model = make_pipeline(HOGTransformer(), StandardScaler(), LogisticRegression(max_iter=300))
    return model.fit(X, y), what


def write_video(path, n_frames, fps=30):
    import av

    face = data.astronaut()[20:260, 120:330]
    wall = np.dstack([background(99)] * 3)
    with av.open(str(path), "w") as container:
        stream = container.add_stream("mpeg4", rate=fps)
        stream.width, stream.height, stream.pix_fmt = 640, 480, "yuv420p"
        stream.options = {"qscale": "3"}
        for k in range(n_frames):
            frame = wall.copy()
            x = int(20 + (640 - 250) * (0.5 + 0.5 * np.sin(k / 25)))
            y = 120 + int(40 * np.sin(k / 13))
            frame[y : y + 240, x : x + 210] = face
            for packet in stream.encode(av.VideoFrame.from_ndarray(frame, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)


def bench_video(bunch, n_frames):
    cores = pin(2)
    model, what = fitted_model(bunch)
    recognizer = ExpressionRecognizer(model, FaceDetector(n_jobs=2))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "clip.mp4"
        write_video(path, n_frames)
        recognize_video(path, recognizer, max_frames=10)  # warm up
        wall, cpu = time.perf_counter(), time.process_time()
        faces = recognize_video(path, recognizer)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(
        f"video: recognize_video on {n_frames} frames of 640x480 at 30 fps, CPU cores "
        f"{cores}, FaceDetector(n_jobs=2), classifier HOG + scaler + logistic regression "
        f"fitted on {what}"
    )
    print(
        f"  {n_frames / wall:.1f} frames/s wall, {1000 * wall / n_frames:.1f} ms/frame; "
        f"{1000 * cpu / n_frames:.1f} ms/frame CPU (both cores together) ({load()})"
    )
    print(
        f"  faces found in {faces['frame'].nunique()}/{n_frames} frames, "
        f"{faces['face_id'].nunique()} face id(s), frames per id "
        f"{faces['face_id'].value_counts().sort_index().to_dict()}"
    )
    # by CPU time: the frame rate if the CPU time used were spread over the cores given
    n_cores = len(cores) if cores else os.cpu_count()
    return verdict(
        f"frames/s on {n_cores} cores",
        n_frames / wall,
        n_frames / (cpu / n_cores),
        VIDEO_TARGET_FPS,
        "frames/s",
        lower_is_better=False,
    )


def measure_framing(bunch, n_faces, up=4, pad=96):
    """Detector boxes of FER2013 faces, relative to their 48x48 frame."""
    rng = np.random.default_rng(0)
    idx = rng.choice(len(bunch.images), n_faces, replace=False)
    photos = []
    for face in bunch.images[idx]:
        big = np.asarray(Image.fromarray(face).resize((48 * up, 48 * up), Image.Resampling.BICUBIC))
        photos.append(np.pad(big, pad, constant_values=int(np.median(face))))
    found = FaceDetector().detect(photos)
    rows = []
    for detections in found:
        if len(detections):
            centres = detections.boxes[:, :2] + detections.boxes[:, 2:] / 2
            i = int(np.argmin(((centres - (pad + 24 * up)) ** 2).sum(axis=1)))
            x, y, w, h = detections.boxes[i]
            rows.append(((x - pad) / up, (y - pad) / up, w / up, h / up))
    r = np.array(rows)
    scale = 48 / r[:, 2]
    shift_x = (24 - (r[:, 0] + r[:, 2] / 2)) / r[:, 2]
    shift_y = (24 - (r[:, 1] + r[:, 3] / 2)) / r[:, 3]
    print(f"framing: faces found in {len(r)} of {n_faces} FER2013 images (upscaled x{up})")
    print(
        f"  box in the 48x48 frame: median x {np.median(r[:, 0]):.2f}, y "
        f"{np.median(r[:, 1]):.2f}, side {np.median(r[:, 2]):.2f}"
    )
    print(
        f"  scale (frame side / box side): median {np.median(scale):.3f} "
        f"(quartiles {np.percentile(scale, 25):.3f}-{np.percentile(scale, 75):.3f})"
    )
    print(
        f"  shift of the frame centre from the box centre, in box sides: x "
        f"{np.median(shift_x):+.3f}, y {np.median(shift_y):+.3f}"
    )
    print(f"  FER2013_FRAMING in use: {FER2013_FRAMING}")


def measure_alignment(bunch, n_faces, n_train=4000):
    """Angle error of the tilt estimate, and what alignment does to accuracy."""
    from fer_features.faces._align import estimate_tilt, rotate_images
    from fer_features.registry import make_estimator

    rng = np.random.default_rng(0)
    train = rng.permutation(np.flatnonzero(bunch.usage == "Training"))[:n_train]
    test = rng.permutation(np.flatnonzero(bunch.usage == "PublicTest"))[:n_faces]
    upright = bunch.images[test].astype(np.float64)
    alpha = rng.uniform(5, 15, len(test)) * rng.choice([-1, 1], len(test))
    turned = rotate_images(upright, alpha)

    def centre(images):
        return images[:, 8:40, 8:40].reshape(len(images), -1)

    model = make_estimator("lbp-logreg")
    model.fit(centre(bunch.images[train].astype(np.float64)), bunch.target[train])

    def accuracy(images):
        return np.mean(model.predict(centre(images)) == bunch.target[test])

    wall, cpu = time.perf_counter(), time.process_time()
    tilt_turned = estimate_tilt(turned)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    tilt_upright = estimate_tilt(upright)
    error = tilt_turned - alpha
    change = tilt_turned - tilt_upright - alpha
    print(
        f"alignment: {n_faces} FER2013 PublicTest faces turned by 5-15 degrees either way; "
        f"tilt estimate {1000 * wall / n_faces:.1f} ms/face wall, "
        f"{1000 * cpu / n_faces:.1f} CPU ({load()})"
    )
    correlation = np.corrcoef(tilt_turned, alpha)[0, 1]
    print(
        f"  |estimate - turn|: median {np.median(np.abs(error)):.2f}, mean "
        f"{np.mean(np.abs(error)):.2f} degrees, correlation {correlation:.3f}"
    )
    print(
        f"  |change of the estimate - turn| (the upright face's own tilt taken out): median "
        f"{np.median(np.abs(change)):.2f}, mean {np.mean(np.abs(change)):.2f} degrees; "
        f"upright faces: median |estimate| {np.median(np.abs(tilt_upright)):.2f} degrees"
    )
    print(
        f"  lbp-logreg on the central 32x32 pixels, fitted on {n_train} Training faces, "
        f"accuracy on {n_faces} PublicTest faces:"
    )
    print(
        f"    upright {accuracy(upright):.3f}, upright aligned "
        f"{accuracy(rotate_images(upright, -tilt_upright)):.3f}"
    )
    print(
        f"    turned {accuracy(turned):.3f}, turned aligned "
        f"{accuracy(rotate_images(turned, -tilt_turned)):.3f}, turned back by the true angle "
        f"{accuracy(rotate_images(turned, -alpha)):.3f} ({load()})"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--fer2013",
        default=None,
        help="FER2013 CSV (default: $FER_FEATURES_FER2013, else "
        "../shared/data/fer2013/fer2013.csv.gz beside the project); without the file, "
        "the astronaut or synthetic faces",
    )
    parser.add_argument("--photos", type=int, default=40)
    parser.add_argument("--frames", type=int, default=150)
    parser.add_argument(
        "--framing", type=int, default=0, help="measure the framing on this many FER2013 faces"
    )
    parser.add_argument(
        "--align", type=int, default=0, help="measure the alignment on this many FER2013 faces"
    )
    parser.add_argument("--skip", choices=["photos", "video"], action="append", default=[])
    args = parser.parse_args()
    bunch = fer2013_faces(fer2013_candidate(args.fer2013))
    verdicts = []
    print(f"faces: {'FER2013' if bunch is not None else 'the astronaut (no FER2013 file)'}")
    if args.framing:
        if bunch is None:
            sys.exit("--framing needs the FER2013 file (--fer2013 PATH)")
        measure_framing(bunch, args.framing)
    if args.align:
        if bunch is None:
            sys.exit("--align needs the FER2013 file (--fer2013 PATH)")
        measure_alignment(bunch, args.align)
    if "photos" not in args.skip:
        faces = (
            bunch.images[bunch.usage == "PublicTest"]
            if bunch is not None
            else astronaut_face()[None]
        )
        verdicts.append(bench_photos(faces, args.photos))
    if "video" not in args.skip:
        verdicts.append(bench_video(bunch, args.frames))
    if verdicts:
        print("targets:")
        print("\n".join(verdicts))


if __name__ == "__main__":
    main()
