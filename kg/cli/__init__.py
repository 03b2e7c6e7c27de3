"""The ``kg`` command. The only package that prints or exits; the library does the work.

Each command (or group: ``write`` holds ingest, validate and schema) registers its subcommands from
its own module; this
module builds the parser and maps the library's errors to the documented exit codes.
Exit codes: 0 success (data conforms), 1 SHACL violations, 2 usage or input error,
3 store or network error. Data goes to stdout; progress, summaries and errors to stderr.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from kg.cli import export, load, query, report, search, serve, write
from kg.cli.common import EPILOG, EXIT_INPUT, EXIT_STORE, say
from kg.errors import InputError, KgError, QueryError, StoreError

#: Subcommand modules in the order ``kg --help`` lists them.
COMMAND_MODULES = (write, query, search, report, export, load, serve)


class _VersionAction(argparse.Action):
    """``--version``, reading the installed version only when asked (importlib.metadata costs ~50 ms)."""

    def __init__(self, option_strings: Sequence[str], dest: str = argparse.SUPPRESS, **kwargs: object) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, help="show the version and exit")

    def __call__(self, parser: argparse.ArgumentParser, *_args: object, **_kwargs: object) -> None:
        from kg import __version__

        print(f"{parser.prog} {__version__}")
        parser.exit()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kg",
        description="Positions KG: ingest annotated articles, validate, query.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action=_VersionAction)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in COMMAND_MODULES:
        module.register(sub)
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
        say(f"error: {err}")
        return EXIT_INPUT
    except StoreError as err:
        say(f"store error: {err}")
        return EXIT_STORE
    except KgError as err:
        say(f"error: {err}")
        return EXIT_INPUT
