"""The dispatch table and the `api` modes: which routes each mode serves, and Spring Boot's own
404 / 405 answers (JSON or the Whitelabel page) for the rest (sandbox/app.py)."""

from __future__ import annotations

from datetime import datetime

import httpx
import pytest

from sandbox import open_sandbox
from tests.sandbox.support import (
    ACCESS,
    ASSET_DETAILS,
    ASSET_LINEAGE,
    CDE,
    CHANGES,
    CUSTOM_FIELD_VALUES,
    CUSTOM_FIELDS,
    DATASTORY,
    DOMAIN_METADATA,
    DQ,
    DQ_RULES,
    EXPLORER,
    GLOSSARY_TERMS,
    KNOWLEDGE,
    MCP,
    ROLES,
    SERVICE_REQUESTS,
    TAG_CREATE_OPTIONS,
    TAG_PARENT_OPTIONS,
    TAGS,
    TEMPLATES,
    TOKEN_PATH,
    WRITE,
    authed,
)

# One valid call per route: (method, path, query params or JSON body)
FIRST_GENERATION_CALLS = [
    ("GET", f"{MCP}/search-catalog", {"searchTerms": '["orders"]'}),
    ("GET", f"{MCP}/object-details", {"objectId": 1002, "objectType": "oetable"}),
    ("GET", f"{MCP}/column-profile", {"objectId": 1002, "objectType": "oetable"}),
    ("GET", f"{MCP}/entity-relationships", {"objectId": 1002}),
    ("GET", f"{MCP}/lineage", {"objectId": 1002, "objectType": "oetable"}),
    ("GET", f"{MCP}/glossary-terms", {"termName": "Revenue"}),
    ("GET", f"{MCP}/tags", {"tagName": "PII"}),
    ("GET", f"{MCP}/search-platform-docs", {"query": "lineage"}),
    ("GET", DATASTORY, {"objectId": 6001}),
]
CURRENT_CALLS = [
    ("POST", EXPLORER, {"search": {"searchTerms": ["orders"], "page": 1, "limit": 5}}),
    ("GET", ASSET_DETAILS, {"objectId": 1002, "objectType": "oetable"}),
    ("GET", ASSET_LINEAGE, {"objectId": 1002, "objectType": "oetable"}),
    (
        "GET",
        ACCESS,
        {
            "operation": "catalog_access",
            "queryDirection": "object_to_principals",
            "objectId": 1002,
            "objectType": "oetable",
        },
    ),
    ("GET", KNOWLEDGE, {"query": "revenue"}),
    (
        "POST",
        CDE,
        {"targets": [{"objectId": 1002, "objectType": "oetable"}], "action": "No", "options": {"dryRun": True}},
    ),
    (
        "POST",
        ROLES,
        {
            "target": {"objectId": 1002, "objectType": "oetable"},
            "roleUpdates": {"owner": "ben.kim"},
            "options": {"dryRun": True},
        },
    ),
    ("GET", CUSTOM_FIELDS, {"objectId": 1002, "objectType": "oetable"}),
    (
        "POST",
        CUSTOM_FIELD_VALUES,
        {
            "target": {"objectId": 1002, "objectType": "oetable"},
            "fieldUpdates": [{"fieldName": "Refresh Frequency", "value": "Daily"}],
            "timeZone": "UTC",
            "options": {"dryRun": True},
        },
    ),
    ("GET", DOMAIN_METADATA, {"searchOn": "oeglobaldomain", "page": 0, "size": 10}),
    (
        "POST",
        GLOSSARY_TERMS,
        {"termName": "Stock Turn", "domainId": 2102, "description": "x", "category1Id": 0, "category2Id": 0},
    ),
    ("GET", TAG_CREATE_OPTIONS, {}),
    ("GET", TAG_PARENT_OPTIONS, {"masterTagId": 4101}),
    ("POST", TAGS, {"tagName": "Operations", "masterTagId": 4102}),
    ("GET", TEMPLATES, {"requestType": "access", "requestObjectType": "oetable"}),
    (
        "POST",
        SERVICE_REQUESTS,
        {
            "ticketTemplateId": 9101,
            "summary": "Read access",
            "objectId": 1002,
            "objectType": "oetable",
            "ticketFields": {"Permission": "Data Read", "Business Justification": "x"},
        },
    ),
    ("GET", SERVICE_REQUESTS, {}),
    ("POST", f"{DQ}/assess-cde", {"discoverCdeColumns": True, "limit": 5}),
    ("POST", f"{DQ}/generate-queries", {"objectId": 101108, "objectType": "oecolumn", "businessRule": "x"}),
    ("POST", f"{DQ}/validate-queries", {"connectionId": 2, "schemaId": 103, "ruleQuery": "SELECT 1",
                                        "statsQuery": "SELECT 2", "failedValuesQuery": "SELECT 3"}),
    ("GET", DQ_RULES, {"ruleName": "revenue"}),
    ("POST", f"{DQ}/create-rules", {"objects": [{"objectId": 100106, "objectType": "oecolumn"}]}),
    ("POST", f"{DQ}/create-sql-rule", {"objectId": 1011, "objectType": "oetable", "ruleName": "One",
                                       "codeObjectId": 8101, "recommendedFunction": "SQL Exact Value"}),
    ("POST", f"{DQ}/associate-rule-objects", {"dqruleId": 8004, "objects": [{"objectId": 100207, "objectType": "oecolumn"}]}),
]
# Served in every generation (constants @94334ab2 and @0f1b928e list it in both).
CHANGES_CALL = ("POST", CHANGES, {"connectionName": "retail_snowflake"})
WRITE_CALL = (
    "POST",
    WRITE,
    {
        "target": {"objectId": 1002, "objectType": "oetable"},
        "descriptions": {"technicalDescription": "x"},
        "options": {"dryRun": True},
    },
)


async def call(client, headers, method, path, inputs):
    if method == "GET":
        return await client.get(path, params=inputs, headers=headers)
    return await client.post(path, json=inputs, headers=headers)


def assert_spring_error(response: httpx.Response, status: int, error: str, path: str) -> None:
    assert response.status_code == status
    body = response.json()
    assert set(body) == {"timestamp", "status", "error", "path"}
    assert body["status"] == status and body["error"] == error
    assert body["path"] == "/ovaledge" + path
    assert datetime.fromisoformat(body["timestamp"]).tzinfo is not None


@pytest.mark.parametrize("mode", ["both", "legacy", "current"])
async def test_each_mode_serves_its_generation_and_answers_the_other_as_unmapped(mode):
    served = {
        "both": FIRST_GENERATION_CALLS + CURRENT_CALLS,
        "legacy": FIRST_GENERATION_CALLS,
        "current": CURRENT_CALLS,
    }[mode]
    async with open_sandbox(api=mode) as sb, httpx.AsyncClient(base_url=sb.base_url) as client:
        assert sb.state.settings()["api"] == mode
        headers = await authed(client)
        for method, path, inputs in [*FIRST_GENERATION_CALLS, *CURRENT_CALLS, WRITE_CALL, CHANGES_CALL]:
            response = await call(client, headers, method, path, inputs)
            if (method, path, inputs) in [*served, WRITE_CALL, CHANGES_CALL]:
                assert response.status_code == 200 and response.json()["ok"] is True, (
                    mode,
                    path,
                    response.text,
                )
            else:
                assert_spring_error(response, 404, "Not Found", path)


async def test_an_unknown_api_path_is_springs_404_after_the_auth_check(client):
    missing = await client.get(f"{MCP}/no-such-route")
    assert missing.status_code == 400 and missing.json()["message"] == "Prefix missing Token"
    headers = await authed(client)
    response = await client.get(f"{MCP}/no-such-route", params={"a": "1"}, headers=headers)
    assert_spring_error(response, 404, "Not Found", f"{MCP}/no-such-route")
    outside = await client.get("/not-api", headers=headers)  # outside /api/: as before
    assert outside.status_code == 404 and outside.json()["ok"] is False


async def test_a_served_route_with_another_method_is_springs_405(client):
    headers = await authed(client)
    for method, path, allowed in [
        ("GET", EXPLORER, "POST"),
        ("POST", f"{MCP}/search-catalog", "GET"),
        ("DELETE", ASSET_DETAILS, "GET"),
        ("PUT", WRITE, "POST"),
        ("GET", CHANGES, "POST"),
        ("GET", TOKEN_PATH, "POST"),
    ]:
        response = await client.request(method, path, headers=headers)
        assert_spring_error(response, 405, "Method Not Allowed", path)
        assert response.headers["allow"] == allowed


@pytest.mark.parametrize(
    ("mode", "method", "status", "allowed"),
    [
        ("both", "PUT", 405, "GET, POST"),
        ("current", "GET", 404, None),  # the first-generation lookup is gone
        ("current", "PUT", 405, "POST"),
        ("legacy", "POST", 404, None),  # creating tags came later
        ("legacy", "DELETE", 405, "GET"),
    ],
)
async def test_a_path_with_a_method_in_each_generation(mode, method, status, allowed):
    async with open_sandbox(api=mode) as sb, httpx.AsyncClient(base_url=sb.base_url) as client:
        response = await client.request(method, TAGS, headers=await authed(client))
        assert_spring_error(response, status, "Not Found" if status == 404 else "Method Not Allowed", TAGS)
        assert response.headers.get("allow") == allowed


async def test_a_route_the_mode_does_not_serve_is_404_whatever_the_method():
    async with open_sandbox(api="legacy") as sb, httpx.AsyncClient(base_url=sb.base_url) as client:
        headers = await authed(client)
        response = await client.get(EXPLORER, headers=headers)
        assert_spring_error(response, 404, "Not Found", EXPLORER)


async def test_springs_html_error_page_instead_of_json(sandbox, client):
    headers = await authed(client)
    sandbox.state.unmapped_answer = "html"
    for method, path, status, kind in [
        ("GET", f"{MCP}/nope", 404, "Not Found"),
        ("GET", EXPLORER, 405, "Method Not Allowed"),
    ]:
        page = await client.request(method, path, headers=headers)
        assert page.status_code == status and page.headers["content-type"].startswith("text/html")
        assert "Whitelabel Error Page" in page.text
        assert f"There was an unexpected error (type={kind}, status={status})" in page.text
    ok = await client.get(ASSET_DETAILS, params={"objectId": 1002, "objectType": "oetable"}, headers=headers)
    assert ok.status_code == 200 and ok.json()["ok"] is True


async def test_the_mode_and_the_error_page_are_settings_changeable_at_run_time(sandbox, client):
    control = sandbox.root_url + "/__sandbox/settings"
    headers = await authed(client)
    settings = (await client.get(control)).json()["settings"]
    assert settings["api"] == "both" and settings["unmapped_answer"] == "json"
    changed = await client.post(control, json={"api": "legacy", "unmapped_answer": "html"})
    assert changed.json()["settings"]["api"] == "legacy"
    assert sandbox.state.api == "legacy" and sandbox.state.unmapped_answer == "html"
    page = await client.get(
        ASSET_DETAILS, params={"objectId": 1002, "objectType": "oetable"}, headers=headers
    )
    assert page.status_code == 404 and "Whitelabel Error Page" in page.text
    await client.post(control, json={"api": "current", "unmapped_answer": "json"})
    assert_spring_error(
        await client.get(f"{MCP}/tags", params={"tagName": "PII"}, headers=headers),
        404,
        "Not Found",
        f"{MCP}/tags",
    )
    for bad in [{"api": "newest"}, {"unmapped_answer": "xml"}, {"api": None}]:
        assert (await client.post(control, json=bad)).status_code == 400
    assert sandbox.state.api == "current"


async def test_open_sandbox_refuses_an_unknown_mode():
    with pytest.raises(ValueError, match="api must be one of"):
        async with open_sandbox(api="newest"):
            pass
