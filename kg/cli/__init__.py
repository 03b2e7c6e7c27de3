"""The ``kg`` command. The only package that prints or exits; the library does the work.

Each command (or group: ``write`` holds ingest, validate and schema) registers its subcommands from
its own module; this
module builds the parser and maps the library's errors to the documented exit codes.
Exit codes: 0 success (data conforms), 1 SHACL violations, 2 usage or input error,
3 store or network error. Data goes to stdout; progress, summaries and errors to stderr.
"""

from __future__ import annotations

import argparse
import errno
import os
import sys
from collections.abc import Sequence

from kg.cli import docs, draft, export, listing, load, query, remove, report, review, search, serve, write
from kg.cli.common import EPILOG, EXIT_INPUT, EXIT_OK, EXIT_STORE, say
from kg.errors import InputError, KgError, QueryError, StoreError

#: Subcommand modules in the order ``kg --help`` lists them.
COMMAND_MODULES = (write, remove, query, search, report, listing, export, load, serve, draft, review, docs)


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
    except KeyboardInterrupt:
        say("interrupted")
        return EXIT_INTERRUPTED
    except BaseException as err:  # no traceback ever: the documented exit codes, with a message
        if isinstance(err, SystemExit) or os.environ.get(DEBUG_VARIABLE):
            raise
        return _unexpected(err)


#: Set to see the traceback of an unexpected failure instead of its one-line message.
DEBUG_VARIABLE = "KG_DEBUG"
#: The shell's convention for a command stopped by Ctrl-C (128 + SIGINT).
EXIT_INTERRUPTED = 130
#: File-system failures that are the machine's, not the input's: the store or output cannot be written.
_SYSTEM_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EIO, errno.EROFS, errno.ENOMEM})


def _unexpected(err: BaseException) -> int:
    """Map a failure the library did not word itself: the machine's (disk full, out of memory) is exit
    3, anything else exit 2 (it comes from an input no check foresaw)."""
    if isinstance(err, BrokenPipeError):  # the reader of stdout went away (``kg query ... | head``)
        sys.stderr.close()
        return EXIT_OK
    if isinstance(err, MemoryError):
        say("error: out of memory (see the input limits in docs/annotation-format.md)")
        return EXIT_STORE
    if isinstance(err, OSError):
        where = f"{err.filename}: " if err.filename else ""
        say(f"error: {where}{err.strerror or err}")
        return EXIT_STORE if err.errno in _SYSTEM_ERRNOS else EXIT_INPUT
    say(
        f"error: {type(err).__name__}: {err}\n  -> this input was not foreseen by kg's checks; "
        f"please report it (set {DEBUG_VARIABLE}=1 to see where it failed)"
    )
    return EXIT_INPUT
