"""Dereferencing: a project IRI (``/id/...``, the ontology, a scheme or a concept) as a document.

The namespace base (:data:`kg.terms.BASE`) maps onto this server's root, so
``https://w3id.org/positions-kg/id/actor/nato`` is served at ``/id/actor/nato``. A browser gets an
HTML page (label, definition, example, then every triple about the resource, with links); an RDF
client gets Turtle, JSON-LD, N-Triples or RDF/XML by content negotiation. The ontology's document
holds every term it defines (``rdfs:isDefinedBy``), a scheme's document every concept in it, as the
hash IRIs of the ontology (``ontology#Actor``) resolve to the ontology's document.

Triples come from the store (all its graphs) and from the shipped ontology and schemes, so the
vocabulary dereferences even against an empty store. Runs inside a query worker.
"""

from __future__ import annotations

from html import escape

import pyoxigraph as ox
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, RDFS, SKOS
from rdflib.term import Node

from kg.read.serve.pages import page, term_html
from kg.read.serve.protocol import Reply
from kg.store import EmbeddedStore, rdflib_triple, to_rdflib
from kg.terms import ONTOLOGY_IRI, namespace_manager
from kg.vocabulary import ontology_graph, vocabulary_graph

LABELS = (SKOS.prefLabel, RDFS.label)
DEFINITIONS = (SKOS.definition, RDFS.comment)
MEDIA_TYPES = {
    "turtle": "text/turtle",
    "json-ld": "application/ld+json",
    "nt": "application/n-triples",
    "xml": "application/rdf+xml",
}


def _shipped() -> Graph:
    graph = Graph()
    for part in (ontology_graph(), vocabulary_graph()):
        for triple in part:
            graph.add(triple)
    return graph


_SHIPPED: Graph | None = None


def shipped() -> Graph:
    """The ontology and every scheme, read once per worker."""
    global _SHIPPED
    if _SHIPPED is None:
        _SHIPPED = _shipped()
    return _SHIPPED


def about(store: EmbeddedStore, subject: URIRef) -> Graph:
    """Every triple whose subject is ``subject``, from the store and the shipped vocabulary."""
    graph = Graph(namespace_manager=namespace_manager())
    for quad in store.oxigraph.quads_for_pattern(ox.NamedNode(str(subject)), None, None, None):
        graph.add(rdflib_triple(quad))
    for triple in shipped().triples((subject, None, None)):
        graph.add(triple)
    return graph


def members(store: EmbeddedStore, iri: URIRef) -> list[URIRef]:
    """The terms an ontology defines or the concepts a scheme holds, in IRI order."""
    link = RDFS.isDefinedBy if iri == ONTOLOGY_IRI else SKOS.inScheme
    found = {s for s in shipped().subjects(link, iri) if isinstance(s, URIRef)}
    for quad in store.oxigraph.quads_for_pattern(None, ox.NamedNode(str(link)), ox.NamedNode(str(iri)), None):
        subject = to_rdflib(quad.subject)
        if isinstance(subject, URIRef):
            found.add(subject)
    return sorted(found)


def first(graph: Graph, subject: Node, predicates: tuple[URIRef, ...]) -> str | None:
    """The English (else any) value of the first predicate that has one."""
    for predicate in predicates:
        values = list(graph.objects(subject, predicate))
        for value in values:
            if getattr(value, "language", None) in ("en", None):
                return str(value)
        if values:
            return str(values[0])
    return None


def answer(store: EmbeddedStore, iri: str, media: str) -> Reply:
    """The document for ``iri`` as ``media`` (a key of ``DESCRIBE_TYPES``' values), or a 404."""
    subject = URIRef(iri)
    document = about(store, subject)
    parts = members(store, subject)
    for part in parts:
        document += about(store, part)
    if not len(document):
        return Reply.text(404, f"nothing is known about <{iri}> in this store or the shipped vocabulary")
    if media != "html":
        data = document.serialize(format=media, encoding="utf-8")
        return Reply(200, f"{MEDIA_TYPES[media]}; charset=utf-8", data)
    return Reply(200, "text/html; charset=utf-8", html_document(store, subject, document, parts).encode("utf-8"))


def html_document(store: EmbeddedStore, subject: URIRef, document: Graph, parts: list[URIRef]) -> str:
    labels = Labels(store, document)
    title = first(document, subject, LABELS) or str(subject)
    body = [f"<p><code>{escape(str(subject))}</code></p>", describe_html(document, subject, labels)]
    if parts:
        heading = "Terms defined here" if subject == ONTOLOGY_IRI else "Concepts in this scheme"
        body.append(f"<h2>{heading} ({len(parts)})</h2>")
        for part in parts:
            anchor = escape(part.split("#", 1)[1] if "#" in part else part.rsplit("/", 1)[-1])
            name = escape(first(document, part, LABELS) or str(part))
            body.append(
                f'<section class="term" id="{anchor}"><h3>{name} {term_html(part)}</h3>'
                f"{describe_html(document, part, labels)}</section>"
            )
    return page(title, "".join(body))


def describe_html(document: Graph, subject: URIRef, labels: Labels) -> str:
    """Definition and example first, then a table of every triple about ``subject``."""
    out = []
    definition = first(document, subject, DEFINITIONS[:1]) or first(document, subject, DEFINITIONS[1:])
    if definition:
        out.append(f'<p class="definition">{escape(definition)}</p>')
    example = first(document, subject, (SKOS.example,))
    if example:
        out.append(f'<p class="example"><em>Example:</em> {escape(example)}</p>')
    rows = sorted(document.predicate_objects(subject), key=lambda po: (po[0] != RDF.type, str(po[0]), str(po[1])))
    if rows:
        cells = "".join(f"<tr><td>{term_html(p)}</td><td>{term_html(o, labels.get(o))}</td></tr>" for p, o in rows)
        out.append(f"<table><thead><tr><th>property</th><th>value</th></tr></thead><tbody>{cells}</tbody></table>")
    return "".join(out)


class Labels:
    """Labels of the IRIs a page links to, looked up once each (the document, then store and vocabulary)."""

    def __init__(self, store: EmbeddedStore, document: Graph) -> None:
        self.store, self.document = store, document
        self.cache: dict[Node, str | None] = {}

    def get(self, term: Node) -> str | None:
        if not isinstance(term, URIRef):
            return None
        if term not in self.cache:
            self.cache[term] = first(self.document, term, LABELS) or first(about(self.store, term), term, LABELS)
        return self.cache[term]
