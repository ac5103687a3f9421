"""Running fits on a Dask cluster: the ``--scheduler`` of ``fer-features benchmark``.

Dask (``dask.distributed``, through joblib's ``"dask"`` backend) does the work;
this module only turns a scheduler address, or ``local[:N]``, into a connected
client and the joblib context that sends fits to it.
"""

import contextlib

__all__ = ["check_scheduler", "dask_cluster", "parse_scheduler"]

DEFAULT_LOCAL_WORKERS = 2
WAIT_FOR_WORKERS_S = 60


def parse_scheduler(scheduler):
    """The number of local workers ``scheduler`` asks for, or ``None`` for an address.

    Parameters
    ----------
    scheduler : str
        ``"local"`` (a local cluster of two worker processes), ``"local:N"``
        (``N`` worker processes), or the address of a running scheduler
        (``"tcp://host:8786"``).

    Returns
    -------
    n_workers : int or None

    Raises
    ------
    ValueError
        For an empty value or a bad ``N``.

    Examples
    --------
    >>> from fer_features.benchmark import parse_scheduler
    >>> parse_scheduler("local"), parse_scheduler("local:4"), parse_scheduler("tcp://10.0.0.5:8786")
    (2, 4, None)
    """
    text = str(scheduler).strip()
    if not text:
        raise ValueError("the scheduler is empty: give an address (tcp://host:8786) or local[:N]")
    kind, _, count = text.partition(":")
    if kind.lower() != "local":
        return None
    if not count:
        return DEFAULT_LOCAL_WORKERS
    try:
        n_workers = int(count)
    except ValueError:
        n_workers = 0
    if n_workers < 1:
        raise ValueError(
            f"scheduler {scheduler!r}: local:N needs a positive number of worker processes, "
            f"got {count!r}"
        )
    return n_workers


@contextlib.contextmanager
def dask_cluster(scheduler):
    """A context in which joblib's parallel loops run on a Dask cluster.

    Connects a ``dask.distributed.Client`` to ``scheduler`` (or starts a
    ``LocalCluster`` of worker processes with one thread each), checks that
    a worker has joined, and enters
    ``joblib.parallel_config(backend="dask")`` with that client: inside it,
    :func:`~fer_features.benchmark.run_benchmark` and the grid searches send
    their fits to the workers. On leaving, the client is closed (and a local
    cluster shut down).

    Parameters
    ----------
    scheduler : str
        The address of a running scheduler (``"tcp://host:8786"``: one started
        with ``dask scheduler``, ``dask-ssh``, dask-jobqueue or
        dask-kubernetes), ``"local"`` or ``"local:N"`` (a cluster of ``N``
        worker processes on this machine, default 2).

    Yields
    ------
    client : distributed.Client

    Raises
    ------
    ImportError
        Without ``dask.distributed`` (``pip install 'fer_features[dask]'``).
    ValueError
        For a bad ``scheduler``.
    OSError
        If the scheduler cannot be reached, or no worker joins it within a
        minute.
    """
    n_workers = parse_scheduler(scheduler)
    _import_distributed(scheduler)
    from dask.distributed import Client, LocalCluster
    from joblib import parallel_config

    with contextlib.ExitStack() as stack:
        if n_workers is not None:
            target = stack.enter_context(
                LocalCluster(
                    n_workers=n_workers,
                    threads_per_worker=1,
                    processes=True,
                    dashboard_address=":0",
                )
            )
        else:
            target = scheduler.strip()
        try:
            client = stack.enter_context(Client(target))
        except OSError as exc:
            raise OSError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from exc
        _check_workers(client, scheduler)
        stack.enter_context(parallel_config(backend="dask", client=client))
        yield client


def _import_distributed(scheduler):
    try:
        import dask.distributed  # noqa: F401
    except ImportError as exc:
        raise ImportError(
            f"a Dask scheduler ({scheduler}) needs dask.distributed: "
            f"pip install 'fer_features[dask]'"
        ) from exc


def check_scheduler(scheduler):
    """Raise what :func:`dask_cluster` would for a bad ``scheduler`` or no Dask; start nothing."""
    parse_scheduler(scheduler)
    _import_distributed(scheduler)


def _check_workers(client, scheduler):
    """Wait for a worker to join."""
    try:
        client.wait_for_workers(1, timeout=WAIT_FOR_WORKERS_S)
    except TimeoutError as exc:
        raise OSError(
            f"no worker joined the Dask scheduler at {scheduler} within "
            f"{WAIT_FOR_WORKERS_S} s; start some (dask worker {scheduler})"
        ) from exc
