"""Derived candidates: what kg infers about positions over time, in its own named graph.

After every ingest or removal the ``graph/derived`` named graph is computed again from the store:

* every position's date (``gpo:positionDate``): the earliest date of the statements expressing it,
  a statement without a date counting as its article's publication (a year or a year-month as its
  first day);
* for one holder and one **corpus-level** action (the only actions whose identity is shared across
  articles), each pair of consecutive positions (by date) is a candidate: a *change* when the later
  one's stance, modality or conditions differ (``gpo:difference`` says what: "stance:
  refuses-participation -> ready-to", "condition added: trigger (further-attack-on-allies)"), else
  a *reaffirmation*. Each candidate names both positions and their dates, and the rule that made it
  (``prov:wasGeneratedBy``). A pair an annotator already linked (supersedes, reaffirms, reverses,
  retracts) is not suggested again.

Nothing here is an annotated fact: an analyst confirms a candidate by writing the link into the
annotation. Queries read the candidates beside the asserted links (``line-over-time``).

The queries read only the triples of a few predicates (:data:`READS`). An ingest into a store
holding none of them gathers those it writes (:class:`DerivationInputs`) and derives from them alone,
in memory, instead of reading the whole store again: at 10,000 articles 3.4-4.4 s (the load
included) against 7.8-8.7 s on disk, for about 120 MB more at the end of the ingest. The same queries
run either way, over the same triples.
"""

from __future__ import annotations

import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

import pyoxigraph as ox
from rdflib import Literal, URIRef
from rdflib.namespace import PROV, RDF, RDFS, XSD
from rdflib.term import Node

from kg.iris import derived_iri
from kg.store import EmbeddedStore, GraphReplacement, Selecting, lines_with, ntriples, plain_values, temporary_space
from kg.terms import BASE, CORPUS_ACTION, DERIVED_GRAPH, GPO, SCHEMA

#: What graph/derived holds, as :func:`derived_triples` makes it.
DerivedTriples = list[tuple[URIRef, URIRef, Node]]

#: The rule that made the candidates, versioned: a changed rule is a different activity.
RULE = URIRef(f"{BASE}id/rule/consecutive-positions-on-corpus-action/1")

_POSITIONS = """
PREFIX gpo:    <https://w3id.org/positions-kg/ontology#>
PREFIX schema: <https://schema.org/>
SELECT ?position ?holder ?action ?stance ?modality ?statedOn ?published WHERE {
  ?position gpo:holder ?holder ; gpo:towards ?action ; gpo:stance ?stance ; gpo:expressedIn ?statement .
  FILTER EXISTS { ?position a gpo:Position }
  FILTER EXISTS { ?statement a gpo:Statement }
  OPTIONAL { ?position gpo:modality ?modality }
  OPTIONAL { ?statement gpo:statedOn ?statedOn }
  OPTIONAL { ?statement gpo:reportedIn/schema:datePublished ?published }
}
"""

_CONDITIONS = """
PREFIX gpo: <https://w3id.org/positions-kg/ontology#>
SELECT ?position ?type ?value WHERE {
  ?position gpo:hasCondition ?condition .
  ?condition gpo:conditionType ?type .
  OPTIONAL { ?condition gpo:conditionValue ?value }
}
"""

_ASSERTED = """
PREFIX gpo: <https://w3id.org/positions-kg/ontology#>
SELECT ?later ?earlier WHERE { ?later gpo:supersedes|gpo:reaffirms|gpo:reverses|gpo:retracts ?earlier }
"""

#: Every triple the queries above read matches one of these patterns (subject, predicate, object;
#: None for any): the predicates they name, and rdf:type only for the classes they test.
#: tests/test_derive.py parses the queries and fails if one reads anything else.
READS: tuple[tuple[None, URIRef, URIRef | None], ...] = (
    *(
        (None, predicate, None)
        for predicate in (
            GPO.holder,
            GPO.towards,
            GPO.stance,
            GPO.expressedIn,
            GPO.modality,
            GPO.statedOn,
            GPO.reportedIn,
            SCHEMA.datePublished,
            GPO.hasCondition,
            GPO.conditionType,
            GPO.conditionValue,
            GPO.supersedes,
            GPO.reaffirms,
            GPO.reverses,
            GPO.retracts,
        )
    ),
    (None, RDF.type, GPO.Position),
    (None, RDF.type, GPO.Statement),
)
#: The most N-Triples text the derivation reads in memory (see :class:`DerivationInputs`): 10,000
#: generated articles gather 140 MB, which an in-memory store holds in about 240 MB. Beyond this it
#: reads the store, whose queries stream from disk.
IN_MEMORY_LIMIT = 160_000_000


#: READS as N-Triples terms (see :func:`kg.store.lines_with`): the predicates read whatever the
#: object, and the objects of rdf:type read.
_READ_PREDICATES = frozenset(f"<{predicate}>" for _, predicate, obj in READS if obj is None)
_READ_TYPES = frozenset(f"<{obj}>" for _, predicate, obj in READS if obj is not None)


def derivation_reads(text: str) -> str:
    """The lines of the N-Triples document ``text`` that the derivation reads (:data:`READS`): what
    an ingest worker hands on with each article it built (a fifth of its lines)."""
    return lines_with(text, _READ_PREDICATES, _READ_TYPES)


class DerivationInputs:
    """What an ingest wrote of :data:`READS` (:func:`derivation_reads` of each graph), as N-Triples in
    an unnamed temporary file; it answers the derivation's queries as the store would, once the
    ingest is done, if the store held none of them before (see :func:`rederive`)."""

    def __init__(self) -> None:
        with temporary_space():
            self._file = tempfile.TemporaryFile()  # noqa: SIM115 - closed by close()
        #: False once a blank node may be among them: labels from different graphs would merge here.
        self.exact = True

    @property
    def usable(self) -> bool:
        """Whether the derivation is to read these rather than the store (:data:`IN_MEMORY_LIMIT`)."""
        return self.exact and self._file.tell() <= IN_MEMORY_LIMIT

    def add(self, reads: str) -> None:
        """Add :func:`derivation_reads` of a graph the ingest wrote."""
        self.exact = self.exact and "_:" not in reads  # (or in a literal: then only needlessly False)
        with temporary_space():
            self._file.write(reads.encode("utf-8"))

    def store(self) -> Selecting:
        """An in-memory store of the gathered triples (in its default graph), to run the queries on."""
        with temporary_space():
            self._file.flush()
        self._file.seek(0)
        memory = ox.Store()
        # lenient: every line was parsed already, by the screen, and the store's own load parses them
        # strictly (a failure there stops the ingest before anything derived from them is written).
        memory.load(self._file, format=ox.RdfFormat.N_TRIPLES, lenient=True)
        return _Memory(memory)

    def close(self) -> None:
        self._file.close()

    def __enter__(self) -> DerivationInputs:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class _Memory:
    """An in-memory pyoxigraph store answering SELECTs as :class:`kg.store.Selecting` does."""

    def __init__(self, store: ox.Store) -> None:
        self._store = store

    def select_values(self, query: str) -> tuple[list[str], list[tuple[str | None, ...]]]:
        solutions = self._store.query(query)
        assert isinstance(solutions, ox.QuerySolutions)
        return plain_values(solutions)


@dataclass
class _Position:
    iri: URIRef
    holders: set[URIRef] = field(default_factory=set)
    action: URIRef | None = None
    stance: str | None = None
    modality: str | None = None
    dates: set[date] = field(default_factory=set)
    conditions: dict[str, set[str]] = field(default_factory=dict)

    @property
    def date(self) -> date | None:
        return min(self.dates) if self.dates else None


def _day(value: str | None) -> date | None:
    """A statement date or publication date (year, year-month, date or date-time) as a day."""
    if value is None:
        return None
    text = str(value)
    text = text[:10] if len(text) >= 10 else (text + "-01-01")[:10]
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _name(term: str | None) -> str:
    """The last segment of a concept or registry IRI (its notation or slug)."""
    return str(term).rstrip("/").rsplit("/", 1)[-1] if term is not None else "-"


def _positions(store: Selecting) -> dict[URIRef, _Position]:
    positions: dict[URIRef, _Position] = {}
    # Plain values, not rdflib terms: making those took most of the time here.
    for iri, holder, action, stance, modality, stated_on, published in store.select_values(_POSITIONS)[1]:
        item = positions.setdefault(URIRef(str(iri)), _Position(URIRef(str(iri))))
        item.holders.add(URIRef(str(holder)))
        item.action, item.stance, item.modality = URIRef(str(action)), stance, modality
        day = _day(stated_on) or _day(published)
        if day:
            item.dates.add(day)
    for iri, kind, value in store.select_values(_CONDITIONS)[1]:
        position = positions.get(URIRef(str(iri)))
        if position is not None:
            position.conditions.setdefault(_name(kind), set())
            if value is not None:
                position.conditions[_name(kind)].add(_name(value))
    return positions


def differences(earlier: _Position, later: _Position) -> list[str]:
    """What differs from the earlier position to the later one, in words an analyst reads."""
    found = []
    for label, old, new in (("stance", earlier.stance, later.stance), ("modality", earlier.modality, later.modality)):
        if old != new:
            found.append(f"{label}: {_name(old)} -> {_name(new)}")
    for kind in sorted(set(earlier.conditions) | set(later.conditions)):
        old_values, new_values = earlier.conditions.get(kind), later.conditions.get(kind)
        if old_values is None and new_values is not None:
            found.append(f"condition added: {kind}{_values(new_values)}")
        elif new_values is None and old_values is not None:
            found.append(f"condition dropped: {kind}{_values(old_values)}")
        elif old_values != new_values:
            found.append(f"condition changed: {kind}{_values(old_values or set())} ->{_values(new_values or set())}")
    return found


def _values(values: set[str]) -> str:
    return f" ({', '.join(sorted(values))})" if values else ""


def derived_triples(store: Selecting) -> DerivedTriples:
    """The candidates and position dates for everything now in ``store``, each triple once.

    A list, not an rdflib graph: the store takes N-Triples text, and adding 10,000 articles'
    position dates to a graph took 2 s of a 12 s derivation.
    """
    positions = _positions(store)
    asserted = {(URIRef(str(a)), URIRef(str(b))) for a, b in store.select_values(_ASSERTED)[1]}
    triples: DerivedTriples = []
    add = triples.append
    add((RULE, RDF.type, PROV.Activity))
    add((RULE, RDFS.label, Literal("consecutive positions of one holder on one corpus-level action", lang="en")))
    for item in positions.values():
        if item.date:
            add((item.iri, GPO.positionDate, Literal(item.date.isoformat(), datatype=XSD.date)))
    lines: dict[tuple[URIRef, URIRef], list[_Position]] = defaultdict(list)
    for item in positions.values():
        if item.action is not None and item.action.startswith(str(CORPUS_ACTION)) and item.date:
            for holder in item.holders:
                lines[(holder, item.action)].append(item)
    pairs: set[tuple[URIRef, URIRef]] = set()
    for line in lines.values():
        line.sort(key=lambda p: (p.date, str(p.iri)))
        for earlier, later in zip(line, line[1:], strict=False):
            if (earlier.iri, later.iri) in pairs or {(later.iri, earlier.iri), (earlier.iri, later.iri)} & asserted:
                continue
            pairs.add((earlier.iri, later.iri))
            found = differences(earlier, later)
            kind = "change" if found else "reaffirmation"
            node = derived_iri(kind, earlier.iri, later.iri)
            add((node, RDF.type, GPO.CandidateChange if found else GPO.CandidateReaffirmation))
            add((node, GPO.earlierPosition, earlier.iri))
            add((node, GPO.laterPosition, later.iri))
            add((node, GPO.earlierDate, Literal(earlier.date.isoformat(), datatype=XSD.date)))  # type: ignore[union-attr]
            add((node, GPO.laterDate, Literal(later.date.isoformat(), datatype=XSD.date)))  # type: ignore[union-attr]
            add((node, PROV.wasGeneratedBy, RULE))
            for text in found:
                add((node, GPO.difference, Literal(text)))
    return list(dict.fromkeys(triples))


def rederive(store: EmbeddedStore, inputs: DerivationInputs | None = None) -> int:
    """Replace ``graph/derived`` with what the store now implies; returns its size in triples.

    ``inputs``: what an ingest wrote of :data:`READS` into a store that held none of them before;
    the queries then run on those instead of the store.
    """
    source: Selecting = inputs.store() if inputs is not None and inputs.usable else store
    return write_derived(store, derived_triples(source))


def derived_from(inputs: DerivationInputs) -> DerivedTriples:
    """What ``graph/derived`` is to hold, from ``inputs`` alone (``inputs.usable``): worked out
    before the ingest's graphs are in the store, since it reads none of them there."""
    return derived_triples(inputs.store())


def write_derived(store: EmbeddedStore, triples: DerivedTriples) -> int:
    """Replace ``graph/derived`` with ``triples``; returns their number."""
    store.replace([GraphReplacement(DERIVED_GRAPH, ntriples(triples))])
    return len(triples)
