"""The governed write, `update_asset_descriptions`, over real HTTP through `oe-mcp-worker`:
the slot rules, the preview that posts nothing, the confirmation token bound to the exact body,
dry runs and options, each checked on what reached the sandbox."""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

from tests.harness import result_json, result_text, sandbox_env, worker
from worker.tools.descriptions import DESCRIPTION_SLOTS, WRITE_OBJECT_TYPES

API = "/api/v1/mcp"
WRITE = f"{API}/update-asset-descriptions"
ORDERS = 1002  # pos.orders in the sandbox catalog
REVENUE = 2001  # glossary term
PII = 4002  # tag
WIRE_TESTED = ("update_asset_descriptions",)  # the exact POST bodies: the gate tests below


def api_requests(sandbox) -> list:
    return [r for r in sandbox.state.requests if r.path.startswith(API)]


CONFIRM_KEY = "5f" * 32  # the gate's key for these workers (the supervisor makes one per run)


def gate_env(sandbox) -> dict[str, str]:
    return sandbox_env(sandbox, OE_MCP_CONFIRM_KEY=CONFIRM_KEY)


def expected_token(body: dict[str, Any]) -> str:
    """HMAC-SHA-256, under the run's key, of the canonical JSON (sorted keys, compact) of the
    exact write body: only a preview of that body can give it."""
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":")).encode()
    return hmac.new(bytes.fromhex(CONFIRM_KEY), canonical, hashlib.sha256).hexdigest()


def structured(result) -> dict[str, Any]:
    """The result's JSON, after checking structuredContent and the text block agree."""
    data = result_json(result)
    assert result.structured_content == data
    return data


def _all(values) -> list[str]:
    return list(values)


INVALID_CASES: list[tuple[str, dict[str, Any], list[str]]] = [
    # update_asset_descriptions: rejected before any preview or POST
    ("update_asset_descriptions", {"object_id": 9, "object_type": "oestory", "business_description": "x"},
     ["object_type='oestory' is not allowed", *_all(WRITE_OBJECT_TYPES)]),
    ("update_asset_descriptions", {"object_id": PII, "object_type": "oetag", "business_description": "x"},
     ["business_description is not a slot of oetag", "allowed: tag_description"]),
    ("update_asset_descriptions",
     {"object_id": 1, "object_type": "oeglobaldomain", "tag_description": "x"},
     ["tag_description is not a slot of oeglobaldomain", "allowed: domain_description"]),
    ("update_asset_descriptions", {"object_id": REVENUE, "object_type": "glossary",
                                   "technical_description": "x", "prompt": "technical please"},
     ["technical_description is not a slot of glossary",
      "allowed: business_description, detailed_description"]),
    ("update_asset_descriptions",
     {"object_id": ORDERS, "object_type": "oetable", "business_description": "x",
      "description_field": "technical_description", "description_text": "y"},
     ["use either description_field+description_text or the typed slots", "not both"]),
    ("update_asset_descriptions",
     {"object_id": ORDERS, "object_type": "oetable", "description_field": "business_description"},
     ["description_field and description_text go together"]),
    ("update_asset_descriptions",
     {"object_id": ORDERS, "object_type": "oetable", "description_text": "y"},
     ["description_field and description_text go together"]),
    ("update_asset_descriptions",
     {"object_id": ORDERS, "object_type": "oetable", "description_field": "summary",
      "description_text": "y"},
     ["description_field='summary' is not allowed", *_all(DESCRIPTION_SLOTS)]),
    ("update_asset_descriptions", {"object_id": ORDERS, "object_type": "oetable"},
     ["no description given", "business_description, technical_description"]),
    ("update_asset_descriptions",
     {"object_id": ORDERS, "object_type": "oetable", "business_description": "x"},
     ["oetable has two slots (business_description, technical_description)", "prompt",
      "'business'"]),
    ("update_asset_descriptions",
     {"object_id": ORDERS, "object_type": "oetable", "technical_description": "x",
      "prompt": "please update the description of orders"},
     ["oetable has two slots", "'technical'"]),
    ("update_asset_descriptions",  # a typed slot needs the user's words; description_field does not
     {"object_id": REVENUE, "object_type": "glossary", "detailed_description": "x",
      "prompt": "fix the business text"},
     ["glossary has two slots (business_description, detailed_description)", "'detailed'"]),
    ("update_asset_descriptions", {"object_type": "oetable", "business_description": "x"},
     ["missing required argument: object_id"]),
]


async def test_invalid_write_arguments_are_rejected_before_any_http_call(sandbox):
    async with worker(gate_env(sandbox)) as conn:
        for tool, args, fragments in INVALID_CASES:
            result = await conn.call(tool, args)
            text = result_text(result)
            assert result.is_error, (tool, args, text)
            assert text.startswith(f"Invalid arguments for {tool}: "), text
            for fragment in fragments:
                assert fragment in text, (tool, args, fragment, text)
            assert result.structured_content == {"error": text, "status_code": 400}
    assert api_requests(sandbox) == []


# -- the governed write ------------------------------------------------------------------------

# object type -> the slots it accepts (reference §4.3.5), aliases included
EXPECTED_SLOTS = {
    **{t: {"business_description", "technical_description"} for t in (
        "oeschema", "oetable", "oecolumn", "oefile", "oefilecolumn", "filecolumn", "oechart",
        "chartchild", "oeapi", "oeapicolumn", "oequery", "code", "oecode")},
    **{t: {"business_description", "detailed_description"}
       for t in ("glossary", "businessglossary", "dp_product")},
    "oeglobaldomain": {"domain_description"},
    "dp_domain": {"domain_description"},
    "oetag": {"tag_description"},
    "mastertag": {"master_tag_description"},
}
WIRE_TYPE = {"filecolumn": "oefilecolumn", "oecode": "code", "businessglossary": "glossary"}


def camel(slot: str) -> str:
    head, *rest = slot.split("_")
    return head + "".join(part.title() for part in rest)


async def test_slot_rules_per_object_type_in_the_preview(sandbox):
    assert set(EXPECTED_SLOTS) == set(WRITE_OBJECT_TYPES)
    async with worker(gate_env(sandbox)) as conn:
        for object_type, allowed in EXPECTED_SLOTS.items():
            for slot in DESCRIPTION_SLOTS:
                args = {"object_id": 5, "object_type": object_type, slot: "New text.",
                        "prompt": f"set the {slot.split('_')[0]} description"}
                result = await conn.call("update_asset_descriptions", args)
                if slot not in allowed:
                    assert result.is_error, (object_type, slot)
                    assert f"{slot} is not a slot of {object_type}" in result_text(result)
                    assert all(ok in result_text(result) for ok in allowed)
                    continue
                preview = structured(result)
                assert preview["awaitingUserConfirmation"] is True, (object_type, slot)
                assert preview["pendingUpdate"] == {
                    "target": {"objectId": 5, "objectType": WIRE_TYPE.get(object_type, object_type)},
                    "descriptions": {camel(slot): "New text."},
                    "clientContext": {"prompt": args["prompt"]},
                }
            # single-slot types need no prompt; two-slot types do (tested as invalid above)
            if len(allowed) == 1:
                [slot] = allowed
                only = {"object_id": 5, "object_type": object_type, slot: "x"}
                assert structured(await conn.call("update_asset_descriptions", only))["doNotUpdate"]
            # setting both slots of a two-slot type is unambiguous without a prompt
            if len(allowed) == 2:
                both = {"object_id": 5, "object_type": object_type, **{s: "x" for s in allowed}}
                assert structured(await conn.call("update_asset_descriptions", both))["doNotUpdate"]
    assert api_requests(sandbox) == []


async def test_confirm_gate_posts_once_and_only_with_the_right_token(sandbox):
    text = "Orders placed at the till or online; one row per order, cancellations kept."
    args = {"object_id": ORDERS, "object_type": "oetable", "business_description": text,
            "prompt": "Update the business description of orders", "reason": "clarify channel"}
    body = {
        "target": {"objectId": ORDERS, "objectType": "oetable"},
        "descriptions": {"businessDescription": text},
        "clientContext": {"prompt": args["prompt"], "reason": args["reason"]},
    }
    token = expected_token(body)
    before = sandbox.state.catalog.get(ORDERS)["businessDescription"]
    async with worker(gate_env(sandbox)) as conn:
        preview = structured(await conn.call("update_asset_descriptions", args))
        assert preview["awaitingUserConfirmation"] is True and preview["doNotUpdate"] is True
        assert preview["writeConfirmedByUser"] is False
        assert preview["pendingUpdate"] == body
        assert preview["confirmationToken"] == token
        assert "Nothing was written" in preview["agentInstruction"]

        # approved but without a token, with a wrong one, with the plain SHA-256 of the body a
        # client could compute itself, or for changed arguments: nothing posted, no token told
        changed = {**args, "business_description": text + " Edited."}
        changed_token = expected_token({**body, "descriptions": {"businessDescription": changed[
            "business_description"]}})
        unkeyed = hashlib.sha256(json.dumps(body, sort_keys=True, separators=(",", ":")).encode()).hexdigest()
        for attempt in (
            {**args, "write_confirmed_by_user": True},
            {**args, "write_confirmed_by_user": True, "confirmation_token": "0" * 64},
            {**args, "write_confirmed_by_user": True, "confirmation_token": unkeyed},
            {**changed, "write_confirmed_by_user": True, "confirmation_token": token},
        ):
            refused = await conn.call("update_asset_descriptions", attempt)
            text_of = result_text(refused)
            assert refused.is_error and "no preview of this exact change" in text_of
            assert "nothing was written" in text_of
            assert token not in text_of and changed_token not in text_of
            assert refused.structured_content["error_code"] == "confirmation_token_mismatch"
            assert "expectedConfirmationToken" not in refused.structured_content
        # a token but no approval is still only a preview
        unapproved = structured(await conn.call(
            "update_asset_descriptions", {**args, "confirmation_token": token}))
        assert unapproved["awaitingUserConfirmation"] is True
        assert sandbox.state.count("POST", WRITE) == 0
        assert sandbox.state.catalog.get(ORDERS)["businessDescription"] == before

        done = structured(await conn.call(
            "update_asset_descriptions",
            {**args, "write_confirmed_by_user": True, "confirmation_token": token}))
    [post] = [r for r in api_requests(sandbox) if r.method == "POST"]
    assert post.path == WRITE and post.query == {} and post.json == body and post.status == 200
    assert len(api_requests(sandbox)) == 1
    assert done["data"]["status"] == "success"
    assert done["data"]["updatedFields"] == ["businessDescription"]
    assert done["data"]["target"]["redirectUrl"].startswith("http")
    assert sandbox.state.catalog.get(ORDERS)["businessDescription"] == text


async def test_dry_run_and_options_reach_the_wire(sandbox):
    async with worker(gate_env(sandbox)) as conn:
        # dry_run skips the gate and forwards options.dryRun; nothing is saved
        dry = structured(await conn.call("update_asset_descriptions", {
            "object_id": ORDERS, "object_type": "oetable", "technical_description": "Append-only.",
            "dry_run": True, "prompt": "try the technical description",
        }))
        assert dry["data"]["dryRun"] is True and dry["data"]["updatedFields"] == []
        assert dry["data"]["wouldUpdateFields"] == ["technicalDescription"]

        # generic slot + every option, confirmed; businessglossary is sent as glossary
        args = {
            "object_id": REVENUE, "object_type": "businessglossary",
            "description_field": "detailed_description", "description_text": "Net of returns.",
            "fail_on_blocked_field": True, "idempotency_key": "rev-2025-11-20",
            "prompt": "Set the detailed description of Revenue", "reason": "finance review",
        }
        body = {
            "target": {"objectId": REVENUE, "objectType": "glossary"},
            "descriptions": {"description": "Net of returns.", "descriptionField": "detailedDescription"},
            "options": {"failOnBlockedField": True, "idempotencyKey": "rev-2025-11-20"},
            "clientContext": {"prompt": args["prompt"], "reason": "finance review"},
        }
        preview = structured(await conn.call("update_asset_descriptions", args))
        assert preview["pendingUpdate"] == body
        assert preview["confirmationToken"] == expected_token(body)
        written = structured(await conn.call("update_asset_descriptions", {
            **args, "write_confirmed_by_user": True, "confirmation_token": expected_token(body)}))
        assert written["data"]["updatedFields"] == ["detailedDescription"]
    posts = [r for r in api_requests(sandbox) if r.method == "POST"]
    assert [p.json for p in posts] == [
        {
            "target": {"objectId": ORDERS, "objectType": "oetable"},
            "descriptions": {"technicalDescription": "Append-only."},
            "options": {"dryRun": True},
            "clientContext": {"prompt": "try the technical description"},
        },
        body,
    ]
    assert all(p.path == WRITE for p in posts)
    assert sandbox.state.catalog.get(ORDERS)["technicalDescription"] != "Append-only."
    assert sandbox.state.catalog.get(REVENUE)["detailedDescription"] == "Net of returns."
