"""The exceptions the library raises; the CLI maps each group to an exit code.

``KgError`` is the single base. ``InputError`` (exit 2) is bad user input and always names the file,
the line where one is known, the field, the problem and what to do. ``StoreError`` (exit 3) is a
store, endpoint or network failure and keeps the server's answer. ``QueryError`` is a query file or
parameter problem (exit 2). Validation failures are not exceptions: they are reports (exit 1).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


class KgError(Exception):
    """Base of every error Positions KG raises on purpose."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input file, located as precisely as the input allows."""

    path: Path | str
    field: str
    message: str
    hint: str = ""
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else f"{self.path}"
        text = f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"
        return f"{text}\n  -> {self.hint}" if self.hint else text


class InputError(KgError):
    """An input file (annotation, registry, text, query) is unusable as given.

    Carries every problem found in the file, not only the first, so an annotator can fix them
    all in one pass.
    """

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))

    def __reduce__(self) -> tuple[type[InputError], tuple[list[Problem]]]:
        # Ingest workers send these between processes; the default would pickle only the message.
        return InputError, (self.problems,)


class QueryError(KgError):
    """A named query does not exist, does not parse, or got a bad parameter."""


class StoreError(KgError):
    """The store or a remote endpoint failed or could not be reached."""
