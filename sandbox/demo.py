"""The guided demo (`./scripts/setup_local_mcp.sh --demo`, or `python -m sandbox.demo`).

It starts `oe-mcp-local --demo` exactly as an MCP client would (a subprocess on stdio), then
walks through the product against the embedded sandbox OvalEdge, recovery included.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

STEPS = 10


def _say(step: int, text: str) -> None:
    print(f"\n[{step}/{STEPS}] {text}", flush=True)


def _show(text: str) -> None:
    print(f"      {text}", flush=True)


def _text(result: Any) -> str:
    return "\n".join(getattr(c, "text", "") for c in result.content)


async def _tour(status_socket: Path) -> dict[str, Any]:
    import httpx2
    import trio
    from mcp import ClientSession

    from supervisor.status_cli import ask
    from worker.stdio import mcp_streams

    summary: dict[str, Any] = {}
    command = [str(Path(sys.executable).parent / "oe-mcp-local"), "--demo"]
    env = {**os.environ, "OE_MCP_STATUS_SOCKET": str(status_socket),
           "OVALEDGE_LOG_HTTP_REQUESTS": "false"}
    _say(1, "Starting `oe-mcp-local --demo` as an MCP client would (stdio subprocess)")
    started = time.perf_counter()
    with tempfile.TemporaryFile() as errlog:
        process = await trio.lowlevel.open_process(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=errlog, env=env,
            start_new_session=True,
        )
        try:
            async with mcp_streams(trio.StapledStream(process.stdin, process.stdout)) as (r, w, _):
                async with ClientSession(r, w) as session:
                    init = await session.initialize()
                    tools = (await session.list_tools()).tools
                    took = time.perf_counter() - started
                    _show(f"server {init.server_info.name} {init.server_info.version}: handshake and "
                          f"tools/list answered {took:.2f} s after spawn")
                    summary["tools"] = len(tools)

                    _say(2, f"Listing the {len(tools)} tools")
                    for tool in tools:
                        kind = "read" if tool.annotations and tool.annotations.read_only_hint else "WRITE"
                        _show(f"{tool.name:<28} {kind:<5} {tool.title}")

                    _say(3, "Searching the catalog for 'orders revenue' (asset_explorer)")
                    found = json.loads(_text(await session.call_tool(
                        "asset_explorer",
                        {"search_terms": ["orders", "revenue"], "limit": 5,
                         "context_query": "Where is our order revenue?"})))["data"]
                    for item in found.get("items", [])[:5]:
                        _show(f"{item.get('objectType'):<9} {item.get('objectId'):<6} "
                              f"{item.get('objectName'):<24} {item.get('redirectUrl', '')}")
                    summary["search_hits"] = found.get("total")
                    table = next(i for i in found["items"] if i.get("objectType") == "oetable")

                    _say(4, f"Details and lineage of table {table['objectName']} ({table['objectId']})")
                    details = json.loads(_text(await session.call_tool(
                        "asset_details",
                        {"object_id": table["objectId"], "object_type": "oetable"})))["data"]
                    data = details["details"]
                    _show(f"owner: {data.get('owner')}, steward: {data.get('steward')}, "
                          f"tags: {', '.join(map(str, data.get('tags', []))) or '-'}, profiled "
                          f"columns: {len((details.get('profile') or {}).get('columns', []))}")
                    lineage = json.loads(_text(await session.call_tool(
                        "asset_lineage", {"object_id": table["objectId"], "object_type": "oetable"})))
                    lin = lineage.get("data", lineage)
                    _show(f"upstream: {len(lin.get('upstream', []))} nodes, downstream: "
                          f"{len(lin.get('downstream', []))} nodes, edges: {len(lin.get('edges', []))}")

                    _say(5, "Stories, crawl-to-crawl changes and native access")
                    knowledge = json.loads(_text(await session.call_tool(
                        "knowledge_search", {"query": "weekly revenue reporting", "limit": 3})))
                    _show("knowledge_search: " + knowledge["formattedResponse"].splitlines()[0])
                    drift = json.loads(_text(await session.call_tool(
                        "metadata_changes_between_crawls", {"connection_name": "retail_snowflake"})))
                    lines = drift["formattedResponse"].splitlines()
                    _show("metadata_changes_between_crawls: " + next(
                        line for line in lines if line.startswith("Summary")))
                    access = json.loads(_text(await session.call_tool("access_explorer", {
                        "operation": "source_system_access", "source_system": "snowflake",
                        "query_direction": "object_to_users", "object_path": "RETAIL_DB.MART.FCT_SALES",
                        "object_type": "table", "access_intent_confirmed": "native"})))
                    grants = access["data"]["grants"]
                    _show(f"access_explorer: {len(grants)} native Snowflake grants reach "
                          "RETAIL_DB.MART.FCT_SALES "
                          f"(e.g. {grants[0]['principalType']} {grants[0]['principalName']}: "
                          f"{', '.join(grants[0]['privileges'])}); 'who has access' is asked back until the "
                          "user says native or catalog permissions")

                    _say(6, "Previewing a governed write (nothing is written without confirmation)")
                    preview = json.loads(_text(await session.call_tool("update_asset_descriptions", {
                        "object_id": table["objectId"], "object_type": "oetable",
                        "technical_description": "Demo: one row per order.",
                        "prompt": "set the technical description"})))
                    _show(f"awaitingUserConfirmation={preview.get('awaitingUserConfirmation')}, "
                          f"confirmationToken={preview.get('confirmationToken', '')[:16]}...")

                    _say(7, "A guided creation: a glossary term through its pickers, then its "
                         "confirmation")
                    term = {"term_name": "Net Order Value"}
                    step = json.loads(_text(await session.call_tool("create_glossary_term", term)))
                    _show(f"{step['workflowPhase']}: " + "; ".join(
                        f"{o['name']} ({o['id']})" for o in step["placementOptions"]))
                    term["domain_id"] = next(o["id"] for o in step["placementOptions"]
                                             if o["name"] == "Retail Analytics")
                    step = json.loads(_text(await session.call_tool("create_glossary_term", term)))
                    _show(f"{step['workflowPhase']}: " + "; ".join(
                        f"{o['name']} ({o['id']})" for o in step["placementOptions"]))
                    term["category_id"] = next(o["id"] for o in step["placementOptions"]
                                               if o["name"] == "Sales")
                    step = json.loads(_text(await session.call_tool("create_glossary_term", term)))
                    _show(f"{step['workflowPhase']}: " + "; ".join(
                        f"{o['name']} ({o['id']})" for o in step["placementOptions"]))
                    term["subcategory_id"] = step["placementOptions"][0]["id"]
                    step = json.loads(_text(await session.call_tool("create_glossary_term", term)))
                    _show(f"{step['workflowPhase']}: the description is asked of the user, never invented")
                    term["description"] = "Order total after discounts and returns, before tax."
                    preview = json.loads(_text(await session.call_tool("create_glossary_term", term)))
                    _show(f"{preview['workflowPhase']}: nothing written yet; placement "
                          f"{preview['placementPath']}")
                    created = json.loads(_text(await session.call_tool("create_glossary_term", {
                        **term, "write_confirmed_by_user": True,
                        "confirmation_token": preview["confirmationToken"]})))
                    _show(created["formattedResponse"])
                    found = json.loads(_text(await session.call_tool(
                        "asset_explorer", {"object_type": "glossary", "name": "Net Order Value"})))
                    summary["term_created"] = bool(found["data"].get("glossaryTerms"))
                    _show(f"asset_explorer finds it: {summary['term_created']}")

                    _say(8, "Killing the worker in the middle of a call (SIGKILL)")
                    status = ask(status_socket, "status")
                    with trio.move_on_after(15):
                        while not status["worker"].get("spare_pid"):
                            await trio.sleep(0.2)
                            status = ask(status_socket, "status")
                    if status["worker"].get("spare_pid"):
                        _show(f"worker {status['worker']['pid']} serves; standby worker "
                              f"{status['worker']['spare_pid']} is ready to take over")
                    sandbox_root = status["demo"]["sandbox_url"].rsplit("/", 1)[0]
                    async with httpx2.AsyncClient() as http:
                        await http.post(f"{sandbox_root}/__sandbox/faults", json=[
                            {"path": "/api/v1/mcp/asset-lineage", "delay": 1.0}])
                    victim = status["worker"]["pid"]
                    answer: list[Any] = []

                    async def slow_call() -> None:
                        answer.append(await session.call_tool(
                            "asset_lineage", {"object_id": table["objectId"], "object_type": "oetable"}))

                    call_started = time.perf_counter()
                    async with trio.open_nursery() as nursery:
                        nursery.start_soon(slow_call)
                        await trio.sleep(0.4)
                        os.kill(victim, 9)
                        _show(f"worker {victim} killed while asset_lineage was in flight ...")
                    ok = not answer[0].is_error
                    summary["call_survived_kill"] = ok
                    summary["recovered_in_seconds"] = round(time.perf_counter() - call_started, 2)
                    _show(f"... the call {'SUCCEEDED' if ok else 'failed'} after "
                          f"{summary['recovered_in_seconds']} s in all (0.4 s of it before the kill; "
                          "replayed on the standby); the client connection never dropped")

                    _say(9, "What `oe-mcp-status` shows")
                    await trio.sleep(0.2)
                    table_text = subprocess.run(
                        [str(Path(sys.executable).parent / "oe-mcp-status"), "--socket",
                         str(status_socket)], capture_output=True, text=True).stdout
                    for line in table_text.rstrip().splitlines():
                        _show(line)
                    final = ask(status_socket, "status")
                    summary["restarts"] = final["worker"]["restarts"]
                    summary["replayed"] = final["calls"]["replayed"]
                    summary["failed_calls"] = final["calls"]["failed"]
                    summary["token_exchanges_seen"] = final["token"]["exchanges"]
        finally:
            if process.returncode is None:
                process.kill()
            await process.wait()
    return summary


def main() -> int:
    import trio

    folder = Path(tempfile.mkdtemp(prefix="oe-mcp-demo-"))
    try:
        summary = trio.run(_tour, folder / "status.sock")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    _say(STEPS, "Summary")
    _show(f"tools listed: {summary['tools']}; catalog hits for 'orders revenue': {summary['search_hits']}; "
          f"glossary term created through its pickers: {summary['term_created']}")
    _show(f"worker killed mid-call: call {'succeeded' if summary['call_survived_kill'] else 'FAILED'} "
          f"in {summary['recovered_in_seconds']} s; restarts: {summary['restarts']}, "
          f"replayed calls: {summary['replayed']}, failed calls: {summary['failed_calls']}")
    ok = summary["call_survived_kill"] and summary["failed_calls"] == 0 and summary["term_created"]
    print("\nDemo complete: " + ("everything worked, recovery included." if ok else "something failed."))
    print("Next: put your OvalEdge credentials in .env, run `oe-mcp-local check`, and add the "
          "snippet printed above to your MCP client.")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
