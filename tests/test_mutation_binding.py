"""Query parameter binding, asserted term by term and message by message (issue 18, mutation group
``binding`` of ``bench/mutation.py``). No store: each test runs in milliseconds, so every mutant of
the binding code is judged by all of them."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import XSD

from kg.errors import QueryError
from kg.read.names import RegistryNames
from kg.read.queries import ANY, NamedQuery, Parameter, find_query, named_queries, parse_query_file
from kg.store import to_rdflib

ACTOR = "https://w3id.org/positions-kg/id/actor/"
SLUG_RULE = "use only lower-case letters a-z, digits 0-9 and single hyphens, e.g. mark-rutte"
STANCES = (
    "abstains, acknowledges, affirms, authorises, calls-for, calls-to-refrain, commits-to, condemns, criticises, "
    "denies, expresses-concern, opposes, other, praises, predicts, prohibits, ready-to, refuses-participation, "
    "regrets, regrets-lack-of, supports, warns, welcomes"
)


def names() -> RegistryNames:
    """Three actors; "the west" names two of them, "federal republic of germany" one."""
    return RegistryNames(
        "actors",
        labels={"germany": "Germany", "france": "France", "uk": "United Kingdom"},
        by_name={
            "germany": {"germany"},
            "france": {"france"},
            "uk": {"uk"},
            "federal republic of germany": {"germany"},
            "united kingdom": {"uk"},
            "the west": {"uk", "france"},
        },
    )


@pytest.mark.parametrize(
    ("kind", "section", "allowed"),
    [
        ("actor", "actors", "a slug, label or other name of actors ('kg ls actors' lists them)"),
        ("post", "posts", "a slug, label or other name of posts ('kg ls posts' lists them)"),
        ("place", "places", "a slug, label or other name of places ('kg ls places' lists them)"),
        ("thing", "things", "a slug, label or other name of things ('kg ls things' lists them)"),
        ("event", "events", "a slug, label or other name of events ('kg ls events' lists them)"),
        ("concept:stance", None, "one of " + STANCES),
        ("date", None, "a date, YYYY-MM-DD"),
        ("integer", None, "a whole number"),
        ("string", None, "any text"),
        ("iri", None, "an IRI, as other queries answer it (e.g. a position's)"),
        ("colour", None, "colour"),
    ],
)
def test_each_kind_says_what_it_takes(kind: str, section: str | None, allowed: str) -> None:
    parameter = Parameter("x", kind, None, "")
    assert parameter.section == section
    assert parameter.allowed() == allowed


def test_registry_parameters_bind_the_entry_iri() -> None:
    for kind, folder in (("actor", "actor"), ("post", "post"), ("place", "place"), ("event", "event")):
        term = to_rdflib(Parameter("x", kind, None, "").term("nato"))
        assert type(term) is URIRef and str(term) == f"https://w3id.org/positions-kg/id/{folder}/nato"
    assert (
        str(to_rdflib(Parameter("x", "thing", None, "").term("f-35"))) == "https://w3id.org/positions-kg/id/thing/f-35"
    )


def test_a_registry_parameter_takes_a_label_or_other_name() -> None:
    holder = Parameter("holder", "actor", None, "")
    assert to_rdflib(holder.term("Federal Republic of Germany", names())) == URIRef(ACTOR + "germany")
    assert to_rdflib(holder.term("united kingdom", names())) == URIRef(ACTOR + "uk")
    # a slug the registry knows is taken as it is, one it does not know is resolved by name
    assert to_rdflib(holder.term("france", names())) == URIRef(ACTOR + "france")
    # without names (or with an empty registry) only a slug is taken, and bound unchecked
    assert to_rdflib(holder.term("iran")) == URIRef(ACTOR + "iran")
    assert to_rdflib(holder.term("iran", RegistryNames("actors"))) == URIRef(ACTOR + "iran")


def test_registry_names_that_do_not_resolve_are_refused_with_the_reason() -> None:
    holder = Parameter("holder", "actor", None, "")
    with pytest.raises(QueryError) as caught:
        holder.term("The West", names())
    assert str(caught.value) == (
        "parameter holder: actor 'The West' is ambiguous: it names france (France), uk (United Kingdom); "
        "give one of these slugs"
    )
    with pytest.raises(QueryError) as caught:
        holder.term("Mars", names())
    assert str(caught.value) == (
        f"parameter holder: 'Mars' is not a valid slug ({SLUG_RULE}) nor a name in the registry: "
        "no actor 'Mars' in the registry ('kg ls actors' lists them)"
    )
    with pytest.raises(QueryError) as caught:  # a valid slug that names nothing: no slug lecture
        holder.term("mars", names())
    assert str(caught.value) == "parameter holder: no actor 'mars' in the registry ('kg ls actors' lists them)"
    with pytest.raises(QueryError) as caught:
        holder.term("Bad Slug")
    assert str(caught.value) == f"parameter holder: 'Bad Slug' is not a valid slug: {SLUG_RULE} ({SLUG_RULE})"
    assert caught.value.__cause__ is not None


def test_a_place_name_is_resolved_as_a_place() -> None:
    places = RegistryNames("places", labels={"brussels": "Brussels"}, by_name={"brussels": {"brussels"}})
    where = Parameter("where", "place", None, "")
    assert to_rdflib(where.term("Brussels", places)) == URIRef("https://w3id.org/positions-kg/id/place/brussels")
    with pytest.raises(QueryError) as caught:
        where.term("Paris", places)
    assert str(caught.value) == (
        f"parameter where: 'Paris' is not a valid slug ({SLUG_RULE}) nor a name in the registry: "
        "no place 'Paris' in the registry ('kg ls places' lists them)"
    )


def test_concept_parameters_bind_the_concept_and_refuse_other_notations() -> None:
    stance = Parameter("scheme", "concept:stance", None, "")
    assert to_rdflib(stance.term("supports")) == URIRef("https://w3id.org/positions-kg/vocab/stance/supports")
    with pytest.raises(QueryError) as caught:
        stance.term("maybe")
    assert str(caught.value) == f"parameter scheme: unknown stance 'maybe'; allowed: {STANCES}"


def test_the_whole_rest_of_a_concept_kind_names_the_scheme() -> None:
    """``concept:stance:x`` is the scheme ``stance:x`` (none such), not the stance scheme."""
    odd = Parameter("s", "concept:stance:x", None, "")
    with pytest.raises(KeyError, match="unknown concept scheme 'stance:x'"):
        odd.term("supports")
    with pytest.raises(KeyError, match="unknown concept scheme 'stance:x'"):
        odd.allowed()


def test_literal_kinds_bind_typed_literals() -> None:
    assert to_rdflib(Parameter("d", "date", None, "").term("2026-03-02")) == Literal("2026-03-02", datatype=XSD.date)
    number = to_rdflib(Parameter("n", "integer", None, "").term("42"))
    assert number == Literal("42", datatype=XSD.integer) and number.toPython() == 42
    text = to_rdflib(Parameter("t", "string", None, "").term("proportionate"))
    assert text == Literal("proportionate") and text.datatype is None and text.language is None
    iri = to_rdflib(Parameter("p", "iri", None, "").term("urn:x:1"))
    assert type(iri) is URIRef and str(iri) == "urn:x:1"


@pytest.mark.parametrize(
    ("kind", "text", "message"),
    [
        (
            "iri",
            "http://x/a b",
            "parameter p: 'http://x/a b' is not an absolute IRI (scheme:..., no spaces, quotes or <>)",
        ),
        (
            "iri",
            "<http://x/>",
            "parameter p: '<http://x/>' is not an absolute IRI (scheme:..., no spaces, quotes or <>)",
        ),
        ("iri", "no-scheme", "parameter p: 'no-scheme' is not an absolute IRI (scheme:..., no spaces, quotes or <>)"),
        ("date", "2026-02-30", "parameter p: day is out of range for month"),
        ("integer", "4.5", "parameter p: invalid literal for int() with base 10: '4.5'"),
        ("colour", "red", "parameter p: the query declares an unknown kind 'colour'"),
    ],
)
def test_bad_values_are_refused_with_the_parameter_named(kind: str, text: str, message: str) -> None:
    with pytest.raises(QueryError) as caught:
        Parameter("p", kind, None, "").term(text)
    assert str(caught.value) == message


HEADER = """# Question: Which positions, by whom: alone or jointly?
# Parameters:
#   ?holder (actor): the holder; left out = any
#   ?scheme (concept:stance, default refuses-participation): the stance
#   ?asOf (date, default 2026-03-01): the day
# Columns: position, holder: its IRI
# ?late (string): a parameter line anywhere in the leading comments counts
SELECT * WHERE { ?position ?p ?o }
# ?after (string): after the header, not a parameter
"""


def query(tmp_path: Path, text: str = HEADER) -> NamedQuery:
    path = tmp_path / "42_positions_by_holder.rq"
    path.write_text(text, encoding="utf-8")
    return parse_query_file(path)


def test_the_header_gives_question_columns_and_parameters(tmp_path: Path) -> None:
    parsed = query(tmp_path)
    assert parsed.name == "positions-by-holder"
    # everything after the first colon, colons included
    assert parsed.question == "Which positions, by whom: alone or jointly?"
    assert parsed.columns == "position, holder: its IRI"
    assert parsed.text == HEADER
    assert parsed.parameters == {
        "holder": Parameter("holder", "actor", None, "the holder; left out = any"),
        "scheme": Parameter("scheme", "concept:stance", "refuses-participation", "the stance"),
        "asOf": Parameter("asOf", "date", "2026-03-01", "the day"),
        "late": Parameter("late", "string", None, "a parameter line anywhere in the leading comments counts"),
    }


def test_bindings_apply_defaults_any_and_names(tmp_path: Path) -> None:
    parsed = query(tmp_path)
    date = ox.NamedNode(str(XSD.date))  # bindings are pyoxigraph's terms, what the store takes
    assert parsed.bindings({}) == {
        "scheme": ox.NamedNode("https://w3id.org/positions-kg/vocab/stance/refuses-participation"),
        "asOf": ox.Literal("2026-03-01", datatype=date),
    }
    assert parsed.bindings(
        {"scheme": ANY, "asOf": "2026-04-01", "holder": "Federal Republic of Germany"}, {"actors": names()}
    ) == {"asOf": ox.Literal("2026-04-01", datatype=date), "holder": ox.NamedNode(ACTOR + "germany")}
    assert ANY == "any"
    # the names of another section are not used for an actor
    with pytest.raises(QueryError, match="^parameter holder: 'Germany' is not a valid slug"):
        parsed.bindings({"holder": "Germany"}, {"places": names()})


def test_unknown_parameters_are_refused_with_the_known_ones(tmp_path: Path) -> None:
    with pytest.raises(QueryError) as caught:
        query(tmp_path).bindings({"zzz": "1", "speaker": "nato"})
    assert str(caught.value) == (
        "query 'positions-by-holder' has no parameter 'speaker' (its parameters: holder, scheme, asOf, late)"
    )
    bare = query(tmp_path, "# Everything, no header\nSELECT * WHERE { ?s ?p ?o }\n")
    assert (bare.question, bare.columns, bare.parameters) == ("", "", {})
    with pytest.raises(QueryError) as caught:
        bare.bindings({"holder": "nato"})
    assert str(caught.value) == "query 'positions-by-holder' has no parameter 'holder' (its parameters: none)"


def test_an_unreadable_query_file_is_a_query_error(tmp_path: Path) -> None:
    path = tmp_path / "bad.rq"
    path.write_bytes(b"# Question: \xff\n")
    with pytest.raises(QueryError) as caught:
        parse_query_file(path)
    assert str(caught.value).startswith(f"{path}: cannot read the query file: 'utf-8' codec can't decode byte 0xff")
    with pytest.raises(QueryError, match=r"cannot read the query file: \[Errno 2\]"):
        parse_query_file(tmp_path / "missing.rq")


def test_queries_are_found_by_name_number_stem_or_file(tmp_path: Path) -> None:
    shipped = named_queries()
    assert list(shipped)[:3] == ["actors-ruling-out-participation", "conditional-positions", "who-said-what"]
    assert all(q.name == name for name, q in shipped.items())
    for given in ("positions-of-actor", "positions_of_actor", "16", "16_positions_of_actor", "16-positions-of-actor"):
        assert find_query(given).path.name == "16_positions_of_actor.rq"
    own = query(tmp_path)
    assert find_query(str(own.path)) == own
    with pytest.raises(QueryError) as caught:
        find_query("nope")
    assert str(caught.value) == ("no query named 'nope'; run 'kg query --list' to see them: " + ", ".join(shipped))
    # a .rq path that is not a file is looked up by name, and not found
    with pytest.raises(QueryError, match=r"^no query named '.*missing\.rq'"):
        find_query(str(tmp_path / "missing.rq"))
