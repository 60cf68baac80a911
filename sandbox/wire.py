"""What every API route shares: its answer type, OvalEdge's error answers, and the parsing of
query parameters and JSON bodies into checked values (a `BadRequest` names what is wrong)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from sandbox.catalog import OBJECT_TYPES, canonical_type

Answer = tuple[int, dict[str, Any]]
Params = Mapping[str, str]


class BadRequest(Exception):
    """A 400 answer; the message goes into the body, with an optional `errorCode`."""

    def __init__(self, message: str, error_code: str | None = None):
        super().__init__(message)
        self.error_code = error_code

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"ok": False, "message": str(self)}
        if self.error_code:
            body["errorCode"] = self.error_code
        return body


class NotFound(Exception):
    """OvalEdge's "Object not found" answer, raised where a handler finds a named object missing."""


def error(status: int, message: str) -> Answer:
    return status, {"ok": False, "message": message}


def not_found() -> Answer:
    return error(404, "Object not found")


MAX_MATCH_CANDIDATES = 50


def ambiguity(candidates: list[dict[str, Any]], advice: str) -> dict[str, Any]:
    """The fields of an answer that asks the caller to pick one of several matching objects."""
    return {
        "ambiguousMatch": True,
        "matchCandidates": candidates[:MAX_MATCH_CANDIDATES],
        "advisoryMessage": advice,
    }


def ok(data: Any) -> Answer:
    return 200, {"ok": True, "data": data}


def fresh_id(used: Iterable[int], ids: range, what: str) -> int:
    """The id after the highest one used in `ids` (the id scheme of sample_data.py)."""
    new = max((i for i in used if i in ids), default=ids.start) + 1
    if new not in ids:
        raise BadRequest(f"The sandbox has no free id left for {what}")
    return new


# ------------------------------------------------------------ query parameters


def text(params: Params, name: str) -> str | None:
    value = params.get(name)
    if value is None or not value.strip():
        return None
    return value.strip()


def integer(params: Params, name: str, *, default: int | None = None, minimum: int = 0) -> int | None:
    raw = text(params, name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BadRequest(f"{name} must be an integer, got {raw!r}") from None
    if value < minimum:
        raise BadRequest(f"{name} must be >= {minimum}, got {value}")
    return value


def required_int(params: Params, name: str, *, minimum: int = 1) -> int:
    value = integer(params, name, minimum=minimum)
    if value is None:
        raise BadRequest(f"{name} is required")
    return value


def bounded_int(params: Params, name: str, *, default: int, low: int, high: int) -> int:
    value = integer(params, name, default=default, minimum=low)
    if value > high:
        raise BadRequest(f"{name} must be <= {high}, got {value}")
    return value


def flag(params: Params, name: str) -> bool:
    raw = text(params, name)
    if raw is None:
        return False
    if raw.lower() not in ("true", "false"):
        raise BadRequest(f"{name} must be true or false, got {raw!r}")
    return raw.lower() == "true"


def choice(params: Params, name: str, allowed: Iterable[str]) -> str:
    """A required parameter that takes one of a few words."""
    value = text(params, name)
    if value is None:
        raise BadRequest(f"{name} is required; one of {list(allowed)}")
    return one_of(value, name, allowed)


def one_of(value: str, name: str, allowed: Iterable[str]) -> str:
    allowed = list(allowed)
    if value not in allowed:
        raise BadRequest(f"Unsupported {name} {value!r}; expected one of {allowed}")
    return value


def object_type(params: Params, allowed: Iterable[str] = OBJECT_TYPES) -> str:
    """The `objectType` parameter, lower-cased, with its alias resolved (filecolumn -> oefilecolumn)."""
    value = text(params, "objectType")
    if value is None:
        raise BadRequest("objectType is required")
    return checked_type(value, allowed)


def checked_type(value: str, allowed: Iterable[str] = OBJECT_TYPES) -> str:
    allowed = sorted(allowed)
    value = value.strip().lower()
    if value not in allowed:
        raise BadRequest(f"Unsupported objectType {value!r}; expected one of {allowed}")
    return canonical_type(value)


def json_string_list(params: Params, name: str) -> list[str]:
    """A parameter holding a JSON array of strings (how GET routes take lists), blanks dropped."""
    raw = text(params, name)
    if raw is None:
        return []
    try:
        values = json.loads(raw)
    except ValueError:
        values = None
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise BadRequest(f'{name} must be a JSON array of strings, e.g. ["orders","revenue"]')
    return [v.strip() for v in values if v.strip()]


# ------------------------------------------------------------------ JSON bodies


def body_object(raw: Any, name: str, allowed: Iterable[str]) -> dict[str, Any]:
    """A JSON object with only `allowed` keys; null members count as absent."""
    if not isinstance(raw, dict):
        raise BadRequest(f"{name} must be a JSON object")
    unknown = sorted(set(raw) - set(allowed))
    if unknown:
        raise BadRequest(f"Unknown keys in {name}: {unknown}; allowed: {sorted(allowed)}")
    return {key: value for key, value in raw.items() if value is not None}


def body_int(body: dict[str, Any], name: str, *, minimum: int = 1, maximum: int | None = None) -> int | None:
    value = body.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise BadRequest(f"{name} must be an integer")
    if value < minimum or (maximum is not None and value > maximum):
        bounds = f">= {minimum}" if maximum is None else f"between {minimum} and {maximum}"
        raise BadRequest(f"{name} must be {bounds}, got {value}")
    return value


def body_text(body: dict[str, Any], name: str) -> str | None:
    value = body.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise BadRequest(f"{name} must be a string")
    return value.strip() or None


def body_texts(body: dict[str, Any], name: str) -> list[str]:
    value = body.get(name, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise BadRequest(f"{name} must be an array of strings")
    return [v.strip() for v in value if v.strip()]


def body_bool(body: dict[str, Any], name: str, default: bool = False) -> bool:
    value = body.get(name, default)
    if not isinstance(value, bool):
        raise BadRequest(f"{name} must be true or false")
    return value


def iso_date(value: Any, name: str) -> date:
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        raise BadRequest(f"{name} must be an ISO date (YYYY-MM-DD), got {value!r}") from None
