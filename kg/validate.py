"""SHACL validation with pySHACL, and reports a person can read.

Article graphs are validated together with the ontology, the vocabularies and the registry (the
shapes need class hierarchies and ``skos:inScheme``), many articles per pySHACL call because the
per-call cost dominates. Results are split back per article by their focus node, so each article
is accepted or rejected on its own.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from functools import cache

import pyshacl
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import NamespaceManager, RDF, SH
from rdflib.term import Node

from .errors import StoreError
from .iris import source_file_iri
from .parallel import ordered_map, worker_state
from .resources import turtle_graph
from .store import EmbeddedStore
from .terms import ARTICLE, PREFIXES, PROVENANCE_GRAPH, REGISTRY_GRAPH, SCHEMA, article_graph
from .vocabulary import ontology_graph, vocabulary_graph

REGISTRY_GROUP = "registry"
#: Articles per validation run (ingest and validate). The per-run cost favours large batches, but
#: pyrudof needs about 3.5 MB per screened article: two workers at 100 peaked at 1.4 GB in all.
BATCH_SIZE = 40
SEVERITIES = {SH.Violation: "Violation", SH.Warning: "Warning", SH.Info: "Info"}


@cache
def shapes_graph() -> Graph:
    """All shapes in ``shapes/``, parsed once per process."""
    return turtle_graph("shapes", "*.ttl")


@cache
def namespace_manager() -> NamespaceManager:
    manager = NamespaceManager(Graph(), bind_namespaces="none")
    for prefix, namespace in PREFIXES.items():
        manager.bind(prefix, namespace, override=True)
    return manager


def curie(term: Node | None) -> str:
    """A term shortened with the project's prefixes for display (not for re-parsing), else N-Triples."""
    if term is None:
        return ""
    if isinstance(term, URIRef):
        for prefix, namespace in _LONGEST_FIRST:
            if term.startswith(namespace) and len(term) > len(namespace):
                return f"{prefix}:{term[len(namespace):]}"
        return f"<{term}>"
    return term.n3(namespace_manager())


_LONGEST_FIRST = sorted(PREFIXES.items(), key=lambda item: -len(item[1]))


@dataclass(frozen=True)
class Finding:
    """One SHACL result, flattened for people and JSON."""

    severity: str
    focus: str
    path: str
    value: str
    message: str
    shape: str


@dataclass
class Report:
    """Findings grouped by article (source id, or ``registry``)."""

    by_group: dict[str, list[Finding]] = field(default_factory=dict)
    graph: Graph = field(default_factory=Graph)

    def findings(self, group: str) -> list[Finding]:
        return self.by_group.get(group, [])

    def count(self, severity: str, group: str | None = None) -> int:
        groups = [group] if group else list(self.by_group)
        return sum(1 for g in groups for f in self.findings(g) if f.severity == severity)

    def conforms(self, group: str | None = None) -> bool:
        return self.count("Violation", group) == 0

    def merge(self, other: Report) -> None:
        for group, findings in other.by_group.items():
            self.by_group.setdefault(group, []).extend(findings)
        self.graph += other.graph


def group_of(focus: Node) -> str:
    """The article a focus node belongs to (its source id), or the registry group."""
    text = str(focus)
    if text.startswith(str(ARTICLE)):
        return text[len(str(ARTICLE)) :].split("/", 1)[0]
    return REGISTRY_GROUP


def validate(articles: Mapping[str, Graph], registry: Graph, *, check_registry: bool = True,
             texts: Mapping[str, str] | None = None) -> Report:
    """Validate article graphs (keyed by source id) with the registry; pySHACL gives the findings.

    pyrudof (:mod:`kg.fastshacl`), when installed, first screens the batch; only the articles it
    flags (and articles linked to them) then go through pySHACL, the reference engine. Articles it
    passes have no findings with pySHACL either (``tests/test_fastshacl.py`` checks this). With
    ``check_registry=False`` the registry's own findings, already reported once, are left out.
    ``texts`` (source id -> N-Triples of the article graph) saves serialising the graphs again.
    """
    from .fastshacl import articles_to_check

    to_check = articles_to_check(articles, registry, texts)
    subset = articles if to_check is None else {sid: articles[sid] for sid in sorted(to_check)}
    report = validate_reference(subset, registry) if subset else Report(graph=_conforming_report_graph())
    for sid in articles:
        report.by_group.setdefault(sid, [])
    if not check_registry:
        report.by_group.pop(REGISTRY_GROUP, None)
    return report


def validate_reference(articles: Mapping[str, Graph], registry: Graph) -> Report:
    """One pySHACL run over the context, the registry and ``articles``: the reference findings."""
    data = Graph()
    for part in (ontology_graph(), vocabulary_graph(), registry, *articles.values()):
        data += part
    _conforms, report_graph, _text = pyshacl.validate(
        data,
        shacl_graph=shapes_graph(),
        inference="none",
        allow_warnings=True,
        inplace=True,
    )
    report = Report(graph=report_graph)
    for group in articles:
        report.by_group[group] = []
    # Top-level results only: nested ones (sh:detail) explain a top-level result, they do not add one.
    for validation in report_graph.subjects(RDF.type, SH.ValidationReport):
        for result in report_graph.objects(validation, SH.result):
            focus = report_graph.value(result, SH.focusNode)
            report.by_group.setdefault(group_of(focus), []).append(_finding(report_graph, result))
    for findings in report.by_group.values():
        findings.sort(key=lambda f: (f.focus, f.severity, f.path, f.message, f.value))
    return report


def _conforming_report_graph() -> Graph:
    """The W3C report of a run with no results (what pySHACL would have said)."""
    graph = Graph()
    node = BNode()
    graph.add((node, RDF.type, SH.ValidationReport))
    graph.add((node, SH.conforms, Literal(True)))
    return graph


def _finding(graph: Graph, result: Node) -> Finding:
    severity = graph.value(result, SH.resultSeverity)
    focus = graph.value(result, SH.focusNode)
    value = graph.value(result, SH.value)
    messages = sorted(str(m) for m in graph.objects(result, SH.resultMessage))
    shape = graph.value(result, SH.sourceShape)
    return Finding(
        severity=SEVERITIES.get(severity, curie(severity)),
        focus=curie(focus),
        path=curie(graph.value(result, SH.resultPath)),
        value=curie(value) if value is not None else "",
        message=messages[0] if messages else "(no message)",
        shape=curie(shape) if isinstance(shape, URIRef) else "",
    )


# -- rendering ---------------------------------------------------------------------------------


def render_text(report: Report, sources: Mapping[str, str] | None = None) -> str:
    """One block per article and focus node, as the README shows."""
    sources = sources or {}
    lines: list[str] = []
    for group in sorted(report.by_group):
        findings = report.by_group[group]
        if not findings:
            continue
        title = "registry" if group == REGISTRY_GROUP else f"article {group}"
        lines.append(f"{sources.get(group, title)} ({title})")
        by_focus: dict[str, list[Finding]] = defaultdict(list)
        for finding in findings:
            by_focus[finding.focus].append(finding)
        for focus, items in by_focus.items():
            lines.append(f"  {focus}")
            for f in items:
                value = f"  value {f.value}" if f.value else ""
                lines.append(f"    {f.severity:<9} {f.path or '-'}{value}\n              {f.message}")
    violations, warnings = report.count("Violation"), report.count("Warning")
    lines.append(f"{violations} violation(s), {warnings} warning(s) in {len(report.by_group)} graph group(s).")
    return "\n".join(lines) + "\n"


def render_json(report: Report, sources: Mapping[str, str] | None = None) -> str:
    sources = sources or {}
    return json.dumps(
        {
            "conforms": report.conforms(),
            "violations": report.count("Violation"),
            "warnings": report.count("Warning"),
            "groups": [
                {
                    "group": group,
                    "source": sources.get(group),
                    "conforms": report.conforms(group),
                    "results": [asdict(f) for f in report.by_group[group]],
                }
                for group in sorted(report.by_group)
            ],
        },
        indent=2,
        ensure_ascii=False,
    ) + "\n"


def render_turtle(report: Report) -> str:
    graph = Graph(namespace_manager=namespace_manager())
    graph += report.graph
    return graph.serialize(format="turtle")


def validate_store(store: EmbeddedStore, *, source_ids: Sequence[str] | None = None,
                   batch_size: int = BATCH_SIZE, workers: int | None = None,
                   progress: Callable[[int], None] | None = None) -> Report:
    """Validate the article graphs in ``store`` (all, or ``source_ids``), batch by batch.

    This process reads each batch as N-Triples (Oxigraph writes it, fast); worker processes
    (:mod:`kg.parallel`, one per core) validate the batches; the reports are merged in order.

    :raises StoreError: when an article asked for is not in the store.
    """
    stored = stored_article_ids(store)
    wanted = list(source_ids) if source_ids else stored
    missing = sorted(set(wanted) - set(stored))
    if missing:
        raise StoreError(f"article(s) not in the store {store.location}: {', '.join(missing)}")
    batches = [wanted[start : start + batch_size] for start in range(0, len(wanted), batch_size)]
    texts = ({sid: store.ntriples(article_graph(sid)) for sid in batch} for batch in batches)
    report = Report()
    for index, part in enumerate(ordered_map(_validate_texts, texts, state=store.graph(REGISTRY_GRAPH),
                                             count=len(batches), workers=workers)):
        if index:
            part.by_group.pop(REGISTRY_GROUP, None)
        report.merge(part)
        if progress:
            progress(len(batches[index]))
    return report


def _validate_texts(texts: Mapping[str, str]) -> Report:
    """Validate articles given as N-Triples (in a worker); rdflib parses only what pySHACL must see."""
    return validate(_ParsedOnDemand(texts), worker_state(), texts=texts)


class _ParsedOnDemand(Mapping[str, Graph]):
    """Article graphs parsed from N-Triples on first access. The pyrudof screen reads the text, so a
    batch it finds nothing on is never parsed by rdflib (the slow part)."""

    def __init__(self, texts: Mapping[str, str]) -> None:
        self._texts = texts
        self._graphs: dict[str, Graph] = {}

    def __getitem__(self, source_id: str) -> Graph:
        if source_id not in self._graphs:
            self._graphs[source_id] = Graph().parse(data=self._texts[source_id], format="nt")
        return self._graphs[source_id]

    def __iter__(self) -> Iterator[str]:
        return iter(self._texts)

    def __len__(self) -> int:
        return len(self._texts)


def stored_article_ids(store: EmbeddedStore) -> list[str]:
    prefix = str(article_graph(""))
    return [str(g)[len(prefix) :] for g in store.named_graphs() if str(g).startswith(prefix)]


def annotation_files(store: EmbeddedStore) -> dict[str, str]:
    """Source id -> the annotation file name recorded in the provenance graph."""
    provenance = store.graph(PROVENANCE_GRAPH)
    return {
        sid: str(provenance.value(source_file_iri(sid, "annotation"), SCHEMA.name) or "")
        for sid in stored_article_ids(store)
    }
