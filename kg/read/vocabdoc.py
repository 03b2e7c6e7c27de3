"""Documentation of the ontology and of every concept scheme, generated from the Turtle files.

:func:`pages` renders, as a W3C vocabulary is published, one HTML page for the ontology (each
class and property with its label, definition and usage) and one per concept scheme (its concepts
in hierarchy order, each with label, notation, IRI, definition, scope note, example, synonyms,
polarity or fitting condition types, and its PLOVER / CAMEO mappings), an index page, and
``vocabularies.md`` listing every scheme's concepts for readers of the repository. ``kg docs``
writes them to ``docs/``; tests/test_vocabdoc.py checks the committed files are current, so the
lists are generated, never kept by hand. Every text is HTML-escaped.
"""

from __future__ import annotations

from html import escape
from typing import NamedTuple

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS
from rdflib.term import Node

from kg.terms import GPO, ONTOLOGY_IRI, SCHEMES, curie, scheme_iri
from kg.vocabulary import mappings_graph, ontology_graph, vocabulary_graph

FOLDER = "vocabularies"
MAPPINGS = (
    ("close match", SKOS.closeMatch),
    ("exact match", SKOS.exactMatch),
    ("broad match", SKOS.broadMatch),
    ("narrow match", SKOS.narrowMatch),
    ("related match", SKOS.relatedMatch),
)
_STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;line-height:1.45}"
    "dt{font-weight:600}code{background:#f3f3f3;padding:0 .2em}section{border-top:1px solid #ddd;padding:.5rem 0}"
    ".iri{color:#555;font-size:.9em}.sub{margin-left:1.5rem}"
)


class Page(NamedTuple):
    name: str  # file name under docs/ (``vocabularies/stance.html``, ``vocabularies.md``)
    text: str


def _en(graph: Graph, node: Node, predicate: URIRef) -> list[str]:
    """English (or untagged) literal values, sorted."""
    return sorted(
        str(o) for o in graph.objects(node, predicate) if isinstance(o, Literal) and o.language in (None, "en")
    )


def _first(graph: Graph, node: Node, predicate: URIRef) -> str:
    values = _en(graph, node, predicate)
    return values[0] if values else ""


def _html(title: str, body: list[str]) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{escape(title)}</title>\n<style>{_STYLE}</style>\n</head>\n<body>\n"
        + "\n".join(body)
        + "\n</body>\n</html>\n"
    )


def _field(name: str, values: list[str]) -> str:
    return "".join(f"<dt>{escape(name)}</dt><dd>{escape(v)}</dd>" for v in values)


def _link(graph: Graph, term: Node) -> str:
    """A term shown by label and CURIE, linked to its own IRI."""
    label = _first(graph, term, SKOS.prefLabel) or _first(graph, term, RDFS.label)
    shown = f"{label} ({curie(term)})" if label else curie(term)
    return f'<a href="{escape(str(term))}">{escape(shown)}</a>'


# -- the ontology --------------------------------------------------------------------------------


def _terms(graph: Graph, kinds: tuple[URIRef, ...]) -> list[URIRef]:
    found = {s for kind in kinds for s in graph.subjects(RDF.type, kind)}
    return sorted(t for t in found if isinstance(t, URIRef) and str(t).startswith(str(GPO._NS)))


def ontology_page() -> Page:
    graph = ontology_graph()
    title = _first(graph, ONTOLOGY_IRI, DCTERMS.title) or "Positions KG ontology"
    body = [
        f"<h1>{escape(title)}</h1>",
        f'<p class="iri">IRI: <code>{escape(str(ONTOLOGY_IRI))}</code>, version '
        f"{escape(_first(graph, ONTOLOGY_IRI, OWL.versionInfo))}, prefix <code>gpo:</code></p>",
        f"<p>{escape(_first(graph, ONTOLOGY_IRI, DCTERMS.description))}</p>",
        '<p><a href="index.html">All vocabularies</a></p>',
    ]
    for heading, kinds in (
        ("Classes", (OWL.Class,)),
        ("Properties", (OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)),
    ):
        body.append(f"<h2>{heading}</h2>")
        for term in _terms(graph, kinds):
            name = str(term)[len(str(GPO._NS)) :]
            fields = [
                _field("Definition", _en(graph, term, SKOS.definition)),
                _field("Usage", _en(graph, term, RDFS.comment)),
            ]
            for label, predicate in (
                ("Subclass of", RDFS.subClassOf),
                ("Subproperty of", RDFS.subPropertyOf),
                ("Domain", RDFS.domain),
                ("Range", RDFS.range),
                ("Disjoint with", OWL.disjointWith),
                ("See also", RDFS.seeAlso),
            ):
                targets = sorted(o for o in graph.objects(term, predicate) if isinstance(o, URIRef))
                if targets:
                    fields.append(f"<dt>{label}</dt><dd>{', '.join(_link(graph, t) for t in targets)}</dd>")
            body.append(
                f'<section id="{escape(name)}"><h3>{escape(_first(graph, term, RDFS.label))} '
                f'<span class="iri">gpo:{escape(name)}</span></h3><dl>{"".join(fields)}</dl></section>'
            )
    return Page(f"{FOLDER}/ontology.html", _html(title, body))


# -- concept schemes ---------------------------------------------------------------------------


def _in_hierarchy_order(graph: Graph, scheme: URIRef) -> list[tuple[URIRef, int]]:
    """The scheme's concepts, top concepts first, each followed by its narrower ones (depth given)."""
    members = {c for c in graph.subjects(SKOS.inScheme, scheme) if isinstance(c, URIRef)}

    def key(concept: URIRef) -> tuple[bool, str]:
        notation = str(graph.value(concept, SKOS.notation) or "")
        return (notation == "other", str(concept))

    ordered: list[tuple[URIRef, int]] = []

    def visit(concept: URIRef, depth: int) -> None:
        ordered.append((concept, depth))
        for narrower in sorted((c for c in members if (c, SKOS.broader, concept) in graph), key=key):
            visit(narrower, depth + 1)

    for top in sorted((c for c in members if not set(graph.objects(c, SKOS.broader))), key=key):
        visit(top, 0)
    return ordered


def scheme_page(scheme: str) -> Page:
    graph = vocabulary_graph() + mappings_graph()
    iri = scheme_iri(scheme)
    title = _first(graph, iri, SKOS.prefLabel) or scheme
    body = [
        f"<h1>{escape(title)}</h1>",
        f'<p class="iri">Concept scheme <code>{escape(str(iri))}</code>, prefix <code>{escape(SCHEMES[scheme])}:</code></p>',
        f"<p>{escape(_first(graph, iri, SKOS.definition))}</p>",
        *(f"<p><em>{escape(note)}</em></p>" for note in _en(graph, iri, SKOS.scopeNote)),
        '<p><a href="index.html">All vocabularies</a> · <a href="ontology.html">Ontology</a></p>',
        "<h2>Concepts</h2>",
        "<ul>",
    ]
    ordered = _in_hierarchy_order(graph, iri)
    for concept, depth in ordered:
        notation = str(graph.value(concept, SKOS.notation) or "")
        shown = f"{_first(graph, concept, SKOS.prefLabel)}" + (f" ({notation})" if notation else " (group)")
        anchor = escape(str(concept).rsplit("/", 1)[1])
        body.append(f'<li style="margin-left:{depth * 1.5}rem"><a href="#{anchor}">{escape(shown)}</a></li>')
    body.append("</ul>")
    for concept, _depth in ordered:
        notation = str(graph.value(concept, SKOS.notation) or "")
        fields = [
            _field("Notation", [notation] if notation else ["(a grouping concept: not an annotation value)"]),
            _field("Definition", _en(graph, concept, SKOS.definition)),
            _field("Scope note", _en(graph, concept, SKOS.scopeNote)),
            _field("Example", _en(graph, concept, SKOS.example)),
            _field(
                "Synonyms (may be typed)",
                [", ".join(_en(graph, concept, SKOS.altLabel))] if _en(graph, concept, SKOS.altLabel) else [],
            ),
        ]
        for label, predicate in (
            ("Broader", SKOS.broader),
            ("Polarity", GPO.polarity),
            ("Fits condition types", GPO.fitsConditionType),
            *MAPPINGS,
            ("See also", RDFS.seeAlso),
        ):
            targets = sorted(o for o in graph.objects(concept, predicate) if isinstance(o, URIRef))
            if targets:
                fields.append(f"<dt>{escape(label)}</dt><dd>{', '.join(_link(graph, t) for t in targets)}</dd>")
        anchor = escape(str(concept).rsplit("/", 1)[1])
        body.append(
            f'<section id="{anchor}"><h3>{escape(_first(graph, concept, SKOS.prefLabel))}</h3>'
            f'<p class="iri"><code>{escape(str(concept))}</code></p><dl>{"".join(fields)}</dl></section>'
        )
    return Page(f"{FOLDER}/{scheme}.html", _html(title, body))


def index_page() -> Page:
    graph = vocabulary_graph()
    items = ['<li><a href="ontology.html">Positions KG ontology</a> (classes and properties, <code>gpo:</code>)</li>']
    for scheme in sorted(SCHEMES):
        iri = scheme_iri(scheme)
        count = sum(1 for _ in graph.subjects(SKOS.inScheme, iri))
        items.append(
            f'<li><a href="{escape(scheme)}.html">{escape(_first(graph, iri, SKOS.prefLabel))}</a> '
            f"({count} concepts): {escape(_first(graph, iri, SKOS.definition))}</li>"
        )
    body = ["<h1>Positions KG vocabularies</h1>", "<ul>", *items, "</ul>"]
    return Page(f"{FOLDER}/index.html", _html("Positions KG vocabularies", body))


def markdown_page() -> Page:
    graph = vocabulary_graph()
    lines = [
        "# Vocabularies",
        "",
        "Generated by `kg docs` from `ontology/schemes/*.ttl`: do not edit by hand. Every concept an",
        "annotator may use, by scheme, with its notation (what the YAML files take; the synonyms listed",
        "in the HTML pages under [`vocabularies/`](vocabularies/index.html) are accepted too). When no",
        "concept fits, use `other` with an `other_note`.",
        "",
    ]
    for scheme in sorted(SCHEMES):
        iri = scheme_iri(scheme)
        lines += [
            f"## {_first(graph, iri, SKOS.prefLabel)} (`{scheme}`)",
            "",
            _first(graph, iri, SKOS.definition),
            "",
            "| notation | label | definition |",
            "|---|---|---|",
        ]
        for concept, depth in _in_hierarchy_order(graph, iri):
            notation = str(graph.value(concept, SKOS.notation) or "")
            shown = f"`{notation}`" if notation else "(group)"
            label = ("↳ " * depth) + _first(graph, concept, SKOS.prefLabel)
            definition = _first(graph, concept, SKOS.definition).replace("|", "\\|")
            lines.append(f"| {shown} | {label} | {definition} |")
        lines.append("")
    return Page(f"{FOLDER}.md", "\n".join(lines))


def pages() -> list[Page]:
    """Every generated documentation file, by its path under ``docs/``."""
    return [index_page(), ontology_page(), *(scheme_page(s) for s in sorted(SCHEMES)), markdown_page()]
