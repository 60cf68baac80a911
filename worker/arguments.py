"""Tool argument checks, before any HTTP call: schema first, then the tools' own mode rules.

Messages say what is allowed, so the agent can correct itself in one step.
"""

from __future__ import annotations

from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from worker.errors import InvalidArguments


def _describe(error: ValidationError, schema: dict[str, Any]) -> str:
    field = ".".join(str(p) for p in error.absolute_path) or "arguments"
    kind = error.validator
    if kind == "enum":
        allowed = ", ".join(str(v) for v in error.validator_value)
        return f"{field}={error.instance!r} is not allowed; use one of: {allowed}"
    if kind == "additionalProperties":
        known = ", ".join(sorted(schema.get("properties", {})))
        extra = sorted(set(error.instance) - set(schema.get("properties", {})))
        return f"unknown argument(s) {', '.join(extra)}; allowed: {known}"
    if kind == "required":
        return f"missing required argument: {error.message.split(' ')[0].strip(chr(39))}"
    if kind == "type":
        return f"{field}={error.instance!r} must be of type {error.validator_value}"
    if kind in ("minimum", "maximum"):
        word = "at least" if kind == "minimum" else "at most"
        return f"{field}={error.instance!r} must be {word} {error.validator_value}"
    return f"{field}: {error.message}"


def _clean(value: Any) -> Any:
    """Trim strings; blank strings and empty lists count as not given."""
    if isinstance(value, str):
        value = value.strip()
        return value or None
    if isinstance(value, list):
        items = [item for item in (_clean(v) for v in value) if item is not None]
        return items or None
    return value


def check_arguments(
    validator: Draft202012Validator, arguments: dict[str, Any] | None
) -> dict[str, Any]:
    """Arguments valid for `validator`'s schema, with blanks dropped, or InvalidArguments
    naming every problem."""
    args = dict(arguments or {})
    schema = validator.schema
    problems = [_describe(e, schema) for e in sorted(validator.iter_errors(args), key=str)]
    if problems:
        raise InvalidArguments("; ".join(problems))
    cleaned = {key: _clean(value) for key, value in args.items()}
    cleaned = {key: value for key, value in cleaned.items() if value is not None}
    blank = [key for key in schema.get("required", ()) if key not in cleaned]
    if blank:
        raise InvalidArguments(f"required argument(s) {', '.join(blank)} must not be blank")
    return cleaned


def exactly_one_mode(args: dict[str, Any], modes: dict[str, tuple[str, ...]]) -> str:
    """Which of several exclusive argument sets was given; error unless exactly one, complete."""
    used = [name for name, keys in modes.items() if any(k in args for k in keys)]
    described = " or ".join("+".join(keys) for keys in modes.values())
    if len(used) != 1:
        what = "none" if not used else "more than one"
        raise InvalidArguments(f"{what} of the identification modes given; use exactly one: {described}")
    missing = [k for k in modes[used[0]] if k not in args]
    if missing:
        raise InvalidArguments(f"{'+'.join(modes[used[0]])} go together; missing {', '.join(missing)}")
    return used[0]
