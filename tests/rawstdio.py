"""A raw JSON-RPC client of `oe-mcp-local`: lines written to its stdin, lines read from its stdout.

No SDK on our side, so we can send garbage and count the answers to every id ourselves. Every
line the server writes is kept (`lines`); answers are grouped by id (`answers`), keyed by the id's
JSON text so 1 and "1" stay apart.
"""

from __future__ import annotations

import itertools
import json
import subprocess
import tempfile
from collections import defaultdict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import trio

from shared.processes import close_and_reap
from tests.harness import command_path

PROTOCOL_VERSION = "2025-06-18"


def id_key(request_id: Any) -> str:
    return json.dumps(request_id)


class RawClient:
    def __init__(self, process: trio.Process, stderr_path: Path):
        self.process = process
        self.stderr_path = stderr_path
        self.lines: list[bytes] = []  # everything the server wrote, in order
        self.not_json: list[bytes] = []  # lines that are not a JSON object (must stay empty)
        self.answers: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self.notifications: list[dict[str, Any]] = []
        self.eof = False
        self._changed = trio.Event()
        self._ids = itertools.count(1)
        self.requested: set[str] = set()  # id keys of the requests sent with `request`
        self._send_lock = trio.Lock()  # concurrent callers: whole lines, one at a time

    # -- plumbing ----------------------------------------------------------------------------
    async def _read(self) -> None:
        buffer = b""
        while True:
            try:
                data = await self.process.stdout.receive_some(1 << 20)
            except (trio.ClosedResourceError, trio.BrokenResourceError):
                data = b""
            if not data:
                self.eof = True
                self._signal()
                return
            buffer += data
            *complete, buffer = buffer.split(b"\n")
            for line in complete:
                self._note(line)
            self._signal()

    def _note(self, line: bytes) -> None:
        self.lines.append(line)
        try:
            message = json.loads(line)
        except ValueError:
            message = None
        if not isinstance(message, dict) or message.get("jsonrpc") != "2.0":
            self.not_json.append(line)
            return
        if "id" in message and ("result" in message or "error" in message):
            self.answers[id_key(message["id"])].append(message)
        else:
            self.notifications.append(message)

    def _signal(self) -> None:
        self._changed.set()
        self._changed = trio.Event()

    def stderr(self) -> str:
        return self.stderr_path.read_text(errors="replace")

    # -- sending -----------------------------------------------------------------------------
    def next_id(self) -> int:
        return next(self._ids)

    async def send_line(self, line: bytes) -> None:
        async with self._send_lock:
            await self.process.stdin.send_all(line + b"\n")

    async def send(self, message: dict[str, Any]) -> None:
        await self.send_line(json.dumps(message).encode())

    async def wait_answer(self, request_id: Any, timeout: float = 10.0) -> dict[str, Any]:
        """The first answer to `request_id`; fails after `timeout` s or at EOF."""
        key = id_key(request_id)
        with trio.move_on_after(timeout):
            while not self.answers.get(key):
                if self.eof:
                    raise AssertionError(f"server closed stdout before answering id {key}")
                await self._changed.wait()
            return self.answers[key][0]
        raise AssertionError(f"no answer to id {key} within {timeout} s")

    async def request(self, method: str, params: dict[str, Any] | None = None, *,
                      timeout: float = 10.0) -> dict[str, Any]:
        request_id = self.next_id()
        message: dict[str, Any] = {"jsonrpc": "2.0", "id": request_id, "method": method}
        if params is not None:
            message["params"] = params
        self.requested.add(id_key(request_id))
        await self.send(message)
        return await self.wait_answer(request_id, timeout)

    async def initialize(self) -> dict[str, Any]:
        answer = await self.request("initialize", {
            "protocolVersion": PROTOCOL_VERSION, "capabilities": {},
            "clientInfo": {"name": "raw-test-client", "version": "0"},
        })
        assert "result" in answer, answer
        await self.send({"jsonrpc": "2.0", "method": "notifications/initialized"})
        return answer["result"]

    async def call_tool(self, name: str, arguments: dict[str, Any], *,
                        timeout: float = 30.0) -> dict[str, Any]:
        """The tools/call result (a dict); fails on a JSON-RPC error."""
        answer = await self.request("tools/call", {"name": name, "arguments": arguments},
                                    timeout=timeout)
        assert "result" in answer, answer
        return answer["result"]


def tool_text(result: dict[str, Any]) -> str:
    return "\n".join(c.get("text", "") for c in result.get("content", []) if c.get("type") == "text")


@asynccontextmanager
async def raw_supervisor(env: dict[str, str], *args: str) -> AsyncIterator[RawClient]:
    """Start `oe-mcp-local` on pipes, uninitialised; on exit close stdin and reap it."""
    with tempfile.NamedTemporaryFile("w+b", suffix=".stderr", delete=False) as errlog:
        errpath = Path(errlog.name)
        process = await trio.lowlevel.open_process(
            [command_path("oe-mcp-local"), *args], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=errlog, env=env, cwd="/", start_new_session=True,
        )
    client = RawClient(process, errpath)
    try:
        async with trio.open_nursery() as nursery:
            nursery.start_soon(client._read)
            yield client
            await close_and_reap(process)
            nursery.cancel_scope.cancel()
    finally:
        await close_and_reap(process)
        errpath.unlink(missing_ok=True)
