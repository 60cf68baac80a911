"""The governed-write gate, the one every write goes through (and `dq_rule_advisor`'s
`validate_query`, which runs SQL on a source system).

A call without `write_confirmed_by_user` posts nothing: it answers a preview of the exact write
body and a `confirmationToken`, an HMAC-SHA-256 of that body's canonical JSON under a key only
this server knows. Only a call with `write_confirmed_by_user=true` and that token (so the same
body, previewed by us) posts. Anything else posts nothing and says to show the preview first;
no answer ever reveals a token a preview did not give. `dry_run=true`, where a tool has it, asks
OvalEdge to validate without saving, so it needs no confirmation.

The key comes from `OE_MCP_CONFIRM_KEY`: the supervisor makes one per run and gives it to every
worker, so a preview stays valid across a worker crash or recycle; a worker run alone makes its
own.

Who makes the confirmed call is the supervisor's business (supervisor/confirm.py,
OE_MCP_CONFIRM): for a client that can ask its user (MCP elicitation), the supervisor gets the
preview, asks the user, and sends the confirmed call itself only after a yes; the gate sees the
same two calls either way.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
from typing import TYPE_CHECKING, Any

from shared.redaction import register_secret
from shared.worker_env import CONFIRM_KEY_ENV
from worker.errors import InvalidArguments
from worker.schema import boolean, string

if TYPE_CHECKING:
    from worker.registry import ToolContext
    from worker.routes import Capability

NO_PREVIEW = (
    "no preview of this exact change: call without write_confirmed_by_user, show the preview to the "
    "user, then confirm with its confirmation_token (a changed argument needs a new preview); "
    "nothing was written."
)

# The arguments every governed tool takes, and those the update tools add.
CONFIRMATION = {
    "write_confirmed_by_user": boolean("After the user approved."),
    "confirmation_token": string("From the preview."),
}
UPDATE_OPTIONS = {
    "dry_run": boolean("Validate only."),
    "idempotency_key": string("Makes a retried write safe."),
    "prompt": string("The user's words."),
    "reason": string("Why (audit)."),
}


def write_options(a: dict[str, Any], *, fail_on_blocked: bool = False) -> dict[str, Any]:
    """The `options` member of an update body, when any option was given."""
    pairs = [("dryRun", "dry_run"), ("idempotencyKey", "idempotency_key")]
    if fail_on_blocked:
        pairs.insert(1, ("failOnBlockedField", "fail_on_blocked_field"))
    options = {key: _given(a[arg]) for key, arg in pairs if arg in a}
    options = {key: value for key, value in options.items() if value is not None}
    return {"options": options} if options else {}


def client_context(a: dict[str, Any]) -> dict[str, Any]:
    """The `clientContext` member (the user's words and reason, for OvalEdge's audit trail)."""
    context = {key: _given(a.get(key)) for key in ("prompt", "reason")}
    context = {key: value for key, value in context.items() if value is not None}
    return {"clientContext": context} if context else {}


def _given(value: Any) -> Any:
    """A string stripped, None when blank (OvalEdge's MCP drops blank options and context);
    any other value as it is."""
    if isinstance(value, str):
        return value.strip() or None
    return value


def canonical(body: Any) -> bytes:
    return json.dumps(body, sort_keys=True, separators=(",", ":"), default=str).encode()


class Gate:
    def __init__(self, key: bytes):
        self._key = key

    @classmethod
    def from_environment(cls) -> Gate:
        given = os.environ.get(CONFIRM_KEY_ENV, "")
        key = bytes.fromhex(given) if given else secrets.token_bytes(32)
        register_secret(key.hex())
        return cls(key)

    def token(self, body: Any) -> str:
        return hmac.new(self._key, canonical(body), hashlib.sha256).hexdigest()

    def preview(self, body: dict[str, Any], *, create: bool, summary: str) -> dict[str, Any]:
        kind = "Create" if create else "Update"
        return {
            "ok": True,
            "workflowPhase": f"confirm_{kind.lower()}",
            "awaitingUserConfirmation": True,
            "writeConfirmedByUser": False,
            f"doNot{kind}": True,
            f"pending{kind}": body,
            "confirmationToken": self.token(body),
            "formattedResponse": f"**Nothing has been written yet.** {summary}\n\nApply this change?",
            "agentInstruction": (
                "Nothing was written. Show formattedResponse to the user; only if they approve, call "
                "again with the same arguments plus write_confirmed_by_user=true and confirmation_token."
            ),
        }

    async def write(
        self, ctx: ToolContext, a: dict[str, Any], body: dict[str, Any], capability: Capability, *,
        create: bool, summary: str, what: str,
    ) -> dict[str, Any]:
        """The preview, OvalEdge's answer to the confirmed POST of `body`, or InvalidArguments."""
        if a.get("dry_run") is True:
            return await ctx.api.ask(capability, body=body, what=what)
        if not a.get("write_confirmed_by_user"):
            ctx.api.offered(capability, what=what)  # no preview of a write this OvalEdge cannot do
            return self.preview(body, create=create, summary=summary)
        given = a.get("confirmation_token")
        if not isinstance(given, str) or not hmac.compare_digest(given, self.token(body)):
            raise InvalidArguments(NO_PREVIEW, error_code="confirmation_token_mismatch")
        return await ctx.api.ask(capability, body=body, what=what)
