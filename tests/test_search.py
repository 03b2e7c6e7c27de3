"""kg search: the full-text index (kg/textindex.py) and what a hit answers (kg/read/search.py)."""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
from pathlib import Path

import pytest
from conftest import CORPUS, SEED

from kg import textindex
from kg.cli import main
from kg.errors import QueryError
from kg.ingest.pipeline import ingest
from kg.read.search import ArticleRef, SearchHit, render_hits_html, render_hits_text, search
from kg.store import EmbeddedStore
from kg.textindex import INDEX_FILE, BatchIndex, IndexedPosition, fold, rebuild_index, search_entries, search_terms

UK_BASING = "https://w3id.org/positions-kg/id/article/4b2d17f57ebafa46/position/uk-authorises-basing"


def test_defensive_strikes_answers_with_the_uk_basing_position_its_conditions_and_evidence(
    seed_store: EmbeddedStore,
) -> None:
    hits = search(seed_store, "defensive strikes")
    assert [(h.kind, h.text) for h in hits] == [
        ("condition", 'only for what the UK describes as defensive strikes, a "defensive measure"'),
        (
            "quote",
            "has authorized the use of its military bases for what it described as defensive strikes "
            "targeting Iranian missile stockpiles",
        ),
    ]
    condition, quote = hits
    assert condition.condition_types == ("purpose",)
    assert [p.iri for p in condition.positions] == [UK_BASING]
    basing = condition.positions[0]
    assert basing.holders == [["uk", "United Kingdom"]]
    assert (basing.stance, basing.polarity) == ("authorises", "positive")
    assert basing.action == "US forces' use of British bases for strikes on Iranian missile sites"
    assert sorted(basing.conditions) == [
        ["purpose", 'only for what the UK describes as defensive strikes, a "defensive measure"'],
        ["target scope", "Iranian missile sites and missile stockpiles"],
    ]
    assert condition.quotes and "defensive measure" in condition.quotes
    assert quote.speaker == "UK government" and quote.evidence_kind == "paraphrase"
    assert quote.span == (1483, 1607)
    assert UK_BASING in {p.iri for p in quote.positions}
    assert quote.article == ArticleRef(
        "4b2d17f57ebafa46", "NATO Rules Out Role in Iran War as Tensions Rise", "Al Mayadeen", "2026-03-02"
    )


def test_accents_and_case_are_folded_and_words_match_their_beginnings(seed_store: EmbeddedStore) -> None:
    assert fold("DÉFENSE Défense défense") == "defense defense defense"
    assert fold("مُحَمَّد") == "محمد"  # Arabic harakat are marks too
    plain = [(h.kind, h.text) for h in search(seed_store, "defense")]
    assert [(h.kind, h.text) for h in search(seed_store, "DÉFENSE")] == plain
    assert ("quote", "self-defense") in plain
    # "resourc" begins "resources": Wadephul's quote and the capability limitation
    assert {h.text for h in search(seed_store, "resourc")} == {
        "we also do not have the necessary military resources",
        "lacks the necessary military resources (to engage in offensive action)",
    }


def test_actor_and_kind_narrow_the_hits(seed_store: EmbeddedStore) -> None:
    german = search(seed_store, "resources", actor="Germany")  # a label works as well as the slug
    assert german and all(any(h[0] == "germany" for p in hit.positions for h in p.holders) for hit in german)
    assert search(seed_store, "resources", actor="uk") == []
    quotes = search(seed_store, "defensive", kind="quote")
    assert quotes and {h.kind for h in quotes} == {"quote"}
    labels = search(seed_store, "Federal Republic", kind="label")
    assert [h.text for h in labels] == ["Federal Republic of Germany"]
    assert [h.text for h in search(seed_store, "tensions rise", kind="headline")] == [
        "NATO Rules Out Role in Iran War as Tensions Rise"
    ]


def test_bad_searches_are_refused_with_what_to_do(seed_store: EmbeddedStore) -> None:
    with pytest.raises(QueryError, match=r"has only stop words; add a word that carries meaning"):
        search(seed_store, "the of and")
    with pytest.raises(QueryError, match=r"is 10,000 characters long; search for at most 500 characters"):
        search(seed_store, "a" * 10_000)
    with pytest.raises(QueryError, match=r"no actor 'germny' in the registry; did you mean germany\?"):
        search(seed_store, "defensive", actor="germny")
    with pytest.raises(QueryError, match=r"unknown kind 'speech'"):
        search(seed_store, "defensive", kind="speech")
    assert search_terms('"defensive" OR strikes* NEAR(') == ["defensive", "strikes", "near"]  # no FTS syntax


def test_cli_search_exit_codes_and_formats(seed_store: EmbeddedStore, capsys: pytest.CaptureFixture[str]) -> None:
    store = str(seed_store.location)
    assert main(["search", "defensive strikes", "--store", store]) == 0
    out = capsys.readouterr().out
    assert out.startswith("1. [condition] “only for what the UK describes as defensive strikes")
    assert "position: United Kingdom: authorises — US forces' use of British bases" in out
    assert "(2 hits)" in out
    assert main(["search", "defensive strikes", "--format", "json", "--store", store]) == 0
    answer = json.loads(capsys.readouterr().out)
    assert answer[0]["positions"][0]["iri"] == UK_BASING
    assert main(["search", "the and of", "--store", store]) == 2
    assert "has only stop words" in capsys.readouterr().err
    assert main(["search", "x" * 10_000, "--store", store]) == 2


def test_the_index_follows_re_ingest_and_is_rebuilt_when_missing(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    location = tmp_path / "store"
    with EmbeddedStore(location) as store:
        ingest([corpus], store)
        assert [h.kind for h in search(store, "defensive measure", kind="condition")] == ["condition"]
        annotation = corpus / SEED.name
        annotation.write_text(
            annotation.read_text(encoding="utf-8").replace(
                'text: only for what the UK describes as defensive strikes, a "defensive measure"',
                "text: only for what the UK calls protective strikes",
            ),
            encoding="utf-8",
        )
        ingest([corpus], store)
        assert search(store, "defensive measure", kind="condition") == []
        assert [h.text for h in search(store, "protective", kind="condition")] == [
            "only for what the UK calls protective strikes"
        ]
        # one entry per text, not one per ingest
        assert len(search(store, "Federal Republic", kind="label")) == 1
        (location / INDEX_FILE).unlink()
        assert [h.text for h in search(store, "protective", kind="condition")] == [
            "only for what the UK calls protective strikes"
        ]


def test_markup_in_hits_and_search_text_is_escaped() -> None:
    position = IndexedPosition(
        "urn:x", [["x", "<script>alert(1)</script>"]], "<b>refuses</b>", "negative", "<img src=x onerror=y>", []
    )
    hit = SearchHit(
        "quote", 'said "<script>alert(2)</script>" & more', 0.0, ArticleRef("a", "<i>head</i>"), (position,)
    )
    page = render_hits_html([hit], "<script>alert")
    assert "<script>" not in page and "<img" not in page and "<i>" not in page
    assert "&lt;<mark>script</mark>&gt;<mark>alert</mark>(2)&lt;/<mark>script</mark>&gt;" in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;: &lt;b&gt;refuses&lt;/b&gt;" in page
    empty = render_hits_html([], "<script>x")
    assert "<script>" not in empty and "&lt;script&gt;x" in empty
    assert render_hits_text([], "nothing") == "no match for 'nothing'\n"


def _index_rows(location: Path) -> dict[str, list[tuple]]:
    with sqlite3.connect(location / INDEX_FILE) as db:
        tables = {t: sorted(db.execute(f"SELECT * FROM {t}").fetchall()) for t in ("articles", "positions", "meta")}
        tables["entries"] = sorted(db.execute("SELECT body, kind, article, actors, detail FROM entries").fetchall())
        tables["fts"] = sorted(db.execute("SELECT e.body FROM entries_fts f JOIN entries e ON e.id = f.rowid"))
    return tables


def _unindexed(location: Path) -> list[int]:
    """Entries the full-text index does not find by a word of their own: reading entries_fts reads
    the entries table (external content), so only a MATCH shows what was indexed."""
    missing = []
    with sqlite3.connect(location / INDEX_FILE) as db:
        for entry, body in db.execute("SELECT id, body FROM entries"):
            word = re.findall(r"\w+", body)[0]
            query = "SELECT count(*) FROM entries_fts WHERE entries_fts MATCH ? AND rowid = ?"
            if db.execute(query, (f'"{word}"', entry)).fetchone() != (1,):
                missing.append(entry)
    return missing


@pytest.mark.parametrize("workers", [1, 2])
def test_the_rows_the_workers_make_are_those_the_store_gives(
    generated_store: EmbeddedStore, tmp_path: Path, workers: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ingest makes the index rows in its workers, from each batch's graphs (kg.textindex.BatchIndex);
    the index is the same, row for row, as one made from the whole store afterwards, and as one
    made from the store when the workers' rows are missing (the fallback)."""
    corpus = Path(generated_store.location).parent / "corpus"
    made = tmp_path / "made"
    with EmbeddedStore(made) as store:
        ingest([corpus], store, batch_size=7, workers=workers)
    rebuilt = tmp_path / "rebuilt"
    shutil.copytree(made, rebuilt)
    with EmbeddedStore(rebuilt) as store:
        rebuild_index(store)
    monkeypatch.setattr(BatchIndex, "rows", lambda *_: (_ for _ in ()).throw(RuntimeError("no rows")))
    fallback = tmp_path / "fallback"
    with EmbeddedStore(fallback) as store:
        ingest([corpus], store, batch_size=7, workers=1)
    assert _index_rows(made) == _index_rows(rebuilt) == _index_rows(fallback)
    assert len(_index_rows(made)["articles"]) == 30
    assert _unindexed(made) == _unindexed(rebuilt) == _unindexed(fallback) == []


def _predicate(term: object, found: set[str]) -> None:
    """A triple pattern's predicate: an IRI, or a property path of IRIs (a variable fails)."""
    from rdflib.paths import Path as PropertyPath
    from rdflib.term import URIRef

    if isinstance(term, URIRef):
        found.add(f"<{term}>")
    elif isinstance(term, PropertyPath):
        for part in (*getattr(term, "args", ()), getattr(term, "arg", None), getattr(term, "path", None)):
            if part is not None:
                _predicate(part, found)
    else:
        raise AssertionError(f"the predicate {term!r} reads every triple")


def _predicates(node: object, found: set[str]) -> set[str]:
    """The predicates of the triple patterns in a SPARQL algebra."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "triples":
                for _, predicate, _ in value:
                    _predicate(predicate, found)
            else:
                _predicates(value, found)
    elif isinstance(node, list | tuple):
        for item in node:
            _predicates(item, found)
    return found


def test_the_workers_scratch_store_holds_every_predicate_the_index_queries_read() -> None:
    """BatchIndex loads only the triples of INDEX_PREDICATES: the list is exactly the predicates of
    the queries index_rows runs (read from their algebra), none of which has a variable predicate."""
    from rdflib.plugins.sparql import prepareQuery

    class Recording:
        def __init__(self) -> None:
            self.queries: list[str] = []

        def select_values(self, query: str) -> tuple[list[str], list[tuple[str | None, ...]]]:
            self.queries.append(query)
            return [], []

    store = Recording()
    textindex.index_rows(store, ["an-article"], {"an-article": Path("an-article.yaml")})
    assert len(store.queries) == 7
    found: set[str] = set()
    for query in store.queries:
        _predicates(prepareQuery(query).algebra, found)
    assert found == textindex.INDEX_PREDICATES
    assert {"<http://www.w3.org/ns/oa#exact>", "<https://schema.org/publisher>"} <= found


def test_the_best_hits_are_cut_inside_the_full_text_table_without_changing_them(
    generated_store: EmbeddedStore,
) -> None:
    """Unfiltered searches rank and cut in FTS5 before joining; the hits and their order must be
    those of ranking every match (the form the filtered searches keep)."""
    every = (
        "SELECT e.id, bm25(entries_fts) AS score FROM entries_fts JOIN entries e ON e.id = entries_fts.rowid "
        "WHERE entries_fts MATCH ? ORDER BY score, e.id LIMIT ?"
    )
    db = sqlite3.connect(generated_store.location / INDEX_FILE)
    try:
        compared = 0
        for text in ("missile", "defensive strikes", "attack", "bases", "allies of", "forces"):
            terms = search_terms(text)
            match = " ".join(f'"{t}"*' for t in terms)
            for limit in (1, 7, 50):
                expected = [(r[0], r[1]) for r in db.execute(every, [match, limit])]
                got = [(e.rowid, e.score) for e in search_entries(generated_store.location, terms, limit=limit)]
                assert got == expected, (text, limit)
                compared += len(expected)
    finally:
        db.close()
    assert compared > 100
