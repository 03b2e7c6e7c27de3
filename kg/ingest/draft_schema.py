"""JSON Schema parts for what `kg draft` leaves in an annotation file (kg/ingest/drafts.py explains).

Apart from kg/ingest/drafts.py so that kg/ingest/schema.py can use them without an import circle.
"""

from __future__ import annotations

from typing import Any

#: JSON Schema of a draft mark.
DRAFT_MARK: dict[str, Any] = {
    "type": "object",
    "description": "Left by `kg draft`: the rule that found this item and its confidence. Review the item, then delete the mark.",
    "required": ["rule", "confidence"],
    "additionalProperties": False,
    "properties": {
        "rule": {"type": "string", "minLength": 1},
        "confidence": {"type": "number", "minimum": 0, "maximum": 1},
        "cue": {"type": "string"},
    },
}
#: JSON Schema of ``article.drafted``: which rule set drafted the article (kept after review).
DRAFTED: dict[str, Any] = {
    "type": "object",
    "description": "The article was drafted by `kg draft` with this rule set; recorded in the provenance graph.",
    "required": ["rules", "version"],
    "additionalProperties": False,
    "properties": {
        "rules": {"type": "string", "pattern": r"^[a-z]{2,3}$"},
        "version": {"type": "string", "minLength": 1},
    },
}
#: JSON Schema of the list of names the registry lacks.
CANDIDATES: dict[str, Any] = {
    "type": "array",
    "description": "Names `kg draft` found that the registry lacks; add them to the registry, then delete the list.",
    "items": {
        "type": "object",
        "required": ["name"],
        "additionalProperties": False,
        "properties": {
            "name": {"type": "string"},
            "suggested_id": {"type": "string"},
            "line": {"type": "integer"},
            "occurrences": {"type": "integer"},
        },
    },
}
