"""Remote endpoints: store presets, endpoint URLs and credentials (how requests are sent: :mod:`kg.remote.http`).

*Presets* (:data:`PRESETS`) hold each store's endpoint paths, auth scheme and query parameters; see
``docs/triplestores.md``. *Credentials* come from the environment (``KG_ENDPOINT_USER`` +
``KG_ENDPOINT_PASSWORD``, scheme from ``KG_ENDPOINT_AUTH`` = basic|digest or the preset;
``KG_ENDPOINT_TOKEN`` for a bearer token) or from ``~/.netrc`` (``$NETRC``); never from the command
line, and they are never printed.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import requests

from kg import __version__
from kg.errors import KgError

USER_AGENT = f"positions-kg/{__version__}"
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
ENV_USER, ENV_PASSWORD, ENV_AUTH, ENV_TOKEN = (
    "KG_ENDPOINT_USER",
    "KG_ENDPOINT_PASSWORD",
    "KG_ENDPOINT_AUTH",
    "KG_ENDPOINT_TOKEN",
)
AUTH_SCHEMES = ("basic", "digest", "bearer")


class EndpointError(KgError):
    """An endpoint option is unusable as given (not an http(s) URL, missing graph store): exit 2."""


# -- presets -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Preset:
    """Where one kind of store has its endpoints, relative to a root URL, and how it authenticates.

    ``query_params`` are sent with every query; they make the store's default graph the union of the
    named graphs, which the queries assume (the embedded store queries the union too). ``dataset`` is
    where the whole dataset can be POSTed as N-Quads (quads added, named graphs kept): ``kg load``
    then sends the store in a few large requests instead of one per graph.
    """

    name: str
    query: str
    update: str | None
    graph_store: str | None
    auth: str | None
    query_params: tuple[tuple[str, str], ...] = ()
    dataset: str | None = None
    verified: bool = False
    note: str = ""


PRESETS: dict[str, Preset] = {
    p.name: p
    for p in (
        Preset(
            "oxigraph",
            "/query",
            "/update",
            "/store",
            None,
            query_params=(("union-default-graph", ""),),
            dataset="/store?no_transaction",
            verified=True,
            note="no authentication of its own (put a reverse proxy with basic auth in front of it); "
            "the union-default-graph parameter makes queries see all named graphs; N-Quads POSTed "
            "to /store?no_transaction go through its bulk loader",
        ),
        Preset(
            "fuseki",
            "/query",
            "/update",
            "/data",
            "basic",
            query_params=(("default-graph-uri", "urn:x-arq:UnionGraph"),),
            note="the root is the dataset URL; needs a writable dataset (fuseki-server --update); basic "
            "auth with Fuseki main; union graph via urn:x-arq:UnionGraph (TDB2)",
        ),
        Preset(
            "graphdb",
            "",
            "/statements",
            "/rdf-graphs/service",
            "basic",
            note="the root is the repository URL; its default graph is already the union; the graph store "
            "path is not confirmed against a running GraphDB",
        ),
        Preset(
            "virtuoso",
            "/sparql",
            "/sparql-auth",
            "/sparql-graph-crud-auth",
            "digest",
            verified=True,
            note="writes need digest auth (user in SPARQL_UPDATE, e.g. dba); its default graph is the union "
            "of all graphs, Virtuoso's own system graphs included",
        ),
    )
}


@dataclass(frozen=True)
class Endpoints:
    """The URLs of one store: SPARQL query endpoint, update endpoint, graph store (GSP), dataset (N-Quads POST)."""

    query: str
    update: str | None = None
    graph_store: str | None = None
    preset: Preset | None = None
    dataset: str | None = None

    @property
    def query_params(self) -> tuple[tuple[str, str], ...]:
        return self.preset.query_params if self.preset else ()


def check_url(url: str, option: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise EndpointError(f"{option} {url!r} is not an http(s) URL (e.g. http://localhost:7878/query)")
    if parts.username or parts.password:
        raise EndpointError(f"{option}: put credentials in {ENV_USER}/{ENV_PASSWORD} or ~/.netrc, not in the URL")
    return url


def resolve_endpoints(
    endpoint: str,
    *,
    preset: str | None = None,
    graph_store: str | None = None,
    update: str | None = None,
    dataset: str | None = None,
) -> Endpoints:
    """The store's URLs from ``--endpoint`` (the query endpoint, or with a preset its root) and overrides.

    With a preset, ``endpoint`` may be the root (``http://localhost:7878``) or the query endpoint
    itself (``http://localhost:7878/query``); the update, graph store and dataset URLs follow from the
    preset unless given.
    """
    check_url(endpoint, "--endpoint")
    for url, option in ((graph_store, "--graph-store"), (update, "--update"), (dataset, "--dataset")):
        if url:
            check_url(url, option)
    if preset is None:
        return Endpoints(endpoint, update, graph_store, dataset=dataset)
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
        dataset=dataset or (root + chosen.dataset if chosen.dataset is not None else None),
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


def credentials_for(
    url: str, *, scheme: str | None = None, preset: Preset | None = None, environ: Mapping[str, str] | None = None
) -> Credentials | None:
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
