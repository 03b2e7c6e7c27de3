"""Ingest writes new article graphs with Oxigraph's bulk loader, in pieces loaded once the batches
are prepared (a kill while they are loaded leaves only whole articles: tests/test_killed_ingest.py),
and a finished ingest leaves no write-ahead log behind."""

from __future__ import annotations

import itertools
import shutil
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from conftest import CORPUS, SEED, SEED_ID

from kg.cli import main
from kg.errors import StoreError
from kg.ingest import pipeline
from kg.ingest.derive import DerivationInputs
from kg.ingest.pipeline import ingest
from kg.prefixes import PROVENANCE_GRAPH_IRI
from kg.store import PIECE_QUADS, SINGLE_LOAD_QUADS, EmbeddedStore, GraphReplacement, Staging, stored_article_ids
from kg.terms import DERIVED_GRAPH, article_graph


def copies(root: Path, count: int) -> Path:
    """``count`` copies of the seed article, each with its own source id and text file."""
    corpus = root / "corpus"
    corpus.mkdir()
    shutil.copy(CORPUS / "registry.yaml", corpus)
    shutil.copy(CORPUS / "corpus.yaml", corpus)
    text = SEED.read_text(encoding="utf-8")
    for n in range(count):
        shutil.copy(SEED.with_suffix(".txt"), corpus / f"a{n:03}.txt")
        (corpus / f"a{n:03}.yaml").write_text(
            text.replace(f"source_id: {SEED_ID}", f"source_id: copy-{n:03}").replace(
                f"text: {SEED.with_suffix('.txt').name}", f"text: a{n:03}.txt"
            ),
            encoding="utf-8",
        )
    return corpus


def article_sizes(location: Path) -> dict[str, int]:
    """Quads per stored article graph, read through a read-only view (the writer keeps its lock)."""
    store = ox.Store.read_only(str(location))
    prefix = str(article_graph(""))
    return {
        g.value: sum(1 for _ in store.quads_for_pattern(None, None, None, g))
        for g in store.named_graphs()
        if isinstance(g, ox.NamedNode) and g.value.startswith(prefix)
    }


def test_ingest_leaves_no_write_ahead_log(tmp_path: Path) -> None:
    corpus = copies(tmp_path, 6)
    location = tmp_path / "store"
    with EmbeddedStore(location) as store:
        summary = ingest([corpus], store, batch_size=2, workers=1)
        assert summary.count("stored") == 6
    logs = {p.name: p.stat().st_size for p in location.glob("*.log")}
    assert sum(logs.values()) < 4096, logs  # empty (or a few header bytes): nothing left to replay
    assert len(article_sizes(location)) == 6


def test_replacing_an_article_keeps_one_copy(tmp_path: Path) -> None:
    """New graphs are bulk-loaded, stored ones replaced in a transaction: no duplicate, no leftover."""
    graph = article_graph("x")
    with EmbeddedStore(tmp_path / "store") as store:
        store.replace([GraphReplacement(graph, '<http://example.org/a> <http://example.org/p> "1" .\n')])
        store.replace([GraphReplacement(graph, '<http://example.org/a> <http://example.org/p> "2" .\n')])
        assert [str(q.object.value) for q in store.quads(graph)] == ["2"]


class _Calls:
    """A progress callback that records each count with the articles the store holds at the time."""

    def __init__(self, store: EmbeddedStore) -> None:
        self.store, self.calls = store, list[tuple[int, int]]()

    def __call__(self, count: int) -> None:
        self.calls.append((count, len(stored_article_ids(self.store))))


def test_new_graphs_are_loaded_in_pieces_once_every_batch_is_checked(tmp_path: Path) -> None:
    """A run expected to write at most ``single_load_quads`` quads is loaded in one piece, a larger
    one in pieces of about ``piece_quads``; the loads come once every batch is checked, and progress
    counts each piece's articles once it is stored."""
    corpus = copies(tmp_path, 6)
    for n, (limits, expected) in enumerate(
        (
            ((PIECE_QUADS, SINGLE_LOAD_QUADS), [6]),
            ((1, SINGLE_LOAD_QUADS), [6]),  # small pieces, but the run is expected to fit in one
            ((1, 0), [2, 2, 2]),
            ((1, 1), [2, 2, 2]),
        )
    ):
        location = tmp_path / f"store-{n}"
        with EmbeddedStore(location) as store:
            committed, checked = _Calls(store), _Calls(store)
            piece_quads, single_load_quads = limits
            ingest(
                [corpus],
                store,
                batch_size=2,
                workers=1,
                progress=committed,
                checked=checked,
                piece_quads=piece_quads,
                single_load_quads=single_load_quads,
            )
        assert checked.calls == [(2, 0), (2, 0), (2, 0)]  # nothing is loaded while batches are checked
        assert [count for count, _ in committed.calls] == expected
        # each count comes once its piece is stored (two pieces load at a time: others may be too)
        reported = itertools.accumulate(count for count, _ in committed.calls)
        assert all(stored >= total for (_, stored), total in zip(committed.calls, reported, strict=True))
        assert sorted(article_sizes(location)) == [str(article_graph(f"copy-{n:03}")) for n in range(6)]


def test_ingest_compacts_the_store_after_writing_it_in_many_pieces(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Compaction speeds up the read-only queries after an ingest written in many pieces, but costs
    as much as the whole store, and makes a store bulk-loaded in a few pieces larger (RocksDB writes
    it uncompressed): it follows an ingest of many pieces that wrote at least a tenth of the store."""
    compacted: list[int] = []
    # what was stored when compaction started: every article (graph/derived may come after, beside it)
    monkeypatch.setattr(EmbeddedStore, "optimize", lambda self: compacted.append(len(stored_article_ids(self))))
    corpus = copies(tmp_path, 6)
    with EmbeddedStore(tmp_path / "few") as store:
        ingest([corpus], store, batch_size=1, workers=1)
    assert compacted == []
    with EmbeddedStore(tmp_path / "many") as store:
        ingest([corpus], store, batch_size=1, workers=1, piece_quads=1, single_load_quads=0)
    assert compacted == [6]
    big = ox.Store(str(tmp_path / "big"))
    filler = ox.NamedNode("http://example.org/filler")
    big.extend(ox.Quad(filler, filler, ox.Literal(i), filler) for i in range(100_000))
    big.flush()
    del big
    compacted.clear()
    with EmbeddedStore(tmp_path / "big") as store:
        summary = ingest([corpus], store, batch_size=1, workers=1, piece_quads=1, single_load_quads=0)
        assert summary.count("stored") == 6 and len(store) > 100_000
    assert compacted == []


def test_compaction_runs_beside_the_derivation(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each waits to see the other started: run one after the other, one of them would time out."""
    compaction_started, derivation_started = threading.Event(), threading.Event()
    seen: dict[str, bool] = {}
    derive = pipeline.rederive

    def optimize(self: EmbeddedStore) -> None:
        compaction_started.set()
        seen["compaction saw the derivation"] = derivation_started.wait(timeout=20)

    def rederive(store: EmbeddedStore, inputs: DerivationInputs | None = None) -> int:
        derivation_started.set()
        seen["derivation saw the compaction"] = compaction_started.wait(timeout=20)
        return derive(store, inputs)

    monkeypatch.setattr(EmbeddedStore, "optimize", optimize)
    monkeypatch.setattr(pipeline, "rederive", rederive)
    with EmbeddedStore(tmp_path / "store") as store:
        ingest([copies(tmp_path, 6)], store, batch_size=1, workers=1, piece_quads=1, single_load_quads=0)
        assert len(store.graph(DERIVED_GRAPH)) > 0
    assert seen == {"compaction saw the derivation": True, "derivation saw the compaction": True}


def _staged(*items: GraphReplacement) -> Staging:
    staging = Staging()
    staging.add(items)
    return staging


def test_a_failed_load_is_reported_and_the_store_goes_on(tmp_path: Path) -> None:
    broken = GraphReplacement(article_graph("x"), '<a> <http://example.org/p> "1" .\n')  # a relative IRI
    with EmbeddedStore(tmp_path / "store") as store:
        with pytest.raises(StoreError, match=f"the store at {tmp_path / 'store'} failed to write"):
            store.load_staged(_staged(broken))
        store.replace([GraphReplacement(article_graph("y"), '<http://example.org/a> <http://example.org/p> "1" .\n')])
        assert len(store) == 1


def test_a_staged_file_is_loaded_from_its_path(tmp_path: Path) -> None:
    """Oxigraph reads the staged N-Quads itself, from a path that reopens the unnamed file: given
    the Python file object it would call back into Python (and wait for the GIL) for every read."""
    line = '<http://example.org/a> <http://example.org/p> "1" .\n'
    staging = _staged(GraphReplacement(article_graph("x"), line))
    staging._file.flush()
    assert staging.path == f"/proc/self/fd/{staging._file.fileno()}"
    assert Path(staging.path).read_text(encoding="utf-8") == line.replace(" .\n", f" <{article_graph('x')}> .\n")
    calls: list[dict[str, object]] = []

    class Recording:  # pyoxigraph's Store, recording how bulk_load is called
        def __init__(self, store: ox.Store) -> None:
            self.store = store

        def bulk_load(self, *args: Any, **kwargs: Any) -> None:
            calls.append(kwargs)
            self.store.bulk_load(*args, **kwargs)

    with EmbeddedStore(tmp_path / "store") as store:
        oxigraph = store.oxigraph
        store._store = Recording(oxigraph)  # type: ignore[assignment]
        path = staging.path
        store.load_staged(staging)
        assert [call.get("path") for call in calls] == [path]
        assert len(oxigraph) == 1


def test_a_replacement_encoded_beforehand_stages_the_same_quads(tmp_path: Path) -> None:
    """Ingest workers hand on each new graph as N-Quads bytes (GraphReplacement.encoded); staged,
    they are what the committing process would have made of the N-Triples."""
    graph = article_graph("x")
    item = GraphReplacement(
        graph,
        '<http://example.org/a> <http://example.org/p> "caf\u00e9 .\\n" .\n',
        "<http://example.org/a> <http://example.org/q> <http://example.org/b> .\n",
    )
    expected = (
        f'<http://example.org/a> <http://example.org/p> "caf\u00e9 .\\n" <{graph}> .\n'
        f"<http://example.org/a> <http://example.org/q> <http://example.org/b> <{PROVENANCE_GRAPH_IRI}> .\n"
    ).encode()
    assert item.nquads() == expected
    encoded = item.encoded()
    assert encoded == item and encoded._nquads == expected
    with EmbeddedStore(tmp_path / "store") as store:
        store.load_staged(_staged(encoded))
        assert store.ntriples(graph) == item.triples
        assert len(store) == 2


def test_a_failed_piece_stops_the_pieces_not_yet_loading(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The first piece fails at once while the second loads: the piece the freed loader takes next
    may start, the others are not loaded, and the error reaches the caller."""
    attempted: list[int] = []

    def load_staged(self: EmbeddedStore, staging: Staging) -> None:
        attempted.append(len(attempted))
        with staging:
            if len(attempted) == 1:
                raise StoreError("the disk is full")
            time.sleep(0.5)
            staging.load_into(self)

    monkeypatch.setattr(EmbeddedStore, "load_staged", load_staged)
    with EmbeddedStore(tmp_path / "store") as store, pytest.raises(StoreError, match="the disk is full"):
        ingest([copies(tmp_path, 6)], store, batch_size=1, workers=1, piece_quads=1, single_load_quads=0)
    assert 2 <= len(attempted) <= 3, attempted  # of the 6 pieces


def test_a_full_temporary_folder_is_a_store_error_that_says_what_to_do(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """New graphs wait in the temporary folder: where it is full (/dev/full answers every write so),
    ``kg ingest`` exits 3 naming the folder and TMPDIR, and the store holds nothing of the run."""
    monkeypatch.setattr(tempfile, "TemporaryFile", lambda: open("/dev/full", "w+b"))  # noqa: SIM115
    location = tmp_path / "store"
    code = main(["ingest", str(copies(tmp_path, 3)), "--store", str(location), "--workers", "1"])
    message = capsys.readouterr().err
    assert code == 3, message
    assert f"store error: cannot write to the temporary folder {tempfile.gettempdir()}:" in message
    assert "No space left on device" in message and "set TMPDIR to a folder with more room" in message
    assert article_sizes(location) == {}
