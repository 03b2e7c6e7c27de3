"""Annotations as regions and relations: the common ground of Label Studio, brat and INCEpTION.

An annotation tool holds spans of text with labels, and links between them; it does not hold
slugs, dates or action labels. So an annotation travels as

* **regions**: every evidence span, labelled by its kind (statement evidence) or by its condition
  type (condition evidence), with a *ref* saying which statement or condition it belongs to
  (``statement:rutte-ard``, ``condition:nato-no-participation:0``, plus the item's other fields as
  JSON, e.g. ``{"edited": true}``);
* **relations**: ``said-by`` (evidence -> speaker mention) and ``condition-of`` (condition ->
  evidence), for regions a reviewer adds in the tool;
* the **skeleton**: the YAML annotation without its evidence (article, venues, statements,
  actions, positions), which rides along (Label Studio: the task's data; brat: a sidecar file).

Import (:func:`to_annotation`) checks every region against the article text (offsets and words,
UTF-16 offsets recognised and explained), every label against the mapping (unknown ones listed) and
every relation's ends, then rebuilds the annotation: the skeleton, with the evidence the regions
give. Every problem names the export file and the region; nothing is written unless all is well.
"""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kg.author.mentions import Gazetteer
from kg.author.rules import load_rules
from kg.errors import InputError, Problem
from kg.ingest.anchoring import occurrences
from kg.ingest.annotations import Registry
from kg.ingest.yamlfile import load_yaml

TOOLS_DIR = Path(__file__).resolve().parent / "tools"
DEFAULT_MAPPING = TOOLS_DIR / "mapping.yaml"
STATEMENT, CONDITION = "statement", "condition"
EVIDENCE_FIELDS = ("quote", "kind", "occurrence")  # what the region itself says


@dataclass
class Region:
    id: str
    start: int
    end: int
    text: str
    label: str
    ref: str = ""  # "statement:ID {json}" / "condition:POSITION:N {json}" / "" (added in the tool)
    where: str = ""  # how the export names it, for messages (e.g. "task 1, region 'a3'")


@dataclass
class Relation:
    source: str
    target: str
    label: str
    where: str = ""


@dataclass
class Exchange:
    """What goes to, or comes back from, a tool."""

    text: str
    regions: list[Region] = field(default_factory=list)
    relations: list[Relation] = field(default_factory=list)
    skeleton: dict[str, Any] | None = None


@dataclass(frozen=True)
class Mapping:
    path: Path
    spans: dict[str, dict[str, Any]]
    relations: dict[str, dict[str, Any]]

    def label_for(self, key: str, value: str) -> str:
        for label, meaning in self.spans.items():
            if meaning.get(key) == value:
                return label
        raise InputError(
            [Problem(self.path, "spans", f"no label for {key} {value!r}", f"add a label with '{key}: {value}'")]
        )

    def relation_for(self, role: str) -> str:
        for label, meaning in self.relations.items():
            if meaning.get("from") == role:
                return label
        raise InputError([Problem(self.path, "relations", f"no relation from {role!r}", "add one")])


def load_mapping(path: Path | None = None) -> Mapping:
    path = path or DEFAULT_MAPPING
    doc = load_yaml(path, "mapping")
    data = doc.data if isinstance(doc.data, dict) else {}
    problems = []
    spans, relations = data.get("spans"), data.get("relations")
    if not isinstance(spans, dict) or not spans:
        problems.append(
            doc.problem(("spans",), "missing or empty", "map each span label: Quote: {evidence: direct-quote}")
        )
    if not isinstance(relations, dict):
        problems.append(
            doc.problem(("relations",), "missing", "map each relation label: said-by: {from: evidence, to: speaker}")
        )
    for label, meaning in (spans or {}).items() if isinstance(spans, dict) else ():
        if not isinstance(meaning, dict) or not ({"evidence", "condition", "speaker"} & set(meaning)):
            problems.append(
                doc.problem(
                    ("spans", label), f"label {label!r} maps to nothing", "give evidence:, condition: or speaker:"
                )
            )
    if problems:
        raise InputError(problems)
    return Mapping(path, spans or {}, relations or {})


# -- annotation -> regions -------------------------------------------------------------------------


def _ref(owner: str, item: dict[str, Any], *, keep_kind: bool = False) -> str:
    extra = {k: v for k, v in item.items() if k not in EVIDENCE_FIELDS or (keep_kind and k == "kind")}
    return f"{owner} {json.dumps(extra, ensure_ascii=False)}" if extra else owner


def from_annotation(data: dict[str, Any], text: str, mapping: Mapping) -> Exchange:
    """The regions (one per evidence item) and skeleton of an annotation (draft or reviewed)."""
    skeleton = copy.deepcopy(data)
    regions: list[Region] = []

    def region(item: dict[str, Any], label: str, owner: str, keep_kind: bool = False) -> None:
        starts = occurrences(text, item["quote"])
        if not starts:
            raise InputError([Problem("annotation", owner, f"quote {item['quote']!r} not in the article text")])
        start = starts[(item.get("occurrence") or 1) - 1]
        regions.append(
            Region(
                f"r{len(regions) + 1}",
                start,
                start + len(item["quote"]),
                item["quote"],
                label,
                _ref(owner, item, keep_kind=keep_kind),
            )
        )

    for statement in skeleton["statements"]:
        for item in statement.pop("evidence"):
            region(item, mapping.label_for("evidence", item["kind"]), f"{STATEMENT}:{statement['id']}")
        statement["evidence"] = []
    for position in skeleton["positions"]:
        for index, condition in enumerate(position.get("conditions") or []):
            for item in condition.pop("evidence", None) or []:
                owner = f"{CONDITION}:{position['id']}:{index}"
                region(item, mapping.label_for("condition", condition["type"]), owner, keep_kind=True)
    return Exchange(text, regions, [], skeleton)


# -- regions -> annotation -------------------------------------------------------------------------


def check_regions(exchange: Exchange, mapping: Mapping, source: Path) -> None:
    """Labels known, offsets and words matching the article, relations between existing regions."""
    text = exchange.text
    problems: list[Problem] = []
    unknown = sorted({r.label for r in exchange.regions if r.label not in mapping.spans})
    if unknown:
        problems.append(
            Problem(
                source,
                "labels",
                f"labels the mapping does not know: {', '.join(unknown)} (the export comes from another labeling configuration?)",
                f"use the shipped configuration, or map these labels in a mapping file (--mapping FILE, see {mapping.path.name})",
            )
        )
    utf16 = _utf16_offsets(text)
    utf16_regions: list[Region] = []
    for region in exchange.regions:
        if 0 <= region.start <= region.end <= len(text) and text[region.start : region.end] == region.text:
            continue
        if utf16 and _matches_utf16(text, utf16, region):
            utf16_regions.append(region)
            continue
        found = occurrences(text, region.text) if region.text else []
        at = (
            f"; the words occur at offset {', '.join(map(str, found[:5]))}"
            if found
            else "; the words are not in the article"
        )
        problems.append(
            Problem(
                source,
                region.where,
                f"span {region.start}-{region.end} {region.text!r} does not match the article text there "
                f"({text[max(0, region.start) : max(0, region.end)][:60]!r}){at}",
                "import with the article the export was made from (--article FILE)",
            )
        )
    if utf16 and utf16_regions:
        first = utf16_regions[0]
        problems.append(
            Problem(
                source,
                first.where,
                f"offsets {first.start}-{first.end} count UTF-16 code units, not characters: the words "
                f"{first.text!r} sit at characters {utf16[first.start]}-{utf16[first.end]} "
                f"({len(utf16_regions)} span(s) like this; the article has characters outside the Basic Multilingual Plane)",
                "export with character offsets, or import with --offsets utf16 (INCEpTION and JavaScript tools count UTF-16)",
            )
        )
    ids = {r.id for r in exchange.regions}
    for relation in exchange.relations:
        for end in (relation.source, relation.target):
            if end not in ids:
                problems.append(
                    Problem(
                        source,
                        relation.where,
                        f"relation {relation.label!r} points to region {end!r}, which the export lacks",
                        "delete the relation in the tool, or export the region too",
                    )
                )
        if relation.label not in mapping.relations:
            problems.append(
                Problem(
                    source,
                    relation.where,
                    f"relation label {relation.label!r} is not in the mapping",
                    f"known: {', '.join(mapping.relations) or 'none'}",
                )
            )
    if problems:
        raise InputError(problems)


def _utf16_offsets(text: str) -> list[int] | None:
    """UTF-16 offset -> character offset, when the text has characters outside the BMP (else None)."""
    if all(ord(c) < 0x10000 for c in text):
        return None
    table: list[int] = []
    for index, char in enumerate(text):
        table.extend([index] * (2 if ord(char) >= 0x10000 else 1))
    table.append(len(text))
    return table


def _matches_utf16(text: str, table: list[int], region: Region) -> bool:
    if not (0 <= region.start <= region.end < len(table)):
        return False
    return text[table[region.start] : table[region.end]] == region.text


def utf16_to_characters(exchange: Exchange) -> None:
    """Convert every region's offsets from UTF-16 code units to characters (in place)."""
    table = _utf16_offsets(exchange.text)
    if table is None:
        return
    for region in exchange.regions:
        if 0 <= region.start <= region.end < len(table):
            region.start, region.end = table[region.start], table[region.end]


_REF = re.compile(r"^(statement|condition):([a-z0-9-]+)(?::(\d+))?(?:\s+(\{.*\}))?\s*$", re.S)


def to_annotation(exchange: Exchange, mapping: Mapping, registry: Registry, source: Path) -> dict[str, Any]:
    """Rebuild the YAML annotation from checked regions, relations and the skeleton."""
    check_regions(exchange, mapping, source)
    if exchange.skeleton is None:
        raise InputError(
            [
                Problem(
                    source,
                    "",
                    "the export carries no Positions KG skeleton (article, statements, positions)",
                    "export the task with `kg export-review` first, or pass --skeleton FILE",
                )
            ]
        )
    data = copy.deepcopy(exchange.skeleton)
    statements = {s["id"]: s for s in data["statements"]}
    for statement in data["statements"]:
        statement["evidence"] = []
    positions = {p["id"]: p for p in data["positions"]}
    for position in data["positions"]:
        for condition in position.get("conditions") or []:
            condition["evidence"] = []
    problems: list[Problem] = []
    text = exchange.text
    by_id = {r.id: r for r in exchange.regions}
    unlinked: list[Region] = []
    for region in sorted(exchange.regions, key=lambda r: (r.start, r.end)):
        meaning = mapping.spans[region.label]
        if "speaker" in meaning:
            continue
        match = _REF.match(region.ref or "")
        if not region.ref:
            unlinked.append(region)
            continue
        if not match:
            problems.append(
                Problem(
                    source, region.where, f"unreadable ref {region.ref!r}", "write statement:ID or condition:POSITION:N"
                )
            )
            continue
        owner, slug, index, extra_json = match.groups()
        extra = json.loads(extra_json) if extra_json else {}
        item: dict[str, Any] = {
            "quote": region.text,
            "kind": meaning.get("evidence") or extra.pop("kind", "paraphrase"),
        }
        starts = occurrences(text, region.text)
        if len(starts) > 1:
            item["occurrence"] = starts.index(region.start) + 1
        item.update(extra)
        if owner == STATEMENT and slug in statements:
            statements[slug]["evidence"].append(item)
        elif (
            owner == CONDITION
            and slug in positions
            and index is not None
            and int(index) < len(positions[slug].get("conditions") or [])
        ):
            positions[slug]["conditions"][int(index)]["evidence"].append(item)
        else:
            problems.append(
                Problem(
                    source,
                    region.where,
                    f"ref {region.ref!r} names no {owner} of the skeleton",
                    "fix the ref in the tool",
                )
            )
    _statements_from_relations(unlinked, exchange, by_id, mapping, registry, data, problems, source)
    for position in data["positions"]:
        for condition in position.get("conditions") or []:
            if not condition["evidence"]:
                del condition["evidence"]
    empty = [s["id"] for s in data["statements"] if not s["evidence"]]
    for slug in empty:
        problems.append(
            Problem(
                source,
                f"statement {slug}",
                "no evidence region left for this statement",
                "keep at least one of its regions, or delete the statement from the skeleton",
            )
        )
    if problems:
        raise InputError(problems)
    return data


def _statements_from_relations(
    unlinked: list[Region],
    exchange: Exchange,
    by_id: dict[str, Region],
    mapping: Mapping,
    registry: Registry,
    data: dict[str, Any],
    problems: list[Problem],
    source: Path,
) -> None:
    """Evidence regions added in the tool: a statement per speaker they are `said-by`."""
    if not unlinked:
        return
    said_by = {
        r.source: by_id[r.target] for r in exchange.relations if mapping.relations[r.label].get("to") == "speaker"
    }
    gazetteer = Gazetteer(
        registry,
        load_rules(data["article"].get("language", "en") if data["article"].get("language") in ("en",) else "en"),
    )
    made: dict[str, dict[str, Any]] = {}
    for region in unlinked:
        meaning = mapping.spans[region.label]
        if "evidence" not in meaning:
            problems.append(
                Problem(
                    source,
                    region.where,
                    f"a {region.label!r} region without a ref or a relation",
                    "link it (condition-of) or give it a ref",
                )
            )
            continue
        speaker = said_by.get(region.id)
        if speaker is None:
            problems.append(
                Problem(
                    source,
                    region.where,
                    f"evidence {region.text!r} has no speaker",
                    "relate it to a Speaker region (said-by) in the tool",
                )
            )
            continue
        found = [m for m in gazetteer.find(speaker.text) if m.slug and m.start == 0 and m.end == len(speaker.text)]
        slug_found = found[0].slug if found else None
        key = slug_found or speaker.text
        statement = made.get(key)
        if statement is None:
            slug = re.sub(r"[^a-z0-9]+", "-", key.lower()).strip("-") or "speaker"
            statement = {"id": f"{slug}-tool-{len(made) + 1}", "speakers": [slug_found] if slug_found else []}
            if not slug_found:
                statement["speaker_description"] = speaker.text
            statement["date_basis"] = "not-later-than-publication"
            statement["evidence"] = []
            made[key] = statement
            data["statements"].append(statement)
        item: dict[str, Any] = {"quote": region.text, "kind": meaning["evidence"]}
        starts = occurrences(exchange.text, region.text)
        if len(starts) > 1:
            item["occurrence"] = starts.index(region.start) + 1
        statement["evidence"].append(item)
