"""``kg docs``: write the HTML documentation of the ontology and of every concept scheme, and the
generated list of every scheme's concepts (docs/vocabularies/*.html, docs/vocabularies.md)."""

from __future__ import annotations

import argparse
from pathlib import Path

from kg.cli.common import EXIT_OK, say


def cmd_docs(args: argparse.Namespace) -> int:
    from kg.read.vocabdoc import pages

    for page in pages():
        path = args.out / page.name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(page.text, encoding="utf-8")
        say(f"wrote {path}")
    return EXIT_OK


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    docs = sub.add_parser(
        "docs", help="write the documentation of the ontology and the vocabularies (generated from the Turtle files)"
    )
    docs.add_argument(
        "--out", type=Path, default=Path("docs"), metavar="DIR", help="folder to write into (default: docs)"
    )
    docs.set_defaults(handler=cmd_docs)
