"""Ingest annotated articles: check, build, validate, and commit each valid article atomically.

An article with an input error or a SHACL violation is not stored; the others are. Articles go in
batches (one validation run per batch, because the per-run cost dominates). *Preparing* a batch
(reading the YAML, checking it, building the triples, validating, and making the full-text index
rows of the valid articles) is pure and CPU-bound, so worker processes prepare batches in parallel,
one per core; this process commits the prepared batches in file order: new graphs are gathered in
pieces (temporary files) and bulk-loaded once the workers are done, two pieces at a time (each load
one atomic ingestion, no write-ahead log; a small run is loaded in one piece, which keeps its store
compact), replaced graphs go in one transaction per batch, so every article is stored whole or not
at all. At most ``workers + 1`` batches are in flight and the gathered graphs wait on disk, so
memory does not grow with the corpus. The registry, vocabularies and ontology are written with the
first valid batch, so a run in which nothing is valid leaves the store exactly as it was. The index
rows are written in one SQLite transaction, committed after the store's last write.
``graph/derived`` is written after the last load; into a store that held nothing it reads, it is
computed from what the workers handed on with each article (see :mod:`kg.ingest.derive`), beside
the load when that is a lone one.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path

from rdflib import Graph, URIRef

from kg import __version__
from kg.errors import InputError, Problem
from kg.ingest.annotations import (
    REGISTRY_FILE,
    Article,
    Registry,
    find_registry,
    is_corpus_file,
    load_article,
    load_registry,
)
from kg.ingest.build import Triples, article_triples, corpus_graph, provenance_triples, registry_graph
from kg.ingest.derive import (
    READS,
    DerivationInputs,
    DerivedTriples,
    derivation_reads,
    derived_from,
    rederive,
    write_derived,
)
from kg.ingest.yamlfile import check_file
from kg.iris import ingest_activity_iri, source_file_iri
from kg.parallel import ordered_map, worker_state
from kg.shacl.engine import BATCH_SIZE, corpus_context, validate
from kg.shacl.report import REGISTRY_GROUP, Report
from kg.shacl.screen import requested as screen_requested
from kg.store import PIECE_QUADS, SINGLE_LOAD_QUADS, EmbeddedStore, GraphReplacement, Staging, ntriples
from kg.terms import CORPUS_GRAPH, ONTOLOGY_GRAPH, REGISTRY_GRAPH, VOCAB_GRAPH
from kg.terms import article_graph as article_graph_iri
from kg.textindex import BatchIndex, IndexRows, IndexUpdate
from kg.vocabulary import mappings_graph, ontology_graph, vocabulary_graph

#: Compact the store after an ingest that wrote at least 1/COMPACT_SHARE of its triples in more
#: than COMPACT_PIECES pieces (bulk loads, and batches with replaced graphs).
COMPACT_SHARE = 10
COMPACT_PIECES = 4
#: Pieces loaded at the same time (see :data:`kg.store.PIECE_QUADS`): each load parses its piece in
#: one thread, so two keep both cores busy once the workers are done (10k, one run each: 128 s for
#: the whole ingest in pieces of 450,000 two at a time, 156 s in pieces of 900,000 one at a time).
LOADERS = 2
#: Triples written between two flushes of the store's memory tables (about 35 MB of RSS).
FLUSH_EVERY = 30_000


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
    """Annotation files named by ``paths`` (files, or folders searched recursively), sorted.

    Every ``*.yaml`` entry of a folder is taken, symbolic links that dangle or loop and unreadable
    files included: each is then that article's own input error, and the others are still stored.
    Only a named path that does not exist at all stops the run here.
    """
    found: set[Path] = set()
    problems: list[Problem] = []
    for path in paths:
        if path.is_dir():
            found.update(p for p in path.rglob("*.yaml") if p.name != REGISTRY_FILE and not is_corpus_file(p))
        elif os.path.lexists(path):  # a file, or a link whose target is missing (reported with its article)
            found.add(path)
        else:
            problems.append(Problem(path, "", "no such file or folder", "check the path"))
    if problems:
        raise InputError(problems)
    if not found:
        raise InputError(
            [
                Problem(
                    ", ".join(map(str, paths)),
                    "",
                    "no annotation files (*.yaml) found",
                    "name annotation files or folders that contain them",
                )
            ]
        )
    return sorted(found)


def _registry_for(path: Path) -> Path:
    """The registry of the article at ``path`` (see :func:`find_registry`), as an InputError when the
    path itself is unusable (a looping symbolic link cannot be resolved)."""
    try:
        return find_registry(path)
    except (OSError, RuntimeError) as err:  # RuntimeError: Path.resolve() on a symbolic link loop
        raise InputError([Problem(path, "", f"cannot resolve the path: {err}", "fix or remove the link")]) from err


def _first_registry(files: Sequence[Path]) -> Path:
    """The registry of the first article whose path can be followed (a broken one is its own error)."""
    for path in files:
        try:
            check_file(path, "annotation")
        except InputError:
            continue
        return _registry_for(path)
    return _registry_for(files[0])


def ingest(
    paths: Sequence[Path],
    store: EmbeddedStore,
    *,
    registry_path: Path | None = None,
    batch_size: int = BATCH_SIZE,
    workers: int | None = None,
    progress: Callable[[int], None] | None = None,
    checked: Callable[[int], None] | None = None,
    piece_quads: int = PIECE_QUADS,
    single_load_quads: int = SINGLE_LOAD_QUADS,
) -> IngestSummary:
    """Ingest annotation files into ``store``; see the module docstring for the guarantees.

    ``workers`` processes prepare the batches (default: one per core, see :mod:`kg.parallel`); with
    one worker, or a single batch, everything happens in this process. New graphs are bulk-loaded
    after the workers are done: in one piece when the run is expected to write at most
    ``single_load_quads`` quads, else in pieces of about ``piece_quads`` (see
    :data:`kg.store.PIECE_QUADS`). ``checked`` is told how many more articles are checked and
    validated (what most of an ingest's time goes to), ``progress`` how many more are committed:
    stored, or settled as invalid or in error.

    :raises InputError: when the paths or the registry are unusable (nothing is stored).
    """
    files = discover(paths)
    registry_file = registry_path or _first_registry(files)
    registry = load_registry(registry_file)  # a bad registry fails here, before any work starts
    corpus = corpus_graph(registry)
    # A store holding nothing the derivation reads gets all of that from this ingest: the derivation
    # then reads what the workers handed on instead of the whole store (see kg.ingest.derive).
    inputs = None if store.holds_any(READS) else DerivationInputs()
    was_empty = not store.holds_any([(None, None, None)])
    job = _Job(
        registry,
        registry_graph(registry),
        corpus,
        explicit_registry=registry_path is not None,
        derivation=inputs is not None,
    )
    batches = [files[start : start + batch_size] for start in range(0, len(files), batch_size)]
    with (
        IndexUpdate(store.location) as index,
        _Committer(
            store, job, (progress, checked), (piece_quads, single_load_quads), len(files), index, inputs
        ) as committer,
    ):
        for prepared in ordered_map(_prepare, batches, state=job, count=len(batches), workers=workers):
            committer.commit(prepared)
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="kg-derive") as pool:
            # Fewer pieces than loaders leave a core idle during the loads (a run of at most
            # SINGLE_LOAD_QUADS is one piece, parsed in one thread): graph/derived, which reads only
            # what the workers handed on, is worked out there meanwhile (1k: 0.7-0.9 s of 16 s).
            # With as many pieces as loaders, or more, the loads keep both cores busy: it is derived
            # afterwards, beside the compaction.
            derived = None
            if committer.written and inputs is not None and inputs.usable and committer.pieces_left < LOADERS:
                derived = pool.submit(derived_from, inputs)
            committer.load()
            _finish(store, committer, index, was_empty=was_empty, derived=derived)
    return committer.summary


def _finish(
    store: EmbeddedStore,
    committer: _Committer,
    index: IndexUpdate,
    *,
    was_empty: bool,
    derived: Future[DerivedTriples] | None = None,
) -> None:
    """After the last load: graph/derived (``derived``, when it was worked out beside the loads),
    compaction, and the full-text index committed."""
    store.flush()
    # An ingest in many pieces leaves many overlapping files behind, and read-only opens (kg query,
    # kg serve) do not compact: compacting now made the queries after it about a third faster (10k
    # articles in 12 pieces: the whole-corpus queries 17 and 04 in 19-25 and 23-29 s against 28-35
    # and 36-46 s, for 14 s of compaction; BENCHMARKS.md, run P). But RocksDB writes what it
    # compacts uncompressed here, while a bulk load's files are compressed: compacting a store loaded
    # in a few pieces made it 1.5x larger for no faster queries, so only many pieces are compacted.
    # Its cost grows with the whole store, so a small addition to a large store skips it too (counting
    # a store's quads reads all of them, 1.6 s at 10k: a store that was empty is not counted).
    compact = committer.pieces > COMPACT_PIECES and (was_empty or committer.written * COMPACT_SHARE >= len(store))
    # Compaction runs in RocksDB without the GIL, so it takes the core the derivation (one thread)
    # leaves idle: at 10k, 14.1 s of compaction beside 10.7 s of derivation. graph/derived is written
    # meanwhile (small; the flush after puts it on disk whether or not the compaction took it in).
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="kg-compact") as pool:
        compaction = pool.submit(store.optimize) if compact else None
        if derived is not None:
            write_derived(store, derived.result())
        elif committer.written:
            rederive(store, committer.inputs)  # graph/derived: position dates, candidate changes, reaffirmations
        if compaction is not None:
            compaction.result()
    store.flush()
    committer.summary.outcomes.sort(key=lambda o: str(o.path))
    # The full-text index (kg search, the evidence views) follows what was stored: the rows the
    # workers made are written as batches are committed; anything else is indexed from the store now.
    index.finish(
        store, {o.source_id: o.path for o in committer.summary.outcomes if o.status == "stored" and o.source_id}
    )


class _Committer:
    """Stores prepared batches in order: outcomes, duplicate source ids across batches, the registry
    findings reported once, and the context graphs written with the first valid batch. New graphs
    are gathered in pieces (:class:`kg.store.Staging`) and bulk-loaded by :meth:`load`, as
    :data:`kg.store.PIECE_QUADS` says; replaced ones are written at once."""

    def __init__(
        self,
        store: EmbeddedStore,
        job: _Job,
        callbacks: tuple[Callable[[int], None] | None, Callable[[int], None] | None],
        limits: tuple[int, int],
        files: int,
        index: IndexUpdate,
        inputs: DerivationInputs | None = None,
    ) -> None:
        self.store, self.job, self.index, self.inputs = store, job, index, inputs
        (self.progress, self.checked), (self.piece_quads, self.single_load_quads) = callbacks, limits
        self.staging = Staging()
        #: Files in the run, articles committed so far, and the quads they staged: what the run is
        #: expected to write in all.
        self.files, self.committed, self.staged = files, 0, 0
        #: Pieces waiting for their load, each with the articles committed with it (reported as
        #: committed once it is loaded).
        self.pending: list[tuple[Staging, int]] = []
        #: Articles committed with the piece being gathered.
        self.piece_articles = 0
        self.summary = IngestSummary()
        self.seen: dict[str, Path] = {}
        self.context_pending, self.registry_checked = True, False
        self.unflushed = self.written = self.pieces = 0

    def __enter__(self) -> _Committer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.staging.close()
        for staging, _ in self.pending:
            staging.close()
        if self.inputs is not None:
            self.inputs.close()

    def commit(self, prepared: _PreparedBatch) -> None:
        before = self.staging.quads
        self._store(prepared)
        self.staged += self.staging.quads - before
        self.piece_articles += len(prepared.articles)
        self.committed += len(prepared.articles)
        if self.checked:
            self.checked(len(prepared.articles))
        if self._piece_full():
            self._close_piece()

    @property
    def _gathering(self) -> bool:
        """Whether the piece being gathered holds anything (quads, or articles to report with it)."""
        return bool(self.staging.quads or self.piece_articles)

    @property
    def pieces_left(self) -> int:
        """The pieces :meth:`load` is to load (those gathered, and the one being gathered)."""
        return len(self.pending) + self._gathering

    def _piece_full(self) -> bool:
        """Whether the piece being gathered is complete (see :data:`kg.store.PIECE_QUADS`)."""
        quads, expected = self.staging.quads, self.staged * self.files / self.committed
        return quads >= self.single_load_quads or (quads >= self.piece_quads and expected > self.single_load_quads)

    def _close_piece(self) -> None:
        self.pending.append((self.staging, self.piece_articles))
        self.staging, self.piece_articles = Staging(), 0

    def load(self) -> None:
        """Bulk-load the gathered pieces, LOADERS at a time, reporting each one's articles once it is
        stored. A failed load stops the pieces not yet started and is raised."""
        if self._gathering:
            self._close_piece()
        self.pieces += sum(1 for staging, _ in self.pending if staging.quads)
        pool = ThreadPoolExecutor(max_workers=LOADERS, thread_name_prefix="kg-load")
        try:
            loads = {pool.submit(self.store.load_staged, staging): articles for staging, articles in self.pending}
            for done in as_completed(loads):
                done.result()
                if self.progress and loads[done]:
                    self.progress(loads[done])
        finally:
            pool.shutdown(cancel_futures=True)

    def _store(self, prepared: _PreparedBatch) -> None:
        report = prepared.report
        accepted: list[GraphReplacement] = []
        indexed: list[tuple[str, IndexRows]] = []
        reads: list[str] = []
        for item in prepared.articles:
            if item.error is None and item.source_id in self.seen:  # a duplicate of an earlier batch
                item.error = _duplicate(item.path, item.source_id, self.seen)
                report.by_group.pop(item.source_id, None)
            if item.error is not None or item.source_id is None:
                self.summary.outcomes.append(Outcome(item.path, "error", error=item.error))
                continue
            self.seen[item.source_id] = item.path
            ok = report.conforms(item.source_id)
            self.summary.outcomes.append(
                Outcome(item.path, "stored" if ok else "invalid", item.source_id, item.triples)
            )
            if ok and item.replacement is not None:
                accepted.append(item.replacement)
                reads.append(item.derivation)
                if item.index is not None:
                    indexed.append((item.source_id, item.index))
        if not any(item.error is None for item in prepared.articles):
            return
        # Every batch validates the registry along with its articles; it is reported once.
        if self.registry_checked:
            report.by_group.pop(REGISTRY_GROUP, None)
        elif not report.conforms(REGISTRY_GROUP):
            raise InputError(
                [
                    Problem(
                        self.job.registry.path,
                        "",
                        "the registry violates the shapes",
                        "fix the registry findings listed in the report",
                    )
                ]
            )
        self.registry_checked = True
        self.summary.report.merge(report)
        for source_id, rows in indexed:
            self.index.add(source_id, rows)
        if accepted and self.context_pending:
            context = [
                GraphReplacement.of(name, graph)
                for name, graph in _context_graphs(self.job.registry_triples, self.job.corpus_triples).items()
            ]
            accepted += context
            reads += (derivation_reads(replacement.triples) for replacement in context)
            self.context_pending = False
        if self.inputs is not None:
            for text in reads:
                self.inputs.add(text)
        written = sum(item.triples for item in prepared.articles)
        self.written += written
        if self.store.replace(accepted, staging=self.staging):
            self.pieces += 1
            # RocksDB keeps a transaction's writes in memory tables until they are large: RSS grew with
            # the corpus (2.9 GB at a few thousand articles). A flush costs ~0.2 s (and waits for a
            # load), so it comes every FLUSH_EVERY triples written so.
            self.unflushed += written
            if self.unflushed >= FLUSH_EVERY:
                self.store.flush()
                self.unflushed = 0


# -- preparing batches (in worker processes) ---------------------------------------------------


@dataclass(frozen=True)
class _Job:
    """What preparing a batch needs besides the files (picklable: sent once to each worker)."""

    registry: Registry
    registry_triples: Graph
    corpus_triples: Graph
    explicit_registry: bool
    #: Whether the committer derives from what the workers hand on (:func:`derivation_reads`).
    derivation: bool = False
    #: KG_SHACL_ENGINE as the calling process sees it, read when the job is made: the workers' fork
    #: server may have started before the caller changed it (as kg.shacl.engine.validate_store does).
    screen: bool = field(default_factory=screen_requested)

    @cached_property
    def context(self) -> Graph:
        """What articles are validated with: the registry and the whole corpus, typed. Made once per
        worker: it took about 0.1 s a batch, and the screen serialises it again for every new graph."""
        return corpus_context(self.registry_triples, self.corpus_triples)

    @cached_property
    def index(self) -> BatchIndex:
        """The worker's scratch store for the full-text index rows: the graphs besides the
        articles' that the index reads, as the first valid batch writes them."""
        return BatchIndex(
            {
                name: ntriples(graph)
                for name, graph in _context_graphs(self.registry_triples, self.corpus_triples).items()
            }
        )


@dataclass
class _Prepared:
    """One annotation file after preparation: an input error, or the graphs to store."""

    path: Path
    source_id: str | None = None
    error: InputError | None = None
    triples: int = 0
    replacement: GraphReplacement | None = None
    #: The article's full-text index rows (None: it is indexed from the store after the run).
    index: IndexRows | None = None
    #: What graph/derived reads of its graphs (when the job asks for it: :func:`derivation_reads`).
    derivation: str = ""


@dataclass
class _PreparedBatch:
    articles: list[_Prepared]
    report: Report


def _prepare(paths: Sequence[Path]) -> _PreparedBatch:
    """Read, check, build and validate one batch (in a worker). Pure: writes nothing."""
    job: _Job = worker_state()
    registry = job.registry
    now = datetime.now(UTC)
    seen: dict[str, Path] = {}
    prepared: list[_Prepared] = []
    built: dict[str, Triples] = {}
    texts: dict[str, str] = {}
    for path in paths:
        try:
            article = _read_article(path, job)
            if article.source_id in seen:
                raise _duplicate(path, article.source_id, seen)
            triples = article_triples(article, registry)
            provenance = provenance_triples(article, ingested_at=now, version=__version__)
            replacement = _replacement(article, triples, provenance)
            derivation = derivation_reads(replacement.triples + replacement.provenance) if job.derivation else ""
        except InputError as err:
            prepared.append(_Prepared(path, error=err))
            continue
        except Exception as err:  # a failure no check foresaw sinks its own article, not the batch
            prepared.append(_Prepared(path, error=_unforeseen(path, err)))
            continue
        seen[article.source_id] = path
        built[article.source_id] = triples
        texts[article.source_id] = replacement.triples
        prepared.append(
            _Prepared(path, article.source_id, triples=len(triples), replacement=replacement, derivation=derivation)
        )
    report = validate(_GraphsOnDemand(built), job.context, texts=texts, screen=job.screen) if built else Report()
    _index(job, prepared, report)
    return _PreparedBatch(prepared, report)


def _index(job: _Job, prepared: list[_Prepared], report: Report) -> None:
    """The full-text index rows of the batch's valid articles, made here in the worker from their
    graphs (see :class:`kg.textindex.BatchIndex`) rather than from the whole store after the run."""
    valid = {
        item.source_id: item
        for item in prepared
        if item.source_id is not None and item.replacement is not None and report.conforms(item.source_id)
    }
    if not valid:
        return
    texts = {sid: (i.replacement.triples, i.replacement.provenance) for sid, i in valid.items() if i.replacement}
    try:
        rows = job.index.rows(texts, {sid: item.path for sid, item in valid.items()}).by_article()
    except Exception:  # the store is then asked after the run, as before: the same rows
        return
    if set(rows) - set(valid):  # a row of no article of the batch: leave it all to the store
        return
    for sid, item in valid.items():
        item.index = rows.get(sid, IndexRows())


class _GraphsOnDemand(Mapping[str, Graph]):
    """A batch's article graphs, each made into an rdflib graph on first access: the screen reads
    the N-Triples text, so only the articles it flags (and those linked to them) are ever built for
    pySHACL."""

    def __init__(self, built: Mapping[str, Triples]) -> None:
        self._built = built
        self._graphs: dict[str, Graph] = {}

    def __getitem__(self, source_id: str) -> Graph:
        if source_id not in self._graphs:
            self._graphs[source_id] = self._built[source_id].graph()
        return self._graphs[source_id]

    def __iter__(self) -> Iterator[str]:
        return iter(self._built)

    def __len__(self) -> int:
        return len(self._built)


def _read_article(path: Path, job: _Job) -> Article:
    """Load and check one annotation file; every way its path can fail is an InputError naming it."""
    check_file(path, "annotation")  # a dangling or looping link, a folder, an unreadable file
    if not job.explicit_registry:
        own = _registry_for(path)
        if own != job.registry.path:
            raise InputError(
                [
                    Problem(
                        path,
                        "",
                        f"belongs to another registry ({own})",
                        "ingest each corpus (folder with its own registry.yaml) separately",
                    )
                ]
            )
    return load_article(path, job.registry)


def _unforeseen(path: Path, err: Exception) -> InputError:
    return InputError(
        [
            Problem(
                path,
                "",
                f"could not be checked: {type(err).__name__}: {err}",
                "this input was not foreseen by kg's checks; please report it with the file",
            )
        ]
    )


def _duplicate(path: Path, source_id: str, seen: dict[str, Path]) -> InputError:
    return InputError(
        [
            Problem(
                path,
                "article.source_id",
                f"source_id {source_id!r} is also used by {seen[source_id]}",
                "give every article its own source_id",
            )
        ]
    )


def _replacement(article: Article, triples: Triples, provenance: Triples) -> GraphReplacement:
    source_id = article.source_id
    return GraphReplacement(
        graph=article_graph_iri(source_id),
        triples=triples.ntriples(),
        provenance=provenance.ntriples(),
        provenance_subjects=(
            article_graph_iri(source_id),
            ingest_activity_iri(source_id),
            source_file_iri(source_id, "annotation"),
            source_file_iri(source_id, "text"),
        ),
    ).encoded()


def _context_graphs(registry_triples: Graph, corpus_triples: Graph) -> dict[URIRef, Graph]:
    """The graphs written with the first valid batch, by name."""
    return {
        REGISTRY_GRAPH: registry_triples,
        CORPUS_GRAPH: corpus_triples,
        # The PLOVER / CAMEO concepts ride along, so that a query can follow a concept's mappings.
        VOCAB_GRAPH: vocabulary_graph() + mappings_graph(),
        ONTOLOGY_GRAPH: ontology_graph(),
    }
