"""SHACL validation with pySHACL (the reference engine), screened by pyshacl-turbo where it is safe.

Article graphs are validated together with the ontology, the vocabularies and the registry (the
shapes need class hierarchies and ``skos:inScheme``), many articles per pySHACL call because the
per-call cost dominates. Results are split back per article by their focus node, so each article
is accepted or rejected on its own. This is the only module that imports pySHACL.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass

import pyshacl
from rdflib import Graph
from rdflib.namespace import RDF, SH

from kg.errors import InputError, Problem
from kg.parallel import ordered_map, worker_state
from kg.shacl.report import (
    REGISTRY_GROUP,
    Report,
    add_engine_error,
    conforming_report_graph,
    engine_error_finding,
    finding_of,
    group_of,
)
from kg.shacl.screen import articles_to_check, linked_components
from kg.shacl.screen import requested as screen_requested
from kg.shacl.shapes import shapes_graph
from kg.store import EmbeddedStore, stored_article_ids
from kg.terms import ARTICLE, CORPUS_GRAPH, GPO, REGISTRY_GRAPH, article_graph
from kg.vocabulary import ontology_graph, vocabulary_graph

#: Articles per validation run (ingest and validate). The per-run cost (reading the fixed context
#: again, about 20 ms) favours large batches, and memory grows with them: batches of 80 took 3.7%
#: fewer instructions an article in an ingest worker, but a 10k ingest was no faster and a 1k one
#: 45 MiB larger (BENCHMARKS.md, run R).
BATCH_SIZE = 40


def validate(
    articles: Mapping[str, Graph],
    registry: Graph,
    *,
    check_registry: bool = True,
    texts: Mapping[str, str] | None = None,
    screen: bool | None = None,
) -> Report:
    """Validate article graphs (keyed by source id) with the registry; pySHACL gives the findings.

    pyshacl-turbo (:mod:`kg.shacl.screen`), when installed, first screens the batch; only the
    articles it flags (and articles linked to them) then go through pySHACL, the reference engine.
    Articles it passes have no findings with pySHACL either (the screen's guarantee, see its
    docstring). With ``check_registry=False`` the registry's own findings, already reported once,
    are left out.
    ``texts`` (source id -> N-Triples of the article graph) saves serialising the graphs again.
    ``screen`` False runs pySHACL alone; None (default) follows ``KG_SHACL_ENGINE``.

    An article on which pySHACL raises gets one finding saying so (:func:`report.engine_error_finding`)
    instead of failing the run.
    """
    use_screen = screen_requested() if screen is None else screen
    to_check = articles_to_check(articles, registry, texts) if use_screen else None
    subset = articles if to_check is None else {sid: articles[sid] for sid in sorted(to_check)}
    report = validate_reference(subset, registry) if subset else Report(graph=conforming_report_graph())
    for sid in articles:
        report.by_group.setdefault(sid, [])
    if not check_registry:
        report.by_group.pop(REGISTRY_GROUP, None)
    return report


def validate_reference(articles: Mapping[str, Graph], registry: Graph) -> Report:
    """pySHACL over the context, the registry and ``articles``: the reference findings.

    One run for all; if pySHACL raises, the articles are validated in halves (articles linked to
    each other stay together) until what makes it raise is alone: each of those articles gets an
    engine-error finding.
    """
    try:
        return _run_pyshacl(articles, registry)
    except Exception as error:  # pySHACL raises TypeError, RecursionError, ... on bad data
        components = linked_components(articles)
        if len(components) > 1:  # halves of whole components: linked articles stay together
            middle = len(components) // 2
            report = Report(graph=conforming_report_graph())
            for index, half in enumerate((components[:middle], components[middle:])):
                part = validate_reference({sid: articles[sid] for c in half for sid in c}, registry)
                if index:
                    _drop_repeated_registry_findings(part, report)
                report.merge(part)
            return report
        return _engine_error_report(articles, registry, error)


def _engine_error_report(articles: Mapping[str, Graph], registry: Graph, error: BaseException) -> Report:
    """The report for one article (or the registry alone) on which pySHACL raised."""
    report = Report(graph=conforming_report_graph())
    for sid in articles:
        focus = ARTICLE[sid]
        finding = engine_error_finding(focus, error)
        report.by_group[sid] = [finding]
        add_engine_error(report.graph, finding, focus)
    if not articles:
        focus = REGISTRY_GRAPH
        finding = engine_error_finding(focus, error)
        report.by_group[REGISTRY_GROUP] = [finding]
        add_engine_error(report.graph, finding, focus)
    else:  # the registry's own findings, if the registry alone can be validated
        registry_part = validate_reference({}, registry)
        report.by_group[REGISTRY_GROUP] = registry_part.by_group.get(REGISTRY_GROUP, [])
        report.graph += registry_part.graph
    return report


def _drop_repeated_registry_findings(part: Report, earlier: Report) -> None:
    """Every run validates the registry again: keep only registry findings not reported yet."""
    seen = set(earlier.findings(REGISTRY_GROUP))
    if REGISTRY_GROUP in part.by_group:
        part.by_group[REGISTRY_GROUP] = [f for f in part.by_group[REGISTRY_GROUP] if f not in seen]


def _run_pyshacl(articles: Mapping[str, Graph], registry: Graph) -> Report:
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
            group = group_of(focus, articles, registry)
            report.by_group.setdefault(group, []).append(finding_of(report_graph, result))
    for findings in report.by_group.values():
        findings.sort(key=lambda f: (f.focus, f.severity, f.path, f.message, f.value))
    return report


def validate_store(
    store: EmbeddedStore,
    *,
    source_ids: Sequence[str] | None = None,
    batch_size: int = BATCH_SIZE,
    workers: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> Report:
    """Validate the article graphs in ``store`` (all, or ``source_ids``), batch by batch.

    This process reads each batch as N-Triples (Oxigraph writes it, fast); worker processes
    (:mod:`kg.parallel`, one per core) validate the batches; the reports are merged in order.

    :raises InputError: when an article asked for is not in the store (a usage error, exit 2, as for
        ``kg export --article`` and ``kg remove``).
    """
    stored = stored_article_ids(store)
    wanted = list(source_ids) if source_ids else stored
    missing = sorted(set(wanted) - set(stored))
    if missing:
        raise InputError(
            [
                Problem(
                    "kg validate",
                    "--article",
                    f"article(s) not in the store {store.location}: {', '.join(missing)}",
                    "give source ids as 'kg ls' lists them; nothing was validated",
                )
            ]
        )
    batches = [wanted[start : start + batch_size] for start in range(0, len(wanted), batch_size)]
    texts = ({sid: store.ntriples(article_graph(sid)) for sid in batch} for batch in batches)
    # The engine is chosen here, not in the workers: their fork server may predate a change of
    # KG_SHACL_ENGINE in this process.
    # The registry and the whole corpus, typed as ingest validates articles with them.
    state = _BatchContext(corpus_context(store.graph(REGISTRY_GRAPH), store.graph(CORPUS_GRAPH)), screen_requested())
    report = Report()
    for index, part in enumerate(ordered_map(_validate_texts, texts, state=state, count=len(batches), workers=workers)):
        if index:  # every batch validates the registry again: its findings are reported once
            _drop_repeated_registry_findings(part, report)
        report.merge(part)
        if progress:
            progress(len(batches[index]))
    return report


@dataclass(frozen=True)
class _BatchContext:
    """What every batch of :func:`validate_store` shares (sent once to each worker)."""

    registry: Graph
    screen: bool


def corpus_context(registry: Graph, corpus: Graph) -> Graph:
    """What articles are validated with: the registry and the whole corpus, typed.

    Articles type the corpus-level positions and conditions of the communications they report, in
    their own graphs (so that removing the last article reporting one hides it). Validation sees
    them all typed, so that a link to a corpus position another article reports is not flagged.
    """
    context = registry + corpus
    for node in set(corpus.subjects(GPO.holder, None)):
        context.add((node, RDF.type, GPO.Position))
    for node in set(corpus.objects(None, GPO.hasCondition)):
        context.add((node, RDF.type, GPO.Condition))
    return context


def _validate_texts(texts: Mapping[str, str]) -> Report:
    """Validate articles given as N-Triples (in a worker); rdflib parses only what pySHACL must see."""
    context: _BatchContext = worker_state()
    return validate(_ParsedOnDemand(texts), context.registry, texts=texts, screen=context.screen)


class _ParsedOnDemand(Mapping[str, Graph]):
    """Article graphs parsed from N-Triples on first access. The screen reads the text, so a
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
