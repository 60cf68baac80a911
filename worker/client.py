"""The OvalEdge API client: JWT auth on top of the transport, and answers parsed or explained.

After a token rejection (401, or the 400 "invalid token" some builds send) the JWT is
re-exchanged and the request sent once more. A 3xx, or a 2xx that is not JSON, means a login or
session layer is in front of the API: each is an error that says so.
"""

from __future__ import annotations

from typing import Any

import httpx

from shared.settings import Settings
from worker.errors import FailureKind, OvalEdgeError
from worker.routes import API, Route
from worker.tokens import TokenManager
from worker.transport import Transport, message_of

INVALID_TOKEN_PHRASES = ("invalid token", "generate a new token", "token expired", "expired token")


def is_token_rejection(response: httpx.Response) -> bool:
    """401, or the 400 some builds send when a JWT was superseded or expired."""
    if response.status_code == 401:
        return True
    if response.status_code == 400:
        message = message_of(response).lower()
        return any(phrase in message for phrase in INVALID_TOKEN_PHRASES)
    return False


class OvalEdgeClient:
    def __init__(self, settings: Settings, transport: Transport, tokens: TokenManager):
        self._settings = settings
        self._transport = transport
        self.tokens = tokens

    async def call(self, route: Route, params: dict[str, Any] | None = None, body: Any = None) -> Any:
        """OvalEdge's parsed answer to `route`, with `params` (None values dropped) and/or a
        JSON `body`."""
        clean = {k: v for k, v in (params or {}).items() if v is not None}
        return await self.request(route.method, route.path, params=clean or None, json_body=body)

    async def request(
        self, method: str, path: str, *, params: dict[str, Any] | None = None, json_body: Any = None
    ) -> Any:
        """Send with a fresh JWT; after a token rejection, re-exchange and send once more."""
        for auth_attempt in (1, 2):
            jwt = await self.tokens.get()
            headers = {"Authorization": f"{self._settings.ovaledge_http_auth_scheme} {jwt}"}
            response = await self._transport.send(
                method, path, headers=headers, params=params, json_body=json_body
            )
            if is_token_rejection(response) and auth_attempt == 1:
                self.tokens.invalidate(jwt)
                continue
            return self._parse(method, path, response)
        raise AssertionError("unreachable")

    def _parse(self, method: str, path: str, response: httpx.Response) -> Any:
        status = response.status_code
        if response.is_redirect:
            raise OvalEdgeError(
                f"{method} {path} was redirected to {response.headers.get('location', '?')}.",
                status=status,
                hint=f"A login page or session layer intercepts API calls: the {API} "
                "routes must accept 'Authorization: <scheme> <JWT>' like token/generate does. "
                "Check OVALEDGE_BASE_URL and OVALEDGE_HTTP_AUTH_SCHEME.",
                kind=FailureKind.REDIRECT,
            )
        if status >= 400:
            raise OvalEdgeError(
                f"{method} {path} failed: {message_of(response)}", status=status,
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
                kind=FailureKind.LOGIN_PAGE if "html" in content_type.lower() else FailureKind.NOT_JSON,
            ) from None


def _status_hint(status: int) -> str:
    return {
        400: "OvalEdge rejected the request parameters.",
        401: "The JWT was rejected twice; check the credentials and OVALEDGE_HTTP_AUTH_SCHEME.",
        403: "The configured account lacks permission for this object.",
        404: "Not found: check the id/type, or OVALEDGE_BASE_URL's context path.",
        429: "OvalEdge is rate limiting; wait a moment and retry.",
    }.get(status, "OvalEdge failed; retry later or ask its administrator." if status >= 500 else "")
