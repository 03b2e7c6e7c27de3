"""``kg serve``: the embedded store as a read-only SPARQL endpoint on 127.0.0.1.

Why a small standard-library server over pyoxigraph, not ``oxigraph serve-read-only``:

* the store is written by pyoxigraph; reading it with the *same* library guarantees the on-disk
  format matches (the ``oxigraph`` CLI is a separate 22 MB binary whose version would have to be kept in
  lock-step, and it would become a runtime dependency instead of a test-only one);
* queries see the union of all named graphs exactly as ``kg query`` does (the same
  ``use_default_graph_as_union`` call), so a remote ``kg query --endpoint`` gives the same answers;
* it is read-only twice over: the store is opened read-only, and only the SPARQL query operation
  exists (no update, no graph store); it listens on 127.0.0.1 only, and cross-origin requests (e.g.
  YASGUI on a web page) are allowed only with ``--cors``.

It speaks the SPARQL 1.1 Protocol query operation: ``GET /query?query=...``, ``POST /query`` as a
form (``query=...``) or with an ``application/sparql-query`` body, with optional ``default-graph-uri``
and ``named-graph-uri``; results as SPARQL JSON (default), XML, CSV or TSV, graphs (CONSTRUCT,
DESCRIBE) as N-Triples (default), Turtle or RDF/XML, chosen by the ``Accept`` header. ``/sparql`` is
an alias of ``/query``.

The store is opened read-only: it sees the data as it was when the server started. Ingesting while
it runs is not supported (pyoxigraph calls it undefined behaviour); restart ``kg serve`` afterwards.
With ``--in-memory`` it serves a copy read into memory at start-up instead: whole-corpus reports
answer 4-5x faster, for about 420 bytes of memory per quad.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pyoxigraph as ox

from kg import __version__
from kg.errors import StoreError
from kg.store import EmbeddedStore

HOST = "127.0.0.1"
MAX_BODY = 1_000_000  # bytes: a query, not a data upload
QUERY_PATHS = ("/query", "/sparql")

_RESULT_TYPES = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "application/xml": ox.QueryResultsFormat.XML,
    "text/csv": ox.QueryResultsFormat.CSV,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
_GRAPH_TYPES = {
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
}


def _negotiate(accept: str, choices: Mapping[str, object], default: str) -> str | None:
    """The first media type of ``accept`` (by q, then order) we can produce; None if none fits."""
    if not accept.strip():
        return default
    ranked: list[tuple[float, int, str]] = []
    for index, part in enumerate(accept.split(",")):
        media, *params = [p.strip() for p in part.split(";")]
        q = 1.0
        for param in params:
            if param.startswith("q="):
                try:
                    q = float(param[2:])
                except ValueError:
                    q = 0.0
        if q > 0:
            ranked.append((-q, index, media.lower()))
    for _, _, media in sorted(ranked):
        if media in choices:
            return media
        if media in ("*/*", "application/*", "text/*"):
            return default
    return None


class SparqlHandler(BaseHTTPRequestHandler):
    """One request against the read-only store. ``server.store`` and ``server.cors`` are set by :func:`make_server`."""

    server: ThreadingHTTPServer
    server_version = f"positions-kg/{__version__}"
    protocol_version = "HTTP/1.1"

    # -- HTTP verbs ------------------------------------------------------------------------------

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        if url.path in ("", "/"):
            self._send(
                HTTPStatus.OK,
                "text/plain; charset=utf-8",
                (
                    f"Positions KG read-only SPARQL endpoint.\nQuery it at http://{HOST}:{self.server.server_port}"
                    "/query (SPARQL 1.1 Protocol, GET or POST).\n"
                ).encode(),
            )
            return
        if url.path not in QUERY_PATHS:
            self._problem(HTTPStatus.NOT_FOUND, f"no such path {url.path}; the SPARQL endpoint is /query")
            return
        self._query(parse_qs(url.query, keep_blank_values=True))

    def do_HEAD(self) -> None:
        self._problem(HTTPStatus.METHOD_NOT_ALLOWED, "use GET or POST")

    def do_POST(self) -> None:
        url = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            self._problem(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, f"request body over {MAX_BODY} bytes")
            return
        body = self.rfile.read(length) if length else b""
        if url.path not in QUERY_PATHS:
            status = HTTPStatus.FORBIDDEN if url.path in ("/update", "/store", "/data") else HTTPStatus.NOT_FOUND
            self._problem(status, "this endpoint is read-only: it answers SPARQL queries at /query only")
            return
        params = parse_qs(url.query, keep_blank_values=True)
        kind = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        try:
            if kind == "application/x-www-form-urlencoded":
                for name, values in parse_qs(body.decode("utf-8"), keep_blank_values=True).items():
                    params.setdefault(name, []).extend(values)
            elif kind == "application/sparql-query":
                params["query"] = [body.decode("utf-8")]
            elif kind == "application/sparql-update" or "update" in params:
                self._problem(HTTPStatus.FORBIDDEN, "this endpoint is read-only: updates are refused")
                return
            else:
                self._problem(
                    HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
                    "send application/x-www-form-urlencoded or application/sparql-query",
                )
                return
        except UnicodeDecodeError:
            self._problem(HTTPStatus.BAD_REQUEST, "the request body is not UTF-8")
            return
        if "update" in params:
            self._problem(HTTPStatus.FORBIDDEN, "this endpoint is read-only: updates are refused")
            return
        self._query(params)

    def do_OPTIONS(self) -> None:
        self.send_response(HTTPStatus.NO_CONTENT)
        self.send_header("Allow", "GET, POST, OPTIONS")
        self._cors_headers()
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_PUT(self) -> None:
        self._problem(HTTPStatus.METHOD_NOT_ALLOWED, "this endpoint is read-only")

    do_DELETE = do_PATCH = do_PUT

    # -- the query operation -------------------------------------------------------------------

    def _query(self, params: dict[str, list[str]]) -> None:
        queries = params.get("query", [])
        if len(queries) != 1 or not queries[0].strip():
            self._problem(HTTPStatus.BAD_REQUEST, "give exactly one 'query' parameter")
            return
        try:
            default_graphs = [ox.NamedNode(g) for g in params.get("default-graph-uri", [])]
            named_graphs = [ox.NamedNode(g) for g in params.get("named-graph-uri", [])]
        except ValueError as err:
            self._problem(HTTPStatus.BAD_REQUEST, f"a default-graph-uri or named-graph-uri is not an IRI: {err}")
            return
        try:
            options: dict[str, object] = {}
            if default_graphs:
                options["default_graph"] = default_graphs
            else:
                options["use_default_graph_as_union"] = True
            if named_graphs:
                options["named_graphs"] = named_graphs
            result = self.server.store.query(queries[0], **options)  # type: ignore[attr-defined]
            accept = self.headers.get("Accept") or ""
            if isinstance(result, ox.QueryTriples):
                media = _negotiate(accept, _GRAPH_TYPES, "application/n-triples")
                if media is None:
                    self._problem(HTTPStatus.NOT_ACCEPTABLE, f"cannot answer with {accept}")
                    return
                data = result.serialize(format=_GRAPH_TYPES[media])
            else:
                media = _negotiate(accept, _RESULT_TYPES, "application/sparql-results+json")
                if media is None:
                    self._problem(HTTPStatus.NOT_ACCEPTABLE, f"cannot answer with {accept}")
                    return
                data = result.serialize(format=_RESULT_TYPES[media])
        except SyntaxError as err:
            self._problem(HTTPStatus.BAD_REQUEST, f"the query does not parse: {err}")
            return
        except (OSError, ValueError) as err:
            self._problem(HTTPStatus.INTERNAL_SERVER_ERROR, f"the store failed to answer: {err}")
            return
        self._send(HTTPStatus.OK, f"{media}; charset=utf-8", data or b"")

    # -- responses -----------------------------------------------------------------------------

    def _cors_headers(self) -> None:
        if getattr(self.server, "cors", False):
            self.send_header("Access-Control-Allow-Origin", "*")
            self.send_header("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
            self.send_header("Access-Control-Allow-Headers", "Content-Type, Accept")

    def _send(self, status: HTTPStatus, content_type: str, data: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self._cors_headers()
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def _problem(self, status: HTTPStatus, message: str) -> None:
        self._send(status, "text/plain; charset=utf-8", (message.strip() + "\n").encode("utf-8"))

    def log_message(self, format: str, *args: object) -> None:
        log = getattr(self.server, "log", None)
        if log:
            log(f"{self.address_string()} {format % args}")


class SparqlServer(ThreadingHTTPServer):
    daemon_threads = True
    store: ox.Store
    cors: bool
    log: Callable[[str], None] | None


def make_server(
    location: Path | str | None,
    port: int = 0,
    *,
    cors: bool = False,
    in_memory: bool = False,
    log: Callable[[str], None] | None = None,
) -> SparqlServer:
    """A server bound to 127.0.0.1:``port`` (0 = any free port), not yet serving.

    ``in_memory`` serves a snapshot read into memory at start-up (see :class:`EmbeddedStore`):
    whole-corpus reports answer several times faster, at the cost of the copy and its memory.
    """
    store = EmbeddedStore(location, read_only=True, in_memory=in_memory).oxigraph
    try:
        server = SparqlServer((HOST, port), SparqlHandler)
    except OSError as err:
        raise StoreError(f"cannot listen on {HOST}:{port}: {err}") from err
    server.store, server.cors, server.log = store, cors, log
    return server


def serve_in_thread(server: SparqlServer) -> threading.Thread:
    """Serve in a daemon thread (for tests and notebooks); stop with ``server.shutdown()``."""
    thread = threading.Thread(target=server.serve_forever, name="kg-serve", daemon=True)
    thread.start()
    return thread


def endpoint_url(server: SparqlServer) -> str:
    return f"http://{HOST}:{server.server_port}/query"


def main_loop(server: SparqlServer) -> None:
    """Serve until interrupted (Ctrl-C or SIGTERM)."""
    import signal

    def stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        server.server_close()
