"""Fast, exact tests of the screen's and the report's pure functions (mutation groups ``screen``
and ``report`` of bench/mutation.py): grouping, linked articles, the literal pre-check, the
engine-error finding and the renderers."""

from __future__ import annotations

import json

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDF, SH, XSD

from kg.shacl import screen
from kg.shacl.report import (
    REGISTRY_GROUP,
    Finding,
    Report,
    add_engine_error,
    conforming_report_graph,
    engine_error_finding,
    finding_of,
    group_of,
    render_json,
    render_text,
    render_turtle,
)
from kg.terms import ARTICLE, GPO

A, B, C = (URIRef(f"{ARTICLE}{sid}") for sid in ("a", "b", "c"))
ACTOR = URIRef("https://w3id.org/positions-kg/id/actor/nato")


def test_group_of_article_iris_and_other_nodes() -> None:
    blank, lonely = BNode(), BNode()
    articles = {"b": Graph(), "a": Graph()}
    articles["a"].add((blank, RDF.type, GPO.Position))
    articles["b"].add((ACTOR, RDF.type, GPO.Statement))
    articles["b"].add((A, GPO.hasEvidence, lonely))
    registry = Graph()
    registry.add((URIRef("https://w3id.org/positions-kg/id/actor/eu"), RDF.type, GPO.Actor))
    assert group_of(URIRef(f"{ARTICLE}a/statement/x")) == "a"
    assert group_of(A) == "a"
    assert group_of(blank) == REGISTRY_GROUP
    assert group_of(blank, articles, registry) == "a"
    assert group_of(ACTOR, articles, registry) == "b"
    assert group_of(lonely, articles, registry) == "b"
    assert group_of(URIRef("https://w3id.org/positions-kg/id/actor/eu"), articles, registry) == REGISTRY_GROUP
    assert group_of(BNode(), articles, registry) == REGISTRY_GROUP
    assert group_of(Literal(f"{ARTICLE}a"), articles, registry) == REGISTRY_GROUP
    # the registry wins over an article that only points at the node
    eu = URIRef("https://w3id.org/positions-kg/id/actor/eu")
    articles["a"].add((A, GPO.speaker, eu))
    assert group_of(eu, articles, registry) == REGISTRY_GROUP
    # a node both articles state things about goes to the first by source id
    articles["a"].add((ACTOR, RDF.type, GPO.Statement))
    assert group_of(ACTOR, articles, registry) == "a"


def test_linked_articles_and_components() -> None:
    articles = {sid: Graph() for sid in "abcd"}
    articles["a"].add((A, GPO.hasEvidence, URIRef(f"{ARTICLE}b/span/1-2")))
    articles["c"].add((URIRef(f"{ARTICLE}c/x"), GPO.expresses, URIRef(f"{ARTICLE}b")))
    articles["d"].add((URIRef(f"{ARTICLE}d/x"), GPO.expresses, URIRef(f"{ARTICLE}zz/x")))
    assert screen._linked(articles, set()) == set()
    assert screen._linked(articles, {"a"}) == {"a", "b", "c"}
    assert screen._linked(articles, {"d"}) == {"d"}
    assert screen.linked_components(articles) == [["a", "b", "c"], ["d"]]
    assert screen.linked_components({}) == []


XSD_NS = "http://www.w3.org/2001/XMLSchema#"


def unvouched(*literals: str) -> list[str]:
    return list(screen.unvouched_literals("".join(f"<a:s> <a:p> {lit} .\n" for lit in literals)))


def test_vouched_literals() -> None:
    good = [
        '"x"',
        '"with \\"quotes\\" and \\\\"',
        f'"a\\nb"^^<{XSD_NS}string>',
        f'"0"^^<{XSD_NS}integer>',
        f'"123456789012345"^^<{XSD_NS}nonNegativeInteger>',
        f'"true"^^<{XSD_NS}boolean>',
        f'"false"^^<{XSD_NS}boolean>',
        f'"2024-02-29"^^<{XSD_NS}date>',
        f'"2026-03-02T00:00:00"^^<{XSD_NS}dateTime>',
        f'"en-gb"^^<{XSD_NS}language>',
        '"text"@de',
        '"text"@en-gb',
        '"text"@yue',
    ]
    assert unvouched(*good) == []


def test_unvouched_literals() -> None:
    bad = [
        f'"1234567890123456"^^<{XSD_NS}integer>',
        f'"-1"^^<{XSD_NS}integer>',
        f'"01"^^<{XSD_NS}nonNegativeInteger>',
        f'"1\\u0030"^^<{XSD_NS}integer>',
        f'" 1"^^<{XSD_NS}integer>',
        f'"True"^^<{XSD_NS}boolean>',
        f'"2023-02-29"^^<{XSD_NS}date>',
        f'"2026-3-02"^^<{XSD_NS}date>',
        f'"2026-03-02Z"^^<{XSD_NS}date>',
        f'"2026-03-02T24:00:00"^^<{XSD_NS}dateTime>',
        f'"2026-03-02T10:00"^^<{XSD_NS}dateTime>',
        f'"2026-03-02"^^<{XSD_NS}dateTime>',
        f'"EN"^^<{XSD_NS}language>',
        f'"e"^^<{XSD_NS}language>',
        f'"1"^^<{XSD_NS}int>',
        '"x"^^<http://www.w3.org/1999/02/22-rdf-syntax-ns#langString>',
        '"x"@EN',
        '"x"@e',
        '"x"@en-',
        '"x"@english',
    ]
    assert unvouched(*bad) == bad


def test_engine_error_finding_and_report_graph() -> None:
    finding = engine_error_finding(A, TypeError("unsupported operand"))
    assert finding == Finding(
        severity="Violation",
        focus="article:a",
        path="",
        value="",
        message="pySHACL could not validate this article (TypeError: unsupported operand). The graph is likely "
        "malformed, e.g. a literal whose text is not valid for its datatype: fix it and validate again.",
        shape="",
    )
    assert engine_error_finding(A, RecursionError()).message.startswith(
        "pySHACL could not validate this article (RecursionError). "
    )
    graph = conforming_report_graph()
    add_engine_error(graph, finding, A)
    (report,) = graph.subjects(RDF.type, SH.ValidationReport)
    assert graph.value(report, SH.conforms) == Literal(False)
    (result,) = graph.objects(report, SH.result)
    assert graph.value(result, RDF.type) == SH.ValidationResult
    assert graph.value(result, SH.focusNode) == A
    assert graph.value(result, SH.resultSeverity) == SH.Violation
    assert str(graph.value(result, SH.resultMessage)) == finding.message
    empty = Graph()
    add_engine_error(empty, finding, A)
    assert len(list(empty.subjects(RDF.type, SH.ValidationReport))) == 1


def test_finding_of_a_result() -> None:
    graph, result = Graph(), BNode()
    graph.add((result, SH.resultSeverity, SH.Warning))
    graph.add((result, SH.focusNode, A))
    graph.add((result, SH.resultPath, GPO.speaker))
    graph.add((result, SH.value, Literal(3, datatype=XSD.integer)))
    graph.add((result, SH.resultMessage, Literal("second")))
    graph.add((result, SH.resultMessage, Literal("first")))
    graph.add((result, SH.sourceShape, URIRef("https://w3id.org/positions-kg/shapes/X")))
    assert finding_of(graph, result) == Finding(
        "Warning", "article:a", "gpo:speaker", '"3"^^xsd:integer', "first", "shape:X"
    )
    bare = BNode()
    graph.add((bare, SH.focusNode, B))
    graph.add((bare, SH.resultSeverity, SH.Violation))
    graph.add((bare, SH.sourceShape, BNode()))
    assert finding_of(graph, bare) == Finding("Violation", "article:b", "", "", "(no message)", "")


def test_report_counts_merge_and_renderers() -> None:
    v = Finding("Violation", "article:a", "gpo:speaker", "", "Needs a speaker.", "shape:S")
    w = Finding("Warning", "article:a/statement/x", "-", "actor:nato", "Check it.", "shape:W")
    report = Report(by_group={"a": [v, w], "b": []})
    other = Report(by_group={"a": [v], REGISTRY_GROUP: [w]})
    assert (report.count("Violation"), report.count("Warning"), report.count("Violation", "b")) == (1, 1, 0)
    assert report.conforms("b") and not report.conforms("a") and not report.conforms()
    report.merge(other)
    assert report.by_group == {"a": [v, w, v], "b": [], REGISTRY_GROUP: [w]}
    assert render_text(report, {"a": "articles/a.yaml"}) == (
        "articles/a.yaml (article a)\n"
        "  article:a\n"
        "    Violation gpo:speaker\n"
        "              Needs a speaker.\n"
        "    Violation gpo:speaker\n"
        "              Needs a speaker.\n"
        "  article:a/statement/x\n"
        "    Warning   -  value actor:nato\n"
        "              Check it.\n"
        "registry (registry)\n"
        "  article:a/statement/x\n"
        "    Warning   -  value actor:nato\n"
        "              Check it.\n"
        "2 violation(s), 2 warning(s) in 3 graph group(s).\n"
    )
    rendered = json.loads(render_json(report, {"a": "articles/a.yaml"}))
    assert rendered["conforms"] is False
    assert (rendered["violations"], rendered["warnings"]) == (2, 2)
    assert [g["group"] for g in rendered["groups"]] == ["a", "b", REGISTRY_GROUP]
    assert rendered["groups"][0]["source"] == "articles/a.yaml"
    assert rendered["groups"][1] == {"group": "b", "source": None, "conforms": True, "results": []}
    assert rendered["groups"][0]["results"][0] == {
        "severity": "Violation",
        "focus": "article:a",
        "path": "gpo:speaker",
        "value": "",
        "message": "Needs a speaker.",
        "shape": "shape:S",
    }


# -- mutants that survived the first mutation run, killed here (docs/mutation-testing.md) -----------


def test_engine_error_reason_is_kept_whole_up_to_300_characters() -> None:
    assert "(ValueError: ends in X)." in engine_error_finding(A, ValueError("ends in X")).message
    assert "(ValueError: colon)." in engine_error_finding(A, ValueError("colon:")).message
    long = "y" * 400
    message = engine_error_finding(A, ValueError(long)).message
    assert f"(ValueError: {'y' * 288})." in message  # "ValueError: " is 12 of the 300 characters


def test_finding_of_unknown_and_literal_severities() -> None:
    graph, custom, odd = Graph(), BNode(), BNode()
    graph.add((custom, SH.resultSeverity, URIRef("https://w3id.org/positions-kg/shapes/Critical")))
    graph.add((odd, SH.resultSeverity, Literal("odd")))
    assert finding_of(graph, custom).severity == "shape:Critical"
    assert finding_of(graph, odd).severity == '"odd"'


def test_linked_articles_edge_cases() -> None:
    articles = {sid: Graph() for sid in "abc"}
    articles["a"].add((A, GPO.hasEvidence, URIRef(f"{ARTICLE}c/span/1-2")))
    articles["b"].add((B, GPO.sourceId, Literal(f"{ARTICLE}a")))  # a literal is no link
    assert screen._linked(articles, {"b"}) == {"b"}
    assert screen._linked(articles, {"zz"}) == {"zz"}  # not among the articles: itself only
    assert screen.linked_components(articles) == [["a", "c"], ["b"]]


def test_text_shows_the_first_findings_of_each_shape_and_counts_the_rest() -> None:
    def f(severity: str, focus: str, shape: str, message: str, path: str = "") -> Finding:
        return Finding(severity, focus, path, "", message, shape)

    findings = [
        f("Violation", "article:a/s1", "shape:S", "Needs a speaker."),
        f("Violation", "article:a/s2", "shape:S", "Needs a speaker."),
        f("Violation", "article:a/s3", "shape:S", "Needs a speaker."),
        f("Violation", "article:a/s4", "shape:S", "Needs a speaker."),
        f("Warning", "article:a/s1", "shape:S", "Same shape, other severity."),
        f("Violation", "article:a/s1", "", "No shape: grouped by message."),
        f("Violation", "article:a/s2", "", "No shape: grouped by message."),
        f("Violation", "article:a/s3", "", "Another message.", "gpo:p"),
    ]
    report = Report(by_group={"a": findings, "b": [], REGISTRY_GROUP: []})
    assert render_text(report, per_shape=2) == (
        "article a (article a)\n"
        "  article:a/s1\n"
        "    Violation -\n              Needs a speaker.\n"
        "    Warning   -\n              Same shape, other severity.\n"
        "    Violation -\n              No shape: grouped by message.\n"
        "  article:a/s2\n"
        "    Violation -\n              Needs a speaker.\n"
        "    Violation -\n              No shape: grouped by message.\n"
        "  article:a/s3\n"
        "    Violation gpo:p\n              Another message.\n"
        "  ... and 2 more Violation(s) of shape:S (not shown)\n"
        "7 violation(s), 1 warning(s) in 3 graph group(s).\n"
    )
    # exactly at the limit: all shown, nothing counted
    at_limit = render_text(Report(by_group={"a": findings[:2]}), per_shape=2)
    assert "not shown" not in at_limit and at_limit.count("Needs a speaker.") == 2
    # no limit: everything
    assert render_text(report).count("Needs a speaker.") == 4
    assert render_text(report, per_shape=1).splitlines()[-3:-1] == [
        "  ... and 3 more Violation(s) of shape:S (not shown)",
        "  ... and 1 more Violation(s) of No shape: grouped by message. (not shown)",
    ]


def test_json_and_turtle_exactly() -> None:
    finding = Finding("Violation", "article:a", "gpo:speaker", '"Zoë"', "Fügen Sie einen Sprecher hinzu.", "shape:S")
    report = Report(by_group={"a": [finding], "b": []})
    assert render_json(report, {"a": "a.yaml"}) == (
        "{\n"
        '  "conforms": false,\n'
        '  "violations": 1,\n'
        '  "warnings": 0,\n'
        '  "groups": [\n'
        "    {\n"
        '      "group": "a",\n'
        '      "source": "a.yaml",\n'
        '      "conforms": false,\n'
        '      "results": [\n'
        "        {\n"
        '          "severity": "Violation",\n'
        '          "focus": "article:a",\n'
        '          "path": "gpo:speaker",\n'
        '          "value": "\\"Zoë\\"",\n'
        '          "message": "Fügen Sie einen Sprecher hinzu.",\n'
        '          "shape": "shape:S"\n'
        "        }\n"
        "      ]\n"
        "    },\n"
        "    {\n"
        '      "group": "b",\n'
        '      "source": null,\n'
        '      "conforms": true,\n'
        '      "results": []\n'
        "    }\n"
        "  ]\n"
        "}\n"
    )
    graph = Graph()
    add_engine_error(graph, engine_error_finding(A, TypeError("x")), A)
    turtle = render_turtle(Report(graph=graph))
    assert "@prefix sh: <http://www.w3.org/ns/shacl#> ." in turtle and "sh:focusNode article:a" in turtle
    assert isomorphic(Graph().parse(data=turtle, format="turtle"), graph)
    assert len(graph) == 7  # the report graph given is left as it was


def test_a_group_without_findings_has_none() -> None:
    report = Report(by_group={"a": []})
    assert report.findings("zz") == []
    assert report.count("Violation", "zz") == 0 and report.conforms("zz")


# -- the vocabulary-gap shapes: which shapes count, which triples can make them report --------------

GAP_SHAPES = """
@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .
ex:Gap sh:message "no 'other'" ; sh:severity sh:Warning ;
    sh:property [ sh:path ex:p ; sh:not [ sh:in ( ex:o1 ex:o2 ) ; ex:aside ( ex:o9 ) ] ] ,
        [ sh:path ex:q ; sh:not [ sh:in ( ex:o3 ) ] ] .
ex:Extra sh:closed true ; sh:property [ sh:path ex:p ; sh:not [ sh:in ( ex:o1 ) ] ] .
ex:PropExtra sh:property [ sh:path ex:p ; sh:maxCount 1 ; sh:not [ sh:in ( ex:o1 ) ] ] .
ex:PathList sh:property [ sh:path ( ex:p ex:q ) ; sh:not [ sh:in ( ex:o1 ) ] ] .
ex:NoNot sh:property [ sh:path ex:p ; sh:in ( ex:o1 ) ] .
ex:TwoNots sh:property [ sh:path ex:p ; sh:not [ sh:in ( ex:o1 ) ] , [ sh:in ( ex:o2 ) ] ] .
ex:NotOther sh:property [ sh:path ex:p ; sh:not [ sh:in ( ex:o1 ) ; sh:minCount 1 ] ] .
ex:TwoLists sh:property [ sh:path ex:p ; sh:not [ sh:in ( ex:o1 ) , ( ex:o2 ) ] ] .
ex:Literal sh:property [ sh:path ex:p ; sh:not [ sh:in ( ex:o1 "o2" ) ] ] .
ex:Empty sh:targetClass ex:C .
"""


def test_constraints_are_the_shapes_own_shacl_parameters() -> None:
    graph = Graph().parse(data=GAP_SHAPES, format="turtle")
    ex = "http://example.org/"
    assert screen._constraints(graph, URIRef(ex + "Gap")) == {SH.property}  # not sh:message, sh:severity
    assert screen._constraints(graph, URIRef(ex + "Extra")) == {SH.closed, SH.property}
    assert screen._constraints(graph, URIRef(ex + "Empty")) == {SH.targetClass}
    graph.add((URIRef(ex + "Empty"), URIRef(ex + "note"), URIRef(ex + "x")))  # not a SHACL parameter
    assert screen._constraints(graph, URIRef(ex + "Empty")) == {SH.targetClass}


def test_none_of_reads_only_shapes_of_negated_lists_of_iris() -> None:
    graph = Graph().parse(data=GAP_SHAPES, format="turtle")
    ex = "http://example.org/"
    p, q = URIRef(ex + "p"), URIRef(ex + "q")
    o1, o2, o3 = (URIRef(ex + o) for o in ("o1", "o2", "o3"))
    # only the sh:in list counts, not another list beside it (ex:aside)
    assert screen._none_of(graph, URIRef(ex + "Gap")) == {(p, o1), (p, o2), (q, o3)}
    for other in ("Extra", "PropExtra", "PathList", "NoNot", "TwoNots", "NotOther", "TwoLists", "Literal", "Empty"):
        assert screen._none_of(graph, URIRef(ex + other)) is None, other


def test_may_report_gaps_on_triples_escapes_and_without_a_split(monkeypatch: pytest.MonkeyPatch) -> None:
    node, stance = f"<{ARTICLE}x/position/p>", f"<{GPO.stance}>"
    other = "<https://w3id.org/positions-kg/vocab/stance/other>"
    assert screen.may_report_gaps(f"{node} {stance} {other} .\n")
    assert not screen.may_report_gaps(f"{node} {stance} <https://w3id.org/positions-kg/vocab/stance/denies> .\n")
    assert not screen.may_report_gaps(f'{node} {stance} "other" .\n')
    # an escaped IRI would not match the pattern: any escape counts, either kind on its own
    assert screen.may_report_gaps(f'{node} <{GPO.otherNote}> "\\u00e9" .\n')
    assert screen.may_report_gaps(f'{node} <{GPO.otherNote}> "\\U0001F600" .\n')
    monkeypatch.setattr(screen, "_gap_split", lambda: None)
    assert screen.may_report_gaps(f"{node} {stance} <https://w3id.org/positions-kg/vocab/stance/denies> .\n")
