"""What every ``kg`` subcommand shares: exit codes, epilogues, common arguments, progress, messages.

Exit codes: 0 success (data conforms), 1 SHACL violations, 2 usage or input error,
3 store or network error. Data goes to stdout; progress, summaries and errors to stderr.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

EXIT_OK, EXIT_VIOLATIONS, EXIT_INPUT, EXIT_STORE = 0, 1, 2, 3

EPILOG = """exit codes: 0 ok / conforms, 1 SHACL violations, 2 usage or input error, 3 store or network error.
store: --store DIR, else $KG_STORE, else ~/.local/share/positions-kg/store"""

EXPORT_EPILOG = (
    """TriG, N-Quads and JSON-LD keep the named graphs (one per article, plus registry, vocab, ontology,
provenance); Turtle and N-Triples have no graphs and hold the union of all graphs. The output is
deterministic (same store, same bytes) and written atomically (a temporary file, then a rename).
JSON-LD uses the context shipped in the package (kg/context.jsonld).
"""
    + EPILOG
)

LOAD_EPILOG = (
    """credentials (never on the command line, never printed):
  KG_ENDPOINT_USER + KG_ENDPOINT_PASSWORD (scheme: --auth, $KG_ENDPOINT_AUTH, the preset, else basic),
  KG_ENDPOINT_TOKEN (bearer), else ~/.netrc ($NETRC).
With a dataset endpoint (--dataset, or the oxigraph preset) the store goes as N-Quads in a few large
POSTs, after dropping the graphs the server already has; otherwise every named graph is PUT (Graph
Store Protocol) or sent as SPARQL Update. Either way loading again replaces and never duplicates;
afterwards the triples of each graph are counted on the server and compared (any difference: exit 3).
"""
    + EPILOG
)


def say(message: str) -> None:
    print(message, file=sys.stderr)


@contextmanager
def progress_bar(total: int, unit: str) -> Iterator[Callable[[int], None]]:
    """A progress bar on a terminal only (never in pipes or CI logs)."""
    from tqdm import tqdm  # here, not at the top: tqdm costs ~45 ms of every command's start-up

    bar = tqdm(total=total, unit=unit, file=sys.stderr, disable=not sys.stderr.isatty() or total < 5, leave=False)
    try:
        yield bar.update
    finally:
        bar.close()


def workers_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--workers",
        type=positive,
        metavar="N",
        help="processes that check and validate batches in parallel (default: $KG_WORKERS, else one per core)",
    )


def positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, got {text!r}")
    return int(text)


def store_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--store",
        type=Path,
        metavar="DIR",
        help="embedded store folder (default: $KG_STORE or ~/.local/share/positions-kg/store)",
    )


def remote_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--preset",
        choices=("oxigraph", "fuseki", "graphdb", "virtuoso"),
        help="the store's endpoint paths and auth scheme (see docs/triplestores.md)",
    )
    parser.add_argument(
        "--auth",
        choices=("basic", "digest", "none"),
        help="auth scheme for the credentials (default: $KG_ENDPOINT_AUTH, else the preset's, else "
        "basic); credentials come only from the environment or ~/.netrc",
    )
    parser.add_argument(
        "--retries",
        type=int,
        default=3,
        metavar="N",
        help="retries when the server is busy (502/503/504; for a load also 500 and timeouts) or refuses "
        "or drops the connection (default: 3)",
    )
    parser.add_argument(
        "--retry-delay",
        type=float,
        default=1.0,
        metavar="S",
        help="first retry delay in seconds, doubled each retry; a server's Retry-After wins (default: 1)",
    )
