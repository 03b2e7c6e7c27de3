"""The HTTP side of ``kg serve``: uvicorn on one listening socket, with connection-level guards.

uvicorn (with the httptools parser) reads requests on one asyncio event loop, so thousands of open
connections cost no threads; three guards are added here that it lacks:

* a **header read timeout**: a connection that has not sent a whole request head within
  ``read_timeout`` seconds of opening (or of starting its next request) is closed, so idle and
  slow-loris connections cannot pile up (uvicorn itself only times out idle keep-alive connections
  between requests);
* a **cap on open connections**: past ``max_connections`` the request of a new connection is read,
  answered 503 with ``Retry-After`` and the connection closed (closing unread would be a reset);
* a **cap on the request head**: a request line and headers over ``max_head_bytes`` are answered
  431 and the connection closed (uvicorn keeps every header it is sent: one client streaming
  headers for the read timeout's 10 s grew the server by 1.4 GB).

Malformed requests (``Content-Length: -1``, a broken request line) are answered 400 by the parser.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass

import uvicorn
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from kg.read.serve.app import RETRY_AFTER, UNFILTERED_REPORT, Settings, build_app
from kg.read.serve.pool import WorkerPool

HOST = "127.0.0.1"

_BUSY_TEXT = b"too many open connections; retry shortly\n"
_BUSY = (
    "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\n"
    f"Retry-After: {RETRY_AFTER}\r\nConnection: close\r\nContent-Length: {len(_BUSY_TEXT)}\r\n\r\n"
).encode() + _BUSY_TEXT


def _head_too_large(limit: int) -> bytes:
    text = f"the request line and headers are over {limit} bytes; this endpoint accepts at most {limit}\n".encode()
    return (
        "HTTP/1.1 431 Request Header Fields Too Large\r\nContent-Type: text/plain; charset=utf-8\r\n"
        f"Connection: close\r\nContent-Length: {len(text)}\r\n\r\n"
    ).encode() + text


@dataclass(frozen=True)
class ConnectionLimits:
    read_timeout: float = 10.0  # seconds for a request head to arrive
    keep_alive: float = 5.0  # seconds an idle keep-alive connection stays open
    max_connections: int = 1024
    max_head_bytes: int = 65536  # request line and headers; a query that long goes in a POST body


def guarded_protocol(limits: ConnectionLimits) -> type[HttpToolsProtocol]:
    """uvicorn's httptools protocol with the three guards, configured with ``limits``."""
    too_large = _head_too_large(limits.max_head_bytes)

    class GuardedHttp(HttpToolsProtocol):
        _head_timer: asyncio.TimerHandle | None = None
        _over_cap = False
        _head_bytes: int | None = 0  # bytes of the request head read so far; None once it is whole

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            # Over the cap, the request is read (so that closing is not a reset) and answered 503.
            self._over_cap = len(self.connections) > limits.max_connections
            self._arm()

        def data_received(self, data: bytes) -> None:
            reading_head = self._head_bytes is not None
            super().data_received(data)
            # Still inside the head after parsing this chunk: all of it was head. Checked per chunk,
            # so at most one socket read (about 64 KiB) more than the limit is ever held.
            if reading_head and self._head_bytes is not None and not self.transport.is_closing():
                self._head_bytes += len(data)
                if self._head_bytes > limits.max_head_bytes:
                    self.transport.write(too_large)
                    self.transport.close()

        def on_message_begin(self) -> None:
            super().on_message_begin()
            self._head_bytes = 0
            self._arm()

        def on_headers_complete(self) -> None:
            self._head_bytes = None
            self._disarm()
            if not self._over_cap:
                super().on_headers_complete()

        def on_body(self, body: bytes) -> None:
            if not self._over_cap:
                super().on_body(body)

        def on_message_complete(self) -> None:
            if not self._over_cap:
                super().on_message_complete()
            elif not self.transport.is_closing():
                self.transport.write(_BUSY)
                self.transport.close()

        def connection_lost(self, exc: Exception | None) -> None:
            self._disarm()
            super().connection_lost(exc)

        def _arm(self) -> None:
            self._disarm()
            self._head_timer = self.loop.call_later(limits.read_timeout, self._too_slow)

        def _disarm(self) -> None:
            if self._head_timer is not None:
                self._head_timer.cancel()
                self._head_timer = None

        def _too_slow(self) -> None:
            self._head_timer = None
            if not self.transport.is_closing():
                self.transport.close()

    return GuardedHttp


class KgServer:
    """A bound, not yet serving ``kg serve``: :meth:`serve_forever` runs it, :meth:`shutdown` stops it."""

    def __init__(self, sock: socket.socket, pool: WorkerPool, settings: Settings, limits: ConnectionLimits) -> None:
        self.socket, self.pool, self.settings, self.limits = sock, pool, settings, limits
        self.server_port: int = sock.getsockname()[1]
        self._uvicorn: uvicorn.Server | None = None
        self._exit = False
        self._on_ready: Callable[[], None] | None = None
        self._running = threading.Event()
        self._stopped = threading.Event()

    def serve_forever(self, on_ready: Callable[[], None] | None = None) -> None:
        """Serve until :meth:`shutdown` (or SIGINT/SIGTERM when called on the main thread);
        ``on_ready`` is called once every worker is up."""
        self._on_ready = on_ready
        self._running.set()
        try:
            asyncio.run(self._serve())
        finally:
            self._stopped.set()

    async def _serve(self) -> None:
        # httptools' parser, a plain event loop (no uvloop): the two guards subclass its protocol.
        app = build_app(self.pool, self.settings)
        config = uvicorn.Config(
            app,
            http=guarded_protocol(self.limits),
            loop="asyncio",
            lifespan="off",
            log_config=None,
            log_level=logging.ERROR,
            access_log=False,
            timeout_keep_alive=int(self.limits.keep_alive),
            timeout_graceful_shutdown=3,
            server_header=False,
        )
        self._uvicorn = uvicorn.Server(config)
        self._uvicorn.should_exit = self._exit
        try:
            await self.pool.start()
            if self.settings.prepare_report:
                app.state.views.prepare("report", UNFILTERED_REPORT)
            if self._on_ready is not None:
                self._on_ready()
            await self._uvicorn.serve(sockets=[self.socket])
        finally:
            await self.pool.stop()

    def shutdown(self) -> None:
        """Stop serving (from another thread) and wait until the workers are gone."""
        self._exit = True
        if self._uvicorn is not None:
            self._uvicorn.should_exit = True
        if self._running.is_set():
            self._stopped.wait(30)

    def server_close(self) -> None:
        self.socket.close()


def listen(port: int, backlog: int = 2048) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((HOST, port))
        sock.listen(backlog)
    except OSError:
        sock.close()
        raise
    sock.setblocking(False)
    return sock
