"""The store as N-Quads requests (``kg load``'s dataset mode), serialised while they are sent."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pyoxigraph as ox
from rdflib import URIRef

from kg.store import EmbeddedStore


class DatasetStream:
    """The store's named graphs as N-Quads requests of up to ``size`` quads, serialised as they are sent.

    Requests follow :func:`~kg.remote.plan.layout`: a graph that fits in a request is never split; a larger one
    starts a request of its own and spans several. Graphs with blank nodes are held back and all go
    in one last request, so that every blank node keeps one label in one request.

    A request's body is a generator (sent with chunked transfer encoding), so Oxigraph parses and
    loads one graph while the next is read from the store: reading the store and loading on the
    server overlap, and no body is held in memory whatever the request size. Streaming a request
    again (a retry) sends the same quads: it restarts from where the request started.
    """

    def __init__(
        self, store: EmbeddedStore, graphs: list[URIRef], size: int, on_graph: Callable[[], None] = lambda: None
    ) -> None:
        self.store, self.graphs, self.size, self.on_graph = store, graphs, size, on_graph
        self.held: dict[URIRef, None] = {}  # graphs with blank nodes, in order
        self.announced: set[URIRef] = set()  # graphs counted in the progress bar already

    def requests(self) -> Iterator[Request]:
        """Successive requests; each must be sent (or drained) before the next is asked for."""
        position = (0, 0)
        while position[0] < len(self.graphs):
            request = Request(self, position)
            yield request
            position = request.drain()
        if self.held:
            yield Request(self, None)

    def _nquads(self, graph: URIRef) -> bytes:
        """``graph`` as N-Quads: Oxigraph writes its triples (in Rust), and the graph name goes before each
        line's final " ." (a line break inside a literal is escaped, so " .\\n" only ends lines)."""
        return self.store.ntriples_bytes(graph).replace(b" .\n", f" {graph.n3()} .\n".encode())

    def _finish(self, graph: URIRef) -> None:
        if graph not in self.announced:
            self.announced.add(graph)
            self.on_graph()

    def body(self, request: Request) -> Iterator[bytes]:
        """Stream ``request`` (from its start), recording what it carries and where the next one starts."""
        counts: dict[URIRef, int] = {}
        finished: list[URIRef] = []
        if request.start is None:  # the held-back graphs with blank nodes, together
            for graph in self.held:
                text = self._nquads(graph)
                yield text
                counts[graph] = text.count(b"\n")
                finished.append(graph)
                self._finish(graph)
            request.done(counts, finished, (len(self.graphs), 0))
            return
        index, skip = request.start
        room = self.size
        while index < len(self.graphs):
            graph = self.graphs[index]
            text = self._nquads(graph)
            if not skip and b"_:" in text and _has_blank_nodes(self.store, graph):
                self.held[graph] = None
                index += 1
                continue
            if skip:
                text = text[_line_end(text, skip) :]
            lines = text.count(b"\n")
            if lines > room and counts:
                break  # does not fit: it starts the next request
            if lines > room:  # larger than a whole request: this request carries its first ``room`` lines
                yield text[: _line_end(text, room)]
                counts[graph] = room
                request.done(counts, finished, (index, skip + room))
                return
            yield text
            counts[graph] = lines
            finished.append(graph)
            self._finish(graph)
            room -= lines
            index, skip = index + 1, 0
        request.done(counts, finished, (index, skip))


class Request:
    """One dataset request: where it starts (``None``: the held-back graphs) and, once streamed, what it carried."""

    def __init__(self, stream: DatasetStream, start: tuple[int, int] | None) -> None:
        self.stream, self.start = stream, start
        self.counts: dict[URIRef, int] = {}
        self.finished: list[URIRef] = []
        self.end: tuple[int, int] | None = None

    def body(self) -> Iterator[bytes]:
        return self.stream.body(self)

    def done(self, counts: dict[URIRef, int], finished: list[URIRef], end: tuple[int, int]) -> None:
        self.counts, self.finished, self.end = counts, finished, end

    def graphs(self) -> list[URIRef]:
        """The graphs this request carries (what fails with it)."""
        self.drain()
        return list(self.counts)

    def drain(self) -> tuple[int, int]:
        """Where the next request starts; when sending stopped part-way, stream the rest here, unsent."""
        if self.end is None:
            for _ in self.body():
                pass
        assert self.end is not None
        return self.end


def _line_end(body: bytes, lines: int) -> int:
    """The offset just after the ``lines``-th line of ``body``."""
    at = 0
    for _ in range(lines):
        at = body.index(b"\n", at) + 1
    return at


def _has_blank_nodes(store: EmbeddedStore, graph: URIRef) -> bool:
    """Exact check, run only when ``_:`` occurs in the graph's text (it may be inside a literal)."""
    return any(isinstance(t, ox.BlankNode) for q in store.quads(graph) for t in (q.subject, q.object))
