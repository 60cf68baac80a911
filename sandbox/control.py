"""Control endpoints under `/__sandbox/`, for suites that run the sandbox in another process.

Not recorded, no auth; refused unless the caller is on the loopback interface (the server only
listens there anyway).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from sandbox.sample_governance import GOVERNANCE_ROLES
from sandbox.shapes import SHAPES
from sandbox.state import (
    API_MODES,
    TAG_SECURITY_MODES,
    TOKEN_RESPONSE_SHAPES,
    UNMAPPED_ANSWERS,
    Fault,
    SandboxState,
)

_LOOPBACK = {"127.0.0.1", "::1", "localhost"}
Endpoint = Callable[[Request], Awaitable[Response]]


class _Invalid(Exception):
    pass


def _bad(message: str) -> JSONResponse:
    return JSONResponse({"ok": False, "message": message}, status_code=400)


def _loopback_only(endpoint: Endpoint) -> Endpoint:
    async def guarded(request: Request) -> Response:
        if request.client is None or request.client.host not in _LOOPBACK:
            return JSONResponse({"ok": False, "message": "loopback only"}, status_code=403)
        try:
            return await endpoint(request)
        except _Invalid as exc:
            return _bad(str(exc))

    return guarded


async def _json(request: Request) -> Any:
    try:
        return await request.json()
    except ValueError:
        raise _Invalid("body must be JSON") from None


def _parse_faults(raw: Any) -> list[tuple[Fault, str | None, int]]:
    entries = raw if isinstance(raw, list) else [raw]
    parsed = []
    for entry in entries:
        if not isinstance(entry, dict):
            raise _Invalid("each fault must be a JSON object")
        entry = dict(entry)
        path = entry.pop("path", None)
        times = entry.pop("times", 1)
        if path is not None and not isinstance(path, str):
            raise _Invalid("path must be a string")
        if not isinstance(times, int) or isinstance(times, bool) or times < 1:
            raise _Invalid("times must be a positive integer")
        try:
            parsed.append((Fault.from_json(entry), path, times))
        except (TypeError, ValueError) as exc:
            raise _Invalid(str(exc)) from None
    return parsed


def _number(value: Any, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise _Invalid(f"{name} must be a number >= 0")
    return float(value)


def _apply_settings(state: SandboxState, raw: Any) -> None:
    if not isinstance(raw, dict):
        raise _Invalid("settings must be a JSON object")
    unknown = sorted(set(raw) - set(state.settings()))
    if unknown:
        raise _Invalid(f"unknown settings: {unknown}")
    changes: dict[str, Any] = {}
    for name in ("latency_seconds", "jwt_lifetime_seconds"):
        if name in raw:
            changes[name] = _number(raw[name], name)
    for name, allowed in (
        ("token_response_shape", TOKEN_RESPONSE_SHAPES),
        ("api", API_MODES),
        ("unmapped_answer", UNMAPPED_ANSWERS),
        ("tag_security_mode", TAG_SECURITY_MODES),
    ):
        if name in raw:
            if raw[name] not in allowed:
                raise _Invalid(f"{name} must be one of {list(allowed)}")
            changes[name] = raw[name]
    if "require_auth_prefix_on_exchange" in raw:
        if not isinstance(raw["require_auth_prefix_on_exchange"], bool):
            raise _Invalid("require_auth_prefix_on_exchange must be true or false")
        changes["require_auth_prefix_on_exchange"] = raw["require_auth_prefix_on_exchange"]
    if "accepted_schemes" in raw:
        schemes = raw["accepted_schemes"]
        if not isinstance(schemes, list) or not all(isinstance(s, str) for s in schemes):
            raise _Invalid("accepted_schemes must be a list of strings")
        changes["accepted_schemes"] = {s.lower() for s in schemes}
    if "disabled_governance_roles" in raw:
        roles = raw["disabled_governance_roles"]
        known = isinstance(roles, list) and all(isinstance(r, str) and r in GOVERNANCE_ROLES for r in roles)
        if not known:
            raise _Invalid(f"disabled_governance_roles must be a list of some of {list(GOVERNANCE_ROLES)}")
        changes["disabled_governance_roles"] = list(dict.fromkeys(roles))
    if "shapes" in raw:
        if not isinstance(raw["shapes"], dict):
            raise _Invalid("shapes must be a JSON object of shape name -> choice")
        try:
            changes["shapes"] = SHAPES.checked({**state.shapes, **raw["shapes"]})
        except ValueError as exc:
            raise _Invalid(str(exc)) from None
    for name, value in changes.items():  # all valid: apply together
        setattr(state, name, value)


def control_routes(state: SandboxState, *, prefixes: tuple[str, ...]) -> list[Route]:
    async def add_faults(request: Request) -> Response:
        parsed = _parse_faults(await _json(request))
        for fault, path, times in parsed:
            state.add_fault(fault, path=path, times=times)
        return JSONResponse({"ok": True, "queued": len(parsed), "pending": state.pending_faults})

    async def list_requests(request: Request) -> Response:
        return JSONResponse(
            {
                "ok": True,
                "exchanges": state.exchanges,
                "requests": [r.to_json() for r in state.requests],
            }
        )

    async def written(request: Request) -> Response:
        return JSONResponse({"ok": True, **state.written()})

    async def reset(request: Request) -> Response:
        state.reset()
        return JSONResponse({"ok": True})

    async def settings(request: Request) -> Response:
        if request.method == "POST":
            _apply_settings(state, await _json(request))
        return JSONResponse({"ok": True, "settings": state.settings()})

    table: list[tuple[str, Endpoint, list[str]]] = [
        ("/__sandbox/faults", add_faults, ["POST"]),
        ("/__sandbox/requests", list_requests, ["GET"]),
        ("/__sandbox/written", written, ["GET"]),
        ("/__sandbox/reset", reset, ["POST"]),
        ("/__sandbox/settings", settings, ["GET", "POST"]),
    ]
    return [
        Route(prefix + path, _loopback_only(endpoint), methods=methods)
        for prefix in prefixes
        for path, endpoint, methods in table
    ]
