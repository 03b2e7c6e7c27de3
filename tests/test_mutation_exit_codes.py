"""The documented exit codes and the messages that go with them, in-process (issue 18, mutation group
``exit-codes`` of ``bench/mutation.py``): every error class the library raises, and every failure
it did not word itself, through ``kg.cli.main`` with the query command's handler replaced."""

from __future__ import annotations

import argparse
import errno
import io
import pickle
from pathlib import Path

import pytest

import kg.cli
import kg.cli.query
from kg.cli.common import EXIT_INPUT, EXIT_OK, EXIT_STORE, EXIT_VIOLATIONS, positive
from kg.errors import InputError, KgError, Problem, QueryError, StoreError


def test_the_codes_are_the_documented_numbers() -> None:
    assert (EXIT_OK, EXIT_VIOLATIONS, EXIT_INPUT, EXIT_STORE, kg.cli.EXIT_INTERRUPTED) == (0, 1, 2, 3, 130)


def run(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], outcome: object) -> tuple[int, str]:
    """``kg query x`` whose handler returns ``outcome``, or raises it if it is an exception."""

    def handler(_args: argparse.Namespace) -> object:
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome

    monkeypatch.setattr(kg.cli.query, "cmd_query", handler)
    monkeypatch.delenv(kg.cli.DEBUG_VARIABLE, raising=False)
    code = kg.cli.main(["query", "x"])
    captured = capsys.readouterr()
    assert captured.out == ""
    return code, captured.err


@pytest.mark.parametrize("returned", [0, 1, 2, 3])
def test_the_handler_code_is_the_exit_code(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], returned: int
) -> None:
    assert run(monkeypatch, capsys, returned) == (returned, "")


@pytest.mark.parametrize(
    ("error", "code", "message"),
    [
        (
            InputError([Problem("a.yaml", "date", "not a date", "write YYYY-MM-DD", 3)]),
            2,
            "error: a.yaml:3: date: not a date\n  -> write YYYY-MM-DD\n",
        ),
        (QueryError("no query named 'x'"), 2, "error: no query named 'x'\n"),
        (StoreError("cannot open /s: locked"), 3, "store error: cannot open /s: locked\n"),
        (KgError("something of kg's own"), 2, "error: something of kg's own\n"),
        (KeyboardInterrupt(), 130, "interrupted\n"),
        (MemoryError(), 3, "error: out of memory (see the input limits in docs/annotation-format.md)\n"),
        (
            OSError(errno.ENOSPC, "No space left on device", "/out/x.nq"),
            3,
            "error: /out/x.nq: No space left on device\n",
        ),
        (OSError(errno.EDQUOT, "Disk quota exceeded"), 3, "error: Disk quota exceeded\n"),
        (OSError(errno.EIO, "Input/output error"), 3, "error: Input/output error\n"),
        (OSError(errno.EROFS, "Read-only file system"), 3, "error: Read-only file system\n"),
        (OSError(errno.ENOMEM, "Cannot allocate memory"), 3, "error: Cannot allocate memory\n"),
        (PermissionError(errno.EACCES, "Permission denied", "/in/a.yaml"), 2, "error: /in/a.yaml: Permission denied\n"),
        (OSError("no errno at all"), 2, "error: no errno at all\n"),
        (
            ValueError("bad thing"),
            2,
            "error: ValueError: bad thing\n  -> this input was not foreseen by kg's checks; "
            "please report it (set KG_DEBUG=1 to see where it failed)\n",
        ),
    ],
)
def test_each_failure_has_its_code_and_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], error: BaseException, code: int, message: str
) -> None:
    assert run(monkeypatch, capsys, error) == (code, message)


def test_a_closed_pipe_is_success_and_silences_stderr(monkeypatch: pytest.MonkeyPatch) -> None:
    """``kg query ... | head``: the reader went away; nothing more may be written, not even an error."""
    err = io.StringIO()
    monkeypatch.setattr("sys.stderr", err)
    monkeypatch.setattr(kg.cli.query, "cmd_query", lambda _args: (_ for _ in ()).throw(BrokenPipeError()))
    monkeypatch.delenv(kg.cli.DEBUG_VARIABLE, raising=False)
    assert kg.cli.main(["query", "x"]) == 0
    assert err.closed


def test_system_exit_and_debug_are_raised_not_mapped(monkeypatch: pytest.MonkeyPatch) -> None:
    def exits(_args: argparse.Namespace) -> int:
        raise SystemExit(7)

    monkeypatch.setattr(kg.cli.query, "cmd_query", exits)
    monkeypatch.delenv(kg.cli.DEBUG_VARIABLE, raising=False)
    with pytest.raises(SystemExit) as caught:
        kg.cli.main(["query", "x"])
    assert caught.value.code == 7

    def fails(_args: argparse.Namespace) -> int:
        raise ValueError("see the traceback")

    monkeypatch.setattr(kg.cli.query, "cmd_query", fails)
    assert kg.cli.DEBUG_VARIABLE == "KG_DEBUG"
    monkeypatch.setenv("KG_DEBUG", "1")
    with pytest.raises(ValueError, match="^see the traceback$"):
        kg.cli.main(["query", "x"])
    monkeypatch.setenv("KG_DEBUG", "")  # set but empty: no traceback
    assert kg.cli.main(["query", "x"]) == 2


def test_the_handler_gets_the_parsed_arguments(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[argparse.Namespace] = []
    monkeypatch.setattr(kg.cli.query, "cmd_query", lambda args: seen.append(args) or 0)
    assert kg.cli.main(["query", "who-said-what", "--param", "speaker=nato"]) == 0
    (args,) = seen
    assert (args.command, args.query, args.param) == ("query", "who-said-what", ["speaker=nato"])


def test_no_command_prints_the_help_and_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert kg.cli.main([]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("usage: kg [-h] [--version] COMMAND ...\n")
    assert "exit codes: 0 ok / conforms, 1 SHACL violations, 2 usage or input error, 3 store or network error." in (
        captured.err
    )


@pytest.mark.parametrize("text", ["0", "-1", "x", "", "1.5", " 2"])
def test_positive_refuses_what_is_not_a_whole_number_of_at_least_1(text: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError) as caught:
        positive(text)
    assert str(caught.value) == f"expected a whole number of at least 1, got {text!r}"


def test_positive_takes_whole_numbers_from_1() -> None:
    assert (positive("1"), positive("2"), positive("40")) == (1, 2, 40)


def test_problems_say_where_what_and_what_to_do() -> None:
    assert str(Problem("a.yaml", "date", "not a date", "write YYYY-MM-DD", 3)) == (
        "a.yaml:3: date: not a date\n  -> write YYYY-MM-DD"
    )
    assert str(Problem(Path("b.yaml"), "", "empty file")) == "b.yaml: empty file"
    assert str(Problem("c.yaml", "speaker", "unknown", line=0)) == "c.yaml: speaker: unknown"
    assert str(Problem("d.yaml", "", "bad", "fix it", 12)) == "d.yaml:12: bad\n  -> fix it"


def test_an_input_error_keeps_every_problem_across_processes() -> None:
    problems = [Problem("a.yaml", "date", "not a date", "write YYYY-MM-DD", 3), Problem("a.yaml", "", "second")]
    error = InputError(problems)
    assert str(error) == "a.yaml:3: date: not a date\n  -> write YYYY-MM-DD\na.yaml: second"
    assert error.problems == problems
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is InputError and copy.problems == problems and str(copy) == str(error)
    assert isinstance(error, KgError) and isinstance(QueryError("q"), KgError) and isinstance(StoreError("s"), KgError)
