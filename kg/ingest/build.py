"""Turn checked annotations into RDF: pure functions, no I/O.

``article_triples`` maps one :class:`~kg.annotations.Article` to the triples of its named graph,
``registry_graph`` maps the registry, ``provenance_triples`` records how an article graph was made.
IRIs come from :mod:`kg.iris` only, so the same input always gives the same triples.

An article's triples are collected as :class:`Triples`, not as an rdflib graph: ingest only ever
stores them as N-Triples text (and the SHACL screen reads that text), and adding to an rdflib graph
cost about a quarter of preparing an article (its indexes and events). The registry and corpus stay
rdflib graphs: pySHACL validates every batch with them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import datetime
from typing import Any, Protocol

from rdflib import Graph, Literal, URIRef
from rdflib import namespace as ns

from kg import terms
from kg.ingest.anchoring import Anchor
from kg.ingest.annotations import (
    CHANGE_KEYS,
    Article,
    Corpus,
    Registry,
    evidence_items,
    expressed_positions,
    speaker_offices,
)
from kg.ingest.drafts import drafting_triples
from kg.ingest.yamlfile import JsonPath
from kg.iris import (
    article_iri,
    communication_iri,
    corpus_action_iri,
    corpus_position_iri,
    ingest_activity_iri,
    office_term_iri,
    part_iri,
    registry_iri,
    software_iri,
    source_file_iri,
    span_iri,
)
from kg.store import ntriples
from kg.terms import ONTOLOGY_IRI, Terms, concept
from kg.terms import article_graph as article_graph_iri

Triple = tuple[URIRef, URIRef, URIRef | Literal]

# The namespaces, each term made once (see kg.terms.Terms): the builder is the ingest's hot path.
GPO, OA, SCHEMA = Terms(terms.GPO), Terms(terms.OA), Terms(terms.SCHEMA)
DCTERMS, ORG, PROV, RDF, RDFS, SKOS, TIME, XSD = (
    Terms(namespace) for namespace in (ns.DCTERMS, ns.ORG, ns.PROV, ns.RDF, ns.RDFS, ns.SKOS, ns.TIME, ns.XSD)
)


class _Sink(Protocol):
    """Where triples are added: an rdflib graph (registry, corpus) or :class:`Triples` (an article)."""

    def add(self, triple: Triple, /) -> object: ...


class Triples:
    """Triples in the order they were added, each once (as a graph holds them)."""

    def __init__(self) -> None:
        self._triples: dict[Triple, None] = {}

    def add(self, triple: Triple, /) -> None:
        self._triples[triple] = None

    def __len__(self) -> int:
        return len(self._triples)

    def __iter__(self) -> Iterator[Triple]:
        return iter(self._triples)

    def ntriples(self) -> str:
        """The triples as an N-Triples document (see :func:`kg.store.ntriples`)."""
        return ntriples(self._triples)

    def graph(self) -> Graph:
        """The triples as an rdflib graph, for pySHACL."""
        graph = Graph()
        for triple in self._triples:
            graph.add(triple)
        return graph


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
            if "part_of" in entry:  # a government is an organ of its state, not a member of it
                add((node, ORG.subOrganizationOf, _registry_ref(registry, entry["part_of"])))
            for index, term in enumerate(entry.get("terms") or [], start=1):
                _office_term(graph, registry, node, index, term)
            if "date" in entry:
                add((node, GPO.occurredOn, Literal(entry["date"], datatype=XSD.date)))
            if "instance_of" in entry:
                add((node, GPO.instanceOf, _registry_ref(registry, entry["instance_of"])))
    return graph


def _office_term(graph: _Sink, registry: Registry, post: URIRef, index: int, term: dict[str, Any]) -> None:
    """One tenure of an office: ORG membership of the holder during an OWL-Time interval."""
    node = office_term_iri(post, index)
    interval = URIRef(f"{node}#interval")
    graph.add((node, RDF.type, GPO.OfficeTerm))
    graph.add((node, GPO.termOf, post))
    graph.add((node, GPO.officeHolder, _registry_ref(registry, term["holder"])))
    graph.add((node, ORG.memberDuring, interval))
    graph.add((interval, RDF.type, TIME.Interval))
    for key, predicate in (("start", TIME.hasBeginning), ("end", TIME.hasEnd)):
        if key in term:
            instant = URIRef(f"{node}#{key}")
            graph.add((interval, predicate, instant))
            graph.add((instant, RDF.type, TIME.Instant))
            graph.add((instant, TIME.inXSDDate, Literal(term[key], datatype=XSD.date)))


#: The datatype of a publication date by its length: year, year-month, date, date-time.
PUBLISHED_TYPES = {4: XSD.gYear, 7: XSD.gYearMonth, 10: XSD.date}


def _speakers(graph: _Sink, registry: Registry, node: URIRef, statement: dict[str, Any]) -> None:
    """Speakers, each with the office it spoke in (a speaker role); a statement with one office
    also has it as its capacity (``gpo:speakerCapacity`` is one office per statement)."""
    pairs = speaker_offices(statement)
    offices = [office for _speaker, office in pairs if office]
    if len(offices) == 1:
        graph.add((node, GPO.speakerCapacity, _registry_ref(registry, offices[0])))
    for speaker, office in pairs:
        graph.add((node, GPO.speaker, _registry_ref(registry, speaker)))
        if office is None:
            continue
        post = _registry_ref(registry, office)
        role = part_iri(node, "speaker", speaker)
        graph.add((node, GPO.hasSpeakerRole, role))
        graph.add((role, RDF.type, GPO.SpeakerRole))
        graph.add((role, GPO.roleSpeaker, _registry_ref(registry, speaker)))
        graph.add((role, GPO.roleOffice, post))


def _described(graph: _Sink, registry: Registry, node: URIRef, record: dict[str, Any], lang: str) -> None:
    """What a record says about its own description: the note of an 'other' value, a framing."""
    if "other_note" in record:
        graph.add((node, GPO.otherNote, Literal(record["other_note"], lang="en")))
    for slug in record.get("framed_by") or []:
        graph.add((node, GPO.framedBy, _registry_ref(registry, slug)))
    if "framing" in record:
        graph.add((node, GPO.framing, Literal(record["framing"], lang=lang)))


def _position_core(
    graph: _Sink, registry: Registry, node: URIRef, position: dict[str, Any], resolve: Any, lang: str
) -> None:
    """What a position says, wherever it is defined: holder, stance, modality, status, links."""
    add = graph.add
    for slug in position["holders"]:
        add((node, GPO.holder, _registry_ref(registry, slug)))
    add((node, GPO.stance, concept("stance", position["stance"])))
    add((node, GPO.modality, concept("modality", position.get("modality", "asserted"))))
    add((node, GPO.status, concept("position-status", position.get("status", "current"))))
    if "exception_to" in position:
        add((node, GPO.exceptionTo, resolve(position["exception_to"])))
    for slug in position.get("in_tension_with") or []:
        other = resolve(slug)
        add((node, GPO.inTensionWith, other))
        add((other, GPO.inTensionWith, node))
    for key in CHANGE_KEYS:
        for slug in position.get(key) or []:
            add((node, CHANGE_PREDICATES[key], resolve(slug)))
    if "change_type" in position:
        add((node, GPO.changeType, concept("change-type", position["change_type"])))
    _described(graph, registry, node, position, lang)


CHANGE_PREDICATES = {
    "supersedes": GPO.supersedes,
    "reaffirms": GPO.reaffirms,
    "reverses": GPO.reverses,
    "retracts": GPO.retracts,
}


def _condition_core(graph: _Sink, registry: Registry, node: URIRef, condition: dict[str, Any], lang: str) -> None:
    add = graph.add
    add((node, GPO.conditionType, concept("condition-type", condition["type"])))
    for notation in condition.get("values") or []:
        add((node, GPO.conditionValue, concept("condition-value", notation)))
    for slug in condition.get("refs") or []:
        add((node, GPO.conditionValue, _registry_ref(registry, slug)))
    if "operator" in condition:
        add((node, GPO.operator, concept("operator", condition["operator"])))
    add((node, GPO.conditionText, Literal(condition["text"], lang=lang)))
    if "fired_by" in condition:
        add((node, GPO.firedBy, _registry_ref(registry, condition["fired_by"])))
    _described(graph, registry, node, condition, lang)


def condition_slugs(conditions: list[dict[str, Any]]) -> list[str]:
    """The IRI slug of each condition: its type, or ``{type}-2``, ... when a type repeats."""
    totals = Counter(c["type"] for c in conditions)
    seen: Counter[str] = Counter()
    slugs = []
    for condition in conditions:
        kind = condition["type"]
        seen[kind] += 1
        slugs.append(kind if totals[kind] == 1 else f"{kind}-{seen[kind]}")
    return slugs


def _action_core(graph: _Sink, registry: Registry, node: URIRef, action: dict[str, Any], lang: str) -> None:
    add = graph.add
    add((node, RDF.type, GPO.Action))
    add((node, RDFS.label, Literal(action["label"], lang=lang)))
    for notation in action["types"]:
        add((node, GPO.actionType, concept("action-type", notation)))
    for key, predicate in (
        ("agents", GPO.agent),
        ("targets", GPO.target),
        ("beneficiaries", GPO.beneficiary),
        ("instruments", GPO.instrument),
    ):
        for slug in action.get(key) or []:
            add((node, predicate, _registry_ref(registry, slug)))
    if "status" in action:
        add((node, GPO.actionStatus, concept("action-status", action["status"])))
    if "context" in action:
        add((node, GPO.inContextOf, _registry_ref(registry, action["context"])))
    _described(graph, registry, node, action, lang)


def corpus_graph(registry: Registry) -> Graph:
    """The corpus-level definitions (the ``graph/corpus`` named graph).

    Communications, their positions and the positions' conditions get no ``rdf:type`` here: every
    article that reports a communication types it (and its positions and conditions) in its own
    graph, so they appear in answers exactly while some article reports them (see
    :func:`kg.shacl.engine.corpus_context` for validation). Actions are typed here: they are what positions of many
    articles are about.
    """
    corpus: Corpus = registry.corpus
    graph = Graph()
    add = graph.add
    for slug, action in corpus.actions.items():
        _action_core(graph, registry, corpus_action_iri(slug), action, "en")
    for slug, communication in corpus.communications.items():
        node = communication_iri(slug)
        add((node, RDF.type, GPO.Communication))
        if "label" in communication:
            add((node, RDFS.label, Literal(communication["label"], lang="en")))
        _speakers(graph, registry, node, communication)
        if "speaker_description" in communication:
            add((node, GPO.speakerDescription, Literal(communication["speaker_description"], lang="en")))
        for actor in communication.get("on_behalf_of") or []:
            add((node, GPO.onBehalfOf, _registry_ref(registry, actor)))
        venue = part_iri(node, "venue", "occasion")
        add((node, GPO.venue, venue))
        add((venue, RDF.type, GPO.Venue))
        add((venue, GPO.venueType, concept("venue-type", communication["type"])))
        for key, predicate in (("medium", GPO.medium), ("place", GPO.place)):
            if key in communication:
                add((venue, predicate, _registry_ref(registry, communication[key])))
        if "date" in communication:
            add((venue, GPO.date, Literal(communication["date"], datatype=XSD.date)))
            add((node, GPO.statedOn, Literal(communication["date"], datatype=XSD.date)))
        add((node, GPO.dateBasis, concept("date-basis", communication["date_basis"])))
        if "context" in communication:
            add((node, GPO.inContextOf, _registry_ref(registry, communication["context"])))
        if "original_language" in communication:
            add((node, GPO.originalLanguage, Literal(communication["original_language"], datatype=XSD.language)))
        for position in communication.get("positions") or []:
            pnode = corpus_position_iri(position["id"])
            add((pnode, GPO.expressedIn, node))
            add((node, GPO.expresses, pnode))
            add((pnode, GPO.towards, corpus_action_iri(position["action"])))
            _position_core(graph, registry, pnode, position, corpus_position_iri, "en")
            conditions = position.get("conditions") or []
            for condition, cslug in zip(conditions, condition_slugs(conditions), strict=True):
                cnode = part_iri(pnode, "condition", cslug)
                add((pnode, GPO.hasCondition, cnode))
                _condition_core(graph, registry, cnode, condition, "en")
    return graph


class _ArticleBuilder:
    """Holds the article-wide context while its parts are added to one graph."""

    def __init__(self, article: Article, registry: Registry) -> None:
        self.article, self.registry = article, registry
        self.data = article.data
        self.lang = self.data["article"]["language"]
        self.iri = article_iri(article.source_id)
        self.graph = Triples()
        self.kinds = dict(evidence_items(self.data))
        self.corpus = registry.corpus
        self.expressed = expressed_positions(self.data, self.corpus)
        self.local_positions = {p["id"] for p in self.data["positions"]}
        self.local_actions = {a["id"] for a in self.data["actions"]}
        self.statement_nodes = {
            s["id"]: communication_iri(s["communication"]) if "communication" in s else self.local("statement", s["id"])
            for s in self.data["statements"]
        }

    def position_node(self, slug: str) -> URIRef:
        """A position id of this article or, failing that, of the corpus."""
        return self.local("position", slug) if slug in self.local_positions else corpus_position_iri(slug)

    def action_node(self, slug: str) -> URIRef:
        return self.local("action", slug) if slug in self.local_actions else corpus_action_iri(slug)

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
        _described(self.graph, self.registry, node, record, self.lang)

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

    def build(self) -> Triples:
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
        if "headline" in meta:
            self.add(node, SCHEMA.headline, self.text(meta["headline"]))
        published = meta["published"]
        self.add(
            node, SCHEMA.datePublished, Literal(published, datatype=PUBLISHED_TYPES.get(len(published), XSD.dateTime))
        )
        self.add(
            node, GPO.publicationDateBasis, concept("publication-date-basis", meta.get("published_basis", "stated"))
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
        node = self.statement_nodes[statement["id"]]
        self.add(node, RDF.type, GPO.Statement)
        self.add(node, GPO.reportedIn, self.iri)
        if "communication" in statement:
            self.communication(statement["communication"])
        else:
            self.local_statement(node, statement)
        if "original_language" in statement:
            self.add(node, GPO.originalLanguage, Literal(statement["original_language"], datatype=XSD.language))
        if "translated" in statement:
            self.add(node, GPO.translated, Literal(statement["translated"]))
        for step, reporter in enumerate(statement.get("reported_via") or [], start=1):
            step_node = part_iri(self.iri, "via", f"{statement['id']}-{step}")
            self.add(node, GPO.reportingStep, step_node)
            self.add(step_node, RDF.type, GPO.ReportingStep)
            self.add(step_node, GPO.reporter, _registry_ref(self.registry, reporter))
            self.add(step_node, GPO.stepIndex, Literal(step, datatype=XSD.positiveInteger))
        expressed = sorted(self.expressed.get(statement["id"], ()))
        for k, item in enumerate(statement["evidence"]):
            span = self.span(("statements", index, "evidence", k))
            self.add(node, GPO.hasEvidence, span)
            for slug in item.get("supports") or expressed:
                self.add(span, GPO.supports, self.position_node(slug))
        self.described(node, statement)

    def communication(self, slug: str) -> None:
        """Type a reported communication's positions and conditions in this article's graph."""
        for position in self.corpus.communications[slug].get("positions") or []:
            pnode = corpus_position_iri(position["id"])
            self.add(pnode, RDF.type, GPO.Position)
            conditions = position.get("conditions") or []
            for cslug in condition_slugs(conditions):
                self.add(part_iri(pnode, "condition", cslug), RDF.type, GPO.Condition)

    def local_statement(self, node: URIRef, statement: dict[str, Any]) -> None:
        _speakers(self.graph, self.registry, node, statement)
        if "speaker_description" in statement:
            self.add(node, GPO.speakerDescription, self.text(statement["speaker_description"]))
        self.refs(node, GPO.onBehalfOf, statement.get("on_behalf_of"))
        if "venue" in statement:
            self.add(node, GPO.venue, self.local("venue", statement["venue"]))
        if "venue_certainty" in statement:
            self.add(node, GPO.venueCertainty, concept("certainty", statement["venue_certainty"]))
        if "stated_on" in statement:
            self.add(node, GPO.statedOn, Literal(statement["stated_on"], datatype=XSD.date))
        self.add(node, GPO.dateBasis, concept("date-basis", statement["date_basis"]))

    def action(self, action: dict[str, Any]) -> None:
        _action_core(self.graph, self.registry, self.local("action", action["id"]), action, self.lang)

    def position(self, index: int, position: dict[str, Any]) -> None:
        node = self.local("position", position["id"])
        self.add(node, RDF.type, GPO.Position)
        self.add(node, GPO.towards, self.action_node(position["action"]))
        for slug in position["expressed_in"]:
            statement = self.statement_nodes[slug]
            self.add(node, GPO.expressedIn, statement)
            self.add(statement, GPO.expresses, node)
        _position_core(self.graph, self.registry, node, position, self.position_node, self.lang)
        conditions = position.get("conditions") or []
        for j, (condition, slug) in enumerate(zip(conditions, condition_slugs(conditions), strict=True)):
            self.condition(node, part_iri(node, "condition", slug), ("positions", index, "conditions", j), condition)

    def condition(self, position: URIRef, node: URIRef, path: JsonPath, condition: dict[str, Any]) -> None:
        self.add(position, GPO.hasCondition, node)
        self.add(node, RDF.type, GPO.Condition)
        _condition_core(self.graph, self.registry, node, condition, self.lang)
        if "carve_out" in condition:
            self.add(node, GPO.conditionValue, self.local("position", condition["carve_out"]))
        for k in range(len(condition.get("evidence") or [])):
            self.add(node, GPO.hasEvidence, self.span((*path, "evidence", k)))


def article_triples(article: Article, registry: Registry) -> Triples:
    """Triples of one article's named graph; no blank nodes, deterministic IRIs."""
    return _ArticleBuilder(article, registry).build()


def article_graph(article: Article, registry: Registry) -> Graph:
    """The same triples as an rdflib graph."""
    return article_triples(article, registry).graph()


def provenance_triples(article: Article, *, ingested_at: datetime, version: str) -> Triples:
    """How the article graph was made: from which files (with SHA-256), when, by which software."""
    graph = Triples()
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
