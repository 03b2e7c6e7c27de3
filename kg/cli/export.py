"""``kg export``: the store written as Turtle, TriG, N-Quads, N-Triples or JSON-LD."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from kg.cli.common import EXIT_OK, EXPORT_EPILOG, say, store_argument


def cmd_export(args: argparse.Namespace) -> int:
    from kg.read.export import GRAPH_FORMATS, export, format_for
    from kg.store import EmbeddedStore

    fmt = format_for(args.output, args.format)
    with EmbeddedStore(args.store, read_only=True) as store:
        export(store, fmt, args.output if args.output else sys.stdout.buffer, article=args.article)
    if args.output:
        what = (
            f"article {args.article}"
            if args.article
            else ("all named graphs" if fmt in GRAPH_FORMATS else "the union of all graphs")
        )
        say(f"wrote {args.output} ({fmt}, {what})")
    return EXIT_OK


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    export = sub.add_parser(
        "export",
        help="write the store as Turtle, TriG, N-Quads, N-Triples or JSON-LD",
        epilog=EXPORT_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    export.add_argument(
        "--format",
        choices=("turtle", "trig", "nquads", "ntriples", "jsonld"),
        help="default: from the -o extension (.ttl .trig .nq .nt .jsonld), else turtle",
    )
    export.add_argument("--article", metavar="ID", help="only this article's graph")
    export.add_argument("-o", "--output", type=Path, metavar="FILE", help="write here (atomically) instead of stdout")
    store_argument(export)
    export.set_defaults(handler=cmd_export)
