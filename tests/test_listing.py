"""Finding one's way around: kg ls, kg stats, kg query's readable output, parameters by name."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.cli import main
from kg.errors import QueryError
from kg.ingest.pipeline import ingest
from kg.read.listing import listing, statistics
from kg.read.names import RegistryNames
from kg.read.queries import find_query, render
from kg.store import EmbeddedStore
from kg.terms import ACTOR
from kg.vocabulary import concepts


def test_ls_lists_what_the_store_holds(seed_store: EmbeddedStore, capsys: pytest.CaptureFixture[str]) -> None:
    actors = listing(seed_store, "actors")
    assert actors.variables == ["slug", "label", "typeLabel", "positions", "statements", "alsoCalled"]
    rows = {r[0].value: [v.value if v is not None else "" for v in r[1:]] for r in actors.rows if r[0]}
    assert rows["uk"][:4] == ["United Kingdom", "state", "5", "1"]
    assert rows["germany"] == ["Germany", "state", "4", "1", "Federal Republic of Germany"]
    assert rows["johann-wadephul"][:4] == ["Johann Wadephul", "person", "0", "1"]
    assert len(rows) == 30  # the seed registry and the actors of the constructed examples
    store = str(seed_store.location)
    assert main(["ls", "articles", "--store", store]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].split() == ["sourceId", "published", "outletLabel", "headline", "statements", "positions"]
    assert " ".join(out[2].split()) == (
        "4b2d17f57ebafa46 2026-03-02T23:36:00 Al Mayadeen NATO Rules Out Role in Iran War as Tensions Rise 8 11"
    )
    assert main(["ls", "communications", "--format", "csv", "--store", store]) == 0
    communications = capsys.readouterr().out.splitlines()
    assert len(communications) == 1 + 8
    assert any(
        line.startswith("Johann Wadephul,German federal government,interview,2026-03-02,") for line in communications
    )
    assert main(["ls", "actions", "--store", store]) == 0
    assert "US and Israeli strikes on Iran" in capsys.readouterr().out


def test_stats_summarises_the_store(seed_store: EmbeddedStore, capsys: pytest.CaptureFixture[str]) -> None:
    figures = dict(statistics(seed_store))
    assert figures["articles"] == "1" and figures["positions"] == "11"
    assert figures["conditional positions"] == "9 (82%)"
    assert figures["statements"] == "8" and figures["conditions"] == "21" and figures["evidence spans"] == "28"
    assert figures["published"] == "2026-03-02 to 2026-03-02"
    assert figures["search index"].endswith("search.sqlite (current)")
    assert main(["stats", "--format", "json", "--store", str(seed_store.location)]) == 0
    assert '"actors holding positions": "5"' in capsys.readouterr().out


def test_stats_of_an_empty_store(store: EmbeddedStore) -> None:
    figures = dict(statistics(store))
    assert figures["articles"] == "0" and figures["conditional positions"] == "0" and figures["published"] == "–"


def test_grouped_answer_one_block_per_position(seed_store: EmbeddedStore) -> None:
    query = find_query("conditional-positions")
    names = {"actors": RegistryNames.read(seed_store)}
    result = seed_store.select(query.text, query.bindings({"holder": "Germany"}, names))
    articles = {
        "4b2d17f57ebafa46": {"headline": "NATO Rules Out Role", "outlet": "Al Mayadeen", "published": "2026-03-02"}
    }
    text = render(result, "grouped", width=80, articles=articles)
    blocks = text.split("\n\n")
    assert blocks[0].splitlines() == [
        "Germany — refuses participation — Germany taking part in military operations",
        "  against Iran",
        "  conditionTypeLabel: exception",
        "  conditionValues: position: Bundeswehr soldiers abroad defending themselves if",
        "      attacked",
        "  conditionText: Bundeswehr soldiers would defend themselves if attacked",
        "  quotes: our Bundeswehr soldiers would defend themselves if they were attacked",
        "      [2520,2589)",
        "  article: NATO Rules Out Role (Al Mayadeen, 2026-03-02)",
        "  (article:4b2d17f57ebafa46/position/de-refuses-participation)",
    ]
    # a condition's type, text and quote stay together
    assert "  - conditionTypeLabel: trigger\n    conditionValues: armed attack on own forces\n" in blocks[1]
    assert text.endswith("(4 positions, 8 rows)\n")
    assert all(len(line) <= 80 for line in text.splitlines())


def test_table_wraps_wide_cells_instead_of_cutting_them(seed_store: EmbeddedStore) -> None:
    query = find_query("conditional-positions")
    result = seed_store.select(query.text, query.bindings({"holder": "uk"}))
    text = render(result, "table", width=160)
    assert all(len(line) <= 160 for line in text.splitlines())
    lines = text.splitlines()
    spans = [m.span() for m in re.finditer(r"-+", lines[lines.index(next(x for x in lines if x.startswith("---")))])]
    header = [line for line in lines if not line.startswith("---")]
    column = next(i for i, (a, b) in enumerate(spans) if "conditionText"[: b - a] in lines[0][a:b])
    a, b = spans[column]
    joined = " ".join(" ".join(line[a:b].split()) for line in header)
    # the whole condition text is there, wrapped over several lines of its column
    assert 'only for what the UK describes as defensive strikes, a "defensive measure"' in joined
    assert text.endswith("(10 rows)\n")
    unwrapped = render(result, "table")  # a pipe: columns wrap at 60 characters
    assert all(len(cell.strip()) <= 60 for line in unwrapped.splitlines()[2:-1] for cell in line.split("  "))


def test_parameters_take_labels_and_other_names(seed_store: EmbeddedStore) -> None:
    names = {"actors": RegistryNames.read(seed_store)}
    query = find_query("conditional-positions")
    for text in ("uk", "United Kingdom", "britain", "United Kingdom of Great Britain and Northern Ireland"):
        assert query.bindings({"holder": text}, names) == {"holder": ox.NamedNode(str(ACTOR.uk))}
    with pytest.raises(
        QueryError, match=r"parameter holder: no actor 'germny' in the registry; did you mean germany\?"
    ):
        query.bindings({"holder": "germny"}, names)
    with pytest.raises(
        QueryError, match=r"parameter holder: 'Not A Slug' is not a valid slug .* nor a name in the registry"
    ):
        query.bindings({"holder": "Not A Slug"}, names)
    # 'any' clears a default
    quotes = find_query("verbatim-quotes")
    assert set(quotes.bindings({})) == {"kind"} and quotes.bindings({"kind": "any"}) == {}


def test_an_ambiguous_name_lists_the_candidates() -> None:
    names = RegistryNames(
        "actors",
        labels={"uk": "United Kingdom", "uk-government": "UK government"},
        by_name={"britain": {"uk", "uk-government"}, "uk": {"uk"}, "uk-government": {"uk-government"}},
    )
    with pytest.raises(
        QueryError,
        match=r"actor 'Britain' is ambiguous: it names uk \(United Kingdom\), uk-government \(UK government\)",
    ):
        names.resolve("Britain")


def test_query_cli_by_label_and_list_of_allowed_values(
    seed_store: EmbeddedStore, capsys: pytest.CaptureFixture[str]
) -> None:
    store = str(seed_store.location)
    assert (
        main(["query", "conditional-positions", "--param", "holder=Germany", "--format", "grouped", "--store", store])
        == 0
    )
    out = capsys.readouterr().out
    assert out.startswith("Germany — refuses participation — Germany taking part in military operations against Iran")
    assert "article: NATO Rules Out Role in Iran War as Tensions Rise (Al Mayadeen, 2026-03-02)" in out
    assert main(["query", "verbatim-quotes", "--param", "kind=any", "--format", "csv", "--store", store]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 1 + 28
    assert main(["query", "--list"]) == 0
    listed = capsys.readouterr().out
    assert "    --param kind=… (default direct-quote; 'any' clears it)" in listed
    assert "        values: one of " + ", ".join(concepts("evidence-kind")) in listed
    assert {"context", "direct-quote", "journalist-summary", "paraphrase"} <= set(concepts("evidence-kind"))
    assert "        values: a slug, label or other name of actors ('kg ls actors' lists them)" in listed


def test_ls_articles_gives_one_row_per_article_without_a_context(tmp_path: Path, store: EmbeddedStore) -> None:
    """Generated articles have no context: query 30 once joined each with every labelled resource."""
    corpus = tmp_path / "corpus"
    generate = Path(__file__).resolve().parent.parent / "bench" / "generate.py"
    subprocess.run([sys.executable, str(generate), "--articles", "12", "--out", str(corpus)], check=True)
    for path in corpus.glob("articles/*/*"):  # keep 0 (with a context), 10 and 11 (none, with seed 1)
        if path.name[:6] not in {"000000", "000010", "000011"}:
            path.unlink()
    with store:
        assert [o.status for o in ingest([corpus], store).outcomes] == ["stored"] * 3
        result = store.select(find_query("articles").text)
    rows = [{v: t.value if t else None for v, t in zip(result.variables, row, strict=True)} for row in result.rows]
    assert len(rows) == 3 and len({r["sourceId"] for r in rows}) == 3
    without = [r for r in rows if r["context"] is None]
    assert without and all(r["contextLabel"] is None for r in without)
    assert all(int(r["positions"] or 0) > 0 for r in rows)


def test_has_slug_agrees_with_the_names_read(seed_store: EmbeddedStore) -> None:
    # kg query skips reading every registry name when the value is a slug the registry has.
    for section in ("actors", "places", "events"):
        names = RegistryNames.read(seed_store, section)
        for slug in names.labels:
            assert RegistryNames.has_slug(seed_store, section, slug), (section, slug)
    assert not RegistryNames.has_slug(seed_store, "actors", "britain")  # another name of uk, not a slug
    assert not RegistryNames.has_slug(seed_store, "actors", "no-such-actor")
    assert not RegistryNames.has_slug(seed_store, "places", "germany")  # an actor, not a place
