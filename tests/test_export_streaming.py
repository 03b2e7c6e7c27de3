"""``kg export`` streamed graph by graph: blank nodes, statements in several graphs, one graph or one
file per graph, progress on a terminal, and bad output paths (a full disk included)."""

from __future__ import annotations

import fcntl
import os
import pty
import struct
import subprocess
import sys
import termios
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from conftest import SEED_ID
from rdflib import Dataset, Graph, URIRef
from rdflib.compare import isomorphic
from servers import kg_env

from kg.read import export as export_module
from kg.read.export import FORMATS, GRAPH_FORMATS, export, split_file
from kg.store import EmbeddedStore
from kg.terms import GRAPH, PREFIXES, PROVENANCE_GRAPH, REGISTRY_GRAPH, VOCAB_GRAPH, article_graph

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:rdflib")

EX = "http://example.org/"
RDFLIB_FORMAT = {"turtle": "turtle", "trig": "trig", "nquads": "nquads", "ntriples": "nt", "jsonld": "json-ld"}
EXTENSION = {fmt: suffixes[0] for fmt, suffixes in FORMATS.items()}

#: Two graphs sharing one statement, blank nodes (one shared by both graphs) and a default graph.
FOREIGN = f"""
<{EX}a> <{EX}p> "shared" <{EX}g1> .
<{EX}a> <{EX}p> "shared" <{EX}g2> .
<{EX}a> <{EX}q> _:x <{EX}g1> .
_:x <{EX}r> "first" <{EX}g1> .
_:x <{EX}s> _:y <{EX}g1> .
_:y <{EX}r> "second"@en <{EX}g1> .
_:x <{EX}t> "in g2" <{EX}g2> .
<{EX}b> <{EX}p> "default" .
"""


def kg(*args: str, store: Path, stderr: int = subprocess.PIPE) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "kg.cli", *args],
        stdout=subprocess.PIPE,
        stderr=stderr,
        env=kg_env(KG_STORE=str(store)),
        timeout=300,
        check=False,
    )


def foreign_store(location: Path, *, reverse: bool) -> EmbeddedStore:
    """The quads above, in one order, or in the other with other blank node labels."""
    text = FOREIGN.replace("_:x", "_:zz9").replace("_:y", "_:aa1") if reverse else FOREIGN
    quads = list(ox.parse(text.encode(), format=ox.RdfFormat.N_QUADS))
    store = EmbeddedStore(location)
    for quad in reversed(quads) if reverse else quads:
        store.oxigraph.add(quad)
    return store


def as_dataset(data: bytes, fmt: str) -> Dataset:
    dataset = Dataset()
    dataset.parse(data=data, format=RDFLIB_FORMAT[fmt])
    return dataset


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_blank_nodes_get_canonical_labels(tmp_path: Path, fmt: str) -> None:
    with foreign_store(tmp_path / "one", reverse=False) as one, foreign_store(tmp_path / "two", reverse=True) as two:
        assert [q.subject for q in one.oxigraph if isinstance(q.subject, ox.BlankNode)] != [
            q.subject for q in two.oxigraph if isinstance(q.subject, ox.BlankNode)
        ]  # the stores label their blank nodes differently
        first, second = export_module.serialize(one, fmt), export_module.serialize(two, fmt)
        expected = Dataset()
        expected.parse(data=FOREIGN, format="nquads")
    assert first == second
    assert b"c14n" in first  # RDFC-1.0 labels (JSON-LD and Turtle write them as _:c14nN)
    if fmt in GRAPH_FORMATS:
        exported = as_dataset(first, fmt)
        for name in (URIRef(f"{EX}g1"), URIRef(f"{EX}g2")):
            assert isomorphic(exported.graph(name), expected.graph(name)), name
        assert isomorphic(exported.default_graph, expected.default_graph)
    else:
        union = Graph()
        for quad in expected.quads():
            union.add(quad[:3])
        assert isomorphic(Graph().parse(data=first, format=RDFLIB_FORMAT[fmt]), union)


def test_a_blank_node_shared_by_two_graphs_stays_one_node(tmp_path: Path) -> None:
    with foreign_store(tmp_path / "store", reverse=False) as store:
        lines = export_module.serialize(store, "nquads").decode().splitlines()
    x = next(line.split()[0] for line in lines if '"first"' in line)
    assert any(line.startswith(f"{x} <{EX}t>") and line.endswith(f"<{EX}g2> .") for line in lines)


@pytest.mark.parametrize("fmt", ["turtle", "ntriples"])
def test_union_holds_a_statement_of_two_graphs_once(store: EmbeddedStore, fmt: str) -> None:
    """The streamed path (no blank nodes): a later graph's copy is left out, the default graph's too."""
    text = (
        f'<{EX}a> <{EX}p> "shared" <{EX}g1> .\n<{EX}a> <{EX}p> "shared" <{EX}g2> .\n<{EX}a> <{EX}p> "own" <{EX}g2> .\n'
        f'<{EX}a> <{EX}p> "shared" <{EX}g3> .\n<{EX}b> <{EX}p> "default and g3" .\n'
        f'<{EX}b> <{EX}p> "default and g3" <{EX}g3> .\n<{EX}c> <{EX}p> "g2 and g3" <{EX}g2> .\n'
        f'<{EX}c> <{EX}p> "g2 and g3" <{EX}g3> .\n'
    )
    store.oxigraph.bulk_load(text.encode(), format=ox.RdfFormat.N_QUADS)
    data = export_module.serialize(store, fmt)
    for literal in (b'"shared"', b'"own"', b'"default and g3"', b'"g2 and g3"'):
        assert data.count(literal) == 1, literal
    assert len(Graph().parse(data=data.decode(), format=RDFLIB_FORMAT[fmt])) == 4


def test_nquads_put_the_default_graph_first(store: EmbeddedStore) -> None:
    text = f'<{EX}z> <{EX}p> "named" <{EX}g> .\n<{EX}z> <{EX}p> "default" .\n'
    store.oxigraph.bulk_load(text.encode(), format=ox.RdfFormat.N_QUADS)
    assert export_module.serialize(store, "nquads").decode().splitlines() == [
        f'<{EX}z> <{EX}p> "default" .',
        f'<{EX}z> <{EX}p> "named" <{EX}g> .',
    ]


def test_turtle_header_declares_the_project_prefixes_in_name_order(seed_store: EmbeddedStore) -> None:
    lines = export_module.serialize(seed_store, "trig").decode().splitlines()
    header = [line for line in lines if line.startswith("@prefix ")]
    assert header == [f"@prefix {name}: <{iri}> ." for name, iri in sorted(PREFIXES.items())]
    assert lines[: len(header)] == header  # all at the top, none repeated further down


def test_one_graph_by_iri(seed_store: EmbeddedStore, tmp_path: Path) -> None:
    target = tmp_path / "registry.ttl"
    export(seed_store, "turtle", target, graph=str(REGISTRY_GRAPH))
    assert isomorphic(Graph().parse(target), seed_store.graph(REGISTRY_GRAPH))


def test_cli_graph_option(seed_store: EmbeddedStore, tmp_path: Path) -> None:
    seed_store.flush()
    done = kg("export", "--format", "nquads", "--graph", str(PROVENANCE_GRAPH), store=seed_store.location)
    assert done.returncode == 0, done.stderr.decode()
    lines = done.stdout.decode().splitlines()
    assert lines and all(line.endswith(f"<{PROVENANCE_GRAPH}> .") for line in lines)
    missing = kg("export", "--graph", f"{EX}nothing", store=seed_store.location)
    assert missing.returncode == 2
    assert f"graph <{EX}nothing> is not in the store" in missing.stderr.decode()
    bad = kg("export", "--graph", "not an iri", store=seed_store.location)
    assert bad.returncode == 2 and "--graph 'not an iri' is not an absolute IRI" in bad.stderr.decode()
    assert "Traceback" not in missing.stderr.decode() + bad.stderr.decode()


def test_split_by_article(seed_store: EmbeddedStore, tmp_path: Path) -> None:
    seed_store.flush()
    folder = tmp_path / "corpus"
    done = kg("export", "--split-by-article", str(folder), store=seed_store.location)
    assert done.returncode == 0, done.stderr.decode()
    assert f"wrote {folder} (trig: 1 article files, 6 others)" in done.stderr.decode()
    files = sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())
    assert files == [
        f"article/{SEED_ID}.trig",
        "corpus.trig",
        "derived.trig",
        "ontology.trig",
        "provenance.trig",
        "registry.trig",
        "vocab.trig",
    ]
    for name in seed_store.named_graphs():
        dataset = Dataset()
        dataset.parse(folder / split_file(ox.NamedNode(str(name)), ".trig"), format="trig")
        assert isomorphic(dataset.graph(name), seed_store.graph(name)), name
    # again, in Turtle: the folder is replaced as a whole, no TriG file survives
    (folder / "registry.trig").write_text("stale\n")
    again = kg("export", "--split-by-article", str(folder), "--format", "trig", store=seed_store.location)
    assert again.returncode == 0 and (folder / "registry.trig").read_text() != "stale\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["corpus"]  # no staging or old folder left


def test_split_refuses_a_folder_with_other_files(seed_store: EmbeddedStore, tmp_path: Path) -> None:
    seed_store.flush()
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "notes.md").write_text("keep me\n")
    done = kg("export", "--split-by-article", str(folder), store=seed_store.location)
    assert done.returncode == 2
    assert f"{folder} holds notes.md, which a split export in this format does not write" in done.stderr.decode()
    assert [p.name for p in folder.iterdir()] == ["notes.md"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine"]
    both = kg("export", "--split-by-article", str(folder), "-o", str(tmp_path / "x.ttl"), store=seed_store.location)
    assert both.returncode == 2 and "leave out -o" in both.stderr.decode()


def test_split_file_names() -> None:
    assert split_file(ox.NamedNode(str(article_graph("abc-1"))), ".ttl") == Path("article/abc-1.ttl")
    assert split_file(ox.NamedNode(str(GRAPH["registry"])), ".ttl") == Path("registry.ttl")
    assert split_file(ox.DefaultGraph(), ".nq") == Path("default.nq")
    odd = split_file(ox.NamedNode(str(GRAPH["article/../../etc"])), ".ttl")
    assert odd.parts[0] == "other" and ".." not in odd.name


def test_unwritable_path_is_a_usage_error(seed_store: EmbeddedStore, tmp_path: Path) -> None:
    seed_store.flush()
    target = tmp_path / "no-such-folder" / "kg.ttl"
    done = kg("export", "-o", str(target), store=seed_store.location)
    assert done.returncode == 2
    assert f"cannot write {target}: No such file or directory" in done.stderr.decode()
    assert "Traceback" not in done.stderr.decode()
    assert list(tmp_path.iterdir()) == []


@pytest.fixture()
def tiny_disk(tmp_path: Path):
    """A 256 KiB tmpfs (needs the right to mount; skipped where the machine does not allow it)."""
    mount = tmp_path / "tiny"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(mount)], capture_output=True, check=False
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {done.stderr.decode().strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=True)


def test_full_disk_is_a_store_error_and_leaves_nothing(seed_store: EmbeddedStore, tiny_disk: Path) -> None:
    seed_store.flush()
    (tiny_disk / "kept.nq").write_bytes(b"old\n")
    target = tiny_disk / "kept.nq"
    done = kg("export", "-o", str(target), store=seed_store.location)
    assert done.returncode == 3, done.stderr.decode()
    assert f"writing {target} failed: No space left on device; nothing was written" in done.stderr.decode()
    assert "Traceback" not in done.stderr.decode()
    assert [p.name for p in tiny_disk.iterdir()] == ["kept.nq"] and target.read_bytes() == b"old\n"
    split = kg(
        "export", "--split-by-article", str(tiny_disk / "corpus"), "--format", "nquads", store=seed_store.location
    )
    assert split.returncode == 3 and "No space left on device" in split.stderr.decode()
    assert [p.name for p in tiny_disk.iterdir()] == ["kept.nq"]


def test_progress_bar_on_a_terminal_only(seed_store: EmbeddedStore, tmp_path: Path) -> None:
    seed_store.flush()
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))  # 0 columns: no room for a bar
    try:
        done = kg("export", "-o", str(tmp_path / "kg.trig"), store=seed_store.location, stderr=follower)
        os.close(follower)
        shown = b""
        while True:
            try:
                data = os.read(leader, 65536)
            except OSError:  # the terminal's other end is closed: all read
                break
            if not data:
                break
            shown += data
    finally:
        os.close(leader)
    assert done.returncode == 0
    # tqdm's bar over the 7 graphs (corpus and derived too), on the terminal
    assert b"/7 [" in shown and b"graphs/s" in shown
    piped = kg("export", "-o", str(tmp_path / "kg.trig"), store=seed_store.location)
    assert b"graphs/s" not in piped.stderr and b"\r" not in piped.stderr


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_a_large_shared_graph_sorted_on_disk_gives_the_same_bytes(
    seed_store: EmbeddedStore, fmt: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A shared graph (provenance, vocabulary: they grow with the store) past the run size is sorted
    in runs on disk and merged, in chunks that end with a subject: the file is the same."""
    in_memory = export_module.serialize(seed_store, fmt)
    monkeypatch.setattr(export_module, "SORT_RUN_BYTES", 4096)
    monkeypatch.setattr(export_module, "MERGED_CHUNK", 50)
    chunks = list(export_module._graph_statements(seed_store.oxigraph, ox.NamedNode(str(VOCAB_GRAPH))))
    assert len(chunks) > 10
    assert all(a[-1].split(b" ")[0] != b[0].split(b" ")[0] for a, b in zip(chunks, chunks[1:], strict=False))
    assert [s for c in chunks for s in c] == sorted(s for c in chunks for s in c)
    assert export_module.serialize(seed_store, fmt) == in_memory


def test_a_failed_swap_of_split_folders_leaves_the_old_folder_and_nothing_else(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder, staging = tmp_path / "corpus", tmp_path / ".corpus.staging"
    folder.mkdir()
    (folder / "old.ttl").write_text("old")
    staging.mkdir()
    (staging / "new.ttl").write_text("new")
    real_rename = os.rename

    def rename(source: Any, target: Any) -> None:
        if Path(source) == staging:
            raise OSError(28, "No space left on device")
        real_rename(source, target)

    monkeypatch.setattr(export_module.os, "rename", rename)
    with pytest.raises(OSError, match="No space left"):
        export_module._swap_in(staging, folder)
    assert sorted(p.name for p in tmp_path.iterdir()) == [".corpus.staging", "corpus"]
    assert (folder / "old.ttl").read_text() == "old"
