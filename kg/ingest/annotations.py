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
#: Corpus-level files beside the registry: ``corpus.yaml`` and ``*.corpus.yaml``.
CORPUS_FILE = "corpus.yaml"
SECTION_NOUN = {"actors": "actor", "posts": "post", "places": "place", "things": "thing", "events": "event"}


@dataclass(frozen=True)
class Corpus:
    """Corpus-level definitions (``corpus*.yaml`` beside the registry): communications with their
    positions, and actions, each defined once and referenced from any article."""

    files: dict[Path, str] = field(default_factory=dict)  # path -> SHA-256
    communications: dict[str, dict[str, Any]] = field(default_factory=dict)
    actions: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: corpus position id -> (position entry, id of the communication expressing it)
    positions: dict[str, tuple[dict[str, Any], str]] = field(default_factory=dict)


@dataclass(frozen=True)
class Registry:
    """The shared registry: every slug with its section and entry, and the corpus-level definitions
    of the same folder."""

    path: Path
    sha256: str
    sections: dict[str, list[dict[str, Any]]]
    sections_of: dict[str, str] = field(default_factory=dict)
    corpus: Corpus = field(default_factory=Corpus)

    def section(self, slug: str) -> str | None:
        return self.sections_of.get(slug)

    def entry(self, section: str, slug: str) -> dict[str, Any] | None:
        return next((e for e in self.sections[section] if e["id"] == slug), None)


def is_corpus_file(path: Path) -> bool:
    return path.name == CORPUS_FILE or path.name.endswith("." + CORPUS_FILE)


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
        refs.one(("actors", index, "part_of"), actor.get("part_of"), "actors")
    for index, post in enumerate(sections["posts"]):
        refs.one(("posts", index, "post_in"), post["post_in"], "actors")
        refs.each(("posts", index, "held_by"), post.get("held_by"), "actors")
        for t, term in enumerate(post.get("terms") or []):
            refs.one(("posts", index, "terms", t, "holder"), term["holder"], "actors")
            _check_term(doc, ("posts", index, "terms", t), term, problems)
    for index, event in enumerate(sections["events"]):
        refs.each(("events", index, "agents"), event.get("agents"), "actors")
        refs.each(("events", index, "targets"), event.get("targets"), "actors")
        refs.one(("events", index, "instance_of"), event.get("instance_of"), "events")
        if "date" in event:
            _check_date(doc, ("events", index, "date"), event["date"], problems)
    problems += registry_problems(doc, sections)
    _raise_if(problems)
    corpus = load_corpus(sorted(_corpus_files(path.parent)), registry)
    return Registry(path, registry.sha256, sections, sections_of, corpus)


def _corpus_files(folder: Path) -> Iterator[Path]:
    for candidate in folder.iterdir():
        if candidate.is_file() and is_corpus_file(candidate):
            yield candidate


def _check_date(doc: YamlDocument, path: JsonPath, value: str, problems: list[Problem]) -> date | None:
    try:
        return date.fromisoformat(value)
    except ValueError:
        problems.append(doc.problem(path, f"{value!r} is not a real date", "check the month and day"))
        return None


def _check_term(doc: YamlDocument, path: JsonPath, term: dict[str, Any], problems: list[Problem]) -> None:
    start = _check_date(doc, (*path, "start"), term["start"], problems)
    end = _check_date(doc, (*path, "end"), term["end"], problems) if "end" in term else None
    if start and end and end < start:
        problems.append(
            doc.problem(
                (*path, "end"),
                f"the term ends ({end}) before it starts ({start})",
                "check both dates; leave 'end' out while the holder is still in office",
            )
        )


def load_corpus(paths: list[Path], registry: Registry) -> Corpus:
    """Load and check the corpus-level files; an id defined twice must be defined identically."""
    corpus = Corpus()
    problems: list[Problem] = []
    defined_in: dict[tuple[str, str], tuple[Path, int | None]] = {}
    docs: list[YamlDocument] = []
    for path in paths:
        doc = load_yaml(path, "corpus")
        _raise_if(check_schema(doc, validator("corpus")))
        docs.append(doc)
        corpus.files[path] = sha256_file(path)
        for section, target in (("communications", corpus.communications), ("actions", corpus.actions)):
            for index, entry in enumerate(doc.data.get(section) or []):
                key, where = (section, entry["id"]), (*(section, index), "id")
                if key in defined_in and target[entry["id"]] != entry:
                    other, line = defined_in[key]
                    problems.append(
                        doc.problem(
                            where,
                            f"{SECTION_NOUN_CORPUS[section]} {entry['id']!r} is also defined, differently, in "
                            f"{other}:{line}",
                            "define a corpus-level id once (or identically): keep one definition",
                        )
                    )
                    continue
                defined_in.setdefault(key, (path, doc.line(where)))
                target[entry["id"]] = entry
    _raise_if(problems)
    for doc in docs:
        for c, communication in enumerate(doc.data.get("communications") or []):
            for position in communication.get("positions") or []:
                known = corpus.positions.get(position["id"])
                if known and known[1] != communication["id"]:
                    problems.append(
                        doc.problem(
                            ("communications", c, "positions"),
                            f"position {position['id']!r} is also defined under communication {known[1]!r}",
                            "corpus-level position ids are unique: rename one",
                        )
                    )
                corpus.positions.setdefault(position["id"], (position, communication["id"]))
    _raise_if(problems)
    for doc in docs:
        _check_corpus_references(doc, registry, corpus, problems)
    _raise_if(problems)
    return corpus


SECTION_NOUN_CORPUS = {"communications": "communication", "actions": "action"}


def _check_corpus_references(doc: YamlDocument, registry: Registry, corpus: Corpus, problems: list[Problem]) -> None:
    refs = _References(doc, registry, problems)
    any_entry = ("actors", "places", "things")
    for i, action in enumerate(doc.data.get("actions") or []):
        _action_references(refs, ("actions", i), action, any_entry)
    for i, communication in enumerate(doc.data.get("communications") or []):
        where: JsonPath = ("communications", i)
        _speaker_references(refs, where, communication)
        refs.each((*where, "on_behalf_of"), communication.get("on_behalf_of"), "actors")
        refs.one((*where, "medium"), communication.get("medium"), "actors")
        refs.one((*where, "place"), communication.get("place"), "places")
        if "date" in communication:
            _check_date(doc, (*where, "date"), communication["date"], problems)
        for j, position in enumerate(communication.get("positions") or []):
            path: JsonPath = (*where, "positions", j)
            refs.each((*path, "holders"), position["holders"], "actors")
            if position["action"] not in corpus.actions:
                problems.append(
                    doc.problem(
                        (*path, "action"),
                        f"unknown corpus-level action {position['action']!r}",
                        f"{nearest(position['action'], list(corpus.actions))}define it under 'actions:' in a "
                        "corpus file",
                    )
                )
            for key in ("exception_to", "in_tension_with", *CHANGE_KEYS):
                values = position.get(key)
                for k, slug in enumerate([values] if isinstance(values, str) else values or []):
                    if slug not in corpus.positions:
                        problems.append(
                            doc.problem(
                                (*path, key, k) if not isinstance(values, str) else (*path, key),
                                f"unknown corpus-level position {slug!r}",
                                f"{nearest(slug, list(corpus.positions))}name a position defined in a corpus file",
                            )
                        )
            for k, condition in enumerate(position.get("conditions") or []):
                refs.each((*path, "conditions", k, "refs"), condition.get("refs"), *any_entry)
                refs.one((*path, "conditions", k, "fired_by"), condition.get("fired_by"), "events")
    _check_changes(
        doc,
        {
            position["id"]: (position, ("communications", i, "positions", j))
            for i, c in enumerate(doc.data.get("communications") or [])
            for j, position in enumerate(c.get("positions") or [])
        },
        lambda slug: corpus.positions[slug][0] if slug in corpus.positions else None,
        problems,
    )


#: Keys by which a position names earlier positions it changes or restates.
CHANGE_KEYS = ("supersedes", "reaffirms", "reverses", "retracts")


def _check_changes(
    doc: YamlDocument,
    positions: dict[str, tuple[dict[str, Any], JsonPath]],
    resolve: Any,
    problems: list[Problem],
) -> None:
    """A change link joins two positions of the same holder, and the links form no cycle."""
    edges: dict[str, list[str]] = {}
    for slug, (position, path) in positions.items():
        for key in CHANGE_KEYS:
            for k, other in enumerate(position.get(key) or []):
                target = resolve(other)
                if target is None:
                    continue  # reported as an unknown reference
                edges.setdefault(slug, []).append(other)
                if other == slug:
                    problems.append(doc.problem((*path, key, k), f"position {slug!r} names itself", "remove it"))
                elif not set(position["holders"]) & set(target["holders"]):
                    problems.append(
                        doc.problem(
                            (*path, key, k),
                            f"{key}: {other!r} is held by {', '.join(target['holders'])}, not by "
                            f"{', '.join(position['holders'])}",
                            "a position can only supersede, reaffirm, reverse or retract a position of its own "
                            "holder; use in_tension_with for other holders",
                        )
                    )
    for start in sorted(edges):
        cycle = _find_cycle(start, edges)
        if cycle and start == min(cycle):
            path = positions[start][1]
            problems.append(
                doc.problem(
                    path,
                    f"the supersedes/reaffirms/reverses/retracts links form a cycle: {' -> '.join([*cycle, cycle[0]])}",
                    "a later position points at earlier ones only: remove one link of the cycle",
                )
            )


def _find_cycle(start: str, edges: dict[str, list[str]]) -> list[str] | None:
    stack: list[tuple[str, list[str]]] = [(start, [start])]
    seen: set[str] = set()
    while stack:
        node, trail = stack.pop()
        for nxt in edges.get(node, []):
            if nxt == start:
                return trail
            if nxt not in seen:
                seen.add(nxt)
                stack.append((nxt, [*trail, nxt]))
    return None


def _speaker_references(refs: _References, where: JsonPath, statement: dict[str, Any]) -> None:
    for k, speaker in enumerate(statement.get("speakers") or []):
        if isinstance(speaker, str):
            refs.one((*where, "speakers", k), speaker, "actors")
        else:
            refs.one((*where, "speakers", k, "actor"), speaker["actor"], "actors")
            refs.one((*where, "speakers", k, "office"), speaker.get("office"), "posts")


def _action_references(refs: _References, where: JsonPath, action: dict[str, Any], any_entry: tuple[str, ...]) -> None:
    refs.each((*where, "agents"), action.get("agents"), "actors")
    refs.each((*where, "targets"), action.get("targets"), *any_entry)
    refs.each((*where, "beneficiaries"), action.get("beneficiaries"), "actors")
    refs.each((*where, "instruments"), action.get("instruments"), *any_entry)
    refs.one((*where, "context"), action.get("context"), "events")


def speaker_offices(statement: dict[str, Any]) -> list[tuple[str, str | None]]:
    """(speaker slug, office slug or None) for every speaker; ``capacity`` is the office of a sole
    speaker given as a plain slug."""
    pairs: list[tuple[str, str | None]] = []
    for speaker in statement.get("speakers") or []:
        if isinstance(speaker, str):
            pairs.append((speaker, None))
        else:
            pairs.append((speaker["actor"], speaker.get("office")))
    if statement.get("capacity") and len(pairs) == 1 and pairs[0][1] is None:
        pairs[0] = (pairs[0][0], statement["capacity"])
    return pairs


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
    # An article that only reports corpus-level communications needs no actions or positions.
    data.setdefault("actions", [])
    data.setdefault("positions", [])
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
        # A year or a year-month is checked as its first day.
        datetime.fromisoformat(published if len(published) >= 10 else (published + "-01-01")[:10])
    except ValueError:
        problems.append(
            doc.problem(
                ("article", "published"),
                f"{published!r} is not a real year, month, date or date-time",
                "check the month, day and time",
            )
        )
    for path, value in _dated_fields(data):
        _check_date(doc, path, value, problems)


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


#: What a statement that reports a corpus-level communication takes from the corpus file instead.
COMMUNICATION_FIELDS = (
    "speakers",
    "speaker_description",
    "capacity",
    "on_behalf_of",
    "venue",
    "stated_on",
    "date_basis",
)


def _check_references(data: dict[str, Any], refs: _References, doc: YamlDocument, problems: list[Problem]) -> None:
    any_entry = ("actors", "places", "things")
    corpus = refs.registry.corpus
    refs.one(("article", "publisher"), data["article"]["publisher"], "actors")
    refs.one(("article", "context"), data["article"].get("context"), "events")
    for i, venue in enumerate(data.get("venues") or []):
        refs.one(("venues", i, "medium"), venue.get("medium"), "actors")
        refs.one(("venues", i, "place"), venue.get("place"), "places")
        refs.each(("venues", i, "participants"), venue.get("participants"), "actors")
    for i, statement in enumerate(data["statements"]):
        refs.each(("statements", i, "reported_via"), statement.get("reported_via"), "actors")
        if "communication" in statement:
            _check_communication_reference(doc, ("statements", i), statement, corpus, problems)
            continue
        _speaker_references(refs, ("statements", i), statement)
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
        if "date_basis" not in statement:
            problems.append(
                doc.problem(
                    ("statements", i),
                    "a statement needs 'date_basis'",
                    "add 'date_basis' (explicit, relative-weekday, not-later-than-publication), or "
                    "'communication: ID' if the corpus file defines this statement",
                )
            )
        _check_offices(doc, refs.registry, ("statements", i), statement, problems)
    for i, action in enumerate(data["actions"]):
        _action_references(refs, ("actions", i), action, any_entry)
    expressed = expressed_positions(data, corpus)
    for i, statement in enumerate(data["statements"]):
        for k, item in enumerate(statement["evidence"]):
            for m, slug in enumerate(item.get("supports") or []):
                if slug not in expressed.get(statement["id"], ()):
                    problems.append(
                        doc.problem(
                            ("statements", i, "evidence", k, "supports", m),
                            f"statement {statement['id']!r} does not express a position {slug!r}",
                            f"{nearest(slug, sorted(expressed.get(statement['id'], ())))}name a position this "
                            "statement expresses (a local one naming it in expressed_in, or one of its communication)",
                        )
                    )
    local_positions = {p["id"] for p in data["positions"]}
    for i, position in enumerate(data["positions"]):
        where: JsonPath = ("positions", i)
        refs.each((*where, "holders"), position["holders"], "actors")
        if position["action"] not in corpus.actions or refs.local.get(position["action"]):
            refs.one((*where, "action"), position["action"], "actions")
        refs.each((*where, "expressed_in"), position["expressed_in"], "statements")
        for key in ("exception_to", "in_tension_with", *CHANGE_KEYS):
            values = position.get(key)
            for k, slug in enumerate([values] if isinstance(values, str) else values or []):
                if slug not in local_positions and slug not in corpus.positions:
                    problems.append(
                        doc.problem(
                            (*where, key) if isinstance(values, str) else (*where, key, k),
                            f"unknown position {slug!r}",
                            f"{nearest(slug, sorted(local_positions | set(corpus.positions)))}name a position of "
                            "this article or of a corpus file",
                        )
                    )
        for j, condition in enumerate(position.get("conditions") or []):
            refs.each((*where, "conditions", j, "refs"), condition.get("refs"), *any_entry)
            refs.one((*where, "conditions", j, "carve_out"), condition.get("carve_out"), "positions")
            refs.one((*where, "conditions", j, "fired_by"), condition.get("fired_by"), "events")

    def resolve(slug: str) -> dict[str, Any] | None:
        local = next((p for p in data["positions"] if p["id"] == slug), None)
        return local or (corpus.positions[slug][0] if slug in corpus.positions else None)

    _check_changes(doc, {p["id"]: (p, ("positions", i)) for i, p in enumerate(data["positions"])}, resolve, problems)


def _check_communication_reference(
    doc: YamlDocument, where: JsonPath, statement: dict[str, Any], corpus: Corpus, problems: list[Problem]
) -> None:
    slug = statement["communication"]
    if slug not in corpus.communications:
        problems.append(
            doc.problem(
                (*where, "communication"),
                f"unknown communication {slug!r}: no corpus file defines it",
                f"{nearest(slug, list(corpus.communications))}define it under 'communications:' in corpus.yaml "
                "beside registry.yaml",
            )
        )
    for key in COMMUNICATION_FIELDS:
        if key in statement:
            problems.append(
                doc.problem(
                    (*where, key),
                    f"'{key}' comes from the corpus file for a statement that reports communication {slug!r}",
                    f"remove '{key}' here (or fix it in the corpus file)",
                )
            )


def _check_offices(
    doc: YamlDocument, registry: Registry, where: JsonPath, statement: dict[str, Any], problems: list[Problem]
) -> None:
    """A speaker who spoke in an office held it on that day, where the registry gives its terms."""
    stated_on = statement.get("stated_on")
    if not stated_on:
        return
    try:
        day = date.fromisoformat(stated_on)
    except ValueError:
        return  # reported by _check_dates
    for speaker, office in speaker_offices(statement):
        post = registry.entry("posts", office) if office else None
        terms = [t for t in (post or {}).get("terms") or [] if t["holder"] == speaker]
        if not post or not post.get("terms"):
            continue  # no terms recorded: nothing to check against
        held = any(
            date.fromisoformat(t["start"]) <= day and ("end" not in t or day <= date.fromisoformat(t["end"]))
            for t in terms
        )
        if not held:
            problems.append(
                doc.problem(
                    (*where, "capacity" if "capacity" in statement else "speakers"),
                    f"{speaker!r} did not hold {office!r} on {stated_on} according to the registry's terms",
                    "check the speaker, the office and the date, or add the term to the post in registry.yaml",
                )
            )


def expressed_positions(data: dict[str, Any], corpus: Corpus) -> dict[str, set[str]]:
    """Statement id -> ids of the positions it expresses: local positions naming it in
    ``expressed_in``, and the corpus positions of the communication it reports."""
    found: dict[str, set[str]] = {s["id"]: set() for s in data["statements"]}
    for statement in data["statements"]:
        communication = statement.get("communication")
        if communication in corpus.communications:
            found[statement["id"]].update(p["id"] for p in corpus.communications[communication].get("positions") or [])
    for position in data["positions"]:
        for slug in position["expressed_in"]:
            found.setdefault(slug, set()).add(position["id"])
    return found


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
