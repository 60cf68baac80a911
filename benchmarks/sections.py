"""The measurements. Each section returns plain data (seconds, bytes, counts) for results.json.

Sandboxes run as separate `oe-mcp-sandbox` processes, one per server under test: the sandbox
keeps one active JWT per credential (as OvalEdge does), so two servers sharing one would keep
invalidating each other's token.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import time
from collections.abc import Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import trio

from benchmarks.multiclient import multiclient
from benchmarks.procs import (
    TOKEN_PATH,
    Client,
    SandboxProcess,
    command,
    cpu_seconds,
    descendants,
    floor_rss,
    import_layers,
    mcp_client,
    pss_bytes,
    ready_worker_pid,
    rss_bytes,
    sandbox_process,
    server_env,
    supervisor_status,
    system_seconds,
)
from benchmarks.stats import percentile, summary

Progress = Callable[[str], None]


@dataclass
class Plan:
    """How much of each measurement to do; `quick` is a smoke run."""

    quick: bool
    overhead_blocks: int = 16
    overhead_block_calls: int = 25
    overhead_warmup: int = 40
    handshake_spawns: int = 8
    recovery_idle_reps: int = 8
    recovery_load_reps: int = 5
    recovery_load_tasks: int = 8
    recovery_load_latency: float = 0.02
    concurrency_rounds: int = 24
    concurrency_single_calls: int = 8
    concurrency_burst: int = 32
    concurrency_latency: float = 0.05
    memory_calls: int = 10_000
    memory_tasks: int = 4
    memory_samples: int = 10
    peer_argv: list[str] | None = None
    peer_label: str = ""
    runtime: Path = field(default_factory=Path)

    @classmethod
    def make(cls, quick: bool, runtime: Path) -> Plan:
        if not quick:
            return cls(quick=False, runtime=runtime)
        return cls(quick=True, runtime=runtime, overhead_blocks=4, overhead_block_calls=10,
                   overhead_warmup=10, handshake_spawns=2, recovery_idle_reps=2, recovery_load_reps=1,
                   concurrency_rounds=2, concurrency_single_calls=4, memory_calls=600, memory_samples=3)


def _local() -> list[str]:
    return [command("oe-mcp-local")]


def _worker() -> list[str]:
    return [command("oe-mcp-worker")]


def _socket(plan: Plan, name: str) -> Path:
    return plan.runtime / f"{name}-{time.time_ns()}.sock"


CPU_KEYS = ("front", "children", "sandbox", "client")
CpuSnapshot = dict[str, dict[int, float]]


def _cpu(client: Client, sandbox: SandboxProcess) -> CpuSnapshot:
    """CPU seconds so far, per pid, of: the server the client talks to, the processes below it
    (looked up each time: a worker may have been replaced), the sandbox, and this client."""
    return {"front": {client.pid: cpu_seconds(client.pid)},
            "children": {pid: cpu_seconds(pid) for pid in descendants(client.pid)},
            "sandbox": {sandbox.pid: cpu_seconds(sandbox.pid)}, "client": {0: time.process_time()}}


def _add_cpu(total: dict[str, float], before: CpuSnapshot, after: CpuSnapshot) -> None:
    """Add what each process used in between (processes that came or went in between: not counted)."""
    for key in CPU_KEYS:
        total[key] += sum(after[key][pid] - before[key][pid] for pid in after[key].keys() & before[key].keys()
                          if after[key][pid] >= before[key][pid])


async def _restarts(sock: Path) -> dict[str, Any]:
    """Worker restarts the supervisor has counted, and the last exit (to catch unplanned ones)."""
    worker = (await supervisor_status(sock))["worker"]
    return {"restarts": worker["restarts"], "last_exit": worker.get("last_exit")}


def _rotate(names: list[str], i: int) -> list[str]:
    k = i % len(names)
    return names[k:] + names[:k]


# -- 1. forwarding overhead (and the peer proxy) -------------------------------------------------
async def overhead(plan: Plan, say: Progress) -> dict[str, Any]:
    targets: dict[str, list[str]] = {"worker": _worker(), "local": _local()}
    targets["trio_relay"] = [sys.executable, str(Path(__file__).with_name("trio_relay.py")), *_worker()]
    if plan.peer_argv:
        targets["peer"] = plan.peer_argv + _worker()
    samples: dict[str, list[float]] = {name: [] for name in targets}
    block_p50: dict[str, list[float]] = {name: [] for name in targets}
    # CPU seconds used during the measured calls: the process the client talks to ("front"), the
    # processes below it ("children": the supervisor's worker and standby, the peer's worker),
    # the sandbox, and this client.
    cpu: dict[str, dict[str, float]] = {name: dict.fromkeys(CPU_KEYS, 0.0) for name in targets}
    front_system = dict.fromkeys(targets, 0.0)  # the kernel's share of "front"
    async with AsyncExitStack() as stack:
        clients: dict[str, Client] = {}
        sandboxes: dict[str, SandboxProcess] = {}
        for name, argv in targets.items():
            sandboxes[name] = await stack.enter_async_context(sandbox_process())
            sock = _socket(plan, name)
            env = server_env(sandboxes[name], plan.runtime, OE_MCP_STATUS_SOCKET=str(sock))
            clients[name] = await stack.enter_async_context(mcp_client(argv, env, stderr_name=name))
            if name == "local":
                local_sock = sock
                await ready_worker_pid(sock, spare=True)  # settled: worker and standby both up
        for client in clients.values():
            for _ in range(plan.overhead_warmup):
                await client.timed_search()
        names = list(clients)
        for block in range(plan.overhead_blocks):
            for name in _rotate(names, block):
                client = clients[name]
                before, system_before = _cpu(client, sandboxes[name]), system_seconds(client.pid)
                took = [await client.timed_search() for _ in range(plan.overhead_block_calls)]
                _add_cpu(cpu[name], before, _cpu(client, sandboxes[name]))
                front_system[name] += system_seconds(client.pid) - system_before
                samples[name] += took
                block_p50[name].append(percentile(took, 50))
            say(f"overhead block {block + 1}/{plan.overhead_blocks}")
        supervisor = await _restarts(local_sock)
    result: dict[str, Any] = {
        "blocks": plan.overhead_blocks, "calls_per_block": plan.overhead_block_calls,
        "supervisor": supervisor,
        "targets": {name: {"summary": summary(values), "block_p50": block_p50[name],
                           "cpu_per_call": {k: v / len(values) for k, v in cpu[name].items()},
                           "front_system_per_call": front_system[name] / len(values)}
                    for name, values in samples.items()},
        "samples": samples,
    }
    base = result["targets"]["worker"]["summary"]
    for name in names:
        if name == "worker":
            continue
        mine = result["targets"][name]["summary"]
        per_block = [a / b for a, b in zip(block_p50[name], block_p50["worker"], strict=True)]
        result["targets"][name]["ratio_p50"] = mine["p50"] / base["p50"]
        result["targets"][name]["ratio_p95"] = mine["p95"] / base["p95"]
        result["targets"][name]["block_ratio"] = summary(per_block)
        result["targets"][name]["added_p50"] = mine["p50"] - base["p50"]
    return result


# -- 2. handshake with a hanging token endpoint ---------------------------------------------------
async def _import_floor(modules: str) -> float:
    started = time.perf_counter()
    await trio.run_process([sys.executable, "-c", f"import {modules}"], check=True, cwd="/")
    return time.perf_counter() - started


SUPERVISOR_IMPORTS = ("supervisor.cli, supervisor.spawn, supervisor.backend, supervisor.front, "
                      "shared.framing, shared.surface")
SUPERVISOR_ALL_IMPORTS = (SUPERVISOR_IMPORTS + ", shared.settings, supervisor.pool, supervisor.relay, "
                          "supervisor.status, supervisor.status_socket")  # once it serves calls
WORKER_IMPORTS = "worker.cli, worker.server, mcp.server.stdio"
SDK_FLOOR = "mcp.server.lowlevel"  # the SDK's low-level server: the least an MCP server on it imports
FLOORS = {"floor_python": "sys", "floor_mcp_types_pkg": "mcp_types", "floor_mcp_types": "mcp.types",
          "floor_sdk": SDK_FLOOR, "floor_trio_mcp_types": "trio, mcp_types",
          "floor_local_imports": SUPERVISOR_IMPORTS, "floor_worker_imports": WORKER_IMPORTS}


async def handshake(plan: Plan, say: Progress) -> dict[str, Any]:
    # "local_worker_standby": the supervisor as before the fork host (its first worker spawned).
    servers = ["local_hanging_token", "local", "local_worker_standby", "worker"]
    variants = [*servers, *FLOORS]
    initialize: dict[str, list[float]] = {v: [] for v in variants}
    tools_list: dict[str, list[float]] = {v: [] for v in servers}
    first_call: dict[str, list[float]] = {"local": [], "local_worker_standby": [], "worker": []}
    async with sandbox_process() as sandbox:
        for i in range(plan.handshake_spawns):
            for variant in _rotate(variants, i):
                await sandbox.reset()
                if variant.startswith("floor_"):
                    modules = FLOORS[variant]
                    initialize[variant].append(await _import_floor(modules))
                    continue
                if variant == "local_hanging_token":
                    await sandbox.fault(TOKEN_PATH, times=20, delay=30)
                argv = _worker() if variant == "worker" else _local()
                standby = {"OE_MCP_STANDBY": "worker"} if variant == "local_worker_standby" else {}
                env = server_env(sandbox, plan.runtime, OE_MCP_STATUS_SOCKET=str(_socket(plan, "hs")),
                                 **standby)
                async with mcp_client(argv, env, stderr_name=f"hs-{variant}") as client:
                    assert client.initialized_at and client.listed_at
                    initialize[variant].append(client.initialized_at - client.spawned_at)
                    tools_list[variant].append(client.listed_at - client.spawned_at)
                    if variant in first_call:
                        await client.timed_search()
                        first_call[variant].append(time.perf_counter() - client.spawned_at)
            say(f"handshake round {i + 1}/{plan.handshake_spawns}")
        await sandbox.reset()
    return {
        "spawns": plan.handshake_spawns,
        "initialize": {v: summary(x) for v, x in initialize.items()},
        "tools_list": {v: summary(x) for v, x in tools_list.items()},
        "first_call": {v: summary(x) for v, x in first_call.items()},
        "samples": {"initialize": initialize, "tools_list": tools_list, "first_call": first_call},
    }


# -- 2b. both revisions' first answers, from the surface data -----------------------------------
MODERN_META = {"io.modelcontextprotocol/protocolVersion": "2026-07-28",
               "io.modelcontextprotocol/clientCapabilities": {},
               "io.modelcontextprotocol/clientInfo": {"name": "bench", "version": "0"}}
REVISIONS = ("2025-11-25", "2026-07-28")
NO_WORKER_VARIANTS = ("hanging_token", "no_settings")  # the worker cannot answer / is not started


async def _raw_first_answers(env: dict[str, str], revision: str) -> tuple[float, float]:
    """Seconds from spawn to the first answer (`initialize` or `server/discover`) and to the
    `tools/list` after it, over a raw line client (no SDK on our side)."""
    import json
    import subprocess

    started = time.perf_counter()
    process = await trio.lowlevel.open_process(
        _local(), stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env,
        start_new_session=True)
    buffer = b""

    async def answer(request_id: int) -> None:
        nonlocal buffer
        while True:
            while b"\n" in buffer:
                line, buffer = buffer.split(b"\n", 1)
                message = json.loads(line)
                if message.get("id") == request_id:
                    assert "result" in message, message
                    return
            data = await process.stdout.receive_some(1 << 16)
            assert data, "the server closed stdout"
            buffer += data

    async def send(message: dict[str, Any]) -> None:
        await process.stdin.send_all(json.dumps(message).encode() + b"\n")

    try:
        with trio.fail_after(30):
            if revision in REVISIONS[:1]:
                await send({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
                    "protocolVersion": revision, "capabilities": {},
                    "clientInfo": {"name": "bench", "version": "0"}}})
                await answer(1)
                first = time.perf_counter() - started
                await send({"jsonrpc": "2.0", "method": "notifications/initialized"})
                await send({"jsonrpc": "2.0", "id": 2, "method": "tools/list"})
            else:
                await send({"jsonrpc": "2.0", "id": 1, "method": "server/discover",
                            "params": {"_meta": MODERN_META}})
                await answer(1)
                first = time.perf_counter() - started
                await send({"jsonrpc": "2.0", "id": 2, "method": "tools/list",
                            "params": {"_meta": MODERN_META}})
            await answer(2)
            return first, time.perf_counter() - started
    finally:
        with contextlib.suppress(OSError):
            await process.stdin.aclose()
        with trio.move_on_after(5):
            await process.wait()
        if process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            await process.wait()


async def discovery(plan: Plan, say: Progress) -> dict[str, Any]:
    """`initialize` (2025-11-25) and `server/discover` (2026-07-28), each followed by tools/list,
    answered by the supervisor from the surface data while no worker can answer: its token
    endpoint hangs, or the settings are wrong and no worker is started at all."""
    first: dict[str, list[float]] = {f"{v}/{r}": [] for v in NO_WORKER_VARIANTS for r in REVISIONS}
    listed: dict[str, list[float]] = {key: [] for key in first}
    async with sandbox_process() as sandbox:
        for i in range(plan.handshake_spawns):
            for key in _rotate(list(first), i):
                variant, revision = key.split("/")
                await sandbox.reset()
                if variant == "hanging_token":
                    await sandbox.fault(TOKEN_PATH, times=20, delay=30)
                    env = server_env(sandbox, plan.runtime, OE_MCP_STATUS_SOCKET=str(_socket(plan, "dv")))
                else:
                    env = server_env(sandbox, plan.runtime, OVALEDGE_BASE_URL="",
                                     OE_MCP_STATUS_SOCKET=str(_socket(plan, "dv")))
                answered, then_listed = await _raw_first_answers(env, revision)
                first[key].append(answered)
                listed[key].append(then_listed)
            say(f"discovery round {i + 1}/{plan.handshake_spawns}")
        await sandbox.reset()
    return {
        "spawns": plan.handshake_spawns,
        "first": {k: summary(x) for k, x in first.items()},
        "tools_list": {k: summary(x) for k, x in listed.items()},
        "samples": {"first": first, "tools_list": listed},
    }


# -- 3. recovery after SIGKILL ----------------------------------------------------------------------
RECOVERY_ENV = {
    # Each kill below must be a lone crash (restarted at once, as the first crash in any window
    # is in production), not the n-th crash of a loop that earns backoff or opens the breaker.
    "OE_MCP_RESTART_WINDOW_SECONDS": "1",
    "OE_MCP_MAX_RESTARTS": "1000",
}
# The standby of each variant (OE_MCP_SPARE_WORKER, OE_MCP_STANDBY): the fork host (default), a
# ready standby worker, none (a cold spawn).
RECOVERY_VARIANTS = {"fork": {"OE_MCP_SPARE_WORKER": "true", "OE_MCP_STANDBY": "fork"},
                     "standby": {"OE_MCP_SPARE_WORKER": "true", "OE_MCP_STANDBY": "worker"},
                     "cold": {"OE_MCP_SPARE_WORKER": "false"}}


def _has_standby(variant: str) -> bool:
    return RECOVERY_VARIANTS[variant]["OE_MCP_SPARE_WORKER"] == "true"


async def _kill_idle(client: Client, sock: Path, spare: bool) -> tuple[float, bool]:
    pid = await ready_worker_pid(sock, spare=spare)
    await trio.sleep(0.3)  # idle: nothing in flight
    started = time.perf_counter()
    with contextlib.suppress(ProcessLookupError):  # it may have just died by itself
        os.kill(pid, signal.SIGKILL)
    result = await client.search()
    return time.perf_counter() - started, bool(result.is_error)


async def _kill_loaded(client: Client, sock: Path, spare: bool, tasks: int) -> dict[str, Any]:
    pid = await ready_worker_pid(sock, spare=spare)
    records: list[tuple[float, float, bool]] = []
    stop = trio.Event()
    killed_at = 0.0

    async def caller() -> None:
        while not stop.is_set():
            started = time.perf_counter()
            result = await client.search()
            records.append((started, time.perf_counter(), not result.is_error))

    async with trio.open_nursery() as nursery:
        for _ in range(tasks):
            nursery.start_soon(caller)
        await trio.sleep(0.5)
        killed_at = time.perf_counter()
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        with trio.fail_after(30):
            while not any(start > killed_at and ok for start, _, ok in records):
                await trio.sleep(0.005)
        stop.set()
    interrupted = [end for start, end, _ in records if start < killed_at < end]
    issued_after = [end for start, end, ok in records if start > killed_at and ok]
    return {
        "interrupted": len(interrupted),
        "all_interrupted": (max(interrupted) - killed_at) if interrupted else None,
        "first_issued_after": min(issued_after) - killed_at,
        "failed": sum(not ok for _, _, ok in records),
    }


async def recovery(plan: Plan, say: Progress) -> dict[str, Any]:
    out: dict[str, dict[str, Any]] = {
        v: {"idle": [], "all": [], "first": [], "interrupted": [], "failed": 0} for v in RECOVERY_VARIANTS}
    async with AsyncExitStack() as stack:
        setups: dict[str, tuple[Client, Path, SandboxProcess]] = {}
        for variant, standby in RECOVERY_VARIANTS.items():
            sandbox = await stack.enter_async_context(sandbox_process())
            sock = _socket(plan, f"rec-{variant}")
            env = server_env(sandbox, plan.runtime, OE_MCP_STATUS_SOCKET=str(sock), **standby,
                             **RECOVERY_ENV)
            client = await stack.enter_async_context(mcp_client(_local(), env, stderr_name=f"rec-{variant}"))
            await client.timed_search()
            setups[variant] = (client, sock, sandbox)
        names = list(setups)
        for rep in range(plan.recovery_idle_reps):
            for variant in _rotate(names, rep):
                client, sock, _ = setups[variant]
                took, failed = await _kill_idle(client, sock, _has_standby(variant))
                out[variant]["idle"].append(took)
                out[variant]["failed"] += failed
                await trio.sleep(1.1)  # past the 1 s restart window
            say(f"recovery (idle) {rep + 1}/{plan.recovery_idle_reps}")
        for _, _, sandbox in setups.values():
            await sandbox.settings(latency_seconds=plan.recovery_load_latency)
        for rep in range(plan.recovery_load_reps):
            for variant in _rotate(names, rep):
                client, sock, _ = setups[variant]
                got = await _kill_loaded(client, sock, _has_standby(variant), plan.recovery_load_tasks)
                if got["all_interrupted"] is not None:
                    out[variant]["all"].append(got["all_interrupted"])
                out[variant]["first"].append(got["first_issued_after"])
                out[variant]["interrupted"].append(got["interrupted"])
                out[variant]["failed"] += got["failed"]
                await trio.sleep(1.1)
            say(f"recovery (under load) {rep + 1}/{plan.recovery_load_reps}")
        supervisors = {variant: await _restarts(sock) for variant, (_, sock, _) in setups.items()}
    kills = plan.recovery_idle_reps + plan.recovery_load_reps
    return {
        "kills_per_variant": kills,
        "supervisors": supervisors,
        "under_load_tasks": plan.recovery_load_tasks,
        "under_load_latency_seconds": plan.recovery_load_latency,
        "variants": {
            variant: {
                "idle": summary(data["idle"]),
                "under_load_all_interrupted_answered": summary(data["all"]),
                "under_load_first_issued_after": summary(data["first"]),
                "under_load_interrupted_calls": data["interrupted"],
                "failed_calls": data["failed"],
            } for variant, data in out.items()
        },
        "samples": out,
    }


# -- 4. concurrency ---------------------------------------------------------------------------------
async def concurrency(plan: Plan, say: Progress) -> dict[str, Any]:
    targets = {"local": _local(), "worker": _worker()}
    singles: dict[str, list[float]] = {name: [] for name in targets}
    bursts: dict[str, list[float]] = {name: [] for name in targets}
    ratios: dict[str, list[float]] = {name: [] for name in targets}
    cpu: dict[str, dict[str, float]] = {name: dict.fromkeys(CPU_KEYS, 0.0) for name in targets}
    failed = 0
    async with AsyncExitStack() as stack:
        clients: dict[str, Client] = {}
        sandboxes: dict[str, SandboxProcess] = {}
        for name, argv in targets.items():
            sandboxes[name] = await stack.enter_async_context(sandbox_process())
            await sandboxes[name].settings(latency_seconds=plan.concurrency_latency)
            sock = _socket(plan, name)
            env = server_env(sandboxes[name], plan.runtime, OE_MCP_STATUS_SOCKET=str(sock))
            clients[name] = await stack.enter_async_context(mcp_client(argv, env, stderr_name=name))
            await clients[name].timed_search()
            if name == "local":
                local_sock = sock
                await ready_worker_pid(sock, spare=True)
        for round_ in range(plan.concurrency_rounds):
            for name in _rotate(list(clients), round_):
                client = clients[name]
                single = [await client.timed_search() for _ in range(plan.concurrency_single_calls)]
                results = []

                async def one(client: Client = client, results: list = results) -> None:
                    results.append(await client.search())

                before = _cpu(client, sandboxes[name])
                started = time.perf_counter()
                async with trio.open_nursery() as nursery:
                    for _ in range(plan.concurrency_burst):
                        nursery.start_soon(one)
                wall = time.perf_counter() - started
                _add_cpu(cpu[name], before, _cpu(client, sandboxes[name]))
                failed += sum(r.is_error for r in results)
                singles[name] += single
                bursts[name].append(wall)
                ratios[name].append(wall / percentile(single, 50))
            say(f"concurrency round {round_ + 1}/{plan.concurrency_rounds}")
        supervisor = await _restarts(local_sock)
    return {
        "supervisor": supervisor,
        "burst": plan.concurrency_burst, "latency_seconds": plan.concurrency_latency,
        "failed_calls": failed,
        "targets": {name: {"single": summary(singles[name]), "burst_wall": summary(bursts[name]),
                           "ratio": summary(ratios[name]),
                           "burst_cpu_per_call": {k: v / (plan.concurrency_burst * len(bursts[name]))
                                                  for k, v in cpu[name].items()}}
                    for name in targets},
        "samples": {"single": singles, "burst_wall": bursts, "ratio": ratios},
    }


# -- 5. memory ----------------------------------------------------------------------------------------
# The worker's imports in layers over the SDK's floor: what each of our parts adds, in the order a
# worker loads them by its first call's end. The last layer is not loaded by the worker: what the
# second HTTP client library (httpx, which it used before httpx2) would add.
WORKER_LAYERS = {
    "python": "sys",
    "sdk": SDK_FLOOR,
    "sdk_pieces": "mcp.types, mcp.server, mcp.server.context, mcp.shared.message, mcp.server.stdio",
    "trio": "trio",
    "settings": "pydantic_settings, shared.settings",
    "jsonschema": "jsonschema",
    "jwt": "jwt",
    "token_cache": "cryptography.hazmat.primitives.ciphers.aead, cryptography.hazmat.primitives.kdf.hkdf, "
                   "filelock, worker.token_cache",
    "client": "worker.transport, worker.tokens, worker.client, httpcore2, truststore",  # + when built
    "tools": "worker.registry, worker.tools, worker.surface",
    "server": "worker.cli, worker.server",
    "httpx": "httpx",
}


async def _tree_point(supervisor_pid: int, sock: Path, sandbox_pid: int) -> dict[str, Any]:
    """VmRSS and PSS of the supervisor, its current worker, its standby (the fork host or a worker:
    `standby` says which) and the sandbox, now."""
    status = await supervisor_status(sock)
    worker_pid, spare_pid = status["worker"]["pid"], status["worker"].get("spare_pid")
    point: dict[str, Any] = {"worker_pid": worker_pid, "spare_pid": spare_pid,
                             "standby": status["worker"].get("standby")}
    for who, pid in (("supervisor", supervisor_pid), ("worker", worker_pid), ("spare", spare_pid),
                     ("sandbox", sandbox_pid)):
        try:
            point[who] = rss_bytes(pid) if pid else None
        except (FileNotFoundError, ProcessLookupError):  # it went between the two reads
            point[who] = None
        point[f"{who}_pss"] = pss_bytes(pid) if pid else None
    return point


async def memory(plan: Plan, say: Progress) -> dict[str, Any]:
    sock = _socket(plan, "mem")
    trace: list[dict[str, Any]] = []
    failed = 0
    floors = {"python": await floor_rss("sys"), "mcp_types_pkg": await floor_rss("mcp_types"),
              "mcp_types": await floor_rss("mcp.types"),
              "trio_mcp_types": await floor_rss("trio, mcp_types"),
              "trio_mcp_types_settings": await floor_rss("trio, mcp_types, pydantic_settings"),
              "supervisor_imports": await floor_rss(SUPERVISOR_IMPORTS),
              "supervisor_all_imports": await floor_rss(SUPERVISOR_ALL_IMPORTS),
              "worker_imports": await floor_rss(WORKER_IMPORTS), "sdk": await floor_rss(SDK_FLOOR)}
    layers = dict(zip(WORKER_LAYERS, await import_layers(list(WORKER_LAYERS.values())), strict=True))
    async with sandbox_process() as sandbox:
        env = server_env(sandbox, plan.runtime, OE_MCP_STATUS_SOCKET=str(sock))
        async with mcp_client(_local(), env, stderr_name="memory") as client:
            await client.timed_search()
            await ready_worker_pid(sock, spare=True)
            await trio.sleep(2.0)

            async def sample(calls: int) -> None:
                trace.append({"calls": calls, **await _tree_point(client.pid, sock, sandbox.pid)})

            await sample(0)
            done = 0
            step = plan.memory_calls // plan.memory_samples
            while done < plan.memory_calls:
                todo = min(step, plan.memory_calls - done)
                share = [todo // plan.memory_tasks + (i < todo % plan.memory_tasks)
                         for i in range(plan.memory_tasks)]
                outcomes: list[bool] = []

                async def loop(count: int, outcomes: list[bool] = outcomes) -> None:
                    for _ in range(count):
                        outcomes.append(not (await client.search()).is_error)

                async with trio.open_nursery() as nursery:
                    for count in share:
                        nursery.start_soon(loop, count)
                failed += outcomes.count(False)
                done += todo
                await sandbox.reset()  # the sandbox records every request; keep it flat
                await sample(done)
                say(f"memory {done}/{plan.memory_calls} calls")
            await trio.sleep(2.0)
            await sample(done)
            supervisor = await _restarts(sock)
        # The same tree at rest with the other standby, a ready worker (OE_MCP_STANDBY=worker).
        other_sock = _socket(plan, "mem-worker-standby")
        env = server_env(sandbox, plan.runtime, OE_MCP_STATUS_SOCKET=str(other_sock), OE_MCP_STANDBY="worker")
        async with mcp_client(_local(), env, stderr_name="memory-worker-standby") as client:
            await client.timed_search()
            await ready_worker_pid(other_sock, spare=True)
            await trio.sleep(2.0)
            rest_worker_standby = await _tree_point(client.pid, other_sock, sandbox.pid)
    rest, warm, end = trace[0], trace[1], trace[-1]
    replaced = len({point["worker_pid"] for point in trace}) > 1

    def growth(who: str, base: dict[str, Any]) -> float | None:
        if who == "worker" and base["worker_pid"] != end["worker_pid"]:
            return None  # another process: no growth to speak of
        if not base.get(who) or not end.get(who):
            return None
        return (end[who] - base[who]) / base[who]

    return {
        "calls": plan.memory_calls, "tasks": plan.memory_tasks, "failed_calls": failed,
        "worker_replaced": replaced, "supervisor": supervisor,
        "rest": rest, "end": end, "floors": floors, "layers": layers,
        "rest_worker_standby": rest_worker_standby,
        "growth_from_rest": {"supervisor": growth("supervisor", rest), "worker": growth("worker", rest)},
        "growth_from_first_sample": {"supervisor": growth("supervisor", warm),
                                     "worker": growth("worker", warm), "after_calls": warm["calls"]},
        "trace": trace,
    }


# -- 6. the surface a client pays for in its context ------------------------------------------------
REFERENCE_DESCRIPTION_MAX = 2_500  # the reference server's own allowance per description
REFERENCE_DESCRIPTIONS_TOTAL = 32_000  # ... and for all descriptions together


async def surface(plan: Plan, say: Progress) -> dict[str, Any]:
    """The tools/list answer as a client gets it from oe-mcp-local, measured off the wire."""
    async with sandbox_process() as sandbox:
        env = server_env(sandbox, plan.runtime, OE_MCP_STATUS_SOCKET=str(_socket(plan, "surface")))
        async with mcp_client(_local(), env, stderr_name="surface") as client:
            tools = await client.session.list_tools()
            prompts = await client.session.list_prompts()
            resources = await client.session.list_resources()
            templates = await client.session.list_resource_templates()
    descriptions = {tool.name: len(tool.description or "") for tool in tools.tools}
    return {
        "tools": len(tools.tools), "prompts": len(prompts.prompts),
        "resources": len(resources.resources), "resource_templates": len(templates.resource_templates),
        "tools_list_chars": len(tools.model_dump_json(by_alias=True, exclude_none=True)),
        "description_max": max(descriptions.values()), "descriptions_total": sum(descriptions.values()),
        "descriptions": descriptions,
        "reference_allowance": {"description_max": REFERENCE_DESCRIPTION_MAX,
                                "descriptions_total": REFERENCE_DESCRIPTIONS_TOTAL},
    }


SECTIONS = {
    "surface": surface,
    "overhead": overhead,
    "handshake": handshake,
    "discovery": discovery,
    "recovery": recovery,
    "concurrency": concurrency,
    "memory": memory,
    "multiclient": multiclient,
}
