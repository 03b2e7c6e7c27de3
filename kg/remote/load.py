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
is reported); a 401, a redirect to another origin with credentials, or an unreachable server stops
the load (:mod:`kg.remote.http` holds this policy). Afterwards the triples of each graph
are counted on the server and compared with the local counts (in ``dataset`` mode with one grouped
query over the server's named graphs, against the counts of what was serialised).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping

from rdflib import URIRef

from kg.errors import StoreError
from kg.remote.http import CredentialsRefused, GaveUp, RedirectRefused, Rejected, Sender
from kg.remote.plan import DROPS_PER_REQUEST, LoadOptions, LoadPlan, plan_load
from kg.remote.report import LoadReport
from kg.remote.sparql import RemoteEndpoint
from kg.remote.stream import DatasetStream
from kg.terms import curie

__all__ = ["LoadOptions", "LoadPlan", "LoadReport", "load", "plan_load"]


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
    except Rejected as err:
        report.failed.update(dict.fromkeys(affected(), f"{rejected}: {err}"))
    except GaveUp as err:
        report.failed.update({g: str(err) for g in affected()})
        if err.unreachable:
            report.stop(f"the server became unreachable ({err})", remaining())
    except CredentialsRefused as err:
        report.failed.update(dict.fromkeys(affected(), "credentials refused"))
        report.stop(str(err), remaining())
    except RedirectRefused as err:
        report.failed.update(dict.fromkeys(affected(), "redirected to another origin"))
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
        plan.endpoints,
        credentials=plan.credentials,
        timeout=plan.options.connect_timeout + plan.options.timeout,
        policy=plan.options.policy,
        sleep=sleep,
        log=log,
    )
    report = LoadReport()
    sender = Sender(plan.credentials, plan.options.policy, log, sleep)
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
        return {URIRef(row[0].value) for row in result.rows if row[0] is not None}
    except StoreError as err:
        raise StoreError(f"nothing was loaded: {err}") from err


def _load_per_graph(
    plan: LoadPlan, sender: Sender, report: LoadReport, progress: Callable[[int], None], log: Callable[[str], None]
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
                what: str = curie(item.graph),
            ) -> None:
                sender.request(method, url, body, content_type, what, params=params)

            ok = _send_or_report(send, lambda item=item: [item.graph], report, lambda: graphs)  # type: ignore[misc]
            if not ok:
                break
            progress(1)
        if ok:
            report.loaded.append(item.graph)
            log(f"loaded   {curie(item.graph)} ({item.triples} triples, {len(item.batches)} request(s))")


def _load_dataset(
    plan: LoadPlan,
    sender: Sender,
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
    stream = DatasetStream(
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
    sender: Sender,
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
            remote = {URIRef(g.value): int(n.value) for g, n in result.rows if g is not None and n is not None}
        else:
            remote = endpoint.count_triples(list(local))
    except StoreError as err:
        report.verify_error = str(err)
    else:
        report.counts = {g: (n, remote.get(g, 0)) for g, n in local.items()}


def _span(graphs: list[URIRef]) -> str:
    if len(graphs) <= 2:
        return ", ".join(curie(g) for g in graphs)
    return f"{curie(graphs[0])} … {curie(graphs[-1])}"
