"""The governed-write gate, the one every write tool goes through.

A call without `write_confirmed_by_user` posts nothing: it returns a preview of the exact write
body and a `confirmationToken`, the SHA-256 of that body's canonical JSON. Only a call with
`write_confirmed_by_user=true` and the same token (so the same body) posts; a mismatch posts
nothing and says why. `dry_run=true` asks OvalEdge to validate without saving, so it needs no
confirmation.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Awaitable, Callable
from typing import Any

from worker.errors import InvalidArguments

Post = Callable[[dict[str, Any]], Awaitable[Any]]


def confirmation_token(body: Any) -> str:
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


async def governed_write(args: dict[str, Any], body: dict[str, Any], post: Post) -> Any:
    """Preview, refuse or post `body`, as the gate's rules say for these arguments."""
    token = confirmation_token(body)
    if args.get("dry_run"):
        return await post(body)
    if not args.get("write_confirmed_by_user"):
        return {
            "ok": True,
            "awaitingUserConfirmation": True,
            "writeConfirmedByUser": False,
            "doNotUpdate": True,
            "pendingUpdate": body,
            "confirmationToken": token,
            "agentInstruction": (
                "Nothing was written. Show this pending update to the user; only if they "
                "approve, call again with the same arguments plus write_confirmed_by_user=true "
                "and confirmation_token."
            ),
        }
    if args.get("confirmation_token") != token:
        raise InvalidArguments(
            "confirmation_token does not match these arguments (they changed since the preview, "
            f"or the token is missing); nothing was written. Expected confirmation_token={token} "
            "for exactly these arguments, after the user approved this preview.",
            error_code="confirmation_token_mismatch",
            expectedConfirmationToken=token,
        )
    return await post(body)
