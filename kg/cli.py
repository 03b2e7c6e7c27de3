"""The ``kg`` command. The only module that prints or exits; the library does the work.

Exit codes: 0 success (data conforms), 1 SHACL violations, 2 usage or input error,
3 store or network error. Data goes to stdout; progress, summaries and errors to stderr.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from tqdm import tqdm

from . import __version__
from .errors import InputError, KgError, QueryError, StoreError

EXIT_OK, EXIT_VIOLATIONS, EXIT_INPUT, EXIT_STORE = 0, 1, 2, 3

EPILOG = """exit codes: 0 ok / conforms, 1 SHACL violations, 2 usage or input error, 3 store or network error.
store: --store DIR, else $KG_STORE, else ~/.local/share/positions-kg/store"""


def _err(message: str) -> None:
    print(message, file=sys.stderr)


@contextmanager
def _progress(total: int, unit: str) -> Iterator[Callable[[int], None]]:
    """A progress bar on a terminal only (never in pipes or CI logs)."""
    bar = tqdm(total=total, unit=unit, file=sys.stderr, disable=not sys.stderr.isatty() or total < 5, leave=False)
    try:
        yield bar.update
    finally:
        bar.close()


def _store_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--store", type=Path, metavar="DIR", help="embedded store folder (default: $KG_STORE or "
                        "~/.local/share/positions-kg/store)")


# -- subcommands -------------------------------------------------------------------------------


def cmd_ingest(args: argparse.Namespace) -> int:
    from .ingest import discover, ingest
    from .store import EmbeddedStore
    from .validate import render_text

    files = discover(args.paths)
    with EmbeddedStore(args.store) as store, _progress(len(files), "article") as progress:
        summary = ingest(files, store, registry_path=args.registry, progress=progress)
    if summary.report.count("Violation") or summary.report.count("Warning"):
        _err(render_text(summary.report, summary.sources).rstrip())
    for outcome in summary.outcomes:
        if outcome.status == "stored":
            _err(f"stored   {outcome.path}  ({outcome.source_id}, {outcome.triples} triples)")
        elif outcome.status == "invalid":
            _err(f"INVALID  {outcome.path}  ({outcome.source_id}: SHACL violations above; not stored)")
        else:
            _err(f"ERROR    {outcome.path}  (not stored)\n{outcome.error}")
    stored, invalid, errors = summary.count("stored"), summary.count("invalid"), summary.count("error")
    _err(f"{stored} stored, {invalid} invalid, {errors} with input errors; store: {store.location}")
    if errors:
        return EXIT_INPUT
    return EXIT_VIOLATIONS if invalid else EXIT_OK


def cmd_validate(args: argparse.Namespace) -> int:
    from .store import EmbeddedStore
    from .validate import annotation_files, render_json, render_text, render_turtle, stored_article_ids, validate_store

    with EmbeddedStore(args.store, read_only=True) as store:
        wanted = args.article or stored_article_ids(store)
        with _progress(len(wanted), "article") as progress:
            report = validate_store(store, source_ids=wanted, progress=progress)
        sources = annotation_files(store)
    if args.format == "turtle":
        sys.stdout.write(render_turtle(report))
    elif args.format == "json":
        sys.stdout.write(render_json(report, sources))
    else:
        sys.stdout.write(render_text(report, sources))
    return EXIT_OK if report.conforms() else EXIT_VIOLATIONS


def cmd_query(args: argparse.Namespace) -> int:
    from .queries import find_query, named_queries, render

    if args.list:
        for name, query in named_queries().items():
            params = " ".join(f"[--param {p}=…]" for p in query.parameters)
            print(f"{name:<34} {query.question} {params}".rstrip())
        return EXIT_OK
    if not args.query:
        raise QueryError("name a query (see 'kg query --list') or a .rq file")
    query = find_query(args.query)
    given = dict(_split_param(p) for p in args.param)
    bindings = query.bindings(given)
    from .store import EmbeddedStore

    with EmbeddedStore(args.store, read_only=True) as store:
        result = store.select(query.text, bindings)
    sys.stdout.write(render(result, args.format))
    return EXIT_OK


def _split_param(text: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name:
        raise QueryError(f"--param takes NAME=VALUE, got {text!r}")
    return name, value


def cmd_schema(args: argparse.Namespace) -> int:
    from .schema import SCHEMA_FILES, render

    args.out.mkdir(parents=True, exist_ok=True)
    for name, make in SCHEMA_FILES.items():
        (args.out / name).write_text(render(make()), encoding="utf-8")
        _err(f"wrote {args.out / name}")
    return EXIT_OK


# -- parser ------------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kg",
        description="Positions KG: ingest annotated articles, validate, query.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    ingest = sub.add_parser("ingest", help="ingest annotation files or folders into the store", epilog=EPILOG)
    ingest.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="annotation .yaml files or folders")
    ingest.add_argument("--registry", type=Path, metavar="FILE", help="actor registry (default: the nearest "
                        "registry.yaml beside or above the articles)")
    _store_argument(ingest)
    ingest.set_defaults(handler=cmd_ingest)

    validate = sub.add_parser("validate", help="validate the stored graphs against the SHACL shapes", epilog=EPILOG)
    validate.add_argument("--format", choices=("text", "json", "turtle"), default="text")
    validate.add_argument("--article", action="append", metavar="ID", help="only this article (repeatable)")
    _store_argument(validate)
    validate.set_defaults(handler=cmd_validate)

    query = sub.add_parser("query", help="run a named query or a .rq file", epilog=EPILOG)
    query.add_argument("query", nargs="?", metavar="NAME|FILE")
    query.add_argument("--param", action="append", default=[], metavar="NAME=VALUE",
                       help="bind a query parameter (repeatable); see the query's header")
    query.add_argument("--format", choices=("table", "csv", "json"), default="table")
    query.add_argument("--list", action="store_true", help="list the named queries")
    _store_argument(query)
    query.set_defaults(handler=cmd_query)

    schema = sub.add_parser("schema", help="write the annotation JSON Schemas (generated from the vocabularies)")
    schema.add_argument("--out", type=Path, default=Path("schemas"), metavar="DIR")
    schema.set_defaults(handler=cmd_schema)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help(sys.stderr)
        return EXIT_INPUT
    try:
        return args.handler(args)
    except (InputError, QueryError) as err:
        _err(f"error: {err}")
        return EXIT_INPUT
    except StoreError as err:
        _err(f"store error: {err}")
        return EXIT_STORE
    except KgError as err:
        _err(f"error: {err}")
        return EXIT_INPUT


if __name__ == "__main__":
    sys.exit(main())
