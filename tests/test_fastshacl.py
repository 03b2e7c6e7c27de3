"""Differential test: the fast path (kg/shacl/screen.py, pyshacl-turbo screen + pySHACL) gives
exactly the findings of pySHACL alone, the reference engine.

Compared per article group (kg.shacl.report.Report.by_group, every Finding field) on
  * every shape fixture of tests/data/shapes/ (base.trig patched as tests/test_shapes.py does), split
    into a registry graph and an article graph, with check_registry True and False;
  * the seed article, built as kg ingest builds it;
  * a corpus from bench/generate.py (30 articles, seed 1), plus copies of it broken in several ways.

The last tests record that pyshacl-turbo agrees with pySHACL where pyrudof, the screen before it,
did not (pyrudof needed rewritten shapes and a fallback for those cases).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pyshacl_turbo  # a dependency of the project: missing, this file fails rather than skips
import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import SH, XSD

from kg.ingest.annotations import find_registry, load_article, load_registry
from kg.ingest.build import article_graph, corpus_graph, registry_graph
from kg.shacl import screen as fastshacl
from kg.shacl.engine import corpus_context
from kg.shacl.engine import validate as validate_default
from kg.shacl.report import Report
from kg.shacl.shapes import shapes_graph
from kg.terms import ARTICLE

sys.path.insert(0, str(Path(__file__).resolve().parent))
from test_shapes import FIXTURES, base_graph, patched

REPO = Path(__file__).resolve().parent.parent
SEED = REPO / "articles" / "000_4b2d17f57ebafa46.yaml"
OA = "http://www.w3.org/ns/oa#"


def reference(articles, registry, check_registry) -> Report:
    """pySHACL alone: kg.shacl.engine with the fast path switched off."""
    mp = pytest.MonkeyPatch()
    mp.setenv(fastshacl.ENGINE_VARIABLE, "pyshacl")
    try:
        return validate_default(articles, registry, check_registry=check_registry)
    finally:
        mp.undo()


def assert_same(articles, registry, check_registry, *, may_fall_back: bool = False) -> Report:
    """The fast path's report equals pySHACL's, and the screen never passes an article pySHACL
    has findings on."""
    expected = reference(articles, registry, check_registry)
    to_check = fastshacl.articles_to_check(articles, registry)
    if to_check is None:  # kg.shacl.engine then runs pySHACL on the whole batch: exact, just not fast
        unfiltered = expected if check_registry else reference(articles, registry, True)
        if not may_fall_back:
            assert any(unfiltered.by_group.values()), "the fast path gave up on data pySHACL finds nothing wrong with"
    else:
        with_findings = {g for g, findings in expected.by_group.items() if findings and g in articles}
        assert with_findings <= to_check
    fast = validate_default(articles, registry, check_registry=check_registry)
    assert sorted(fast.by_group) == sorted(expected.by_group)
    for group in expected.by_group:
        assert fast.by_group[group] == expected.by_group[group], group
    assert fast.conforms() == expected.conforms()
    return expected


def split(graph: Graph, source_id: str = "fixture") -> tuple[dict[str, Graph], Graph]:
    """A fixture graph as kg.shacl.engine gets it: the article's triples (subjects in its namespace,
    or blank nodes) and the registry (everything else)."""
    article, registry = Graph(), Graph()
    prefix = f"{ARTICLE}{source_id}"
    for triple in graph:
        subject = triple[0]
        (article if isinstance(subject, BNode) or str(subject).startswith(prefix) else registry).add(triple)
    return {source_id: article}, registry


# -- the shape fixtures -----------------------------------------------------------------------------

FIXTURE_FILES = sorted(p for p in FIXTURES.glob("*-*.trig"))
#: Fixtures on which the screen may give up and hand the whole batch to pySHACL (still exact): a
#: blank node it flags cannot be placed in an article.
FALLBACK = {"ArticleShape-invalid-blank-node.trig"}


@pytest.mark.parametrize("check_registry", [True, False])
@pytest.mark.parametrize("path", [FIXTURES / "base.trig", *FIXTURE_FILES], ids=lambda p: p.stem)
def test_fixture_same_findings(path: Path, check_registry: bool) -> None:
    graph = base_graph() if path.name == "base.trig" else patched(path)
    articles, registry = split(graph)
    expected = assert_same(articles, registry, check_registry, may_fall_back=path.name in FALLBACK)
    if "-invalid" in path.name and check_registry:
        assert any(expected.by_group.values()), "the fixture should break a rule"


def test_screen_is_not_trivially_rerouting() -> None:
    """On the clean base fixture the screen finds nothing at all, so the fast path does not call
    pySHACL."""
    articles, registry = split(base_graph())
    assert fastshacl.screen(articles, registry) == set()


# -- the seed article and a generated corpus ---------------------------------------------------------


def load(paths: list[Path], registry_path: Path) -> tuple[dict[str, Graph], Graph]:
    registry = load_registry(registry_path)
    articles = {}
    for path in paths:
        article = load_article(path, registry)
        articles[article.source_id] = article_graph(article, registry)
    # Validated as ingest does: with the registry and the whole corpus-level graph, typed.
    return articles, corpus_context(registry_graph(registry), corpus_graph(registry))


@pytest.mark.parametrize("check_registry", [True, False])
def test_seed_article_same_findings(check_registry: bool) -> None:
    articles, registry = load([SEED], find_registry(SEED))
    assert fastshacl.screen(articles, registry) == set()
    assert_same(articles, registry, check_registry)


@pytest.fixture(scope="module")
def bench_corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Graph], Graph]:
    out = tmp_path_factory.mktemp("bench-corpus")
    done = subprocess.run(
        [sys.executable, str(REPO / "bench" / "generate.py"), "--articles", "30", "--seed", "1", "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, f"bench/generate.py failed: {done.stderr[-500:]}"
    paths = sorted(p for p in out.rglob("*.yaml") if p.name != "registry.yaml")
    return load(paths, find_registry(paths[0]))


@pytest.mark.parametrize("check_registry", [True, False])
def test_bench_corpus_same_findings(bench_corpus, check_registry: bool) -> None:
    articles, registry = bench_corpus
    assert_same(articles, registry, check_registry)


def _broken(graph: Graph, how: str) -> Graph:
    """A copy of an article graph with one mistake of kind ``how``."""
    copy = Graph()
    copy += graph
    if how == "negative-offset":
        node, value = next(iter(copy.subject_objects(URIRef(OA + "start"))))
        copy.set((node, URIRef(OA + "start"), Literal(-1)))
    elif how == "long-prefix":
        node, value = next(iter(copy.subject_objects(URIRef(OA + "prefix"))))
        copy.set((node, URIRef(OA + "prefix"), Literal("“" * 33)))
    elif how == "decimal-offset":
        node, value = next(iter(copy.subject_objects(URIRef(OA + "end"))))
        copy.set((node, URIRef(OA + "end"), Literal(f"{value}.0", datatype=XSD.decimal)))
    elif how == "quote-length":
        node, value = next(iter(copy.subject_objects(URIRef(OA + "exact"))))
        copy.set((node, URIRef(OA + "exact"), Literal(str(value) + "x")))
    elif how == "late-statement":
        predicate = URIRef("https://w3id.org/positions-kg/ontology#statedOn")
        node, _value = next(iter(copy.subject_objects(predicate)))
        copy.set((node, predicate, Literal("2099-01-01", datatype=XSD.date)))
    return copy


BREAKAGES = ["negative-offset", "long-prefix", "decimal-offset", "quote-length", "late-statement"]


@pytest.mark.parametrize("check_registry", [True, False])
def test_bench_corpus_with_broken_articles_same_findings(bench_corpus, check_registry: bool) -> None:
    """Some articles broken, the rest clean: the broken ones get pySHACL's findings, the others none."""
    articles, registry = bench_corpus
    articles = dict(articles)
    ids = sorted(articles)
    for source_id, how in zip(ids[::3], BREAKAGES, strict=False):
        articles[source_id] = _broken(articles[source_id], how)
    expected = assert_same(articles, registry, check_registry)
    assert not expected.conforms()
    if check_registry:
        broken = {g for g, findings in expected.by_group.items() if findings and g in articles}
        assert broken == set(ids[::3][: len(BREAKAGES)])


# -- where pyrudof differed from pySHACL, pyshacl-turbo agrees ---------------------------------------

SHAPES = """
@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
ex:S a sh:NodeShape ; sh:targetClass ex:C ;
  sh:property [ sh:path ex:text ; sh:maxLength 3 ] ;
  sh:property [ sh:path ex:count ; sh:minInclusive 0 ] ;
  sh:property [ sh:path ex:start ; sh:lessThan ex:end ] ;
  sh:property [ sh:path ex:day ; sh:datatype xsd:date ] ;
  sh:property [ sh:path ex:helper ; sh:node ex:H ] .
ex:H a sh:NodeShape ; sh:property [ sh:path ex:name ; sh:minCount 1 ] .
ex:T a sh:NodeShape ; sh:targetClass ex:D ;
  sh:sparql [ sh:select "SELECT $this WHERE { $this <http://example.org/bad> true }" ] .
"""
DATA = """
@prefix ex: <http://example.org/> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
ex:a a ex:C ; ex:text "a“b" ; ex:count "5"^^xsd:nonNegativeInteger .
ex:b a ex:C ; ex:start "10.0"^^xsd:decimal ; ex:end 18 .
ex:c a ex:C ; ex:day "2026-02-30"^^xsd:date .
ex:d a ex:C ; ex:helper "plain" .
ex:e a ex:C ; ex:count "-1"^^xsd:integer ; ex:text "abcd" .
[] a ex:D ; ex:bad true .
"""


def _results(report: Graph) -> list[tuple[str, str]]:
    """(focus, constraint component) of every top-level result, blank nodes as "_:"."""
    out = []
    for result in report.objects(None, SH.result):
        focus = report.value(result, SH.focusNode)
        component = str(report.value(result, SH.sourceConstraintComponent)).rsplit("#", 1)[-1]
        out.append(("_:" if isinstance(focus, BNode) else str(focus), component))
    return sorted(out)


def test_pyshacl_turbo_agrees_where_pyrudof_did_not() -> None:
    """pyrudof 0.3.35 counted UTF-8 bytes for sh:maxLength (a), failed "5"^^xsd:nonNegativeInteger
    >= 0 (a) and 10.0 < 18 (b), passed an impossible date (c) and a literal where sh:node wants a
    node (d), and aborted on sh:sparql with a blank focus node. pyshacl-turbo, like pySHACL, passes
    a and b and reports c, d, e (twice) and the blank node."""
    import pyshacl

    data, shapes = Graph().parse(data=DATA, format="turtle"), Graph().parse(data=SHAPES, format="turtle")
    _, expected, _ = pyshacl.validate(data, shacl_graph=shapes, inference="none", allow_warnings=True)
    _, found, _ = pyshacl_turbo.compile_shapes(shapes).validate(
        fastshacl.TurboInput(data.serialize(format="nt"), "nt", None, {}), allow_warnings=True
    )
    ex = "http://example.org/"
    assert (
        _results(found)
        == _results(expected)
        == [
            ("_:", "SPARQLConstraintComponent"),
            (ex + "c", "DatatypeConstraintComponent"),
            (ex + "d", "NodeConstraintComponent"),
            (ex + "e", "MaxLengthConstraintComponent"),
            (ex + "e", "MinInclusiveConstraintComponent"),
        ]
    )


# -- the vocabulary-gap shapes, left out of batches that cannot trigger them -------------------------


def test_gap_shapes_left_out_only_where_they_cannot_report() -> None:
    """The screen leaves out the targets of exactly the two shapes that report a use of an 'other'
    concept, and only for data with no (property, 'other' concept) triple they check; an escaped
    IRI, which the pattern would not see, keeps them in."""
    split = fastshacl._gap_split()
    assert split is not None
    kept, trigger = split
    removed = set(shapes_graph().subjects(SH.targetClass, None)) - set(kept.subjects(SH.targetClass, None))
    shapes = "https://w3id.org/positions-kg/shapes/"
    assert removed == {URIRef(shapes + "OtherConcept-used"), URIRef(shapes + "OtherConcept-note-required")}
    node, stance = (
        "<https://w3id.org/positions-kg/id/article/x/position/p>",
        "<https://w3id.org/positions-kg/ontology#stance>",
    )
    other, plain = (
        "<https://w3id.org/positions-kg/vocab/stance/other>",
        "<https://w3id.org/positions-kg/vocab/stance/denies>",
    )
    assert fastshacl.may_report_gaps(f"{node} {stance} {other} .\n")
    assert fastshacl.may_report_gaps(f"{node}\t{stance}  {other}.\n")
    assert not fastshacl.may_report_gaps(f"{node} {stance} {plain} .\n")
    assert not fastshacl.may_report_gaps(f"{other} <http://www.w3.org/2004/02/skos/core#inScheme> {plain} .\n")
    assert fastshacl.may_report_gaps(f"{node} {stance} <https://w3id.org/positions-kg/vocab/stance/\\u006Fther> .\n")
    # The fixed context (ontology, vocabularies) names the 'other' concepts but uses none.
    assert not fastshacl.may_report_gaps(fastshacl._context_ntriples())
