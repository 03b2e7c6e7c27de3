"""``kg serve``: the store as a read-only SPARQL endpoint and web views on 127.0.0.1, built to stay up.

Why Starlette on uvicorn (not the standard library's threading server it replaces): one event loop
holds thousands of open connections without a thread each, reads request bodies as streams with
limits, and tells a handler when its client has gone, which is what lets a query be cancelled.
Starlette adds routing and responses and nothing else; uvicorn with httptools parses HTTP fast and
strictly (a ``Content-Length: -1`` is a 400). Both are small, maintained and MIT/BSD licensed.

Why worker processes: Oxigraph cannot stop a running query, and a deep enough query crashes its
parser and the process with it. So the server process never runs the engine; a pool of workers
(:mod:`.pool`, :mod:`.worker`) does, each opening the store read-only. A query past its time limit
or whose client disconnected has its worker killed and replaced; a worker that crashes is replaced.
Past the workers, requests wait in a bounded queue; past the queue they get 503 with Retry-After.

The guards, with their defaults (flags of ``kg serve``):

=========================  ===========================================================  ==========
time limit per request     queue wait and evaluation; then 503 and the query is killed  30 s
workers                    processes evaluating queries at once        4/core, max 8
queue                      requests waiting for a worker; past it 503 + Retry-After     256
nesting depth              deeper ``{ ( [`` is refused with 400 before any parsing      100
SERVICE                    refused (403) unless its endpoint is in ``--allow-service``  none
read timeout               for a request head or a whole body to arrive                 10 s
open connections           past it a new connection gets 503 + Retry-After              1024
request body               a query, not an upload: 413 past it                          1 MB
a view's page (/report)    computed on past the time limit (503 + Retry-After: 20 s),   10 min,
                           then kept for the next request; pages kept in all            256 MB
=========================  ===========================================================  ==========

The unfiltered report is prepared as soon as the workers are up (:mod:`.views`).

It is read-only twice over: the store is opened read-only, and only the SPARQL query operation
exists (updates get 403). It speaks the SPARQL 1.1 Protocol query operation as before:
``GET /query?query=...``, ``POST /query`` as a form or ``application/sparql-query``, with
``default-graph-uri`` and ``named-graph-uri``; results as SPARQL JSON (default), XML, CSV or TSV,
graphs as N-Triples (default), Turtle or RDF/XML, by ``Accept``; ``/sparql`` is an alias; queries
see the union of all named graphs, as ``kg query`` does. Cross-origin requests only with ``--cors``.

The store is opened read-only by each worker when it starts: ingesting while the server runs is
not supported (restart it). With ``--in-memory`` each worker reads its own copy into memory (about
420 bytes per quad, times the number of workers) and whole-corpus reports answer 4-5x faster.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable
from pathlib import Path

from kg.errors import StoreError
from kg.read.serve.app import Settings
from kg.read.serve.pool import WorkerPool
from kg.read.serve.server import HOST, ConnectionLimits, KgServer, listen
from kg.store import EmbeddedStore

__all__ = ["HOST", "ConnectionLimits", "KgServer", "Settings", "endpoint_url", "main_loop", "make_server"]


def make_server(
    location: Path | str | None,
    port: int = 0,
    *,
    cors: bool = False,
    in_memory: bool = False,
    log: Callable[[str], None] | None = None,
    workers: int = 2,
    queue_limit: int = 256,
    time_limit: float = 30.0,
    allowed_services: tuple[str, ...] = (),
    limits: ConnectionLimits | None = None,
    max_answer: int = Settings.max_answer,
) -> KgServer:
    """A server bound to 127.0.0.1:``port`` (0 = any free port), not yet serving.

    The store is checked here (a missing or locked store is a :class:`StoreError` now, not later);
    the workers open it when serving starts.
    """
    limits = limits or ConnectionLimits()
    check = EmbeddedStore(location, read_only=True)
    resolved = check.location
    check.close()
    try:
        sock = listen(port)
    except OSError as err:
        raise StoreError(f"cannot listen on {HOST}:{port}: {err}") from err
    pool = WorkerPool(resolved, in_memory=in_memory, size=workers, queue_limit=queue_limit, log=log)
    settings = Settings(
        time_limit=time_limit,
        read_timeout=limits.read_timeout,
        cors=cors,
        allowed_services=tuple(allowed_services),
        max_answer=max_answer,
        log=log,
    )
    return KgServer(sock, pool, settings, limits)


def serve_in_thread(server: KgServer) -> threading.Thread:
    """Serve in a daemon thread (for tests and notebooks); stop with ``server.shutdown()``."""
    thread = threading.Thread(target=server.serve_forever, name="kg-serve", daemon=True)
    thread.start()
    return thread


def endpoint_url(server: KgServer) -> str:
    return f"http://{HOST}:{server.server_port}/query"


def main_loop(server: KgServer, on_ready: Callable[[], None] | None = None) -> None:
    """Serve until interrupted (Ctrl-C or SIGTERM); the workers are stopped on the way out.
    ``on_ready`` is called once the workers have opened the store."""

    def stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        server.serve_forever(on_ready)
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        server.server_close()
