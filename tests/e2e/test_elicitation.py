"""A human says yes in the client: `oe-mcp-local --demo` driven by the MCP SDK's own `Client`,
once on the handshake revision (mode="legacy": initialize, then `elicitation/create` sent to
the client) and once on 2026-07-28 (mode="auto": server/discover, then InputRequiredResult and
the SDK's retry). The client's elicitation callback is the human; the demo sandbox counts the
POSTs and keeps their bodies.

Accept: exactly one POST, with the body the question showed. Decline: none. No answer before
the deadline (OE_MCP_CONFIRM_TIMEOUT_SECONDS): none. SIGKILL of the worker between the question
and the answer: one POST, never two.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import mcp.types as types
import pytest
import trio
from mcp.client.client import Client
from mcp.shared.exceptions import MCPError

from shared.processes import close_and_reap
from tests.e2e.test_supervision import worker_ready
from tests.harness import DemoSandbox, base_env, command_path, status_of

WRITE_PATH = "/api/v1/mcp/update-asset-descriptions"
DESCRIBE = {"object_id": 1002, "object_type": "oetable", "technical_description": "One row per order.",
            "prompt": "set the technical description"}
MODES = {"2025-11-25": "legacy", "2026-07-28": "auto"}
ANSWER_SECONDS = 5.0  # OE_MCP_CONFIRM_TIMEOUT_SECONDS in these tests


@asynccontextmanager
async def spawned(args: list[str], env: dict[str, str]) -> AsyncIterator[tuple[Any, Any]]:
    """A transport for the SDK's Client: our command on pipes (trio), the SDK's streams over it."""
    from worker.stdio import mcp_streams

    with tempfile.NamedTemporaryFile("w+b", suffix=".stderr", delete=False) as errlog:
        errpath = Path(errlog.name)
        process = await trio.lowlevel.open_process(
            [command_path("oe-mcp-local"), *args], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=errlog, env=env, cwd="/", start_new_session=True)
    try:
        async with mcp_streams(trio.StapledStream(process.stdin, process.stdout)) as (read, write, _):
            yield read, write
    finally:
        await close_and_reap(process)
        errpath.unlink(missing_ok=True)


class Human:
    """The client's elicitation callback: answers as told, records what it was asked."""

    def __init__(self) -> None:
        self.answer = "accept"
        self.before_answer: Any = None  # an async function run before answering (a crash)
        self.asked: list[types.ElicitRequestParams] = []

    async def __call__(self, context: Any, params: types.ElicitRequestParams):
        self.asked.append(params)
        if self.before_answer is not None:
            await self.before_answer()
        if self.answer == "late":
            await trio.sleep(ANSWER_SECONDS + 1.5)
            return types.ElicitResult(action="accept", content={"apply": True})
        if self.answer == "accept":
            return types.ElicitResult(action="accept", content={"apply": True})
        return types.ElicitResult(action=self.answer)

    def shown_body(self) -> dict[str, Any]:
        """The exact change the last question showed (its "Exact change:" line)."""
        line = next(x for x in self.asked[-1].message.splitlines() if x.startswith("Exact change: "))
        return json.loads(line.removeprefix("Exact change: "))


@asynccontextmanager
async def demo(tmp_path: Path, revision: str, human: Human) -> AsyncIterator[tuple[Client, DemoSandbox, Path]]:
    socket = tmp_path / "sup.sock"
    env = base_env({"OE_MCP_STATUS_SOCKET": str(socket), "OE_MCP_CONFIRM_TIMEOUT_SECONDS": str(ANSWER_SECONDS),
                    "OE_MCP_MAX_RESTARTS": "100"})
    async with Client(spawned(["--demo"], env), mode=MODES[revision], elicitation_callback=human,
                      read_timeout_seconds=60) as client:
        sandbox = DemoSandbox((await status_of(socket))["demo"]["sandbox_url"])
        await sandbox.set(api="both")
        await sandbox.reset()
        yield client, sandbox, socket


async def posts(sandbox: DemoSandbox) -> list[dict[str, Any]]:
    return [r for r in await sandbox.requests() if r["method"] == "POST" and r["path"].endswith(WRITE_PATH)]


@pytest.mark.parametrize("revision", list(MODES))
async def test_a_real_client_confirms_by_elicitation(revision, tmp_path):
    human = Human()
    async with demo(tmp_path, revision, human) as (client, sandbox, _):
        assert client.protocol_version == revision
        tools = (await client.list_tools()).tools
        assert len(tools) == 15 and all(t.annotations and t.title for t in tools)
        assert (await client.list_prompts()).prompts and (await client.list_resources()).resources
        read = await client.call_tool("asset_details", {"object_id": 1002, "object_type": "oetable"})
        assert not read.is_error

        written = await client.call_tool("update_asset_descriptions", DESCRIBE)
        assert not written.is_error, written
        assert len(human.asked) == 1 and "1002" in human.asked[0].message
        sent = await posts(sandbox)
        assert len(sent) == 1 and sent[0]["json"] == human.shown_body()

        human.answer = "decline"
        declined = await client.call_tool("update_asset_descriptions", DESCRIBE)
        assert declined.is_error and declined.structured_content["confirmation"] == "declined"
        assert len(await posts(sandbox)) == 1

        human.answer = "cancel"
        cancelled = await client.call_tool("update_asset_descriptions", DESCRIBE)
        assert cancelled.is_error and cancelled.structured_content["confirmation"] == "cancelled"

        human.answer = "late"
        if revision == "2025-11-25":
            late = await client.call_tool("update_asset_descriptions", DESCRIBE)
            assert late.is_error and late.structured_content["confirmation"] == "no_answer"
        else:  # the retry comes after the state expired: refused
            with pytest.raises(MCPError) as refused:
                await client.call_tool("update_asset_descriptions", DESCRIBE)
            assert refused.value.error.code == -32602 and "expired" in refused.value.error.message
        await trio.sleep(2.0)  # a late answer had its chance to write
        assert len(await posts(sandbox)) == 1


@pytest.mark.parametrize("revision", list(MODES))
async def test_a_worker_killed_between_question_and_answer_writes_once(revision, tmp_path):
    human = Human()
    async with demo(tmp_path, revision, human) as (client, sandbox, socket):
        await worker_ready(socket)

        async def crash() -> None:
            os.kill((await status_of(socket))["worker"]["pid"], signal.SIGKILL)
            await trio.sleep(0.5)

        human.before_answer = crash
        result = await client.call_tool("update_asset_descriptions", DESCRIBE)
        text = "".join(c.text for c in result.content if isinstance(c, types.TextContent))
        await trio.sleep(2.0)
        sent = await posts(sandbox)
        # The worker died before the write was sent: the next one writes it, once.
        assert len(sent) == 1 and not result.is_error, (sent, text)
        assert sent[0]["json"] == human.shown_body()


@pytest.mark.parametrize("revision", list(MODES))
async def test_a_worker_killed_during_the_approved_write_is_outcome_unknown(revision, tmp_path):
    human = Human()
    async with demo(tmp_path, revision, human) as (client, sandbox, socket):
        await worker_ready(socket)
        await sandbox.fault({"path": WRITE_PATH, "delay": 3.0})
        pid = (await status_of(socket))["worker"]["pid"]
        answer: list[Any] = []
        async with trio.open_nursery() as nursery:
            async def call() -> None:
                answer.append(await client.call_tool("update_asset_descriptions", DESCRIBE))

            nursery.start_soon(call)
            with trio.fail_after(30):
                while not await posts(sandbox):
                    await trio.sleep(0.05)
            os.kill(pid, signal.SIGKILL)
        await trio.sleep(4.0)  # a repeated write would have reached the sandbox by now
        text = "".join(c.text for c in answer[0].content if isinstance(c, types.TextContent))
        assert answer[0].is_error and "outcome is unknown" in text, text
        assert len(await posts(sandbox)) == 1
