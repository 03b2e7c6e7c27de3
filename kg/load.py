"""Load the store into a triplestore with the SPARQL 1.1 Graph Store HTTP Protocol.

*Loading* is the SPARQL 1.1 Graph Store HTTP Protocol over ``requests``: one ``PUT ?graph=G`` per
named graph (article graphs, registry, vocabulary, ontology, provenance) with an N-Triples body, so
loading again *replaces* each graph and never duplicates it. A graph larger than the batch size is
sent as a PUT of the first batch and POSTs (merge) of the others: such a graph is complete only once
all its batches are in, which the verification step checks. Blank nodes that are connected stay in
one batch (each request has its own blank-node scope). Without a graph store, an update endpoint can
be used instead (``DROP SILENT GRAPH`` + ``INSERT DATA`` in one request). 5xx answers, timeouts and
dropped connections are retried with exponential backoff; other 4xx answers reject the graph (the
server's message is reported). After loading, the triples of each graph are counted on the server
(``SELECT (COUNT(*) ...) { GRAPH ?g { ... } }``) and compared with the local store.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import pyoxigraph as ox
import requests
from rdflib import URIRef

from .endpoints import (
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
from .errors import StoreError
from .remote import RemoteEndpoint
from .store import EmbeddedStore

# -- loading (Graph Store Protocol over requests) ----------------------------------------------


@dataclass(frozen=True)
class LoadOptions:
    batch_size: int = 50_000
    retries: int = 3
    retry_delay: float = 1.0
    timeout: float = 120.0
    connect_timeout: float = 10.0
    verify: bool = True

    def __post_init__(self) -> None:
        if self.batch_size < 1 or self.retries < 0 or self.retry_delay < 0 or self.timeout <= 0:
            raise EndpointError("--batch-size and --timeout must be positive, --retries and --retry-delay not negative")


@dataclass(frozen=True)
class GraphPlan:
    graph: URIRef
    triples: int
    batches: list[list[str]] = field(repr=False)


@dataclass
class LoadPlan:
    endpoints: Endpoints
    credentials: Credentials | None
    graphs: list[GraphPlan]
    options: LoadOptions

    @property
    def batch_count(self) -> int:
        return sum(len(g.batches) for g in self.graphs)

    def render(self) -> str:
        """The plan, for ``kg load --dry-run``: where to, how, and what (no secrets)."""
        from .validate import curie

        e = self.endpoints
        if e.graph_store:
            how = f"Graph Store Protocol at {e.graph_store} (PUT per graph, POST for further batches)"
        else:
            how = f"SPARQL Update at {e.update} (DROP SILENT GRAPH + INSERT DATA per graph)"
        lines = [
            f"load plan ({e.preset.name + ' preset' if e.preset else 'no preset'})",
            f"  send:    {how}",
            f"  verify:  triple counts per graph via {e.query}" if self.options.verify else "  verify:  no",
            f"  auth:    {self.credentials.describe() if self.credentials else 'none'}",
            f"  retries: {self.options.retries} (backoff from {self.options.retry_delay:g} s), "
            f"timeout {self.options.timeout:g} s, batches of up to {self.options.batch_size} triples",
            f"  graphs:  {len(self.graphs)}, {sum(g.triples for g in self.graphs)} triples, {self.batch_count} requests",
        ]
        lines += [f"    {curie(g.graph):<48} {g.triples:>8} triples  {len(g.batches)} request(s)" for g in self.graphs]
        return "\n".join(lines) + "\n"


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


def plan_load(store: EmbeddedStore, endpoints: Endpoints, credentials: Credentials | None,
              options: LoadOptions | None = None) -> LoadPlan:
    """What ``kg load`` would send: every named graph of the store, in IRI order, in batches."""
    options = options or LoadOptions()
    if not endpoints.graph_store and not endpoints.update:
        raise EndpointError("nowhere to load to: give --graph-store URL or --update URL, or a --preset "
                            f"({', '.join(PRESETS)}) that implies them")
    by_graph: dict[str, list[ox.Quad]] = defaultdict(list)
    for quad in store.quads():
        if isinstance(quad.graph_name, ox.NamedNode):
            by_graph[quad.graph_name.value].append(quad)
    graphs = [GraphPlan(URIRef(name), len(quads), _batches(quads, max(1, options.batch_size)))
              for name, quads in sorted(by_graph.items())]
    return LoadPlan(endpoints, credentials, graphs, options)


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

    @property
    def mismatches(self) -> dict[URIRef, tuple[int, int]]:
        return {g: c for g, c in self.counts.items() if c[0] != c[1]}

    @property
    def ok(self) -> bool:
        return not (self.failed or self.not_attempted or self.aborted or self.mismatches or self.verify_error)

    def render(self) -> str:
        from .validate import curie

        lines: list[str] = []
        if self.aborted:
            lines.append(f"load stopped: {self.aborted}")
        lines += [f"FAILED   {curie(g)}: {why}" for g, why in self.failed.items()]
        lines += [f"NOT SENT {curie(g)}" for g in self.not_attempted]
        lines += [f"MISMATCH {curie(g)}: {local} triples here, {remote} on the server"
                  for g, (local, remote) in self.mismatches.items()]
        if self.verify_error:
            lines.append(f"could not verify the load: {self.verify_error}")
        not_loaded = len(self.failed) + len(self.not_attempted)
        verified = "" if not self.counts else (
            f", {len(self.counts) - len(self.mismatches)} of {len(self.counts)} verified by triple counts")
        lines.append(f"{len(self.loaded)} graph(s) loaded, {not_loaded} not loaded{verified}"
                     + (f" ({self.retries} retried request(s))" if self.retries else ""))
        return "\n".join(lines) + "\n"


class _GaveUp(Exception):
    def __init__(self, problem: str, unreachable: bool) -> None:
        super().__init__(problem)
        self.unreachable = unreachable


class _Rejected(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"HTTP {status}: {message}" if message else f"HTTP {status}")
        self.status = status


class _Loader:
    def __init__(self, plan: LoadPlan, log: Callable[[str], None], sleep: Callable[[float], None]) -> None:
        self.plan = plan
        self.options = plan.options
        self.endpoints = plan.endpoints
        self.log = log
        self.sleep = sleep
        self.session = requests.Session()
        self.session.headers["User-Agent"] = USER_AGENT
        self.auth = plan.credentials.requests_auth() if plan.credentials else None
        self.retried = 0

    def close(self) -> None:
        self.session.close()

    def send(self, graph: URIRef, lines: list[str], replace: bool) -> None:
        body = ("\n".join(lines) + "\n").encode("utf-8")
        if self.endpoints.graph_store:
            method, url = ("PUT" if replace else "POST"), self.endpoints.graph_store
            params: dict[str, str] | None = {"graph": str(graph)}
            headers = {"Content-Type": "application/n-triples; charset=utf-8"}
        else:
            method, url, params = "POST", self.endpoints.update or "", None
            headers = {"Content-Type": "application/sparql-update; charset=utf-8"}
            drop = f"DROP SILENT GRAPH {graph.n3()} ;\n" if replace else ""
            body = f"{drop}INSERT DATA {{ GRAPH {graph.n3()} {{\n".encode() + body + b"} }\n"
        self._request(method, url, params, body, headers, graph)

    def _request(self, method: str, url: str, params: dict[str, str] | None, body: bytes,
                 headers: dict[str, str], graph: URIRef) -> None:
        delay = self.options.retry_delay
        attempts = self.options.retries + 1
        for attempt in range(1, attempts + 1):
            unreachable = False
            try:
                response = self.session.request(method, url, params=params, data=body, headers=headers, auth=self.auth,
                                                timeout=(self.options.connect_timeout, self.options.timeout))
            except (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError) as err:
                timeout = self.options.connect_timeout if isinstance(err, requests.ConnectTimeout) else self.options.timeout
                problem, unreachable = network_problem(err, timeout), is_refused(err)
            else:
                if response.status_code < 300:
                    return
                message = first_line(response.content)
                if response.status_code == 401:
                    raise _CredentialsRefused(url, response.status_code, message, self.plan.credentials)
                if response.status_code not in RETRY_STATUSES:
                    raise _Rejected(response.status_code, message)
                problem = f"HTTP {response.status_code}" + (f": {message}" if message else "")
            if attempt == attempts:
                raise _GaveUp(f"{problem} (gave up after {attempts} attempts)", unreachable)
            self.retried += 1
            self.log(f"retrying {method} of {_curie(graph)} in {delay:g} s (attempt {attempt + 1} of {attempts}): {problem}")
            self.sleep(delay)
            delay *= 2


class _CredentialsRefused(Exception):
    def __init__(self, url: str, status: int, message: str, credentials: Credentials | None) -> None:
        who = credentials.describe() if credentials else \
            f"no credentials were sent (set {ENV_USER}/{ENV_PASSWORD}, {ENV_TOKEN} or ~/.netrc)"
        text = f"{url}: HTTP {status}: the server refused the credentials: {who}"
        super().__init__(text + (f"; the server says: {message}" if message else ""))


def load(plan: LoadPlan, *, progress: Callable[[int], None] | None = None, log: Callable[[str], None] | None = None,
         sleep: Callable[[float], None] = time.sleep, local_counts: Mapping[URIRef, int] | None = None) -> LoadReport:
    """Send every graph of ``plan``; then compare the server's triple counts with the local ones.

    Never raises for a graph's failure: the report lists what was loaded, what failed and why, what
    was not attempted. Raises :class:`StoreError` only when the server cannot be reached at all before
    anything is sent, so no graph is claimed as loaded.
    """
    log = log or (lambda message: None)
    endpoint = RemoteEndpoint(plan.endpoints, credentials=plan.credentials,
                              timeout=plan.options.connect_timeout + plan.options.timeout)
    _preflight(plan, endpoint)
    report = LoadReport()
    loader = _Loader(plan, log, sleep)
    try:
        pending = list(plan.graphs)
        while pending:
            item = pending.pop(0)
            try:
                for index, batch in enumerate(item.batches):
                    loader.send(item.graph, batch, replace=index == 0)
                    if progress:
                        progress(1)
            except _Rejected as err:
                report.failed[item.graph] = f"the server rejected it: {err}"
            except _GaveUp as err:
                report.failed[item.graph] = str(err)
                if err.unreachable:
                    report.aborted = f"the server became unreachable ({err})"
                    report.not_attempted = [g.graph for g in pending]
                    pending = []
            except _CredentialsRefused as err:
                report.failed[item.graph] = "credentials refused"
                report.aborted = str(err)
                report.not_attempted = [g.graph for g in pending]
                pending = []
            else:
                report.loaded.append(item.graph)
                log(f"loaded   {_curie(item.graph)} ({item.triples} triples, {len(item.batches)} request(s))")
    finally:
        report.retries = loader.retried
        loader.close()
    if plan.options.verify and not report.aborted:
        local = local_counts or {g.graph: g.triples for g in plan.graphs}
        try:
            remote = endpoint.count_triples([g.graph for g in plan.graphs])
        except StoreError as err:
            report.verify_error = str(err)
        else:
            report.counts = {g: (local[g], remote.get(g, 0)) for g in local}
    return report


def _curie(graph: URIRef) -> str:
    from .validate import curie

    return curie(graph)


def _preflight(plan: LoadPlan, endpoint: RemoteEndpoint) -> None:
    """Fail before sending anything if the server is not there or refuses us (ASK on the query endpoint)."""
    try:
        endpoint.ask("ASK {}")
    except StoreError as err:
        raise StoreError(f"nothing was loaded: {err}") from err

