"""Mutation testing of the core modules (issue 18), one module group at a time.

    python bench/mutation.py                      # every group, one mutmut process at a time
    python bench/mutation.py iris anchoring       # only these groups
    python bench/mutation.py --max-children 2 --json bench/mutation-results.json
    python bench/mutation.py --rerun bench/mutation-results.json --json after.json   # survivors again

Each group mutates its own files (optionally only some of their functions) and runs only its own
fast tests: mutmut maps every test to the functions it reaches, so a mutant runs the tests of the
group that reach the mutated function and nothing else. One configuration for the whole scope made
every mutant of a small module wait on the slow tests of another (the first run had 90 timeouts).
A group works in its own copy of the tracked files under ``.mutation/GROUP`` (git-ignored), where a
``[tool.mutmut]`` section written for that group replaces the repository's, so the groups never share
mutmut's state. Requires mutmut 3.8.1 (``pip install -e '.[mutation]'``). The last figures and every
survivor with its reason are in ``bench/MUTATION.md``.
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / ".mutation"


@dataclass(frozen=True)
class Group:
    files: tuple[str, ...]
    #: pytest arguments that select the group's tests (files, ``-k``); mutmut runs, for each mutant,
    #: those of them that reach the mutated function
    tests: tuple[str, ...]
    #: fnmatch patterns of mutant names (module.x_function__mutmut_N, module.xǁClassǁmethod__mutmut_N);
    #: empty: every function of the files.
    functions: tuple[str, ...] = ()
    #: Regular expressions of lines not to mutate (argparse help text is not behaviour under test).
    skip_lines: tuple[str, ...] = field(default=())


#: The tests of tests/test_planted_bugs.py that ingest the seed or start a ``kg`` process: seconds per
#: mutant for what the unit tests of the group assert exactly.
NO_STORE = "not answer_in_the_store and not query_list"

GROUPS: dict[str, Group] = {
    "iris": Group(("kg/iris.py",), ("tests/test_mutation_core.py", "tests/test_planted_bugs.py", "-k", NO_STORE)),
    "anchoring": Group(
        ("kg/ingest/anchoring.py",), ("tests/test_mutation_core.py", "tests/test_planted_bugs.py", "-k", NO_STORE)
    ),
    "binding": Group(
        ("kg/read/queries.py",),
        ("tests/test_mutation_binding.py", "tests/test_planted_bugs.py", "-k", NO_STORE),
        # parameter binding: the query header, the parameters' kinds and terms, the lookup by name;
        # the result renderers of the same file are not in the scope.
        functions=(
            "kg.read.queries.xǁParameterǁ*",
            "kg.read.queries.xǁNamedQueryǁ*",
            "kg.read.queries.x_parse_query_file__*",
            "kg.read.queries.x_find_query__*",
            "kg.read.queries.x_named_queries__*",
        ),
    ),
    "exit-codes": Group(
        ("kg/errors.py", "kg/cli/common.py", "kg/cli/__init__.py"),
        ("tests/test_mutation_exit_codes.py",),
        functions=(
            "kg.errors.*",
            "kg.cli.common.x_positive__*",
            "kg.cli.x_main__*",
            "kg.cli.x__unexpected__*",
        ),
    ),
    "screen": Group(("kg/shacl/screen.py",), ("tests/test_mutation_targets.py", "tests/test_mutation_screen.py")),
    "report": Group(("kg/shacl/report.py",), ("tests/test_mutation_targets.py", "tests/test_mutation_engine.py")),
    "engine": Group(("kg/shacl/engine.py",), ("tests/test_mutation_engine.py",)),
    "export": Group(("kg/read/export.py",), ("tests/test_mutation_export.py",)),
    "derive": Group(
        ("kg/ingest/derive.py",),
        ("tests/test_derive.py",),
        # what an ingest hands the derivation and where the derivation reads it (session 12); the
        # derivation's rules are asserted by tests/test_many_articles.py, outside this group.
        functions=(
            "kg.ingest.derive.x_derivation_reads__*",
            "kg.ingest.derive.xǁDerivationInputsǁ*",
            "kg.ingest.derive.xǁ_Memoryǁ*",
            "kg.ingest.derive.x_rederive__*",
        ),
    ),
}

#: mutmut's outcome names, as `mutmut results --all true` prints them.
OUTCOMES = (
    "killed",
    "survived",
    "timeout",
    "no tests",
    "suspicious",
    "segfault",
    "skipped",
    "caught by type check",
    "not checked",
)


def prepare(name: str, group: Group) -> Path:
    """A fresh copy of the work tree's files (tracked, and new ones not ignored) with this group's config."""
    work = WORK / name
    if work.exists():
        shutil.rmtree(work)
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        check=True,
        capture_output=True,
    ).stdout
    for relative in filter(None, listed.decode().split("\0")):
        source = ROOT / relative
        if source.is_file():
            target = work / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    pyproject = work / "pyproject.toml"
    text = re.sub(r"(?ms)^\[tool\.mutmut\].*?(?=^\[|\Z)", "", pyproject.read_text(encoding="utf-8"))
    config = {
        "source_paths": ["kg/"],
        "only_mutate": list(group.files),
        "also_copy": ["shapes/", "ontology/", "articles/", "queries/", "schemas/", "bench/", "kg/context.jsonld"],
        "pytest_add_cli_args_test_selection": list(group.tests),
        "pytest_add_cli_args": ["-p", "no:cacheprovider", "-q", "-x"],
        "do_not_mutate_patterns": list(group.skip_lines),
        # CPU seconds per mutant: (the reaching tests' time + 2) x 4 x 2; a killed mutant stops at
        # its first failing test (-x), so only a survivor or an endless loop uses it all.
        "timeout_multiplier": 4.0,
        "timeout_constant": 2.0,
        "use_git_change_detection": False,
        # Each mutant's tests run in a child of a server that never ran a test: forked straight from
        # mutmut's process (which ran the stats collection, Oxigraph's threads and kg's worker
        # pools included) the children hung until the wall-clock limit, every mutant a "timeout".
        "process_isolation": "forkserver",
    }
    lines = ["", "[tool.mutmut]"] + [
        f"{key} = {json.dumps(value, ensure_ascii=False)}" for key, value in config.items()
    ]
    pyproject.write_text(text.rstrip() + "\n" + "\n".join(lines) + "\n", encoding="utf-8")
    return work


def outcomes_of(work: Path, group: Group) -> dict[str, list[str]]:
    """Each outcome's mutants, as mutmut recorded them in ``work`` (the group's functions only)."""
    listing = subprocess.run(
        [sys.executable, "-m", "mutmut", "results", "--all", "true"], cwd=work, capture_output=True, text=True
    )
    outcomes: dict[str, list[str]] = {}
    for line in listing.stdout.splitlines():
        mutant, _, outcome = line.strip().rpartition(": ")
        in_scope = not group.functions or any(fnmatch.fnmatch(mutant, p) for p in group.functions)
        if mutant and outcome in OUTCOMES and outcome != "not checked" and in_scope:
            outcomes.setdefault(outcome, []).append(mutant)
    return {outcome: sorted(mutants) for outcome, mutants in sorted(outcomes.items())}


def summary(name: str, group: Group, outcomes: dict[str, list[str]], seconds: float) -> dict[str, object]:
    """Killed over decided: "no tests" (no selected test reaches the function) is left out; a
    timeout (an endless loop, or a run over the CPU limit) is counted apart, not as killed."""
    counts = {outcome: len(mutants) for outcome, mutants in outcomes.items()}
    decided = sum(counts.values()) - counts.get("no tests", 0) - counts.get("skipped", 0)
    killed = counts.get("killed", 0)
    return {
        "group": name,
        "files": list(group.files),
        "tests": list(group.tests),
        "seconds": round(seconds),
        "counts": counts,
        "score": round(100 * killed / decided, 1) if decided else None,
        "outcomes": outcomes,
    }


def run_group(name: str, group: Group, max_children: int, previous: dict[str, object] | None) -> dict[str, object]:
    """Run the group's mutants; with ``previous`` (an earlier result of this group), only the ones
    that survived it or that no test reached, against the tests as they are now, the others keeping
    their outcome (a timeout is not run again: it would take its whole time limit again)."""
    work = prepare(name, group)
    names = list(group.functions)
    earlier: dict[str, list[str]] = {}
    if previous is not None:
        earlier = {k: list(v) for k, v in previous["outcomes"].items()}  # type: ignore[attr-defined]
        names = earlier.pop("survived", []) + earlier.pop("no tests", [])
        if not names:
            return summary(name, group, {**earlier, "survived": []}, 0)
    started = time.monotonic()
    subprocess.run([sys.executable, "-m", "mutmut", "run", "--max-children", str(max_children), *names], cwd=work)
    seconds = time.monotonic() - started
    now = outcomes_of(work, group)
    if previous is not None:
        rerun = set(names)
        for outcome, mutants in now.items():
            earlier.setdefault(outcome, []).extend(m for m in mutants if m in rerun)
        now = {outcome: sorted(mutants) for outcome, mutants in sorted(earlier.items())}
    return summary(name, group, now, seconds)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("groups", nargs="*", metavar="GROUP", help=f"groups to run (default: all): {', '.join(GROUPS)}")
    parser.add_argument("--max-children", type=int, default=1, help="mutmut worker processes (default 1)")
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument(
        "--rerun",
        type=Path,
        metavar="JSON",
        help="results of an earlier run (--json): run only the mutants that survived it, keep the rest",
    )
    args = parser.parse_args()
    unknown = [name for name in args.groups if name not in GROUPS]
    if unknown:
        parser.error(f"unknown group {unknown[0]!r}; groups: {', '.join(GROUPS)}")
    previous = {r["group"]: r for r in json.loads(args.rerun.read_text(encoding="utf-8"))} if args.rerun else {}
    results = []
    for name in args.groups or (list(previous) if args.rerun else list(GROUPS)):
        result = run_group(name, GROUPS[name], args.max_children, previous.get(name) if args.rerun else None)
        results.append(result)
        print(json.dumps(result, ensure_ascii=False, indent=1), flush=True)
        if args.json:  # after each group: a run stopped halfway keeps the groups it finished
            args.json.write_text(json.dumps(results, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print("\ngroup        killed / decided   score   survived   timeout   no tests   seconds")
    for r in results:
        counts = r["counts"]
        assert isinstance(counts, dict)
        decided = sum(counts.values()) - counts.get("no tests", 0) - counts.get("skipped", 0)
        print(
            f"{r['group']:<12} {counts.get('killed', 0):>6} / {decided:<7}  {r['score']!s:>6}%"
            f"   {counts.get('survived', 0):>8}   {counts.get('timeout', 0):>7}   {counts.get('no tests', 0):>8}"
            f"   {r['seconds']:>7}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
