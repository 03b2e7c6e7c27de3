"""One HTTP policy for every request sent to a remote store: timeouts, retries with backoff, which
redirects are followed, and one wording of network failures.

Both clients keep to it. Remote SPARQL queries go through SPARQLWrapper, which builds the request
(form, headers, basic or bearer credentials), sent by :func:`urllib_opener`'s opener; ``kg load`` sends
with requests through :class:`Sender` (retries, backoff, streamed bodies).

**Credentials stay with their origin.** A redirect to another scheme, host or port is refused when
credentials are in play (:class:`RedirectRefused`, exit 3): neither the ``Authorization`` header nor
``~/.netrc`` credentials ever go to the new origin, and the user is told the new address to use
instead. Without credentials the redirect is followed; within the origin it always is.
"""

from __future__ import annotations

import html
import re
import socket
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests

from kg.errors import StoreError
from kg.remote.endpoints import ENV_PASSWORD, ENV_TOKEN, ENV_USER, USER_AGENT, Credentials

#: Answers worth retrying: the server (or a proxy before it) failed or was busy, not the request.
RETRY_STATUSES = frozenset({500, 502, 503, 504})
MAX_REDIRECTS = 5
#: The longest ``Retry-After`` obeyed (seconds); a server asking for longer gets the policy's backoff.
MAX_RETRY_AFTER = 30.0


@dataclass(frozen=True)
class Policy:
    """Timeouts (seconds) and retries: ``retries`` more attempts after the first, the first after
    ``retry_delay`` seconds and each later one after twice the previous delay."""

    timeout: float = 120.0
    connect_timeout: float = 10.0
    retries: int = 3
    retry_delay: float = 1.0


# -- redirects ---------------------------------------------------------------------------------


def origin(url: str) -> tuple[str, str, int | None]:
    """Scheme, host and port (the default port made explicit) of ``url``."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    port = parts.port or {"http": 80, "https": 443}.get(scheme)
    return scheme, (parts.hostname or "").lower(), port


class RedirectRefused(StoreError):
    """A redirect to another origin while credentials are in play."""

    def __init__(self, url: str, target: str) -> None:
        super().__init__(
            f"{url.split('?')[0]}: the server redirects to {target.split('?')[0]}, another origin (scheme, host or "
            "port); credentials are sent only to the origin they are meant for, so nothing was sent there. "
            "If the store has moved, give its new address"
        )


def follow(url: str, target: str, *, with_credentials: bool) -> None:
    """Raise :class:`RedirectRefused` unless a redirect from ``url`` to ``target`` may be followed."""
    if with_credentials and origin(url) != origin(target):
        raise RedirectRefused(url, target)


class _OriginBoundRedirects(urllib.request.HTTPRedirectHandler):
    """urllib's redirect handler (which copies every header, ``Authorization`` included, to any new
    URL) under :func:`follow`'s rule."""

    def __init__(self, with_credentials: bool) -> None:
        self.with_credentials = with_credentials

    def redirect_request(
        self, req: urllib.request.Request, fp: Any, code: int, msg: str, headers: Any, newurl: str
    ) -> urllib.request.Request | None:
        follow(req.full_url, newurl, with_credentials=self.with_credentials)
        if code in (307, 308) and req.data is not None:  # urllib refuses these for a POST: same method and body
            return urllib.request.Request(
                newurl, data=req.data, headers=dict(req.header_items()), method=req.get_method(), unverifiable=True
            )
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def urllib_opener(credentials: Credentials | None, url: str) -> urllib.request.OpenerDirector:
    """The opener for requests SPARQLWrapper builds: origin-bound redirects, and digest auth answered
    only for ``url`` (SPARQLWrapper would install a process-wide opener for it)."""
    handlers: list[urllib.request.BaseHandler] = [_OriginBoundRedirects(credentials is not None)]
    if credentials is not None and credentials.scheme == "digest":
        passwords = urllib.request.HTTPPasswordMgr()
        passwords.add_password(None, url, credentials.user or "", credentials.secret)  # type: ignore[arg-type]
        handlers.append(urllib.request.HTTPDigestAuthHandler(passwords))
    return urllib.request.build_opener(*handlers)


# -- sending with retries (requests) -----------------------------------------------------------


class GaveUp(Exception):
    def __init__(self, problem: str, unreachable: bool) -> None:
        super().__init__(problem)
        self.unreachable = unreachable


class Rejected(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"HTTP {status}: {message}" if message else f"HTTP {status}")
        self.status = status


class CredentialsRefused(Exception):
    def __init__(self, url: str, status: int, message: str, credentials: Credentials | None) -> None:
        who = (
            credentials.describe()
            if credentials
            else f"no credentials were sent (set {ENV_USER}/{ENV_PASSWORD}, {ENV_TOKEN} or ~/.netrc)"
        )
        text = f"{url}: HTTP {status}: the server refused the credentials: {who}"
        super().__init__(text + (f"; the server says: {message}" if message else ""))


class Sender:
    """One requests session; sends a request with retries and backoff, and says how it ended
    (exceptions). Redirects are followed here, not by requests, under :func:`follow`'s rule."""

    def __init__(
        self,
        credentials: Credentials | None,
        policy: Policy,
        log: Callable[[str], None],
        sleep: Callable[[float], None],
    ) -> None:
        self.credentials, self.policy, self.log, self.sleep = credentials, policy, log, sleep
        self.session = requests.Session()
        self.session.headers["User-Agent"] = USER_AGENT
        # Never None: with no credentials requests would look up ~/.netrc for every URL it is sent to,
        # a redirect target included.
        self.auth = credentials.requests_auth() if credentials else _NoAuth()
        self.retried = 0

    def close(self) -> None:
        self.session.close()

    def request(
        self,
        method: str,
        url: str,
        body: bytes | Callable[[], Iterator[bytes]],
        content_type: str,
        what: str,
        params: dict[str, str] | None = None,
    ) -> None:
        """Send until a 2xx answer; raise :class:`Rejected`, :class:`GaveUp` or :class:`CredentialsRefused`.

        ``body`` is the bytes to send, or a function giving a fresh stream of them for each attempt
        (sent with chunked transfer encoding).

        Retrying is safe for every request kg load sends: a PUT or a DROP + INSERT replaces, and a POST
        of quads adds a set (quads already there are not added twice).
        """
        delay = self.policy.retry_delay
        attempts = self.policy.retries + 1
        headers = {"Content-Type": content_type}
        for attempt in range(1, attempts + 1):
            unreachable = False
            try:
                response = self._send(method, url, body, headers, params)
            except (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError) as err:
                timeout = (
                    self.policy.connect_timeout if isinstance(err, requests.ConnectTimeout) else self.policy.timeout
                )
                problem, unreachable = network_problem(err, timeout), is_refused(err)
            else:
                if response.status_code < 300:
                    return
                message = first_line(response.content)
                if response.status_code == 401:
                    raise CredentialsRefused(url.split("?")[0], response.status_code, message, self.credentials)
                if response.status_code not in RETRY_STATUSES:
                    raise Rejected(response.status_code, message)
                problem = f"HTTP {response.status_code}" + (f": {message}" if message else "")
            if attempt == attempts:
                raise GaveUp(f"{problem} (gave up after {attempts} attempts)", unreachable)
            self.retried += 1
            self.log(f"retrying {method} of {what} in {delay:g} s (attempt {attempt + 1} of {attempts}): {problem}")
            self.sleep(delay)
            delay *= 2

    def _send(
        self,
        method: str,
        url: str,
        body: bytes | Callable[[], Iterator[bytes]],
        headers: dict[str, str],
        params: dict[str, str] | None,
    ) -> requests.Response:
        """One attempt, following at most :data:`MAX_REDIRECTS` redirects that :func:`follow` allows
        (the same method and body each time: a load request moved elsewhere is still that request)."""
        for _ in range(MAX_REDIRECTS + 1):
            response = self.session.request(
                method,
                url,
                params=params,
                data=body() if callable(body) else body,
                headers=headers,
                auth=self.auth,
                timeout=(self.policy.connect_timeout, self.policy.timeout),
                allow_redirects=False,
            )
            if not response.is_redirect:
                return response
            target = urljoin(response.url, response.headers["Location"])
            follow(response.url, target, with_credentials=self.credentials is not None)
            url, params = target, None
            response.close()
        raise Rejected(response.status_code, f"more than {MAX_REDIRECTS} redirects")


class _NoAuth(requests.auth.AuthBase):
    """Sends nothing, and keeps requests from reading ~/.netrc for whatever URL a request goes to."""

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        return request


def retry_after(headers: Any) -> float | None:
    """The delay a ``Retry-After`` header asks for, in seconds (the delta form only; an HTTP date, a
    negative, absurd or missing value gives None: the policy's own backoff applies)."""
    value = (headers.get("Retry-After") if headers is not None else None) or ""
    try:
        seconds = float(value.strip())
    except ValueError:
        return None
    return seconds if 0 <= seconds <= MAX_RETRY_AFTER else None


# -- how failures are told ---------------------------------------------------------------------


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


def network_problem(err: BaseException, timeout: float | None = None) -> str:
    """A short human description of a connection-level failure (no URL, no secrets)."""
    chain: list[BaseException] = []
    seen: BaseException | None = err
    while seen is not None and len(chain) < 10:
        chain.append(seen)
        seen = (
            seen.__cause__
            or seen.__context__
            or (seen.args[0] if seen.args and isinstance(seen.args[0], BaseException) else None)
        )
        if seen is None and hasattr(chain[-1], "reason") and isinstance(chain[-1].reason, BaseException):
            seen = chain[-1].reason
    text = " ".join(f"{type(e).__name__} {e}" for e in chain)
    if any(isinstance(e, ConnectionRefusedError) for e in chain) or "Connection refused" in text:
        return "connection refused (is the server running, and is this its address?)"
    if any(isinstance(e, (TimeoutError, socket.timeout, requests.Timeout)) for e in chain) or "timed out" in text:
        return f"no answer within {timeout:g} s (timed out)" if timeout else "timed out"
    if any(isinstance(e, socket.gaierror) for e in chain) or "Name or service not known" in text:
        return "unknown host name"
    if (
        "RemoteDisconnected" in text
        or "Connection aborted" in text
        or "reset by peer" in text
        or "IncompleteRead" in text
        or "Connection broken" in text
    ):
        return "the server dropped the connection"
    return f"{type(err).__name__}: {err}"


def is_refused(err: BaseException) -> bool:
    return network_problem(err).startswith("connection refused") or network_problem(err) == "unknown host name"
