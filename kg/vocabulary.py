"""The controlled vocabularies and the ontology, read once from the shipped Turtle files.

Annotation checking, JSON Schema generation and graph building all take their allowed notations
from here, so the SKOS files in ``ontology/schemes/`` are the single source of truth.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from rdflib import Graph, URIRef
from rdflib.namespace import SKOS

from kg.resources import turtle_graph
from kg.terms import concept, scheme_iri


@dataclass(frozen=True)
class Concept:
    """A SKOS concept as annotators see it."""

    notation: str
    iri: URIRef
    label: str
    definition: str


@cache
def vocabulary_graph() -> Graph:
    """All concept schemes, as one graph (the ``graph/vocab`` named graph)."""
    return turtle_graph("ontology", "schemes/*.ttl")


@cache
def ontology_graph() -> Graph:
    """The OWL ontology (the ``graph/ontology`` named graph)."""
    return turtle_graph("ontology", "positions.ttl")


@cache
def concepts(scheme: str) -> dict[str, Concept]:
    """Concepts annotators may use, keyed by notation, in notation order.

    Grouping concepts (stance families, the restriction/ground branches of condition types) have
    no ``skos:notation``: they organise the hierarchy for queries but are not annotation values.
    """
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
        )
    return dict(sorted(found.items()))
