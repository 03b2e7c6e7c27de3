"""The write wing's commands: ingest, validate, schema."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from kg.cli.common import (
    EPILOG,
    EXIT_INPUT,
    EXIT_OK,
    EXIT_VIOLATIONS,
    progress_bar,
    say,
    store_argument,
    workers_argument,
)

#: Findings shown per shape and article in text reports; the others are counted (``kg validate
#: --format json`` lists every one): 10,000 failing statements make a summary, not 20,000 entries.
FINDINGS_PER_SHAPE = 10


def cmd_ingest(args: argparse.Namespace) -> int:
    from kg.ingest.pipeline import discover, ingest
    from kg.shacl.report import render_text
    from kg.store import EmbeddedStore

    files = discover(args.paths)
    # The bar follows the articles checked and validated, most of an ingest's time; the new graphs
    # are loaded after the last of them (kg.store.PIECE_QUADS), which takes about a fifth of it.
    with EmbeddedStore(args.store) as store, progress_bar(len(files), "article") as checked:
        summary = ingest(files, store, registry_path=args.registry, workers=args.workers, checked=checked)
    if summary.report.count("Violation") or summary.report.count("Warning"):
        say(render_text(summary.report, summary.sources, per_shape=FINDINGS_PER_SHAPE).rstrip())
    for outcome in summary.outcomes:
        if outcome.status == "stored":
            say(f"stored   {outcome.path}  ({outcome.source_id}, {outcome.triples} triples)")
        elif outcome.status == "invalid":
            say(f"INVALID  {outcome.path}  ({outcome.source_id}: SHACL violations above; not stored)")
        else:
            say(f"ERROR    {outcome.path}  (not stored)\n{outcome.error}")
    stored, invalid, errors = summary.count("stored"), summary.count("invalid"), summary.count("error")
    say(f"{stored} stored, {invalid} invalid, {errors} with input errors; store: {store.location}")
    if errors:
        return EXIT_INPUT
    return EXIT_VIOLATIONS if invalid else EXIT_OK


def cmd_validate(args: argparse.Namespace) -> int:
    from kg.shacl.engine import validate_store
    from kg.shacl.report import render_json, render_text, render_turtle
    from kg.store import EmbeddedStore, annotation_files, stored_article_ids

    with EmbeddedStore(args.store, read_only=True) as store:
        wanted = args.article or stored_article_ids(store)
        with progress_bar(len(wanted), "article") as progress:
            report = validate_store(store, source_ids=wanted, workers=args.workers, progress=progress)
        sources = annotation_files(store)
    if args.format == "turtle":
        sys.stdout.write(render_turtle(report))
    elif args.format == "json":
        sys.stdout.write(render_json(report, sources))
    else:
        sys.stdout.write(render_text(report, sources, per_shape=FINDINGS_PER_SHAPE))
    return EXIT_OK if report.conforms() else EXIT_VIOLATIONS


def cmd_schema(args: argparse.Namespace) -> int:
    from kg.ingest.schema import SCHEMA_FILES, render

    args.out.mkdir(parents=True, exist_ok=True)
    for name, make in SCHEMA_FILES.items():
        (args.out / name).write_text(render(make()), encoding="utf-8")
        say(f"wrote {args.out / name}")
    return EXIT_OK


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    ingest = sub.add_parser("ingest", help="ingest annotation files or folders into the store", epilog=EPILOG)
    ingest.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="annotation .yaml files or folders")
    ingest.add_argument(
        "--registry",
        type=Path,
        metavar="FILE",
        help="actor registry (default: the nearest registry.yaml beside or above the articles)",
    )
    workers_argument(ingest)
    store_argument(ingest)
    ingest.set_defaults(handler=cmd_ingest)

    validate = sub.add_parser("validate", help="validate the stored graphs against the SHACL shapes", epilog=EPILOG)
    validate.add_argument("--format", choices=("text", "json", "turtle"), default="text")
    validate.add_argument("--article", action="append", metavar="ID", help="only this article (repeatable)")
    workers_argument(validate)
    store_argument(validate)
    validate.set_defaults(handler=cmd_validate)

    schema = sub.add_parser("schema", help="write the annotation JSON Schemas (generated from the vocabularies)")
    schema.add_argument("--out", type=Path, default=Path("schemas"), metavar="DIR")
    schema.set_defaults(handler=cmd_schema)
