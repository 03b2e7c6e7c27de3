"""The embedded store: an on-disk Oxigraph database (pyoxigraph), no server to start.

Oxigraph gives complete SPARQL 1.1 in Rust, persistent RocksDB storage and transactional updates.
Every write here is all-or-nothing, even if the process is killed half-way. New graphs go in through
Oxigraph's bulk loader: it writes sorted table files beside the database and hands them to RocksDB
in one ``IngestExternalFiles`` call, which records them in the manifest atomically (all column
families at once), skips the write-ahead log and costs about half the CPU of a transaction.
Replaced graphs (drop the old content and provenance, insert the new) are one SPARQL update, one
transaction.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, cast

import pyoxigraph as ox

from kg.errors import StoreError
from kg.prefixes import ARTICLE_GRAPH_NS, PREFIXES, PROVENANCE_GRAPH_IRI

if TYPE_CHECKING:  # rdflib is imported where a caller's rdflib terms or graphs are handled, not here:
    # reading the store (kg query) answers with pyoxigraph's terms and needs none of its ~0.1 s import.
    from rdflib import Graph, URIRef
    from rdflib.term import Node

STORE_ENV = "KG_STORE"

#: An RDF term as the store reads and answers it (pyoxigraph's own).
Term = ox.NamedNode | ox.Literal | ox.BlankNode
#: The provenance graph's name as N-Triples/SPARQL writes it.
_PROVENANCE = f"<{PROVENANCE_GRAPH_IRI}>"


def default_location() -> Path:
    """``$KG_STORE``, else ``$XDG_DATA_HOME/positions-kg/store`` (``~/.local/share/...``)."""
    if os.environ.get(STORE_ENV):
        return Path(os.environ[STORE_ENV])
    data_home = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(data_home) / "positions-kg" / "store"


def to_oxigraph(term: Node | Term) -> Term:
    """A term as pyoxigraph's: its own terms as they are, rdflib's converted."""
    if isinstance(term, ox.NamedNode | ox.Literal | ox.BlankNode):
        return term
    from rdflib import BNode, Literal, URIRef

    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    raise TypeError(f"cannot store {term!r}")


def to_rdflib(term: object) -> Node | None:
    """A pyoxigraph term as rdflib's (for the callers that build rdflib graphs or use its writers)."""
    if term is None:
        return None
    from rdflib import BNode, Literal, URIRef

    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        if datatype == "http://www.w3.org/2001/XMLSchema#string":
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(datatype))
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    raise TypeError(f"unexpected term {term!r}")


def rdflib_triple(quad: ox.Quad) -> tuple[Node, Node, Node]:
    """A stored quad's triple as rdflib terms (a stored triple has no unbound position)."""
    return cast("tuple[Node, Node, Node]", (to_rdflib(quad.subject), to_rdflib(quad.predicate), to_rdflib(quad.object)))


def ntriples(triples: Iterable[tuple[Node, Node, Node]]) -> str:
    """``triples`` (an rdflib graph, or any triples) as an N-Triples document, one triple per line (what
    :meth:`EmbeddedStore.replace` takes).

    The store writes N-Triples text, not rdflib graphs: ingest workers make it in their process, and
    the store's Rust parser takes it in one transaction. The lines are those rdflib's N-Triples
    serialiser writes (the same escapes, and an IRI it refuses is refused here), without building a
    graph first. (Not ``Node.n3()`` for literals: that writes Turtle's long strings for multi-line
    literals.)
    """
    from rdflib import URIRef

    # An article names its nodes and properties many times over: each IRI is checked and written
    # once (half the time of writing every term anew; BENCHMARKS.md, run O).
    written: dict[Node, str] = {}
    lines = []
    for s, p, o in triples:
        subject = written.get(s) or written.setdefault(s, s.n3())
        predicate = written.get(p) or written.setdefault(p, p.n3())
        obj = (written.get(o) or written.setdefault(o, o.n3())) if type(o) is URIRef else _nt_object(o)
        lines.append(f"{subject} {predicate} {obj} .\n")
    text = "".join(lines)
    # rdflib's serialiser encoded each line, so a lone surrogate (which UTF-8 cannot carry) failed
    # the article's preparation there; it must not reach the store's parser instead.
    text.encode("utf-8")
    return text


#: rdf:type as :func:`ntriples` writes it.
RDF_TYPE = f"<{PREFIXES['rdf']}type>"


def lines_with(text: str, predicates: frozenset[str], types: frozenset[str] = frozenset()) -> str:
    """The lines of ``text``, an N-Triples document :func:`ntriples` wrote, whose predicate is one of
    ``predicates`` or that give their subject an rdf:type in ``types`` (terms as written: ``<iri>``).

    What a query with only these predicates reads of a graph, taken from the text an ingest worker
    has made anyway: testing each rdflib triple instead took three times as long (BENCHMARKS.md, run
    O). ``ntriples`` writes one space between the terms, and no subject or predicate holds one.
    """
    kept = []
    for line in text.split("\n"):  # not splitlines(): a literal may hold U+2028 and the like unescaped
        terms = line.split(" ", 2)
        if len(terms) == 3 and (terms[1] in predicates or (terms[1] == RDF_TYPE and terms[2][:-2] in types)):
            kept.append(line + "\n")
    return "".join(kept)


def _nt_object(term: Node) -> str:
    from rdflib import Literal

    if not isinstance(term, Literal):
        return term.n3()
    quoted = str(term).replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"').replace("\r", "\\r")
    if term.language:
        return f'"{quoted}"@{term.language}'
    if term.datatype:
        return f'"{quoted}"^^<{term.datatype}>'
    return f'"{quoted}"'


@dataclass(frozen=True)
class GraphReplacement:
    """New content for one named graph, plus provenance statements about it, as N-Triples text.

    ``provenance_subjects`` are the nodes whose old provenance statements are removed before the
    new ones (``provenance``) are added, so re-ingesting never piles up stale records.
    """

    graph: URIRef
    triples: str
    provenance: str = ""
    provenance_subjects: tuple[URIRef, ...] = ()
    #: :meth:`nquads`, when made beforehand (:meth:`encoded`).
    _nquads: bytes = field(default=b"", repr=False, compare=False)

    @classmethod
    def of(cls, graph: URIRef, triples: Graph) -> GraphReplacement:
        return cls(graph, ntriples(triples))

    def nquads(self) -> bytes:
        """The triples in the graph and the provenance in the provenance graph, as N-Quads (UTF-8):
        what a bulk load of a new graph reads (:class:`Staging`)."""
        if self._nquads:
            return self._nquads
        # Each N-Triples line ends with " .\n", which never occurs inside a term (newlines in
        # literals are escaped), so appending the graph name turns the lines into N-Quads.
        text = self.triples.replace(" .\n", f" {self.graph.n3()} .\n")
        return (text + self.provenance.replace(" .\n", f" {_PROVENANCE} .\n")).encode("utf-8")

    def encoded(self) -> GraphReplacement:
        """This replacement with its :meth:`nquads` made now: an ingest worker hands them on, so
        that the process writing the store only copies bytes (it spent 7 s of 10k articles'
        ingest making them)."""
        return replace(self, _nquads=self.nquads())


#: How an ingest cuts its new graphs into bulk loads, made once its workers are done. A run expected
#: to write at most SINGLE_LOAD_QUADS is loaded in one piece; a larger one in pieces of PIECE_QUADS,
#: two at a time (each load parses in one thread). Each load is its own set of table files
#: overlapping the earlier ones, and RocksDB's compaction of them writes a small store's only level
#: uncompressed: 1,000 articles' 370,000 quads make a store 1.004x one bulk load of them in one piece,
#: 1.6x in two (BENCHMARKS.md, run P). Loading beside the workers made RocksDB merge every load with
#: the earlier ones, over and over, on the cores the workers needed: at 10,000 articles in 13 loads
#: of 300,000 quads, 41 s of the main process's CPU went to compaction (runs N and P). Every piece
#: stays below the loader's own batch (a million quads), so that one load is one atomic ingestion and
#: a kill cannot leave part of one. The loader holds about 1 KB of memory per quad of its batch: two
#: loads of 300,000 peaked at 0.75 GiB at 10k, of 450,000 at 1.06 GiB, and one load of all 3.9
#: million quads at 1.7 GiB.
PIECE_QUADS = 300_000
SINGLE_LOAD_QUADS = 600_000


class Staging:
    """New graphs waiting for one bulk load, as N-Quads in an unnamed temporary file: the text is
    not held in memory, and a killed process leaves nothing behind (the store never saw it). The
    file lives where :mod:`tempfile` puts it (``$TMPDIR``); an ingest's pieces together take about two
    thirds of the store's size there (0.9 GB at 10,000 articles)."""

    def __init__(self) -> None:
        with temporary_space():
            self._file = tempfile.TemporaryFile()  # noqa: SIM115 - lives as long as the Staging (close)
        self.quads = 0

    def add(self, items: Iterable[GraphReplacement]) -> None:
        with temporary_space():
            for item in items:
                quads = item.nquads()
                self._file.write(quads)
                self.quads += quads.count(b"\n")

    @property
    def path(self) -> str | None:
        """A path that opens the file anew (Linux's /proc/self/fd), or None where there is none.

        Loading from a path, Oxigraph reads the file itself; given the Python file object it calls
        back into Python for every read, which needs the GIL: beside a busy main thread, a load of
        370k quads took 221 s instead of 3.4 s.
        """
        path = f"/proc/self/fd/{self._file.fileno()}"
        return path if os.path.exists(path) else None

    def load_into(self, store: EmbeddedStore) -> None:
        """Bulk-load what was gathered (one atomic ingestion)."""
        if self.quads:
            with temporary_space():
                self._file.flush()
            self._file.seek(0)
            path = self.path
            try:
                if path is None:
                    store.oxigraph.bulk_load(self._file, format=ox.RdfFormat.N_QUADS)
                else:
                    store.oxigraph.bulk_load(path=path, format=ox.RdfFormat.N_QUADS)
            except (OSError, SyntaxError) as err:
                raise StoreError(f"the store at {store.location} failed to write: {err}") from err

    def close(self) -> None:
        self._file.close()

    def __enter__(self) -> Staging:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@contextmanager
def temporary_space() -> Iterator[None]:
    """Writing to the temporary folder: full (or unwritable), it is said as what it is, with what to do."""
    try:
        yield
    except OSError as err:
        raise StoreError(
            f"cannot write to the temporary folder {tempfile.gettempdir()}: {err.strerror or err}. An ingest "
            "keeps its new graphs there until it loads them (about two thirds of the store's size): free "
            "space there, or set TMPDIR to a folder with more room"
        ) from err


class Selecting(Protocol):
    """Anything that answers a SELECT as plain values, as :meth:`EmbeddedStore.select_values` does."""

    def select_values(self, query: str) -> tuple[list[str], list[tuple[str | None, ...]]]: ...


def plain_values(solutions: ox.QuerySolutions) -> tuple[list[str], list[tuple[str | None, ...]]]:
    """A SELECT's variables and rows, each term as its plain value (None for unbound)."""
    variables = [v.value for v in solutions.variables]
    return variables, [tuple(None if term is None else term.value for term in solution) for solution in solutions]


@dataclass(frozen=True)
class SelectResult:
    """A SELECT answer as pyoxigraph terms: column names and rows (None for unbound).

    pyoxigraph's terms, not rdflib's: making one costs nothing in Python, and reading them needs no
    rdflib (a term's text is its ``.value``; ``str()`` of one is its N-Triples form).
    """

    variables: list[str]
    rows: list[tuple[Term | None, ...]]


class EmbeddedStore:
    """A persistent Oxigraph store at ``location``, or an in-memory snapshot of one.

    ``in_memory=True`` reads the whole store into memory once and answers from there: a read-only
    snapshot of the store as it was when opened. Whole-corpus reports answer 4-5x faster on it (2-5x;
    measured through :meth:`answer` at 10,000 articles), because on disk every index lookup is a
    RocksDB read (about 5-10 µs each, 20-40 per result row) and in memory it is not. It costs the copy
    (about 30 s at 10,000 articles) and about 420 bytes of memory per quad (1.3 GiB at 10,000
    articles): worth it for a long-running ``kg serve``, not for one ``kg query``.
    """

    def __init__(self, location: Path | str | None = None, *, read_only: bool = False, in_memory: bool = False) -> None:
        self.location = Path(location) if location else default_location()
        self.in_memory = in_memory
        try:
            if read_only or in_memory:
                if not self.location.is_dir():
                    raise StoreError(f"no store at {self.location}: run 'kg ingest' first (or pass --store)")
                self._store = ox.Store.read_only(str(self.location))
            else:
                self.location.mkdir(parents=True, exist_ok=True)
                self._store = ox.Store(str(self.location))
            if in_memory:
                snapshot = ox.Store()
                snapshot.bulk_extend(self._store)
                self._store = snapshot  # the on-disk store is released here
        except (OSError, RuntimeError) as err:  # RuntimeError: RocksDB found the files unreadable
            raise StoreError(
                f"cannot open the store at {self.location}: {err}. "
                "If another kg process (e.g. 'kg serve') is using it, stop that process or use another --store."
            ) from err

    @property
    def oxigraph(self) -> ox.Store:
        """The pyoxigraph store itself (``kg serve`` hands queries to it and lets it serialise the answers)."""
        return self._store

    def close(self) -> None:
        """Release the database (and its lock) now rather than at garbage collection."""
        self.__dict__.pop("_store", None)

    def __enter__(self) -> EmbeddedStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- writing -----------------------------------------------------------------------------

    def load_staged(self, staging: Staging) -> None:
        """Bulk-load the graphs gathered in ``staging`` (one atomic ingestion), then close it. Loads
        of different stagings may run at once, from different threads (an ingest runs two): each is
        its own ingestion, and pyoxigraph releases the GIL while it loads from a path."""
        with staging:
            staging.load_into(self)

    def replace(self, replacements: Iterable[GraphReplacement], *, staging: Staging | None = None) -> int:
        """Replace named graphs (and their provenance), each graph atomically.

        Graphs the store does not hold yet are added by one bulk load (one atomic ingestion, see the
        module docstring), or gathered in ``staging`` for a later one; graphs it holds are dropped and
        re-inserted by one SPARQL update (one transaction), so a reader or a kill never sees half of
        an article. Returns how many graphs were replaced in that transaction.
        """
        if self.in_memory:
            raise StoreError("an in-memory snapshot is read-only: open the store without in_memory to write")
        items = list(replacements)
        fresh = [
            i
            for i in items
            if not self._store.contains_named_graph(ox.NamedNode(str(i.graph))) and not self._has_provenance(i)
        ]
        if staging is None:
            with Staging() as now:
                now.add(fresh)
                now.load_into(self)
        else:
            staging.add(fresh)
        existing = [i for i in items if i not in fresh]
        self._replace_existing(existing)
        return len(existing)

    def _has_provenance(self, item: GraphReplacement) -> bool:
        """Whether old provenance about the graph is still stored (and must be removed first)."""
        graph = ox.NamedNode(PROVENANCE_GRAPH_IRI)
        return any(
            next(self._store.quads_for_pattern(ox.NamedNode(str(s)), None, None, graph), None)
            for s in item.provenance_subjects
        )

    def _replace_existing(self, items: list[GraphReplacement]) -> None:
        operations: list[str] = []
        inserts: list[str] = []
        for item in items:
            operations.append(f"DROP SILENT GRAPH {item.graph.n3()}")
            operations.extend(
                f"DELETE WHERE {{ GRAPH {_PROVENANCE} {{ {subject.n3()} ?p ?o }} }}"
                for subject in item.provenance_subjects
            )
            # N-Triples lines are valid SPARQL triples (same IRI and string escapes).
            inserts.append(f"GRAPH {item.graph.n3()} {{\n{item.triples}}}")
            if item.provenance:
                inserts.append(f"GRAPH {_PROVENANCE} {{\n{item.provenance}}}")
        if inserts:
            operations.append("INSERT DATA {\n" + "\n".join(inserts) + "\n}")
        if operations:
            self._update(" ;\n".join(operations))

    def _update(self, update: str) -> None:
        try:
            self._store.update(update)
        except (OSError, SyntaxError) as err:
            raise StoreError(f"the store at {self.location} rejected an update: {err}") from err

    def flush(self) -> None:
        self._store.flush()

    def optimize(self) -> None:
        """Compact the on-disk indexes (RocksDB), which makes reads faster after large writes."""
        self._store.optimize()

    # -- reading -----------------------------------------------------------------------------

    def named_graphs(self) -> list[URIRef]:
        from rdflib import URIRef

        return sorted(URIRef(g.value) for g in self._store.named_graphs() if isinstance(g, ox.NamedNode))

    def graph(self, name: URIRef) -> Graph:
        """One named graph as an rdflib Graph."""
        from rdflib import Graph

        graph = Graph()
        for quad in self._store.quads_for_pattern(None, None, None, ox.NamedNode(str(name))):
            graph.add(rdflib_triple(quad))
        return graph

    def ntriples(self, name: URIRef) -> str:
        """One named graph as an N-Triples document, written by Oxigraph (no Python per triple)."""
        return self.ntriples_bytes(name).decode("utf-8")

    def ntriples_bytes(self, name: URIRef) -> bytes:
        """The same, as UTF-8 bytes (what an HTTP body needs)."""
        return cast(bytes, self._store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(str(name))))

    def quads(self, graph: URIRef | None = None) -> Iterator[ox.Quad]:
        """Every quad, or those of one named graph."""
        if graph is None:
            return iter(self._store)
        return iter(self._store.quads_for_pattern(None, None, None, ox.NamedNode(str(graph))))

    def __len__(self) -> int:
        return len(self._store)

    def select(self, query: str, bindings: Mapping[str, Node | Term] | None = None) -> SelectResult:
        """Run a SELECT over the union of all graphs with variables pre-bound to RDF terms (pyoxigraph's
        or rdflib's); the answer as pyoxigraph terms."""
        solutions = self._solutions(query, bindings)
        variables = [v.value for v in solutions.variables]
        # A solution iterates over its values in the order of ``variables`` (None where unbound).
        rows = cast("list[tuple[Term | None, ...]]", [tuple(solution) for solution in solutions])
        return SelectResult(variables, rows)

    def select_values(self, query: str) -> tuple[list[str], list[tuple[str | None, ...]]]:
        """The same SELECT, each term as its plain value (an IRI, a literal's lexical form, a blank
        node's id; None for unbound): for readers that want text only."""
        return plain_values(self._solutions(query, None))

    def holds_any(self, patterns: Iterable[tuple[URIRef | None, URIRef | None, URIRef | None]]) -> bool:
        """Whether any graph holds a triple matching one of ``patterns`` (None matches anything)."""
        for pattern in patterns:
            subject, predicate, obj = (None if term is None else ox.NamedNode(str(term)) for term in pattern)
            if next(self._store.quads_for_pattern(subject, predicate, obj, None), None) is not None:
                return True
        return False

    def answer(self, query: str, bindings: Mapping[str, Node | Term] | None = None, *, fmt: str = "json") -> bytes:
        """The same SELECT, its answer written by Oxigraph in a W3C results format (``csv``, ``tsv``,
        ``json`` or ``xml``), as ``kg serve`` answers.

        For answers too big to be worth turning into Python objects: a report of a million rows costs
        Oxigraph a few hundred MB of text here, against several GB as :meth:`select` rows. The whole
        answer is written before it is returned, so a failure never leaves half of one.
        """
        results_format = ox.QueryResultsFormat.from_extension(fmt)
        if results_format is None:
            raise ValueError(f"no SPARQL results format {fmt!r}: use csv, tsv, json or xml")
        solutions = self._solutions(query, bindings)
        try:
            return cast(bytes, solutions.serialize(format=results_format))
        except OSError as err:
            raise StoreError(f"the store at {self.location} failed to answer: {err}") from err

    def _solutions(self, query: str, bindings: Mapping[str, Node | Term] | None) -> ox.QuerySolutions:
        substitutions: dict[ox.Variable, ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple] = {
            ox.Variable(name): to_oxigraph(term) for name, term in (bindings or {}).items()
        }
        try:
            solutions = self._store.query(query, use_default_graph_as_union=True, substitutions=substitutions)
        except SyntaxError as err:
            raise StoreError(f"query does not parse: {err}") from err
        except OSError as err:
            raise StoreError(f"the store at {self.location} failed to answer: {err}") from err
        if not isinstance(solutions, ox.QuerySolutions):
            raise StoreError("only SELECT queries can be run here")
        return solutions


# -- look-ups ----------------------------------------------------------------------------------


def stored_article_ids(store: EmbeddedStore) -> list[str]:
    prefix = ARTICLE_GRAPH_NS
    graphs = sorted(g.value for g in store.oxigraph.named_graphs() if isinstance(g, ox.NamedNode))
    return [g[len(prefix) :] for g in graphs if g.startswith(prefix)]


def annotation_files(store: EmbeddedStore) -> dict[str, str]:
    """Source id -> the annotation file name recorded in the provenance graph."""
    from kg.iris import source_file_iri
    from kg.terms import PROVENANCE_GRAPH, SCHEMA

    provenance = store.graph(PROVENANCE_GRAPH)
    return {
        sid: str(provenance.value(source_file_iri(sid, "annotation"), SCHEMA.name) or "")
        for sid in stored_article_ids(store)
    }
