"""Processes the benchmarks drive: the sandbox, MCP servers on stdio, the peer proxy, /proc."""

from __future__ import annotations

import contextlib
import json
import os
import platform
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import mcp.types as types
import trio
from mcp import ClientSession

from shared.processes import close_and_reap

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "benchmarks" / ".out"
BIN = Path(sys.executable).parent
TOKEN_PATH = "/api/user/token/generate"
SEARCH_ARGS = {"search_terms": ["orders"], "limit": 5}


def command(name: str) -> str:
    path = BIN / name
    if not path.exists():
        raise SystemExit(f"{name} is not installed next to {sys.executable}; run scripts/setup_local_mcp.sh")
    return str(path)


# -- the sandbox, in its own process -----------------------------------------------------------
@dataclass
class SandboxProcess:
    base_url: str
    root_url: str
    process: trio.Process
    http: httpx.AsyncClient

    @property
    def pid(self) -> int:
        return self.process.pid

    async def _control(self, method: str, path: str, body: Any = None) -> dict[str, Any]:
        response = await self.http.request(method, f"{self.root_url}/__sandbox/{path}", json=body)
        response.raise_for_status()
        return response.json()

    async def settings(self, **changes: Any) -> dict[str, Any]:
        return await self._control("POST", "settings", changes)

    async def fault(self, path: str, times: int = 1, **fault: Any) -> None:
        await self._control("POST", "faults", {"path": path, "times": times, **fault})

    async def reset(self) -> None:
        """Forget recorded requests and queued faults (keeps the sandbox's memory flat)."""
        await self._control("POST", "reset")


@asynccontextmanager
async def sandbox_process() -> AsyncIterator[SandboxProcess]:
    """`oe-mcp-sandbox --port 0` in its own process (it does not compete with the client loop)."""
    process = await trio.lowlevel.open_process(
        [command("oe-mcp-sandbox"), "--port", "0"], stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL, start_new_session=True,
    )
    try:
        assert process.stdout is not None
        text = b""
        with trio.fail_after(30):
            while b"OVALEDGE_BASE_URL=" not in text or not text.endswith(b"\n"):
                chunk = await process.stdout.receive_some(4096)
                if not chunk:
                    raise RuntimeError("oe-mcp-sandbox exited before printing its address")
                text += chunk
        base_url = next(line.split("=", 1)[1] for line in text.decode().splitlines()
                        if line.startswith("OVALEDGE_BASE_URL="))
        parts = urlsplit(base_url)
        root_url = f"{parts.scheme}://{parts.netloc}"
        async with httpx.AsyncClient(timeout=10) as http:
            yield SandboxProcess(base_url, root_url, process, http)
    finally:
        with trio.CancelScope(shield=True):
            with contextlib.suppress(ProcessLookupError):
                process.send_signal(signal.SIGTERM)
            with trio.move_on_after(5):
                await process.wait()
            if process.returncode is None:
                process.kill()
                await process.wait()


def server_env(sandbox: SandboxProcess, runtime: Path, **extra: str) -> dict[str, str]:
    """A minimal environment for oe-mcp-local / oe-mcp-worker against the sandbox."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/tmp"),
        "XDG_RUNTIME_DIR": str(runtime),
        "OE_MCP_ENV_FILE": str(OUT / "no-such.env"),  # never the developer's own .env
        "OVALEDGE_BASE_URL": sandbox.base_url,
        "OVALEDGE_USER_TOKEN": "demo-user-token",
        "OVALEDGE_USER_SECRET": "demo-user-secret",
        "PYTHONUNBUFFERED": "1",
    }
    env.update(extra)
    return env


# -- an MCP server on stdio, driven by the SDK client ------------------------------------------
@dataclass
class Client:
    session: ClientSession
    process: trio.Process
    spawned_at: float  # time.perf_counter() just before the spawn
    initialized_at: float | None = None
    listed_at: float | None = None

    @property
    def pid(self) -> int:
        return self.process.pid

    async def search(self) -> types.CallToolResult:
        return await self.session.call_tool("asset_explorer", SEARCH_ARGS)

    async def timed_search(self) -> float:
        started = time.perf_counter()
        result = await self.search()
        took = time.perf_counter() - started
        if result.is_error:
            raise RuntimeError(f"asset_explorer failed: {result.content}")
        return took


@asynccontextmanager
async def mcp_client(argv: list[str], env: dict[str, str], *, handshake: bool = True,
                     stderr_name: str = "server") -> AsyncIterator[Client]:
    """Spawn `argv` with MCP on its stdio; hand back a client session (after the handshake)."""
    from worker.stdio import mcp_streams

    logs = OUT / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    errpath = logs / f"{stderr_name}-{time.time_ns()}.stderr"
    children: list[int] = []
    with errpath.open("wb") as errlog:
        spawned_at = time.perf_counter()
        process = await trio.lowlevel.open_process(
            argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=errlog, env=env, cwd="/",
            start_new_session=True,
        )
    try:
        stream = trio.StapledStream(process.stdin, process.stdout)
        async with mcp_streams(stream) as (read, write, _):
            async with ClientSession(read, write) as session:
                client = Client(session, process, spawned_at)
                if handshake:
                    await session.initialize()
                    client.initialized_at = time.perf_counter()
                    await session.list_tools()
                    client.listed_at = time.perf_counter()
                yield client
                children = descendants(process.pid)
    finally:
        await close_and_reap(process)
        with trio.CancelScope(shield=True):
            # The next measurement gets a quiet machine: no worker of ours still exiting.
            await wait_gone(children)
    errpath.unlink(missing_ok=True)  # kept when something failed: it has the server's side of it


async def supervisor_status(socket: Path) -> dict[str, Any]:
    """What `oe-mcp-status --json --socket` prints (the real CLI)."""
    done = await trio.run_process(
        [command("oe-mcp-status"), "--json", "--socket", str(socket)],
        capture_stdout=True, capture_stderr=True, check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"oe-mcp-status failed: {done.stderr.decode().strip()}")
    return json.loads(done.stdout.decode().splitlines()[0])


async def ready_worker_pid(socket: Path, *, spare: bool = False, timeout: float = 30) -> int:
    """The current worker's pid once it is ready (and, with `spare`, once a standby is too)."""
    with trio.fail_after(timeout):
        while True:
            status = await supervisor_status(socket)
            worker = status["worker"]
            if worker["state"] == "ready" and worker["pid"] and (not spare or worker.get("spare_pid")):
                return int(worker["pid"])
            await trio.sleep(0.05)


# -- /proc --------------------------------------------------------------------------------------
def rss_bytes(pid: int) -> int:
    """VmRSS of `pid` from /proc/<pid>/status, in bytes."""
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError(f"no VmRSS for {pid}")


def _stat(pid: int) -> list[str] | None:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return None


_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time `pid` has used so far (0 once it is gone)."""
    fields = _stat(pid)
    return 0.0 if fields is None else (int(fields[11]) + int(fields[12])) / _TICKS


def system_seconds(pid: int) -> float:
    """The system (kernel) share of `cpu_seconds`: pipe reads and writes, polling, wake-ups."""
    fields = _stat(pid)
    return 0.0 if fields is None else int(fields[12]) / _TICKS


def descendants(pid: int) -> list[int]:
    """Every live process below `pid` (scanning /proc/*/stat: no /proc/.../children needed)."""
    parents: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit() and (fields := _stat(int(entry))) is not None and fields[0] != "Z":
            parents.setdefault(int(fields[1]), []).append(int(entry))
    found, todo = [], [pid]
    while todo:
        for child in parents.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def alive(pid: int) -> bool:
    fields = _stat(pid)
    return fields is not None and fields[0] != "Z"


async def wait_gone(pids: list[int], timeout: float = 10) -> None:
    """Wait until `pids` have exited, so that the next measurement has the machine to itself."""
    with trio.move_on_after(timeout):
        while any(alive(pid) for pid in pids):
            await trio.sleep(0.02)


async def floor_rss(modules: str) -> int:
    """VmRSS of a python that has imported `modules` and waits (what the imports alone cost)."""
    process = await trio.lowlevel.open_process(
        [sys.executable, "-c", f"import {modules}; print('ready', flush=True); import sys; sys.stdin.read()"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, cwd="/",
    )
    try:
        assert process.stdout is not None and process.stdin is not None
        with trio.fail_after(30):
            await process.stdout.receive_some(100)
        return rss_bytes(process.pid)
    finally:
        with trio.CancelScope(shield=True):
            assert process.stdin is not None
            await process.stdin.aclose()
            await process.wait()


def pss_bytes(pid: int) -> int | None:
    """Pss of `pid` (its proportional set size: each shared page divided among the processes that
    map it), from /proc/<pid>/smaps_rollup, in bytes; None where the kernel has no rollup."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as rollup:
            for line in rollup:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) * 1024
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return None
    return None


# A python that imports `base`, then each part in turn: its VmRSS and modules after each step, by
# top-level package. Modules a step loads that an earlier one already had cost nothing there.
_LAYERS = """
import collections, importlib, json, sys
def rss():
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmRSS:"))
def packages():
    return dict(collections.Counter(name.split(".")[0] for name in sys.modules))
steps = []
for names in json.loads(sys.argv[1]):
    for name in names.split(","):
        importlib.import_module(name.strip())
    steps.append({"imports": names, "rss": rss(), "modules": len(sys.modules), "packages": packages()})
print(json.dumps(steps))
"""


async def import_layers(steps: list[str]) -> list[dict[str, Any]]:
    """VmRSS, module count and modules per top-level package of one python after each step of
    imports (`steps[0]` is the base; every later step adds to what is loaded)."""
    done = await trio.run_process([sys.executable, "-c", _LAYERS, json.dumps(steps)], capture_stdout=True,
                                  check=True, cwd="/")
    return json.loads(done.stdout)


def machine() -> dict[str, Any]:
    cpu = "unknown"
    with contextlib.suppress(OSError), open("/proc/cpuinfo") as info:
        for line in info:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    os_name = platform.platform()
    with contextlib.suppress(OSError), open("/etc/os-release") as release:
        for line in release:
            if line.startswith("PRETTY_NAME="):
                os_name = line.split("=", 1)[1].strip().strip('"')
    mem_total = None
    with contextlib.suppress(OSError), open("/proc/meminfo") as meminfo:
        for line in meminfo:
            if line.startswith("MemTotal:"):
                mem_total = int(line.split()[1]) * 1024
    commit = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"],
                            capture_output=True, text=True, check=False).stdout.strip()
    # The report a previous run rewrote is no change to what is measured.
    dirty = subprocess.run(["git", "-C", str(REPO), "status", "--porcelain", "--untracked-files=no",
                            "--", ".", ":!docs/performance.md"],
                           capture_output=True, text=True, check=False).stdout.strip()
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_bytes": mem_total,
        "python": sys.version.split()[0],
        "os": os_name,
        "kernel": platform.release(),
        "commit": (commit + ("+dirty" if dirty else "")) or "unknown",
    }


def loadavg() -> list[float]:
    try:
        return [float(x) for x in Path("/proc/loadavg").read_text().split()[:3]]
    except OSError:
        return []


# -- the peer proxy (a stdio MCP proxy from the package index) ----------------------------------
PEER_PACKAGE = "mcpmon"
PEER_VENV = OUT / "peer-venv"
PEER_WATCH = OUT / "peer-watch"  # an empty folder for mcpmon to watch: it never reloads


def ensure_peer(install: bool) -> tuple[list[str] | None, str]:
    """The argv prefix that runs the peer proxy in front of a server, or None and why not."""
    binary = PEER_VENV / "bin" / "mcpmon"
    if not binary.exists():
        if not install:
            return None, f"{PEER_PACKAGE} is not installed in {PEER_VENV} and --no-peer-install was given"
        steps = [[sys.executable, "-m", "venv", str(PEER_VENV)],
                 [str(PEER_VENV / "bin" / "python"), "-m", "pip", "install", "-q", PEER_PACKAGE]]
        for step in steps:
            done = subprocess.run(step, capture_output=True, text=True, check=False, timeout=300)
            if done.returncode != 0:
                tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
                return None, f"`{' '.join(step[-3:])}` failed: {' | '.join(tail)}"
    PEER_WATCH.mkdir(parents=True, exist_ok=True)
    version = subprocess.run([str(binary), "--version"], capture_output=True, text=True, check=False)
    label = (version.stdout or version.stderr).strip() or PEER_PACKAGE
    return [str(binary), "-q", "--watch", str(PEER_WATCH), "--"], label
