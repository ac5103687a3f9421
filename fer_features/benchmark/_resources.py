"""How an estimator runs: threads, ``n_jobs``, its seed, and the memory probe."""

import contextlib
import os
import sys

__all__ = ["limit_threads", "peak_memory_mb", "reset_peak_memory", "set_n_jobs", "set_random_state"]


def reset_peak_memory():
    """Reset the process's peak resident memory where the OS allows it (Linux).

    Returns
    -------
    measure : str
        What :func:`peak_memory_mb` measures after this call.
    """
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return "peak resident memory of the process (VmHWM, reset per fold)"
    except OSError:
        return "peak resident memory of the process since it started (ru_maxrss)"


def peak_memory_mb():
    """Peak resident memory of the process in MiB."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    try:
        import resource

        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024
    except (ImportError, OSError):  # pragma: no cover - Windows
        return float("nan")


def set_n_jobs(estimator, n_jobs):
    """Give ``n_jobs`` to every ``n_jobs`` parameter left at ``None``."""
    if n_jobs is None:
        return
    params = estimator.get_params(deep=True)

    def owner(key):
        return params[key.rsplit("__", 1)[0]] if "__" in key else estimator

    # LogisticRegression's n_jobs does nothing since scikit-learn 1.8 (and warns)
    keys = {
        k: n_jobs
        for k, v in params.items()
        if (k == "n_jobs" or k.endswith("__n_jobs"))
        and v is None
        and type(owner(k)).__name__ != "LogisticRegression"
    }
    if keys:
        estimator.set_params(**keys)


def set_random_state(estimator, random_state):
    """Give ``random_state`` to every ``random_state`` parameter left at ``None``.

    So that a run is repeated exactly by a run with the same seed (a forest or
    a shuffled solver left unseeded would draw new numbers each time).
    """
    params = estimator.get_params(deep=True)
    keys = {
        k: random_state
        for k, v in params.items()
        if (k == "random_state" or k.endswith("__random_state")) and v is None
    }
    if keys:
        estimator.set_params(**keys)


def limit_threads(n_jobs):
    """A context limiting the BLAS and OpenMP thread pools to ``n_jobs`` threads."""
    if n_jobs is None:
        return contextlib.nullcontext()
    from threadpoolctl import threadpool_limits

    threads = n_jobs if n_jobs > 0 else max(1, (os.cpu_count() or 1) + 1 + n_jobs)
    return threadpool_limits(limits=threads)
