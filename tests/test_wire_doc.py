"""docs/wire.md is the record of OvalEdge's wire: every route the worker calls, and every route
the sandbox answers, has an entry with its evidence in `ovaledge/oe_mcp`."""

from __future__ import annotations

import re

from sandbox.app import ROUTES as SANDBOX_ROUTES
from sandbox.app import TOKEN_PATH
from shared.settings import REPO_ROOT
from worker import routes

WIRE = (REPO_ROOT / "docs" / "wire.md").read_text()


def entries(text: str) -> dict[str, str]:
    """Each entry's body by its heading: from `### METHOD PATH` to the next heading."""
    return dict(re.findall(r"^### `([A-Z]+ [^`]+)`\n(.*?)(?=^##)", text + "\n##", re.M | re.S))


ENTRIES = entries(WIRE)
# A citation: a file of the reference at a commit (7+ hex digits) or a stored version id.
CITATION = re.compile(r"`[\w./-]+\.(py|md)` (@[0-9a-f]{7,40}|id \d+)|id \d{8,}")


def worker_routes() -> set[str]:
    return {str(value) for value in vars(routes).values() if isinstance(value, routes.Route)}


def sandbox_routes() -> set[str]:
    return {f"{r.method} {r.path}" for r in SANDBOX_ROUTES} | {f"POST {TOKEN_PATH}"}


def test_every_worker_route_has_an_entry_with_its_evidence():
    missing = sorted(worker_routes() - set(ENTRIES))
    assert not missing, f"routes without an entry in docs/wire.md: {missing}"
    for route in worker_routes():
        evidence = [line for line in ENTRIES[route].splitlines() if line.startswith("- **Evidence:**")]
        assert evidence, f"{route}: no Evidence line"
        assert CITATION.search(ENTRIES[route]), f"{route}: the evidence cites no reference file and commit"


def test_every_sandbox_route_names_its_entry():
    missing = sorted(sandbox_routes() - set(ENTRIES))
    assert not missing, f"sandbox routes without an entry in docs/wire.md: {missing}"
    for route in sandbox_routes():
        assert "- **Sandbox:**" in ENTRIES[route], f"{route}: the entry does not name its sandbox handler"


def test_the_parser_sees_a_removed_entry_as_missing():
    route = str(routes.ASSET_DETAILS)
    heading = f"### `{route}`\n"
    assert heading in WIRE
    without = WIRE.replace(heading, "### (removed)\n")
    assert route in ENTRIES and route not in entries(without)
