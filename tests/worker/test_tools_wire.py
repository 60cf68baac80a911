"""Every tool, resource and prompt over real HTTP, through `oe-mcp-worker` driven by an MCP client.

The sandbox records each request it gets, so the assertions are on what actually went over the
wire: exact path, exact query parameters, exact JSON body. Calls are grouped (one worker process
per test) to keep the module fast.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest
from mcp import MCPError

from sandbox import Fault
from tests.harness import result_json, result_text, sandbox_env, worker
from worker.surface import REGISTRY
from worker.tools.common import CATALOG_OBJECT_TYPES
from worker.tools.descriptions import DESCRIPTION_SLOTS, WRITE_OBJECT_TYPES

TOOL_BY_NAME = REGISTRY.tools
PROMPTS = tuple(REGISTRY.prompts.values())

API = "/api/v1/mcp"
SEARCH = f"{API}/search-catalog"
DETAILS = f"{API}/object-details"
PROFILE = f"{API}/column-profile"
RELATIONSHIPS = f"{API}/entity-relationships"
LINEAGE = f"{API}/lineage"
GLOSSARY = f"{API}/glossary-terms"
TAGS = f"{API}/tags"
DOCS = f"{API}/search-platform-docs"
WRITE = f"{API}/update-asset-descriptions"

ORDERS = 1002  # pos.orders in the sandbox catalog
STG_ORDERS = 1007
REVENUE = 2001  # glossary term
PII = 4002  # tag


def api_requests(sandbox) -> list:
    return [r for r in sandbox.state.requests if r.path.startswith(API)]


def expected_token(body: dict[str, Any]) -> str:
    """SHA-256 hex of the canonical JSON (sorted keys, compact) of the exact write body."""
    return hashlib.sha256(json.dumps(body, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def structured(result) -> dict[str, Any]:
    """The result's JSON, after checking structuredContent and the text block agree."""
    data = result_json(result)
    assert result.structured_content == data
    return data


# -- every read tool, every mode: the exact request --------------------------------------------

READ_CASES: list[tuple[str, dict[str, Any], str, dict[str, str]]] = [
    # search_catalog_assets: defaults always sent; searchTerms is a JSON-array string
    ("search_catalog_assets", {"search_terms": ["orders"]}, SEARCH,
     {"searchTerms": '["orders"]', "page": "1", "limit": "20"}),
    ("search_catalog_assets", {
        "search_terms": ["customer", "loyalty tier"], "context_query": "Which customers are gold?",
        "page": 2, "limit": 50, "object_type": "oecolumn", "connection_name": "pos_postgres",
        "schema_name": "pos", "owner": "ben.kim", "steward": "dev.patel", "custodian": "pos-dba",
    }, SEARCH, {
        "searchTerms": '["customer","loyalty tier"]', "contextQuery": "Which customers are gold?",
        "page": "2", "limit": "50", "objectType": "oecolumn", "connectionName": "pos_postgres",
        "schemaName": "pos", "owner": "ben.kim", "steward": "dev.patel", "custodian": "pos-dba",
    }),
    # blanks trimmed and dropped; filter-only paging sends no searchTerms at all
    ("search_catalog_assets", {"search_terms": [" orders ", "", "  "], "context_query": "  "},
     SEARCH, {"searchTerms": '["orders"]', "page": "1", "limit": "20"}),
    ("search_catalog_assets", {"search_terms": [], "object_type": "glossary", "limit": 1}, SEARCH,
     {"page": "1", "limit": "1", "objectType": "glossary"}),
    # catalog_asset_details: FQN mode, id+type mode
    ("catalog_asset_details", {"fully_qualified_name": "pos_postgres.pos.orders"}, DETAILS,
     {"fullyQualifiedName": "pos_postgres.pos.orders"}),
    ("catalog_asset_details", {"object_id": ORDERS, "object_type": "oetable"}, DETAILS,
     {"objectId": str(ORDERS), "objectType": "oetable"}),
    ("catalog_asset_details", {"object_id": REVENUE, "object_type": "glossary"}, DETAILS,
     {"objectId": str(REVENUE), "objectType": "glossary"}),
    ("column_profile_statistics", {"object_id": ORDERS, "object_type": "oetable"}, PROFILE,
     {"objectId": str(ORDERS), "objectType": "oetable"}),
    ("table_entity_relationships", {"object_id": ORDERS}, RELATIONSHIPS, {"objectId": str(ORDERS)}),
    ("asset_lineage", {"object_id": STG_ORDERS, "object_type": "oetable"}, LINEAGE,
     {"objectId": str(STG_ORDERS), "objectType": "oetable", "depth": "2"}),
    ("asset_lineage", {"object_id": STG_ORDERS, "object_type": "oetable", "depth": 0}, LINEAGE,
     {"objectId": str(STG_ORDERS), "objectType": "oetable", "depth": "0"}),
    ("asset_lineage", {"object_id": STG_ORDERS, "object_type": "oetable", "depth": 5}, LINEAGE,
     {"objectId": str(STG_ORDERS), "objectType": "oetable", "depth": "5"}),
    ("lookup_glossary_term", {"object_id": REVENUE}, GLOSSARY, {"objectId": str(REVENUE)}),
    ("lookup_glossary_term", {"term_name": " Revenue "}, GLOSSARY, {"termName": "Revenue"}),
    ("lookup_tags", {"object_id": PII}, TAGS, {"objectId": str(PII)}),
    ("lookup_tags", {"tag_name": "PII"}, TAGS, {"tagName": "PII"}),
    ("search_platform_docs", {"query": "how does lineage work"}, DOCS,
     {"query": "how does lineage work"}),
    ("search_platform_docs", {"query": "api token", "limit": 7, "num_candidates": 128}, DOCS,
     {"query": "api token", "limit": "7", "numCandidates": "128"}),
    ("search_platform_docs", {"query": "glossary", "limit": 3}, DOCS,
     {"query": "glossary", "limit": "3"}),
    ("search_platform_docs", {"query": "tags", "num_candidates": 10}, DOCS,
     {"query": "tags", "numCandidates": "10"}),
]

# Governed writes: their exact POST bodies are checked by the confirm-gate tests further down.
WRITE_TOOLS_COVERED = ("update_asset_descriptions",)

# Requests that reach OvalEdge with the right shape but name an object the sandbox lacks.
NOT_FOUND_CASES: list[tuple[str, dict[str, Any], str, dict[str, str]]] = [
    ("column_profile_statistics", {"object_id": 77, "object_type": "oefile"}, PROFILE,
     {"objectId": "77", "objectType": "oefile"}),
    ("asset_lineage", {"object_id": 77, "object_type": "oefile", "depth": 3}, LINEAGE,
     {"objectId": "77", "objectType": "oefile", "depth": "3"}),
]


async def test_every_read_tool_and_mode_sends_its_exact_request(sandbox):
    async with worker(sandbox_env(sandbox)) as conn:
        for tool, args, path, query in READ_CASES + NOT_FOUND_CASES:
            sandbox.state.reset()
            result = await conn.call(tool, args)
            sent = api_requests(sandbox)
            assert [(r.method, r.path, r.query) for r in sent] == [("GET", path, query)], (tool, args)
            assert sent[0].json is None
            if (tool, args, path, query) in NOT_FOUND_CASES:
                assert result.is_error and "404" in result_text(result)
                assert result.structured_content["status_code"] == 404
            else:
                assert structured(result)["ok"] is True, (tool, args)
        assert {case[0] for case in READ_CASES} == set(TOOL_BY_NAME) - {"update_asset_descriptions"}


async def test_search_terms_travel_as_one_json_array_string(sandbox):
    terms = ['say "hi"', "a,b", "café", "x]y"]
    async with worker(sandbox_env(sandbox)) as conn:
        data = structured(await conn.call("search_catalog_assets", {"search_terms": terms}))
    [sent] = api_requests(sandbox)
    assert json.loads(sent.query["searchTerms"]) == terms
    assert data["items"] == [] and data["total"] == 0


# -- invalid arguments: an error listing what is allowed, and no HTTP call ---------------------

def _all(values) -> list[str]:
    return list(values)


INVALID_CASES: list[tuple[str, dict[str, Any], list[str]]] = [
    ("search_catalog_assets", {"object_type": "table"},
     ["object_type='table' is not allowed", *_all(CATALOG_OBJECT_TYPES)]),
    ("search_catalog_assets", {"search_terms": ["orders"], "limit": 51}, ["limit=51 must be at most 50"]),
    ("search_catalog_assets", {"limit": 0}, ["limit=0 must be at least 1"]),
    ("search_catalog_assets", {"page": 0}, ["page=0 must be at least 1"]),
    ("search_catalog_assets", {"search_terms": "orders"}, ["search_terms", "array"]),
    ("search_catalog_assets", {"query": "orders"}, [
        "unknown argument(s) query", "allowed:", "search_terms", "context_query", "page", "limit",
        "object_type", "connection_name", "schema_name", "owner", "steward", "custodian",
    ]),
    ("catalog_asset_details", {}, ["none of the identification modes",
                                   "fully_qualified_name or object_id+object_type"]),
    ("catalog_asset_details",
     {"fully_qualified_name": "pos_postgres.pos.orders", "object_id": ORDERS, "object_type": "oetable"},
     ["more than one of the identification modes", "fully_qualified_name or object_id+object_type"]),
    ("catalog_asset_details", {"object_id": ORDERS}, ["object_id+object_type go together",
                                                      "missing object_type"]),
    ("catalog_asset_details", {"fully_qualified_name": "   "}, ["none of the identification modes"]),
    ("catalog_asset_details", {"object_id": ORDERS, "object_type": "table"},
     ["object_type='table' is not allowed", *_all(CATALOG_OBJECT_TYPES)]),
    ("column_profile_statistics", {"object_id": ORDERS, "object_type": "oecolumn"},
     ["object_type='oecolumn' is not allowed", "oetable, oefile"]),
    ("column_profile_statistics", {"object_id": ORDERS}, ["missing required argument: object_type"]),
    ("table_entity_relationships", {"object_id": 0}, ["object_id=0 must be at least 1"]),
    ("table_entity_relationships", {"object_id": "1002"}, ["object_id='1002' must be of type integer"]),
    ("table_entity_relationships", {"object_id": ORDERS, "object_type": "oetable"},
     ["unknown argument(s) object_type", "allowed: object_id"]),
    ("asset_lineage", {"object_id": ORDERS, "object_type": "oetable", "depth": 6},
     ["depth=6 must be at most 5"]),
    ("asset_lineage", {"object_id": ORDERS, "object_type": "oechart"}, ["oetable, oefile"]),
    ("lookup_glossary_term", {}, ["none of the identification modes", "object_id or term_name"]),
    ("lookup_glossary_term", {"object_id": REVENUE, "term_name": "Revenue"},
     ["more than one of the identification modes", "object_id or term_name"]),
    ("lookup_tags", {}, ["none of the identification modes", "object_id or tag_name"]),
    ("lookup_tags", {"object_id": PII, "tag_name": "PII"},
     ["more than one of the identification modes", "object_id or tag_name"]),
    ("search_platform_docs", {"query": "tags", "limit": 7, "num_candidates": 5},
     ["num_candidates=5 must be >= limit (7)", "max 512", "limit 1-50"]),
    ("search_platform_docs", {"query": "tags", "num_candidates": 5},
     ["num_candidates=5 must be >= limit (10)"]),
    ("search_platform_docs", {"query": "tags", "limit": 51}, ["limit=51 must be at most 50"]),
    ("search_platform_docs", {"query": "tags", "num_candidates": 513},
     ["num_candidates=513 must be at most 512"]),
    ("search_platform_docs", {}, ["missing required argument: query"]),
    ("search_platform_docs", {"query": "   "}, ["query must not be blank"]),
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
    ("update_asset_descriptions",
     {"object_id": REVENUE, "object_type": "glossary", "description_field": "detailed_description",
      "description_text": "x", "prompt": "fix the business text"},
     ["glossary has two slots (business_description, detailed_description)", "'detailed'"]),
    ("update_asset_descriptions",
     {"object_id": ORDERS, "object_type": "oetable", "business_description": "x", "bogus": True},
     ["unknown argument(s) bogus", "allowed:", "write_confirmed_by_user", "confirmation_token"]),
    ("update_asset_descriptions", {"object_type": "oetable", "business_description": "x"},
     ["missing required argument: object_id"]),
]


async def test_invalid_arguments_are_rejected_before_any_http_call(sandbox):
    async with worker(sandbox_env(sandbox)) as conn:
        for tool, args, fragments in INVALID_CASES:
            result = await conn.call(tool, args)
            text = result_text(result)
            assert result.is_error, (tool, args, text)
            assert text.startswith(f"Invalid arguments for {tool}: "), text
            for fragment in fragments:
                assert fragment in text, (tool, args, fragment, text)
            assert result.structured_content == {"error": text, "status_code": 400}
        unknown = await conn.call("drop_table", {"object_id": 1})
        assert unknown.is_error and "unknown tool 'drop_table'" in result_text(unknown)
        assert all(name in result_text(unknown) for name in TOOL_BY_NAME)
    assert api_requests(sandbox) == []
    covered = {case[0] for case in INVALID_CASES}
    assert covered == set(TOOL_BY_NAME)


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
    async with worker(sandbox_env(sandbox)) as conn:
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
    async with worker(sandbox_env(sandbox)) as conn:
        preview = structured(await conn.call("update_asset_descriptions", args))
        assert preview["awaitingUserConfirmation"] is True and preview["doNotUpdate"] is True
        assert preview["writeConfirmedByUser"] is False
        assert preview["pendingUpdate"] == body
        assert preview["confirmationToken"] == token
        assert "Nothing was written" in preview["agentInstruction"]

        # approved but without / with a wrong token / for changed arguments: nothing posted
        changed = {**args, "business_description": text + " Edited."}
        changed_token = expected_token({**body, "descriptions": {"businessDescription": changed[
            "business_description"]}})
        for attempt, expect in (
            ({**args, "write_confirmed_by_user": True}, token),
            ({**args, "write_confirmed_by_user": True, "confirmation_token": "0" * 64}, token),
            ({**changed, "write_confirmed_by_user": True, "confirmation_token": token}, changed_token),
        ):
            refused = await conn.call("update_asset_descriptions", attempt)
            assert refused.is_error
            assert f"Expected confirmation_token={expect}" in result_text(refused)
            assert "nothing was written" in result_text(refused)
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
    async with worker(sandbox_env(sandbox)) as conn:
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


# -- resources and prompts ---------------------------------------------------------------------

async def test_both_resources_read_and_bad_uris_are_clear_errors(sandbox):
    async with worker(sandbox_env(sandbox)) as conn:
        templates = (await conn.session.list_resource_templates()).resource_templates
        assert [t.uri_template for t in templates] == [
            "ovaledge://catalog/table/{object_id}", "ovaledge://governance/glossary-term/{object_id}",
        ]
        read = {}
        for uri in (f"ovaledge://catalog/table/{ORDERS}", f"ovaledge://governance/glossary-term/{REVENUE}"):
            [content] = (await conn.session.read_resource(uri)).contents
            assert str(content.uri) == uri and content.mime_type == "application/json"
            read[uri] = json.loads(content.text)
        assert [(r.method, r.path, r.query) for r in api_requests(sandbox)] == [
            ("GET", DETAILS, {"objectId": str(ORDERS), "objectType": "oetable"}),
            ("GET", DETAILS, {"objectId": str(REVENUE), "objectType": "glossary"}),
        ]
        table = read[f"ovaledge://catalog/table/{ORDERS}"]["data"]
        term = read[f"ovaledge://governance/glossary-term/{REVENUE}"]["data"]
        assert table["objectName"] == "orders" and table["redirectUrl"].endswith(table["navLink"])
        assert term["objectName"] == "Revenue" and term["objectType"] == "glossary"

        sandbox.state.reset()
        for uri, fragment in (
            ("ovaledge://catalog/table/orders", "'orders' in ovaledge://catalog/table/orders is not a "
                                                "positive number"),
            ("ovaledge://governance/glossary-term/-3", "'-3'"),
            ("ovaledge://catalog/table/", "is not a positive number"),
            ("ovaledge://catalog/view/1002", "unknown resource"),
            (f"ovaledge://catalog/table/{ORDERS}/columns", "unknown resource"),
        ):
            with pytest.raises(MCPError) as raised:
                await conn.session.read_resource(uri)
            assert fragment in str(raised.value), (uri, str(raised.value))
        assert "ovaledge://catalog/table/<id>" in str(raised.value)
        # a well-formed id of a missing object is an error too, after one request
        with pytest.raises(MCPError, match="404"):
            await conn.session.read_resource("ovaledge://catalog/table/999999")
    assert [r.query for r in api_requests(sandbox)] == [{"objectId": "999999", "objectType": "oetable"}]


async def test_all_prompts_get_and_name_their_tools(sandbox):
    async with worker(sandbox_env(sandbox)) as conn:
        listed = (await conn.session.list_prompts()).prompts
        assert [p.name for p in listed] == [p.name for p in PROMPTS] and len(listed) == 7
        for spec, prompt in zip(PROMPTS, listed, strict=True):
            [argument] = spec.arguments
            assert [(a.name, a.required) for a in prompt.arguments] == [(argument.name, True)]
            value = f"value-for-{argument.name}"
            got = await conn.session.get_prompt(spec.name, {argument.name: value})
            [message] = got.messages
            assert message.role == "user"
            text = message.content.text
            assert value in text and "{" not in text
            assert spec.tools and all(tool in text for tool in spec.tools), spec.name
            assert {t for t in TOOL_BY_NAME if t in text} == set(spec.tools), spec.name
        with pytest.raises(MCPError, match="needs the argument 'query'"):
            await conn.session.get_prompt("data_discovery", {})
        with pytest.raises(MCPError, match="unknown prompt 'nope'; available: data_discovery"):
            await conn.session.get_prompt("nope", {"query": "x"})
    assert api_requests(sandbox) == []


# -- shaping: the response budget and links ----------------------------------------------------

BUDGET = 20_000


async def test_oversized_answer_comes_back_within_budget_saying_what_was_cut(sandbox):
    env = sandbox_env(sandbox, OE_MCP_RESPONSE_BUDGET_BYTES=str(BUDGET))
    async with worker(env) as conn:
        sandbox.state.add_fault(Fault(oversized_bytes=2_000_000), path=SEARCH)
        result = await conn.call("search_catalog_assets", {"search_terms": ["order"], "limit": 20})
        details_fault = Fault(oversized_bytes=1_000_000)
        sandbox.state.add_fault(details_fault, path=DETAILS)
        details = await conn.call("catalog_asset_details", {"object_id": ORDERS, "object_type": "oetable"})
        sandbox.state.add_fault(details_fault, path=DETAILS)
        [resource] = (await conn.session.read_resource(f"ovaledge://catalog/table/{ORDERS}")).contents
        small = await conn.call("lookup_tags", {"tag_name": "PII"})
    [big_search] = [r for r in sandbox.state.requests if r.path == SEARCH]
    assert big_search.status == 200

    # a search page: long texts cut, then trailing hits dropped, all reported
    text = result_text(result)
    assert len(text.encode()) <= BUDGET
    data = structured(result)
    note = data["_truncation"]
    kept = len(data["items"])
    assert 0 < kept < 20
    assert note["cut"][0] == f"items: kept the first {kept} of 20 items"
    field_cuts = note["cut"][1:]
    assert len(field_cuts) == note["fields_cut"] == 2 * kept  # only cuts in hits still shown
    assert "items[0].businessDescription (" in field_cuts[0]
    assert all(cut.endswith("-> 2000 chars)") for cut in field_cuts)
    assert "page=2" in note["how_to_get_the_rest"] and "smaller limit" in note["how_to_get_the_rest"]
    hit = data["items"][0]
    original = int(field_cuts[0].split("(")[1].split(" ")[0])
    assert original >= 40_000
    assert hit["businessDescription"].startswith("Oversized description text")
    assert f"[... {original - 2000} more characters cut to fit" in hit["businessDescription"]
    assert hit["redirectUrl"] and hit["navLink"]  # links survive the cut

    # one document: description fields cut to fit
    details_text = result_text(details)
    assert len(details_text.encode()) <= BUDGET
    detail = structured(details)
    assert detail["data"]["objectName"] == "orders"
    cut_text = " ".join(detail["_truncation"]["cut"])
    assert "data.businessDescription (" in cut_text and "data.technicalDescription (" in cut_text
    assert "redirectUrl" in detail["_truncation"]["how_to_get_the_rest"]

    # the resource is cut the same way and says so
    doc = json.loads(resource.text)
    assert "data.businessDescription (" in " ".join(doc["_truncation"]["cut"])

    # a small answer is untouched
    assert "_truncation" not in structured(small)


async def test_redirect_url_from_link_base_or_api_base(sandbox):
    async def shaped(env):
        async with worker(env) as conn:
            hits = structured(await conn.call("search_catalog_assets", {"search_terms": ["orders"]}))
            doc = structured(await conn.call("catalog_asset_details",
                                             {"object_id": ORDERS, "object_type": "oetable"}))
        return hits, doc

    for env, base in (
        (sandbox_env(sandbox), sandbox.base_url),
        (sandbox_env(sandbox, OVALEDGE_LINK_BASE_URL="https://catalog.example.com/ovaledge/"),
         "https://catalog.example.com/ovaledge"),
    ):
        hits, doc = await shaped(env)
        assert hits["items"]
        for item in hits["items"]:
            assert item["navLink"].startswith("#nav/")
            assert item["redirectUrl"] == f"{base}/{item['navLink']}"
        table = doc["data"]
        assert table["redirectUrl"] == f"{base}/#nav/table?browse=summary&id={ORDERS}"
        assert table["navLink"] == f"#nav/table?browse=summary&id={ORDERS}"
        assert all(col["redirectUrl"] == f"{base}/{col['navLink']}" for col in table["columns"])
