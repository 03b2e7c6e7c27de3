"""The published documentation (issue 13): an HTML page for the ontology and for every concept
scheme, generated from the Turtle files by `kg docs`, and the generated list of every scheme's
concepts. The committed files are current, and each page says what it must."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import pytest
from rdflib import URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from kg.cli import main
from kg.read.vocabdoc import pages
from kg.terms import GPO, SCHEMES, scheme_iri
from kg.vocabulary import concepts, ontology_graph, vocabulary_graph

DOCS = Path(__file__).resolve().parent.parent / "docs"


class _Page(HTMLParser):
    """The ids, the text of each section and whether every opened element was closed."""

    VOID = {"meta", "br", "img", "link", "hr", "input"}

    def __init__(self, text: str) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.sections: dict[str, list[str]] = {}
        self.current: str | None = None
        self.texts: list[str] = []
        self.feed(text)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in self.VOID:
            self.stack.append(tag)
        if tag == "section":
            self.current = dict(attrs)["id"]
            self.sections[self.current or ""] = []

    def handle_endtag(self, tag: str) -> None:
        assert self.stack and self.stack.pop() == tag, f"</{tag}> closes nothing"
        if tag == "section":
            self.current = None

    def handle_data(self, data: str) -> None:
        self.texts.append(data)
        if self.current is not None:
            self.sections[self.current].append(data)


def parsed(name: str) -> _Page:
    page = _Page((DOCS / name).read_text(encoding="utf-8"))
    assert page.stack == [], f"{name}: unclosed {page.stack}"
    return page


def test_committed_docs_are_generated_from_the_turtle_files() -> None:
    for page in pages():
        assert (DOCS / page.name).read_text(encoding="utf-8") == page.text, f"docs/{page.name} is stale: run 'kg docs'"


def test_kg_docs_writes_every_page(tmp_path: Path) -> None:
    assert main(["docs", "--out", str(tmp_path)]) == 0
    written = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if p.is_file())
    assert written == sorted(page.name for page in pages())
    assert {f"vocabularies/{s}.html" for s in SCHEMES} | {"vocabularies/ontology.html"} <= set(written)


def test_ontology_page_documents_every_class_and_property() -> None:
    page, graph = parsed("vocabularies/ontology.html"), ontology_graph()
    for name in GPO.__annotations__:
        term = URIRef(f"{GPO._NS}{name}")
        text = " ".join(page.sections[name])
        assert str(graph.value(term, RDFS.label)) in text, name
        assert str(graph.value(term, SKOS.definition)) in text, name
    assert "gpo:Event" in " ".join(page.sections["Action"])  # disjointness is shown
    assert {
        str(t).rsplit("#", 1)[1] for t in graph.subjects(RDF.type, OWL.Class) if str(t).startswith(str(GPO._NS))
    } <= set(page.sections)


@pytest.mark.parametrize("scheme", sorted(SCHEMES))
def test_scheme_page_lists_every_concept_with_label_definition_and_example(scheme: str) -> None:
    page, graph = parsed(f"vocabularies/{scheme}.html"), vocabulary_graph()
    members = set(graph.subjects(SKOS.inScheme, scheme_iri(scheme)))
    assert {str(c).rsplit("/", 1)[1] for c in members} == set(page.sections)
    for concept in members:
        text = " ".join(page.sections[str(concept).rsplit("/", 1)[1]])
        assert str(graph.value(concept, SKOS.prefLabel)) in text
        assert str(graph.value(concept, SKOS.definition)) in text
        for example in graph.objects(concept, SKOS.example):
            assert str(example) in text
        assert str(concept) in text


def test_scheme_pages_show_synonyms_polarity_fits_and_mappings() -> None:
    stance = parsed("vocabularies/stance.html").sections
    condemns = " ".join(stance["condemns"])
    assert "denounces" in condemns and "polarity" in condemns.lower() and "negative" in condemns
    assert "ACCUSE (" in condemns and "Criticize or denounce" in condemns
    values = parsed("vocabularies/condition-value.html").sections
    assert "legal objection (cond:legal-objection)" in " ".join(values["no-imminent-threat"])


def test_markdown_lists_every_scheme_and_concept() -> None:
    text = (DOCS / "vocabularies.md").read_text(encoding="utf-8")
    for scheme in SCHEMES:
        assert f"(`{scheme}`)" in text
        for notation in concepts(scheme):
            assert f"| `{notation}` |" in text, (scheme, notation)
