"""``kg ls`` and ``kg stats``: what the store holds, from the shipped named queries.

``kg ls actors|articles|actions|communications`` runs queries 33, 30, 34 and 35 and shows their
people-facing columns; ``kg stats`` runs 36 and adds what only the store and the search index know
(quads, named graphs, whether the index is current).
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from kg.read.queries import find_query
from kg.store import EmbeddedStore, SelectResult
from kg.textindex import index_path, is_current


@dataclass(frozen=True)
class Listing:
    query: str  # the named query behind the list
    columns: tuple[str, ...]  # what a person sees (csv and json carry every column)


LISTINGS = {
    "actors": Listing("actors", ("slug", "label", "typeLabel", "positions", "statements", "alsoCalled")),
    "articles": Listing("articles", ("sourceId", "published", "outletLabel", "headline", "statements", "positions")),
    "actions": Listing("actions", ("actionLabel", "actionTypes", "agents", "positions", "sourceId")),
    "communications": Listing(
        "communications", ("speakers", "onBehalfOf", "venueTypeLabel", "statedOn", "positions", "sourceId", "headline")
    ),
}


def listing(store: EmbeddedStore, what: str, *, everything: bool = False) -> SelectResult:
    """The list ``what`` (a key of :data:`LISTINGS`), with its people-facing columns unless ``everything``."""
    chosen = LISTINGS[what]
    query = find_query(chosen.query)
    result = store.select(query.text, query.bindings({}))
    if everything:
        return result
    keep = [result.variables.index(c) for c in chosen.columns]
    return SelectResult([result.variables[i] for i in keep], [tuple(row[i] for i in keep) for row in result.rows])


def statistics(store: EmbeddedStore) -> list[tuple[str, str]]:
    """The store's figures, as (name, value) pairs in the order a person reads them."""
    query = find_query("store-statistics")
    result = store.select(query.text)
    row = dict(zip(result.variables, result.rows[0], strict=True)) if result.rows else {}

    def count(name: str) -> str:
        value = row.get(name)
        return f"{int(value.value):,}" if value is not None else "0"

    def number(name: str) -> int:
        value = row.get(name)
        return int(value.value) if value is not None else 0

    positions, conditional = number("positions"), number("conditionalPositions")
    first, last = (
        value.value[:10] if (value := row.get(k)) is not None else "" for k in ("firstPublished", "lastPublished")
    )
    index = index_path(store.location)
    return [
        ("store", str(store.location)),
        ("quads", f"{len(store):,}"),
        ("named graphs", f"{sum(isinstance(g, ox.NamedNode) for g in store.oxigraph.named_graphs()):,}"),
        ("articles", count("articles")),
        ("outlets", count("outlets")),
        ("actors holding positions", count("actorsHolding")),
        ("statements", count("statements")),
        ("positions", count("positions")),
        (
            "conditional positions",
            f"{conditional:,} ({conditional / positions:.0%})" if positions else "0",
        ),
        ("conditions", count("conditions")),
        ("evidence spans", count("spans")),
        ("published", f"{first} to {last}" if first else "–"),
        (
            "search index",
            f"{index} (current)"
            if is_current(store.location)
            else "none yet: 'kg search' or the next 'kg ingest' builds it",
        ),
    ]
