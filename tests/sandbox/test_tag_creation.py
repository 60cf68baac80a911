"""tags/create-options, tags/parent-options and POST tags (sandbox/tag_creation.py) under both tag
security modes, and created tags found by the exact tag lookup, search and `GET tags`."""

from __future__ import annotations

import httpx
import pytest

from sandbox import open_sandbox
from tests.sandbox.support import (
    EXPLORER,
    TAG_CREATE_OPTIONS,
    TAG_PARENT_OPTIONS,
    TAGS,
    authed,
    get_data,
    post_data,
    post_error,
)

DATA_SENSITIVITY, BUSINESS_AREA, LIFECYCLE = 4101, 4102, 4103
SENSITIVE, PII, FINANCE = 4001, 4002, 4004


async def lookup(client, headers, **top) -> list[dict]:
    data = await post_data(client, headers, EXPLORER, {"objectType": "oetag", "includeParent": True, **top})
    return data["tags"]


async def parents(client, headers, **params) -> dict:
    return await get_data(client, headers, TAG_PARENT_OPTIONS, params)


async def test_secure_mode_offers_masters_then_their_tags(client, headers):
    options = await get_data(client, headers, TAG_CREATE_OPTIONS, {})
    assert options["mode"] == "SECURE" and "master tag" in options["note"]
    assert options["userSelectableMasters"] == [
        {"masterTagId": 4101, "masterTagName": "Data Sensitivity", "description": "How carefully data must be handled."},
        {
            "masterTagId": 4102,
            "masterTagName": "Business Area",
            "description": "The part of the business that relies on the data.",
        },
        {
            "masterTagId": 4103,
            "masterTagName": "Lifecycle",
            "description": "Where an asset stands between approval and removal.",
        },
    ]
    assert await parents(client, headers, masterTagId=DATA_SENSITIVITY) == {
        "masterTagId": DATA_SENSITIVITY,
        "userSelectableParents": [{"parentTagId": SENSITIVE, "parentTagName": "Sensitive", "hasChildren": True}],
    }
    assert await parents(client, headers, masterTagId=DATA_SENSITIVITY, browseParentTagId=SENSITIVE) == {
        "masterTagId": DATA_SENSITIVITY,
        "browseParentTagId": SENSITIVE,
        "userSelectableParents": [{"parentTagId": PII, "parentTagName": "PII", "hasChildren": False}],
    }
    lifecycle = await parents(client, headers, masterTagId=LIFECYCLE)
    assert [p["parentTagName"] for p in lifecycle["userSelectableParents"]] == ["Certified", "Deprecated"]
    for params in [
        {},
        {"masterTagId": 9999},
        {"masterTagId": SENSITIVE},  # a tag, not a master tag
        {"masterTagId": BUSINESS_AREA, "browseParentTagId": PII},  # PII is under Data Sensitivity
        {"masterTagId": BUSINESS_AREA, "browseParentTagId": 9999},
        {"masterTagId": "x"},
    ]:
        response = await client.get(TAG_PARENT_OPTIONS, params=params, headers=headers)
        assert response.status_code == 400 and response.json()["ok"] is False, params


async def test_secure_create_under_a_master_and_under_a_parent(sandbox, client, headers):
    top = await post_data(client, headers, TAGS, {"tagName": "Operations", "masterTagId": BUSINESS_AREA})
    assert top == {
        "tagId": top["tagId"],
        "tagName": "Operations",
        "masterTagId": BUSINESS_AREA,
        "navLink": f"#nav/tag?browse=summary&id={top['tagId']}",
    }
    assert 4006 < top["tagId"] < 4100
    [found] = await lookup(client, headers, name="operations")
    assert found["masterTag"]["objectName"] == "Business Area" and found["parentTag"] is None
    assert found["tagDescription"] == "" and found["owner"] == "chloe.nguyen"
    business_area = await parents(client, headers, masterTagId=BUSINESS_AREA)
    assert [p["parentTagName"] for p in business_area["userSelectableParents"]] == ["Finance", "Marketing", "Operations"]

    body = {"tagName": "Payment Card", "description": "Card numbers and their expiry dates.", "masterTagId": 4101}
    child = await post_data(client, headers, TAGS, {**body, "parentTagId": PII})
    assert child["parentTagId"] == PII and child["masterTagId"] == DATA_SENSITIVITY
    assert sandbox.state.requests[-1].json == {**body, "parentTagId": PII}
    [card] = await lookup(client, headers, objectId=child["tagId"])
    assert card["parentTag"]["objectName"] == "PII" and card["fullyQualifiedName"] == "PII.Payment Card"
    [pii] = await lookup(client, headers, name="PII", includeChildren=True)
    assert [c["objectName"] for c in pii["childTags"]] == ["Payment Card"]
    browse = await parents(client, headers, masterTagId=DATA_SENSITIVITY, browseParentTagId=SENSITIVE)
    assert browse["userSelectableParents"][0]["hasChildren"] is True
    search = await post_data(client, headers, EXPLORER, {"search": {"searchTerms": ["payment card"], "page": 1, "limit": 5}})
    assert search["items"][0]["objectId"] == child["tagId"]
    first_generation = await client.get(TAGS, params={"tagName": "Payment Card"}, headers=headers)
    assert first_generation.json()["data"]["parentTag"]["objectId"] == PII


async def test_secure_refusals_carry_the_selectable_parents(client, headers):
    outside = await post_error(client, headers, TAGS, {"tagName": "Ledger", "masterTagId": BUSINESS_AREA, "parentTagId": PII}, 422)
    assert outside["data"] == {
        "reason": "parent_not_under_master",
        "userSelectableParents": [
            {"parentTagId": FINANCE, "parentTagName": "Finance", "hasChildren": False},
            {"parentTagId": 4005, "parentTagName": "Marketing", "hasChildren": False},
        ],
    }
    assert (await post_error(client, headers, TAGS, {"tagName": "X", "masterTagId": 4101, "parentTagId": 9999}, 422))[
        "data"
    ]["reason"] == "parent_not_under_master"
    duplicate = await post_error(client, headers, TAGS, {"tagName": "pii", "masterTagId": 4101, "parentTagId": 4001}, 422)
    assert duplicate["data"]["reason"] == "duplicate" and "pii" in duplicate["message"]
    assert duplicate["data"]["userSelectableParents"][0]["parentTagName"] == "Sensitive"
    at_top = await post_error(client, headers, TAGS, {"tagName": "FINANCE", "masterTagId": BUSINESS_AREA}, 422)
    assert at_top["data"]["reason"] == "duplicate"
    fine_elsewhere = await post_data(client, headers, TAGS, {"tagName": "Finance", "masterTagId": 4101, "parentTagId": 4001})
    assert fine_elsewhere["parentTagId"] == SENSITIVE


@pytest.mark.parametrize(
    "body",
    [
        [],
        {"masterTagId": 4101},
        {"tagName": " ", "masterTagId": 4101},
        {"tagName": "Orphan"},  # SECURE: a master tag is required
        {"tagName": "Orphan", "masterTagId": 9999},
        {"tagName": "Orphan", "masterTagId": SENSITIVE},
        {"tagName": "Orphan", "masterTagId": "4101"},
        {"tagName": "Orphan", "masterTagId": 4101, "colour": "red"},
        {"tagName": "Orphan", "masterTagId": 4101, "description": 5},
    ],
)
async def test_secure_create_rejects_bad_bodies(client, headers, body):
    await post_error(client, headers, TAGS, body, 400)


async def test_open_mode_has_no_masters_and_free_parents():
    async with open_sandbox(tag_security_mode="OPEN") as sb, httpx.AsyncClient(base_url=sb.base_url) as client:
        headers = await authed(client)
        options = await get_data(client, headers, TAG_CREATE_OPTIONS, {})
        assert options["mode"] == "OPEN" and options["userSelectableMasters"] == [] and "OPEN" in options["note"]
        roots = await parents(client, headers)
        assert [p["parentTagName"] for p in roots["userSelectableParents"]] == [
            "Sensitive",
            "Certified",
            "Finance",
            "Marketing",
            "Deprecated",
        ]
        assert "masterTagId" not in roots
        children = await parents(client, headers, browseParentTagId=SENSITIVE)
        assert children == {
            "browseParentTagId": SENSITIVE,
            "userSelectableParents": [{"parentTagId": PII, "parentTagName": "PII", "hasChildren": False}],
        }
        assert (await client.get(TAG_PARENT_OPTIONS, params={"masterTagId": 4101}, headers=headers)).status_code == 400
        root = await post_data(client, headers, TAGS, {"tagName": "Experimental"})
        assert set(root) == {"tagId", "tagName", "navLink"}
        [experimental] = await lookup(client, headers, name="Experimental")
        assert experimental["masterTag"] is None and experimental["parentTag"] is None
        budget = await post_data(client, headers, TAGS, {"tagName": "Budget", "parentTagId": FINANCE})
        assert budget["parentTagId"] == FINANCE and "masterTagId" not in budget
        [finance] = await lookup(client, headers, objectId=FINANCE, includeChildren=True)
        assert [c["objectName"] for c in finance["childTags"]] == ["Budget"]
        await post_error(client, headers, TAGS, {"tagName": "Secured", "masterTagId": 4101}, 400)
        duplicate = await post_error(client, headers, TAGS, {"tagName": "sensitive"}, 422)
        assert duplicate["data"]["reason"] == "duplicate"
        assert [p["parentTagName"] for p in duplicate["data"]["userSelectableParents"]][-1] == "Experimental"
        unknown = await post_error(client, headers, TAGS, {"tagName": "Lost", "parentTagId": 9999}, 422)
        assert unknown["data"]["reason"] == "parent_not_under_master"


async def test_the_mode_is_a_setting_changeable_at_run_time(sandbox, client, headers):
    await client.post(sandbox.root_url + "/__sandbox/settings", json={"tag_security_mode": "OPEN"})
    assert (await get_data(client, headers, TAG_CREATE_OPTIONS, {}))["mode"] == "OPEN"
    assert "masterTagId" not in await post_data(client, headers, TAGS, {"tagName": "Ad Hoc"})


async def test_open_sandbox_refuses_an_unknown_tag_mode():
    with pytest.raises(ValueError, match="tag_security_mode"):
        async with open_sandbox(tag_security_mode="LOCKED"):
            pass
