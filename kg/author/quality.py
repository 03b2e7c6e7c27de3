"""Draft quality: precision and recall of a draft against a gold annotation, per kind.

Spans are compared as character offsets (both files anchored the way ``kg ingest`` anchors them).
Kinds: direct-quote spans (exact), indirect-speech spans (overlap), speakers, offices, venues and
dates of the statements whose direct quotes the draft found, stances ((holders, stance) pairs) and
condition candidates (a candidate counts when a gold condition of the same type has an evidence span
overlapping the candidate's span). ``bench/draft_quality.py`` prints the figures; the docs quote them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kg.author.compose import draft_article
from kg.author.rules import RuleSet
from kg.ingest.anchoring import anchor
from kg.ingest.annotations import Registry, load_article

Span = tuple[int, int]


@dataclass
class Score:
    kind: str
    true_positives_draft: int  # draft items that are right
    draft_items: int
    true_positives_gold: int  # gold items the draft found
    gold_items: int

    @property
    def precision(self) -> float:
        return self.true_positives_draft / self.draft_items if self.draft_items else 0.0

    @property
    def recall(self) -> float:
        return self.true_positives_gold / self.gold_items if self.gold_items else 0.0

    def __add__(self, other: Score) -> Score:
        return Score(
            self.kind,
            self.true_positives_draft + other.true_positives_draft,
            self.draft_items + other.draft_items,
            self.true_positives_gold + other.true_positives_gold,
            self.gold_items + other.gold_items,
        )


def _spans(text: str, items: list[dict[str, Any]] | None, kinds: set[str]) -> Iterator[Span]:
    for item in items or []:
        if item["kind"] in kinds:
            found = anchor(text, item["quote"], item.get("occurrence"))
            yield found.start, found.end


def _overlap(a: Span, b: Span) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def _statement_facts(text: str, data: dict[str, Any]) -> dict[Span, dict[str, Any]]:
    """Direct-quote span -> the facts of its statement (speakers, capacity, venue, date)."""
    venues = {v["id"]: v for v in data.get("venues") or []}
    facts = {}
    for statement in data["statements"]:
        venue = venues.get(statement.get("venue") or "")
        fact = {
            "speakers": frozenset(statement.get("speakers") or []),
            "capacity": statement.get("capacity"),
            "venue": (venue["type"], venue.get("medium")) if venue else None,
            "date": statement.get("stated_on"),
        }
        for span in _spans(text, statement["evidence"], {"direct-quote"}):
            facts[span] = fact
    return facts


def _facts_score(kind: str, key: str, gold: dict[Span, dict[str, Any]], draft: dict[Span, dict[str, Any]]) -> Score:
    """For quotes found by both: how often the draft's value is given and right."""
    given = [span for span, fact in draft.items() if fact[key] and span in gold]
    right = sum(1 for span in given if draft[span][key] == gold[span][key])
    expected = sum(1 for fact in gold.values() if fact[key])
    return Score(kind, right, len(given), right, expected)


def _conditions(text: str, data: dict[str, Any]) -> list[tuple[str, list[Span]]]:
    return [
        (
            condition["type"],
            list(
                _spans(text, condition.get("evidence"), {"direct-quote", "paraphrase", "context", "journalist-summary"})
            ),
        )
        for position in data["positions"]
        for condition in position.get("conditions") or []
    ]


def compare(gold_path: Path, registry: Registry, rules: RuleSet) -> list[Score]:
    """Draft the article of ``gold_path`` afresh and score the draft against the gold annotation."""
    gold = load_article(gold_path, registry)
    text = gold.text
    published = gold.data["article"]["published"]
    draft = draft_article(gold.text_path, registry, rules, published=published).data
    scores = []

    gold_quotes = set(_statement_facts(text, gold.data))
    draft_quotes = set(_statement_facts(text, draft))
    found = len(gold_quotes & draft_quotes)
    scores.append(Score("direct-quote spans", found, len(draft_quotes), found, len(gold_quotes)))

    def indirect(data: dict[str, Any]) -> list[Span]:
        return [
            s for st in data["statements"] for s in _spans(text, st["evidence"], {"paraphrase", "journalist-summary"})
        ]

    gold_indirect, draft_indirect = indirect(gold.data), indirect(draft)
    scores.append(
        Score(
            "indirect-speech spans (overlap)",
            sum(1 for d in draft_indirect if any(_overlap(d, g) for g in gold_indirect)),
            len(draft_indirect),
            sum(1 for g in gold_indirect if any(_overlap(d, g) for d in draft_indirect)),
            len(gold_indirect),
        )
    )
    gold_facts, draft_facts = _statement_facts(text, gold.data), _statement_facts(text, draft)
    for kind, key in (
        ("speakers of quotes", "speakers"),
        ("offices", "capacity"),
        ("venues", "venue"),
        ("dates", "date"),
    ):
        scores.append(_facts_score(kind, key, gold_facts, draft_facts))

    def stances(data: dict[str, Any]) -> set[tuple[frozenset[str], str]]:
        return {(frozenset(p["holders"]), p["stance"]) for p in data["positions"]}

    gold_stances, draft_stances = stances(gold.data), stances(draft)
    common = len(gold_stances & draft_stances)
    scores.append(Score("stances (holders, stance)", common, len(draft_stances), common, len(gold_stances)))

    gold_conditions, draft_conditions = _conditions(text, gold.data), _conditions(text, draft)

    def matches(candidate: tuple[str, list[Span]], reference: tuple[str, list[Span]]) -> bool:
        return candidate[0] == reference[0] and any(_overlap(c, r) for c in candidate[1] for r in reference[1])

    scores.append(
        Score(
            "condition candidates (type and span)",
            sum(1 for c in draft_conditions if any(matches(c, g) for g in gold_conditions)),
            len(draft_conditions),
            sum(1 for g in gold_conditions if any(matches(c, g) for c in draft_conditions)),
            len(gold_conditions),
        )
    )
    return scores


def annotated_articles(folder: Path) -> list[Path]:
    """Annotation files with their article text beside them (the gold to measure drafts against)."""
    return sorted(p for p in folder.glob("*.yaml") if p.name != "registry.yaml" and p.with_suffix(".txt").is_file())
