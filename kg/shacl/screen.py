"""Fast path for :func:`kg.shacl.engine.validate`: pyshacl-turbo screens, pySHACL reports.

**The guarantee: whatever the screen passes, pySHACL passes.** An article the screen does not flag
has no finding with pySHACL either; every article it flags (and every article linked to one) is
validated by pySHACL, the reference engine, whose results are the only ones reported. Where the
screen cannot decide, it flags: the article goes to pySHACL.

pySHACL is the reference engine. pyshacl-turbo (Rust, PyPI ``pyshacl-turbo``) implements pySHACL's
semantics (it passes pySHACL's own regression suite) and validates a batch of 40 articles about 50
times faster (bench/screen_cost.py). On our shapes it finds what pySHACL finds: tests/test_fastshacl.py
compares them on every shape fixture, tests/test_differential.py on mutants. It is still only a
screen: its report text differs, it is young (0.6), and one engine is the reference for what users
read. So:

1. **Literal pre-check** (:func:`unvouched_literals`): an article with any literal the screen does not
   vouch for (a datatype other than the few the project writes, a lexical form other than their
   canonical one, an integer of more than 15 digits, an unusual language tag) is flagged outright,
   so that no difference between the engines in reading odd literals can pass an article.
2. **pyshacl-turbo** validates the batch, with the fixed context, against the project's shapes. The
   articles whose nodes it reports are flagged.

Anything the screen cannot vouch for (pyshacl-turbo missing, switched off or raising, a flagged node
outside the articles, a blank node, a registry literal it cannot vouch for) returns ``None`` and the
caller runs pySHACL on the whole batch. The shapes are compiled and the fixed context (ontology,
vocabularies) serialised once per process. The shapes that report only a use of an 'other' concept
are left out of a batch that has none (:func:`may_report_gaps`): they cannot report there, with
either engine.

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

from rdflib import Graph, URIRef
from rdflib.collection import Collection
from rdflib.namespace import SH, XSD
from rdflib.term import Node

from kg.shacl.report import REGISTRY_GROUP, group_of
from kg.shacl.shapes import shapes_graph
from kg.store import ntriples
from kg.terms import ARTICLE
from kg.vocabulary import ontology_graph, vocabulary_graph

try:  # optional: without it kg.shacl.engine uses pySHACL alone
    import pyshacl_turbo
    from pyshacl_turbo.rdf import Input as TurboInput
except ImportError:  # pragma: no cover - depends on the environment
    pyshacl_turbo = None  # type: ignore[assignment]

#: Set to "pyshacl" to switch the fast path off (kg.shacl.engine then runs pySHACL only).
ENGINE_VARIABLE = "KG_SHACL_ENGINE"


def requested() -> bool:
    """False when ``KG_SHACL_ENGINE=pyshacl`` switches the screen off."""
    return os.environ.get(ENGINE_VARIABLE, "").strip().lower() != "pyshacl"


def available() -> bool:
    """True when pyshacl-turbo is installed and the screen is not switched off."""
    return pyshacl_turbo is not None and requested()


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

    Engines may differ in reading literals (ill-typed lexical forms, integers beyond 64 bits in SPARQL
    arithmetic, language tags); rather than chase each difference, only the canonical forms of the
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
def _gap_split() -> tuple[Graph, re.Pattern[str]] | None:
    """The shapes without the targets of the shapes that can only report a use of an 'other'
    concept (shape:OtherConcept-used, shape:OtherConcept-note-required), and the triples that can
    make them report (a pattern over N-Triples lines); None when there are none.

    Such a shape (a targeted ``sh:node X``, or ``sh:or`` with X a member, nothing else) holds on
    every node when X does, and X (:func:`_none_of`) holds unless the data has one of its (p, o)
    triples. On data without one, pySHACL cannot report them, so the screen leaves them out there:
    they cost the screen about 13% of its time (13 negated property shapes on six classes),
    for a value no generated article uses.
    """
    graph = Graph()
    graph += shapes_graph()
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
    return graph, re.compile(rf"<(?:{predicates})>\s+<(?:{objects})>\s*\.")


def may_report_gaps(text: str) -> bool:
    """Whether N-Triples ``text`` may hold a triple the vocabulary-gap shapes report (conservative:
    any ``\\u`` escape counts, since an escaped IRI would not match the pattern)."""
    split = _gap_split()
    return split is None or "\\u" in text or "\\U" in text or split[1].search(text) is not None


# -- pyshacl-turbo, compiled once per process -----------------------------------------------------


@cache
def _compiled(all_shapes: bool) -> pyshacl_turbo.CompiledShapes:
    """The shapes compiled for pyshacl-turbo: all of them, or all but the vocabulary-gap shapes."""
    split = _gap_split()
    return pyshacl_turbo.compile_shapes(shapes_graph() if all_shapes or split is None else split[0])


@cache
def _context_ntriples() -> str:
    return ntriples(ontology_graph()) + ntriples(vocabulary_graph())


_registry_text: tuple[Graph, int, str, bool, bool] | None = None


def _registry_ntriples(registry: Graph) -> tuple[str, bool, bool]:
    """The registry as N-Triples, whether it may make the vocabulary-gap shapes report (the fixed
    context cannot), and whether the screen vouches for all its literals: worked out once for the
    graph a worker keeps for every batch (the graph itself is held, so its id cannot be reused by
    another)."""
    global _registry_text
    if _registry_text is None or _registry_text[0] is not registry or _registry_text[1] != len(registry):
        text = ntriples(registry)
        _registry_text = (registry, len(registry), text, may_report_gaps(text), not any(unvouched_literals(text)))
    return _registry_text[2], _registry_text[3], _registry_text[4]


def screen(articles: Mapping[str, Graph], registry: Graph, texts: Mapping[str, str] | None = None) -> set[Node] | None:
    """The focus nodes of every pyshacl-turbo result on the batch, or ``None`` when it fails on the
    data. ``texts`` are the articles as N-Triples, when the caller already has them (ingest does: it
    stores that text)."""
    texts = texts or {sid: ntriples(graph) for sid, graph in articles.items()}
    data = "".join(texts[sid] for sid in articles)
    registry_text, registry_gaps, _vouched = _registry_ntriples(registry)
    try:
        shapes = _compiled(registry_gaps or may_report_gaps(data))
        # Input hands the N-Triples text to the Rust parser as it is; a str or bytes document would
        # be parsed into an rdflib graph first (5x slower), an Oxigraph store dumped (1.25x).
        _conforms, report, _text = shapes.validate(
            TurboInput(_context_ntriples() + registry_text + data, "nt", None, {})
        )
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException:  # a Rust panic is a BaseException; any failure sends the batch to pySHACL
        return None
    # Top-level results (sh:result) only: nested ones (sh:detail) explain one, about its values.
    return {focus for result in report.objects(None, SH.result) for focus in report.objects(result, SH.focusNode)}


def articles_to_check(
    articles: Mapping[str, Graph], registry: Graph, texts: Mapping[str, str] | None = None
) -> set[str] | None:
    """The articles pySHACL must validate: those with a literal the screen cannot vouch for, those
    pyshacl-turbo flags, and every article linked to them.

    ``None`` means "validate everything with pySHACL": pyshacl-turbo is not installed or is switched
    off (``KG_SHACL_ENGINE=pyshacl``), it failed, the registry has a literal it cannot vouch for, or it
    flagged something outside the articles (the registry, a blank node) where the screen cannot tell
    which articles are concerned.
    """
    if not available():
        return None
    texts = texts or {sid: ntriples(graph) for sid, graph in articles.items()}
    if not _registry_ntriples(registry)[2]:
        return None
    groups = {sid for sid in articles if any(unvouched_literals(texts[sid]))}
    flagged = screen(articles, registry, texts)
    if flagged is None:
        return None
    for node in flagged:
        if not isinstance(node, URIRef) or group_of(node) == REGISTRY_GROUP or group_of(node) not in articles:
            return None
        groups.add(group_of(node))
    return _linked(articles, groups)


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
