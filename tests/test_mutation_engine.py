"""kg.shacl.engine's own logic with pySHACL replaced by a stand-in that reports and raises as told
(issue 18, mutation group ``engine`` of ``bench/mutation.py``): which articles reach the engine, the
options it gets, how results are grouped and sorted, the halving around an article the engine raises
on, registry findings reported once across runs and batches, and the engine choice made in the main
process. pySHACL's own verdicts are compared with the project's in tests/test_differential.py and
tests/test_validation_truth.py; here each test takes milliseconds, so every mutant is judged."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF, SH

from kg.errors import InputError
from kg.shacl import engine
from kg.shacl.report import REGISTRY_GROUP, Finding, Report
from kg.store import EmbeddedStore, ntriples
from kg.terms import ARTICLE, CORPUS_GRAPH, GPO, REGISTRY_GRAPH, article_graph

EX = Namespace("http://example.org/")
ONTOLOGY = (EX.ontology, RDF.type, EX.Ontology)
VOCABULARY = (EX.vocabulary, RDF.type, EX.Scheme)
SHAPES = Graph()
SHAPES.add((EX.shape, RDF.type, SH.NodeShape))
NATO = URIRef("https://w3id.org/positions-kg/id/actor/nato")


class StandIn:
    """pySHACL as the engine sees it: one violation per ``ex:bad`` triple (focus its subject, value its
    object), a warning per ``ex:odd`` triple, and a TypeError when the data holds ``ex:raise``."""

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []

    def validate(self, data: Graph, **options: Any) -> tuple[bool, Graph, str]:
        self.calls.append({"data": set(data), **options})
        if (None, EX["raise"], None) in data:
            raise TypeError("bad lexical form")
        report = Graph()
        node = BNode()
        report.add((node, RDF.type, SH.ValidationReport))
        for severity, predicate in ((SH.Violation, EX.bad), (SH.Warning, EX.odd)):
            for subject, value in data.subject_objects(predicate):
                result = BNode()
                report.add((node, SH.result, result))
                report.add((result, SH.focusNode, subject))
                report.add((result, SH.resultSeverity, severity))
                report.add((result, SH.resultPath, predicate))
                report.add((result, SH.value, value))
                report.add((result, SH.resultMessage, Literal(f"{predicate[len(EX) :]} is {value}")))
                report.add((result, SH.sourceShape, EX.shape))
                # a nested result explains the top-level one: never a finding of its own
                nested = BNode()
                report.add((result, SH.detail, nested))
                report.add((nested, SH.focusNode, subject))
                report.add((nested, SH.resultSeverity, SH.Violation))
                report.add((nested, SH.resultMessage, Literal("nested")))
        report.add((node, SH.conforms, Literal(len(report) == 1)))
        return len(report) == 2, report, "text"

    def articles_seen(self, call: int = -1) -> list[str]:
        prefix = str(ARTICLE)
        seen = {
            str(s)[len(prefix) :].split("/")[0] for s, _, _ in self.calls[call]["data"] if str(s).startswith(prefix)
        }
        return sorted(seen)


@pytest.fixture()
def stand_in(monkeypatch: pytest.MonkeyPatch) -> Iterator[StandIn]:
    pyshacl = StandIn()
    monkeypatch.setattr(engine, "pyshacl", pyshacl)
    monkeypatch.setattr(engine, "shapes_graph", lambda: SHAPES)
    monkeypatch.setattr(engine, "ontology_graph", lambda: graph_of(ONTOLOGY))
    monkeypatch.setattr(engine, "vocabulary_graph", lambda: graph_of(VOCABULARY))
    monkeypatch.delenv("KG_SHACL_ENGINE", raising=False)
    yield pyshacl


def graph_of(*triples: tuple[Any, Any, Any]) -> Graph:
    graph = Graph()
    for triple in triples:
        graph.add(triple)
    return graph


def article(sid: str, *extra: tuple[Any, Any, Any]) -> Graph:
    node = ARTICLE[sid]
    return graph_of((node, RDF.type, GPO.Article), (node, EX.ok, Literal("fine")), *extra)


def finding(
    sid: str, path: str, raw: str, severity: str = "Violation", focus: str | None = None, value: str | None = None
) -> Finding:
    """The stand-in's finding for the literal ``raw`` (written ``value``, by default a plain string)."""
    return Finding(
        severity,
        focus or f"article:{sid}",
        f"<http://example.org/{path}>",
        f'"{raw}"' if value is None else value,
        f"{path} is {raw}",
        "<http://example.org/shape>",
    )


REGISTRY = graph_of((NATO, RDF.type, GPO.Actor), (NATO, EX.bad, Literal("registry")))


def test_pyshacl_gets_the_project_options_and_the_whole_context(stand_in: StandIn) -> None:
    articles = {"a1": article("a1"), "a2": article("a2")}
    engine.validate(articles, REGISTRY, screen=False)
    (call,) = stand_in.calls
    assert {key: value for key, value in call.items() if key != "data"} == {
        "shacl_graph": SHAPES,
        "inference": "none",
        "allow_warnings": True,
        "inplace": True,
    }
    assert call["data"] == {ONTOLOGY, VOCABULARY, *REGISTRY, *articles["a1"], *articles["a2"]}


def test_findings_are_grouped_by_article_and_sorted(stand_in: StandIn) -> None:
    a1 = article(
        "a1",
        (ARTICLE["a1/s2"], EX.bad, Literal("b")),
        (ARTICLE["a1/s1"], EX.odd, Literal("z")),
        (ARTICLE["a1/s1"], EX.bad, Literal("y")),
        (ARTICLE["a1/s1"], EX.bad, Literal("x")),
    )
    blank = BNode()
    # a blank node of a2, and NATO: the registry's subject, only an object in a2
    a2 = article(
        "a2", (ARTICLE["a2"], EX.mentions, NATO), (ARTICLE["a2"], EX.has, blank), (blank, EX.bad, Literal("n"))
    )
    report = engine.validate({"a2": a2, "a1": a1}, REGISTRY, screen=False)
    assert report.by_group == {
        "a1": [
            finding("a1", "bad", "x", focus="article:a1/s1"),
            finding("a1", "bad", "y", focus="article:a1/s1"),
            finding("a1", "odd", "z", "Warning", focus="article:a1/s1"),
            finding("a1", "bad", "b", focus="article:a1/s2"),
        ],
        "a2": [finding("a2", "bad", "n", focus=f"_:{blank}")],
        REGISTRY_GROUP: [
            Finding(
                "Violation",
                "actor:nato",
                "<http://example.org/bad>",
                '"registry"',
                "bad is registry",
                "<http://example.org/shape>",
            )
        ],
    }
    assert not report.conforms("a1") and not report.conforms("a2") and report.count("Warning") == 1
    # the report graph is pySHACL's own
    assert len(list(report.graph.subjects(RDF.type, SH.ValidationReport))) == 1
    # without the registry's findings, already reported elsewhere
    quiet = engine.validate({"a2": article("a2")}, REGISTRY, screen=False, check_registry=False)
    assert quiet.by_group == {"a2": []}
    clean = graph_of((NATO, RDF.type, GPO.Actor))
    assert engine.validate({"a2": article("a2")}, clean, screen=False, check_registry=False).by_group == {"a2": []}


def test_the_screen_decides_which_articles_pyshacl_sees(stand_in: StandIn, monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[tuple[list[str], object]] = []

    def to_check(articles: Any, registry: Graph, texts: Any) -> set[str] | None:
        asked.append((sorted(articles), texts))
        return {"a3", "a1"}

    monkeypatch.setattr(engine, "articles_to_check", to_check)
    articles = {sid: article(sid, (ARTICLE[sid], EX.bad, Literal(sid))) for sid in ("a1", "a2", "a3")}
    report = engine.validate(articles, REGISTRY, texts={"a1": "t"}, screen=True)
    assert asked == [(["a1", "a2", "a3"], {"a1": "t"})]
    assert stand_in.articles_seen() == ["a1", "a3"]
    # an article the screen passed has an empty group, not none
    assert report.by_group["a2"] == [] and list(report.by_group) == ["a1", "a3", REGISTRY_GROUP, "a2"]
    assert report.by_group["a3"] == [finding("a3", "bad", "a3")]
    # None from the screen: every article
    monkeypatch.setattr(engine, "articles_to_check", lambda *_: None)
    engine.validate(articles, REGISTRY, screen=True)
    assert stand_in.articles_seen() == ["a1", "a2", "a3"]
    # nothing flagged: no pySHACL run, a conforming report with every article
    monkeypatch.setattr(engine, "articles_to_check", lambda *_: set())
    calls = len(stand_in.calls)
    report = engine.validate(articles, REGISTRY, screen=True)
    assert len(stand_in.calls) == calls
    assert report.by_group == {"a1": [], "a2": [], "a3": []}
    assert set(report.graph) == {
        (report.graph.value(predicate=RDF.type, object=SH.ValidationReport), RDF.type, SH.ValidationReport),
        (report.graph.value(predicate=RDF.type, object=SH.ValidationReport), SH.conforms, Literal(True)),
    }


def test_kg_shacl_engine_is_read_when_the_caller_does_not_choose(
    stand_in: StandIn, monkeypatch: pytest.MonkeyPatch
) -> None:
    screened: list[bool] = []
    monkeypatch.setattr(engine, "articles_to_check", lambda *_: screened.append(True) or None)
    monkeypatch.setenv("KG_SHACL_ENGINE", "pyshacl")
    engine.validate({"a1": article("a1")}, REGISTRY)
    assert screened == []
    monkeypatch.setenv("KG_SHACL_ENGINE", "fast")
    engine.validate({"a1": article("a1")}, REGISTRY)
    assert screened == [True]
    engine.validate({"a1": article("a1")}, REGISTRY, screen=False)
    assert screened == [True]


ERROR = (
    "pySHACL could not validate this article (TypeError: bad lexical form). The graph is likely malformed, "
    "e.g. a literal whose text is not valid for its datatype: fix it and validate again."
)


def test_an_article_the_engine_raises_on_is_found_by_halving(stand_in: StandIn) -> None:
    articles = {sid: article(sid, (ARTICLE[sid], EX.bad, Literal(sid))) for sid in ("a1", "a2", "a3", "a4", "a5")}
    articles["a4"].add((ARTICLE["a4"], EX["raise"], Literal(1)))
    report = engine.validate(articles, REGISTRY, screen=False)
    assert report.by_group == {
        "a1": [finding("a1", "bad", "a1")],
        "a2": [finding("a2", "bad", "a2")],
        "a3": [finding("a3", "bad", "a3")],
        "a4": [Finding("Violation", "article:a4", "", "", ERROR, "")],
        "a5": [finding("a5", "bad", "a5")],
        # validated in every half, reported once
        REGISTRY_GROUP: [
            Finding(
                "Violation",
                "actor:nato",
                "<http://example.org/bad>",
                '"registry"',
                "bad is registry",
                "<http://example.org/shape>",
            )
        ],
    }
    # whole run, then halves of [a1 a2] [a3 a4 a5], then [a3] [a4 a5], then [a4] alone (and the
    # registry alone for its findings), then [a5]
    assert [stand_in.articles_seen(i) for i in range(len(stand_in.calls))] == [
        ["a1", "a2", "a3", "a4", "a5"],
        ["a1", "a2"],
        ["a3", "a4", "a5"],
        ["a3"],
        ["a4", "a5"],
        ["a4"],
        [],
        ["a5"],
    ]
    # the report graph holds the engine error as a result, and does not conform
    messages = {str(m) for m in report.graph.objects(None, SH.resultMessage)}
    assert ERROR in messages and "bad is a1" in messages and "bad is registry" in messages
    assert (None, SH.conforms, Literal(False)) in report.graph


def test_linked_articles_are_never_separated(stand_in: StandIn) -> None:
    articles = {
        "a1": article("a1", (ARTICLE["a1"], EX.cites, ARTICLE["a2"])),
        "a2": article("a2", (ARTICLE["a2"], EX["raise"], Literal(1))),
        "a3": article("a3"),
    }
    report = engine.validate(articles, REGISTRY, screen=False)
    assert [stand_in.articles_seen(i) for i in range(len(stand_in.calls))] == [
        ["a1", "a2", "a3"],
        ["a1", "a2"],
        [],
        ["a3"],
    ]
    assert report.by_group["a1"] == [Finding("Violation", "article:a1", "", "", ERROR, "")]
    assert report.by_group["a2"] == [Finding("Violation", "article:a2", "", "", ERROR, "")]
    assert report.by_group["a3"] == []


def test_an_engine_error_with_a_clean_registry_gives_an_empty_registry_group(stand_in: StandIn) -> None:
    clean = graph_of((NATO, RDF.type, GPO.Actor))
    report = engine.validate({"a1": article("a1", (ARTICLE["a1"], EX["raise"], Literal(1)))}, clean, screen=False)
    assert report.by_group == {"a1": [Finding("Violation", "article:a1", "", "", ERROR, "")], REGISTRY_GROUP: []}


def test_an_article_alone_the_engine_raises_on_keeps_the_registry_findings(stand_in: StandIn) -> None:
    report = engine.validate({"a1": article("a1", (ARTICLE["a1"], EX["raise"], Literal(1)))}, REGISTRY, screen=False)
    assert report.by_group[REGISTRY_GROUP] == [
        Finding(
            "Violation",
            "actor:nato",
            "<http://example.org/bad>",
            '"registry"',
            "bad is registry",
            "<http://example.org/shape>",
        )
    ]
    # both in the report graph: the engine error and the registry's own result
    messages = sorted(str(m) for m in report.graph.objects(None, SH.resultMessage))
    assert messages == ["bad is registry", "nested", ERROR]


def test_a_registry_the_engine_raises_on_is_the_registry_finding(stand_in: StandIn) -> None:
    registry = graph_of((NATO, EX["raise"], Literal(1)))
    assert engine.validate({}, registry, screen=False).by_group == {}  # no article: no run
    report = engine.validate_reference({}, registry)
    assert report.by_group == {REGISTRY_GROUP: [Finding("Violation", "graph:registry", "", "", ERROR, "")]}
    assert (None, SH.focusNode, REGISTRY_GRAPH) in report.graph
    # one article with a registry the engine raises on: the article's finding, and the registry's
    report = engine.validate({"a1": article("a1")}, registry, screen=False)
    assert report.by_group == {
        "a1": [Finding("Violation", "article:a1", "", "", ERROR, "")],
        REGISTRY_GROUP: [Finding("Violation", "graph:registry", "", "", ERROR, "")],
    }


def stored(tmp_path: Path, articles: dict[str, Graph], corpus: Graph | None = None) -> EmbeddedStore:
    store = EmbeddedStore(tmp_path / "store")
    graphs = {article_graph(sid): graph for sid, graph in articles.items()}
    graphs[REGISTRY_GRAPH] = REGISTRY
    if corpus is not None:
        graphs[CORPUS_GRAPH] = corpus
    for name, graph in graphs.items():
        for triple in graph:
            store.oxigraph.add(ox.Quad(*(ox_term(t) for t in triple), ox.NamedNode(str(name))))
    return store


def ox_term(term: Any) -> Any:
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype))) if term.datatype else ox.Literal(str(term))


def test_validate_store_goes_batch_by_batch_and_reports_the_registry_once(
    stand_in: StandIn, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    articles = {f"a{i}": article(f"a{i}", (ARTICLE[f"a{i}"], EX.bad, Literal(i))) for i in range(1, 6)}
    store = stored(tmp_path, articles)
    ticks: list[int] = []
    report = engine.validate_store(store, batch_size=2, workers=1, progress=ticks.append)
    assert ticks == [2, 2, 1]
    assert [stand_in.articles_seen(i) for i in range(3)] == [["a1", "a2"], ["a3", "a4"], ["a5"]]
    assert report.by_group == {
        **{f"a{i}": [finding(f"a{i}", "bad", str(i), value=f'"{i}"^^xsd:integer')] for i in range(1, 6)},
        REGISTRY_GROUP: [
            Finding(
                "Violation",
                "actor:nato",
                "<http://example.org/bad>",
                '"registry"',
                "bad is registry",
                "<http://example.org/shape>",
            )
        ],
    }
    only = engine.validate_store(store, source_ids=["a4", "a2"], workers=1)
    assert stand_in.articles_seen() == ["a2", "a4"] and set(only.by_group) == {"a4", "a2", REGISTRY_GROUP}
    with pytest.raises(InputError) as caught:
        engine.validate_store(store, source_ids=["a2", "zz", "yy"], workers=1)
    assert str(caught.value) == (
        f"kg validate: --article: article(s) not in the store {store.location}: yy, zz\n"
        "  -> give source ids as 'kg ls' lists them; nothing was validated"
    )


def test_each_batch_is_screened_as_the_calling_process_chose_on_its_stored_text(
    stand_in: StandIn, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = stored(tmp_path, {"a1": article("a1"), "a2": article("a2")})
    states: list[Any] = []
    real_map = engine.ordered_map

    def ordered_map(function: Any, items: Any, *, state: Any, count: int, workers: int | None = None) -> Any:
        states.append(state)
        return real_map(function, items, state=state, count=count, workers=workers)

    monkeypatch.setattr(engine, "ordered_map", ordered_map)
    screened: list[Any] = []
    monkeypatch.setattr(engine, "articles_to_check", lambda _a, _r, texts: screened.append(dict(texts)) or None)
    monkeypatch.setenv("KG_SHACL_ENGINE", "pyshacl")
    engine.validate_store(store, workers=1)
    assert [s.screen for s in states] == [False] and screened == []
    monkeypatch.delenv("KG_SHACL_ENGINE")
    engine.validate_store(store, workers=1)
    assert [s.screen for s in states] == [False, True]
    assert screened == [{sid: store.ntriples(article_graph(sid)) for sid in ("a1", "a2")}]


def test_a_worker_follows_the_choice_it_was_sent_not_its_environment(
    stand_in: StandIn, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kg import parallel

    screened: list[bool] = []
    monkeypatch.setattr(engine, "articles_to_check", lambda *_: screened.append(True) or None)
    monkeypatch.setattr(parallel, "_state", engine._BatchContext(REGISTRY, False))
    texts = {"a1": ntriples(article("a1"))}
    assert engine._validate_texts(texts).by_group["a1"] == []
    assert screened == []
    monkeypatch.setenv("KG_SHACL_ENGINE", "pyshacl")
    monkeypatch.setattr(parallel, "_state", engine._BatchContext(REGISTRY, True))
    engine._validate_texts(texts)
    assert screened == [True]


def test_validate_store_chooses_the_engine_in_the_calling_process(
    stand_in: StandIn, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = stored(tmp_path, {"a1": article("a1")})
    screened: list[bool] = []
    monkeypatch.setattr(engine, "articles_to_check", lambda *_: screened.append(True) or None)
    monkeypatch.setenv("KG_SHACL_ENGINE", "pyshacl")
    engine.validate_store(store, workers=1)
    assert screened == []
    monkeypatch.delenv("KG_SHACL_ENGINE")
    engine.validate_store(store, workers=1)
    assert screened == [True]


def test_articles_are_validated_with_the_corpus_typed(stand_in: StandIn, tmp_path: Path) -> None:
    position, condition = URIRef(f"{ARTICLE}x/position/p"), URIRef(f"{ARTICLE}x/condition/c")
    corpus = graph_of(
        (position, GPO.holder, NATO), (position, GPO.hasCondition, condition), (condition, EX.text, Literal("if"))
    )
    context = engine.corpus_context(REGISTRY, corpus)
    assert set(context) == {
        *REGISTRY,
        *corpus,
        (position, RDF.type, GPO.Position),
        (condition, RDF.type, GPO.Condition),
    }
    assert (position, RDF.type, GPO.Position) not in corpus  # the stored graphs are left as they are
    store = stored(tmp_path, {"a1": article("a1")}, corpus)
    engine.validate_store(store, workers=1)
    assert (position, RDF.type, GPO.Position) in stand_in.calls[-1]["data"]


def test_batches_are_parsed_only_when_pyshacl_needs_them() -> None:
    texts = {
        "a1": ntriples(article("a1")),
        "a2": "<http://example.org/s> <http://example.org/p> <http://example.org/o> .\n",
    }
    lazy = engine._ParsedOnDemand(texts)
    assert (len(lazy), list(lazy)) == (2, ["a1", "a2"])
    assert lazy._graphs == {}
    first = lazy["a2"]
    assert set(first) == {(EX.s, EX.p, EX.o)} and list(lazy._graphs) == ["a2"]
    assert lazy["a2"] is first
    assert set(lazy["a1"]) == set(article("a1"))


def test_reports_merge_in_order(stand_in: StandIn) -> None:
    earlier = Report(by_group={REGISTRY_GROUP: [finding("x", "bad", "1")]})
    part = Report(by_group={REGISTRY_GROUP: [finding("x", "bad", "1"), finding("x", "bad", "2")], "a1": []})
    engine._drop_repeated_registry_findings(part, earlier)
    assert part.by_group == {REGISTRY_GROUP: [finding("x", "bad", "2")], "a1": []}
    alone = Report(by_group={"a1": [finding("a1", "bad", "1")]})
    engine._drop_repeated_registry_findings(alone, earlier)
    assert alone.by_group == {"a1": [finding("a1", "bad", "1")]}
