"""Slimming answers to the response budget (worker/shaping.py)."""

from __future__ import annotations

import json

from worker.shaping import fit_to_budget

BUDGET = 20_000


def test_keys_that_look_like_paths_are_shaped_like_any_other():
    """A key holding `[` (an OvalEdge custom field, "Retention [days]") once made the cut
    bookkeeping parse it as a list index: ValueError, an internal error for the client
    (docs/security.md, item 6)."""
    data = {"items": [{"description": "d" * 3000, "n": i} for i in range(100)],
            "items[note": "y" * 7000, "Retention [days]": {"description": "z" * 7000}}
    shaped = fit_to_budget(data, BUDGET, more_hint="narrow the request")
    assert len(json.dumps(shaped, ensure_ascii=False).encode()) <= BUDGET
    cut = shaped["_truncation"]["cut"]
    assert cut[0].startswith("items: kept the first") and "items[note (7000 -> 2000 chars)" in cut
    assert "Retention [days].description (7000 -> 2000 chars)" in cut
