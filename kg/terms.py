"""Namespaces, prefixes and vocabulary terms: the one place they are defined.

``GPO`` lists every class and property declared in ``ontology/positions.ttl``; it is a closed
:class:`rdflib.namespace.DefinedNamespace`, so a typo (``GPO.holdr``) raises at import time of the
calling code rather than producing a silent, unknown IRI. ``tests/test_consistency.py`` checks that
this list equals the ontology's declarations.

Controlled lists (stances, action types, ...) are SKOS concept schemes in ``ontology/schemes/``;
``SCHEMES`` names them and :func:`concept` mints a concept IRI from a scheme and a notation.
"""

from __future__ import annotations

from functools import cache, lru_cache

from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import (
    SDO,
    DefinedNamespace,
    NamespaceManager,
)
from rdflib.term import Node

from kg.prefixes import BASE, PREFIXES, SCHEMES, curie_iri

ONTOLOGY_IRI = URIRef(BASE + "ontology")
SHAPES_IRI = URIRef(BASE + "shapes")

OA = Namespace("http://www.w3.org/ns/oa#")
VANN = Namespace("http://purl.org/vocab/vann/")
SCHEMA = SDO  # schema.org, https namespace as rdflib ships it
ACTOR = Namespace(BASE + "id/actor/")
POST = Namespace(BASE + "id/post/")
PLACE = Namespace(BASE + "id/place/")
THING = Namespace(BASE + "id/thing/")
EVENT = Namespace(BASE + "id/event/")
ARTICLE = Namespace(BASE + "id/article/")
#: Corpus-level communications, actions and positions (defined once, referenced from any article).
COMMUNICATION = Namespace(BASE + "id/communication/")
CORPUS_ACTION = Namespace(BASE + "id/action/")
CORPUS_POSITION = Namespace(BASE + "id/position/")
DERIVED = Namespace(BASE + "id/derived/")
GRAPH = Namespace(BASE + "graph/")
SHAPE = Namespace(BASE + "shapes/")
VOCAB = Namespace(BASE + "vocab/")


class GPO(DefinedNamespace):
    """The Positions KG ontology, ``ontology/positions.ttl``."""

    _NS = Namespace(BASE + "ontology#")
    _fail = True

    # Classes
    Actor: URIRef
    Person: URIRef
    State: URIRef
    InternationalOrganization: URIRef
    GovernmentBody: URIRef
    ArmedForces: URIRef
    MediaOrganization: URIRef
    ActorGroup: URIRef
    NonStateArmedGroup: URIRef
    Platform: URIRef
    PoliticalParty: URIRef
    Legislature: URIRef
    Article: URIRef
    Venue: URIRef
    Statement: URIRef
    EvidenceSpan: URIRef
    Position: URIRef
    Action: URIRef
    Event: URIRef
    Condition: URIRef
    AnnotationActivity: URIRef

    # Statement
    reportedIn: URIRef
    speaker: URIRef
    speakerDescription: URIRef
    speakerCapacity: URIRef
    onBehalfOf: URIRef
    venue: URIRef
    venueCertainty: URIRef
    statedOn: URIRef
    dateBasis: URIRef
    hasEvidence: URIRef
    expresses: URIRef
    expressedIn: URIRef
    originalLanguage: URIRef
    translated: URIRef

    # Venue
    venueType: URIRef
    medium: URIRef
    place: URIRef
    date: URIRef
    participant: URIRef

    # Position
    holder: URIRef
    stance: URIRef
    towards: URIRef
    hasCondition: URIRef
    modality: URIRef
    exceptionTo: URIRef
    inTensionWith: URIRef
    supersedes: URIRef
    reaffirms: URIRef
    changeType: URIRef
    status: URIRef

    # Action
    actionType: URIRef
    agent: URIRef
    target: URIRef
    beneficiary: URIRef
    instrument: URIRef
    actionStatus: URIRef
    inContextOf: URIRef

    # Condition
    conditionType: URIRef
    conditionValue: URIRef
    conditionText: URIRef
    operator: URIRef

    # Evidence span
    evidenceKind: URIRef
    editedQuote: URIRef

    # Article, actors, concepts, provenance
    sourceId: URIRef
    textSha256: URIRef
    sha256: URIRef
    wikidata: URIRef
    polarity: URIRef

    # Attributed framing, the note of an "other" concept, condition values' fitting types
    framedBy: URIRef
    framing: URIRef
    otherNote: URIRef
    fitsConditionType: URIRef

    # Many articles, one graph (issue 12)
    Communication: URIRef
    supports: URIRef
    SpeakerRole: URIRef
    hasSpeakerRole: URIRef
    roleSpeaker: URIRef
    roleOffice: URIRef
    OfficeTerm: URIRef
    termOf: URIRef
    officeHolder: URIRef
    publicationDateBasis: URIRef
    ReportingStep: URIRef
    reportingStep: URIRef
    reporter: URIRef
    stepIndex: URIRef
    reverses: URIRef
    retracts: URIRef
    firedBy: URIRef
    occurredOn: URIRef
    instanceOf: URIRef
    Candidate: URIRef
    CandidateChange: URIRef
    CandidateReaffirmation: URIRef
    earlierPosition: URIRef
    laterPosition: URIRef
    difference: URIRef
    positionDate: URIRef
    earlierDate: URIRef
    laterDate: URIRef


class Terms:
    """A namespace whose terms are each made once, on first use.

    rdflib answers every attribute of a namespace in Python (a :class:`DefinedNamespace` through its
    metaclass and a cache, a :class:`Namespace` by making and checking a new :class:`URIRef`), about
    1 µs each; building one article asks some 400 times, about a third of the builder's time
    (BENCHMARKS.md, run R). ``Terms(RDF).type`` is ``RDF.type``, kept after the first access; a
    closed namespace (``GPO``, ``RDF``) still refuses a name it does not declare.
    """

    def __init__(self, namespace: type[DefinedNamespace] | Namespace) -> None:
        self._namespace = namespace

    def __getattr__(self, name: str) -> URIRef:
        if name.startswith("_"):  # not a term: copy, pickle and the like look for these
            raise AttributeError(name)
        term: URIRef = getattr(self._namespace, name)
        setattr(self, name, term)  # found in the instance from now on, without __getattr__
        return term


def scheme_iri(scheme: str) -> URIRef:
    """IRI of a concept scheme: ``{BASE}vocab/{scheme}``."""
    if scheme not in SCHEMES:
        raise KeyError(f"unknown concept scheme {scheme!r}")
    return URIRef(f"{VOCAB}{scheme}")


def concept_namespace(scheme: str) -> Namespace:
    """Namespace of a scheme's concepts: ``{BASE}vocab/{scheme}/``."""
    return Namespace(f"{scheme_iri(scheme)}/")


# An ingest asks for the same few concepts about sixty times an article. Bounded all the same: the
# vocabularies hold well under a thousand concepts, and a long-running process must not grow with
# what it is asked.
@lru_cache(maxsize=1024)
def concept(scheme: str, notation: str) -> URIRef:
    """IRI of the concept with ``notation`` in ``scheme``; the notation must already be checked."""
    return concept_namespace(scheme)[notation]


#: ``PREFIXES`` (every serialisation's prefixes) and ``SCHEMES`` are kg.prefixes' plain strings, which
#: the read path uses without rdflib; tests/test_consistency.py checks them against the namespaces here.

#: Named graphs outside the per-article graphs.
REGISTRY_GRAPH = GRAPH["registry"]
VOCAB_GRAPH = GRAPH["vocab"]
ONTOLOGY_GRAPH = GRAPH["ontology"]
PROVENANCE_GRAPH = GRAPH["provenance"]
#: Corpus-level communications, actions and positions (``corpus*.yaml`` beside the registry).
CORPUS_GRAPH = GRAPH["corpus"]
#: Candidates kg derives (changes, reaffirmations); never mixed with annotated facts.
DERIVED_GRAPH = GRAPH["derived"]


def article_graph(source_id: str) -> URIRef:
    """Named graph holding everything derived from one article."""
    return GRAPH[f"article/{source_id}"]


# -- display -----------------------------------------------------------------------------------


@cache
def namespace_manager() -> NamespaceManager:
    manager = NamespaceManager(Graph(), bind_namespaces="none")
    for prefix, namespace in PREFIXES.items():
        manager.bind(prefix, namespace, override=True)
    return manager


def curie(term: Node | None) -> str:
    """A term shortened with the project's prefixes for display (not for re-parsing), else N-Triples."""
    if term is None:
        return ""
    if isinstance(term, URIRef):
        return curie_iri(str(term))
    return term.n3(namespace_manager())
