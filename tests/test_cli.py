"""The kg command as a user runs it: a real subprocess, real store folder, real exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import CORPUS, SEED_ID

from kg import __version__


def kg(*args: str, store: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    if store is not None:
        env["KG_STORE"] = str(store)
    return subprocess.run(
        [sys.executable, "-m", "kg.cli", *args], capture_output=True, text=True, env=env, timeout=300, check=False
    )


@pytest.fixture(scope="module")
def cli_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    store = tmp_path_factory.mktemp("cli") / "store"
    done = kg("ingest", str(CORPUS), store=store)
    assert done.returncode == 0, done.stderr
    assert f"stored   {CORPUS / '000_4b2d17f57ebafa46.yaml'}  ({SEED_ID}," in done.stderr
    assert "6 stored, 0 invalid, 0 with input errors" in done.stderr
    assert done.stdout == ""  # logs go to stderr, never stdout
    return store


def test_version() -> None:
    done = kg("--version")
    assert done.returncode == 0 and done.stdout.strip() == f"kg {__version__}"


@pytest.mark.parametrize("command", ["ingest", "validate", "query", "export", "load", "serve", "schema"])
def test_every_subcommand_has_help(command: str) -> None:
    done = kg(command, "--help")
    assert done.returncode == 0
    assert f"usage: kg {command}" in done.stdout
    if command != "schema":
        assert "exit codes: 0" in done.stdout


def test_no_command_is_a_usage_error() -> None:
    assert kg().returncode == 2


def test_validate_conforms(cli_store: Path) -> None:
    done = kg("validate", store=cli_store)
    assert done.returncode == 0, done.stdout
    assert "0 violation(s)" in done.stdout
    as_json = json.loads(kg("validate", "--format", "json", store=cli_store).stdout)
    assert as_json["conforms"] is True and as_json["violations"] == 0
    assert [g["group"] for g in as_json["groups"]] == [SEED_ID] or SEED_ID in [g["group"] for g in as_json["groups"]]
    assert "sh:conforms true" in kg("validate", "--format", "turtle", store=cli_store).stdout


def test_validate_unknown_article_is_a_usage_error(cli_store: Path) -> None:
    done = kg("validate", "--article", "nope", store=cli_store)
    assert done.returncode == 2
    assert f"kg validate: --article: article(s) not in the store {cli_store}: nope" in done.stderr
    assert "-> give source ids as 'kg ls' lists them; nothing was validated" in done.stderr


def test_validate_without_a_store(tmp_path: Path) -> None:
    done = kg("validate", store=tmp_path / "none")
    assert done.returncode == 3 and "run 'kg ingest' first" in done.stderr


def test_query_json_is_sparql_results_json(cli_store: Path) -> None:
    done = kg("query", "conditional-positions", "--format", "json", "--param", "holder=uk", store=cli_store)
    assert done.returncode == 0, done.stderr
    results = json.loads(done.stdout)
    assert set(results) == {"head", "results"}
    holders = {b["holder"]["value"] for b in results["results"]["bindings"]}
    assert holders == {"https://w3id.org/positions-kg/id/actor/uk"}


def test_query_errors_are_usage_errors(cli_store: Path) -> None:
    unknown = kg("query", "no-such-query", store=cli_store)
    assert unknown.returncode == 2 and "no query named 'no-such-query'" in unknown.stderr
    bad_param = kg("query", "conditional-positions", "--param", "holder=Not A Slug", store=cli_store)
    assert bad_param.returncode == 2 and "parameter holder: 'Not A Slug' is not a valid slug" in bad_param.stderr
    no_param = kg("query", "conditional-positions", "--param", "nope=1", store=cli_store)
    assert no_param.returncode == 2 and "has no parameter 'nope'" in no_param.stderr


def test_query_list_names_every_shipped_query(cli_store: Path) -> None:
    done = kg("query", "--list", store=cli_store)
    assert done.returncode == 0
    assert "conditional-positions" in done.stdout


def test_an_invalid_article_is_not_stored_and_the_valid_one_is(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name in ("registry.yaml", "corpus.yaml", "000_4b2d17f57ebafa46.yaml", "000_4b2d17f57ebafa46.txt"):
        (corpus / name).write_bytes((CORPUS / name).read_bytes())
    seed = (CORPUS / "000_4b2d17f57ebafa46.yaml").read_text(encoding="utf-8")
    # Same text, another source id, and the first statement dated after publication.
    late = seed.replace(f"source_id: {SEED_ID}", "source_id: late-copy").replace(
        "stated_on: 2026-03-02", "stated_on: 2026-03-05", 1
    )
    (corpus / "late.yaml").write_text(late, encoding="utf-8")
    store = tmp_path / "store"
    done = kg("ingest", str(corpus), store=store)
    assert done.returncode == 1, done.stderr
    assert f"INVALID  {corpus / 'late.yaml'}  (late-copy: SHACL violations above; not stored)" in done.stderr
    assert f"stored   {corpus / '000_4b2d17f57ebafa46.yaml'}" in done.stderr
    assert "is dated 2026-03-05, after the article was published" in done.stderr
    assert "article:late-copy/statement/rutte-ard" in done.stderr
    assert "1 stored, 1 invalid, 0 with input errors" in done.stderr
    listed = kg("validate", "--format", "json", store=store)
    assert [g["group"] for g in json.loads(listed.stdout)["groups"]] == [SEED_ID]
