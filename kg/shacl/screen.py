"""Fast path for :func:`kg.shacl.engine.validate`: pyrudof screens, pySHACL reports.

pySHACL is the reference engine. pyrudof (Rust, PyPI ``pyrudof``) is about an order of magnitude
faster, but it is not a drop-in replacement on our shapes (pyrudof 0.3.35, checked by
tests/test_fastshacl.py and recorded there):

* ``sh:minInclusive 0`` reports every ``"5"^^xsd:nonNegativeInteger`` (or ``xsd:int``) as a violation:
  it does not compare numbers of different integer datatypes;
* ``sh:maxLength`` counts UTF-8 bytes, not characters (a 32-character prefix with a curly quote fails);
* ``sh:lessThan`` calls ``"10.0"^^xsd:decimal`` and ``18`` "not comparable";
* an ``sh:sparql`` constraint whose focus node is a blank node aborts the whole run (query parse error);
* there are no nested results (pySHACL reports the failing helper shape of ``sh:node`` as sh:detail,
  and kg.shacl.engine counts those), and messages differ (``"OR not satisfied"``, no sh:message).

So pyrudof is used only as a conservative screen. It validates the whole batch with a copy of the
shapes in which the two constraints it gets wrong are replaced by stricter ``sh:pattern`` checks
(a screen may flag too much, never too little). Articles it finds nothing on get no findings; the
articles it flags (usually none) are validated again by pySHACL, as kg.shacl.engine runs it, over the
context, the registry and just those articles (and any article linked to them), and pySHACL's
results are what the report contains. Anything the screen cannot vouch for (pyrudof missing or
failing, a flagged node outside the articles, a blank node) returns ``None`` and the caller runs
pySHACL on the whole batch.

The guarantee "no article pySHACL finds something on passes the screen" is what the differential
test checks, on every shape fixture, the seed article and a generated corpus.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from functools import cache

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import SH, XSD
from rdflib.term import Node

from kg.shacl.report import REGISTRY_GROUP, group_of
from kg.shacl.shapes import shapes_graph
from kg.store import ntriples
from kg.terms import ARTICLE
from kg.vocabulary import ontology_graph, vocabulary_graph

try:  # optional: without it kg.shacl.engine uses pySHACL alone
    import pyrudof
except ImportError:  # pragma: no cover - depends on the environment
    pyrudof = None  # type: ignore[assignment]

#: Set to "pyshacl" to switch the fast path off (kg.shacl.engine then runs pySHACL only).
ENGINE_VARIABLE = "KG_SHACL_ENGINE"


class UnsupportedShapes(Exception):
    """The shapes use a parameter the screen does not know how to make safe for pyrudof."""


def available() -> bool:
    """True when pyrudof is installed, not switched off, and the shapes can be screened."""
    if pyrudof is None or os.environ.get(ENGINE_VARIABLE, "").lower() == "pyshacl":
        return False
    try:
        screening_shapes()
    except UnsupportedShapes:
        return False
    return True


@cache
def screening_shapes() -> str:
    """The project's shapes as Turtle for pyrudof, with its two wrong constraints made stricter.

    * ``sh:maxLength n`` -> ``sh:pattern "^[\\s\\S]{0,n}$"``: the same test on characters, and a
      blank node fails both;
    * ``sh:minInclusive 0`` -> ``sh:pattern "^[0-9]+$"``: passes only digit strings. Every shape that
      uses it also requires an integer datatype (sh:or), so whatever pySHACL rejects, this rejects.
    """
    graph = Graph()
    graph += shapes_graph()
    for shape, limit in list(graph.subject_objects(SH.maxLength)):
        if not (isinstance(limit, Literal) and isinstance(limit.toPython(), int)):
            raise UnsupportedShapes(f"sh:maxLength {limit!r} on {shape}")
        graph.remove((shape, SH.maxLength, limit))
        graph.add((shape, SH.pattern, Literal(f"^[\\s\\S]{{0,{limit.toPython()}}}$")))
    for shape, bound in list(graph.subject_objects(SH.minInclusive)):
        if bound != Literal(0) or not _requires_integer(graph, shape):
            raise UnsupportedShapes(f"sh:minInclusive {bound!r} on {shape}")
        graph.remove((shape, SH.minInclusive, bound))
        graph.add((shape, SH.pattern, Literal("^[0-9]+$")))
    for parameter in (SH.minExclusive, SH.maxInclusive, SH.maxExclusive, SH.minLength, SH.lessThanOrEquals):
        for shape, value in graph.subject_objects(parameter):
            if parameter == SH.minLength and value == Literal(1):
                continue  # "at least one character": bytes > 0 iff characters > 0
            raise UnsupportedShapes(f"{parameter} {value!r} on {shape}: not checked against pyrudof")
    return graph.serialize(format="turtle")


def _requires_integer(graph: Graph, shape: Node) -> bool:
    """The shape has sh:or of node shapes that each demand an integer datatype."""
    allowed = {XSD.integer, XSD.nonNegativeInteger}
    for head in graph.objects(shape, SH["or"]):
        members = list(graph.items(head))
        if members and all(graph.value(m, SH.datatype) in allowed for m in members):
            return True
    return False


@cache
def _context_ntriples() -> str:
    return ntriples(ontology_graph()) + ntriples(vocabulary_graph())


def screen(articles: Mapping[str, Graph], registry: Graph, texts: Mapping[str, str] | None = None) -> set[str] | None:
    """Focus nodes (N-Triples-ish strings as pyrudof prints them) of every pyrudof result, or
    ``None`` when pyrudof fails on the data. ``texts`` are the articles as N-Triples, when the caller
    already has them (ingest does: it stores that text)."""
    texts = texts or {sid: ntriples(graph) for sid, graph in articles.items()}
    data = "".join([_context_ntriples(), ntriples(registry), *(texts[sid] for sid in articles)])
    rudof = pyrudof.Rudof()
    try:
        rudof.read_data(data, format=pyrudof.RDFFormat.NTriples)
        rudof.read_shacl(screening_shapes(), format=pyrudof.ShaclFormat.Turtle)
        report = rudof.validate_shacl()
    except Exception:  # pyrudof raises its own error classes (ShaclError, DataError, ...)
        return None
    return {entry.focus_node for entry in report}


def articles_to_check(
    articles: Mapping[str, Graph], registry: Graph, texts: Mapping[str, str] | None = None
) -> set[str] | None:
    """The articles pySHACL must validate: those pyrudof flags, and every article linked to them.

    ``None`` means "validate everything with pySHACL": pyrudof is not installed or is switched off
    (``KG_SHACL_ENGINE=pyshacl``), it failed, or it flagged something outside the articles (the
    registry, a blank node) where the screen cannot tell which articles are concerned.
    """
    if not available():
        return None
    flagged = screen(articles, registry, texts)
    if flagged is None:
        return None
    groups: set[str] = set()
    for focus in flagged:
        node = _node(focus)
        if not isinstance(node, URIRef) or group_of(node) == REGISTRY_GROUP or group_of(node) not in articles:
            return None
        groups.add(group_of(node))
    return _linked(articles, groups)


def _node(text: str) -> URIRef | BNode:
    """A pyrudof focus node string as an rdflib term (pyrudof prints IRIs bare, blank nodes as _:x)."""
    if text.startswith("_:"):
        return BNode(text[2:])
    return URIRef(text.strip("<>"))


def _linked(articles: Mapping[str, Graph], groups: set[str]) -> set[str]:
    """``groups`` and every article linked to them by a triple, either way, transitively."""
    if not groups:
        return set()
    prefix = str(ARTICLE)
    links: dict[str, set[str]] = {sid: set() for sid in articles}
    for sid, graph in articles.items():
        for triple in graph:
            for term in triple:
                if isinstance(term, URIRef) and str(term).startswith(prefix):
                    other = group_of(term)
                    if other != sid and other in links:
                        links[sid].add(other)
                        links[other].add(sid)
    todo, seen = list(groups), set(groups)
    while todo:
        for other in links.get(todo.pop(), ()):
            if other not in seen:
                seen.add(other)
                todo.append(other)
    return seen
