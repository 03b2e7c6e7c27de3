"""The controlled vocabularies and the ontology, read once from the shipped Turtle files.

Annotation checking, JSON Schema generation and graph building all take their allowed notations
from here, so the SKOS files in ``ontology/schemes/`` are the single source of truth. So do the
synonyms annotators may type (``skos:altLabel``, mapped to their concept by :func:`resolve`) and the
condition types each condition value fits (``gpo:fitsConditionType``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

import pyoxigraph as ox

from kg.prefixes import SCHEMES, VOCAB_NS
from kg.resources import data_dir, turtle_graph

if TYPE_CHECKING:  # rdflib is imported by the functions that build graphs (see notations())
    from rdflib import Graph, URIRef

#: The notation of the escape concept every annotator-facing scheme has; its use needs a note.
OTHER = "other"


@dataclass(frozen=True)
class Concept:
    """A SKOS concept as annotators see it."""

    notation: str
    iri: URIRef
    label: str
    definition: str
    alt_labels: tuple[str, ...] = ()
    #: For condition values: notations of the condition types the value may be used under.
    fits: frozenset[str] = frozenset()


@cache
def vocabulary_graph() -> Graph:
    """All concept schemes, as one graph (the ``graph/vocab`` named graph)."""
    return turtle_graph("ontology", "schemes/*.ttl")


@cache
def mappings_graph() -> Graph:
    """PLOVER and CAMEO as SKOS concepts, the targets of the schemes' mapping properties."""
    return turtle_graph("ontology", "mappings/*.ttl")


@cache
def ontology_graph() -> Graph:
    """The OWL ontology and its alignments to other vocabularies (the ``graph/ontology`` named graph)."""
    return turtle_graph("ontology", "positions.ttl") + turtle_graph("ontology", "alignments.ttl")


@cache
def concepts(scheme: str) -> dict[str, Concept]:
    """Concepts annotators may use, keyed by notation, in notation order.

    Grouping concepts (stance families, the restriction/ground branches of condition types) have
    no ``skos:notation``: they organise the hierarchy for queries but are not annotation values.
    """
    from rdflib import URIRef
    from rdflib.namespace import SKOS

    from kg.terms import GPO, concept, scheme_iri

    graph = vocabulary_graph()
    found: dict[str, Concept] = {}
    for iri in graph.subjects(SKOS.inScheme, scheme_iri(scheme)):
        if not isinstance(iri, URIRef) or (notation_term := graph.value(iri, SKOS.notation)) is None:
            continue
        notation = str(notation_term)
        if concept(scheme, notation) != iri:
            raise ValueError(f"{iri}: skos:notation {notation!r} does not match the concept IRI")
        found[notation] = Concept(
            notation=notation,
            iri=iri,
            label=str(graph.value(iri, SKOS.prefLabel) or notation),
            definition=str(graph.value(iri, SKOS.definition) or ""),
            alt_labels=tuple(sorted(str(a) for a in graph.objects(iri, SKOS.altLabel))),
            fits=frozenset(str(t).rsplit("/", 1)[1] for t in graph.objects(iri, GPO.fitsConditionType)),
        )
    return dict(sorted(found.items()))


_SKOS = "http://www.w3.org/2004/02/skos/core#"


@cache
def notations(scheme: str) -> dict[str, str]:
    """A scheme's notations -> their concept IRIs, as :func:`concepts` has them, in notation order.

    Read by pyoxigraph from the scheme's own file, without rdflib (whose import alone costs a third of
    ``kg query``'s start-up budget): what binding a ``concept:`` query parameter needs.
    ``tests/test_vocabularies.py`` checks that it agrees with :func:`concepts` for every scheme.
    """
    if scheme not in SCHEMES:
        raise KeyError(f"unknown concept scheme {scheme!r}")
    in_scheme, notation = ox.NamedNode(_SKOS + "inScheme"), ox.NamedNode(_SKOS + "notation")
    scheme_node = ox.NamedNode(f"{VOCAB_NS}{scheme}")
    members: set[str] = set()
    notes: dict[str, str] = {}
    for path in sorted((data_dir("ontology") / "schemes").glob("*.ttl")):
        for triple in ox.parse(path=path, format=ox.RdfFormat.TURTLE):
            if not isinstance(triple.subject, ox.NamedNode):
                continue
            if triple.predicate == in_scheme and triple.object == scheme_node:
                members.add(triple.subject.value)
            elif triple.predicate == notation and isinstance(triple.object, ox.Literal):
                notes.setdefault(triple.subject.value, triple.object.value)
    found = {notes[iri]: iri for iri in members if iri in notes}
    return dict(sorted(found.items()))


def _key(text: str) -> str:
    """What two spellings of one label share: case, hyphens, underscores and spacing ignored."""
    return re.sub(r"[\s_\-]+", " ", text.strip().casefold())


@cache
def synonyms(scheme: str) -> dict[str, str]:
    """Every name an annotator may type for a concept (notation, prefLabel, altLabels) -> notation.

    A name shared by two concepts of one scheme would be ambiguous; tests/test_vocabularies.py
    keeps the schemes free of such names, and here the first concept in notation order would win.
    """
    names: dict[str, str] = {}
    for notation, item in concepts(scheme).items():
        for name in (notation, item.label, *item.alt_labels):
            names.setdefault(_key(name), notation)
    return names


def resolve(scheme: str, typed: str) -> str | None:
    """The notation ``typed`` names in ``scheme`` (a notation, a label or a synonym), else None."""
    return synonyms(scheme).get(_key(typed))


def lookup_key(text: str) -> str:
    """The normalised form :func:`synonyms` is keyed by (for suggestions)."""
    return _key(text)
