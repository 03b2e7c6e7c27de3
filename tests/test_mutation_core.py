"""Exact IRIs and exact anchors (issue 18, mutation groups ``iris`` and ``anchoring`` of
``bench/mutation.py``): every IRI minting function and the quote anchoring, value by value, with no
store, so that each mutant of these modules is judged in milliseconds rather than by an ingest."""

from __future__ import annotations

import hashlib

import pytest
from rdflib import URIRef

from kg.ingest.anchoring import CONTEXT, Anchor, AnchorError, anchor, closest_passage, normalise, occurrences
from kg.iris import (
    REGISTRY_NAMESPACES,
    article_iri,
    communication_iri,
    corpus_action_iri,
    corpus_position_iri,
    derived_iri,
    draft_rules_iri,
    draft_run_iri,
    ingest_activity_iri,
    office_term_iri,
    part_iri,
    registry_iri,
    software_iri,
    source_file_iri,
    span_iri,
)

ID = "https://w3id.org/positions-kg/id/"
ARTICLE = URIRef(ID + "article/a1b2")


def test_every_minted_iri_is_exactly_as_documented() -> None:
    assert {section: str(ns) for section, ns in REGISTRY_NAMESPACES.items()} == {
        "actors": ID + "actor/",
        "posts": ID + "post/",
        "places": ID + "place/",
        "things": ID + "thing/",
        "events": ID + "event/",
    }
    minted = {
        registry_iri("actors", "mark-rutte"): ID + "actor/mark-rutte",
        registry_iri("events", "war-2026"): ID + "event/war-2026",
        article_iri("a1b2"): ID + "article/a1b2",
        part_iri(ARTICLE, "statement", "s1"): ID + "article/a1b2/statement/s1",
        span_iri(ARTICLE, 12, 40): ID + "article/a1b2/span/12-40",
        span_iri(ARTICLE, True, 7.9): ID + "article/a1b2/span/1-7",  # int() of what it is given
        ingest_activity_iri("a1b2"): ID + "ingest/a1b2",
        draft_run_iri("a1b2"): ID + "ingest/a1b2/draft",
        draft_rules_iri("a1b2"): ID + "ingest/a1b2/draft/rules",
        source_file_iri("a1b2", "annotation"): ID + "article/a1b2/file/annotation",
        software_iri("1.2.3+dev4"): ID + "software/positions-kg/1-2-3-dev4",
        communication_iri("joint-statement"): ID + "communication/joint-statement",
        corpus_action_iri("strikes"): ID + "action/strikes",
        corpus_position_iri("uk-bases"): ID + "position/uk-bases",
        office_term_iri(URIRef(ID + "post/chancellor"), 2): ID + "post/chancellor/term/2",
    }
    for iri, expected in minted.items():
        assert type(iri) is URIRef
        assert str(iri) == expected


def test_a_derived_iri_is_a_digest_of_both_positions_in_order() -> None:
    earlier, later = URIRef(ID + "position/a"), URIRef(ID + "position/b")
    digest = hashlib.sha256(f"{earlier} {later}".encode()).hexdigest()[:16]
    assert derived_iri("change", earlier, later) == URIRef(f"{ID}derived/change/{digest}")
    assert str(derived_iri("change", URIRef("urn:a"), URIRef("urn:b"))) == ID + "derived/change/93cab333ad933245"
    assert derived_iri("change", later, earlier) != derived_iri("change", earlier, later)


@pytest.mark.parametrize(
    "mint",
    [
        lambda bad: registry_iri("actors", bad),
        article_iri,
        lambda bad: part_iri(ARTICLE, bad, "s1"),
        lambda bad: part_iri(ARTICLE, "statement", bad),
        ingest_activity_iri,
        draft_run_iri,
        draft_rules_iri,
        lambda bad: source_file_iri("a1b2", bad),
        lambda bad: source_file_iri(bad, "annotation"),
        communication_iri,
        corpus_action_iri,
        corpus_position_iri,
        lambda bad: derived_iri(bad, URIRef("urn:a"), URIRef("urn:b")),
    ],
)
def test_no_free_text_reaches_an_iri(mint) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError) as caught:
        mint("Not A Slug")
    assert str(caught.value) == (
        "'Not A Slug' is not a valid slug: use only lower-case letters a-z, digits 0-9 and single hyphens, "
        "e.g. mark-rutte"
    )


def test_a_software_version_must_become_a_slug() -> None:
    with pytest.raises(ValueError, match=r"^'1-0-Beta' is not a valid slug"):
        software_iri("1.0.Beta")


def test_offsets_count_code_points_of_the_normalised_text() -> None:
    assert normalise("a\r\nb\rc\n") == "a\nb\nc\n"
    assert normalise("Cafe\u0301") == "Caf\u00e9"  # NFC: one code point
    text = "x" * 40 + "Er sagte: \u201eNein.\u201c" + "y" * 40
    found = anchor(text, "sagte: \u201eNein")
    assert found == Anchor(43, 55, "sagte: \u201eNein", "x" * 29 + "Er ", ".\u201c" + "y" * 30)
    assert CONTEXT == 32 and len(found.prefix) == 32 and len(found.suffix) == 32
    # the quote is normalised too; near the start and end the context is what there is
    assert anchor("Caf\u00e9 au lait", "Cafe\u0301") == Anchor(0, 4, "Caf\u00e9", "", " au lait")
    assert anchor("one two", "two") == Anchor(4, 7, "two", "one ", "")


def test_occurrences_are_every_start_in_order() -> None:
    assert occurrences("abcabcab", "ab") == [0, 3, 6]
    assert occurrences("abc", "abc") == [0]
    assert occurrences("abc", "d") == []


def test_repeated_quotes_need_an_occurrence_in_range() -> None:
    text = "no. no. no."
    assert anchor(text, "no.", occurrence=1) == Anchor(0, 3, "no.", "", " no. no.")
    assert anchor(text, "no.", occurrence=3) == Anchor(8, 11, "no.", "no. no. ", "")
    with pytest.raises(AnchorError) as caught:
        anchor(text, "no.")
    assert (str(caught.value), caught.value.hint) == (
        "quote occurs 3 times (at offsets 0, 4, 8)",
        "add 'occurrence: N' (1 to 3) to say which one is meant",
    )
    for wrong in (0, 4, -1):
        with pytest.raises(AnchorError) as caught:
            anchor(text, "no.", occurrence=wrong)
        assert (str(caught.value), caught.value.hint) == (
            f"occurrence {wrong} asked for, but the quote occurs 3 time(s)",
            "use an occurrence from 1 to 3",
        )
    # a quote found once may still name its occurrence, 1 and nothing else
    assert anchor("only once", "once", occurrence=1) == Anchor(5, 9, "once", "only ", "")
    with pytest.raises(AnchorError, match=r"^occurrence 2 asked for, but the quote occurs 1 time\(s\)$"):
        anchor("only once", "once", occurrence=2)


def test_a_quote_not_found_gets_the_closest_passage() -> None:
    with pytest.raises(AnchorError) as caught:
        anchor("The quick brown fox", "quick brwn fox")
    assert str(caught.value) == "quote not found in the article text"
    assert caught.value.hint == (
        "closest passage at offset 4: 'quick brown fo' (paste the exact words; check quotation marks and apostrophes)"
    )
    with pytest.raises(AnchorError) as caught:
        anchor("abc", "xyz")
    assert caught.value.hint == "paste the exact words from the article text file"


@pytest.mark.parametrize(
    ("text", "quote", "offset", "passage"),
    [
        ("Hello world, this is it", "wurld, this", 6, "world, this"),
        # the longest common block starts 2 characters into the quote: the passage starts 2 before it
        ("Hello world", "xxworld", 4, "o world"),
        # a block that would start before the text is clipped to offset 0
        ("world peace", "my world", 0, "world pe"),
        # the longest block, not the first: " defg" at text offset 9 (quote offset 3)
        ("abc xx abcdefg", "zzz defg", 6, " abcdefg"),
        # a block at the very start of the text (a search from offset 1 would find the later "a")
        ("a----a", "aQ", 0, "a-"),
        # a block at the very start of the quote
        ("--a", "aQ", 2, "a"),
        # a quote of 200 characters or more whose every character is frequent: difflib's autojunk
        # heuristic would call them all junk and find nothing
        ("-" + "ab" * 110 + "-", "ab" * 110 + "ccccc", 1, "ab" * 110 + "-"),
    ],
)
def test_the_closest_passage_is_aligned_on_the_longest_common_block(
    text: str, quote: str, offset: int, passage: str
) -> None:
    assert closest_passage(text, quote) == (
        f"closest passage at offset {offset}: {passage!r} (paste the exact words; check quotation marks and apostrophes)"
    )
