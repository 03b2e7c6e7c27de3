"""``kg serve`` against hostile and careless clients: a real server process on 127.0.0.1.

Each server is ``kg serve`` started as a subprocess on a free port and stopped by its PID (its
workers exit with it). Clients are raw sockets where HTTP libraries would hide what is tested
(idle connections, slow heads and bodies, a negative Content-Length), ``requests`` elsewhere.
"""

from __future__ import annotations

import contextlib
import json
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDFS, SKOS
from servers import free_port, kg_env

from kg.ingest.pipeline import ingest
from kg.store import EmbeddedStore
from kg.terms import ACTOR, BASE, GPO, VOCAB
from kg.vocabulary import vocabulary_graph

pytestmark = pytest.mark.slow

HOST = "127.0.0.1"
REPO = Path(__file__).resolve().parent.parent
CARTESIAN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
EVIL_LABEL = "<script>alert('label')</script>"


class Served:
    """A running ``kg serve`` process."""

    def __init__(self, process: subprocess.Popen[str], port: int) -> None:
        self.process, self.port = process, port
        self.killed = False  # by the test itself
        self.base = f"http://{HOST}:{port}"
        self.endpoint = f"{self.base}/query"

    def status(self, timeout: float = 10) -> dict:
        return requests.get(f"{self.base}/status", timeout=timeout).json()

    def ask(self, timeout: float = 10) -> requests.Response:
        return requests.get(self.endpoint, params={"query": "ASK {}"}, timeout=timeout)

    def wait_workers(self, count: int, timeout: float = 60) -> None:
        """Until ``count`` workers are up (a killed one is replaced in the background)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len(self.status()["workers"]) == count:
                return
            time.sleep(0.1)
        raise AssertionError(f"the server has {self.status()['workers']} workers, not {count}")


@contextmanager
def serving(store: Path, *flags: str, workers: int = 2) -> Iterator[Served]:
    port = free_port()
    command = [sys.executable, "-m", "kg.cli", "serve", "--port", str(port), "--store", str(store)]
    process = subprocess.Popen(
        [*command, "--workers", str(workers), "--quiet", *flags],
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
        env=kg_env(),
    )
    served = Served(process, port)
    try:
        deadline = time.monotonic() + 120
        while True:
            try:  # the server answers once its workers are up (seconds: they import the report's charting)
                if len(served.status(timeout=120)["workers"]) == workers:
                    break
            except requests.ConnectionError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"kg serve did not start: {process.stderr.read() if process.stderr else ''}")
            time.sleep(0.1)
        yield served
    finally:
        process.terminate()
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)
        if process.stderr:
            process.stderr.close()
    assert served.killed or process.returncode == 0, "kg serve did not stop cleanly on SIGTERM"


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The repository's corpus plus one actor whose label is markup (to see it escaped)."""
    location = tmp_path_factory.mktemp("serve") / "store"
    with EmbeddedStore(location) as writer:
        summary = ingest([REPO / "articles"], writer)
        assert {o.status for o in summary.outcomes} == {"stored"}
        evil = ox.NamedNode(str(ACTOR["evil-actor"]))
        writer.oxigraph.add(
            ox.Quad(
                evil, ox.NamedNode(str(RDFS.label)), ox.Literal(EVIL_LABEL, language="en"), ox.NamedNode(str(ACTOR))
            )
        )
        writer.oxigraph.add(
            ox.Quad(
                evil, ox.NamedNode(str(RDFS.seeAlso)), ox.NamedNode("javascript:alert(1)"), ox.NamedNode(str(ACTOR))
            )
        )
        writer.flush()
    return location


@pytest.fixture(scope="module")
def server(corpus: Path) -> Iterator[Served]:
    with serving(corpus, "--time-limit", "8", "--read-timeout", "2") as served:
        yield served


def raw_exchange(port: int, data: bytes, *, wait: float = 10) -> bytes:
    """Send ``data`` on a new connection and read until the server closes it (or ``wait`` passes)."""
    with socket.create_connection((HOST, port), timeout=wait) as sock:
        sock.sendall(data)
        chunks = []
        try:
            while chunk := sock.recv(65536):
                chunks.append(chunk)
        except TimeoutError:
            pass
    return b"".join(chunks)


# -- queries that would hurt -------------------------------------------------------------------


def test_a_nested_group_bomb_is_refused_and_the_server_answers_afterwards(server: Served) -> None:
    bomb = "SELECT * WHERE " + "{ " * 5000 + " ?s ?p ?o " + "} " * 5000  # about 20 KB
    assert 19_000 < len(bomb) < 21_000
    refused = requests.post(
        server.endpoint, data=bomb.encode(), headers={"Content-Type": "application/sparql-query"}, timeout=10
    )
    assert refused.status_code == 400
    assert "nests groups, brackets or parentheses 5000 deep; this endpoint accepts at most 100" in refused.text
    # Braces inside a string or an IRI do not count: this query is shallow and answered.
    quoted = 'SELECT ?x WHERE { BIND("' + "{" * 500 + '" AS ?x) }'
    answered = requests.get(server.endpoint, params={"query": quoted}, timeout=10)
    assert answered.status_code == 200, answered.text
    assert answered.json()["results"]["bindings"][0]["x"]["value"] == "{" * 500
    assert server.ask().json()["boolean"] is True


def test_a_crashed_worker_is_replaced_and_its_client_told(server: Served) -> None:
    """A worker that dies mid-query (as on an engine crash) costs that query, not the server."""
    before = server.status()
    answers: list[requests.Response] = []
    thread = threading.Thread(
        target=lambda: answers.append(requests.get(server.endpoint, params={"query": CARTESIAN}, timeout=30))
    )
    thread.start()
    deadline = time.monotonic() + 10
    while server.status()["busy"] == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    busy_pids = set(server.status()["workers"])
    # Both workers are ours (children of the server we started); the idle one is killed too, as a
    # worker dying between requests must also be replaced.
    for pid in busy_pids:
        subprocess.run(["kill", "-SEGV", str(pid)], check=True)
    thread.join(30)
    assert answers and answers[0].status_code == 500
    assert "the query engine crashed on this request; the server replaced it and goes on" in answers[0].text
    server.wait_workers(2)
    assert set(server.status()["workers"]).isdisjoint(busy_pids)
    for _ in range(5):
        assert server.ask().json()["boolean"] is True
    assert server.status()["counters"]["crashed"] >= before["counters"]["crashed"] + 1


def test_the_cartesian_query_is_cut_at_the_limit_while_others_are_served(server: Served) -> None:
    started = time.monotonic()
    with ThreadPoolExecutor(2) as pool:
        slow = pool.submit(requests.get, server.endpoint, params={"query": CARTESIAN}, timeout=30)
        time.sleep(0.5)
        quick = []
        while not slow.done() and len(quick) < 20:
            time.sleep(0.1)
            asked = time.monotonic()
            assert server.ask().json()["boolean"] is True
            quick.append(time.monotonic() - asked)
        cut = slow.result()
    elapsed = time.monotonic() - started
    assert cut.status_code == 503 and "Retry-After" not in cut.headers
    assert "the query was stopped at the time limit of 8 s (kg serve --time-limit sets it)" in cut.text
    assert 7.5 < elapsed < 20
    assert len(quick) == 20 and max(quick) < 2.0  # the other worker kept answering meanwhile
    server.wait_workers(2)


def test_a_client_that_goes_away_has_its_query_stopped(corpus: Path) -> None:
    with serving(corpus, "--time-limit", "120", workers=1) as served:
        request = (f"GET /query?query={requests.utils.quote(CARTESIAN)} HTTP/1.1\r\nHost: {HOST}\r\n\r\n").encode()
        with socket.create_connection((HOST, served.port), timeout=10) as sock:
            sock.sendall(request)
            time.sleep(1.5)
        # The only worker was running the cartesian product; it is killed and replaced, so the next
        # query is answered long before the 120 s limit.
        started = time.monotonic()
        assert served.ask(timeout=60).json()["boolean"] is True
        assert time.monotonic() - started < 30
        counters = served.status()["counters"]
        assert counters["cancelled"] == 1 and counters["timed_out"] == 0


def test_200_concurrent_clients_get_answers_never_resets(server: Served) -> None:
    query = (
        "SELECT ?actor ?label WHERE { ?actor a ?type ; <http://www.w3.org/2000/01/rdf-schema#label> ?label } LIMIT 50"
    )

    def client(index: int) -> tuple[int, str | None]:
        params = {"query": "ASK {}" if index % 2 else query}
        answer = requests.get(server.endpoint, params=params, timeout=60, headers={"Connection": "close"})
        return answer.status_code, answer.headers.get("Retry-After")

    with ThreadPoolExecutor(200) as pool:
        results = list(pool.map(client, range(200)))  # a reset would raise here
    assert all(status == 200 for status, _ in results), results


def test_past_the_queue_clients_get_503_with_retry_after(corpus: Path) -> None:
    with serving(corpus, "--time-limit", "20", "--queue", "4", workers=1) as served:
        with ThreadPoolExecutor(1) as background:
            slow = background.submit(requests.get, served.endpoint, params={"query": CARTESIAN}, timeout=60)
            deadline = time.monotonic() + 10
            while served.status()["busy"] == 0 and time.monotonic() < deadline:
                time.sleep(0.05)

            def client(_: int) -> tuple[int, str | None, str]:
                answer = requests.get(served.endpoint, params={"query": "ASK {}"}, timeout=60)
                return answer.status_code, answer.headers.get("Retry-After"), answer.text

            with ThreadPoolExecutor(60) as pool:
                results = list(pool.map(client, range(60)))
            assert slow.result().status_code == 503
        busy = [r for r in results if "the server is busy" in r[2]]
        assert len(busy) >= 50  # 4 wait in the queue, at most; the rest are told to come back
        assert all(status == 503 and retry == "2" for status, retry, _ in busy)
        # Those that waited were answered, or met the time limit behind the cartesian product.
        waited = [r for r in results if r not in busy]
        assert all(status == 200 or "stopped at the time limit" in text for status, _, text in waited)


# -- connections ------------------------------------------------------------------------------


def test_idle_and_slow_connections_are_closed(server: Served) -> None:
    """Read timeout 2 s: idle connections and a slow-loris head are closed by the server."""
    started = time.monotonic()
    idle = [socket.create_connection((HOST, server.port), timeout=10) for _ in range(50)]
    try:
        for sock in idle:
            assert sock.recv(10) == b""  # closed by the server, nothing sent
        assert time.monotonic() - started < 6
    finally:
        for sock in idle:
            sock.close()
    started = time.monotonic()
    with socket.create_connection((HOST, server.port), timeout=10) as slow:
        closed_after = None
        try:
            for byte in b"GET /query?query=ASK%7B%7D HTTP/1.1\r\nHost: x\r\n":  # one byte every 0.2 s
                slow.sendall(bytes([byte]))
                time.sleep(0.2)
        except (BrokenPipeError, ConnectionResetError):
            closed_after = time.monotonic() - started
    assert closed_after is not None and 1.5 < closed_after < 5, closed_after
    assert server.ask().json()["boolean"] is True


def test_an_endless_request_head_is_cut_off_at_its_cap(server: Served) -> None:
    """Headers streamed without end: answered 431 past 64 KiB, the connection closed, memory held."""
    started_rss = _rss_mib(server.process.pid)
    with socket.create_connection((HOST, server.port), timeout=10) as sock:
        sock.sendall(b"GET /query?query=ASK%7B%7D HTTP/1.1\r\nHost: x\r\n")
        header = b"X-Filler: " + b"a" * 8000 + b"\r\n"
        sent, answer = 0, b""
        try:
            while sent < 50_000_000:  # the server stops reading long before
                sock.sendall(header * 16)
                sent += len(header) * 16
        except (BrokenPipeError, ConnectionResetError):
            pass
        try:
            while chunk := sock.recv(65536):
                answer += chunk
        except (ConnectionResetError, TimeoutError):
            pass
    assert sent < 10_000_000, sent
    assert answer.startswith(b"HTTP/1.1 431 Request Header Fields Too Large\r\n"), answer[:100]
    assert answer.endswith(b"the request line and headers are over 65536 bytes; this endpoint accepts at most 65536\n")
    assert _rss_mib(server.process.pid) - started_rss < 50
    # A large but allowed head (40 KiB of headers) is answered.
    fine = requests.get(server.endpoint, params={"query": "ASK {}"}, headers={"X-Filler": "a" * 40_000}, timeout=10)
    assert fine.status_code == 200 and fine.json()["boolean"] is True


def _rss_mib(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(next(line for line in status.splitlines() if line.startswith("VmRSS")).split()[1]) // 1024


def test_an_answer_over_its_cap_is_refused_with_the_reason(corpus: Path) -> None:
    """A query over the whole store costs at most the cap, and the client is told what to do."""
    with serving(corpus, "--max-answer-mb", "1", workers=1) as served:
        everything = "SELECT * WHERE { ?s ?p ?o }"
        whole = requests.get(served.endpoint, params={"query": everything}, timeout=30)
        assert whole.status_code == 400
        assert whole.text == (
            "the answer is over 1 MiB (kg serve --max-answer-mb sets the limit); "
            "add a LIMIT or narrow the query, or use kg export for whole graphs\n"
        )
        as_triples = requests.get(
            served.endpoint,
            params={"query": "CONSTRUCT { ?s ?p ?o . ?s <urn:kg:copy> ?o } WHERE { ?s ?p ?o }"},
            headers={"Accept": "application/n-triples"},
            timeout=30,
        )
        assert as_triples.status_code == 400 and "the answer is over 1 MiB" in as_triples.text
        some = requests.get(served.endpoint, params={"query": everything + " LIMIT 1000"}, timeout=30)
        assert some.status_code == 200 and len(some.json()["results"]["bindings"]) == 1000
    with serving(corpus, workers=1) as served:  # the default cap (128 MiB) lets the whole store through
        whole = requests.get(served.endpoint, params={"query": everything}, timeout=30)
        assert whole.status_code == 200 and len(whole.content) > 2**20


def test_past_the_connection_cap_a_new_connection_gets_503(corpus: Path) -> None:
    with serving(corpus, "--max-connections", "10", "--read-timeout", "8", workers=1) as served:
        held = [socket.create_connection((HOST, served.port), timeout=10) for _ in range(10)]
        try:
            time.sleep(0.5)
            answer = raw_exchange(served.port, f"GET /query?query=ASK%7B%7D HTTP/1.1\r\nHost: {HOST}\r\n\r\n".encode())
            assert answer.startswith(b"HTTP/1.1 503 Service Unavailable\r\n"), answer[:200]
            assert b"\r\nRetry-After: 2\r\n" in answer and answer.endswith(
                b"too many open connections; retry shortly\n"
            )
        finally:
            for sock in held:
                sock.close()
        time.sleep(0.5)
        assert served.ask().json()["boolean"] is True  # once they are closed, it answers again


def test_a_body_that_never_arrives_times_out(server: Served) -> None:
    head = (
        f"POST /query HTTP/1.1\r\nHost: {HOST}\r\nContent-Type: application/sparql-query\r\n"
        "Content-Length: 100\r\n\r\nASK"
    ).encode()
    started = time.monotonic()
    answer = raw_exchange(server.port, head, wait=10)
    assert answer.startswith(b"HTTP/1.1 408 ")
    assert b"the request body did not arrive within 2 s" in answer
    assert time.monotonic() - started < 8


@pytest.mark.parametrize("length", ["-1", "abc", "99999999999999999999999"])
def test_a_bad_content_length_is_400(server: Served, length: str) -> None:
    answer = raw_exchange(
        server.port, f"POST /query HTTP/1.1\r\nHost: {HOST}\r\nContent-Length: {length}\r\n\r\n".encode()
    )
    assert answer.startswith(b"HTTP/1.1 400 ") and answer.endswith(b"Invalid HTTP request received."), answer[:300]
    assert server.ask().json()["boolean"] is True


def test_a_large_body_is_413(server: Served) -> None:
    declared = raw_exchange(
        server.port,
        f"POST /query HTTP/1.1\r\nHost: {HOST}\r\nContent-Type: application/sparql-query\r\n"
        "Content-Length: 2000000\r\n\r\n".encode(),
        wait=5,
    )
    assert declared.startswith(b"HTTP/1.1 413 ") and declared.endswith(b"request body over 1000000 bytes\n")
    answer = requests.post(
        server.endpoint, data=b"#" * 1_500_000, headers={"Content-Type": "application/sparql-query"}, timeout=30
    )
    assert answer.status_code == 413 and "request body over 1000000 bytes" in answer.text


# -- SERVICE -----------------------------------------------------------------------------------


class FakeEndpoint(BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self) -> None:
        self._answer()

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self._answer()

    def _answer(self) -> None:
        FakeEndpoint.hits.append(self.path)
        body = json.dumps(
            {"head": {"vars": ["x"]}, "results": {"bindings": [{"x": {"type": "literal", "value": "from-service"}}]}}
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def fake_endpoint() -> Iterator[str]:
    httpd = ThreadingHTTPServer((HOST, 0), FakeEndpoint)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://{HOST}:{httpd.server_port}/sparql"
    httpd.shutdown()
    httpd.server_close()


@pytest.mark.parametrize(
    "clause",
    [
        "SERVICE <{url}> {{ ?x ?p ?o }}",
        "service silent <{url}> {{ ?x ?p ?o }}",
        "SERVICE ?endpoint {{ ?x ?p ?o }}",
        "SERVICE ex:endpoint {{ ?x ?p ?o }}",
        "SeRvIcE\n<{url}>{{ ?x ?p ?o }}",
    ],
)
def test_service_is_refused(server: Served, fake_endpoint: str, clause: str) -> None:
    FakeEndpoint.hits.clear()
    query = "PREFIX ex: <http://example.org/> SELECT * WHERE { " + clause.format(url=fake_endpoint) + " }"
    refused = requests.post(server.endpoint, data={"query": query}, timeout=10)
    assert refused.status_code == 403, refused.text
    assert "refused: this endpoint sends federated queries only to the endpoints its operator allowed: none" in (
        refused.text
    )
    assert FakeEndpoint.hits == []


def test_service_in_a_string_or_a_name_is_not_a_service_clause(server: Served) -> None:
    query = 'PREFIX ex: <http://example.org/> SELECT ?x WHERE { BIND("SERVICE <http://example.org/>" AS ?x) OPTIONAL { ?x ex:SERVICE ?y } }'
    answer = requests.get(server.endpoint, params={"query": query}, timeout=10)
    assert answer.status_code == 200, answer.text


def test_an_allowed_service_is_queried(corpus: Path, fake_endpoint: str) -> None:
    FakeEndpoint.hits.clear()
    with serving(corpus, "--allow-service", fake_endpoint, workers=1) as served:
        query = f"SELECT ?x WHERE {{ SERVICE <{fake_endpoint}> {{ ?x ?p ?o }} }}"
        answer = requests.get(served.endpoint, params={"query": query}, timeout=30)
        assert answer.status_code == 200, answer.text
        assert [b["x"]["value"] for b in answer.json()["results"]["bindings"]] == ["from-service"]
        other = requests.get(
            served.endpoint,
            params={"query": "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"},
            timeout=10,
        )
        assert other.status_code == 403 and f"allowed: {fake_endpoint}" in other.text
    assert len(FakeEndpoint.hits) >= 1


# -- routes ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/etc/passwd",
        "/../../etc/passwd",
        "/static/../__init__.py",
        "/static/..%2f__init__.py",
        "/static/%2e%2e/app.py",
        "/static/app.py",
        "/query/../../etc/passwd",
        "/nothing-here",
    ],
)
def test_paths_outside_the_routes_are_404(server: Served, path: str) -> None:
    answer = raw_exchange(server.port, f"GET {path} HTTP/1.1\r\nHost: {HOST}\r\nConnection: close\r\n\r\n".encode())
    assert answer.startswith(b"HTTP/1.1 404 "), answer[:300]
    assert b"root:" not in answer and b"import" not in answer


def test_updates_are_refused(server: Served) -> None:
    refused = requests.post(
        server.endpoint, data="DROP ALL", headers={"Content-Type": "application/sparql-update"}, timeout=10
    )
    assert refused.status_code == 403 and "read-only" in refused.text
    as_query = requests.post(server.endpoint, data={"query": "DROP ALL"}, timeout=10)
    assert as_query.status_code == 400 and "does not parse" in as_query.text


def test_the_editor_and_its_script_are_served_from_the_package(server: Served) -> None:
    page = requests.get(f"{server.base}/query-editor", timeout=10)
    assert page.status_code == 200 and '<script src="/static/editor.js"></script>' in page.text
    assert "who" in page.text.lower() and 'id="named-queries"' in page.text
    script = requests.get(f"{server.base}/static/editor.js", timeout=10)
    assert script.status_code == 200 and script.headers["Content-Type"].startswith("text/javascript")
    assert 'fetch("/query"' in script.text
    home = requests.get(server.base + "/", headers={"Accept": "text/html"}, timeout=10)
    assert home.status_code == 200 and 'href="/query-editor"' in home.text


# -- dereferencing -----------------------------------------------------------------------------


def test_an_actor_dereferences_as_html_turtle_and_json_ld(server: Served) -> None:
    html = requests.get(f"{server.base}/id/actor/nato", headers={"Accept": "text/html"}, timeout=10)
    assert html.status_code == 200 and html.headers["Content-Type"].startswith("text/html")
    assert "<h1>NATO</h1>" in html.text
    assert "Intergovernmental military alliance" in html.text
    assert '<a href="/ontology#InternationalOrganization">' in html.text
    turtle = requests.get(f"{server.base}/id/actor/nato", headers={"Accept": "text/turtle"}, timeout=10)
    assert turtle.headers["Content-Type"].startswith("text/turtle") and turtle.headers["Vary"] == "Accept"
    graph = Graph().parse(data=turtle.text, format="turtle")
    assert (ACTOR["nato"], RDFS.label, Literal("NATO", lang="en")) in graph
    jsonld = requests.get(f"{server.base}/id/actor/nato", headers={"Accept": "application/ld+json"}, timeout=10)
    assert jsonld.headers["Content-Type"].startswith("application/ld+json")
    assert set(Graph().parse(data=jsonld.text, format="json-ld")) == set(graph)


def test_the_ontology_and_a_scheme_dereference(server: Served) -> None:
    ontology = requests.get(f"{server.base}/ontology", headers={"Accept": "text/html"}, timeout=10)
    assert ontology.status_code == 200
    assert (
        '<section class="term" id="Actor">' in ontology.text
        and "Anyone who can hold or voice a position" in ontology.text
    )
    turtle = requests.get(f"{server.base}/ontology", headers={"Accept": "text/turtle"}, timeout=10)
    graph = Graph().parse(data=turtle.text, format="turtle")
    assert (GPO.Actor, RDFS.isDefinedBy, URIRef(str(GPO._NS)[:-1])) in graph
    scheme = requests.get(f"{server.base}/vocab/action-status", headers={"Accept": "text/html"}, timeout=10)
    in_scheme = set(vocabulary_graph().subjects(SKOS.inScheme, VOCAB["action-status"]))
    assert len(in_scheme) >= 4 and f"Concepts in this scheme ({len(in_scheme)})" in scheme.text
    assert "The action is under way when the statement is made." in scheme.text
    concept = requests.get(f"{server.base}/vocab/action-status/ongoing", timeout=10)
    assert concept.status_code == 200 and "<em>Example:</em> The US and Israeli strikes on Iran" in concept.text


def test_unknown_iris_are_404_and_unknown_media_406(server: Served) -> None:
    missing = requests.get(f"{server.base}/id/actor/nobody-at-all", headers={"Accept": "text/turtle"}, timeout=10)
    assert (
        missing.status_code == 404
        and "nothing is known about <https://w3id.org/positions-kg/id/actor/nobody-at-all>" in missing.text
    )
    page = requests.get(f"{server.base}/id/actor/nobody-at-all", headers={"Accept": "text/html"}, timeout=10)
    assert page.status_code == 404 and page.headers["Content-Type"].startswith("text/html")
    odd = requests.get(f"{server.base}/id/actor/nato", headers={"Accept": "image/png"}, timeout=10)
    assert odd.status_code == 406


def test_markup_in_a_label_is_escaped_and_odd_iris_are_not_links(server: Served) -> None:
    page = requests.get(f"{server.base}/id/actor/evil-actor", headers={"Accept": "text/html"}, timeout=10)
    assert page.status_code == 200
    assert "<script>alert" not in page.text
    assert "&lt;script&gt;alert(&#x27;label&#x27;)&lt;/script&gt;" in page.text
    assert 'href="javascript:' not in page.text and "<code>&lt;javascript:alert(1)&gt;</code>" in page.text


# -- views -------------------------------------------------------------------------------------


def test_search_finds_and_escapes(server: Served) -> None:
    found = requests.get(f"{server.base}/search", params={"q": "defensive strikes"}, timeout=60)
    assert found.status_code == 200, found.text
    assert "<mark>defensive</mark>" in found.text.lower() or "<mark>defensive strikes</mark>" in found.text.lower()
    assert 'value="defensive strikes"' in found.text  # the box keeps the search
    hostile = requests.get(f"{server.base}/search", params={"q": "<script>alert(1)</script> strikes"}, timeout=60)
    assert "<script>alert(1)</script>" not in hostile.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in hostile.text
    too_long = requests.get(f"{server.base}/search", params={"q": "x" * 10_000}, timeout=10)
    assert too_long.status_code == 400 and "the search text is 10000 characters; at most 500" in too_long.text
    empty = requests.get(f"{server.base}/search", timeout=10)
    assert empty.status_code == 200 and '<input type="search" name="q"' in empty.text


def test_the_report_with_filters(server: Served) -> None:
    whole = requests.get(f"{server.base}/report", timeout=120)
    assert whole.status_code == 200 and whole.headers["Content-Type"].startswith("text/html")
    assert "NATO" in whole.text
    narrowed = requests.get(f"{server.base}/report", params={"actor": "nato", "from": "2025-01-01"}, timeout=120)
    assert narrowed.status_code == 200, narrowed.text
    # the served page asks itself again with other filters, the current ones filled in
    assert "<form class='kg-filter-form' action='/report' method='get'>" in whole.text
    assert "name='actor' value=''" in whole.text
    assert "name='actor' value='nato'" in narrowed.text and "name='from' value='2025-01-01'" in narrowed.text
    both = requests.get(f"{server.base}/report", params={"actor": "germany, France"}, timeout=120)
    assert both.status_code == 200 and "actors: Germany, France" in both.text
    unknown = requests.get(f"{server.base}/report", params={"actor": "<script>x</script>"}, timeout=60)
    assert unknown.status_code == 400 and "<script>x</script>" not in unknown.text
    assert "&lt;script&gt;x&lt;/script&gt;" in unknown.text
    bad_date = requests.get(f"{server.base}/report", params={"from": "yesterday"}, timeout=10)
    assert (
        bad_date.status_code == 400
        and "from=&#x27;yesterday&#x27; is not a date; write it as YYYY-MM-DD" in bad_date.text
    )


def wait_views(served: Served, timeout: float = 120) -> dict:
    """The views' counters once no view is being prepared."""
    deadline = time.monotonic() + timeout
    while (views := served.status()["views"])["preparing"] and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not views["preparing"], views
    return views


def test_a_view_is_prepared_once_and_then_answered_at_once(corpus: Path) -> None:
    """Past the time limit a view is still computed (the client is told to come back) and kept: the
    next request for it is answered without computing it again; the unfiltered report is prepared
    as soon as the server is up. (A 10,000-article report takes a minute, past any request's limit.)"""
    with serving(corpus, "--time-limit", "0.05") as server:
        prepared = wait_views(server)
        assert prepared["computed"] == 1, "the unfiltered report, prepared at start"
        whole = requests.get(f"{server.base}/report", timeout=30)
        assert whole.status_code == 200 and "NATO" in whole.text
        assert server.status()["views"] == {**prepared, "hits": prepared["hits"] + 1}
        first = requests.get(f"{server.base}/report", params={"actor": "germany"}, timeout=30)
        assert first.status_code == 503 and first.headers["Retry-After"] == "20"
        assert "still being prepared" in first.text and "retry in 20 s" in first.text
        assert '<meta http-equiv="refresh" content="20">' in first.text  # a browser comes back by itself
        views = wait_views(server)
        assert views["computed"] == 2 and views["kept_bytes"] > len(whole.content)
        again = requests.get(f"{server.base}/report", params={"actor": "germany"}, timeout=30)
        assert again.status_code == 200 and "actors: Germany" in again.text
        assert server.status()["views"]["computed"] == 2, "answered from the kept page"


def test_clients_asking_for_one_view_at_once_share_its_computation(corpus: Path) -> None:
    with serving(corpus) as server:
        before = wait_views(server)
        with ThreadPoolExecutor(6) as pool:
            answers = list(
                pool.map(
                    lambda _: requests.get(f"{server.base}/report", params={"actor": "france"}, timeout=120), range(6)
                )
            )
        assert {a.status_code for a in answers} == {200} and len({a.content for a in answers}) == 1
        assert server.status()["views"]["computed"] == before["computed"] + 1


# -- flags -------------------------------------------------------------------------------------


def test_bad_flags_are_usage_errors(corpus: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "kg.cli", "serve", "--time-limit", "0", "--store", str(corpus)],
        capture_output=True,
        text=True,
        env=kg_env(),
        timeout=60,
    )
    assert done.returncode == 2 and "--time-limit: must be above 0, not 0" in done.stderr


# -- the w3id redirect -------------------------------------------------------------------------


def test_the_w3id_redirects_land_on_routes_that_answer(server: Served) -> None:
    """Each RewriteRule of docs/w3id/.htaccess, applied to project IRIs, names a path kg serve answers."""
    import re

    rules = [
        (re.compile(m.group(1)), m.group(2), m.group(3))
        for m in re.finditer(
            r"^RewriteRule (\S+) (\S+) \[(\S+)\]$", (REPO / "docs/w3id/.htaccess").read_text(encoding="utf-8"), re.M
        )
    ]
    assert len(rules) == 4
    for iri in (
        "https://w3id.org/positions-kg/ontology",
        "https://w3id.org/positions-kg/vocab/stance",
        "https://w3id.org/positions-kg/vocab/action-status/ongoing",
        "https://w3id.org/positions-kg/id/actor/nato",
        "https://w3id.org/positions-kg/",
    ):
        assert iri.startswith(BASE)
        path = iri[len(BASE) :]
        pattern, target, flags = next((r for r in rules if r[0].match(path)), (None, "", ""))
        assert pattern is not None, f"no rule for {iri}"
        assert flags.startswith("R=30") and flags.endswith(",L")
        location = pattern.sub(target.replace("$1", r"\1"), path)
        assert location == "https://positions-kg.example.org/" + path
        answer = requests.get(server.base + "/" + path, headers={"Accept": "text/turtle"}, timeout=30)
        assert answer.status_code == 200, (iri, answer.text)


def test_workers_die_with_a_killed_server_even_mid_query(corpus: Path) -> None:
    with serving(corpus, "--time-limit", "120", workers=1) as served:
        (pid,) = served.status()["workers"]

        def ask_forever() -> None:
            with contextlib.suppress(requests.RequestException):  # the server goes away under it
                requests.get(served.endpoint, params={"query": CARTESIAN}, timeout=60)

        busy = threading.Thread(target=ask_forever, daemon=True)
        busy.start()
        time.sleep(1.0)
        served.killed = True
        served.process.kill()  # the server we started, by its PID; its worker is mid-query
        served.process.wait(10)
        deadline = time.monotonic() + 10
        while Path(f"/proc/{pid}").exists() and time.monotonic() < deadline:
            status = Path(f"/proc/{pid}/status").read_text() if Path(f"/proc/{pid}/status").exists() else ""
            if "zombie" in status:
                break
            time.sleep(0.1)
        status = Path(f"/proc/{pid}/status").read_text() if Path(f"/proc/{pid}/status").exists() else "gone"
        assert status == "gone" or "zombie" in status, status
