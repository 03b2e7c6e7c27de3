"""``kg ls`` and ``kg stats``: find your way around the store."""

from __future__ import annotations

import argparse
import json
import shutil
import sys

from kg.cli.common import EPILOG, EXIT_OK, store_argument


def cmd_ls(args: argparse.Namespace) -> int:
    from kg.read.listing import listing
    from kg.read.queries import render
    from kg.store import EmbeddedStore

    with EmbeddedStore(args.store, read_only=True) as store:
        result = listing(store, args.what, everything=args.format != "table")
    width = shutil.get_terminal_size().columns if sys.stdout.isatty() else None
    sys.stdout.write(render(result, args.format, width=width))
    return EXIT_OK


def cmd_stats(args: argparse.Namespace) -> int:
    from kg.read.listing import statistics
    from kg.store import EmbeddedStore

    with EmbeddedStore(args.store, read_only=True) as store:
        figures = statistics(store)
    if args.format == "json":
        sys.stdout.write(json.dumps(dict(figures), ensure_ascii=False, indent=2) + "\n")
    else:
        wide = max(len(name) for name, _ in figures)
        sys.stdout.write("".join(f"{name:<{wide}}  {value}\n" for name, value in figures))
    return EXIT_OK


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    ls = sub.add_parser(
        "ls",
        help="list what the store holds: actors, articles, actions or communications",
        epilog="Each list is a shipped named query (kg query actors|articles|actions|communications "
        "gives every column).\n" + EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    ls.add_argument("what", choices=("actors", "articles", "actions", "communications"))
    ls.add_argument("--format", choices=("table", "csv", "json"), default="table")
    store_argument(ls)
    ls.set_defaults(handler=cmd_ls)
    stats = sub.add_parser("stats", help="summarise the store", epilog=EPILOG)
    stats.add_argument("--format", choices=("text", "json"), default="text")
    store_argument(stats)
    stats.set_defaults(handler=cmd_stats)
