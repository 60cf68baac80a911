"""What the four governed update tools share (descriptions, CDE flags, governance roles, custom
fields): object types spelled as OvalEdge's MCP takes them, the POST through the gate with
OvalEdge's error code kept, and a report that never turns an applied write into a failure.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from shared.redaction import quoted
from worker.errors import InvalidArguments, OvalEdgeError
from worker.registry import ToolContext
from worker.routes import Capability
from worker.tools.common import named, ok, written

log = logging.getLogger(__name__)


def object_type_of(raw: Any, allowed: tuple[str, ...], *, dashes: bool = False) -> str:
    """The tool's `object_type` as the reference normalises it (trimmed, lower-cased; `-` read
    as `_` where it does so), or InvalidArguments listing the allowed types."""
    kind = str(raw).strip().lower()
    if dashes:
        kind = kind.replace("-", "_")
    if kind not in allowed:
        raise InvalidArguments(f"object_type={quoted(raw)} is not allowed; use one of: {', '.join(allowed)}")
    return kind


def positive_id(raw: Any) -> Any:
    """An object id given as a string of digits, as a number (the reference takes `int(raw)`);
    anything else as it came, for the caller's own check."""
    if isinstance(raw, str) and raw.strip().isdigit():
        return int(raw.strip())
    return raw


def with_code(exc: OvalEdgeError) -> OvalEdgeError:
    """The error with OvalEdge's machine-readable code in its text, when it had one."""
    code = exc.error_code
    if code and code not in exc.message:
        exc.message = f"{exc.message} (code {code})"
    return exc


async def post(ctx: ToolContext, a: dict[str, Any], body: dict[str, Any], capability: Capability, *,
               summary: str, what: str) -> dict[str, Any]:
    """The gate's preview, or OvalEdge's answer to the confirmed POST (a dry run posts at once)."""
    try:
        return await ctx.gate.write(ctx, a, body, capability, create=False, summary=summary, what=what)
    except OvalEdgeError as exc:
        raise with_code(exc) from None


def reported(ctx: ToolContext, answer: Any, report: Callable[[dict[str, Any]], str],
             what: str) -> dict[str, Any]:
    """Our answer for a write OvalEdge accepted: its data (links added) and `report`'s summary.
    The write is done whatever happens here: a summary that cannot be made says so, and the data
    is still OvalEdge's answer."""
    try:
        data = written(answer, ctx.settings.link_base_url)
    except Exception:  # an answer of a shape we do not know: keep it as it came
        log.exception("%s: OvalEdge's answer could not be linked", what)
        data = answer if isinstance(answer, dict) else {"answer": answer}
    try:
        text = report(data)
    except Exception as exc:
        log.exception("%s: the report could not be made", what)
        status = data.get("status") if isinstance(data, dict) else None
        target = data.get("target") if isinstance(data, dict) else None
        where = f" to {named(target)}" if isinstance(target, dict) else ""
        text = (f"OvalEdge accepted the change{where} (status {status or 'not given'}). Its answer could "
                f"not be summarised ({type(exc).__name__}); the data below is OvalEdge's answer as it came.")
    return ok(data, formattedResponse=text)


def strings(value: Any) -> list[str]:
    """A list of names from an answer that may hold strings or objects (a role, a field...)."""
    out = []
    for item in value if isinstance(value, list) else [] if value is None else [value]:
        if isinstance(item, dict):
            name = next((item[k] for k in ("role", "roleName", "field", "fieldName", "fieldKey", "name")
                         if item.get(k)), None)
            out.append(str(name) if name is not None else ", ".join(f"{k}={v}" for k, v in item.items()))
        elif item is not None and str(item).strip():
            out.append(str(item))
    return out


def reasons(value: Any) -> list[str]:
    """`blockedReasons` (or blocked objects) as lines: field or role, code, message."""
    lines = []
    for item in value if isinstance(value, list) else []:
        if isinstance(item, dict):
            parts = [str(item.get(k)).strip() for k in ("field", "role", "fieldName", "reasonCode", "code",
                                                        "message") if item.get(k)]
            if parts:
                lines.append(" - ".join(parts))
    return lines

