"""The pyrudof screen's cost per batch: a fresh session per batch (shapes, ontology, vocabularies and
registry read again, as before issue 11) against the session kept per process (context read once,
each batch staged on top and rolled back).

    python bench/screen_cost.py [--articles 40] [--runs 15] [--seed 1]

Both are timed on the same generated batch, interleaved, medians of ``--runs``; the figures go to
BENCHMARKS.md ("SHACL: the screen's fixed cost").
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import pyrudof

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

import shacl_fuzz

from kg.shacl import screen
from kg.store import ntriples


def fresh_session(data: str, registry_text: str) -> set[str]:
    """What the screen did before: everything read again for every batch."""
    rudof = pyrudof.Rudof()
    rudof.read_data(screen._context_ntriples() + registry_text + data, format=pyrudof.RDFFormat.NTriples)
    rudof.read_shacl(screen.screening_shapes(), format=pyrudof.ShaclFormat.Turtle)
    return {entry.focus_node for entry in rudof.validate_shacl()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=40)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kg-screen-") as out:
        articles, registry = shacl_fuzz.generated_corpus(args.articles, args.seed, Path(out))
    texts = {sid: ntriples(graph) for sid, graph in articles.items()}
    data, registry_text = "".join(texts.values()), ntriples(registry)
    kept = screen._session_for(registry_text)
    assert fresh_session(data, registry_text) == kept.focus_nodes(data) == set()
    fresh, staged = [], []
    for _ in range(args.runs):
        started = time.perf_counter()
        fresh_session(data, registry_text)
        fresh.append(time.perf_counter() - started)
        started = time.perf_counter()
        kept.focus_nodes(data)
        staged.append(time.perf_counter() - started)
    a, b = statistics.median(fresh), statistics.median(staged)
    print(f"batch of {args.articles} articles, median of {args.runs} interleaved runs:")
    print(f"  fresh session per batch:  {a * 1000:7.1f} ms")
    print(f"  session kept per process: {b * 1000:7.1f} ms  ({a / b:.2f}x faster, {1000 * (a - b):.0f} ms saved)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
