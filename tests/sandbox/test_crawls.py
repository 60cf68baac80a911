"""metadata-changes-between-crawls: windows, sources, filters, errors, and changes that agree
with the crawls (sandbox/crawls.py, sample_crawls.py)."""

from __future__ import annotations

import copy

import pytest

from sandbox import sample_crawls as sc
from sandbox.catalog import Catalog
from sandbox.crawls import snapshots
from tests.sandbox.support import CHANGES, post_data

CATALOG = Catalog()
LATEST = "2025-11-20T01:30:00Z"


def forward(snapshot: dict, changes: list) -> dict:
    """The snapshot after a crawl's changes, applied the way a reader of sample_crawls.py would."""
    after = copy.deepcopy(snapshot)
    for change_type, schema, table, details in changes:
        key = (schema, table)
        if change_type == "TABLE_ADDED":
            assert key not in after
            after[key] = None  # columns: whatever the later crawl says
        elif change_type == "TABLE_DELETED":
            assert after.pop(key) == dict(details["columns"])
        elif change_type == "COLUMN_ADDED":
            assert details["columnName"] not in after[key]
            after[key][details["columnName"]] = details["newDataType"]
        elif change_type == "COLUMN_DELETED":
            assert after[key].pop(details["columnName"]) == details["oldDataType"]
        elif change_type == "COLUMN_RENAMED":
            after[key][details["newName"]] = after[key].pop(details["oldName"])
        else:
            assert after[key][details["columnName"]] == details["oldDataType"]
            after[key][details["columnName"]] = details["newDataType"]
    return after


def net_changes(old: dict, new: dict) -> set[tuple]:
    """What a schema compare of two crawls must report (names and types only)."""
    found = {("TABLE_ADDED", *k, None) for k in new.keys() - old.keys()}
    found |= {("TABLE_DELETED", *k, None) for k in old.keys() - new.keys()}
    for key in old.keys() & new.keys():
        found |= {("COLUMN_ADDED", *key, c) for c in new[key].keys() - old[key].keys()}
        found |= {("COLUMN_DELETED", *key, c) for c in old[key].keys() - new[key].keys()}
        found |= {
            ("DATA_TYPE_CHANGED", *key, c)
            for c in old[key].keys() & new[key].keys()
            if old[key][c] != new[key][c]
        }
    return found


def test_the_changes_agree_with_the_crawls_and_the_catalog():
    crawled = snapshots(CATALOG, "retail_snowflake")
    assert list(crawled) == [7003, 7002, 7001]
    assert crawled[7003] == {
        (t["schemaName"], t["objectName"]): {
            c["objectName"]: c["dataType"] for c in CATALOG.column_docs(t["objectId"])
        }
        for t in CATALOG.of_type("oetable")
        if t["connectionName"] == "retail_snowflake"
    }
    for earlier, later in [(7001, 7002), (7002, 7003)]:
        moved = forward(crawled[earlier], sc.CHANGES[later])
        assert moved.keys() == crawled[later].keys()
        for key, columns in moved.items():
            assert columns is None or columns == crawled[later][key], key
    for crawl_id, crawled_at, _ in sc.CRAWLS["retail_snowflake"]:  # the catalog dates what a crawl added
        for change_type, schema, table, details in sc.CHANGES.get(crawl_id, []):
            name = f"retail_snowflake.{schema}.{table}"
            if change_type == "COLUMN_ADDED":
                name += f".{details['columnName']}"
            doc = CATALOG.by_fqn(name)
            if change_type.endswith("ADDED") and doc is not None:
                assert doc["createdDate"] == crawled_at[:10], name
    assert crawled[7001][("mart", "dim_customer")].keys() == crawled[7003][
        ("mart", "dim_customer")
    ].keys() - {"home_region"}


async def test_by_default_the_last_two_crawls_from_their_transactions(client, headers):
    data = await post_data(client, headers, CHANGES, {})
    assert data["connectionName"] == "retail_snowflake" and data["source"] == "transactions_details"
    assert data["fromCrawl"] == {"crawlId": 7002, "crawledAt": "2025-11-13T01:30:00Z"}
    assert data["toCrawl"] == {"crawlId": 7003, "crawledAt": LATEST}
    assert "recommendation" not in data
    assert [(c["changeType"], c["schemaName"], c["tableName"]) for c in data["changes"]] == [
        (kind, schema, table) for kind, schema, table, _ in sc.CHANGES[7003]
    ]
    assert all(c["detectedAt"] == LATEST for c in data["changes"])
    assert data["summary"] == {
        "tablesAdded": 1,
        "tablesDeleted": 1,
        "columnsAdded": 2,
        "columnsDeleted": 1,
        "columnsRenamed": 1,
        "dataTypesChanged": 2,
    }
    renamed = next(c for c in data["changes"] if c["changeType"] == "COLUMN_RENAMED")
    assert renamed == {
        "changeType": "COLUMN_RENAMED",
        "schemaName": "staging",
        "tableName": "stg_customers",
        "oldName": "email_sha256",
        "newName": "email_hash",
        "columnName": "email_hash",
        "objectId": 100602,
        "objectType": "oecolumn",
        "navLink": "#nav/column?browse=summary&id=100602",
        "detectedAt": LATEST,
    }
    for change in data["changes"]:
        if "objectId" in change:  # links lead to the object as it is now
            doc = CATALOG.get(change["objectId"], change["objectType"])
            assert doc["navLink"] == change["navLink"] and doc["tableName"] == change["tableName"]
        else:
            assert change["changeType"].endswith("DELETED")


async def test_a_window_through_an_unrecorded_crawl_is_a_schema_compare(client, headers):
    data = await post_data(client, headers, CHANGES, {"fromCrawlId": 7001, "toCrawlId": 7003})
    assert data["source"] == "schema_compare" and sc.TRANSACTION_JOB in data["recommendation"]
    assert "7002" in data["recommendation"]
    crawled = snapshots(CATALOG, "retail_snowflake")
    reported = {
        (c["changeType"], c["schemaName"], c["tableName"], c.get("columnName")) for c in data["changes"]
    }
    assert reported == net_changes(crawled[7001], crawled[7003])
    assert all(c["detectedAt"] == LATEST for c in data["changes"])
    kinds = {c["changeType"] for c in data["changes"]}
    assert "COLUMN_RENAMED" not in kinds  # a schema compare sees a rename as deleted + added
    assert {("COLUMN_DELETED", "order_total"), ("COLUMN_ADDED", "net_amount")} <= {
        (c["changeType"], c.get("columnName")) for c in data["changes"] if c["tableName"] == "stg_orders"
    }
    # the e-mail column came with crawl 7002 and went with 7003: not there in either end
    assert not [c for c in data["changes"] if c.get("columnName") == "email"]
    one_step = await post_data(client, headers, CHANGES, {"fromCrawlId": 7001, "toCrawlId": 7002})
    assert one_step["source"] == "schema_compare"
    assert one_step["summary"]["tablesAdded"] == 1 and one_step["summary"]["columnsRenamed"] == 0


@pytest.mark.parametrize(
    ("sent", "crawls", "source"),
    [
        ({"toCrawlId": 7002}, (7001, 7002), "schema_compare"),
        ({"fromCrawlId": 7002}, (7002, 7003), "transactions_details"),
        ({"fromCrawlId": 7003, "toCrawlId": 7003}, (7003, 7003), "transactions_details"),
        ({"toCrawlId": 7001}, (7001, 7001), "transactions_details"),
        ({"lastNDays": 3}, (7002, 7003), "transactions_details"),
        ({"lastNDays": 10}, (7001, 7003), "schema_compare"),
        ({"lastNWeeks": 1}, (7002, 7003), "transactions_details"),
        ({"lastNWeeks": 52}, (7001, 7003), "schema_compare"),
        (
            {"fromTimestamp": "2025-11-14T00:00:00Z", "toTimestamp": "2025-11-19"},
            (7002, 7002),
            "transactions_details",
        ),
        ({"fromTimestamp": "2025-11-01", "toTimestamp": "2025-11-20"}, (7001, 7003), "schema_compare"),
        ({"toTimestamp": "2025-11-13T12:00:00+00:00"}, (7001, 7002), "schema_compare"),
        ({"fromCrawlId": 7002, "lastNDays": 30}, (7002, 7003), "transactions_details"),  # ids win
    ],
)
async def test_windows_pick_the_crawls(client, headers, sent, crawls, source):
    data = await post_data(client, headers, CHANGES, {"connectionName": "RETAIL_SNOWFLAKE", **sent})
    assert (data["fromCrawl"]["crawlId"], data["toCrawl"]["crawlId"]) == crawls
    assert data["source"] == source
    if crawls[0] == crawls[1]:
        assert data["changes"] == [] and set(data["summary"].values()) == {0}


async def test_schema_and_table_names_narrow_the_changes(client, headers):
    mart = await post_data(client, headers, CHANGES, {"schemaNames": ["MART"], "question": "what changed?"})
    assert {c["schemaName"] for c in mart["changes"]} == {"mart"} and len(mart["changes"]) == 4
    fct = await post_data(client, headers, CHANGES, {"tableNames": ["fct_sales", "stg_orders"]})
    assert [(c["tableName"], c["changeType"]) for c in fct["changes"]] == [
        ("fct_sales", "COLUMN_ADDED"),
        ("fct_sales", "DATA_TYPE_CHANGED"),
        ("stg_orders", "DATA_TYPE_CHANGED"),
    ]
    assert fct["summary"]["columnsAdded"] == 1 and fct["summary"]["dataTypesChanged"] == 2
    none = await post_data(
        client, headers, CHANGES, {"schemaNames": ["staging"], "tableNames": ["fct_sales"]}
    )
    assert none["changes"] == []


@pytest.mark.parametrize(
    "sent",
    [
        [],
        {"lastNDays": 3, "lastNWeeks": 1},
        {"fromCrawlId": 7003, "toCrawlId": 7001},
        {"connectionName": "warehouse"},
        {"connectionName": "pos_postgres"},
        {"fromCrawlId": 6999},
        {"toCrawlId": 0},
        {"lastNDays": 0},
        {"lastNWeeks": "2"},
        {"lastNDays": True},
        {"fromTimestamp": "yesterday"},
        {"fromTimestamp": "2025-11-20", "toTimestamp": "2025-11-01"},
        {"toTimestamp": "2025-10-01"},
        {"schemaNames": "mart"},
        {"tableNames": [1]},
        {"question": 42},
        {"crawlId": 7003},
    ],
)
async def test_bad_requests(client, headers, sent):
    response = await client.post(CHANGES, json=sent, headers=headers)
    assert response.status_code == 400, response.text
    assert response.json()["ok"] is False and response.json()["message"]
