"""What the supervisor and its workers say to each other beyond MCP itself: the private
methods (status, the token handover) and their params and results, and the one way a failed
tool call is worded (`error_result`), which both processes build."""

from __future__ import annotations

import json

import mcp_types as types

from shared.redaction import redact

# An error result carries its text twice (content, structuredContent): this much of it as JSON
# keeps it within the smallest response budget (OE_MCP_RESPONSE_BUDGET_BYTES >= 10000).
ERROR_TEXT_MAX_BYTES = 4_000


def _json_bytes(text: str) -> int:
    return len(json.dumps(text, ensure_ascii=False).encode())


def _fitted(text: str, max_bytes: int) -> str:
    """`text`, or its longest prefix (marked cut) that takes at most `max_bytes` as JSON."""
    if _json_bytes(text) <= max_bytes:
        return text
    low, high = 0, len(text)
    while low < high:
        middle = (low + high + 1) // 2
        low, high = (middle, high) if _json_bytes(text[:middle] + "…") <= max_bytes else (low, middle - 1)
    return text[:low] + "…"


def error_result(text: str, status: int | None = None, **details: object) -> types.CallToolResult:
    """A failed tool call as the client sees it: `isError`, the redacted text (cut to fit
    ERROR_TEXT_MAX_BYTES), and the same in `structuredContent` (with the HTTP status and any
    machine-readable details)."""
    text = _fitted(redact(text), ERROR_TEXT_MAX_BYTES)
    structured: dict[str, object] = {"error": text, **details}
    if status is not None:
        structured["status_code"] = status
    return types.CallToolResult(
        content=[types.TextContent(type="text", text=text)],
        structured_content=structured,
        is_error=True,
    )


# -- private supervisor <-> worker requests (plain MCP requests with our own method names) ----
STATUS_METHOD = "oe-mcp/status"
TOKEN_EXPORT_METHOD = "oe-mcp/token-export"
TOKEN_ADOPT_METHOD = "oe-mcp/token-adopt"


class WorkerStatusResult(types.Result):
    """The worker's own state for the status socket: never a token value."""

    pid: int = 0
    token: dict[str, object] = {}
    routes: dict[str, object] = {}  # which OvalEdge API route generation is in use


class TokenHandover(types.Result):
    """What a retiring worker hands its successor (never logged): the JWT, and the memory of
    guided flows in progress."""

    jwt: str | None = None
    flows: dict[str, object] = {}


class TokenAdoptParams(types.RequestParams):
    jwt: str | None = None
    flows: dict[str, object] = {}
