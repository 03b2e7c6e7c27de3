"""Many articles, one graph (issue 12): the cross-article answers on the example corpus in articles/.

The corpus: the seed and five constructed articles (articles/SOURCES.md). The E3 joint statement of
1 March 2026 is reported by the seed and by a French article; Germany's line changes on 9 March
(German article); NATO's is restated on 5 March; the UK and Iran appear again in January 2020.
"""

from __future__ import annotations

import shutil
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
from conftest import CORPUS, SEED_ID
from test_queries import parts, run

from kg.cli import main
from kg.ingest.pipeline import ingest
from kg.read.queries import named_queries
from kg.store import EmbeddedStore
from kg.terms import ACTOR, ARTICLE, COMMUNICATION, CORPUS_POSITION, DERIVED_GRAPH, EVENT, GPO, article_graph

E3_STATEMENT = COMMUNICATION["e3-joint-statement-2026-03-01"]
COURRIER = "courrier-2026-03-02-e3"
RUNDSCHAU = "rundschau-2026-03-10-wadephul"
GLOBALWIRE_RUTTE = "globalwire-2026-03-06-rutte"
GLOBALWIRE_2020 = "globalwire-2020-01-raab"


def local(source_id: str, kind: str, slug: str) -> str:
    return f"{ARTICLE[source_id]}/{kind}/{slug}"


# -- one statement, both articles' evidence ---------------------------------------------------------


def test_the_joint_statement_reported_twice_is_one_statement_with_both_articles_evidence(
    corpus_store: EmbeddedStore,
) -> None:
    rows = run(corpus_store, "reports-of-a-statement", statement=str(E3_STATEMENT))
    assert {str(r["article"]): parts(r["quotes"]) for r in rows} == {
        str(ARTICLE[SEED_ID]): {
            "they would take steps to defend their interests and those of their allies in the region",
            "such measures could include enabling what they described as necessary and proportionate defensive "
            "action to target Iran’s missile and drone capabilities at their source",
        },
        str(ARTICLE[COURRIER]): {
            "se sont engagés à prendre des mesures pour défendre leurs intérêts et ceux de leurs alliés dans la région",
            "ces mesures pourraient aller jusqu'à permettre une action défensive, nécessaire et proportionnée, "
            "contre les capacités de missiles et de drones de l'Iran à leur source",
            "Les trois pays y appellent aussi à reprendre sans tarder les négociations sur le programme nucléaire "
            "iranien",
        },
    }
    # who-said-what: one joint statement of 1 March 2026, not one per article.
    joint = {r["statement"] for r in run(corpus_store, "who-said-what") if r["venueTypeLabel"] == "joint statement"}
    assert joint == {E3_STATEMENT, COMMUNICATION["e3-foreign-ministers-statement-2026-03-08"]}


def test_each_quote_is_evidence_for_its_own_position_only(corpus_store: EmbeddedStore) -> None:
    rows = run(corpus_store, "positions-as-of", asOf="2026-03-03", holder="uk")
    quotes = {str(r["position"]): parts(r["quotes"]) for r in rows}
    assert quotes[str(CORPUS_POSITION["e3-defend-interests"])] == {
        f"{SEED_ID}: they would take steps to defend their interests and those of their allies in the region",
        f"{COURRIER}: se sont engagés à prendre des mesures pour défendre leurs intérêts et ceux de leurs alliés "
        "dans la région",
    }
    assert all("defensive action" not in q for q in quotes[str(CORPUS_POSITION["e3-defend-interests"])])


def test_no_shipped_query_repeats_a_row(corpus_store: EmbeddedStore) -> None:
    repeated = {}
    for name, query in named_queries().items():
        result = corpus_store.select(query.text, query.bindings({}))
        twice = [row for row, count in Counter(result.rows).items() if count > 1]
        if twice:
            repeated[name] = twice[:2]
    assert repeated == {}


def test_a_joint_statement_of_office_holders_has_an_office_per_speaker(corpus_store: EmbeddedStore) -> None:
    rows = run(corpus_store, "office-holders")
    ministers = {
        (str(r["holderLabel"]), str(r["officeLabel"]), r["heldThen"])
        for r in rows
        if r["statement"] == COMMUNICATION["e3-foreign-ministers-statement-2026-03-08"]
    }
    assert ministers == {
        ("Jean-Noël Barrot", "Minister for Europe and Foreign Affairs (France)", True),
        ("Johann Wadephul", "Federal Minister for Foreign Affairs (Germany)", True),
        ("Yvette Cooper", "Secretary of State for Foreign, Commonwealth and Development Affairs (UK)", True),
    }
    in_2020 = {(str(r["holderLabel"]), str(r["officeLabel"])) for r in run(corpus_store, "23", asOf="2020-01-15")}
    assert ("Dominic Raab", "Secretary of State for Foreign, Commonwealth and Development Affairs (UK)") in in_2020
    assert not any(holder == "Yvette Cooper" for holder, _office in in_2020)


def test_a_reporting_chain_is_recorded(corpus_store: EmbeddedStore) -> None:
    rows = run(corpus_store, "reports-of-a-statement")
    chains = {str(r["statement"]): r["chain"] for r in rows}
    assert chains[local(GLOBALWIRE_RUTTE, "statement", "rutte-ard-excerpts")] == "ARD"


# -- change over time ----------------------------------------------------------------------------


def test_the_change_and_the_reaffirmation_are_derived_with_what_differs(corpus_store: EmbeddedStore) -> None:
    rows = run(corpus_store, "line-over-time")
    derived = {(r["holder"], str(r["position"]), r["derived"], str(r["derivedFrom"])): r for r in rows if r["derived"]}
    change = derived[
        (
            ACTOR.germany,
            local(RUNDSCHAU, "position", "de-ready-to-protect-partners"),
            "candidate change",
            local(SEED_ID, "position", "de-refuses-participation"),
        )
    ]
    assert parts(change["differences"]) == {
        "stance: refuses-participation -> ready-to",
        "condition added: purpose (protective)",
        "condition added: trigger (further-attack-on-allies)",
        "condition dropped: capability-limitation (insufficient-military-resources)",
        "condition dropped: exception (de-self-defence)",
    }
    reaffirmation = derived[
        (
            ACTOR.nato,
            local(GLOBALWIRE_RUTTE, "position", "nato-no-participation"),
            "candidate reaffirmation",
            local(SEED_ID, "position", "nato-no-participation"),
        )
    ]
    assert reaffirmation["differences"] in (None, "")
    assert len(derived) == 2
    # Derived facts live in their own graph, never in an article's.
    graph = corpus_store.graph(DERIVED_GRAPH)
    assert len(set(graph.subjects(GPO.laterPosition, None))) == 2
    assert all(not str(s).startswith(str(ARTICLE)) for s in graph.subjects(GPO.difference, None))


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        ("2026-03-05", "de-refuses-participation"),
        ("2026-03-09", "de-ready-to-protect-partners"),
    ],
)
def test_as_of_answers_with_the_position_in_force(corpus_store: EmbeddedStore, day: str, expected: str) -> None:
    rows = run(corpus_store, "positions-as-of", asOf=day, holder="germany")
    on_taking_part = [
        str(r["position"])
        for r in rows
        if r["actionLabel"] == "Germany taking part in military operations against Iran"
    ]
    source = SEED_ID if expected == "de-refuses-participation" else RUNDSCHAU
    assert on_taking_part == [local(source, "position", expected)]
    nato = run(corpus_store, "19", asOf=day, holder="nato")
    assert [(str(r["position"]), r["positionDate"]) for r in nato] == [
        (local(GLOBALWIRE_RUTTE, "position", "nato-no-participation"), date(2026, 3, 5))
    ]


def test_kg_query_as_of(corpus_store: EmbeddedStore, capsys: pytest.CaptureFixture[str]) -> None:
    store = str(corpus_store.location)
    assert main(["query", "positions-as-of", "--as-of", "2026-03-01", "--param", "holder=germany",
                 "--format", "csv", "--store", store]) == 0  # fmt: skip
    out = capsys.readouterr().out
    assert "e3-enable-defensive-action" in out and "de-refuses-participation" not in out
    assert main(["query", "tensions", "--as-of", "2026-03-01", "--store", store]) == 2
    assert "query 'tensions' does not take --as-of; these do: positions-as-of" in capsys.readouterr().err


def test_triggered_commitments(corpus_store: EmbeddedStore) -> None:
    assert run(corpus_store, "triggered-commitments", asOf="2026-03-04") == []
    rows = run(corpus_store, "triggered-commitments", asOf="2026-03-06")
    assert {(r["holder"], str(r["position"])) for r in rows} == {
        (ACTOR.germany, local(RUNDSCHAU, "position", "de-ready-to-protect-partners")),
    }
    assert {r["occurredOn"] for r in rows} == {date(2026, 3, 5)}


# -- comparisons respect time and context ---------------------------------------------------------


def test_no_tension_across_contexts_or_outside_the_window(corpus_store: EmbeddedStore) -> None:
    old = {local(GLOBALWIRE_2020, "position", p) for p in ("uk-refuses-strikes-2020", "iran-denies-seeking-war-2020")}
    for window in ("90", "any"):
        rows = run(corpus_store, "tensions", windowDays=window)
        paired = {str(r["position"]) for r in rows} | {str(r["otherPosition"]) for r in rows}
        assert not paired & old, window
    iran = {(str(r["position"]), str(r["otherPosition"])) for r in run(corpus_store, "tensions", holder="iran")}
    assert iran == {
        (
            local(GLOBALWIRE_RUTTE, "position", "iran-denies-seeking-war-2026"),
            local(GLOBALWIRE_RUTTE, "position", "iran-ready-to-respond-2026"),
        )
    }
    # Germany's refusal (2 March) and the E3 readiness (1 March) are one day apart: a window of 0
    # days drops the pair, the default keeps it.
    germany = {str(r["otherPosition"]) for r in run(corpus_store, "tensions", holder="germany", windowDays="0")}
    assert str(CORPUS_POSITION["e3-enable-defensive-action"]) not in germany
    germany = {str(r["otherPosition"]) for r in run(corpus_store, "tensions", holder="germany")}
    assert str(CORPUS_POSITION["e3-enable-defensive-action"]) in germany


def test_members_vs_alliance_stays_in_the_alliances_context(corpus_store: EmbeddedStore) -> None:
    rows = run(corpus_store, "members-vs-alliance")
    assert not any(str(r["position"]).startswith(str(ARTICLE[GLOBALWIRE_2020])) for r in rows)
    assert {r["event"] for r in rows} == {EVENT["us-israel-war-on-iran-2026"]}
    assert run(corpus_store, "members-vs-alliance", event="us-iran-crisis-2020") == []


def test_stances_on_the_strikes_checks_the_action_type(corpus_store: EmbeddedStore) -> None:
    rows = run(corpus_store, "stances-on-the-strikes", event="us-iran-crisis-2020")
    assert (local(GLOBALWIRE_2020, "position", "uk-calls-for-de-escalation-2020"), "the strikes themselves") not in {
        (str(r["position"]), r["relation"]) for r in rows
    }


def test_the_alliances_own_exception_is_not_a_tension(corpus_store: EmbeddedStore) -> None:
    rows = run(corpus_store, "tensions", holder="nato")
    assert rows == []


def test_a_change_is_not_a_contradiction(corpus_store: EmbeddedStore) -> None:
    assert run(corpus_store, "contradictions") == []


def test_opposite_stances_of_one_holder_on_one_action_on_one_day_are_a_contradiction(tmp_path: Path) -> None:
    """The German interview moved to 2 March, the day of the seed's refusal: no longer a change."""
    corpus = tmp_path / "articles"
    shutil.copytree(CORPUS, corpus)
    interview = corpus / "002_rundschau_wadephul.yaml"
    text = interview.read_text(encoding="utf-8")
    for old, new in [
        ("    date: 2026-03-09", "    date: 2026-03-02"),
        ("    stated_on: 2026-03-09", "    stated_on: 2026-03-02"),
        ("    date_basis: relative-weekday", "    date_basis: explicit"),
    ]:
        assert old in text
        text = text.replace(old, new)
    interview.write_text(text, encoding="utf-8")
    with EmbeddedStore(tmp_path / "store") as store:
        assert {o.status for o in ingest([corpus], store).outcomes} == {"stored"}
        rows = run(store, "contradictions")
        assert [{k: str(v) for k, v in row.items() if k != "holder"} for row in rows] == [
            {
                "holderLabel": "Germany",
                "positionDate": "2026-03-02",
                "stanceLabel": "refuses participation",
                "otherStanceLabel": "ready to",
                "actionLabel": "Germany taking part in military operations against Iran",
                "restrictions": "exception: Bundeswehr soldiers would defend themselves if attacked",
                "otherRestrictions": "trigger: nur wenn die Partner in der Golfregion angegriffen werden"
                " | purpose: zum Schutz der Partner",
                "reason": "Germany: refuses participation vs ready to on the same action, both on 2026-03-02,"
                " under different restrictions",
                "position": local(SEED_ID, "position", "de-refuses-participation"),
                "otherPosition": local(RUNDSCHAU, "position", "de-ready-to-protect-partners"),
            }
        ]
        assert run(store, "contradictions", holder="france") == []


# -- removing an article ---------------------------------------------------------------------------


def test_removing_an_article_leaves_the_others_evidence_whole(tmp_path: Path) -> None:
    with EmbeddedStore(tmp_path / "store") as store:
        ingest([CORPUS], store)
        before = {
            str(r["article"]): r["quotes"] for r in run(store, "reports-of-a-statement", statement=str(E3_STATEMENT))
        }
        courrier_graph = store.ntriples(article_graph(COURRIER))
    assert main(["remove", SEED_ID, "--store", str(tmp_path / "store")]) == 0
    with EmbeddedStore(tmp_path / "store") as store:
        after = {
            str(r["article"]): r["quotes"] for r in run(store, "reports-of-a-statement", statement=str(E3_STATEMENT))
        }
        assert after == {str(ARTICLE[COURRIER]): before[str(ARTICLE[COURRIER])]}
        assert store.ntriples(article_graph(COURRIER)) == courrier_graph
        # The E3 positions are still there (the French article reports them), the seed's are gone.
        held = {str(r["position"]) for r in run(store, "positions-of-actor", holder="germany")}
        assert str(CORPUS_POSITION["e3-enable-defensive-action"]) in held
        assert not any(p.startswith(str(ARTICLE[SEED_ID])) for p in held)
        # The reaffirmation and the change had the seed's positions as their earlier side: gone too.
        assert not set(store.graph(DERIVED_GRAPH).subjects(GPO.laterPosition, None))
    assert main(["remove", COURRIER, "--store", str(tmp_path / "store")]) == 0
    with EmbeddedStore(tmp_path / "store") as store:
        assert run(store, "reports-of-a-statement", statement=str(E3_STATEMENT)) == []
        assert E3_STATEMENT not in {r["statement"] for r in run(store, "who-said-what")}


def test_removing_an_article_not_in_the_store_removes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    store = tmp_path / "store"
    assert main(["ingest", str(corpus), "--store", str(store)]) == 0
    with EmbeddedStore(store) as opened:
        before = sorted(str(q) for q in opened.quads())
    capsys.readouterr()
    assert main(["remove", COURRIER, "no-such-article", "--store", str(store)]) == 2
    err = capsys.readouterr().err
    assert "kg remove: ARTICLE: article 'no-such-article' is not in the store" in err
    assert "nothing was removed" in err
    with EmbeddedStore(store) as opened:
        assert sorted(str(q) for q in opened.quads()) == before
