"""Load and check annotation files: the actor registry and one YAML file per article.

Checks run in order of what an annotator can fix first: YAML syntax, the JSON Schema (keys,
required fields, notations, slugs), then meaning (dates, unique ids, references to the registry
and within the article, quotes anchored in the text). All problems of a file are reported together.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from kg.errors import InputError, Problem
from kg.ingest.anchoring import Anchor, AnchorError, anchor, normalise
from kg.ingest.drafts import unreviewed
from kg.ingest.limits import count_problems
from kg.ingest.notations import canonicalise
from kg.ingest.registry_checks import registry_problems
from kg.ingest.schema import validator
from kg.ingest.yamlfile import JsonPath, YamlDocument, check_schema, load_yaml, nearest, read_text, sibling

REGISTRY_FILE = "registry.yaml"
SECTION_NOUN = {"actors": "actor", "posts": "post", "places": "place", "things": "thing", "events": "event"}


@dataclass(frozen=True)
class Registry:
    """The shared registry: every slug with its section and entry."""

    path: Path
    sha256: str
    sections: dict[str, list[dict[str, Any]]]
    sections_of: dict[str, str] = field(default_factory=dict)

    def section(self, slug: str) -> str | None:
        return self.sections_of.get(slug)


@dataclass(frozen=True)
class Article:
    """A checked article annotation with its text and every quote anchored."""

    path: Path
    text_path: Path
    text: str
    data: dict[str, Any]
    anchors: dict[JsonPath, Anchor]
    annotation_sha256: str
    text_sha256: str

    @property
    def source_id(self) -> str:
        return self.data["article"]["source_id"]


def sha256_file(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def load_registry(path: Path) -> Registry:
    """Load and check ``registry.yaml``; raise InputError listing every problem."""
    doc = load_yaml(path, "registry")
    _raise_if(check_schema(doc, validator("registry")))
    sections = {name: doc.data.get(name) or [] for name in SECTION_NOUN}
    sections_of: dict[str, str] = {}
    problems: list[Problem] = []
    for name, entries in sections.items():
        for index, entry in enumerate(entries):
            slug = entry["id"]
            if slug in sections_of:
                problems.append(
                    doc.problem(
                        (name, index, "id"),
                        f"slug {slug!r} is already used in {sections_of[slug]}",
                        "registry slugs must be unique across all sections",
                    )
                )
            sections_of.setdefault(slug, name)
    registry = Registry(path, sha256_file(path), sections, sections_of)
    refs = _References(doc, registry, problems)
    for index, actor in enumerate(sections["actors"]):
        for key in ("member_of", "members", "close_match"):
            refs.each(("actors", index, key), actor.get(key), "actors")
    for index, post in enumerate(sections["posts"]):
        refs.one(("posts", index, "post_in"), post["post_in"], "actors")
        refs.each(("posts", index, "held_by"), post.get("held_by"), "actors")
    for index, event in enumerate(sections["events"]):
        refs.each(("events", index, "agents"), event.get("agents"), "actors")
        refs.each(("events", index, "targets"), event.get("targets"), "actors")
    problems += registry_problems(doc, sections)
    _raise_if(problems)
    return registry


def find_registry(article_path: Path) -> Path:
    """The nearest ``registry.yaml`` in the article's folder or one of its parents."""
    for folder in article_path.resolve().parents:
        candidate = folder / REGISTRY_FILE
        if candidate.is_file():
            return candidate
    raise InputError(
        [
            Problem(
                article_path,
                "",
                f"no {REGISTRY_FILE} found in this folder or above it",
                "create the actor registry next to the articles, or pass --registry FILE",
            )
        ]
    )


def load_article(path: Path, registry: Registry) -> Article:
    """Load and check one article annotation; raise InputError listing every problem."""
    doc = load_yaml(path, "annotation")
    _raise_if(count_problems(path, doc.data, doc.line))
    schema = validator("article")
    # Synonyms become notations first, so that the schema check sees (and accepts) them.
    _raise_if(canonicalise(doc, schema.reference.schema) + check_schema(doc, schema))
    data = doc.data
    problems: list[Problem] = unreviewed(doc)  # drafted items a reviewer has not cleared yet
    text_path = sibling(doc, ("article", "text"), data["article"].get("text", path.with_suffix(".txt").name))
    try:
        text = normalise(read_text(text_path, "article text"))
    except InputError as err:
        line = doc.line(("article", "text")) or doc.line(("article",))
        raise InputError(
            [
                Problem(
                    path,
                    "article.text",
                    f"{p.message}: {text_path}",
                    "put the article text beside the YAML file with the same name, or name it in article.text",
                    line,
                )
                for p in err.problems
            ]
        ) from err
    _check_dates(doc, problems)
    local_ids = _check_unique_ids(doc, problems)
    refs = _References(doc, registry, problems, local_ids)
    _check_references(data, refs, doc, problems)
    anchors = _anchor_evidence(doc, text, problems)
    _raise_if(problems)
    # The text's hash is taken on what was anchored (line endings and NFC normalised), so the same
    # article gives the same hash, offsets and IRIs on every platform.
    text_sha256 = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return Article(path, text_path, text, data, anchors, sha256_file(path), text_sha256)


def _raise_if(problems: list[Problem]) -> None:
    if problems:
        raise InputError(problems)


def _check_dates(doc: YamlDocument, problems: list[Problem]) -> None:
    data = doc.data
    published = data["article"]["published"]
    try:
        datetime.fromisoformat(published)
    except ValueError:
        problems.append(
            doc.problem(
                ("article", "published"), f"{published!r} is not a real date and time", "check the month, day and time"
            )
        )
    for path, value in _dated_fields(data):
        try:
            date.fromisoformat(value)
        except ValueError:
            problems.append(doc.problem(path, f"{value!r} is not a real date", "check the month and day"))


def _dated_fields(data: dict[str, Any]) -> Iterator[tuple[JsonPath, str]]:
    for index, venue in enumerate(data.get("venues") or []):
        if "date" in venue:
            yield ("venues", index, "date"), venue["date"]
    for index, statement in enumerate(data["statements"]):
        if "stated_on" in statement:
            yield ("statements", index, "stated_on"), statement["stated_on"]


LOCAL_SECTIONS = {"venues": "venue", "statements": "statement", "actions": "action", "positions": "position"}


def _check_unique_ids(doc: YamlDocument, problems: list[Problem]) -> dict[str, str]:
    """Article-local ids -> their section; duplicates are problems."""
    seen: dict[str, str] = {}
    for section in LOCAL_SECTIONS:
        for index, item in enumerate(doc.data.get(section) or []):
            slug = item["id"]
            if slug in seen:
                problems.append(
                    doc.problem(
                        (section, index, "id"),
                        f"id {slug!r} is already used by a {LOCAL_SECTIONS[seen[slug]]}",
                        "ids must be unique within an article: rename one of them",
                    )
                )
            else:
                seen[slug] = section
    return seen


class _References:
    """Resolves slugs against the registry and the article's own ids, collecting problems."""

    def __init__(
        self, doc: YamlDocument, registry: Registry, problems: list[Problem], local: dict[str, str] | None = None
    ) -> None:
        self.doc, self.registry, self.problems, self.local = doc, registry, problems, local or {}

    def each(self, path: JsonPath, slugs: list[str] | None, *sections: str) -> None:
        for index, slug in enumerate(slugs or []):
            self.one((*path, index), slug, *sections)

    def one(self, path: JsonPath, slug: str | None, *sections: str) -> None:
        if slug is None:
            return
        local = any(section in LOCAL_SECTIONS for section in sections)
        found = self.local.get(slug) if local else self.registry.section(slug)
        if found in sections:
            return
        # Only a wrong reference pays for listing the candidates (a "did you mean" hint).
        known = self.local if local else self.registry.sections_of
        candidates = [s for s, section in known.items() if section in sections]
        where = "in this article" if local else f"in {self.registry.path}"
        nouns = " or ".join(SECTION_NOUN.get(s) or LOCAL_SECTIONS[s] for s in sections)
        if found is None:
            self.problems.append(
                self.doc.problem(
                    path, f"unknown {nouns} {slug!r}", f"{nearest(slug, candidates)}define it {where} first"
                )
            )
        else:
            noun = SECTION_NOUN.get(found) or LOCAL_SECTIONS[found]
            self.problems.append(
                self.doc.problem(
                    path, f"{slug!r} is a {noun}, not a {nouns}", f"{nearest(slug, candidates)}use a {nouns} here"
                )
            )


def _check_references(data: dict[str, Any], refs: _References, doc: YamlDocument, problems: list[Problem]) -> None:
    any_entry = ("actors", "places", "things")
    refs.one(("article", "publisher"), data["article"]["publisher"], "actors")
    refs.one(("article", "context"), data["article"].get("context"), "events")
    for i, venue in enumerate(data.get("venues") or []):
        refs.one(("venues", i, "medium"), venue.get("medium"), "actors")
        refs.one(("venues", i, "place"), venue.get("place"), "places")
        refs.each(("venues", i, "participants"), venue.get("participants"), "actors")
    for i, statement in enumerate(data["statements"]):
        refs.each(("statements", i, "speakers"), statement.get("speakers"), "actors")
        refs.one(("statements", i, "capacity"), statement.get("capacity"), "posts")
        refs.each(("statements", i, "on_behalf_of"), statement.get("on_behalf_of"), "actors")
        refs.one(("statements", i, "venue"), statement.get("venue"), "venues")
        if not statement.get("speakers") and not statement.get("speaker_description"):
            problems.append(
                doc.problem(
                    ("statements", i),
                    "a statement needs a speaker",
                    "add 'speakers: [slug]' or, for an unnamed speaker, 'speaker_description'",
                )
            )
    for i, action in enumerate(data["actions"]):
        refs.each(("actions", i, "agents"), action.get("agents"), "actors")
        refs.each(("actions", i, "targets"), action.get("targets"), *any_entry)
        refs.each(("actions", i, "beneficiaries"), action.get("beneficiaries"), "actors")
        refs.each(("actions", i, "instruments"), action.get("instruments"), *any_entry)
        refs.one(("actions", i, "context"), action.get("context"), "events")
    for i, position in enumerate(data["positions"]):
        refs.each(("positions", i, "holders"), position["holders"], "actors")
        refs.one(("positions", i, "action"), position["action"], "actions")
        refs.each(("positions", i, "expressed_in"), position["expressed_in"], "statements")
        refs.one(("positions", i, "exception_to"), position.get("exception_to"), "positions")
        refs.each(("positions", i, "in_tension_with"), position.get("in_tension_with"), "positions")
        for j, condition in enumerate(position.get("conditions") or []):
            refs.each(("positions", i, "conditions", j, "refs"), condition.get("refs"), *any_entry)
            refs.one(("positions", i, "conditions", j, "carve_out"), condition.get("carve_out"), "positions")


def evidence_items(data: dict[str, Any]) -> Iterator[tuple[JsonPath, dict[str, Any]]]:
    """Every evidence item of an article with its path, in file order."""
    for i, statement in enumerate(data["statements"]):
        for k, item in enumerate(statement["evidence"]):
            yield ("statements", i, "evidence", k), item
    for i, position in enumerate(data["positions"]):
        for j, condition in enumerate(position.get("conditions") or []):
            for k, item in enumerate(condition.get("evidence") or []):
                yield ("positions", i, "conditions", j, "evidence", k), item


def _anchor_evidence(doc: YamlDocument, text: str, problems: list[Problem]) -> dict[JsonPath, Anchor]:
    anchors: dict[JsonPath, Anchor] = {}
    kinds: dict[tuple[int, int], tuple[str, JsonPath]] = {}
    for path, item in evidence_items(doc.data):
        try:
            found = anchor(text, item["quote"], item.get("occurrence"))
        except AnchorError as err:
            problems.append(doc.problem((*path, "quote"), str(err), err.hint))
            continue
        span = (found.start, found.end)
        if span in kinds and kinds[span][0] != item["kind"]:
            other_kind, other_path = kinds[span]
            problems.append(
                doc.problem(
                    (*path, "kind"),
                    f"the same span is {other_kind!r} at line {doc.line(other_path)} but {item['kind']!r} here",
                    "use one kind for one span",
                )
            )
        kinds.setdefault(span, (item["kind"], path))
        anchors[path] = found
    return anchors
