"""Fast path for :func:`kg.shacl.engine.validate`: pyrudof screens, pySHACL reports.

**The guarantee: whatever the screen passes, pySHACL passes.** An article the screen does not flag
has no finding with pySHACL either; every article it flags (and every article linked to one) is
validated by pySHACL, the reference engine, whose results are the only ones reported. Where the
screen cannot decide, it flags: the article goes to pySHACL.

pySHACL is the reference engine. pyrudof (Rust, PyPI ``pyrudof``) is about an order of magnitude
faster, but it is not a drop-in replacement on our shapes (pyrudof 0.3.35, checked by
tests/test_fastshacl.py and recorded there):

* ``sh:minInclusive 0`` reports every ``"5"^^xsd:nonNegativeInteger`` (or ``xsd:int``) as a violation:
  it does not compare numbers of different integer datatypes;
* ``sh:maxLength`` counts UTF-8 bytes, not characters (a 32-character prefix with a curly quote fails);
* ``sh:lessThan`` calls ``"10.0"^^xsd:decimal`` and ``18`` "not comparable";
* an ``sh:sparql`` constraint whose focus node is a blank node aborts the whole run (query parse error);
* it does not check that a typed literal's lexical form is valid for its datatype (``"2026-02-30"``
  passes ``sh:datatype xsd:date``), nor huge integers in SPARQL arithmetic, and a property shape
  reached through ``sh:node`` ignores a literal value (a plain string where a concept is expected);
* there are no nested results, and messages differ (``"OR not satisfied"``, no sh:message).

So pyrudof is used only as a conservative screen, in two steps:

1. **Literal pre-check** (:func:`unvouched_literals`): an article with any literal the screen cannot
   vouch for (a datatype other than the few the project writes, a lexical form other than their
   canonical one, an integer of more than 15 digits, an unusual language tag) is flagged outright.
2. **pyrudof** validates the batch with a copy of the shapes (:func:`screening_shapes`) in which the
   constraints it gets wrong are replaced by equal or stricter ones, and helper shapes reached
   through ``sh:node`` demand an IRI or blank node (a literal can never have their properties).
   Only shapes reached without negation are made stricter, so the screen may flag too much, never
   too little. The articles it flags are flagged.

Anything the screen cannot vouch for (pyrudof missing, switched off or raising, a flagged node outside
the articles, a blank node, a registry literal it cannot vouch for) returns ``None`` and the caller
runs pySHACL on the whole batch. pyrudof reads the shapes and the fixed context (ontology,
vocabularies, registry) once per process; each batch is staged on top and rolled back. The shapes
that report only a use of an 'other' concept are left out of a batch that has none
(:func:`may_report_gaps`): they cannot report there, with either engine.

How it is tested: ``tests/test_differential.py`` runs a seeded mutation fuzz (deleted triples,
changed datatypes and lexical forms, IRIs of the wrong class or scheme, second values, broken
offsets, late dates, unknown properties, blank nodes, ...) comparing this path with pySHACL alone on
every mutant, finding by finding; ``bench/fuzz_shacl.py`` runs it longer (counts in BENCHMARKS.md);
``tests/test_fastshacl.py`` compares both on every shape fixture and a generated corpus.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator, Mapping
from datetime import date, datetime
from functools import cache
from hashlib import sha256

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, SH, XSD
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


def requested() -> bool:
    """False when ``KG_SHACL_ENGINE=pyshacl`` switches the screen off."""
    return os.environ.get(ENGINE_VARIABLE, "").strip().lower() != "pyshacl"


def available() -> bool:
    """True when pyrudof is installed, not switched off, and the shapes can be screened."""
    if pyrudof is None or not requested():
        return False
    try:
        screening_shapes()
    except UnsupportedShapes:
        return False
    return True


# -- the literal pre-check ------------------------------------------------------------------------

#: A literal in N-Triples: IRIs cannot contain '"', so every '"' starts or ends a literal.
_LITERAL = re.compile(r'"((?:[^"\\\n]|\\.)*)"(?:\^\^<([^>]*)>|@(\S+))?')
#: Integers of at most 15 digits: exact as floats too, far from any 64-bit overflow.
_INTEGER = re.compile(r"0|[1-9][0-9]{0,14}")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_DATE_TIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}")
_LANGUAGE = re.compile(r"[a-z]{2,3}(?:-[a-z0-9]{2,8})*")


def _is_date(text: str, form: re.Pattern[str], parse: type[date]) -> bool:
    if not form.fullmatch(text):
        return False
    try:
        parse.fromisoformat(text)
    except ValueError:
        return False
    return True


#: The datatypes the project writes, each with the lexical forms the screen vouches for.
_VOUCHED: dict[str, Callable[[str], object]] = {
    str(XSD.string): lambda text: True,
    str(XSD.integer): _INTEGER.fullmatch,
    str(XSD.nonNegativeInteger): _INTEGER.fullmatch,
    str(XSD.boolean): lambda text: text in ("true", "false"),
    str(XSD.date): lambda text: _is_date(text, _DATE, date),
    str(XSD.dateTime): lambda text: _is_date(text, _DATE_TIME, datetime),
    str(XSD.language): _LANGUAGE.fullmatch,
}


def unvouched_literals(text: str) -> Iterator[str]:
    """The literals of an N-Triples document the screen cannot vouch for, as written.

    pyrudof does not check lexical forms, and integers beyond 64 bits make its SPARQL arithmetic
    differ from pySHACL's; rather than chase each difference, only the canonical forms of the
    datatypes the project writes are vouched for. Anything else sends the article to pySHACL.
    """
    for match in _LITERAL.finditer(text):
        lexical, datatype, language = match.groups()
        if language is not None:
            ok = _LANGUAGE.fullmatch(language) is not None
        elif datatype is not None:
            check = _VOUCHED.get(datatype)
            ok = check is not None and (datatype == str(XSD.string) or "\\" not in lexical) and bool(check(lexical))
        else:
            ok = True
        if not ok:
            yield match.group(0)


# -- the screening shapes -------------------------------------------------------------------------

#: Parameters whose value is a shape, or a list of shapes, evaluated on the value nodes.
_MONOTONE = (SH.property, SH.node)
_MONOTONE_LISTS = (SH["and"], SH["or"])
#: Parameters whose shapes count in both directions (a stricter shape may make them pass).
_NEGATING = (SH["not"], SH.qualifiedValueShape)
_NEGATING_LISTS = (SH.xone,)


def _only_positive(graph: Graph) -> set[Node]:
    """Shapes reached only without negation (sh:not, sh:xone, qualified counts): making one of them
    stricter can only make the whole validation stricter."""
    negated: set[Node] = set()
    todo = [shape for _, shape in graph.subject_objects(SH["not"])]
    todo += [shape for _, shape in graph.subject_objects(SH.qualifiedValueShape)]
    for _, head in graph.subject_objects(SH.xone):
        todo += list(Collection(graph, head))
    while todo:
        shape = todo.pop()
        if shape in negated:
            continue
        negated.add(shape)
        for parameter in (*_MONOTONE, *_NEGATING):
            todo += list(graph.objects(shape, parameter))
        for parameter in (*_MONOTONE_LISTS, *_NEGATING_LISTS):
            for head in graph.objects(shape, parameter):
                todo += list(Collection(graph, head))
    every = set(graph.subjects(RDF.type, SH.NodeShape)) | set(graph.subjects(RDF.type, SH.PropertyShape))
    every |= set(graph.subjects(SH.path, None)) | set(graph.objects(None, SH.node))
    return every - negated


@cache
def screening_shapes() -> str:
    """The project's shapes as Turtle for pyrudof, with what it gets wrong made equal or stricter
    (see :func:`_screening_graph`).

    :raises UnsupportedShapes: a parameter the screen has not been checked against.
    """
    return _screening_graph().serialize(format="turtle")


@cache
def _screening_graph() -> Graph:
    """The project's shapes for pyrudof, with what it gets wrong made equal or stricter.

    * ``sh:maxLength n`` -> ``sh:pattern "^[\\s\\S]{0,n}$"``: the same test on characters, and a
      blank node fails both;
    * ``sh:minInclusive 0`` -> ``sh:pattern "^[0-9]+$"``: passes only digit strings. Every shape that
      uses it also requires an integer datatype (sh:or), so whatever pySHACL rejects, this rejects;
    * a node shape reached through ``sh:node`` whose property shapes need a value (sh:hasValue,
      sh:minCount) gets ``sh:nodeKind sh:BlankNodeOrIRI``: pySHACL fails a literal there (a literal
      has no properties), pyrudof 0.3.35 skips it.

    :raises UnsupportedShapes: a parameter the screen has not been checked against.
    """
    graph = Graph()
    graph += shapes_graph()
    positive = _only_positive(graph)
    for shape, limit in list(graph.subject_objects(SH.maxLength)):
        if not (isinstance(limit, Literal) and isinstance(limit.toPython(), int)):
            raise UnsupportedShapes(f"sh:maxLength {limit!r} on {shape}")
        graph.remove((shape, SH.maxLength, limit))
        graph.add((shape, SH.pattern, Literal(f"^[\\s\\S]{{0,{limit.toPython()}}}$")))
    for shape, bound in list(graph.subject_objects(SH.minInclusive)):
        if bound != Literal(0) or not _requires_integer(graph, shape) or shape not in positive:
            raise UnsupportedShapes(f"sh:minInclusive {bound!r} on {shape}")
        graph.remove((shape, SH.minInclusive, bound))
        graph.add((shape, SH.pattern, Literal("^[0-9]+$")))
    for helper in set(graph.objects(None, SH.node)) & positive:
        if _needs_a_value(graph, helper) and graph.value(helper, SH.nodeKind) is None:
            graph.add((helper, SH.nodeKind, SH.BlankNodeOrIRI))
    for parameter in (SH.minExclusive, SH.maxInclusive, SH.maxExclusive, SH.minLength, SH.lessThanOrEquals):
        for shape, value in graph.subject_objects(parameter):
            if parameter == SH.minLength and value == Literal(1):
                continue  # "at least one character": bytes > 0 iff characters > 0
            raise UnsupportedShapes(f"{parameter} {value!r} on {shape}: not checked against pyrudof")
    return graph


# -- the vocabulary-gap shapes, left out where they cannot report --------------------------------

#: Parameters that say how a shape reports, not what it checks.
_REPORTING = {SH.message, SH.severity, SH.name, SH.description}


def _constraints(graph: Graph, shape: Node) -> set[Node]:
    """The SHACL parameters of ``shape`` other than how it reports (its targets included)."""
    return {p for p in graph.predicates(shape, None) if str(p).startswith(str(SH)) and p not in _REPORTING}


def _none_of(graph: Graph, shape: Node) -> set[tuple[URIRef, URIRef]] | None:
    """For a node shape made only of property shapes ``sh:path p ; sh:not [sh:in (o ...)]`` (simple
    paths, IRIs listed), the (p, o) pairs: the shape holds on a node unless the data has one of
    them as a triple about it. None for any other shape."""
    if _constraints(graph, shape) != {SH.property}:
        return None
    pairs: set[tuple[URIRef, URIRef]] = set()
    for prop in graph.objects(shape, SH.property):
        path, negated = graph.value(prop, SH.path), graph.value(prop, SH["not"])
        if _constraints(graph, prop) != {SH.path, SH["not"]} or not isinstance(path, URIRef) or negated is None:
            return None
        if len(list(graph.objects(prop, SH["not"]))) != 1 or _constraints(graph, negated) != {SH["in"]}:
            return None
        listed = [item for head in graph.objects(negated, SH["in"]) for item in Collection(graph, head)]
        if len(list(graph.objects(negated, SH["in"]))) != 1 or not all(isinstance(i, URIRef) for i in listed):
            return None
        pairs |= {(path, item) for item in listed if isinstance(item, URIRef)}
    return pairs


@cache
def _gap_split() -> tuple[str, re.Pattern[str]] | None:
    """The screening shapes without the targets of the shapes that can only report a use of an
    'other' concept (shape:OtherConcept-used, shape:OtherConcept-note-required), and the triples
    that can make them report (a pattern over N-Triples lines); None when there are none.

    Such a shape (a targeted ``sh:node X``, or ``sh:or`` with X a member, nothing else) holds on
    every node when X does, and X (:func:`_none_of`) holds unless the data has one of its (p, o)
    triples. On data without one, neither pySHACL nor pyrudof can report them, so the screen leaves
    them out there: they cost pyrudof a third of its time (13 negated property shapes on six
    classes), for a value no generated article uses.
    """
    graph = Graph()
    graph += _screening_graph()
    pairs: set[tuple[URIRef, URIRef]] = set()
    for shape in set(graph.subjects(SH.targetClass, None)):
        constraints = _constraints(graph, shape) - {SH.targetClass}
        members: list[Node] = []
        if constraints == {SH.node} and len(list(graph.objects(shape, SH.node))) == 1:
            members = list(graph.objects(shape, SH.node))
        elif constraints == {SH["or"]} and len(list(graph.objects(shape, SH["or"]))) == 1:
            members = [m for head in graph.objects(shape, SH["or"]) for m in Collection(graph, head)]
        found = [p for p in (_none_of(graph, m) for m in members) if p is not None]
        if found:
            pairs |= found[0]
            graph.remove((shape, SH.targetClass, None))
    if not pairs:
        return None
    predicates = "|".join(sorted({re.escape(str(p)) for p, _ in pairs}))
    objects = "|".join(sorted({re.escape(str(o)) for _, o in pairs}))
    return graph.serialize(format="turtle"), re.compile(rf"<(?:{predicates})>\s+<(?:{objects})>\s*\.")


def may_report_gaps(text: str) -> bool:
    """Whether N-Triples ``text`` may hold a triple the vocabulary-gap shapes report (conservative:
    any ``\\u`` escape counts, since an escaped IRI would not match the pattern)."""
    split = _gap_split()
    return split is None or "\\u" in text or "\\U" in text or split[1].search(text) is not None


def _needs_a_value(graph: Graph, shape: Node) -> bool:
    """Some property shape of ``shape`` fails on a node without that property."""
    for prop in graph.objects(shape, SH.property):
        count = graph.value(prop, SH.minCount)
        if graph.value(prop, SH.hasValue) is not None or (isinstance(count, Literal) and count.toPython() > 0):
            return True
    return False


def _requires_integer(graph: Graph, shape: Node) -> bool:
    """The shape has sh:or of node shapes that each demand an integer datatype."""
    allowed = {XSD.integer, XSD.nonNegativeInteger}
    for head in graph.objects(shape, SH["or"]):
        members = list(graph.items(head))
        if members and all(graph.value(m, SH.datatype) in allowed for m in members):
            return True
    return False


# -- pyrudof, once per process ---------------------------------------------------------------------


@cache
def _context_ntriples() -> str:
    return ntriples(ontology_graph()) + ntriples(vocabulary_graph())


class _Session:
    """A pyrudof session holding the screening shapes and the fixed context (ontology, vocabularies,
    one registry): read once per process, each batch staged on top and rolled back."""

    def __init__(self, registry_text: str) -> None:
        self.key = sha256(registry_text.encode("utf-8")).hexdigest()
        self.context = _context_ntriples() + registry_text
        self._gaps_possible = may_report_gaps(self.context)
        self._rudofs: dict[bool, pyrudof.Rudof] = {}
        self._rudof(self._gaps_possible)  # the context is read now: a context pyrudof refuses fails here

    def _rudof(self, all_shapes: bool) -> pyrudof.Rudof:
        """pyrudof with the context and either every screening shape or all but the gap shapes."""
        if all_shapes not in self._rudofs:
            rudof = pyrudof.Rudof()
            rudof.read_data(self.context, format=pyrudof.RDFFormat.NTriples, reader_mode=pyrudof.ReaderMode.Strict)
            split = _gap_split()
            shapes = screening_shapes() if all_shapes or split is None else split[0]
            rudof.read_shacl(shapes, format=pyrudof.ShaclFormat.Turtle)
            self._rudofs[all_shapes] = rudof
        return self._rudofs[all_shapes]

    def focus_nodes(self, data: str) -> set[str]:
        rudof = self._rudof(self._gaps_possible or may_report_gaps(data))
        rudof.begin_staging()
        try:
            rudof.read_data(data, format=pyrudof.RDFFormat.NTriples, merge=True, reader_mode=pyrudof.ReaderMode.Strict)
            return {entry.focus_node for entry in rudof.validate_shacl()}
        finally:
            rudof.rollback_staging()


_session: _Session | None = None


def _session_for(registry_text: str) -> _Session:
    global _session
    key = sha256(registry_text.encode("utf-8")).hexdigest()
    if _session is None or _session.key != key:
        _session = None  # a failed start leaves no half-read session behind
        _session = _Session(registry_text)
    return _session


_registry_text: tuple[Graph, int, str] | None = None


def _registry_ntriples(registry: Graph) -> str:
    """The registry as N-Triples, serialised once for the graph a worker keeps for every batch (the
    graph itself is held, so its id cannot be reused by another)."""
    global _registry_text
    if _registry_text is None or _registry_text[0] is not registry or _registry_text[1] != len(registry):
        _registry_text = (registry, len(registry), ntriples(registry))
    return _registry_text[2]


def screen(articles: Mapping[str, Graph], registry: Graph, texts: Mapping[str, str] | None = None) -> set[str] | None:
    """Focus nodes (N-Triples-ish strings as pyrudof prints them) of every pyrudof result, or
    ``None`` when pyrudof fails on the data. ``texts`` are the articles as N-Triples, when the caller
    already has them (ingest does: it stores that text)."""
    global _session
    texts = texts or {sid: ntriples(graph) for sid, graph in articles.items()}
    try:
        session = _session_for(_registry_ntriples(registry))
        return session.focus_nodes("".join(texts[sid] for sid in articles))
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException:  # pyrudof raises its own error classes, and a Rust panic is a BaseException
        _session = None
        return None


def articles_to_check(
    articles: Mapping[str, Graph], registry: Graph, texts: Mapping[str, str] | None = None
) -> set[str] | None:
    """The articles pySHACL must validate: those with a literal the screen cannot vouch for, those
    pyrudof flags, and every article linked to them.

    ``None`` means "validate everything with pySHACL": pyrudof is not installed or is switched off
    (``KG_SHACL_ENGINE=pyshacl``), it failed, the registry has a literal it cannot vouch for, or it
    flagged something outside the articles (the registry, a blank node) where the screen cannot tell
    which articles are concerned.
    """
    if not available():
        return None
    texts = texts or {sid: ntriples(graph) for sid, graph in articles.items()}
    if any(unvouched_literals(_registry_ntriples(registry))):
        return None
    groups = {sid for sid in articles if any(unvouched_literals(texts[sid]))}
    flagged = screen(articles, registry, texts)
    if flagged is None:
        return None
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


def _links(articles: Mapping[str, Graph]) -> dict[str, set[str]]:
    """For each article, the articles it is linked to by a triple, either way."""
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
    return links


def _closure(links: Mapping[str, set[str]], groups: set[str]) -> set[str]:
    todo, seen = list(groups), set(groups)
    while todo:
        for other in links.get(todo.pop(), ()):
            if other not in seen:
                seen.add(other)
                todo.append(other)
    return seen


def _linked(articles: Mapping[str, Graph], groups: set[str]) -> set[str]:
    """``groups`` and every article linked to them by a triple, either way, transitively."""
    return _closure(_links(articles), groups) if groups else set()


def linked_components(articles: Mapping[str, Graph]) -> list[list[str]]:
    """The articles in groups that link to each other (transitively), each group sorted: what must
    be validated together for pySHACL to see the same data."""
    links, done, components = _links(articles), set(), []
    for sid in sorted(articles):
        if sid not in done:
            component = _closure(links, {sid})
            done |= component
            components.append(sorted(component))
    return components
