"""Long differential SHACL fuzz: the project's validation path against pySHACL alone.

    python bench/fuzz_shacl.py [--articles 12] [--rounds 40] [--steps 3] [--seed 1] [--corpus-seed 3]

Generates a corpus (bench/generate.py), then ``--rounds`` batches with one mutant of every article
(1 to ``--steps`` seeded mutations each, tests/shacl_fuzz.py lists the operators) and compares both
paths on every mutant, finding by finding. Prints the counts (mutants, mutants pySHACL flags,
mutants pySHACL raises on, disagreements) and every disagreement; exits 1 if there is any. The short
seeded run of the same comparison is tests/test_differential.py; the counts of a long run are in
BENCHMARKS.md ("SHACL: differential fuzz").
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

import shacl_fuzz


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=12)
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--steps", type=int, default=3, help="at most this many mutations per mutant")
    parser.add_argument("--seed", type=int, default=1, help="seed of the mutations")
    parser.add_argument("--corpus-seed", type=int, default=3, help="seed of bench/generate.py")
    args = parser.parse_args()
    # rdflib logs a traceback for every ill-typed literal the mutations make; they are expected here.
    logging.disable(logging.CRITICAL)
    warnings.simplefilter("ignore")
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="kg-fuzz-") as out:
        articles, registry = shacl_fuzz.generated_corpus(args.articles, args.corpus_seed, Path(out))
    total = shacl_fuzz.Outcome()
    for round_ in range(args.rounds):
        outcome = shacl_fuzz.run(articles, registry, seed=args.seed * 1_000_003 + round_, rounds=1, steps=args.steps)
        total.mutants += outcome.mutants
        total.flagged += outcome.flagged
        total.engine_errors += outcome.engine_errors
        total.disagreements += outcome.disagreements
        for line in outcome.disagreements:
            print(f"DISAGREEMENT (round {round_}): {line}", flush=True)
        print(
            f"round {round_ + 1}/{args.rounds}: {total.mutants} mutants, {total.flagged} with pySHACL findings, "
            f"{total.engine_errors} on which pySHACL raises, {len(total.disagreements)} disagreements",
            flush=True,
        )
    print(
        f"{total.mutants} mutants ({args.articles} articles x {args.rounds} rounds, 1-{args.steps} mutations each, "
        f"seed {args.seed}): {total.flagged} with pySHACL findings, {total.engine_errors} on which pySHACL raises, "
        f"{len(total.disagreements)} disagreements; {time.perf_counter() - started:.0f} s"
    )
    return 1 if total.disagreements else 0


if __name__ == "__main__":
    sys.exit(main())
