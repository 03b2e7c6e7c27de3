"""Run R: the instructions an ingest worker spends on an article, counted, for two checkouts.

On a shared machine of two cores a worker's time per article moves by half from one run to the next
(15–28 ms in the same hour), which hides changes of 5–10%. Instructions do not move: this script
runs a worker's preparation (:func:`kg.ingest.pipeline._prepare`, as :mod:`kg.parallel` calls it)
under valgrind's cachegrind (no cache simulation): a first batch of 80 articles warms the caches,
then ``--articles`` more go in batches of the checkout's own size. It runs once with the warm-up
only and once with the rest, and divides the difference by ``--articles``: what the imports, the
registry and the warm-up cost cancels out, and both checkouts count the same articles.

    python bench/worker_instructions.py --corpus CORPUS/articles --baseline-repo OLD --json run-r.json

Each run under valgrind takes about 50 times as long as without (a minute or two for 160 articles);
the two runs of a checkout go side by side.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

#: Articles of the warm-up batch.
WARM_UP = 80
#: One worker's preparation: the warm-up batch, then ``articles`` more in batches of BATCH_SIZE.
PREPARE = f"""
import sys
from pathlib import Path
import kg.parallel as parallel
from kg.ingest import pipeline
from kg.ingest.annotations import load_registry
from kg.ingest.build import corpus_graph, registry_graph
from kg.shacl.engine import BATCH_SIZE

corpus, articles = Path(sys.argv[1]), int(sys.argv[2])
files = pipeline.discover([corpus])
registry = load_registry(pipeline._first_registry(files))
parallel._set_state(pipeline._Job(registry, registry_graph(registry), corpus_graph(registry),
                                  explicit_registry=False, derivation=True))
parallel._call(pipeline._prepare, files[:{WARM_UP}])
valid = 0
for start in range({WARM_UP}, {WARM_UP} + articles, BATCH_SIZE):
    batch = parallel._call(pipeline._prepare, files[start:min(start + BATCH_SIZE, {WARM_UP} + articles)])
    valid += sum(1 for item in batch.articles if item.error is None and batch.report.conforms(item.source_id))
print(BATCH_SIZE, valid)
"""


def instructions(repo: Path, corpus: Path, articles: int) -> tuple[int, int]:
    """Instructions of the preparation in ``repo`` with ``articles`` after the warm-up, and the
    batch size it used."""
    env = dict(os.environ, PYTHONPATH=str(repo))
    with tempfile.TemporaryDirectory() as folder:
        done = subprocess.run(
            ["valgrind", "--tool=cachegrind", "--cache-sim=no", f"--cachegrind-out-file={folder}/out"]
            + [sys.executable, "-c", PREPARE, str(corpus), str(articles)],
            capture_output=True,
            text=True,
            env=env,
            cwd=folder,  # not the checkout: its kg must come from PYTHONPATH
        )
    if done.returncode != 0:
        raise SystemExit(f"{repo}: the preparation failed:\n{done.stderr[-2000:]}")
    found = re.search(r"I\s+refs:\s+([\d,]+)", done.stderr)
    if found is None:
        raise SystemExit(f"{repo}: no instruction count in valgrind's report:\n{done.stderr[-2000:]}")
    batch_size, valid = map(int, done.stdout.split())
    if valid != articles:  # an article in error, or invalid, would not be the work being counted
        raise SystemExit(f"{repo}: {valid} of the {articles} counted articles were prepared and valid")
    return int(found.group(1).replace(",", "")), batch_size


def per_article(repo: Path, corpus: Path, articles: int) -> dict[str, float]:
    with ThreadPoolExecutor(2) as pool:
        warm, full = pool.map(lambda n: instructions(repo, corpus, n), (0, articles))
    return {"batch_size": full[1], "articles": articles, "instructions_per_article": (full[0] - warm[0]) / articles}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, required=True, help="annotation files (bench/generate.py's articles)")
    parser.add_argument("--articles", type=int, default=160, help="articles counted after the warm-up (default 160)")
    parser.add_argument("--baseline-repo", type=Path, help="also count this checkout's")
    parser.add_argument("--json", type=Path, metavar="FILE")
    args = parser.parse_args(argv)
    figures = {"now": per_article(REPO, args.corpus, args.articles)}
    if args.baseline_repo:
        figures["baseline"] = per_article(args.baseline_repo.resolve(), args.corpus, args.articles)
        figures["ratio"] = figures["now"]["instructions_per_article"] / figures["baseline"]["instructions_per_article"]
    print(json.dumps(figures, indent=2))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
