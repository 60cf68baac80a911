"""Helpers for the sandbox tests: paths, demo credentials, and calling the sandbox over HTTP."""

from __future__ import annotations

import json

import httpx

from sandbox import DEMO_USER_SECRET, DEMO_USER_TOKEN

TOKEN_PATH = "/api/user/token/generate"
MCP = "/api/v1/mcp"
SEARCH = f"{MCP}/search-catalog"
DETAILS = f"{MCP}/object-details"
WRITE = f"{MCP}/update-asset-descriptions"
EXPLORER = f"{MCP}/asset-explorer"
ASSET_DETAILS = f"{MCP}/asset-details"
ASSET_LINEAGE = f"{MCP}/asset-lineage"
CHANGES = f"{MCP}/metadata-changes-between-crawls"
ACCESS = f"{MCP}/access-explorer"
KNOWLEDGE = f"{MCP}/knowledge-search"
DATASTORY = f"{MCP}/lookup-datastory"
CDE = f"{MCP}/update-cde-associations"
ROLES = f"{MCP}/update-governance-roles"
CUSTOM_FIELDS = f"{MCP}/custom-fields"
CUSTOM_FIELD_VALUES = f"{MCP}/update-custom-field-values"
DOMAIN_METADATA = f"{MCP}/domain-metadata"
GLOSSARY_TERMS = f"{MCP}/glossary-terms"
TAGS = f"{MCP}/tags"
TAG_CREATE_OPTIONS = f"{MCP}/tags/create-options"
TAG_PARENT_OPTIONS = f"{MCP}/tags/parent-options"
TEMPLATES = f"{MCP}/service-request-templates"
SERVICE_REQUESTS = f"{MCP}/service-requests"
DQ = f"{MCP}/dq-intelligence"
DQ_RULES = f"{MCP}/lookup-dq-rules"
CREDS = {"userToken": DEMO_USER_TOKEN, "userSecret": DEMO_USER_SECRET}
EXCHANGE_HEADERS = {"Authorization": "Basic c2FuZGJveA=="}


async def exchange(client: httpx.AsyncClient) -> str:
    response = await client.post(TOKEN_PATH, json=CREDS, headers=EXCHANGE_HEADERS)
    assert response.status_code == 200, response.text
    return response.json()["data"]["token"]


async def authed(client: httpx.AsyncClient) -> dict[str, str]:
    return {"Authorization": f"jwt {await exchange(client)}"}


async def search(client, headers, **params):
    """GET search-catalog; list values travel as JSON-array strings."""
    for key, value in params.items():
        if isinstance(value, list):
            params[key] = json.dumps(value)
    return await client.get(SEARCH, params=params, headers=headers)


async def get_data(client, headers, path, params) -> dict:
    """GET a route that must answer 200 {"ok": true, "data": ...}; its data."""
    response = await client.get(path, params=params, headers=headers)
    assert response.status_code == 200, response.text
    assert response.json()["ok"] is True
    return response.json()["data"]


async def post_data(client, headers, path, body) -> dict:
    response = await client.post(path, json=body, headers=headers)
    assert response.status_code == 200, response.text
    assert response.json()["ok"] is True
    return response.json()["data"]


async def post_error(client, headers, path, body, status: int) -> dict:
    """POST a body that must be refused with `status` {"ok": false, "message": ...}; the body."""
    response = await client.post(path, json=body, headers=headers)
    assert response.status_code == status, response.text
    assert response.json()["ok"] is False and response.json()["message"]
    return response.json()


async def details_of(client, headers, object_id, object_type) -> dict:
    """asset-details' `details` of an object."""
    data = await get_data(client, headers, ASSET_DETAILS, {"objectId": object_id, "objectType": object_type})
    return data["details"]


async def explorer_ids(client, headers, object_type=None, **filters) -> set[int]:
    """Ids of every asset-explorer hit with these filters (of one type when given)."""
    found, page = set(), 1
    while True:
        body = {"search": {"page": page, "limit": 50}, "filters": filters}
        if object_type:
            body["objectType"] = object_type
        data = await post_data(client, headers, EXPLORER, body)
        found |= {item["objectId"] for item in data["items"]}
        if page * 50 >= data["total"]:
            return found
        page += 1


def names(items) -> list[str]:
    return [i["objectName"] for i in items]
