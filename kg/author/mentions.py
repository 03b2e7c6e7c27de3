"""Find the registry's actors in a text: labels, alternative labels, surnames, office titles.

One regular expression of every name (longest first) finds the actors; office titles ("German
Foreign Minister", "NATO Secretary General") are matched to registry posts by their words, so the
person named after a title gets the post as capacity and a title alone stands for the post's
holder. Capitalised names the registry lacks are collected as new actor candidates.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from kg.author.rules import RuleSet
from kg.ingest.annotations import Registry

WORD = re.compile(r"[\w’'-]+")
CAPITALISED_NAME = re.compile(r"\b[A-Z][\w’'-]*(?:\s(?:(?:of|al|de|von|van|bin|el|der|la)\s)?[A-Z][\w’'-]*)*")


@dataclass(frozen=True)
class Mention:
    """A span of the text that names (or stands for) an actor."""

    start: int
    end: int
    text: str
    slug: str | None  # None: a name the registry lacks
    actor_type: str | None
    capacity: str | None = None  # post slug, when a title precedes the name
    rule: str = "mention-label"


def _words(text: str) -> set[str]:
    return {w.lower() for w in WORD.findall(text)}


class Gazetteer:
    """The registry's names, ready to be found in text."""

    def __init__(self, registry: Registry, rules: RuleSet) -> None:
        self.rules = rules
        self.actors: dict[str, dict[str, Any]] = {a["id"]: a for a in registry.sections["actors"]}
        self.posts: dict[str, dict[str, Any]] = {p["id"]: p for p in registry.sections["posts"]}
        self.places: dict[str, dict[str, Any]] = {p["id"]: p for p in registry.sections["places"]}
        names: dict[str, tuple[str, str]] = {}  # name -> (slug, rule)
        surnames: dict[str, set[str]] = {}
        for slug, actor in self.actors.items():
            label = re.sub(r"\s*\(.*?\)\s*", "", actor["label"]).strip()
            for name in [label, *(actor.get("alt_labels") or [])]:
                names.setdefault(name, (slug, "mention-label"))
            if actor["type"] == "Person" and " " in label:
                surnames.setdefault(label.split()[-1], set()).add(slug)
        for surname, slugs in surnames.items():
            if len(slugs) == 1 and surname not in names:
                names[surname] = (next(iter(slugs)), "mention-surname")
        self.names = names
        self.place_names = {p["label"]: slug for slug, p in self.places.items()}
        self._name_rx = _alternation(names)
        self._place_rx = _alternation(self.place_names)
        self._title_rx = re.compile(
            r"(?<![\w-])(?:(?P<qual>[\w-]+)\s+)?(?P<title>"
            + "|".join(re.escape(t) for t in sorted(rules.data["titles"], key=len, reverse=True))
            + r")(?![\w-])",
            re.IGNORECASE,
        )
        self._pronouns = re.compile(
            r"\b(?:" + "|".join(re.escape(p) for p in rules.words("person_pronouns")) + r")\b", re.IGNORECASE
        )
        self.not_names = {w.lower() for w in rules.words("not_names")}

    # -- actors ----------------------------------------------------------------------------------

    def actor_type(self, slug: str) -> str | None:
        actor = self.actors.get(slug)
        return actor["type"] if actor else None

    def find(self, text: str) -> list[Mention]:
        """Every actor mention in ``text``: names, titles (with or before a name), pronouns."""
        found: list[Mention] = []
        for match in self._name_rx.finditer(text):
            slug, rule = self.names[match.group()]
            found.append(Mention(match.start(), match.end(), match.group(), slug, self.actor_type(slug), rule=rule))
        titled = list(self._titles(text))
        by_start = {m.start: m for m in found}
        replaced: set[int] = set()
        name_starts = [m.start for m in found]  # in text order, as the regex found them
        for title_start, title_end, post in titled:
            after = re.match(r"\s+", text[title_end : title_end + 3])
            named = by_start.get(title_end + (after.end() if after else 0))
            if named and named.actor_type == "Person":
                replaced.add(named.start)
                found.append(
                    Mention(named.start, named.end, named.text, named.slug, "Person", post, "mention-title-and-name")
                )
            elif not named:
                holders = self.posts[post].get("held_by") or []
                index = bisect.bisect_left(name_starts, title_end)
                inside_name = any(m.start < title_end and m.end > title_start for m in found[max(0, index - 3) : index])
                if len(holders) == 1 and not inside_name:
                    found.append(
                        Mention(
                            title_start,
                            title_end,
                            text[title_start:title_end],
                            holders[0],
                            "Person",
                            post,
                            "mention-title-holder",
                        )
                    )
        for match in self._pronouns.finditer(text):
            found.append(Mention(match.start(), match.end(), match.group(), None, "pronoun", rule="mention-pronoun"))
        found = [m for m in found if m.start not in replaced or m.capacity]
        found.sort(key=lambda m: m.start)
        return found

    def _titles(self, text: str) -> Iterator[tuple[int, int, str]]:
        titles: dict[str, list[str]] = self.rules.data["titles"]
        demonyms: dict[str, str] = self.rules.data["demonyms"]
        for match in self._title_rx.finditer(text):
            title_words = set(titles[match.group("title").lower()])
            qualifier = (match.group("qual") or "").lower()
            qualifier_words = {demonyms.get(qualifier, qualifier)} if qualifier else set()
            candidates = []
            for slug, post in self.posts.items():
                body = self.actors.get(post["post_in"], {})
                words = (
                    _words(post["label"])
                    | _words(body.get("label", ""))
                    | _words(" ".join(body.get("alt_labels") or []))
                )
                if title_words <= words:
                    candidates.append((bool(qualifier_words & words), slug))
            if not candidates:
                continue
            qualified = [slug for ok, slug in candidates if ok]
            if len(qualified) == 1:
                start = match.start("qual") if match.group("qual") else match.start("title")
                yield start, match.end(), qualified[0]
            elif len(candidates) == 1 and not qualifier_words:
                yield match.start("title"), match.end(), candidates[0][1]

    # -- places and media ------------------------------------------------------------------------

    def place_at(self, text: str) -> str | None:
        match = self._place_rx.fullmatch(text)
        return self.place_names[match.group()] if match else None

    def place_pattern(self) -> str:
        return self._place_rx.pattern if self.place_names else r"(?!x)x"

    def media_pattern(self) -> str:
        names = [n for n, (slug, _) in self.names.items() if self.actor_type(slug) == "MediaOrganization"]
        return _alternation(dict.fromkeys(names)).pattern if names else r"(?!x)x"

    # -- names the registry lacks ----------------------------------------------------------------

    def unknown_names(self, text: str, known: list[Mention]) -> Iterator[tuple[int, int, str]]:
        """Capitalised word runs that no registry name covers (sentence openers stripped)."""
        covered = sorted(
            [(m.start, m.end) for m in known] + [(m.start(), m.end()) for m in self._place_rx.finditer(text)]
        )
        covered_starts = [s for s, _ in covered]
        adjectives = {w.lower() for w in self.rules.data["demonyms"]}
        for match in CAPITALISED_NAME.finditer(text):
            words = match.group().split()
            start = match.start()
            while words and words[0].lower().strip("’'") in self.not_names:
                start += len(words[0]) + 1
                words = words[1:]
            if not words or len(" ".join(words)) < 3 or (len(words) == 1 and words[0].lower() in adjectives):
                continue
            end = start + len(" ".join(words))
            nearby = covered[
                max(0, bisect.bisect_left(covered_starts, start) - 3) : bisect.bisect_left(covered_starts, end)
            ]
            if any(s < end and e > start for s, e in nearby):
                continue
            if len(words) == 1 and (start == 0 or text[start - 2 : start].strip() in {".", "", "“", '"'}):
                continue  # a lone capitalised word opening a sentence is not evidence of a name
            yield start, end, text[start:end]


def _alternation(names: dict[str, Any]) -> re.Pattern[str]:
    ordered = sorted(names, key=len, reverse=True)
    if not ordered:
        return re.compile(r"(?!x)x")
    return re.compile(r"(?<![\w-])(?:" + "|".join(re.escape(n) for n in ordered) + r")(?![\w])")
