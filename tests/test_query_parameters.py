"""The optional actor parameters that narrow a whole-corpus report to one actor (03 and 09
?speaker, 15 ?party), on the seed article: the narrowed answer is exactly the unbound answer's
rows for that actor, and an actor with none gets no rows."""

from __future__ import annotations

from collections import Counter

import pytest
from rdflib import URIRef
from test_queries import ACT, E3, P, S, parts, run

from kg.store import EmbeddedStore
from kg.terms import ACTOR, POST, THING

NARROWING = [("who-said-what", "speaker"), ("speakers-and-mandates", "speaker"), ("targets-and-beneficiaries", "party")]


def slug(iri: object) -> str:
    return str(iri).rsplit("/", 1)[1]


def multiset(rows: list[dict[str, object]]) -> Counter:
    """Rows as a multiset; concatenated cells as sets of their items."""
    return Counter(
        tuple(sorted((k, parts(v) if isinstance(v, str) and " | " in v else v) for k, v in r.items())) for r in rows
    )


@pytest.mark.parametrize(("name", "parameter"), NARROWING)
def test_narrowed_answer_is_the_full_answer_filtered(seed_store: EmbeddedStore, name: str, parameter: str) -> None:
    everything = run(seed_store, name)
    actors = {
        r[parameter]
        for r in everything
        if isinstance(r[parameter], URIRef) and str(r[parameter]).startswith(str(ACTOR))
    }
    assert len(actors) >= 3
    for actor in actors:
        narrowed = run(seed_store, name, **{parameter: slug(actor)})
        assert narrowed, actor
        assert multiset(narrowed) == multiset([r for r in everything if r[parameter] == actor]), actor
    for nobody in ("iran" if parameter == "speaker" else "johann-wadephul", "no-such-actor"):
        assert run(seed_store, name, **{parameter: nobody}) == []


def test_cq03_speaker_parameter(seed_store: EmbeddedStore) -> None:
    wadephul = run(seed_store, "who-said-what", speaker="johann-wadephul")
    assert {
        (
            r["statement"],
            r["speaker"],
            r["speakerLabel"],
            r["capacityLabel"],
            r["onBehalfOfLabel"],
            r["venueTypeLabel"],
            r["mediumLabel"],
            r["position"],
        )
        for r in wadephul
    } == {
        (
            S("wadephul-dlf"),
            ACTOR["johann-wadephul"],
            "Johann Wadephul",
            "Federal Minister for Foreign Affairs (Germany)",
            "German federal government",
            "interview",
            "Deutschlandfunk",
            P(p),
        )
        for p in ("de-refuses-participation", "de-self-defence")
    }
    # Germany speaks only as a co-signatory of the E3 statement
    assert {(r["statement"], r["position"]) for r in run(seed_store, "03", speaker="germany")} == {
        (S("e3-joint"), P("e3-defend-interests")),
        (S("e3-joint"), P("e3-enable-defensive-action")),
    }
    # the unnamed French officials keep the article's description
    officials = run(seed_store, "03", speaker="french-officials")
    assert [(r["statement"], r["speakerLabel"], r["position"]) for r in officials] == [
        (S("fr-officials-regret"), "French officials", P("fr-regrets-no-un-debate"))
    ]
    assert run(seed_store, "03", speaker="iran") == []


def test_cq09_speaker_parameter(seed_store: EmbeddedStore) -> None:
    wadephul = run(seed_store, "speakers-and-mandates", speaker="johann-wadephul")
    assert [
        (
            r["statement"],
            r["speaker"],
            r["speakerLabel"],
            r["namedPerson"],
            r["capacity"],
            r["officeOf"],
            r["onBehalfOf"],
        )
        for r in wadephul
    ] == [
        (
            S("wadephul-dlf"),
            ACTOR["johann-wadephul"],
            "Johann Wadephul",
            True,
            POST["de-foreign-minister"],
            "German federal government",
            ACTOR["de-federal-government"],
        )
    ]
    london = run(seed_store, "09", speaker="uk-government")
    assert [(r["statement"], r["onBehalfOf"], r["speakerType"]) for r in london] == [
        (S("uk-gov"), ACTOR.uk, "government body")
    ]
    assert "London" in parts(london[0]["alsoCalled"])
    assert {r["statement"] for r in run(seed_store, "09", speaker="france")} == {S("e3-joint"), S("fr-ready")}
    assert run(seed_store, "09", speaker="iran") == []


def test_cq15_party_parameter(seed_store: EmbeddedStore) -> None:
    strikes, bases = ACT("us-israeli-strikes-on-iran"), ACT("us-use-of-british-bases")
    iran = run(seed_store, "targets-and-beneficiaries", party="iran")
    assert {(r["action"], r["role"], r["party"], r["partyLabel"]) for r in iran} == {
        (ACT(a), "target", ACTOR.iran, "Iran")
        for a in (
            "nato-joins-war-on-iran",
            "uk-offensive-ops-vs-iran",
            "de-joins-ops-vs-iran",
            "us-israeli-strikes-on-iran",
        )
    }
    assert {(r["action"], r["role"]) for r in run(seed_store, "15", party="us-forces")} == {
        (bases, "agent"),
        (bases, "beneficiary"),
    }
    assert {(r["action"], r["role"]) for r in run(seed_store, "15", party="usa")} == {(strikes, "agent")}
    assert [(r["action"], r["role"], r["partyLabel"]) for r in run(seed_store, "15", party="un")] == [
        (ACT("un-debate-of-assault"), "instrument", "United Nations")
    ]
    for member in E3:
        assert {(r["action"], r["role"]) for r in run(seed_store, "15", party=slug(member))} == {
            (ACT("e3-protect-interests-in-region"), "beneficiary")
        }
    # the parameter takes actor slugs: a thing (the British bases) is not found by it
    assert THING["british-bases"] in {r["party"] for r in run(seed_store, "15")}
    assert run(seed_store, "15", party="british-bases") == []
    assert run(seed_store, "15", party="johann-wadephul") == []
