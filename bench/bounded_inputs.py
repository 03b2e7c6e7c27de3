"""Memory and time of one large article through ``kg ingest``, against the input limits.

    python bench/bounded_inputs.py [--repeat 3] [--statements 100,200,400,10000]

Each case is one article made from the seed article (``articles/``) by repeating its statements,
actions and positions under new ids (the quotes stay anchored in the same text), so the article is
as dense as a real one. Each ``kg ingest`` runs as its own process with one worker (everything in
that process, so its peak resident memory is the article's); the seed article alone is the baseline
measured in the same run, and runs are interleaved. Also timed: the nine-level YAML alias bomb, and a
10,000-statement article (the issue's 3.5 GB case), which the limits refuse.

Prints one row per case: outcome, peak RSS (median, MiB), wall time (median, s), ratio to the seed.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parent.parent
SEED = REPO / "articles" / "000_4b2d17f57ebafa46.yaml"
ALIAS_BOMB = 'a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]\n' + "".join(
    f"{level}: &{level} [{', '.join([f'*{previous}'] * 9)}]\n"
    for previous, level in zip("abcdefgh", "bcdefghi", strict=True)
)
#: Article-local references: these keys hold ids of statements, actions or positions.
_LOCAL_REFS = ("action", "expressed_in", "exception_to", "in_tension_with", "carve_out")


class _NoAliases(yaml.SafeDumper):
    def ignore_aliases(self, data: Any) -> bool:
        return True


def large_article(statements: int) -> str:
    """The seed annotation with its statements (and the actions and positions they express) repeated
    under new ids until it has ``statements`` statements."""
    seed = yaml.safe_load(SEED.read_text(encoding="utf-8"))
    sections = ("statements", "actions", "positions")
    local = {item["id"] for section in sections for item in seed[section]}

    def renamed(value: Any, copy: int) -> Any:
        if isinstance(value, str):
            return f"{value}-{copy}" if value in local else value
        if isinstance(value, list):
            return [renamed(v, copy) for v in value]
        if isinstance(value, dict):
            return {
                k: renamed(v, copy) if k in ("id", *_LOCAL_REFS) or k == "conditions" else v for k, v in value.items()
            }
        return value

    copies = statements // len(seed["statements"]) + 1
    data = dict(seed)
    for section in sections:
        data[section] = [renamed(item, copy) for copy in range(copies) for item in seed[section]]
    data["statements"] = data["statements"][:statements]
    kept = {s["id"] for s in data["statements"]}
    data["positions"] = [p for p in data["positions"] if set(p["expressed_in"]) <= kept]
    positions = {p["id"] for p in data["positions"]}
    for position in data["positions"]:
        if "in_tension_with" in position:
            position["in_tension_with"] = [p for p in position["in_tension_with"] if p in positions]
            if not position["in_tension_with"]:
                del position["in_tension_with"]
        if position.get("exception_to") not in positions:
            position.pop("exception_to", None)
        for condition in position.get("conditions") or []:
            if condition.get("carve_out") not in positions:
                condition.pop("carve_out", None)
    actions = {p["action"] for p in data["positions"]}
    data["actions"] = [a for a in data["actions"] if a["id"] in actions]
    return yaml.dump(data, Dumper=_NoAliases, allow_unicode=True, sort_keys=False)


def corpus(folder: Path, annotation: str) -> Path:
    folder.mkdir(parents=True)
    shutil.copy(SEED.parent / "registry.yaml", folder)
    shutil.copy(SEED.with_suffix(".txt"), folder)
    (folder / SEED.name).write_text(annotation, encoding="utf-8")
    return folder


def run(folder: Path, store: Path) -> tuple[str, float, float]:
    """(outcome, peak RSS in MiB, seconds) of one ``kg ingest`` process."""
    # VmHWM, not getrusage: ru_maxrss survives exec, so it would report this (larger) process's peak.
    script = (
        "import re, sys\n"
        "from kg.cli import main\n"
        "code = main(sys.argv[1:])\n"
        "status = open('/proc/self/status').read()\n"
        "print(re.search(r'VmHWM:\\s+(\\d+) kB', status).group(1), file=sys.stderr)\n"
        "sys.exit(code)\n"
    )
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", script, "ingest", str(folder), "--store", str(store), "--workers", "1"],
        capture_output=True,
        text=True,
        cwd=REPO,
    )
    seconds = time.perf_counter() - started
    lines = done.stderr.strip().splitlines()
    peak = int(lines[-1]) / 1024
    outcome = "stored" if done.returncode == 0 else f"exit {done.returncode}: {_reason(lines)}"
    shutil.rmtree(store, ignore_errors=True)
    return outcome, peak, seconds


def _reason(lines: list[str]) -> str:
    for line in lines:
        if SEED.name in line and ": " in line and "(not stored)" not in line:
            return line.split(": ", 1)[1][:70]
        if "bomb" in line and ": " in line and "(not stored)" not in line:
            return line.split(": ", 1)[1][:70]
    return "?"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--statements", default="100,200,400,10000")
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="kg-bounded-"))
    try:
        cases: dict[str, Path] = {"seed (8 statements)": corpus(work / "seed", SEED.read_text(encoding="utf-8"))}
        for n in (int(x) for x in args.statements.split(",")):
            cases[f"{n} statements"] = corpus(work / f"s{n}", large_article(n))
        bomb = corpus(work / "bomb", SEED.read_text(encoding="utf-8"))
        (bomb / "001_bomb.yaml").write_text(ALIAS_BOMB, encoding="utf-8")
        cases["seed + alias bomb"] = bomb
        results: dict[str, list[tuple[str, float, float]]] = {name: [] for name in cases}
        for _ in range(args.repeat):  # interleaved: every case once per round
            for name, folder in cases.items():
                results[name].append(run(folder, work / "store"))
        base_rss = statistics.median(r[1] for r in results["seed (8 statements)"])
        print(f"{'case':<22} {'peak RSS MiB':>12} {'x seed':>7} {'seconds':>8}  outcome")
        for name, runs in results.items():
            rss = statistics.median(r[1] for r in runs)
            seconds = statistics.median(r[2] for r in runs)
            print(f"{name:<22} {rss:>12.0f} {rss / base_rss:>7.2f} {seconds:>8.2f}  {runs[-1][0]}")
        print(f"(medians of {args.repeat} interleaved runs; peak RSS is each kg process's VmHWM)")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
