"""Find direct quotes whatever their marks, trimmed to the project's anchoring convention.

Convention (docs/annotation-format.md, the seed annotation): a direct quote excludes the quotation
marks and a comma or full stop just inside the closing mark. A quote running over several
paragraphs (each reopened with a mark, the earlier ones left open) gives one span per paragraph.
Single curly quotes are scanned only where they cannot be apostrophes; a quote nested inside
another is part of the outer one.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

TRAILING = ",."


@dataclass(frozen=True)
class Quote:
    start: int  # first character inside the marks (after trimming)
    end: int  # end exclusive (after trimming)
    outer_start: int  # the opening mark
    outer_end: int  # just after the closing mark (or the paragraph end of an open quote)
    continued: bool = False  # a later paragraph of a multi-paragraph quote


def _opens(text: str, at: int) -> bool:
    before = text[at - 1] if at else " "
    after = text[at + 1] if at + 1 < len(text) else " "
    return (before.isspace() or before in "([—–-/") and not after.isspace()


def _closes_single(text: str, at: int) -> bool:
    after = text[at + 1] if at + 1 < len(text) else " "
    return not after.isalnum()


def find_quotes(text: str, marks: list[list[str]]) -> Iterator[Quote]:
    """Every direct quote of ``text`` in order; ``marks`` are [opening, closing] pairs."""
    closers: dict[str, set[str]] = {}
    for opening, closing in marks:
        closers.setdefault(opening, set()).add(closing)
    position, length = 0, len(text)
    continued = False
    while position < length:
        at, opening = _next_opening(text, position, closers)
        if at < 0:
            return
        close_at = _closing(text, at + 1, closers[opening], opening)
        paragraph_end = text.find("\n", at)
        paragraph_end = length if paragraph_end < 0 else paragraph_end
        if close_at < 0:
            # Open at the paragraph's end: a multi-paragraph quote if the next paragraph reopens it.
            next_start = paragraph_end + 1
            if next_start < length and text[next_start : next_start + 1] in closers:
                yield from _trimmed(text, at, paragraph_end, paragraph_end, continued)
                continued = True
                position = next_start
                continue
            continued = False
            position = at + 1  # an unmatched mark: not a quote
            continue
        yield from _trimmed(text, at, close_at, close_at + 1, continued)
        continued = False
        position = close_at + 1


def _next_opening(text: str, position: int, closers: dict[str, set[str]]) -> tuple[int, str]:
    best, mark = -1, ""
    for opening in closers:
        at = text.find(opening, position)
        while at >= 0 and not _opens(text, at) and opening not in {"“", "„", "«"}:
            at = text.find(opening, at + 1)
        if at >= 0 and (best < 0 or at < best):
            best, mark = at, opening
    return best, mark


def _closing(text: str, start: int, closing: set[str], opening: str) -> int:
    """The closing mark's offset within the paragraph, or -1 when the paragraph ends first."""
    for at in range(start, len(text)):
        char = text[at]
        if char == "\n":
            return -1
        if char in closing and (opening != "‘" or _closes_single(text, at)):
            return at
    return -1


def _trimmed(text: str, opening: int, closing: int, outer_end: int, continued: bool) -> Iterator[Quote]:
    start, end = opening + 1, closing
    while start < end and text[start].isspace():
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in TRAILING):
        if text[end - 1] == "." and text[end - 3 : end] == "...":
            break  # an ellipsis is part of the words
        end -= 1
    if end > start:
        yield Quote(start, end, opening, outer_end, continued)
