"""Data stories of the sample catalog, as plain literals: story zones 61xx, stories 60xx.

A story's content is HTML. `{<object id>}` in it mentions a catalog object; the catalog turns
each mention into a link to the object (`<a href="#nav/...">name</a>`), so every mention names a
real object. Who may read a story is not kept here: its authorized roles are the roles with a
catalog permission on the story or its zone (sample_access.py).
"""

from __future__ import annotations

from typing import Any

from sandbox.sample_data import OWNER_CUSTOMER, OWNER_SALES, STEWARD_CUSTOMER, STEWARD_SALES

# (id, name, description, owner)
STORY_ZONES: list[tuple[int, str, str, str]] = [
    (6101, "Finance Insights", "Stories on revenue, margin and the monthly close.", OWNER_SALES),
    (6102, "Customer Insights", "Stories on customers, loyalty and retention.", OWNER_CUSTOMER),
]

STORIES: list[dict[str, Any]] = [
    {
        "id": 6001,
        "zone": 6101,
        "name": "Weekly revenue reporting",
        "summary": "How the Monday revenue pack is built, from the sales mart to the Tableau trend.",
        "owner": OWNER_SALES,
        "steward": STEWARD_SALES,
        "created": "2025-06-02",
        "content": (
            "<h2>What the pack shows</h2>"
            "<p>Every Monday finance reviews net revenue per region for the past week, read from "
            "{1012} and charted in {3001}.</p>"
            "<h2>Where the numbers come from</h2>"
            "<ul>"
            "<li>{1011} holds one row per completed sales line.</li>"
            "<li>{1012} sums it per day and region every night at 03:30 UTC.</li>"
            "<li>{5002} carries the same figures to the close workbook.</li>"
            "</ul>"
            "<h2>Definitions</h2>"
            "<p>Revenue follows the glossary term {2001}: after discounts and returns, before tax. "
            "Cancelled orders never count.</p>"
        ),
    },
    {
        "id": 6002,
        "zone": 6102,
        "name": "Customer 360 onboarding",
        "summary": "A first tour of the customer data: where accounts live and how activity is scored.",
        "owner": OWNER_CUSTOMER,
        "steward": STEWARD_CUSTOMER,
        "created": "2025-03-17",
        "content": (
            "<h2>Start here</h2>"
            "<p>Customer accounts are created by the tills and the web shop in {1001}; personal "
            "fields are tagged PII and hashed on their way to {1006}.</p>"
            "<h2>The customer dimension</h2>"
            "<ul>"
            "<li>{1009} has one row per customer with activity flags.</li>"
            "<li>Lifetime value follows {2003}; activity follows {2004}.</li>"
            "<li>{3004} shows active customers per home region.</li>"
            "</ul>"
            "<h2>Ask before you join</h2>"
            "<p>Never join on e-mail addresses; use the customer key.</p>"
        ),
    },
    {
        "id": 6003,
        "zone": 6101,
        "name": "Supplier cost refresh",
        "summary": "What happens when purchasing drops the monthly supplier price list.",
        "owner": OWNER_SALES,
        "steward": STEWARD_SALES,
        "created": "2025-09-29",
        "content": (
            "<h2>The monthly drop</h2>"
            "<p>Purchasing uploads {5001} on the first working day of the month.</p>"
            "<h2>What it changes</h2>"
            "<ul>"
            "<li>{1008} converts every cost to one currency.</li>"
            "<li>{1010} picks up the new unit cost the next night.</li>"
            "<li>{3002} moves as {2002} is recomputed.</li>"
            "</ul>"
            "<p>Late files shift margin figures by a day; check the load before the close.</p>"
        ),
    },
]
