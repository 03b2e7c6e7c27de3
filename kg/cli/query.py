"""``kg query``: a named query or a .rq file, on the embedded store or a remote endpoint."""

from __future__ import annotations

import argparse
import shutil
import sys
from typing import TYPE_CHECKING

from kg.cli.common import EPILOG, EXIT_OK, remote_arguments, say, store_argument
from kg.errors import QueryError, StoreError

if TYPE_CHECKING:
    from kg.read.queries import NamedQuery


def cmd_query(args: argparse.Namespace) -> int:
    from kg.read.queries import find_query, named_queries, render

    if args.list:
        sys.stdout.write(_listing(named_queries()))
        return EXIT_OK
    if not args.query:
        raise QueryError("name a query (see 'kg query --list') or a .rq file")
    query = find_query(args.query)
    given = dict(_split_param(p) for p in args.param)
    if args.as_of:
        if AS_OF not in query.parameters:
            takes = [name for name, q in named_queries().items() if AS_OF in q.parameters]
            raise QueryError(f"query {query.name!r} does not take --as-of; these do: {', '.join(takes)}")
        given[AS_OF] = args.as_of
    # grouped blocks for people at a terminal, the flat table for pipes (unless asked otherwise)
    fmt = args.format or ("grouped" if sys.stdout.isatty() else "table")
    width = shutil.get_terminal_size().columns if sys.stdout.isatty() else None
    articles: dict[str, dict[str, str]] = {}
    if args.endpoint:
        from kg.remote.endpoints import credentials_for, resolve_endpoints
        from kg.remote.http import Policy
        from kg.remote.sparql import RemoteEndpoint

        bindings = query.bindings(given)
        endpoints = resolve_endpoints(args.endpoint, preset=args.preset)
        credentials = credentials_for(endpoints.query, scheme=args.auth, preset=endpoints.preset)
        if args.retries < 0 or args.retry_delay < 0:
            raise QueryError("--retries and --retry-delay must not be negative")
        policy = Policy(retries=args.retries, retry_delay=args.retry_delay)
        endpoint = RemoteEndpoint(endpoints, credentials=credentials, timeout=args.timeout, policy=policy, log=say)
        result = endpoint.select(query.text, bindings)
    else:
        from kg.prefixes import SLUG
        from kg.read.names import RegistryNames
        from kg.read.queries import article_ids
        from kg.store import EmbeddedStore
        from kg.textindex import articles_by_id

        with EmbeddedStore(args.store, read_only=True) as store:
            # The registry's names resolve a label or other name; a slug the registry has binds as it is.
            sections = {
                p.section
                for p in query.parameters.values()
                if p.section
                and p.name in given
                and not (SLUG.match(given[p.name]) and RegistryNames.has_slug(store, p.section, given[p.name]))
            }
            names = {section: RegistryNames.read(store, section) for section in sections if section}
            bindings = query.bindings(given, names)
            try:
                if fmt in ("csv", "json"):
                    # Oxigraph writes the W3C results formats itself: no rdflib term per cell, which for a
                    # whole-corpus report costs more time and memory than the query.
                    answer = store.answer(query.text, bindings, fmt=fmt)
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
            if fmt == "grouped":
                articles = articles_by_id(store.location, article_ids(result))
    sys.stdout.write(render(result, fmt, width=width, articles=articles))
    return EXIT_OK


def _listing(queries: dict[str, NamedQuery]) -> str:
    """Each query's question, then each parameter: what it does and the values it takes."""
    out = []
    for name, query in queries.items():
        out.append(f"{name}: {query.question}")
        for parameter in query.parameters.values():
            default = f" (default {parameter.default}; 'any' clears it)" if parameter.default else ""
            out.append(f"    --param {parameter.name}=…{default}  {parameter.doc}")
            out.append(f"        values: {parameter.allowed()}")
    return "\n".join(out) + "\n"


#: The parameter ``--as-of DATE`` binds: queries that declare it answer with the positions in force then.
AS_OF = "asOf"


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
    query.add_argument(
        "--format",
        choices=("grouped", "table", "csv", "json"),
        help="grouped: a block per position (the default at a terminal); table: one line per row, wide "
        "cells wrapped (the default in a pipe); csv, json: the W3C SPARQL results formats",
    )
    query.add_argument(
        "--as-of",
        metavar="DATE",
        help="answer with the positions in force on DATE (YYYY-MM-DD; queries with an ?asOf parameter)",
    )
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
