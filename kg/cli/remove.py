"""``kg remove``: take articles out of the store, exactly their contribution."""

from __future__ import annotations

import argparse

from kg.cli.common import EPILOG, EXIT_OK, say, store_argument


def cmd_remove(args: argparse.Namespace) -> int:
    from kg.ingest.remove import remove
    from kg.store import EmbeddedStore

    with EmbeddedStore(args.store) as store:
        remove(store, args.articles)
        say(f"removed {len(set(args.articles))} article(s); store: {store.location}")
    return EXIT_OK


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    remove = sub.add_parser(
        "remove",
        help="remove articles (their graph and provenance) from the store, all or none",
        epilog=EPILOG,
    )
    remove.add_argument("articles", nargs="+", metavar="ARTICLE", help="source_id of an article in the store")
    store_argument(remove)
    remove.set_defaults(handler=cmd_remove)
