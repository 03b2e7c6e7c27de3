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
_DATETIME = {
    "type": "string",
    "pattern": r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2})?(Z|[+-]\d{2}:\d{2})?)?$",
    "x-kg-kind": "datetime",
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
        },
        "A passage of the article that supports a statement or condition.",
    )


def article_schema() -> dict[str, Any]:
    """JSON Schema of an article annotation file."""
    evidence = {"type": "array", "items": _evidence()}
    condition = _record(
        ["type", "text"],
        {
            "type": _notation("condition-type"),
            "values": {"type": "array", "items": _notation("condition-value")},
            "refs": _SLUGS,
            "carve_out": _SLUG,
            "operator": _notation("operator"),
            "text": _TEXT,
            "evidence": evidence,
            **_FRAMING,
            "draft": DRAFT_MARK,
        },
        "A restriction on, or ground for, a position.",
    )
    return {
        "$schema": DIALECT,
        "$id": SCHEMA_ID + "article.schema.json",
        "title": "Positions KG article annotation",
        "description": "One annotated news article; see docs/annotation-format.md.",
        **_record(
            ["article", "statements", "actions", "positions"],
            {
                "article": _record(
                    ["source_id", "headline", "publisher", "published", "language"],
                    {
                        "source_id": _SLUG,
                        "text": _TEXT,
                        "headline": _TEXT,
                        "publisher": _SLUG,
                        "published": _DATETIME,
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
                        ["id", "date_basis", "evidence"],
                        {
                            "id": _SLUG,
                            "speakers": _SLUGS,
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
                "actions": {
                    "type": "array",
                    "items": _record(
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
                    ),
                },
                "positions": {
                    "type": "array",
                    "items": _record(
                        ["id", "holders", "stance", "action", "expressed_in"],
                        {
                            "id": _SLUG,
                            "holders": {**_SLUGS, "minItems": 1},
                            "stance": _notation("stance"),
                            "action": _SLUG,
                            "expressed_in": {**_SLUGS, "minItems": 1},
                            "modality": _notation("modality"),
                            "status": _notation("position-status"),
                            "exception_to": _SLUG,
                            "in_tension_with": _SLUGS,
                            "conditions": {"type": "array", "items": condition},
                            "draft": DRAFT_MARK,
                        },
                        "An actor's stance toward an action, under conditions.",
                    ),
                },
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
                        "close_match": _SLUGS,
                    },
                    "Anyone who can hold or voice a position.",
                ),
                "posts": entries(["post_in"], {"post_in": _SLUG, "held_by": _SLUGS}, "An office (org:Post)."),
                "places": entries([], {}, "A place (schema:Place)."),
                "things": entries([], {}, "Anything else an action is aimed at or uses."),
                "events": entries([], {"agents": _SLUGS, "targets": _SLUGS}, "Real-world context."),
            },
            "The registry.",
        ),
    }


def render(schema: dict[str, Any]) -> str:
    """The schema as the committed file holds it (stable key order, trailing newline)."""
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


#: File name in ``schemas/`` -> generator.
SCHEMA_FILES = {"article.schema.json": article_schema, "registry.schema.json": registry_schema}


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
    """A reusable validator for ``article`` or ``registry`` files."""
    return SchemaValidator(SCHEMA_FILES[f"{kind}.schema.json"]())
