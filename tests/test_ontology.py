"""Ontology hygiene (issue 13): the OWL 2 RL closure (owlrl, the reference reasoner for rdflib
graphs) of the ontology, the concept schemes, the registry and the seed article is consistent and
types nothing it should not; the disjointness axioms are there to catch the mistakes that would."""

from __future__ import annotations

from functools import cache

import owlrl
import pytest
from conftest import CORPUS, SEED
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from kg.ingest.annotations import load_article, load_registry
from kg.ingest.build import article_graph, corpus_graph, registry_graph
from kg.terms import EVENT, GPO
from kg.vocabulary import mappings_graph, ontology_graph, vocabulary_graph

ERROR = URIRef("http://www.daml.org/2002/03/agents/agent-ont#ErrorMessage")
ERROR_TEXT = URIRef("http://www.daml.org/2002/03/agents/agent-ont#error")
WAR = EVENT["us-israel-war-on-iran-2026"]
GPO_NS = str(GPO._NS)


@cache
def data() -> Graph:
    registry = load_registry(CORPUS / "registry.yaml")
    return registry_graph(registry) + corpus_graph(registry) + article_graph(load_article(SEED, registry), registry)


def closure(*parts: Graph) -> Graph:
    graph = Graph()
    for part in parts:
        graph += part
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics, axiomatic_triples=False, datatype_axioms=False).expand(graph)
    return graph


def errors(graph: Graph) -> list[str]:
    return sorted(str(graph.value(e, ERROR_TEXT)) for e in graph.subjects(RDF.type, ERROR))


@cache
def seed_closure() -> Graph:
    return closure(ontology_graph(), vocabulary_graph(), mappings_graph(), data())


def gpo_types(graph: Graph, node: URIRef) -> set[URIRef]:
    return {t for t in graph.objects(node, RDF.type) if isinstance(t, URIRef) and str(t).startswith(GPO_NS)}


def test_closure_of_ontology_schemes_and_seed_is_consistent() -> None:
    graph = seed_closure()
    assert errors(graph) == []
    assert not set(graph.subjects(RDF.type, OWL.Nothing))


def test_closure_types_each_node_only_with_its_own_classes_and_their_superclasses() -> None:
    """Every gpo: type the reasoner derives follows from an asserted gpo: type by rdfs:subClassOf:
    no domain or range makes an event an action, a platform a media organisation, a concept an actor."""
    ontology = closure(ontology_graph())
    supers = {c: set(ontology.objects(c, RDFS.subClassOf)) for c in ontology.subjects(RDF.type, OWL.Class)}
    asserted_graph = data()
    graph = seed_closure()
    unintended = {}
    for node in {s for s in graph.subjects(RDF.type, None) if isinstance(s, URIRef)}:
        asserted = gpo_types(asserted_graph, node)
        if not asserted:  # only referenced here (a corpus-level node another article defines)
            continue
        allowed = set().union(*(supers.get(c, {c}) | {c} for c in asserted))
        if GPO.Communication in asserted:  # each reporting article types it gpo:Statement (its definition)
            allowed.add(GPO.Statement)
        extra = gpo_types(graph, node) - allowed
        if extra:
            unintended[node] = extra
    assert unintended == {}


def test_a_registry_event_with_agents_and_targets_is_not_an_action() -> None:
    graph = seed_closure()
    assert set(graph.objects(WAR, GPO.agent)) and set(graph.objects(WAR, GPO.target))
    assert gpo_types(graph, WAR) == {GPO.Event}
    assert not set(graph.subjects(RDF.type, GPO.Action)) & set(graph.subjects(RDF.type, SKOS.Concept))


def test_disjointness_catches_a_node_of_two_kinds() -> None:
    """The checks above can fail: the old domain of gpo:agent made the registry's war an action,
    which the disjointness of gpo:Action and gpo:Event now reports as an inconsistency."""
    old_domain = Graph()
    old_domain.add((GPO.agent, RDFS.domain, GPO.Action))
    graph = closure(ontology_graph(), old_domain, data())
    assert any(str(WAR) in message and "disjoint" in message.lower() for message in errors(graph)), errors(graph)
    person_and_state = Graph()
    person_and_state.add((URIRef("https://w3id.org/positions-kg/id/actor/x"), RDF.type, GPO.Person))
    person_and_state.add((URIRef("https://w3id.org/positions-kg/id/actor/x"), RDF.type, GPO.State))
    assert errors(closure(ontology_graph(), person_and_state))


@pytest.mark.parametrize(
    "first,second",
    [
        (GPO.Action, GPO.Event),
        (GPO.Position, GPO.Statement),
        (GPO.Condition, GPO.Position),
        (GPO.Actor, GPO.Article),
        (GPO.MediaOrganization, GPO.Platform),
        (GPO.GovernmentBody, GPO.Legislature),
        (GPO.ArmedForces, GPO.NonStateArmedGroup),
    ],
)
def test_disjoint_classes_are_declared(first: URIRef, second: URIRef) -> None:
    graph = ontology_graph()
    assert (first, OWL.disjointWith, second) in graph or (second, OWL.disjointWith, first) in graph


def test_the_ontology_files_have_no_blank_nodes() -> None:
    """The stored ontology graph is the same triples on every load (a re-ingest changes nothing)."""
    from rdflib import BNode

    assert not any(isinstance(term, BNode) for triple in ontology_graph() for term in triple)
