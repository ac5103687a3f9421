"""Keep freed memory in the process: glibc's ``malloc`` settings for the commands.

TensorFlow on the CPU allocates and frees buffers of many megabytes at every
training step. With glibc's default settings, ``free`` hands such buffers back
to the kernel (``munmap`` and heap trimming), so the next step's allocation
takes a page fault and a page clearing for every 4 KiB of it: on the 2-core
machine of ``benchmarks/RESULTS.md`` a third of the CPU time of a CNN fit went
to the kernel, and an epoch took twice as long as with the settings below
(section "CNN training and glibc's malloc" there).

The settings are ``mallopt`` options, process-wide: the library's estimators
never change them (a fit leaves the process as it found it), but the
``fer-features`` command, which owns its process, sets them at start. Users who
train in their own process set the same options through the environment before
Python starts::

    MALLOC_TOP_PAD_=268435456 MALLOC_MMAP_THRESHOLD_=33554432 \\
        MALLOC_TRIM_THRESHOLD_=1073741824 python train.py

The top pad does most of it: with it alone a CNN fit took 0.38 times the page
faults of the default; the mmap threshold alone or the trim threshold alone
changed nothing measurable.

See ``mallopt(3)``.
"""

import ctypes
import sys

# mallopt(3) parameter numbers (malloc.h)
_M_TRIM_THRESHOLD = -1
_M_TOP_PAD = -2
_M_MMAP_THRESHOLD = -3

# each heap extension asks for 256 MiB more than needed and keeps it; blocks up
# to 32 MiB (glibc's largest mmap threshold on 64-bit) come from the heap and
# are reused; up to 1 GiB of free heap top is kept instead of trimmed
SETTINGS = {
    _M_TOP_PAD: 256 * 1024 * 1024,
    _M_MMAP_THRESHOLD: 32 * 1024 * 1024,
    _M_TRIM_THRESHOLD: 1024 * 1024 * 1024,
}

ENVIRONMENT = {
    "MALLOC_TOP_PAD_": str(SETTINGS[_M_TOP_PAD]),
    "MALLOC_MMAP_THRESHOLD_": str(SETTINGS[_M_MMAP_THRESHOLD]),
    "MALLOC_TRIM_THRESHOLD_": str(SETTINGS[_M_TRIM_THRESHOLD]),
}


def keep_freed_memory():
    """Set glibc's ``malloc`` to reuse freed blocks rather than return them.

    For processes the library owns (the command line). Does nothing where the
    C library is not glibc (macOS, Windows, musl).

    Returns
    -------
    applied : bool
        True where every option was accepted.
    """
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None)
        mallopt = libc.mallopt
        getattr(libc, "gnu_get_libc_version")  # noqa: B009 - glibc has it, musl has not
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    mallopt.restype = ctypes.c_int
    # a list, not a generator: every option is set even if one is refused
    return all([bool(mallopt(option, value)) for option, value in SETTINGS.items()])
