"""A SIGKILL in the middle of an ingest leaves whole articles only, and provably some but not all
(the test in test_ingest.py kills after a fixed delay, so it passes vacuously when nothing was
stored yet). Here the kill comes right after the ingest reports its first committed batch."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from kg.store import EmbeddedStore

sys.path.insert(0, str(Path(__file__).resolve().parent))
from test_ingest import CORPUS, SEED, SEED_ID, seed_graph

ARTICLES = 45
#: Prints a line after each batch is committed (ingest's progress callback), then goes on.
SCRIPT = """
import sys
from pathlib import Path
from kg.ingest.pipeline import ingest
from kg.store import EmbeddedStore
def committed(count):
    print("committed", count, flush=True)
ingest([Path(sys.argv[1])], EmbeddedStore(sys.argv[2]), batch_size=3, workers=2, progress=committed, piece_quads=1, single_load_quads=0)
print("finished", flush=True)
"""


@pytest.mark.slow
def test_an_ingest_killed_after_its_first_batch_keeps_some_whole_articles(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(CORPUS / "registry.yaml", corpus)
    shutil.copy(CORPUS / "corpus.yaml", corpus)
    text = SEED.read_text(encoding="utf-8")
    for n in range(ARTICLES):
        shutil.copy(SEED.with_suffix(".txt"), corpus / f"a{n:03}.txt")
        (corpus / f"a{n:03}.yaml").write_text(
            text.replace(f"source_id: {SEED_ID}", f"source_id: copy-{n:03}").replace(
                f"text: {SEED.with_suffix('.txt').name}", f"text: a{n:03}.txt"
            ),
            encoding="utf-8",
        )
    store_dir = tmp_path / "store"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    process = subprocess.Popen(
        [sys.executable, "-c", SCRIPT, str(corpus), str(store_dir)], env=env, stdout=subprocess.PIPE, text=True
    )
    assert process.stdout is not None
    first = process.stdout.readline()
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    assert first.startswith("committed "), first
    reported = int(first.split()[1])
    expected = len(seed_graph())
    with EmbeddedStore(store_dir) as store:
        sizes = {str(g): len(store.graph(g)) for g in store.named_graphs() if "/graph/article/" in str(g)}
    assert all(size == expected for size in sizes.values()), sizes
    assert reported <= len(sizes) < ARTICLES, (reported, len(sizes))
