"""Precision and recall of `kg draft` against the gold annotations in articles/, per kind.

    .venv/bin/python bench/draft_quality.py [FOLDER]

Each annotated article (a .yaml with its .txt) is drafted afresh from its text (with the gold's
publication date) and compared with the gold annotation; figures per article and in total.
Targets on the seed (issue 16): direct-quote span recall >= 0.95, speaker precision >= 0.9,
condition candidates recall >= 0.5 at precision >= 0.5.
"""

from __future__ import annotations

import sys
from pathlib import Path

from kg.author.quality import Score, annotated_articles, compare
from kg.author.rules import load_rules
from kg.ingest.annotations import find_registry, load_registry

ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str]) -> int:
    folder = Path(argv[0]) if argv else ROOT / "articles"
    articles = annotated_articles(folder)
    if not articles:
        print(f"no annotated articles (a .yaml beside its .txt) in {folder}", file=sys.stderr)
        return 2
    registry = load_registry(find_registry(articles[0]))
    rules = load_rules("en")
    totals: dict[str, Score] = {}
    print(f"rule set: {rules.label}")
    for path in articles:
        print(f"\n{path.name}")
        for score in compare(path, registry, rules):
            _row(score)
            totals[score.kind] = totals[score.kind] + score if score.kind in totals else score
    if len(articles) > 1:
        print(f"\nall {len(articles)} articles")
        for score in totals.values():
            _row(score)
    return 0


def _row(score: Score) -> None:
    # n/a where nothing was drafted (precision) or nothing is in the gold (recall): not a zero score
    precision = f"{score.precision:4.2f}" if score.draft_items else " n/a"
    recall = f"{score.recall:4.2f}" if score.gold_items else " n/a"
    print(
        f"  {score.kind:<38} precision {precision} ({score.true_positives_draft}/{score.draft_items})"
        f"   recall {recall} ({score.true_positives_gold}/{score.gold_items})"
    )


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
