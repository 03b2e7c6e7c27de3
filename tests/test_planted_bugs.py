"""Tests aimed at bugs planted in a scratch copy that the suite did not catch (issue 18): the slug
rule's upper case, overlapping quote occurrences, and date / integer / IRI query parameters bound
as the right RDF terms. Each test fails on one precise planted change and names it."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import XSD

from kg.errors import QueryError
from kg.ingest.anchoring import AnchorError, anchor, occurrences
from kg.iris import SLUG_RULE, check_slug
from kg.read.queries import Parameter, named_queries, parse_query_file
from kg.store import EmbeddedStore, to_rdflib

# -- the slug rule: each rejected example breaks exactly one part of it --------------------------


@pytest.mark.parametrize("slug", ["mark-rutte", "nato", "g7", "2026-war", "a"])
def test_valid_slugs(slug: str) -> None:
    assert check_slug(slug) == slug


@pytest.mark.parametrize(
    "slug",
    [
        "Mark-rutte",  # upper case only
        "markRutte",  # upper case only
        "mark--rutte",  # double hyphen only
        "-mark",  # leading hyphen only
        "mark-",  # trailing hyphen only
        "mark_rutte",  # underscore only
        "mark rutte",  # space only
        "märk",  # non-ASCII letter only
        "",  # empty
    ],
)
def test_invalid_slugs_are_rejected_with_the_rule(slug: str) -> None:
    with pytest.raises(ValueError) as caught:
        check_slug(slug)
    assert str(caught.value) == f"{slug!r} is not a valid slug: {SLUG_RULE}"
    assert SLUG_RULE == "use only lower-case letters a-z, digits 0-9 and single hyphens, e.g. mark-rutte"


# -- overlapping quote occurrences --------------------------------------------------------------


def test_overlapping_occurrences_are_all_found() -> None:
    assert occurrences("aaaa", "aa") == [0, 1, 2]
    assert occurrences("no no no", "no no") == [0, 3]


def test_an_overlapping_occurrence_must_be_chosen_and_is_anchored() -> None:
    text = "He said no no no to the plan."
    with pytest.raises(AnchorError) as caught:
        anchor(text, "no no")
    assert str(caught.value) == "quote occurs 2 times (at offsets 8, 11)"
    assert caught.value.hint == "add 'occurrence: N' (1 to 2) to say which one is meant"
    second = anchor(text, "no no", occurrence=2)
    assert (second.start, second.end, second.exact) == (11, 16, "no no")
    assert second.prefix == "He said no "
    assert second.suffix == " to the plan."
    with pytest.raises(AnchorError, match=r"^occurrence 3 asked for, but the quote occurs 2 time\(s\)$"):
        anchor(text, "no no", occurrence=3)


# -- query parameters bound as typed terms ------------------------------------------------------


def test_date_integer_and_iri_parameters_are_typed_terms() -> None:
    date = to_rdflib(Parameter("since", "date", None, "").term("2026-03-02"))
    assert date == Literal("2026-03-02", datatype=XSD.date) and date.datatype == XSD.date
    number = to_rdflib(Parameter("limit", "integer", None, "").term("7"))
    assert number == Literal("7", datatype=XSD.integer) and number.datatype == XSD.integer
    iri = to_rdflib(Parameter("position", "iri", None, "").term("https://w3id.org/positions-kg/id/article/x"))
    assert type(iri) is URIRef and str(iri) == "https://w3id.org/positions-kg/id/article/x"
    with pytest.raises(QueryError, match=r"^parameter since: month must be in 1..12$"):
        Parameter("since", "date", None, "").term("2026-13-02")
    with pytest.raises(QueryError, match=r"^parameter limit: invalid literal for int\(\) with base 10: 'seven'$"):
        Parameter("limit", "integer", None, "").term("seven")
    with pytest.raises(QueryError, match=r"^parameter position: 'not an iri' is not an absolute IRI"):
        Parameter("position", "iri", None, "").term("not an iri")


QUERY = """# Which statements were made on or after a date, at most a number of them, or about one article?
# ?since (date): statements on or after this day
# ?limit (integer, default 100): at most this many
# ?article (iri): only statements reported in this article
PREFIX gpo: <https://w3id.org/positions-kg/ontology#>
SELECT ?statement ?day ?article ?since ?limit WHERE {
  ?statement gpo:statedOn ?day ; gpo:reportedIn ?article .
  FILTER (?day >= ?since && 0 < ?limit)
}
"""


def test_typed_parameters_answer_in_the_store(seed_store: EmbeddedStore, tmp_path: Path) -> None:
    """A plain-string date or integer would compare as text (or not at all) and change the answer."""
    path = tmp_path / "90_typed_parameters.rq"
    path.write_text(QUERY, encoding="utf-8")
    query = parse_query_file(path)
    article = "https://w3id.org/positions-kg/id/article/4b2d17f57ebafa46"
    every = seed_store.select(query.text, query.bindings({"since": "1900-01-01", "article": article}))
    days = sorted(row[1].value for row in every.rows if row[1])
    assert days and days[0] >= "2026-01-01"
    later = seed_store.select(query.text, query.bindings({"since": days[-1], "article": article}))
    assert sorted(row[1].value for row in later.rows if row[1]) == [d for d in days if d == days[-1]]
    none = seed_store.select(query.text, query.bindings({"since": "2030-01-01", "article": article}))
    assert list(none.rows) == []
    other = seed_store.select(query.text, query.bindings({"since": "1900-01-01", "article": article + "x"}))
    assert list(other.rows) == []


# -- kg query --list names every shipped query ----------------------------------------------------


def test_query_list_names_every_shipped_query_with_its_question() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "kg.cli", "query", "--list"], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    listed = re.findall(r"^([a-z0-9-]+): (.+)$", done.stdout, flags=re.M)
    files = sorted(Path(__file__).resolve().parent.parent.joinpath("queries").glob("*.rq"))
    expected = [re.sub(r"^\d+_", "", p.stem).replace("_", "-") for p in files]
    assert [name for name, _ in listed] == expected
    assert len(expected) >= 18
    questions = {name: query.question for name, query in named_queries().items()}
    assert dict(listed) == questions
    assert dict(listed)["who-said-what"] == "Who said what, where, when, and in which capacity?"
