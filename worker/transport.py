"""Sending to OvalEdge: the worker's one pooled HTTP client and the one retry policy.

Retry rules, for the token exchange and API calls alike: connection failures for every call (the
request never reached OvalEdge); 429/502/503/504, timeouts and broken connections for a request
that cannot change anything (every GET, and the POSTs that are queries, e.g. asset-explorer);
for one that may have been applied, only 429 and 503 (OvalEdge did not process it). `Retry-After` is
honoured (capped); otherwise exponential backoff with jitter. Redirects are never followed.

The client is httpx2, the HTTP client the MCP SDK itself imports: one HTTP client library in the
worker, not two (docs/performance.md). Its certificates are those httpx trusted before:
`SSL_CERT_FILE` or `SSL_CERT_DIR` when set, else certifi's bundle, not the system's store.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import random
import ssl
import time
from typing import Any

import certifi
import httpx2
import trio

from shared import __version__
from shared.redaction import clip
from shared.settings import Settings
from worker.errors import FailureKind, OvalEdgeError

log = logging.getLogger("oe-mcp-worker.http")

TRANSIENT_STATUSES = frozenset({429, 502, 503, 504})
# A POST answered 502/504 by a gateway may have been applied behind it: only statuses that say
# "not processed" are safe to send again.
NOT_PROCESSED_STATUSES = frozenset({429, 503})
RETRY_AFTER_CAP_SECONDS = 10.0
BACKOFF_CAP_SECONDS = 10.0
USER_AGENT = f"oe-mcp-local/{__version__}"
UPSTREAM_TEXT_MAX_CHARS = 300  # of OvalEdge's words quoted in an error


def tls_context() -> ssl.SSLContext:
    """The certificates OvalEdge's must chain to: `SSL_CERT_FILE` / `SSL_CERT_DIR` when set, else
    certifi's bundle (what httpx trusted; httpx2 alone would take the system's store instead)."""
    if cafile := os.environ.get("SSL_CERT_FILE"):
        return _context("cafile", cafile, _changed_at(cafile))
    if capath := os.environ.get("SSL_CERT_DIR"):
        return _context("capath", capath, _changed_at(capath))
    return _context("cafile", certifi.where(), _changed_at(certifi.where()))


@functools.cache
def _context(kind: str, path: str, changed_at: int | None) -> ssl.SSLContext:
    """Loading the certificates takes about 25 ms: the fork host (worker/host.py) loads them once,
    and a worker forked from it finds them loaded, unless the file changed since."""
    return ssl.create_default_context(**{kind: path})


def _changed_at(path: str) -> int | None:
    try:
        return os.stat(path).st_mtime_ns
    except OSError:  # (create_default_context then says what is wrong with it)
        return None


def build_http_client(settings: Settings) -> httpx2.AsyncClient:
    """The worker's one long-lived connection pool."""
    timeout = settings.ovaledge_timeout_seconds
    return httpx2.AsyncClient(
        verify=tls_context(),
        timeout=httpx2.Timeout(timeout, connect=min(10.0, timeout)),
        limits=httpx2.Limits(max_connections=32, max_keepalive_connections=16, keepalive_expiry=60),
        follow_redirects=False,
        headers={
            "Accept": "application/json",
            "User-Agent": USER_AGENT,
        },
    )


def message_of(response: httpx2.Response) -> str:
    """OvalEdge's own words for a failed response (its `message` field, else its body), redacted
    and then cut to UPSTREAM_TEXT_MAX_CHARS."""
    try:
        body = response.json()
    except ValueError:
        text = " ".join(response.text.split())
        return clip(text, UPSTREAM_TEXT_MAX_CHARS) if text else "(empty body)"
    if isinstance(body, dict):
        found = message_of_body(body)
        if found:
            return found
    return clip(json.dumps(body), UPSTREAM_TEXT_MAX_CHARS)


def message_of_body(body: dict) -> str | None:
    """The text of an OvalEdge answer's `message` (or a framework's `error`...), redacted and cut."""
    for key in ("message", "error", "errorMessage", "error_description"):
        if body.get(key):
            return clip(str(body[key]), UPSTREAM_TEXT_MAX_CHARS)
    return None


class Transport:
    def __init__(self, settings: Settings, http: httpx2.AsyncClient):
        self._settings = settings
        self._http = http

    async def send(
        self,
        method: str,
        path: str,
        *,
        headers: dict[str, str],
        params: dict[str, Any] | None = None,
        json_body: Any = None,
        changes: bool,
    ) -> httpx2.Response:
        """The response to `method path`, after the retries the policy allows.

        Raises OvalEdgeError when nothing usable came back (network, timeout, invalid URL)."""
        settings = self._settings
        url = settings.ovaledge_base_url + path
        attempts = settings.ovaledge_max_retries
        for attempt in range(1, attempts + 1):
            started = time.perf_counter()
            try:
                response = await self._http.request(
                    method, url, params=params, json=json_body, headers=headers
                )
            except httpx2.InvalidURL:
                raise OvalEdgeError(
                    f"{method} {path}: the request is too long or not a valid URL, so it was not sent.",
                    hint="Shorten the arguments (e.g. fewer or shorter search_terms).",
                    kind=FailureKind.BAD_REQUEST,
                ) from None
            except httpx2.HTTPError as exc:
                self._log(method, path, type(exc).__name__, started, attempt)
                never_sent = isinstance(exc, httpx2.ConnectError | httpx2.ConnectTimeout)
                retryable = never_sent or (not changes and isinstance(exc, httpx2.TransportError))
                if not retryable or attempt == attempts:
                    raise self._network_error(method, path, exc, attempt) from None
                await trio.sleep(self._backoff(attempt))
                continue
            self._log(method, path, response.status_code, started, attempt)
            retryable = NOT_PROCESSED_STATUSES if changes else TRANSIENT_STATUSES
            if response.status_code in retryable and attempt < attempts:
                await trio.sleep(self._backoff(attempt, response.headers.get("retry-after")))
                continue
            return response
        raise AssertionError("unreachable")

    def _backoff(self, attempt: int, retry_after: str | None = None) -> float:
        if retry_after:
            try:
                return min(max(float(retry_after), 0.0), RETRY_AFTER_CAP_SECONDS)
            except ValueError:
                pass  # an HTTP date; fall back to our own schedule
        base = self._settings.ovaledge_retry_backoff_seconds * 2 ** (attempt - 1)
        return min(base * (0.5 + random.random()), BACKOFF_CAP_SECONDS)

    def _log(self, method: str, path: str, outcome: object, started: float, attempt: int) -> None:
        if self._settings.ovaledge_log_http_requests:
            elapsed = (time.perf_counter() - started) * 1000
            log.info("%s %s %s %.1fms attempt=%d", method, path, outcome, elapsed, attempt)

    def _network_error(
        self, method: str, path: str, exc: httpx2.HTTPError, attempts: int
    ) -> OvalEdgeError:
        base = self._settings.ovaledge_base_url
        if isinstance(exc, httpx2.TimeoutException):
            return OvalEdgeError(
                f"{method} {path} timed out ({type(exc).__name__}) after {attempts} attempt(s).",
                hint="OvalEdge is slow or unreachable; retry, narrow the request, or raise "
                "OVALEDGE_TIMEOUT_SECONDS.",
                kind=FailureKind.TIMEOUT,
            )
        return OvalEdgeError(
            f"cannot connect to {base} ({type(exc).__name__}) after {attempts} attempt"
            f"{'s' if attempts != 1 else ''}.",
            hint="Check OVALEDGE_BASE_URL, your network or VPN, and that OvalEdge is up.",
            kind=FailureKind.UNREACHABLE,
        )
