"""Load the store into a triplestore: whole-dataset N-Quads POSTs, or one graph at a time.

Three ways to send, chosen from the endpoints (:attr:`LoadPlan.mode`):

* ``dataset`` (a dataset endpoint plus an update endpoint; the Oxigraph preset): the server's named
  graphs are listed, the local graphs it already has are dropped (``DROP SILENT GRAPH``, many per
  update request) so that loading again *replaces* them, then the store is streamed as N-Quads
  (written by Oxigraph) in POSTs of up to ``batch_size`` quads, each body serialised graph by graph
  while it is sent (chunked transfer encoding), so the server loads while the store is read. A graph
  smaller than a request is never split; a larger one spans requests, which is safe because quads
  are a set (a retried request adds nothing twice). Graphs with blank nodes all go together in the
  last request (blank-node labels are scoped to one request).
* ``graph-store`` (SPARQL 1.1 Graph Store HTTP Protocol): one ``PUT ?graph=G`` per named graph with
  an N-Triples body, so loading again replaces each graph; a graph larger than the batch size is a
  PUT of the first batch and POSTs (merge) of the others. Connected blank nodes stay in one batch.
* ``update``: ``DROP SILENT GRAPH`` + ``INSERT DATA`` in one SPARQL Update request per graph batch.

All three share one request function: 5xx answers, timeouts and dropped connections are retried
with exponential backoff; other 4xx answers reject what the request carried (the server's message
is reported); a 401 or an unreachable server stops the load. Afterwards the triples of each graph
are counted on the server and compared with the local counts (in ``dataset`` mode with one grouped
query over the server's named graphs, against the counts of what was serialised).
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field

import pyoxigraph as ox
import requests
from rdflib import URIRef

from kg.errors import StoreError
from kg.remote.endpoints import (
    ENV_PASSWORD,
    ENV_TOKEN,
    ENV_USER,
    PRESETS,
    RETRY_STATUSES,
    USER_AGENT,
    Credentials,
    EndpointError,
    Endpoints,
    first_line,
    is_refused,
    network_problem,
)
from kg.remote.sparql import RemoteEndpoint
from kg.store import EmbeddedStore
from kg.terms import curie

#: Default request sizes. A dataset request is streamed (no body in memory) and each one pays a fixed
#: cost on the server (the end of a bulk load, while nothing is being read here), so they are large:
#: one request up to about 15,000 articles. A per-graph request is one graph unless the graph is huge.
DATASET_BATCH, GRAPH_BATCH = 5_000_000, 50_000
#: DROP SILENT GRAPH statements per update request when replacing graphs in ``dataset`` mode.
DROPS_PER_REQUEST = 1_000

# -- the plan ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class LoadOptions:
    batch_size: int | None = None  # None: DATASET_BATCH quads or GRAPH_BATCH triples, by mode
    retries: int = 3
    retry_delay: float = 1.0
    timeout: float = 120.0
    connect_timeout: float = 10.0
    verify: bool = True

    def __post_init__(self) -> None:
        if (
            (self.batch_size is not None and self.batch_size < 1)
            or self.retries < 0
            or self.retry_delay < 0
            or self.timeout <= 0
        ):
            raise EndpointError("--batch-size and --timeout must be positive, --retries and --retry-delay not negative")

    def size(self, mode: str) -> int:
        return self.batch_size or (DATASET_BATCH if mode == "dataset" else GRAPH_BATCH)


@dataclass(frozen=True)
class GraphPlan:
    graph: URIRef
    triples: int | None  # None: not counted in advance (dataset mode counts while serialising)
    batches: list[list[str]] = field(default_factory=list, repr=False)  # per-graph modes only


@dataclass
class LoadPlan:
    endpoints: Endpoints
    credentials: Credentials | None
    graphs: list[GraphPlan]
    options: LoadOptions
    store: EmbeddedStore | None = None  # dataset mode streams from it while loading

    @property
    def mode(self) -> str:
        return _mode(self.endpoints)

    @property
    def batch_count(self) -> int | None:
        """Requests that carry data (None in dataset mode when the graphs were not counted)."""
        if self.mode != "dataset":
            return sum(len(g.batches) for g in self.graphs)
        if any(g.triples is None for g in self.graphs):
            return None
        return len(_layout([(g.graph, g.triples or 0) for g in self.graphs], self.options.size("dataset")))

    @property
    def progress(self) -> tuple[int, str]:
        """The progress bar's total and unit: requests, or graphs in dataset mode."""
        if self.mode == "dataset":
            return len(self.graphs), "graph"
        return self.batch_count or 0, "request"

    def render(self) -> str:
        """The plan, for ``kg load --dry-run``: where to, how, and what (no secrets)."""
        e, size = self.endpoints, self.options.size(self.mode)
        how = {
            "dataset": f"N-Quads POSTs to {e.dataset} (up to {size} quads each); graphs already on the server "
            f"are dropped first via {e.update}",
            "graph-store": f"Graph Store Protocol at {e.graph_store} (PUT per graph, POST for further batches)",
            "update": f"SPARQL Update at {e.update} (DROP SILENT GRAPH + INSERT DATA per graph)",
        }[self.mode]
        verify = "one grouped count of triples per graph" if self.mode == "dataset" else "triple counts per graph"
        requests_count = self.batch_count
        triples = sum(g.triples or 0 for g in self.graphs)
        lines = [
            f"load plan ({e.preset.name + ' preset' if e.preset else 'no preset'}, {self.mode} mode)",
            f"  send:    {how}",
            f"  verify:  {verify} via {e.query}" if self.options.verify else "  verify:  no",
            f"  auth:    {self.credentials.describe() if self.credentials else 'none'}",
            f"  retries: {self.options.retries} (backoff from {self.options.retry_delay:g} s), "
            f"timeout {self.options.timeout:g} s, batches of up to {size} {'quads' if self.mode == 'dataset' else 'triples'}",
            (
                f"  graphs:  {len(self.graphs)}, {triples} triples, "
                f"{'?' if requests_count is None else requests_count} request(s)"
                + (" (plus the drops of graphs already on the server)" if self.mode == "dataset" else "")
            ),
        ]
        for g in self.graphs:
            requests_part = f"  {len(g.batches)} request(s)" if self.mode != "dataset" else ""
            lines.append(
                f"    {curie(g.graph):<48} {g.triples if g.triples is not None else '?':>8} triples{requests_part}"
            )
        return "\n".join(lines) + "\n"


def _mode(endpoints: Endpoints) -> str:
    if endpoints.dataset and endpoints.update:
        return "dataset"
    return "graph-store" if endpoints.graph_store else "update"


def plan_load(
    store: EmbeddedStore,
    endpoints: Endpoints,
    credentials: Credentials | None,
    options: LoadOptions | None = None,
    *,
    count: bool = True,
) -> LoadPlan:
    """What ``kg load`` would send: every named graph of the store, in IRI order.

    In ``dataset`` mode nothing is serialised yet (the load streams from ``store``, which must stay
    open); ``count=False`` skips counting each graph's triples in advance (only the dry run and the
    request count need them; the load counts what it serialises). In the per-graph modes the
    N-Triples batches are built here.
    """
    options = options or LoadOptions()
    if endpoints.dataset and not endpoints.update and not endpoints.graph_store:
        raise EndpointError(
            "--dataset needs --update too (to drop the graphs already on the server, so that "
            "loading again replaces them)"
        )
    if not endpoints.graph_store and not endpoints.update:
        raise EndpointError(
            "nowhere to load to: give --graph-store URL or --update URL, or a --preset "
            f"({', '.join(PRESETS)}) that implies them"
        )
    if _mode(endpoints) == "dataset":
        counts = _local_counts(store) if count else {}
        graphs = [GraphPlan(g, counts.get(g, 0) if count else None) for g in store.named_graphs()]
        return LoadPlan(endpoints, credentials, graphs, options, store)
    by_graph: dict[str, list[ox.Quad]] = defaultdict(list)
    for quad in store.quads():
        if isinstance(quad.graph_name, ox.NamedNode):
            by_graph[quad.graph_name.value].append(quad)
    size = options.size(_mode(endpoints))
    graphs = [GraphPlan(URIRef(name), len(quads), _batches(quads, size)) for name, quads in sorted(by_graph.items())]
    return LoadPlan(endpoints, credentials, graphs, options, store)


def _local_counts(store: EmbeddedStore) -> dict[URIRef, int]:
    result = store.select("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
    return {URIRef(str(g)): int(str(n)) for g, n in result.rows}


# -- per-graph batches (graph-store and update modes) ------------------------------------------


def _batches(quads: list[ox.Quad], size: int) -> list[list[str]]:
    """N-Triples lines in batches of up to ``size``; triples sharing blank nodes stay together."""
    plain: list[str] = []
    parent: dict[str, str] = {}

    def find(node: str) -> str:
        while parent.setdefault(node, node) != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    with_blanks: list[tuple[str, str]] = []
    for quad in quads:
        line = f"{quad.triple} ."
        blanks = [t.value for t in (quad.subject, quad.object) if isinstance(t, ox.BlankNode)]
        if not blanks:
            plain.append(line)
            continue
        for other in blanks[1:]:
            parent[find(other)] = find(blanks[0])
        with_blanks.append((blanks[0], line))
    groups: dict[str, list[str]] = defaultdict(list)
    for blank, line in with_blanks:
        groups[find(blank)].append(line)
    units = [[line] for line in sorted(plain)] + [sorted(g) for _, g in sorted(groups.items())]
    batches: list[list[str]] = [[]]
    for unit in units:
        if batches[-1] and len(batches[-1]) + len(unit) > size:
            batches.append([])
        batches[-1].extend(unit)
    return batches


# -- N-Quads requests (dataset mode) ------------------------------------------------------------


def _layout(sizes: Iterable[tuple[URIRef, int]], size: int) -> list[list[tuple[URIRef, int]]]:
    """How graphs of the given sizes fill requests of up to ``size`` quads (the rule :class:`_DatasetStream`
    follows): a graph that fits in a request is never split; a larger one starts a request of its own and
    spans several."""
    chunks: list[list[tuple[URIRef, int]]] = []
    room = 0
    for graph, n in sizes:
        if n > room:
            chunks.append([])
            room = size
        while n > room:  # only a graph larger than a whole request
            chunks[-1].append((graph, room))
            n -= room
            chunks.append([])
            room = size
        chunks[-1].append((graph, n))
        room -= n
    return chunks


class _DatasetStream:
    """The store's named graphs as N-Quads requests of up to ``size`` quads, serialised as they are sent.

    Requests follow :func:`_layout`: a graph that fits in a request is never split; a larger one
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

    def requests(self) -> Iterator[_Request]:
        """Successive requests; each must be sent (or drained) before the next is asked for."""
        position = (0, 0)
        while position[0] < len(self.graphs):
            request = _Request(self, position)
            yield request
            position = request.drain()
        if self.held:
            yield _Request(self, None)

    def _nquads(self, graph: URIRef) -> bytes:
        """``graph`` as N-Quads: Oxigraph writes its triples (in Rust), and the graph name goes before each
        line's final " ." (a line break inside a literal is escaped, so " .\\n" only ends lines)."""
        return self.store.ntriples_bytes(graph).replace(b" .\n", f" {graph.n3()} .\n".encode())

    def _finish(self, graph: URIRef) -> None:
        if graph not in self.announced:
            self.announced.add(graph)
            self.on_graph()

    def body(self, request: _Request) -> Iterator[bytes]:
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


class _Request:
    """One dataset request: where it starts (``None``: the held-back graphs) and, once streamed, what it carried."""

    def __init__(self, stream: _DatasetStream, start: tuple[int, int] | None) -> None:
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


# -- the report --------------------------------------------------------------------------------


@dataclass
class LoadReport:
    """What happened: graphs loaded, failed (with why), never attempted, and count differences."""

    loaded: list[URIRef] = field(default_factory=list)
    failed: dict[URIRef, str] = field(default_factory=dict)
    not_attempted: list[URIRef] = field(default_factory=list)
    aborted: str | None = None
    counts: dict[URIRef, tuple[int, int]] = field(default_factory=dict)  # graph -> (local, server)
    verify_error: str | None = None
    retries: int = 0
    requests: int = 0  # requests that carried data (dataset mode)

    @property
    def mismatches(self) -> dict[URIRef, tuple[int, int]]:
        return {g: c for g, c in self.counts.items() if c[0] != c[1]}

    @property
    def ok(self) -> bool:
        return not (self.failed or self.not_attempted or self.aborted or self.mismatches or self.verify_error)

    def render(self) -> str:
        lines: list[str] = []
        if self.aborted:
            lines.append(f"load stopped: {self.aborted}")
        lines += [f"FAILED   {curie(g)}: {why}" for g, why in self.failed.items()]
        lines += [f"NOT SENT {curie(g)}" for g in self.not_attempted]
        lines += [
            f"MISMATCH {curie(g)}: {local} triples here, {remote} on the server"
            for g, (local, remote) in self.mismatches.items()
        ]
        if self.verify_error:
            lines.append(f"could not verify the load: {self.verify_error}")
        not_loaded = len(self.failed) + len(self.not_attempted)
        verified = (
            ""
            if not self.counts
            else (f", {len(self.counts) - len(self.mismatches)} of {len(self.counts)} verified by triple counts")
        )
        lines.append(
            f"{len(self.loaded)} graph(s) loaded, {not_loaded} not loaded{verified}"
            + (f" ({self.retries} retried request(s))" if self.retries else "")
        )
        return "\n".join(lines) + "\n"

    def stop(self, why: str, remaining: Iterable[URIRef]) -> None:
        """The load cannot go on: say why, and list what was neither loaded nor failed as not sent."""
        self.aborted = why
        done = set(self.loaded) | set(self.failed)
        self.not_attempted = [g for g in remaining if g not in done]


# -- requests (shared by every mode) -----------------------------------------------------------


class _GaveUp(Exception):
    def __init__(self, problem: str, unreachable: bool) -> None:
        super().__init__(problem)
        self.unreachable = unreachable


class _Rejected(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"HTTP {status}: {message}" if message else f"HTTP {status}")
        self.status = status


class _CredentialsRefused(Exception):
    def __init__(self, url: str, status: int, message: str, credentials: Credentials | None) -> None:
        who = (
            credentials.describe()
            if credentials
            else f"no credentials were sent (set {ENV_USER}/{ENV_PASSWORD}, {ENV_TOKEN} or ~/.netrc)"
        )
        text = f"{url}: HTTP {status}: the server refused the credentials: {who}"
        super().__init__(text + (f"; the server says: {message}" if message else ""))


class _Sender:
    """One HTTP session; sends a request with retries and backoff, and says how it ended (exceptions)."""

    def __init__(self, plan: LoadPlan, log: Callable[[str], None], sleep: Callable[[float], None]) -> None:
        self.plan = plan
        self.options = plan.options
        self.log = log
        self.sleep = sleep
        self.session = requests.Session()
        self.session.headers["User-Agent"] = USER_AGENT
        self.auth = plan.credentials.requests_auth() if plan.credentials else None
        self.retried = 0

    def close(self) -> None:
        self.session.close()

    def request(
        self,
        method: str,
        url: str,
        body: bytes | Callable[[], Iterator[bytes]],
        content_type: str,
        what: str,
        params: dict[str, str] | None = None,
    ) -> None:
        """Send until a 2xx answer; raise :class:`_Rejected`, :class:`_GaveUp` or :class:`_CredentialsRefused`.

        ``body`` is the bytes to send, or a function giving a fresh stream of them for each attempt
        (sent with chunked transfer encoding).

        Retrying is safe for every request kg load sends: a PUT or a DROP + INSERT replaces, and a POST
        of quads adds a set (quads already there are not added twice).
        """
        delay = self.options.retry_delay
        attempts = self.options.retries + 1
        headers = {"Content-Type": content_type}
        for attempt in range(1, attempts + 1):
            unreachable = False
            try:
                data = body() if callable(body) else body
                response = self.session.request(
                    method,
                    url,
                    params=params,
                    data=data,
                    headers=headers,
                    auth=self.auth,
                    timeout=(self.options.connect_timeout, self.options.timeout),
                )
            except (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError) as err:
                timeout = (
                    self.options.connect_timeout if isinstance(err, requests.ConnectTimeout) else self.options.timeout
                )
                problem, unreachable = network_problem(err, timeout), is_refused(err)
            else:
                if response.status_code < 300:
                    return
                message = first_line(response.content)
                if response.status_code == 401:
                    raise _CredentialsRefused(url.split("?")[0], response.status_code, message, self.plan.credentials)
                if response.status_code not in RETRY_STATUSES:
                    raise _Rejected(response.status_code, message)
                problem = f"HTTP {response.status_code}" + (f": {message}" if message else "")
            if attempt == attempts:
                raise _GaveUp(f"{problem} (gave up after {attempts} attempts)", unreachable)
            self.retried += 1
            self.log(f"retrying {method} of {what} in {delay:g} s (attempt {attempt + 1} of {attempts}): {problem}")
            self.sleep(delay)
            delay *= 2


def _send_or_report(
    send: Callable[[], None],
    affected: Callable[[], list[URIRef]],
    report: LoadReport,
    remaining: Callable[[], Iterable[URIRef]],
    rejected: str = "the server rejected it",
) -> bool:
    """Run one request; on failure mark the graphs it carried, ``affected()``, failed (and stop the load if
    it cannot go on).

    True if the request succeeded. An unreachable server or refused credentials stop the load: every
    graph in ``remaining()`` that is neither loaded nor failed is listed as not sent.
    """
    try:
        send()
    except _Rejected as err:
        report.failed.update(dict.fromkeys(affected(), f"{rejected}: {err}"))
    except _GaveUp as err:
        report.failed.update({g: str(err) for g in affected()})
        if err.unreachable:
            report.stop(f"the server became unreachable ({err})", remaining())
    except _CredentialsRefused as err:
        report.failed.update(dict.fromkeys(affected(), "credentials refused"))
        report.stop(str(err), remaining())
    else:
        return True
    return False


# -- loading -----------------------------------------------------------------------------------


def load(
    plan: LoadPlan,
    *,
    progress: Callable[[int], None] | None = None,
    log: Callable[[str], None] | None = None,
    sleep: Callable[[float], None] = time.sleep,
    local_counts: Mapping[URIRef, int] | None = None,
) -> LoadReport:
    """Send every graph of ``plan``; then compare the server's triple counts with the local ones.

    Never raises for a graph's failure: the report lists what was loaded, what failed and why, what
    was not attempted. Raises :class:`StoreError` only when the server cannot be reached at all before
    anything is sent, so no graph is claimed as loaded.
    """
    log = log or (lambda message: None)
    progress = progress or (lambda n: None)
    endpoint = RemoteEndpoint(
        plan.endpoints, credentials=plan.credentials, timeout=plan.options.connect_timeout + plan.options.timeout
    )
    report = LoadReport()
    sender = _Sender(plan, log, sleep)
    try:
        if plan.mode == "dataset":
            on_server = _preflight(endpoint, list_graphs=True)
            sent = _load_dataset(plan, sender, report, on_server, progress, log)
        else:
            _preflight(endpoint, list_graphs=False)
            _load_per_graph(plan, sender, report, progress, log)
            sent = {g.graph: g.triples or 0 for g in plan.graphs}
    finally:
        report.retries = sender.retried
        sender.close()
    if plan.options.verify and not report.aborted:
        _verify(plan, endpoint, report, dict(local_counts) if local_counts else sent)
    return report


def _preflight(endpoint: RemoteEndpoint, list_graphs: bool) -> set[URIRef]:
    """Fail before sending anything if the server is not there or refuses us; the named graphs it has
    (when asked: dataset mode replaces those of them the store has)."""
    try:
        if not list_graphs:
            endpoint.ask("ASK {}")
            return set()
        result = endpoint.select("SELECT DISTINCT ?g WHERE { GRAPH ?g { } }")
        return {URIRef(str(row[0])) for row in result.rows if row[0] is not None}
    except StoreError as err:
        raise StoreError(f"nothing was loaded: {err}") from err


def _load_per_graph(
    plan: LoadPlan, sender: _Sender, report: LoadReport, progress: Callable[[int], None], log: Callable[[str], None]
) -> None:
    """One graph at a time: its batches as PUT + POSTs (graph store) or DROP + INSERT DATA (update)."""
    e = plan.endpoints
    graphs = [g.graph for g in plan.graphs]
    for item in plan.graphs:
        if report.aborted:
            break
        ok = True
        for index, batch in enumerate(item.batches):
            body = ("\n".join(batch) + "\n").encode("utf-8")
            if e.graph_store:
                method, url, params = ("PUT" if index == 0 else "POST"), e.graph_store, {"graph": str(item.graph)}
                content_type = "application/n-triples; charset=utf-8"
            else:
                method, url, params = "POST", e.update or "", None
                content_type = "application/sparql-update; charset=utf-8"
                drop = f"DROP SILENT GRAPH {item.graph.n3()} ;\n" if index == 0 else ""
                body = f"{drop}INSERT DATA {{ GRAPH {item.graph.n3()} {{\n".encode() + body + b"} }\n"

            def send(
                method: str = method,
                url: str = url,
                body: bytes = body,
                content_type: str = content_type,
                params: dict[str, str] | None = params,
                what: str = _curie(item.graph),
            ) -> None:
                sender.request(method, url, body, content_type, what, params=params)

            ok = _send_or_report(send, lambda item=item: [item.graph], report, lambda: graphs)  # type: ignore[misc]
            if not ok:
                break
            progress(1)
        if ok:
            report.loaded.append(item.graph)
            log(f"loaded   {_curie(item.graph)} ({item.triples} triples, {len(item.batches)} request(s))")


def _load_dataset(
    plan: LoadPlan,
    sender: _Sender,
    report: LoadReport,
    on_server: set[URIRef],
    progress: Callable[[int], None],
    log: Callable[[str], None],
) -> dict[URIRef, int]:
    """Drop the store's graphs the server already has, then POST the store as N-Quads in large requests.

    Returns the quads serialised per graph (what verification compares with). A graph whose old
    version could not be dropped is not sent (it is reported failed), so nothing stale is mixed in.
    """
    assert plan.store is not None, "dataset mode streams from the store"
    e = plan.endpoints
    graphs = [g.graph for g in plan.graphs]
    _drop(sender, e.update or "", [g for g in graphs if g in on_server], report, graphs, log)
    if report.aborted:
        return {}
    sent: dict[URIRef, int] = {}
    stream = _DatasetStream(
        plan.store,
        [g for g in graphs if g not in report.failed],
        plan.options.size("dataset"),
        on_graph=lambda: progress(1),
    )
    for number, request in enumerate(stream.requests(), 1):
        what = f"request {number}"
        ok = _send_or_report(
            lambda request=request, what=what: sender.request(
                "POST",
                e.dataset or "",
                request.body,  # type: ignore[misc]
                "application/n-quads",
                what,
            ),
            lambda request=request: [g for g in request.graphs() if g not in report.failed],  # type: ignore[misc]
            report,
            lambda: graphs,
        )
        for graph, n in request.counts.items():
            sent[graph] = sent.get(graph, 0) + n
        if report.aborted:
            break
        if ok:
            report.loaded.extend(g for g in request.finished if g not in report.failed)
            log(
                f"loaded   {what} ({sum(request.counts.values())} quads, {len(request.counts)} graph(s)): "
                f"{_span(list(request.counts))}"
            )
        report.requests = number
    return sent


def _drop(
    sender: _Sender,
    url: str,
    graphs: list[URIRef],
    report: LoadReport,
    everything: list[URIRef],
    log: Callable[[str], None],
) -> None:
    """``DROP SILENT GRAPH`` the given graphs, :data:`DROPS_PER_REQUEST` per update request."""
    for start in range(0, len(graphs), DROPS_PER_REQUEST):
        part = graphs[start : start + DROPS_PER_REQUEST]
        body = " ;\n".join(f"DROP SILENT GRAPH {g.n3()}" for g in part).encode("utf-8")
        what = f"the drop of {len(part)} graph(s) already on the server"
        ok = _send_or_report(
            lambda body=body, what=what: sender.request(  # type: ignore[misc]
                "POST", url, body, "application/sparql-update; charset=utf-8", what
            ),
            lambda part=part: part,  # type: ignore[misc]
            report,
            lambda: everything,
            rejected="could not drop its old version",
        )
        if report.aborted:
            return
        if ok:
            log(f"dropped  {len(part)} graph(s) already on the server: {_span(part)}")


def _verify(plan: LoadPlan, endpoint: RemoteEndpoint, report: LoadReport, local: Mapping[URIRef, int]) -> None:
    """Compare the server's triple counts per graph with ``local`` (differences make the load fail)."""
    try:
        if plan.mode == "dataset":
            result = endpoint.select("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
            remote = {URIRef(str(g)): int(str(n)) for g, n in result.rows}
        else:
            remote = endpoint.count_triples(list(local))
    except StoreError as err:
        report.verify_error = str(err)
    else:
        report.counts = {g: (n, remote.get(g, 0)) for g, n in local.items()}


def _span(graphs: list[URIRef]) -> str:
    if len(graphs) <= 2:
        return ", ".join(_curie(g) for g in graphs)
    return f"{_curie(graphs[0])} … {_curie(graphs[-1])}"


def _curie(graph: URIRef) -> str:
    return curie(graph)
