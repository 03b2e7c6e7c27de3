"""Shared fixtures: the repository's corpus, and a store with the seed article ingested."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from kg.ingest.pipeline import ingest
from kg.store import EmbeddedStore

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO / "articles"
SEED = CORPUS / "000_4b2d17f57ebafa46.yaml"
SEED_ID = "4b2d17f57ebafa46"


@pytest.fixture(scope="session")
def seed_store(tmp_path_factory: pytest.TempPathFactory) -> EmbeddedStore:
    """A store holding the seed article (with the corpus-level definitions it references);
    read-only use only (session-wide). The whole example corpus: ``corpus_store``."""
    location = tmp_path_factory.mktemp("seed-store")
    with EmbeddedStore(location) as writer:
        summary = ingest([SEED], writer)
    assert [o.status for o in summary.outcomes] == ["stored"], summary.outcomes
    # Reopened once ingest's compaction is over, so that the read-only opens of kg commands run on
    # it never race with RocksDB deleting compacted files.
    return EmbeddedStore(location)


@pytest.fixture()
def store(tmp_path: Path) -> EmbeddedStore:
    """An empty store of its own."""
    return EmbeddedStore(tmp_path / "store")


@pytest.fixture(scope="session")
def corpus_store(tmp_path_factory: pytest.TempPathFactory) -> EmbeddedStore:
    """A store holding every article of ``articles/``; read-only use only (session-wide)."""
    location = tmp_path_factory.mktemp("corpus-store")
    with EmbeddedStore(location) as writer:
        summary = ingest([CORPUS], writer)
    assert {o.status for o in summary.outcomes} == {"stored"}, summary.outcomes
    return EmbeddedStore(location)


@pytest.fixture(scope="session")
def generated_store(tmp_path_factory: pytest.TempPathFactory) -> EmbeddedStore:
    """A store of 30 articles written by bench/generate.py (seed 1): many actors, several tension
    pairs per holder; read-only use only (session-wide)."""
    folder = tmp_path_factory.mktemp("generated-store")
    done = subprocess.run(
        [sys.executable, str(REPO / "bench" / "generate.py"), "--articles", "30", "--out", str(folder / "corpus")],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    with EmbeddedStore(folder / "store") as writer:
        summary = ingest([folder / "corpus"], writer)
    assert {o.status for o in summary.outcomes} == {"stored"}, summary.outcomes
    return EmbeddedStore(folder / "store")
