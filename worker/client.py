"""The OvalEdge API client: JWT auth on top of the transport, and answers parsed or explained.

After a token rejection (401, or the 400 "invalid token" some builds send) the JWT is
re-exchanged and the request sent once more. A 3xx, or a 2xx that is not JSON, means a login or
session layer is in front of the API: each is an error that says so. A 404 or 405 from the web
framework itself (Spring Boot's error body or page, not OvalEdge's `{"ok": false, ...}`) means
the route does not exist on this release: `RouteMissing`, which `by_generation` answers with the
first-generation routes where `OVALEDGE_API_ROUTES` allows it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import httpx2

from shared.redaction import clip
from shared.settings import Settings
from worker.errors import FailureKind, NotOffered, OvalEdgeError, RouteMissing
from worker.routes import API, Capability, Generation, Route, RouteBook
from worker.tokens import TokenManager
from worker.transport import Transport, message_of, message_of_body

INVALID_TOKEN_PHRASES = ("invalid token", "generate a new token", "token expired", "expired token")
# The members of Spring Boot's own error body; an OvalEdge answer carries "ok"/"message" instead.
SPRING_ERROR_KEYS = frozenset({"status", "error", "path"})
NOT_JSON_START_CHARS = 120  # of a non-JSON answer quoted in the error
T = TypeVar("T")


def is_token_rejection(response: httpx2.Response) -> bool:
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
        self.routes = RouteBook(settings.ovaledge_api_routes)

    async def ask(
        self, capability: Capability, params: dict[str, Any] | None = None, body: Any = None, *, what: str
    ) -> Any:
        """`capability`'s one route, where this OvalEdge release has it (see `by_generation`)."""
        def send() -> Awaitable[Any]:
            return self.call(capability.current, params, body)

        return await self.by_generation(capability, send, send if capability.unchanged else None, what=what)

    def offered(self, capability: Capability, *, what: str) -> None:
        """NotOffered when this OvalEdge is known to lack `capability` (it said so, or
        OVALEDGE_API_ROUTES says so), before anything is asked of it."""
        if self.routes.choose(capability) is Generation.LEGACY and not capability.legacy:
            raise self._not_offered(capability, what)

    def _not_offered(self, capability: Capability, what: str) -> NotOffered:
        return NotOffered(
            f"this OvalEdge release does not offer {what}: it needs {capability.current}, "
            "which only the current OvalEdge MCP API has.",
            hint=_routes_hint(self.routes.setting),
        )

    async def by_generation(
        self,
        capability: Capability,
        current: Callable[[], Awaitable[T]],
        legacy: Callable[[], Awaitable[T]] | None,
        *,
        what: str,
    ) -> T:
        """`current()` or `legacy()`, as OVALEDGE_API_ROUTES and what OvalEdge answered say.

        `legacy` builds the same answer from the first-generation routes (None: there are none).
        In `auto`, a RouteMissing from the current route switches `capability` to `legacy` for
        the worker's life; a missing object is never a reason to switch.
        """
        if self.routes.choose(capability) is Generation.LEGACY:
            if legacy is None:
                raise self._not_offered(capability, what)
            try:
                return await legacy()
            except RouteMissing as missing:
                if self.routes.setting == "legacy":
                    hint = "OVALEDGE_API_ROUTES=legacy: set it to auto or current for this OvalEdge."
                else:
                    hint = (f"Neither {capability.current} nor the first-generation route exists "
                            "there: check OVALEDGE_BASE_URL, including its context path.")
                raise RouteMissing(missing.message, status=missing.status, hint=hint) from None
        try:
            answer = await current()
        except RouteMissing as missing:
            if not self.routes.may_fall_back():
                raise RouteMissing(missing.message, status=missing.status,
                                   hint="OVALEDGE_API_ROUTES=current: set it to auto to use the "
                                   "first-generation routes where a current one is missing.") from None
            self.routes.current_missing(capability, missing.status)
            return await self.by_generation(capability, current, legacy, what=what)
        self.routes.current_answered(capability)
        return answer

    async def call(self, route: Route, params: dict[str, Any] | None = None, body: Any = None) -> Any:
        """OvalEdge's parsed answer to `route`, with `params` (None values dropped) and/or a
        JSON `body`."""
        clean = {k: v for k, v in (params or {}).items() if v is not None}
        return await self.request(route, params=clean or None, json_body=body)

    async def request(
        self, route: Route, *, params: dict[str, Any] | None = None, json_body: Any = None
    ) -> Any:
        """Send with a fresh JWT; after a token rejection, re-exchange and send once more."""
        method, path = route.method, route.path
        for auth_attempt in (1, 2):
            jwt = await self.tokens.get()
            headers = {"Authorization": f"{self._settings.ovaledge_http_auth_scheme} {jwt}"}
            response = await self._transport.send(
                method, path, headers=headers, params=params, json_body=json_body, changes=route.changes
            )
            if is_token_rejection(response):
                self.tokens.invalidate(jwt)
                if auth_attempt == 1:
                    continue
                if response.status_code == 401:
                    raise self._held_elsewhere(method, path, response)
            return self._parse(method, path, response)
        raise AssertionError("unreachable")

    def _held_elsewhere(self, method: str, path: str, response: httpx2.Response) -> OvalEdgeError:
        """A JWT rejected again right after a fresh one was obtained (or adopted): something
        that does not share this machine's token cache exchanged the same pair meanwhile."""
        shared = self.tokens.cache is not None
        return OvalEdgeError(
            f"{method} {path} failed: HTTP 401 twice ({message_of(response)}): OvalEdge rejected "
            "a JWT it had just issued for these credentials. Something outside "
            + ("this machine's shared token cache" if shared else "this process")
            + " holds the same token and secret (a script, OvalEdge's own MCP server, another "
            "machine" + ("" if shared else ", or another oe-mcp-local with OE_MCP_SHARE_TOKEN=false")
            + "), and each of its exchanges cancels our JWT.",
            status=401,
            hint="Give each tool its own API credentials (OvalEdge: My Profile > API credentials). "
            "If nothing else uses them, check OVALEDGE_HTTP_AUTH_SCHEME.",
            kind=FailureKind.REJECTED,
        )

    def _parse(self, method: str, path: str, response: httpx2.Response) -> Any:
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
            body = _json_or_none(response)
            if status == 405 or (status == 404 and _is_unmapped_route(response, body)):
                raise RouteMissing(
                    f"{method} {path}: this OvalEdge has no such route.", status=status,
                    hint="Check OVALEDGE_BASE_URL (it must include the context path, e.g. "
                    "/ovaledge) and OVALEDGE_API_ROUTES.",
                )
            error = OvalEdgeError(
                f"{method} {path} failed: {message_of(response)}", status=status,
                hint=_status_hint(status),
            )
            if isinstance(body, dict):
                error.error_code = error_code_of(body)
                error.body = body
            raise error
        if not response.content.strip():
            return {}
        try:
            answer = response.json()
        except ValueError:
            content_type = response.headers.get("content-type", "unknown")
            start = clip(" ".join(response.text.split()), NOT_JSON_START_CHARS)
            raise OvalEdgeError(
                f"{method} {path} answered {content_type}, not JSON (starts with {start!r}).",
                status=status,
                hint="This is usually a login page: a proxy or SSO layer is in front of the "
                "API. Check OVALEDGE_BASE_URL.",
                kind=FailureKind.LOGIN_PAGE if "html" in content_type.lower() else FailureKind.NOT_JSON,
            ) from None
        if isinstance(answer, dict) and answer.get("ok") is False:
            raise refusal(method, path, status, answer)
        return answer


def error_code_of(body: dict[str, Any]) -> str | None:
    """OvalEdge's machine-readable error code: `code`, `errorCode` or `error_code` (its
    releases differ; docs/wire.md, "Envelope")."""
    for key in ("errorCode", "error_code", "code"):
        value = body.get(key)
        if isinstance(value, str | int) and not isinstance(value, bool) and str(value).strip():
            return str(value)
    return None


def refusal(method: str, path: str, status: int, body: dict[str, Any]) -> OvalEdgeError:
    """A 2xx answer whose envelope says `ok: false`: OvalEdge's verdict wins over the status."""
    message = message_of_body(body) or "no message"
    code = error_code_of(body)
    error = OvalEdgeError(
        f"{method} {path} answered ok:false: {message}" + (f" (code {code})" if code else ""),
        status=status,
        hint="OvalEdge refused the request although the HTTP status was a success; its message "
        "says why. Nothing was changed by this call.",
        kind=FailureKind.REFUSED,
    )
    error.error_code = code
    error.body = body
    return error


def _json_or_none(response: httpx2.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def _is_unmapped_route(response: httpx2.Response, body: Any) -> bool:
    """Spring Boot's answer for a path nobody handles: its JSON error body, or an HTML page."""
    if isinstance(body, dict):
        return SPRING_ERROR_KEYS <= body.keys() and "ok" not in body
    return "html" in response.headers.get("content-type", "").lower()


def _routes_hint(setting: str) -> str:
    if setting == "legacy":
        return "OVALEDGE_API_ROUTES=legacy: set it to auto if your OvalEdge has the current routes."
    return "Ask your OvalEdge administrator about upgrading to a release with the current MCP API."


def _status_hint(status: int) -> str:
    return {
        400: "OvalEdge rejected the request parameters.",
        401: "The JWT was rejected twice; check the credentials and OVALEDGE_HTTP_AUTH_SCHEME.",
        403: "The configured account lacks permission for this object.",
        404: "Not found: no such object; check the object id and type.",
        429: "OvalEdge is rate limiting; wait a moment and retry.",
    }.get(status, "OvalEdge failed; retry later or ask its administrator." if status >= 500 else "")
