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


def names(items) -> list[str]:
    return [i["objectName"] for i in items]
