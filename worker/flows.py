"""What a guided flow must remember between calls, kept by the worker that runs it.

`create_tag` offers parents only once the user has seen the parent picker for that tag name;
the picker call and the choice are separate tool calls. A graceful recycle hands this memory to
the successor worker with the JWT (`export` / `adopt`); after a crash it is gone, and the flow
says which step to redo instead of guessing.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

MAX_ENTRIES = 1_000  # a long day of flows; the oldest are forgotten first


class FlowMemory:
    def __init__(self) -> None:
        self._entries: OrderedDict[str, Any] = OrderedDict()

    @staticmethod
    def _key(flow: str, subject: str) -> str:
        return f"{flow}:{subject.strip().casefold()}"

    def remember(self, flow: str, subject: str, value: Any) -> None:
        key = self._key(flow, subject)
        self._entries[key] = value
        self._entries.move_to_end(key)
        while len(self._entries) > MAX_ENTRIES:
            self._entries.popitem(last=False)

    def recall(self, flow: str, subject: str) -> Any | None:
        return self._entries.get(self._key(flow, subject))

    def forget(self, flow: str, subject: str) -> None:
        self._entries.pop(self._key(flow, subject), None)

    def export(self) -> dict[str, Any]:
        return dict(self._entries)

    def adopt(self, entries: dict[str, Any] | None) -> None:
        for key, value in (entries or {}).items():
            self._entries[key] = value
