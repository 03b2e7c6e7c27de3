"""Validation that tells the truth: what the screen passes pySHACL passes, no finding is dropped or
misfiled, an engine error is a finding, and KG_SHACL_ENGINE=pyshacl really switches the screen off.

Each test breaks one thing on the clean base fixture (tests/data/shapes/base.trig, split into the
article graph and the registry as kg.shacl.engine gets them) or in a stored corpus, and compares the
project's path with pySHACL alone, or checks the exact finding.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, SH, SKOS, XSD

from kg.shacl import engine, screen
from kg.shacl.engine import validate, validate_store
from kg.shacl.report import REGISTRY_GROUP, render_text
from kg.shacl.shapes import shapes_graph
from kg.store import EmbeddedStore
from kg.terms import ARTICLE, GPO, OA, SCHEMA, article_graph
from kg.vocabulary import vocabulary_graph

sys.path.insert(0, str(Path(__file__).resolve().parent))
import shacl_fuzz
from test_shapes import base_graph

FIXTURE = f"{ARTICLE}fixture"
SPAN = URIRef(f"{FIXTURE}/span/10-18")
POSITION_SELECTOR = URIRef(f"{SPAN}#position")


def split(graph: Graph, source_id: str = "fixture") -> tuple[dict[str, Graph], Graph]:
    """The article's triples (subjects in its namespace, or blank nodes) and the registry."""
    article, registry = Graph(), Graph()
    for triple in graph:
        subject = triple[0]
        own = isinstance(subject, BNode) or str(subject).startswith(f"{ARTICLE}{source_id}")
        (article if own else registry).add(triple)
    return {source_id: article}, registry


def base_with(*changes: tuple[str, tuple]) -> Graph:
    """The base fixture with ("remove"|"add", triple) changes applied."""
    graph = Graph()
    graph += base_graph()
    for how, triple in changes:
        if how == "remove":
            graph.remove(triple)
        else:
            graph.add(triple)
    return graph


def assert_same_as_pyshacl(graph: Graph) -> dict[str, list]:
    """The project's path gives exactly pySHACL's findings (all fields), article by article."""
    articles, registry = split(graph)
    expected = shacl_fuzz.pyshacl_alone(articles, registry)
    assert nonempty(shacl_fuzz.project_path(articles, registry)) == nonempty(expected)
    return expected


def nonempty(groups: dict[str, list]) -> dict[str, list]:
    return {group: keys for group, keys in groups.items() if keys}


def flagged(graph: Graph) -> set[str] | None:
    articles, registry = split(graph)
    return screen.articles_to_check(articles, registry)


# -- 1. the three classes the screen used to pass ----------------------------------------------


@pytest.mark.parametrize(
    "predicate,subject,literal,shape",
    [
        (SCHEMA.datePublished, URIRef(FIXTURE), Literal("2026-02-30T10:00:00", datatype=XSD.dateTime), "DateTimeValue"),
        (GPO.statedOn, URIRef(f"{FIXTURE}/statement/rutte"), Literal("2026-02-30", datatype=XSD.date), ""),
        (
            GPO.translated,
            URIRef(f"{FIXTURE}/statement/rutte"),
            Literal("yes", datatype=XSD.boolean, normalize=False),
            "",
        ),
    ],
    ids=["dateTime-30-february", "date-30-february", "boolean-yes"],
)
def test_invalid_lexical_forms_are_flagged_and_reported(predicate, subject, literal, shape) -> None:
    old = base_graph().value(subject, predicate)
    graph = base_with(("remove", (subject, predicate, old)), ("add", (subject, predicate, literal)))
    assert flagged(graph) == {"fixture"}
    expected = assert_same_as_pyshacl(graph)
    assert any(key[4] == shacl_fuzz._text(literal) for key in expected["fixture"]), expected


def concept_valued_paths() -> set[URIRef]:
    """Every property whose values must come from a controlled list (sh:node to a concept shape)."""
    shapes = shapes_graph()
    return {
        shapes.value(prop, SH.path)
        for prop, helper in shapes.subject_objects(SH.node)
        if str(helper).endswith("Concept") and shapes.value(prop, SH.path) is not None
    }


def test_the_concept_valued_properties_are_the_twelve_lists() -> None:
    assert len(concept_valued_paths()) == 12


@pytest.mark.parametrize("path", sorted(concept_valued_paths()), ids=lambda p: str(p).rsplit("#", 1)[-1])
def test_a_plain_literal_for_a_concept_is_flagged_and_reported(path: URIRef) -> None:
    concepts = set(vocabulary_graph().subjects(SKOS.inScheme, None))
    triples = [(s, p, o) for s, p, o in base_graph() if p == path and o in concepts]
    if not triples:  # not in the base fixture: give the first node of the right class a value
        shapes = shapes_graph()
        prop = next(p for p in shapes.subjects(SH.path, path) if shapes.value(p, SH.node) is not None)
        owner = next(shapes.subjects(SH.property, prop))
        cls = shapes.value(owner, SH.targetClass)
        subject = next(base_graph().subjects(RDF.type, cls))
        graph = base_with(("add", (subject, path, Literal("interview"))))
    else:
        subject, _, concept = triples[0]
        local = str(concept).rsplit("/", 1)[-1]
        graph = base_with(("remove", triples[0]), ("add", (subject, path, Literal(local))))
    assert flagged(graph) == {"fixture"}
    expected = assert_same_as_pyshacl(graph)
    assert any(key[2].endswith(str(path).rsplit("#", 1)[-1]) for key in expected["fixture"]), expected


@pytest.mark.parametrize("value", [10**20, 2**63, -(2**63) - 1])
def test_huge_offsets_are_flagged_and_reported(value: int) -> None:
    old = base_graph().value(POSITION_SELECTOR, OA.end)
    graph = base_with(
        ("remove", (POSITION_SELECTOR, OA.end, old)),
        ("add", (POSITION_SELECTOR, OA.end, Literal(str(value), datatype=XSD.nonNegativeInteger))),
    )
    assert flagged(graph) == {"fixture"}
    expected = assert_same_as_pyshacl(graph)
    assert expected["fixture"], "pySHACL finds the offsets wrong"


def test_literals_the_screen_vouches_for() -> None:
    text = (
        '<a:s> <a:p> "12"^^<http://www.w3.org/2001/XMLSchema#nonNegativeInteger> .\n'
        '<a:s> <a:p> "2026-03-02"^^<http://www.w3.org/2001/XMLSchema#date> .\n'
        '<a:s> <a:p> "2026-03-02T23:36:00"^^<http://www.w3.org/2001/XMLSchema#dateTime> .\n'
        '<a:s> <a:p> "true"^^<http://www.w3.org/2001/XMLSchema#boolean> .\n'
        '<a:s> <a:p> "de"^^<http://www.w3.org/2001/XMLSchema#language> .\n'
        '<a:s> <a:p> "say \\"no\\""@en .\n<a:s> <a:p> "plain" .\n'
    )
    assert list(screen.unvouched_literals(text)) == []
    bad = [
        '"0x10"^^<http://www.w3.org/2001/XMLSchema#integer>',
        '"1234567890123456"^^<http://www.w3.org/2001/XMLSchema#integer>',
        '"007"^^<http://www.w3.org/2001/XMLSchema#integer>',
        '"2026-02-29"^^<http://www.w3.org/2001/XMLSchema#date>',
        '"2026-03-02T23:36:00Z"^^<http://www.w3.org/2001/XMLSchema#dateTime>',
        '"1"^^<http://www.w3.org/2001/XMLSchema#boolean>',
        '"1.0"^^<http://www.w3.org/2001/XMLSchema#decimal>',
        '"x"@EN',
    ]
    text = "".join(f"<a:s> <a:p> {literal} .\n" for literal in bad)
    assert list(screen.unvouched_literals(text)) == bad


# -- 2. engine errors are findings --------------------------------------------------------------

ENGINE_ERROR = (
    "pySHACL could not validate this article ({reason}). The graph is likely malformed, e.g. a literal "
    "whose text is not valid for its datatype: fix it and validate again."
)


@pytest.mark.parametrize("lexical", ["0x10", "1e3", "abc"])
def test_pyshacl_raising_on_an_offset_is_that_articles_finding(lexical: str) -> None:
    old = base_graph().value(POSITION_SELECTOR, OA.end)
    graph = base_with(
        ("remove", (POSITION_SELECTOR, OA.end, old)),
        ("add", (POSITION_SELECTOR, OA.end, Literal(lexical, datatype=XSD.integer))),
    )
    articles, registry = split(graph)
    with pytest.raises((TypeError, RecursionError)):
        shacl_fuzz.pyshacl_alone(articles, registry)
    # a second, clean article in the same batch keeps its own (empty) result
    clean_articles, _ = split(_renamed(base_graph(), "clean"), "clean")
    report = validate({**articles, **clean_articles}, registry)
    (finding,) = report.findings("fixture")
    assert finding.severity == "Violation"
    assert finding.focus == "article:fixture"
    assert finding.message.startswith("pySHACL could not validate this article (")
    assert finding.message.endswith(ENGINE_ERROR.split("{reason}")[1])
    assert report.findings("clean") == []
    assert report.findings(REGISTRY_GROUP) == []
    assert not report.conforms()
    assert (None, SH.conforms, Literal(False)) in report.graph


def _renamed(graph: Graph, source_id: str) -> Graph:
    """The base fixture's article under another source id (registry triples unchanged)."""
    old, new = f"{ARTICLE}fixture", f"{ARTICLE}{source_id}"

    def rename(term):
        if isinstance(term, URIRef) and str(term).startswith(old):
            return URIRef(new + str(term)[len(old) :])
        if isinstance(term, Literal) and str(term) == "fixture":
            return Literal(source_id)
        return term

    renamed = Graph()
    for triple in graph:
        renamed.add(tuple(rename(t) for t in triple))  # type: ignore[arg-type]
    return renamed


def test_the_screen_raising_sends_the_batch_to_pyshacl(monkeypatch: pytest.MonkeyPatch) -> None:
    """Also a Rust panic, which pyo3 raises as a BaseException, not an Exception."""

    class Panic(BaseException):
        pass

    def panic(self, *args, **kwargs):
        raise Panic("pyshacl-turbo panicked")

    monkeypatch.setattr(type(screen._compiled(True)), "validate", panic)
    articles, registry = split(base_graph())
    assert screen.articles_to_check(articles, registry) is None
    graph = base_with(
        # A second headline (a headline is optional since issue 12, two are still a violation).
        ("add", (URIRef(FIXTURE), SCHEMA.headline, Literal("A second headline", lang="en")))
    )
    articles, registry = split(graph)
    report = validate(articles, registry)
    assert [f.shape for f in report.findings("fixture")] == ["shape:Article-headline"]


# -- 3. no finding dropped or misfiled ----------------------------------------------------------


def test_a_blank_node_finding_belongs_to_its_article() -> None:
    blank = BNode()
    graph = base_with(
        ("add", (blank, RDF.type, GPO.Position)),
        ("add", (URIRef(f"{FIXTURE}/statement/rutte"), GPO.expresses, blank)),
    )
    expected = assert_same_as_pyshacl(graph)
    articles, registry = split(graph)
    report = validate(articles, registry)
    assert report.findings(REGISTRY_GROUP) == []
    assert {f.focus for f in report.findings("fixture")} >= {f"_:{blank}"}
    assert expected["fixture"]


@pytest.fixture(scope="module")
def corpus_store(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    """Five generated articles ingested; the last one (by source id) then gets a blank-node position
    without anything a position needs, as data stored by other means could have."""
    from kg.ingest.pipeline import ingest

    out = tmp_path_factory.mktemp("truth-corpus")
    subprocess.run(
        [sys.executable, str(shacl_fuzz.REPO / "bench" / "generate.py"), "--articles", "5", "--seed", "2"]
        + ["--out", str(out / "corpus")],
        check=True,
        capture_output=True,
        timeout=300,
    )
    location = out / "store"
    with EmbeddedStore(location) as store:
        summary = ingest([out / "corpus"], store, workers=1)
        assert [o.status for o in summary.outcomes] == ["stored"] * 5
        ids = sorted(o.source_id for o in summary.outcomes if o.source_id)
        last = ids[-1]
        statement = next(
            s
            for s in store.graph(article_graph(last)).subjects(RDF.type, GPO.Statement)
            if str(s).startswith(f"{ARTICLE}{last}")
        )
        store.oxigraph.update(
            f"INSERT DATA {{ GRAPH <{article_graph(last)}> {{ <{statement}> <{GPO.expresses}> _:p . "
            f"_:p a <{GPO.Position}> . }} }}"
        )
        store.flush()
    return location, ids


@pytest.mark.parametrize("engine_name", ["fast", "pyshacl"])
def test_a_blank_node_violation_in_the_last_batch_is_reported(
    corpus_store, engine_name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    location, ids = corpus_store
    if engine_name == "pyshacl":
        monkeypatch.setenv(screen.ENGINE_VARIABLE, "pyshacl")
    with EmbeddedStore(location, read_only=True) as store:
        report = validate_store(store, batch_size=2, workers=1)
    assert report.findings(REGISTRY_GROUP) == [], render_text(report)
    for sid in ids[:-1]:
        assert report.findings(sid) == [], sid
    findings = report.findings(ids[-1])
    assert findings and all(f.focus.startswith("_:") for f in findings), findings
    assert {f.shape for f in findings} >= {"shape:Position-holder", "shape:Position-stance"}
    assert not report.conforms()


def test_kg_validate_exits_1_on_a_store_with_violations(corpus_store) -> None:
    location, ids = corpus_store
    done = subprocess.run(
        [sys.executable, "-m", "kg.cli", "validate", "--store", str(location), "--format", "json", "--workers", "1"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 1, done.stderr
    result = json.loads(done.stdout)
    assert result["conforms"] is False
    groups = {g["group"]: g for g in result["groups"]}
    assert groups[ids[-1]]["conforms"] is False
    assert all(groups[sid]["conforms"] for sid in ids[:-1])
    assert result["violations"] == len(groups[ids[-1]]["results"])


def test_kg_validate_exits_0_on_a_conforming_store(seed_store) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "kg.cli", "validate", "--store", str(seed_store.location), "--workers", "1"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.rstrip().endswith("0 violation(s), 0 warning(s) in 1 graph group(s).")


def test_a_registry_node_an_article_adds_to_is_filed_with_the_article() -> None:
    """An article stating something about a registry actor: the finding is the article's, so that
    later batches (which drop the registry's findings reported once) cannot lose it."""
    actor = URIRef("https://w3id.org/positions-kg/id/actor/mark-rutte")
    graph = base_with(("add", (actor, RDF.type, GPO.Statement)))
    articles, registry = split(graph)
    articles["fixture"].add((actor, RDF.type, GPO.Statement))
    registry.remove((actor, RDF.type, GPO.Statement))
    report = validate(articles, registry)
    assert report.findings(REGISTRY_GROUP) == []
    assert report.findings("fixture") and all(f.focus == "actor:mark-rutte" for f in report.findings("fixture"))


# -- 4. the switch and the linked re-check -------------------------------------------------------


def test_kg_shacl_engine_pyshacl_switches_the_screen_off(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    real_screen, real_reference = screen.screen, engine.validate_reference
    monkeypatch.setattr(screen, "screen", lambda *a, **k: calls.append("screen") or real_screen(*a, **k))
    monkeypatch.setattr(
        engine, "validate_reference", lambda *a, **k: calls.append("pyshacl") or real_reference(*a, **k)
    )
    articles, registry = split(base_graph())
    validate(articles, registry)
    assert calls == ["screen"]  # clean: the screen passes it, pySHACL never runs
    calls.clear()
    monkeypatch.setenv(screen.ENGINE_VARIABLE, "pyshacl")
    report = validate(articles, registry)
    assert calls == ["pyshacl"]
    assert report.conforms()
    calls.clear()
    monkeypatch.setenv(screen.ENGINE_VARIABLE, " PySHACL ")
    validate(articles, registry)
    assert calls == ["pyshacl"]


def test_ingest_sends_the_engine_choice_of_the_calling_process(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Ingest workers come from a fork server that may predate a change of KG_SHACL_ENGINE in the
    calling process: the choice travels with the job, made in that process, never read by them."""
    from conftest import SEED

    from kg.ingest import pipeline

    chosen: list[object] = []
    real = pipeline.validate
    monkeypatch.setattr(pipeline, "validate", lambda *a, **k: chosen.append(k.get("screen", "unset")) or real(*a, **k))
    monkeypatch.setenv(screen.ENGINE_VARIABLE, "pyshacl")
    with EmbeddedStore(tmp_path / "pyshacl") as store:
        assert [o.status for o in pipeline.ingest([SEED], store, workers=1).outcomes] == ["stored"]
    monkeypatch.delenv(screen.ENGINE_VARIABLE)
    with EmbeddedStore(tmp_path / "fast") as store:
        assert [o.status for o in pipeline.ingest([SEED], store, workers=1).outcomes] == ["stored"]
    assert chosen == [False, True]


def test_an_article_linked_to_a_flagged_one_is_validated_again() -> None:
    """B points into A's namespace; A is broken: pySHACL validates both, B's own findings reported."""
    a = _renamed(base_graph(), "alpha")
    b = _renamed(base_graph(), "bravo")
    a_articles, registry = split(a, "alpha")
    b_articles, _ = split(b, "bravo")
    headline = URIRef(f"{ARTICLE}alpha")
    a_articles["alpha"].add((headline, SCHEMA.headline, Literal("A second headline", lang="en")))
    b_articles["bravo"].add((URIRef(f"{ARTICLE}bravo/statement/rutte"), GPO.hasEvidence, URIRef(f"{ARTICLE}alpha")))
    articles = {**a_articles, **b_articles}
    assert screen.articles_to_check(articles, registry) == {"alpha", "bravo"}
    expected = shacl_fuzz.pyshacl_alone(articles, registry)
    assert nonempty(shacl_fuzz.project_path(articles, registry)) == nonempty(expected)
    assert [k[3] for k in expected["alpha"]] == ["shape:Article-headline"]
    assert [(k[3], k[4]) for k in expected["bravo"]] == [("shape:Statement-hasEvidence", "article:alpha")]


# -- 5. what the project ships is never skipped in CI ----------------------------------------------


def test_a_missing_oxigraph_binary_fails_in_ci(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import servers

    monkeypatch.setattr(servers, "oxigraph_binary", lambda: None)
    monkeypatch.setenv("CI", "1")
    with pytest.raises(
        pytest.fail.Exception, match=r"oxigraph server binary is not installed .*; CI is set, so this is a failure"
    ):
        servers.start_oxigraph(tmp_path)
    monkeypatch.delenv("CI")
    with pytest.raises(pytest.skip.Exception):
        servers.start_oxigraph(tmp_path)
