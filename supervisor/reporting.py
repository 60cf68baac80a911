"""Telling people what the supervisor did: the operator on stderr, the user's client in an MCP
log notification (once the front has a session to send it on)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

import trio

from shared.redaction import redact

log = logging.getLogger("oe-mcp-local")

Report = Callable[[str, str], Awaitable[None]]  # (level, message)


class Reporter:
    def __init__(self) -> None:
        self.notify: Report | None = None  # set by the front

    async def report(self, level: str, message: str) -> None:
        """Log `message` (redacted) and notify the client of it."""
        message = redact(message)
        getattr(log, "warning" if level in ("warning", "error") else "info")(message)
        if self.notify is not None:
            with trio.move_on_after(1.0):  # a client that stops reading must not stall us
                try:
                    await self.notify(level, message)
                except Exception:  # the client went away; stderr has it
                    pass
