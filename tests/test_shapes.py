"""The SHACL shapes in ``shapes/``: each rule fires on its invalid fixture and nowhere else.

Fixtures live in ``tests/data/shapes/`` (see its README): ``base.trig`` is a small registry plus one
complete article graph that conforms with no warning; ``{rule}-invalid[-case].trig`` and
``{rule}-valid[-case].trig`` patch a copy of it (``GRAPH fix:delete {...}`` removes triples,
``GRAPH fix:insert {...}`` adds them). ``{rule}`` is the local name of the shape expected as
``sh:sourceShape``; a ``# expect: A B`` line lists the shapes when one mistake breaks several rules.

Data is validated as ``kg.shacl.engine`` does: ontology + concept schemes + data merged into one graph,
``inference="none"``, ``allow_warnings=True``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pyshacl
import pytest
from rdflib import BNode, Dataset, Graph, Literal, URIRef, Variable
from rdflib.collection import Collection
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SH, SKOS, XSD
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.parserutils import CompValue

from kg.resources import data_files
from kg.shacl.shapes import shapes_graph
from kg.terms import GPO, PREFIXES, SHAPE, SHAPES_IRI
from kg.vocabulary import ontology_graph, vocabulary_graph

FIXTURES = Path(__file__).resolve().parent / "data" / "shapes"
FIXTURE_NAME = re.compile(r"^(?P<rule>.+?)-(?P<kind>valid|invalid)(?:-(?P<case>[a-z0-9-]+))?\.trig$")
DELETE, INSERT = URIRef("urn:fixture:delete"), URIRef("urn:fixture:insert")
EXPECTED_RESULTS = FIXTURES / "expected-results.tsv"

SHAPE_FILES = {path.name: path for path in data_files("shapes", "*.ttl")}
SEVERITY_OF_FILE = {"positions-shapes.ttl": SH.Violation, "positions-recommended.ttl": SH.Warning}
HEADER_OF_FILE = {
    "positions-shapes.ttl": SHAPES_IRI,
    "positions-recommended.ttl": URIRef(f"{SHAPES_IRI}/recommended"),
}

#: Parameters that make a shape check something (SHACL Core constraint components, and sh:sparql).
CONSTRAINT_PARAMETERS = {
    SH["class"],
    SH.datatype,
    SH.nodeKind,
    SH.minCount,
    SH.maxCount,
    SH.minExclusive,
    SH.minInclusive,
    SH.maxExclusive,
    SH.maxInclusive,
    SH.minLength,
    SH.maxLength,
    SH.pattern,
    SH.languageIn,
    SH.uniqueLang,
    SH.equals,
    SH.disjoint,
    SH.lessThan,
    SH.lessThanOrEquals,
    SH["not"],
    SH["and"],
    SH["or"],
    SH.xone,
    SH.node,
    SH.qualifiedValueShape,
    SH.closed,
    SH.hasValue,
    SH["in"],
    SH.sparql,
}
#: Parameters whose values are shapes (to find the shapes a targeted shape reaches).
SHAPE_VALUED = {SH.property, SH.node, SH["not"], SH.qualifiedValueShape}
SHAPE_LISTS = {SH["and"], SH["or"], SH.xone}
TARGETS = {SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf}


# -- helpers -------------------------------------------------------------------------------------


@cache
def prefixes_text() -> str:
    return (FIXTURES / "prefixes.trig").read_text(encoding="utf-8")


def parse_fixture(path: Path) -> Dataset:
    dataset = Dataset()
    dataset.parse(data=prefixes_text() + path.read_text(encoding="utf-8"), format="trig")
    return dataset


@cache
def base_graph() -> Graph:
    graph = Graph()
    for triple in parse_fixture(FIXTURES / "base.trig").default_graph:
        graph.add(triple)
    return graph


def patched(path: Path) -> Graph:
    """``base.trig`` with the fixture's delete graph removed and its insert graph added."""
    patch = parse_fixture(path)
    graph = Graph()
    graph += base_graph()
    deletions = patch.graph(DELETE)
    missing = [t for t in deletions if t not in graph and not any(isinstance(x, BNode) for x in t)]
    assert not missing, f"{path.name}: deletes triples that are not in base.trig: {missing}"
    for triple in deletions:
        graph.remove(triple)
    graph += patch.graph(INSERT)
    return graph


def expected_rules(path: Path) -> set[URIRef]:
    match = FIXTURE_NAME.match(path.name)
    assert match, path.name
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("# expect:"):
            return {SHAPE[name] for name in line.removeprefix("# expect:").split()}
    return {SHAPE[match["rule"]]}


def validate(data: Graph) -> tuple[Graph, list[URIRef]]:
    """Validate like kg.shacl.engine does; return the report graph and its result nodes."""
    merged = Graph()
    for part in (ontology_graph(), vocabulary_graph(), data):
        merged += part
    _conforms, report, _text = pyshacl.validate(
        merged, shacl_graph=shapes_graph(), inference="none", allow_warnings=True, inplace=True
    )
    return report, list(report.subjects(RDF.type, SH.ValidationResult))


def top_level_results(report: Graph) -> list[URIRef]:
    """Results of the report itself, not the nested sh:detail results of sh:node and friends."""
    return list(report.objects(None, SH.result))


def message_pattern(template: str) -> re.Pattern[str]:
    """An sh:message with {?var} / {$var} placeholders (SPARQL rules) as a regular expression."""
    parts = re.split(r"\{[?$]\w+\}", template)
    return re.compile("^" + ".+?".join(re.escape(p) for p in parts) + "$", re.S)


def declared_messages(shape: URIRef) -> list[str]:
    graph = shapes_graph()
    messages = [str(m) for m in graph.objects(shape, SH.message)]
    for constraint in graph.objects(shape, SH.sparql):
        messages += [str(m) for m in graph.objects(constraint, SH.message)]
    return messages


def shapes_in(graph: Graph) -> set[URIRef | BNode]:
    """Every node shape, property shape and SPARQL constraint of a shapes graph."""
    found: set[URIRef | BNode] = set(graph.subjects(RDF.type, SH.NodeShape))
    found |= set(graph.subjects(RDF.type, SH.PropertyShape))
    found |= set(graph.subjects(RDF.type, SH.SPARQLConstraint))
    found |= set(graph.subjects(SH.path, None))
    found |= {s for p in CONSTRAINT_PARAMETERS | TARGETS for s in graph.subjects(p, None)}
    found |= {o for p in SHAPE_VALUED | {SH.sparql} for o in graph.objects(None, p)}
    for p in SHAPE_LISTS:
        for head in graph.objects(None, p):
            found |= set(Collection(graph, head))
    return found


def reporting_shapes(graph: Graph) -> set[URIRef]:
    """Targeted shapes and their sh:property shapes: the shapes whose results reach the report.
    Shapes reached through sh:node, sh:or, sh:not, ... are helpers (their results stay nested)."""
    targeted = {s for p in TARGETS for s in graph.subjects(p, None)}
    return targeted | {o for s in targeted for o in graph.objects(s, SH.property)}


def constrained(graph: Graph, shape: URIRef) -> bool:
    return any(graph.value(shape, p) is not None for p in CONSTRAINT_PARAMETERS)


def reportable_shapes(graph: Graph) -> set[URIRef]:
    """Shapes that can be the sh:sourceShape of a top-level result: reporting shapes with constraints."""
    return {s for s in reporting_shapes(graph) if constrained(graph, s)}


def fixtures(kind: str) -> list[Path]:
    return sorted(p for p in FIXTURES.glob("*.trig") if (m := FIXTURE_NAME.match(p.name)) and m["kind"] == kind)


def sparql_selects() -> Iterator[tuple[URIRef, str]]:
    graph = shapes_graph()
    for constraint, select in graph.subject_objects(SH.select):
        yield constraint, str(select)


def with_declared_prefixes(constraint: URIRef, select: str) -> str:
    graph = shapes_graph()
    lines = []
    for prefixes in graph.objects(constraint, SH.prefixes):
        for declaration in graph.objects(prefixes, SH.declare):
            prefix = graph.value(declaration, SH.prefix)
            namespace = graph.value(declaration, SH.namespace)
            lines.append(f"PREFIX {prefix}: <{namespace}>")
    return "\n".join(lines) + "\n" + select


# -- the fixtures: each rule fires on its invalid data, and only there --------------------------


def test_base_fixture_conforms_without_warnings() -> None:
    report, results = validate(base_graph())
    assert results == [], report.serialize(format="turtle")


@pytest.mark.parametrize("path", fixtures("invalid"), ids=lambda p: p.stem)
def test_invalid_fixture_breaks_exactly_its_rule(path: Path) -> None:
    report, _ = validate(patched(path))
    results = top_level_results(report)
    assert results, f"{path.name}: no SHACL result"
    expected = expected_rules(path)
    found = {report.value(r, SH.sourceShape) for r in results}
    assert found == expected, f"{path.name}: expected {sorted(expected)}, got {sorted(map(str, found))}"
    graph = shapes_graph()
    for result in results:
        shape = report.value(result, SH.sourceShape)
        assert report.value(result, SH.resultSeverity) == graph.value(shape, SH.severity), path.name
        messages = [str(m) for m in report.objects(result, SH.resultMessage)]
        assert len(messages) == 1, f"{path.name}: {messages}"
        assert any(message_pattern(t).match(messages[0]) for t in declared_messages(shape)), messages[0]
    # The constraint and the message of every result as written in expected-results.tsv: a reworded
    # message or a changed constraint fails here, even where the shape reporting it stays the same.
    # (After an intended change, regenerate with ``python tests/test_shapes.py`` and review the diff.)
    written = EXPECTED_RESULTS.read_text(encoding="utf-8").splitlines()
    assert result_lines(path, report) == [line for line in written if line.startswith(path.name + "\t")]


@pytest.mark.parametrize("path", fixtures("valid"), ids=lambda p: p.stem)
def test_valid_fixture_conforms_without_warnings(path: Path) -> None:
    report, results = validate(patched(path))
    assert results == [], report.serialize(format="turtle")


def test_every_reportable_shape_has_an_invalid_fixture() -> None:
    covered = set().union(*(expected_rules(p) for p in fixtures("invalid")))
    missing = sorted(str(s) for s in reportable_shapes(shapes_graph()) - covered)
    assert not missing, f"shapes without an invalid fixture: {missing}"


def test_fixture_names_name_existing_shapes() -> None:
    known = reportable_shapes(shapes_graph())
    for path in fixtures("invalid") + fixtures("valid"):
        assert SHAPE[FIXTURE_NAME.match(path.name)["rule"]] in known, path.name
        assert expected_rules(path) <= known, path.name


def test_sparql_messages_are_filled_in() -> None:
    """The two SPARQL rules put the offending statement / span and the values into the message."""
    report, _ = validate(patched(FIXTURES / "Article-statedOn-not-after-publication-invalid.trig"))
    (result,) = top_level_results(report)
    assert report.value(result, SH.focusNode) == URIRef("https://w3id.org/positions-kg/id/article/fixture")
    assert report.value(result, SH.value) == URIRef("https://w3id.org/positions-kg/id/article/fixture/statement/rutte")
    assert str(report.value(result, SH.resultMessage)).startswith(
        "Statement https://w3id.org/positions-kg/id/article/fixture/statement/rutte is dated 2026-03-03, "
        "after the article was published (2026-03-02T23:36:00)"
    )
    report, _ = validate(patched(FIXTURES / "Article-quote-length-matches-offsets-invalid.trig"))
    (result,) = top_level_results(report)
    assert report.value(result, SH.value) == URIRef("https://w3id.org/positions-kg/id/article/fixture/span/10-18")
    assert '"no plans whatever" has 17 characters, but its offsets 10-18 cover 8' in str(
        report.value(result, SH.resultMessage)
    )


# -- the shapes files themselves ----------------------------------------------------------------


def test_shape_files_are_the_two_expected() -> None:
    assert set(SHAPE_FILES) == set(SEVERITY_OF_FILE)


@cache
def shacl_shacl() -> Graph:
    """The W3C SHACL-for-SHACL shapes (https://www.w3.org/TR/shacl/#shacl-shacl), as pySHACL ships them."""
    return Graph().parse(Path(pyshacl.__file__).parent / "assets" / "shacl-shacl.ttl", format="turtle")


@pytest.mark.parametrize("name", sorted(SEVERITY_OF_FILE))
def test_shape_file_passes_meta_validation(name: str) -> None:
    """Each shapes file, and all of them together, conform to SHACL-for-SHACL."""
    shapes = Graph().parse(SHAPE_FILES[name], format="turtle")
    for shacl_graph in (shapes, shapes_graph()):
        conforms, _report, text = pyshacl.validate(shacl_graph, shacl_graph=shacl_shacl(), inference="none")
        assert conforms is True, text


def test_meta_validation_would_notice_a_broken_shape() -> None:
    broken = Graph()
    broken += shapes_graph()
    broken.add((SHAPE["Article-headline"], SH.minCount, Literal("one")))
    conforms, _report, text = pyshacl.validate(broken, shacl_graph=shacl_shacl(), inference="none")
    assert conforms is False
    assert "Article-headline" in text


@pytest.mark.parametrize("name", sorted(SEVERITY_OF_FILE))
def test_shape_file_header(name: str) -> None:
    graph = Graph().parse(SHAPE_FILES[name], format="turtle")
    header = HEADER_OF_FILE[name]
    assert (header, RDF.type, OWL.Ontology) in graph
    assert graph.value(header, RDFS.label) is not None
    assert graph.value(header, DCTERMS.description) is not None
    assert graph.value(header, OWL.versionIRI) == URIRef(f"{header}/0.1.0")
    assert graph.value(header, OWL.versionInfo) == Literal("0.1.0")
    assert graph.value(header, DCTERMS.license) == URIRef("https://creativecommons.org/licenses/by/4.0/")
    assert graph.value(header, DCTERMS.created).datatype == XSD.date
    assert set(graph.subjects(RDF.type, OWL.Ontology)) == {header}


@pytest.mark.parametrize("name", sorted(SEVERITY_OF_FILE))
def test_shape_file_has_one_severity(name: str) -> None:
    """Violations and warnings live in separate files (one severity per file). Reporting shapes
    state the file's severity; helper shapes state none, because pySHACL (allow_warnings=True) takes
    a failing nested sh:Warning shape as conforming and an sh:or / sh:not around it would never fail."""
    graph = Graph().parse(SHAPE_FILES[name], format="turtle")
    reporting = reporting_shapes(shapes_graph())
    for shape in shapes_in(graph) - set(graph.subjects(RDF.type, SH.SPARQLConstraint)):
        if shape in reporting and constrained(graph, shape):
            assert graph.value(shape, SH.severity) == SEVERITY_OF_FILE[name], f"{name}: {shape} sh:severity"
        elif shape not in reporting:
            assert graph.value(shape, SH.severity) is None, f"{name}: helper {shape} must not set sh:severity"
    assert set(graph.objects(None, SH.severity)) == {SEVERITY_OF_FILE[name]}


def test_shapes_are_named_in_the_shape_namespace() -> None:
    graph = shapes_graph()
    for shape in shapes_in(graph):
        assert isinstance(shape, URIRef) and shape.startswith(str(SHAPE)), f"blank or foreign shape: {shape!r}"


def test_every_shape_is_documented() -> None:
    graph = shapes_graph()
    for shape in shapes_in(graph):
        assert graph.value(shape, RDFS.label) is not None, f"{shape}: rdfs:label"
        if graph.value(shape, SH.path) is not None:
            assert graph.value(shape, SH.name) is not None, f"{shape}: sh:name"
            assert graph.value(shape, SH.description) is not None, f"{shape}: sh:description"
        else:
            assert graph.value(shape, SKOS.definition) is not None, f"{shape}: skos:definition"


def test_every_constraint_has_a_message() -> None:
    graph = shapes_graph()
    for shape in shapes_in(graph):
        own = {p for p in CONSTRAINT_PARAMETERS - {SH.sparql} if graph.value(shape, p) is not None}
        if own or (shape, RDF.type, SH.SPARQLConstraint) in graph:
            messages = list(graph.objects(shape, SH.message))
            assert messages, f"{shape}: constraints {sorted(own)} without sh:message"
            assert all(isinstance(m, Literal) and m.language == "en" for m in messages), shape
        for constraint in graph.objects(shape, SH.sparql):
            assert graph.value(constraint, SH.message) is not None, f"{constraint}: sh:message"


def test_every_sh_term_is_in_the_shacl_vocabulary() -> None:
    graph = shapes_graph()
    used = {t for triple in graph for t in triple if isinstance(t, URIRef) and t.startswith(str(SH))}
    unknown = sorted(str(t) for t in used if t not in SH)
    assert not unknown, f"not SHACL terms: {unknown}"


def test_every_gpo_term_is_declared() -> None:
    graph = shapes_graph()
    namespace = str(GPO._NS)
    used = {str(t) for triple in graph for t in triple if isinstance(t, URIRef) and t.startswith(namespace)}
    for _constraint, select in sparql_selects():
        used |= {namespace + name for name in re.findall(r"\bgpo:(\w+)", select)}
    unknown = sorted(t for t in used if t.removeprefix(namespace) not in GPO.__annotations__)
    assert not unknown, f"gpo: terms not in kg.terms.GPO: {unknown}"


def test_referenced_schemes_and_concepts_exist() -> None:
    """sh:hasValue schemes are concept schemes of ontology/schemes; sh:in concepts and classes exist."""
    graph, vocab, onto = shapes_graph(), vocabulary_graph(), ontology_graph()
    for scheme in graph.objects(None, SH.hasValue):
        assert (scheme, RDF.type, SKOS.ConceptScheme) in vocab, scheme
    for head in graph.objects(None, SH["in"]):
        for member in Collection(graph, head):
            if isinstance(member, URIRef) and member.startswith(str(GPO._NS)):
                assert (member, RDF.type, OWL.Class) in onto, member
            elif isinstance(member, URIRef):
                assert (member, RDF.type, SKOS.Concept) in vocab, member
    for cls in set(graph.objects(None, SH["class"])) | set(graph.objects(None, SH.targetClass)):
        if cls.startswith(str(GPO._NS)):
            assert (cls, RDF.type, OWL.Class) in onto, cls


def test_sparql_prefixes_are_the_projects() -> None:
    graph = shapes_graph()
    for declaration in graph.objects(SHAPES_IRI, SH.declare):
        prefix, namespace = str(graph.value(declaration, SH.prefix)), graph.value(declaration, SH.namespace)
        assert namespace.datatype == XSD.anyURI
        assert PREFIXES.get(prefix) == str(namespace), prefix


def _bgps(node: object) -> Iterator[list]:
    if isinstance(node, CompValue):
        if node.name == "BGP":
            yield node.triples
        for value in node.values():
            yield from _bgps(value)
    elif isinstance(node, list):
        for value in node:
            yield from _bgps(value)


@pytest.mark.parametrize("constraint,select", list(sparql_selects()), ids=lambda v: str(v).rsplit("/", 1)[-1][:60])
def test_sparql_queries_start_at_the_focus_node(constraint: URIRef, select: str) -> None:
    """Performance guard (see the note in positions-shapes.ttl): after rdflib reorders the triple
    patterns, every basic graph pattern starts with "$this a …", and no other pattern uses rdf:type,
    so evaluation never scans the whole data graph once per focus node."""
    query = prepareQuery(with_declared_prefixes(constraint, select))
    this = Variable("this")
    bgps = list(_bgps(query.algebra))
    assert bgps
    for triples in bgps:
        assert triples[0][0] == this and triples[0][1] == RDF.type, triples[0]
        assert all(p != RDF.type for _s, p, _o in triples[1:]), triples


# -- the seed article ----------------------------------------------------------------------------


def test_seed_article_conforms(seed_store) -> None:
    """The annotated seed article, read back from the store, has no violation and no warning.

    Read back from Oxigraph on purpose: the store returns oa:start / oa:end as xsd:integer."""
    from kg.shacl.engine import validate_store
    from kg.shacl.report import render_text

    report = validate_store(seed_store)
    assert report.count("Violation") == 0, render_text(report)
    assert report.count("Warning") == 0, render_text(report)


# -- exact results: every invalid fixture's findings, written down ------------------------------


def path_text(report: Graph, path: object) -> str:
    if isinstance(path, BNode):
        inverse = report.value(path, SH.inversePath)
        return f"^{inverse}" if inverse is not None else "(path)"
    return str(path) if path is not None else "-"


def result_lines(path: Path, report: Graph | None = None) -> list[str]:
    """One line per top-level result: fixture, source shape, constraint component, path, message."""
    if report is None:
        report, _ = validate(patched(path))
    lines = []
    for result in top_level_results(report):
        fields = [
            path.name,
            str(report.value(result, SH.sourceShape)).removeprefix(str(SHAPE)),
            str(report.value(result, SH.sourceConstraintComponent)).removeprefix(str(SH)),
            path_text(report, report.value(result, SH.resultPath)),
            str(report.value(result, SH.resultMessage)).replace("\n", "\\n"),
        ]
        lines.append("\t".join(fields))
    return sorted(lines)


def test_core_messages_as_written_here() -> None:
    """Two core results with their exact text written in the test itself."""
    assert result_lines(FIXTURES / "Article-headline-invalid-two.trig") == [
        "Article-headline-invalid-two.trig\tArticle-headline\tMaxCountConstraintComponent\t"
        "https://schema.org/headline\tAn article has at most one headline, as text. "
        "Set 'headline' in the article block of the annotation, or leave it out."
    ]
    (line,) = result_lines(FIXTURES / "Article-datePublished-invalid-text.trig")
    assert line.split("\t")[:4] == [
        "Article-datePublished-invalid-text.trig",
        "Article-datePublished",
        "OrConstraintComponent",
        "https://schema.org/datePublished",
    ]


if __name__ == "__main__":
    EXPECTED_RESULTS.write_text(
        "".join(line + "\n" for p in fixtures("invalid") for line in result_lines(p)), encoding="utf-8"
    )
