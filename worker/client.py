"""The OvalEdge HTTP client: one pooled httpx.AsyncClient per worker, JWT auth, retries.

Retry rules: 429/502/503/504 are retried for every call; connection failures for every call
(the request never reached OvalEdge); timeouts and broken connections only for reads, because a
POST may have been applied. Redirects are never followed: a 3xx from an API route means a login
or session layer is in front of it.
"""

from __future__ import annotations

import json
import logging
import random
import time
from typing import Any

import httpx
import trio

from shared import __version__
from shared.redaction import redact
from shared.settings import Settings
from worker.errors import OvalEdgeError
from worker.tokens import TokenManager

log = logging.getLogger("oe-mcp-worker.http")

TRANSIENT_STATUSES = frozenset({429, 502, 503, 504})
RETRY_AFTER_CAP_SECONDS = 10.0
BACKOFF_CAP_SECONDS = 10.0
INVALID_TOKEN_PHRASES = ("invalid token", "generate a new token", "token expired", "expired token")
USER_AGENT = f"oe-mcp-local/{__version__}"


def build_http_client(settings: Settings) -> httpx.AsyncClient:
    """The worker's one long-lived connection pool."""
    timeout = settings.ovaledge_timeout_seconds
    return httpx.AsyncClient(
        timeout=httpx.Timeout(timeout, connect=min(10.0, timeout)),
        limits=httpx.Limits(max_connections=32, max_keepalive_connections=16, keepalive_expiry=60),
        follow_redirects=False,
        headers={
            "Accept": "application/json",
            "User-Agent": USER_AGENT,
            "X-OvalEdge-Client": "MCP",
        },
    )


def _message_of(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        text = " ".join(response.text.split())
        return redact(text[:300]) if text else "(empty body)"
    if isinstance(body, dict):
        for key in ("message", "error", "errorMessage", "error_description"):
            if body.get(key):
                return redact(str(body[key]))
    return redact(json.dumps(body)[:300])


def is_token_rejection(response: httpx.Response) -> bool:
    """401, or the 400 some builds send when a JWT was superseded or expired."""
    if response.status_code == 401:
        return True
    if response.status_code == 400:
        message = _message_of(response).lower()
        return any(phrase in message for phrase in INVALID_TOKEN_PHRASES)
    return False


class OvalEdgeClient:
    def __init__(self, settings: Settings, http: httpx.AsyncClient, tokens: TokenManager):
        self._settings = settings
        self._http = http
        self.tokens = tokens

    async def get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        clean = {k: v for k, v in (params or {}).items() if v is not None}
        return await self.request("GET", path, params=clean)

    async def post(self, path: str, body: Any) -> Any:
        return await self.request("POST", path, json_body=body)

    async def request(
        self, method: str, path: str, *, params: dict[str, Any] | None = None, json_body: Any = None
    ) -> Any:
        """Send with a fresh JWT; after a token rejection, re-exchange and send once more."""
        for auth_attempt in (1, 2):
            jwt = await self.tokens.get()
            response = await self._send(method, path, jwt, params, json_body)
            if is_token_rejection(response) and auth_attempt == 1:
                self.tokens.invalidate(jwt)
                continue
            return self._parse(method, path, response)
        raise AssertionError("unreachable")

    async def _send(
        self, method: str, path: str, jwt: str, params: dict[str, Any] | None, json_body: Any
    ) -> httpx.Response:
        settings = self._settings
        url = settings.ovaledge_base_url + path
        headers = {"Authorization": f"{settings.ovaledge_http_auth_scheme} {jwt}"}
        attempts = settings.ovaledge_max_retries
        for attempt in range(1, attempts + 1):
            started = time.perf_counter()
            try:
                response = await self._http.request(
                    method, url, params=params, json=json_body, headers=headers
                )
            except httpx.InvalidURL:
                raise OvalEdgeError(
                    f"{method} {path}: the request is too long or not a valid URL, so it was not sent.",
                    hint="Shorten the arguments (e.g. fewer or shorter search_terms).",
                    kind="bad-request",
                ) from None
            except httpx.HTTPError as exc:
                self._log(method, path, type(exc).__name__, started, attempt)
                never_sent = isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout)
                retryable = never_sent or (method == "GET" and isinstance(exc, httpx.TransportError))
                if not retryable or attempt == attempts:
                    raise self._network_error(method, path, exc, attempt) from None
                await trio.sleep(self._backoff(attempt))
                continue
            self._log(method, path, response.status_code, started, attempt)
            if response.status_code in TRANSIENT_STATUSES and attempt < attempts:
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
        self, method: str, path: str, exc: httpx.HTTPError, attempts: int
    ) -> OvalEdgeError:
        base = self._settings.ovaledge_base_url
        if isinstance(exc, httpx.TimeoutException):
            return OvalEdgeError(
                f"{method} {path} timed out ({type(exc).__name__}) after {attempts} attempt(s).",
                hint="OvalEdge is slow or unreachable; retry, narrow the request, or raise "
                "OVALEDGE_TIMEOUT_SECONDS.",
                kind="timeout",
            )
        return OvalEdgeError(
            f"cannot reach {base} ({type(exc).__name__}) after {attempts} attempt(s).",
            hint="Check OVALEDGE_BASE_URL, your network or VPN, and that OvalEdge is up.",
            kind="unreachable",
        )

    def _parse(self, method: str, path: str, response: httpx.Response) -> Any:
        status = response.status_code
        if response.is_redirect:
            raise OvalEdgeError(
                f"{method} {path} was redirected to {response.headers.get('location', '?')}.",
                status=status,
                hint="A login page or session layer intercepts API calls: the /api/v1/mcp "
                "routes must accept 'Authorization: <scheme> <JWT>' like token/generate does. "
                "Check OVALEDGE_BASE_URL and OVALEDGE_HTTP_AUTH_SCHEME.",
                kind="redirect",
            )
        if status >= 400:
            raise OvalEdgeError(
                f"{method} {path} failed: {_message_of(response)}", status=status,
                hint=_status_hint(status),
            )
        if not response.content.strip():
            return {}
        try:
            return response.json()
        except ValueError:
            content_type = response.headers.get("content-type", "unknown")
            start = " ".join(response.text[:120].split())
            raise OvalEdgeError(
                f"{method} {path} answered {content_type}, not JSON (starts with {start!r}).",
                status=status,
                hint="This is usually a login page: a proxy or SSO layer is in front of the "
                "API. Check OVALEDGE_BASE_URL.",
                kind="login-page" if "html" in content_type.lower() else "not-json",
            ) from None


def _status_hint(status: int) -> str:
    return {
        400: "OvalEdge rejected the request parameters.",
        401: "The JWT was rejected twice; check the credentials and OVALEDGE_HTTP_AUTH_SCHEME.",
        403: "The configured account lacks permission for this object.",
        404: "Not found: check the id/type, or OVALEDGE_BASE_URL's context path.",
        429: "OvalEdge is rate limiting; wait a moment and retry.",
    }.get(status, "OvalEdge failed; retry later or ask its administrator." if status >= 500 else "")
