"""Run Q: what the memory sampler costs the runs it samples (bench/run.py's ``_GroupMemory``).

The sampler reads the smaps_rollup of every process of the measured group ten times a second. On a
machine of two cores that the ingest keeps busy, that CPU (and the locks it takes on the processes'
memory maps) comes out of the measured run. This script times the same commands sampled and not,
in turn (the order alternating pair by pair), and reports the sampler's own CPU per pass:

* ``kg ingest`` of the corpus into a new store;
* pyoxigraph's bulk load of the same quads into a new store (bench/speed.py's ceiling);
* the ingest's share of that ceiling (bulk-load time / ingest time) as each way of measuring gives it.

    python bench/sampler_cost.py --corpus CORPUS/articles --pairs 3 --json run-q.json
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run as harness  # bench/run.py
import speed  # bench/speed.py: the commands it times


def measured(command: list[str], sampled: bool, timeout: float) -> harness.Run:
    """``command`` run once, with the memory sampler or without."""
    return speed.checked(harness.run(command, timeout=timeout, sample_memory=sampled), " ".join(command[:4]))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, required=True, help="annotation files (bench/generate.py's articles)")
    parser.add_argument("--pairs", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=3600.0)
    parser.add_argument("--tmp", default="/tmp")
    parser.add_argument("--json", type=Path, metavar="FILE")
    args = parser.parse_args(argv)
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(dir=args.tmp, prefix="kg-sampler-") as folder:
        work = Path(folder)
        store, bulk, nquads = work / "store", work / "bulk", work / "store.nq"
        commands = {
            "ingest": speed.kg("ingest", str(args.corpus), "--store", str(store)),
            "bulk": [speed.PYTHON, "-c", speed.BULK_LOAD, str(bulk), str(nquads)],
        }
        measured(commands["ingest"], False, args.timeout)
        measured([speed.PYTHON, "-c", speed.RAW_DUMP, str(store), str(nquads)], False, args.timeout)
        for n in range(args.pairs):
            row: dict[str, Any] = {}
            for what, command in commands.items():
                for sampled in (True, False) if n % 2 == 0 else (False, True):
                    shutil.rmtree(store if what == "ingest" else bulk, ignore_errors=True)
                    result = measured(command, sampled, args.timeout)
                    key = f"{what}_{'sampled' if sampled else 'plain'}"
                    row[f"{key}_s"] = result.seconds
                    if sampled:
                        row[f"{key}_sampler_ms_per_pass"] = 1000 * result.sampler_cpu_s / max(result.sampler_passes, 1)
                        row[f"{key}_sampler_cpu_s"] = result.sampler_cpu_s
            for way in ("sampled", "plain"):
                row[f"share_{way}"] = row[f"bulk_{way}_s"] / row[f"ingest_{way}_s"]
            for what in commands:
                row[f"{what}_slowdown"] = row[f"{what}_sampled_s"] / row[f"{what}_plain_s"]
            rows.append(row)
            print(json.dumps(row), flush=True)
    medians = {f"median_{key}": statistics.median(row[key] for row in rows) for key in rows[0]}
    print(json.dumps(medians, indent=1))
    if args.json:
        args.json.write_text(json.dumps({"rows": rows, **medians}, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
