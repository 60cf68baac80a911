"""The current catalog routes: asset-details (sandbox/assets.py)."""

from __future__ import annotations

from tests.sandbox.support import ASSET_DETAILS, MCP, names


async def test_asset_details_bundles_details_profile_and_relationships(client, headers):
    async def details(object_id, object_type):
        response = await client.get(
            ASSET_DETAILS, params={"objectId": object_id, "objectType": object_type}, headers=headers
        )
        assert response.status_code == 200, response.text
        return response.json()["data"]

    table = await details(1002, "oetable")
    assert set(table) == {"details", "profile", "relationships"}
    first_generation = {
        path: (await client.get(f"{MCP}/{path}", params=params, headers=headers)).json()["data"]
        for path, params in [
            ("object-details", {"objectId": 1002, "objectType": "oetable"}),
            ("column-profile", {"objectId": 1002, "objectType": "oetable"}),
            ("entity-relationships", {"objectId": 1002}),
        ]
    }
    assert table["details"] == first_generation["object-details"]
    assert table["profile"] == first_generation["column-profile"]
    assert table["relationships"] == first_generation["entity-relationships"]
    file = await details(5003, "oefile")
    assert set(file) == {"details", "profile"}
    assert file["details"]["navLink"] == "#nav/file?browse=summary&id=5003"
    assert [c["columnName"] for c in file["profile"]["columns"]] == names(file["details"]["columns"])
    score = next(c for c in file["profile"]["columns"] if c["columnName"] == "satisfaction_score")
    assert (score["minValue"], score["maxValue"], score["distinctCount"]) == (1, 5, 5)
    column = await details(500302, "filecolumn")
    assert set(column) == {"details"} and column["details"]["file"]["objectId"] == 5003
    story = await details(6002, "oestory")
    assert story["details"]["storyZone"]["objectName"] == "Customer Insights"
    assert {m["objectId"] for m in story["details"]["mentionedObjects"]} >= {1001, 1009, 2003}
    for params, status in [
        ({"objectId": 5001, "objectType": "oetable"}, 404),
        ({"objectId": 999999, "objectType": "oefile"}, 404),
        ({"objectId": 1002}, 400),
        ({"objectType": "oetable"}, 400),
        ({"objectId": "x", "objectType": "oetable"}, 400),
        ({"objectId": 1002, "objectType": "spreadsheet"}, 400),
    ]:
        response = await client.get(ASSET_DETAILS, params=params, headers=headers)
        assert response.status_code == status, params
        if status == 404:
            assert response.json() == {"ok": False, "message": "Object not found"}
