"""The controlled vocabularies (issue 13): SKOS integrity, the lists real reporting needs, their
PLOVER / CAMEO mappings, synonyms annotators may type, the "other" escape and the condition values'
fitting types, from the Turtle files to what kg ingest accepts and says."""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import pytest
from conftest import CORPUS, SEED
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, SKOS

from kg.cli import main
from kg.ingest.schema import ACTOR_TYPES
from kg.terms import GPO, SCHEMES, scheme_iri
from kg.vocabulary import OTHER, concepts, mappings_graph, ontology_graph, resolve, vocabulary_graph

MAPPINGS = (SKOS.closeMatch, SKOS.exactMatch, SKOS.broadMatch, SKOS.narrowMatch, SKOS.relatedMatch)
#: Schemes whose values annotators type. Polarity is set on stance concepts by the vocabulary.
ANNOTATED = sorted(set(SCHEMES) - {"polarity"})


def all_skos() -> Graph:
    return vocabulary_graph() + mappings_graph()


# -- SKOS integrity ----------------------------------------------------------------------------


def test_one_preflabel_per_language_and_every_concept_in_its_scheme() -> None:
    graph = all_skos()
    wrong = []
    for concept in set(graph.subjects(RDF.type, SKOS.Concept)):
        languages = Counter(label.language for label in graph.objects(concept, SKOS.prefLabel))
        if not languages or any(n > 1 for n in languages.values()):
            wrong.append((concept, "prefLabel", dict(languages)))
        schemes = set(graph.objects(concept, SKOS.inScheme))
        if len(schemes) != 1 or (next(iter(schemes)), RDF.type, SKOS.ConceptScheme) not in graph:
            wrong.append((concept, "inScheme", schemes))
        for top_of in graph.objects(concept, SKOS.topConceptOf):
            if top_of not in schemes or (top_of, SKOS.hasTopConcept, concept) not in graph:
                wrong.append((concept, "topConceptOf without hasTopConcept", top_of))
        for broader in graph.objects(concept, SKOS.broader):
            if set(graph.objects(broader, SKOS.inScheme)) != schemes:
                wrong.append((concept, "broader outside its scheme", broader))
        if not set(graph.objects(concept, SKOS.broader)) and not set(graph.objects(concept, SKOS.topConceptOf)):
            wrong.append((concept, "neither broader nor top concept"))
    for scheme, top in graph.subject_objects(SKOS.hasTopConcept):
        if (top, SKOS.topConceptOf, scheme) not in graph:
            wrong.append((top, "hasTopConcept without topConceptOf", scheme))
    assert wrong == []


def test_no_broader_cycles() -> None:
    graph = all_skos()
    cycles = []
    for concept in set(graph.subjects(SKOS.broader, None)):
        seen, frontier = set(), {concept}
        while frontier:
            frontier = {b for c in frontier for b in graph.objects(c, SKOS.broader)} - seen
            if concept in frontier:
                cycles.append(concept)
                break
            seen |= frontier
    assert cycles == []


def test_notations_are_unique_within_each_scheme() -> None:
    graph = all_skos()
    per_scheme = Counter(
        (scheme, str(notation))
        for concept, notation in graph.subject_objects(SKOS.notation)
        for scheme in graph.objects(concept, SKOS.inScheme)
    )
    assert [key for key, n in per_scheme.items() if n > 1] == []


def test_every_name_an_annotator_may_type_means_one_concept() -> None:
    """A label or synonym shared by two concepts of one scheme could not be mapped to a concept."""
    clashes = []
    for scheme in SCHEMES:
        owners: dict[str, set[str]] = {}
        for notation, item in concepts(scheme).items():
            for name in (notation, item.label, *item.alt_labels):
                owners.setdefault(" ".join(name.casefold().replace("-", " ").split()), set()).add(notation)
        clashes += [(scheme, name, sorted(n)) for name, n in owners.items() if len(n) > 1]
    assert clashes == []


# -- what the lists cover ----------------------------------------------------------------------


def test_the_lists_cover_what_real_reaction_articles_need() -> None:
    """The gaps found on five real articles (issue 13), and the foreign-policy action types it lists."""
    assert {
        "diplomacy",
        "negotiation",
        "mediation",
        "de-escalation",
        "ceasefire",
        "sanctions",
        "sanctions-relief",
        "arms-transfer",
        "weapons-development",
        "nuclear-weapons-development",
        "repression",
        "humanitarian-action",
        "evacuation",
        "coordination-with-allies",
        "recognition",
        "deployment",
        "basing-access",
        "intelligence-sharing",
        "legal-action",
        "political-struggle",
        OTHER,
    } <= set(concepts("action-type"))
    assert {
        "condemns",
        "welcomes",
        "expresses-concern",
        "calls-to-refrain",
        "warns",
        "predicts",
        "acknowledges",
        "abstains",
        OTHER,
    } <= set(concepts("stance"))
    assert {"authorisation-requirement", "legal-objection", "legal-basis", OTHER} <= set(concepts("condition-type"))
    assert {
        "parliamentary-authorisation",
        "no-imminent-threat",
        "treaty-obligation",
        "armed-attack-on-the-state",
        "armed-attack-on-own-forces",
        "proportionality",
        "unlawful-use-of-force",
    } <= set(concepts("condition-value"))
    assert {"televised-address", "meeting", OTHER} <= set(concepts("venue-type"))
    assert {"NonStateArmedGroup", "Platform", "PoliticalParty", "Legislature"} <= set(ACTOR_TYPES)


def test_no_action_type_asserts_a_framing() -> None:
    """ "Defensive strike" was a characterisation typed as fact; framings are attributed instead."""
    assert not {"defensive-strike", "offensive-strike"} & set(concepts("action-type"))
    graph = vocabulary_graph()
    for notation, item in concepts("action-type").items():
        for label in (item.label, *item.alt_labels):
            assert "defensive strike" not in label.casefold(), (notation, label)
    assert "framed_by" in str(graph.value(concepts("action-type")["strike"].iri, SKOS.scopeNote))


def test_every_stance_has_a_polarity_and_a_family() -> None:
    graph = vocabulary_graph()
    families = {c for c in graph.objects(scheme_iri("stance"), SKOS.hasTopConcept) if not graph.value(c, SKOS.notation)}
    polarities = {c.iri for c in concepts("polarity").values()}
    for notation, item in concepts("stance").items():
        if notation == OTHER:  # its polarity is unknown by definition; queries on polarity leave it out
            assert graph.value(item.iri, GPO.polarity) is None
            continue
        assert [p for p in graph.objects(item.iri, GPO.polarity) if p in polarities], notation
        ancestors = set(graph.transitive_objects(item.iri, SKOS.broader)) - {item.iri}
        assert len(ancestors & families) == 1, notation
    polarity = {n: graph.value(c.iri, GPO.polarity) for n, c in concepts("stance").items()}
    assert polarity["condemns"] == polarity["calls-to-refrain"] == polarity["expresses-concern"]
    assert str(polarity["predicts"]).endswith("/neutral") and str(polarity["abstains"]).endswith("/neutral")
    assert str(polarity["regrets-lack-of"]).endswith("/positive")


def test_every_concept_has_a_definition_and_an_example() -> None:
    graph = vocabulary_graph()
    missing = [
        (scheme, notation, what)
        for scheme in ("action-type", "stance", "condition-type", "condition-value", "venue-type")
        for notation, item in concepts(scheme).items()
        for what, predicate in (("definition", SKOS.definition), ("example", SKOS.example))
        if graph.value(item.iri, predicate) is None
    ]
    assert missing == []


def test_every_annotated_scheme_has_an_other_concept_that_asks_for_a_note() -> None:
    for scheme in ANNOTATED:
        other = concepts(scheme).get(OTHER)
        assert other is not None, scheme
        assert "other_note" in other.definition, scheme
    assert OTHER not in concepts("polarity")


def test_condition_values_say_which_condition_types_they_fit() -> None:
    types = set(concepts("condition-type"))
    for notation, item in concepts("condition-value").items():
        assert item.fits, notation
        assert item.fits <= types, (notation, item.fits - types)
    values = concepts("condition-value")
    assert values[OTHER].fits == types
    assert values["defensive"].fits == {"purpose"}
    assert values["armed-attack-on-own-forces"].fits == {"trigger"}
    assert "legal-objection" in values["no-imminent-threat"].fits


# -- mappings ----------------------------------------------------------------------------------


def test_mappings_point_at_skos_concepts_and_the_action_types_all_map() -> None:
    graph, external = vocabulary_graph(), mappings_graph()
    targets = {(s, p, o) for p in MAPPINGS for s, o in graph.subject_objects(p)}
    assert targets
    not_concepts = [o for _s, _p, o in targets if (o, RDF.type, SKOS.Concept) not in external + graph]
    assert not_concepts == []
    unmapped = [
        n
        for n, c in concepts("action-type").items()
        if n not in {OTHER, "protect-interests"} and not any(graph.objects(c.iri, p) for p in MAPPINGS)
    ]
    assert unmapped == []
    plover = URIRef("https://w3id.org/positions-kg/mapping/plover/event/ASSAULT")
    cameo = URIRef("https://w3id.org/positions-kg/mapping/cameo/195")
    strike = concepts("action-type")["strike"].iri
    assert (strike, SKOS.broadMatch, plover) in graph and (strike, SKOS.closeMatch, cameo) in graph
    assert str(external.value(cameo, SKOS.notation)) == "195"
    assert (cameo, SKOS.broader, URIRef("https://w3id.org/positions-kg/mapping/cameo/19")) in external


def test_skos_mapping_properties_only_between_concepts() -> None:
    """OWL classes and properties align in ontology/alignments.ttl, never with SKOS mapping properties."""
    graph = ontology_graph() + vocabulary_graph()
    concepts_ = set(all_skos().subjects(RDF.type, SKOS.Concept))
    wrong = [
        (s, p, o) for p in MAPPINGS for s, o in graph.subject_objects(p) if s not in concepts_ or o not in concepts_
    ]
    assert wrong == []
    aligned = set(ontology_graph().subjects(None, None)) - set(Graph().parse(_ontology_file()).subjects())
    assert aligned == {URIRef("https://w3id.org/positions-kg/alignments")}
    assert any(ontology_graph().objects(GPO.Actor, URIRef("http://www.w3.org/2000/01/rdf-schema#subClassOf")))
    assert (GPO.Event, RDF.type, OWL.Class) in ontology_graph()


def _ontology_file() -> Path:
    from kg.resources import data_dir

    return data_dir("ontology") / "positions.ttl"


# -- typed names ---------------------------------------------------------------------------------


def test_labels_and_synonyms_resolve_to_notations() -> None:
    assert resolve("stance", "condemns") == "condemns"
    assert resolve("stance", "Denounces") == "condemns"
    assert resolve("stance", "urges not to") == "calls-to-refrain"
    assert resolve("stance", "declines to comment") == "abstains"
    assert resolve("action-type", "Military Operations") == "military-operation"
    assert resolve("action-type", "use of airspace") == "basing-access"
    assert resolve("condition-value", "necessary and proportionate") == "necessity-and-proportionality"
    assert resolve("stance", "condemn") is None  # a near miss is suggested, never silently taken


@pytest.fixture()
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "corpus"
    shutil.copytree(CORPUS, folder)
    return folder


def edit(corpus: Path, old: str, new: str) -> None:
    path = corpus / SEED.name
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def line(corpus: Path, needle: str) -> int:
    text = (corpus / SEED.name).read_text(encoding="utf-8")
    return text[: text.index(needle)].count("\n") + 1


def ingest(corpus: Path, tmp_path: Path) -> int:
    return main(["ingest", str(corpus), "--store", str(tmp_path / "store")])


def test_a_synonym_is_stored_as_its_concept(corpus: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    edit(
        corpus,
        "    stance: refuses-participation\n    action: nato-joins-war-on-iran",
        "    stance: rules out\n    action: nato-joins-war-on-iran",
    )
    edit(corpus, "    types: [basing-access, strike]", "    types: [use of bases, Air Strikes]")
    assert ingest(corpus, tmp_path) == 0
    capsys.readouterr()
    assert main(["query", "positions-of-actor", "--param", "holder=nato", "--store", str(tmp_path / "store")]) == 0
    assert "refuses participation" in capsys.readouterr().out
    assert (
        main(
            [
                "query",
                "17",
                "--param",
                "actionType=basing-access",
                "--store",
                str(tmp_path / "store"),
                "--format",
                "csv",
            ]
        )
        == 0
    )
    assert "uk-authorises-basing" in capsys.readouterr().out


@pytest.mark.parametrize(
    "typed,suggested",
    [
        ("condemn", "condemns"),
        ("denounce", "condemns"),
        ("regret", "regrets"),
        ("refuse-participation", "refuses-participation"),
    ],
)
def test_did_you_mean_suggests_by_meaning_before_spelling(
    corpus: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], typed: str, suggested: str
) -> None:
    edit(corpus, "    stance: praises", f"    stance: {typed}")
    assert ingest(corpus, tmp_path) == 2
    err = capsys.readouterr().err
    at = line(corpus, f"    stance: {typed}")
    assert f"{SEED.name}:{at}: positions[1].stance: unknown stance {typed!r}" in err
    assert f"did you mean {suggested!r}?" in err
    assert "allowed: abstains, acknowledges, affirms" in err


def test_other_without_a_note_is_an_input_error(
    corpus: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    edit(corpus, "    stance: praises", "    stance: other")
    assert ingest(corpus, tmp_path) == 2
    err = capsys.readouterr().err
    assert f"{SEED.name}:{line(corpus, '    stance: other')}: positions[1].stance: 'other' needs a note" in err
    assert "add 'other_note: <what it is" in err
    assert "not stored" in err


def test_other_with_a_note_is_stored_warned_and_listed(
    corpus: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    edit(corpus, "    stance: praises", "    stance: other\n    other_note: lauds the strikes as a turning point")
    store = str(tmp_path / "store")
    assert ingest(corpus, tmp_path) == 0
    capsys.readouterr()
    assert main(["validate", "--store", store]) == 0  # a warning never fails validation
    out = capsys.readouterr()
    assert "Vocabulary gap: this entry uses 'other'" in out.out + out.err
    assert main(["query", "vocabulary-gaps", "--store", store, "--format", "csv"]) == 0
    rows = capsys.readouterr().out.splitlines()
    assert rows[0] == "scheme,schemeLabel,property,note,kind,node,graph"
    assert len(rows) == 2
    assert rows[1].startswith(
        "https://w3id.org/positions-kg/vocab/stance,Stances,stance,lauds the strikes as a turning point,position,"
    )
    assert rows[1].split(",")[5].endswith("/position/rutte-praises-strikes")


def test_a_condition_value_under_a_type_it_does_not_fit_is_an_input_error(
    corpus: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    edit(corpus, "        values: [armed-attack-on-own-forces]", "        values: [defensive]")
    assert ingest(corpus, tmp_path) == 2
    err = capsys.readouterr().err
    at = line(corpus, "        values: [defensive]\n        text: only if the soldiers")
    assert (
        f"{SEED.name}:{at}: positions[" in err
        and "].conditions[0].values[0]: condition value 'defensive' does not fit " in err
    )
    assert "condition type 'trigger' (it fits: purpose)" in err
    assert "armed-attack-on-own-forces, armed-attack-on-the-state, further-attack-on-allies, imminent-threat" in err


@pytest.mark.parametrize("scheme", sorted(SCHEMES))
def test_notations_read_without_rdflib_agree_with_concepts(scheme: str) -> None:
    # kg query binds concept parameters from notations() (pyoxigraph), everything else reads concepts().
    from kg.vocabulary import notations

    assert notations(scheme) == {notation: str(item.iri) for notation, item in concepts(scheme).items()}
    assert list(notations(scheme)) == list(concepts(scheme))
