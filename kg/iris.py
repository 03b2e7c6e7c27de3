"""Deterministic IRIs for everything the project mints.

Every IRI is built from validated slugs, concept notations and computed offsets, never from free
text, so the same annotation always yields the same IRIs and no user text can reach an IRI.
"""

from __future__ import annotations

import hashlib

from rdflib import URIRef

from kg.prefixes import SLUG as SLUG  # the slug rule lives in kg.prefixes (no rdflib, for the read path)
from kg.prefixes import SLUG_RULE as SLUG_RULE
from kg.prefixes import check_slug
from kg.terms import (
    ACTOR,
    ARTICLE,
    BASE,
    COMMUNICATION,
    CORPUS_ACTION,
    CORPUS_POSITION,
    DERIVED,
    EVENT,
    PLACE,
    POST,
    THING,
)

#: Registry sections and the namespaces their slugs live in.
REGISTRY_NAMESPACES = {"actors": ACTOR, "posts": POST, "places": PLACE, "things": THING, "events": EVENT}


def registry_iri(section: str, slug: str) -> URIRef:
    """IRI of a registry entry, e.g. ``registry_iri("actors", "nato")``."""
    return REGISTRY_NAMESPACES[section][check_slug(slug)]


def article_iri(source_id: str) -> URIRef:
    return ARTICLE[check_slug(source_id)]


def part_iri(parent: URIRef, kind: str, slug: str) -> URIRef:
    """IRI of a part minted inside an article or position: ``{parent}/{kind}/{slug}``."""
    return URIRef(f"{parent}/{check_slug(kind)}/{check_slug(slug)}")


def span_iri(article: URIRef, start: int, end: int) -> URIRef:
    return URIRef(f"{article}/span/{int(start)}-{int(end)}")


def ingest_activity_iri(source_id: str) -> URIRef:
    return URIRef(f"{BASE}id/ingest/{check_slug(source_id)}")


def draft_run_iri(source_id: str) -> URIRef:
    """The ``kg draft`` run whose draft the reviewed annotation started from."""
    return URIRef(f"{ingest_activity_iri(source_id)}/draft")


def draft_rules_iri(source_id: str) -> URIRef:
    """The draft rule set (language and version) that run used, as a prov:Plan."""
    return URIRef(f"{ingest_activity_iri(source_id)}/draft/rules")


def source_file_iri(source_id: str, role: str) -> URIRef:
    """The annotation or text file an article graph was derived from."""
    return URIRef(f"{article_iri(source_id)}/file/{check_slug(role)}")


def software_iri(version: str) -> URIRef:
    return URIRef(f"{BASE}id/software/positions-kg/{check_slug(version.replace('.', '-').replace('+', '-'))}")


def communication_iri(slug: str) -> URIRef:
    """A corpus-level communication (a joint statement, speech, ...), the same for every article."""
    return COMMUNICATION[check_slug(slug)]


def corpus_action_iri(slug: str) -> URIRef:
    return CORPUS_ACTION[check_slug(slug)]


def corpus_position_iri(slug: str) -> URIRef:
    return CORPUS_POSITION[check_slug(slug)]


def office_term_iri(post: URIRef, index: int) -> URIRef:
    """The ``index``-th term (1-based, file order) of an office: ``{post}/term/{index}``."""
    return URIRef(f"{post}/term/{int(index)}")


def derived_iri(kind: str, earlier: URIRef, later: URIRef) -> URIRef:
    """A derived candidate comparing two positions: a digest of both IRIs keeps it stable."""
    digest = hashlib.sha256(f"{earlier} {later}".encode()).hexdigest()[:16]
    return DERIVED[f"{check_slug(kind)}/{digest}"]
