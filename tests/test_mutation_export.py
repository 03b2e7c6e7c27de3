"""The export, byte for byte, on a store of a few quads (issue 18, mutation group ``export`` of
``bench/mutation.py``): every format's exact output, the union's first-graph rule, canonical blank
nodes, the graphs chosen, file names of a split export, and every error message. No ingest and no
``kg`` process, so each mutant of kg/read/export.py is judged in about a second."""

from __future__ import annotations

import errno
import hashlib
import io
import json
import os
import stat
import tempfile
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.errors import StoreError
from kg.read import export as ex
from kg.read.export import (
    ExportError,
    OutputError,
    atomic_write,
    context_document,
    context_text,
    export,
    export_split,
    format_for,
    graph_names,
    serialize,
    shipped_context,
    split_file,
    write_graphs,
)
from kg.store import EmbeddedStore
from kg.terms import PREFIXES

KG = "https://w3id.org/positions-kg/"
RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
LABEL = "<http://www.w3.org/2000/01/rdf-schema#label>"
NATO = f"<{KG}id/actor/nato>"
S1 = f"<{KG}id/article/a1/statement/s1>"
REGISTRY = f"<{KG}graph/registry>"
A1 = f"<{KG}graph/article/a1>"

#: The registry and one article share NATO's label; the default graph holds one foreign statement.
#: Written in an order that is neither the graphs' nor the statements'.
QUADS = f"""{NATO} {RDF_TYPE} <{KG}ontology#Actor> {REGISTRY} .
{NATO} {LABEL} "NATO"@en {REGISTRY} .
{S1} <{KG}ontology#statedOn> "2026-03-02"^^<http://www.w3.org/2001/XMLSchema#date> {A1} .
{S1} <{KG}ontology#speaker> {NATO} {A1} .
{NATO} {LABEL} "NATO"@en {A1} .
<http://example.org/x> <http://example.org/p> "plain" .
"""

NQUADS = f"""<http://example.org/x> <http://example.org/p> "plain" .
{NATO} {LABEL} "NATO"@en {A1} .
{S1} <{KG}ontology#speaker> {NATO} {A1} .
{S1} <{KG}ontology#statedOn> "2026-03-02"^^<http://www.w3.org/2001/XMLSchema#date> {A1} .
{NATO} {RDF_TYPE} <{KG}ontology#Actor> {REGISTRY} .
{NATO} {LABEL} "NATO"@en {REGISTRY} .
"""

#: The union: NATO's label once, where the first graph (article/a1 before registry) has it.
NTRIPLES = f"""<http://example.org/x> <http://example.org/p> "plain" .
{NATO} {LABEL} "NATO"@en .
{S1} <{KG}ontology#speaker> {NATO} .
{S1} <{KG}ontology#statedOn> "2026-03-02"^^<http://www.w3.org/2001/XMLSchema#date> .
{NATO} {RDF_TYPE} <{KG}ontology#Actor> .
"""

HEADER = "".join(f"@prefix {name}: <{iri}> .\n" for name, iri in sorted(PREFIXES.items()))

TRIG_BODY = """<http://example.org/x> <http://example.org/p> "plain" .
graph:article\\/a1 {
\tactor:nato rdfs:label "NATO"@en .
\tarticle:a1\\/statement\\/s1 gpo:speaker actor:nato ;
\t\tgpo:statedOn "2026-03-02"^^xsd:date .
}
graph:registry {
\tactor:nato a gpo:Actor ;
\t\trdfs:label "NATO"@en .
}
"""

JSONLD_GRAPH = """  "@graph": [
    {"@id": "http://example.org/x", "http://example.org/p": [{"@value": "plain"}]},
    {"@id": "graph:article/a1", "@graph": [
      {"@id": "actor:nato", "rdfs:label": [{"@language": "en", "@value": "NATO"}]},
      {"@id": "article:a1/statement/s1", "gpo:speaker": [{"@id": "actor:nato"}], "gpo:statedOn": [{"@type": "xsd:date", "@value": "2026-03-02"}]}
    ]},
    {"@id": "graph:registry", "@graph": [
      {"@id": "actor:nato", "@type": ["gpo:Actor"], "rdfs:label": [{"@language": "en", "@value": "NATO"}]}
    ]}
  ]
}
"""


def filled(location: Path, text: str = QUADS) -> EmbeddedStore:
    store = EmbeddedStore(location)
    for quad in ox.parse(text.encode(), format=ox.RdfFormat.N_QUADS):
        store.oxigraph.add(quad)
    return store


@pytest.fixture()
def small(tmp_path: Path) -> EmbeddedStore:
    return filled(tmp_path / "store")


def test_nquads_and_ntriples_exactly(small: EmbeddedStore) -> None:
    assert serialize(small, "nquads").decode() == NQUADS
    assert serialize(small, "ntriples").decode() == NTRIPLES


def test_trig_and_turtle_exactly(small: EmbeddedStore) -> None:
    assert serialize(small, "trig").decode() == HEADER + TRIG_BODY
    turtle = serialize(small, "turtle").decode()
    assert turtle.startswith(HEADER)
    body = turtle[len(HEADER) :]
    assert body == (
        '<http://example.org/x> <http://example.org/p> "plain" .\n'
        'actor:nato rdfs:label "NATO"@en .\n'
        "article:a1\\/statement\\/s1 gpo:speaker actor:nato ;\n"
        '\tgpo:statedOn "2026-03-02"^^xsd:date .\n'
        "actor:nato a gpo:Actor .\n"
    )


def test_jsonld_exactly(small: EmbeddedStore) -> None:
    context = json.dumps(dict(PREFIXES), indent=2, ensure_ascii=False).replace("\n", "\n  ")
    assert serialize(small, "jsonld").decode() == '{\n  "@context": ' + context + ",\n" + JSONLD_GRAPH
    assert json.loads(serialize(small, "jsonld"))["@context"] == dict(PREFIXES)


def test_one_article_or_graph(small: EmbeddedStore) -> None:
    article_lines = [line for line in NQUADS.splitlines(keepends=True) if line.endswith(f"{A1} .\n")]
    assert serialize(small, "nquads", article="a1").decode() == "".join(article_lines)
    assert serialize(small, "ntriples", graph=f"{KG}graph/registry").decode() == (
        f'{NATO} {RDF_TYPE} <{KG}ontology#Actor> .\n{NATO} {LABEL} "NATO"@en .\n'
    )
    assert graph_names(small) == [
        ox.DefaultGraph(),
        ox.NamedNode(f"{KG}graph/article/a1"),
        ox.NamedNode(f"{KG}graph/registry"),
    ]
    assert graph_names(small, article="a1") == [ox.NamedNode(f"{KG}graph/article/a1")]


def test_an_empty_default_graph_is_not_listed(tmp_path: Path) -> None:
    store = filled(tmp_path / "s", QUADS.replace('<http://example.org/x> <http://example.org/p> "plain" .\n', ""))
    assert graph_names(store) == [ox.NamedNode(f"{KG}graph/article/a1"), ox.NamedNode(f"{KG}graph/registry")]


def test_graphs_not_in_the_store_are_usage_errors(small: EmbeddedStore) -> None:
    with pytest.raises(ExportError) as caught:
        graph_names(small, article="zz")
    assert str(caught.value) == (
        f"article 'zz' is not in the store {small.location} "
        "(see 'kg validate' or 'kg query' for the stored articles and graphs)"
    )
    with pytest.raises(ExportError) as caught:
        graph_names(small, graph="http://example.org/none")
    assert str(caught.value) == (
        f"graph <http://example.org/none> is not in the store {small.location} "
        "(see 'kg validate' or 'kg query' for the stored articles and graphs)"
    )
    with pytest.raises(ExportError) as caught:
        graph_names(small, graph="not an iri")
    assert str(caught.value).startswith("--graph 'not an iri' is not an absolute IRI (")


#: Two graphs sharing one statement, a blank node in both, and a default graph.
FOREIGN = """<http://example.org/a> <http://example.org/p> "shared" <http://example.org/g1> .
<http://example.org/a> <http://example.org/p> "shared" <http://example.org/g2> .
<http://example.org/a> <http://example.org/q> _:x <http://example.org/g1> .
_:x <http://example.org/r> "first" <http://example.org/g1> .
_:x <http://example.org/t> "in g2" <http://example.org/g2> .
<http://example.org/b> <http://example.org/p> "default" .
"""


def test_blank_nodes_are_relabelled_canonically(tmp_path: Path) -> None:
    store = filled(tmp_path / "s", FOREIGN)
    assert serialize(store, "nquads").decode() == (
        '<http://example.org/b> <http://example.org/p> "default" .\n'
        '<http://example.org/a> <http://example.org/p> "shared" <http://example.org/g1> .\n'
        "<http://example.org/a> <http://example.org/q> _:c14n0 <http://example.org/g1> .\n"
        '_:c14n0 <http://example.org/r> "first" <http://example.org/g1> .\n'
        '<http://example.org/a> <http://example.org/p> "shared" <http://example.org/g2> .\n'
        '_:c14n0 <http://example.org/t> "in g2" <http://example.org/g2> .\n'
    )
    assert serialize(store, "ntriples").decode() == (
        '<http://example.org/b> <http://example.org/p> "default" .\n'
        '<http://example.org/a> <http://example.org/p> "shared" .\n'
        "<http://example.org/a> <http://example.org/q> _:c14n0 .\n"
        '_:c14n0 <http://example.org/r> "first" .\n'
        '_:c14n0 <http://example.org/t> "in g2" .\n'
    )
    jsonld = json.loads(serialize(store, "jsonld"))
    assert jsonld["@graph"][2] == {
        "@id": "http://example.org/g2",
        "@graph": [
            # in the order of the N-Triples lines: "<" sorts before "_"
            {"@id": "http://example.org/a", "http://example.org/p": [{"@value": "shared"}]},
            {"@id": "_:c14n0", "http://example.org/t": [{"@value": "in g2"}]},
        ],
    }


def test_a_blank_node_found_late_restarts_the_file_from_where_it_began(tmp_path: Path) -> None:
    """The streamed export has written the default graph when g1's blank node is found: the canonical
    export replaces it, from the stream's starting position (not from 0: what was there stays)."""
    store = filled(tmp_path / "s", FOREIGN)
    out = io.BytesIO()
    out.write(b"KEEP\n")
    write_graphs(store, "ntriples", graph_names(store), out)
    assert out.getvalue() == b"KEEP\n" + serialize(store, "ntriples")


def test_union_statements_of_a_subject_seen_before_are_compared_by_content(tmp_path: Path) -> None:
    """Subject a is in g1 and g2; only its statement already written (p "shared") is left out of g2."""
    text = (
        '<http://example.org/a> <http://example.org/p> "shared" <http://example.org/g1> .\n'
        '<http://example.org/a> <http://example.org/p> "shared" <http://example.org/g2> .\n'
        '<http://example.org/a> <http://example.org/p> "new" <http://example.org/g2> .\n'
        '<http://example.org/c> <http://example.org/p> "shared" <http://example.org/g2> .\n'
    )
    store = filled(tmp_path / "s", text)
    assert serialize(store, "ntriples").decode() == (
        '<http://example.org/a> <http://example.org/p> "shared" .\n'
        '<http://example.org/a> <http://example.org/p> "new" .\n'
        '<http://example.org/c> <http://example.org/p> "shared" .\n'
    )
    # N-Quads keep every graph whole
    assert serialize(store, "nquads").decode().count('"shared"') == 3


def test_jsonld_values_of_every_kind(tmp_path: Path) -> None:
    text = (
        '<http://example.org/s> <http://example.org/p> "typed"^^<http://example.org/dt> .\n'
        '<http://example.org/s> <http://example.org/p> "str"^^<http://www.w3.org/2001/XMLSchema#string> .\n'
        "<http://example.org/s> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://example.org/C> .\n"
        '<http://example.org/s> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "not a class" .\n'
        '<https://schema.org///odd> <https://schema.org/name> "x"@de .\n'
    )
    nodes = json.loads(serialize(filled(tmp_path / "s", text), "jsonld"))["@graph"]
    assert nodes == [
        {
            "@id": "http://example.org/s",
            "http://example.org/p": [{"@value": "str"}, {"@type": "http://example.org/dt", "@value": "typed"}],
            # a type that is not an IRI keeps rdf:type as a property
            "rdf:type": [{"@value": "not a class"}, {"@id": "http://example.org/C"}],
        },
        # "schema:" + "//odd" would read as a scheme and authority: the IRI stays whole
        {"@id": "https://schema.org///odd", "schema:name": [{"@language": "de", "@value": "x"}]},
    ]


def test_compact_iris() -> None:
    compact = ex._compact
    assert compact(f"{KG}id/actor/nato") == "actor:nato"
    assert compact(f"{KG}id/article/a1/span/1-2") == "article:a1/span/1-2"
    assert compact(f"{KG}ontology#Position") == "gpo:Position"
    assert compact("http://www.w3.org/2001/XMLSchema#date") == "xsd:date"
    assert compact(f"{KG}vocab/stance/supports") == "stance:supports"
    assert compact(f"{KG}vocab/") == f"{KG}vocab/"
    assert compact("http://example.org/a/b#c") == "http://example.org/a/b#c"
    assert compact("urn:x") == "urn:x"
    assert compact("https://schema.org//x") == "schema:/x"


def test_format_from_the_option_or_the_extension() -> None:
    assert format_for(None, None) == "turtle"
    assert format_for(Path("x.nq"), "trig") == "trig"
    expected = {".ttl": "turtle", ".trig": "trig", ".nq": "nquads", ".nt": "ntriples", ".jsonld": "jsonld"}
    expected |= {".json-ld": "jsonld", ".json": "jsonld", ".TTL": "turtle", ".Json": "jsonld"}
    for suffix, fmt in expected.items():
        assert format_for(Path(f"out/corpus{suffix}"), None) == fmt
    with pytest.raises(ExportError) as caught:
        format_for(None, "rdfxml")
    assert str(caught.value) == "unknown export format 'rdfxml'; use one of turtle, trig, nquads, ntriples, jsonld"
    known = (
        ".ttl (turtle), .trig (trig), .nq (nquads), .nt (ntriples), .jsonld (jsonld), .json-ld (jsonld), .json (jsonld)"
    )
    with pytest.raises(ExportError) as caught:
        format_for(Path("corpus.xml"), None)
    assert str(caught.value) == (
        f"corpus.xml: cannot tell the export format from the extension '.xml'; give --format, or use one of {known}"
    )
    with pytest.raises(ExportError) as caught:
        format_for(Path("corpus"), None)
    assert str(caught.value) == (
        f"corpus: cannot tell the export format from the extension '(none)'; give --format, or use one of {known}"
    )


def test_unknown_formats_are_refused_before_writing(small: EmbeddedStore, tmp_path: Path) -> None:
    out = io.BytesIO()
    with pytest.raises(ExportError) as caught:
        write_graphs(small, "rdfxml", graph_names(small), out)
    assert str(caught.value) == "unknown export format 'rdfxml'; use one of turtle, trig, nquads, ntriples, jsonld"
    assert out.getvalue() == b""
    with pytest.raises(ExportError) as caught:
        export_split(small, "rdfxml", tmp_path / "split")
    assert str(caught.value) == "unknown export format 'rdfxml'; use one of turtle, trig, nquads, ntriples, jsonld"
    assert not (tmp_path / "split").exists()


def test_the_context(small: EmbeddedStore) -> None:
    assert context_document() == {"@context": dict(PREFIXES)}
    assert context_text() == json.dumps({"@context": dict(PREFIXES)}, indent=2, ensure_ascii=False) + "\n"
    assert shipped_context() == dict(PREFIXES)


def test_export_to_a_path_and_to_a_stream(small: EmbeddedStore, tmp_path: Path) -> None:
    target = tmp_path / "corpus.nq"
    target.write_bytes(b"old")
    target.chmod(0o640)
    ticks: list[int] = []
    export(small, "nquads", target, progress=ticks.append)
    assert target.read_bytes().decode() == NQUADS
    assert stat.S_IMODE(target.stat().st_mode) == 0o640  # an existing file keeps its permissions
    assert ticks == [1, 1, 1]  # one per graph
    assert sorted(p.name for p in tmp_path.iterdir()) == ["corpus.nq", "store"]
    out = io.BytesIO()
    export(small, "ntriples", out, graph=f"{KG}graph/registry")
    assert out.getvalue().decode() == f'{NATO} {RDF_TYPE} <{KG}ontology#Actor> .\n{NATO} {LABEL} "NATO"@en .\n'
    fresh = tmp_path / "new.nt"
    umask = os.umask(0o027)
    try:
        export(small, "ntriples", fresh)
    finally:
        os.umask(umask)
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o640  # 0666 minus the umask
    assert fresh.read_bytes().decode() == NTRIPLES


def test_atomic_write_leaves_the_old_file_on_error(tmp_path: Path) -> None:
    target = tmp_path / "x.ttl"
    target.write_bytes(b"old")
    with pytest.raises(RuntimeError), atomic_write(target) as handle:
        handle.write(b"new, half")
        raise RuntimeError("stop")
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["x.ttl"]
    with atomic_write(target) as handle:
        handle.write(b"new")
        assert Path(handle.name).name.startswith(".x.ttl.") and handle.name.endswith(".tmp")
        assert Path(handle.name).parent == tmp_path
    assert target.read_bytes() == b"new"


def test_write_errors_are_usage_or_output_errors(small: EmbeddedStore, tmp_path: Path) -> None:
    path = tmp_path / "x.nq"
    usage = ex._output_error(path, PermissionError(errno.EACCES, "Permission denied"))
    assert type(usage) is ExportError
    assert str(usage) == f"cannot write {path}: Permission denied; choose a folder you can write to"
    full = ex._output_error(path, OSError(errno.ENOSPC, "No space left on device"))
    assert type(full) is OutputError and isinstance(full, StoreError)
    assert str(full) == (
        f"writing {path} failed: No space left on device; nothing was written (free some space, or write elsewhere)"
    )
    assert str(ex._output_error(path, OSError("odd"))) == (
        f"writing {path} failed: odd; nothing was written (free some space, or write elsewhere)"
    )
    with pytest.raises(ExportError) as caught:
        export(small, "nquads", tmp_path / "missing" / "x.nq")
    assert str(caught.value) == (
        f"cannot write {tmp_path / 'missing' / 'x.nq'}: No such file or directory; choose a folder you can write to"
    )


def test_split_file_names() -> None:
    article = ox.NamedNode(f"{KG}graph/article/a1")
    assert split_file(article, ".nq") == Path("article/a1.nq")
    assert split_file(ox.NamedNode(f"{KG}graph/registry"), ".ttl") == Path("registry.ttl")
    assert split_file(ox.DefaultGraph(), ".trig") == Path("default.trig")
    for odd in (
        f"{KG}graph/article/a~b",
        f"{KG}graph/article/.a",
        f"{KG}graph/default",
        f"{KG}graph/other",
        "http://example.org/g",
    ):
        digest = hashlib.sha256(odd.encode()).hexdigest()[:32]
        assert split_file(ox.NamedNode(odd), ".nt") == Path("other") / f"{digest}.nt"
    assert split_file(ox.NamedNode(f"{KG}graph/" + "r" * 201), ".nt") == Path(f"{'r' * 201}.nt")
    assert split_file(ox.NamedNode(f"{KG}graph/" + "r" * 202), ".nt").parent == Path("other")


def test_split_export_writes_one_file_per_graph(small: EmbeddedStore, tmp_path: Path) -> None:
    folder = tmp_path / "split"
    ticks: list[int] = []
    umask = os.umask(0o022)
    try:
        written = export_split(small, "nquads", folder, progress=ticks.append)
    finally:
        os.umask(umask)
    assert written == [Path("default.nq"), Path("article/a1.nq"), Path("registry.nq")]
    assert ticks == [1, 1, 1]
    lines = NQUADS.splitlines(keepends=True)
    assert (folder / "default.nq").read_text() == lines[0]
    assert (folder / "article" / "a1.nq").read_text() == "".join(lines[1:4])
    assert (folder / "registry.nq").read_text() == "".join(lines[4:])
    assert stat.S_IMODE(folder.stat().st_mode) == 0o755
    # a previous split export in the same format is replaced; nothing else is left beside it
    (folder / "article" / "gone.nq").write_text("old")
    assert export_split(small, "nquads", folder) == written
    assert sorted(str(p.relative_to(folder)) for p in folder.rglob("*")) == [
        "article",
        "article/a1.nq",
        "default.nq",
        "registry.nq",
    ]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["split", "store"]


@pytest.mark.parametrize(
    ("make", "relative"),
    [
        (lambda f: (f / "notes.txt").write_text("mine"), "notes.txt"),
        (lambda f: (f / "sub").mkdir(), "sub"),
        (lambda f: ((f / "article").mkdir(), (f / "article" / "deep").mkdir()), "article/deep"),
        (lambda f: (f / "other.ttl").write_text("another format"), "other.ttl"),
    ],
)
def test_split_export_never_replaces_other_files(small: EmbeddedStore, tmp_path: Path, make, relative: str) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "split"
    folder.mkdir()
    make(folder)
    before = sorted(str(p) for p in folder.rglob("*"))
    with pytest.raises(ExportError) as caught:
        export_split(small, "nquads", folder)
    assert str(caught.value) == (
        f"{folder} holds {relative}, which a split export in this format does not write: "
        "give a new or empty folder (an export never deletes other files)"
    )
    assert sorted(str(p) for p in folder.rglob("*")) == before


def test_split_export_into_a_file_is_refused(small: EmbeddedStore, tmp_path: Path) -> None:
    target = tmp_path / "a-file"
    target.write_text("x")
    with pytest.raises(ExportError) as caught:
        export_split(small, "nquads", target)
    assert str(caught.value) == (
        f"{target} is a file: give --split-by-article a folder (new, empty or a previous split export)"
    )


def test_jsonld_keeps_non_ascii_text_and_iris_as_written(tmp_path: Path) -> None:
    text = (
        '<http://example.org/zoë> <http://example.org/p> "Zoë sagt „nein“"@de <http://example.org/gräph> .\n'
        '<http://example.org/s> <http://example.org/p> "rtl"@ar--rtl <http://example.org/gräph> .\n'
    )
    out = serialize(filled(tmp_path / "s", text), "jsonld").decode()
    assert out.endswith(
        '  "@graph": [\n'
        '    {"@id": "http://example.org/gräph", "@graph": [\n'
        '      {"@id": "http://example.org/s", "http://example.org/p": [{"@direction": "rtl", "@language": "ar", "@value": "rtl"}]},\n'
        '      {"@id": "http://example.org/zoë", "http://example.org/p": [{"@language": "de", "@value": "Zoë sagt „nein“"}]}\n'
        "    ]}\n"
        "  ]\n"
        "}\n"
    )


def test_jsonld_cannot_hold_a_triple_term(tmp_path: Path) -> None:
    text = "<http://e/s> <http://e/p> <<( <http://e/a> <http://e/b> <http://e/c> )>> .\n"
    store = filled(tmp_path / "s", text)
    with pytest.raises(ExportError) as caught:
        serialize(store, "jsonld")
    assert str(caught.value) == (
        "JSON-LD cannot hold the quoted triple <http://e/a> <http://e/b> <http://e/c>; export as N-Quads or TriG"
    )
    with pytest.raises(TypeError, match="^DEFAULT$"):
        ex._node_id(ox.DefaultGraph())


def test_a_graph_left_empty_by_the_union_writes_nothing(tmp_path: Path) -> None:
    text = (
        '<http://example.org/a> <http://example.org/p> "x" <http://example.org/g1> .\n'
        '<http://example.org/a> <http://example.org/p> "x" <http://example.org/g2> .\n'
        '<http://example.org/b> <http://example.org/p> "y" <http://example.org/g3> .\n'
    )
    store = filled(tmp_path / "s", text)
    assert serialize(store, "ntriples").decode() == (
        '<http://example.org/a> <http://example.org/p> "x" .\n<http://example.org/b> <http://example.org/p> "y" .\n'
    )
    assert ex._document([]) == b""


def test_one_graph_with_blank_nodes_is_that_graph_only(tmp_path: Path) -> None:
    store = filled(tmp_path / "s", FOREIGN)
    assert serialize(store, "nquads", graph="http://example.org/g2").decode() == (
        '<http://example.org/a> <http://example.org/p> "shared" <http://example.org/g2> .\n'
        '_:c14n0 <http://example.org/t> "in g2" <http://example.org/g2> .\n'
    )


def test_the_own_header_takes_what_oxigraph_writes_in_any_pieces() -> None:
    out = io.BytesIO()
    writer = ex._OwnHeader(out)
    assert writer.write(b"@prefix a: <http://a/> .\n@pre") == len(b"@prefix a: <http://a/> .\n@pre")
    writer.write(b"fix b: <http://b/> .\n<http://s> <http://p> ")
    writer.write(b"<http://o> .\n")
    writer.write(b"@prefix c: <http://c/> .\n")  # after the header: written as it comes
    writer.write(b"end")
    writer.flush()
    assert out.getvalue() == HEADER.encode() + b"<http://s> <http://p> <http://o> .\n@prefix c: <http://c/> .\nend"


def test_export_of_one_article_to_a_stream_with_progress(small: EmbeddedStore) -> None:
    out = io.BytesIO()
    ticks: list[int] = []
    export(small, "nquads", out, article="a1", progress=ticks.append)
    assert out.getvalue().decode() == "".join(NQUADS.splitlines(keepends=True)[1:4])
    assert ticks == [1]


def test_a_failing_spool_is_an_output_error_naming_the_temporary_folder(
    small: EmbeddedStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    def full(*_args: object, **_kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(ex, "write_graphs", full)
    out = io.BytesIO()
    with pytest.raises(OutputError) as caught:
        export(small, "nquads", out)
    assert str(caught.value) == (
        f"writing {tempfile.gettempdir()} failed: No space left on device; nothing was written "
        "(free some space, or write elsewhere)"
    )
    assert out.getvalue() == b""


def test_new_files_get_0666_minus_the_umask(small: EmbeddedStore, tmp_path: Path) -> None:
    umask = os.umask(0o022)
    try:
        export(small, "ntriples", tmp_path / "a.nt")
    finally:
        os.umask(umask)
    assert stat.S_IMODE((tmp_path / "a.nt").stat().st_mode) == 0o644
    assert os.umask(umask) == umask  # the umask was given back


def test_more_split_file_names() -> None:
    long_foreign = "http://example.org/" + "x" * 40
    digest = hashlib.sha256(long_foreign.encode()).hexdigest()[:32]
    assert split_file(ox.NamedNode(long_foreign), ".nt") == Path("other") / f"{digest}.nt"
    reserved = f"{KG}graph/article"
    digest = hashlib.sha256(reserved.encode()).hexdigest()[:32]
    assert split_file(ox.NamedNode(reserved), ".nt") == Path("other") / f"{digest}.nt"


def test_a_previous_split_with_other_graphs_is_replaced(tmp_path: Path) -> None:
    store = filled(
        tmp_path / "s", QUADS + '<http://example.org/a> <http://example.org/p> "x" <http://example.org/g> .\n'
    )
    folder = tmp_path / "split"
    first = export_split(store, "nquads", folder)
    other = Path("other") / f"{hashlib.sha256(b'http://example.org/g').hexdigest()[:32]}.nq"
    assert other in first
    assert export_split(store, "nquads", folder) == first
    assert (
        folder / other
    ).read_text() == '<http://example.org/a> <http://example.org/p> "x" <http://example.org/g> .\n'


def test_split_export_stages_beside_the_folder_and_swaps_by_renames(
    small: EmbeddedStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    renames: list[tuple[str, str]] = []
    real_rename = os.rename
    monkeypatch.setattr(ex.os, "rename", lambda a, b: renames.append((str(a), str(b))) or real_rename(a, b))
    monkeypatch.chdir(tmp_path)
    export_split(small, "nquads", Path("split"))  # a relative folder: staged in "."
    ((staging, target),) = renames
    assert target == "split" and Path(staging).parent == Path(".")
    assert Path(staging).name.startswith(".split.") and staging.endswith(".tmp")
    renames.clear()
    export_split(small, "nquads", Path("split"))  # again: the old folder moved aside, then removed
    (aside, old), (staging, target) = renames
    assert aside == "split" and Path(old).name == "split"
    assert Path(old).parent.name.startswith(".split.") and Path(old).parent.name.endswith(".old")
    assert Path(old).parent.parent == Path(".")
    assert Path(staging).name.startswith(".split.") and staging.endswith(".tmp") and target == "split"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["split", "store"]


def test_a_failed_split_export_leaves_nothing_behind(
    small: EmbeddedStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(ExportError) as caught:
        export_split(small, "nquads", tmp_path / "missing" / "split")
    assert str(caught.value) == (
        f"cannot write {tmp_path / 'missing' / 'split'}: No such file or directory; choose a folder you can write to"
    )
    real = ex.write_graphs
    written: list[int] = []

    def fails_on_the_second(*args: object, **kwargs: object) -> None:
        written.append(1)
        if len(written) == 2:
            raise error
        real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(ex, "write_graphs", fails_on_the_second)
    folder = tmp_path / "split"
    error: BaseException = OSError(errno.ENOSPC, "No space left on device")
    with pytest.raises(OutputError) as full:
        export_split(small, "nquads", folder)
    assert str(full.value) == (
        f"writing {folder} failed: No space left on device; nothing was written (free some space, or write elsewhere)"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["store"]
    written.clear()
    error = RuntimeError("interrupted")
    with pytest.raises(RuntimeError, match="^interrupted$"):
        export_split(small, "nquads", folder)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["store"]


def test_named_graphs_come_before_blank_node_graphs(tmp_path: Path) -> None:
    text = '<http://example.org/a> <http://example.org/p> "in a blank graph" _:g .\n'
    text += '<http://example.org/a> <http://example.org/p> "in a named graph" <http://example.org/z> .\n'
    store = filled(tmp_path / "s", text)
    assert serialize(store, "nquads").decode() == (
        '<http://example.org/a> <http://example.org/p> "in a named graph" <http://example.org/z> .\n'
        '<http://example.org/a> <http://example.org/p> "in a blank graph" _:c14n0 .\n'
    )


def test_a_failed_swap_puts_the_old_split_back(
    small: EmbeddedStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "split"
    export_split(small, "nquads", folder)
    before = {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    real_rename = os.rename

    def rename(source: object, target: object) -> None:
        if str(source).endswith(".tmp"):  # the new export taking the folder's place
            raise OSError(errno.EIO, "Input/output error")
        real_rename(source, target)  # type: ignore[arg-type]

    monkeypatch.setattr(ex.os, "rename", rename)
    with pytest.raises(OutputError) as caught:
        export_split(small, "nquads", folder)
    assert str(caught.value) == (
        f"writing {folder} failed: Input/output error; nothing was written (free some space, or write elsewhere)"
    )
    assert {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()} == before
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.endswith(".old")) == ["split", "store"]
