"""Named SPARQL queries: discovery, documented parameters, binding and result formats.

Each ``queries/NN_name.rq`` starts with a comment header::

    # Question: Which positions are conditional, and on what?
    # Parameters:
    #   ?holder (actor): only positions held by this actor
    #   ?scheme (concept:stance, default refuses-participation): ...
    # Columns: position, holder, ...

A parameter's kind turns the user's text into an RDF term (an actor slug into the actor's IRI, a
notation into its concept IRI, ...); the term is then *bound* to the variable, never spliced into
the query text. A parameter left out stays unbound, which the queries treat as "any".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import cast

from rdflib import Literal, URIRef, Variable
from rdflib.namespace import XSD
from rdflib.query import Result
from rdflib.term import Identifier, Node

from kg.errors import QueryError
from kg.iris import REGISTRY_NAMESPACES, SLUG_RULE, check_slug
from kg.resources import data_files
from kg.store import SelectResult
from kg.terms import curie
from kg.vocabulary import concepts

_PARAM = re.compile(
    r"^#\s+\?(?P<name>\w+)\s+\((?P<kind>[\w:-]+)(?:,\s*default\s+(?P<default>[^)]+))?\):\s*(?P<doc>.*)$"
)
#: An absolute IRI as SPARQL and N-Triples can write it (the characters IRIREF excludes, excluded).
_ABSOLUTE_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[^\x00-\x20<>\"{}|^`\\]*")
_REGISTRY_KINDS = {"actor": "actors", "post": "posts", "place": "places", "thing": "things", "event": "events"}
FORMATS = ("table", "csv", "json")


@dataclass(frozen=True)
class Parameter:
    name: str
    kind: str
    default: str | None
    doc: str

    def term(self, text: str) -> Node:
        """The RDF term for the user's ``text``; raises QueryError saying what is expected."""
        try:
            if self.kind in _REGISTRY_KINDS:
                return REGISTRY_NAMESPACES[_REGISTRY_KINDS[self.kind]][check_slug(text)]
            if self.kind.startswith("concept:"):
                scheme = self.kind.split(":", 1)[1]
                allowed = concepts(scheme)
                if text not in allowed:
                    raise ValueError(f"unknown {scheme} {text!r}; allowed: {', '.join(allowed)}")
                return allowed[text].iri
            if self.kind == "date":
                return Literal(date.fromisoformat(text).isoformat(), datatype=XSD.date)
            if self.kind == "integer":
                return Literal(int(text))
            if self.kind == "string":
                return Literal(text)
            if self.kind == "iri":
                if not _ABSOLUTE_IRI.fullmatch(text):
                    raise ValueError(f"{text!r} is not an absolute IRI (scheme:..., no spaces, quotes or <>)")
                return URIRef(text)
        except ValueError as err:
            hint = f" ({SLUG_RULE})" if self.kind in _REGISTRY_KINDS else ""
            raise QueryError(f"parameter {self.name}: {err}{hint}") from err
        raise QueryError(f"parameter {self.name}: the query declares an unknown kind {self.kind!r}")


@dataclass(frozen=True)
class NamedQuery:
    path: Path
    text: str
    question: str
    parameters: dict[str, Parameter] = field(default_factory=dict)
    columns: str = ""

    @property
    def name(self) -> str:
        """``02_conditional_positions.rq`` -> ``conditional-positions``."""
        return re.sub(r"^\d+_", "", self.path.stem).replace("_", "-")

    def bindings(self, given: dict[str, str]) -> dict[str, Node]:
        """Bind the user's ``NAME=VALUE`` parameters (and declared defaults) as RDF terms."""
        unknown = sorted(set(given) - set(self.parameters))
        if unknown:
            known = ", ".join(self.parameters) or "none"
            raise QueryError(f"query {self.name!r} has no parameter {unknown[0]!r} (its parameters: {known})")
        bound: dict[str, Node] = {}
        for name, parameter in self.parameters.items():
            text = given.get(name, parameter.default)
            if text is not None:
                bound[name] = parameter.term(text)
        return bound


def parse_query_file(path: Path) -> NamedQuery:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise QueryError(f"{path}: cannot read the query file: {err}") from err
    question, columns, parameters = "", "", {}
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        if line.startswith("# Question:"):
            question = line.split(":", 1)[1].strip()
        elif line.startswith("# Columns:"):
            columns = line.split(":", 1)[1].strip()
        elif match := _PARAM.match(line):
            parameters[match["name"]] = Parameter(match["name"], match["kind"], match["default"], match["doc"])
    return NamedQuery(path, text, question, parameters, columns)


def named_queries() -> dict[str, NamedQuery]:
    """The shipped queries, by name."""
    found = (parse_query_file(p) for p in data_files("queries", "*.rq"))
    return {q.name: q for q in found}


def find_query(name_or_file: str) -> NamedQuery:
    """A shipped query by name (``conditional-positions``), number (``02``), or a ``.rq`` file path."""
    path = Path(name_or_file)
    if path.suffix == ".rq" and path.is_file():
        return parse_query_file(path)
    queries = named_queries()
    wanted = name_or_file.replace("_", "-")
    for query in queries.values():
        if wanted in (query.name, query.path.stem.replace("_", "-"), query.path.stem.split("_", 1)[0]):
            return query
    raise QueryError(f"no query named {name_or_file!r}; run 'kg query --list' to see them: {', '.join(queries)}")


# -- result formats ----------------------------------------------------------------------------


def _rdflib_result(result: SelectResult) -> Result:
    out = Result("SELECT")
    out.vars = [Variable(v) for v in result.variables]
    out.bindings = [
        {Variable(v): cast(Identifier, term) for v, term in zip(result.variables, row, strict=True) if term is not None}
        for row in result.rows
    ]
    return out


def render(result: SelectResult, fmt: str) -> str:
    """``table`` for people; ``csv`` and ``json`` are the W3C SPARQL 1.1 result formats."""
    if fmt in ("json", "csv"):
        text = cast(bytes, _rdflib_result(result).serialize(format=fmt)).decode("utf-8")
        return text if text.endswith("\n") else text + "\n"
    if fmt == "table":
        return _table(result)
    raise QueryError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")


def _table(result: SelectResult) -> str:
    cells = [[curie(t) if isinstance(t, URIRef) else ("" if t is None else str(t)) for t in row] for row in result.rows]
    widths = [min(60, max([len(v), *(len(r[i]) for r in cells)])) for i, v in enumerate(result.variables)]

    def line(values: list[str]) -> str:
        return "  ".join(v.ljust(w) for v, w in zip(values, widths, strict=True)).rstrip()

    out = [line(result.variables), line(["-" * w for w in widths]), *(line(r) for r in cells)]
    out.append(f"({len(result.rows)} row{'s' if len(result.rows) != 1 else ''})")
    return "\n".join(out) + "\n"
