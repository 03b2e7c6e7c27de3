"""``kg search``: full-text search over quotes, condition texts, labels and headlines."""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys

from kg.cli.common import EPILOG, EXIT_OK, positive, store_argument

SEARCH_EPILOG = (
    """Every meaningful word must occur (a word also matches the words it begins); accents and case do
not matter; the best matches (bm25) come first. Each hit names the positions it belongs to, with
their conditions, and the article it comes from. The index is built at ingest (SQLite FTS5 beside
the store); a store ingested before it existed gets one on the first search.
"""
    + EPILOG
)


def cmd_search(args: argparse.Namespace) -> int:
    from kg.read.search import render_hits_html, render_hits_text, search
    from kg.store import EmbeddedStore

    with EmbeddedStore(args.store, read_only=True) as store:
        hits = search(store, args.text, actor=args.actor, kind=args.kind, limit=args.limit)
    if args.format == "json":
        text = json.dumps([dataclasses.asdict(h) for h in hits], ensure_ascii=False, indent=2) + "\n"
    elif args.format == "html":
        text = render_hits_html(hits, args.text)
    else:
        text = render_hits_text(hits, args.text)
    sys.stdout.write(text)
    return EXIT_OK


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    search = sub.add_parser(
        "search",
        help="full-text search: quotes, conditions, labels, headlines -> positions and evidence",
        epilog=SEARCH_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    search.add_argument("text", metavar="TEXT", help="words to find, e.g. 'defensive strikes'")
    search.add_argument("--actor", metavar="SLUG", help="only hits about this actor (slug, label or other name)")
    search.add_argument("--kind", choices=("quote", "condition", "label", "headline"), help="only this kind of text")
    search.add_argument("--limit", type=positive, default=20, metavar="N", help="at most N hits (default: 20)")
    search.add_argument("--format", choices=("text", "json", "html"), default="text")
    store_argument(search)
    search.set_defaults(handler=cmd_search)
