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
    """What a schema compare of two crawls must report, in OvalEdge's terms (table changes with
    no column; a retyped column is "modified")."""
    found = {("added", *k, None) for k in new.keys() - old.keys()}
    found |= {("deleted", *k, None) for k in old.keys() - new.keys()}
    for key in old.keys() & new.keys():
        found |= {("added", *key, c) for c in new[key].keys() - old[key].keys()}
        found |= {("deleted", *key, c) for c in old[key].keys() - new[key].keys()}
        found |= {
            ("modified", *key, c)
            for c in old[key].keys() & new[key].keys()
            if old[key][c] != new[key][c]
        }
    return found


def reported(data: dict) -> set[tuple]:
    return {(e["changeType"], e["schemaName"], e["tableName"], None) for e in data["tableChanges"]} | {
        (e["changeType"], e["schemaName"], e["tableName"], e["columnName"]) for e in data["columnChanges"]
    }


def in_crawl(data: dict) -> tuple[str, str]:
    return data["analyzedFromTimestamp"], data["analyzedToTimestamp"]


CRAWLED_AT = {crawl_id: at for crawl_id, at, _ in sc.CRAWLS["retail_snowflake"]}


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
    assert data["contextHeader"]["connection"] == "retail_snowflake"
    assert in_crawl(data) == (CRAWLED_AT[7002], LATEST)
    assert data["crawlComparisonReference"] == "crawl 7002 -> crawl 7003"
    assert data["fallback"] == {"show": False}
    assert data["rollup"] == {
        "totalChanges": 9,
        "schemasAdded": 0,
        "schemasModified": 0,
        "schemasRemoved": 0,
        "tablesAdded": 1,
        "tablesDeleted": 1,
        "tablesModified": 4,
        "columnsAdded": 3,  # a rename is a deleted and an added column
        "columnsDeleted": 2,
        "columnsModified": 2,
    }
    assert len(data["tableChanges"]) + len(data["columnChanges"]) == data["rollup"]["totalChanges"]
    renamed = [e for e in data["columnChanges"] if "renamed" in e["detail"]]
    assert renamed[1].pop("redirectUrl").endswith("/ovaledge/#nav/column?browse=summary&id=100602")
    assert renamed == [
        {
            "changeType": "deleted",
            "schemaName": "staging",
            "tableName": "stg_customers",
            "columnName": "email_sha256",
            "previousDataType": "varchar",
            "previousLength": "64",
            "detail": "Column deleted (renamed to email_hash)",
        },
        {
            "changeType": "added",
            "schemaName": "staging",
            "tableName": "stg_customers",
            "columnName": "email_hash",
            "currentDataType": "varchar",
            "currentLength": "64",
            "detail": "Column added (renamed from email_sha256)",
            "objectId": 100602,
            "objectType": "oecolumn",
            "navLink": "#nav/column?browse=summary&id=100602",
        },
    ]
    retyped = {e["columnName"]: e for e in data["columnChanges"] if e["changeType"] == "modified"}
    assert retyped["order_date"]["detail"] == "Data type changed"
    assert (retyped["order_date"]["previousDataType"], retyped["order_date"]["currentDataType"]) == (
        "timestamp_ntz",
        "date",
    )
    assert retyped["quantity"]["detail"] == "Length changed"
    assert (retyped["quantity"]["previousLength"], retyped["quantity"]["currentLength"]) == ("8,0", "10,0")
    for entry in data["tableChanges"] + data["columnChanges"]:
        if "objectId" in entry:  # links lead to the object as it is now
            doc = CATALOG.get(entry["objectId"], entry["objectType"])
            assert doc["navLink"] == entry["navLink"]
        else:
            assert entry["changeType"] == "deleted"
    summaries = {(t["schemaName"], t["tableName"]): t for t in data["tableSummaries"]}
    assert summaries[("mart", "dim_customer")] == {
        "schemaName": "mart",
        "tableName": "dim_customer",
        "columnsAdded": 1,
        "columnsDeleted": 1,
        "columnsModified": 0,
    }
    assert [(r["tableName"], r["rowCountDelta"]) for r in data["rowCountChanges"]] == [
        ("fct_sales", 1487300 - 1451870),
        ("stg_orders", 598900 - 588340),
    ]
    assert data["notableDeltas"][0]["tableName"] == "fct_sales"


async def test_a_window_through_an_unrecorded_crawl_is_a_schema_compare(client, headers):
    data = await post_data(client, headers, CHANGES, {"fromCrawlId": 7001, "toCrawlId": 7003})
    assert data["fallback"]["show"] is True and sc.TRANSACTION_JOB in data["fallback"]["message"]
    assert "7002" in data["fallback"]["message"]
    crawled = snapshots(CATALOG, "retail_snowflake")
    assert reported(data) == net_changes(crawled[7001], crawled[7003])
    assert {("deleted", "order_total"), ("added", "net_amount")} <= {
        (c["changeType"], c["columnName"]) for c in data["columnChanges"] if c["tableName"] == "stg_orders"
    }
    # the e-mail column came with crawl 7002 and went with 7003: not there in either end
    assert not [c for c in data["columnChanges"] if c["columnName"] == "email"]
    assert data["compareSchemaUrl"].endswith("#nav/comparedb?srchtab=history&id=7003")
    one_step = await post_data(client, headers, CHANGES, {"fromCrawlId": 7001, "toCrawlId": 7002})
    assert one_step["fallback"]["show"] is True
    assert one_step["rollup"]["tablesAdded"] == 1


@pytest.mark.parametrize(
    ("sent", "crawls", "compared"),
    [
        ({"toCrawlId": 7002}, (7001, 7002), True),
        ({"fromCrawlId": 7002}, (7002, 7003), False),
        ({"fromCrawlId": 7003, "toCrawlId": 7003}, (7003, 7003), False),
        ({"toCrawlId": 7001}, (7001, 7001), False),
        ({"lastNDays": 3}, (7002, 7003), False),
        ({"lastNDays": 10}, (7001, 7003), True),
        ({"lastNWeeks": 1}, (7002, 7003), False),
        ({"lastNWeeks": 52}, (7001, 7003), True),
        (
            {"fromTimestamp": "2025-11-14T00:00:00Z", "toTimestamp": "2025-11-19"},
            (7002, 7002),
            False,
        ),
        ({"fromTimestamp": "2025-11-01", "toTimestamp": "2025-11-20"}, (7001, 7003), True),
        ({"toTimestamp": "2025-11-13T12:00:00+00:00"}, (7001, 7002), True),
        ({"fromCrawlId": 7002, "lastNDays": 30}, (7002, 7003), False),  # ids win
        ({"fromCrawlId": 7002, "toCrawlId": 7003, "lastNDays": 2}, (7002, 7003), False),  # as the reference sends
    ],
)
async def test_windows_pick_the_crawls(client, headers, sent, crawls, compared):
    data = await post_data(client, headers, CHANGES, {"connectionName": "RETAIL_SNOWFLAKE", **sent})
    assert in_crawl(data) == (CRAWLED_AT[crawls[0]], CRAWLED_AT[crawls[1]])
    assert data["fallback"]["show"] is compared
    if crawls[0] == crawls[1]:
        assert data["tableChanges"] == data["columnChanges"] == []
        assert set(data["rollup"].values()) == {0} and data["changeSummary"] == "No changes"


async def test_schema_and_table_names_narrow_the_changes(client, headers):
    mart = await post_data(client, headers, CHANGES, {"schemaNames": ["MART"], "question": "what changed?"})
    assert {c["schemaName"] for c in mart["tableChanges"] + mart["columnChanges"]} == {"mart"}
    assert mart["rollup"]["totalChanges"] == 4
    assert mart["contextHeader"]["catalogSchema"] == "mart" and mart["contextHeader"]["schemaId"] == 103
    assert mart["redirectUrl"].endswith("#nav/schema?id=103")
    fct = await post_data(client, headers, CHANGES, {"tableNames": ["fct_sales", "stg_orders"]})
    assert [(c["tableName"], c["changeType"], c["columnName"]) for c in fct["columnChanges"]] == [
        ("fct_sales", "added", "gross_margin"),
        ("fct_sales", "modified", "quantity"),
        ("stg_orders", "modified", "order_date"),
    ]
    assert fct["rollup"]["columnsAdded"] == 1 and fct["rollup"]["columnsModified"] == 2
    assert {r["tableName"] for r in fct["rowCountChanges"]} == {"fct_sales", "stg_orders"}
    none = await post_data(
        client, headers, CHANGES, {"schemaNames": ["staging"], "tableNames": ["fct_sales"]}
    )
    assert none["tableChanges"] == none["columnChanges"] == none["rowCountChanges"] == []
    assert none["rollup"]["totalChanges"] == 0


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
