"""``kg load``: push the store into a triplestore (queries against an endpoint are ``kg query --endpoint``)."""

from __future__ import annotations

import argparse
import sys

from kg.cli.common import EXIT_OK, EXIT_STORE, LOAD_EPILOG, progress_bar, remote_arguments, say, store_argument


def cmd_load(args: argparse.Namespace) -> int:
    from kg.remote.endpoints import credentials_for, resolve_endpoints
    from kg.remote.load import LoadOptions, load, plan_load
    from kg.store import EmbeddedStore

    endpoints = resolve_endpoints(
        args.endpoint, preset=args.preset, graph_store=args.graph_store, update=args.update, dataset=args.dataset
    )
    credentials = credentials_for(
        endpoints.dataset or endpoints.graph_store or endpoints.update or endpoints.query,
        scheme=args.auth,
        preset=endpoints.preset,
    )
    options = LoadOptions(
        batch_size=args.batch_size,
        retries=args.retries,
        retry_delay=args.retry_delay,
        timeout=args.timeout,
        verify=not args.no_verify,
    )
    with EmbeddedStore(args.store, read_only=True) as store:  # open while loading: dataset mode streams from it
        plan = plan_load(store, endpoints, credentials, options, count=args.dry_run)
        if args.dry_run:
            sys.stdout.write(plan.render())
            return EXIT_OK
        log = (lambda message: None) if args.quiet else say
        total, unit = plan.progress
        with progress_bar(0 if args.quiet else total, unit) as progress:
            report = load(plan, progress=progress, log=log)
    say(report.render().rstrip())
    return EXIT_OK if report.ok else EXIT_STORE


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    load = sub.add_parser(
        "load",
        help="push the store into a triplestore (N-Quads POSTs, or one PUT per graph)",
        epilog=LOAD_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    load.add_argument(
        "--endpoint",
        required=True,
        metavar="URL",
        help="the store's SPARQL query endpoint (with --preset: its root URL), used to verify the load",
    )
    load.add_argument("--graph-store", metavar="URL", help="Graph Store Protocol endpoint (default: from --preset)")
    load.add_argument(
        "--update",
        metavar="URL",
        help="SPARQL update endpoint: drops graphs before a --dataset "
        "load, or carries the data when there is no graph store",
    )
    load.add_argument(
        "--dataset",
        metavar="URL",
        help="endpoint accepting N-Quads POSTs of the whole dataset "
        "(default: from --preset; Oxigraph: ROOT/store?no_transaction); needs --update",
    )
    remote_arguments(load)
    load.add_argument(
        "--batch-size",
        type=int,
        default=None,
        metavar="N",
        help="quads per --dataset request (default: 5000000), or triples per graph request "
        "(a larger graph is a PUT then POSTs; default: 50000)",
    )
    load.add_argument("--timeout", type=float, default=120.0, metavar="S", help="seconds per request (default: 120)")
    load.add_argument("--no-verify", action="store_true", help="skip counting the triples on the server afterwards")
    load.add_argument("--dry-run", action="store_true", help="print the plan (endpoints, graphs, requests) and stop")
    load.add_argument("--quiet", action="store_true", help="no progress bar or per-graph lines")
    store_argument(load)
    load.set_defaults(handler=cmd_load)
