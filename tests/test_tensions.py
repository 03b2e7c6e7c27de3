"""kg.read.tensions: the pairs of the tensions query (12), found from the rows of tension-sides (39).

The report and the live views draw the tensions from these pairs, so they must be exactly 12's:
every holder, every basis, every window; with 12's columns for the table.
"""

from __future__ import annotations

import pytest
from conftest import SEED, SEED_ID

from kg.ingest.pipeline import ingest
from kg.read import tensions
from kg.read.report_data import rows_of
from kg.store import EmbeddedStore
from kg.terms import ACTOR, ARTICLE, CORPUS_POSITION, GPO


def position(slug: str) -> str:
    """A seed position (the E3 ones are corpus-level)."""
    if slug.startswith("e3-"):
        return f"{CORPUS_POSITION}{slug}"
    return f"{ARTICLE}{SEED_ID}/position/{slug}"


def paired(store: EmbeddedStore, params: dict[str, str]) -> list[tensions.Pair]:
    window = params.get("windowDays", "90")
    sides = rows_of(store, "tension-sides", {"holder": params["holder"]} if "holder" in params else None)
    return list(tensions.pairs(sides, None if window == "any" else int(window)))


def key(row: dict[str, str]) -> tuple[str, str, str, str]:
    return (row["holder"], row["basis"], row["position"], row["otherPosition"])


def comparable(row: dict[str, str]) -> dict[str, object]:
    """A row of 12 with its concatenated cells as sets (their order is the engine's)."""
    lists = ("restrictions", "otherHolders", "otherRestrictions")
    return {k: frozenset(v.split(" | ")) - {""} if k in lists else v for k, v in row.items() if k != "windowDays"}


PARAMS = [{}, {"windowDays": "any"}, {"windowDays": "0"}, {"windowDays": "30"}]


@pytest.mark.parametrize("params", PARAMS, ids=lambda p: "-".join(p.values()) or "default")
@pytest.mark.parametrize("fixture", ["seed_store", "corpus_store", "generated_store"])
def test_the_pairs_are_those_of_12(fixture: str, params: dict[str, str], request: pytest.FixtureRequest) -> None:
    store: EmbeddedStore = request.getfixturevalue(fixture)
    expected = rows_of(store, "tensions", params)
    found = paired(store, params)
    assert sorted(key(p.as_row()) for p in found) == sorted(key(r) for r in expected), "each pair once, as in 12"
    # the table's columns, as 12 gives them
    by_key = {key(r): comparable(r) for r in expected}
    assert all(comparable(p.as_row()) == by_key[key(p.as_row())] for p in found)
    # 12's order
    assert [key(p.as_row()) for p in sorted(found, key=tensions.Pair.sort_key)] == [key(r) for r in expected]


def test_the_pairs_of_one_holder_are_12s(generated_store: EmbeddedStore) -> None:
    held = [r["slug"] for r in rows_of(generated_store, "actors") if int(r["positions"] or 0)]
    checked = 0
    for slug in held:
        for params in ({"holder": slug}, {"holder": slug, "windowDays": "any"}):
            expected = {key(r) for r in rows_of(generated_store, "tensions", params)}
            assert {key(p.as_row()) for p in paired(generated_store, params)} == expected, params
            checked += len(expected)
    assert len(held) > 10 and checked > 20, "the generated store has pairs to compare"


def test_the_stores_compared_hold_each_kind_of_pair(
    corpus_store: EmbeddedStore, generated_store: EmbeddedStore
) -> None:
    """The comparisons above mean something only if the stores hold pairs on these bases, and pairs
    the window keeps out."""
    bases = {p.basis for store in (corpus_store, generated_store) for p in paired(store, {"windowDays": "any"})}
    assert bases == {tensions.ASSERTED, tensions.SAME_HOLDER}
    assert len(paired(generated_store, {"windowDays": "0"})) < len(paired(generated_store, {"windowDays": "any"}))


def test_members_pairs_once_the_alliance_exception_and_the_asserted_links_are_gone(store: EmbeddedStore) -> None:
    """No stored article has a pair on the member basis (NATO's exception for its members acting
    individually covers them in the seed): without that exception and without the annotators'
    tension links, NATO's refusal meets its members' positions, and both ways agree on them."""
    ingest([SEED], store)
    assert not [p for p in paired(store, {}) if p.basis == tensions.MEMBER]
    store._update(
        f"DELETE WHERE {{ GRAPH ?g {{ ?c <{GPO}conditionValue> <{tensions.INDIVIDUAL_MEMBER_STATES}> }} }} ;"
        f"DELETE WHERE {{ GRAPH ?g {{ ?a <{GPO}inTensionWith> ?b }} }}"
    )
    for params in ({}, {"holder": "nato"}, {"windowDays": "any"}):
        expected = rows_of(store, "tensions", params)
        found = paired(store, params)
        assert sorted(key(p.as_row()) for p in found) == sorted(key(r) for r in expected), params
    members = {
        (p.holder, p.position.position, p.other.position) for p in paired(store, {}) if p.basis == tensions.MEMBER
    }
    assert (str(ACTOR.nato), position("nato-no-participation"), position("uk-authorises-basing")) in members


def test_tension_sides_on_the_seed(seed_store: EmbeddedStore) -> None:
    rows = {r["position"]: r for r in rows_of(seed_store, "tension-sides", {"holder": "germany"})}
    refusal = rows[position("de-refuses-participation")]
    # held by Germany, and the asserted partner of the E3 readiness Germany co-holds
    assert set(refusal["via"].split(" | ")) == {"holder", "partner"}
    assert refusal["polarities"].endswith("polarity/negative")
    assert refusal["tensionWith"] == position("e3-enable-defensive-action")
    assert refusal["agents"] == str(ACTOR.germany)
    assert rows[position("de-self-defence")]["exceptionTo"] == position("de-refuses-participation")
    e3 = rows[position("e3-enable-defensive-action")]
    assert set(e3["holders"].split(" | ")) == {"United Kingdom", "Germany", "France"}
    assert set(e3["restrictions"].split(" | ")) == {
        "threshold: only necessary and proportionate action",
        "purpose: defensive action only (as the three governments describe it)",
        "target scope: Iran's missile and drone capabilities at their source",
    }
    nato = {r["position"]: r for r in rows_of(seed_store, "tension-sides", {"holder": "nato"})}
    assert nato[position("nato-no-participation")]["exceptionValues"].endswith("individual-member-state-action")
    assert nato[position("de-refuses-participation")]["via"] == "member"
