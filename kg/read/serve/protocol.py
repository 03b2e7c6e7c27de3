"""What ``kg serve`` checks and decides before a query reaches the engine, as pure functions.

* :func:`negotiate`: the media type of an answer from the ``Accept`` header;
* :func:`check_query`: refuses, with a message, what the read-only endpoint will not run: a query
  nested deeper than :data:`MAX_NESTING` (Oxigraph's recursive parser overflows its stack on a few
  thousand nested groups and takes the process down) and ``SERVICE`` clauses naming an endpoint the
  operator did not allow (the engine would otherwise send requests to any URL a query names).

The check is lexical, over the query with its strings, IRIs and comments blanked out, so a keyword
or a brace inside a literal does not count. It errs on the side of refusing: a ``SERVICE`` whose
endpoint is a variable or a prefixed name is refused even when it might resolve to an allowed one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import pyoxigraph as ox

#: Deepest nesting of ``{ ( [`` a query may have. The shipped queries use at most 8; Oxigraph's
#: parser crashes the process somewhere between 2,000 and 5,000.
MAX_NESTING = 100

RESULT_TYPES = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "application/xml": ox.QueryResultsFormat.XML,
    "text/csv": ox.QueryResultsFormat.CSV,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
GRAPH_TYPES = {
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
}
#: What a dereferenced IRI can be answered with (rdflib serialiser names; HTML is ours).
DESCRIBE_TYPES = {
    "text/html": "html",
    "application/xhtml+xml": "html",
    "text/turtle": "turtle",
    "application/ld+json": "json-ld",
    "application/n-triples": "nt",
    "application/rdf+xml": "xml",
}


@dataclass(frozen=True)
class Reply:
    """An answer as it goes back to the client (built in a worker process, so plain data)."""

    status: int
    media_type: str
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def text(cls, status: int, message: str, **headers: str) -> Reply:
        return cls(status, "text/plain; charset=utf-8", (message.strip() + "\n").encode("utf-8"), headers)


class Refused(ValueError):
    """A request the endpoint will not run; ``status`` and the message go back to the client."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def negotiate(accept: str, choices: Mapping[str, object], default: str) -> str | None:
    """The first media type of ``accept`` (by q, then order) we can produce; None if none fits."""
    if not accept.strip():
        return default
    ranked: list[tuple[float, int, str]] = []
    for index, part in enumerate(accept.split(",")):
        media, *params = [p.strip() for p in part.split(";")]
        q = 1.0
        for param in params:
            if param.startswith("q="):
                try:
                    q = float(param[2:])
                except ValueError:
                    q = 0.0
        if q > 0:
            ranked.append((-q, index, media.lower()))
    for _, _, media in sorted(ranked):
        if media in choices:
            return media
        if media in ("*/*", "application/*", "text/*"):
            return default
    return None


# Strings (long forms first), IRIs and comments: blanked before looking at the query's structure.
_OPAQUE = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""'
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n]|\\.)*"'
    r"|'(?:[^'\\\n]|\\.)*'"
    r"|<[^<>\"{}|^`\\\x00-\x20]*>"
    r"|#[^\n]*",
    re.DOTALL,
)
_CODEPOINT = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
# SERVICE as a keyword: not part of a variable, prefixed name or longer word.
_SERVICE = re.compile(r"(?<![\w:?$.\-])SERVICE(?![\w:\-])(?:\s+SILENT(?![\w:\-]))?\s*(<[^>]*>)?", re.IGNORECASE)


def _decoded(query: str) -> str:
    """``query`` with SPARQL codepoint escapes (``\\u00E9``) replaced by their characters."""

    def char(match: re.Match[str]) -> str:
        try:
            return chr(int(match.group(1) or match.group(2), 16))
        except ValueError:
            return " "

    return _CODEPOINT.sub(char, query)


def nesting_depth(query: str) -> int:
    """The deepest nesting of groups, brackets and parentheses outside strings, IRIs and comments."""
    depth = deepest = 0
    for char in _OPAQUE.sub(" ", query):
        if char in "{([":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "})]":
            depth -= 1
    return deepest


def service_endpoints(query: str) -> list[str | None]:
    """The endpoint of each ``SERVICE`` clause (None where it is not written as an ``<IRI>``)."""
    found: list[str | None] = []
    for text in {query, _decoded(query)}:
        opaque_iris = {m.start(): m.group(0) for m in _OPAQUE.finditer(text) if m.group(0).startswith("<")}
        blanked = _OPAQUE.sub(lambda m: m.group(0) if m.group(0).startswith("<") else " " * len(m.group(0)), text)
        for match in _SERVICE.finditer(blanked):
            iri = match.group(1)
            if iri and match.start(1) in opaque_iris:
                found.append(iri[1:-1])
            else:
                found.append(None)
    return found


def check_query(query: str, allowed_services: Iterable[str] = ()) -> None:
    """Raise :class:`Refused` (400 or 403) for a query this endpoint will not run."""
    depth = nesting_depth(query)
    if depth > MAX_NESTING:
        raise Refused(
            400,
            f"the query nests groups, brackets or parentheses {depth} deep; this endpoint accepts at most "
            f"{MAX_NESTING} (deeper queries can crash the SPARQL parser)",
        )
    allowed = set(allowed_services)
    for endpoint in service_endpoints(query):
        if endpoint is None or endpoint not in allowed:
            named = f"<{endpoint}>" if endpoint else "an endpoint not written as a full <IRI>"
            allowed_text = ", ".join(sorted(allowed)) if allowed else "none (start kg serve with --allow-service URL)"
            raise Refused(
                403,
                f"SERVICE {named} refused: this endpoint sends federated queries only to the endpoints "
                f"its operator allowed: {allowed_text}",
            )
