"""OvalEdge's verdict wins: a 2xx answer whose envelope says `ok: false` is an error that carries
OvalEdge's message and code, whichever key the release puts the code under (docs/wire.md §0)."""

from __future__ import annotations

import pytest

from tests.harness import demo_supervisor, result_text

API = "/api/v1/mcp"
ORDERS = 1002

# (tool, arguments, the route that answers ok:false)
CALLS = [
    ("asset_details", {"object_id": ORDERS, "object_type": "oetable"}, f"{API}/asset-details"),
    ("asset_explorer", {"search_terms": ["orders"]}, f"{API}/asset-explorer"),
    ("asset_lineage", {"object_id": ORDERS, "object_type": "oetable"}, f"{API}/asset-lineage"),
    ("knowledge_search", {"query": "revenue"}, f"{API}/knowledge-search"),
    ("metadata_changes_between_crawls", {"connection_name": "pos_postgres", "last_n_days": 7},
     f"{API}/metadata-changes-between-crawls"),
    ("access_explorer", {"operation": "catalog_access", "query_direction": "object_to_principals",
                         "object_id": ORDERS, "object_type": "oetable", "access_intent_confirmed": "catalog_acl"},
     f"{API}/access-explorer"),
]


@pytest.mark.parametrize("code_key", ["code", "errorCode", "error_code"])
async def test_a_2xx_ok_false_is_an_error_with_ovaledges_message_and_code(tmp_path, code_key):
    async with demo_supervisor(tmp_path / "s.sock") as (conn, sandbox):
        for tool, args, path in CALLS:
            await sandbox.fault({"status": 200, "message": "Object is archived", "error_code": "mcp.archived",
                                 "error_code_key": code_key, "path": path})
            result = await conn.call(tool, args)
            text = result_text(result)
            assert result.is_error, (tool, text)
            assert "HTTP 200" in text and "ok:false" in text, text
            assert "Object is archived" in text and "mcp.archived" in text, text
            assert "Nothing was changed" in text, text
