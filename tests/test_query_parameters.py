"""The optional actor parameters that narrow a whole-corpus report to one actor (03 and 09
?speaker, 15 ?party), on the seed article: the narrowed answer is exactly the unbound answer's
rows for that actor, plus (for ?speaker) the rows of those who spoke in one of its offices or are
one of its organs, each still showing who spoke; an actor with none gets no rows."""

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
        own = [r for r in narrowed if not r.get("through")]
        assert multiset(own) == multiset([r for r in everything if r[parameter] == actor]), actor
        # A row through an office or organ is the unbound answer's row of whoever spoke, unchanged
        # but for `speaker` (the actor asked for) and `through` (how the speaker belongs to it).
        for row in narrowed:
            if row.get("through"):
                assert row["spokenBy"] != actor and row[parameter] == actor
                spoken = {**row, parameter: row["spokenBy"], "through": None}
                assert spoken in [r for r in everything if r[parameter] == row["spokenBy"]], row
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
    assert {r["through"] for r in wadephul} == {None}  # his own words: no office needed to match
    # "What did Germany say": Germany as a co-signatory of the E3 statement, Wadephul speaking as
    # its Foreign Minister (a post in the German federal government, part of Germany) and the
    # federal government itself; the minister's and the government's rows keep who spoke.
    germany = run(seed_store, "03", speaker="germany")
    assert {
        (
            r["statement"],
            r["speaker"],
            r["spokenBy"],
            r["speakerLabel"],
            r["capacityLabel"],
            r["through"],
            r["position"],
        )
        for r in germany
    } == {
        (S("e3-joint"), ACTOR.germany, ACTOR.germany, "Germany", None, None, P("e3-defend-interests")),
        (S("e3-joint"), ACTOR.germany, ACTOR.germany, "Germany", None, None, P("e3-enable-defensive-action")),
        *(
            (
                S("wadephul-dlf"),
                ACTOR.germany,
                ACTOR["johann-wadephul"],
                "Johann Wadephul",
                "Federal Minister for Foreign Affairs (Germany)",
                "as Federal Minister for Foreign Affairs (Germany)",
                P(p),
            )
            for p in ("de-refuses-participation", "de-self-defence")
        ),
        (
            S("de-reported"),
            ACTOR.germany,
            ACTOR["de-federal-government"],
            "German federal government",
            None,
            "as part of Germany",
            P("de-refuses-participation"),
        ),
    }
    dlf = next(r for r in germany if r["statement"] == S("wadephul-dlf"))
    assert (dlf["onBehalfOfLabel"], dlf["venueTypeLabel"], dlf["mediumLabel"]) == (
        "German federal government",
        "interview",
        "Deutschlandfunk",
    )
    # NATO speaks only through its Secretary General: both of Rutte's statements, the evaluative
    # remark included, shown as his (the praise has no on-behalf-of: it is not NATO's mandate).
    nato = run(seed_store, "03", speaker="nato")
    assert {(r["statement"], r["spokenBy"], r["through"], r["onBehalfOfLabel"], r["position"]) for r in nato} == {
        (S("rutte-ard"), ACTOR["mark-rutte"], "as Secretary General of NATO", "NATO", P("nato-no-participation")),
        (S("rutte-praise"), ACTOR["mark-rutte"], "as Secretary General of NATO", None, P("rutte-praises-strikes")),
    }
    # the office's holder asked for by name still gets only his own statements (unchanged)
    assert {r["statement"] for r in run(seed_store, "03", speaker="mark-rutte")} == {S("rutte-ard"), S("rutte-praise")}
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
    germany = run(seed_store, "09", speaker="germany")
    assert {
        (r["statement"], r["speaker"], r["spokenBy"], r["capacity"], r["through"], r["onBehalfOf"]) for r in germany
    } == {
        (S("e3-joint"), ACTOR.germany, ACTOR.germany, None, None, None),
        (
            S("wadephul-dlf"),
            ACTOR.germany,
            ACTOR["johann-wadephul"],
            POST["de-foreign-minister"],
            "as Federal Minister for Foreign Affairs (Germany)",
            ACTOR["de-federal-government"],
        ),
        (S("de-reported"), ACTOR.germany, ACTOR["de-federal-government"], None, "as part of Germany", ACTOR.germany),
    }
    assert [r["namedPerson"] for r in germany if r["spokenBy"] == ACTOR["johann-wadephul"]] == [True]
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
