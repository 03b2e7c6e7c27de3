"""A short seeded differential fuzz: the project's validation path against pySHACL alone.

tests/shacl_fuzz.py mutates generated article graphs (deleted triples, changed datatypes and lexical
forms, IRIs of the wrong class or another scheme's concept, second values, broken offsets, late
dates, unknown properties, blank nodes, ...) and compares both paths on every mutant: conformance
and every finding as (severity, focus, path, source shape, value, message). Any disagreement fails.
bench/fuzz_shacl.py runs the same comparison longer.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from rdflib import Graph

from kg.shacl import engine

sys.path.insert(0, str(Path(__file__).resolve().parent))
import shacl_fuzz

ARTICLES, SEED_OF_CORPUS = 10, 3


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Graph], Graph]:
    return shacl_fuzz.generated_corpus(ARTICLES, SEED_OF_CORPUS, tmp_path_factory.mktemp("fuzz-corpus"))


@pytest.mark.parametrize("seed", [11, 12])
def test_the_project_agrees_with_pyshacl_on_every_mutant(corpus, seed: int) -> None:
    articles, registry = corpus
    outcome = shacl_fuzz.run(articles, registry, seed=seed, rounds=1, steps=3)
    assert outcome.mutants == ARTICLES
    assert outcome.disagreements == []
    assert outcome.flagged >= ARTICLES // 2, "the mutations should break most articles"


def test_the_offsets_pyshacl_raises_on_are_findings(corpus) -> None:
    """Every mutant of this run has an offset pySHACL raises on or a huge one; none crashes the run."""
    articles, registry = corpus
    mutator = shacl_fuzz.Mutator(5, registry, articles)
    batch = []
    for index, (sid, graph) in enumerate(sorted(articles.items())):
        mutant = shacl_fuzz.Mutant(sid, Graph())
        mutant.graph += graph
        node, _ = next(iter(mutant.graph.subject_objects(shacl_fuzz.OA.end)))
        lexical = ["0x10", "1e3", "abc", "99999999999999999999"][index % 4]
        mutant.graph.set((node, shacl_fuzz.OA.end, shacl_fuzz.Literal(lexical, datatype=shacl_fuzz.XSD.integer)))
        mutant.steps.append(f"oa:end {lexical}")
        batch.append(mutant)
    del mutator
    outcome = shacl_fuzz.compare(batch, registry)
    assert outcome.disagreements == []
    assert outcome.engine_errors >= ARTICLES // 2


def test_the_fuzz_catches_a_screen_that_passes_everything(corpus, monkeypatch: pytest.MonkeyPatch) -> None:
    """The comparison can fail: a screen that flags nothing makes the project miss findings."""
    monkeypatch.setattr(engine, "articles_to_check", lambda *args, **kwargs: set())
    articles, registry = corpus
    outcome = shacl_fuzz.run(articles, registry, seed=11, rounds=1, steps=3)
    assert len(outcome.disagreements) >= outcome.flagged > 0
