"""The analysts' named queries (``queries/*.rq``): headers, vocabulary, parameters, and the
expected answers on the seed article (one per analyst question).

Answers are compared as sets of tuples of actual values (actor IRIs, positions, stances, quotes,
offsets), never as row counts. Cells that concatenate several values (separator " | ") are compared
as sets, because GROUP_CONCAT order is not guaranteed.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import date
from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import CORPUS, SEED, SEED_ID
from rdflib import Literal, URIRef
from rdflib.namespace import RDF, SKOS
from rdflib.plugins.sparql import prepareQuery
from rdflib.term import Node

from kg.errors import QueryError, StoreError
from kg.ingest.pipeline import ingest
from kg.read.queries import NamedQuery, find_query, named_queries, parse_query_file, render
from kg.resources import data_files
from kg.store import EmbeddedStore, to_rdflib
from kg.terms import ACTOR, ARTICLE, GPO, GRAPH, POST, SCHEMES, THING, VOCAB, concept
from kg.vocabulary import concepts, vocabulary_graph

ART = f"{ARTICLE}{SEED_ID}"
SEP = " | "

QUERY_FILES = data_files("queries", "*.rq")
QUERIES = [parse_query_file(p) for p in QUERY_FILES]
QUERY_IDS = [p.name for p in QUERY_FILES]

REGISTRY_KINDS = {"actor", "post", "place", "thing", "event"}
SIMPLE_KINDS = {"date", "integer", "string", "iri"}


# -- helpers -----------------------------------------------------------------------------------


#: The E3 joint statement and its positions are corpus-level (articles/corpus.yaml).
CORPUS_POSITIONS = {"e3-defend-interests", "e3-enable-defensive-action"}
CORPUS_STATEMENTS = {"e3-joint": "e3-joint-statement-2026-03-01"}


def P(slug: str) -> URIRef:
    """A seed position (the E3 ones are corpus-level)."""
    if slug in CORPUS_POSITIONS:
        return URIRef(f"https://w3id.org/positions-kg/id/position/{slug}")
    return URIRef(f"{ART}/position/{slug}")


def S(slug: str) -> URIRef:
    """A seed statement (the E3 joint statement is corpus-level)."""
    if slug in CORPUS_STATEMENTS:
        return URIRef(f"https://w3id.org/positions-kg/id/communication/{CORPUS_STATEMENTS[slug]}")
    return URIRef(f"{ART}/statement/{slug}")


CORPUS_ACTIONS = {
    "e3-protect-interests-in-region",
    "e3-enable-defensive-strikes",
    "nato-joins-war-on-iran",
    "de-joins-ops-vs-iran",
    "fr-defends-gulf-and-jordan",
}


def ACT(slug: str) -> URIRef:
    """A seed action (the E3 ones are corpus-level)."""
    if slug in CORPUS_ACTIONS:
        return URIRef(f"https://w3id.org/positions-kg/id/action/{slug}")
    return URIRef(f"{ART}/action/{slug}")


def stance(notation: str) -> URIRef:
    return concept("stance", notation)


def cv(notation: str) -> URIRef:
    return concept("condition-value", notation)


def value(answered: object) -> object:
    """Literals as Python values (str, int, bool, date); IRIs as rdflib's; unbound as None."""
    term: Node | None = to_rdflib(answered)  # the store answers pyoxigraph's terms
    if isinstance(term, Literal):
        return term.toPython()
    return term


def run(store: EmbeddedStore, name: str, **params: str) -> list[dict[str, object]]:
    """Run a named query with ``NAME=VALUE`` parameters; rows as dicts of Python values."""
    query = find_query(name)
    result = store.select(query.text, query.bindings(params))
    assert result.variables == columns(query), "the Columns header must list the projection"
    return [{v: value(t) for v, t in zip(result.variables, row, strict=True)} for row in result.rows]


def parts(cell: object) -> frozenset[str]:
    """A concatenated cell as a set of its items."""
    return frozenset(str(cell).split(SEP)) if cell not in (None, "") else frozenset()


def columns(query: NamedQuery) -> list[str]:
    return [c.strip() for c in query.columns.split(",")]


def projection(query: NamedQuery) -> list[str]:
    return [str(v) for v in prepareQuery(query.text).algebra["PV"]]


def body(query: NamedQuery) -> str:
    """The query text without PREFIX declarations (comments kept: they name terms too)."""
    return "\n".join(line for line in query.text.splitlines() if not line.lstrip().upper().startswith("PREFIX"))


E3 = (ACTOR.uk, ACTOR.germany, ACTOR.france)


# -- the set of query files --------------------------------------------------------------------


def test_there_is_a_query_file_for_every_competency_question() -> None:
    assert QUERY_FILES, "no queries/*.rq found"
    numbers = {p.name.split("_", 1)[0] for p in QUERY_FILES}
    assert {f"{n:02d}" for n in range(1, 16)} <= numbers
    assert all(re.fullmatch(r"\d\d_[a-z0-9]+(_[a-z0-9]+)*\.rq", p.name) for p in QUERY_FILES)
    assert len(numbers) == len(QUERY_FILES), "two query files share a number"
    assert "02_conditional_positions.rq" in {p.name for p in QUERY_FILES}
    assert find_query("conditional-positions").path.name == "02_conditional_positions.rq"
    assert set(named_queries()) == {q.name for q in QUERIES}


@pytest.mark.parametrize("query", QUERIES, ids=QUERY_IDS)
def test_query_parses_with_rdflib(query: NamedQuery) -> None:
    prepareQuery(query.text)  # every prefix is declared in the file itself


@pytest.mark.parametrize("query", QUERIES, ids=QUERY_IDS)
def test_header_is_complete(query: NamedQuery) -> None:
    header = [line for line in query.text.splitlines() if line.startswith("#")]
    assert header[0].startswith("# Question: ") and query.question.endswith("?")
    assert any(line.startswith("# Parameters:") for line in header)
    assert any(line.startswith("# Answer on the seed article: ") for line in header)
    assert query.columns
    declared_none = "# Parameters: none" in header
    assert declared_none == (not query.parameters), "either 'Parameters: none' or at least one parameter"


@pytest.mark.parametrize("query", QUERIES, ids=QUERY_IDS)
def test_columns_header_is_the_projection(query: NamedQuery) -> None:
    assert columns(query) == projection(query)


@pytest.mark.parametrize(
    "query", [q for q in QUERIES if q.parameters], ids=[q.path.name for q in QUERIES if q.parameters]
)
def test_parameters_are_projected_and_well_typed(query: NamedQuery, seed_store: EmbeddedStore) -> None:
    projected = projection(query)
    for name, parameter in query.parameters.items():
        # pyoxigraph refuses substitutions for variables outside the projection
        assert name in projected, f"{query.path.name}: parameter ?{name} is not in the SELECT projection"
        assert re.search(rf"\?{name}\b", body(query).split("WHERE", 1)[1]), f"?{name} is not used in the pattern"
        kind = parameter.kind
        if kind.startswith("concept:"):
            assert kind.split(":", 1)[1] in SCHEMES
        else:
            assert kind in REGISTRY_KINDS | SIMPLE_KINDS, kind
        if parameter.default is not None:
            term = parameter.term(parameter.default)
            if kind in REGISTRY_KINDS:
                found = seed_store.select("SELECT ?s ?p WHERE { ?s ?p ?o } LIMIT 1", {"s": term}).rows
                assert found, f"default {parameter.default!r} is not in the registry"


@pytest.mark.parametrize("query", QUERIES, ids=QUERY_IDS)
def test_gpo_terms_are_declared(query: NamedQuery) -> None:
    used = set(re.findall(r"\bgpo:([A-Za-z_][\w-]*)", body(query)))
    assert used, "a query that uses no gpo: term?"
    assert used - set(GPO.__annotations__) == set()


@pytest.mark.parametrize("query", QUERIES, ids=QUERY_IDS)
def test_concepts_exist_in_the_vocabulary(query: NamedQuery) -> None:
    text = body(query)
    unknown = []
    # Grouping concepts (e.g. cond:restriction) have no notation but are real concepts for queries.
    known = {str(c) for c in vocabulary_graph().subjects(RDF.type, SKOS.Concept)}
    for scheme, prefix in SCHEMES.items():
        for notation in re.findall(rf"(?<![\w/#?]){prefix}:([a-z0-9][a-z0-9-]*[a-z0-9])", text):
            if str(concept(scheme, notation)) not in known:
                unknown.append(f"{prefix}:{notation}")
    for scheme, notation in re.findall(re.escape(str(VOCAB)) + r"([a-z-]+)(?:/([a-z0-9-]+))?>", text):
        if scheme not in SCHEMES or (notation and str(concept(scheme, notation)) not in known):
            unknown.append(f"{scheme}/{notation}")
    for name, parameter in query.parameters.items():
        if parameter.kind.startswith("concept:") and parameter.default:
            assert parameter.default in concepts(parameter.kind.split(":", 1)[1]), name
    assert unknown == []


def test_separator_is_the_documented_one() -> None:
    for query in QUERIES:
        for separator in re.findall(r'separator\s*=\s*"([^"]*)"', query.text):
            assert separator == SEP, query.path.name


# -- CQ1 -----------------------------------------------------------------------------------------


def test_cq01_actors_ruling_out_participation(seed_store: EmbeddedStore) -> None:
    rows = run(seed_store, "01")
    got = {
        (
            r["holder"],
            r["stance"],
            r["target"],
            r["position"],
            r["statement"],
            r["speakerLabel"],
            r["statedOn"],
            r["quote"],
        )
        for r in rows
    }
    refuses, denies = stance("refuses-participation"), stance("denies")
    assert got == {
        (
            ACTOR.nato,
            refuses,
            ACTOR.iran,
            P("nato-no-participation"),
            S("rutte-ard"),
            "Mark Rutte",
            date(2026, 3, 2),
            "absolutely no plans whatever",
        ),
        (
            ACTOR.germany,
            refuses,
            ACTOR.iran,
            P("de-refuses-participation"),
            S("wadephul-dlf"),
            "Johann Wadephul",
            date(2026, 3, 2),
            "The federal government has no intention of participating",
        ),
        (
            ACTOR.germany,
            refuses,
            ACTOR.iran,
            P("de-refuses-participation"),
            S("de-reported"),
            "German federal government",
            None,
            None,
        ),
        # the narrower, assertive denial: only direct participation in offensive operations
        (ACTOR.uk, denies, ACTOR.iran, P("uk-denies-direct-offensive"), S("uk-gov"), "UK government", None, None),
    }
    scope = {r["holder"]: parts(r["scope"]) for r in rows}
    assert scope[ACTOR.nato] == {
        "acting capacity: only as a collective military actor, through NATO structures",
        "participation modality: no intention of becoming directly involved",
        "participation modality: would not formally participate in the war",  # "formally" kept (issue 13)
        "exception: any involvement limited to individual member states acting independently, not through NATO structures",
    }
    assert scope[ACTOR.uk] == {
        'participation modality: only direct participation is denied ("not directly participating")'
    }


def test_cq01_parameters(seed_store: EmbeddedStore) -> None:
    assert {r["holder"] for r in run(seed_store, "01", target="iran")} == {ACTOR.nato, ACTOR.germany, ACTOR.uk}
    assert run(seed_store, "01", target="usa") == []  # nobody rules out operations against the US
    assert run(seed_store, "01", holder="iran") == []  # an actor with no positions
    refusing = run(seed_store, "01", stance="refuses-participation")
    assert {r["holder"] for r in refusing} == {ACTOR.nato, ACTOR.germany}
    assert {r["holder"] for r in run(seed_store, "01", stance="denies")} == {ACTOR.uk}
    assert {r["holder"] for r in run(seed_store, "01", holder="germany")} == {ACTOR.germany}


# -- CQ2 -----------------------------------------------------------------------------------------

_E3_RESTRICTIONS = {
    ("e3-defend-interests", "geographic scope", frozenset()),
    (
        "e3-defend-interests",
        "beneficiary scope",
        frozenset({"United Kingdom", "Germany", "France", "Regional allies (unnamed)"}),
    ),
    ("e3-enable-defensive-action", "threshold", frozenset({"necessity and proportionality"})),
    ("e3-enable-defensive-action", "purpose", frozenset({"defensive"})),
    ("e3-enable-defensive-action", "target scope", frozenset({"Iran's missile and drone capabilities"})),
}
CQ2_EXPECTED = {
    (ACTOR.uk, P("uk-authorises-basing"), "purpose", frozenset({"defensive"})),
    (ACTOR.uk, P("uk-authorises-basing"), "target scope", frozenset({"Iranian missile sites and stockpiles"})),
    (ACTOR.uk, P("uk-denies-direct-offensive"), "participation modality", frozenset({"direct participation"})),
    # a commitment to protect allies FROM further attack: a purpose, not a trigger (issue 13)
    (ACTOR.uk, P("uk-protect-allies"), "purpose", frozenset({"protective"})),
    (ACTOR.uk, P("uk-protect-allies"), "beneficiary scope", frozenset({"Regional allies (unnamed)"})),
    (ACTOR.nato, P("nato-no-participation"), "acting capacity", frozenset({"collective alliance action"})),
    (ACTOR.nato, P("nato-no-participation"), "participation modality", frozenset({"direct participation"})),
    (ACTOR.nato, P("nato-no-participation"), "participation modality", frozenset({"formal participation"})),
    (ACTOR.nato, P("nato-no-participation"), "exception", frozenset({"individual member-state action"})),
    (
        ACTOR.germany,
        P("de-refuses-participation"),
        "exception",
        frozenset({"position: Bundeswehr soldiers abroad defending themselves if attacked"}),
    ),
    (ACTOR.germany, P("de-self-defence"), "trigger", frozenset({"armed attack on own forces"})),
    (ACTOR.germany, P("de-self-defence"), "beneficiary scope", frozenset({"Bundeswehr"})),
    (ACTOR.france, P("fr-ready-defend-gulf-jordan"), "beneficiary scope", frozenset({"Gulf states", "Jordan"})),
    *((holder, P(position), kind, values) for holder in E3 for position, kind, values in _E3_RESTRICTIONS),
}


def test_cq02_conditional_positions(seed_store: EmbeddedStore) -> None:
    rows = run(seed_store, "conditional-positions")
    got = {(r["holder"], r["position"], r["conditionTypeLabel"], parts(r["conditionValues"])) for r in rows}
    assert got == CQ2_EXPECTED
    assert len(rows) == len(CQ2_EXPECTED)  # one row per holder and restriction
    # grounds (legal basis, capability limitation, rationale, procedural objection) are not restrictions
    assert not {r["conditionTypeLabel"] for r in rows} & {
        "legal basis",
        "capability limitation",
        "stated rationale",
        "procedural objection",
    }
    by_key = {(r["holder"], r["position"], r["conditionTypeLabel"]): r for r in rows}
    purpose = by_key[(ACTOR.uk, P("uk-authorises-basing"), "purpose")]
    assert purpose["stanceLabel"] == "authorises"
    assert purpose["actionLabel"] == "US forces' use of British bases for strikes on Iranian missile sites"
    assert purpose["conditionText"] == 'only for what the UK describes as defensive strikes, a "defensive measure"'
    assert parts(purpose["quotes"]) == {
        "defensive measure [2740,2757)",
        "has authorized the use of its military bases for what it described as defensive strikes targeting Iranian "
        "missile stockpiles [1483,1607)",
    }
    denial = by_key[(ACTOR.uk, P("uk-denies-direct-offensive"), "participation modality")]
    assert parts(denial["quotes"]) == {
        "it is not directly participating in offensive operations against Iran [1409,1478)",
        "it is not directly participating in offensive operations [2840,2896)",
    }
    assert denial["operatorLabel"] == "only"
    assert by_key[(ACTOR.france, P("fr-ready-defend-gulf-jordan"), "beneficiary scope")]["operatorLabel"] == "any of"
    trigger = by_key[(ACTOR.germany, P("de-self-defence"), "trigger")]
    assert (trigger["conditionText"], trigger["quotes"]) == (
        "only if the soldiers were attacked",
        "our Bundeswehr soldiers would defend themselves if they were attacked [2520,2589)",
    )
    assert by_key[(ACTOR.germany, P("e3-enable-defensive-action"), "threshold")]["modalityLabel"] == "possible"
    assert by_key[(ACTOR.nato, P("nato-no-participation"), "exception")]["quotes"] == (
        "any involvement would be limited to individual member states acting independently rather than through NATO "
        "structures [1103,1220)"
    )


def test_cq02_holder_parameter(seed_store: EmbeddedStore) -> None:
    germany = run(seed_store, "conditional-positions", holder="germany")
    assert {(r["holder"], r["position"], r["conditionTypeLabel"], parts(r["conditionValues"])) for r in germany} == {
        t for t in CQ2_EXPECTED if t[0] == ACTOR.germany
    }
    assert {r["position"] for r in germany} == {
        P("de-refuses-participation"),
        P("de-self-defence"),
        P("e3-defend-interests"),
        P("e3-enable-defensive-action"),
    }
    assert {r["holder"] for r in run(seed_store, "02", holder="uk")} == {ACTOR.uk}
    assert run(seed_store, "02", holder="iran") == []
    assert run(seed_store, "02", holder="mark-rutte") == []  # his only condition is a ground


# -- CQ3 -----------------------------------------------------------------------------------------


def test_cq03_who_said_what(seed_store: EmbeddedStore) -> None:
    rows = run(seed_store, "who-said-what")
    got = {
        (
            r["statement"],
            r["speakerLabel"],
            r["capacityLabel"],
            r["onBehalfOfLabel"],
            r["venueTypeLabel"],
            r["mediumLabel"],
            r["placeLabel"],
            r["statedOn"],
            r["position"],
        )
        for r in rows
    }
    monday, sunday = date(2026, 3, 2), date(2026, 3, 1)
    sg, fm = "Secretary General of NATO", "Federal Minister for Foreign Affairs (Germany)"
    assert got == {
        (S("rutte-ard"), "Mark Rutte", sg, "NATO", "interview", "ARD", "Brussels", monday, P("nato-no-participation")),
        (S("rutte-praise"), "Mark Rutte", sg, None, None, None, None, monday, P("rutte-praises-strikes")),
        (
            S("wadephul-dlf"),
            "Johann Wadephul",
            fm,
            "German federal government",
            "interview",
            "Deutschlandfunk",
            None,
            monday,
            P("de-refuses-participation"),
        ),
        (
            S("wadephul-dlf"),
            "Johann Wadephul",
            fm,
            "German federal government",
            "interview",
            "Deutschlandfunk",
            None,
            monday,
            P("de-self-defence"),
        ),
        *(
            (S("e3-joint"), who, None, None, "joint statement", None, None, sunday, P(p))
            for who in ("United Kingdom", "Germany", "France")
            for p in ("e3-defend-interests", "e3-enable-defensive-action")
        ),
        *(
            (S("uk-gov"), "UK government", None, "United Kingdom", "official statement", None, None, None, P(p))
            for p in ("uk-denies-direct-offensive", "uk-authorises-basing", "uk-protect-allies")
        ),
        (
            S("de-reported"),
            "German federal government",
            None,
            "Germany",
            None,
            None,
            None,
            None,
            P("de-refuses-participation"),
        ),
        (S("fr-ready"), "France", None, None, "unspecified venue", None, None, None, P("fr-ready-defend-gulf-jordan")),
        (
            S("fr-officials-regret"),
            "French officials",
            None,
            "France",
            "unspecified venue",
            None,
            None,
            None,
            P("fr-regrets-no-un-debate"),
        ),
    }
    assert {r["statement"]: r["dateBasisLabel"] for r in rows}[S("uk-gov")] == "not later than publication"
    assert rows[0]["statedOn"] == sunday and rows[-1]["statedOn"] is None  # dated first, in date order


# -- CQ4 -----------------------------------------------------------------------------------------


def test_cq04_verbatim_quotes(seed_store: EmbeddedStore) -> None:
    rows = run(seed_store, "verbatim-quotes")
    got = {(r["statement"], r["quote"], r["start"], r["end"], r["edited"]) for r in rows}
    assert got == {
        (S("rutte-ard"), "absolutely no plans whatever", 563, 591, False),
        (S("rutte-praise"), "really important", 755, 771, False),
        (S("wadephul-dlf"), "The federal government has no intention of participating", 2256, 2312, False),
        (S("wadephul-dlf"), "we also do not have the necessary military resources", 2328, 2380, False),
        (S("wadephul-dlf"), "our Bundeswehr soldiers would defend themselves if they were attacked", 2520, 2589, False),
        (S("uk-gov"), "defensive measure", 2740, 2757, False),
        (S("fr-ready"), "ready… to take part in [the] defense", 2931, 2967, True),
        (S("fr-ready"), "self-defense", 3024, 3036, False),
    }
    assert all(r["end"] - r["start"] == len(r["quote"]) for r in rows)
    assert [r["start"] for r in rows] == sorted(r["start"] for r in rows)
    assert {r["statement"]: r["speakers"] for r in rows} == {
        S("rutte-ard"): "Mark Rutte",
        S("rutte-praise"): "Mark Rutte",
        S("wadephul-dlf"): "Johann Wadephul",
        S("uk-gov"): "UK government",
        S("fr-ready"): "France",
    }
    # paraphrase-only statements have no verbatim quote
    assert not {S("e3-joint"), S("de-reported"), S("fr-officials-regret")} & {r["statement"] for r in rows}


def test_cq04_kind_parameter(seed_store: EmbeddedStore) -> None:
    rows = run(seed_store, "04", kind="journalist-summary")
    assert {(r["statement"], r["quote"], r["start"], r["end"], r["kind"]) for r in rows} == {
        (
            S("de-reported"),
            "it will not take part in military operations against Iran",
            2006,
            2063,
            concept("evidence-kind", "journalist-summary"),
        )
    }
    with pytest.raises(QueryError, match="unknown evidence-kind 'hearsay'"):
        find_query("04").bindings({"kind": "hearsay"})


# -- CQ5 -----------------------------------------------------------------------------------------


def test_cq05_authorisations(seed_store: EmbeddedStore) -> None:
    rows = run(seed_store, "authorisations")
    got = {
        (
            r["holder"],
            r["authorised"],
            r["instrument"],
            r["instrumentLabel"],
            r["conditionTypeLabel"],
            r["conditionValues"],
            r["conditionText"],
            r["position"],
        )
        for r in rows
    }
    assert got == {
        (
            ACTOR.uk,
            ACTOR["us-forces"],
            THING["british-bases"],
            "British military bases",
            "purpose",
            "defensive",
            'only for what the UK describes as defensive strikes, a "defensive measure"',
            P("uk-authorises-basing"),
        ),
        (
            ACTOR.uk,
            ACTOR["us-forces"],
            THING["british-bases"],
            "British military bases",
            "target scope",
            "Iranian missile sites and stockpiles",
            "Iranian missile sites and missile stockpiles",
            P("uk-authorises-basing"),
        ),
    }
    assert run(seed_store, "05", holder="germany") == []
    assert len(run(seed_store, "05", holder="uk")) == 2


# -- CQ6 -----------------------------------------------------------------------------------------


def test_cq06_stances_on_the_strikes(seed_store: EmbeddedStore) -> None:
    rows = run(seed_store, "stances-on-the-strikes")
    got = {(r["holder"], r["relation"], r["stanceLabel"], r["position"]) for r in rows}
    assert got == {
        (ACTOR["mark-rutte"], "the strikes themselves", "praises", P("rutte-praises-strikes")),
        (ACTOR.uk, "enabling strikes", "authorises", P("uk-authorises-basing")),
        *((h, "enabling strikes", "ready to", P("e3-enable-defensive-action")) for h in E3),
        (ACTOR.nato, "taking part itself", "refuses participation", P("nato-no-participation")),
        (ACTOR.germany, "taking part itself", "refuses participation", P("de-refuses-participation")),
        (ACTOR.uk, "taking part itself", "denies", P("uk-denies-direct-offensive")),
    }
    assert {r["event"] for r in rows} == {URIRef("https://w3id.org/positions-kg/id/event/us-israel-war-on-iran-2026")}
    by_position = {r["position"]: r for r in rows}
    praise = by_position[P("rutte-praises-strikes")]
    assert praise["quotes"] == "really important"
    assert parts(praise["conditions"]) == {
        "stated rationale: aimed at degrading Iran's nuclear and ballistic missile "
        "capabilities and weakening its ability to acquire nuclear capability"
    }
    # France regrets that the assault was not debated at the UN: no position on the strikes (issue 13)
    assert ACTOR.france not in {r["holder"] for r in rows if r["relation"] == "the strikes themselves"}
    assert parts(by_position[P("de-refuses-participation")]["quotes"]) == {
        "The federal government has no intention of participating",
        "we also do not have the necessary military resources",
        "our Bundeswehr soldiers would defend themselves if they were attacked",
    }
    assert by_position[P("uk-authorises-basing")]["quotes"] == "defensive measure"
    assert by_position[P("uk-denies-direct-offensive")]["quotes"] is None
    assert by_position[P("e3-enable-defensive-action")]["modalityLabel"] == "possible"
    assert [r["relation"] for r in rows[:1]] == ["the strikes themselves"]
    assert {r["position"] for r in run(seed_store, "06", holder="germany")} == {
        P("de-refuses-participation"),
        P("e3-enable-defensive-action"),
    }


# -- CQ7 -----------------------------------------------------------------------------------------


def test_cq07_legal_basis_and_thresholds(seed_store: EmbeddedStore) -> None:
    rows = run(seed_store, "legal-basis-and-thresholds")
    got = {(r["holder"], r["position"], r["conditionTypeLabel"], r["value"], r["conditionText"]) for r in rows}
    assert got == {
        (
            ACTOR.france,
            P("fr-ready-defend-gulf-jordan"),
            "legal basis",
            cv("collective-self-defence"),
            "collective self-defence under international law",
        ),
        *(
            (
                h,
                P("e3-enable-defensive-action"),
                "threshold",
                cv("necessity-and-proportionality"),
                "only necessary and proportionate action",
            )
            for h in E3
        ),
    }
    # Germany's individual self-defence is the annotator's inference, deliberately not recorded
    assert P("de-self-defence") not in {r["position"] for r in rows}
    france = next(r for r in rows if r["position"] == P("fr-ready-defend-gulf-jordan"))
    assert parts(france["quotes"]) == {
        "self-defense [3024,3036)",
        'framing this as collective "self-defense" under international law [2996,3061)',
    }
    assert {r["position"] for r in run(seed_store, "07", holder="france")} == {
        P("fr-ready-defend-gulf-jordan"),
        P("e3-enable-defensive-action"),
    }


# -- CQ8 -----------------------------------------------------------------------------------------


def test_cq08_capability_limitations(seed_store: EmbeddedStore) -> None:
    rows = run(seed_store, "capability-limitations")
    got = {
        (
            r["holder"],
            r["position"],
            r["stanceLabel"],
            r["value"],
            r["conditionText"],
            r["quote"],
            r["kindLabel"],
            r["start"],
            r["end"],
        )
        for r in rows
    }
    assert got == {
        (
            ACTOR.germany,
            P("de-refuses-participation"),
            "refuses participation",
            cv("insufficient-military-resources"),
            "lacks the necessary military resources (to engage in offensive action)",
            "we also do not have the necessary military resources",
            "direct quote",
            2328,
            2380,
        )
    }
    assert run(seed_store, "08", holder="uk") == []


# -- CQ9 -----------------------------------------------------------------------------------------


def test_cq09_speakers_and_mandates(seed_store: EmbeddedStore) -> None:
    rows = run(seed_store, "speakers-and-mandates")
    got = {
        (r["statement"], r["speaker"], r["speakerLabel"], r["namedPerson"], r["capacity"], r["onBehalfOf"])
        for r in rows
    }
    sg, fm = POST["nato-secretary-general"], POST["de-foreign-minister"]
    assert got == {
        (S("rutte-ard"), ACTOR["mark-rutte"], "Mark Rutte", True, sg, ACTOR.nato),
        (S("rutte-praise"), ACTOR["mark-rutte"], "Mark Rutte", True, sg, None),
        (S("wadephul-dlf"), ACTOR["johann-wadephul"], "Johann Wadephul", True, fm, ACTOR["de-federal-government"]),
        (S("uk-gov"), ACTOR["uk-government"], "UK government", False, None, ACTOR.uk),
        (S("de-reported"), ACTOR["de-federal-government"], "German federal government", False, None, ACTOR.germany),
        (S("e3-joint"), ACTOR.uk, "United Kingdom", False, None, None),
        (S("e3-joint"), ACTOR.germany, "Germany", False, None, None),
        (S("e3-joint"), ACTOR.france, "France", False, None, None),
        (S("fr-ready"), ACTOR.france, "France", False, None, None),
        # unnamed officials: an actor group, shown with the article's own description
        (S("fr-officials-regret"), ACTOR["french-officials"], "French officials", False, None, ACTOR.france),
    }
    by_statement = {r["statement"]: r for r in rows}
    assert "London" in parts(by_statement[S("uk-gov")]["alsoCalled"])
    assert by_statement[S("uk-gov")]["speakerType"] == "government body"
    assert (by_statement[S("rutte-ard")]["capacityLabel"], by_statement[S("rutte-ard")]["officeOf"]) == (
        "Secretary General of NATO",
        "NATO",
    )
    assert by_statement[S("wadephul-dlf")]["officeOf"] == "German federal government"


# -- CQ10 ----------------------------------------------------------------------------------------


def test_cq10_defence_of_third_parties(seed_store: EmbeddedStore) -> None:
    rows = run(seed_store, "defence-of-third-parties")
    got = {(r["holder"], r["stanceLabel"], r["position"], parts(r["beneficiaries"])) for r in rows}
    assert got == {
        (ACTOR.france, "ready to", P("fr-ready-defend-gulf-jordan"), frozenset({"Gulf states", "Jordan"})),
        (ACTOR.uk, "commits to", P("uk-protect-allies"), frozenset({"Regional allies (unnamed)"})),
        *(
            (
                h,
                "commits to",
                P("e3-defend-interests"),
                frozenset({"United Kingdom", "Germany", "France", "Regional allies (unnamed)"}),
            )
            for h in E3
        ),
    }
    france = next(r for r in rows if r["position"] == P("fr-ready-defend-gulf-jordan"))
    assert "legal basis: collective self-defence under international law" in parts(france["conditions"])
    uk = next(r for r in rows if r["position"] == P("uk-protect-allies"))
    assert "purpose: to protect regional allies from further attack" in parts(uk["conditions"])
    assert not any(c.startswith("trigger") for c in parts(uk["conditions"]))
    assert {r["position"] for r in run(seed_store, "10", holder="germany")} == {P("e3-defend-interests")}


# -- CQ11 ----------------------------------------------------------------------------------------


def test_cq11_members_vs_alliance(seed_store: EmbeddedStore) -> None:
    rows = run(seed_store, "members-vs-alliance")
    got = {(r["alliance"], r["role"], r["holder"], r["position"]) for r in rows}
    e3 = ("e3-defend-interests", "e3-enable-defensive-action")
    members = {
        ACTOR.uk: ("uk-denies-direct-offensive", "uk-authorises-basing", "uk-protect-allies", *e3),
        ACTOR.germany: ("de-refuses-participation", "de-self-defence", *e3),
        ACTOR.france: ("fr-ready-defend-gulf-jordan", "fr-regrets-no-un-debate", *e3),
    }
    assert got == {
        (ACTOR.nato, "alliance", ACTOR.nato, P("nato-no-participation")),
        *((ACTOR.nato, "member", holder, P(p)) for holder, positions in members.items() for p in positions),
    }
    assert rows[0]["role"] == "alliance"
    nato = rows[0]
    assert (nato["stanceLabel"], nato["polarityLabel"]) == ("refuses participation", "negative")
    assert (
        "exception: any involvement limited to individual member states acting independently, not through NATO "
        "structures" in parts(nato["conditions"])
    )
    regret = next(r for r in rows if r["position"] == P("fr-regrets-no-un-debate"))
    assert (regret["stanceLabel"], regret["polarityLabel"]) == ("regrets the lack of", "positive")
    assert regret["actionLabel"] == (
        "Debate of the US-Israeli assault on Iran through multilateral institutions such as the United Nations"
    )
    assert run(seed_store, "11", alliance="uk") == []  # the UK has no members
    assert {r["holder"] for r in run(seed_store, "11", alliance="nato")} == {ACTOR.nato, *E3}


# -- CQ12 ----------------------------------------------------------------------------------------

#: Members' own positions that NATO's exception ("limited to individual member states") covers: no
#: longer reported as tensions with NATO (issue 12).
_NATO_VS_MEMBERS = (
    "uk-authorises-basing",
    "uk-protect-allies",
    "e3-enable-defensive-action",
    "de-self-defence",
    "fr-ready-defend-gulf-jordan",
)


def test_cq12_tensions(seed_store: EmbeddedStore) -> None:
    rows = run(seed_store, "tensions")
    got = {(r["holder"], r["basis"], r["position"], r["otherPosition"]) for r in rows}
    assert got == {
        (ACTOR.uk, "asserted", P("uk-denies-direct-offensive"), P("uk-authorises-basing")),
        (ACTOR.germany, "asserted", P("de-refuses-participation"), P("e3-enable-defensive-action")),
    }
    assert not {(P("nato-no-participation"), P(p)) for p in _NATO_VS_MEMBERS} & {
        (r["position"], r["otherPosition"]) for r in rows
    }
    pairs = [frozenset((r["position"], r["otherPosition"])) for r in rows]
    assert len(pairs) == len(set(pairs)), "each unordered pair once"
    # a carve-out is not a tension
    assert frozenset((P("de-refuses-participation"), P("de-self-defence"))) not in pairs
    by_pair = {(r["position"], r["otherPosition"]): r for r in rows}
    germany = by_pair[(P("de-refuses-participation"), P("e3-enable-defensive-action"))]
    assert (germany["stanceLabel"], germany["otherStanceLabel"], germany["otherModalityLabel"]) == (
        "refuses participation",
        "ready to",
        "possible",
    )
    assert parts(germany["otherHolders"]) == {"United Kingdom", "Germany", "France"}
    assert parts(germany["otherRestrictions"]) == {
        "threshold: only necessary and proportionate action",
        "purpose: defensive action only (as the three governments describe it)",
        "target scope: Iran's missile and drone capabilities at their source",
    }
    uk = by_pair[(P("uk-denies-direct-offensive"), P("uk-authorises-basing"))]
    assert parts(uk["restrictions"]) == {
        'participation modality: only direct participation is denied ("not directly participating")'
    }
    assert parts(uk["otherRestrictions"]) == {
        'purpose: only for what the UK describes as defensive strikes, a "defensive measure"',
        "target scope: Iranian missile sites and missile stockpiles",
    }
    assert {r["otherPosition"] for r in run(seed_store, "12", holder="uk")} == {P("uk-authorises-basing")}
    assert {r["otherPosition"] for r in run(seed_store, "12", holder="germany")} == {P("e3-enable-defensive-action")}
    assert run(seed_store, "12", holder="france") == []


def test_cq12_derives_tensions_without_annotator_links(store: EmbeddedStore) -> None:
    """With every gpo:inTensionWith removed, Germany's tension is still derived from the data."""
    ingest([SEED], store)
    store._update(f"DELETE WHERE {{ GRAPH ?g {{ ?a {GPO.inTensionWith.n3()} ?b }} }}")
    got = {(r["holder"], r["basis"], r["position"], r["otherPosition"]) for r in run(store, "tensions")}
    assert got == {
        (ACTOR.germany, "derived: same holder", P("de-refuses-participation"), P("e3-enable-defensive-action")),
    }


def test_tension_network_counts_the_pairs_of_12(seed_store: EmbeddedStore, generated_store: EmbeddedStore) -> None:
    got = {(r["holder"], r["basis"], parts(r["otherHolders"]), r["pairs"]) for r in run(seed_store, "tension-network")}
    assert got == {
        (ACTOR.germany, "asserted", frozenset({"Germany", "France", "United Kingdom"}), 1),
        (ACTOR.uk, "asserted", frozenset({"United Kingdom"}), 1),
    }
    # Same derivation as 12: the counts are those of 12's rows, whatever the holder and the window.
    for params in (
        {},
        {"windowDays": "any"},
        {"holder": "zarosar", "windowDays": "any"},
        {"holder": "iran", "windowDays": "any"},
    ):
        listed = Counter(
            (r["holder"], r["basis"], parts(r["otherHolders"])) for r in run(generated_store, "12", **params)
        )
        counted: Counter[tuple] = Counter()
        for r in run(generated_store, "tension-network", **params):
            counted[(r["holder"], r["basis"], parts(r["otherHolders"]))] += r["pairs"]
        assert counted == listed and max(listed.values()) > 1, params


# -- CQ13 ----------------------------------------------------------------------------------------


def test_cq13_line_over_time(seed_store: EmbeddedStore) -> None:
    rows = run(seed_store, "line-over-time")
    sunday, monday = date(2026, 3, 1), date(2026, 3, 2)
    got = {(r["holder"], r["statement"], r["position"], r["statedOn"], r["notLaterThan"]) for r in rows}
    e3 = {
        (h, S("e3-joint"), P(p), sunday, sunday)
        for h in E3
        for p in ("e3-defend-interests", "e3-enable-defensive-action")
    }
    assert got == e3 | {
        (ACTOR.germany, S("wadephul-dlf"), P("de-refuses-participation"), monday, monday),
        (ACTOR.germany, S("wadephul-dlf"), P("de-self-defence"), monday, monday),
        (ACTOR.germany, S("de-reported"), P("de-refuses-participation"), None, monday),
        *(
            (ACTOR.uk, S("uk-gov"), P(p), None, monday)
            for p in ("uk-denies-direct-offensive", "uk-authorises-basing", "uk-protect-allies")
        ),
        (ACTOR.france, S("fr-ready"), P("fr-ready-defend-gulf-jordan"), None, monday),
        (ACTOR.france, S("fr-officials-regret"), P("fr-regrets-no-un-debate"), None, monday),
        (ACTOR.nato, S("rutte-ard"), P("nato-no-participation"), monday, monday),
        (ACTOR["mark-rutte"], S("rutte-praise"), P("rutte-praises-strikes"), monday, monday),
    }
    assert {r["supersedes"] for r in rows} == {None}  # no change links are warranted by this article
    germany = run(seed_store, "13", holder="germany")
    assert [(r["statement"], r["statedOn"]) for r in germany] == [
        (S("e3-joint"), sunday),
        (S("e3-joint"), sunday),
        (S("wadephul-dlf"), monday),
        (S("wadephul-dlf"), monday),
        (S("de-reported"), None),
    ]
    assert germany[-1]["dateBasisLabel"] == "not later than publication"
    uk = run(seed_store, "13", holder="uk")
    assert [r["statement"] for r in uk] == [S("e3-joint")] * 2 + [S("uk-gov")] * 3


# -- CQ14 ----------------------------------------------------------------------------------------


def test_cq14_paraphrase_only(seed_store: EmbeddedStore) -> None:
    rows = run(seed_store, "paraphrase-only")
    got = {(r["level"], r["holder"], r["position"], r["conditionTypeLabel"]) for r in rows}
    assert got == {
        ("position", ACTOR.uk, P("uk-denies-direct-offensive"), None),
        ("position", ACTOR.uk, P("uk-protect-allies"), None),
        *(("position", h, P(p), None) for h in E3 for p in ("e3-defend-interests", "e3-enable-defensive-action")),
        ("position", ACTOR.france, P("fr-regrets-no-un-debate"), None),
        # quoted positions whose conditions rest on paraphrase only, e.g. NATO's carve-out
        ("condition", ACTOR.nato, P("nato-no-participation"), "exception"),
        ("condition", ACTOR.nato, P("nato-no-participation"), "acting capacity"),
        ("condition", ACTOR.nato, P("nato-no-participation"), "participation modality"),
        ("condition", ACTOR["mark-rutte"], P("rutte-praises-strikes"), "stated rationale"),
        ("condition", ACTOR.uk, P("uk-authorises-basing"), "target scope"),
        ("condition", ACTOR.germany, P("de-self-defence"), "beneficiary scope"),
        ("condition", ACTOR.france, P("fr-ready-defend-gulf-jordan"), "beneficiary scope"),
    }
    # Germany's refusal has Wadephul's direct quote as well as the outlet's summary
    assert P("de-refuses-participation") not in {r["position"] for r in rows}
    kinds = {(r["position"], r["condition"]): parts(r["evidenceKinds"]) for r in rows}
    assert kinds[(P("uk-denies-direct-offensive"), None)] == {"paraphrase"}
    assert kinds[(P("e3-defend-interests"), None)] == {"paraphrase"}
    assert kinds[(P("nato-no-participation"), URIRef(f"{P('nato-no-participation')}/condition/exception"))] == {
        "paraphrase"
    }
    assert all(r["level"] == "position" for r in rows[:9])
    assert {r["position"] for r in run(seed_store, "14", holder="germany")} == {
        P("e3-defend-interests"),
        P("e3-enable-defensive-action"),
        P("de-self-defence"),
    }


# -- CQ15 ----------------------------------------------------------------------------------------


def test_cq15_targets_and_beneficiaries(seed_store: EmbeddedStore) -> None:
    rows = run(seed_store, "targets-and-beneficiaries")
    got = {(r["action"], r["role"], r["party"]) for r in rows}
    strikes, bases = ACT("us-israeli-strikes-on-iran"), ACT("us-use-of-british-bases")
    assert got == {
        # targets
        (ACT("nato-joins-war-on-iran"), "target", ACTOR.iran),
        (ACT("uk-offensive-ops-vs-iran"), "target", ACTOR.iran),
        (ACT("de-joins-ops-vs-iran"), "target", ACTOR.iran),
        (strikes, "target", ACTOR.iran),
        (bases, "target", THING["iranian-missile-sites"]),
        (ACT("e3-enable-defensive-strikes"), "target", THING["iran-missile-and-drone-capabilities"]),
        # who strikes
        (strikes, "agent", ACTOR.usa),
        (strikes, "agent", ACTOR.israel),
        (bases, "agent", ACTOR["us-forces"]),
        # who benefits
        (bases, "beneficiary", ACTOR["us-forces"]),
        (ACT("uk-protects-regional-allies"), "beneficiary", ACTOR["regional-allies"]),
        *((ACT("e3-protect-interests-in-region"), "beneficiary", b) for b in (*E3, ACTOR["regional-allies"])),
        (ACT("fr-defends-gulf-and-jordan"), "beneficiary", ACTOR["gulf-states"]),
        (ACT("fr-defends-gulf-and-jordan"), "beneficiary", ACTOR.jordan),
        (ACT("bundeswehr-self-defence"), "beneficiary", ACTOR.bundeswehr),
        # resource and forum
        (bases, "instrument", THING["british-bases"]),
        (ACT("un-debate-of-assault"), "instrument", ACTOR.un),  # the forum of the missing debate
    }
    labels = {r["party"]: r["partyLabel"] for r in rows}
    assert labels[THING["iran-missile-and-drone-capabilities"]] == "Iran's missile and drone capabilities"
    assert labels[ACTOR.un] == "United Nations"


# -- additional queries ------------------------------------------------------------------------


def test_positions_of_actor(seed_store: EmbeddedStore) -> None:
    rows = run(seed_store, "positions-of-actor", holder="germany")
    got = {(r["holder"], r["position"], r["stanceLabel"], r["polarityLabel"]) for r in rows}
    assert got == {
        (ACTOR.germany, P("de-refuses-participation"), "refuses participation", "negative"),
        (ACTOR.germany, P("de-self-defence"), "ready to", "positive"),
        (ACTOR.germany, P("e3-defend-interests"), "commits to", "positive"),
        (ACTOR.germany, P("e3-enable-defensive-action"), "ready to", "positive"),
    }
    by_position = {r["position"]: r for r in rows}
    assert parts(by_position[P("e3-enable-defensive-action")]["coHolders"]) == {"United Kingdom", "France"}
    # "defensive" is the E3's framing, not an action type (issue 13)
    assert parts(by_position[P("e3-enable-defensive-action")]["actionTypes"]) == {
        "military support short of participation",
        "strike",
    }
    assert parts(by_position[P("de-refuses-participation")]["statements"]) == {
        "Johann Wadephul (2026-03-02)",
        "German federal government (undated)",
    }
    assert by_position[P("de-self-defence")]["coHolders"] is None
    everyone = run(seed_store, "positions-of-actor")
    assert {r["holder"] for r in everyone} == {ACTOR.nato, ACTOR["mark-rutte"], *E3}
    assert len(everyone) == 15  # 11 positions, two of them joint (3 holders each)
    assert run(seed_store, "positions-of-actor", holder="iran") == []


def test_a_holder_is_the_positions_holder_not_its_office_holders(seed_store: EmbeddedStore) -> None:
    """Issue 15: a holder parameter does not reach the persons in the actor's offices. Rutte's praise
    (P2) is held by him in his capacity, not by NATO; under a bound ?holder the holder column is the
    bound actor, so returning P2 for holder=nato would show it as NATO's. who-said-what
    speaker=nato is where it is found, as his words."""
    nato = run(seed_store, "positions-of-actor", holder="nato")
    assert [(r["holder"], r["position"]) for r in nato] == [(ACTOR.nato, P("nato-no-participation"))]
    rutte = run(seed_store, "positions-of-actor", holder="mark-rutte")
    assert [(r["holder"], r["position"], r["statements"]) for r in rutte] == [
        (ACTOR["mark-rutte"], P("rutte-praises-strikes"), "Mark Rutte (2026-03-02)")
    ]
    for name in ("stances-on-the-strikes", "conditional-positions"):
        assert P("rutte-praises-strikes") not in {r["position"] for r in run(seed_store, name, holder="nato")}, name
    said = run(seed_store, "who-said-what", speaker="nato")
    praise = [r for r in said if r["position"] == P("rutte-praises-strikes")]
    assert [(r["spokenBy"], r["through"]) for r in praise] == [(ACTOR["mark-rutte"], "as Secretary General of NATO")]


def test_positions_on_action_type(seed_store: EmbeddedStore) -> None:
    military = run(seed_store, "positions-on-action-type")
    got = {(r["holder"], r["position"], r["typeLabel"]) for r in military}
    assert got == {
        (ACTOR.nato, P("nato-no-participation"), "military operation"),
        (ACTOR.germany, P("de-refuses-participation"), "military operation"),
        (ACTOR.uk, P("uk-denies-direct-offensive"), "offensive operation"),
        (ACTOR["mark-rutte"], P("rutte-praises-strikes"), "strike"),
        (ACTOR.uk, P("uk-authorises-basing"), "strike"),
        *((h, P("e3-enable-defensive-action"), "strike") for h in E3),
        (ACTOR.uk, P("uk-protect-allies"), "defence of third parties"),
        (ACTOR.france, P("fr-ready-defend-gulf-jordan"), "defence of third parties"),
        (ACTOR.germany, P("de-self-defence"), "self-defence of own forces"),
    }
    assert {r["actionType"] for r in military} == {concept("action-type", "military-operation")}
    basing = run(seed_store, "17", actionType="enable-military-action")
    assert {(r["holder"], r["position"], r["typeLabel"]) for r in basing} == {
        (ACTOR.uk, P("uk-authorises-basing"), "use of territory, airspace or bases"),
        *((h, P("e3-enable-defensive-action"), "military support short of participation") for h in E3),
    }
    # France's regret is about the missing UN debate, a diplomatic action (issue 13)
    assert {(r["holder"], r["position"]) for r in run(seed_store, "17", actionType="diplomacy")} == {
        (ACTOR.france, P("fr-regrets-no-un-debate"))
    }


# -- binding parameters safely -----------------------------------------------------------------


def test_string_parameter_is_bound_not_spliced(seed_store: EmbeddedStore) -> None:
    query = find_query("conditions-by-text")
    assert query.parameters["text"].kind == "string"
    hostile = 'x" } UNION { ?position ?p ?o } # \\ \n"""'
    bindings = query.bindings({"text": hostile})
    assert bindings["text"] == ox.Literal(hostile)
    assert seed_store.select(query.text, bindings).rows == []
    for probe in ('"', "}", "\\", "\n", '") } #'):
        assert run(seed_store, "conditions-by-text", text=probe + "no-such-phrase") == []
    # a real substring, itself containing a double quote, finds exactly its condition
    quoted = run(seed_store, "conditions-by-text", text='a "defensive measure"')
    assert [(r["text"], r["holder"], r["condition"]) for r in quoted] == [
        ('a "defensive measure"', ACTOR.uk, URIRef(f"{P('uk-authorises-basing')}/condition/purpose"))
    ]
    proportionate = run(seed_store, "conditions-by-text", text="PROPORTIONATE")
    assert {(r["holder"], r["conditionTypeLabel"], r["conditionText"]) for r in proportionate} == {
        (h, "threshold", "only necessary and proportionate action") for h in E3
    }
    # left out = any condition
    everything = run(seed_store, "conditions-by-text")
    assert (
        len(everything) == len({(r["holder"], r["condition"]) for r in everything}) == 31
    )  # 21 conditions; the 5 on joint positions count thrice


def test_registry_parameters_reject_non_slugs() -> None:
    query = find_query("conditional-positions")
    for bad in ("Not A Slug", "germany> } #", 'germany"', "../iran"):
        with pytest.raises(QueryError, match="is not a valid slug"):
            query.bindings({"holder": bad})
    with pytest.raises(QueryError, match="has no parameter 'nope'"):
        query.bindings({"nope": "1"})


def test_queries_find_nothing_in_an_empty_store(tmp_path: Path) -> None:
    empty = EmbeddedStore(tmp_path / "empty")
    for query in QUERIES:
        assert empty.select(query.text, query.bindings({})).rows == [], query.path.name


def test_an_in_memory_snapshot_is_the_store_as_it_was_and_refuses_writes(tmp_path: Path) -> None:
    with EmbeddedStore(tmp_path / "store") as store:
        ingest([CORPUS], store)
        query = find_query("who-said-what")
        answer = store.select(query.text, query.bindings({"speaker": "johann-wadephul"}))
        quads = len(store)
    snapshot = EmbeddedStore(tmp_path / "store", in_memory=True)
    assert snapshot.in_memory and len(snapshot) == quads > 1000
    assert snapshot.select(query.text, query.bindings({"speaker": "johann-wadephul"})).rows == answer.rows
    speaker = answer.variables.index("speaker")
    assert len(answer.rows) >= 2 and {to_rdflib(row[speaker]) for row in answer.rows} == {ACTOR["johann-wadephul"]}
    graph = GRAPH[f"article/{SEED_ID}"]
    with EmbeddedStore(tmp_path / "store") as store:  # the store stays writable beside its snapshot
        store._update(f"DROP GRAPH {graph.n3()}")
        assert graph not in store.named_graphs()
    assert graph in snapshot.named_graphs() and len(snapshot) == quads
    with pytest.raises(StoreError, match="in-memory snapshot is read-only"):
        snapshot.replace([])
    with pytest.raises(StoreError, match=r"no store at .*nowhere: run 'kg ingest' first"):
        EmbeddedStore(tmp_path / "nowhere", in_memory=True)


@pytest.mark.parametrize("query", QUERIES, ids=QUERY_IDS)
def test_answers_written_by_oxigraph_are_the_select_answers(query: NamedQuery, seed_store: EmbeddedStore) -> None:
    """``kg query --format csv|json`` lets Oxigraph write the answer: the same rows as ``select``."""
    bindings = query.bindings({})
    rows = seed_store.select(query.text, bindings)
    assert seed_store.answer(query.text, bindings, fmt="csv") == render(rows, "csv").encode("utf-8")
    answer = json.loads(seed_store.answer(query.text, bindings, fmt="json"))
    assert answer == json.loads(render(rows, "json"))
    assert len(answer["results"]["bindings"]) == len(rows.rows)


def test_answer_refuses_what_it_cannot_write(seed_store: EmbeddedStore) -> None:
    with pytest.raises(ValueError, match="no SPARQL results format 'table'"):
        seed_store.answer("SELECT * WHERE { ?s ?p ?o } LIMIT 1", fmt="table")
    with pytest.raises(StoreError, match="only SELECT queries"):
        seed_store.answer("ASK { ?s ?p ?o }")
    with pytest.raises(StoreError, match="query does not parse"):
        seed_store.answer("SELECT nonsense")


def test_position_evidence_names_each_speakers_office(corpus_store: EmbeddedStore) -> None:
    """The evidence view's office: the statement's capacity, else each speaker's own (issue 15)."""
    said = {(r["speakerLabel"], r["capacityLabel"]) for r in run(corpus_store, "position-evidence")}
    ministers = [c for s, c in said if parts(s) == {"Johann Wadephul", "Yvette Cooper", "Jean-Noël Barrot"}]
    assert [parts(c) for c in ministers] == [
        {
            "Johann Wadephul: Federal Minister for Foreign Affairs (Germany)",
            "Yvette Cooper: Secretary of State for Foreign, Commonwealth and Development Affairs (UK)",
            "Jean-Noël Barrot: Minister for Europe and Foreign Affairs (France)",
        }
    ]
    assert ("Mark Rutte", "Secretary General of NATO") in said
    assert ("Johann Wadephul", "Federal Minister for Foreign Affairs (Germany)") in said
    assert ("UK government", None) in said
