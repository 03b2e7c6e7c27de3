"""Anchor pasted quotes in the article text as W3C Web Annotation selectors.

Offsets are Unicode code points of the normalised text (line endings as LF, then NFC; Python
``str`` indices), start inclusive, end exclusive, exactly as ``oa:TextPositionSelector`` counts.
The quote selector keeps 32 characters of context on each side so a re-formatted copy of the text
can still be matched.
"""

from __future__ import annotations

import difflib
import unicodedata
from dataclasses import dataclass

CONTEXT = 32


@dataclass(frozen=True)
class Anchor:
    """Where a quote sits in the text, with both selectors' values."""

    start: int
    end: int
    exact: str
    prefix: str
    suffix: str


class AnchorError(ValueError):
    """A quote cannot be anchored; ``hint`` tells the annotator what to do."""

    def __init__(self, message: str, hint: str) -> None:
        super().__init__(message)
        self.hint = hint


def normalise(text: str) -> str:
    """The canonical form offsets are counted in: line endings as LF (CRLF and a lone CR each become
    one LF), then Unicode NFC. The same article saved on any platform gives the same offsets."""
    return unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))


def occurrences(text: str, quote: str) -> list[int]:
    """Start offsets of every (possibly overlapping) occurrence of ``quote`` in ``text``."""
    starts, at = [], text.find(quote)
    while at != -1:
        starts.append(at)
        at = text.find(quote, at + 1)
    return starts


def anchor(text: str, quote: str, occurrence: int | None = None) -> Anchor:
    """Anchor ``quote`` in the NFC ``text``; ``occurrence`` (1-based) picks among repeats."""
    quote = normalise(quote)
    starts = occurrences(text, quote)
    if not starts:
        raise AnchorError("quote not found in the article text", closest_passage(text, quote))
    if occurrence is None and len(starts) > 1:
        where = ", ".join(str(s) for s in starts)
        raise AnchorError(
            f"quote occurs {len(starts)} times (at offsets {where})",
            f"add 'occurrence: N' (1 to {len(starts)}) to say which one is meant",
        )
    if occurrence is not None and not 1 <= occurrence <= len(starts):
        raise AnchorError(
            f"occurrence {occurrence} asked for, but the quote occurs {len(starts)} time(s)",
            f"use an occurrence from 1 to {len(starts)}",
        )
    start = starts[(occurrence or 1) - 1]
    end = start + len(quote)
    return Anchor(start, end, quote, text[max(0, start - CONTEXT) : start], text[end : end + CONTEXT])


def closest_passage(text: str, quote: str) -> str:
    """A hint showing the passage of ``text`` that most resembles ``quote``."""
    matcher = difflib.SequenceMatcher(None, text, quote, autojunk=False)
    block = matcher.find_longest_match(0, len(text), 0, len(quote))
    if block.size == 0:
        return "paste the exact words from the article text file"
    start = max(0, block.a - block.b)
    passage = text[start : start + len(quote)]
    return (
        f"closest passage at offset {start}: {passage!r} (paste the exact words; check quotation marks and apostrophes)"
    )
