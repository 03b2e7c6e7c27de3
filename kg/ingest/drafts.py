"""Draft marks: what ``kg draft`` leaves on the items it found, and why ``kg ingest`` refuses them.

A drafted item carries ``draft: {rule, confidence}``; a reviewer checks the item against the text,
fixes it and deletes the mark. ``new_actor_candidates`` lists names the registry lacks; a reviewer
adds them to the registry (or not) and deletes the list. Until then the file is refused, every
unreviewed item named with its line, so nothing unreviewed enters the graph. ``article.drafted``
(rule set and version) stays: the provenance graph records that the article was drafted.

This module stands alone in the write wing (kg.author imports the ingest side, never the other way).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from rdflib import Literal, URIRef
from rdflib.namespace import PROV, RDF, RDFS

from kg.errors import Problem
from kg.ingest.yamlfile import JsonPath, YamlDocument
from kg.iris import draft_rules_iri, draft_run_iri
from kg.terms import SCHEMA

DRAFT_KEY = "draft"
CANDIDATES_KEY = "new_actor_candidates"


def _marks(data: Any, path: JsonPath) -> Iterator[tuple[JsonPath, dict[str, Any]]]:
    if isinstance(data, dict):
        mark = data.get(DRAFT_KEY)
        if isinstance(mark, dict):
            yield path, mark
        for key, value in data.items():
            if key != DRAFT_KEY:
                yield from _marks(value, (*path, key))
    elif isinstance(data, list):
        for index, item in enumerate(data):
            yield from _marks(item, (*path, index))


NOUNS = {"venues": "venue", "statements": "statement", "actions": "action", "positions": "position"}
NOUNS |= {"conditions": "condition", "evidence": "evidence item"}


def unreviewed(doc: YamlDocument) -> list[Problem]:
    """One problem per unreviewed draft item (and per new actor candidate), with its line."""
    problems = []
    for path, mark in _marks(doc.data, ()):
        what = (
            NOUNS.get(str(path[-2]), str(path[-2])) if len(path) >= 2 and isinstance(path[-1], int) else str(path[-1])
        )
        problems.append(
            doc.problem(
                (*path, DRAFT_KEY),
                f"unreviewed draft {what} (rule {mark.get('rule')}, confidence {mark.get('confidence')})",
                "check it against the article text, correct it, then delete its 'draft:' line (or delete the item)",
            )
        )
    for index, candidate in enumerate((doc.data or {}).get(CANDIDATES_KEY) or []):
        problems.append(
            doc.problem(
                (CANDIDATES_KEY, index),
                f"new actor candidate {candidate.get('name')!r} not reviewed",
                "add it to registry.yaml and use its slug, or drop it; then delete new_actor_candidates",
            )
        )
    return sorted(problems, key=lambda p: p.line or 0)


def drafting_triples(
    data: dict[str, Any], activity: URIRef, source_id: str
) -> Iterator[tuple[URIRef, URIRef, URIRef | Literal]]:
    """Provenance of a drafted article: the ingest was informed by a `kg draft` run with a rule set."""
    drafted = data["article"].get("drafted")
    if not drafted:
        return
    draft_run, rule_set = draft_run_iri(source_id), draft_rules_iri(source_id)
    yield activity, PROV.wasInformedBy, draft_run
    yield draft_run, RDF.type, PROV.Activity
    yield draft_run, RDFS.label, Literal("kg draft (rule-based draft annotation, reviewed before ingest)", lang="en")
    yield draft_run, PROV.used, rule_set
    yield rule_set, RDF.type, PROV.Plan
    yield rule_set, RDFS.label, Literal(f"kg draft rules {drafted['rules']} v{drafted['version']}", lang="en")
    yield rule_set, SCHEMA.inLanguage, Literal(drafted["rules"])
    yield rule_set, SCHEMA.version, Literal(str(drafted["version"]))
