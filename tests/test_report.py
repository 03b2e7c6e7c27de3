"""kg report: the page's content (from the named queries), its filters, bad input and chart files."""

from __future__ import annotations

import json
import re
import shutil
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
from conftest import CORPUS

from kg.cli import main
from kg.errors import QueryError
from kg.ingest.pipeline import ingest
from kg.read import report_charts, report_data
from kg.read.report import render_report, write_chart_files
from kg.read.report_data import collect, resolve_filters
from kg.store import EmbeddedStore


def page_data(page: str) -> dict:
    found = re.search(r"<script type='application/json' id='kg-data'>(.*?)</script>", page, re.S)
    assert found, "the page carries its data"
    return json.loads(found.group(1))


def layer_values(spec: dict, layer: int) -> list[dict]:
    """The data of one layer of an Altair chart (Altair names inline data sets by their hash)."""
    data = spec["layer"][layer].get("data") or spec["data"]
    return data["values"] if "values" in data else spec["datasets"][data["name"]]


def matrix_cells(page: str) -> dict[tuple[str, str], dict]:
    return {(c["holder"], c["action"]): c for c in page_data(page)["cells"]}


@pytest.fixture(scope="module")
def seed_page(seed_store: EmbeddedStore) -> str:
    return render_report(seed_store)


def test_the_matrix_holds_the_seed_cells(seed_page: str) -> None:
    cells = matrix_cells(seed_page)
    nato = cells[("NATO", "NATO taking part in military operations in the war against Iran")]
    assert (nato["stance"], nato["polarity"]) == ("refuses participation", "negative")
    basing = cells[("United Kingdom", "US forces' use of British bases for strikes on Iranian missile sites")]
    assert (basing["stance"], basing["polarity"], basing["badges"]) == ("authorises", "positive", "P TS")
    assert 'purpose: only for what the UK describes as defensive strikes, a "defensive measure"' in basing["conditions"]
    assert cells[("Mark Rutte", "US and Israeli strikes on Iran")]["stance"] == "praises"
    regret = next(c for (holder, _), c in cells.items() if holder == "France" and c["stance"].startswith("regrets"))
    assert regret["action"].startswith("Debate of the US-Israeli assault on Iran through multilateral institutions")
    assert len(cells) == 15  # 11 positions; the two joint E3 positions once for each of their 3 holders
    # the same cells in the page's table, with symbol and badge, escaped HTML
    assert re.search(r"<th scope='row'>NATO</th>.*?▼</span> <span class='kg-stance'>refuses participation", seed_page)
    assert " <span class='kg-badge' title='purpose'>P</span>" in seed_page


def test_the_evidence_of_a_cell_locates_each_quote_in_the_article_text(seed_page: str) -> None:
    data = page_data(seed_page)
    basing = data["positions"][
        "https://w3id.org/positions-kg/id/article/4b2d17f57ebafa46/position/uk-authorises-basing"
    ]
    assert [
        "purpose",
        "restriction",
        'only for what the UK describes as defensive strikes, a "defensive measure"',
    ] in basing["conditions"]
    measure = next(e for e in basing["evidence"] if e["quote"] == "defensive measure")
    assert measure | {"article": ""} == {
        "quote": "defensive measure",
        "start": 2740,
        "end": 2757,
        "kind": "direct quote",
        "speaker": "UK government",
        "capacity": "",
        "venue": "official statement",
        "date": "",
        "article": "",
    }
    text = data["articles"]["4b2d17f57ebafa46"]["text"]
    for evidence in basing["evidence"]:
        assert text[evidence["start"] : evidence["end"]] == evidence["quote"]
    rutte = data["positions"][
        "https://w3id.org/positions-kg/id/article/4b2d17f57ebafa46/position/nato-no-participation"
    ]
    said = {(e["quote"], e["speaker"], e["capacity"], e["venue"], e["date"]) for e in rutte["evidence"]}
    assert (
        "absolutely no plans whatever",
        "Mark Rutte",
        "Secretary General of NATO",
        "interview, ARD, Brussels",
        "2026-03-02",
    ) in said


def test_summary_timeline_and_tensions(seed_page: str) -> None:
    summary = dict(re.findall(r"<tr><th>([^<]*)</th><td>([^<]*)</td></tr>", seed_page))
    assert summary["Articles"] == "1" and summary["Outlets"] == "1" and summary["Positions"] == "11"
    assert summary["Actors holding positions"] == "5"
    assert summary["Conditional positions (with a restriction)"] == "9 (82%)"
    assert summary["Conditions"] == "21" and summary["Evidence spans"] == "28"
    assert summary["Publication dates"] == "2026-03-02 to 2026-03-02"
    assert summary["Validation"].startswith("every stored article conformed to the SHACL shapes")
    specs = page_data(seed_page)["specs"]
    assert set(specs) == {"matrix", "timeline", "tensions"}
    timeline = layer_values(specs["timeline"], -1)
    assert {(p["holder"], p["date"], p["stance"]) for p in timeline} >= {
        ("Germany", "2026-03-01", "ready to"),
        ("Germany", "2026-03-02", "refuses participation"),
    }
    assert "<td>United Kingdom</td><td>denies — UK participation in offensive operations against Iran</td>" in seed_page
    edges = {(e["from"], e["to"]) for e in layer_values(specs["tensions"], 0)}
    # NATO's own exception covers its members' individual conduct: no NATO edge (issue 12).
    assert ("Germany", "Germany") in edges and ("United Kingdom", "United Kingdom") in edges
    assert not any("NATO" in edge for edge in edges)


def test_the_page_requests_nothing(seed_page: str) -> None:
    assert "Content-Security-Policy" in seed_page and "default-src 'none'" in seed_page
    markup = re.sub(r"(<script[^>]*>).*?</script>", r"\1</script>", seed_page, flags=re.S)
    assert not re.search(r"<(link|img|iframe|object|embed)\b", markup)
    assert not re.search(r"\b(src|href)=", markup)
    assert "vegaEmbed" in seed_page  # the charting library is inline


def test_filters(seed_store: EmbeddedStore) -> None:
    nato = render_report(seed_store, actors=["North Atlantic Treaty Organization"])  # another name works
    assert {c["holder"] for c in page_data(nato)["cells"]} == {"NATO"}
    assert "Filters: actors: NATO" in nato
    early = render_report(seed_store, date_to=date(2026, 3, 1))
    # only the E3 joint statement of 1 March: its two positions, each held by the three governments
    early_cells = page_data(early)["cells"]
    assert {c["holder"] for c in early_cells} == {"United Kingdom", "Germany", "France"}
    assert len(early_cells) == 6 and all(len(c["positions"]) == 1 for c in early_cells)
    assert {p.rsplit("/", 1)[-1] for c in early_cells for p in c["positions"]} == {
        "e3-defend-interests",
        "e3-enable-defensive-action",
    }
    context = render_report(seed_store, context="us-israel-war-on-iran-2026")
    assert len(page_data(context)["cells"]) == 15
    none = render_report(seed_store, date_from=date(2027, 1, 1))
    assert "The store holds no positions that match these filters" in none
    assert page_data(none)["cells"] == []


def test_bad_filters_are_refused(seed_store: EmbeddedStore, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(QueryError, match=r"no actor 'germny' in the registry; did you mean germany\?"):
        render_report(seed_store, actors=["germny"])
    with pytest.raises(QueryError, match=r"context event 'iran-war'.*did you mean us-israel-war-on-iran-2026\?"):
        render_report(seed_store, context="iran-war")
    with pytest.raises(QueryError, match=r"wrong order: --from 2026-03-05 is after --to 2026-03-01"):
        render_report(seed_store, date_from=date(2026, 3, 5), date_to=date(2026, 3, 1))
    store = str(seed_store.location)
    assert main(["report", "--from", "2026-03-05", "--to", "2026-03-01", "--store", store]) == 2
    assert "wrong order" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["report", "--from", "5 March", "--store", store])
    assert "expected a date as YYYY-MM-DD, got '5 March'" in capsys.readouterr().err


def test_an_empty_store_gives_a_page_that_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    EmbeddedStore(tmp_path / "store").close()
    out = tmp_path / "empty.html"
    assert main(["report", "-o", str(out), "--store", str(tmp_path / "store")]) == 0
    page = out.read_text(encoding="utf-8")
    assert "The store holds no positions: nothing to chart." in page
    assert f"wrote {out}" in capsys.readouterr().err


def test_markup_in_labels_is_escaped(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    registry = corpus / "registry.yaml"
    registry.write_text(
        registry.read_text(encoding="utf-8").replace("label: France\n", "label: France <script>alert(1)</script>\n"),
        encoding="utf-8",
    )
    with EmbeddedStore(tmp_path / "store") as store:
        ingest([corpus], store)
        page = render_report(store)
    assert "<script>alert(1)" not in page
    assert "France &lt;script&gt;alert(1)&lt;/script&gt;" in page  # the table
    assert "France \\u003cscript\\u003ealert(1)\\u003c/script\\u003e" in page  # the data
    assert {c["holder"] for c in page_data(page)["cells"]} >= {"France <script>alert(1)</script>"}


def test_charts_as_svg_and_png(seed_store: EmbeddedStore, tmp_path: Path) -> None:
    svgs = write_chart_files(seed_store, tmp_path / "svg", "svg")
    assert [p.name for p in svgs] == ["matrix.svg", "timeline.svg", "tensions.svg"]
    matrix = svgs[0].read_text(encoding="utf-8")
    assert matrix.startswith("<svg") and ">NATO</text>" in matrix and ">Stance matrix</text>" in matrix
    pngs = write_chart_files(seed_store, tmp_path / "png", "png", actors=["uk"])
    assert pngs and all(p.read_bytes().startswith(b"\x89PNG\r\n\x1a\n") for p in pngs)


def test_chart_specifications_are_valid_vega_lite(seed_store: EmbeddedStore, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(report_charts, "VALIDATE", True)  # Altair checks them against the Vega-Lite schema
    specs = report_charts.chart_specs(collect(seed_store, resolve_filters(seed_store)))
    assert set(specs) == {"matrix", "timeline", "tensions"}
    assert all(spec["$schema"].startswith("https://vega.github.io/schema/vega-lite/v") for spec in specs.values())


def test_a_large_store_shows_its_top_holders_and_says_so(
    seed_store: EmbeddedStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(report_data, "LARGE_STORE", 5)
    monkeypatch.setattr(report_data, "TOP_HOLDERS", 2)
    page = render_report(seed_store)
    assert {c["holder"] for c in page_data(page)["cells"]} == {"United Kingdom", "France"}
    assert (
        "the store holds 15 positions (counted per holder) of 5 actors: the views show the 2 actors with the "
        "most positions (9); name others with --actor"
    ) in page
    summary = dict(re.findall(r"<tr><th>([^<]*)</th><td>([^<]*)</td></tr>", page))
    assert summary["Positions"] == "11"  # the summary is the whole store's


def test_the_tension_views_show_the_pairs_of_12(
    generated_store: EmbeddedStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Table and network as query 12's rows give them, without running 12 (the report pairs the
    rows of tension-sides, kg.read.tensions): the table its first rows, the network all of them."""
    whole = report_data.rows_of(generated_store, "tensions")
    assert len(whole) > 10
    monkeypatch.setattr(report_data, "MAX_TENSIONS", 5)
    asked: list[str] = []
    rows_of = report_data.rows_of

    def spy(store: EmbeddedStore, name: str, params: dict[str, str] | None = None) -> list[dict[str, str]]:
        asked.append(name)
        return rows_of(store, name, params)

    monkeypatch.setattr(report_data, "rows_of", spy)
    data = collect(generated_store, resolve_filters(generated_store))
    assert "tensions" not in asked and "tension-sides" in asked

    def shown(row: dict) -> tuple:
        return (
            *(row[k] for k in ("holder", "basis", "position", "other")),
            *(frozenset(row[k].split(" | ")) - {""} for k in ("restrictions", "otherHolders", "otherRestrictions")),
        )

    first: dict[tuple[str, str], dict] = {}
    for row in whole:
        first.setdefault((row["position"], row["otherPosition"]), row)
    assert [shown(r) for r in data.tensions] == [shown(report_data._tension_row(r)) for r in list(first.values())[:5]]
    expected = report_data.ReportData(report_data.Filters())
    labels = {frozenset(r["otherHolders"].split(" | ")): r["otherHolders"] for r in whole}
    counted = Counter((r["holderLabel"], labels[frozenset(r["otherHolders"].split(" | "))]) for r in whole)
    report_data._network(expected, counted)
    assert (data.network_nodes, data.network_edges) == (expected.network_nodes, expected.network_edges)
    assert data.network_edges and max(e["count"] for e in data.network_edges) > 1
    assert f"tensions: the first 5 of {len(whole):,} pairs are listed" in data.left_out
