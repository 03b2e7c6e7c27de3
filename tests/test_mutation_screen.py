"""The pyshacl-turbo screen's decisions, without pySHACL (issue 18, mutation group ``screen`` of
``bench/mutation.py``): which articles it sends on, when it gives up and sends everything (None),
the engine switch, and the compiled shapes and registry text it keeps per process. pySHACL
agreeing with what it passes is tests/test_validation_truth.py's and tests/test_differential.py's
business."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, XSD

from kg.shacl import screen
from kg.store import ntriples
from kg.terms import ARTICLE, GPO, SCHEMA

sys.path.insert(0, str(Path(__file__).resolve().parent))
from test_shapes import FIXTURES, base_graph, patched
from test_validation_truth import _renamed, split

NATO = URIRef("https://w3id.org/positions-kg/id/actor/nato")


def two_articles(*, break_alpha: bool = False, link: bool = False) -> tuple[dict[str, Graph], Graph]:
    """The base fixture as articles alpha, bravo and charlie; alpha with a second headline (a
    violation) if asked, bravo pointing to alpha if asked."""
    articles: dict[str, Graph] = {}
    registry = Graph()
    for sid in ("alpha", "bravo", "charlie"):
        own, registry = split(_renamed(base_graph(), sid), sid)
        articles |= own
    if break_alpha:
        articles["alpha"].add((ARTICLE["alpha"], SCHEMA.headline, Literal("A second headline", lang="en")))
    if link:
        articles["bravo"].add((URIRef(f"{ARTICLE}bravo/statement/rutte"), GPO.hasEvidence, ARTICLE["alpha"]))
    return articles, registry


@pytest.fixture(autouse=True)
def fast_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(screen.ENGINE_VARIABLE, raising=False)


def test_clean_articles_are_passed() -> None:
    articles, registry = two_articles()
    assert screen.articles_to_check(articles, registry) == set()
    assert screen.screen(articles, registry) == set()


def test_a_flagged_article_and_the_articles_linked_to_it_are_sent_on() -> None:
    articles, registry = two_articles(break_alpha=True)
    assert screen.screen(articles, registry) == {ARTICLE["alpha"]}
    assert screen.articles_to_check(articles, registry) == {"alpha"}
    articles, registry = two_articles(break_alpha=True, link=True)
    assert screen.articles_to_check(articles, registry) == {"alpha", "bravo"}


def _fixture_as_alpha(name: str) -> tuple[dict[str, Graph], Graph]:
    """A shape fixture as article alpha, beside clean bravo."""
    articles, registry = split(_renamed(patched(FIXTURES / name), "alpha"), "alpha")
    articles |= split(_renamed(base_graph(), "bravo"), "bravo")[0]
    return articles, registry


def test_a_warning_flags_its_article_too() -> None:
    """Warnings are findings: pySHACL reports them, so the article goes to pySHACL."""
    articles, registry = _fixture_as_alpha("Statement-speakerCapacity-recommended-invalid.trig")
    assert screen.screen(articles, registry) == {URIRef(f"{ARTICLE}alpha/statement/rutte")}
    assert screen.articles_to_check(articles, registry) == {"alpha"}


def test_only_top_level_results_are_focus_nodes() -> None:
    """A plain literal where a concept is expected: the nested result (sh:detail) has the literal as
    its focus node, which is no node of any article; only the top-level result's node counts."""
    articles, registry = two_articles()
    position = URIRef(f"{ARTICLE}alpha/position/p1")
    articles["alpha"].remove((position, GPO.stance, None))
    articles["alpha"].add((position, GPO.stance, Literal("refuses-participation")))
    assert screen.screen(articles, registry) == {position}
    assert screen.articles_to_check(articles, registry) == {"alpha"}


def test_the_vocabulary_gap_shapes_run_where_an_other_concept_is_used() -> None:
    articles, registry = _fixture_as_alpha("OtherConcept-note-required-invalid.trig")
    assert screen.screen(articles, registry) == {URIRef(f"{ARTICLE}alpha/position/p1")}


def test_an_unvouched_literal_sends_its_article_on() -> None:
    articles, registry = two_articles()
    articles["charlie"].add((ARTICLE["charlie"], SCHEMA.datePublished, Literal("2026-02-30", datatype=XSD.date)))
    assert screen.articles_to_check(articles, registry) == {"charlie"}
    # the texts given are what is read, not the graphs
    articles, registry = two_articles()
    texts = {sid: ntriples(graph) for sid, graph in articles.items()}
    texts["bravo"] += f'<{ARTICLE}bravo> <{SCHEMA.position}> "007"^^<{XSD.integer}> .\n'
    assert screen.articles_to_check(articles, registry, texts) == {"bravo"}


def test_what_the_screen_cannot_place_sends_everything() -> None:
    articles, registry = two_articles()
    registry.add((NATO, RDFS.comment, Literal("x", lang="EN")))  # unvouched, in the registry
    assert screen.articles_to_check(articles, registry) is None
    articles, registry = two_articles()
    blank = BNode()  # a blank-node position the screen flags: which article? the screen cannot tell
    articles["bravo"].add((blank, RDF.type, GPO.Position))
    articles["bravo"].add((URIRef(f"{ARTICLE}bravo/statement/rutte"), GPO.expresses, blank))
    assert screen.articles_to_check(articles, registry) is None
    articles, registry = two_articles()
    registry.remove((NATO, RDF.type, None))  # the registry itself flagged
    registry.add((NATO, RDF.type, GPO.Position))
    assert screen.articles_to_check(articles, registry) is None


def test_a_focus_in_an_article_outside_the_batch_sends_everything() -> None:
    articles, registry = two_articles()
    other = _renamed(base_graph(), "delta")
    del articles["charlie"]
    # delta's broken headline reaches the screen through bravo's graph, but delta is not in the batch
    articles["bravo"] += split(other, "delta")[0]["delta"]
    articles["bravo"].add((ARTICLE["delta"], SCHEMA.headline, Literal("A second headline", lang="en")))
    assert screen.articles_to_check(articles, registry) is None


def test_the_engine_switch(monkeypatch: pytest.MonkeyPatch) -> None:
    articles, registry = two_articles(break_alpha=True)
    assert screen.ENGINE_VARIABLE == "KG_SHACL_ENGINE"
    assert screen.requested() and screen.available()
    for off in ("pyshacl", " PySHACL ", "PYSHACL"):
        monkeypatch.setenv("KG_SHACL_ENGINE", off)
        assert not screen.requested() and not screen.available()
        assert screen.articles_to_check(articles, registry) is None
    for on in ("", "fast", "pyshacl-turbo"):
        monkeypatch.setenv("KG_SHACL_ENGINE", on)
        assert screen.requested() and screen.available()
    monkeypatch.setattr(screen, "pyshacl_turbo", None)
    assert not screen.available()
    assert screen.articles_to_check(articles, registry) is None


def test_the_engine_failing_gives_none(monkeypatch: pytest.MonkeyPatch) -> None:
    """Also a Rust panic, which pyo3 raises as a BaseException; an interrupt still interrupts."""
    articles, registry = two_articles(break_alpha=True)
    assert screen.screen(articles, registry) == {ARTICLE["alpha"]}

    class Broken(BaseException):
        pass

    compiled = type(screen._compiled(True))

    def fails(self: object, *args: object, **kwargs: object) -> None:
        raise Broken("a Rust panic")

    with monkeypatch.context() as patched:
        patched.setattr(compiled, "validate", fails)
        assert screen.screen(articles, registry) is None
        assert screen.articles_to_check(articles, registry) is None
    assert screen.articles_to_check(articles, registry) == {"alpha"}  # nothing broken is kept
    with monkeypatch.context() as patched:
        patched.setattr(compiled, "validate", lambda *a, **k: (_ for _ in ()).throw(KeyboardInterrupt()))
        with pytest.raises(KeyboardInterrupt):
            screen.screen(articles, registry)
    with monkeypatch.context() as patched:
        patched.setattr(screen, "_compiled", lambda _all: (_ for _ in ()).throw(Broken("shapes it cannot compile")))
        assert screen.screen(articles, registry) is None


def test_the_shapes_are_compiled_once_per_process() -> None:
    assert screen._compiled(True) is screen._compiled(True)
    assert screen._compiled(False) is screen._compiled(False)
    assert screen._compiled(True) is not screen._compiled(False)


def test_the_registry_text_is_made_once_per_registry_state() -> None:
    registry = Graph()
    registry.add((NATO, RDF.type, GPO.Actor))
    text, gaps, vouched = screen._registry_ntriples(registry)
    assert text == f"<{NATO}> <{RDF.type}> <{GPO.Actor}> .\n" and not gaps and vouched
    assert screen._registry_ntriples(registry)[0] is text
    # the same graph grown: made again (the cache is keyed by the graph and its size)
    registry.add((NATO, RDFS.label, Literal("NATO")))
    grown = screen._registry_ntriples(registry)[0]
    assert sorted(grown.splitlines()) == sorted([text.strip(), f'<{NATO}> <{RDFS.label}> "NATO" .'])
    # another graph of the same size: made again (the cache is keyed by identity, not content)
    other = Graph()
    other.add((NATO, RDF.type, GPO.Person))
    other.add((NATO, RDFS.label, Literal("NATO")))
    assert sorted(screen._registry_ntriples(other)[0].splitlines()) == sorted(
        [f"<{NATO}> <{RDF.type}> <{GPO.Person}> .", f'<{NATO}> <{RDFS.label}> "NATO" .']
    )
    # a registry using an 'other' concept keeps the vocabulary-gap shapes in every batch
    other.add((NATO, GPO.stance, URIRef("https://w3id.org/positions-kg/vocab/stance/other")))
    assert screen._registry_ntriples(other)[1]
    # and one with a literal the screen does not vouch for is known as such, once worked out
    other.add((NATO, RDFS.comment, Literal("x", lang="EN")))
    assert screen._registry_ntriples(other)[2] is False


#: Turtle that is not N-Triples (a predicate list): the screen must refuse it, not read it as Turtle.
TURTLE_ONLY = "<http://example.org/s> <http://example.org/p> <http://example.org/o> ; <http://example.org/q> <http://example.org/r> .\n"


def test_what_the_screen_reads_is_strict_n_triples() -> None:
    articles, registry = two_articles()
    texts = {sid: ntriples(graph) for sid, graph in articles.items()}
    texts["bravo"] += TURTLE_ONLY
    assert screen.screen(articles, registry, texts) is None
    assert screen.articles_to_check(articles, registry, texts) is None
    texts["bravo"] = ntriples(articles["bravo"]) + '<http://example.org/s> <http://example.org/p> "unterminated .\n'
    assert screen.articles_to_check(articles, registry, texts) is None


def test_the_texts_given_are_what_is_screened() -> None:
    articles, registry = two_articles()
    texts = {sid: ntriples(graph) for sid, graph in articles.items()}
    texts["alpha"] += f'<{ARTICLE}alpha> <{SCHEMA.headline}> "A second headline"@en .\n'
    assert screen.articles_to_check(articles, registry, texts) == {"alpha"}


def test_an_article_named_like_the_registry_group_sends_everything() -> None:
    """Its findings could not be told from the registry's: pySHACL validates the whole batch."""
    articles, registry = split(_renamed(base_graph(), "registry"), "registry")
    assert screen.articles_to_check(articles, registry) == set()
    articles["registry"].add((ARTICLE["registry"], SCHEMA.headline, Literal("A second headline", lang="en")))
    assert screen.articles_to_check(articles, registry) is None
