"""The HTTP policy against servers on 127.0.0.1 that redirect, fail and record what reaches them.

Credentials stay with their origin: neither ``Authorization`` (basic, bearer, digest) nor ``~/.netrc``
credentials ever reach another scheme, host or port, on the query path (SPARQLWrapper) or the load
path (requests). A busy server is asked again with backoff (its ``Retry-After`` obeyed); a rejected
query is not."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from kg.cli import main
from kg.store import EmbeddedStore

SECRET = "s3cret-never-forwarded"
ASK_TRUE = json.dumps({"head": {}, "boolean": True}).encode()
EMPTY_SELECT = json.dumps({"head": {"vars": ["g"]}, "results": {"bindings": []}}).encode()


class Recorder:
    """An HTTP server on 127.0.0.1 (free port, own thread) answering with ``answer(method, path)``:
    ``("redirect", code, url)`` or ``(status, body)`` or ``(status, body, headers)``; it keeps every
    request's headers."""

    def __init__(self, answer: Callable[[str, str], tuple]) -> None:
        self.requests: list[tuple[str, str, dict[str, str]]] = []
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                pass

            def _handle(self) -> None:
                recorder.requests.append((self.command, self.path, dict(self.headers.items())))
                self._drain()
                reply = answer(self.command, self.path)
                if reply[0] == "redirect":
                    self.send_response(reply[1])
                    self.send_header("Location", reply[2])
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                status, body, *extra = reply
                self.send_response(status)
                for name, value in (extra[0] if extra else {}).items():
                    self.send_header(name, value)
                self.send_header("Content-Type", "application/sparql-results+json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _drain(self) -> None:
                if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
                    while (size := int(self.rfile.readline().strip() or b"0", 16)) > 0:
                        self.rfile.read(size + 2)
                    self.rfile.readline()
                else:
                    self.rfile.read(int(self.headers.get("Content-Length") or 0))

            do_GET = do_POST = do_PUT = _handle

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def authorizations(self) -> list[str]:
        return [h.get("Authorization", "") for _, _, h in self.requests if h.get("Authorization")]


@pytest.fixture()
def elsewhere() -> Iterator[Recorder]:
    """The other origin: answers every query, records everything that reaches it."""
    server = Recorder(lambda method, path: (200, ASK_TRUE if method == "POST" and "store" not in path else b""))
    yield server
    server.close()


def redirecting(target: str, code: int = 302, keep: Callable[[str, str], bool] = lambda m, p: False) -> Recorder:
    """The origin the user named: redirects every request to ``target`` + its path, except those ``keep``
    accepts, which it answers itself (an ASK succeeds, a SELECT is empty)."""

    def answer(method: str, path: str) -> tuple:
        if keep(method, path):
            return 200, ASK_TRUE if "ASK" in path or method == "POST" else EMPTY_SELECT
        return "redirect", code, target + path

    return Recorder(answer)


CREDENTIALS = {
    "basic": {"KG_ENDPOINT_USER": "kg", "KG_ENDPOINT_PASSWORD": SECRET},
    "bearer": {"KG_ENDPOINT_TOKEN": SECRET},
}


@pytest.mark.slow
@pytest.mark.parametrize("code", [302, 307])
@pytest.mark.parametrize("scheme", ["basic", "bearer"])
def test_a_query_is_not_followed_to_another_origin_with_credentials(
    elsewhere: Recorder,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    scheme: str,
    code: int,
) -> None:
    for name, value in CREDENTIALS[scheme].items():
        monkeypatch.setenv(name, value)
    origin = redirecting(elsewhere.base, code)
    try:
        assert main(["query", "who-said-what", "--endpoint", f"{origin.base}/query", "--timeout", "5"]) == 3
    finally:
        origin.close()
    err = capsys.readouterr().err
    assert f"{origin.base}/query: the server redirects to {elsewhere.base}/query, another origin" in err
    assert "nothing was sent there" in err and SECRET not in err
    assert elsewhere.requests == []
    assert len(origin.authorizations()) == 1  # the credentials went where they were meant to go


@pytest.mark.slow
def test_a_redirect_within_the_origin_keeps_the_credentials(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("KG_ENDPOINT_TOKEN", SECRET)
    origin = Recorder(lambda method, path: ("redirect", 307, "/sparql") if path == "/query" else (200, EMPTY_SELECT))
    try:
        assert main(["query", "who-said-what", "--endpoint", f"{origin.base}/query", "--timeout", "5"]) == 0
    finally:
        origin.close()
    assert [path for _, path, _ in origin.requests] == ["/query", "/sparql"]
    assert origin.authorizations() == [f"Bearer {SECRET}"] * 2
    assert "(0 rows)" in capsys.readouterr().out


@pytest.mark.slow
def test_without_credentials_a_redirect_is_followed_and_netrc_stays_home(
    seed_store: EmbeddedStore,
    elsewhere: Recorder,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """No credentials for the named origin: the redirect to another host is followed, and ~/.netrc's
    entry for that other host is not used on the way (requests would add it by default)."""
    netrc = tmp_path / "netrc"
    netrc.write_text(f"machine localhost login kg password {SECRET}\n")
    netrc.chmod(0o600)
    monkeypatch.setenv("NETRC", str(netrc))
    other_host = elsewhere.base.replace("127.0.0.1", "localhost")
    origin = redirecting(other_host, 307, keep=lambda method, path: "store" not in path)
    try:
        code = main(
            [
                "load",
                "--endpoint",
                f"{origin.base}/query",
                "--graph-store",
                f"{origin.base}/store",
                "--no-verify",
                "--retries",
                "0",
                "--store",
                str(seed_store.location),
            ]
        )
    finally:
        origin.close()
    err = capsys.readouterr().err
    assert code == 0, err
    assert len([r for r in elsewhere.requests if r[0] == "PUT"]) == len(seed_store.named_graphs())
    assert elsewhere.authorizations() == [] and origin.authorizations() == []


@pytest.mark.slow
@pytest.mark.parametrize("scheme", ["basic", "bearer"])
def test_a_load_stops_at_a_redirect_to_another_origin(
    seed_store: EmbeddedStore,
    elsewhere: Recorder,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    scheme: str,
) -> None:
    """The query endpoint answers (the preflight passes); the graph store redirects every PUT elsewhere."""
    for name, value in CREDENTIALS[scheme].items():
        monkeypatch.setenv(name, value)
    origin = redirecting(elsewhere.base, 307, keep=lambda method, path: "store" not in path)
    try:
        code = main(
            [
                "load",
                "--endpoint",
                f"{origin.base}/query",
                "--graph-store",
                f"{origin.base}/store",
                "--no-verify",
                "--store",
                str(seed_store.location),
            ]
        )
    finally:
        origin.close()
    err = capsys.readouterr().err
    assert code == 3
    assert f"load stopped: {origin.base}/store: the server redirects to {elsewhere.base}/store" in err
    assert "another origin (scheme, host or port)" in err and SECRET not in err
    assert "0 graph(s) loaded" in err
    assert elsewhere.requests == []
    puts = [path for method, path, _ in origin.requests if method == "PUT"]
    assert len(puts) == 1  # stopped at the first redirect, not retried


# -- retries -----------------------------------------------------------------------------------


def query_once(server: Recorder, *options: str) -> int:
    """``kg query who-said-what`` against ``server``'s /query, which is closed afterwards."""
    try:
        return main(["query", "who-said-what", "--endpoint", f"{server.base}/query", *options])
    finally:
        server.close()


def failing_first(failures: list[tuple]) -> Recorder:
    """Answers each request with the next of ``failures``, then with an empty SELECT."""
    pending = list(failures)
    return Recorder(lambda method, path: pending.pop(0) if pending else (200, EMPTY_SELECT))


def test_a_busy_server_is_asked_again_and_its_retry_after_obeyed(capsys: pytest.CaptureFixture[str]) -> None:
    server = failing_first([(503, b"busy", {"Retry-After": "0"}), (502, b"proxy error"), (504, b"")])
    code = query_once(server, "--retry-delay", "0.01")
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert len(server.requests) == 4
    assert "(0 rows)" in captured.out
    assert captured.err.splitlines() == [
        f"retrying the query in 0 s (attempt 2 of 4): {server.base}/query: HTTP 503: busy",
        f"retrying the query in 0.02 s (attempt 3 of 4): {server.base}/query: HTTP 502: proxy error",
        f"retrying the query in 0.04 s (attempt 4 of 4): {server.base}/query: HTTP 504",
    ]


def test_a_query_gives_up_after_its_retries_with_the_last_reason(capsys: pytest.CaptureFixture[str]) -> None:
    server = Recorder(lambda method, path: (503, b"still busy", {"Retry-After": "3600"}))
    code = query_once(server, "--retries", "1", "--retry-delay", "0")
    err = capsys.readouterr().err
    assert code == 3
    assert len(server.requests) == 2
    # An hour's Retry-After is past what is obeyed: the policy's own delay applies.
    assert "retrying the query in 0 s (attempt 2 of 2)" in err
    assert f"{server.base}/query: HTTP 503: still busy (gave up after 2 attempts)" in err


def test_a_rejected_query_is_not_asked_again(capsys: pytest.CaptureFixture[str]) -> None:
    server = Recorder(lambda method, path: (400, b"Parse error at line 1"))
    code = query_once(server)
    err = capsys.readouterr().err
    assert code == 3 and len(server.requests) == 1
    assert f"{server.base}/query: HTTP 400: the query was rejected: Parse error at line 1" in err
    assert "retrying" not in err


def test_negative_retries_are_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["query", "who-said-what", "--endpoint", "http://127.0.0.1:9/query", "--retries", "-1"]) == 2
    assert "--retries and --retry-delay must not be negative" in capsys.readouterr().err
