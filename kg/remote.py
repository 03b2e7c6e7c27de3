"""Remote triplestores: SPARQL queries (SPARQL 1.1 Protocol) and loading (Graph Store Protocol).

*Queries* go through SPARQLWrapper: POST (form-encoded, which every store accepts), a timeout, SPARQL
JSON results, converted to :class:`kg.store.SelectResult` so :func:`kg.queries.render` works as for
the embedded store. Query parameters are bound with a ``VALUES`` block built from rdflib terms'
``.n3()`` (``URIRef.n3`` refuses invalid IRIs, ``Literal.n3`` escapes), never spliced into the text.
The block is put at the *start of the query's outer WHERE group*, not after the query as rdflib's
SPARQLStore does: a trailing ``VALUES`` is joined after the whole pattern, FILTERs and BINDs
included, so a FILTER or BIND on a parameter would see it unbound (RDFLib/rdflib#1772). At the start of
the group it is joined first, which gives the answers of the embedded store's pre-binding
(pyoxigraph ``substitutions``); ``tests/test_remote.py`` checks this for every query in ``queries/``.

*Loading* is the SPARQL 1.1 Graph Store HTTP Protocol over ``requests``: one ``PUT ?graph=G`` per
named graph (article graphs, registry, vocabulary, ontology, provenance) with an N-Triples body, so
loading again *replaces* each graph and never duplicates it. A graph larger than the batch size is
sent as a PUT of the first batch and POSTs (merge) of the others: such a graph is complete only once
all its batches are in, which the verification step checks. Blank nodes that are connected stay in
one batch (each request has its own blank-node scope). Without a graph store, an update endpoint can
be used instead (``DROP SILENT GRAPH`` + ``INSERT DATA`` in one request). 5xx answers, timeouts and
dropped connections are retried with exponential backoff; other 4xx answers reject the graph (the
server's message is reported). After loading, the triples of each graph are counted on the server
(``SELECT (COUNT(*) ...) { GRAPH ?g { ... } }``) and compared with the local store.

*Credentials* come from the environment (``KG_ENDPOINT_USER`` + ``KG_ENDPOINT_PASSWORD``, scheme from
``KG_ENDPOINT_AUTH`` = basic|digest or the preset; ``KG_ENDPOINT_TOKEN`` for a bearer token) or from
``~/.netrc`` (``$NETRC``); never from the command line, and they are never printed.

*Presets* (:data:`PRESETS`) hold each store's endpoint paths, auth scheme and query parameters; see
``docs/triplestores.md``.
"""

from __future__ import annotations

import ast
import html
import json
import os
import re
import socket
import time
import urllib.error
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from http.client import HTTPException
from urllib.parse import urlsplit

import pyoxigraph as ox
import requests
from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

from . import __version__
from .errors import KgError, QueryError, StoreError
from .store import EmbeddedStore, SelectResult

USER_AGENT = f"positions-kg/{__version__}"
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RETRY_STATUSES = frozenset({500, 502, 503, 504})
ENV_USER, ENV_PASSWORD, ENV_AUTH, ENV_TOKEN = "KG_ENDPOINT_USER", "KG_ENDPOINT_PASSWORD", "KG_ENDPOINT_AUTH", "KG_ENDPOINT_TOKEN"
AUTH_SCHEMES = ("basic", "digest", "bearer")


class EndpointError(KgError):
    """An endpoint option is unusable as given (not an http(s) URL, missing graph store): exit 2."""


# -- presets -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Preset:
    """Where one kind of store has its endpoints, relative to a root URL, and how it authenticates.

    ``query_params`` are sent with every query; they make the store's default graph the union of the
    named graphs, which the queries assume (the embedded store queries the union too).
    """

    name: str
    root_example: str
    query: str
    update: str | None
    graph_store: str | None
    auth: str | None
    query_params: tuple[tuple[str, str], ...] = ()
    verified: bool = False
    note: str = ""


PRESETS: dict[str, Preset] = {
    p.name: p
    for p in (
        Preset("oxigraph", "http://localhost:7878", "/query", "/update", "/store", None,
               query_params=(("union-default-graph", ""),), verified=True,
               note="no authentication of its own (put a reverse proxy with basic auth in front of it); "
                    "the union-default-graph parameter makes queries see all named graphs"),
        Preset("fuseki", "http://localhost:3030/ds", "/query", "/update", "/data", "basic",
               query_params=(("default-graph-uri", "urn:x-arq:UnionGraph"),),
               note="the root is the dataset URL; needs a writable dataset (fuseki-server --update); basic "
                    "auth with Fuseki main; union graph via urn:x-arq:UnionGraph (TDB2)"),
        Preset("graphdb", "http://localhost:7200/repositories/REPO", "", "/statements", "/rdf-graphs/service", "basic",
               note="the root is the repository URL; its default graph is already the union; the graph store "
                    "path is not confirmed against a running GraphDB"),
        Preset("virtuoso", "http://localhost:8890", "/sparql", "/sparql-auth", "/sparql-graph-crud-auth", "digest",
               verified=True,
               note="writes need digest auth (user in SPARQL_UPDATE, e.g. dba); its default graph is the union "
                    "of all graphs, Virtuoso's own system graphs included"),
    )
}


@dataclass(frozen=True)
class Endpoints:
    """The URLs of one store: SPARQL query endpoint, update endpoint, graph store (GSP)."""

    query: str
    update: str | None = None
    graph_store: str | None = None
    preset: Preset | None = None

    @property
    def query_params(self) -> tuple[tuple[str, str], ...]:
        return self.preset.query_params if self.preset else ()


def _check_url(url: str, option: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise EndpointError(f"{option} {url!r} is not an http(s) URL (e.g. http://localhost:7878/query)")
    if parts.username or parts.password:
        raise EndpointError(f"{option}: put credentials in {ENV_USER}/{ENV_PASSWORD} or ~/.netrc, not in the URL")
    return url


def resolve_endpoints(endpoint: str, *, preset: str | None = None, graph_store: str | None = None,
                      update: str | None = None) -> Endpoints:
    """The store's URLs from ``--endpoint`` (the query endpoint, or with a preset its root) and overrides.

    With a preset, ``endpoint`` may be the root (``http://localhost:7878``) or the query endpoint
    itself (``http://localhost:7878/query``); the update and graph store URLs follow from the preset
    unless given.
    """
    _check_url(endpoint, "--endpoint")
    for url, option in ((graph_store, "--graph-store"), (update, "--update")):
        if url:
            _check_url(url, option)
    if preset is None:
        return Endpoints(endpoint, update, graph_store)
    if preset not in PRESETS:
        raise EndpointError(f"unknown preset {preset!r}; use one of {', '.join(PRESETS)}")
    chosen = PRESETS[preset]
    root = endpoint.rstrip("/")
    if chosen.query and root.endswith(chosen.query):
        root = root[: -len(chosen.query)]
    return Endpoints(
        query=root + chosen.query,
        update=update or (root + chosen.update if chosen.update is not None else None),
        graph_store=graph_store or (root + chosen.graph_store if chosen.graph_store is not None else None),
        preset=chosen,
    )


# -- credentials -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Credentials:
    """A user and password (basic or digest) or a bearer token. The secret is never shown."""

    scheme: str
    user: str | None
    secret: str = field(repr=False)
    source: str = "environment"

    def describe(self) -> str:
        who = f" as {self.user!r}" if self.user else ""
        return f"{self.scheme} auth{who} (from {self.source})"

    def requests_auth(self) -> requests.auth.AuthBase:
        if self.scheme == "digest":
            return requests.auth.HTTPDigestAuth(self.user or "", self.secret)
        if self.scheme == "bearer":
            return _BearerAuth(self.secret)
        return requests.auth.HTTPBasicAuth(self.user or "", self.secret)


class _BearerAuth(requests.auth.AuthBase):
    def __init__(self, token: str) -> None:
        self._token = token

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = f"Bearer {self._token}"
        return request


def credentials_for(url: str, *, scheme: str | None = None, preset: Preset | None = None,
                    environ: Mapping[str, str] | None = None) -> Credentials | None:
    """Credentials for ``url``: the environment first, then ``~/.netrc``; None if there are none.

    ``scheme`` (``--auth``) overrides ``$KG_ENDPOINT_AUTH``, which overrides the preset's scheme;
    the default is basic. ``scheme="none"`` sends no credentials at all.
    """
    env = os.environ if environ is None else environ
    wanted = scheme or env.get(ENV_AUTH) or None
    if wanted == "none":
        return None
    if wanted is not None and wanted not in AUTH_SCHEMES:
        raise EndpointError(f"unknown auth scheme {wanted!r} (from --auth or ${ENV_AUTH}); use basic, digest or bearer")
    if env.get(ENV_TOKEN):
        return Credentials("bearer", None, env[ENV_TOKEN], f"${ENV_TOKEN}")
    if wanted == "bearer":
        raise EndpointError(f"bearer auth needs the token in ${ENV_TOKEN}")
    user, password = env.get(ENV_USER), env.get(ENV_PASSWORD)
    if bool(user) != bool(password):
        raise EndpointError(f"set both ${ENV_USER} and ${ENV_PASSWORD} (or neither, to use ~/.netrc)")
    source = f"${ENV_USER}/${ENV_PASSWORD}"
    if not user:
        found = requests.utils.get_netrc_auth(url)
        if not found:
            return None
        (user, password), source = found, "netrc"
    chosen = wanted if wanted in ("basic", "digest") else (preset.auth if preset and preset.auth else "basic")
    return Credentials(chosen, user, password or "", source)


# -- errors ------------------------------------------------------------------------------------


def first_line(body: bytes | str | None, limit: int = 300) -> str:
    """The server's first meaningful message line (HTML tags removed), shortened."""
    if body is None:
        return ""
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    text = html.unescape(re.sub(r"<[^>]+>", " ", text)) if re.search(r"<(html|body|h1|p|pre)\b", text, re.I) else text
    for line in text.splitlines():
        line = " ".join(line.split())
        if line:
            return line if len(line) <= limit else line[: limit - 1] + "…"
    return ""


def _network_problem(err: BaseException, timeout: float | None = None) -> str:
    """A short human description of a connection-level failure (no URL, no secrets)."""
    chain: list[BaseException] = []
    seen: BaseException | None = err
    while seen is not None and len(chain) < 10:
        chain.append(seen)
        seen = seen.__cause__ or seen.__context__ or (seen.args[0] if seen.args and isinstance(seen.args[0], BaseException) else None)
        if seen is None and hasattr(chain[-1], "reason") and isinstance(chain[-1].reason, BaseException):
            seen = chain[-1].reason
    text = " ".join(f"{type(e).__name__} {e}" for e in chain)
    if any(isinstance(e, ConnectionRefusedError) for e in chain) or "Connection refused" in text:
        return "connection refused (is the server running, and is this its address?)"
    if any(isinstance(e, (TimeoutError, socket.timeout, requests.Timeout)) for e in chain) or "timed out" in text:
        return f"no answer within {timeout:g} s (timed out)" if timeout else "timed out"
    if any(isinstance(e, socket.gaierror) for e in chain) or "Name or service not known" in text:
        return "unknown host name"
    if "RemoteDisconnected" in text or "Connection aborted" in text or "reset by peer" in text or \
            "IncompleteRead" in text or "Connection broken" in text:
        return "the server dropped the connection"
    return f"{type(err).__name__}: {err}"


def _is_refused(err: BaseException) -> bool:
    return _network_problem(err).startswith("connection refused") or _network_problem(err) == "unknown host name"


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


def values_block(bindings: Mapping[str, Node]) -> str:
    """``VALUES (?a ?b) { (<iri> "literal") }`` from rdflib terms, each validated and escaped by ``.n3()``."""
    names = sorted(bindings)
    terms = []
    for name in names:
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            raise QueryError(f"parameter name {name!r} is not a SPARQL variable name")
        term = bindings[name]
        if not isinstance(term, (URIRef, Literal)):
            raise QueryError(f"parameter {name}: only IRIs and literals can be bound, not {term!r}")
        try:
            terms.append(term.n3())
        except Exception as err:  # rdflib raises a bare Exception for an IRI it cannot write
            raise QueryError(f"parameter {name}: {err}") from err
    variables = " ".join(f"?{n}" for n in names)
    return f"VALUES ({variables}) {{ ({' '.join(terms)}) }}"


def bind_parameters(query: str, bindings: Mapping[str, Node] | None) -> str:
    """The query with its parameters bound by a VALUES block at the start of its outer WHERE group."""
    if not bindings:
        return query
    at = _where_brace(query)
    return f"{query[:at]}\n  {values_block(bindings)}\n{query[at:]}"


def _term(value: Mapping[str, str]) -> Node:
    kind, text = value.get("type"), value.get("value", "")
    if kind == "uri":
        return URIRef(text)
    if kind == "bnode":
        return BNode(text)
    if kind in ("literal", "typed-literal"):  # "typed-literal": SPARQL 1.0-era JSON (Virtuoso)
        if value.get("xml:lang"):
            return Literal(text, lang=value["xml:lang"])
        datatype = value.get("datatype")
        if datatype and datatype != XSD_STRING:
            return Literal(text, datatype=URIRef(datatype))
        return Literal(text)
    raise ValueError(f"unknown term type {kind!r}")


class RemoteEndpoint:
    """A SPARQL endpoint reached through SPARQLWrapper (POST, timeout, JSON results)."""

    def __init__(self, endpoints: Endpoints | str, *, credentials: Credentials | None = None,
                 timeout: float = 60.0) -> None:
        self.endpoints = endpoints if isinstance(endpoints, Endpoints) else Endpoints(_check_url(endpoints, "--endpoint"))
        self.url = self.endpoints.query
        self.credentials = credentials
        if not timeout > 0:
            raise EndpointError("--timeout must be a positive number of seconds")
        self.timeout = timeout

    def _wrapper(self, query: str):  # -> SPARQLWrapper
        from SPARQLWrapper import BASIC, DIGEST, JSON, POST, URLENCODED, SPARQLWrapper

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
            else:
                wrapper.setHTTPAuth(DIGEST if creds.scheme == "digest" else BASIC)
                wrapper.setCredentials(creds.user, creds.secret)
        wrapper.setQuery(strip_comments(query))
        return wrapper

    def _json(self, query: str) -> dict:
        """Run ``query``; the parsed SPARQL JSON answer, or a StoreError saying what went wrong."""
        from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

        started = time.monotonic()
        try:
            response = self._wrapper(query).query().response
            body = response.read()
        except SPARQLWrapperException as err:
            raise self._error(_wrapper_status(err), _wrapper_body(err)) from err
        except urllib.error.HTTPError as err:
            raise self._error(err.code, err.read()) from err
        except (urllib.error.URLError, OSError, HTTPException) as err:
            raise StoreError(f"{self.url}: {_network_problem(err, self.timeout)}") from err
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
        reason = {400: "the query was rejected", 401: "the credentials were refused",
                  403: "access is forbidden", 404: "no SPARQL endpoint at this URL"}.get(status or 0, "")
        message = first_line(body)
        parts = [f"{self.url}: HTTP {status}" if status else self.url, reason, message]
        if status == 401:
            parts.append(self.credentials.describe() if self.credentials else
                         f"no credentials were sent (set {ENV_USER}/{ENV_PASSWORD}, {ENV_TOKEN} or ~/.netrc)")
        return StoreError(": ".join(p for p in parts if p))

    def select(self, query: str, bindings: Mapping[str, Node] | None = None) -> SelectResult:
        """Run a SELECT with parameters bound; the answer as rdflib terms."""
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
        counts = {g: 0 for g in graphs}
        for start in range(0, len(graphs), chunk):
            part = graphs[start : start + chunk]
            values = " ".join(g.n3() for g in part)
            result = self.select(f"SELECT ?g (COUNT(*) AS ?n) WHERE {{ VALUES ?g {{ {values} }} "
                                 f"GRAPH ?g {{ ?s ?p ?o }} }} GROUP BY ?g")
            for graph, number in result.rows:
                counts[URIRef(str(graph))] = int(str(number))
        return counts


def _wrapper_status(err: BaseException) -> int | None:
    return {"QueryBadFormed": 400, "Unauthorized": 401, "EndPointNotFound": 404, "URITooLong": 414,
            "EndPointInternalError": 500}.get(type(err).__name__)


def _wrapper_body(err: BaseException) -> str:
    """SPARQLWrapper keeps the server's answer only inside its message (``Response:\\nb'...'``)."""
    text = str(err)
    _, sep, rest = text.partition("Response:\n")
    if not sep:
        return ""
    try:
        value = ast.literal_eval(rest.strip())
    except (ValueError, SyntaxError):
        return rest
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


# -- loading (Graph Store Protocol over requests) ----------------------------------------------


@dataclass(frozen=True)
class LoadOptions:
    batch_size: int = 50_000
    retries: int = 3
    retry_delay: float = 1.0
    timeout: float = 120.0
    connect_timeout: float = 10.0
    verify: bool = True

    def __post_init__(self) -> None:
        if self.batch_size < 1 or self.retries < 0 or self.retry_delay < 0 or self.timeout <= 0:
            raise EndpointError("--batch-size and --timeout must be positive, --retries and --retry-delay not negative")


@dataclass(frozen=True)
class GraphPlan:
    graph: URIRef
    triples: int
    batches: list[list[str]] = field(repr=False)


@dataclass
class LoadPlan:
    endpoints: Endpoints
    credentials: Credentials | None
    graphs: list[GraphPlan]
    options: LoadOptions

    @property
    def batch_count(self) -> int:
        return sum(len(g.batches) for g in self.graphs)

    def render(self) -> str:
        """The plan, for ``kg load --dry-run``: where to, how, and what (no secrets)."""
        from .validate import curie

        e = self.endpoints
        if e.graph_store:
            how = f"Graph Store Protocol at {e.graph_store} (PUT per graph, POST for further batches)"
        else:
            how = f"SPARQL Update at {e.update} (DROP SILENT GRAPH + INSERT DATA per graph)"
        lines = [
            f"load plan ({e.preset.name + ' preset' if e.preset else 'no preset'})",
            f"  send:    {how}",
            f"  verify:  triple counts per graph via {e.query}" if self.options.verify else "  verify:  no",
            f"  auth:    {self.credentials.describe() if self.credentials else 'none'}",
            f"  retries: {self.options.retries} (backoff from {self.options.retry_delay:g} s), "
            f"timeout {self.options.timeout:g} s, batches of up to {self.options.batch_size} triples",
            f"  graphs:  {len(self.graphs)}, {sum(g.triples for g in self.graphs)} triples, {self.batch_count} requests",
        ]
        lines += [f"    {curie(g.graph):<48} {g.triples:>8} triples  {len(g.batches)} request(s)" for g in self.graphs]
        return "\n".join(lines) + "\n"


def _batches(quads: list[ox.Quad], size: int) -> list[list[str]]:
    """N-Triples lines in batches of up to ``size``; triples sharing blank nodes stay together."""
    plain: list[str] = []
    parent: dict[str, str] = {}

    def find(node: str) -> str:
        while parent.setdefault(node, node) != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    with_blanks: list[tuple[str, str]] = []
    for quad in quads:
        line = f"{quad.triple} ."
        blanks = [t.value for t in (quad.subject, quad.object) if isinstance(t, ox.BlankNode)]
        if not blanks:
            plain.append(line)
            continue
        for other in blanks[1:]:
            parent[find(other)] = find(blanks[0])
        with_blanks.append((blanks[0], line))
    groups: dict[str, list[str]] = defaultdict(list)
    for blank, line in with_blanks:
        groups[find(blank)].append(line)
    units = [[line] for line in sorted(plain)] + [sorted(g) for _, g in sorted(groups.items())]
    batches: list[list[str]] = [[]]
    for unit in units:
        if batches[-1] and len(batches[-1]) + len(unit) > size:
            batches.append([])
        batches[-1].extend(unit)
    return batches


def plan_load(store: EmbeddedStore, endpoints: Endpoints, credentials: Credentials | None,
              options: LoadOptions | None = None) -> LoadPlan:
    """What ``kg load`` would send: every named graph of the store, in IRI order, in batches."""
    options = options or LoadOptions()
    if not endpoints.graph_store and not endpoints.update:
        raise EndpointError("nowhere to load to: give --graph-store URL or --update URL, or a --preset "
                            f"({', '.join(PRESETS)}) that implies them")
    by_graph: dict[str, list[ox.Quad]] = defaultdict(list)
    for quad in store.quads():
        if isinstance(quad.graph_name, ox.NamedNode):
            by_graph[quad.graph_name.value].append(quad)
    graphs = [GraphPlan(URIRef(name), len(quads), _batches(quads, max(1, options.batch_size)))
              for name, quads in sorted(by_graph.items())]
    return LoadPlan(endpoints, credentials, graphs, options)


@dataclass
class LoadReport:
    """What happened: graphs loaded, failed (with why), never attempted, and count differences."""

    loaded: list[URIRef] = field(default_factory=list)
    failed: dict[URIRef, str] = field(default_factory=dict)
    not_attempted: list[URIRef] = field(default_factory=list)
    aborted: str | None = None
    counts: dict[URIRef, tuple[int, int]] = field(default_factory=dict)  # graph -> (local, server)
    verify_error: str | None = None
    retries: int = 0

    @property
    def mismatches(self) -> dict[URIRef, tuple[int, int]]:
        return {g: c for g, c in self.counts.items() if c[0] != c[1]}

    @property
    def ok(self) -> bool:
        return not (self.failed or self.not_attempted or self.aborted or self.mismatches or self.verify_error)

    def render(self) -> str:
        from .validate import curie

        lines: list[str] = []
        if self.aborted:
            lines.append(f"load stopped: {self.aborted}")
        lines += [f"FAILED   {curie(g)}: {why}" for g, why in self.failed.items()]
        lines += [f"NOT SENT {curie(g)}" for g in self.not_attempted]
        lines += [f"MISMATCH {curie(g)}: {local} triples here, {remote} on the server"
                  for g, (local, remote) in self.mismatches.items()]
        if self.verify_error:
            lines.append(f"could not verify the load: {self.verify_error}")
        not_loaded = len(self.failed) + len(self.not_attempted)
        verified = "" if not self.counts else (
            f", {len(self.counts) - len(self.mismatches)} of {len(self.counts)} verified by triple counts")
        lines.append(f"{len(self.loaded)} graph(s) loaded, {not_loaded} not loaded{verified}"
                     + (f" ({self.retries} retried request(s))" if self.retries else ""))
        return "\n".join(lines) + "\n"


class _GaveUp(Exception):
    def __init__(self, problem: str, unreachable: bool) -> None:
        super().__init__(problem)
        self.unreachable = unreachable


class _Rejected(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"HTTP {status}: {message}" if message else f"HTTP {status}")
        self.status = status


class _Loader:
    def __init__(self, plan: LoadPlan, log: Callable[[str], None], sleep: Callable[[float], None]) -> None:
        self.plan = plan
        self.options = plan.options
        self.endpoints = plan.endpoints
        self.log = log
        self.sleep = sleep
        self.session = requests.Session()
        self.session.headers["User-Agent"] = USER_AGENT
        self.auth = plan.credentials.requests_auth() if plan.credentials else None
        self.retried = 0

    def close(self) -> None:
        self.session.close()

    def send(self, graph: URIRef, lines: list[str], replace: bool) -> None:
        body = ("\n".join(lines) + "\n").encode("utf-8")
        if self.endpoints.graph_store:
            method, url = ("PUT" if replace else "POST"), self.endpoints.graph_store
            params: dict[str, str] | None = {"graph": str(graph)}
            headers = {"Content-Type": "application/n-triples; charset=utf-8"}
        else:
            method, url, params = "POST", self.endpoints.update or "", None
            headers = {"Content-Type": "application/sparql-update; charset=utf-8"}
            drop = f"DROP SILENT GRAPH {graph.n3()} ;\n" if replace else ""
            body = f"{drop}INSERT DATA {{ GRAPH {graph.n3()} {{\n".encode() + body + b"} }\n"
        self._request(method, url, params, body, headers, graph)

    def _request(self, method: str, url: str, params: dict[str, str] | None, body: bytes,
                 headers: dict[str, str], graph: URIRef) -> None:
        delay = self.options.retry_delay
        attempts = self.options.retries + 1
        for attempt in range(1, attempts + 1):
            unreachable = False
            try:
                response = self.session.request(method, url, params=params, data=body, headers=headers, auth=self.auth,
                                                timeout=(self.options.connect_timeout, self.options.timeout))
            except (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError) as err:
                timeout = self.options.connect_timeout if isinstance(err, requests.ConnectTimeout) else self.options.timeout
                problem, unreachable = _network_problem(err, timeout), _is_refused(err)
            else:
                if response.status_code < 300:
                    return
                message = first_line(response.content)
                if response.status_code == 401:
                    raise _CredentialsRefused(url, response.status_code, message, self.plan.credentials)
                if response.status_code not in RETRY_STATUSES:
                    raise _Rejected(response.status_code, message)
                problem = f"HTTP {response.status_code}" + (f": {message}" if message else "")
            if attempt == attempts:
                raise _GaveUp(f"{problem} (gave up after {attempts} attempts)", unreachable)
            self.retried += 1
            self.log(f"retrying {method} of {_curie(graph)} in {delay:g} s (attempt {attempt + 1} of {attempts}): {problem}")
            self.sleep(delay)
            delay *= 2


class _CredentialsRefused(Exception):
    def __init__(self, url: str, status: int, message: str, credentials: Credentials | None) -> None:
        who = credentials.describe() if credentials else \
            f"no credentials were sent (set {ENV_USER}/{ENV_PASSWORD}, {ENV_TOKEN} or ~/.netrc)"
        text = f"{url}: HTTP {status}: the server refused the credentials: {who}"
        super().__init__(text + (f"; the server says: {message}" if message else ""))


def load(plan: LoadPlan, *, progress: Callable[[int], None] | None = None, log: Callable[[str], None] | None = None,
         sleep: Callable[[float], None] = time.sleep, local_counts: Mapping[URIRef, int] | None = None) -> LoadReport:
    """Send every graph of ``plan``; then compare the server's triple counts with the local ones.

    Never raises for a graph's failure: the report lists what was loaded, what failed and why, what
    was not attempted. Raises :class:`StoreError` only when the server cannot be reached at all before
    anything is sent, so no graph is claimed as loaded.
    """
    log = log or (lambda message: None)
    endpoint = RemoteEndpoint(plan.endpoints, credentials=plan.credentials,
                              timeout=plan.options.connect_timeout + plan.options.timeout)
    _preflight(plan, endpoint)
    report = LoadReport()
    loader = _Loader(plan, log, sleep)
    try:
        pending = list(plan.graphs)
        while pending:
            item = pending.pop(0)
            try:
                for index, batch in enumerate(item.batches):
                    loader.send(item.graph, batch, replace=index == 0)
                    if progress:
                        progress(1)
            except _Rejected as err:
                report.failed[item.graph] = f"the server rejected it: {err}"
            except _GaveUp as err:
                report.failed[item.graph] = str(err)
                if err.unreachable:
                    report.aborted = f"the server became unreachable ({err})"
                    report.not_attempted = [g.graph for g in pending]
                    pending = []
            except _CredentialsRefused as err:
                report.failed[item.graph] = "credentials refused"
                report.aborted = str(err)
                report.not_attempted = [g.graph for g in pending]
                pending = []
            else:
                report.loaded.append(item.graph)
                log(f"loaded   {_curie(item.graph)} ({item.triples} triples, {len(item.batches)} request(s))")
    finally:
        report.retries = loader.retried
        loader.close()
    if plan.options.verify and not report.aborted:
        local = local_counts or {g.graph: g.triples for g in plan.graphs}
        try:
            remote = endpoint.count_triples([g.graph for g in plan.graphs])
        except StoreError as err:
            report.verify_error = str(err)
        else:
            report.counts = {g: (local[g], remote.get(g, 0)) for g in local}
    return report


def _curie(graph: URIRef) -> str:
    from .validate import curie

    return curie(graph)


def _preflight(plan: LoadPlan, endpoint: RemoteEndpoint) -> None:
    """Fail before sending anything if the server is not there or refuses us (ASK on the query endpoint)."""
    try:
        endpoint.ask("ASK {}")
    except StoreError as err:
        raise StoreError(f"nothing was loaded: {err}") from err


__all__ = [
    "PRESETS", "Preset", "Endpoints", "resolve_endpoints", "Credentials", "credentials_for", "RemoteEndpoint",
    "bind_parameters", "values_block", "LoadOptions", "LoadPlan", "LoadReport", "plan_load", "load", "strip_comments",
]
