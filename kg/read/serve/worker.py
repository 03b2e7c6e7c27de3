"""A query worker: a separate process that owns a read-only view of the store and answers jobs.

The server never runs the engine itself. Each worker is started as
``main([FD, LOCATION, '--in-memory'?])`` in a new Python process with one end of a socket pair as FD; it
opens the store, says ``ready``, then answers one job at a time. Frames are a 4-byte big-endian
length and a pickle (both ends are this package; nothing from a client is unpickled). A job is a
name from :data:`JOBS` and its keyword arguments; the answer is a :class:`Reply`.

Why a process: a query cannot be stopped from outside once Oxigraph runs it, and a query that
crashes the engine (a stack overflow in its parser) takes its process down. The server kills a
worker whose query ran past its time limit or whose client went away, and replaces any worker that
dies; the server itself stays up. Ctrl-C goes to the server, which stops its workers: a worker
ignores SIGINT, and exits when its socket closes (its server is gone).
"""

from __future__ import annotations

import io
import pickle
import signal
import socket
import struct
import sys
from collections.abc import Callable
from datetime import date
from typing import Any

import pyoxigraph as ox

from kg.errors import KgError
from kg.read.serve import describe, pages
from kg.read.serve.protocol import GRAPH_TYPES, RESULT_TYPES, Reply, negotiate
from kg.store import EmbeddedStore

HEADER = struct.Struct(">I")


class AnswerTooLarge(Exception):
    """Raised by :class:`CappedAnswer` as soon as the answer passes its cap."""


class CappedAnswer(io.BytesIO):
    """Where Oxigraph writes an answer: it stops the writing once ``cap`` bytes are passed, so a
    query over the whole store costs at most the cap in this worker (and in the server), not the
    whole answer three times over (written, sent, answered)."""

    def __init__(self, cap: int) -> None:
        super().__init__()
        self.cap = cap

    def write(self, data: Any, /) -> int:
        if self.tell() + memoryview(data).nbytes > self.cap:
            raise AnswerTooLarge
        return super().write(data)


def read_frame(sock: socket.socket) -> Any:
    header = _read_exactly(sock, HEADER.size)
    if header is None:
        return None
    body = _read_exactly(sock, HEADER.unpack(header)[0])
    return None if body is None else pickle.loads(body)


def write_frame(sock: socket.socket, item: object) -> None:
    body = pickle.dumps(item, protocol=pickle.HIGHEST_PROTOCOL)
    sock.sendall(HEADER.pack(len(body)) + body)


def _read_exactly(sock: socket.socket, size: int) -> bytes | None:
    chunks = bytearray()
    while len(chunks) < size:
        chunk = sock.recv(min(size - len(chunks), 1 << 20))
        if not chunk:
            return None
        chunks += chunk
    return bytes(chunks)


# -- jobs ----------------------------------------------------------------------------------------


def query_job(
    store: EmbeddedStore,
    *,
    query: str,
    accept: str,
    default_graphs: list[str],
    named_graphs: list[str],
    max_answer: int,
) -> Reply:
    """A SPARQL query over the union of the named graphs (or the given dataset), in the accepted format,
    if its answer is at most ``max_answer`` bytes."""
    options: dict[str, object] = {}
    if default_graphs:
        options["default_graph"] = [ox.NamedNode(g) for g in default_graphs]
    else:
        options["use_default_graph_as_union"] = True
    if named_graphs:
        options["named_graphs"] = [ox.NamedNode(g) for g in named_graphs]
    try:
        result = store.oxigraph.query(query, **options)  # type: ignore[arg-type]
        answer = CappedAnswer(max_answer)
        if isinstance(result, ox.QueryTriples):
            media = negotiate(accept, GRAPH_TYPES, "application/n-triples")
            if media is None:
                return Reply.text(406, f"cannot answer with {accept}")
            result.serialize(answer, format=GRAPH_TYPES[media])
        else:
            media = negotiate(accept, RESULT_TYPES, "application/sparql-results+json")
            if media is None:
                return Reply.text(406, f"cannot answer with {accept}")
            result.serialize(answer, format=RESULT_TYPES[media])
    except AnswerTooLarge:
        return Reply.text(
            400,
            f"the answer is over {max_answer // 2**20} MiB (kg serve --max-answer-mb sets the limit); "
            "add a LIMIT or narrow the query, or use kg export for whole graphs",
        )
    except SyntaxError as err:
        return Reply.text(400, f"the query does not parse: {err}")
    except (OSError, ValueError) as err:
        return Reply.text(500, f"the store failed to answer: {err}")
    return Reply(200, f"{media}; charset=utf-8", answer.getvalue())


def describe_job(store: EmbeddedStore, *, iri: str, media: str) -> Reply:
    return describe.answer(store, iri, media)


def report_job(
    store: EmbeddedStore,
    *,
    actors: tuple[str, ...],
    context: str | None,
    date_from: date | None,
    date_to: date | None,
) -> Reply:
    from kg.read.report import render_report

    page = render_report(store, actors=actors, context=context, date_from=date_from, date_to=date_to, filter_form=True)
    return Reply(200, "text/html; charset=utf-8", page.encode("utf-8"))


def search_job(store: EmbeddedStore, *, text: str, actor: str | None, kind: str | None) -> Reply:
    from kg.read.search import render_hits_html, search

    hits = search(store, text, actor=actor, kind=kind)
    body = pages.search_form(text, actor or "", kind or "") + render_hits_html(hits, text)
    return Reply(200, "text/html; charset=utf-8", pages.page(f"Search: {text}", body).encode("utf-8"))


JOBS: dict[str, Callable[..., Reply]] = {
    "query": query_job,
    "describe": describe_job,
    "report": report_job,
    "search": search_job,
}


def run(job: str, store: EmbeddedStore, arguments: dict[str, Any]) -> Reply:
    """One job; an error in it becomes an answer (a 400 for bad input, else a 500), never a dead worker."""
    try:
        return JOBS[job](store, **arguments)
    except (ValueError, LookupError, KgError) as err:
        return Reply.text(400, str(err))
    except Exception as err:  # a bug in a view must not cost the worker; the client is told
        return Reply.text(500, f"the server failed on this request: {type(err).__name__}: {err}")


def warm_up() -> None:
    """Import the views, build the report's inline Vega bundle and read the shipped vocabulary for
    the /id/ pages now (seconds, once per process), not inside a client's time limit."""
    import kg.read.search  # noqa: F401
    from kg.read.report_charts import vega_script
    from kg.read.serve.describe import shipped

    vega_script()
    shipped()


def die_with_parent() -> None:
    """On Linux, be killed when the server dies, even mid-query (a closed socket is only seen between jobs)."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass  # elsewhere: the worker exits at its next read of the socket


def main(argv: list[str]) -> int:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    die_with_parent()
    fd, location, *flags = argv
    sock = socket.socket(fileno=int(fd))
    try:
        store = EmbeddedStore(location, read_only=True, in_memory="--in-memory" in flags)
    except KgError as err:
        write_frame(sock, ("failed", str(err)))
        return 3
    warm_up()
    write_frame(sock, ("ready", None))
    while (request := read_frame(sock)) is not None:
        job, arguments = request
        write_frame(sock, run(job, store, arguments))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
