"""``kg draft``: a draft annotation of a raw article text, by rules only (kg/author)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from kg.cli.common import EPILOG, EXIT_OK, say

DRAFT_EPILOG = (
    """Every drafted item is marked `draft: {rule, confidence}`; `kg ingest` refuses the file until a
reviewer has checked each item and deleted its mark (and the new_actor_candidates list).
Walk-through: docs/authoring.md.
"""
    + EPILOG
)


def cmd_draft(args: argparse.Namespace) -> int:
    from kg.author.compose import draft_article
    from kg.author.files import write_text_atomically
    from kg.author.rules import load_rules
    from kg.ingest.annotations import find_registry, load_registry

    rules = load_rules(args.language)
    registry = load_registry(args.registry or find_registry(args.article))
    result = draft_article(args.article, registry, rules, published=args.published, source_id=args.source_id)
    text = result.render()
    if args.output:
        write_text_atomically(args.output, text, overwrite=args.force)
        say(f"wrote {args.output}: {_summary(result.data)}")
    else:
        sys.stdout.write(text)
        say(_summary(result.data))
    return EXIT_OK


def _summary(data: dict[str, object]) -> str:
    counts = {key: len(data.get(key) or []) for key in ("statements", "positions", "new_actor_candidates")}  # type: ignore[arg-type]
    return (
        f"draft with {counts['statements']} statements, {counts['positions']} candidate positions, "
        f"{counts['new_actor_candidates']} new actor candidates (review every 'draft:' mark)"
    )


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    draft = sub.add_parser(
        "draft",
        help="draft an annotation of a raw article text (rules only, offline)",
        epilog=DRAFT_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    draft.add_argument("article", type=Path, metavar="ARTICLE.txt", help="the article text (UTF-8)")
    draft.add_argument(
        "--registry", type=Path, metavar="FILE", help="actor registry (default: the nearest registry.yaml)"
    )
    draft.add_argument(
        "--published", metavar="DATE", help="publication date (default: found in the article's first lines)"
    )
    draft.add_argument("--language", default="en", metavar="xx", help="rule set (kg/author/rules/xx.yaml; default en)")
    draft.add_argument("--source-id", metavar="ID", help="article slug (default: from the file name)")
    draft.add_argument("-o", "--output", type=Path, metavar="FILE", help="write here (atomically) instead of stdout")
    draft.add_argument("--force", action="store_true", help="replace an existing output file")
    draft.set_defaults(handler=cmd_draft)
