"""The read wing's commands: query, export, serve."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from kg.cli.common import EXPORT_EPILOG, EXIT_OK, EPILOG, say, store_argument, remote_arguments
from kg.errors import QueryError

def cmd_query(args: argparse.Namespace) -> int:
    from kg.read.queries import find_query, named_queries, render

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
        from kg.remote.endpoints import credentials_for, resolve_endpoints
        from kg.remote.sparql import RemoteEndpoint

        endpoints = resolve_endpoints(args.endpoint, preset=args.preset)
        credentials = credentials_for(endpoints.query, scheme=args.auth, preset=endpoints.preset)
        result = RemoteEndpoint(endpoints, credentials=credentials, timeout=args.timeout).select(query.text, bindings)
    else:
        from kg.store import EmbeddedStore

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


def cmd_export(args: argparse.Namespace) -> int:
    from kg.read.export import GRAPH_FORMATS, export, format_for
    from kg.store import EmbeddedStore

    fmt = format_for(args.output, args.format)
    with EmbeddedStore(args.store, read_only=True) as store:
        export(store, fmt, args.output if args.output else sys.stdout.buffer, article=args.article)
    if args.output:
        what = f"article {args.article}" if args.article else (
            "all named graphs" if fmt in GRAPH_FORMATS else "the union of all graphs")
        say(f"wrote {args.output} ({fmt}, {what})")
    return EXIT_OK


def cmd_serve(args: argparse.Namespace) -> int:
    from kg.read.serve import endpoint_url, main_loop, make_server

    if args.in_memory:
        say("reading the store into memory (see kg serve --help for its time and memory)")
    started = time.monotonic()
    server = make_server(args.store, args.port, cors=args.cors, in_memory=args.in_memory,
                         log=None if args.quiet else say)
    what = f"an in-memory snapshot of the store (read in {time.monotonic() - started:.1f} s)" if args.in_memory \
        else "the store read-only"
    say(f"serving {what} at {endpoint_url(server)} (SPARQL 1.1 Protocol; Ctrl-C to stop)")
    main_loop(server)
    return EXIT_OK


def _split_param(text: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name:
        raise QueryError(f"--param takes NAME=VALUE, got {text!r}")
    return name, value


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    query = sub.add_parser("query", help="run a named query or a .rq file", epilog=EPILOG)
    query.add_argument("query", nargs="?", metavar="NAME|FILE")
    query.add_argument("--param", action="append", default=[], metavar="NAME=VALUE",
                       help="bind a query parameter (repeatable); see the query's header")
    query.add_argument("--format", choices=("table", "csv", "json"), default="table")
    query.add_argument("--list", action="store_true", help="list the named queries")
    query.add_argument("--endpoint", metavar="URL", help="run against this remote SPARQL endpoint instead of the "
                       "embedded store (with --preset: the store's root URL)")
    remote_arguments(query)
    query.add_argument("--timeout", type=float, default=60.0, metavar="S",
                       help="seconds to wait for a remote answer (default: 60)")
    store_argument(query)
    query.set_defaults(handler=cmd_query)

    export = sub.add_parser(
        "export", help="write the store as Turtle, TriG, N-Quads, N-Triples or JSON-LD", epilog=EXPORT_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    export.add_argument("--format", choices=("turtle", "trig", "nquads", "ntriples", "jsonld"),
                        help="default: from the -o extension (.ttl .trig .nq .nt .jsonld), else turtle")
    export.add_argument("--article", metavar="ID", help="only this article's graph")
    export.add_argument("-o", "--output", type=Path, metavar="FILE", help="write here (atomically) instead of stdout")
    store_argument(export)
    export.set_defaults(handler=cmd_export)

    serve = sub.add_parser("serve", help="serve the store as a read-only SPARQL endpoint on 127.0.0.1",
                           epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    serve.add_argument("--port", type=int, default=7878, metavar="N", help="port on 127.0.0.1 (default: 7878)")
    serve.add_argument("--cors", action="store_true", help="allow cross-origin requests (e.g. YASGUI in a browser)")
    serve.add_argument("--quiet", action="store_true", help="do not log requests")
    serve.add_argument("--in-memory", action="store_true",
                       help="serve a snapshot read into memory at start-up: whole-corpus reports answer 4-5x "
                            "faster, for about 420 bytes of memory per quad (1.3 GiB at 10,000 articles)")
    store_argument(serve)
    serve.set_defaults(handler=cmd_serve)
