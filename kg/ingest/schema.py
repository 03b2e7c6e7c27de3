"""JSON Schemas for the annotation files, generated from the SKOS concept schemes.

The structure is written here once; the allowed notations (stances, action types, ...) are filled
in from ``ontology/schemes/`` so the schema can never disagree with the vocabulary. ``kg schema``
writes the result to ``schemas/`` for editors; a test checks the committed files are current.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import cache
from typing import Any

import fastjsonschema
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from kg.ingest.draft_schema import CANDIDATES, DRAFT_MARK, DRAFTED
from kg.iris import SLUG
from kg.vocabulary import concepts

DIALECT = "https://json-schema.org/draft/2020-12/schema"
SCHEMA_ID = "https://w3id.org/positions-kg/schemas/"

ACTOR_TYPES = (
    "Person",
    "State",
    "InternationalOrganization",
    "GovernmentBody",
    "ArmedForces",
    "MediaOrganization",
    "ActorGroup",
    "NonStateArmedGroup",
    "Platform",
    "PoliticalParty",
    "Legislature",
)

_SLUG = {"type": "string", "pattern": SLUG.pattern, "x-kg-kind": "slug"}
_SLUGS = {"type": "array", "items": _SLUG}
_TEXT = {"type": "string", "minLength": 1}
_DATE = {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$", "x-kg-kind": "date"}
#: A publication date as sources give it: a year, a year-month, a date or a date-time.
_PARTIAL_DATETIME = {
    "type": "string",
    "pattern": r"^\d{4}(-\d{2}(-\d{2}(T\d{2}:\d{2}(:\d{2})?(Z|[+-]\d{2}:\d{2})?)?)?)?$",
    "x-kg-kind": "year, year-month, date or date-time",
}
_QID = {"type": "string", "pattern": r"^Q[1-9][0-9]*$"}
_LANG = {"type": "string", "pattern": r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$"}


def _notation(scheme: str) -> dict[str, Any]:
    return {"type": "string", "enum": list(concepts(scheme)), "x-kg-scheme": scheme}


#: A record that takes a notation may say what its "other" value is (required when one is "other").
_OTHER_NOTE = {**_TEXT, "description": "What the value is, when a field of this record is 'other' (no concept fits)."}
#: Attributed framing: whose characterisation an action's or condition's description is.
_FRAMING = {
    "framed_by": {**_SLUGS, "description": "Actors whose characterisation this is (the holder, the outlet)."},
    "framing": {**_TEXT, "description": "Their words, as the article reports them, e.g. 'defensive measure'."},
}


def _takes_notation(schema: dict[str, Any]) -> bool:
    return "x-kg-scheme" in schema or "x-kg-scheme" in schema.get("items", {})


def _record(required: list[str], properties: dict[str, Any], description: str) -> dict[str, Any]:
    if any(_takes_notation(value) for value in properties.values()):
        properties = {**properties, "other_note": _OTHER_NOTE}
    return {
        "type": "object",
        "description": description,
        "required": required,
        "additionalProperties": False,
        "properties": properties,
    }


def _evidence() -> dict[str, Any]:
    return _record(
        ["quote", "kind"],
        {
            "quote": {**_TEXT, "description": "Exact text pasted from the article."},
            "kind": _notation("evidence-kind"),
            "occurrence": {
                "type": "integer",
                "minimum": 1,
                "description": "Which occurrence (1-based) when the quote occurs more than once.",
            },
            "edited": {"type": "boolean", "description": "The quote contains [..] or … insertions."},
            "draft": DRAFT_MARK,
            "supports": {
                **_SLUGS,
                "description": "Ids of the positions this quote is evidence for (local or corpus-level); "
                "left out = every position the statement expresses.",
            },
        },
        "A passage of the article that supports a statement or condition.",
    )


def _speakers() -> dict[str, Any]:
    """Speakers: slugs, or ``{actor, office}`` pairs (an office per speaker of a joint statement)."""
    pair = _record(["actor"], {"actor": _SLUG, "office": _SLUG}, "A speaker and the office it spoke in.")
    return {"type": "array", "items": {"oneOf": [_SLUG, pair]}}


def _action() -> dict[str, Any]:
    return _record(
        ["id", "label", "types"],
        {
            "id": _SLUG,
            "label": _TEXT,
            "types": {"type": "array", "minItems": 1, "items": _notation("action-type")},
            "agents": _SLUGS,
            "targets": _SLUGS,
            "beneficiaries": _SLUGS,
            "instruments": _SLUGS,
            "status": _notation("action-status"),
            "context": _SLUG,
            **_FRAMING,
            "draft": DRAFT_MARK,
        },
        "The conduct a position is about, described positively.",
    )


def _position(condition: dict[str, Any], *, expressed_in: bool) -> dict[str, Any]:
    """A position; in an article it names the statements expressing it, in the corpus file its
    communication does."""
    required = ["id", "holders", "stance", "action"] + (["expressed_in"] if expressed_in else [])
    changes = {
        key: {**_SLUGS, "description": f"Earlier positions (local or corpus-level ids) this one {verb}."}
        for key, verb in (
            ("supersedes", "replaces"),
            ("reaffirms", "restates"),
            ("reverses", "turns around"),
            ("retracts", "withdraws"),
        )
    }
    return _record(
        required,
        {
            "id": _SLUG,
            "holders": {**_SLUGS, "minItems": 1},
            "stance": _notation("stance"),
            "action": _SLUG,
            **({"expressed_in": {**_SLUGS, "minItems": 1}} if expressed_in else {}),
            "modality": _notation("modality"),
            "status": _notation("position-status"),
            "exception_to": _SLUG,
            "in_tension_with": _SLUGS,
            **changes,
            "change_type": _notation("change-type"),
            "conditions": {"type": "array", "items": condition},
            "draft": DRAFT_MARK,
        },
        "An actor's stance toward an action, under conditions.",
    )


def _condition(evidence: dict[str, Any] | None) -> dict[str, Any]:
    return _record(
        ["type", "text"],
        {
            "type": _notation("condition-type"),
            "values": {"type": "array", "items": _notation("condition-value")},
            "refs": _SLUGS,
            "carve_out": _SLUG,
            "operator": _notation("operator"),
            "text": _TEXT,
            **({"evidence": evidence} if evidence else {}),
            **_FRAMING,
            "draft": DRAFT_MARK,
            "fired_by": {**_SLUG, "description": "Registry event (or general event) that would fire this trigger."},
        },
        "A restriction on, or ground for, a position.",
    )


def corpus_schema() -> dict[str, Any]:
    """JSON Schema of a corpus-level file (``corpus.yaml``): communications and actions many
    articles report, defined once."""
    communication = _record(
        ["id", "type", "date_basis"],
        {
            "id": _SLUG,
            "type": _notation("venue-type"),
            "label": _TEXT,
            "speakers": _speakers(),
            "speaker_description": _TEXT,
            "on_behalf_of": _SLUGS,
            "medium": _SLUG,
            "place": _SLUG,
            "date": _DATE,
            "date_basis": _notation("date-basis"),
            "original_language": _LANG,
            "context": _SLUG,
            "positions": {"type": "array", "items": _position(_condition(None), expressed_in=False)},
        },
        "A communication (joint statement, speech, interview, communique, post) many articles may report.",
    )
    return {
        "$schema": DIALECT,
        "$id": SCHEMA_ID + "corpus.schema.json",
        "title": "Positions KG corpus-level definitions",
        "description": "Communications, their positions and actions shared by many articles; see "
        "docs/annotation-format.md.",
        **_record(
            [],
            {
                "communications": {"type": "array", "items": communication},
                "actions": {"type": "array", "items": _action()},
            },
            "Corpus-level definitions.",
        ),
    }


def article_schema() -> dict[str, Any]:
    """JSON Schema of an article annotation file."""
    evidence = {"type": "array", "items": _evidence()}
    condition = _condition(evidence)
    return {
        "$schema": DIALECT,
        "$id": SCHEMA_ID + "article.schema.json",
        "title": "Positions KG article annotation",
        "description": "One annotated news article; see docs/annotation-format.md.",
        **_record(
            ["article", "statements"],
            {
                "article": _record(
                    ["source_id", "publisher", "published", "language"],
                    {
                        "source_id": _SLUG,
                        "text": _TEXT,
                        "headline": _TEXT,
                        "publisher": _SLUG,
                        "published": _PARTIAL_DATETIME,
                        "published_basis": _notation("publication-date-basis"),
                        "language": _LANG,
                        "url": {"type": "string", "pattern": r"^https?://\S+$"},
                        "annotator": _TEXT,
                        "source_note": _TEXT,
                        "context": _SLUG,
                        "drafted": DRAFTED,
                        "draft": DRAFT_MARK,
                    },
                    "The article itself.",
                ),
                "venues": {
                    "type": "array",
                    "items": _record(
                        ["id", "type"],
                        {
                            "id": _SLUG,
                            "type": _notation("venue-type"),
                            "medium": _SLUG,
                            "place": _SLUG,
                            "date": _DATE,
                            "participants": _SLUGS,
                            "draft": DRAFT_MARK,
                        },
                        "A communicative occasion: interview, joint statement, ...",
                    ),
                },
                "statements": {
                    "type": "array",
                    "minItems": 1,
                    "items": _record(
                        ["id", "evidence"],
                        {
                            "id": _SLUG,
                            "communication": {
                                **_SLUG,
                                "description": "A corpus-level communication this article reports (corpus*.yaml): "
                                "speakers, date and venue come from there.",
                            },
                            "reported_via": {
                                **_SLUGS,
                                "description": "The chain through which the statement reached the article, nearest "
                                "first (an agency, then the broadcaster it quotes).",
                            },
                            "speakers": _speakers(),
                            "speaker_description": _TEXT,
                            "capacity": _SLUG,
                            "on_behalf_of": _SLUGS,
                            "venue": _SLUG,
                            "venue_certainty": _notation("certainty"),
                            "stated_on": _DATE,
                            "date_basis": _notation("date-basis"),
                            "original_language": _LANG,
                            "translated": {"type": "boolean"},
                            "evidence": {**evidence, "minItems": 1},
                            "draft": DRAFT_MARK,
                        },
                        "One attributed utterance on one occasion.",
                    ),
                },
                "actions": {"type": "array", "items": _action()},
                "positions": {"type": "array", "items": _position(condition, expressed_in=True)},
                "new_actor_candidates": CANDIDATES,
            },
            "An annotated article.",
        ),
    }


def registry_schema() -> dict[str, Any]:
    """JSON Schema of the actor registry file."""

    def entries(required: list[str], extra: dict[str, Any], description: str) -> dict[str, Any]:
        base = {"id": _SLUG, "label": _TEXT, "description": _TEXT, "wikidata": _QID}
        return {"type": "array", "items": _record(["id", "label", *required], {**base, **extra}, description)}

    return {
        "$schema": DIALECT,
        "$id": SCHEMA_ID + "registry.schema.json",
        "title": "Positions KG actor registry",
        "description": "Actors, posts, places, things and events shared by all articles.",
        **_record(
            ["actors"],
            {
                "actors": entries(
                    ["type"],
                    {
                        "type": {"type": "string", "enum": list(ACTOR_TYPES), "x-kg-kind": "actor type"},
                        "alt_labels": {"type": "array", "items": _TEXT},
                        "member_of": _SLUGS,
                        "members": _SLUGS,
                        "part_of": _SLUG,
                        "close_match": _SLUGS,
                    },
                    "Anyone who can hold or voice a position.",
                ),
                "posts": entries(
                    ["post_in"],
                    {
                        "post_in": _SLUG,
                        "held_by": _SLUGS,
                        "terms": {
                            "type": "array",
                            "items": _record(
                                ["holder", "start"],
                                {"holder": _SLUG, "start": _DATE, "end": _DATE},
                                "One holder's tenure; no end = still in office.",
                            ),
                        },
                    },
                    "An office (org:Post).",
                ),
                "places": entries([], {}, "A place (schema:Place)."),
                "things": entries([], {}, "Anything else an action is aimed at or uses."),
                "events": entries(
                    [],
                    {"agents": _SLUGS, "targets": _SLUGS, "date": _DATE, "instance_of": _SLUG},
                    "Real-world context, or a general event (an event type) that dated events are instances of.",
                ),
            },
            "The registry.",
        ),
    }


def render(schema: dict[str, Any]) -> str:
    """The schema as the committed file holds it, for editors (stable key order, trailing newline)."""
    return json.dumps(for_editors(schema), indent=2, ensure_ascii=False) + "\n"


def for_editors(node: Any) -> Any:
    """``node`` with every notation field also accepting the concepts' labels and synonyms, as
    ``kg ingest`` does: an editor then completes both and flags neither (the ingest itself checks
    notations only, after :mod:`kg.ingest.notations` has replaced the synonyms)."""
    if isinstance(node, list):
        return [for_editors(item) for item in node]
    if not isinstance(node, dict):
        return node
    if "x-kg-scheme" in node and "enum" in node:
        scheme, notations = node["x-kg-scheme"], node["enum"]
        names = sorted(
            {name for item in concepts(scheme).values() for name in (item.label, *item.alt_labels)} - set(notations)
        )
        rest = {key: value for key, value in node.items() if key != "enum"}
        choices: list[dict[str, Any]] = [{"enum": notations, "description": "the concept's notation"}]
        if names:
            choices.append({"enum": names, "description": "a label or synonym; kg ingest stores its concept"})
        return {**rest, "anyOf": choices}
    return {key: for_editors(value) for key, value in node.items()}


#: File name in ``schemas/`` -> generator.
SCHEMA_FILES = {
    "article.schema.json": article_schema,
    "registry.schema.json": registry_schema,
    "corpus.schema.json": corpus_schema,
}


class SchemaValidator:
    """jsonschema's verdict, sooner.

    fastjsonschema compiles the schema to Python and accepts a valid document about 15 times faster
    than jsonschema (0.2 ms against 2.8 ms per generated article), and nearly every document is
    valid. Only a document it rejects goes through jsonschema, the reference, whose structured
    errors are worded for annotators (:func:`kg.yamlfile.check_schema`). tests/test_bad_input.py
    checks that the two agree on 400+ edits of the seed article (keys dropped or unknown, wrong
    types, emptied lists).
    """

    def __init__(self, schema: dict[str, Any]) -> None:
        self._accepts = fastjsonschema.compile(schema)
        self.reference = Draft202012Validator(schema)

    def iter_errors(self, data: Any) -> Iterator[ValidationError]:
        try:
            self._accepts(data)
        except fastjsonschema.JsonSchemaException:
            return self.reference.iter_errors(data)
        return iter(())


@cache
def validator(kind: str) -> SchemaValidator:
    """A reusable validator for ``article``, ``registry`` or ``corpus`` files."""
    return SchemaValidator(SCHEMA_FILES[f"{kind}.schema.json"]())
