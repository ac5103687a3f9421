"""Video files written by the tests (PyAV; the test is skipped without it)."""

import pytest


def write_video(path, frames, fps):
    """Write ``frames`` (RGB uint8 arrays) as a lossless FFV1 video at ``fps``."""
    av = pytest.importorskip("av")
    with av.open(str(path), "w") as container:
        stream = container.add_stream("ffv1", rate=fps)  # lossless, in every PyAV wheel
        stream.height, stream.width = frames[0].shape[:2]
        stream.pix_fmt = "yuv420p"
        for array in frames:
            for packet in stream.encode(av.VideoFrame.from_ndarray(array, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
