"""The analyst views' pages (``/report``, ``/search``), each computed once and kept while the server runs.

``kg serve`` opens its store read-only and does not follow later ingests (it says so: restart it),
so a view's page is right for as long as the server runs. A whole-store report of 10,000 articles
takes about a minute, past the time limit of a request: computed per request it would never arrive.
So a view is computed at most once at a time, however many clients ask for it; a client that stops
waiting (its time limit, or gone) does not stop the computation, which goes on under the longer
``prepare_limit`` and keeps the page for the next request (the client is told to retry). Pages are
kept newest-used first, up to ``max_bytes`` in all. The server prepares the unfiltered report as
soon as its workers are up, so the first analyst to open it does not wait for it.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from kg.read.serve.pool import ClientGone, WorkerPool
from kg.read.serve.protocol import Reply

Key = tuple[str, tuple[tuple[str, Any], ...]]


class Preparing(Exception):
    """The view is still being computed; the client should come back (503 with Retry-After)."""


@dataclass
class ViewCounters:
    hits: int = 0
    computed: int = 0
    kept_bytes: int = 0


class ViewCache:
    def __init__(self, pool: WorkerPool, *, prepare_limit: float, max_bytes: int) -> None:
        self.pool, self.prepare_limit, self.max_bytes = pool, prepare_limit, max_bytes
        self.counters = ViewCounters()
        self._pages: OrderedDict[Key, Reply] = OrderedDict()
        self._pending: dict[Key, asyncio.Task[Reply]] = {}

    @property
    def preparing(self) -> int:
        return len(self._pending)

    @staticmethod
    def key(job: str, arguments: dict[str, Any]) -> Key:
        return (job, tuple(sorted(arguments.items())))

    def prepare(self, job: str, arguments: dict[str, Any]) -> asyncio.Task[Reply]:
        """Start computing a view unless it is kept or under way (no one waits for it here)."""
        key = self.key(job, arguments)
        task = self._pending.get(key)
        if task is None:
            task = asyncio.get_running_loop().create_task(self._compute(key, job, arguments))
            task.add_done_callback(_retrieve)
            self._pending[key] = task
        return task

    async def page(
        self, job: str, arguments: dict[str, Any], *, time_limit: float, gone: Callable[[], Awaitable[Any]]
    ) -> Reply:
        """The view's page: kept, or computed (shared with other clients asking for it meanwhile).

        :raises Preparing: past ``time_limit`` (the computation goes on); ClientGone when what ``gone``
            makes fires (made only when there is something to wait for); what the pool raises
            (Overloaded, TimedOut past ``prepare_limit``, WorkerCrashed).
        """
        key = self.key(job, arguments)
        kept = self._pages.get(key)
        if kept is not None:
            self._pages.move_to_end(key)
            self.counters.hits += 1
            return kept
        task = self.prepare(job, arguments)
        client_gone = asyncio.ensure_future(gone())
        try:
            done, _ = await asyncio.wait({task, client_gone}, timeout=time_limit, return_when=asyncio.FIRST_COMPLETED)
        finally:
            client_gone.cancel()
        if task in done:
            return task.result()
        if client_gone in done:
            raise ClientGone
        raise Preparing

    async def _compute(self, key: Key, job: str, arguments: dict[str, Any]) -> Reply:
        try:
            # Nobody's disconnect stops it: the future below never completes.
            reply = await self.pool.run(
                job, arguments, time_limit=self.prepare_limit, gone=asyncio.get_running_loop().create_future()
            )
        finally:
            del self._pending[key]
        self.counters.computed += 1
        if reply.status == 200 and len(reply.body) <= self.max_bytes:
            self._pages[key] = reply
            self.counters.kept_bytes += len(reply.body)
            while self.counters.kept_bytes > self.max_bytes:
                _, dropped = self._pages.popitem(last=False)
                self.counters.kept_bytes -= len(dropped.body)
        return reply


def _retrieve(task: asyncio.Task[Reply]) -> None:
    """A computation that failed with nobody waiting: its error is the waiters' to report, not the loop's."""
    if not task.cancelled():
        task.exception()
