"""Where runs execute: in this process, in a local process pool, or on a Dask cluster.

Each executor takes the tasks still to do and yields outcomes as they finish, keeping only a
small window of runs in flight, so memory does not grow with the size of the sweep. Results
never depend on the executor: a run's seed is in its task, and the store orders rows by run id.
"""

from __future__ import annotations

import contextlib
import itertools
import multiprocessing
import os
import re
import socket
import threading
import time
import traceback
from collections.abc import Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from hls_sim.sweep.task import RunOutcome, RunTask, run_one


class ExecutorError(Exception):
    """The executor itself broke (a worker process died, the cluster went away)."""


def _failed(task: RunTask, exc: BaseException) -> RunOutcome:
    tb = "".join(traceback.format_exception(exc))
    return RunOutcome(task.run_id, None, f"{type(exc).__name__}: {exc}", tb, retry=True)


def run_inline(tasks: Iterable[RunTask]) -> Iterator[RunOutcome]:
    for task in tasks:
        yield run_one(task)


PARENT_CHECK_SECONDS = 0.5


def watch_parent(parent: int) -> None:
    """Initializer of every pool worker: leave as soon as the process that started it is gone.

    A worker whose main process was killed (SIGKILL, or SIGTERM before it could clean up) would
    otherwise run on for good, holding hundreds of megabytes and the terminal's output. When the
    parent dies the worker is handed to another process, so its parent id changes: a daemon
    thread checks that twice a second (numba kernels release the interpreter between weeks).
    """

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_CHECK_SECONDS)
        os._exit(1)

    threading.Thread(target=watch, name="hls-sim-watch-parent", daemon=True).start()


def _kill_workers(pool: ProcessPoolExecutor) -> None:
    """Stop the pool's processes now: on an interruption there is no point finishing their runs."""
    for proc in list((getattr(pool, "_processes", None) or {}).values()):
        with contextlib.suppress(Exception):
            proc.kill()


def run_pool(tasks: Iterable[RunTask], workers: int) -> Iterator[RunOutcome]:
    """A 'spawn' process pool (Mesa forces spawn anyway), with at most 2x workers runs in flight."""
    ctx = multiprocessing.get_context("spawn")
    window = 2 * workers
    it = iter(tasks)
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=watch_parent, initargs=(os.getpid(),))
    pending: dict[Future, RunTask] = {}
    try:
        for task in it:
            pending[pool.submit(run_one, task)] = task
            if len(pending) >= window:
                break
        while pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for fut in sorted(done, key=lambda f: pending[f].run_id):
                task = pending.pop(fut)
                try:
                    outcome = fut.result()
                except BrokenProcessPool as exc:
                    raise ExecutorError(f"a worker process died ({exc})") from exc
                except Exception as exc:  # e.g. a task that could not be pickled
                    outcome = _failed(task, exc)
                yield outcome
                nxt = next(it, None)
                if nxt is not None:
                    pending[pool.submit(run_one, nxt)] = nxt
    except BaseException:  # interrupted, terminated, a write failed, or the consumer stopped early
        _kill_workers(pool)
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def dask_available() -> bool:
    try:
        import distributed  # noqa: F401
    except ImportError:
        return False
    return True


class SchedulerUnreachableError(ExecutorError):
    """The Dask scheduler could not be reached before the sweep started (nothing was written)."""


SCHEDULER_FORMS = "'local', HOST:PORT or tcp://HOST:PORT (e.g. tcp://10.0.0.5:8786)"
_SCHEDULER = re.compile(r"^(?:tcp://)?(?P<host>\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_.-]+):(?P<port>[0-9]{1,5})/?$")
PROBE_SECONDS = 5.0


def scheduler_address(address: str) -> tuple[str, int] | None:
    """The host and port of a --scheduler address (None for 'local'), or ValueError saying what is allowed.

    Checked before anything is planned or connected: Dask itself takes a malformed address only to
    fail later, leaving a half-made client that blocks the exit for a minute.
    """
    if address == "local":
        return None
    m = _SCHEDULER.match(address)
    if not address.strip():
        raise ValueError(f"--scheduler is empty; allowed is {SCHEDULER_FORMS}")
    if m is None:
        raise ValueError(f"--scheduler {address!r} is not a scheduler address; allowed is {SCHEDULER_FORMS}")
    port = int(m.group("port"))
    if not 1 <= port <= 65535:
        raise ValueError(f"--scheduler {address!r}: port {port} is not from 1 to 65535; allowed is {SCHEDULER_FORMS}")
    return m.group("host").strip("[]"), port


def probe_scheduler(address: str, timeout: float = PROBE_SECONDS) -> None:
    """Open and close a TCP connection to the scheduler, so that a wrong host or a closed port is
    reported at once (Dask would retry for its whole connect timeout) and no Dask client is left
    half-made."""
    hp = scheduler_address(address)
    if hp is None:
        return
    host, port = hp
    try:
        with socket.create_connection((host, port), timeout=timeout):
            pass
    except socket.gaierror as exc:
        raise SchedulerUnreachableError(
            f"cannot reach the Dask scheduler at {address!r}: unknown host {host!r} ({exc.strerror or exc})"
        ) from None
    except TimeoutError:
        raise SchedulerUnreachableError(
            f"cannot reach the Dask scheduler at {address!r}: no answer within {timeout:g} s"
        ) from None
    except OSError as exc:
        raise SchedulerUnreachableError(
            f"cannot reach the Dask scheduler at {address!r}: {exc.strerror or exc}"
        ) from None


def _connect(client_class: Any, address: str) -> Any:
    """A Dask client connected to `address` (waits distributed.comm.timeouts.connect, 30 s by default).

    A client whose connection failed is closed here: left to the garbage collector, it would block
    the interpreter's exit for a minute and print a traceback ('Exception ignored in Client.__del__').
    """
    client = client_class.__new__(client_class)
    try:
        client.__init__(address, set_as_default=False)
    except BaseException:
        with contextlib.suppress(Exception):
            client.close(timeout=2)
        raise
    return client


@contextlib.contextmanager
def dask_client(address: str, workers: int) -> Iterator[Any]:
    """A client of the cluster at `address`; 'local' starts a LocalCluster of `workers` processes here."""
    from distributed import Client, LocalCluster

    try:
        probe_scheduler(address)
    except ValueError as exc:
        raise SchedulerUnreachableError(str(exc)) from None
    cluster = None
    try:
        if address == "local":
            cluster = LocalCluster(
                n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
            )
            client = Client(cluster, set_as_default=False)
        else:
            client = _connect(Client, address)
    except Exception as exc:  # refused, timed out, or something that is not a Dask scheduler answered
        if cluster is not None:
            cluster.close()
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        if not isinstance(exc, OSError | TimeoutError | ValueError):
            reason = f"something answers there, but not as a Dask scheduler ({type(exc).__name__})"
        raise SchedulerUnreachableError(f"cannot reach the Dask scheduler at {address!r}: {reason}") from None
    try:
        yield client
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def run_dask(tasks: Iterable[RunTask], client: Any, label: str) -> Iterator[RunOutcome]:
    """Runs on the Dask cluster behind `client`, at most two per worker in flight."""
    from distributed import as_completed

    it = iter(tasks)
    n_workers = max(1, len(client.scheduler_info(n_workers=-1).get("workers", {})))
    live: dict[str, tuple[Any, RunTask]] = {}

    def submit(task: RunTask) -> Any:
        fut = client.submit(run_one, task, pure=False, key=f"hls-sim-{label}-run-{task.run_id}")
        live[fut.key] = (fut, task)
        return fut

    try:
        first = [submit(t) for t in itertools.islice(it, 2 * n_workers)]
        if not first:
            return
        ac = as_completed(first, loop=client.loop)
        for fut in ac:
            _, task = live.pop(fut.key)
            try:
                outcome = fut.result()
            except Exception as exc:  # a worker that died, or a task it could not unpickle
                outcome = _failed(task, exc)
            fut.release()
            yield outcome
            nxt = next(it, None)
            if nxt is not None:
                ac.add(submit(nxt))
    finally:
        for fut, _ in live.values():  # stopped early (Ctrl-C, a full disk): free the cluster
            fut.cancel()
