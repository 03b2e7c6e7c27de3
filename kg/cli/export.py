"""``kg export``: the store written as Turtle, TriG, N-Quads, N-Triples or JSON-LD."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from kg.cli.common import EXIT_OK, EXPORT_EPILOG, progress_bar, say, store_argument


def cmd_export(args: argparse.Namespace) -> int:
    from kg.read.export import GRAPH_FORMATS, ExportError, export, export_split, format_for, graph_names
    from kg.store import EmbeddedStore

    if args.split_by_article and args.output:
        raise ExportError("--split-by-article writes a folder of files: leave out -o")
    fmt = format_for(args.output, args.format or ("trig" if args.split_by_article else None))
    with EmbeddedStore(args.store, read_only=True) as store:
        if args.split_by_article:
            with progress_bar(len(graph_names(store)), "graphs") as advance:
                written = export_split(store, fmt, args.split_by_article, progress=advance)
            articles = sum(1 for path in written if path.parts[0] == "article")
            say(f"wrote {args.split_by_article} ({fmt}: {articles} article files, {len(written) - articles} others)")
            return EXIT_OK
        target = args.output if args.output else sys.stdout.buffer
        total = len(graph_names(store, article=args.article, graph=args.graph))
        with progress_bar(total, "graphs") as advance:
            export(store, fmt, target, article=args.article, graph=args.graph, progress=advance)
    if args.output:
        if args.article:
            what = f"article {args.article}"
        elif args.graph:
            what = f"graph <{args.graph}>"
        else:
            what = "all named graphs" if fmt in GRAPH_FORMATS else "the union of all graphs"
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
        help="default: from the -o extension (.ttl .trig .nq .nt .jsonld), else turtle (trig with --split-by-article)",
    )
    which = export.add_mutually_exclusive_group()
    which.add_argument("--article", metavar="ID", help="only this article's graph")
    which.add_argument("--graph", metavar="IRI", help="only this named graph (e.g. the registry or provenance graph)")
    which.add_argument(
        "--split-by-article",
        type=Path,
        metavar="DIR",
        help="one file per graph in DIR: article/ID.EXT per article, registry.EXT, vocab.EXT, ontology.EXT, "
        "provenance.EXT for the shared graphs (DIR: new, empty, or a previous split export)",
    )
    export.add_argument("-o", "--output", type=Path, metavar="FILE", help="write here (atomically) instead of stdout")
    store_argument(export)
    export.set_defaults(handler=cmd_export)
