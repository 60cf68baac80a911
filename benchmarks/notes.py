"""Plain-language notes on the targets a run missed, built from that run's own figures.

Each note states the gap, then the measurement in the same run that accounts for it. Nothing here
is a figure of its own: the numbers quoted are the ones in the tables below them.
"""

from __future__ import annotations

from typing import Any

from benchmarks.report import MIB, TARGETS, _get, summary_rows, unplanned_restarts
from benchmarks.stats import ms, secs


def _overhead(results: dict[str, Any]) -> list[str]:
    ov = results["sections"]["overhead"]
    local, worker = ov["targets"]["local"], ov["targets"]["worker"]
    cpu = local.get("cpu_per_call", {})
    wcpu = worker.get("cpu_per_call", {})
    note = (
        f"- **Forwarding overhead ({local['ratio_p50']:.2f} against "
        f"<= {TARGETS['overhead_ratio_p50']:.2f}).** "
        f"The supervisor adds {ms(local['added_p50'])} at p50 to a call that takes "
        f"{ms(worker['summary']['p50'])} direct. The call itself is cheap (the sandbox is local), so the "
        f"target allows about {ms(worker['summary']['p50'] * (TARGETS['overhead_ratio_p50'] - 1))} for a "
        "whole extra hop. "
    )
    if cpu and wcpu:
        note += (
            f"The supervisor process spends {ms(cpu['front'])} of CPU per call (the worker, which does the "
            f"real work, {ms(wcpu['front'])} when called direct): it is a full MCP server towards the "
            "client and a full MCP client towards the worker, so every request and result goes through "
            "the SDK's dispatcher and is parsed, validated by its pydantic models and serialised again, "
            "twice (stdin/stdout already use trio's own fd streams, no thread hop). "
        )
    peer = ov["targets"].get("peer")
    if peer:
        note += (
            f"The peer proxy ({results['peer']['label']}) comes out at a p50 ratio of "
            f"{peer['ratio_p50']:.2f} "
            f"({ms(peer['summary']['p50'])}) because in its single-server mode the child inherits the "
            "client's stdin and the proxy only copies the child's stdout bytes: it never parses a message, "
            "so it cannot answer the handshake itself or replay a call, and it restarts the child on a file "
            "change only, not after a crash. It is the floor of a byte relay, not a like-for-like "
            "supervisor. "
        )
    note += (
        "Closing the rest of the gap would mean forwarding `tools/call` results without the SDK "
        "re-validating and re-serialising them, which the SDK's server and client APIs do not offer; "
        "a byte relay would lose the handshake, replay and status the supervisor exists for."
    )
    return [note]


def _handshake(results: dict[str, Any]) -> list[str]:
    hs = results["sections"]["handshake"]
    init = hs["initialize"]
    hang, normal = init["local_hanging_token"], init.get("local", {})
    floors = {k: v.get("p50") for k, v in init.items() if k.startswith("floor")}
    note = (
        f"- **Handshake ({secs(hang['p95'])} p95 against < {TARGETS['handshake_seconds']} s).** The hanging "
        f"token endpoint is not on the path: with it `initialize` came after {secs(hang['p50'])} (p50), "
        f"with a token endpoint that answers after {secs(normal.get('p50'))}. The time is the interpreter "
        "importing the MCP SDK before it can read stdin: in the same run "
        f"`python -c 'import mcp.types'` took {secs(floors.get('floor_mcp_types'))} to start, import and "
        f"exit, against {secs(floors.get('floor_python'))} for a bare python and "
        f"{secs(floors.get('floor_mcp_types_pkg'))} for the `mcp_types` package alone. `mcp.types` runs "
        "`mcp/__init__`, which imports the SDK's client, its server frameworks and its HTTP transports "
        "(starlette, uvicorn, sse-starlette, httpx2, opentelemetry) that a stdio supervisor never uses. "
        "Importing only `mcp_types` and the low-level server would bring this under 0.5 s here, but "
        "`mcp/__init__` runs on any `mcp.*` import; that needs a lighter package init upstream "
        "(we do not hand-write protocol replies to get around it)."
    )
    return [note]


def _recovery(results: dict[str, Any], which: str) -> list[str]:
    rec = results["sections"]["recovery"]["variants"]
    standby, cold = rec["standby"], rec.get("cold", {})
    worker_start = _get(results, "sections", "handshake", "tools_list", "worker", "p50")
    key = "idle" if which == "recovery_idle" else "under_load_all_interrupted_answered"
    s = standby[key]
    note = (
        f"- **Recovery{' under load' if key != 'idle' else ''} ({secs(s['p95'])} p95 against < "
        f"{TARGETS['recovery_seconds']} s).** With the standby worker promoted at once, recovery is bounded "
        "by the replayed call and the new standby being spawned beside it on a 2-core machine. "
    )
    if _get(cold, key, "p50") is not None:
        note += (f"Without a standby (`OE_MCP_SPARE_WORKER=false`) it took {secs(cold[key]['p50'])} (p50), "
                 f"which is a worker's cold start ({secs(worker_start)} from spawn to `tools/list` in the "
                 "handshake table). ")
    return [note]


def _cold_recovery(results: dict[str, Any]) -> list[str]:
    rec = _get(results, "sections", "recovery", "variants", "cold", "idle")
    worker_start = _get(results, "sections", "handshake", "tools_list", "worker", "p50")
    if not rec or not rec.get("n"):
        return []
    return [
        f"- Recovery without the standby worker (`OE_MCP_SPARE_WORKER=false`, not the default) takes "
        f"{secs(rec['p50'])} (p50): that path spawns a new worker, and a worker's cold start is "
        f"{secs(worker_start)} from spawn to `tools/list` here, almost all of it imports. The default "
        "standby is what meets the 0.3 s target."
    ]


def _concurrency(results: dict[str, Any]) -> list[str]:
    conc = results["sections"]["concurrency"]
    local, worker = conc["targets"]["local"], conc["targets"].get("worker")
    cores = results["machine"]["cores"] or 1
    cpu = local.get("burst_cpu_per_call") or {}
    total = sum(cpu.values())
    note = (
        f"- **Concurrency ({local['ratio']['p50']:.2f}x against <= {TARGETS['concurrency_ratio']:.1f}x).** "
        f"The {conc['burst']} calls are CPU-bound, not latency-bound: each costs {ms(total)} of CPU across "
        f"the client, the supervisor, the worker and the sandbox (all on this machine), so {conc['burst']} "
        f"of them need {ms(total * conc['burst'] / cores)} of the {cores} cores before the "
        f"{conc['latency_seconds'] * 1000:.0f} ms of sandbox latency is even counted. "
    )
    if worker:
        note += (f"The worker alone, without the supervisor, reaches {worker['ratio']['p50']:.2f}x in the "
                 "same rounds. ")
    if cpu:
        rest = total - cpu.get("sandbox", 0) - cpu.get("client", 0)
        note += (
            f"Against a real OvalEdge the sandbox's {ms(cpu.get('sandbox', 0))} per call runs elsewhere, but "
            f"the supervisor and worker still use {ms(rest)} per call; the same CPU savings as for the "
            "forwarding overhead are what would close this."
        )
    return [note]


def _memory(results: dict[str, Any], missed: list[str]) -> list[str]:
    mem = results["sections"]["memory"]
    floors = mem.get("floors", {})
    notes = []
    if "supervisor_rss" in missed:
        notes.append(
            f"- **Supervisor RSS ({mem['rest']['supervisor'] / MIB:.1f} MiB against <= "
            f"{TARGETS['supervisor_rss_mib']:.0f} MiB).** It is the imports, not growth: a python that only "
            f"imports the supervisor's modules and waits holds "
            f"{floors.get('supervisor_imports', 0) / MIB:.1f} MiB, and `import mcp.types` alone "
            f"{floors.get('mcp_types', 0) / MIB:.1f} MiB (bare python "
            f"{floors.get('python', 0) / MIB:.1f} MiB, the `mcp_types` package alone "
            f"{floors.get('mcp_types_pkg', 0) / MIB:.1f} MiB). The same `mcp/__init__` imports as for the "
            "handshake are the cause; 45 MiB needs a supervisor that does not import the whole SDK."
        )
    for who in ("supervisor", "worker"):
        if f"growth_{who}" in missed:
            g = mem["growth_from_rest"][who]
            w = mem["growth_from_first_sample"][who]
            if w is None:
                continue
            notes.append(
                f"- **{who.capitalize()} RSS growth ({g * 100:+.1f} % against < 5 %).** From the first "
                f"sample on (after {mem['growth_from_first_sample']['after_calls']:,} calls) it is "
                f"{w * 100:+.1f} %, so the growth is "
                + ("warm-up (caches, pools and allocator arenas filling), not a steady leak."
                   if abs(w) < TARGETS["growth"] / 2 else "steady over the run: look for a leak.")
            )
    return notes


def _unplanned(results: dict[str, Any]) -> list[str]:
    found = unplanned_restarts(results)
    total = sum(n for n, _ in found.values())
    exits = [exit_ for n, exit_ in found.values() if n and exit_]
    note = (
        f"- **Unplanned worker restarts ({total}).** Workers died while nothing in the benchmark killed "
        "them; replayed reads hid it from the calls, but the timings of those sections include the "
        "replays and the memory section could not follow one worker."
    )
    if exits and all(e.get("signal") == "SIGKILL" and e.get("reason") == "crashed" for e in exits):
        note += (
            " Every such exit was a SIGKILL that the supervisor did not send. That is the parent-death "
            "signal the worker arms (`shared/lifeline.py`, `PR_SET_PDEATHSIG`): it fires when the *thread* "
            "that spawned the worker exits, and trio's `open_process` runs `Popen` in a thread of its "
            "thread cache, which exits after 10 s idle. An idle `oe-mcp-local` loses its worker about "
            "every 10-20 s this way."
        )
    return [note]


def explain(results: dict[str, Any]) -> list[str]:
    missed = summary_rows(results).missed
    notes: list[str] = []
    if "unplanned_restarts" in missed:
        notes += _unplanned(results)
    if "overhead" in missed:
        notes += _overhead(results)
    if {"handshake_initialize", "handshake_tools_list"} & set(missed):
        notes += _handshake(results)
    for which in ("recovery_idle", "recovery_load"):
        if which in missed:
            notes += _recovery(results, which)
    if "concurrency" in missed:
        notes += _concurrency(results)
    notes += _memory(results, missed) if results["sections"].get("memory", {}).get("trace") else []
    if not {"recovery_idle", "recovery_load"} & set(missed):
        notes += _cold_recovery(results)
    if results["quick"]:
        notes.append("- This is a `--quick` run: the distributions have a handful of samples each.")
    load = results.get("load_start") or [0]
    if load[0] > 1.0:  # half of a 2-core machine busy with something else
        notes.append(
            f"- The machine was not idle (1-minute load average {load[0]} at the start, "
            f"{(results.get('load_end') or ['n/a'])[0]} at the end): absolute times are noisier than "
            "on a quiet machine; the interleaved ratios less so."
        )
    return notes
