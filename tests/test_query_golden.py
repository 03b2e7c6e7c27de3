"""``kg query``'s output, byte for byte, for every shipped query in every ``--format``, on the example
corpus: a guard for changes to how answers are read and written (the rdflib-free read path), not for
the queries themselves.

The expected outputs are in ``tests/data/golden/query/``. After a deliberate change to a query or a
format, write them anew and review the diff::

    KG_UPDATE_GOLDEN=1 .venv/bin/pytest tests/test_query_golden.py
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from kg.cli import main
from kg.read.queries import FORMATS, named_queries
from kg.store import EmbeddedStore

GOLDEN = Path(__file__).resolve().parent / "data" / "golden" / "query"
UPDATE = os.environ.get("KG_UPDATE_GOLDEN") == "1"

#: Each shipped query with its defaults, plus narrowed runs (those bench/speed.py times at start-up,
#: and a label instead of a slug).
CASES: dict[str, list[str]] = {name: [name] for name in named_queries()} | {
    "who-said-what.speaker": ["03_who_said_what", "--param", "speaker=johann-wadephul"],
    "positions-of-actor.holder": ["16_positions_of_actor", "--param", "holder=germany"],
    "positions-of-actor.label": ["16_positions_of_actor", "--param", "holder=Germany"],
    "positions-on-action-type.type": ["17_positions_on_action_type", "--param", "actionType=strike"],
    "positions-as-of.date": ["19_positions_as_of", "--as-of", "2025-06-01"],
}


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("case", sorted(CASES))
def test_query_output_is_unchanged(
    case: str, fmt: str, corpus_store: EmbeddedStore, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    code = main(["query", *CASES[case], "--format", fmt, "--store", str(corpus_store.location)])
    sys.stdout.flush()
    out, err = capsysbinary.readouterr()
    assert code == 0, err.decode()
    expected = GOLDEN / f"{case}.{fmt}"
    if UPDATE:
        expected.parent.mkdir(parents=True, exist_ok=True)
        expected.write_bytes(out)
    assert out == expected.read_bytes(), f"kg query {' '.join(CASES[case])} --format {fmt} changed"


def test_every_golden_output_belongs_to_a_case() -> None:
    """A removed query's outputs go with it (else they would look guarded and be stale)."""
    expected = {f"{case}.{fmt}" for case in CASES for fmt in FORMATS}
    assert {path.name for path in GOLDEN.iterdir()} == expected


def test_a_cell_that_fits_is_wrapped_as_textwrap_wraps_it() -> None:
    # The table's fast path for cells that fit must give textwrap's lines, whitespace and all.
    import random
    import textwrap

    from kg.read.queries import _wrap_cell

    alphabet = "ab -\t\n\r\x0b\x0c\xa0\u2003é—|\x1b.,"
    chance = random.Random(1)
    for _ in range(20_000):
        value = "".join(chance.choice(alphabet) for _ in range(chance.randint(0, 14)))
        width = chance.randint(1, 16)
        expected = textwrap.wrap(value, width, break_long_words=True, break_on_hyphens=False) or [""]
        assert _wrap_cell(value, width) == expected, (value, width)
