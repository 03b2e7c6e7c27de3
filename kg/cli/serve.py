"""``kg serve``: the store as a read-only SPARQL endpoint on 127.0.0.1."""

from __future__ import annotations

import argparse
import time

from kg.cli.common import EPILOG, EXIT_OK, say, store_argument


def cmd_serve(args: argparse.Namespace) -> int:
    from kg.read.serve import endpoint_url, main_loop, make_server

    if args.in_memory:
        say("reading the store into memory (see kg serve --help for its time and memory)")
    started = time.monotonic()
    server = make_server(
        args.store, args.port, cors=args.cors, in_memory=args.in_memory, log=None if args.quiet else say
    )
    what = (
        f"an in-memory snapshot of the store (read in {time.monotonic() - started:.1f} s)"
        if args.in_memory
        else "the store read-only"
    )
    say(f"serving {what} at {endpoint_url(server)} (SPARQL 1.1 Protocol; Ctrl-C to stop)")
    main_loop(server)
    return EXIT_OK


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    serve = sub.add_parser(
        "serve",
        help="serve the store as a read-only SPARQL endpoint on 127.0.0.1",
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
        "faster, for about 420 bytes of memory per quad (1.3 GiB at 10,000 articles)",
    )
    store_argument(serve)
    serve.set_defaults(handler=cmd_serve)
