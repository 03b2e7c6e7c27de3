"""The SHACL screen's cost on one batch, against pySHACL alone and against compiling the shapes for
every batch.

    python bench/screen_cost.py [--articles 40] [--runs 15] [--seed 1]

Three ways of validating the same generated batch (with the fixed context and the registry), timed
interleaved, medians of ``--runs``, CPU time of this process (the engines are single-threaded):

* the screen as ingest runs it (:func:`kg.shacl.screen.screen`: shapes compiled once per process);
* the screen compiling the shapes again for the batch (what a caller without the cache would pay);
* pySHACL, the reference engine, on the whole batch (:func:`kg.shacl.engine.validate_reference`),
  what every batch would cost without the screen.

The figures go to BENCHMARKS.md ("SHACL: the screen's cost").
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pyshacl_turbo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

import shacl_fuzz

from kg.shacl import screen
from kg.shacl.engine import validate_reference
from kg.shacl.shapes import shapes_graph
from kg.store import ntriples


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=40)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kg-screen-") as out:
        articles, registry = shacl_fuzz.generated_corpus(args.articles, args.seed, Path(out))
    texts = {sid: ntriples(graph) for sid, graph in articles.items()}
    data = screen._context_ntriples() + screen._registry_ntriples(registry)[0] + "".join(texts.values())

    def compiled_per_batch() -> None:
        shapes = pyshacl_turbo.compile_shapes(shapes_graph())
        shapes.validate(screen.TurboInput(data, "nt", None, {}))  # as kg.shacl.screen.screen calls it

    ways: dict[str, Callable[[], object]] = {
        "screen, shapes compiled once": lambda: screen.screen(articles, registry, texts),
        "screen, shapes compiled per batch": compiled_per_batch,
        "pySHACL alone": lambda: validate_reference(articles, registry),
    }
    assert screen.screen(articles, registry, texts) == set(), "a generated batch should pass the screen"
    assert not any(validate_reference(articles, registry).by_group.values()), "and pySHACL"
    times: dict[str, list[float]] = {name: [] for name in ways}
    for _ in range(args.runs):
        for name, way in ways.items():
            started = time.process_time()
            way()
            times[name].append(time.process_time() - started)
    medians = {name: statistics.median(values) for name, values in times.items()}
    fastest = medians["screen, shapes compiled once"]
    print(f"batch of {args.articles} articles, CPU time, median of {args.runs} interleaved runs:")
    for name, median in medians.items():
        print(f"  {name:35} {median * 1000:8.1f} ms  ({median / fastest:5.2f}x the screen)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
