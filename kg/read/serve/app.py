"""The routes of ``kg serve`` (a Starlette application): SPARQL protocol, dereferencing, web pages.

Every route that touches the store hands a job to the worker pool (:mod:`kg.read.serve.pool`), so
each one runs with the time limit, is stopped when its client goes away, and cannot take the server
down. Routes that do not touch the store (home, editor, static files) answer from here.

=================================  ===========================================================
``GET|POST /query`` (``/sparql``)  SPARQL 1.1 Protocol query operation, read-only
``/`` , ``/query-editor``          home page, SPARQL query editor (offline, our own script)
``/report``, ``/search``           the analyst views (``kg.read.report``, ``kg.read.search``), each
                                   page computed once (:mod:`kg.read.serve.views`)
``/id/...``, ``/ontology``,        the project's IRIs dereferenced: HTML, Turtle, JSON-LD
``/vocab/...``
``/status``                        the pool's state and counters (JSON)
=================================  ===========================================================

Anything else is a 404 naming the routes; files are served only from a fixed list, never by path.
"""

from __future__ import annotations

import asyncio
import importlib.util
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from importlib.resources import files
from typing import Any
from urllib.parse import parse_qs

import pyoxigraph as ox
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from kg.read.serve import pages
from kg.read.serve.pool import ClientGone, Overloaded, TimedOut, WorkerCrashed, WorkerPool
from kg.read.serve.protocol import DESCRIBE_TYPES, Refused, Reply, check_query, negotiate
from kg.read.serve.views import Preparing, ViewCache
from kg.terms import BASE

RETRY_AFTER = "2"  # seconds: a short query takes well under that; a client retrying sooner meets the same queue
PREPARING_RETRY_AFTER = "20"  # seconds: a view past the time limit is a large one
STATIC = {  # name -> media type; nothing outside this list is ever served from the package
    "editor.js": "text/javascript; charset=utf-8",
}
MAX_SEARCH_TEXT = 500  # characters


@dataclass(frozen=True)
class Settings:
    """What an operator can set from ``kg serve``'s flags (defaults are the documented ones)."""

    time_limit: float = 30.0
    read_timeout: float = 10.0
    max_body: int = 1_000_000  # bytes: a query, not a data upload
    max_answer: int = 128 * 2**20  # bytes of one answer; past it the query is refused (400)
    cors: bool = False
    allowed_services: tuple[str, ...] = ()
    log: Callable[[str], None] | None = None
    prepare_limit: float = 600.0  # seconds a view's page may take, computed past its requests' time limit
    max_view_bytes: int = 256 * 2**20  # the views' pages kept, in all
    prepare_report: bool = True  # compute the unfiltered report as soon as the workers are up


#: The report's arguments with no filter (the page the server prepares at start).
UNFILTERED_REPORT: dict[str, Any] = {"actors": (), "context": None, "date_from": None, "date_to": None}


def build_app(pool: WorkerPool, settings: Settings) -> Starlette:
    """The application; ``app.state.views`` is its :class:`ViewCache` (the server prepares the report with it)."""
    routes = Routes(pool, settings)
    app = Starlette(
        routes=[
            Route("/", routes.home, methods=["GET"]),
            Route("/query", routes.query, methods=["GET", "POST", "OPTIONS"]),
            Route("/sparql", routes.query, methods=["GET", "POST", "OPTIONS"]),
            Route("/update", routes.read_only, methods=["GET", "POST", "PUT", "DELETE", "PATCH"]),
            Route("/store", routes.read_only, methods=["GET", "POST", "PUT", "DELETE", "PATCH"]),
            Route("/data", routes.read_only, methods=["GET", "POST", "PUT", "DELETE", "PATCH"]),
            Route("/query-editor", routes.editor, methods=["GET"]),
            Route("/static/{name}", routes.static, methods=["GET"]),
            Route("/favicon.ico", routes.no_icon, methods=["GET"]),
            Route("/report", routes.report, methods=["GET"]),
            Route("/search", routes.search, methods=["GET"]),
            Route("/status", routes.status, methods=["GET"]),
            Route("/ontology", routes.describe, methods=["GET"]),
            Route("/id/{rest:path}", routes.describe, methods=["GET"]),
            Route("/vocab/{rest:path}", routes.describe, methods=["GET"]),
        ],
        exception_handlers={HTTPException: routes.http_error},
    )
    app.state.views = routes.views
    return app


async def until_disconnected(request: Request) -> None:
    """Returns when the client has gone (the ASGI server reports it once the body has been read)."""
    while (await request.receive())["type"] != "http.disconnect":
        pass


class Routes:
    def __init__(self, pool: WorkerPool, settings: Settings) -> None:
        self.pool, self.settings = pool, settings
        self.views = ViewCache(pool, prepare_limit=settings.prepare_limit, max_bytes=settings.max_view_bytes)

    # -- the SPARQL protocol ---------------------------------------------------------------------

    async def query(self, request: Request) -> Response:
        if request.method == "OPTIONS":
            return self._cors(Response(status_code=204, headers={"Allow": "GET, POST, OPTIONS"}))
        try:
            params = await self._protocol_parameters(request)
            queries = params.get("query", [])
            if len(queries) != 1 or not queries[0].strip():
                raise Refused(400, "give exactly one 'query' parameter")
            check_query(queries[0], self.settings.allowed_services)
            for name in ("default-graph-uri", "named-graph-uri"):
                for value in params.get(name, []):
                    try:
                        ox.NamedNode(value)
                    except ValueError as err:
                        raise Refused(400, f"a {name} is not an IRI: {err}") from err
        except Refused as refused:
            return self._cors(self._text(refused.status, str(refused)))
        except ClientDisconnect:
            return Response(status_code=400)
        arguments = {
            "query": queries[0],
            "accept": request.headers.get("accept", ""),
            "default_graphs": params.get("default-graph-uri", []),
            "named_graphs": params.get("named-graph-uri", []),
            "max_answer": self.settings.max_answer,
        }
        return self._cors(await self._run(request, "query", arguments))

    async def _protocol_parameters(self, request: Request) -> dict[str, list[str]]:
        params = parse_qs(request.url.query, keep_blank_values=True)
        if request.method == "GET":
            return params
        body = await self._body(request)
        kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
        try:
            if kind == "application/x-www-form-urlencoded":
                for name, values in parse_qs(body.decode("utf-8"), keep_blank_values=True).items():
                    params.setdefault(name, []).extend(values)
            elif kind == "application/sparql-query":
                params["query"] = [body.decode("utf-8")]
            elif kind == "application/sparql-update" or "update" in params:
                raise Refused(403, "this endpoint is read-only: updates are refused")
            else:
                raise Refused(415, "send application/x-www-form-urlencoded or application/sparql-query")
        except UnicodeDecodeError as err:
            raise Refused(400, "the request body is not UTF-8") from err
        if "update" in params:
            raise Refused(403, "this endpoint is read-only: updates are refused")
        return params

    async def _body(self, request: Request) -> bytes:
        """The body, at most ``max_body`` bytes, all of it within ``read_timeout`` seconds."""
        limit = self.settings.max_body
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            raise Refused(413, f"request body over {limit} bytes")
        body = bytearray()
        try:
            async with asyncio.timeout(self.settings.read_timeout):
                async for chunk in request.stream():
                    body += chunk
                    if len(body) > limit:
                        raise Refused(413, f"request body over {limit} bytes")
        except TimeoutError as err:
            raise Refused(408, f"the request body did not arrive within {self.settings.read_timeout:g} s") from err
        return bytes(body)

    async def read_only(self, request: Request) -> Response:
        return self._text(403, "this endpoint is read-only: it answers SPARQL queries at /query only")

    # -- running a job ---------------------------------------------------------------------------

    async def _run(self, request: Request, job: str, arguments: dict[str, Any]) -> Response:
        return await self._answer(
            request,
            self.pool.run(job, arguments, time_limit=self.settings.time_limit, gone=until_disconnected(request)),
        )

    async def _view(self, request: Request, job: str, arguments: dict[str, Any]) -> Response:
        """An analyst view's page, from the views' cache (:mod:`kg.read.serve.views`)."""
        return await self._answer(
            request,
            self.views.page(
                job, arguments, time_limit=self.settings.time_limit, gone=lambda: until_disconnected(request)
            ),
        )

    async def _answer(self, request: Request, answering: Awaitable[Reply]) -> Response:
        started = time.monotonic()
        try:
            reply = await answering
        except Preparing:
            reply = Reply.text(
                503,
                "this view is still being prepared (a large store's report takes a minute or more); "
                f"it goes on without you: retry in {PREPARING_RETRY_AFTER} s",
                **{"Retry-After": PREPARING_RETRY_AFTER},
            )
        except Overloaded:
            reply = Reply.text(
                503,
                "the server is busy (every worker is answering and the queue is full); retry shortly",
                **{"Retry-After": RETRY_AFTER},
            )
        except TimedOut:
            reply = Reply.text(
                503,
                f"the query was stopped at the time limit of {self.settings.time_limit:g} s "
                "(kg serve --time-limit sets it); narrow the query or add a LIMIT",
            )
        except ClientGone:
            reply = Reply.text(499, "the client went away; its query was stopped")
        except WorkerCrashed:
            reply = Reply.text(500, "the query engine crashed on this request; the server replaced it and goes on")
        if self.settings.log:
            self.settings.log(
                f'{request.client.host if request.client else "-"} "{request.method} {request.url.path}" '
                f"{reply.status} {len(reply.body)} {1000 * (time.monotonic() - started):.0f} ms"
            )
        return Response(reply.body, status_code=reply.status, media_type=reply.media_type, headers=reply.headers)

    # -- pages -----------------------------------------------------------------------------------

    async def home(self, request: Request) -> Response:
        endpoint = f"{request.base_url}query"
        if "text/html" in request.headers.get("accept", ""):
            return HTMLResponse(pages.home(endpoint))
        return PlainTextResponse(
            f"Positions KG read-only SPARQL endpoint.\nQuery it at {endpoint} (SPARQL 1.1 Protocol, GET or POST).\n"
        )

    async def editor(self, request: Request) -> Response:
        return HTMLResponse(pages.editor())

    async def static(self, request: Request) -> Response:
        name = request.path_params["name"]
        if name not in STATIC:
            raise HTTPException(404)
        data = files("kg.read.serve").joinpath("static", name).read_bytes()
        return Response(data, media_type=STATIC[name], headers={"Cache-Control": "max-age=3600"})

    async def no_icon(self, request: Request) -> Response:
        """Browsers ask for it on every page (the report's too); 204 rather than a 404 in their console."""
        return Response(status_code=204)

    async def report(self, request: Request) -> Response:
        if importlib.util.find_spec("kg.read.report") is None:
            return self._unavailable("Report", "the report view (kg.read.report) is not part of this installation yet")
        query = request.query_params
        try:
            dates = {name: _date(query.get(name), name) for name in ("from", "to")}
        except Refused as refused:
            return HTMLResponse(pages.problem("Report", str(refused)), status_code=refused.status)
        arguments = {
            # one actor per field, or several in one field, comma-separated (the page's form)
            "actors": tuple(a.strip() for field in query.getlist("actor") for a in field.split(",") if a.strip()),
            "context": query.get("context") or None,
            "date_from": dates["from"],
            "date_to": dates["to"],
        }
        return self._page(await self._view(request, "report", arguments), "Report")

    async def search(self, request: Request) -> Response:
        text = request.query_params.get("q", "")
        if not text.strip():
            return HTMLResponse(pages.page("Search", pages.search_form()))
        if len(text) > MAX_SEARCH_TEXT:
            return HTMLResponse(
                pages.problem("Search", f"the search text is {len(text)} characters; at most {MAX_SEARCH_TEXT}"),
                status_code=400,
            )
        if importlib.util.find_spec("kg.read.search") is None:
            return self._unavailable("Search", "text search (kg.read.search) is not part of this installation yet")
        arguments = {
            "text": text,
            "actor": request.query_params.get("actor") or None,
            "kind": request.query_params.get("kind") or None,
        }
        return self._page(await self._view(request, "search", arguments), "Search")

    async def describe(self, request: Request) -> Response:
        raw_path = request.scope.get("raw_path") or request.url.path.encode()
        iri = BASE + raw_path.decode("latin-1").lstrip("/")
        try:
            ox.NamedNode(iri)
        except ValueError:
            raise HTTPException(404) from None
        accept = request.headers.get("accept", "")
        media = negotiate(accept, DESCRIBE_TYPES, "text/html")
        if media is None:
            return self._text(406, f"cannot answer with {accept}; try text/html, text/turtle or application/ld+json")
        response = await self._run(request, "describe", {"iri": iri, "media": DESCRIBE_TYPES[media]})
        response.headers["Vary"] = "Accept"
        return self._page(response, "Not found") if DESCRIBE_TYPES[media] == "html" else response

    async def status(self, request: Request) -> Response:
        pool = self.pool
        return JSONResponse(
            {
                "workers": pool.pids(),
                "busy": pool.busy,
                "waiting": pool.waiting,
                "queue_limit": pool.queue_limit,
                "time_limit_seconds": self.settings.time_limit,
                "counters": vars(pool.counters),
                "views": vars(self.views.counters) | {"preparing": self.views.preparing},
            }
        )

    # -- responses -------------------------------------------------------------------------------

    async def http_error(self, request: Request, error: Exception) -> Response:
        status = error.status_code if isinstance(error, HTTPException) else 500
        if status == 404:
            message = (
                f"no such path {request.url.path}; the SPARQL endpoint is /query, the pages are /, "
                "/query-editor, /report, /search, and the project's IRIs are under /id/, /vocab/ and /ontology"
            )
        elif status == 405:
            message = f"{request.method} is not allowed on {request.url.path}"
        else:
            message = str(getattr(error, "detail", "error"))
        return self._cors(self._text(status, message))

    def _text(self, status: int, message: str) -> Response:
        return PlainTextResponse(message.strip() + "\n", status_code=status)

    def _page(self, response: Response, title: str) -> Response:
        """A failed page job as an HTML page (its message escaped); a good one as it is."""
        if response.status_code < 400 or not response.media_type or not response.media_type.startswith("text/plain"):
            return response
        body = bytes(response.body).decode("utf-8", "replace")
        # A view still being prepared: the browser comes back by itself when the server says to.
        retry = response.headers.get("Retry-After", "")
        refresh = int(retry) if response.status_code == 503 and retry.isdigit() else None
        return HTMLResponse(
            pages.problem(title, body, refresh=refresh), status_code=response.status_code, headers=_kept(response)
        )

    def _unavailable(self, title: str, message: str) -> Response:
        return HTMLResponse(pages.problem(title, message), status_code=503)

    def _cors(self, response: Response) -> Response:
        if self.settings.cors:
            response.headers["Access-Control-Allow-Origin"] = "*"
            response.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
            response.headers["Access-Control-Allow-Headers"] = "Content-Type, Accept"
        return response


def _date(text: str | None, name: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise Refused(400, f"{name}={text!r} is not a date; write it as YYYY-MM-DD") from None


def _kept(response: Response) -> dict[str, str]:
    return {k: v for k, v in response.headers.items() if k.lower() in ("retry-after", "vary")}
