"""Governed writes confirmed by the human, in the client, when the client can ask
(OE_MCP_CONFIRM, docs/security.md).

The worker's gate (worker/gate.py) is unchanged: a call without a confirmation answers a
preview of the exact write body and its `confirmationToken`; a call with
`write_confirmed_by_user=true` and that token writes. What changes is who makes the second
call. For a client that declares elicitation, the supervisor makes it, and only after the
human said yes in the client:

- handshake revisions (2024-11-05 ... 2025-11-25): the supervisor asks the preview of the
  worker, reads the object it changes (`asset_details`: the values before, OvalEdge's link),
  sends the client an `elicitation/create` in form mode (a yes/no question naming the change,
  before -> after), waits up to OE_MCP_CONFIRM_TIMEOUT_SECONDS for the answer, and on yes sends the
  confirmed call with the preview's token. Decline, cancel or no answer: nothing is written,
  and the result says which.
- 2026-07-28: the first call is answered with an `InputRequiredResult` carrying the same
  question and a `requestState` sealed here (below); the client retries with the human's answer
  and that state. The state is checked, spent (once only), the preview is asked again and must
  be the same body the human saw (its token digest is in the state), then the confirmed call is
  sent.

The model never sees a token on these paths, and a call that carries one (and no answer of the
human) is asked like any other: under `auto` or `elicit`, with a client that can ask, only the
human's yes writes.

`requestState`: "v1." + base64url(claims JSON) + "." + base64url(HMAC-SHA-256 tag), under a key
derived from this supervisor run's confirmation key (the one the workers' gate keys its tokens
with). Claims: version, issued and expiry times (the TTL is OE_MCP_CONFIRM_TIMEOUT_SECONDS), the
tool, a digest of the call's arguments, a digest of the previewed write's token (so of the
exact body), and a nonce spent on first use. It is signed, not encrypted: it holds digests and
times only, nothing a client could use. A forged, altered, expired, replayed or misplaced state
is refused with -32602 and writes nothing.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from collections.abc import Callable
from typing import Any

from shared.protocol import error_result
from shared.redaction import clip
from shared.surface import Surface

CONFIRM_ARG = "write_confirmed_by_user"
TOKEN_ARG = "confirmation_token"
INPUT_KEY = "confirm"  # the key of our one input request in an InputRequiredResult
STATE_PREFIX = "v1."
STATE_VERSION = 1
STATE_LABEL = b"oe-mcp/request-state/v1"
MESSAGE_MAX_CHARS = 2_000
FORM = {
    "type": "object",
    "properties": {
        "apply": {
            "type": "boolean",
            "title": "Apply this change in OvalEdge",
            "description": "Yes writes exactly the change shown; no writes nothing.",
        },
    },
    "required": ["apply"],
}
# What each outcome of a question means for the caller (nothing was written in any of them).
NOT_WRITTEN = {
    "declined": "the user declined the change in the client",
    "cancelled": "the user dismissed the question without answering",
    "no_answer": "the user did not answer in time",
    "refused": "the client could not ask the user",
}


class StateRejected(Exception):
    """A `requestState` that must not be acted on; the text says why (no secret in it)."""


def _b64u(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _b64u_decode(text: str) -> bytes:
    raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    if _b64u(raw) != text:
        raise ValueError("non-canonical base64url")
    return raw


def _digest(value: Any) -> str:
    canonical = json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)
    return _b64u(hashlib.sha256(canonical.encode()).digest()[:16])


def can_ask(capabilities: Any) -> bool:
    """Whether the client's capabilities allow a form-mode elicitation (an empty `elicitation`
    object means form mode, as in 2025-06-18)."""
    asked = capabilities.get("elicitation") if isinstance(capabilities, dict) else None
    return isinstance(asked, dict) and (not asked or "form" in asked)


class Confirmer:
    def __init__(self, surface: Surface, key: bytes, *, clock: Callable[[], float] = time.time):
        self.surface = surface
        self._key = hmac.new(key, STATE_LABEL, hashlib.sha256).digest()
        self._clock = clock
        self._spent: dict[str, float] = {}  # nonce -> expiry

    # -- which calls ------------------------------------------------------------------------------
    def governed(self, name: str, arguments: dict[str, Any] | None) -> bool:
        """A call the human confirms: a governed tool's, unless it is a dry run or a step that
        only reads (it would not write even if confirmed)."""
        rule = self.surface.document["writes"].get(name) or {}
        if rule.get("writes") != "when_confirmed":
            return False
        return self.surface.may_write(name, {**(arguments or {}), rule["confirm"]: True})

    @staticmethod
    def preview_params(params: dict[str, Any]) -> dict[str, Any]:
        """The call as a preview: the confirmation arguments and the 2026-07-28 retry fields out."""
        arguments = {k: v for k, v in (params.get("arguments") or {}).items()
                     if k not in (CONFIRM_ARG, TOKEN_ARG)}
        kept = {k: v for k, v in params.items() if k not in ("requestState", "inputResponses")}
        return {**kept, "arguments": arguments}

    @staticmethod
    def confirmed_params(preview_params: dict[str, Any], token: str) -> dict[str, Any]:
        return {**preview_params,
                "arguments": {**preview_params["arguments"], CONFIRM_ARG: True, TOKEN_ARG: token}}

    @staticmethod
    def preview_of(result: dict[str, Any] | None) -> dict[str, Any] | None:
        """The gate's preview in a tool result, or None (an error, a picker step, ...)."""
        if not isinstance(result, dict) or result.get("isError"):
            return None
        data = result.get("structuredContent")
        if isinstance(data, dict) and data.get("awaitingUserConfirmation") is True \
                and isinstance(data.get("confirmationToken"), str):
            return data
        return None

    # -- the question ---------------------------------------------------------------------------
    @staticmethod
    def target_of(preview: dict[str, Any]) -> dict[str, Any] | None:
        """The one object an update changes (`target` of its body), or None."""
        pending = _pending(preview)
        target = pending.get("target") if isinstance(pending, dict) else None
        if isinstance(target, dict) and target.get("objectId") is not None and target.get("objectType"):
            return target
        return None

    def question(self, name: str, preview: dict[str, Any],
                 current: dict[str, Any] | None = None) -> dict[str, Any]:
        """The `elicitation/create` params: what changes, on which object, before -> after (with
        `current`, the object as OvalEdge has it now), the exact body, and OvalEdge's link; a
        yes/no form."""
        title = next((t.get("title") for t in self.surface.document["tools"] if t["name"] == name), name)
        summary = str(preview.get("formattedResponse") or "")
        summary = summary.replace("**Nothing has been written yet.** ", "").replace(
            "\n\nApply this change?", "").strip()
        pending = _pending(preview)
        lines = [f"{title}: approve this change in OvalEdge?", summary]
        target = self.target_of(preview)
        current = current or {}
        if target is not None:
            named = f"{current['objectName']} " if isinstance(current.get("objectName"), str) else ""
            lines.append(f"Object: {named}({target['objectType']} {target['objectId']})")
        lines += [f"{field}: {_shown(current.get(field)) if field in current else '(now)'} -> {_shown(after)}"
                  for field, after in _changes(pending)]
        if pending is not None:
            lines.append("Exact change: " + clip(json.dumps(pending, ensure_ascii=False), 900))
        link = current.get("redirectUrl")
        link = link if isinstance(link, str) else _first_link(preview)
        if link:
            lines.append(f"In OvalEdge: {link}")
        lines.append("Nothing is written unless you answer yes.")
        message = clip("\n".join(line for line in lines if line), MESSAGE_MAX_CHARS)
        return {"mode": "form", "message": message, "requestedSchema": FORM}

    @staticmethod
    def outcome(answer: Any) -> str:
        """`accepted`, `declined`, `cancelled` or `no_answer`, from an ElicitResult's wire form."""
        if not isinstance(answer, dict):
            return "no_answer"
        action = answer.get("action")
        if action == "accept":
            content = answer.get("content")
            return "accepted" if isinstance(content, dict) and content.get("apply") is True else "declined"
        if action == "decline":
            return "declined"
        if action == "cancel":
            return "cancelled"
        return "no_answer"

    def not_written(self, name: str, outcome: str, arguments: dict[str, Any] | None):
        """The result of a question not answered yes: nothing written, and which outcome."""
        reason = NOT_WRITTEN.get(outcome, outcome)
        return error_result(
            f"{name}: nothing was written: {reason}. The change to "
            f"{self.surface.subject_of(name, arguments)} was not applied; call again to ask anew.",
            confirmation=outcome, written=False)

    # -- 2026-07-28: the sealed requestState ------------------------------------------------------
    def seal(self, name: str, arguments: dict[str, Any] | None, token: str, ttl: float) -> str:
        now = self._clock()
        claims = {"v": STATE_VERSION, "iat": int(now), "exp": now + ttl, "t": name,
                  "a": _digest(_without_confirmation(arguments)), "w": _digest(token),
                  "n": secrets.token_urlsafe(12)}
        payload = json.dumps(claims, sort_keys=True, separators=(",", ":")).encode()
        tag = hmac.new(self._key, STATE_PREFIX.encode() + payload, hashlib.sha256).digest()
        return f"{STATE_PREFIX}{_b64u(payload)}.{_b64u(tag)}"

    def open(self, state: Any, name: str, arguments: dict[str, Any] | None) -> dict[str, Any]:
        """The claims of a state this run sealed for this very call, still fresh and unspent.
        StateRejected otherwise."""
        if not isinstance(state, str) or not state.startswith(STATE_PREFIX) or state.count(".") != 2:
            raise StateRejected("malformed")
        body, tag = state[len(STATE_PREFIX):].split(".")
        try:
            payload, given = _b64u_decode(body), _b64u_decode(tag)
        except ValueError:
            raise StateRejected("malformed") from None
        expected = hmac.new(self._key, STATE_PREFIX.encode() + payload, hashlib.sha256).digest()
        if not hmac.compare_digest(given, expected):
            raise StateRejected("not sealed by this server (forged or altered)")
        try:
            claims = json.loads(payload)
            version, expiry = claims["v"], float(claims["exp"])
        except (ValueError, KeyError, TypeError):
            raise StateRejected("malformed") from None
        if version != STATE_VERSION:
            raise StateRejected("malformed")
        if not self._clock() < expiry:
            raise StateRejected("expired: the question was not answered in time")
        if claims.get("t") != name or claims.get("a") != _digest(_without_confirmation(arguments)):
            raise StateRejected("it belongs to another call (tool or arguments differ)")
        if claims.get("n") in self._spent:
            raise StateRejected("already used: this answer was acted on once")
        return claims

    def spend(self, claims: dict[str, Any]) -> None:
        """Mark a state used (before anything is written with it)."""
        now = self._clock()
        for nonce, expiry in list(self._spent.items()):
            if expiry <= now:
                del self._spent[nonce]  # expired states are refused anyway
        self._spent[claims["n"]] = float(claims["exp"])

    @staticmethod
    def same_body(claims: dict[str, Any], token: str) -> bool:
        return hmac.compare_digest(claims.get("w", ""), _digest(token))


def _pending(preview: dict[str, Any]) -> Any:
    return next((v for k, v in preview.items() if k.startswith("pending")), None)


def _changes(pending: Any) -> list[tuple[str, Any]]:
    """The values an update body sets, by field (its members that map fields to values)."""
    if not isinstance(pending, dict) or not isinstance(pending.get("target"), dict):
        return []
    changes = []
    for key, value in pending.items():
        if key in ("target", "options", "clientContext") or not isinstance(value, dict):
            continue
        changes += [(field, after) for field, after in value.items() if not isinstance(after, dict | list)]
    return changes[:12]


def _shown(value: Any) -> str:
    if value in (None, ""):
        return "(empty)"
    return clip(json.dumps(value, ensure_ascii=False), 200)


def _without_confirmation(arguments: dict[str, Any] | None) -> dict[str, Any]:
    return {k: v for k, v in (arguments or {}).items() if k not in (CONFIRM_ARG, TOKEN_ARG)}


def _first_link(data: Any) -> str | None:
    """The first `redirectUrl` in a preview (OvalEdge's page of the object), if any."""
    if isinstance(data, dict):
        if isinstance(data.get("redirectUrl"), str):
            return data["redirectUrl"]
        values = data.values()
    elif isinstance(data, list):
        values = data
    else:
        return None
    for value in values:
        found = _first_link(value)
        if found:
            return found
    return None
