"""The report's data: the named queries' answers, filtered and aggregated for the page.

Every figure and table comes from the shipped named queries (``queries/*.rq`` through
:mod:`kg.read.queries`), so a picture and an answer of ``kg query`` never disagree:

- positions (16 ``positions-of-actor``) and their conditions (31 ``position-conditions``) make the
  **stance matrix** (holders x actions: colour *and* symbol by stance polarity, a badge per
  condition type);
- 13 ``line-over-time`` makes each actor's **timeline** (supersedes links where asserted);
- 39 ``tension-sides`` (each candidate position of a holder with what 12's rules read), paired by
  12's rules in :mod:`kg.read.tensions`, makes the **tension network** (pairs counted per holder
  and holders of the other side) and its table of reasons (the first pairs in 12's order, with
  12's columns);
- 32 ``position-evidence`` makes the **evidence view** (each quote marked in its article's text,
  with speaker, office, venue and date); the article texts come from the search index
  (:mod:`kg.textindex`), which keeps them as ingested;
- 30 ``articles`` makes the **summary** and the context filter.

Large stores are aggregated here, before anything reaches the page: the matrix keeps the holders
and actions with the most positions, the timeline and the tension table their first rows, and the
page says what it left out. The charts are Vega-Lite specifications made with Altair; the page
carries the Vega JavaScript inline (vl-convert ships it), so it opens with no network; SVG and PNG
are rendered by vl-convert without a browser.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date

from rdflib import URIRef

from kg.errors import QueryError
from kg.read import tensions
from kg.read.names import RegistryNames
from kg.read.queries import find_query
from kg.store import EmbeddedStore, Term
from kg.terms import ARTICLE
from kg.textindex import articles_by_id

#: What the page shows of a large store (the rest is counted and said to be left out).
MAX_MATRIX_HOLDERS = 30
MAX_MATRIX_ACTIONS = 30
MAX_TIMELINE_HOLDERS = 20
MAX_TIMELINE_POINTS = 1500
MAX_TENSIONS = 200
MAX_NETWORK_ACTORS = 30
MAX_EVIDENCE_POSITIONS = 200
MAX_ARTICLE_TEXTS = 300
#: Positions (counted per holder) beyond which a report without --actor looks at the top holders only.
LARGE_STORE = 1000
TOP_HOLDERS = 10


def _value(term: Term | None) -> str:
    return "" if term is None else term.value


def rows_of(store: EmbeddedStore, name: str, params: dict[str, str] | None = None) -> list[dict[str, str]]:
    """A named query's answer as dictionaries of strings ('' for unbound), parameters bound."""
    query = find_query(name)
    result = store.select(query.text, query.bindings(params or {}))
    return [
        {v: _value(t) for v, t in zip(result.variables, row, strict=True)}
        for row in result.rows  # one dict per row
    ]


def article_of(iri: str) -> str:
    """The source id of the article an IRI was minted in (``…/article/{id}/position/…``)."""
    prefix = str(ARTICLE)
    return iri[len(prefix) :].split("/", 1)[0] if iri.startswith(prefix) else ""


@dataclass
class Filters:
    actors: list[str] = field(default_factory=list)  # slugs
    actor_labels: list[str] = field(default_factory=list)
    context: str | None = None
    context_label: str = ""
    date_from: date | None = None
    date_to: date | None = None

    def describe(self) -> str:
        parts = []
        if self.actors:
            parts.append("actors: " + ", ".join(self.actor_labels))
        if self.context:
            parts.append(f"context: {self.context_label or self.context}")
        if self.date_from or self.date_to:
            parts.append(f"dates: {self.date_from or '…'} to {self.date_to or '…'}")
        return "; ".join(parts) or "none (the whole store)"


@dataclass
class ReportData:
    """What the page shows, already aggregated."""

    filters: Filters
    summary: dict[str, str] = field(default_factory=dict)
    positions: dict[str, dict] = field(default_factory=dict)  # IRI -> detail (shown ones carry evidence)
    cells: list[dict] = field(default_factory=list)
    holders: list[str] = field(default_factory=list)  # matrix rows, in order
    actions: list[str] = field(default_factory=list)  # matrix columns, in order
    timeline: list[dict] = field(default_factory=list)
    links: list[dict] = field(default_factory=list)  # supersedes links of the timeline
    tensions: list[dict] = field(default_factory=list)
    network_nodes: list[dict] = field(default_factory=list)
    network_edges: list[dict] = field(default_factory=list)
    articles: dict[str, dict[str, str]] = field(default_factory=dict)
    left_out: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.positions


def resolve_filters(
    store: EmbeddedStore,
    actors: Sequence[str] = (),
    context: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
) -> Filters:
    """The user's filters checked against the registry (a label or another name works as a slug).

    :raises QueryError: for an unknown or ambiguous actor or context (with the nearest slugs), or
        dates in the wrong order.
    """
    if date_from and date_to and date_from > date_to:
        raise QueryError(f"the dates are in the wrong order: --from {date_from} is after --to {date_to}")
    filters = Filters(date_from=date_from, date_to=date_to)
    if actors:
        names = RegistryNames.read(store, "actors")
        for text in actors:
            slug = names.resolve(text, what="actor")
            if slug not in filters.actors:
                filters.actors.append(slug)
                filters.actor_labels.append(names.labels.get(slug, slug))
    if context:
        events = RegistryNames.read(store, "events")
        filters.context = events.resolve(context, what="context event")
        filters.context_label = events.labels.get(filters.context, filters.context)
    return filters


def _per_holder(store: EmbeddedStore, name: str, holders: list[str], extra: dict[str, str] | None = None) -> list[dict]:
    """A query with ``holder`` bound to each of ``holders`` in turn (none: every holder, unbound)."""
    if not holders:
        return rows_of(store, name, extra)
    rows: list[dict] = []
    for slug in holders:
        rows.extend(rows_of(store, name, {**(extra or {}), "holder": slug}))
    return rows


def _scope(store: EmbeddedStore, filters: Filters, data: ReportData) -> list[str]:
    """The holders the views are about: the filtered actors; in a large store without them, the
    actors with the most positions (query 33), each view then asking for them one by one (bound
    queries answer in a fraction of a second where whole-corpus ones take minutes)."""
    if filters.actors:
        return filters.actors
    held = [(r["slug"], int(r["positions"] or 0)) for r in rows_of(store, "actors")]
    held = [(slug, n) for slug, n in held if n > 0]
    total = sum(n for _, n in held)
    if total <= LARGE_STORE:
        return []
    top = held[:TOP_HOLDERS]
    data.left_out.append(
        f"the store holds {total:,} positions (counted per holder) of {len(held):,} actors: the views show the "
        f"{len(top)} actors with the most positions ({sum(n for _, n in top):,}); name others with --actor"
    )
    return [slug for slug, _ in top]


def collect(store: EmbeddedStore, filters: Filters) -> ReportData:
    """Run the named queries and aggregate their answers for the page."""
    data = ReportData(filters)
    holders = _scope(store, filters, data)
    unfiltered = filters.describe() == Filters().describe()
    article_rows = (
        [] if unfiltered else rows_of(store, "articles", {"context": filters.context} if filters.context else None)
    )
    in_context = {r["sourceId"] for r in article_rows}

    # Dates per position (13): a position is in the date range if one of its statements is.
    line = _per_holder(store, "line-over-time", holders)
    dates: dict[str, list[str]] = defaultdict(list)
    for row in line:
        dates[row["position"]].append(row["notLaterThan"][:10])

    def kept(position: str) -> bool:
        # A corpus-level position (…/id/position/…, defined once, reported by any article) is not
        # minted in an article: kept (its communication's context is not looked up here).
        if filters.context and article_of(position) and article_of(position) not in in_context:
            return False
        if filters.date_from or filters.date_to:
            low, high = str(filters.date_from or ""), str(filters.date_to or "9999")
            return any(low <= d <= high for d in dates.get(position, []) if d)
        return True

    for row in _per_holder(store, "positions-of-actor", holders):
        if not kept(row["position"]):
            continue
        detail = data.positions.setdefault(
            row["position"],
            {
                "holders": [],
                "stance": row["stanceLabel"],
                "polarity": row["polarityLabel"] or "unspecified",
                "modality": row["modalityLabel"],
                "action": row["actionLabel"],
                "actionTypes": row["actionTypes"],
                "statements": row["statements"],
                "conditions": [],
                "evidence": [],
                "article": article_of(row["position"]),
                "dates": sorted(set(dates.get(row["position"], []))),
            },
        )
        if row["holderLabel"] not in detail["holders"]:
            detail["holders"].append(row["holderLabel"])
    for row in _per_holder(store, "position-conditions", holders):
        held = data.positions.get(row["position"])
        item = [row["conditionTypeLabel"], row["conditionClass"], row["conditionText"]]
        if held is not None and item not in held["conditions"]:
            held["conditions"].append(item)

    if unfiltered:
        _store_summary(store, data)
    else:
        _summary(data, article_rows)
    if data.empty:
        return data
    _matrix(data)
    _timeline(data, line, kept)
    # The filters apply to the negative position (its article, its dates).
    _tensions(data, _per_holder(store, "tension-sides", holders), kept)
    _evidence(store, data)
    return data


VALIDATION = (
    "every stored article conformed to the SHACL shapes when it was ingested (articles with violations "
    "are never stored); 'kg validate' lists warnings"
)


def _store_summary(store: EmbeddedStore, data: ReportData) -> None:
    """The whole store's figures (query 36), whatever the views show of it."""
    row = (rows_of(store, "store-statistics") or [{}])[0]

    def count(name: str) -> int:
        return int(row.get(name) or 0)

    positions, conditional = count("positions"), count("conditionalPositions")
    first, last = row.get("firstPublished", "")[:10], row.get("lastPublished", "")[:10]
    data.summary = {
        "Articles": f"{count('articles'):,}",
        "Outlets": f"{count('outlets'):,}",
        "Actors holding positions": f"{count('actorsHolding'):,}",
        "Positions": f"{positions:,}",
        "Conditional positions (with a restriction)": f"{conditional:,} ({conditional / positions:.0%})"
        if positions
        else "0",
        "Statements": f"{count('statements'):,}",
        "Conditions": f"{count('conditions'):,}",
        "Evidence spans": f"{count('spans'):,}",
        "Publication dates": f"{first} to {last}" if first else "–",
        "Validation": VALIDATION,
        "Filters": data.filters.describe(),
    }


def _summary(data: ReportData, article_rows: list[dict]) -> None:
    """The figures of what the filters kept."""
    shown_articles = {p["article"] for p in data.positions.values()}
    articles = [r for r in article_rows if r["sourceId"] in shown_articles] if data.filters.actors else article_rows
    if data.filters.date_from or data.filters.date_to:
        articles = [r for r in articles if r["sourceId"] in shown_articles]
    published = sorted(r["published"][:10] for r in articles if r["published"])
    positions = data.positions.values()
    conditional = sum(1 for p in positions if any(c[1] == "restriction" for c in p["conditions"]))
    with_any = sum(1 for p in positions if p["conditions"])
    share = f"{conditional / len(positions):.0%}" if positions else "–"
    data.summary = {
        "Articles": f"{len(articles):,}",
        "Outlets": f"{len({r['outletLabel'] for r in articles if r['outletLabel']}):,}",
        "Actors holding positions": f"{len({h for p in positions for h in p['holders']}):,}",
        "Positions": f"{len(data.positions):,}",
        "Conditional positions (with a restriction)": f"{conditional:,} ({share}); with any condition: {with_any:,}",
        "Statements": f"{sum(int(r['statements'] or 0) for r in articles):,}",
        "Publication dates": f"{published[0]} to {published[-1]}" if published else "–",
        "Validation": VALIDATION,
        "Filters": data.filters.describe(),
    }


def badge(label: str) -> str:
    """A condition type's badge: the initials of its label (purpose -> P, target scope -> TS)."""
    return "".join(word[0] for word in label.split()).upper() or "?"


def _matrix(data: ReportData) -> None:
    per_cell: dict[tuple[str, str], list[str]] = defaultdict(list)
    for iri, p in data.positions.items():
        for holder in p["holders"]:
            per_cell[(holder, p["action"])].append(iri)
    holder_count = Counter(h for h, _ in per_cell for _ in per_cell[(h, _)])
    action_count = Counter(a for _, a in per_cell for _ in per_cell[(_, a)])
    data.holders = [h for h, _ in sorted(holder_count.items(), key=lambda x: (-x[1], x[0]))[:MAX_MATRIX_HOLDERS]]
    data.actions = [a for a, _ in sorted(action_count.items(), key=lambda x: (-x[1], x[0]))[:MAX_MATRIX_ACTIONS]]
    if len(holder_count) > len(data.holders) or len(action_count) > len(data.actions):
        data.left_out.append(
            f"stance matrix: the {len(data.holders)} holders and {len(data.actions)} actions with the most "
            f"positions are shown, of {len(holder_count):,} holders and {len(action_count):,} actions"
        )
    rows, columns = set(data.holders), set(data.actions)
    for (holder, action), iris in sorted(per_cell.items()):
        if holder not in rows or action not in columns:
            continue
        positions = [data.positions[i] for i in iris]
        polarities = {p["polarity"] for p in positions}
        stances = Counter(p["stance"] for p in positions)
        types = sorted({c[0] for p in positions for c in p["conditions"] if c[0]})
        data.cells.append(
            {
                "cell": len(data.cells),
                "holder": holder,
                "action": action,
                "positions": iris,
                "polarity": polarities.pop() if len(polarities) == 1 else "mixed",
                "stance": " / ".join(s for s, _ in stances.most_common()),
                "count": len(iris),
                "badges": " ".join(badge(t) for t in types),
                "conditionTypes": ", ".join(types),
                "conditions": " | ".join(f"{c[0]}: {c[2]}" for p in positions for c in p["conditions"]),
            }
        )


def _timeline(data: ReportData, line: list[dict], kept: Callable[[str], bool]) -> None:
    holders = Counter(r["holderLabel"] for r in line if kept(r["position"]))
    top = {h for h, _ in sorted(holders.items(), key=lambda x: (-x[1], x[0]))[:MAX_TIMELINE_HOLDERS]}
    seen: set[tuple[str, str]] = set()
    when: dict[str, str] = {}
    for row in line:
        if row["holderLabel"] not in top or row["position"] not in data.positions:
            continue
        key = (row["holderLabel"], row["position"])
        if key in seen:
            continue
        seen.add(key)
        day = row["notLaterThan"][:10]
        when.setdefault(row["position"], day)
        data.timeline.append(
            {
                "holder": row["holderLabel"],
                "date": day,
                "dated": "stated on" if row["statedOn"] else "not later than",
                "dateBasis": row["dateBasisLabel"],
                "stance": row["stanceLabel"],
                "polarity": data.positions[row["position"]]["polarity"],
                "action": row["actionLabel"],
                "position": row["position"],
                "supersedes": row["supersedes"],
                "change": row["changeTypeLabel"],
            }
        )
    if len(data.timeline) > MAX_TIMELINE_POINTS:
        data.left_out.append(f"timeline: the first {MAX_TIMELINE_POINTS:,} of {len(data.timeline):,} points")
        data.timeline = data.timeline[:MAX_TIMELINE_POINTS]
    if len(holders) > len(top):
        data.left_out.append(f"timeline: the {len(top)} holders with the most positions, of {len(holders):,}")
    for point in data.timeline:
        earlier = point["supersedes"]
        if earlier and earlier in when:
            data.links.append(
                {"holder": point["holder"], "from": when[earlier], "to": point["date"], "change": point["change"]}
            )


def _tensions(data: ReportData, sides: list[dict], kept: Callable[[str], bool]) -> None:
    """Table and network from the pairs of 12 (kg.read.tensions), the negative position filtered."""
    default = find_query("tensions").parameters["windowDays"].default  # 12's, in its header
    window = None if default is None else int(default)
    found = sorted(
        (pair for pair in tensions.pairs(sides, window) if kept(pair.position.position)),
        key=tensions.Pair.sort_key,
    )
    # The table lists a jointly held negative position's pair once, under its first holder.
    table: dict[tuple[str, str], tensions.Pair] = {}
    for pair in found:
        table.setdefault((pair.position.position, pair.other.position), pair)
        if len(table) > MAX_TENSIONS:
            break
    if len(table) > MAX_TENSIONS:
        data.left_out.append(f"tensions: the first {MAX_TENSIONS} of {len(found):,} pairs are listed")
    data.tensions = [_tension_row(pair.as_row()) for pair in list(table.values())[:MAX_TENSIONS]]
    _network(data, Counter((pair.holder_label, pair.other.row["holders"]) for pair in found))


def _tension_row(r: dict) -> dict:
    return {
        "holder": r["holderLabel"],
        "basis": r["basis"],
        "position": f"{r['stanceLabel']} — {r['actionLabel']}",
        "restrictions": r["restrictions"],
        "otherHolders": r["otherHolders"],
        "other": f"{r['otherStanceLabel']} — {r['otherActionLabel']}",
        "otherRestrictions": r["otherRestrictions"],
    }


def _network(data: ReportData, pairs: Counter[tuple[str, str]]) -> None:
    """The tension network: an edge from a holder to each holder of the other positions, weighted by
    pairs (``pairs``: holder and the other side's holders, " | " between them -> pairs)."""
    edges: Counter[tuple[str, str]] = Counter()
    for (holder, others), count in pairs.items():
        for other in others.split(" | "):
            if other:
                edges[(holder, other)] += count
    degree: Counter[str] = Counter()
    for (a, b), n in edges.items():
        degree[a] += n
        degree[b] += n
    actors = [a for a, _ in sorted(degree.items(), key=lambda x: (-x[1], x[0]))[:MAX_NETWORK_ACTORS]]
    if len(degree) > len(actors):
        data.left_out.append(f"tension network: the {len(actors)} most involved actors, of {len(degree):,}")
    place = {
        a: (math.cos(2 * math.pi * i / max(len(actors), 1)), math.sin(2 * math.pi * i / max(len(actors), 1)))
        for i, a in enumerate(actors)
    }
    data.network_nodes = [{"actor": a, "x": x, "y": y, "tensions": degree[a]} for a, (x, y) in place.items()]
    data.network_edges = [
        {"from": a, "to": b, "x": place[a][0], "y": place[a][1], "x2": place[b][0], "y2": place[b][1], "count": n}
        for (a, b), n in sorted(edges.items())
        if a in place and b in place
    ]


def _evidence(store: EmbeddedStore, data: ReportData) -> None:
    """Evidence for the positions in the matrix (bound query per position), and their articles' texts."""
    shown = list(dict.fromkeys(i for cell in data.cells for i in cell["positions"]))
    if len(shown) > MAX_EVIDENCE_POSITIONS:
        data.left_out.append(
            f"evidence: shown for the first {MAX_EVIDENCE_POSITIONS} of the matrix's {len(shown):,} positions"
        )
        shown = shown[:MAX_EVIDENCE_POSITIONS]
    query = find_query("position-evidence")
    for iri in shown:
        result = store.select(query.text, {"position": URIRef(iri)})
        for row in result.rows:
            r = {v: _value(t) for v, t in zip(result.variables, row, strict=True)}
            data.positions[iri]["evidence"].append(
                {
                    "quote": r["quote"],
                    "start": int(r["start"] or 0),
                    "end": int(r["end"] or 0),
                    "kind": r["kindLabel"],
                    "speaker": r["speakerLabel"],
                    "capacity": r["capacityLabel"],
                    "venue": ", ".join(x for x in (r["venueTypeLabel"], r["mediumLabel"], r["placeLabel"]) if x),
                    "date": r["statedOn"],
                    "article": r["sourceId"],
                }
            )
    wanted = list(dict.fromkeys(e["article"] for i in shown for e in data.positions[i]["evidence"]))
    texts = articles_by_id(store.location, wanted[:MAX_ARTICLE_TEXTS], with_text=True)
    if len(wanted) > MAX_ARTICLE_TEXTS:
        data.left_out.append(f"evidence: article texts included for {MAX_ARTICLE_TEXTS} of {len(wanted):,} articles")
    data.articles = texts
