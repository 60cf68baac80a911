"""The crawl history of `retail_snowflake`, as plain literals: three crawls (ids 70xx) and what
each one found changed since the crawl before it.

The latest crawl is the catalog as it is now; each earlier crawl is the catalog with the later
changes undone (crawls.py rebuilds them), so the changes and the crawls always agree. Crawl 7002
ran without ANALYSIS_TRANSACTION_JOB, so OvalEdge kept no transactions for it: a window that
includes it is answered by comparing the two crawls' schemas instead, where a rename shows as a
deleted and an added column. Relative windows (lastNDays, lastNWeeks) end at `CRAWL_CLOCK`, the
sandbox's fixed "now", so the answers do not depend on the day the tests run.
"""

from __future__ import annotations

from typing import Any

CRAWL_CLOCK = "2025-11-21T00:00:00Z"
TRANSACTION_JOB = "ANALYSIS_TRANSACTION_JOB"

# connection -> crawls, oldest first: (crawl id, crawled at, transactions recorded)
CRAWLS: dict[str, list[tuple[int, str, bool]]] = {
    "retail_snowflake": [
        (7001, "2025-10-30T01:30:00Z", True),
        (7002, "2025-11-13T01:30:00Z", False),
        (7003, "2025-11-20T01:30:00Z", True),
    ],
}

# crawl id -> the changes it found since the crawl before. A change: (change type, schema,
# table, details). TABLE_DELETED details list the columns the table had.
CHANGES: dict[int, list[tuple[str, str, str, dict[str, Any]]]] = {
    7002: [
        ("TABLE_ADDED", "mart", "agg_daily_revenue", {}),
        (
            "TABLE_DELETED",
            "mart",
            "rpt_daily_sales_legacy",
            {"columns": [("sales_date", "date"), ("region", "varchar(20)"), ("revenue", "number(14,2)")]},
        ),
        ("COLUMN_ADDED", "mart", "dim_customer", {"columnName": "email", "newDataType": "varchar(255)"}),
        ("COLUMN_RENAMED", "staging", "stg_orders", {"oldName": "order_total", "newName": "net_amount"}),
        (
            "DATA_TYPE_CHANGED",
            "staging",
            "stg_customers",
            {"columnName": "customer_id", "oldDataType": "number(18,0)", "newDataType": "number(38,0)"},
        ),
    ],
    7003: [
        (
            "TABLE_DELETED",
            "staging",
            "stg_product_catalog",
            {"columns": [("product_id", "number(38,0)"), ("sku", "varchar(20)"), ("cost", "number(10,2)")]},
        ),
        ("TABLE_ADDED", "staging", "stg_products", {}),
        ("COLUMN_DELETED", "mart", "dim_customer", {"columnName": "email", "oldDataType": "varchar(255)"}),
        ("COLUMN_ADDED", "mart", "dim_customer", {"columnName": "home_region", "newDataType": "varchar(20)"}),
        ("COLUMN_ADDED", "mart", "fct_sales", {"columnName": "gross_margin", "newDataType": "number(12,2)"}),
        ("COLUMN_RENAMED", "staging", "stg_customers", {"oldName": "email_sha256", "newName": "email_hash"}),
        (
            "DATA_TYPE_CHANGED",
            "mart",
            "fct_sales",
            {"columnName": "quantity", "oldDataType": "number(8,0)", "newDataType": "number(10,0)"},
        ),
        (
            "DATA_TYPE_CHANGED",
            "staging",
            "stg_orders",
            {"columnName": "order_date", "oldDataType": "timestamp_ntz", "newDataType": "date"},
        ),
    ],
}

# crawl id -> row counts it found, for the tables whose counts moved; the latest crawl's counts
# are the catalog's `rowCount`.
ROW_COUNTS: dict[int, dict[tuple[str, str], int]] = {
    7001: {
        ("mart", "fct_sales"): 1402110,
        ("staging", "stg_orders"): 571200,
        ("mart", "dim_customer"): 48210,
    },
    7002: {
        ("mart", "fct_sales"): 1451870,
        ("staging", "stg_orders"): 588340,
        ("mart", "dim_customer"): 48210,
    },
}
