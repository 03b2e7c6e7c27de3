"""A supervised pool of query worker processes, with a bounded queue in front of it.

Each request takes an idle worker (waiting in a queue of at most ``queue_limit`` requests; past it
the request is refused at once with :class:`Overloaded`, which the server answers 503 with
``Retry-After``), hands it one job and waits for the answer, the time limit or the client's
disconnection, whichever comes first. In the last two cases the worker is killed (the only way to
stop a query inside the engine) and a new one started in its place; a worker that dies on its own
(the engine crashed) is replaced the same way. The server process never runs a query.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import pickle
import socket
import subprocess
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kg.errors import StoreError
from kg.read.serve.protocol import Reply
from kg.read.serve.worker import HEADER

#: Seconds a new worker may take to open the store (an in-memory snapshot of a large store is slow).
STARTUP_LIMIT = 600.0


class Overloaded(Exception):
    """Every worker is busy and the queue is full."""


class TimedOut(Exception):
    """The request ran past its time limit; its query was stopped."""


class ClientGone(Exception):
    """The client disconnected; its query was stopped."""


class WorkerCrashed(Exception):
    """The worker died while answering (the engine crashed on this request)."""


@dataclass
class Counters:
    answered: int = 0
    timed_out: int = 0
    cancelled: int = 0
    crashed: int = 0
    refused_busy: int = 0
    started: int = 0


class Worker:
    """One worker process and our end of its socket."""

    def __init__(self, process: subprocess.Popen[bytes], reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
        self.process, self.reader, self.writer = process, reader, writer

    @classmethod
    async def start(cls, location: Path, in_memory: bool) -> Worker:
        ours, theirs = socket.socketpair()
        # -c rather than -m: the package imports the worker module, which -m would then run a second time.
        entry = "import sys; from kg.read.serve.worker import main; sys.exit(main(sys.argv[1:]))"
        command = [sys.executable, "-c", entry, str(theirs.fileno()), str(location)]
        environment = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
        try:
            process = subprocess.Popen(
                [*command, *(["--in-memory"] if in_memory else [])],
                pass_fds=[theirs.fileno()],
                stdin=subprocess.DEVNULL,
                env=environment,
            )
        finally:
            theirs.close()
        reader, writer = await asyncio.open_unix_connection(sock=ours)
        worker = cls(process, reader, writer)
        try:
            status, detail = await asyncio.wait_for(worker._receive(), STARTUP_LIMIT)
        except (TimeoutError, WorkerCrashed) as err:
            await worker.stop()
            raise StoreError(f"a query worker did not start: {err or 'it exited'}") from err
        if status != "ready":
            await worker.stop()
            raise StoreError(str(detail))
        return worker

    async def call(self, job: str, arguments: dict[str, Any]) -> Reply:
        body = pickle.dumps((job, arguments), protocol=pickle.HIGHEST_PROTOCOL)
        try:
            self.writer.write(HEADER.pack(len(body)) + body)
            await self.writer.drain()
        except (ConnectionError, OSError) as err:
            raise WorkerCrashed(str(err)) from err
        reply = await self._receive()
        if not isinstance(reply, Reply):
            raise WorkerCrashed(f"unexpected answer {type(reply).__name__}")
        return reply

    async def _receive(self) -> Any:
        try:
            header = await self.reader.readexactly(HEADER.size)
            return pickle.loads(await self.reader.readexactly(HEADER.unpack(header)[0]))
        except (asyncio.IncompleteReadError, ConnectionError) as err:
            raise WorkerCrashed(f"the worker exited with {self.process.poll()}") from err

    def alive(self) -> bool:
        return self.process.poll() is None and not self.reader.at_eof()

    async def stop(self) -> None:
        """Kill the process (a query inside the engine cannot be stopped otherwise) and reap it."""
        self.writer.close()
        with contextlib.suppress(ProcessLookupError):
            self.process.kill()
        await asyncio.to_thread(self.process.wait)


@dataclass
class WorkerPool:
    location: Path
    in_memory: bool = False
    size: int = 2
    queue_limit: int = 256
    log: Callable[[str], None] | None = None
    counters: Counters = field(default_factory=Counters)

    def __post_init__(self) -> None:
        self._idle: asyncio.Queue[Worker] = asyncio.Queue()
        self._all: set[Worker] = set()
        self._waiting = 0
        self._replacing: set[asyncio.Task[None]] = set()
        self._stopping = False
        self._watcher: asyncio.Future[None] | None = None

    @property
    def waiting(self) -> int:
        return self._waiting

    @property
    def busy(self) -> int:
        return len(self._all) - self._idle.qsize()

    def pids(self) -> list[int]:
        """The live workers: one killed from outside drops out at once, before the watcher replaces it."""
        return sorted(w.process.pid for w in self._all if w.process.poll() is None)

    async def start(self) -> None:
        workers = await asyncio.gather(*(Worker.start(self.location, self.in_memory) for _ in range(self.size)))
        for worker in workers:
            self._adopt(worker)
        self._watcher = asyncio.ensure_future(self._watch())

    async def _watch(self) -> None:
        """Replace idle workers that died (killed from outside, out of memory) without waiting for a job."""
        while not self._stopping:
            await asyncio.sleep(1.0)
            for _ in range(self._idle.qsize()):
                worker = self._idle.get_nowait()
                if worker.alive():
                    self._idle.put_nowait(worker)
                else:
                    self.counters.crashed += 1
                    self._replace(worker)

    def _adopt(self, worker: Worker) -> None:
        self.counters.started += 1
        self._all.add(worker)
        self._idle.put_nowait(worker)

    async def stop(self) -> None:
        self._stopping = True
        if self._watcher is not None:
            self._watcher.cancel()
        for task in self._replacing:
            task.cancel()
        await asyncio.gather(*(w.stop() for w in list(self._all)), return_exceptions=True)
        self._all.clear()

    async def run(self, job: str, arguments: dict[str, Any], *, time_limit: float, gone: Awaitable[Any]) -> Reply:
        """Answer one job, within ``time_limit`` seconds (queue wait included), unless ``gone`` fires first."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + time_limit
        client_gone = asyncio.ensure_future(gone)
        try:
            worker = await self._take(client_gone, deadline)
            call = asyncio.ensure_future(worker.call(job, arguments))
            done, _ = await asyncio.wait(
                {call, client_gone}, timeout=max(0.0, deadline - loop.time()), return_when=asyncio.FIRST_COMPLETED
            )
            if call in done:
                try:
                    reply = call.result()
                except WorkerCrashed:
                    self.counters.crashed += 1
                    self._replace(worker)
                    raise
                self.counters.answered += 1
                self._idle.put_nowait(worker)
                return reply
            call.cancel()
            self._replace(worker)
            if client_gone in done:
                self.counters.cancelled += 1
                raise ClientGone
            self.counters.timed_out += 1
            raise TimedOut
        finally:
            client_gone.cancel()

    async def _take(self, client_gone: asyncio.Future[Any], deadline: float) -> Worker:
        if self._idle.empty() and self._waiting >= self.queue_limit:
            self.counters.refused_busy += 1
            raise Overloaded
        self._waiting += 1
        taking = asyncio.ensure_future(self._idle.get())
        try:
            loop = asyncio.get_running_loop()
            done, _ = await asyncio.wait(
                {taking, client_gone}, timeout=max(0.0, deadline - loop.time()), return_when=asyncio.FIRST_COMPLETED
            )
        finally:
            self._waiting -= 1
        if taking in done:
            worker = taking.result()
            if worker.alive():
                return worker
            self._replace(worker)  # it died while idle: take the next one, within the same deadline
            return await self._take(client_gone, deadline)
        taking.cancel()
        if client_gone in done:
            self.counters.cancelled += 1
            raise ClientGone
        self.counters.timed_out += 1
        raise TimedOut

    def _replace(self, worker: Worker) -> None:
        """Kill ``worker`` and start another in its place, in the background."""
        self._all.discard(worker)
        task = asyncio.ensure_future(self._replacement(worker))
        self._replacing.add(task)
        task.add_done_callback(self._replacing.discard)

    async def _replacement(self, worker: Worker) -> None:
        await worker.stop()
        delay = 0.5
        while not self._stopping:
            try:
                new = await Worker.start(self.location, self.in_memory)
            except StoreError as err:
                if self.log:
                    self.log(f"a query worker failed to start ({err}); retrying in {delay:.0f} s")
                await asyncio.sleep(delay)
                delay = min(delay * 2, 30.0)
                continue
            if self._stopping:
                await new.stop()
                return
            self._adopt(new)
            return
