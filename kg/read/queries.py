"""Named SPARQL queries: discovery, documented parameters, binding and result formats.

Each ``queries/NN_name.rq`` starts with a comment header::

    # Question: Which positions are conditional, and on what?
    # Parameters:
    #   ?holder (actor): only positions held by this actor
    #   ?scheme (concept:stance, default refuses-participation): ...
    # Columns: position, holder, ...

A parameter's kind turns the user's text into an RDF term (an actor slug into the actor's IRI, a
notation into its concept IRI, ...); the term is then *bound* to the variable, never spliced into
the query text. A parameter left out stays unbound, which the queries treat as "any"; ``any`` as
a value clears a declared default. With the registry's names at hand (:class:`RegistryNames`, read
from the store), a registry parameter also takes an actor's label or other name (``holder=Germany``):
one that names several entries is refused with the candidates, one that names none with the nearest.
"""

from __future__ import annotations

import functools
import re
import textwrap
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import cast

import pyoxigraph as ox

from kg.errors import QueryError
from kg.prefixes import ARTICLE_NS, REGISTRY_PREFIXES, SLUG, SLUG_RULE, XSD_NS, check_slug, curie_iri
from kg.read.names import RegistryNames
from kg.resources import data_files
from kg.store import SelectResult, Term
from kg.vocabulary import notations

# No rdflib here: ``kg query`` binds and reads pyoxigraph's terms, and Oxigraph writes the W3C results
# formats (kg.store.EmbeddedStore.answer); rdflib's ~0.1 s import was a third of a narrowed query's
# start-up budget. Only a SelectResult from elsewhere (a remote endpoint, kg ls) written as csv or
# json still goes through rdflib's writers (see render), which is what wrote those bytes before.

_PARAM = re.compile(
    r"^#\s+\?(?P<name>\w+)\s+\((?P<kind>[\w:-]+)(?:,\s*default\s+(?P<default>[^)]+))?\):\s*(?P<doc>.*)$"
)
#: An absolute IRI as SPARQL and N-Triples can write it (the characters IRIREF excludes, excluded).
_ABSOLUTE_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[^\x00-\x20<>\"{}|^`\\]*")
_REGISTRY_KINDS = {"actor": "actors", "post": "posts", "place": "places", "thing": "things", "event": "events"}
FORMATS = ("grouped", "table", "csv", "json")
#: The value that leaves a parameter unbound even when the query declares a default.
ANY = "any"


@dataclass(frozen=True)
class Parameter:
    name: str
    kind: str
    default: str | None
    doc: str

    @property
    def section(self) -> str | None:
        """The registry section a registry parameter's values come from (``actors`` for ``actor``)."""
        return _REGISTRY_KINDS.get(self.kind)

    def allowed(self) -> str:
        """What the parameter takes, or where to find its values (``kg query --list`` shows it)."""
        if self.section:
            return f"a slug, label or other name of {self.section} ('kg ls {self.section}' lists them)"
        if self.kind.startswith("concept:"):
            return "one of " + ", ".join(notations(self.kind.split(":", 1)[1]))
        return {
            "date": "a date, YYYY-MM-DD",
            "integer": "a whole number",
            "string": "any text",
            "iri": "an IRI, as other queries answer it (e.g. a position's)",
        }.get(self.kind, self.kind)

    def term(self, text: str, names: RegistryNames | None = None) -> Term:
        """The RDF term for the user's ``text``; raises QueryError saying what is expected.

        ``names`` (the registry's) lets a registry parameter take a label or another name too.
        """
        try:
            if self.section:
                if names is not None and names.labels and not (SLUG.match(text) and text in names.labels):
                    return names.iri(self._resolve(text, names))
                return ox.NamedNode(REGISTRY_PREFIXES[self.section] + check_slug(text))
            if self.kind.startswith("concept:"):
                scheme = self.kind.split(":", 1)[1]
                allowed = notations(scheme)
                if text not in allowed:
                    raise ValueError(f"unknown {scheme} {text!r}; allowed: {', '.join(allowed)}")
                return ox.NamedNode(allowed[text])
            if self.kind == "date":
                return ox.Literal(date.fromisoformat(text).isoformat(), datatype=ox.NamedNode(XSD_NS + "date"))
            if self.kind == "integer":
                return ox.Literal(str(int(text)), datatype=ox.NamedNode(XSD_NS + "integer"))
            if self.kind == "string":
                return ox.Literal(text)
            if self.kind == "iri":
                if not _ABSOLUTE_IRI.fullmatch(text):
                    raise ValueError(f"{text!r} is not an absolute IRI (scheme:..., no spaces, quotes or <>)")
                return ox.NamedNode(text)
        except ValueError as err:
            hint = f" ({SLUG_RULE})" if self.kind in _REGISTRY_KINDS else ""
            raise QueryError(f"parameter {self.name}: {err}{hint}") from err
        raise QueryError(f"parameter {self.name}: the query declares an unknown kind {self.kind!r}")

    def _resolve(self, text: str, names: RegistryNames) -> str:
        what = self.kind
        try:
            return names.resolve(text, what=what)
        except QueryError as err:
            problem = str(err)
            if not SLUG.match(text) and "ambiguous" not in problem:
                problem = f"{text!r} is not a valid slug ({SLUG_RULE}) nor a name in the registry: " + problem
            raise QueryError(f"parameter {self.name}: {problem}") from None


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

    def bindings(self, given: dict[str, str], names: dict[str, RegistryNames] | None = None) -> dict[str, Term]:
        """Bind the user's ``NAME=VALUE`` parameters (and declared defaults) as RDF terms (pyoxigraph's).

        ``any`` leaves a parameter unbound; ``names`` (registry section -> its names) lets registry
        parameters take labels and other names.
        """
        unknown = sorted(set(given) - set(self.parameters))
        if unknown:
            known = ", ".join(self.parameters) or "none"
            raise QueryError(f"query {self.name!r} has no parameter {unknown[0]!r} (its parameters: {known})")
        bound: dict[str, Term] = {}
        for name, parameter in self.parameters.items():
            text = given.get(name, parameter.default)
            if text is not None and text != ANY:
                section_names = (names or {}).get(parameter.section or "")
                bound[name] = parameter.term(text, section_names)
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


def _rdflib_serialize(result: SelectResult, fmt: str) -> bytes:
    """``result`` written by rdflib's SPARQL results writers: what a remote answer or ``kg ls`` wrote
    as csv or json before (Oxigraph's writers would change bytes users may compare). rdflib is
    imported here only; ``kg query`` on the store has Oxigraph write these formats instead."""
    from rdflib import Variable
    from rdflib.query import Result
    from rdflib.term import Identifier

    from kg.store import to_rdflib

    out = Result("SELECT")
    out.vars = [Variable(v) for v in result.variables]
    out.bindings = [
        {
            Variable(v): cast(Identifier, to_rdflib(term))
            for v, term in zip(result.variables, row, strict=True)
            if term is not None
        }
        for row in result.rows
    ]
    return cast(bytes, out.serialize(format=fmt))


def render(
    result: SelectResult, fmt: str, *, width: int | None = None, articles: dict[str, dict[str, str]] | None = None
) -> str:
    """``grouped`` and ``table`` for people; ``csv`` and ``json`` are the W3C SPARQL 1.1 result formats.

    ``width`` (a terminal's) wraps wide cells instead of letting lines run on; ``articles`` (source
    id -> headline, outlet, published) names the article each grouped block comes from.
    """
    if fmt in ("json", "csv"):
        text = _rdflib_serialize(result, fmt).decode("utf-8")
        return text if text.endswith("\n") else text + "\n"
    if fmt == "table":
        return _table(result, width)
    if fmt == "grouped":
        return _grouped(result, width or 100, articles or {})
    raise QueryError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")


def _cell(term: Term | None) -> str:
    return curie_iri(term.value) if isinstance(term, ox.NamedNode) else ("" if term is None else term.value)


#: Widest a table column grows before its cells wrap (without a terminal width to fit).
MAX_COLUMN = 60


def _wrap_cell(value: str, width: int) -> list[str]:
    """``value`` wrapped to ``width`` as textwrap does it. A cell that fits, with no whitespace at either
    end and nothing textwrap rewrites (tabs, line breaks, other non-printables), is its own one line:
    most cells are, and textwrap took a third of the start-up of a 1,000-row answer."""
    if not value:
        return [""]
    if len(value) <= width and value[0] != " " and value[-1] != " " and value.isprintable():
        return [value]
    return textwrap.wrap(value, width, break_long_words=True, break_on_hyphens=False) or [""]


def _table(result: SelectResult, width: int | None = None) -> str:
    """One line per row (more where a wide cell wraps), columns aligned."""
    cells = [[_cell(t) for t in row] for row in result.rows]
    natural = [max([len(v), *(len(r[i]) for r in cells)]) for i, v in enumerate(result.variables)]
    widths = [min(MAX_COLUMN, n) for n in natural]
    if width:
        # Narrow the widest columns until the table fits the terminal (none below 12 characters).
        while sum(widths) + 2 * (len(widths) - 1) > width and max(widths) > 12:
            widest = widths.index(max(widths))
            widths[widest] -= 1
    widths = [max(w, 1) for w in widths]

    def lines(values: list[str]) -> list[str]:
        wrapped = [_wrap_cell(v, w) for v, w in zip(values, widths, strict=True)]
        height = max(len(c) for c in wrapped)
        return [
            "  ".join((c[k] if k < len(c) else "").ljust(w) for c, w in zip(wrapped, widths, strict=True)).rstrip()
            for k in range(height)
        ]

    out = [*lines(result.variables), "  ".join("-" * w for w in widths)]
    for row in cells:
        out.extend(lines(row))
    out.append(f"({len(result.rows)} row{'s' if len(result.rows) != 1 else ''})")
    return "\n".join(out) + "\n"


#: Columns that make a grouped block's heading, in this order, when the answer has them.
_HEADING = ("holderLabel", "speakerLabel", "stanceLabel", "modalityLabel", "actionLabel")


def _grouped(result: SelectResult, width: int, articles: dict[str, dict[str, str]]) -> str:
    """One block per position (or per row when the answer has no ``position`` column): a heading
    (holders, stance, action), then the other columns' values, lists (" | ") one item a line."""
    variables = result.variables
    key = variables.index("position") if "position" in variables else None
    blocks: dict[object, list[tuple[Term | None, ...]]] = {}
    for number, row in enumerate(result.rows):
        blocks.setdefault(row[key] if key is not None else number, []).append(row)
    heading = [v for v in _HEADING if v in variables]
    iri_columns = {
        v
        for i, v in enumerate(variables)
        if result.rows and all(r[i] is None or isinstance(r[i], ox.NamedNode) for r in result.rows)
    }
    out: list[str] = []
    for block_key, rows in blocks.items():
        values = functools.partial(_distinct, variables, rows)
        title_parts = [", ".join(values(c)) for c in heading if c != "modalityLabel"]
        modality = [m for m in values("modalityLabel") if m != "asserted"] if "modalityLabel" in heading else []
        if modality and len(title_parts) >= 2:
            title_parts[-2] += f" ({', '.join(modality)})"
        title = " — ".join(p for p in title_parts if p) or f"row {len(out) + 1}"
        out.extend(textwrap.wrap(title, width, subsequent_indent="  ") or [""])
        shown = [c for c in variables if c not in heading and c not in iri_columns]
        # Columns with one value in the block are listed once; the others row by row, so that the
        # values of one row (a condition's type, text and quotes) stay together.
        varying = [c for c in shown if len({_cell(r[variables.index(c)]) for r in rows}) > 1]
        for column in shown:
            if column not in varying:
                out.extend(_field(column, values(column), width, "  "))
        seen: set[tuple[str, ...]] = set()
        for row in rows:
            items = tuple(_cell(row[variables.index(c)]) for c in varying)
            if not varying or items in seen:
                continue
            seen.add(items)
            lines = [line for c, v in zip(varying, items, strict=True) if v for line in _field(c, [v], width, "    ")]
            if lines:
                out.append("  - " + lines[0].lstrip())
                out.extend(lines[1:])
        source = _article_of(block_key)
        about = articles.get(source)
        if about:
            meta = ", ".join(x for x in (about.get("outlet", ""), about.get("published", "")) if x)
            out.extend(
                textwrap.wrap(
                    f"article: {about.get('headline', source)} ({meta})",
                    width,
                    initial_indent="  ",
                    subsequent_indent="    ",
                )
            )
        if isinstance(block_key, ox.NamedNode):
            out.append(f"  ({curie_iri(block_key.value)})")
        out.append("")
    counted = f"{len(result.rows)} row{'s' if len(result.rows) != 1 else ''}"
    out.append(
        f"({len(blocks)} position{'s' if len(blocks) != 1 else ''}, {counted})" if key is not None else f"({counted})"
    )
    return "\n".join(out) + "\n"


def _field(column: str, values: list[str], width: int, indent: str) -> list[str]:
    """``column: value`` wrapped to ``width``; a list (" | ") one item a line."""
    items = list(dict.fromkeys(item for v in values for item in v.split(" | ") if item))
    if not items:
        return []
    if len(items) == 1:
        return textwrap.wrap(f"{column}: {items[0]}", width, initial_indent=indent, subsequent_indent=indent + "    ")
    lines = [f"{indent}{column}:"]
    for item in items:
        lines.extend(textwrap.wrap(item, width, initial_indent=indent + "  · ", subsequent_indent=indent + "    "))
    return lines


def _distinct(variables: list[str], rows: list[tuple[Term | None, ...]], column: str) -> list[str]:
    """The distinct non-empty values of ``column`` in ``rows``, in order."""
    i = variables.index(column)
    return list(dict.fromkeys(v for v in (_cell(r[i]) for r in rows) if v))


def _article_of(term: object) -> str:
    """The source id of the article an IRI was minted in, else ''."""
    prefix = ARTICLE_NS
    text = term.value if isinstance(term, ox.NamedNode) else ""
    return text[len(prefix) :].split("/", 1)[0] if text.startswith(prefix) else ""


def article_ids(result: SelectResult) -> set[str]:
    """The articles an answer's IRIs were minted in (to name them beside the rows)."""
    return {a for row in result.rows for t in row if isinstance(t, ox.NamedNode) and (a := _article_of(t))}
