"""Every error the worker raises on purpose; the server turns each into an `isError` tool result.

    Exception
    ├── OvalEdgeError            an OvalEdge call failed: HTTP status (or none), what, what to check
    │   ├── TokenExchangeError   token/generate did not give us a JWT
    │   ├── RouteMissing         OvalEdge answered that the route does not exist (not an object)
    │   └── NotOffered           this OvalEdge release has no route for what was asked
    └── InvalidArguments         the arguments break a rule; nothing was sent to OvalEdge

`FailureKind` names what went wrong in a word, stable for `oe-mcp-local check`, logs and tests.
Foreign errors (httpx2's) are mapped to these at the edge, in `transport.py` and `client.py`.
"""

from __future__ import annotations

from enum import StrEnum


class FailureKind(StrEnum):
    UNREACHABLE = "unreachable"  # no connection to OVALEDGE_BASE_URL
    TIMEOUT = "timeout"
    REDIRECT = "redirect"  # a 3xx: a login or session layer in front of the API
    LOGIN_PAGE = "login-page"  # HTML where JSON was expected
    NOT_JSON = "not-json"
    CREDENTIALS = "credentials"  # token/generate refused the token and secret
    EMPTY_TOKEN = "empty-token"  # token/generate answered an empty 200
    NO_TOKEN = "no-token"  # token/generate answered, but no token in it
    NOT_A_JWT = "not-a-jwt"
    REJECTED = "rejected"  # 401/403 on an API call
    NOT_FOUND = "not-found"  # OvalEdge's own "no such object"
    ROUTE_MISSING = "route-missing"  # no such route on this OvalEdge release
    NOT_OFFERED = "not-offered"
    RATE_LIMITED = "rate-limited"
    SERVER_ERROR = "server-error"
    BAD_REQUEST = "bad-request"
    REFUSED = "refused"  # a 2xx answer whose envelope says ok:false
    ERROR = "error"

    @classmethod
    def of_status(cls, status: int | None) -> FailureKind:
        status = status or 0
        if status in (401, 403):
            return cls.REJECTED
        if status == 404:
            return cls.NOT_FOUND
        if status == 429:
            return cls.RATE_LIMITED
        if status >= 500:
            return cls.SERVER_ERROR
        return cls.BAD_REQUEST if status >= 400 else cls.ERROR


class OvalEdgeError(Exception):
    """An OvalEdge call failed. `status` is the HTTP status, or None when nothing came back."""

    def __init__(
        self, message: str, *, status: int | None = None, hint: str = "",
        kind: FailureKind | None = None,
    ):
        self.status = status
        self.message = message
        self.hint = hint
        self.kind = kind or FailureKind.of_status(status)
        self.error_code: str | None = None  # OvalEdge's errorCode, when its answer had one
        self.body: dict | None = None  # OvalEdge's parsed error answer, when it was JSON
        super().__init__(self.text)

    @property
    def text(self) -> str:
        head = f"OvalEdge HTTP {self.status}: " if self.status is not None else "OvalEdge: "
        return head + self.message + (f" {self.hint}" if self.hint else "")


class TokenExchangeError(OvalEdgeError):
    """The credentials could not be exchanged for a JWT at token/generate."""

    @property
    def text(self) -> str:
        status = f" (HTTP {self.status})" if self.status is not None else ""
        return f"TokenExchangeError{status}: {self.message}" + (f" {self.hint}" if self.hint else "")


class RouteMissing(OvalEdgeError):
    """OvalEdge's web framework answered that the route itself does not exist (Spring Boot's
    own 404 body or error page, or a 405): an older or newer release, not a missing object."""

    def __init__(self, message: str, *, status: int | None, hint: str = ""):
        super().__init__(message, status=status, hint=hint, kind=FailureKind.ROUTE_MISSING)


class NotOffered(OvalEdgeError):
    """What was asked needs a route this OvalEdge release does not have."""

    def __init__(self, message: str, *, hint: str = ""):
        super().__init__(message, status=None, hint=hint, kind=FailureKind.NOT_OFFERED)


class InvalidArguments(Exception):
    """A tool was called with arguments OvalEdge would reject; no HTTP call was made.

    `details` are machine-readable fields for the result (e.g. an error code).
    """

    def __init__(self, message: str, **details: object):
        super().__init__(message)
        self.details = details
