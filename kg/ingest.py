"""Ingest annotated articles: check, build, validate, and commit each valid article atomically.

An article with an input error or a SHACL violation is not stored; the others are. Articles are
validated and committed in batches (one validation run per batch; new graphs in one store
transaction, replaced graphs in another, so every article is stored whole or not at all). The
registry, vocabularies and ontology are written with the first valid batch, so a run in which
nothing is valid leaves the store exactly as it was.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from rdflib import Graph

from . import __version__
from .annotations import REGISTRY_FILE, Article, Registry, find_registry, load_article, load_registry
from .build import article_graph, provenance_graph, registry_graph
from .errors import InputError, Problem
from .iris import ingest_activity_iri, source_file_iri
from .store import EmbeddedStore, GraphReplacement
from .terms import ONTOLOGY_GRAPH, REGISTRY_GRAPH, VOCAB_GRAPH, article_graph as article_graph_iri
from .validate import REGISTRY_GROUP, Report, validate
from .vocabulary import ontology_graph, vocabulary_graph

BATCH_SIZE = 200


@dataclass
class Outcome:
    """What happened to one annotation file."""

    path: Path
    status: str  # "stored", "invalid" (SHACL violations) or "error" (input error)
    source_id: str | None = None
    triples: int = 0
    error: InputError | None = None


@dataclass
class IngestSummary:
    outcomes: list[Outcome] = field(default_factory=list)
    report: Report = field(default_factory=Report)

    def count(self, status: str) -> int:
        return sum(1 for o in self.outcomes if o.status == status)

    @property
    def sources(self) -> dict[str, str]:
        """Source id -> annotation file, for reports."""
        return {o.source_id: str(o.path) for o in self.outcomes if o.source_id}


def discover(paths: Sequence[Path]) -> list[Path]:
    """Annotation files named by ``paths`` (files, or folders searched recursively), sorted."""
    found: set[Path] = set()
    problems: list[Problem] = []
    for path in paths:
        if path.is_dir():
            found.update(p for p in path.rglob("*.yaml") if p.name != REGISTRY_FILE)
        elif path.is_file():
            found.add(path)
        else:
            problems.append(Problem(path, "", "no such file or folder", "check the path"))
    if problems:
        raise InputError(problems)
    if not found:
        raise InputError([Problem(", ".join(map(str, paths)), "", "no annotation files (*.yaml) found",
                                  "name annotation files or folders that contain them")])
    return sorted(found)


def _batches(items: Sequence[Path], size: int) -> Iterator[Sequence[Path]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def ingest(
    paths: Sequence[Path],
    store: EmbeddedStore,
    *,
    registry_path: Path | None = None,
    batch_size: int = BATCH_SIZE,
    progress: Callable[[int], None] | None = None,
) -> IngestSummary:
    """Ingest annotation files into ``store``; see the module docstring for the guarantees.

    :raises InputError: when the paths or the registry are unusable (nothing is stored).
    """
    files = discover(paths)
    registry = load_registry(registry_path or find_registry(files[0]))
    registry_triples = registry_graph(registry)
    summary = IngestSummary()
    context_pending = True
    seen: dict[str, Path] = {}
    for batch in _batches(files, batch_size):
        loaded: list[tuple[Article, Graph]] = []
        for path in batch:
            article = _load(path, registry, registry_path, seen, summary)
            if article is not None:
                loaded.append((article, article_graph(article, registry)))
        if progress:
            progress(len(batch))
        if not loaded:
            continue
        report = validate({a.source_id: g for a, g in loaded}, registry_triples, check_registry=context_pending)
        summary.report.merge(report)
        if not report.conforms(REGISTRY_GROUP):
            raise InputError([Problem(registry.path, "", "the registry violates the shapes",
                                      "fix the registry findings listed in the report")])
        now = datetime.now(timezone.utc)
        accepted = [(a, g) for a, g in loaded if report.conforms(a.source_id)]
        replacements = [_replacement(a, g, now) for a, g in accepted]
        if replacements and context_pending:
            replacements += _context_replacements(registry_triples)
            context_pending = False
        store.replace(replacements)
        for article, graph in loaded:
            ok = report.conforms(article.source_id)
            summary.outcomes.append(Outcome(article.path, "stored" if ok else "invalid", article.source_id, len(graph)))
    store.flush()
    summary.outcomes.sort(key=lambda o: str(o.path))
    return summary


def _load(path: Path, registry: Registry, registry_path: Path | None, seen: dict[str, Path],
          summary: IngestSummary) -> Article | None:
    try:
        if registry_path is None and find_registry(path) != registry.path:
            raise InputError([Problem(path, "", f"belongs to another registry ({find_registry(path)})",
                                      "ingest each corpus (folder with its own registry.yaml) separately")])
        article = load_article(path, registry)
        if article.source_id in seen:
            raise InputError([Problem(path, "article.source_id", f"source_id {article.source_id!r} is also used by "
                                      f"{seen[article.source_id]}", "give every article its own source_id")])
    except InputError as err:
        summary.outcomes.append(Outcome(path, "error", error=err))
        return None
    seen[article.source_id] = path
    return article


def _replacement(article: Article, graph: Graph, now: datetime) -> GraphReplacement:
    source_id = article.source_id
    return GraphReplacement(
        graph=article_graph_iri(source_id),
        triples=graph,
        provenance=provenance_graph(article, ingested_at=now, version=__version__),
        provenance_subjects=(
            article_graph_iri(source_id),
            ingest_activity_iri(source_id),
            source_file_iri(source_id, "annotation"),
            source_file_iri(source_id, "text"),
        ),
    )


def _context_replacements(registry_triples: Graph) -> Iterable[GraphReplacement]:
    yield GraphReplacement(REGISTRY_GRAPH, registry_triples)
    yield GraphReplacement(VOCAB_GRAPH, vocabulary_graph())
    yield GraphReplacement(ONTOLOGY_GRAPH, ontology_graph())
