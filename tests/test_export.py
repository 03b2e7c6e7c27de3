"""``kg export``: every format round-trips to the same graphs, output is deterministic and atomic."""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import IO

import pytest
from conftest import REPO, SEED_ID
from rdflib import RDF, Dataset, Graph, Literal, URIRef
from rdflib.compare import graph_diff, isomorphic
from servers import kg_env

from kg.read import export as export_module
from kg.read.export import (
    FORMATS,
    GRAPH_FORMATS,
    OutputError,
    atomic_write,
    context_document,
    context_text,
    export,
    format_for,
)
from kg.store import EmbeddedStore, GraphReplacement, to_rdflib
from kg.terms import GPO, PREFIXES, PROVENANCE_GRAPH, REGISTRY_GRAPH, article_graph

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:rdflib")

RDFLIB_FORMAT = {"turtle": "turtle", "trig": "trig", "nquads": "nquads", "ntriples": "nt", "jsonld": "json-ld"}
EXTENSION = {"turtle": ".ttl", "trig": ".trig", "nquads": ".nq", "ntriples": ".nt", "jsonld": ".jsonld"}


def kg(*args: str, store: Path, seed: str | None = None) -> subprocess.CompletedProcess[bytes]:
    env = kg_env(KG_STORE=str(store))
    if seed is not None:
        env["PYTHONHASHSEED"] = seed
    return subprocess.run(
        [sys.executable, "-m", "kg.cli", *args], capture_output=True, env=env, timeout=300, check=False
    )


def assert_same_graph(expected: Graph, actual: Graph, what: str) -> None:
    if not isomorphic(expected, actual):
        _, only_expected, only_actual = graph_diff(expected, actual)
        raise AssertionError(
            f"{what}: {len(only_expected)} triple(s) lost, e.g. {sorted(only_expected)[:3]}; "
            f"{len(only_actual)} added, e.g. {sorted(only_actual)[:3]}"
        )


def union(store: EmbeddedStore) -> Graph:
    graph = Graph()
    for name in store.named_graphs():
        graph += store.graph(name)
    return graph


def parsed_graphs(path: Path, fmt: str) -> dict[URIRef, Graph]:
    dataset = Dataset()
    dataset.parse(path, format=RDFLIB_FORMAT[fmt])
    graphs: dict[URIRef, Graph] = {}
    for graph in dataset.graphs():
        if isinstance(graph.identifier, URIRef) and len(graph):
            copy = Graph()
            for triple in graph:
                copy.add(triple)
            graphs[graph.identifier] = copy
    return graphs


# -- the shipped JSON-LD context ---------------------------------------------------------------


def test_shipped_context_is_generated_from_the_prefixes() -> None:
    shipped = (REPO / "kg" / "context.jsonld").read_text(encoding="utf-8")
    assert shipped == context_text(), (
        "kg/context.jsonld is stale: regenerate it with "
        'python -c \'from kg.export import context_text; open("kg/context.jsonld", "w").write(context_text())\''
    )
    assert json.loads(shipped)["@context"] == PREFIXES == context_document()["@context"]


@pytest.mark.slow
def test_wheel_ships_the_context(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--outdir", str(tmp_path), str(REPO)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    (wheel,) = tmp_path.glob("positions_kg-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        assert json.loads(archive.read("kg/context.jsonld")) == context_document()
        assert {"kg/read/export.py", "kg/remote/endpoints.py", "kg/remote/sparql.py", "kg/remote/load.py"} <= set(
            archive.namelist()
        )


# -- round trips -------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_round_trip_gives_the_stored_graphs(seed_store: EmbeddedStore, tmp_path: Path, fmt: str) -> None:
    path = tmp_path / f"export{EXTENSION[fmt]}"
    export(seed_store, fmt, path)
    names = seed_store.named_graphs()
    assert article_graph(SEED_ID) in names and REGISTRY_GRAPH in names and PROVENANCE_GRAPH in names
    if fmt in GRAPH_FORMATS:
        graphs = parsed_graphs(path, fmt)
        assert sorted(graphs) == names  # every named graph, with its name
        for name in names:
            assert_same_graph(seed_store.graph(name), graphs[name], f"{fmt} graph {name}")
    else:
        graph = Graph().parse(path, format=RDFLIB_FORMAT[fmt])
        assert_same_graph(union(seed_store), graph, f"{fmt} union")
    # real content survived, read back from the exported file: a quote with its offsets, typed
    exported = parsed_graphs(path, fmt)[article_graph(SEED_ID)] if fmt in GRAPH_FORMATS else graph
    starts = set(exported.objects(None, URIRef("http://www.w3.org/ns/oa#start")))
    assert Literal(563) in starts
    assert Literal(563).datatype in {s.datatype for s in starts}


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_one_article(seed_store: EmbeddedStore, tmp_path: Path, fmt: str) -> None:
    path = tmp_path / f"article{EXTENSION[fmt]}"
    export(seed_store, fmt, path, article=SEED_ID)
    expected = seed_store.graph(article_graph(SEED_ID))
    if fmt in GRAPH_FORMATS:
        graphs = parsed_graphs(path, fmt)
        assert list(graphs) == [article_graph(SEED_ID)]
        assert_same_graph(expected, graphs[article_graph(SEED_ID)], fmt)
    else:
        assert_same_graph(expected, Graph().parse(path, format=RDFLIB_FORMAT[fmt]), fmt)


def test_turtle_uses_the_project_prefixes(seed_store: EmbeddedStore) -> None:
    text = export_module.serialize(seed_store, "turtle").decode()
    assert f"@prefix gpo: <{PREFIXES['gpo']}> ." in text
    assert f"@prefix actor: <{PREFIXES['actor']}> ." in text
    assert "a gpo:Statement" in text and "actor:nato" in text
    assert "@prefix ns1:" not in text  # no generated prefixes


def test_jsonld_uses_the_shipped_context(seed_store: EmbeddedStore) -> None:
    document = json.loads(export_module.serialize(seed_store, "jsonld"))
    assert document["@context"] == PREFIXES
    graphs = {expand(g["@id"]): g["@graph"] for g in document["@graph"]}
    assert sorted(graphs) == [str(g) for g in seed_store.named_graphs()]
    nato = next(n for n in graphs[str(REGISTRY_GRAPH)] if n["@id"] == "actor:nato")  # compacted with the context
    assert "gpo:InternationalOrganization" in str(nato["@type"])


def expand(iri: str) -> str:
    prefix, _, rest = iri.partition(":")
    return PREFIXES[prefix] + rest if prefix in PREFIXES else iri


def test_nquads_are_sorted_canonical_lines(seed_store: EmbeddedStore) -> None:
    """Graph by graph in IRI order (an article's lines stay together), sorted within each graph."""
    lines = export_module.serialize(seed_store, "nquads").decode().splitlines()
    assert len(lines) == len(set(lines)) == len(seed_store)
    assert all(line.endswith(" .") for line in lines)
    graph_of = [line.rsplit(" ", 2)[1] for line in lines]
    order = [name for i, name in enumerate(graph_of) if i == 0 or graph_of[i - 1] != name]
    assert order == [f"<{g}>" for g in seed_store.named_graphs()]  # each graph once, in IRI order
    for name in order:
        block = [line for line in lines if line.endswith(f" {name} .")]
        assert block == sorted(block)
    assert any(
        line.startswith(f"<{PREFIXES['actor']}nato> ") and line.endswith(f"<{REGISTRY_GRAPH}> .") for line in lines
    )


# -- determinism -------------------------------------------------------------------------------


def rebuilt(store: EmbeddedStore, location: Path) -> EmbeddedStore:
    """A second store with the same content, inserted graph by graph in reverse order."""
    copy = EmbeddedStore(location)
    for name in reversed(store.named_graphs()):
        quads = [q for q in store.quads() if to_rdflib(q.graph_name) == name]
        graph = Graph()
        for q in reversed(quads):
            graph.add((to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object)))
        copy.replace([GraphReplacement.of(name, graph)])
    return copy


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_same_content_gives_identical_bytes(seed_store: EmbeddedStore, tmp_path: Path, fmt: str) -> None:
    first, second, third = (tmp_path / f"{n}{EXTENSION[fmt]}" for n in ("a", "b", "c"))
    export(seed_store, fmt, first)
    export(seed_store, fmt, second)
    with rebuilt(seed_store, tmp_path / "copy") as copy:
        assert len(copy) == len(seed_store)
        export(copy, fmt, third)
    assert first.read_bytes() == second.read_bytes() == third.read_bytes()


def test_cli_output_does_not_depend_on_hash_seed(seed_store: EmbeddedStore, tmp_path: Path) -> None:
    """rdflib keeps graphs in sets: two processes with different hash seeds must still agree."""
    seed_store.flush()
    outputs = {}
    for seed in ("1", "2"):
        for fmt in ("trig", "jsonld", "turtle"):
            target = tmp_path / f"{seed}{EXTENSION[fmt]}"
            done = kg("export", "-o", str(target), store=seed_store.location, seed=seed)
            assert done.returncode == 0, done.stderr.decode()
            outputs[seed, fmt] = target.read_bytes()
    for fmt in ("trig", "jsonld", "turtle"):
        assert outputs["1", fmt] == outputs["2", fmt], fmt


# -- the command -------------------------------------------------------------------------------


def test_help_says_which_formats_keep_graphs(tmp_path: Path) -> None:
    done = kg("export", "--help", store=tmp_path)
    assert done.returncode == 0
    text = " ".join(done.stdout.decode().split())
    assert "Turtle and N-Triples have no graphs and hold the union of all graphs" in text
    assert "exit codes: 0" in text


def test_format_from_extension() -> None:
    assert format_for(Path("kg.trig"), None) == "trig"
    assert format_for(Path("kg.NQ"), None) == "nquads"
    assert format_for(Path("kg.jsonld"), None) == "jsonld"
    assert format_for(None, None) == "turtle"
    assert format_for(Path("kg.txt"), "ntriples") == "ntriples"


def test_cli_export_to_file_and_stdout(seed_store: EmbeddedStore, tmp_path: Path) -> None:
    seed_store.flush()
    target = tmp_path / "kg.trig"
    done = kg("export", "-o", str(target), store=seed_store.location)
    assert done.returncode == 0, done.stderr.decode()
    assert done.stdout == b""
    assert f"wrote {target} (trig, all named graphs)" in done.stderr.decode()
    assert sorted(parsed_graphs(target, "trig")) == seed_store.named_graphs()
    assert oct(target.stat().st_mode & 0o777) != oct(0o600)  # a normal file, not the temporary file's mode
    to_stdout = kg("export", "--format", "trig", store=seed_store.location)
    assert to_stdout.returncode == 0 and to_stdout.stdout == target.read_bytes()
    article = kg("export", "--format", "nquads", "--article", SEED_ID, store=seed_store.location)
    lines = article.stdout.decode().splitlines()
    assert lines and all(line.endswith(f"<{article_graph(SEED_ID)}> .") for line in lines)


def test_cli_errors_leave_existing_file_alone(seed_store: EmbeddedStore, tmp_path: Path) -> None:
    seed_store.flush()
    target = tmp_path / "kept.nq"
    target.write_text("old content\n")
    done = kg("export", "-o", str(target), "--article", "no-such-article", store=seed_store.location)
    assert done.returncode == 2
    assert "article 'no-such-article' is not in the store" in done.stderr.decode()
    assert target.read_text() == "old content\n"
    unknown = kg("export", "-o", str(tmp_path / "kg.xyz"), store=seed_store.location)
    assert unknown.returncode == 2 and "--format" in unknown.stderr.decode()
    assert not (tmp_path / "kg.xyz").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kept.nq"]  # no temporary files left


def test_error_while_writing_keeps_the_old_file(
    seed_store: EmbeddedStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "kg.nq"
    export(seed_store, "nquads", target)
    complete = target.read_bytes()

    def failing(chunks: object, out: IO[bytes]) -> None:
        out.write(b"<http://example.org/half> <http://example.org/written> ")
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setitem(export_module._WRITERS, "nquads", failing)
    with pytest.raises(OutputError, match=f"writing {target} failed: Input/output error; nothing was written"):
        export(seed_store, "nquads", target)
    assert target.read_bytes() == complete
    assert [p.name for p in tmp_path.iterdir()] == ["kg.nq"]


def test_atomic_write_creates_nothing_on_error(tmp_path: Path) -> None:
    target = tmp_path / "new.ttl"
    with pytest.raises(RuntimeError), atomic_write(target) as handle:
        handle.write(b"partial")
        raise RuntimeError("boom")
    assert list(tmp_path.iterdir()) == []
    with atomic_write(target) as handle:
        handle.write(b"whole")
    assert target.read_bytes() == b"whole"
    assert target.stat().st_mode & 0o777 == 0o666 & ~_umask()


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def test_gpo_terms_survive(seed_store: EmbeddedStore) -> None:
    """A sanity check that the export is about this project's data, not an empty graph."""
    graph = Graph().parse(data=export_module.serialize(seed_store, "turtle").decode(), format="turtle")
    assert len(set(graph.subjects(RDF.type, GPO.Statement))) >= 5
