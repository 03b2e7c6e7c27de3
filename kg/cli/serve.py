"""``kg serve``: the store as a read-only SPARQL endpoint and web views on 127.0.0.1."""

from __future__ import annotations

import argparse
import os
import time

from kg.cli.common import EPILOG, EXIT_OK, say, store_argument


def positive(kind: type[int] | type[float]):  # type: ignore[no-untyped-def]
    def parse(text: str) -> int | float:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
        if value <= 0:
            raise argparse.ArgumentTypeError(f"must be above 0, not {text}")
        return value

    return parse


def cmd_serve(args: argparse.Namespace) -> int:
    from kg.read.serve import ConnectionLimits, endpoint_url, main_loop, make_server

    cores = os.cpu_count() or 2
    if args.workers is None:
        args.workers = min(4, cores) if args.in_memory else min(8, 4 * cores)
    if args.in_memory:
        say("reading the store into memory (see kg serve --help for its time and memory)")
    started = time.monotonic()
    server = make_server(
        args.store,
        args.port,
        cors=args.cors,
        in_memory=args.in_memory,
        log=None if args.quiet else say,
        workers=args.workers,
        queue_limit=args.queue,
        time_limit=args.time_limit,
        allowed_services=tuple(args.allow_service),
        limits=ConnectionLimits(read_timeout=args.read_timeout, max_connections=args.max_connections),
        max_answer=args.max_answer_mb * 2**20,
    )

    def ready() -> None:
        what = (
            f"an in-memory snapshot of the store (read in {time.monotonic() - started:.1f} s)"
            if args.in_memory
            else "the store read-only"
        )
        say(
            f"serving {what} at {endpoint_url(server)} (SPARQL 1.1 Protocol; web pages at "
            f"http://127.0.0.1:{server.server_port}/; time limit {args.time_limit:g} s, {args.workers} worker(s); "
            "Ctrl-C to stop)"
        )

    main_loop(server, ready)
    return EXIT_OK


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    serve = sub.add_parser(
        "serve",
        help="serve the store as a read-only SPARQL endpoint and web views on 127.0.0.1",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    serve.add_argument("--port", type=int, default=7878, metavar="N", help="port on 127.0.0.1 (default: 7878)")
    serve.add_argument("--cors", action="store_true", help="allow cross-origin requests (e.g. YASGUI in a browser)")
    serve.add_argument("--quiet", action="store_true", help="do not log requests")
    serve.add_argument(
        "--in-memory",
        action="store_true",
        help="serve a snapshot read into memory at start-up: whole-corpus reports answer 4-5x "
        "faster, for about 420 bytes of memory per quad per worker (1.3 GiB at 10,000 articles)",
    )
    serve.add_argument(
        "--time-limit",
        type=positive(float),
        default=30.0,
        metavar="SECONDS",
        help="stop a request (its query is killed) after this long, queue wait included (default: 30)",
    )
    serve.add_argument(
        "--workers",
        type=positive(int),
        default=None,
        metavar="N",
        help="worker processes evaluating queries at once (default: 4 per core, at most 8, so that short "
        "queries are not stuck behind long reports; with --in-memory one per core, at most 4, as each "
        "holds its own copy of the store)",
    )
    serve.add_argument(
        "--queue",
        type=positive(int),
        default=256,
        metavar="N",
        help="requests waiting for a worker; past it 503 with Retry-After (default: 256)",
    )
    serve.add_argument(
        "--max-answer-mb",
        type=positive(int),
        default=128,
        metavar="MB",
        help="largest answer to one query, in MiB; a larger one is refused with 400 and the reason, so that "
        "a few queries over the whole store cannot exhaust memory (default: 128; kg export writes whole graphs)",
    )
    serve.add_argument(
        "--read-timeout",
        type=positive(float),
        default=10.0,
        metavar="SECONDS",
        help="close a connection whose request head or body has not arrived within this long (default: 10)",
    )
    serve.add_argument(
        "--max-connections",
        type=positive(int),
        default=1024,
        metavar="N",
        help="open connections at most; past it 503 with Retry-After (default: 1024)",
    )
    serve.add_argument(
        "--allow-service",
        action="append",
        default=[],
        metavar="URL",
        help="let queries send SERVICE requests to this endpoint (repeatable; by default SERVICE is refused)",
    )
    store_argument(serve)
    serve.set_defaults(handler=cmd_serve)
