"""Bounds on one input file, so that no single file can exhaust the memory or the time of an ingest.

Every bound has a stated default and an environment variable to raise it; an input past a bound is an
input error (exit 2) that names the bound, the file's figure and how to raise it. The defaults leave
room for articles many times the size of any real one (the seed article: 21 KB, 10 statements, 55
quotes) while keeping the memory of one article's preparation bounded (see BENCHMARKS.md, "Bounded
inputs").
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from kg.errors import InputError, Problem


@dataclass(frozen=True)
class Limit:
    """One bound: its environment variable, default and what it counts."""

    variable: str
    default: int
    unit: str

    @property
    def value(self) -> int:
        """The bound in force: ``$VARIABLE`` when it is a positive whole number, else the default."""
        text = os.environ.get(self.variable, "").strip()
        if not text:
            return self.default
        if not text.isdigit() or int(text) < 1:
            raise InputError(
                [Problem(f"${self.variable}", "", f"expected a whole number of at least 1, got {text!r}", "")]
            )
        return int(text)

    def problem(
        self, path: object, field: str, figure: int, what: str, advice: str, line: int | None = None
    ) -> Problem:
        """``what`` ("the file has") ``figure`` units, over the limit; ``advice`` before how to raise it."""
        return Problem(
            str(path),
            field,
            f"{what} {figure} {self.unit}, over the limit of {self.value}",
            f"{advice}, or raise the limit: {self.variable}={max(figure, self.value * 2)}",
            line,
        )


#: Bytes of one annotation, registry or article text file.
FILE_BYTES = Limit("KG_MAX_FILE_BYTES", 2_000_000, "bytes")
#: YAML values (scalars, lists, mappings; keys not counted) of one file with its aliases (``*name``)
#: expanded, as every walk over the data sees them: the seed article has 667, an article of 400
#: statements like the seed's about 31,000; nine levels of nested aliases (an "alias bomb") would
#: expand to hundreds of millions. This bound keeps the memory of one article's ingest under 512 MiB
#: (``bench/bounded_inputs.py``, figures in BENCHMARKS.md).
YAML_VALUES = Limit("KG_MAX_YAML_VALUES", 35_000, "values")
#: How deeply YAML collections may nest (the annotation format needs 7 levels).
YAML_DEPTH = Limit("KG_MAX_YAML_DEPTH", 64, "levels")
#: Statements, and evidence quotes, in one article.
STATEMENTS = Limit("KG_MAX_STATEMENTS", 400, "statements")
EVIDENCE = Limit("KG_MAX_EVIDENCE", 3_000, "evidence quotes")


def count_problems(path: object, data: object, line_of: Callable[[tuple[str | int, ...]], int | None]) -> list[Problem]:
    """Statements and evidence quotes of an article over their bounds (checked before the schema, whose
    walk over a huge article would cost what the bounds are there to prevent)."""
    if not isinstance(data, dict):
        return []
    statements = _items(data.get("statements"))
    problems = []
    if len(statements) > STATEMENTS.value:
        line = line_of(("statements",))
        problems.append(STATEMENTS.problem(path, "statements", len(statements), "the article has", _SPLIT, line))
    evidence = sum(len(_items(statement.get("evidence"))) for statement in statements)
    for position in _items(data.get("positions")):
        for condition in _items(position.get("conditions")):
            evidence += len(_items(condition.get("evidence")))
    if evidence > EVIDENCE.value:
        problems.append(EVIDENCE.problem(path, "", evidence, "the article has", _SPLIT, None))
    return problems


_SPLIT = "split the article into several annotation files"


def _items(value: object) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []
