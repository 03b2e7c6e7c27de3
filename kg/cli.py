"""The ``kg`` command. The only module that prints or exits; the library does the work.

Exit codes: 0 success (data conforms), 1 SHACL violations, 2 usage or input error,
3 store or network error. Data goes to stdout; progress, summaries and errors to stderr.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from tqdm import tqdm

from . import __version__
from .errors import InputError, KgError, QueryError, StoreError

EXIT_OK, EXIT_VIOLATIONS, EXIT_INPUT, EXIT_STORE = 0, 1, 2, 3

EPILOG = """exit codes: 0 ok / conforms, 1 SHACL violations, 2 usage or input error, 3 store or network error.
store: --store DIR, else $KG_STORE, else ~/.local/share/positions-kg/store"""

EXPORT_EPILOG = """TriG, N-Quads and JSON-LD keep the named graphs (one per article, plus registry, vocab, ontology,
provenance); Turtle and N-Triples have no graphs and hold the union of all graphs. The output is
deterministic (same store, same bytes) and written atomically (a temporary file, then a rename).
JSON-LD uses the context shipped in the package (kg/context.jsonld).
""" + EPILOG

LOAD_EPILOG = """credentials (never on the command line, never printed):
  KG_ENDPOINT_USER + KG_ENDPOINT_PASSWORD (scheme: --auth, $KG_ENDPOINT_AUTH, the preset, else basic),
  KG_ENDPOINT_TOKEN (bearer), else ~/.netrc ($NETRC).
With a dataset endpoint (--dataset, or the oxigraph preset) the store goes as N-Quads in a few large
POSTs, after dropping the graphs the server already has; otherwise every named graph is PUT (Graph
Store Protocol) or sent as SPARQL Update. Either way loading again replaces and never duplicates;
afterwards the triples of each graph are counted on the server and compared (any difference: exit 3).
""" + EPILOG


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


def _workers_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--workers", type=_positive, metavar="N",
                        help="processes that check and validate batches in parallel (default: $KG_WORKERS, else one "
                             "per core)")


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, got {text!r}")
    return int(text)


def _store_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--store", type=Path, metavar="DIR", help="embedded store folder (default: $KG_STORE or "
                        "~/.local/share/positions-kg/store)")


def _remote_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--preset", choices=("oxigraph", "fuseki", "graphdb", "virtuoso"),
                        help="the store's endpoint paths and auth scheme (see docs/triplestores.md)")
    parser.add_argument("--auth", choices=("basic", "digest", "none"),
                        help="auth scheme for the credentials (default: $KG_ENDPOINT_AUTH, else the preset's, else "
                        "basic); credentials come only from the environment or ~/.netrc")


# -- subcommands -------------------------------------------------------------------------------


def cmd_ingest(args: argparse.Namespace) -> int:
    from .ingest import discover, ingest
    from .store import EmbeddedStore
    from .validate import render_text

    files = discover(args.paths)
    with EmbeddedStore(args.store) as store, _progress(len(files), "article") as progress:
        summary = ingest(files, store, registry_path=args.registry, workers=args.workers, progress=progress)
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
            report = validate_store(store, source_ids=wanted, workers=args.workers, progress=progress)
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
    if args.endpoint:
        from .endpoints import credentials_for, resolve_endpoints
        from .remote import RemoteEndpoint

        endpoints = resolve_endpoints(args.endpoint, preset=args.preset)
        credentials = credentials_for(endpoints.query, scheme=args.auth, preset=endpoints.preset)
        result = RemoteEndpoint(endpoints, credentials=credentials, timeout=args.timeout).select(query.text, bindings)
    else:
        from .store import EmbeddedStore

        with EmbeddedStore(args.store, read_only=True) as store:
            if args.format != "table":
                # Oxigraph writes the W3C results formats itself: no rdflib term per cell, which for a
                # whole-corpus report costs more time and memory than the query.
                answer = store.answer(query.text, bindings, fmt=args.format)
                sys.stdout.buffer.write(answer if answer.endswith(b"\n") else answer + b"\n")
                return EXIT_OK
            result = store.select(query.text, bindings)
    sys.stdout.write(render(result, args.format))
    return EXIT_OK


def _split_param(text: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name:
        raise QueryError(f"--param takes NAME=VALUE, got {text!r}")
    return name, value


def cmd_export(args: argparse.Namespace) -> int:
    from .export import GRAPH_FORMATS, export, format_for
    from .store import EmbeddedStore

    fmt = format_for(args.output, args.format)
    with EmbeddedStore(args.store, read_only=True) as store:
        export(store, fmt, args.output if args.output else sys.stdout.buffer, article=args.article)
    if args.output:
        what = f"article {args.article}" if args.article else (
            "all named graphs" if fmt in GRAPH_FORMATS else "the union of all graphs")
        _err(f"wrote {args.output} ({fmt}, {what})")
    return EXIT_OK


def cmd_load(args: argparse.Namespace) -> int:
    from .endpoints import credentials_for, resolve_endpoints
    from .load import LoadOptions, load, plan_load
    from .store import EmbeddedStore

    endpoints = resolve_endpoints(args.endpoint, preset=args.preset, graph_store=args.graph_store, update=args.update,
                                  dataset=args.dataset)
    credentials = credentials_for(endpoints.dataset or endpoints.graph_store or endpoints.update or endpoints.query,
                                  scheme=args.auth, preset=endpoints.preset)
    options = LoadOptions(batch_size=args.batch_size, retries=args.retries, retry_delay=args.retry_delay,
                          timeout=args.timeout, verify=not args.no_verify)
    with EmbeddedStore(args.store, read_only=True) as store:  # open while loading: dataset mode streams from it
        plan = plan_load(store, endpoints, credentials, options, count=args.dry_run)
        if args.dry_run:
            sys.stdout.write(plan.render())
            return EXIT_OK
        log = (lambda message: None) if args.quiet else _err
        total, unit = plan.progress
        with _progress(0 if args.quiet else total, unit) as progress:
            report = load(plan, progress=progress, log=log)
    _err(report.render().rstrip())
    return EXIT_OK if report.ok else EXIT_STORE


def cmd_serve(args: argparse.Namespace) -> int:
    from .serve import endpoint_url, main_loop, make_server

    if args.in_memory:
        _err("reading the store into memory (see kg serve --help for its time and memory)")
    started = time.monotonic()
    server = make_server(args.store, args.port, cors=args.cors, in_memory=args.in_memory,
                         log=None if args.quiet else _err)
    what = f"an in-memory snapshot of the store (read in {time.monotonic() - started:.1f} s)" if args.in_memory \
        else "the store read-only"
    _err(f"serving {what} at {endpoint_url(server)} (SPARQL 1.1 Protocol; Ctrl-C to stop)")
    main_loop(server)
    return EXIT_OK


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
    _workers_argument(ingest)
    _store_argument(ingest)
    ingest.set_defaults(handler=cmd_ingest)

    validate = sub.add_parser("validate", help="validate the stored graphs against the SHACL shapes", epilog=EPILOG)
    validate.add_argument("--format", choices=("text", "json", "turtle"), default="text")
    validate.add_argument("--article", action="append", metavar="ID", help="only this article (repeatable)")
    _workers_argument(validate)
    _store_argument(validate)
    validate.set_defaults(handler=cmd_validate)

    query = sub.add_parser("query", help="run a named query or a .rq file", epilog=EPILOG)
    query.add_argument("query", nargs="?", metavar="NAME|FILE")
    query.add_argument("--param", action="append", default=[], metavar="NAME=VALUE",
                       help="bind a query parameter (repeatable); see the query's header")
    query.add_argument("--format", choices=("table", "csv", "json"), default="table")
    query.add_argument("--list", action="store_true", help="list the named queries")
    query.add_argument("--endpoint", metavar="URL", help="run against this remote SPARQL endpoint instead of the "
                       "embedded store (with --preset: the store's root URL)")
    _remote_arguments(query)
    query.add_argument("--timeout", type=float, default=60.0, metavar="S",
                       help="seconds to wait for a remote answer (default: 60)")
    _store_argument(query)
    query.set_defaults(handler=cmd_query)

    export = sub.add_parser(
        "export", help="write the store as Turtle, TriG, N-Quads, N-Triples or JSON-LD", epilog=EXPORT_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    export.add_argument("--format", choices=("turtle", "trig", "nquads", "ntriples", "jsonld"),
                        help="default: from the -o extension (.ttl .trig .nq .nt .jsonld), else turtle")
    export.add_argument("--article", metavar="ID", help="only this article's graph")
    export.add_argument("-o", "--output", type=Path, metavar="FILE", help="write here (atomically) instead of stdout")
    _store_argument(export)
    export.set_defaults(handler=cmd_export)

    load = sub.add_parser("load", help="push the store into a triplestore (N-Quads POSTs, or one PUT per graph)",
                          epilog=LOAD_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    load.add_argument("--endpoint", required=True, metavar="URL",
                      help="the store's SPARQL query endpoint (with --preset: its root URL), used to verify the load")
    load.add_argument("--graph-store", metavar="URL", help="Graph Store Protocol endpoint (default: from --preset)")
    load.add_argument("--update", metavar="URL", help="SPARQL update endpoint: drops graphs before a --dataset "
                      "load, or carries the data when there is no graph store")
    load.add_argument("--dataset", metavar="URL", help="endpoint accepting N-Quads POSTs of the whole dataset "
                      "(default: from --preset; Oxigraph: ROOT/store?no_transaction); needs --update")
    _remote_arguments(load)
    load.add_argument("--batch-size", type=int, default=None, metavar="N",
                      help="quads per --dataset request (default: 5000000), or triples per graph request "
                      "(a larger graph is a PUT then POSTs; default: 50000)")
    load.add_argument("--retries", type=int, default=3, metavar="N",
                      help="retries on 5xx answers, timeouts and dropped connections (default: 3)")
    load.add_argument("--retry-delay", type=float, default=1.0, metavar="S",
                      help="first retry delay in seconds, doubled each retry (default: 1)")
    load.add_argument("--timeout", type=float, default=120.0, metavar="S", help="seconds per request (default: 120)")
    load.add_argument("--no-verify", action="store_true", help="skip counting the triples on the server afterwards")
    load.add_argument("--dry-run", action="store_true", help="print the plan (endpoints, graphs, requests) and stop")
    load.add_argument("--quiet", action="store_true", help="no progress bar or per-graph lines")
    _store_argument(load)
    load.set_defaults(handler=cmd_load)

    serve = sub.add_parser("serve", help="serve the store as a read-only SPARQL endpoint on 127.0.0.1",
                           epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    serve.add_argument("--port", type=int, default=7878, metavar="N", help="port on 127.0.0.1 (default: 7878)")
    serve.add_argument("--cors", action="store_true", help="allow cross-origin requests (e.g. YASGUI in a browser)")
    serve.add_argument("--quiet", action="store_true", help="do not log requests")
    serve.add_argument("--in-memory", action="store_true",
                       help="serve a snapshot read into memory at start-up: whole-corpus reports answer 4-5x "
                            "faster, for about 420 bytes of memory per quad (1.3 GiB at 10,000 articles)")
    _store_argument(serve)
    serve.set_defaults(handler=cmd_serve)

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
