"""graph/derived made from what an ingest gathered equals graph/derived made from the store.

An ingest into a store holding nothing the derivation reads runs the derivation's queries on the
triples it wrote of kg.ingest.derive.READS, in memory; every other derivation reads the store.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import CORPUS
from rdflib import BNode, Literal, URIRef, Variable
from rdflib.namespace import RDF, RDFS
from rdflib.paths import AlternativePath, SequencePath
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.parserutils import CompValue

from kg.ingest import derive
from kg.ingest.derive import READS, DerivationInputs, derivation_reads, derived_triples
from kg.ingest.pipeline import ingest
from kg.store import EmbeddedStore, ntriples
from kg.terms import DERIVED_GRAPH, GPO

QUERIES = (derive._POSITIONS, derive._CONDITIONS, derive._ASSERTED)


def _triple_patterns(node: object) -> list[tuple[object, object, object]]:
    """Every triple pattern of a parsed query's algebra, FILTER EXISTS and OPTIONAL included."""
    found: list[tuple[object, object, object]] = []
    if isinstance(node, CompValue | dict):
        for key, value in node.items():
            found += [tuple(t) for t in value] if key == "triples" else _triple_patterns(value)
    elif isinstance(node, list | tuple):
        for item in node:
            found += _triple_patterns(item)
    return found


def _predicates(predicate: object) -> list[URIRef]:
    """The IRIs a predicate position reads: itself, or each step of a property path."""
    if isinstance(predicate, URIRef):
        return [predicate]
    # The queries use sequences (a/b) and alternatives (a|b) only.
    assert isinstance(predicate, SequencePath | AlternativePath), predicate
    return [iri for step in predicate.args for iri in _predicates(step)]


def _read_patterns() -> set[tuple[URIRef, URIRef | None]]:
    patterns = set()
    for query in QUERIES:
        for _, predicate, obj in _triple_patterns(prepareQuery(query).algebra):
            for iri in _predicates(predicate):
                # rdf:type is read for the classes the queries name; any other predicate whatever its object.
                patterns.add((iri, obj if iri == RDF.type and not isinstance(obj, Variable) else None))
    return patterns


def test_reads_names_exactly_what_the_queries_read() -> None:
    declared = {(predicate, obj) for _, predicate, obj in READS}
    assert _read_patterns() == declared
    assert (GPO.reportedIn, None) in declared  # a step of the path reportedIn/datePublished
    assert (RDF.type, GPO.Statement) in declared  # from inside FILTER EXISTS


def test_only_the_triples_read_are_handed_on_and_a_blank_node_stops_the_shortcut() -> None:
    position, holder = URIRef("http://example.org/p"), URIRef("http://example.org/h")
    reads = derivation_reads(
        ntriples(
            [
                (position, GPO.holder, holder),
                (position, RDF.type, GPO.Position),
                (position, RDF.type, GPO.Action),
                (position, RDFS.label, Literal("holder")),
                # a literal that reads like a line the derivation reads: not a line of its own
                (position, RDFS.comment, Literal(f"<{position}> <{GPO.holder}> <{holder}> .")),
                (position, GPO.statedOn, Literal("2026\u20282027")),  # a line separator N-Triples leaves as is
            ]
        )
    )
    assert reads == (
        f"<{position}> <{GPO.holder}> <{holder}> .\n<{position}> <{RDF.type}> <{GPO.Position}> .\n"
        f'<{position}> <{GPO.statedOn}> "2026\u20282027" .\n'
    )
    with DerivationInputs() as inputs:
        inputs.add(reads)
        assert inputs.exact
        rows = inputs.store().select_values("SELECT ?s ?p ?o WHERE { ?s ?p ?o }")[1]
        assert sorted(rows) == [
            (str(position), str(RDF.type), str(GPO.Position)),
            (str(position), str(GPO.holder), str(holder)),
            (str(position), str(GPO.statedOn), "2026\u20282027"),
        ]
        assert inputs.usable
        inputs.add(derivation_reads(ntriples([(BNode("b0"), GPO.holder, holder)])))
        assert not inputs.exact and not inputs.usable


def test_inputs_beyond_the_memory_limit_leave_the_derivation_to_the_store(monkeypatch: pytest.MonkeyPatch) -> None:
    reads = derivation_reads(ntriples([(URIRef("http://example.org/p"), GPO.holder, URIRef("http://example.org/h"))]))
    monkeypatch.setattr(derive, "IN_MEMORY_LIMIT", len(reads))
    with DerivationInputs() as inputs:
        inputs.add(reads)
        assert inputs.usable
        inputs.add(reads)
        assert inputs.exact and not inputs.usable


def _derived(store: EmbeddedStore) -> set[tuple[object, object, object]]:
    return set(store.graph(DERIVED_GRAPH))


def _from_the_store(store: EmbeddedStore) -> set[tuple[object, object, object]]:
    return set(derived_triples(store))


def test_an_ingest_into_an_empty_store_derives_from_what_it_wrote(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One article a batch, so the joint statement's two reports come in different batches."""
    used = []
    in_memory = DerivationInputs.store
    monkeypatch.setattr(DerivationInputs, "store", lambda self: used.append(True) or in_memory(self))
    with EmbeddedStore(tmp_path / "store") as store:
        ingest([CORPUS], store, batch_size=1, workers=1)
        derived = _derived(store)
        assert used == [True]
        assert derived == _from_the_store(store)
    kinds = {o for _, p, o in derived if p == RDF.type}
    assert {GPO.CandidateChange, GPO.CandidateReaffirmation} <= kinds
    assert len([t for t in derived if t[1] == GPO.positionDate]) > 10


def test_an_ingest_into_a_store_holding_positions_reads_the_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two ingests of halves of the corpus derive what one ingest of all of it derives."""
    with EmbeddedStore(tmp_path / "whole") as store:
        ingest([CORPUS], store, workers=1)
        whole = _derived(store)
    files = sorted(CORPUS.rglob("*.yaml"))
    articles = [f for f in files if f.name != "registry.yaml"]
    registry = CORPUS / "registry.yaml"
    used = []
    in_memory = DerivationInputs.store
    monkeypatch.setattr(DerivationInputs, "store", lambda self: used.append(True) or in_memory(self))
    with EmbeddedStore(tmp_path / "halves") as store:
        ingest(articles[: len(articles) // 2], store, registry_path=registry, workers=1)
        assert used == [True]
        ingest(articles[len(articles) // 2 :], store, registry_path=registry, workers=1)
        assert used == [True]  # the second ingest read the store
        assert _derived(store) == whole


def test_a_lone_load_has_the_derivation_beside_it_and_many_pieces_after_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One piece is loaded in one thread: graph/derived is worked out from the inputs meanwhile.
    Pieces of at least as many as there are loaders keep the cores busy: it is derived after them.
    Either way graph/derived is what the store implies."""
    from kg.ingest import pipeline

    calls: list[str] = []
    early, late = pipeline.derived_from, pipeline.rederive
    monkeypatch.setattr(pipeline, "derived_from", lambda inputs: calls.append("beside") or early(inputs))
    monkeypatch.setattr(pipeline, "rederive", lambda store, inputs: calls.append("after") or late(store, inputs))
    with EmbeddedStore(tmp_path / "one") as store:
        ingest([CORPUS], store, batch_size=2, workers=1)
        one = _derived(store)
        assert one == _from_the_store(store)
    assert calls == ["beside"]
    calls.clear()
    with EmbeddedStore(tmp_path / "pieces") as store:
        # Six articles in batches of three, a piece each: as many pieces as loaders.
        assert pipeline.LOADERS == 2
        ingest([CORPUS], store, batch_size=3, workers=1, piece_quads=1, single_load_quads=0)
        assert _derived(store) == one
    assert calls == ["after"]
    assert len([t for t in one if t[1] == GPO.positionDate]) > 10
