"""glibc's malloc settings of the command line (fer_features._malloc).

Each check runs in a child process: the settings are process-wide, and the test
process keeps its own.
"""

import os
import subprocess
import sys

import pytest

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="mallopt is glibc's (Linux)"
)

# Allocate and free six 3 MiB buffers 30 times, writing every page, and print the
# page faults this took. With glibc's defaults the blocks are mmapped and
# unmapped or the freed top of the heap is given back to the kernel, so every
# round faults every page again (measured: 137,000 faults, one per page); with
# the command's settings the memory is kept (4,600).
_CHURN = """
import resource, sys
import numpy as np
if sys.argv[1] == "tuned":
    from fer_features._malloc import keep_freed_memory
    assert keep_freed_memory()
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(30):
    blocks = [np.ones(3 * 128 * 1024) for _ in range(6)]
    del blocks
print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
"""


def _faults(mode):
    from fer_features._malloc import ENVIRONMENT

    # glibc's defaults in the "default" child, whatever the environment has set
    env = {k: v for k, v in os.environ.items() if k not in ENVIRONMENT}
    out = subprocess.run(
        [sys.executable, "-c", _CHURN, mode], capture_output=True, text=True, check=True, env=env
    )
    return int(out.stdout.strip())


def _is_glibc():
    import platform

    return platform.libc_ver()[0] == "glibc"


@pytest.mark.skipif(not _is_glibc(), reason="the settings are glibc's")
def test_the_settings_keep_freed_memory():
    pages = 30 * 6 * 3 * 1024 * 1024 // 4096
    default, tuned = _faults("default"), _faults("tuned")
    # the default faults in (almost) every page of every round
    assert default > 0.5 * pages
    # kept: about one round's pages (the first), not thirty
    assert tuned < 0.1 * pages, (default, tuned)


def test_the_command_sets_them_and_the_library_does_not():
    code = (
        "import sys; import fer_features.cli as cli; "
        "import fer_features._malloc as m; "
        "calls = []; m.keep_freed_memory = lambda: calls.append(1) or True; "
        "cli.main = lambda argv=None: print(len(calls)) or 0; "
        "sys.argv = ['fer-features', 'list']; cli.console_main()"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    # console_main set them once, before main ran
    assert out.stdout.strip() == "1"


def test_main_leaves_the_settings_alone(monkeypatch):
    import fer_features._malloc as m
    from fer_features.cli import main

    called = []
    monkeypatch.setattr(m, "keep_freed_memory", lambda: called.append(1) or True)
    assert main(["datasets"]) == 0
    assert called == []
