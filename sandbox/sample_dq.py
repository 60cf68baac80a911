"""Data quality in the sample OvalEdge, as plain literals: the rule functions, the rules (ids 80xx)
and the SQL code objects (`oequery`, ids 81xx) that custom SQL rules run.

A rule names the catalog objects it is associated with by id; the sandbox fills in their type
and name. Some rules are associated with critical data element columns, some with nothing yet
(ready to be reused), one is a custom SQL rule over a code object. Code objects are catalog
objects (search finds them, asset-details reads them).
"""

from __future__ import annotations

from typing import Any

from sandbox.sample_data import OWNER_SALES, STEWARD_CUSTOMER, STEWARD_SALES

COLUMN, TABLE, SQL = "column", "table", "sql"
# function -> what it checks: one column, a whole table or file, or the result of a SQL query
DQ_FUNCTIONS: dict[str, str] = {
    "Null Check": COLUMN,
    "Unique Check": COLUMN,
    "Range Check": COLUMN,
    "Pattern Match": COLUMN,
    "Allowed Values": COLUMN,
    "Row Count Check": TABLE,
    "Freshness Check": TABLE,
    "SQL Exact Value": SQL,
    "SQL Values Contains": SQL,
}
DEFAULT_SQL_FUNCTION = "SQL Exact Value"
# a word in a column name -> the pattern its values must match
COLUMN_PATTERNS: dict[str, str] = {
    "email": r"^[^@ ]+@[^@ ]+\.[a-z]{2,}$",
    "phone": r"^\+?[0-9 ()-]{6,}$",
    "sku": r"^[A-Z0-9-]+$",
}

# Code objects: id, schema id, name, description, query, owner, created.
CODE_OBJECTS: list[tuple[int, int, str, str, str, str, str]] = [
    (
        8101,
        103,
        "revenue_reconciliation",
        "Difference between the daily revenue summary and the sales lines it sums; 0 when they agree.",
        "SELECT ABS((SELECT SUM(net_revenue) FROM mart.agg_daily_revenue) - "
        "(SELECT SUM(net_revenue) FROM mart.fct_sales)) AS revenue_difference",
        OWNER_SALES,
        "2025-02-10",
    ),
    (
        8102,
        101,
        "orders_without_lines",
        "Orders that have no order line: a till or web-shop fault.",
        "SELECT COUNT(*) AS orders_without_lines FROM pos.orders o LEFT JOIN pos.order_items i "
        "ON i.order_id = o.order_id WHERE i.order_item_id IS NULL",
        OWNER_SALES,
        "2024-08-19",
    ),
]

DQ_RULES: list[dict[str, Any]] = [
    {
        "id": 8001,
        "name": "Order id is unique",
        "description": "Every order keeps one identifier from the till to the mart.",
        "function": "Unique Check",
        "steward": STEWARD_SALES,
        "objects": [100201],
        "criteria": "order_id has no duplicate values",
    },
    {
        "id": 8002,
        "name": "Net revenue is present",
        "description": "Revenue figures must never be empty; an empty one means a failed load.",
        "function": "Null Check",
        "steward": STEWARD_SALES,
        "objects": [101108, 101204],
        "criteria": "net_revenue IS NOT NULL",
    },
    {
        "id": 8003,
        "name": "Customer e-mail is well formed",
        "description": "Sign-up addresses must be deliverable.",
        "function": "Pattern Match",
        "steward": STEWARD_CUSTOMER,
        "objects": [100102],
        "criteria": f"email matches {COLUMN_PATTERNS['email']}",
    },
    {
        "id": 8004,
        "name": "Amount is not negative",
        "description": "Money amounts on orders and sales lines are zero or more.",
        "function": "Range Check",
        "steward": STEWARD_SALES,
        "objects": [],
        "criteria": "value >= 0",
    },
    {
        "id": 8005,
        "name": "Daily revenue reconciles with sales lines",
        "description": "The revenue summary and the sales lines agree to the cent.",
        "function": "SQL Exact Value",
        "steward": OWNER_SALES,
        "objects": [1012, 1011],
        "criteria": "revenue_difference = 0",
        "codeObjectId": 8101,
    },
]
