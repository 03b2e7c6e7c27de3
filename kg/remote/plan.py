"""What ``kg load`` will send: the mode, the graphs, the requests, and how it is told (``--dry-run``).

Three ways to send, chosen from the endpoints (:attr:`LoadPlan.mode`): ``dataset`` (the store as
N-Quads POSTs, :mod:`kg.remote.stream`), ``graph-store`` (SPARQL 1.1 Graph Store Protocol, one PUT
per graph) and ``update`` (SPARQL Update). See :mod:`kg.remote.load` for how each is sent.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import pyoxigraph as ox
from rdflib import URIRef

from kg.remote.endpoints import PRESETS, Credentials, EndpointError, Endpoints
from kg.remote.http import Policy
from kg.store import EmbeddedStore
from kg.terms import curie

#: Default request sizes. A dataset request is streamed (no body in memory) and each one pays a fixed
#: cost on the server (the end of a bulk load, while nothing is being read here), so they are large:
#: one request up to about 15,000 articles. A per-graph request is one graph unless the graph is huge.
DATASET_BATCH, GRAPH_BATCH = 5_000_000, 50_000
#: DROP SILENT GRAPH statements per update request when replacing graphs in ``dataset`` mode.
DROPS_PER_REQUEST = 1_000


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

    @property
    def policy(self) -> Policy:
        return Policy(self.timeout, self.connect_timeout, self.retries, self.retry_delay)


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
        return len(layout([(g.graph, g.triples or 0) for g in self.graphs], self.options.size("dataset")))

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
    return {URIRef(g.value): int(n.value) for g, n in result.rows if g is not None and n is not None}


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


def layout(sizes: Iterable[tuple[URIRef, int]], size: int) -> list[list[tuple[URIRef, int]]]:
    """How graphs of the given sizes fill requests of up to ``size`` quads (the rule
    :class:`~kg.remote.stream.DatasetStream` follows): a graph that fits in a request is never split; a larger one starts a request of its own and
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
