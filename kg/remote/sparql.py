"""Remote SPARQL endpoints: run the shipped queries through the SPARQL 1.1 Protocol.

*Queries* go through SPARQLWrapper: POST (form-encoded, which every store accepts), a timeout, SPARQL
JSON results, converted to :class:`kg.store.SelectResult` so :func:`kg.queries.render` works as for
the embedded store. Query parameters are bound with a ``VALUES`` block built from rdflib terms'
``.n3()`` (``URIRef.n3`` refuses invalid IRIs, ``Literal.n3`` escapes), never spliced into the text.
The block is put at the *start of the query's outer WHERE group*, not after the query as rdflib's
SPARQLStore does: a trailing ``VALUES`` is joined after the whole pattern, FILTERs and BINDs
included, so a FILTER or BIND on a parameter would see it unbound (RDFLib/rdflib#1772). At the start of
the group it is joined first, which gives the answers of the embedded store's pre-binding
(pyoxigraph ``substitutions``); ``tests/test_remote.py`` checks this for every query in ``queries/``.
"""

from __future__ import annotations

import json
import re
import time
import urllib.error
from collections.abc import Callable, Mapping, Sequence
from http.client import HTTPException
from typing import Any, cast

import pyoxigraph as ox
from rdflib import Literal, URIRef
from rdflib.term import Node

from kg.errors import QueryError, StoreError
from kg.remote.endpoints import (
    ENV_PASSWORD,
    ENV_TOKEN,
    ENV_USER,
    USER_AGENT,
    XSD_STRING,
    Credentials,
    EndpointError,
    Endpoints,
    check_url,
)
from kg.remote.http import Policy, first_line, network_problem, retry_after, urllib_opener
from kg.store import SelectResult, Term, to_rdflib

# -- remote queries (SPARQL 1.1 Protocol, via SPARQLWrapper) -----------------------------------


_TOKEN = re.compile(
    r"""(?P<comment>\#[^\n]*)
      | (?P<string>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'''(?:[^'\\]|\\.|'(?!''))*'''|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')
      | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
      | (?P<open>\{) | (?P<close>\})
      | (?P<word>[A-Za-z_][\w-]*)
      | (?P<other>.)""",
    re.VERBOSE | re.DOTALL,
)


def _where_brace(query: str) -> int:
    """Index just after the ``{`` opening the outer WHERE group (after a top-level WHERE, else the first)."""
    depth, first, after_where = 0, None, False
    for match in _TOKEN.finditer(query):
        kind = match.lastgroup
        if kind == "open":
            if depth == 0 and (after_where or first is None):
                if after_where:
                    return match.end()
                first = match.end()
            depth += 1
        elif kind == "close":
            depth -= 1
        elif kind == "word" and depth == 0 and match.group().upper() == "WHERE":
            after_where = True
    if first is None:
        raise QueryError("the query has no WHERE group to bind parameters in")
    return first


def strip_comments(query: str) -> str:
    """The query without ``#`` comments (those inside strings and IRIs stay).

    Needed for SPARQLWrapper, which guesses the query form with a regex after a comment remover that
    skips every other line of a comment block: a header comment mentioning "nuclear" made it take a
    SELECT for a CLEAR update and send it to the wrong place.
    """
    return "".join(m.group() for m in _TOKEN.finditer(query) if m.lastgroup != "comment")


def values_block(bindings: Mapping[str, Node | Term]) -> str:
    """``VALUES (?a ?b) { (<iri> "literal") }`` from RDF terms, each validated and escaped by rdflib's
    ``.n3()`` (pyoxigraph's terms, which kg query binds, as rdflib's: the text sent stays as it was)."""
    names = sorted(bindings)
    terms = []
    for name in names:
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            raise QueryError(f"parameter name {name!r} is not a SPARQL variable name")
        term = bindings[name]
        if isinstance(term, ox.NamedNode | ox.Literal):
            term = cast(Node, to_rdflib(term))
        if not isinstance(term, (URIRef, Literal)):
            raise QueryError(f"parameter {name}: only IRIs and literals can be bound, not {term!r}")
        try:
            terms.append(term.n3())
        except Exception as err:  # rdflib raises a bare Exception for an IRI it cannot write
            raise QueryError(f"parameter {name}: {err}") from err
    variables = " ".join(f"?{n}" for n in names)
    return f"VALUES ({variables}) {{ ({' '.join(terms)}) }}"


def bind_parameters(query: str, bindings: Mapping[str, Node | Term] | None) -> str:
    """The query with its parameters bound by VALUES blocks: all of them at the start of the outer
    WHERE group, and each again at the start of every inner group that mentions it.

    SPARQL evaluates a group's parts bottom-up: a UNION branch, a FILTER EXISTS or a subquery does
    not see a VALUES block of the group around it, so a time window or a default used inside one
    would be read unbound (the tensions window was, remotely). Oxigraph's substitutions, which
    bind parameters for the embedded store, put the value everywhere; a block in every group that
    mentions the parameter does the same. A subquery that does not project the parameter has its
    own variable of that name and is left alone, as are VALUES data blocks and CONSTRUCT templates.
    """
    if not bindings:
        return query
    values_block(bindings)  # every name and term checked once, before anything is inserted
    inserts = [(_where_brace(query), values_block(bindings))]
    for at, names in _inner_groups(query, set(bindings)):
        inserts.append((at, values_block({name: bindings[name] for name in sorted(names)})))
    for at, block in sorted(inserts, reverse=True):
        query = f"{query[:at]}\n  {block}\n{query[at:]}"
    return query


def _inner_groups(query: str, names: set[str]) -> list[tuple[int, set[str]]]:
    """Each group inside the outer WHERE group that mentions one of ``names`` in scope: the index
    just after its ``{`` and the names it mentions."""
    tokens = [m for m in _TOKEN.finditer(query) if m.lastgroup != "comment" and not m.group().isspace()]
    closing = _matching_braces(tokens)
    variables = [
        (m.start(), m.group())
        for at, m in enumerate(tokens)
        if m.lastgroup == "word" and at > 0 and tokens[at - 1].group() in ("?", "$")
    ]
    groups: list[tuple[int, set[str]]] = []
    scopes: list[tuple[int, set[str]]] = [(-1, names)]  # (index of the closing brace, names in scope)
    depth = 0
    projection: list[re.Match[str]] | None = None  # a subquery's projection, while it is read
    data_block = False  # the next brace opens a VALUES data block
    for at, match in enumerate(tokens):
        kind, text = match.lastgroup, match.group()
        if kind == "close":
            depth -= 1
            while scopes[-1][0] == at:
                scopes.pop()
            continue
        if kind != "open":
            if projection is not None:
                projection.append(match)
            elif kind == "word" and depth > 0 and text.upper() == "SELECT":
                projection = []
            elif kind == "word" and text.upper() == "VALUES":
                data_block = True
            continue
        depth += 1
        end = closing[at]
        if data_block:
            data_block = False
            scopes.append((end, set()))
            continue
        in_scope = scopes[-1][1]
        if projection is not None:  # a subquery's WHERE group: only what it projects comes in
            projected = _projected(projection)
            in_scope = in_scope if projected is None else in_scope & projected
            projection = None
        scopes.append((end, in_scope))
        wraps_a_subquery = at + 1 < len(tokens) and tokens[at + 1].group().upper() == "SELECT"
        if depth > 1 and in_scope and not wraps_a_subquery:
            mentioned = {name for start, name in variables if match.end() <= start < tokens[end].start()}
            if mentioned & in_scope:
                groups.append((match.end(), mentioned & in_scope))
    return groups


def _matching_braces(tokens: list[re.Match[str]]) -> dict[int, int]:
    closing: dict[int, int] = {}
    opened: list[int] = []
    for at, match in enumerate(tokens):
        if match.lastgroup == "open":
            opened.append(at)
        elif match.lastgroup == "close" and opened:
            closing[opened.pop()] = at
    for at in opened:  # an unbalanced query: the server will say what is wrong with it
        closing[at] = len(tokens) - 1
    return closing


def _projected(projection: list[re.Match[str]]) -> set[str] | None:
    """The variables a projection passes through (``?x`` outside parentheses), or None for ``*``.

    An alias ``(... AS ?y)`` is left out: it is made by the subquery, and binding it inside the
    subquery's group would be a different variable (or a syntax error)."""
    names: set[str] = set()
    parens = 0
    for at, match in enumerate(projection):
        text = match.group()
        if text == "*" and parens == 0:
            return None
        parens += (text == "(") - (text == ")")
        if parens == 0 and match.lastgroup == "word" and at > 0 and projection[at - 1].group() in ("?", "$"):
            names.add(text)
    return names


def _term(value: Mapping[str, str]) -> Term:
    """A JSON results term as pyoxigraph's, as the embedded store answers (kg.store.SelectResult)."""
    kind, text = value.get("type"), value.get("value", "")
    if kind == "uri":
        return ox.NamedNode(text)
    if kind == "bnode":
        return ox.BlankNode(text)
    if kind in ("literal", "typed-literal"):  # "typed-literal": SPARQL 1.0-era JSON (Virtuoso)
        if value.get("xml:lang"):
            return ox.Literal(text, language=value["xml:lang"])
        datatype = value.get("datatype")
        if datatype and datatype != XSD_STRING:
            return ox.Literal(text, datatype=ox.NamedNode(datatype))
        return ox.Literal(text)
    raise ValueError(f"unknown term type {kind!r}")


#: Answers after which a query is asked again: a proxy or the server was busy or away. A 500 is not
#: among them (unlike a load's): for a query it is most often the query's own failure.
QUERY_RETRY_STATUSES = frozenset({502, 503, 504})


class _Transient(Exception):
    """A failure worth another attempt; ``wait`` is the server's ``Retry-After``, if it gave one."""

    def __init__(self, problem: str, wait: float | None) -> None:
        super().__init__(problem)
        self.problem, self.wait = problem, wait


class RemoteEndpoint:
    """A SPARQL endpoint reached through SPARQLWrapper (POST, timeout, JSON results)."""

    def __init__(
        self,
        endpoints: Endpoints | str,
        *,
        credentials: Credentials | None = None,
        timeout: float = 60.0,
        policy: Policy | None = None,
        sleep: Callable[[float], None] = time.sleep,
        log: Callable[[str], None] | None = None,
    ) -> None:
        self.endpoints = (
            endpoints if isinstance(endpoints, Endpoints) else Endpoints(check_url(endpoints, "--endpoint"))
        )
        self.url = self.endpoints.query
        self.credentials = credentials
        if not timeout > 0:
            raise EndpointError("--timeout must be a positive number of seconds")
        self.timeout = timeout
        self.policy = policy or Policy()
        self.sleep = sleep
        self.log = log or (lambda message: None)

    def _wrapper(self, query: str) -> Any:  # a SPARQLWrapper, imported lazily
        from SPARQLWrapper import BASIC, JSON, POST, URLENCODED, SPARQLWrapper

        wrapper = SPARQLWrapper(self.url, agent=USER_AGENT)
        wrapper.setMethod(POST)
        wrapper.setRequestMethod(URLENCODED)
        wrapper.setReturnFormat(JSON)
        wrapper.setTimeout(self.timeout)  # type: ignore[arg-type]  # float works: it goes to urlopen
        for name, value in self.endpoints.query_params:
            wrapper.addParameter(name, value)
        creds = self.credentials
        if creds is not None:
            if creds.scheme == "bearer":
                wrapper.addCustomHttpHeader("Authorization", f"Bearer {creds.secret}")
            elif creds.scheme == "basic":
                wrapper.setHTTPAuth(BASIC)
                wrapper.setCredentials(creds.user, creds.secret)
            # digest: answered by the opener (SPARQLWrapper would install a process-wide one)
        wrapper.setQuery(strip_comments(query))
        return wrapper

    def _json(self, query: str) -> dict:
        """Run ``query``; the parsed SPARQL JSON answer, or a StoreError saying what went wrong.

        A busy or unreachable server is asked again with the HTTP policy's backoff (a server's
        ``Retry-After`` wins, up to :data:`kg.remote.http.MAX_RETRY_AFTER`): queries change nothing, so
        asking twice is safe. A query the server rejected, or one that ran out of time, is not
        retried: it would fail the same way.
        """
        delay = self.policy.retry_delay
        attempts = self.policy.retries + 1
        for attempt in range(1, attempts + 1):
            try:
                return self._attempt(query)
            except _Transient as err:
                if attempt == attempts:
                    raise StoreError(f"{err.problem} (gave up after {attempts} attempts)") from err
                wait = err.wait if err.wait is not None else delay
                self.log(f"retrying the query in {wait:g} s (attempt {attempt + 1} of {attempts}): {err.problem}")
                self.sleep(wait)
                delay *= 2
        raise AssertionError("unreachable: the last attempt returns or raises")

    def _attempt(self, query: str) -> dict:
        started = time.monotonic()
        # SPARQLWrapper builds the request (query form, parameters, headers, basic or bearer
        # credentials); kg.remote.http's opener sends it, so that redirects keep credentials home.
        request = self._wrapper(query)._createRequest()
        try:
            with urllib_opener(self.credentials, self.url).open(request, timeout=self.timeout) as response:
                body = response.read()
        except urllib.error.HTTPError as err:
            if err.code in QUERY_RETRY_STATUSES:
                raise _Transient(self._error(err.code, err.read()).args[0], retry_after(err.headers)) from err
            raise self._error(err.code, err.read()) from err
        except (urllib.error.URLError, OSError, HTTPException) as err:
            problem = network_problem(err, self.timeout)
            # A server refusing or dropping connections may be restarting; one that let the query
            # run out of time, or a host name that does not resolve, would fail the same way again.
            if problem.startswith("connection refused") or problem == "the server dropped the connection":
                raise _Transient(f"{self.url}: {problem}", None) from err
            raise StoreError(f"{self.url}: {problem}") from err
        try:
            return json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as err:
            tail = first_line(body.decode("utf-8", "replace").splitlines()[-1] if body.strip() else "", 200)
            elapsed = time.monotonic() - started
            raise StoreError(
                f"{self.url}: the answer is not complete SPARQL JSON ({len(body)} bytes after {elapsed:.1f} s; "
                f"it ends with {tail!r}); the server probably stopped the query at its time limit"
            ) from err

    def _error(self, status: int | None, body: bytes | str | None) -> StoreError:
        reason = {
            400: "the query was rejected",
            401: "the credentials were refused",
            403: "access is forbidden",
            404: "no SPARQL endpoint at this URL",
        }.get(status or 0, "")
        message = first_line(body)
        parts = [f"{self.url}: HTTP {status}" if status else self.url, reason, message]
        if status == 401:
            parts.append(
                self.credentials.describe()
                if self.credentials
                else f"no credentials were sent (set {ENV_USER}/{ENV_PASSWORD}, {ENV_TOKEN} or ~/.netrc)"
            )
        return StoreError(": ".join(p for p in parts if p))

    def select(self, query: str, bindings: Mapping[str, Node | Term] | None = None) -> SelectResult:
        """Run a SELECT with parameters bound; the answer as pyoxigraph terms."""
        data = self._json(bind_parameters(query, bindings))
        try:
            variables = list(data["head"]["vars"])
            rows = [tuple(_term(b[v]) if v in b else None for v in variables) for b in data["results"]["bindings"]]
        except (KeyError, TypeError, ValueError) as err:
            raise StoreError(f"{self.url}: the answer is not a SPARQL SELECT result ({err})") from err
        return SelectResult(variables, rows)

    def ask(self, query: str = "ASK {}") -> bool:
        data = self._json(query)
        if not isinstance(data.get("boolean"), bool):
            raise StoreError(f"{self.url}: the answer is not a SPARQL ASK result")
        return data["boolean"]

    def count_triples(self, graphs: Sequence[URIRef], chunk: int = 50) -> dict[URIRef, int]:
        """The number of triples in each named graph on the server (0 for a graph it does not have)."""
        counts = dict.fromkeys(graphs, 0)
        for start in range(0, len(graphs), chunk):
            part = graphs[start : start + chunk]
            values = " ".join(g.n3() for g in part)
            result = self.select(
                f"SELECT ?g (COUNT(*) AS ?n) WHERE {{ VALUES ?g {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} }} GROUP BY ?g"
            )
            for graph, number in result.rows:
                if graph is not None and number is not None:
                    counts[URIRef(graph.value)] = int(number.value)
        return counts
