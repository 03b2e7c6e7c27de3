"""Hostile and careless inputs: bounded YAML, one bad file not sinking the batch, line endings, and no
traceback from any ``kg`` subcommand whatever it is given."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml
from conftest import CORPUS, REPO, SEED, SEED_ID

from kg.cli import main
from kg.store import EmbeddedStore
from kg.terms import article_graph as article_graph_iri

#: Nine levels of anchors, each aliasing the previous level nine times (the issue's 22.9 GB case).
ALIAS_BOMB = 'a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]\n' + "".join(
    f"{level}: &{level} [{', '.join([f'*{previous}'] * 9)}]\n"
    for previous, level in zip("abcdefgh", "bcdefghi", strict=True)
)


@pytest.fixture()
def corpus(tmp_path: Path) -> Path:
    # The seed with the registry and the corpus-level file it references (not the other examples).
    target = tmp_path / "corpus"
    target.mkdir()
    for name in ("registry.yaml", "corpus.yaml", SEED.name, SEED.with_suffix(".txt").name):
        shutil.copy(CORPUS / name, target / name)
    return target


def seed_copy(corpus: Path, name: str, source_id: str, edit: tuple[str, str] | None = None) -> Path:
    """A second article: the seed under another source id (its text shared), optionally edited."""
    text = SEED.read_text(encoding="utf-8").replace(f"source_id: {SEED_ID}", f"source_id: {source_id}")
    if edit:
        assert edit[0] in text
        text = text.replace(*edit)
    path = corpus / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def ingest(corpus: Path, store: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(["ingest", str(corpus), "--store", str(store), "--workers", "1"])
    return code, capsys.readouterr().err


def article_graphs(store: Path) -> list[str]:
    with EmbeddedStore(store) as opened:
        return sorted(str(g) for g in opened.named_graphs() if "/article/" in str(g))


def article_iri(source_id: str) -> str:
    return str(article_graph_iri(source_id))


# -- bounded YAML ------------------------------------------------------------------------------


def test_the_alias_bomb_fails_fast_in_little_memory(tmp_path: Path) -> None:
    """Nine levels of aliases (490 million values expanded) are refused after the budget of values is
    spent: the check runs under a 600 MiB address-space limit, which an expansion would exceed."""
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text(ALIAS_BOMB, encoding="utf-8")
    script = textwrap.dedent(
        f"""
        import resource
        resource.setrlimit(resource.RLIMIT_AS, (600 * 2**20, 600 * 2**20))
        from pathlib import Path
        from kg.errors import InputError
        from kg.ingest.yamlfile import load_yaml
        try:
            load_yaml(Path({str(bomb)!r}), "annotation")
        except InputError as err:
            print(err)
        """
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, cwd=REPO)
    assert done.returncode == 0, done.stderr
    assert "bomb.yaml:1: more than 35000 YAML values, aliases (*name) counted each time they are used" in done.stdout
    assert "or raise the limit: KG_MAX_YAML_VALUES=70000" in done.stdout


def test_the_alias_bomb_in_an_article_is_its_input_error(
    corpus: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (corpus / "001_bomb.yaml").write_text(ALIAS_BOMB, encoding="utf-8")
    code, err = ingest(corpus, tmp_path / "store", capsys)
    assert code == 2
    assert "001_bomb.yaml:1: more than 35000 YAML values" in err
    assert "1 stored, 0 invalid, 1 with input errors" in err


def test_a_few_aliases_within_the_budget_are_expanded(tmp_path: Path) -> None:
    from kg.ingest.yamlfile import load_yaml

    path = tmp_path / "ok.yaml"
    path.write_text("a: &x [1, 2]\nb: *x\nc: *x\n", encoding="utf-8")
    assert load_yaml(path, "annotation").data == {"a": [1, 2], "b": [1, 2], "c": [1, 2]}


def test_the_data_and_lines_are_those_pyyaml_gives(tmp_path: Path) -> None:
    """load_yaml makes the data in the walk that records the lines: the same data as PyYAML's own
    constructor (shared aliases, other tags left to it, dates kept as text), every key's and item's line."""
    from kg.ingest.yamlfile import _Loader, load_yaml

    text = textwrap.dedent(
        """\
        article: &art
          source_id: s1
          published: 2026-03-02
          count: 3
          ratio: 0.5
          flag: true
          none: null
          tags: [a, "b", 'c']
        again: *art
        items:
          - {x: 1, y: [1, {z: ~}]}
          - - nested
            - *art
        set: !!set {p, q}
        empty: {}
        quoted: "2026-03-02"
        """
    )
    path = tmp_path / "mixed.yaml"
    path.write_text(text, encoding="utf-8")
    document = load_yaml(path, "annotation")
    assert document.data == yaml.load(text, Loader=_Loader)  # the project's safe loader
    assert document.data["article"]["published"] == "2026-03-02"
    assert document.data["article"] is document.data["again"]  # an alias is shared, as PyYAML shares it
    assert document.data["set"] == {"p", "q"}  # !!set: made by PyYAML's constructor
    lines = document.lines
    assert (lines[("again",)], lines[("again", "tags", 2)], lines[("items", 0, "y", 1, "z")]) == (9, 8, 11)
    assert (lines[("items", 1, 1, "count")], lines[("set",)], lines[("quoted",)]) == (4, 14, 16)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a: &a [*a]\n", "ok.yaml:1: a[0]: an alias refers to a node that contains it (a recursive structure)"),
        ("a: &a {b: *a}\n", "ok.yaml:1: a.b: an alias refers to a node that contains it"),
        (
            "a: " + "[" * 200 + "]" * 200 + "\n",
            "ok.yaml:1: a" + "[0]" * 63 + ": its collections nest more than 64 levels deep",
        ),
        ("a: &a [" + "*a, " * 10 + "]\n", "ok.yaml:1: a[0]: an alias refers to a node that contains it"),
        ("a: 1\n\x07\n", "ok.yaml: malformed YAML"),
    ],
    ids=["recursive list", "recursive mapping", "deep nesting", "recursive, repeated", "control character"],
)
def test_unusable_yaml_structures(tmp_path: Path, text: str, expected: str) -> None:
    from kg.errors import InputError
    from kg.ingest.yamlfile import load_yaml

    path = tmp_path / "ok.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_yaml(path, "annotation")
    assert expected in str(caught.value)


def test_limits_name_themselves_and_how_to_raise_them(
    corpus: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    size = SEED.stat().st_size
    monkeypatch.setenv("KG_MAX_FILE_BYTES", str(size - 1))
    code, err = ingest(corpus, tmp_path / "store", capsys)
    assert code == 2
    assert f"{SEED.name}: the annotation file has {size} bytes, over the limit of {size - 1}" in err
    assert f"split the file, or raise the limit: KG_MAX_FILE_BYTES={(size - 1) * 2}" in err

    monkeypatch.setenv("KG_MAX_FILE_BYTES", "4000000")
    monkeypatch.setenv("KG_MAX_STATEMENTS", "3")
    monkeypatch.setenv("KG_MAX_EVIDENCE", "40")
    code, err = ingest(corpus, tmp_path / "store", capsys)
    assert code == 2
    statements_line = SEED.read_text(encoding="utf-8").splitlines().index("statements:") + 1
    assert f"{SEED.name}:{statements_line}: statements: the article has 8 statements, over the limit of 3" in err
    assert "split the article into several annotation files, or raise the limit: KG_MAX_STATEMENTS=8" in err
    assert f"{SEED.name}: the article has 50 evidence quotes, over the limit of 40" in err

    monkeypatch.setenv("KG_MAX_STATEMENTS", "many")
    code, err = ingest(corpus, tmp_path / "store", capsys)
    assert code == 2
    assert "$KG_MAX_STATEMENTS: expected a whole number of at least 1, got 'many'" in err
    assert "Traceback" not in err


# -- one bad file does not sink the batch ------------------------------------------------------


def test_broken_links_and_bad_text_paths_are_their_articles_errors(
    corpus: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (corpus / "dangling.yaml").symlink_to("nowhere.yaml")
    (corpus / "loop.yaml").symlink_to("loop.yaml")
    seed_copy(corpus, "001_sub", "aaaaaaaaaaaaaaaa", ("  text: ", "  text: sub/"))
    seed_copy(corpus, "002_up", "bbbbbbbbbbbbbbbb", ("  text: ", "  text: ../"))
    seed_copy(corpus, "003_good", "cccccccccccccccc")
    code, err = ingest(corpus, tmp_path / "store", capsys)
    assert code == 2
    text_line = (
        SEED.read_text(encoding="utf-8")
        .splitlines()
        .index(next(line for line in SEED.read_text(encoding="utf-8").splitlines() if line.startswith("  text: ")))
        + 1
    )
    assert (
        f"001_sub.yaml:{text_line}: article.text: 'sub/{SEED.with_suffix('.txt').name}' is not a file name "
        "in the annotation's folder" in err
    )
    assert f"002_up.yaml:{text_line}: article.text: '../" in err
    assert (
        "dangling.yaml: annotation file not found: it is a symbolic link to nowhere.yaml, which does not exist" in err
    )
    assert "loop.yaml: cannot read annotation file: a symbolic link that loops" in err
    assert "2 stored, 0 invalid, 4 with input errors" in err
    assert article_graphs(tmp_path / "store") == sorted([article_iri("cccccccccccccccc"), article_iri(SEED_ID)])


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_an_unreadable_file_is_its_articles_error(
    corpus: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    unreadable = seed_copy(corpus, "001_locked", "aaaaaaaaaaaaaaaa")
    unreadable.chmod(0)
    code, err = ingest(corpus, tmp_path / "store", capsys)
    assert code == 2
    assert "001_locked.yaml: cannot read annotation file: Permission denied" in err
    assert "1 stored, 0 invalid, 1 with input errors" in err


def test_a_folder_named_like_an_annotation_is_not_read(
    corpus: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (corpus / "folder.yaml").mkdir()
    code, err = ingest(corpus, tmp_path / "store", capsys)
    assert code == 0, err


# -- line endings ------------------------------------------------------------------------------


@pytest.mark.parametrize("newline", ["\r\n", "\r"], ids=["CRLF", "CR"])
def test_line_endings_give_the_same_offsets_and_hash(
    corpus: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], newline: str
) -> None:
    """The same article saved with CRLF or CR line endings gives exactly the article graph of LF."""
    code, err = ingest(corpus, tmp_path / "lf", capsys)
    assert code == 0, err
    text = SEED.with_suffix(".txt")
    assert "\r" not in text.read_text(encoding="utf-8") and text.read_text(encoding="utf-8").count("\n") > 10
    (corpus / text.name).write_bytes(text.read_bytes().replace(b"\n", newline.encode()))
    code, err = ingest(corpus, tmp_path / "other", capsys)
    assert code == 0, err

    def article_quads(store: Path) -> list[str]:
        with EmbeddedStore(store) as opened:
            return sorted(str(q) for q in opened.quads() if str(q.graph_name) == f"<{article_iri(SEED_ID)}>")

    lf, other = article_quads(tmp_path / "lf"), article_quads(tmp_path / "other")
    assert len(lf) > 700 and lf == other
    assert any("textSha256" in q for q in lf)


# -- no traceback, ever ------------------------------------------------------------------------


def _bad_invocations(tmp: Path, store: Path) -> list[tuple[str, list[str], int]]:
    """(name, argv, expected exit code) for every subcommand given something it cannot use."""
    unprojected = tmp / "unprojected.rq"
    unprojected.write_text("# Question: q\n#   ?who (actor): someone\nSELECT ?s WHERE { ?s ?p ?who }\n")
    unparsable = tmp / "unparsable.rq"
    unparsable.write_text("SELECT ?s WHERE { ?s \n")
    with_iri = tmp / "iri.rq"
    with_iri.write_text("# Question: q\n#   ?x (iri): an IRI\nSELECT ?x ?p WHERE { ?x ?p ?o }\n")
    not_utf8 = tmp / "latin1.rq"
    not_utf8.write_bytes(b"SELECT * WHERE { ?s ?p \xe9 }")
    bomb = tmp / "bomb.yaml"
    bomb.write_text(ALIAS_BOMB, encoding="utf-8")
    truncated = tmp / "truncated.json"
    truncated.write_text('{"x": [1, 2', encoding="utf-8")
    text, out = SEED.with_suffix(".txt"), str(tmp / "out.yaml")
    empty = tmp / "empty-store"
    missing = tmp / "no-such-store"
    closed = "http://127.0.0.1:9/query"  # the discard port: nothing listens there
    s = ["--store", str(store)]  # the seed store, opened read-only
    w = ["--store", str(tmp / "writable")]
    return [
        ("ingest: no such path", ["ingest", str(tmp / "nowhere"), *w], 2),
        ("ingest: a file that is not YAML", ["ingest", str(unparsable), *w], 2),
        ("ingest: bad --workers", ["ingest", str(CORPUS), "--workers", "0", *w], 2),
        ("ingest: registry is a folder", ["ingest", str(CORPUS), "--registry", str(tmp), *w], 2),
        ("ingest: store is a file", ["ingest", str(CORPUS), "--store", str(unparsable)], 3),
        ("validate: no store", ["validate", "--store", str(missing)], 3),
        # a usage error since kg validate --article checks the ids (tests/test_cli.py states it), as in export
        ("validate: unknown article", ["validate", "--article", "nope", *s], 2),
        ("query: unknown name", ["query", "no-such-query", *s], 2),
        ("query: no name", ["query", *s], 2),
        ("query: bad --param form", ["query", "who-said-what", "--param", "speaker", *s], 2),
        ("query: unknown parameter", ["query", "who-said-what", "--param", "x=1", *s], 2),
        ("query: bad slug", ["query", "who-said-what", "--param", "speaker=Not A Slug", *s], 2),
        ("query: invalid iri parameter", ["query", str(with_iri), "--param", "x=http://a b", *s], 2),
        ("query: iri parameter with <", ["query", str(with_iri), "--param", "x=http://a>", *s], 2),
        ("query: parameter not projected", ["query", str(unprojected), "--param", "who=nato", *s], 2),
        ("query: does not parse", ["query", str(unparsable), *s], 2),
        ("query: not UTF-8", ["query", str(not_utf8), *s], 2),
        ("query: no store", ["query", "who-said-what", "--store", str(missing)], 3),
        ("query: empty store folder", ["query", "who-said-what", "--store", str(empty)], 3),
        ("query: endpoint not http", ["query", "who-said-what", "--endpoint", "ftp://x/"], 2),
        ("query: endpoint with credentials", ["query", "who-said-what", "--endpoint", "http://u:p@127.0.0.1:9/"], 2),
        ("query: endpoint closed", ["query", "who-said-what", "--endpoint", closed, "--timeout", "2"], 3),
        ("query: bad timeout", ["query", "who-said-what", "--endpoint", closed, "--timeout", "-1"], 2),
        ("export: unknown article", ["export", "--article", "nope", *s], 2),
        ("export: into a missing folder", ["export", "-o", str(tmp / "no" / "such" / "out.ttl"), *s], 2),
        ("export: no store", ["export", "--store", str(missing)], 3),
        ("load: nowhere to load", ["load", "--endpoint", closed, *s], 2),
        ("load: endpoint closed", ["load", "--endpoint", closed, "--preset", "oxigraph", "--retries", "0", *s], 3),
        ("load: bad batch size", ["load", "--endpoint", closed, "--preset", "oxigraph", "--batch-size", "0", *s], 2),
        ("load: no store", ["load", "--endpoint", closed, "--preset", "oxigraph", "--store", str(missing)], 3),
        ("serve: no store", ["serve", "--port", "0", "--store", str(missing)], 3),
        ("schema: out is a file", ["schema", "--out", str(unparsable)], 2),
        ("search: no store", ["search", "nato", "--store", str(missing)], 3),
        ("search: only stop words", ["search", "a AND OR", *s], 2),
        ("report: into a missing folder", ["report", "-o", str(tmp / "no" / "such" / "r.html"), *s], 2),
        ("report: no store", ["report", "--store", str(missing)], 3),
        ("ls: no store", ["ls", "actors", "--store", str(missing)], 3),
        ("ls: unknown listing", ["ls", "nonsense", *s], 2),
        ("stats: no store", ["stats", "--store", str(missing)], 3),
        ("draft: no such text", ["draft", str(tmp / "missing.txt")], 2),
        ("draft: the registry is an alias bomb", ["draft", str(text), "--registry", str(bomb)], 2),
        ("export-review: no such file", ["export-review", str(tmp / "x.yaml"), "--format", "brat", "-o", out], 2),
        ("export-review: an alias bomb", ["export-review", str(bomb), "--format", "labelstudio", "-o", out], 2),
        ("import: truncated JSON", ["import", "labelstudio", str(truncated), "--article", str(text), "-o", out], 2),
        ("import: not brat", ["import", "brat", str(bomb), "--article", str(text), "-o", out], 2),
        ("import: not an INCEpTION export", ["import", "inception", str(bomb), "--article", str(text), "-o", out], 2),
        ("no command", [], 2),
        ("unknown option", ["query", "--no-such-option"], 2),
    ]


def test_no_subcommand_gives_a_traceback_on_bad_input(
    seed_store: EmbeddedStore, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every case ends in its documented exit code with a one-line reason: never a traceback, never
    exit 1 (which means SHACL violations) without violations."""
    monkeypatch.delenv("KG_DEBUG", raising=False)
    (tmp_path / "empty-store").mkdir()
    failures = []
    for name, argv, expected in _bad_invocations(tmp_path, Path(seed_store.location)):
        try:
            code = main(argv)
        except SystemExit as exit_:  # argparse's own usage errors
            code = exit_.code if isinstance(exit_.code, int) else 2
        err = capsys.readouterr().err
        if "Traceback" in err or code != expected or not err.strip():
            failures.append(f"{name}: exit {code} (expected {expected})\n{err}")
        elif code == 1 and "violation" not in err.lower():
            failures.append(f"{name}: exit 1 without violations\n{err}")
    assert not failures, "\n".join(failures)


def test_an_unforeseen_failure_is_one_line_and_exit_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import kg.cli

    def broken(_args: object) -> int:
        raise TypeError("something no check foresaw")

    args = kg.cli.build_parser().parse_args(["query", "x"])
    args.handler = broken
    monkeypatch.setattr(kg.cli, "build_parser", lambda: _FixedParser(args))
    monkeypatch.delenv("KG_DEBUG", raising=False)
    assert main(["query", "x"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: TypeError: something no check foresaw\n")
    assert "please report it (set KG_DEBUG=1 to see where it failed)" in err
    assert "Traceback" not in err


class _FixedParser:
    def __init__(self, args: object) -> None:
        self.args = args

    def parse_args(self, _argv: object) -> object:
        return self.args


# -- the registry's meaning --------------------------------------------------------------------

REGISTRY_TEXT = (CORPUS / "registry.yaml").read_text(encoding="utf-8")


def registry_line(needle: str, after: str = "") -> int:
    start = REGISTRY_TEXT.index(after) if after else 0
    return REGISTRY_TEXT[: REGISTRY_TEXT.index(needle, start)].count("\n") + 1


@pytest.mark.parametrize(
    ("edits", "expected"),
    [
        (
            [("    wikidata: Q7184\n", "    wikidata: Q7184\n    member_of: [nato]\n")],
            [
                f"registry.yaml:{registry_line('wikidata: Q7184') + 1}: actors[0].member_of[0]: 'nato' is listed as a member of itself"
            ],
        ),
        (
            [("    wikidata: Q7184\n", "    wikidata: Q7184\n    member_of: [uk]\n")],
            [
                f"registry.yaml:{registry_line('member_of: [nato]', 'id: uk') + 1}: actors[3].member_of[0]: ",  # a line added above
                "membership goes round in a circle: nato -> uk -> nato (each a member of the next)",
            ],
        ),
        (
            [("    wikidata: Q7184\n", "    wikidata: Q7184\n    members: [nato]\n")],
            ["actors[0].members[0]: 'nato' is listed as a member of itself"],
        ),
        (
            [("held_by: [mark-rutte]", "held_by: [germany]")],
            [
                f"registry.yaml:{registry_line('held_by: [mark-rutte]')}: posts[0].held_by[0]: the post "
                "'nato-secretary-general' is held by 'germany', a State, not a person"
            ],
        ),
        (
            [("post_in: nato", "post_in: mark-rutte")],
            [
                f"registry.yaml:{registry_line('post_in: nato')}: posts[0].post_in: the post "
                "'nato-secretary-general' belongs to 'mark-rutte', a Person"
            ],
        ),
        (
            [("wikidata: Q1065", "wikidata: Q7184")],
            [
                f"registry.yaml:{registry_line('wikidata: Q1065')}: actors[1].wikidata: Wikidata id Q7184 is also "
                f"that of 'nato' (line {registry_line('wikidata: Q7184')})",
                "merge the two, or correct the id",
            ],
        ),
    ],
    ids=[
        "self-membership",
        "membership cycle",
        "self-membership via members",
        "office held by a state",
        "office of a person",
        "duplicate Wikidata id",
    ],
)
def test_registry_meaning_is_checked(
    corpus: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], edits: list[tuple[str, str]], expected: list[str]
) -> None:
    text = REGISTRY_TEXT
    for old, new in edits:
        assert old in text
        text = text.replace(old, new, 1)
    (corpus / "registry.yaml").write_text(text, encoding="utf-8")
    code, err = ingest(corpus, tmp_path / "store", capsys)
    assert code == 2
    for fragment in expected:
        assert fragment in err, f"{fragment!r} not in:\n{err}"
    assert not (tmp_path / "store").exists() or article_graphs(tmp_path / "store") == []


def test_a_flood_of_findings_is_summarised_per_shape() -> None:
    from kg.shacl.report import Finding, Report, render_text

    def finding(shape: str, number: int) -> Finding:
        return Finding("Violation", f"ex:focus{number}", "gpo:stance", "", f"fix {shape}", shape)

    report = Report(
        by_group={"abc": [finding("shape:A", n) for n in range(25)] + [finding("shape:B", n) for n in range(3)]}
    )
    text = render_text(report, {"abc": "a.yaml"}, per_shape=10)
    assert text.count("fix shape:A") == 10 and text.count("fix shape:B") == 3
    assert "  ... and 15 more Violation(s) of shape:A (not shown)" in text
    assert text.endswith("28 violation(s), 0 warning(s) in 1 graph group(s).\n")
    assert render_text(report).count("fix shape:A") == 25


@pytest.mark.parametrize(
    ("old", "new"),
    [("- type: participation-modality\n", "- type: []\n"), ("values: [formal-participation]", "values: [[]]")],
    ids=["a list as condition type", "a list as condition value"],
)
def test_found_by_the_fuzz_lists_where_notations_go(
    corpus: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], old: str, new: str
) -> None:
    """bench/fuzz_loaders.py found these: a list where a notation goes crashed the notation check."""
    path = corpus / SEED.name
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    code, err = ingest(corpus, tmp_path / "store", capsys)
    assert code == 2
    assert "expected a string, got []" in err or "is not of type 'string'" in err or "unknown condition" in err, err
    assert "could not be checked" not in err and "Traceback" not in err
