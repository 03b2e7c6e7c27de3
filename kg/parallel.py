"""Ordered, bounded parallel map over worker processes (ingest and validation use it).

Preparing or validating a batch of articles is pure and CPU-bound (YAML, rdflib, the SHACL screen),
so a pool of processes, one per core, does it while the calling process writes or merges the
results in order. At most ``workers + 1`` batches are in flight, so memory stays flat however long
the input.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any, TypeVar

WORKERS_ENV = "KG_WORKERS"

Item = TypeVar("Item")
Result = TypeVar("Result")

_state: Any = None
#: Whether this worker has finished an item (and frozen what it keeps, see :func:`_call`).
_warm = False
#: New objects between two of a warm worker's youngest collections (Python's default: 700).
WORKER_GC_THRESHOLD = 10_000


def default_workers() -> int:
    """``$KG_WORKERS``, else one worker process per core."""
    value = os.environ.get(WORKERS_ENV, "")
    return int(value) if value.isdigit() and int(value) > 0 else (os.cpu_count() or 1)


def worker_state() -> Any:
    """The ``state`` given to :func:`ordered_map`, inside a worker (or in-process) call."""
    return _state


def _set_state(state: Any) -> None:
    global _state
    _state = state


def _start_worker(state: Any, caller: int) -> None:
    _set_state(state)
    # If the caller is killed (SIGKILL, OOM killer) its workers would wait on their task queue
    # forever, and their fork server with them; each worker leaves once the caller is gone.
    threading.Thread(target=_exit_without, args=(caller,), name="kg-caller-watch", daemon=True).start()


def _exit_without(caller: int) -> None:
    while True:
        time.sleep(0.5)
        try:
            os.kill(caller, 0)
        except ProcessLookupError:
            os._exit(1)


def _call(function: Callable[[Item], Result], item: Item) -> Result:
    """``function(item)`` in a worker; after the first, what the worker keeps is frozen.

    The first item fills the worker's caches (shapes, vocabularies, parsed schemas: some 160,000
    objects). Python's full collections would scan them all again every few batches, about 10% of
    an ingest worker's time; frozen, the collector skips them (:func:`gc.freeze`). An item then makes
    many short-lived objects and few cycles: collecting after every 700 new ones (Python's default)
    took 0.7 ms an article in 1,050 collections over 400 articles, 8 of them full; after every
    :data:`WORKER_GC_THRESHOLD`, 0.25 ms in 30 (BENCHMARKS.md, run R).
    """
    global _warm
    result = function(item)
    if not _warm:
        _warm = True
        gc.collect()
        gc.freeze()
        gc.set_threshold(WORKER_GC_THRESHOLD, *gc.get_threshold()[1:])
    return result


def ordered_map(
    function: Callable[[Item], Result], items: Iterable[Item], *, state: Any, count: int, workers: int | None = None
) -> Iterator[Result]:
    """``function(item)`` for each of ``count`` items, in order, computed by worker processes.

    ``state`` (picklable) is sent once to each worker and read there with :func:`worker_state`;
    ``function`` must be a module-level function. With one worker, or a single item, everything
    runs in this process (no start-up cost for small inputs such as one article).
    """
    workers = min(workers or default_workers(), count)
    if workers <= 1:
        previous = _state
        _set_state(state)
        try:
            yield from map(function, items)
        finally:
            _set_state(previous)
        return
    # forkserver, not fork: the caller holds the store's RocksDB threads, which fork would copy
    # mid-state. The fork server preloads the module that defines ``function`` (and so everything
    # it imports), so each worker starts in milliseconds; this module never names its callers.
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([function.__module__])
    with ProcessPoolExecutor(
        workers, mp_context=context, initializer=_start_worker, initargs=(state, os.getpid())
    ) as pool:
        pending: deque[Future[Result]] = deque()
        try:
            for item in items:
                pending.append(pool.submit(_call, function, item))
                if len(pending) > workers:
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()
        finally:
            for future in pending:
                future.cancel()
