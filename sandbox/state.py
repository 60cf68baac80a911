"""What a sandbox knows at run time: settings, issued JWTs, queued faults, recorded requests, and
what the governed writes changed: the catalog itself, the audit log, the service desk's tickets
and the data quality rules with the SQL runs made to validate them."""

from __future__ import annotations

import time
from dataclasses import dataclass, field, fields
from typing import Any

import trio

from sandbox.catalog import Catalog
from sandbox.data_quality import DataQuality
from sandbox.governed import AuditLog, IdempotencyStore
from sandbox.sample_governance import DISABLED_GOVERNANCE_ROLES, GOVERNANCE_ROLES
from sandbox.service_desk import ServiceDesk
from sandbox.shapes import SHAPES
from sandbox.tokens import TokenBook

DEMO_USER_TOKEN = "demo-user-token"
DEMO_USER_SECRET = "demo-user-secret"

TOKEN_RESPONSE_SHAPES = ("data.token", "token", "access_token", "raw", "empty", "empty_with_header")
# Which MCP API generation the sandbox serves: both, only the current routes (a new OvalEdge) or
# only the first-generation ones (an old OvalEdge).
API_MODES = ("both", "current", "legacy")
# How a path with no handler is answered: Spring Boot's JSON error body, or its HTML error page.
UNMAPPED_ANSWERS = ("json", "html")
# OvalEdge's tag security: every tag under a master tag (SECURE), or free tags (OPEN).
TAG_SECURITY_MODES = ("SECURE", "OPEN")


@dataclass
class Fault:
    """One misbehaviour, applied to one matching request.

    `delay` is waited first (and combines with any other field). Then the first set field of
    drop_connection, redirect_to, html_login_page, empty_body, status (or retry_after alone,
    which means 429) decides the answer. `oversized_bytes` alone lets the request be handled
    normally and pads the description fields of a 200 JSON answer. Only `delay` set: the
    request is answered normally after the delay.

    `echo_request` echoes the request back, as a debugging proxy or a careless error handler
    does (secrets and JWT included): under `request` (its JSON body, then its headers) in the
    error body when `status` is set, which then has no `message` unless one is given; else in
    the `data` of the normal answer.
    """

    status: int | None = None
    message: str | None = None
    retry_after: float | None = None
    delay: float = 0.0
    redirect_to: str | None = None
    html_login_page: bool = False
    empty_body: bool = False
    oversized_bytes: int | None = None
    drop_connection: bool = False
    error_code: str | None = None  # optional code in the error body, under `error_code_key`
    error_code_key: str = "errorCode"  # OvalEdge releases use code, errorCode or error_code
    echo_request: bool = False

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> Fault:
        names = {f.name for f in fields(cls)}
        unknown = sorted(set(raw) - names)
        if unknown:
            raise ValueError(f"unknown fault fields: {unknown}")
        return cls(**raw)


@dataclass
class RecordedRequest:
    method: str
    path: str  # after the context path, e.g. "/api/v1/mcp/lineage"
    query: dict[str, str]  # a repeated key keeps its last value
    query_items: list[tuple[str, str]]  # every pair in order, repeated keys kept
    headers: dict[str, str]  # lower-case names
    json: Any | None
    status: int  # 0 while unanswered, and for a dropped connection
    at: float  # trio.current_time() when it arrived

    def to_json(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass
class _QueuedFault:
    fault: Fault
    path: str | None
    remaining: int


def _now() -> float:
    try:
        return trio.current_time()
    except RuntimeError:  # not inside trio.run
        return time.monotonic()


@dataclass
class SandboxState:
    credentials: dict[str, str] = field(default_factory=lambda: {DEMO_USER_TOKEN: DEMO_USER_SECRET})
    jwt_lifetime_seconds: float = 3600
    latency_seconds: float = 0.0
    token_response_shape: str = "data.token"
    # OvalEdge's own server exchanges without an Authorization header (docs/wire.md §1); True
    # drives the builds whose filter answers 400 "Prefix missing Token" to that.
    require_auth_prefix_on_exchange: bool = False
    accepted_schemes: set[str] = field(default_factory=lambda: {"jwt", "bearer"})
    api: str = "both"  # one of API_MODES
    unmapped_answer: str = "json"  # one of UNMAPPED_ANSWERS
    tag_security_mode: str = "SECURE"  # one of TAG_SECURITY_MODES
    # governance roles OvalEdge has switched off: writes to them answer 400
    disabled_governance_roles: list[str] = field(default_factory=lambda: list(DISABLED_GOVERNANCE_ROLES))
    # which of the evidenced answer shapes each switchable route uses (sandbox/shapes.py)
    shapes: dict[str, str] = field(default_factory=dict)
    requests: list[RecordedRequest] = field(default_factory=list, repr=False)
    exchanges: int = 0
    catalog: Catalog = field(default_factory=Catalog, repr=False)

    def __post_init__(self) -> None:
        if self.tag_security_mode not in TAG_SECURITY_MODES:
            raise ValueError(f"tag_security_mode must be one of {TAG_SECURITY_MODES}")
        unknown = sorted(set(self.disabled_governance_roles) - set(GOVERNANCE_ROLES))
        if unknown:
            raise ValueError(f"unknown governance roles {unknown}; expected some of {list(GOVERNANCE_ROLES)}")
        self.shapes = SHAPES.checked(self.shapes)
        self._tokens = TokenBook()
        self._faults: list[_QueuedFault] = []
        self.idempotency = IdempotencyStore()
        self.audit = AuditLog()  # every change a governed update made, with its client context
        self.data_quality = DataQuality(self.catalog)  # .rules, .validation_runs
        self.service_desk = ServiceDesk()  # .templates, .tickets
        self.stopping = trio.Event()  # set when the server shuts down: ends fault delays early

    # ----------------------------------------------------------------- JWTs

    def issue_jwt(self, user_token: str) -> str:
        """A new JWT for this user token; the previous one stops working."""
        return self._tokens.issue(user_token, self.jwt_lifetime_seconds)

    def active_jwt(self, user_token: str) -> str | None:
        """The JWT currently valid for this user token, if any (None once expired)."""
        return self._tokens.active(user_token)

    def jwt_is_valid(self, token: str) -> bool:
        return self._tokens.verify(token)

    # ---------------------------------------------------------------- faults

    def add_fault(self, fault: Fault, *, path: str | None = None, times: int = 1) -> None:
        """Queue `fault` for the next `times` requests whose path ends with `path` (None: any)."""
        if times < 1:
            raise ValueError("times must be >= 1")
        self._faults.append(_QueuedFault(fault, path, times))

    def take_fault(self, path: str) -> Fault | None:
        for queued in self._faults:
            if queued.path is None or path.endswith(queued.path):
                queued.remaining -= 1
                if queued.remaining == 0:
                    self._faults.remove(queued)
                return queued.fault
        return None

    @property
    def pending_faults(self) -> int:
        return sum(q.remaining for q in self._faults)

    # -------------------------------------------------------------- recorder

    def record(
        self,
        method: str,
        path: str,
        query_items: list[tuple[str, str]],
        headers: dict[str, str],
        body: Any,
    ) -> RecordedRequest:
        entry = RecordedRequest(method, path, dict(query_items), query_items, headers, body, 0, _now())
        self.requests.append(entry)
        return entry

    def count(self, method: str | None = None, path_suffix: str | None = None) -> int:
        return sum(
            1
            for r in self.requests
            if (method is None or r.method == method.upper())
            and (path_suffix is None or r.path.endswith(path_suffix))
        )

    def reset(self) -> None:
        """Forget requests, queued faults and the exchange count; keep catalog, JWTs, settings."""
        self.requests.clear()
        self._faults.clear()
        self.exchanges = 0

    def written(self) -> dict[str, Any]:
        """What the governed writes left behind, beyond the catalog documents themselves."""
        return {
            "audit": self.audit.entries,
            "tickets": self.service_desk.tickets,
            "dqRules": list(self.data_quality.rules.values()),
            "validationRuns": self.data_quality.validation_runs,
        }

    def settings(self) -> dict[str, Any]:
        return {
            "latency_seconds": self.latency_seconds,
            "jwt_lifetime_seconds": self.jwt_lifetime_seconds,
            "token_response_shape": self.token_response_shape,
            "require_auth_prefix_on_exchange": self.require_auth_prefix_on_exchange,
            "accepted_schemes": sorted(self.accepted_schemes),
            "api": self.api,
            "unmapped_answer": self.unmapped_answer,
            "tag_security_mode": self.tag_security_mode,
            "disabled_governance_roles": list(self.disabled_governance_roles),
            "shapes": dict(self.shapes),
        }
