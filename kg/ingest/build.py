"""Turn checked annotations into RDF: pure functions, no I/O.

``article_graph`` maps one :class:`~kg.annotations.Article` to the triples of its named graph,
``registry_graph`` maps the registry, ``provenance_graph`` records how an article graph was made.
IRIs come from :mod:`kg.iris` only, so the same input always gives the same triples.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, ORG, PROV, RDF, RDFS, SKOS, XSD

from kg.ingest.anchoring import Anchor
from kg.ingest.annotations import Article, Registry, evidence_items
from kg.ingest.drafts import drafting_triples
from kg.ingest.yamlfile import JsonPath
from kg.iris import (
    article_iri,
    ingest_activity_iri,
    part_iri,
    registry_iri,
    software_iri,
    source_file_iri,
    span_iri,
)
from kg.terms import GPO, OA, ONTOLOGY_IRI, SCHEMA, concept
from kg.terms import article_graph as article_graph_iri

WIKIDATA_ENTITY = "http://www.wikidata.org/entity/"

ACTOR_CLASSES = {
    "Person": GPO.Person,
    "State": GPO.State,
    "InternationalOrganization": GPO.InternationalOrganization,
    "GovernmentBody": GPO.GovernmentBody,
    "ArmedForces": GPO.ArmedForces,
    "MediaOrganization": GPO.MediaOrganization,
    "ActorGroup": GPO.ActorGroup,
    "NonStateArmedGroup": GPO.NonStateArmedGroup,
    "Platform": GPO.Platform,
    "PoliticalParty": GPO.PoliticalParty,
    "Legislature": GPO.Legislature,
}
#: Registry keys that link one entry to others, and the property each becomes.
REGISTRY_LINKS = {
    "member_of": ORG.memberOf,
    "members": ORG.hasMember,
    "close_match": RDFS.seeAlso,  # actors are not SKOS concepts: no skos:closeMatch between them
    "held_by": ORG.heldBy,
    "agents": GPO.agent,
    "targets": GPO.target,
}
REGISTRY_CLASSES = {"posts": ORG.Post, "places": SCHEMA.Place, "things": SCHEMA.Thing, "events": GPO.Event}


def _registry_ref(registry: Registry, slug: str) -> URIRef:
    section = registry.section(slug)
    if section is None:  # annotations.py checked every reference; this is a programming error
        raise KeyError(f"unresolved registry slug {slug!r}")
    return registry_iri(section, slug)


def registry_graph(registry: Registry) -> Graph:
    """The registry's triples (the ``graph/registry`` named graph)."""
    graph = Graph()
    add = graph.add
    for section, entries in registry.sections.items():
        for entry in entries:
            node = registry_iri(section, entry["id"])
            add((node, RDF.type, ACTOR_CLASSES[entry["type"]] if section == "actors" else REGISTRY_CLASSES[section]))
            add((node, RDFS.label, Literal(entry["label"], lang="en")))
            for alt in entry.get("alt_labels") or []:
                add((node, SKOS.altLabel, Literal(alt, lang="en")))
            if "description" in entry:
                add((node, SCHEMA.description, Literal(entry["description"], lang="en")))
            if "wikidata" in entry:
                add((node, GPO.wikidata, URIRef(WIKIDATA_ENTITY + entry["wikidata"])))
            for key, predicate in REGISTRY_LINKS.items():
                for slug in entry.get(key) or []:
                    add((node, predicate, _registry_ref(registry, slug)))
            if "post_in" in entry:
                add((node, ORG.postIn, _registry_ref(registry, entry["post_in"])))
    return graph


class _ArticleBuilder:
    """Holds the article-wide context while its parts are added to one graph."""

    def __init__(self, article: Article, registry: Registry) -> None:
        self.article, self.registry = article, registry
        self.data = article.data
        self.lang = self.data["article"]["language"]
        self.iri = article_iri(article.source_id)
        self.graph = Graph()
        self.kinds = dict(evidence_items(self.data))

    def add(self, s: URIRef, p: URIRef, o: URIRef | Literal) -> None:
        self.graph.add((s, p, o))

    def text(self, value: str) -> Literal:
        return Literal(value, lang=self.lang)

    def local(self, kind: str, slug: str) -> URIRef:
        return part_iri(self.iri, kind, slug)

    def refs(self, node: URIRef, predicate: URIRef, slugs: list[str] | None) -> None:
        for slug in slugs or []:
            self.add(node, predicate, _registry_ref(self.registry, slug))

    def described(self, node: URIRef, record: dict[str, Any]) -> None:
        """What a record says about its own description: the note of an 'other' value, a framing."""
        if "other_note" in record:
            self.add(node, GPO.otherNote, Literal(record["other_note"], lang="en"))
        self.refs(node, GPO.framedBy, record.get("framed_by"))
        if "framing" in record:
            self.add(node, GPO.framing, self.text(record["framing"]))

    def span(self, path: JsonPath) -> URIRef:
        found: Anchor = self.article.anchors[path]
        item = self.kinds[path]
        node = span_iri(self.iri, found.start, found.end)
        quote, position = URIRef(f"{node}#quote"), URIRef(f"{node}#position")
        self.add(node, RDF.type, GPO.EvidenceSpan)
        self.add(node, OA.hasSource, self.iri)
        self.add(node, GPO.evidenceKind, concept("evidence-kind", item["kind"]))
        if item.get("edited"):
            self.add(node, GPO.editedQuote, Literal(True))
        self.described(node, item)
        self.add(node, OA.hasSelector, quote)
        self.add(node, OA.hasSelector, position)
        self.add(quote, RDF.type, OA.TextQuoteSelector)
        self.add(quote, OA.exact, Literal(found.exact))
        self.add(quote, OA.prefix, Literal(found.prefix))
        self.add(quote, OA.suffix, Literal(found.suffix))
        self.add(position, RDF.type, OA.TextPositionSelector)
        self.add(position, OA.start, Literal(found.start, datatype=XSD.nonNegativeInteger))
        self.add(position, OA.end, Literal(found.end, datatype=XSD.nonNegativeInteger))
        return node

    def build(self) -> Graph:
        self.article_node()
        for venue in self.data.get("venues") or []:
            self.venue(venue)
        for index, statement in enumerate(self.data["statements"]):
            self.statement(index, statement)
        for action in self.data["actions"]:
            self.action(action)
        for index, position in enumerate(self.data["positions"]):
            self.position(index, position)
        return self.graph

    def article_node(self) -> None:
        meta, node = self.data["article"], self.iri
        self.add(node, RDF.type, GPO.Article)
        self.add(node, SCHEMA.headline, self.text(meta["headline"]))
        published = meta["published"]
        self.add(
            node, SCHEMA.datePublished, Literal(published, datatype=XSD.dateTime if "T" in published else XSD.date)
        )
        self.add(node, SCHEMA.publisher, _registry_ref(self.registry, meta["publisher"]))
        self.add(node, SCHEMA.inLanguage, Literal(self.lang))
        self.add(node, GPO.sourceId, Literal(self.article.source_id))
        self.add(node, GPO.textSha256, Literal(self.article.text_sha256))
        if "url" in meta:
            self.add(node, SCHEMA.url, URIRef(meta["url"]))
        if "context" in meta:
            self.add(node, GPO.inContextOf, _registry_ref(self.registry, meta["context"]))

    def venue(self, venue: dict[str, Any]) -> None:
        node = self.local("venue", venue["id"])
        self.add(node, RDF.type, GPO.Venue)
        self.add(node, GPO.venueType, concept("venue-type", venue["type"]))
        self.refs(node, GPO.medium, [venue["medium"]] if "medium" in venue else [])
        self.refs(node, GPO.place, [venue["place"]] if "place" in venue else [])
        self.refs(node, GPO.participant, venue.get("participants"))
        if "date" in venue:
            self.add(node, GPO.date, Literal(venue["date"], datatype=XSD.date))
        self.described(node, venue)

    def statement(self, index: int, statement: dict[str, Any]) -> None:
        node = self.local("statement", statement["id"])
        self.add(node, RDF.type, GPO.Statement)
        self.add(node, GPO.reportedIn, self.iri)
        self.refs(node, GPO.speaker, statement.get("speakers"))
        if "speaker_description" in statement:
            self.add(node, GPO.speakerDescription, self.text(statement["speaker_description"]))
        self.refs(node, GPO.speakerCapacity, [statement["capacity"]] if "capacity" in statement else [])
        self.refs(node, GPO.onBehalfOf, statement.get("on_behalf_of"))
        if "venue" in statement:
            self.add(node, GPO.venue, self.local("venue", statement["venue"]))
        if "venue_certainty" in statement:
            self.add(node, GPO.venueCertainty, concept("certainty", statement["venue_certainty"]))
        if "stated_on" in statement:
            self.add(node, GPO.statedOn, Literal(statement["stated_on"], datatype=XSD.date))
        self.add(node, GPO.dateBasis, concept("date-basis", statement["date_basis"]))
        if "original_language" in statement:
            self.add(node, GPO.originalLanguage, Literal(statement["original_language"], datatype=XSD.language))
        if "translated" in statement:
            self.add(node, GPO.translated, Literal(statement["translated"]))
        for k in range(len(statement["evidence"])):
            self.add(node, GPO.hasEvidence, self.span(("statements", index, "evidence", k)))
        self.described(node, statement)

    def action(self, action: dict[str, Any]) -> None:
        node = self.local("action", action["id"])
        self.add(node, RDF.type, GPO.Action)
        self.add(node, RDFS.label, self.text(action["label"]))
        for notation in action["types"]:
            self.add(node, GPO.actionType, concept("action-type", notation))
        self.refs(node, GPO.agent, action.get("agents"))
        self.refs(node, GPO.target, action.get("targets"))
        self.refs(node, GPO.beneficiary, action.get("beneficiaries"))
        self.refs(node, GPO.instrument, action.get("instruments"))
        if "status" in action:
            self.add(node, GPO.actionStatus, concept("action-status", action["status"]))
        self.refs(node, GPO.inContextOf, [action["context"]] if "context" in action else [])
        self.described(node, action)

    def position(self, index: int, position: dict[str, Any]) -> None:
        node = self.local("position", position["id"])
        self.add(node, RDF.type, GPO.Position)
        self.refs(node, GPO.holder, position["holders"])
        self.add(node, GPO.stance, concept("stance", position["stance"]))
        self.add(node, GPO.towards, self.local("action", position["action"]))
        for slug in position["expressed_in"]:
            statement = self.local("statement", slug)
            self.add(node, GPO.expressedIn, statement)
            self.add(statement, GPO.expresses, node)
        self.add(node, GPO.modality, concept("modality", position.get("modality", "asserted")))
        self.add(node, GPO.status, concept("position-status", position.get("status", "current")))
        if "exception_to" in position:
            self.add(node, GPO.exceptionTo, self.local("position", position["exception_to"]))
        for slug in position.get("in_tension_with") or []:
            other = self.local("position", slug)
            self.add(node, GPO.inTensionWith, other)
            self.add(other, GPO.inTensionWith, node)
        self.described(node, position)
        conditions = position.get("conditions") or []
        totals = Counter(c["type"] for c in conditions)
        seen: Counter[str] = Counter()
        for j, condition in enumerate(conditions):
            kind = condition["type"]
            seen[kind] += 1
            slug = kind if totals[kind] == 1 else f"{kind}-{seen[kind]}"
            self.condition(node, part_iri(node, "condition", slug), ("positions", index, "conditions", j), condition)

    def condition(self, position: URIRef, node: URIRef, path: JsonPath, condition: dict[str, Any]) -> None:
        self.add(position, GPO.hasCondition, node)
        self.add(node, RDF.type, GPO.Condition)
        self.add(node, GPO.conditionType, concept("condition-type", condition["type"]))
        for notation in condition.get("values") or []:
            self.add(node, GPO.conditionValue, concept("condition-value", notation))
        self.refs(node, GPO.conditionValue, condition.get("refs"))
        if "carve_out" in condition:
            self.add(node, GPO.conditionValue, self.local("position", condition["carve_out"]))
        if "operator" in condition:
            self.add(node, GPO.operator, concept("operator", condition["operator"]))
        self.add(node, GPO.conditionText, self.text(condition["text"]))
        self.described(node, condition)
        for k in range(len(condition.get("evidence") or [])):
            self.add(node, GPO.hasEvidence, self.span((*path, "evidence", k)))


def article_graph(article: Article, registry: Registry) -> Graph:
    """Triples of one article's named graph; no blank nodes, deterministic IRIs."""
    return _ArticleBuilder(article, registry).build()


def provenance_graph(article: Article, *, ingested_at: datetime, version: str) -> Graph:
    """How the article graph was made: from which files (with SHA-256), when, by which software."""
    graph = Graph()
    add = graph.add
    source_id = article.source_id
    bundle, activity = article_graph_iri(source_id), ingest_activity_iri(source_id)
    software = software_iri(version)
    add((bundle, RDF.type, PROV.Bundle))
    add((bundle, PROV.wasDerivedFrom, article_iri(source_id)))
    add((bundle, PROV.wasGeneratedBy, activity))
    if "annotator" in article.data["article"]:
        add((bundle, DCTERMS.creator, Literal(article.data["article"]["annotator"])))
    add((activity, RDF.type, GPO.AnnotationActivity))
    add((activity, PROV.endedAtTime, Literal(ingested_at.isoformat(timespec="seconds"), datatype=XSD.dateTime)))
    add((activity, PROV.wasAssociatedWith, software))
    add((activity, PROV.used, ONTOLOGY_IRI))
    for triple in drafting_triples(article.data, activity, source_id):  # drafted by `kg draft`: which rules
        add(triple)
    for role, path, digest in (
        ("annotation", article.path, article.annotation_sha256),
        ("text", article.text_path, article.text_sha256),
    ):
        node = source_file_iri(source_id, role)
        add((activity, PROV.used, node))
        add((node, RDF.type, PROV.Entity))
        add((node, SCHEMA.name, Literal(path.name)))
        add((node, GPO.sha256, Literal(digest)))
    add((software, RDF.type, PROV.SoftwareAgent))
    add((software, RDFS.label, Literal("Positions KG", lang="en")))
    add((software, SCHEMA.softwareVersion, Literal(version)))
    return graph
