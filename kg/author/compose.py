"""Turn the drafter's findings into an annotation in the project's own format, every item marked.

The result is the dictionary an annotator would have written (docs/annotation-format.md), plus
``draft: {rule, confidence}`` on every drafted item, ``article.drafted`` (rule set and version, kept
after review for the provenance graph) and ``new_actor_candidates`` (names the registry lacks).
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from kg.author.draft import (
    MAX_LABEL_WORDS,
    Drafter,
    DraftPosition,
    DraftStatement,
    Occurrences,
    Sentence,
    VenueKey,
    check_published,
    published_from_text,
    source_id_for,
)
from kg.author.rules import RuleSet
from kg.errors import InputError, Problem
from kg.ingest.anchoring import normalise
from kg.ingest.annotations import Registry
from kg.ingest.yamlfile import read_text

HEADER = """# yaml-language-server: $schema=../schemas/article.schema.json
#
# DRAFT written by `kg draft` ({rules}). Every item marked `draft: {{rule, confidence}}` was found by
# a rule, not by a person: check it against the text (speaker, stance, action, conditions), fix it,
# then delete its `draft:` line (or delete the item). `kg ingest` refuses this file while any mark
# or any new actor candidate is left. Keep `article.drafted`: it records the rule set used.
"""


@dataclass
class DraftResult:
    data: dict[str, Any]
    rules: RuleSet

    def render(self) -> str:
        return HEADER.format(rules=self.rules.label) + "\n" + render_yaml(self.data)


def _mark(rule: str, confidence: float) -> dict[str, Any]:
    return {"rule": rule, "confidence": round(max(0.05, min(confidence, 0.99)), 2)}


def slugify(words: str, limit: int = 6) -> str:
    slug = "-".join(re.findall(r"[a-z0-9]+", words.lower())[:limit])
    return slug or "item"


def draft_article(
    text_path: Path,
    registry: Registry,
    rules: RuleSet,
    *,
    published: str | None = None,
    source_id: str | None = None,
) -> DraftResult:
    """Draft an annotation of the article at ``text_path``."""
    text = normalise(read_text(text_path, "article text"))
    published = published or published_from_text(text, rules)
    if published is None:
        raise InputError(
            [
                Problem(
                    text_path,
                    "",
                    "no publication date found in the article's first lines",
                    "pass --published 2026-03-02 (or 2026-03-02T23:36:00)",
                )
            ]
        )
    day = check_published(published, text_path)
    drafter = Drafter(text, registry, rules)
    statements = drafter.run(day)
    return DraftResult(_Composer(drafter, text_path, registry, rules).compose(statements, published, source_id), rules)


class _Composer:
    def __init__(self, drafter: Drafter, text_path: Path, registry: Registry, rules: RuleSet) -> None:
        self.drafter, self.text, self.text_path, self.rules = drafter, drafter.text, text_path, rules
        self.posts = {p["id"]: p for p in registry.sections["posts"]}
        self.ids: set[str] = set()
        self.next_suffix: dict[str, int] = {}
        self.span_kinds: dict[tuple[int, int], str] = {}
        self.quote_spans = [(q.start, q.end) for q in drafter.quotes]
        self.quote_starts = [q.start for q in drafter.quotes]
        self.occurrences = Occurrences(self.text)

    def unique(self, slug: str) -> str:
        candidate, n = slug, self.next_suffix.get(slug, 2)
        while candidate in self.ids:
            candidate, n = f"{slug}-{n}", n + 1
        self.next_suffix[slug] = n
        self.ids.add(candidate)
        return candidate

    def evidence(
        self, start: int, end: int, kind: str, rule: str, confidence: float, edited: bool = False
    ) -> dict[str, Any]:
        kind = self.span_kinds.setdefault((start, end), kind)
        item: dict[str, Any] = {"quote": self.text[start:end], "kind": kind}
        occurrence = self.occurrences.of(start, end)
        if occurrence:
            item["occurrence"] = occurrence
        if edited:
            item["edited"] = True
        item["draft"] = _mark(rule, confidence)
        return item

    def compose(self, statements: list[DraftStatement], published: str, source_id: str | None) -> dict[str, Any]:
        text = self.text
        headline = next((line.strip() for line in text.splitlines() if line.strip()), "")
        byline = re.search(r"^By\s+(.+)$", "\n".join(text.splitlines()[:5]), re.MULTILINE)
        publisher = None
        if byline:
            found = [m for m in self.drafter.gazetteer.find(byline.group(1)) if m.actor_type == "MediaOrganization"]
            publisher = found[0].slug if found else None
        article: dict[str, Any] = {
            "source_id": source_id or source_id_for(self.text_path),
            "text": self.text_path.name,
            "headline": headline[:300] or "(headline)",
            "publisher": publisher or "unknown-publisher",
            "published": published,
            "language": self.rules.language,
            "drafted": {"rules": self.rules.language, "version": self.rules.version},
            "draft": _mark("article-first-lines", 0.7 if publisher else 0.3),
        }
        venues = self.venues(statements)
        statement_items = [self.statement(s, venues) for s in statements]
        positions = self.positions(statements)
        actions, position_items = self.position_items(positions)
        data: dict[str, Any] = {"article": article}
        if venues:
            data["venues"] = [v for v, _ in venues.values()]
        data["statements"] = statement_items
        data["actions"] = actions
        data["positions"] = position_items
        candidates = self.new_actor_candidates()
        if candidates:
            data["new_actor_candidates"] = candidates
        return data

    # -- venues and statements -------------------------------------------------------------------

    def venues(self, statements: list[DraftStatement]) -> dict[VenueKey, tuple[dict[str, Any], str]]:
        made: dict[VenueKey, tuple[dict[str, Any], str]] = {}
        for statement in statements:
            key = statement.venue
            if key is None or key in made:
                continue
            rule, cue, _, _ = self.drafter.venue_found[key]
            kind, medium, place = key
            venue: dict[str, Any] = {"id": self.unique(slugify(f"{medium or ''} {kind} {place or ''}"))}
            venue["type"] = kind
            if medium:
                venue["medium"] = medium
            if place:
                venue["place"] = place
            if statement.stated_on:
                venue["date"] = statement.stated_on
            if statement.speaker.slugs:
                venue["participants"] = list(statement.speaker.slugs)
            venue["draft"] = _mark(rule, 0.8 if cue["certainty"] == "explicit" else 0.6)
            made[key] = (venue, cue["certainty"])
        return made

    def statement(
        self, statement: DraftStatement, venues: dict[VenueKey, tuple[dict[str, Any], str]]
    ) -> dict[str, Any]:
        speaker = statement.speaker
        base = speaker.slugs[0] if len(speaker.slugs) == 1 else ("joint" if speaker.slugs else "unresolved")
        venue = venues.get(statement.venue) if statement.venue else None
        statement.id = self.unique(slugify(f"{base} {venue[0].get('medium', '') if venue else ''}"))
        item: dict[str, Any] = {"id": statement.id, "speakers": list(speaker.slugs)}
        if speaker.description:
            item["speaker_description"] = speaker.description
        if speaker.capacity:
            item["capacity"] = speaker.capacity
            item["on_behalf_of"] = [self.posts[speaker.capacity]["post_in"]]
        if venue:
            item["venue"] = venue[0]["id"]
            item["venue_certainty"] = venue[1]
        if statement.stated_on:
            item["stated_on"] = statement.stated_on
        item["date_basis"] = statement.date_basis
        evidence = []
        if statement.venue and statement.venue in self.drafter.venue_found:
            rule, _, start, end = self.drafter.venue_found[statement.venue]
            evidence.append((start, self.evidence(start, end, "context", rule, 0.7)))
        for found in statement.evidence:
            evidence.append(
                (
                    found.start,
                    self.evidence(found.start, found.end, found.kind, found.rule, found.confidence, found.edited),
                )
            )
        item["evidence"] = [e for _, e in sorted(evidence, key=lambda pair: pair[0])]
        item["draft"] = _mark(speaker.rule, speaker.confidence)
        return item

    # -- positions, actions, conditions ----------------------------------------------------------

    def positions(self, statements: list[DraftStatement]) -> list[DraftPosition]:
        drafter, text = self.drafter, self.text
        spans = sorted(
            ((e.start, e.end, s) for s in statements for e in s.evidence if s.speaker.slugs), key=lambda t: t[0]
        )
        span_starts = [start for start, _, _ in spans]
        longest = max((end - start for start, end, _ in spans), default=0)
        found: list[DraftPosition] = []
        seen: set[tuple[str, str, int]] = set()
        for sentence in drafter.sentences:
            window = spans[
                bisect.bisect_left(span_starts, sentence.start - longest) : bisect.bisect_left(
                    span_starts, sentence.end
                )
            ]
            near = [(s, e, st) for s, e, st in window if s < sentence.end and e > sentence.start]
            if not near:
                continue
            for cue in self.rules.stances:
                for match in cue.pattern.finditer(text, sentence.start, sentence.end):
                    start, end, statement = min(
                        near,
                        key=lambda t: (
                            0
                            if t[0] <= match.start() < t[1]
                            else min(abs(t[0] - match.end()), abs(t[1] - match.start()))
                        ),
                    )
                    holders = self._holders(statement, cue.fields)
                    key = (statement.id, cue.fields["stance"], sentence.start)
                    if key in seen:
                        continue
                    seen.add(key)
                    found.append(
                        DraftPosition(
                            statement,
                            holders,
                            cue.fields["stance"],
                            match.start(),
                            match.end(),
                            cue.rule,
                            self._action_label(sentence, match.end(), match.group()),
                            list(cue.fields.get("action_types") or ["military-operation"]),
                            cue.fields.get("modality"),
                        )
                    )
        found.sort(key=lambda p: p.cue_start)
        self._conditions(found)
        return found

    def _holders(self, statement: DraftStatement, fields: dict[str, Any]) -> list[str]:
        speaker = statement.speaker
        if fields.get("holder") != "speaker" and speaker.capacity:
            return [self.posts[speaker.capacity]["post_in"]]
        return list(speaker.slugs)

    def _action_label(self, sentence: Sentence, at: int, cue: str) -> str:
        rest = self.text[at : sentence.end]
        rest = re.split(r",|;|\bwhile\b|\beven as\b|\bbut\b|[“”\"]", rest, maxsplit=1)[0]
        words = rest.split()[:MAX_LABEL_WORDS]
        if len(words) >= 2:
            return " ".join(words).rstrip(".")
        return f"(what the cue {cue!r} is about: describe the action)"

    def _conditions(self, positions: list[DraftPosition]) -> None:
        text, drafter = self.text, self.drafter
        if not positions:
            return
        starts = [p.cue_start for p in positions]
        seen: set[tuple[int, str, int, int]] = set()
        for sentence in drafter.sentences:
            in_sentence = positions[
                bisect.bisect_left(starts, sentence.start) : bisect.bisect_left(starts, sentence.end)
            ]
            for cue in self.rules.conditions:
                for match in cue.pattern.finditer(text, sentence.start, sentence.end):
                    if in_sentence:
                        target = min(in_sentence, key=lambda p: abs(p.cue_start - match.start()))
                        confidence = 0.5
                    else:
                        index = bisect.bisect_right(starts, match.start()) - 1
                        if index < 0:
                            continue
                        target, confidence = positions[index], 0.3
                    key = (id(target), cue.fields["type"], match.start(), match.end())
                    if key in seen:
                        continue
                    seen.add(key)
                    index = bisect.bisect_right(self.quote_starts, match.start()) - 1
                    inside = index >= 0 and match.end() <= self.quote_spans[index][1]
                    condition: dict[str, Any] = {"type": cue.fields["type"]}
                    if cue.fields.get("values"):
                        condition["values"] = list(cue.fields["values"])
                    condition["text"] = match.group()
                    condition["evidence"] = [
                        self.evidence(
                            match.start(), match.end(), "direct-quote" if inside else "paraphrase", cue.rule, confidence
                        )
                    ]
                    condition["draft"] = _mark(cue.rule, confidence)
                    target.conditions.append(condition)

    def position_items(self, positions: list[DraftPosition]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        actions, items = [], []
        for position in positions:
            if not position.holders:
                continue
            action_id = self.unique(slugify(position.action_label))
            actions.append(
                {
                    "id": action_id,
                    "label": position.action_label,
                    "types": position.action_types,
                    "agents": list(position.holders),
                    "draft": _mark(position.rule, 0.4),
                }
            )
            item: dict[str, Any] = {
                "id": self.unique(slugify(f"{position.holders[0]} {position.stance}")),
                "holders": list(position.holders),
                "stance": position.stance,
                "action": action_id,
                "expressed_in": [position.statement.id],
            }
            if position.modality:
                item["modality"] = position.modality
            if position.conditions:
                item["conditions"] = position.conditions
            item["draft"] = _mark(position.rule, 0.5)
            items.append(item)
        return actions, items

    def new_actor_candidates(self) -> list[dict[str, Any]]:
        text = self.text
        first_line_end = text.find("\n")
        found: dict[str, dict[str, Any]] = {}
        known = [m for m in self.drafter.mentions if m.actor_type != "unknown"]
        for start, _end, name in self.drafter.gazetteer.unknown_names(text, known):
            if start < first_line_end or name.lower() in self.rules.data["titles"]:
                continue
            entry = found.setdefault(
                name,
                {
                    "name": name,
                    "suggested_id": slugify(name, 8),
                    "line": text.count("\n", 0, start) + 1,
                    "occurrences": 0,
                },
            )
            entry["occurrences"] += 1
        return list(found.values())


# libyaml's emitter when PyYAML was built with it: a 5 MB article's draft is written ten times faster.
class _DraftDumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]
    """Block style for records, flow style for short lists and draft marks (one line each)."""


def _represent_dict(dumper: yaml.SafeDumper, data: dict[str, Any]) -> yaml.Node:
    flow = set(data) <= {"rule", "confidence", "rules", "version"}
    return dumper.represent_mapping("tag:yaml.org,2002:map", data.items(), flow_style=flow)


def _represent_list(dumper: yaml.SafeDumper, data: list[Any]) -> yaml.Node:
    flow = all(isinstance(item, str) and len(item) < 40 for item in data)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=flow)


_DraftDumper.add_representer(dict, _represent_dict)
_DraftDumper.add_representer(list, _represent_list)


def render_yaml(data: dict[str, Any]) -> str:
    """YAML in the seed's style: records in block style, slug lists and marks on one line.

    Each top-level list is written item by item, so the emitter's node tree never holds more than
    one statement or position: the memory a long article's draft needs stays that of its data.
    """
    chunks = []
    for key, value in data.items():
        if isinstance(value, list) and value:
            chunks.append(f"{key}:\n")
            chunks.extend(_dump([item]) for item in value)
        else:
            chunks.append(_dump({key: value}))
    return "".join(chunks)


def _dump(data: Any) -> str:
    return yaml.dump(data, Dumper=_DraftDumper, sort_keys=False, allow_unicode=True, width=120)
