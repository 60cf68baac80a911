"""Tool handlers: arguments -> exact OvalEdge wire call -> shaped result.

Every handler gets checked arguments (see `arguments.py`) and returns the JSON answer; errors
are raised as InvalidArguments or OvalEdgeError and turned into `isError` results by the server.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from shared.surface import DESCRIPTION_SLOTS, DOCS_LIMIT_MAX, SLOTS_BY_TYPE, WRITE_TYPE_ALIASES
from worker.arguments import InvalidArguments, exactly_one_mode
from worker.client import OvalEdgeClient
from worker.confirm import confirmation_token

API = "/api/v1/mcp"
Handler = Callable[[OvalEdgeClient, dict[str, Any]], Awaitable[Any]]


def _json_array(values: list[str] | None) -> str | None:
    """OvalEdge takes list filters as a JSON-array string in one query parameter."""
    return json.dumps(values, separators=(",", ":")) if values else None


async def search_catalog_assets(client: OvalEdgeClient, a: dict[str, Any]) -> Any:
    return await client.get(f"{API}/search-catalog", {
        "searchTerms": _json_array(a.get("search_terms")),
        "contextQuery": a.get("context_query"),
        "page": a.get("page", 1),
        "limit": a.get("limit", 20),
        "connectionName": a.get("connection_name"),
        "schemaName": a.get("schema_name"),
        "owner": a.get("owner"),
        "steward": a.get("steward"),
        "custodian": a.get("custodian"),
        "objectType": a.get("object_type"),
    })


async def catalog_asset_details(client: OvalEdgeClient, a: dict[str, Any]) -> Any:
    mode = exactly_one_mode(a, {
        "fqn": ("fully_qualified_name",), "id": ("object_id", "object_type"),
    })
    if mode == "fqn":
        return await client.get(f"{API}/object-details",
                                {"fullyQualifiedName": a["fully_qualified_name"]})
    return await client.get(f"{API}/object-details",
                            {"objectId": a["object_id"], "objectType": a["object_type"]})


async def column_profile_statistics(client: OvalEdgeClient, a: dict[str, Any]) -> Any:
    return await client.get(f"{API}/column-profile",
                            {"objectId": a["object_id"], "objectType": a["object_type"]})


async def table_entity_relationships(client: OvalEdgeClient, a: dict[str, Any]) -> Any:
    return await client.get(f"{API}/entity-relationships", {"objectId": a["object_id"]})


async def asset_lineage(client: OvalEdgeClient, a: dict[str, Any]) -> Any:
    return await client.get(f"{API}/lineage", {
        "objectId": a["object_id"], "objectType": a["object_type"], "depth": a.get("depth", 2),
    })


async def lookup_glossary_term(client: OvalEdgeClient, a: dict[str, Any]) -> Any:
    mode = exactly_one_mode(a, {"id": ("object_id",), "name": ("term_name",)})
    params = {"objectId": a["object_id"]} if mode == "id" else {"termName": a["term_name"]}
    return await client.get(f"{API}/glossary-terms", params)


async def lookup_tags(client: OvalEdgeClient, a: dict[str, Any]) -> Any:
    mode = exactly_one_mode(a, {"id": ("object_id",), "name": ("tag_name",)})
    params = {"objectId": a["object_id"]} if mode == "id" else {"tagName": a["tag_name"]}
    return await client.get(f"{API}/tags", params)


async def search_platform_docs(client: OvalEdgeClient, a: dict[str, Any]) -> Any:
    limit, candidates = a.get("limit"), a.get("num_candidates")
    if candidates is not None and candidates < (limit or 10):
        raise InvalidArguments(
            f"num_candidates={candidates} must be >= limit ({limit or 10}); "
            f"use e.g. num_candidates=128 (max 512), limit 1-{DOCS_LIMIT_MAX}"
        )
    return await client.get(f"{API}/search-platform-docs",
                            {"query": a["query"], "limit": limit, "numCandidates": candidates})


# -- the governed write ---------------------------------------------------------------------

def _camel(slot: str) -> str:
    head, *rest = slot.split("_")
    return head + "".join(part.title() for part in rest)


def description_write_body(a: dict[str, Any]) -> dict[str, Any]:
    """The exact POST body for update-asset-descriptions, or InvalidArguments."""
    object_type = a["object_type"]
    wire_type = WRITE_TYPE_ALIASES.get(object_type, object_type)
    allowed = SLOTS_BY_TYPE.get(object_type) or SLOTS_BY_TYPE.get(wire_type, ())
    typed = {slot: a[slot] for slot in DESCRIPTION_SLOTS if slot in a}
    generic_field, generic_text = a.get("description_field"), a.get("description_text")
    if (generic_field is None) != (generic_text is None):
        raise InvalidArguments("description_field and description_text go together; give both")
    if generic_field and typed:
        raise InvalidArguments(
            "use either description_field+description_text or the typed slots "
            f"({', '.join(typed)}), not both"
        )
    slots = [generic_field] if generic_field else list(typed)
    if not slots:
        raise InvalidArguments(f"no description given; for {object_type} set one of: {', '.join(allowed)}")
    wrong = [slot for slot in slots if slot not in allowed]
    if wrong:
        raise InvalidArguments(
            f"{', '.join(wrong)} is not a slot of {object_type}; allowed: {', '.join(allowed)}"
        )
    if len(allowed) > 1 and len(slots) == 1:
        stated = slots[0].split("_")[0] in (a.get("prompt") or "").lower()
        if not stated:
            raise InvalidArguments(
                f"{object_type} has two slots ({', '.join(allowed)}); ask the user which one "
                f"they mean and pass their words in prompt (it must name '{slots[0].split('_')[0]}')"
            )
    if generic_field:
        descriptions = {"description": generic_text, "descriptionField": _camel(generic_field)}
    else:
        descriptions = {_camel(slot): text for slot, text in typed.items()}
    body: dict[str, Any] = {
        "target": {"objectId": a["object_id"], "objectType": wire_type},
        "descriptions": descriptions,
    }
    options = {
        key: a[arg] for key, arg in (
            ("dryRun", "dry_run"), ("failOnBlockedField", "fail_on_blocked_field"),
            ("idempotencyKey", "idempotency_key"),
        ) if arg in a
    }
    if options:
        body["options"] = options
    context = {key: a[key] for key in ("prompt", "reason") if key in a}
    if context:
        body["clientContext"] = context
    return body


async def update_asset_descriptions(client: OvalEdgeClient, a: dict[str, Any]) -> Any:
    body = description_write_body(a)
    token = confirmation_token(body)
    if a.get("dry_run"):
        return await client.post(f"{API}/update-asset-descriptions", body)
    if not a.get("write_confirmed_by_user"):
        return {
            "ok": True,
            "awaitingUserConfirmation": True,
            "writeConfirmedByUser": False,
            "doNotUpdate": True,
            "pendingUpdate": body,
            "confirmationToken": token,
            "agentInstruction": (
                "Nothing was written. Show this pending update to the user; only if they "
                "approve, call again with the same arguments plus write_confirmed_by_user=true "
                "and confirmation_token."
            ),
        }
    given = a.get("confirmation_token")
    if given != token:
        raise InvalidArguments(
            "confirmation_token does not match these arguments (they changed since the preview, "
            f"or the token is missing); nothing was written. Expected confirmation_token={token} "
            "for exactly these arguments, after the user approved this preview.",
            error_code="confirmation_token_mismatch",
            expectedConfirmationToken=token,
        )
    return await client.post(f"{API}/update-asset-descriptions", body)


HANDLERS: dict[str, Handler] = {
    "search_catalog_assets": search_catalog_assets,
    "catalog_asset_details": catalog_asset_details,
    "column_profile_statistics": column_profile_statistics,
    "table_entity_relationships": table_entity_relationships,
    "asset_lineage": asset_lineage,
    "lookup_glossary_term": lookup_glossary_term,
    "lookup_tags": lookup_tags,
    "search_platform_docs": search_platform_docs,
    "update_asset_descriptions": update_asset_descriptions,
}
