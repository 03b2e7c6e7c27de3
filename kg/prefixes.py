"""The project's namespaces, prefixes and slug rule as plain strings: no rdflib.

The read path (``kg query``, ``kg --version``, ``kg ls``) answers with pyoxigraph's terms and never
imports rdflib, whose import alone costs about 0.1 s of CPU, a third of a narrowed query's budget
(0.3 s for the whole process). What it needs of the project's IRIs is here; :mod:`kg.terms` builds
its rdflib namespaces from the same strings, and ``tests/test_consistency.py`` checks that the
well-known namespaces below are rdflib's own.
"""

from __future__ import annotations

import re

#: Base of every IRI the project mints. A placeholder until the w3id redirect is registered.
BASE = "https://w3id.org/positions-kg/"

ONTOLOGY_NS = BASE + "ontology#"
ACTOR_NS = BASE + "id/actor/"
POST_NS = BASE + "id/post/"
PLACE_NS = BASE + "id/place/"
THING_NS = BASE + "id/thing/"
EVENT_NS = BASE + "id/event/"
ARTICLE_NS = BASE + "id/article/"
COMMUNICATION_NS = BASE + "id/communication/"
CORPUS_ACTION_NS = BASE + "id/action/"
CORPUS_POSITION_NS = BASE + "id/position/"
DERIVED_NS = BASE + "id/derived/"
GRAPH_NS = BASE + "graph/"
SHAPE_NS = BASE + "shapes/"
VOCAB_NS = BASE + "vocab/"

#: Named graphs outside the per-article graphs.
REGISTRY_GRAPH_IRI = GRAPH_NS + "registry"
PROVENANCE_GRAPH_IRI = GRAPH_NS + "provenance"
#: Prefix of the per-article named graphs (``graph/article/{source id}``).
ARTICLE_GRAPH_NS = GRAPH_NS + "article/"

#: Registry sections and the namespaces their slugs live in.
REGISTRY_PREFIXES = {"actors": ACTOR_NS, "posts": POST_NS, "places": PLACE_NS, "things": THING_NS, "events": EVENT_NS}

#: Controlled lists: scheme slug (``ontology/schemes/<slug>.ttl``) -> prefix of its concepts.
SCHEMES: dict[str, str] = {
    "stance": "stance",
    "action-type": "act",
    "condition-type": "cond",
    "condition-value": "cv",
    "evidence-kind": "ev",
    "venue-type": "venue",
    "date-basis": "db",
    "modality": "mod",
    "action-status": "astat",
    "position-status": "status",
    "change-type": "chg",
    "operator": "op",
    "certainty": "certainty",
    "polarity": "polarity",
    "publication-date-basis": "pdb",
}

XSD_NS = "http://www.w3.org/2001/XMLSchema#"

#: Prefixes used in every serialisation, report and query the project writes.
PREFIXES: dict[str, str] = {
    "gpo": ONTOLOGY_NS,
    "actor": ACTOR_NS,
    "post": POST_NS,
    "place": PLACE_NS,
    "thing": THING_NS,
    "event": EVENT_NS,
    "article": ARTICLE_NS,
    "communication": COMMUNICATION_NS,
    "action": CORPUS_ACTION_NS,
    "position": CORPUS_POSITION_NS,
    "graph": GRAPH_NS,
    "shape": SHAPE_NS,
    **{prefix: f"{VOCAB_NS}{scheme}/" for scheme, prefix in SCHEMES.items()},
    "oa": "http://www.w3.org/ns/oa#",
    "prov": "http://www.w3.org/ns/prov#",
    "schema": "https://schema.org/",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "org": "http://www.w3.org/ns/org#",
    "time": "http://www.w3.org/2006/time#",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "owl": "http://www.w3.org/2002/07/owl#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": XSD_NS,
    "dcterms": "http://purl.org/dc/terms/",
    "vann": "http://purl.org/vocab/vann/",
    "sh": "http://www.w3.org/ns/shacl#",
}

_LONGEST_FIRST = sorted(PREFIXES.items(), key=lambda item: -len(item[1]))


def curie_iri(iri: str) -> str:
    """An IRI shortened with the project's prefixes for display (not for re-parsing), else ``<iri>``."""
    for prefix, namespace in _LONGEST_FIRST:
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return f"{prefix}:{iri[len(namespace) :]}"
    return f"<{iri}>"


SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
SLUG_RULE = "use only lower-case letters a-z, digits 0-9 and single hyphens, e.g. mark-rutte"


def check_slug(slug: str) -> str:
    """Return ``slug`` if it is a valid slug, else raise ``ValueError``."""
    if not isinstance(slug, str) or not SLUG.match(slug):
        raise ValueError(f"{slug!r} is not a valid slug: {SLUG_RULE}")
    return slug
