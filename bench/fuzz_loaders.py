"""The long run of the loaders' property-based fuzz (the short one is ``tests/test_fuzz_loaders.py``).

    python bench/fuzz_loaders.py [--examples 5000] [--seed N]

Every generated annotation and registry document must end in a checked article (its graph built)
or an input error with a message; a failure prints Hypothesis's smallest failing document and exits
1. Prints the outcomes, the slowest document's time and the process's peak resident memory (no
document may blow it up: the input limits bound what one file can cost).
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from hypothesis import HealthCheck, given, seed, settings

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))  # the shared generators
from loader_fuzz import (
    SEED,
    annotation_documents,
    check_annotation,
    check_registry,
    registry_documents,
)

from kg.ingest.annotations import load_registry


def peak_rss_mib() -> float:
    status = Path("/proc/self/status").read_text()
    return int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1)) / 1024  # type: ignore[union-attr]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--examples", type=int, default=5000, help="documents per loader (default: 5000)")
    parser.add_argument("--seed", type=int, default=0, help="Hypothesis seed (default: 0)")
    args = parser.parse_args(argv)
    folder = Path(tempfile.mkdtemp(prefix="kg-fuzz-"))
    shutil.copy(SEED.with_suffix(".txt"), folder)
    registry = load_registry(SEED.parent / "registry.yaml")
    outcomes: Counter[str] = Counter()
    slowest: dict[str, float] = {"annotation": 0.0, "registry": 0.0}
    run = settings(max_examples=args.examples, deadline=None, suppress_health_check=list(HealthCheck), database=None)

    @seed(args.seed)
    @run
    @given(annotation_documents)
    def annotations(document: str) -> None:
        started = time.perf_counter()
        outcomes[f"annotation {check_annotation(folder, document, registry)}"] += 1
        slowest["annotation"] = max(slowest["annotation"], time.perf_counter() - started)

    @seed(args.seed)
    @run
    @given(registry_documents)
    def registries(document: str) -> None:
        started = time.perf_counter()
        outcomes[f"registry {check_registry(folder, document)}"] += 1
        slowest["registry"] = max(slowest["registry"], time.perf_counter() - started)

    started = time.perf_counter()
    try:
        annotations()
        registries()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print(
        f"{sum(outcomes.values())} documents in {time.perf_counter() - started:.0f} s: {dict(sorted(outcomes.items()))}"
    )
    print(f"slowest: annotation {slowest['annotation']:.2f} s, registry {slowest['registry']:.2f} s")
    print(f"peak RSS: {peak_rss_mib():.0f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
