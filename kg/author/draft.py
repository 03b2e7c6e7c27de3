"""``kg draft``: a draft annotation of a raw article, by rules only (no model weights, offline).

The pass, in order: quotes (:mod:`kg.author.quotes`) and actor mentions
(:mod:`kg.author.mentions`); sentences (never split inside a quote); attribution of each quote and
of indirect speech to a speaker through a reporting verb ("Rutte said", "told Deutschlandfunk",
"described by London as", "he stressed" = the last person named); venue and date cues;
statements grouped by speaker and venue; candidate positions from stance cues and candidate
conditions from condition patterns. Every drafted item carries ``draft: {rule, confidence}``;
``kg ingest`` refuses the file until a reviewer has removed every mark (kg/ingest/drafts.py).
Work is linear in the text (each sentence is scanned a bounded number of times), so a 5 MB
article finishes in bounded memory.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from kg.author.mentions import Gazetteer, Mention
from kg.author.quotes import Quote, find_quotes
from kg.author.rules import RuleSet
from kg.errors import InputError, Problem
from kg.ingest.anchoring import normalise, occurrences
from kg.ingest.annotations import Registry

SPEAKER_TYPES = {"Person", "State", "InternationalOrganization", "GovernmentBody", "ArmedForces", "ActorGroup"}
MAX_ATTRIBUTION_GAP = 200  # characters between a speaker and the start of the quote at most
MAX_LABEL_WORDS = 12

#: A venue as drafted: (venue type, medium slug, place slug).
VenueKey = tuple[str, str | None, str | None]


@dataclass
class Sentence:
    start: int
    end: int


@dataclass
class Speaker:
    slugs: tuple[str, ...]
    description: str | None
    capacity: str | None
    rule: str
    confidence: float
    cue_start: int  # where the subject or the attribution phrase starts
    verb_end: int  # end of the reporting verb


@dataclass
class Evidence:
    start: int
    end: int
    kind: str
    rule: str
    confidence: float
    edited: bool = False


@dataclass
class DraftStatement:
    speaker: Speaker
    venue: VenueKey | None
    stated_on: str | None
    date_basis: str
    evidence: list[Evidence] = field(default_factory=list)
    spans: set[tuple[int, int]] = field(default_factory=set)
    id: str = ""


@dataclass
class DraftPosition:
    statement: DraftStatement
    holders: list[str]
    stance: str
    cue_start: int
    cue_end: int
    rule: str
    action_label: str
    action_types: list[str]
    modality: str | None
    conditions: list[dict[str, Any]] = field(default_factory=list)


def source_id_for(path: Path) -> str:
    """A slug from the file name, dropping a leading corpus number: ``000_4b2d17`` -> ``4b2d17``."""
    stem = re.sub(r"^\d+[_-]", "", path.stem)
    slug = re.sub(r"[^a-z0-9]+", "-", stem.lower()).strip("-")
    return slug or "article"


class Drafter:
    def __init__(self, text: str, registry: Registry, rules: RuleSet) -> None:
        self.text = normalise(text)
        self.rules = rules
        self.gazetteer = Gazetteer(registry, rules)
        words = rules.data
        verbs = sorted(words["reporting_verbs"], key=len, reverse=True)
        self.verb_rx = re.compile(r"\b(?:" + "|".join(re.escape(v) for v in verbs) + r")\b", re.IGNORECASE)
        between = "|".join(re.escape(w) for w in words["between_speaker_and_verb"])
        # Words allowed between a speaker and the verb, and an apposition (", a senior diplomat,").
        self.between_rx = re.compile(
            r"^(?:,\s+(?:a|an|the)\s[^,.]{1,60},)?(?:[\s,]+(?:" + between + r"))*[\s,]+$", re.IGNORECASE
        )
        self.by_rx = re.compile(
            r"\b(?:" + "|".join(re.escape(p) for p in words["attribution_before_speaker"]) + r")\s+(?:the\s+)?$",
            re.IGNORECASE,
        )
        self.venue_cues = [
            (
                venue["rule"],
                re.compile(
                    venue["pattern"]
                    .replace("{medium}", f"(?P<medium>{self.gazetteer.media_pattern()}|(?-i:[A-Z][\\w-]+))")
                    .replace("{place}", f"(?P<place>{self.gazetteer.place_pattern()})"),
                    re.IGNORECASE,
                ),
                venue,
            )
            for venue in words["venues"]
        ]
        weekdays = "|".join(words["weekdays"])
        self.weekday_rx = re.compile(rf"\b(?:on\s+|issued\s+|last\s+)?(?P<day>{weekdays})\b", re.IGNORECASE)
        self.relative_rx = re.compile(
            r"\b(?:" + "|".join(re.escape(k) for k in words["relative_days"]) + r")\b", re.IGNORECASE
        )
        self.object_verbs = {v.lower() for v in words["object_verbs"]}
        self.venue_found: dict[VenueKey, tuple[str, dict[str, Any], int, int]] = {}
        self.quotes: list[Quote] = []
        self.mentions: list[Mention] = []
        self.sentences: list[Sentence] = []

    # -- the pass --------------------------------------------------------------------------------

    def run(self, published: date | None) -> list[DraftStatement]:
        text = self.text
        self.quotes = list(find_quotes(text, self.rules.data["quote_marks"]))
        known = self.gazetteer.find(text)
        unknown = [
            Mention(start, end, name, None, "unknown", rule="mention-unknown-name")
            for start, end, name in self.gazetteer.unknown_names(text, known)
        ]
        self.mentions = sorted(known + unknown, key=lambda m: m.start)
        self._mention_starts = [m.start for m in self.mentions]
        # "he"/"she" stand for the last person named: a registry person or an unknown full name.
        self.persons = [
            m for m in self.mentions if (m.actor_type == "Person" and m.slug) or (m.slug is None and " " in m.text)
        ]
        self._person_starts = [m.start for m in self.persons]
        self.sentences = list(self._sentences())
        self._sentence_starts = [s.start for s in self.sentences]
        self.capacity_of = {m.slug: m.capacity for m in self.mentions if m.capacity and m.slug}
        statements: dict[tuple[Any, ...], DraftStatement] = {}
        previous: Speaker | None = None
        for quote in self.quotes:
            speaker = self._attribute(quote.outer_start, quote.outer_end)
            if speaker is None and quote.continued and previous is not None:
                speaker = previous
            elif speaker is None and previous is not None and self._stands_alone(quote):
                # A paragraph that is only a quote continues the speaker of the quote before it.
                speaker = Speaker(
                    previous.slugs,
                    previous.description,
                    previous.capacity,
                    "speaker-previous-quote",
                    0.5,
                    quote.start,
                    0,
                )
            if speaker is None:
                speaker = Speaker((), "unresolved: who said this?", None, "speaker-unresolved", 0.1, quote.start, 0)
            previous = speaker
            words = text[quote.start : quote.end]
            edited = any(mark in words for mark in self.rules.words("edit_marks"))
            rule = "quote-continued" if quote.continued else "quote-marks"
            self._add(
                statements,
                speaker,
                quote.start,
                published,
                Evidence(quote.start, quote.end, "direct-quote", rule, 0.95, edited),
            )
        for evidence, speaker in self._indirect_speech():
            self._add(statements, speaker, evidence.start, published, evidence)
        ordered = sorted(statements.values(), key=lambda s: min(e.start for e in s.evidence))
        for statement in ordered:
            statement.evidence.sort(key=lambda e: e.start)
        return ordered

    def _add(
        self,
        statements: dict[tuple[Any, ...], DraftStatement],
        speaker: Speaker,
        at: int,
        published: date | None,
        evidence: Evidence,
    ) -> None:
        sentence = self.sentence_at(at)
        venue = self._venue(sentence)
        stated_on, basis = self._date(sentence, published)
        key = (speaker.slugs, speaker.description, venue)
        statement = statements.get(key)
        if statement is None:
            statement = statements[key] = DraftStatement(speaker, venue, stated_on, basis)
        elif statement.stated_on is None and stated_on:
            statement.stated_on, statement.date_basis = stated_on, basis
        if (evidence.start, evidence.end) not in statement.spans:
            statement.spans.add((evidence.start, evidence.end))
            statement.evidence.append(evidence)

    # -- sentences -------------------------------------------------------------------------------

    def _sentences(self) -> Iterator[Sentence]:
        text = self.text
        inside = [(q.outer_start, q.outer_end) for q in self.quotes]
        starts = [s for s, _ in inside]
        start = 0
        for match in re.finditer(r"(?<=[.!?])[”\"’»]?\s+|\n+", text):
            cut = match.end()
            index = bisect.bisect_right(starts, match.start()) - 1
            if index >= 0 and inside[index][0] < match.start() < inside[index][1] - 1 and "\n" not in match.group():
                continue  # inside a quote
            if cut > start:
                yield Sentence(start, match.start() + (1 if match.group()[0] in '”"’»' else 0))
            start = cut
        if start < len(text):
            yield Sentence(start, len(text))

    def sentence_at(self, offset: int) -> Sentence:
        index = max(0, bisect.bisect_right(self._sentence_starts, offset) - 1)
        return self.sentences[index]

    def _mentions_in(self, start: int, end: int) -> list[Mention]:
        first = bisect.bisect_left(self._mention_starts, start)
        last = bisect.bisect_left(self._mention_starts, end)
        return self.mentions[first:last]

    # -- attribution -----------------------------------------------------------------------------

    def _attribute(self, start: int, end: int) -> Speaker | None:
        """The speaker of the words between ``start`` and ``end``, from the sentence around them."""
        sentence = self.sentence_at(start)
        after = self._after(end, sentence.end)
        if after is not None:
            return after
        return self._before(max(sentence.start, start - MAX_ATTRIBUTION_GAP), start)

    def _after(self, end: int, sentence_end: int) -> Speaker | None:
        """``"...," Rutte said`` or ``"...," said Rutte``."""
        tail = self.text[end : min(sentence_end, end + 80)]
        lead = re.match(r"[\s,”\"’»]*", tail)
        offset = end + (lead.end() if lead else 0)
        verb = self.verb_rx.match(self.text, offset)
        if verb:
            group = self._subject_group(self._mentions_in(verb.end(), verb.end() + 60), verb.end(), forward=True)
            if group:
                return self._speaker(group, "speaker-after-quote-verb-first", 0.85, offset, verb.end())
            return self._described(self.text[verb.end() : verb.end() + 60], offset, verb.end(), verb_first=True)
        group = self._subject_group(self._mentions_in(offset, offset + 60), offset, forward=True)
        if group:
            following = self.text[group[-1].end : group[-1].end + 40]
            verb = self.verb_rx.search(following)
            if verb and self.between_rx.match(following[: verb.start()] or " "):
                return self._speaker(group, "speaker-after-quote", 0.85, offset, group[-1].end + verb.end())
            return None
        return self._described(self.text[offset : offset + 80], offset, offset, verb_first=False)

    def _described(self, tail: str, cue_start: int, verb_end: int, *, verb_first: bool) -> Speaker | None:
        """An unnamed speaker after a quote: ``"...," the ministry said`` -> "the ministry"."""
        phrase = r"\s*((?:the|a|an)\s+[\w’'-]+(?:\s+[\w’'-]+){0,4}?)"
        if verb_first:
            match = re.match(phrase + r"\s*(?:[,.;]|$)", tail)
        else:
            match = re.match(phrase + r"\s+(?=" + self.verb_rx.pattern + ")", tail, re.IGNORECASE)
        if not match:
            return None
        return Speaker((), match.group(1), None, "speaker-after-quote-description", 0.4, cue_start, verb_end)

    def _stands_alone(self, quote: Quote) -> bool:
        sentence = self.sentence_at(quote.outer_start)
        rest = self.text[sentence.start : quote.outer_start] + self.text[quote.outer_end : sentence.end]
        return not rest.strip(" \t.,;:") and (sentence.start == 0 or self.text[sentence.start - 1] == "\n")

    def _before(self, start: int, end: int) -> Speaker | None:
        """The nearest ``SPEAKER [has also] VERB`` or ``VERB by SPEAKER`` before ``end``."""
        best: Speaker | None = None
        for verb in self.verb_rx.finditer(self.text, start, end):
            if (
                verb.group().lower().endswith("ing")
                and self.text[max(0, verb.start() - 2) : verb.start()].strip() == ","
            ):
                continue  # ", adding that ...": a participle clause keeps the sentence's speaker
            if self._in_mention(verb.start()):
                continue  # "Gulf states": part of a name, not a verb
            candidates = [m for m in self._mentions_in(start, verb.start()) if self._can_speak(m)]
            speaker = None
            for index in range(len(candidates) - 1, -1, -1):
                mention = candidates[index]
                if self.between_rx.match(self.text[mention.end : verb.start()] or " "):
                    group = self._subject_group(candidates[: index + 1], mention.end, forward=False)
                    speaker = self._speaker(group, "speaker-subject-of-reporting-verb", 0.9, group[0].start, verb.end())
                    break
            if speaker:
                best = speaker
        for mention in self._mentions_in(start, end):
            by = self._can_speak(mention) and self.by_rx.search(
                self.text, max(start, mention.start - 30), mention.start
            )
            if by and (best is None or mention.start > best.verb_end):
                best = self._speaker([mention], "speaker-by-attribution", 0.85, mention.start, mention.end)
        return best

    def _in_mention(self, offset: int) -> bool:
        index = bisect.bisect_right(self._mention_starts, offset) - 1
        return index >= 0 and self.mentions[index].start <= offset < self.mentions[index].end

    def _can_speak(self, mention: Mention) -> bool:
        return mention.actor_type in SPEAKER_TYPES or mention.actor_type == "pronoun" or mention.slug is None

    def _subject_group(self, mentions: list[Mention], anchor: int, *, forward: bool) -> list[Mention]:
        """Mentions joined by commas and 'and' ("the United Kingdom, Germany, and France")."""
        joiner = re.compile(r"^(?:,\s*|\s+and\s+|,\s*and\s+)(?:the\s+)?$")
        speakable = [m for m in mentions if self._can_speak(m)]
        if forward:
            if not speakable or not re.fullmatch(r"\s*(?:the\s+)?", self.text[anchor : speakable[0].start]):
                return []
            group = [speakable[0]]
            for mention in speakable[1:]:
                if not joiner.match(self.text[group[-1].end : mention.start]):
                    break
                group.append(mention)
            return group
        group = [speakable[-1]]
        for mention in reversed(speakable[:-1]):
            if not joiner.match(self.text[mention.end : group[0].start]):
                break
            group.insert(0, mention)
        return group

    def _speaker(self, group: list[Mention], rule: str, confidence: float, cue_start: int, verb_end: int) -> Speaker:
        slugs: list[str] = []
        description = None
        capacity = None
        for mention in group:
            slug = mention.slug
            if mention.actor_type == "pronoun":
                person = self._last_person_before(mention.start)
                if person is None:
                    return Speaker((), mention.text, None, "speaker-pronoun-unresolved", 0.2, cue_start, verb_end)
                slug, rule, confidence = person.slug, rule + "+pronoun-last-person", confidence - 0.15
                if slug is None:
                    description = person.text
                    continue
            if slug is None:
                description = mention.text
                continue
            slugs.append(slug)
            capacity = capacity or mention.capacity or self.capacity_of.get(slug)
        if len(slugs) != 1:
            capacity = None
        return Speaker(tuple(dict.fromkeys(slugs)), description, capacity, rule, confidence, cue_start, verb_end)

    def _last_person_before(self, offset: int) -> Mention | None:
        index = bisect.bisect_left(self._person_starts, offset) - 1
        return self.persons[index] if index >= 0 else None

    # -- indirect speech -------------------------------------------------------------------------

    def _indirect_speech(self) -> Iterator[tuple[Evidence, Speaker]]:
        """``SPEAKER VERB that CLAUSE``: the clause as paraphrase, up to a clause break."""
        text = self.text
        breaks = self.rules.words("clause_breaks")
        quote_starts = [q.outer_start for q in self.quotes]
        for sentence in self.sentences:
            for verb in self.verb_rx.finditer(text, sentence.start, sentence.end):
                if self._inside_quote(verb.start(), quote_starts):
                    continue
                speaker = self._before(max(sentence.start, verb.start() - MAX_ATTRIBUTION_GAP), verb.end())
                if speaker is None or speaker.verb_end != verb.end():
                    continue
                rest = text[verb.end() : sentence.end]
                that = re.match(r"^(?:[^.,;“”\"]{0,40}?\s)?that\s+", rest)
                if not that and verb.group().lower() not in self.object_verbs:
                    # "said it ...", or "said Britain would ...": a pronoun or a known actor opens the clause
                    that = re.match(r"^\s+(?=(?:it|they|he|she|we|the|there|its)\s)", rest) or self._actor_opens(
                        verb.end(), rest
                    )
                if not that:
                    continue
                clause_start = verb.end() + that.end()
                clause_end = sentence.end
                for mark in breaks:
                    at = text.find(mark, clause_start, clause_end)
                    if at >= 0:
                        clause_end = at
                index = bisect.bisect_left(quote_starts, clause_start)
                if index < len(quote_starts) and quote_starts[index] < clause_end:
                    clause_end = quote_starts[index]
                while clause_end > clause_start and not text[clause_end - 1].isalnum():
                    clause_end -= 1
                if len(text[clause_start:clause_end].split()) < 3:
                    continue
                yield Evidence(clause_start, clause_end, "paraphrase", "indirect-speech-" + speaker.rule, 0.6), speaker

    def _actor_opens(self, at: int, rest: str) -> re.Match[str] | None:
        """The space after a verb at ``at``, when a registry actor's name follows it."""
        space = re.match(r"^\s+", rest)
        if space is None:
            return None
        index = bisect.bisect_left(self._mention_starts, at + space.end())
        mention = self.mentions[index] if index < len(self.mentions) else None
        return space if mention is not None and mention.start == at + space.end() and mention.slug else None

    def _inside_quote(self, offset: int, quote_starts: list[int]) -> bool:
        index = bisect.bisect_right(quote_starts, offset) - 1
        return index >= 0 and self.quotes[index].outer_start < offset < self.quotes[index].outer_end

    # -- venues and dates ------------------------------------------------------------------------

    def _venue(self, sentence: Sentence) -> VenueKey | None:
        for rule, pattern, cue in self.venue_cues:
            match = pattern.search(self.text, sentence.start, sentence.end)
            if not match:
                continue
            groups = match.groupdict()
            medium_name = groups.get("medium")
            medium = None
            if medium_name:
                entry = self.gazetteer.names.get(medium_name)
                medium = entry[0] if entry else None
            place = self.gazetteer.place_at(groups["place"]) if groups.get("place") else None
            self.venue_found[(cue["type"], medium, place)] = (rule, cue, match.start(), match.end())
            return (cue["type"], medium, place)
        return None

    def _date(self, sentence: Sentence, published: date | None) -> tuple[str | None, str]:
        if published is None:  # a year or year-month: no day to count back from
            return None, "not-later-than-publication"
        match = self.weekday_rx.search(self.text, sentence.start, sentence.end)
        if match:
            weekday = [w.lower() for w in self.rules.words("weekdays")].index(match.group("day").lower())
            back = (published.weekday() - weekday) % 7
            return (published - timedelta(days=back)).isoformat(), "relative-weekday"
        match = self.relative_rx.search(self.text, sentence.start, sentence.end)
        if match:
            days = int(self.rules.data["relative_days"][match.group().lower()])
            return (published + timedelta(days=days)).isoformat(), "relative-weekday"
        return None, "not-later-than-publication"


class Occurrences:
    """The 1-based occurrence of a span's words in the text (None when they occur once).

    Each distinct string is searched once: a long article repeats short cues ("directly") often.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self._starts: dict[str, list[int]] = {}

    def of(self, start: int, end: int) -> int | None:
        words = self.text[start:end]
        starts = self._starts.get(words)
        if starts is None:
            starts = self._starts[words] = occurrences(self.text, words)
        return None if len(starts) == 1 else bisect.bisect_left(starts, start) + 1


def published_from_text(text: str, rules: RuleSet) -> str | None:
    """A publication date in the article's first lines ("2 Mar 2026 23:36", "March 2, 2026")."""
    months = [m.lower() for m in rules.words("months")]
    abbreviations = [m.lower() for m in rules.words("month_abbreviations")]
    head = "\n".join(text.splitlines()[:6])
    month_rx = "|".join(sorted(months + abbreviations, key=len, reverse=True))
    patterns = (
        rf"\b(?P<d>\d{{1,2}})\s+(?P<m>{month_rx})\.?\s+(?P<y>\d{{4}})(?:,?\s+(?P<H>\d{{1,2}}):(?P<M>\d{{2}}))?",
        rf"\b(?P<m>{month_rx})\.?\s+(?P<d>\d{{1,2}}),?\s+(?P<y>\d{{4}})(?:,?\s+(?P<H>\d{{1,2}}):(?P<M>\d{{2}}))?",
        r"\b(?P<y>\d{4})-(?P<mn>\d{2})-(?P<d>\d{2})(?:[T ](?P<H>\d{2}):(?P<M>\d{2}))?",
    )
    for pattern in patterns:
        match = re.search(pattern, head, re.IGNORECASE)
        if not match:
            continue
        groups = match.groupdict()
        if groups.get("mn"):
            month = int(groups["mn"])
        else:
            name = groups["m"].lower()
            month = (months.index(name) if name in months else abbreviations.index(name)) + 1
        try:
            day = date(int(groups["y"]), month, int(groups["d"]))
        except ValueError:
            continue
        if groups.get("H"):
            return f"{day.isoformat()}T{int(groups['H']):02d}:{groups['M']}:00"
        return day.isoformat()
    return None


def check_published(value: str, path: Path) -> date | None:
    """The publication day; None for a year or a year-month (as sources often give it), with which
    relative cues ("on Monday") cannot be resolved: those statements are dated not later than it."""
    if re.fullmatch(r"\d{4}(-(0[1-9]|1[0-2]))?", value):
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        raise InputError(
            [
                Problem(
                    path,
                    "--published",
                    f"{value!r} is not a date",
                    "write it as 2026-03-02 or 2026-03-02T23:36:00 (or 2026-03 or 2026 where the source gives no day)",
                )
            ]
        ) from None
