"""Drive our real commands as an MCP client would: a subprocess on stdio, the SDK's client."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import mcp.types as types
import pytest
import trio
from mcp import ClientSession

from shared.processes import close_and_reap
from shared.settings import REPO_ROOT

BIN = Path(sys.executable).parent
OTHER_USER = "nobody"  # a real unprivileged account: what another local user can do to us
needs_root = pytest.mark.skipif(
    os.geteuid() != 0, reason=f"acting as another local user ({OTHER_USER}) needs root")


def command_path(name: str) -> str:
    """The installed console script (what users run), next to this interpreter."""
    path = BIN / name
    assert path.exists(), f"{name} is not installed in {BIN}; run the setup script"
    return str(path)


def base_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """A minimal environment, isolated from the developer's own .env."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/tmp"),
        "OE_MCP_ENV_FILE": str(REPO_ROOT / "tests" / "no-such.env"),
        "OVALEDGE_RETRY_BACKOFF_SECONDS": "0.01",
        "PYTHONUNBUFFERED": "1",
    }
    for name in ("XDG_RUNTIME_DIR", "TMPDIR"):
        if name in os.environ:
            env[name] = os.environ[name]
    env.update(extra or {})
    return env


def sandbox_env(sandbox: Any, **extra: str) -> dict[str, str]:
    from sandbox import DEMO_USER_SECRET, DEMO_USER_TOKEN

    return base_env({
        "OVALEDGE_BASE_URL": sandbox.base_url,
        "OVALEDGE_USER_TOKEN": DEMO_USER_TOKEN,
        "OVALEDGE_USER_SECRET": DEMO_USER_SECRET,
        **extra,
    })


@dataclass
class Connected:
    session: ClientSession
    process: trio.Process
    stderr_path: Path
    logs: list[types.LoggingMessageNotificationParams] = field(default_factory=list)

    @property
    def pid(self) -> int:
        return self.process.pid

    def stderr(self) -> str:
        return self.stderr_path.read_text(errors="replace")

    async def call(self, tool: str, arguments: dict[str, Any] | None = None, **kw: Any):
        return await self.session.call_tool(tool, arguments or {}, **kw)


def imported_modules(stderr: str) -> set[str]:
    """Every module a process named in its own `-X importtime` report (lines that start with
    "import time:"; a child's report relayed in a log line does not start so)."""
    found = set()
    for line in stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            name = line.rsplit("|", 1)[1].strip()
            if name and name != "imported package":
                found.add(name)
    return found


def result_text(result: types.CallToolResult) -> str:
    return "\n".join(c.text for c in result.content if isinstance(c, types.TextContent))


def result_json(result: types.CallToolResult) -> Any:
    assert not result.is_error, result_text(result)
    return json.loads(result_text(result))


@asynccontextmanager
async def connect(
    command: str, args: list[str], env: dict[str, str], *, list_first: bool = True,
    initialize: bool = True,
) -> AsyncIterator[Connected]:
    """Start `command` with MCP on its stdio and hand back a client session (SDK ClientSession).

    On exit, stdin is closed (how clients end a server) and the process is reaped, killed
    after 5 s if it does not go by itself.
    """
    from worker.stdio import mcp_streams

    with tempfile.NamedTemporaryFile("w+b", suffix=".stderr", delete=False) as errlog:
        errpath = Path(errlog.name)
        process = await trio.lowlevel.open_process(
            [command, *args], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=errlog,
            env=env, cwd="/", start_new_session=True,
        )
    connected: Connected | None = None

    async def on_log(params: types.LoggingMessageNotificationParams) -> None:
        assert connected is not None
        connected.logs.append(params)

    try:
        async with mcp_streams(trio.StapledStream(process.stdin, process.stdout)) as (read, write, _):
            async with ClientSession(read, write, logging_callback=on_log) as session:
                connected = Connected(session, process, errpath)
                if initialize:
                    await session.initialize()
                    if list_first:
                        await session.list_tools()
                yield connected
    finally:
        await close_and_reap(process)
        errpath.unlink(missing_ok=True)


def worker(env: dict[str, str], *args: str):
    return connect(command_path("oe-mcp-worker"), list(args), env)


def supervisor(env: dict[str, str], *args: str, **kw: Any):
    return connect(command_path("oe-mcp-local"), list(args), env, **kw)


async def socket_listening(socket: Path, timeout: float = 10.0) -> None:
    """Wait for a supervisor's status socket. It is made once the supervisor has read its
    settings, just after answering `initialize`, and appears only once it is listening."""
    await wait_until(socket.exists, timeout=timeout)


async def status_of(socket: Path) -> dict[str, Any]:
    """What `oe-mcp-status --json --socket` prints (the real CLI)."""
    await socket_listening(socket)
    done = await trio.run_process(
        [command_path("oe-mcp-status"), "--json", "--socket", str(socket)],
        capture_stdout=True, capture_stderr=True, check=False,
    )
    assert done.returncode == 0, done.stderr.decode()
    return json.loads(done.stdout.decode().splitlines()[0])


async def as_other_user(*argv: str) -> None:
    """Run a command as OTHER_USER (the test runs as root: see `needs_root`)."""
    await trio.run_process(list(argv), user=OTHER_USER)


async def run_command(name: str, *args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    """One of our commands run to its end: its exit code and its stdout + stderr."""
    done = await trio.run_process([command_path(name), *args], env=env, capture_stdout=True,
                                  capture_stderr=True, check=False)
    return done.returncode, (done.stdout + done.stderr).decode(errors="replace")


def alive(pid: int) -> bool:
    """True while `pid` exists and is not a zombie."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


async def wait_until(predicate, timeout: float = 10.0, interval: float = 0.02) -> float:
    """Poll `predicate` until true; returns the seconds it took, fails after `timeout`."""
    start = trio.current_time()
    with trio.move_on_after(timeout):
        while not predicate():
            await trio.sleep(interval)
        return trio.current_time() - start
    raise AssertionError(f"condition not met within {timeout} s")


@dataclass
class DemoSandbox:
    """The sandbox OvalEdge that `oe-mcp-local --demo` runs as its child, driven through its
    control endpoints (`/__sandbox/...`)."""

    base_url: str  # ends with the context path

    @property
    def control(self) -> str:
        return self.base_url.rsplit("/", 1)[0] + "/__sandbox"

    async def _send(self, method: str, what: str, body: Any = None) -> Any:
        import httpx

        async with httpx.AsyncClient(timeout=10) as http:
            response = await http.request(method, f"{self.control}/{what}", json=body)
        assert response.status_code == 200, response.text
        return response.json()

    async def requests(self, prefix: str = "/api/v1/mcp/") -> list[dict[str, Any]]:
        """Recorded API requests (method, path, query, query_items, json, status), in order."""
        answer = await self._send("GET", "requests")
        return [r for r in answer["requests"] if r["path"].startswith(prefix)]

    async def reset(self) -> None:
        await self._send("POST", "reset")

    async def set(self, **settings: Any) -> None:
        await self._send("POST", "settings", settings)

    async def fault(self, *faults: dict[str, Any]) -> None:
        await self._send("POST", "faults", list(faults))

    async def get(self, path: str, **params: Any) -> Any:
        """An API answer, read as a client of OvalEdge would with the demo credentials. (Its JWT
        supersedes the worker's, which then re-exchanges on its next call, as designed.)"""
        import httpx

        from sandbox import DEMO_USER_SECRET, DEMO_USER_TOKEN

        async with httpx.AsyncClient(base_url=self.base_url, timeout=10) as http:
            exchanged = await http.post("/api/user/token/generate", headers={"Authorization": "Basic eA=="},
                                        json={"userToken": DEMO_USER_TOKEN, "userSecret": DEMO_USER_SECRET})
            jwt = exchanged.json()["data"]["token"]
            response = await http.get(path, params=params, headers={"Authorization": f"jwt {jwt}"})
        assert response.status_code == 200, response.text
        return response.json()


@asynccontextmanager
async def demo_supervisor(
    socket: Path, *, api: str = "both", env: dict[str, str] | None = None
) -> AsyncIterator[tuple[Connected, DemoSandbox]]:
    """`oe-mcp-local --demo` driven by the SDK client, its sandbox in route mode `api`, with no
    API request recorded yet."""
    async with supervisor(base_env({"OE_MCP_STATUS_SOCKET": str(socket), **(env or {})}), "--demo") as conn:
        sandbox = DemoSandbox((await status_of(socket))["demo"]["sandbox_url"])
        await sandbox.set(api=api)
        await sandbox.reset()
        yield conn, sandbox
