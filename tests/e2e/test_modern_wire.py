"""MCP 2026-07-28 by hand: our raw stdio client writes each line, the sandbox counts the POSTs.

No `initialize`: `server/discover`, then requests that carry the version, the client's
capabilities and info in `_meta`. A governed write is answered with an `InputRequiredResult`
(the question for the human and a sealed `requestState`); the retried call with the answer
writes once; the same retry again, an altered, a forged, an expired or a misplaced state write
nothing.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from tests.e2e.test_supervision import env_for
from tests.rawstdio import raw_supervisor

VERSION = "2026-07-28"
CLIENT = {"name": "raw-test-client", "version": "0"}
ASKING = {"elicitation": {"form": {}}}
WRITE_PATH = "/api/v1/mcp/update-asset-descriptions"
DESCRIBE = {"object_id": 1002, "object_type": "oetable", "technical_description": "One row per order.",
            "prompt": "set the technical description"}
YES = {"confirm": {"action": "accept", "content": {"apply": True}}}


def meta(capabilities: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
    return {"io.modelcontextprotocol/protocolVersion": VERSION,
            "io.modelcontextprotocol/clientCapabilities": ASKING if capabilities is None else capabilities,
            "io.modelcontextprotocol/clientInfo": CLIENT, **extra}


def call(arguments: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"name": "update_asset_descriptions", "arguments": arguments, "_meta": meta(), **extra}


def altered(state: str) -> str:
    """The state with one claim changed and its seal kept."""
    body, tag = state[3:].split(".")
    claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    claims["exp"] += 3600
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    return f"v1.{forged}.{tag}"


async def test_the_2026_wire_line_by_line(sandbox, tmp_path):
    posts = lambda: sandbox.state.count("POST", WRITE_PATH)  # noqa: E731
    async with raw_supervisor(env_for(sandbox, tmp_path)) as raw:
        discovered = await raw.request("server/discover", {"_meta": meta()})
        result = discovered["result"]
        assert VERSION in result["supportedVersions"] and "2025-11-25" in result["supportedVersions"]
        assert result["resultType"] == "complete" and result["cacheScope"] == "public"
        assert result["ttlMs"] > 0 and result["capabilities"]["tools"] == {"listChanged": False}

        listed = (await raw.request("tools/list", {"_meta": meta()}))["result"]
        assert listed["ttlMs"] > 0 and listed["cacheScope"] == "public" and listed["resultType"] == "complete"
        assert len(listed["tools"]) == 15

        read = (await raw.request("tools/call", {"name": "asset_details", "_meta": meta(),
                                                 "arguments": {"object_id": 1002, "object_type": "oetable"}},
                                  timeout=30))["result"]
        assert read["resultType"] == "complete" and not read.get("isError"), read

        # The question: nothing written yet, the human is asked through the client.
        asked = (await raw.request("tools/call", call(DESCRIBE), timeout=30))["result"]
        assert asked["resultType"] == "input_required", asked
        question = asked["inputRequests"]["confirm"]
        assert question["method"] == "elicitation/create" and question["params"]["mode"] == "form"
        assert "1002" in question["params"]["message"] and "One row per order." in question["params"]["message"]
        assert question["params"]["requestedSchema"]["required"] == ["apply"]
        message = question["params"]["message"]  # before -> after, and OvalEdge's link
        assert 'technicalDescription: "Append-only;' in message and '-> "One row per order."' in message
        assert "Object: orders (oetable 1002)" in message and "In OvalEdge: http" in message
        assert "confirmationToken" not in json.dumps(asked) and posts() == 0
        state = asked["requestState"]

        # Altered, forged, misplaced: refused, nothing written (and the state is still good).
        for bad in (altered(state), "v1.e30.AAAA", state[:-2] + "xx"):
            refused = await raw.request("tools/call", call(DESCRIBE, requestState=bad, inputResponses=YES))
            assert refused["error"]["code"] == -32602, refused
        other = {**DESCRIBE, "technical_description": "Something else."}
        refused = await raw.request("tools/call", call(other, requestState=state, inputResponses=YES))
        assert refused["error"]["code"] == -32602 and "another call" in refused["error"]["message"]
        assert posts() == 0

        # The answer: written once.
        done = (await raw.request("tools/call", call(DESCRIBE, requestState=state, inputResponses=YES),
                                  timeout=30))["result"]
        assert done["resultType"] == "complete" and not done.get("isError"), done
        assert posts() == 1

        # The same retry again: refused, no second write.
        again = await raw.request("tools/call", call(DESCRIBE, requestState=state, inputResponses=YES))
        assert again["error"]["code"] == -32602 and "already used" in again["error"]["message"]
        assert posts() == 1

        # A decline writes nothing and says so.
        asked = (await raw.request("tools/call", call(DESCRIBE), timeout=30))["result"]
        no = {"confirm": {"action": "decline"}}
        declined = (await raw.request("tools/call", call(DESCRIBE, requestState=asked["requestState"],
                                                         inputResponses=no), timeout=30))["result"]
        assert declined["isError"] and declined["structuredContent"]["confirmation"] == "declined"
        assert posts() == 1

        # A token the model carries, without the human's answer, only asks again.
        token = "0" * 64
        carried = (await raw.request("tools/call", call({**DESCRIBE, "write_confirmed_by_user": True,
                                                          "confirmation_token": token}), timeout=30))["result"]
        assert carried["resultType"] == "input_required" and posts() == 1

        # The dropped methods and an unknown version.
        assert (await raw.request("ping", {"_meta": meta()}))["error"]["code"] == -32601
        unknown = await raw.request("tools/list", {"_meta": {**meta(),
                                                            "io.modelcontextprotocol/protocolVersion": "2099-01-01"}})
        assert unknown["error"]["code"] == -32022 and VERSION in unknown["error"]["data"]["supported"]
        assert raw.not_json == []


async def test_an_expired_state_writes_nothing(sandbox, tmp_path):
    env = env_for(sandbox, tmp_path, OE_MCP_CONFIRM_TIMEOUT_SECONDS="1")
    async with raw_supervisor(env) as raw:
        asked = (await raw.request("tools/call", call(DESCRIBE), timeout=30))["result"]
        import trio

        await trio.sleep(1.2)
        late = await raw.request("tools/call", call(DESCRIBE, requestState=asked["requestState"],
                                                    inputResponses=YES))
        assert late["error"]["code"] == -32602 and "expired" in late["error"]["message"]
        assert sandbox.state.count("POST", WRITE_PATH) == 0


async def test_without_elicitation_the_token_flow_is_kept_and_elicit_mode_refuses(sandbox, tmp_path):
    async with raw_supervisor(env_for(sandbox, tmp_path)) as raw:
        params = {**call(DESCRIBE), "_meta": meta({})}
        preview = (await raw.request("tools/call", params, timeout=30))["result"]
        assert preview["resultType"] == "complete" and preview["structuredContent"]["confirmationToken"]
    async with raw_supervisor(env_for(sandbox, tmp_path, OE_MCP_CONFIRM="elicit")) as raw:
        refused = (await raw.request("tools/call", {**call(DESCRIBE), "_meta": meta({})}, timeout=30))["result"]
        assert refused["isError"] and "OE_MCP_CONFIRM=elicit" in refused["content"][0]["text"]
    assert sandbox.state.count("POST", WRITE_PATH) == 0


async def test_with_wrong_settings_2026_is_answered_without_a_worker(tmp_path):
    from tests.harness import base_env

    env = base_env({"OE_MCP_STATUS_SOCKET": str(tmp_path / "sup.sock")})  # no OvalEdge URL nor token
    async with raw_supervisor(env) as raw:
        assert (await raw.request("server/discover", {"_meta": meta()}))["result"]["supportedVersions"]
        assert len((await raw.request("tools/list", {"_meta": meta()}))["result"]["tools"]) == 15
        answered = (await raw.request("tools/call", call(DESCRIBE), timeout=30))["result"]
        assert answered["isError"] and answered["resultType"] == "complete"
        assert "OVALEDGE_BASE_URL" in answered["content"][0]["text"]
        doc = (await raw.request("resources/read", {"uri": "docs://ovaledge/overview", "_meta": meta()}))["result"]
        assert doc["cacheScope"] == "public" and doc["contents"][0]["text"]
