"""A worker killed under a governed write: real processes, real SIGKILL, the sandbox counting POSTs.

A confirmed write of any tool is never replayed: OvalEdge receives its POST once or not at all,
and the caller is told the outcome is unknown, naming what it changes. A call that cannot write
(a picker step, a preview) is replayed once on the next worker and succeeds. A guided flow keeps
its place across a graceful recycle; after a crash it says which step to show again.
"""

from __future__ import annotations

import os
import signal

import trio

from sandbox import Fault
from tests.e2e.test_supervision import env_for, worker_ready
from tests.harness import command_path, result_json, result_text, status_of, supervisor, wait_until
from tests.worker.test_writes_wire import DQ_WRITES, PLACEMENT, TAG_ARGS, TAG_PARENTS, WRITES, Write

DESCRIPTIONS = Write(
    "update_asset_descriptions",
    {"object_id": 1002, "object_type": "oetable", "technical_description": "One row per order.",
     "prompt": "set the technical description"},
    "/api/v1/mcp/update-asset-descriptions", {}, None)
EVERY_WRITE = [DESCRIPTIONS, *WRITES, *DQ_WRITES]
KILLS_ALLOWED = {"OE_MCP_MAX_RESTARTS": "100"}  # many kills in a row are the point here


async def killed_during(conn, sandbox, socket, method: str, path: str, call) -> tuple[object, int]:
    """Run `call` while the sandbox holds its `method path` request; SIGKILL the worker once that
    request arrived. Returns the call's result and how many such requests the sandbox got."""
    before = sandbox.state.count(method, path)
    sandbox.state.add_fault(Fault(delay=2.0), path=path)
    pid = (await status_of(socket))["worker"]["pid"]
    answer = []
    async with trio.open_nursery() as nursery:
        async def run() -> None:
            answer.append(await call())

        nursery.start_soon(run)
        await wait_until(lambda: sandbox.state.count(method, path) > before, timeout=15)
        os.kill(pid, signal.SIGKILL)
    await trio.sleep(2.5)  # a duplicate would have reached the sandbox by now
    await worker_ready(socket)
    return answer[0], sandbox.state.count(method, path) - before


async def test_sigkill_during_each_confirmed_write_posts_at_most_once(sandbox, tmp_path):
    socket = tmp_path / "sup.sock"
    async with supervisor(env_for(sandbox, tmp_path, **KILLS_ALLOWED)) as conn:
        for write in EVERY_WRITE:
            await worker_ready(socket)
            for step in write.steps:
                result_json(await conn.call(write.tool, step))
            preview = result_json(await conn.call(write.tool, write.args))
            confirmed = {**write.args, "write_confirmed_by_user": True,
                         "confirmation_token": preview["confirmationToken"]}
            result, posts = await killed_during(conn, sandbox, socket, "POST", write.path,
                                                lambda w=write, c=confirmed: conn.call(w.tool, c))
            text = result_text(result)
            assert result.is_error and "outcome is unknown" in text and "not replayed" in text, (write.tool, text)
            assert "Check in OvalEdge whether the change to " in text, text
            assert posts == 1, (write.tool, posts)
        status = await status_of(socket)
    assert status["calls"]["replayed"] == 0 and status["worker"]["restarts"] == len(EVERY_WRITE)


async def test_sigkill_during_a_picker_step_or_a_preview_replays_it(sandbox, tmp_path):
    socket = tmp_path / "sup.sock"
    async with supervisor(env_for(sandbox, tmp_path, **KILLS_ALLOWED)) as conn:
        await worker_ready(socket)
        picker, asked = await killed_during(
            conn, sandbox, socket, "GET", PLACEMENT,
            lambda: conn.call("create_glossary_term", {"term_name": "Stock Turnover"}))
        fields = next(w for w in WRITES if w.tool == "update_custom_field_value")
        preview, read = await killed_during(
            conn, sandbox, socket, "GET", "/api/v1/mcp/custom-fields",
            lambda: conn.call(fields.tool, fields.args))
        status = await status_of(socket)
    assert result_json(picker)["workflowPhase"] == "select_domain" and asked == 2  # once per worker
    assert result_json(preview)["awaitingUserConfirmation"] is True and read == 2
    assert status["calls"]["replayed"] == 2
    assert sandbox.state.count("POST", fields.path) == 0


async def test_a_guided_flow_keeps_its_place_across_a_recycle_and_says_what_to_redo_after_a_crash(
        sandbox, tmp_path):
    socket = tmp_path / "sup.sock"
    parent = {**TAG_ARGS, "parent_tag_id": 4001, "parent_tag_id_confirmed_by_user": True}
    async with supervisor(env_for(sandbox, tmp_path, **KILLS_ALLOWED)) as conn:
        await worker_ready(socket)
        assert result_json(await conn.call("create_tag", TAG_ARGS))["workflowPhase"] == "PARENT_OPTIONAL"
        shown = sandbox.state.count("GET", TAG_PARENTS)
        done = await trio.run_process([command_path("oe-mcp-status"), "restart-worker", "--socket", str(socket)],
                                      capture_stdout=True, check=False)
        assert done.returncode == 0, done.stdout
        kept = result_json(await conn.call("create_tag", parent))
        assert kept["workflowPhase"] == "confirm_create"  # the successor knew what was shown
        assert sandbox.state.count("GET", TAG_PARENTS) == shown  # and did not ask again

        os.kill((await status_of(socket))["worker"]["pid"], signal.SIGKILL)
        await trio.sleep(0.3)
        await worker_ready(socket)
        again = result_json(await conn.call("create_tag", parent))
    assert again["workflowPhase"] == "PARENT_OPTIONAL"
    assert "has restarted since: show them to the user and ask again" in again["formattedResponse"]


async def test_a_preview_token_confirms_in_the_worker_that_replaced_the_one_that_made_it(sandbox, tmp_path):
    """The gate's key belongs to the supervisor's run, not to a worker: a preview shown before a
    crash or a recycle is still the one the user approves afterwards, and writes once."""
    socket = tmp_path / "sup.sock"
    roles = next(w for w in WRITES if w.tool == "update_governance_roles")
    async with supervisor(env_for(sandbox, tmp_path, **KILLS_ALLOWED)) as conn:
        for replace in ("crash", "recycle"):
            await worker_ready(socket)
            token = result_json(await conn.call(roles.tool, roles.args))["confirmationToken"]
            before = (await status_of(socket))["worker"]["pid"]
            if replace == "crash":
                os.kill(before, signal.SIGKILL)
                await trio.sleep(0.3)
            else:
                done = await trio.run_process(
                    [command_path("oe-mcp-status"), "restart-worker", "--socket", str(socket)],
                    capture_stdout=True, check=False)
                assert done.returncode == 0, done.stdout
            await worker_ready(socket)
            assert (await status_of(socket))["worker"]["pid"] != before
            posts = sandbox.state.count("POST", roles.path)
            confirmed = await conn.call(roles.tool, {**roles.args, "write_confirmed_by_user": True,
                                                     "confirmation_token": token})
            assert not confirmed.is_error and result_json(confirmed)["ok"] is True, (replace, result_text(confirmed))
            assert sandbox.state.count("POST", roles.path) == posts + 1, replace
