"""Export the store as Turtle, TriG, N-Quads, N-Triples or JSON-LD: streamed, deterministic, atomic.

*Streamed*: the export goes graph by graph (the default graph first, then the named graphs in IRI
order). Oxigraph writes each graph as canonical N-Triples, its lines are sorted, and the writers
take them from there: N-Quads and N-Triples are those lines (the graph name appended for N-Quads);
Turtle and TriG are Oxigraph's own serialisers fed the parsed lines; JSON-LD is written here, one
node object per line. Memory holds one article graph at a time; a shared graph that grows with the
store (provenance: one record per article) is sorted in runs of :data:`SORT_RUN_BYTES` on disk,
beside the export, and merged, so memory does not grow with the store.

*Deterministic*: the same store content gives a byte-identical file whatever the order it was
written in or the hash seed: graphs in IRI order, statements in the order of their N-Triples lines,
the project's prefixes (:data:`kg.terms.PREFIXES`) declared in name order. Blank nodes have no
stable label in the store: if an exported graph holds one, the export starts again the slow way,
with every exported quad in memory and blank nodes relabelled by the standard RDF canonicalisation
(RDFC-1.0). The project writes no blank nodes, so that path is for foreign data.

*Atomic*: :func:`atomic_write` writes a temporary file beside the target and renames it over the
target only when everything was written (``os.replace``), so an error never leaves a truncated file
and an existing file stays as it was. Standard output gets the export once it is complete.

Graphs: TriG, N-Quads and JSON-LD keep the named graphs (one per article, plus the registry,
vocabulary, ontology and provenance graphs). Turtle and N-Triples have no graphs: they hold the
union of all graphs, each statement once, in the first graph's place that holds it.
"""

from __future__ import annotations

import errno
import hashlib
import heapq
import json
import os
import re
import shutil
import tempfile
from collections import defaultdict
from collections.abc import Callable, Generator, Iterable, Iterator
from contextlib import contextmanager
from functools import cache, lru_cache
from importlib.resources import files
from itertools import chain, groupby
from pathlib import Path
from typing import IO, Any, cast

import pyoxigraph as ox

from kg.errors import KgError, StoreError
from kg.store import EmbeddedStore
from kg.terms import GRAPH, PREFIXES, article_graph

#: Export formats and the file extensions that select them.
FORMATS: dict[str, tuple[str, ...]] = {
    "turtle": (".ttl",),
    "trig": (".trig",),
    "nquads": (".nq",),
    "ntriples": (".nt",),
    "jsonld": (".jsonld", ".json-ld", ".json"),
}
#: Formats that keep named graphs; the others export the union of all graphs.
GRAPH_FORMATS = ("trig", "nquads", "jsonld")
CONTEXT_FILE = "context.jsonld"

GraphName = ox.NamedNode | ox.BlankNode | ox.DefaultGraph
Progress = Callable[[int], None]
#: One graph's statements: its name and its N-Triples statements, sorted, without the `` .\n`` that
#: ends each line (the writers join them with it, or with the graph name and it, in one pass).
Chunk = tuple[GraphName, list[bytes]]

_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
#: Errors that mean "this path cannot be written": the user picks another (exit 2), unlike a full or
#: failing disk (exit 3).
_PATH_ERRNOS = {errno.EACCES, errno.EPERM, errno.ENOENT, errno.ENOTDIR, errno.EISDIR, errno.EROFS, errno.EEXIST}


class ExportError(KgError):
    """A usage problem with an export: unknown format, article or graph, unwritable path (exit 2)."""


class OutputError(StoreError):
    """Writing the export failed part-way (a full disk, an I/O error): nothing was left behind (exit 3)."""


def format_for(path: Path | None, given: str | None) -> str:
    """The export format: ``given`` if set, else from ``path``'s extension, else Turtle (stdout)."""
    if given:
        if given not in FORMATS:
            raise ExportError(f"unknown export format {given!r}; use one of {', '.join(FORMATS)}")
        return given
    if path is None:
        return "turtle"
    suffix = path.suffix.lower()
    for name, suffixes in FORMATS.items():
        if suffix in suffixes:
            return name
    known = ", ".join(f"{s} ({n})" for n, ss in FORMATS.items() for s in ss)
    raise ExportError(
        f"{path}: cannot tell the export format from the extension {suffix or '(none)'!r}; "
        f"give --format, or use one of {known}"
    )


# -- the JSON-LD context shipped in the package ------------------------------------------------


def context_document() -> dict[str, Any]:
    """The JSON-LD context generated from :data:`kg.terms.PREFIXES` (what ``kg/context.jsonld`` holds)."""
    return {"@context": dict(PREFIXES)}


def context_text() -> str:
    """``kg/context.jsonld`` as it must read; ``tests/test_export.py`` checks the shipped file equals it."""
    return json.dumps(context_document(), indent=2, ensure_ascii=False) + "\n"


@cache
def shipped_context() -> dict[str, Any]:
    """The ``@context`` object of the context file shipped in the package."""
    text = (files("kg") / CONTEXT_FILE).read_text(encoding="utf-8")
    return json.loads(text)["@context"]


# -- which graphs ------------------------------------------------------------------------------


def graph_names(store: EmbeddedStore, *, article: str | None = None, graph: str | None = None) -> list[GraphName]:
    """The graphs to export, in export order: the default graph (if it holds anything), then the
    named graphs by IRI; or the one graph of ``article`` or ``graph``.

    :raises ExportError: the article or graph is not in the store, or ``graph`` is not an IRI.
    """
    db = store.oxigraph
    if article is not None or graph is not None:
        iri = str(article_graph(article)) if article is not None else str(graph)
        try:
            wanted = ox.NamedNode(iri)
        except ValueError as err:
            raise ExportError(f"--graph {graph!r} is not an absolute IRI ({err})") from None
        if not db.contains_named_graph(wanted):
            what = f"article {article!r}" if article is not None else f"graph <{graph}>"
            raise ExportError(
                f"{what} is not in the store {store.location} "
                "(see 'kg validate' or 'kg query' for the stored articles and graphs)"
            )
        return [wanted]
    named = sorted(db.named_graphs(), key=_graph_key)
    default: list[GraphName] = (
        [ox.DefaultGraph()] if next(db.quads_for_pattern(None, None, None, ox.DefaultGraph()), None) else []
    )
    return default + named


def _graph_key(name: GraphName) -> tuple[int, str]:
    if isinstance(name, ox.DefaultGraph):
        return (0, "")
    return (1, name.value) if isinstance(name, ox.NamedNode) else (2, name.value)


# -- where the statements come from ------------------------------------------------------------


class _BlankNodes(Exception):
    """A graph holds blank nodes: the streamed export cannot give them stable labels."""


_END = b" .\n"


def _sorted_statements(data: bytes) -> list[bytes]:
    """The statements of an N-Triples document in canonical form, sorted (`` .\n`` ends each line and
    occurs nowhere else: newlines in literals are escaped)."""
    statements = data.split(_END)
    statements.pop()  # what follows the last line's end: nothing
    statements.sort()
    return statements


def _document(statements: list[bytes]) -> bytes:
    return _END.join(statements) + _END if statements else b""


def _streamed_chunks(
    store: EmbeddedStore,
    graphs: list[GraphName],
    *,
    union: bool,
    progress: Progress | None,
    scratch: Path | None = None,
) -> Generator[Chunk]:
    """Each graph's sorted N-Triples statements, dumped by Oxigraph graph by graph, in one or more
    chunks per graph (a chunk ends where a subject ends).

    For a union (Turtle, N-Triples) a statement already written with an earlier graph is left out.
    Which statements are in more than one graph is asked of the store once, before the first graph
    (:func:`_first_graph_of_shared`): memory grows with those statements only, never with the store.
    """
    db = store.oxigraph
    if any(isinstance(g, ox.BlankNode) for g in graphs):
        raise _BlankNodes
    first = _first_graph_of_shared(db, graphs) if union else {}
    articles = str(article_graph(""))
    for position, name in enumerate(graphs):
        # An article graph is bounded by the input limits; a shared graph (provenance: one record
        # per article) grows with the store and is sorted on disk when it is large.
        bounded = isinstance(name, ox.NamedNode) and name.value.startswith(articles)
        for statements in _graph_statements(db, name, scratch) if not bounded else [_in_memory(db, name)]:
            if first:
                statements = [s for s in statements if first.get(s, position) >= position]
            yield name, statements
        if progress:
            progress(1)


def _in_memory(db: ox.Store, name: GraphName) -> list[bytes]:
    data = cast(bytes, db.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=name))
    if b"_:" in data and _has_blank_nodes(data):
        raise _BlankNodes
    return _sorted_statements(data)


#: A graph whose N-Triples are larger than this is sorted in runs of this size on disk, then merged.
SORT_RUN_BYTES = 8 * 2**20
#: Statements per chunk of a graph sorted on disk (each chunk then runs to the end of its subject).
MERGED_CHUNK = 100_000


def _graph_statements(db: ox.Store, name: GraphName, scratch: Path | None = None) -> Iterator[list[bytes]]:
    """A graph's sorted statements in chunks, in memory bounded by :data:`SORT_RUN_BYTES` whatever its
    size: the dump goes to a temporary folder in ``scratch`` (beside the export, so a full disk is
    the export's), runs of it are sorted into files, and the runs are merged."""
    run_bytes = SORT_RUN_BYTES
    with tempfile.TemporaryDirectory(prefix=".kg-export-", dir=scratch) as folder:
        dump = Path(folder) / "graph.nt"
        db.dump(str(dump), format=ox.RdfFormat.N_TRIPLES, from_graph=name)
        if dump.stat().st_size <= run_bytes:
            data = dump.read_bytes()
            if b"_:" in data and _has_blank_nodes(data):
                raise _BlankNodes
            statements = _sorted_statements(data)
            del data  # not held while the statements are written
            yield statements
            return
        runs: list[Path] = []
        with dump.open("rb") as text:
            while block := text.read(run_bytes) + text.readline():  # whole lines only
                if b"_:" in block and _has_blank_nodes(block):
                    raise _BlankNodes
                runs.append(Path(folder) / f"run{len(runs)}.nt")
                runs[-1].write_bytes(_document(_sorted_statements(block)))
        dump.unlink()
        chunk: list[bytes] = []
        for statement in heapq.merge(*(_statements_of(run) for run in runs)):
            if len(chunk) >= MERGED_CHUNK and _subject(statement) != _subject(chunk[-1]):
                yield chunk
                chunk = []
            chunk.append(statement)
        if chunk:
            yield chunk


def _statements_of(run: Path) -> Iterator[bytes]:
    with run.open("rb") as lines:
        for line in lines:
            yield line[: -len(_END)]


def _subject(statement: bytes) -> bytes:
    return statement.split(b" ", 1)[0]


#: Pairs of graphs holding the same statement (?g unbound: the default graph). A FILTER on both
#: graphs must sit in the group that binds both: SPARQL evaluates an inner group on its own.
_SHARED_STATEMENTS = """
SELECT ?s ?p ?o ?g ?other WHERE {
  { GRAPH ?g { ?s ?p ?o } GRAPH ?other { ?s ?p ?o } FILTER(?g != ?other) }
  UNION
  { ?s ?p ?o . GRAPH ?other { ?s ?p ?o } }
}"""


def _first_graph_of_shared(db: ox.Store, graphs: list[GraphName]) -> dict[bytes, int]:
    """Each statement that more than one of ``graphs`` holds, with the position of the first of them.

    One pass of the store in Oxigraph (about as long as one more read of the store; a generated store
    shares no statement), instead of remembering every subject written so far.
    """
    rank = {g: i for i, g in enumerate(graphs)}
    first: dict[bytes, int] = {}
    for solution in cast(ox.QuerySolutions, db.query(_SHARED_STATEMENTS)):
        holders = (solution["g"] or ox.DefaultGraph(), solution["other"])
        positions = [rank[g] for g in holders if g in rank]
        if len(positions) < 2:  # shared with a graph that is not exported
            continue
        statement = str(ox.Triple(solution["s"], solution["p"], solution["o"])).encode()
        first[statement] = min(*positions, first.get(statement, positions[0]))
    return first


def _has_blank_nodes(ntriples: bytes) -> bool:
    return any(
        isinstance(t.subject, ox.BlankNode) or isinstance(t.object, ox.BlankNode)
        for t in ox.parse(ntriples, format=ox.RdfFormat.N_TRIPLES)
    )


def _canonical_chunks(store: EmbeddedStore, graphs: list[GraphName], *, union: bool) -> Iterator[Chunk]:
    """The same, for graphs with blank nodes: every exported quad in memory, relabelled (RDFC-1.0)."""
    db = store.oxigraph
    dataset = ox.Dataset(chain.from_iterable(db.quads_for_pattern(None, None, None, g) for g in graphs))
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    statements: dict[GraphName, list[bytes]] = defaultdict(list)
    for quad in dataset:
        statements[quad.graph_name].append(str(quad.triple).encode())
    written: set[bytes] = set()
    for name in sorted(statements, key=_graph_key):
        chunk = sorted(set(statements[name]) - written)
        if union:
            written.update(chunk)
        yield name, chunk


# -- writers: chunks in, bytes out -------------------------------------------------------------


def _term(name: GraphName) -> bytes:
    return str(name).encode()


def _write_nquads(chunks: Iterable[Chunk], out: IO[bytes]) -> None:
    for name, statements in chunks:
        end = _END if isinstance(name, ox.DefaultGraph) else b" " + _term(name) + _END
        if statements:
            out.write(end.join(statements))
            out.write(end)


def _write_ntriples(chunks: Iterable[Chunk], out: IO[bytes]) -> None:
    for _, statements in chunks:
        out.write(_document(statements))


def _prefix_header() -> bytes:
    return "".join(f"@prefix {name}: <{iri}> .\n" for name, iri in sorted(PREFIXES.items())).encode()


class _OwnHeader:
    """A writable that puts the project's prefix declarations (in name order) in place of the ones
    Oxigraph writes first (their order is Oxigraph's business, and could change with it)."""

    def __init__(self, out: IO[bytes]) -> None:
        self.out = out
        self.pending = b""
        self.in_header = True
        out.write(_prefix_header())

    def write(self, data: bytes) -> int:
        if not self.in_header:
            return self.out.write(data)
        self.pending += data
        while self.in_header and b"\n" in self.pending:
            line, rest = self.pending.split(b"\n", 1)
            if line.startswith(b"@prefix "):
                self.pending = rest
            else:
                self.in_header = False
                self.out.write(self.pending)
                self.pending = b""
        return len(data)

    def flush(self) -> None:
        self.out.flush()


def _write_turtle(chunks: Iterable[Chunk], out: IO[bytes]) -> None:
    triples = chain.from_iterable(ox.parse(_document(s), format=ox.RdfFormat.N_TRIPLES) for _, s in chunks)
    ox.serialize(triples, cast(IO[bytes], _OwnHeader(out)), format=ox.RdfFormat.TURTLE, prefixes=dict(PREFIXES))


def _write_trig(chunks: Iterable[Chunk], out: IO[bytes]) -> None:
    def quads() -> Iterator[ox.Quad]:
        for name, statements in chunks:
            for t in ox.parse(_document(statements), format=ox.RdfFormat.N_TRIPLES):
                yield ox.Quad(t.subject, t.predicate, t.object, name)

    ox.serialize(quads(), cast(IO[bytes], _OwnHeader(out)), format=ox.RdfFormat.TRIG, prefixes=dict(PREFIXES))


# -- JSON-LD: flattened node objects, one per line, with the shipped context -----------------------


@lru_cache(maxsize=1 << 16)
def _compact(iri: str) -> str:
    """``prefix:rest`` for the longest project namespace ``iri`` starts with, else ``iri`` itself."""
    cut = len(iri)
    while True:
        cut = max(iri.rfind("/", 0, cut), iri.rfind("#", 0, cut))
        if cut < 0:
            return iri
        prefix = _PREFIX_OF.get(iri[: cut + 1])
        rest = iri[cut + 1 :]
        if prefix is not None and not rest.startswith("//"):
            return f"{prefix}:{rest}"


_PREFIX_OF = {iri: name for name, iri in sorted(PREFIXES.items(), reverse=True)}


def _node_id(term: ox.NamedNode | ox.BlankNode | ox.DefaultGraph) -> str:
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.NamedNode):
        return _compact(term.value)
    raise TypeError(term)


def _value(term: Any) -> dict[str, str]:
    if isinstance(term, ox.Literal):
        if term.language:
            value = {"@value": term.value, "@language": term.language}
            if term.direction:
                value["@direction"] = str(term.direction)
            return value
        if term.datatype.value == _XSD_STRING:
            return {"@value": term.value}
        return {"@value": term.value, "@type": _compact(term.datatype.value)}
    if isinstance(term, (ox.NamedNode, ox.BlankNode)):
        return {"@id": _node_id(term)}
    raise ExportError(f"JSON-LD cannot hold the quoted triple {term}; export as N-Quads or TriG")


def _nodes(statements: list[bytes]) -> Iterator[dict[str, Any]]:
    """A graph's node objects, subject by subject (sorting keeps a subject's statements together)."""
    triples = ox.parse(_document(statements), format=ox.RdfFormat.N_TRIPLES)
    for subject, about in groupby(triples, key=lambda t: t.subject):
        node: dict[str, Any] = {"@id": _node_id(subject)}
        for predicate, group in groupby(about, key=lambda t: t.predicate):
            objects = [t.object for t in group]
            if predicate.value == _RDF_TYPE and all(isinstance(o, ox.NamedNode) for o in objects):
                node["@type"] = [_compact(o.value) for o in objects]
            else:
                node[_compact(predicate.value)] = [_value(o) for o in objects]
        yield node


def _write_jsonld(chunks: Iterable[Chunk], out: IO[bytes]) -> None:
    context = json.dumps(shipped_context(), indent=2, ensure_ascii=False).replace("\n", "\n  ")
    out.write(f'{{\n  "@context": {context},\n  "@graph": ['.encode())
    separator = "\n"
    # A graph may come in several chunks, each ending where a subject ends: one graph object each.
    for name, parts in groupby(chunks, key=lambda chunk: chunk[0]):
        graph_nodes = chain.from_iterable(_nodes(statements) for _, statements in parts)
        nodes = (json.dumps(n, ensure_ascii=False, sort_keys=True) for n in graph_nodes)
        if isinstance(name, ox.DefaultGraph):
            for node in nodes:
                out.write(f"{separator}    {node}".encode())
                separator = ",\n"
            continue
        out.write(f'{separator}    {{"@id": {json.dumps(_node_id(name), ensure_ascii=False)}, "@graph": ['.encode())
        inner = "\n"
        for node in nodes:
            out.write(f"{inner}      {node}".encode())
            inner = ",\n"
        out.write(b"\n    ]}")
        separator = ",\n"
    out.write(b"\n  ]\n}\n")


_WRITERS: dict[str, Callable[[Iterable[Chunk], IO[bytes]], None]] = {
    "nquads": _write_nquads,
    "ntriples": _write_ntriples,
    "turtle": _write_turtle,
    "trig": _write_trig,
    "jsonld": _write_jsonld,
}


def write_graphs(
    store: EmbeddedStore,
    fmt: str,
    graphs: list[GraphName],
    out: IO[bytes],
    *,
    progress: Progress | None = None,
    scratch: Path | None = None,
) -> None:
    """Write ``graphs`` of ``store`` in ``fmt`` to the seekable binary file ``out``.

    If a graph turns out to hold blank nodes, ``out`` is emptied and the export written again with
    canonical blank-node labels (see the module docstring).
    """
    if fmt not in _WRITERS:
        raise ExportError(f"unknown export format {fmt!r}; use one of {', '.join(FORMATS)}")
    union = fmt not in GRAPH_FORMATS
    start = out.tell()
    chunks = _streamed_chunks(store, graphs, union=union, progress=progress, scratch=scratch)
    try:
        _WRITERS[fmt](chunks, out)
    except _BlankNodes:
        out.seek(start)
        out.truncate()
        _WRITERS[fmt](_canonical_chunks(store, graphs, union=union), out)
    finally:
        chunks.close()  # its temporary folder goes now, not when the generator is collected


def serialize(store: EmbeddedStore, fmt: str, *, article: str | None = None, graph: str | None = None) -> bytes:
    """The whole export as bytes (for tests and small stores; :func:`export` streams to a file)."""
    with tempfile.TemporaryFile() as spool:
        write_graphs(store, fmt, graph_names(store, article=article, graph=graph), spool)
        spool.seek(0)
        return spool.read()


# -- writing files -----------------------------------------------------------------------------


@contextmanager
def atomic_write(path: Path) -> Iterator[IO[bytes]]:
    """A binary file that replaces ``path`` only if the ``with`` block finishes without error.

    The temporary file lives in the same folder (``os.replace`` is atomic only within one file
    system) and is removed on any error, so ``path`` is either the old file or the complete new one.
    """
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    handle = tempfile.NamedTemporaryFile(dir=folder, prefix=f".{path.name}.", suffix=".tmp", delete=False)  # noqa: SIM115 - renamed or removed below
    try:
        with handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(handle.name, _file_mode(path))
        os.replace(handle.name, path)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise


def _file_mode(path: Path) -> int:
    """Keep an existing file's permissions; a new file gets the usual 0666 minus the umask."""
    try:
        return path.stat().st_mode & 0o7777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _output_error(path: Path, err: OSError) -> KgError:
    reason = err.strerror or str(err)
    if err.errno in _PATH_ERRNOS:
        return ExportError(f"cannot write {path}: {reason}; choose a folder you can write to")
    return OutputError(f"writing {path} failed: {reason}; nothing was written (free some space, or write elsewhere)")


def export(
    store: EmbeddedStore,
    fmt: str,
    out: Path | IO[bytes],
    *,
    article: str | None = None,
    graph: str | None = None,
    progress: Progress | None = None,
) -> None:
    """Write the export to ``out``: a path (written atomically) or an open binary stream (stdout),
    which gets it only once it is complete (spooled in a temporary file meanwhile).

    :raises ExportError: unknown format, article or graph; a path that cannot be written (exit 2).
    :raises OutputError: the disk filled up or failed while writing (exit 3).
    """
    graphs = graph_names(store, article=article, graph=graph)
    if isinstance(out, (str, Path)):
        try:
            with atomic_write(Path(out)) as handle:
                write_graphs(store, fmt, graphs, handle, progress=progress, scratch=Path(handle.name).parent)
        except OSError as err:
            raise _output_error(Path(out), err) from err
        return
    with tempfile.TemporaryFile() as spool:
        try:
            write_graphs(store, fmt, graphs, spool, progress=progress)
        except OSError as err:
            raise _output_error(Path(tempfile.gettempdir()), err) from err
        spool.seek(0)
        shutil.copyfileobj(spool, out)
    out.flush()


# -- one file per graph ------------------------------------------------------------------------

_SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,200}")
_ARTICLE_PREFIX = str(article_graph(""))


def split_file(name: GraphName, extension: str) -> Path:
    """Where a graph goes in a split export: ``article/ID.ext`` for an article, ``NAME.ext`` for a
    shared graph (registry, vocab, ontology, provenance), ``default.ext`` for the default graph, and
    ``other/SHA.ext`` for any other graph (its IRI's SHA-256, since an IRI is no file name)."""
    if isinstance(name, ox.DefaultGraph):
        return Path(f"default{extension}")
    iri = name.value
    if iri.startswith(_ARTICLE_PREFIX) and _SAFE_NAME.fullmatch(iri[len(_ARTICLE_PREFIX) :]):
        return Path("article") / f"{iri[len(_ARTICLE_PREFIX) :]}{extension}"
    local = iri[len(str(GRAPH)) :] if iri.startswith(str(GRAPH)) else ""
    if _SAFE_NAME.fullmatch(local) and local not in {"default", "article", "other"}:
        return Path(f"{local}{extension}")
    return Path("other") / f"{hashlib.sha256(iri.encode()).hexdigest()[:32]}{extension}"


def export_split(store: EmbeddedStore, fmt: str, folder: Path, *, progress: Progress | None = None) -> list[Path]:
    """One file per graph in ``folder`` (see :func:`split_file`), for corpora kept in git.

    The files are written into a new folder beside ``folder``, which then takes its place: an error
    leaves ``folder`` as it was. An existing ``folder`` is replaced only if it is empty or holds
    nothing but a previous split export in the same format (files named as above).

    :returns: the files written, relative to ``folder``.
    """
    if fmt not in FORMATS:
        raise ExportError(f"unknown export format {fmt!r}; use one of {', '.join(FORMATS)}")
    extension = FORMATS[fmt][0]
    folder = Path(folder)
    _check_replaceable(folder, extension)
    graphs = graph_names(store)
    parent = folder.parent if str(folder.parent) else Path(".")
    try:
        staging = Path(tempfile.mkdtemp(dir=parent, prefix=f".{folder.name}.", suffix=".tmp"))
    except OSError as err:
        raise _output_error(folder, err) from err
    written: list[Path] = []
    try:
        for name in graphs:
            relative = split_file(name, extension)
            target = staging / relative
            target.parent.mkdir(exist_ok=True)
            with target.open("wb") as handle:
                write_graphs(store, fmt, [name], handle)
            written.append(relative)
            if progress:
                progress(1)
        os.chmod(staging, 0o777 & ~_umask())
        _swap_in(staging, folder)
    except OSError as err:
        shutil.rmtree(staging, ignore_errors=True)
        raise _output_error(folder, err) from err
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return written


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def _check_replaceable(folder: Path, extension: str) -> None:
    if not folder.exists():
        return
    if not folder.is_dir():
        raise ExportError(
            f"{folder} is a file: give --split-by-article a folder (new, empty or a previous split export)"
        )
    for entry in folder.rglob("*"):
        relative = entry.relative_to(folder)
        expected_folder = entry.is_dir() and len(relative.parts) == 1 and relative.name in {"article", "other"}
        expected_file = entry.is_file() and entry.suffix == extension and len(relative.parts) <= 2
        if not (expected_folder or expected_file):
            raise ExportError(
                f"{folder} holds {relative}, which a split export in this format does not write: "
                "give a new or empty folder (an export never deletes other files)"
            )


def _swap_in(staging: Path, folder: Path) -> None:
    """Put ``staging`` where ``folder`` is: renames only, the old folder removed last."""
    if not folder.exists():
        os.rename(staging, folder)
        return
    old = Path(tempfile.mkdtemp(dir=staging.parent, prefix=f".{folder.name}.", suffix=".old"))
    os.rename(folder, old / folder.name)
    try:
        os.rename(staging, folder)
    except OSError:
        os.rename(old / folder.name, folder)
        old.rmdir()  # empty again: nothing of the failed swap is left beside the folder
        raise
    shutil.rmtree(old, ignore_errors=True)
