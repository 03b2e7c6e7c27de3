"""Export the store as Turtle, TriG, N-Quads, N-Triples or JSON-LD: deterministic and atomic.

*Deterministic*: the same store content gives a byte-identical file, so an export kept in git diffs
cleanly. N-Triples and N-Quads are one canonical statement per line (pyoxigraph's N-Triples
form), sorted. Turtle and TriG come from rdflib's serialisers, which sort subjects, predicates and
objects; the graphs of a TriG file are written in IRI order (rdflib would follow a set's order). JSON-LD
is rdflib's conversion, then every node array is sorted (except ``@list`` arrays, which are ordered
by definition) and keys are sorted. Blank nodes, if there ever are any, are relabelled with the
standard RDF canonicalisation (RDFC-1.0) first, so their labels do not depend on how the store was
built.

*Atomic*: :func:`atomic_write` writes a temporary file beside the target and renames it over the target
only when everything was written (``os.replace``), so an error never leaves a truncated file and an
existing file stays as it was.

Graphs: TriG, N-Quads and JSON-LD keep the named graphs (one per article, plus the registry,
vocabulary, ontology and provenance graphs). Turtle and N-Triples have no graphs: they hold the
union of all graphs (statements present in several graphs appear once).
"""

from __future__ import annotations

import io
import json
import os
import tempfile
import warnings
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import IO, Any, cast

import pyoxigraph as ox
from rdflib import Dataset, Graph, URIRef
from rdflib.namespace import NamespaceManager
from rdflib.plugins.serializers.jsonld import from_rdf
from rdflib.plugins.serializers.trig import TrigSerializer

from kg.errors import KgError
from kg.store import EmbeddedStore, rdflib_triple, to_rdflib
from kg.terms import PREFIXES, article_graph

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


class ExportError(KgError):
    """A usage problem with an export: unknown format or extension, unknown article (exit 2)."""


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


# -- collecting and canonicalising -------------------------------------------------------------


def _quads(store: EmbeddedStore, article: str | None) -> list[ox.Quad]:
    if article is None:
        return list(store.quads())
    wanted = article_graph(article)
    if wanted not in store.named_graphs():
        raise ExportError(
            f"article {article!r} is not in the store {store.location} "
            "(see 'kg validate' or 'kg query' for the stored articles)"
        )
    return list(store.quads(wanted))


def _has_blank_nodes(quads: Iterable[ox.Quad]) -> bool:
    return any(isinstance(t, ox.BlankNode) for q in quads for t in (q.subject, q.object, q.graph_name))


def canonical_quads(quads: list[ox.Quad]) -> list[ox.Quad]:
    """The quads, sorted by their N-Quads form, blank nodes relabelled canonically (RDFC-1.0)."""
    if _has_blank_nodes(quads):
        dataset = ox.Dataset(quads)
        dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
        quads = list(dataset)
    return sorted(quads, key=str)


def _namespace_manager(graph: Graph) -> NamespaceManager:
    """A fresh manager per export (the serialisers may add prefixes to it), with the project's prefixes."""
    manager = NamespaceManager(graph, bind_namespaces="none")
    for prefix, namespace in PREFIXES.items():
        manager.bind(prefix, namespace, override=True, replace=True)
    return manager


def _rdflib_graph(quads: Iterable[ox.Quad]) -> Graph:
    graph = Graph(bind_namespaces="none")
    graph.namespace_manager = _namespace_manager(graph)
    for q in quads:
        graph.add(rdflib_triple(q))
    return graph


def _rdflib_dataset(quads: Iterable[ox.Quad]) -> Dataset:
    dataset = Dataset()
    dataset.namespace_manager = _namespace_manager(dataset)
    for q in quads:
        graph = None if isinstance(q.graph_name, ox.DefaultGraph) else to_rdflib(q.graph_name)
        triple = rdflib_triple(q)
        if graph is None:
            dataset.add(triple)
        else:
            dataset.add((*triple, Graph(identifier=cast(URIRef, graph))))
    return dataset


# -- serialisers -------------------------------------------------------------------------------


def _lines(statements: Iterable[str]) -> Iterator[bytes]:
    for line in sorted(set(statements)):
        yield f"{line} .\n".encode()


def _nquads(quads: list[ox.Quad]) -> Iterator[bytes]:
    return _lines(str(q) for q in quads)


def _ntriples(quads: list[ox.Quad]) -> Iterator[bytes]:
    return _lines(str(q.triple) for q in quads)


def _turtle(quads: list[ox.Quad]) -> Iterator[bytes]:
    yield _rdflib_graph(quads).serialize(format="turtle", encoding="utf-8")


def _trig(quads: list[ox.Quad]) -> Iterator[bytes]:
    with _quiet_rdflib():
        serializer = TrigSerializer(_rdflib_dataset(quads))
        serializer.contexts.sort(key=lambda graph: (not isinstance(graph.identifier, URIRef), str(graph.identifier)))
        buffer = io.BytesIO()
        serializer.serialize(buffer, encoding="utf-8")
    yield buffer.getvalue()


@contextmanager
def _quiet_rdflib() -> Iterator[None]:
    """rdflib 7's own TriG and JSON-LD serialisers call its deprecated Dataset methods; not our warnings."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=DeprecationWarning, module=r"rdflib\.")
        yield


def _sorted_json(value: Any, key: str | None = None) -> Any:
    """Sort every array (node and value sets are unordered in JSON-LD) except ``@list`` arrays."""
    if isinstance(value, dict):
        return {k: _sorted_json(v, k) for k, v in value.items()}
    if isinstance(value, list):
        items = [_sorted_json(v) for v in value]
        if key == "@list":
            return items
        return sorted(items, key=lambda v: json.dumps(v, sort_keys=True, ensure_ascii=False))
    return value


def _jsonld(quads: list[ox.Quad]) -> Iterator[bytes]:
    context = shipped_context()
    with _quiet_rdflib():
        document = from_rdf(_rdflib_dataset(quads), context_data=context)
    document = _sorted_json(document)
    text = json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False)
    yield (text + "\n").encode("utf-8")


_SERIALISERS = {"nquads": _nquads, "ntriples": _ntriples, "turtle": _turtle, "trig": _trig, "jsonld": _jsonld}


def serialize(store: EmbeddedStore, fmt: str, *, article: str | None = None) -> Iterator[bytes]:
    """The export of ``store`` (or one article's graph) in ``fmt``, as chunks of bytes.

    :raises ExportError: unknown format, or the article is not in the store.
    """
    if fmt not in _SERIALISERS:
        raise ExportError(f"unknown export format {fmt!r}; use one of {', '.join(FORMATS)}")
    return _SERIALISERS[fmt](canonical_quads(_quads(store, article)))


# -- writing -----------------------------------------------------------------------------------


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


def export(store: EmbeddedStore, fmt: str, out: Path | IO[bytes], *, article: str | None = None) -> None:
    """Write the export to ``out``: a path (written atomically) or an open binary stream (stdout)."""
    chunks = serialize(store, fmt, article=article)
    if isinstance(out, (str, Path)):
        with atomic_write(Path(out)) as handle:
            for chunk in chunks:
                handle.write(chunk)
    else:
        data = b"".join(chunks)  # build everything first: an error must not leave half an output
        out.write(data)
        out.flush()
