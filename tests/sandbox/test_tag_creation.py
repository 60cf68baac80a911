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


def choice(tag_id: int, name: str, *, children: bool = False, root: bool = False) -> dict:
    """A parent-options row as the reference reads it (tests/tools/test_governance.py @7be16022)."""
    return {"parentTagId": tag_id, "tagName": name, "hasChildren": children, "rootTag": root}


async def test_secure_mode_offers_masters_then_their_tags(client, headers):
    options = await get_data(client, headers, TAG_CREATE_OPTIONS, {})
    assert options["tagSecurityMode"] == "secure" and options["requiredFields"] == ["tagName", "masterTagId"]
    assert [(m["masterTagId"], m["tagName"]) for m in options["masterTagChoices"]] == [
        (4101, "Data Sensitivity"), (4102, "Business Area"), (4103, "Lifecycle")]
    assert options["masterTagChoices"][0]["description"] == "How carefully data must be handled."
    assert options["masterTagChoices"][0]["parentTagChoices"] == [choice(SENSITIVE, "Sensitive", children=True, root=True)]
    assert await parents(client, headers, masterTagId=DATA_SENSITIVITY) == {
        "masterTagId": DATA_SENSITIVITY,
        "masterTagName": "Data Sensitivity",
        "parentTagChoices": [choice(SENSITIVE, "Sensitive", children=True, root=True)],
    }
    assert await parents(client, headers, masterTagId=DATA_SENSITIVITY, browseParentTagId=SENSITIVE) == {
        "masterTagId": DATA_SENSITIVITY,
        "masterTagName": "Data Sensitivity",
        "browseParentTagId": SENSITIVE,
        "browseParentTagName": "Sensitive",
        "parentTagChoices": [choice(PII, "PII")],
    }
    lifecycle = await parents(client, headers, masterTagId=LIFECYCLE)
    assert [p["tagName"] for p in lifecycle["parentTagChoices"]] == ["Certified", "Deprecated"]
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


async def test_the_create_options_shapes(sandbox, client, headers):
    """A master's name under masterTagsName, and the SECURE guidance answered as a 422 with it in
    `data`: both read by the reference (tag_helpers.py @554c256d)."""
    sandbox.state.shapes["tag_master_name_key"] = "masterTagsName"
    named = await get_data(client, headers, TAG_CREATE_OPTIONS, {})
    assert named["masterTagChoices"][1]["masterTagsName"] == "Business Area"
    assert "tagName" not in named["masterTagChoices"][1]
    sandbox.state.shapes["tag_create_options"] = "guidance_422"
    response = await client.get(TAG_CREATE_OPTIONS, headers=headers)
    answer = response.json()
    assert response.status_code == 422 and answer["ok"] is False and "master tag" in answer["message"]
    assert answer["data"]["tagSecurityMode"] == "secure"
    assert [m["masterTagId"] for m in answer["data"]["masterTagChoices"]] == [4101, 4102, 4103]


async def test_secure_create_under_a_master_and_under_a_parent(sandbox, client, headers):
    top = await post_data(client, headers, TAGS, {"tagName": "Operations", "masterTagId": BUSINESS_AREA})
    assert top == {"tagId": top["tagId"], "tagName": "Operations", "masterTagId": BUSINESS_AREA,
                   "tagSecurityMode": "secure"}
    assert 4006 < top["tagId"] < 4100
    [found] = await lookup(client, headers, name="operations")
    assert found["masterTag"]["objectName"] == "Business Area" and found["parentTag"] is None
    assert found["tagDescription"] == "" and found["owner"] == "chloe.nguyen"
    business_area = await parents(client, headers, masterTagId=BUSINESS_AREA)
    assert [p["tagName"] for p in business_area["parentTagChoices"]] == ["Finance", "Marketing", "Operations"]

    body = {"tagName": "Payment Card", "description": "Card numbers and their expiry dates.", "masterTagId": 4101}
    child = await post_data(client, headers, TAGS, {**body, "parentTagId": PII})
    assert child["parentTagId"] == PII and child["masterTagId"] == DATA_SENSITIVITY
    assert sandbox.state.requests[-1].json == {**body, "parentTagId": PII}
    [card] = await lookup(client, headers, objectId=child["tagId"])
    assert card["parentTag"]["objectName"] == "PII" and card["fullyQualifiedName"] == "PII.Payment Card"
    [pii] = await lookup(client, headers, name="PII", includeChildren=True)
    assert [c["objectName"] for c in pii["childTags"]] == ["Payment Card"]
    browse = await parents(client, headers, masterTagId=DATA_SENSITIVITY, browseParentTagId=SENSITIVE)
    assert browse["parentTagChoices"][0]["hasChildren"] is True
    search = await post_data(client, headers, EXPLORER, {"search": {"searchTerms": ["payment card"], "page": 1, "limit": 5}})
    assert search["items"][0]["objectId"] == child["tagId"]
    first_generation = await client.get(TAGS, params={"tagName": "Payment Card"}, headers=headers)
    assert first_generation.json()["data"]["parentTag"]["objectId"] == PII


async def test_secure_refusals_carry_the_create_options_guidance(client, headers):
    """No master, an unknown master or a parent outside the master: 422 with the create-options
    guidance in `data`, which the reference reads as the master picker (invocations.py @7c634658)."""
    for body in ({"tagName": "Ledger", "masterTagId": BUSINESS_AREA, "parentTagId": PII},
                 {"tagName": "X", "masterTagId": 4101, "parentTagId": 9999},
                 {"tagName": "Orphan"}, {"tagName": "Orphan", "masterTagId": 9999},
                 {"tagName": "Orphan", "masterTagId": SENSITIVE}):
        refused = await post_error(client, headers, TAGS, body, 422)
        assert refused["data"]["tagSecurityMode"] == "secure", body
        assert [m["masterTagId"] for m in refused["data"]["masterTagChoices"]] == [4101, 4102, 4103], body
    duplicate = await post_error(client, headers, TAGS, {"tagName": "pii", "masterTagId": 4101, "parentTagId": 4001}, 400)
    assert "pii" in duplicate["message"] and "data" not in duplicate
    await post_error(client, headers, TAGS, {"tagName": "FINANCE", "masterTagId": BUSINESS_AREA}, 400)
    fine_elsewhere = await post_data(client, headers, TAGS, {"tagName": "Finance", "masterTagId": 4101, "parentTagId": 4001})
    assert fine_elsewhere["parentTagId"] == SENSITIVE


@pytest.mark.parametrize(
    "body",
    [
        [],
        {"masterTagId": 4101},
        {"tagName": " ", "masterTagId": 4101},
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
        roots = ["Sensitive", "Certified", "Finance", "Marketing", "Deprecated"]
        options = await get_data(client, headers, TAG_CREATE_OPTIONS, {})
        assert options["tagSecurityMode"] == "open" and "masterTagChoices" not in options
        assert [p["tagName"] for p in options["parentTagChoices"]] == roots
        assert all(p["rootTag"] for p in options["parentTagChoices"])
        listed = await parents(client, headers)
        assert [p["tagName"] for p in listed["parentTagChoices"]] == roots and "masterTagId" not in listed
        children = await parents(client, headers, browseParentTagId=SENSITIVE)
        assert children == {"browseParentTagId": SENSITIVE, "browseParentTagName": "Sensitive",
                            "parentTagChoices": [choice(PII, "PII")]}
        assert (await client.get(TAG_PARENT_OPTIONS, params={"masterTagId": 4101}, headers=headers)).status_code == 400
        root = await post_data(client, headers, TAGS, {"tagName": "Experimental"})
        assert root == {"tagId": root["tagId"], "tagName": "Experimental", "tagSecurityMode": "open"}
        [experimental] = await lookup(client, headers, name="Experimental")
        assert experimental["masterTag"] is None and experimental["parentTag"] is None
        budget = await post_data(client, headers, TAGS, {"tagName": "Budget", "parentTagId": FINANCE})
        assert budget["parentTagId"] == FINANCE and "masterTagId" not in budget
        [finance] = await lookup(client, headers, objectId=FINANCE, includeChildren=True)
        assert [c["objectName"] for c in finance["childTags"]] == ["Budget"]
        await post_error(client, headers, TAGS, {"tagName": "Secured", "masterTagId": 4101}, 400)
        duplicate = await post_error(client, headers, TAGS, {"tagName": "sensitive"}, 400)
        assert "already exists" in duplicate["message"]
        await post_error(client, headers, TAGS, {"tagName": "Lost", "parentTagId": 9999}, 400)


async def test_the_mode_is_a_setting_changeable_at_run_time(sandbox, client, headers):
    await client.post(sandbox.root_url + "/__sandbox/settings", json={"tag_security_mode": "OPEN"})
    assert (await get_data(client, headers, TAG_CREATE_OPTIONS, {}))["tagSecurityMode"] == "open"
    assert "masterTagId" not in await post_data(client, headers, TAGS, {"tagName": "Ad Hoc"})


async def test_open_sandbox_refuses_an_unknown_tag_mode():
    with pytest.raises(ValueError, match="tag_security_mode"):
        async with open_sandbox(tag_security_mode="LOCKED"):
            pass
