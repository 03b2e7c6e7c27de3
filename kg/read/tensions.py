"""Tension pairs by the rules of the tensions query (12), found in one pass over each holder's positions.

Query 12 derives its pairs inside Oxigraph, pair by pair, with several look-ups for each: fine for
an article or a few hundred, minutes per holder where a holder has a few thousand positions (the ten
most active holders of 10,000 generated articles have about a million pairs). The report and the
live views need every pair's holders to draw the tension network, so they pair here instead:
query 39 ``tension-sides`` reads, once per candidate position, everything 12's rules look at (how
the position is held, its polarity, action types and their broader types, actions, contexts, date,
carve-outs, asserted tensions, exception values), and :func:`pairs` applies the rules to those rows:

- **asserted**: a position of the holder and a partner in ``gpo:inTensionWith`` (either way), the
  negative one first, or both of one polarity in IRI order;
- **derived: same holder** / **derived: member of the holder**: a negative position of the holder
  about its own conduct (an action whose agent it is, typed in the action-type scheme) and a
  positive position of the holder or of one of its members whose action type is the same,
  narrower or broader; not where either is a carve-out (``gpo:exceptionTo``) of the other or an
  asserted tension already lists the pair, nor a member's position on conduct that is not the
  alliance's own where the alliance's position has the "individual member states" exception;
- for every basis: not when the other position is the holder's own towards the same action (a change
  of line or a contradiction), only for positions whose actions are in the same contexts, and within
  the window of days (undated positions are not excluded).

``tests/test_tensions.py`` checks that these are exactly 12's pairs, whatever the holder and window.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date

from kg.prefixes import VOCAB_NS

NEGATIVE = f"{VOCAB_NS}polarity/negative"
POSITIVE = f"{VOCAB_NS}polarity/positive"
INDIVIDUAL_MEMBER_STATES = f"{VOCAB_NS}condition-value/individual-member-state-action"
ASSERTED = "asserted"
SAME_HOLDER = "derived: same holder"
MEMBER = "derived: member of the holder"


def _set(text: str) -> frozenset[str]:
    """A list cell of ``tension-sides`` (" | " between the items; empty items are unbound values)."""
    return frozenset(text.split(" | ")) - {""}


@dataclass(frozen=True)
class Side:
    """One candidate position of a holder, as a row of ``tension-sides`` gives it."""

    position: str
    held_by_holder: bool
    held_by_member: bool
    polarities: frozenset[str]
    day: int | None  # the position's date as a day number (date.toordinal), None when undated
    agents: frozenset[str]
    types: frozenset[str]  # every action type of the position
    type_ancestors: frozenset[str]  # those types and all they are narrower than (skos:broader*)
    scheme_types: frozenset[str]  # its types in the action-type scheme
    scheme_ancestors: frozenset[str]  # those and all they are narrower than
    actions: frozenset[str]
    contexts: frozenset[str]
    exception_to: frozenset[str]
    tension_with: frozenset[str]
    exception_values: frozenset[str]
    row: dict[str, str]  # the row itself: labels, holders and restrictions for the table

    @classmethod
    def of(cls, row: dict[str, str]) -> Side:
        ancestors: dict[str, set[str]] = defaultdict(set)
        for pair in _set(row["typeAncestors"]):
            narrower, _, broader = pair.partition(">")
            ancestors[narrower].add(broader)
        types = _set(row["types"])
        scheme_types = _set(row["actionTypes"])
        via = _set(row["via"])
        return cls(
            position=row["position"],
            held_by_holder="holder" in via,
            held_by_member="member" in via,
            polarities=_set(row["polarities"]),
            day=date.fromisoformat(row["date"][:10]).toordinal() if row["date"] else None,
            agents=_set(row["agents"]),
            types=types,
            type_ancestors=frozenset(a for t in types for a in ancestors[t]),
            scheme_types=scheme_types,
            scheme_ancestors=frozenset(a for t in scheme_types for a in ancestors[t]),
            actions=_set(row["actions"]),
            contexts=_set(row["contexts"]),
            exception_to=_set(row["exceptionTo"]),
            tension_with=_set(row["tensionWith"]),
            exception_values=_set(row["exceptionValues"]),
            row=row,
        )


@dataclass(frozen=True)
class Pair:
    """A pair of 12: ``position`` (held by ``holder``, the negative one) and ``other``."""

    holder: str
    holder_label: str
    basis: str
    position: Side
    other: Side

    def sort_key(self) -> tuple[str, str, str, str]:
        """12's order: holder label, basis, then the two IRIs."""
        return (self.holder_label, self.basis, self.position.position, self.other.position)

    def as_row(self) -> dict[str, str]:
        """The pair as a row of 12 (its columns that the report shows)."""
        mine, theirs = self.position.row, self.other.row
        return {
            "holder": self.holder,
            "holderLabel": self.holder_label,
            "basis": self.basis,
            "stanceLabel": mine["stanceLabel"],
            "modalityLabel": mine["modalityLabel"],
            "actionLabel": mine["actionLabel"],
            "restrictions": mine["restrictions"],
            "otherHolders": theirs["holders"],
            "otherStanceLabel": theirs["stanceLabel"],
            "otherModalityLabel": theirs["modalityLabel"],
            "otherActionLabel": theirs["actionLabel"],
            "otherRestrictions": theirs["restrictions"],
            "position": self.position.position,
            "otherPosition": self.other.position,
        }


def pairs(rows: Iterable[dict[str, str]], window_days: int | None) -> Iterator[Pair]:
    """Every pair of 12 among the rows of ``tension-sides`` (any number of holders), each once per
    holder and basis; ``window_days`` None: no limit."""
    by_holder: dict[str, dict[str, Side]] = defaultdict(dict)
    labels: dict[str, str] = {}
    for row in rows:
        by_holder[row["holder"]][row["position"]] = Side.of(row)
        labels[row["holder"]] = row["holderLabel"]
    for holder, sides in by_holder.items():
        yield from _holder_pairs(holder, labels[holder], sides, window_days)


def _holder_pairs(holder: str, label: str, sides: dict[str, Side], window: int | None) -> Iterator[Pair]:
    own = [side for side in sides.values() if side.held_by_holder]

    def compatible(position: Side, other: Side) -> bool:
        """12's common rules: not the holder's own line on one action, same contexts, within the window."""
        if other.held_by_holder and not position.actions.isdisjoint(other.actions):
            return False
        if position.contexts != other.contexts:
            return False
        return window is None or position.day is None or other.day is None or abs(position.day - other.day) <= window

    for position in own:
        for partner in sorted(position.tension_with):
            other = sides.get(partner)
            if other is None or other is position or not (position.polarities and other.polarities):
                continue
            ordered = (NEGATIVE in position.polarities and POSITIVE in other.polarities) or (
                not position.polarities.isdisjoint(other.polarities) and position.position < other.position
            )
            if ordered and compatible(position, other):
                yield Pair(holder, label, ASSERTED, position, other)

    negatives = [side for side in own if NEGATIVE in side.polarities and holder in side.agents and side.scheme_types]
    # The positive candidates by their contexts, in date order (undated ones apart): a negative
    # position looks only at those in its contexts and its window.
    dated: dict[frozenset[str], list[tuple[int, str, Side]]] = defaultdict(list)
    undated: dict[frozenset[str], list[Side]] = defaultdict(list)
    for side in sides.values():
        if POSITIVE in side.polarities and (side.held_by_holder or side.held_by_member):
            if side.day is None:
                undated[side.contexts].append(side)
            else:
                dated[side.contexts].append((side.day, side.position, side))
    for candidates in dated.values():
        candidates.sort(key=lambda entry: entry[:2])
    for position in negatives:
        in_context = dated.get(position.contexts, [])
        if window is None or position.day is None:
            near = [entry[2] for entry in in_context]
        else:
            low = bisect.bisect_left(in_context, (position.day - window, ""))
            high = bisect.bisect_right(in_context, (position.day + window, "\U0010ffff"))
            near = [entry[2] for entry in in_context[low:high]]
        for other in (*near, *undated.get(position.contexts, ())):
            if other is position:
                continue
            if position.scheme_types.isdisjoint(other.type_ancestors) and other.types.isdisjoint(
                position.scheme_ancestors
            ):
                continue
            if other.position in position.exception_to or position.position in other.exception_to:
                continue
            if other.position in position.tension_with or not compatible(position, other):
                continue
            if other.held_by_holder:
                yield Pair(holder, label, SAME_HOLDER, position, other)
            # The alliance's exception for members acting individually covers its members' own conduct.
            if other.held_by_member and (
                INDIVIDUAL_MEMBER_STATES not in position.exception_values or holder in other.agents
            ):
                yield Pair(holder, label, MEMBER, position, other)
