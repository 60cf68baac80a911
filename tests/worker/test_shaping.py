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


def test_links_are_found_wherever_the_nav_route_sits_and_relative_redirects_become_absolute():
    """The reference takes the in-app route from the first `#nav/` of `navLink` or `hyperlink`
    (nav_links.py @0c0f903a), and makes a `redirectUrl` of `#nav/...` absolute (catalog_access)."""
    from worker.shaping import add_links

    base = "https://oe.example/ovaledge"
    data = {
        "items": [
            {"navLink": "#nav/table?id=1"},
            {"hyperlink": "https://old.example/ovaledge/#nav/table?id=2"},
            {"navLink": "https://x/ovaledge/https://x/ovaledge/#nav/column?id=3"},
            {"navLink": "not a route", "redirectUrl": "https://kept.example/a"},
        ],
        "redirectUrl": "#nav/schema?id=9",
        "nested": {"redirectUrl": "  #nav/story?id=4 "},
    }
    add_links(data, base)
    assert [i.get("redirectUrl") for i in data["items"]] == [
        f"{base}/#nav/table?id=1", f"{base}/#nav/table?id=2", f"{base}/#nav/column?id=3",
        "https://kept.example/a"]
    assert data["redirectUrl"] == f"{base}/#nav/schema?id=9"
    assert data["nested"]["redirectUrl"] == f"{base}/#nav/story?id=4"
