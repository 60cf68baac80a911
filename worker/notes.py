"""What a tool call tells the agent beside its data: arguments it ignored, values it normalised.

A call's notes are collected per call (a context variable, so concurrent calls never mix) and
land in the result's `notes` list. Any code a handler runs may add one with `note()`; an
argument a mode does not use is dropped with `ignore()`: the reference server ignores such
arguments, so we never refuse them (a model that passes extra context must not fail).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

_NOTES: ContextVar[list[str] | None] = ContextVar("oe_mcp_call_notes", default=None)


@contextmanager
def collecting() -> Iterator[list[str]]:
    """The notes of one tool call, for as long as the call runs."""
    notes: list[str] = []
    token = _NOTES.set(notes)
    try:
        yield notes
    finally:
        _NOTES.reset(token)


def note(text: str) -> None:
    """Tell the agent something about this call (once; outside a call it goes nowhere)."""
    notes = _NOTES.get()
    if notes is not None and text not in notes:
        notes.append(text)


def ignore(args: dict[str, Any], names: Iterable[str], why: str) -> None:
    """Drop `names` from `args` where given, and say so: "ignored x, y: <why>"."""
    dropped = [name for name in names if args.pop(name, None) is not None]
    if dropped:
        note(f"ignored {', '.join(dropped)}: {why}")


def merged(data: dict[str, Any], notes: list[str]) -> dict[str, Any]:
    """`data` with this call's notes added after any the handler put there itself."""
    if notes:
        own = data.get("notes")
        data["notes"] = [*(own if isinstance(own, list) else [own] if own else []),
                         *(n for n in notes if not (isinstance(own, list) and n in own))]
    return data
