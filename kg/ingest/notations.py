"""Notations as annotators type them: synonyms mapped to concepts, "other" with its note, and
condition values under the condition types they fit.

Runs before the JSON Schema check, walking the data beside the generated schema: every field whose
schema names a concept scheme (``x-kg-scheme``) is found wherever the schema puts it, so a new
field of the annotation format needs no change here.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from kg.errors import Problem
from kg.ingest.yamlfile import JsonPath, YamlDocument
from kg.vocabulary import OTHER, concepts, resolve

#: The record fields whose notations are checked against each other (condition type and values).
_CONDITION_TYPE, _CONDITION_VALUE = "condition-type", "condition-value"


def canonicalise(doc: YamlDocument, schema: dict[str, Any]) -> list[Problem]:
    """Replace every synonym (a label or skos:altLabel) by its notation, in place; check "other"
    notes and condition-value fits. Returns the problems found; unknown names are left for the
    schema check, which lists the allowed notations and suggests one."""
    problems: list[Problem] = []
    for path, record, record_schema in _records(doc.data, schema, ()):
        _canonicalise_record(doc, path, record, record_schema, problems)
    return problems


def _records(data: Any, schema: dict[str, Any], path: JsonPath) -> Iterator[tuple[JsonPath, dict[str, Any], dict]]:
    """Every mapping in ``data`` with the object schema that describes it."""
    if isinstance(data, dict) and isinstance(schema.get("properties"), dict):
        yield path, data, schema
        for key, value in data.items():
            child = schema["properties"].get(key)
            if isinstance(child, dict):
                yield from _records(value, child, (*path, key))
    elif isinstance(data, list) and isinstance(schema.get("items"), dict):
        for index, item in enumerate(data):
            yield from _records(item, schema["items"], (*path, index))


def _canonicalise_record(
    doc: YamlDocument, path: JsonPath, record: dict[str, Any], schema: dict[str, Any], problems: list[Problem]
) -> None:
    schemes: dict[str, str] = {}
    others: list[str] = []
    for key, field_schema in schema["properties"].items():
        if key not in record or not isinstance(field_schema, dict):
            continue
        if (scheme := field_schema.get("x-kg-scheme")) is not None:
            record[key] = _canonical(scheme, record[key])
            schemes[scheme] = key
            if record[key] == OTHER:
                others.append(key)
        elif (
            isinstance(items := field_schema.get("items"), dict)
            and (scheme := items.get("x-kg-scheme"))
            and isinstance(record[key], list)
        ):
            record[key] = [_canonical(scheme, value) for value in record[key]]
            schemes[scheme] = key
            if OTHER in record[key]:
                others.append(key)
    if others and not str(record.get("other_note") or "").strip():
        for key in others:
            problems.append(
                doc.problem(
                    (*path, key),
                    f"'{OTHER}' needs a note: no {key!r} concept fits, so say what it is",
                    "add 'other_note: <what it is, in a few words>' to this entry (kg validate then lists it as a "
                    "vocabulary gap), or pick a concept that fits",
                )
            )
    if _CONDITION_TYPE in schemes and _CONDITION_VALUE in schemes:
        _check_fits(doc, path, record, schemes[_CONDITION_TYPE], schemes[_CONDITION_VALUE], problems)


def _canonical(scheme: str, value: Any) -> Any:
    """The notation a typed name stands for; anything else unchanged (the schema check reports it)."""
    if isinstance(value, str) and value not in concepts(scheme):
        return resolve(scheme, value) or value
    return value


def _check_fits(
    doc: YamlDocument, path: JsonPath, record: dict[str, Any], type_key: str, values_key: str, problems: list[Problem]
) -> None:
    kind = record[type_key]
    values = concepts(_CONDITION_VALUE)
    if not isinstance(kind, str) or kind not in concepts(_CONDITION_TYPE) or not isinstance(record[values_key], list):
        return  # not a notation: the schema check reports it
    for index, value in enumerate(record[values_key]):
        if isinstance(value, str) and value in values and kind not in values[value].fits:
            fitting = sorted(n for n, c in values.items() if kind in c.fits and n != OTHER)
            problems.append(
                doc.problem(
                    (*path, values_key, index),
                    f"condition value {value!r} does not fit condition type {kind!r} "
                    f"(it fits: {', '.join(sorted(values[value].fits))})",
                    f"change the condition's type, or use a value that fits {kind!r}: "
                    f"{', '.join(fitting) or 'none yet'} (or 'other' with an other_note)",
                )
            )
