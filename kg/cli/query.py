"""``kg query``: a named query or a .rq file, on the embedded store or a remote endpoint."""

from __future__ import annotations

import argparse
import sys

from kg.cli.common import EPILOG, EXIT_OK, remote_arguments, store_argument
from kg.errors import QueryError, StoreError


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
            try:
                if args.format != "table":
                    # Oxigraph writes the W3C results formats itself: no rdflib term per cell, which for a
                    # whole-corpus report costs more time and memory than the query.
                    answer = store.answer(query.text, bindings, fmt=args.format)
                    sys.stdout.buffer.write(answer if answer.endswith(b"\n") else answer + b"\n")
                    return EXIT_OK
                result = store.select(query.text, bindings)
            except RuntimeError as err:  # Oxigraph refused to evaluate it, e.g. a parameter not projected
                raise QueryError(
                    f"{query.path}: the query cannot be run with these parameters: {err}\n"
                    "  -> a parameter must be a variable the query's SELECT clause lists"
                ) from err
            except StoreError as err:
                if isinstance(err.__cause__, SyntaxError):  # the query file's fault, not the store's: exit 2
                    raise QueryError(f"{query.path}: {err}") from err
                raise
    sys.stdout.write(render(result, args.format))
    return EXIT_OK


def _split_param(text: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name:
        raise QueryError(f"--param takes NAME=VALUE, got {text!r}")
    return name, value


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    query = sub.add_parser("query", help="run a named query or a .rq file", epilog=EPILOG)
    query.add_argument("query", nargs="?", metavar="NAME|FILE")
    query.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="bind a query parameter (repeatable); see the query's header",
    )
    query.add_argument("--format", choices=("table", "csv", "json"), default="table")
    query.add_argument("--list", action="store_true", help="list the named queries")
    query.add_argument(
        "--endpoint",
        metavar="URL",
        help="run against this remote SPARQL endpoint instead of the "
        "embedded store (with --preset: the store's root URL)",
    )
    remote_arguments(query)
    query.add_argument(
        "--timeout", type=float, default=60.0, metavar="S", help="seconds to wait for a remote answer (default: 60)"
    )
    store_argument(query)
    query.set_defaults(handler=cmd_query)
