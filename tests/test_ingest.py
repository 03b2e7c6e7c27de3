"""Ingest of the seed article: the actual triples, deterministic IRIs, idempotent re-ingest,
provenance, and atomic commits (a killed ingest leaves only whole articles)."""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import CORPUS, SEED, SEED_ID
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import PROV, RDF, XSD

from kg.ingest.annotations import load_article, load_registry
from kg.ingest.build import article_graph
from kg.ingest.pipeline import ingest
from kg.store import EmbeddedStore
from kg.terms import ACTOR, GPO, OA, PROVENANCE_GRAPH, SCHEMA, concept
from kg.terms import article_graph as article_graph_iri

ART = f"https://w3id.org/positions-kg/id/article/{SEED_ID}"

# Every evidence span of the seed article (code points, end exclusive), counted by hand in its text.
SPANS = {
    (315, 406),
    (414, 475),
    (477, 532),
    (563, 591),
    (593, 662),
    (755, 771),
    (793, 861),
    (879, 991),
    (1024, 1085),
    (1103, 1220),
    (1409, 1478),
    (1483, 1607),
    (1690, 1777),
    (1808, 1976),
    (2006, 2063),
    (2256, 2312),
    (2328, 2380),
    (2448, 2505),
    (2520, 2589),
    (2639, 2712),
    (2740, 2757),
    (2769, 2820),
    (2840, 2896),
    (2931, 2967),
    (2969, 2994),
    (2996, 3061),
    (3024, 3036),
    (3095, 3213),
}
#: The seed's positions that are corpus-level (articles/corpus.yaml), typed in the seed's graph.
CORPUS_POSITIONS = {"e3-defend-interests", "e3-enable-defensive-action"}
POSITIONS = {
    "nato-no-participation",
    "rutte-praises-strikes",
    "uk-denies-direct-offensive",
    "uk-authorises-basing",
    "uk-protect-allies",
    "e3-defend-interests",
    "e3-enable-defensive-action",
    "de-refuses-participation",
    "de-self-defence",
    "fr-ready-defend-gulf-jordan",
    "fr-regrets-no-un-debate",
}


def seed_graph():
    registry = load_registry(CORPUS / "registry.yaml")
    return article_graph(load_article(SEED, registry), registry)


def test_seed_positions_and_spans_are_all_there() -> None:
    graph = seed_graph()
    positions = {str(p).rsplit("/", 1)[1] for p in graph.subjects(RDF.type, GPO.Position)}
    assert positions == POSITIONS
    spans = {
        (int(graph.value(s, OA.start)), int(graph.value(s, OA.end)))
        for s in graph.subjects(RDF.type, OA.TextPositionSelector)
    }
    assert spans == SPANS
    assert len(set(graph.subjects(RDF.type, GPO.Statement))) == 8


def test_uk_base_authorisation_is_fully_represented() -> None:
    graph = seed_graph()
    position = URIRef(f"{ART}/position/uk-authorises-basing")
    assert (position, GPO.holder, ACTOR.uk) in graph
    assert (position, GPO.stance, concept("stance", "authorises")) in graph
    action = graph.value(position, GPO.towards)
    assert set(graph.objects(action, GPO.actionType)) == {
        concept("action-type", "basing-access"),
        concept("action-type", "strike"),  # "defensive" is London's framing, on the purpose condition
    }
    assert (action, GPO.agent, ACTOR["us-forces"]) in graph
    purpose = URIRef(f"{position}/condition/purpose")
    assert (position, GPO.hasCondition, purpose) in graph
    assert (purpose, GPO.conditionValue, concept("condition-value", "defensive")) in graph
    assert (purpose, GPO.framedBy, ACTOR.uk) in graph
    assert (purpose, GPO.framing, Literal("defensive measure", lang="en")) in graph
    span = URIRef(f"{ART}/span/2740-2757")
    assert (purpose, GPO.hasEvidence, span) in graph
    assert (span, GPO.evidenceKind, concept("evidence-kind", "direct-quote")) in graph
    quote, where = URIRef(f"{span}#quote"), URIRef(f"{span}#position")
    assert (quote, OA.exact, Literal("defensive measure")) in graph
    assert graph.value(quote, OA.prefix) == Literal('n missile sites, described by London as a "'[-32:])
    assert graph.value(quote, OA.suffix) == Literal('", and said it will protect regional allies'[:32])
    assert graph.value(where, OA.start) == Literal(2740, datatype=XSD.nonNegativeInteger)
    assert graph.value(where, OA.end) == Literal(2757, datatype=XSD.nonNegativeInteger)


def test_edited_quote_and_ambiguous_quote_are_anchored_as_annotated() -> None:
    graph = seed_graph()
    edited = URIRef(f"{ART}/span/2931-2967")
    assert graph.value(URIRef(f"{edited}#quote"), OA.exact) == Literal("ready… to take part in [the] defense")
    assert graph.value(edited, GPO.editedQuote) == Literal(True)
    second = URIRef(f"{ART}/span/2840-2896#quote")
    assert graph.value(second, OA.exact) == Literal("it is not directly participating in offensive operations")


def test_same_input_gives_byte_identical_triples_without_blank_nodes() -> None:
    first, second = seed_graph(), seed_graph()
    assert sorted(first.serialize(format="nt").splitlines()) == sorted(second.serialize(format="nt").splitlines())
    assert not any(isinstance(term, BNode) for triple in first for term in triple)


def test_ingest_stores_article_registry_vocab_ontology_and_provenance(seed_store: EmbeddedStore) -> None:
    graphs = {str(g).rsplit("/graph/", 1)[1] for g in seed_store.named_graphs()}
    assert graphs == {f"article/{SEED_ID}", "registry", "corpus", "derived", "vocab", "ontology", "provenance"}
    assert len(seed_store.graph(article_graph_iri(SEED_ID))) == len(seed_graph())
    provenance = seed_store.graph(PROVENANCE_GRAPH)
    bundle = article_graph_iri(SEED_ID)
    activity = provenance.value(bundle, PROV.wasGeneratedBy)
    assert (bundle, RDF.type, PROV.Bundle) in provenance
    files = {
        str(provenance.value(f, SCHEMA.name)): str(provenance.value(f, GPO.sha256))
        for f in provenance.objects(activity, PROV.used)
        if provenance.value(f, SCHEMA.name)
    }
    assert files == {
        SEED.name: hashlib.sha256(SEED.read_bytes()).hexdigest(),
        SEED.with_suffix(".txt").name: "0a1dd097d4fe9f643c810dfa82917b50e295f09a854609693f8488dfcbd4e541",
    }
    assert provenance.value(activity, PROV.endedAtTime).datatype == XSD.dateTime


def test_reingest_is_idempotent_and_replaces_a_changed_article(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name in ("registry.yaml", "corpus.yaml", SEED.name, SEED.with_suffix(".txt").name):
        shutil.copy(CORPUS / name, corpus / name)
    with EmbeddedStore(tmp_path / "store") as store:
        ingest([corpus], store)
        first = sorted(str(q) for q in store.quads() if "provenance" not in str(q.graph_name))
        ingest([corpus], store)
        again = sorted(str(q) for q in store.quads() if "provenance" not in str(q.graph_name))
        assert again == first
        activities = list(store.graph(PROVENANCE_GRAPH).subjects(RDF.type, GPO.AnnotationActivity))
        assert len(activities) == 1

        path = corpus / SEED.name
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace("stance: regrets-lack-of", "stance: supports"), encoding="utf-8")
        ingest([corpus], store)
        graph = store.graph(article_graph_iri(SEED_ID))
        position = URIRef(f"{ART}/position/fr-regrets-no-un-debate")
        assert set(graph.objects(position, GPO.stance)) == {concept("stance", "supports")}


KILL_SCRIPT = """
import sys
from pathlib import Path
from kg.ingest.pipeline import ingest
from kg.store import EmbeddedStore
ingest([Path(sys.argv[1])], EmbeddedStore(sys.argv[2]), batch_size=3, workers=2)
"""


def _children(parents: int | set[int]) -> set[int]:
    parents = {parents} if isinstance(parents, int) else parents
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) in parents:
                    found.add(int(entry.name))
            except (OSError, ValueError):
                continue
    return found


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return "Z"


@pytest.mark.slow
def test_killed_ingest_leaves_only_whole_articles(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(CORPUS / "registry.yaml", corpus)
    shutil.copy(CORPUS / "corpus.yaml", corpus)
    text = SEED.read_text(encoding="utf-8")
    for n in range(60):
        shutil.copy(SEED.with_suffix(".txt"), corpus / f"a{n:03}.txt")
        (corpus / f"a{n:03}.yaml").write_text(
            text.replace(f"source_id: {SEED_ID}", f"source_id: copy-{n:03}").replace(
                f"text: {SEED.with_suffix('.txt').name}", f"text: a{n:03}.txt"
            ),
            encoding="utf-8",
        )
    store_dir = tmp_path / "store"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    process = subprocess.Popen([sys.executable, "-c", KILL_SCRIPT, str(corpus), str(store_dir)], env=env)
    deadline = time.monotonic() + 30
    workers: set[int] = set()
    while len(workers) < 2 and time.monotonic() < deadline:  # the fork server's children
        time.sleep(0.1)
        workers = _children(_children(process.pid))
    assert len(workers) == 2, "the ingest did not start its two worker processes"
    time.sleep(1.0)  # mid-run: some batches stored, others in the workers
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    deadline = time.monotonic() + 10
    while workers and time.monotonic() < deadline:  # they notice within 0.5 s, then exit
        workers = {pid for pid in workers if Path(f"/proc/{pid}").exists() and "Z" not in _state(pid)}
        time.sleep(0.2)
    assert not workers, f"worker processes outlived the killed ingest: {workers}"
    expected = len(seed_graph())
    with EmbeddedStore(store_dir) as store:
        sizes = {str(g): len(store.graph(g)) for g in store.named_graphs() if "/graph/article/" in str(g)}
    assert all(size == expected for size in sizes.values()), sizes
    print("articles stored before the kill:", len(sizes))


def mixed_corpus(root: Path) -> Path:
    """Seed copies across batches: valid ones, one dated after publication (SHACL violation), one
    with an unknown stance (input error) and one reusing a source id of an earlier batch."""
    corpus = root / "mixed"
    corpus.mkdir()
    shutil.copy(CORPUS / "registry.yaml", corpus)
    shutil.copy(CORPUS / "corpus.yaml", corpus)
    text = SEED.read_text(encoding="utf-8")
    edits = {3: ("stated_on: 2026-03-02", "stated_on: 2026-03-05"), 4: ("stance: regrets-lack-of", "stance: regretz")}
    for n in range(9):
        shutil.copy(SEED.with_suffix(".txt"), corpus / f"a{n}.txt")
        source_id = "copy-0" if n == 7 else f"copy-{n}"
        copy = text.replace(f"source_id: {SEED_ID}", f"source_id: {source_id}").replace(
            f"text: {SEED.with_suffix('.txt').name}", f"text: a{n}.txt"
        )
        if n in edits:
            copy = copy.replace(*edits[n], 1)
        (corpus / f"a{n}.yaml").write_text(copy, encoding="utf-8")
    return corpus


def without_ingest_times(store: EmbeddedStore) -> list[str]:
    times = {str(PROV.startedAtTime), str(PROV.endedAtTime), str(PROV.generatedAtTime)}
    return sorted(str(q) for q in store.quads() if q.predicate.value not in times)


@pytest.mark.slow
def test_worker_processes_give_exactly_the_sequential_result(tmp_path: Path) -> None:
    corpus = mixed_corpus(tmp_path)
    results = {}
    for workers in (1, 2):
        with EmbeddedStore(tmp_path / f"store{workers}") as store:
            summary = ingest([corpus], store, batch_size=2, workers=workers)
            outcomes = [(o.path.name, o.status, o.source_id, o.triples, str(o.error or "")) for o in summary.outcomes]
            findings = {group: [f.message for f in summary.report.findings(group)] for group in summary.report.by_group}
            results[workers] = (outcomes, findings, without_ingest_times(store))
    assert results[2] == results[1]
    outcomes, findings, quads = results[2]
    assert [(name, status) for name, status, *_ in outcomes] == [
        ("a0.yaml", "stored"),
        ("a1.yaml", "stored"),
        ("a2.yaml", "stored"),
        ("a3.yaml", "invalid"),
        ("a4.yaml", "error"),
        ("a5.yaml", "stored"),
        ("a6.yaml", "stored"),
        ("a7.yaml", "error"),
        ("a8.yaml", "stored"),
    ]
    assert "unknown stance 'regretz'" in outcomes[4][4]
    assert f"source_id 'copy-0' is also used by {corpus / 'a0.yaml'}" in outcomes[7][4]
    assert any("after the article was published" in message for message in findings["copy-3"])
    stored = {q.split("/graph/article/")[1].split(">")[0] for q in quads if "/graph/article/" in q}
    assert stored == {"copy-0", "copy-1", "copy-2", "copy-5", "copy-6", "copy-8"}


@pytest.mark.slow
def test_validation_in_worker_processes_reports_what_one_process_does(tmp_path: Path) -> None:
    from kg.shacl.engine import validate_store
    from kg.store import GraphReplacement

    with EmbeddedStore(tmp_path / "store") as store:
        ingest([mixed_corpus(tmp_path)], store, workers=1)
        broken = store.graph(article_graph_iri("copy-5"))
        broken.remove((None, GPO.stance, None))  # every position loses its stance: a violation each
        store.replace([GraphReplacement.of(article_graph_iri("copy-5"), broken)])
        reports = [validate_store(store, batch_size=2, workers=workers) for workers in (1, 2)]
    sequential, parallel = (
        {group: sorted(map(str, findings)) for group, findings in report.by_group.items()} for report in reports
    )
    assert parallel == sequential
    assert sorted(sequential) == ["copy-0", "copy-1", "copy-2", "copy-5", "copy-6", "copy-8"]
    # One finding per position the article itself states (the E3 ones are corpus-level).
    assert len(sequential["copy-5"]) == len(POSITIONS - CORPUS_POSITIONS) and not sequential["copy-0"]
    assert all("stance" in finding for finding in sequential["copy-5"])


def test_article_text_is_what_rdflib_would_serialise() -> None:
    """Ingest writes an article's N-Triples itself, without an rdflib graph: the lines are rdflib's,
    escapes included, and what rdflib refuses to write is refused."""
    from rdflib import Graph

    from kg.ingest.build import article_triples
    from kg.store import ntriples

    registry = load_registry(CORPUS / "registry.yaml")
    triples = article_triples(load_article(SEED, registry), registry)
    expected = article_graph(load_article(SEED, registry), registry).serialize(format="nt")
    assert sorted(triples.ntriples().splitlines()) == sorted(expected.splitlines())
    node = URIRef("http://example.org/a")
    tricky = Graph()
    for literal in (
        Literal('say "no"\\ \n\r\ttab ü'),
        Literal("x", lang="de-CH"),
        Literal("2026-03-01", datatype=XSD.date),
        Literal(5, datatype=XSD.nonNegativeInteger),
    ):
        tricky.add((node, RDF.value, literal))
    written = ntriples(tricky)
    assert sorted(written.splitlines()) == sorted(tricky.serialize(format="nt").splitlines())
    assert '"say \\"no\\"\\\\ \\n\\r\ttab ü"' in written
    with pytest.raises(Exception, match="does not look like a valid URI"):
        ntriples([(URIRef("http://example.org/a b"), RDF.value, node)])
    with pytest.raises(UnicodeEncodeError):
        ntriples([(node, RDF.value, Literal("\ud800"))])
