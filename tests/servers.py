"""Real servers for the tests: Oxigraph (``oxigraph serve``), Virtuoso open source, and a fault proxy.

Every server listens on 127.0.0.1 only, on a free port, is polled until it answers (bounded wait) and
is stopped by its PID (terminate, wait, kill). The fault proxy is a small HTTP server of ours put *in
front of* a real server to inject network faults the real server would not produce on demand (a
dropped connection, a request that never gets an answer, a password check); everything it forwards
is answered by the real server.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest

HOST = "127.0.0.1"


def free_port() -> int:
    """A TCP port nothing listens on right now (bind to port 0, read it, release it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def oxigraph_binary() -> str | None:
    """The ``oxigraph`` CLI from the PyPI package of that name (next to this Python, else on PATH)."""
    beside = Path(sys.executable).parent / "oxigraph"
    return str(beside) if beside.is_file() else shutil.which("oxigraph")


@dataclass
class Server:
    """A server process we started; ``stop()`` ends it (and only it)."""

    name: str
    process: subprocess.Popen[bytes]
    base: str
    log: Path
    stop_timeout: float = 10.0
    extra: dict[str, str] = field(default_factory=dict)

    def log_tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def wait_ready(self, url: str, timeout: float) -> None:
        """Poll ``url`` until it answers HTTP 200 (bounded), failing with the server's log otherwise."""
        deadline = time.monotonic() + timeout
        last = ""
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.process.returncode}:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(url, timeout=2) as response:
                    if response.status == 200:
                        return
            except urllib.error.HTTPError as err:
                last = f"HTTP {err.code}"
            except (urllib.error.URLError, OSError) as err:
                last = str(err)
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"{self.name} not ready after {timeout} s ({last}):\n{self.log_tail()}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(self.stop_timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)


def _spawn(name: str, command: list[str], log: Path, cwd: Path | None = None) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        return subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, cwd=cwd)


# -- Oxigraph ----------------------------------------------------------------------------------


def start_oxigraph(folder: Path, *options: str, read_only_location: Path | None = None) -> Server:
    """``oxigraph serve`` (or ``serve-read-only`` on an existing store) on 127.0.0.1:<free port>.

    ``base`` is the server root; endpoints are ``/query``, ``/update``, ``/store``.
    """
    binary = oxigraph_binary()
    if binary is None:
        missing = "the oxigraph server binary is not installed (pip install '.[test]' installs it)"
        if os.environ.get("CI"):  # the project ships it: in CI a missing binary fails, never skips
            pytest.fail(f"{missing}; CI is set, so this is a failure")
        pytest.skip(missing)
    port = free_port()
    folder.mkdir(parents=True, exist_ok=True)
    if read_only_location is not None:
        command = [binary, "serve-read-only", "--location", str(read_only_location)]
    else:
        command = [binary, "serve", "--location", str(folder / "data")]
    command += ["--bind", f"{HOST}:{port}", *options]
    log = folder / "oxigraph.log"
    server = Server("oxigraph", _spawn("oxigraph", command, log), f"http://{HOST}:{port}", log)
    server.wait_ready(f"{server.base}/query?query=ASK%7B%7D", timeout=30)
    return server


# -- Virtuoso ----------------------------------------------------------------------------------

VIRTUOSO_INI = """\
; Written by tests/servers.py: a throw-away database in a temporary folder, listening on
; 127.0.0.1 only (Debian's default virtuoso.ini listens on all interfaces).
[Database]
DatabaseFile = {dir}/virtuoso.db
ErrorLogFile = {dir}/virtuoso.log
LockFile = {dir}/virtuoso.lck
TransactionFile = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
MaxCheckpointRemap = 2000
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {dir}/virtuoso-temp.db
TransactionFile = {dir}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping = 0

[Parameters]
ServerPort = {host}:{sql_port}
LiteMode = 0
DisableUnixSocket = 1
DisableTcpSocket = 0
MaxClientConnections = 10
CheckpointInterval = 60
O_DIRECT = 0
CaseMode = 2
MaxStaticCursorRows = 5000
CheckpointAuditTrail = 0
AllowOSCalls = 0
SchedulerInterval = 10
DirsAllowed = ., {dir}
ThreadCleanupInterval = 0
ThreadThreshold = 10
ResourcesCleanupInterval = 0
FreeTextBatchSize = 100000
SingleCPU = 0
PrefixResultNames = 0
RdfFreeTextRulesSize = 100
IndexTreeMaps = 64
MaxMemPoolSize = 100000000
MaxQueryMem = 200M
VectorSize = 1000
MaxVectorSize = 1000000
AdjustVectorSize = 0
ThreadsPerQuery = 2
AsyncQueueMaxThreads = 4
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000

[HTTPServer]
ServerPort = {host}:{http_port}
ServerRoot = {dir}
MaxClientConnections = 10
DavRoot = DAV
EnabledDavVSP = 0
HTTPProxyEnabled = 0
TempASPXDir = 0
DefaultMailServer = localhost:25
ServerThreads = 10
MaxKeepAlives = 10
KeepAliveTimeout = 10
MaxCachedProxyConnections = 10
ProxyConnectionCacheTimeout = 15
HTTPThreadSize = 280000
HttpPrintWarningsInOutput = 0
Charset = UTF-8
EnabledGzipContent = 0

[AutoRepair]
BadParentLinks = 0

[Client]
SQL_PREFETCH_ROWS = 100
SQL_PREFETCH_BYTES = 16000
SQL_QUERY_TIMEOUT = 0
SQL_TXN_TIMEOUT = 0

[VDB]
ArrayOptimization = 0
NumArrayParameters = 10
VDBDisconnectTimeout = 1000
KeepConnectionOnFixedThread = 0

[Replication]
ServerName = db
ServerEnable = 1
QueueMax = 50000

[URIQA]
DynamicLocal = 0
DefaultHost = {host}:{http_port}

[SPARQL]
ResultSetMaxRows = 100000
MaxQueryCostEstimationTime = 400
MaxQueryExecutionTime = 60
DefaultQuery = select distinct ?Concept where {{[] a ?Concept}} LIMIT 100
DeferInferenceRulesInit = 0
"""

#: Virtuoso's built-in administrator (member of SPARQL_UPDATE), as in every fresh database.
VIRTUOSO_USER, VIRTUOSO_PASSWORD = "dba", "dba"


def virtuoso_binary() -> str | None:
    return shutil.which("virtuoso-t")


def start_virtuoso(folder: Path) -> Server:
    """Virtuoso open source (Debian's ``virtuoso-opensource``) with a fresh database in ``folder``.

    SQL and HTTP ports are bound to 127.0.0.1. Skips (with the reason) where it is not installed.
    """
    binary = virtuoso_binary()
    if binary is None:
        pytest.skip(
            "Virtuoso is not installed (no virtuoso-t on PATH; .ci/run installs the Debian package virtuoso-opensource)"
        )
    folder.mkdir(parents=True, exist_ok=True)
    sql_port, http_port = free_port(), free_port()
    ini = folder / "virtuoso.ini"
    ini.write_text(VIRTUOSO_INI.format(dir=folder, host=HOST, sql_port=sql_port, http_port=http_port))
    log = folder / "virtuoso.out"
    process = _spawn("virtuoso", [binary, "+foreground", "+configfile", str(ini)], log, cwd=folder)
    server = Server(
        "virtuoso", process, f"http://{HOST}:{http_port}", log, stop_timeout=30, extra={"sql_port": str(sql_port)}
    )
    server.wait_ready(f"{server.base}/sparql?query=ASK%7B%7D", timeout=120)
    return server


# -- the fault proxy ---------------------------------------------------------------------------


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def graph(self) -> str | None:
        from urllib.parse import parse_qs

        return (parse_qs(urlsplit(self.path).query).get("graph") or [None])[0]


#: What the proxy does with a request: None = forward it; "drop" = close the connection without an
#: answer; ("sleep", s) = wait s seconds, then drop; ("status", code, text) = answer that itself;
#: ("forward", body) = forward it with this body instead (a server that loses part of what it acknowledges).
Fault = Callable[[Request], object]


class FaultProxy:
    """An HTTP proxy on 127.0.0.1 in front of a real server, injecting faults chosen by ``fault``.

    This is a fault injector, not a mock: every request it lets through is answered by the real
    server behind it. Optional ``basic_auth=(user, password)`` makes it demand basic auth before forwarding
    writes (``protect="writes"``, as the reverse proxy in Oxigraph's README does) or every request
    (``protect="all"``).
    """

    def __init__(
        self,
        upstream: str,
        fault: Fault | None = None,
        *,
        basic_auth: tuple[str, str] | None = None,
        protect: str = "writes",
    ) -> None:
        self.upstream = urlsplit(upstream)
        self.fault = fault or (lambda request: None)
        self.basic_auth = basic_auth
        self.protect = protect
        self.closed = False
        self.requests: list[Request] = []
        self.lock = threading.Lock()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                pass

            def _handle(self) -> None:
                request = Request(self.command, self.path, dict(self.headers.items()), self._body())
                with proxy.lock:
                    proxy.requests.append(request)
                if proxy.basic_auth and proxy._protected(request) and not proxy._authorised(request):
                    self._answer(
                        401,
                        b"401 Unauthorized: wrong or missing credentials\n",
                        {"WWW-Authenticate": 'Basic realm="kg-test"'},
                    )
                    return
                action = proxy.fault(request)
                if action == "drop":
                    self._drop()
                    return
                if isinstance(action, tuple) and action[0] == "sleep":
                    time.sleep(action[1])
                    self._drop()
                    return
                if isinstance(action, tuple) and action[0] == "status":
                    self._answer(action[1], action[2].encode())
                    return
                if isinstance(action, tuple) and action[0] == "forward":
                    request = Request(request.method, request.path, request.headers, action[1])
                self._forward(request)

            do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _handle

            def _body(self) -> bytes:
                """The whole request body: Content-Length bytes, or the chunks of a chunked one (kg load streams)."""
                if self.headers.get("Transfer-Encoding", "").lower() != "chunked":
                    length = int(self.headers.get("Content-Length") or 0)
                    return self.rfile.read(length) if length else b""
                chunks = []
                while size := int(self.rfile.readline().split(b";")[0].strip(), 16):
                    chunks.append(self.rfile.read(size))
                    self.rfile.readline()  # the CRLF after each chunk
                while self.rfile.readline() not in (b"\r\n", b"\n", b""):  # trailers, then the final CRLF
                    pass
                return b"".join(chunks)

            def _drop(self) -> None:
                self.close_connection = True
                with contextlib.suppress(OSError):
                    self.connection.shutdown(socket.SHUT_RDWR)

            def _answer(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
                self.send_response(status)
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _forward(self, request: Request) -> None:
                connection = http.client.HTTPConnection(proxy.upstream.hostname, proxy.upstream.port, timeout=60)
                headers = {
                    k: v
                    for k, v in request.headers.items()
                    if k.lower() not in ("host", "connection", "authorization", "content-length", "transfer-encoding")
                }
                try:
                    connection.request(request.method, request.path, body=request.body or None, headers=headers)
                    response = connection.getresponse()
                    data = response.read()
                finally:
                    connection.close()
                passed = {
                    k: v
                    for k, v in response.getheaders()
                    if k.lower() not in ("transfer-encoding", "connection", "content-length")
                }
                self._answer_raw(response.status, data, passed)

            def _answer_raw(self, status: int, body: bytes, headers: dict[str, str]) -> None:
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer((HOST, 0), Handler)
        self.server.daemon_threads = True
        self.base = f"http://{HOST}:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def _protected(self, request: Request) -> bool:
        return (
            self.protect == "all"
            or request.method in ("PUT", "POST", "DELETE")
            and urlsplit(request.path).path in ("/store", "/update")
        )

    def _authorised(self, request: Request) -> bool:
        import base64

        header = next((v for k, v in request.headers.items() if k.lower() == "authorization"), "")
        expected = "Basic " + base64.b64encode(":".join(self.basic_auth or ("", "")).encode()).decode()
        return header == expected

    def writes(self) -> list[Request]:
        return [r for r in self.requests if r.method in ("PUT", "POST") and urlsplit(r.path).path.endswith("/store")]

    def close(self) -> None:
        """Stop listening: later connections are refused. Safe to call twice, and from a handler."""
        with self.lock:
            if self.closed:
                return
            self.closed = True
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self) -> FaultProxy:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def kg_env(**extra: str) -> dict[str, str]:
    """The environment for a ``kg`` subprocess: this interpreter's path, no inherited endpoint secrets."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("KG_ENDPOINT_")}
    env["PYTHONPATH"] = os.pathsep.join(sys.path)
    env.update(extra)
    return env
