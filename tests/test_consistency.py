"""One source of truth: the code's terms, the ontology, the SKOS schemes, the JSON Schemas and the
shipped files agree. Each check lists every offender, not just the first."""

from __future__ import annotations

import json
import re
from itertools import chain

import pytest
from jsonschema import Draft202012Validator
from rdflib import URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from kg.ingest.schema import SCHEMA_FILES, render
from kg.resources import data_dir, data_files
from kg.terms import GPO, OA, ONTOLOGY_IRI, SCHEMES, Terms, concept_namespace, scheme_iri
from kg.vocabulary import concepts, ontology_graph, vocabulary_graph

DECLARATIONS = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)
GPO_NS = str(GPO._NS)


def declared_terms() -> set[str]:
    graph = ontology_graph()
    return {
        str(s)[len(GPO_NS) :]
        for kind in DECLARATIONS
        for s in graph.subjects(RDF.type, kind)
        if str(s).startswith(GPO_NS)
    }


def test_code_terms_equal_ontology_declarations() -> None:
    assert declared_terms() == set(GPO.__annotations__)


def test_every_gpo_term_used_in_shipped_files_is_declared() -> None:
    used: dict[str, set[str]] = {}
    for folder, pattern in (("ontology", "**/*.ttl"), ("shapes", "*.ttl"), ("queries", "*.rq")):
        for path in data_files(folder, pattern):
            text = path.read_text(encoding="utf-8")
            names = set(re.findall(r"\bgpo:([A-Za-z_][\w-]*)", text))
            names |= set(re.findall(re.escape(GPO_NS) + r"([A-Za-z_]\w*)", text))
            for name in names - set(GPO.__annotations__):
                used.setdefault(name, set()).add(path.name)
    assert used == {}


def test_every_term_has_english_label_and_definition() -> None:
    graph = ontology_graph() + vocabulary_graph()
    missing = []
    for term in {*(f"{GPO_NS}{t}" for t in GPO.__annotations__)} | {
        str(c) for c in graph.subjects(RDF.type, SKOS.Concept)
    }:
        node = URIRef(term)
        labels = [
            label for p in (RDFS.label, SKOS.prefLabel) for label in graph.objects(node, p) if label.language == "en"
        ]
        definitions = [d for d in graph.objects(node, SKOS.definition) if d.language == "en"]
        if not labels or not definitions:
            missing.append(term)
    assert missing == []


def test_ontology_header() -> None:
    graph = ontology_graph()
    for predicate in (
        OWL.versionIRI,
        OWL.versionInfo,
        URIRef("http://purl.org/dc/terms/license"),
        URIRef("http://purl.org/dc/terms/creator"),
        URIRef("http://purl.org/dc/terms/created"),
    ):
        assert graph.value(ONTOLOGY_IRI, predicate) is not None, predicate


def test_every_concept_is_in_exactly_one_known_scheme_with_matching_notation() -> None:
    graph = vocabulary_graph()
    wrong = []
    for concept in graph.subjects(RDF.type, SKOS.Concept):
        schemes = list(graph.objects(concept, SKOS.inScheme))
        if len(schemes) != 1 or schemes[0] not in {scheme_iri(s) for s in SCHEMES}:
            wrong.append((concept, schemes))
            continue
        scheme = str(schemes[0]).rsplit("/", 1)[1]
        notation = graph.value(concept, SKOS.notation)
        if notation is None:  # a grouping concept: it must group something
            if not list(graph.subjects(SKOS.broader, concept)):
                wrong.append((concept, "no notation, yet groups nothing"))
        elif URIRef(concept_namespace(scheme)[str(notation)]) != concept:
            wrong.append((concept, "notation"))
    assert wrong == []
    assert all(concepts(s) for s in SCHEMES)


def test_committed_json_schemas_are_generated_from_the_vocabularies() -> None:
    for name, make in SCHEMA_FILES.items():
        assert (data_dir("schemas") / name).read_text(encoding="utf-8") == render(make()), (
            f"schemas/{name} is stale: run 'kg schema'"
        )


def test_json_schema_notations_equal_the_skos_schemes() -> None:
    schema = json.loads((data_dir("schemas") / "article.schema.json").read_text(encoding="utf-8"))
    found: dict[str, set[str]] = {}
    synonyms_found: dict[str, set[str]] = {}

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if "x-kg-scheme" in node:
                notations, *names = node["anyOf"]
                found.setdefault(node["x-kg-scheme"], set()).update(notations["enum"])
                synonyms_found.setdefault(node["x-kg-scheme"], set()).update(*(n["enum"] for n in names))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(schema)
    graph = vocabulary_graph()
    for scheme, notations in found.items():
        in_skos = {
            str(n) for c in graph.subjects(SKOS.inScheme, scheme_iri(scheme)) for n in graph.objects(c, SKOS.notation)
        }
        assert notations == in_skos, scheme
        names = {
            str(name)
            for c in graph.subjects(SKOS.inScheme, scheme_iri(scheme))
            if (c, SKOS.notation, None) in graph  # the families and branches without one are not typed
            for name in chain(graph.objects(c, SKOS.prefLabel), graph.objects(c, SKOS.altLabel))
        }
        assert synonyms_found.get(scheme, set()) == names - in_skos, scheme
    assert {"stance", "action-type", "condition-type", "condition-value", "evidence-kind"} <= set(found)


def test_an_editor_accepts_a_synonym_as_kg_ingest_does() -> None:
    """The committed schema (what editors read) takes a stance's synonym and label, not a misspelling."""
    schema = json.loads((data_dir("schemas") / "article.schema.json").read_text(encoding="utf-8"))
    validator = Draft202012Validator(schema)
    stance = schema["properties"]["positions"]["items"]["properties"]["stance"]
    assert stance["x-kg-scheme"] == "stance"
    for typed in ("condemns", "denounces", "strongly condemns", "refuses participation"):
        assert validator.evolve(schema=stance).is_valid(typed), typed
    assert not validator.evolve(schema=stance).is_valid("condemnz")


def test_plain_prefixes_are_the_rdflib_namespaces() -> None:
    # kg.prefixes spells the namespaces out as strings so that the read path needs no rdflib; they
    # must be the very namespaces kg.terms and rdflib name.
    from rdflib.namespace import DCTERMS, FOAF, ORG, PROV, SH, TIME, XSD

    from kg import prefixes, terms

    expected = {
        "gpo": str(GPO._NS),
        "actor": str(terms.ACTOR),
        "post": str(terms.POST),
        "place": str(terms.PLACE),
        "thing": str(terms.THING),
        "event": str(terms.EVENT),
        "article": str(terms.ARTICLE),
        "communication": str(terms.COMMUNICATION),
        "action": str(terms.CORPUS_ACTION),
        "position": str(terms.CORPUS_POSITION),
        "graph": str(terms.GRAPH),
        "shape": str(terms.SHAPE),
        **{prefix: str(concept_namespace(scheme)) for scheme, prefix in SCHEMES.items()},
        "oa": str(terms.OA),
        "prov": str(PROV),
        "schema": str(terms.SCHEMA),
        "skos": str(SKOS),
        "org": str(ORG),
        "time": str(TIME),
        "foaf": str(FOAF),
        "owl": str(OWL),
        "rdf": str(RDF),
        "rdfs": str(RDFS),
        "xsd": str(XSD),
        "dcterms": str(DCTERMS),
        "vann": str(terms.VANN),
        "sh": str(SH),
    }
    assert expected == prefixes.PREFIXES
    assert list(prefixes.PREFIXES) == list(expected)  # the order prefixes are written in
    assert str(terms.REGISTRY_GRAPH) == prefixes.REGISTRY_GRAPH_IRI
    assert str(terms.PROVENANCE_GRAPH) == prefixes.PROVENANCE_GRAPH_IRI
    assert str(terms.article_graph("x")) == prefixes.ARTICLE_GRAPH_NS + "x"
    from kg.iris import REGISTRY_NAMESPACES

    assert {k: str(v) for k, v in REGISTRY_NAMESPACES.items()} == prefixes.REGISTRY_PREFIXES


def test_terms_made_once_are_the_namespace_terms() -> None:
    """kg.terms.Terms (the builder's namespaces) gives each namespace's own term, keeps it after the
    first access, and a closed namespace still refuses a name it does not declare."""
    gpo, rdf, oa = Terms(GPO), Terms(RDF), Terms(OA)
    assert (gpo.Statement, rdf.type, oa.exact) == (GPO.Statement, RDF.type, OA.exact)
    assert type(gpo.Statement) is URIRef
    assert gpo.Statement is gpo.Statement and "Statement" in vars(gpo)
    assert [name for name in GPO.__annotations__ if getattr(Terms(GPO), name) != GPO[name]] == []
    for closed, typo in ((gpo, "holdr"), (rdf, "typo")):
        with pytest.raises(AttributeError, match=typo):
            getattr(closed, typo)
    with pytest.raises(AttributeError):
        gpo._NS  # noqa: B018 - a private name is not a term
