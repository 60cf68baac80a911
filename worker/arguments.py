"""Tool argument checks, before any HTTP call: schema first, then the tools' own mode rules.

Messages say what is allowed, so the agent can correct itself in one step, and quote at most a
short prefix of a bad value (`quoted`). An integer is a JSON number without a fraction part
(JSON Schema would take 1.0) that fits OvalEdge's 64-bit ids and counts.
"""

from __future__ import annotations

import re
from typing import Any

from jsonschema import Draft202012Validator, validators
from jsonschema.exceptions import ValidationError

from shared.redaction import QUOTE_MAX_CHARS, clip, quoted
from worker.errors import InvalidArguments
from worker.notes import note

INTEGER_MAX = 2**63 - 1  # OvalEdge's ids are Java longs: a larger number names nothing
_DIGITS = re.compile(r"[0-9]{1,19}")  # ASCII digits only: "²".isdigit() is true
_WHOLE_NUMBERS = Draft202012Validator.TYPE_CHECKER.redefine(
    "integer", lambda _checker, value: isinstance(value, int) and not isinstance(value, bool))
_StrictValidator = validators.extend(Draft202012Validator, type_checker=_WHOLE_NUMBERS)
UNKNOWN_ARGUMENTS_SHOWN = 5
# What an argument name can look like; anything else is malformed input, not extra context.
_ARGUMENT_NAME = re.compile(r"[A-Za-z_$][A-Za-z0-9_.$-]{0,63}")


def _describe(error: ValidationError, schema: dict[str, Any]) -> str:
    field = ".".join(str(p) for p in error.absolute_path) or "arguments"
    kind = error.validator
    if kind == "enum":
        allowed = ", ".join(str(v) for v in error.validator_value)
        return f"{field}={quoted(error.instance)} is not allowed; use one of: {allowed}"
    if kind == "additionalProperties":
        known = ", ".join(sorted(schema.get("properties", {})))
        extra = sorted(set(error.instance) - set(schema.get("properties", {})))
        shown = ", ".join(clip(name, QUOTE_MAX_CHARS) for name in extra[:UNKNOWN_ARGUMENTS_SHOWN])
        hidden = len(extra) - UNKNOWN_ARGUMENTS_SHOWN
        return f"unknown argument(s) {shown}{f' and {hidden} more' if hidden > 0 else ''}; allowed: {known}"
    if kind == "required":
        return f"missing required argument: {error.message.split(' ')[0].strip(chr(39))}"
    if kind == "type":
        return f"{field}={quoted(error.instance)} must be of type {error.validator_value}"
    if kind in ("minimum", "maximum"):
        word = "at least" if kind == "minimum" else "at most"
        return f"{field}={quoted(error.instance)} must be {word} {error.validator_value}"
    if kind in _BOUNDS:
        return f"{field}={quoted(error.instance)} must have {_BOUNDS[kind].format(error.validator_value)}"
    if kind == "pattern":
        return f"{field}={quoted(error.instance)} must match the pattern {error.validator_value}"
    return f"{field}={quoted(error.instance)} breaks the schema's {kind} rule"


# Size rules, said as what the value must have; jsonschema's own wording would echo the value whole.
_BOUNDS = {
    "minItems": "at least {} item(s)",
    "maxItems": "at most {} item(s)",
    "minLength": "at least {} character(s)",
    "maxLength": "at most {} character(s)",
    "minProperties": "at least {} member(s)",
    "maxProperties": "at most {} member(s)",
}


def _too_large(value: Any, path: tuple[str, ...] = ()) -> list[str]:
    """The integers in `value` beyond INTEGER_MAX either way, each with its path."""
    if isinstance(value, dict):
        return [p for key, item in value.items() for p in _too_large(item, (*path, str(key)))]
    if isinstance(value, list):
        return [p for i, item in enumerate(value) for p in _too_large(item, (*path, str(i)))]
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > INTEGER_MAX:
        return [f"{'.'.join(path)}={quoted(value)} is out of range (at most {INTEGER_MAX})"]
    return []


def object_id(raw: str) -> int | None:
    """The object id spelled by `raw` (a resource URI's {object_id}), None unless it is a whole
    number from 1 to INTEGER_MAX in ASCII digits."""
    if not _DIGITS.fullmatch(raw):
        return None
    number = int(raw)
    return number if 1 <= number <= INTEGER_MAX else None


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
    validator: Draft202012Validator, arguments: dict[str, Any] | None,
    aliases: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Arguments valid for `validator`'s schema (integers as the module doc says), with blanks
    dropped, or InvalidArguments naming every problem.

    As the reference server does, an alias is taken for its argument (`aliases`: alias ->
    name) and an argument the tool does not know is ignored, not refused: both are named in
    the call's notes (worker/notes.py).
    """
    args = dict(arguments or {})
    schema = validator.schema
    known = schema.get("properties", {})
    for alias, name in (aliases or {}).items():
        if alias in args and alias not in known:
            value = args.pop(alias)
            if name in args:
                note(f"ignored {clip(alias, QUOTE_MAX_CHARS)}: {name} was given too")
            else:
                args[name] = value
    unknown = sorted(name for name in args if name not in known)
    malformed = [name for name in unknown if not _ARGUMENT_NAME.fullmatch(name)]
    if malformed:  # no model passes context under such a name: bad input, said briefly
        shown = ", ".join(clip(name, QUOTE_MAX_CHARS) for name in malformed[:UNKNOWN_ARGUMENTS_SHOWN])
        raise InvalidArguments(f"unknown argument(s) {shown}: not argument names (at most 64 letters, "
                               f"digits, '_', '.' or '-'); this tool takes: {', '.join(sorted(known))}")
    if unknown:
        for name in unknown:
            del args[name]
        shown = ", ".join(clip(name, QUOTE_MAX_CHARS) for name in unknown[:UNKNOWN_ARGUMENTS_SHOWN])
        hidden = len(unknown) - UNKNOWN_ARGUMENTS_SHOWN
        note(f"ignored unknown argument(s) {shown}{f' and {hidden} more' if hidden > 0 else ''}"
             f" (this tool takes: {', '.join(sorted(known))})")
    errors = sorted(_StrictValidator(schema).iter_errors(args), key=str)
    problems = [_describe(e, schema) for e in errors] or _too_large(args)
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
