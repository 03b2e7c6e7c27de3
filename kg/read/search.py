"""``kg search``: full-text search over quotes, condition texts, labels and headlines.

Answers with what a text belongs to, not bare strings: each hit names its positions (holders,
stance, action, conditions), the quote's speaker, office and date, and the article (headline,
outlet, date). The index is :mod:`kg.textindex` (SQLite FTS5), kept in step by ingest; a store
ingested before the index existed gets one made from the store on first use.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from kg.errors import QueryError
from kg.read.names import RegistryNames
from kg.store import EmbeddedStore
from kg.textindex import (
    KINDS,
    IndexedPosition,
    articles_by_id,
    fold,
    is_current,
    positions_by_iri,
    rebuild_index,
    search_entries,
    search_terms,
)


@dataclass(frozen=True)
class ArticleRef:
    id: str
    headline: str = ""
    outlet: str = ""
    published: str = ""


@dataclass(frozen=True)
class SearchHit:
    """One matching text: a quote, a condition text, a label or a headline, and what it belongs to."""

    kind: str  # quote | condition | label | headline
    text: str
    score: float  # bm25: lower is better
    article: ArticleRef | None
    positions: tuple[IndexedPosition, ...] = ()
    speaker: str = ""
    capacity: str = ""
    date: str = ""
    span: tuple[int, int] | None = None
    evidence_kind: str = ""
    condition_types: tuple[str, ...] = ()
    quotes: tuple[str, ...] = field(default=())  # a condition's evidence


def search(
    store: EmbeddedStore, text: str, *, actor: str | None = None, kind: str | None = None, limit: int = 50
) -> list[SearchHit]:
    """The ``limit`` best hits for ``text`` (every meaningful word must occur, or begin a word).

    ``actor`` (a slug, label or other name) keeps hits whose positions it holds or whose statement
    it made or was made for; ``kind`` keeps one kind of text.

    :raises QueryError: for a search of only stop words, an overlong one, an unknown kind or actor.
    """
    terms = search_terms(text)
    if kind is not None and kind not in KINDS:
        raise QueryError(f"unknown kind {kind!r}; use one of {', '.join(KINDS)}")
    if limit < 1:
        raise QueryError(f"limit must be at least 1, got {limit}")
    slug = RegistryNames.read(store).resolve(actor) if actor else None
    if not is_current(store.location):
        rebuild_index(store)
    entries = search_entries(store.location, terms, actor=slug, kind=kind, limit=limit)
    positions = positions_by_iri(store.location, (p for e in entries for p in _strings(e.detail.get("positions"))))
    articles = articles_by_id(store.location, (e.article for e in entries if e.article))
    hits = []
    for entry in entries:
        detail = entry.detail
        about = articles.get(entry.article)
        start, end = detail.get("start"), detail.get("end")
        hits.append(
            SearchHit(
                kind=entry.kind,
                text=str(detail.get("text", "")),
                score=entry.score,
                article=ArticleRef(
                    entry.article, about.get("headline", ""), about.get("outlet", ""), about.get("published", "")
                )
                if about
                else None,
                positions=tuple(positions[p] for p in _strings(detail.get("positions")) if p in positions),
                speaker=str(detail.get("speaker", "")),
                capacity=str(detail.get("capacity", "")),
                date=str(detail.get("date", "")),
                span=(int(start), int(end)) if isinstance(start, int) and isinstance(end, int) else None,
                evidence_kind=str(detail.get("evidenceKind", "")),
                condition_types=tuple(_strings(detail.get("types"))),
                quotes=tuple(str(q["text"]) for q in _dicts(detail.get("quotes"))),
            )
        )
    return hits


def _strings(value: object) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else []


def _dicts(value: object) -> list[dict]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


# -- rendering -----------------------------------------------------------------------------------


def position_summary(position: IndexedPosition) -> str:
    holders = ", ".join(label for _, label in position.holders)
    return f"{holders}: {position.stance} — {position.action}"


def render_hits_text(hits: Sequence[SearchHit], text: str) -> str:
    """Hits for a terminal: one block per hit, its positions and their conditions indented."""
    if not hits:
        return f"no match for {text!r}\n"
    out: list[str] = []
    for number, hit in enumerate(hits, 1):
        out.append(f"{number}. [{hit.kind}] “{hit.text}”")
        said = ", ".join(x for x in (hit.speaker, hit.capacity, hit.date) if x)
        if said:
            out.append(f"   said by {said}" + (f" ({hit.evidence_kind})" if hit.evidence_kind else ""))
        if hit.condition_types:
            out.append(f"   condition: {', '.join(hit.condition_types)}")
        for position in hit.positions:
            out.append(f"   position: {position_summary(position)}")
            out.extend(f"     if {kind}: {condition}" for kind, condition in position.conditions)
        if hit.article:
            a = hit.article
            out.append(f"   in: {a.headline} ({', '.join(x for x in (a.outlet, a.published) if x)}) [{a.id}]")
    out.append(f"({len(hits)} hit{'s' if len(hits) != 1 else ''})")
    return "\n".join(out) + "\n"


def highlight(text: str, search_text: str) -> str:
    """``text`` as escaped HTML with the words that match the search marked (accents and case folded)."""
    try:
        terms = search_terms(search_text)
    except QueryError:
        terms = []
    out: list[str] = []
    at = 0
    for match in re.finditer(r"\w+", text):
        word = fold(match.group())
        out.append(html.escape(text[at : match.start()]))
        escaped = html.escape(match.group())
        out.append(f"<mark>{escaped}</mark>" if any(word.startswith(t) for t in terms) else escaped)
        at = match.end()
    out.append(html.escape(text[at:]))
    return "".join(out)


def render_hits_html(hits: Sequence[SearchHit], text: str) -> str:
    """The hits as an HTML fragment (every text escaped; matched words in ``<mark>``)."""
    e = html.escape
    if not hits:
        return f'<p class="kg-search-empty">No match for “{e(text)}”.</p>\n'
    items: list[str] = []
    for hit in hits:
        parts = [f'<li class="kg-hit kg-hit-{e(hit.kind)}"><span class="kg-kind">{e(hit.kind)}</span> ']
        parts.append(f'<q class="kg-hit-text">{highlight(hit.text, text)}</q>')
        said = ", ".join(x for x in (hit.speaker, hit.capacity, hit.date) if x)
        if said:
            parts.append(f'<div class="kg-said">said by {e(said)}</div>')
        if hit.positions:
            parts.append('<ul class="kg-positions">')
            for position in hit.positions:
                conditions = "".join(
                    f"<li><b>{e(kind)}</b>: {e(condition)}</li>" for kind, condition in position.conditions
                )
                parts.append(
                    f'<li class="kg-position kg-polarity-{e(position.polarity)}">{e(position_summary(position))}'
                    + (f"<ul>{conditions}</ul>" if conditions else "")
                    + "</li>"
                )
            parts.append("</ul>")
        if hit.article:
            a = hit.article
            meta = ", ".join(x for x in (a.outlet, a.published) if x)
            parts.append(f'<div class="kg-article">{e(a.headline)} <small>{e(meta)}</small></div>')
        parts.append("</li>")
        items.append("".join(parts))
    return f'<ol class="kg-hits">\n{chr(10).join(items)}\n</ol>\n'
