"""`kg draft`: what the rules find on the seed and on constructed texts, the draft marks, and
`kg ingest` refusing unreviewed drafts while recording the rule set of reviewed ones."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import CORPUS, SEED, SEED_ID

from kg.author.compose import draft_article
from kg.author.quality import compare
from kg.author.rules import load_rules
from kg.cli import main
from kg.ingest.annotations import load_registry

TEXT = CORPUS / "000_4b2d17f57ebafa46.txt"
REGISTRY = CORPUS / "registry.yaml"


@pytest.fixture(scope="module")
def seed_draft() -> dict[str, Any]:
    return draft_article(TEXT, load_registry(REGISTRY), load_rules("en")).data


def test_seed_targets_of_issue_16() -> None:
    scores = {s.kind: s for s in compare(SEED, load_registry(REGISTRY), load_rules("en"))}
    assert scores["direct-quote spans"].recall >= 0.95
    assert scores["speakers of quotes"].precision >= 0.9
    conditions = scores["condition candidates (type and span)"]
    assert conditions.recall >= 0.5 and conditions.precision >= 0.5


def _speaker_of(data: dict[str, Any], quote: str) -> list[str]:
    return [s["speakers"] for s in data["statements"] for e in s["evidence"] if e["quote"] == quote][0]


def test_seed_quotes_speakers_offices_venues_dates(seed_draft: dict[str, Any]) -> None:
    quotes = [e["quote"] for s in seed_draft["statements"] for e in s["evidence"] if e["kind"] == "direct-quote"]
    assert sorted(quotes) == sorted(
        [
            "absolutely no plans whatever",
            "really important",  # trailing comma inside the closing mark trimmed
            "The federal government has no intention of participating",
            "we also do not have the necessary military resources",
            "our Bundeswehr soldiers would defend themselves if they were attacked",  # full stop trimmed
            "defensive measure",
            "ready… to take part in [the] defense",
            "self-defense",
        ]
    )
    # "he stressed ... adding that": the last person named; "described by London": by-attribution.
    assert _speaker_of(seed_draft, "our Bundeswehr soldiers would defend themselves if they were attacked") == [
        "johann-wadephul"
    ]
    assert _speaker_of(seed_draft, "defensive measure") == ["uk-government"]
    assert _speaker_of(seed_draft, "self-defense") == ["france"]  # not "Gulf states" (a name, not a verb)
    wadephul = next(s for s in seed_draft["statements"] if "The federal government" in str(s["evidence"]))
    assert wadephul["capacity"] == "de-foreign-minister"  # "German Foreign Minister" matched to the post
    assert wadephul["on_behalf_of"] == ["de-federal-government"]
    assert wadephul["stated_on"] == "2026-03-02" and wadephul["date_basis"] == "relative-weekday"
    venue = next(v for v in seed_draft["venues"] if v["id"] == wadephul["venue"])
    assert (venue["type"], venue["medium"], wadephul["venue_certainty"]) == ("interview", "deutschlandfunk", "inferred")
    ard = next(v for v in seed_draft["venues"] if v.get("medium") == "ard")
    assert (ard["type"], ard["place"]) == ("interview", "brussels")
    joint = next(s for s in seed_draft["statements"] if s["speakers"] == ["uk", "germany", "france"])
    assert joint["stated_on"] == "2026-03-01"  # "issued Sunday", published Monday 2 March
    edited = [e for s in seed_draft["statements"] for e in s["evidence"] if e.get("edited")]
    assert [e["quote"] for e in edited] == ["ready… to take part in [the] defense"]


def test_every_drafted_item_is_marked(seed_draft: dict[str, Any]) -> None:
    items = [seed_draft["article"], *seed_draft["venues"], *seed_draft["statements"], *seed_draft["actions"]]
    items += [e for s in seed_draft["statements"] for e in s["evidence"]]
    items += seed_draft["positions"]
    items += [c for p in seed_draft["positions"] for c in p.get("conditions") or []]
    assert len(items) > 60
    for item in items:
        assert set(item["draft"]) == {"rule", "confidence"}, item
        assert 0 < item["draft"]["confidence"] < 1
    assert seed_draft["article"]["drafted"] == {"rules": "en", "version": load_rules("en").version}
    assert [c["name"] for c in seed_draft["new_actor_candidates"]] == ["Islamic Republic"]


CONSTRUCTED = """Ministers Weigh Response to Border Clash
By Al Mayadeen English
5 Mar 2026 10:00
« We will not send troops », Mark Rutte said on Tuesday.
„Wir bleiben ruhig“, the German Foreign Minister told reporters.
According to Johann Wadephul, "the door stays open".
Jane Doe, a senior diplomat, said: "This is only the beginning.
"We will keep talking until the talks succeed."
She also warned that patience is limited for now.
"""


def test_constructed_article_marks_attribution_and_unknown_names(tmp_path: Path) -> None:
    text = tmp_path / "constructed.txt"
    text.write_text(CONSTRUCTED, encoding="utf-8")
    data = draft_article(text, load_registry(REGISTRY), load_rules("en")).data
    assert data["article"]["published"] == "2026-03-05T10:00:00"
    assert data["article"]["publisher"] == "al-mayadeen"
    by_quote = {e["quote"]: s for s in data["statements"] for e in s["evidence"]}
    assert by_quote["We will not send troops"]["speakers"] == ["mark-rutte"]  # guillemets, attribution after
    assert by_quote["We will not send troops"]["stated_on"] == "2026-03-03"  # Tuesday before Thursday 5 March
    assert by_quote["Wir bleiben ruhig"]["speakers"] == ["johann-wadephul"]  # „…“ and a title alone
    assert by_quote["Wir bleiben ruhig"]["capacity"] == "de-foreign-minister"
    assert by_quote["the door stays open"]["speakers"] == ["johann-wadephul"]  # "according to"
    # A quote over two paragraphs: one span per paragraph, both to the unknown speaker.
    doe = by_quote["This is only the beginning"]
    assert doe["speakers"] == [] and doe["speaker_description"] == "Jane Doe"
    assert by_quote["We will keep talking until the talks succeed"] is doe
    assert by_quote["patience is limited for now"]["speaker_description"] == "Jane Doe"  # "She" = last person
    assert "Jane Doe" in [c["name"] for c in data["new_actor_candidates"]]


def test_kg_draft_then_ingest_refuses_each_unreviewed_item(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    shutil.copy(TEXT, tmp_path / TEXT.name)
    shutil.copy(REGISTRY, tmp_path / "registry.yaml")
    out = tmp_path / "draft.yaml"
    assert main(["draft", str(tmp_path / TEXT.name), "--published", "2026-03-02T23:36:00", "-o", str(out)]) == 0
    drafted = out.read_text(encoding="utf-8")
    marks = [n + 1 for n, line in enumerate(drafted.splitlines()) if line.strip().startswith("draft:")]
    capsys.readouterr()
    (tmp_path / "draft.yaml").rename(tmp_path / "000_4b2d17f57ebafa46.yaml")
    store = tmp_path / "store"
    assert main(["ingest", str(tmp_path / "000_4b2d17f57ebafa46.yaml"), "--store", str(store)]) == 2
    err = capsys.readouterr().err
    named = [int(n) for n in re.findall(r"000_4b2d17f57ebafa46\.yaml:(\d+): [^\n]*unreviewed draft", err)]
    assert named == sorted(marks)  # every mark, with its line, nothing else about drafts
    assert "000_4b2d17f57ebafa46.yaml:" in err and "new actor candidate 'Islamic Republic' not reviewed" in err
    assert "0 stored" in err
    # Writing over an existing file needs --force; nothing is written otherwise.
    again = tmp_path / "000_4b2d17f57ebafa46.yaml"
    before = again.read_bytes()
    assert main(["draft", str(tmp_path / TEXT.name), "-o", str(again)]) == 2
    assert "the output file exists already" in capsys.readouterr().err
    assert again.read_bytes() == before


def test_reviewed_draft_records_its_rule_set_in_provenance(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    shutil.copy(TEXT, tmp_path / TEXT.name)
    shutil.copy(REGISTRY, tmp_path / "registry.yaml")
    shutil.copy(REGISTRY.with_name("corpus.yaml"), tmp_path / "corpus.yaml")  # the E3 statement is defined there
    gold = SEED.read_text(encoding="utf-8").replace(
        "  context: us-israel-war-on-iran-2026\n",
        '  context: us-israel-war-on-iran-2026\n  drafted: {rules: en, version: "1"}\n',
        1,
    )
    (tmp_path / SEED.name).write_text(gold, encoding="utf-8")
    store = tmp_path / "store"
    assert main(["ingest", str(tmp_path / SEED.name), "--store", str(store)]) == 0
    capsys.readouterr()
    assert main(["export", "--format", "nquads", "--store", str(store)]) == 0
    quads = capsys.readouterr().out
    ingest = f"<https://w3id.org/positions-kg/id/ingest/{SEED_ID}>"
    assert f"{ingest} <http://www.w3.org/ns/prov#wasInformedBy> {ingest[:-1]}/draft>" in quads
    assert '"kg draft rules en v1"@en' in quads
    assert yaml.safe_load(gold)["article"]["drafted"]["version"] == "1"


def test_unknown_language_names_the_rule_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["draft", str(TEXT), "--language", "xx"]) == 2
    err = capsys.readouterr().err
    assert "no draft rules for language 'xx'" in err and "use one of: en" in err


def test_article_without_date_asks_for_published(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = tmp_path / "undated.txt"
    text.write_text('Headline\nRutte said "no".\n', encoding="utf-8")
    assert main(["draft", str(text), "--registry", str(REGISTRY)]) == 2
    err = capsys.readouterr().err
    assert f"{text}: no publication date found" in err and "--published" in err


def test_a_year_month_publication_leaves_relative_days_undated(tmp_path: Path) -> None:
    """Sources often give only a month: "on Tuesday" cannot be placed, and the draft says so."""
    text = tmp_path / "month.txt"
    text.write_text(
        "Headline\nDominic Raab said on Tuesday that Britain would not take part in any US strikes on Iran.\n"
        "The UK government said Britain would keep its embassy in Tehran open for now.\n",
        encoding="utf-8",
    )
    data = draft_article(text, load_registry(REGISTRY), load_rules("en"), published="2020-01").data
    assert data["article"]["published"] == "2020-01"
    by_quote = {e["quote"]: s for s in data["statements"] for e in s["evidence"]}
    raab = by_quote["Britain would not take part in any US strikes on Iran"]
    assert raab["speakers"] == ["dominic-raab"]
    assert "stated_on" not in raab and raab["date_basis"] == "not-later-than-publication"
    # "said Britain would ...": a known actor opens the clause, no "that" needed
    assert by_quote["Britain would keep its embassy in Tehran open for now"]["speakers"] == ["uk-government"]


def test_a_publication_date_that_is_no_date_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["draft", str(TEXT), "--registry", str(REGISTRY), "--published", "2020-13"]) == 2
    err = capsys.readouterr().err
    assert "--published: '2020-13' is not a date" in err and "or 2026-03 or 2026 where the source gives no day" in err


def _five_megabytes(folder: Path) -> Path:
    text = TEXT.read_text(encoding="utf-8")
    body = text.split("\n", 3)[3]
    big = folder / "big.txt"
    big.write_text(text + ("\n" + body) * (5_000_000 // len(body)), encoding="utf-8")
    return big


def test_five_megabyte_article_is_refused_at_the_input_limit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    big = _five_megabytes(tmp_path)
    out = tmp_path / "big.yaml"
    assert main(["draft", str(big), "--registry", str(REGISTRY), "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert f"{big}: the article text file has" in err and "KG_MAX_FILE_BYTES=" in err
    assert not out.exists()


@pytest.mark.slow
def test_five_megabyte_article_drafts_in_bounded_memory(tmp_path: Path) -> None:
    import resource
    import subprocess
    import sys

    from servers import kg_env

    big = _five_megabytes(tmp_path)
    out = tmp_path / "big.yaml"
    command = [sys.executable, "-m", "kg.cli", "draft", str(big), "--registry", str(REGISTRY), "-o", str(out)]
    done = subprocess.run(
        command, env=kg_env(KG_MAX_FILE_BYTES="6000000"), capture_output=True, text=True, timeout=1200
    )
    assert done.returncode == 0, done.stderr
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    assert peak_kib < 1_500_000, f"peak {peak_kib} KiB"
    assert out.read_text(encoding="utf-8").count("kind: direct-quote") >= 8 * 1500


def test_unnamed_speakers_and_quote_only_paragraphs(tmp_path: Path) -> None:
    text = tmp_path / "unnamed.txt"
    text.write_text(
        "Talks Stall\nBy Al Mayadeen English\n5 Mar 2026 10:00\n"
        '"We are not interested in escalation," the ministry said in a statement.\n'
        '"Our patience is not endless."\n'
        '"The strikes must stop," said Mark Rutte.\n'
        '"Nothing has been decided," a senior official told reporters.\n',
        encoding="utf-8",
    )
    data = draft_article(text, load_registry(REGISTRY), load_rules("en")).data
    by_quote = {e["quote"]: s for s in data["statements"] for e in s["evidence"]}
    ministry = by_quote["We are not interested in escalation"]
    assert (ministry["speakers"], ministry["speaker_description"]) == ([], "the ministry")
    assert ministry["draft"]["rule"] == "speaker-after-quote-description"
    assert by_quote["Our patience is not endless"]["speaker_description"] == "the ministry"  # paragraph of a quote only
    assert by_quote["Our patience is not endless"]["draft"] == {"rule": "speaker-previous-quote", "confidence": 0.5}
    assert by_quote["The strikes must stop"]["speakers"] == ["mark-rutte"]
    assert by_quote["Nothing has been decided"]["speaker_description"] == "a senior official"
    assert "venue" not in by_quote["Nothing has been decided"]  # "told reporters" names no medium
