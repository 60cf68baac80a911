"""Plain-language notes on the targets a run missed, built from that run's own figures.

Each note states the gap, then the measurement in the same run that accounts for it. Nothing here
is a figure of its own: the numbers quoted are the ones in the tables below them.
"""

from __future__ import annotations

from typing import Any

from benchmarks.report import MIB, TARGETS, _get, summary_rows, tree_bytes, unplanned_restarts
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
        f"{ms(worker['summary']['p50'])} direct; the target allows "
        f"{ms(worker['summary']['p50'] * (TARGETS['overhead_ratio_p50'] - 1))} for the whole extra hop. "
    )
    if cpu and wcpu:
        system = local.get("front_system_per_call") or 0.0
        note += (
            f"That extra time is the supervisor's own CPU: {ms(cpu['front'])} per call (the worker, "
            f"called direct, {ms(wcpu['front'])}), of which only {ms(system)} in the kernel, so "
            "not the pipes. The rest is Python: trio scheduling the turns of each call (reading "
            "the client, the call's task, the write to the worker, reading its answer, the write "
            "back), decoding the request and checking its params, the call's deadline and replay "
            "bookkeeping, and relaying the worker's log line for each OvalEdge request to stderr "
            "(read in batches). The answer is matched by the id at the head of its line and "
            "passed on as the worker wrote it, not decoded. "
        )
    relay, peer = ov["targets"].get("trio_relay"), ov["targets"].get("peer")
    if relay:
        rcpu = relay.get("cpu_per_call", {})
        note += (
            f"The floor for a trio front is measured beside it: a line relay that reads no message "
            f"(`benchmarks/trio_relay.py`) comes out at {relay['ratio_p50']:.2f}"
            + (f", with {ms(rcpu['front'])} of CPU per call" if rcpu else "")
            + "; the rest of the gap is the supervisor's own work per call. "
        )
    if peer:
        note += (
            f"For scale, the peer proxy ({results['peer']['label']}), which copies bytes without "
            f"reading a message, comes out at {peer['ratio_p50']:.2f}."
        )
    return [note]


def _handshake(results: dict[str, Any]) -> list[str]:
    hs = results["sections"]["handshake"]
    init = hs["initialize"]
    hang, normal = init["local_hanging_token"], init.get("local", {})
    floors = {k: v.get("p50") for k, v in init.items() if k.startswith("floor")}
    floor = floors.get("floor_trio_mcp_types")
    note = (
        f"- **Handshake ({secs(hang['p95'])} p95 against <= {TARGETS['handshake_seconds']} s).** The "
        f"hanging token endpoint is not on the path (with it `initialize` came after {secs(hang['p50'])} "
        f"p50, with one that answers after {secs(normal.get('p50'))}): the time is start-up, and its "
        f"p50 is at the floor the target names: a python that imports only `trio` and `mcp_types` "
        f"took {secs(floor)} (p50) to start, import and exit in the same run (`mcp_types` alone "
        f"{secs(floors.get('floor_mcp_types_pkg'))}, a bare python {secs(floors.get('floor_python'))}). "
        f"On this machine the target is below that floor. Above the p50, up to {secs(hang['max'])}: "
        "each spawn also starts a worker first, whose start-up shares the machine's 2 cores with "
        "the supervisor's."
    )
    return [note]


def _first_call(results: dict[str, Any]) -> list[str]:
    hs = results["sections"]["handshake"]
    local, worker = hs["first_call"]["local"], hs["first_call"]["worker"]
    note = (
        f"- **First call ({secs(local['p50'])} against the worker's own {secs(worker['p50'])} + "
        f"{TARGETS['first_call_extra_seconds'] * 1000:.0f} ms).** The fork host is started before the "
        "supervisor's own imports and asked for the first worker at once, so the two start-ups overlap; "
        "what remains is the supervisor's share of the cores while the host imports, the fork, the "
        "worker's handshake, and the extra hop."
    )
    spawned = hs["first_call"].get("local_worker_standby") or {}
    samples = hs.get("samples", {}).get("first_call", {})
    if spawned.get("n") and samples.get("local") and samples.get("local_worker_standby"):
        forked, plain = samples["local"], samples["local_worker_standby"]
        note += (
            f" With a standby worker instead (the first worker spawned at once, as before the fork "
            f"host), interleaved in the same run: {secs(spawned['p50'])} (p50), "
            f"{(spawned['p50'] - worker['p50']) * 1000:+.0f} ms over the worker alone; the spawns ranged "
            f"over {secs(min(forked))} to {secs(max(forked))} with the fork host and {secs(min(plain))} "
            f"to {secs(max(plain))} without."
        )
    return [note]


def _recovery(results: dict[str, Any], which: str) -> list[str]:
    rec = results["sections"]["recovery"]["variants"]
    standby, cold = rec["fork"], rec.get("cold", {})
    worker_start = _get(results, "sections", "handshake", "tools_list", "worker", "p50")
    key = "idle" if which == "recovery_idle" else "under_load_all_interrupted_answered"
    s = standby[key]
    note = (
        f"- **Recovery{' under load' if key != 'idle' else ''} ({secs(s['p95'])} p95 against < "
        f"{TARGETS['recovery_seconds']} s).** With the fork host standing by, recovery is bounded by the "
        "fork of a new worker, its handshake and the replayed call, on a 2-core machine. "
    )
    if _get(cold, key, "p50") is not None:
        note += (f"Without a standby (`OE_MCP_SPARE_WORKER=false`) it took {secs(cold[key]['p50'])} (p50), "
                 f"which is a worker's cold start ({secs(worker_start)} from spawn to `tools/list` in the "
                 "handshake table). ")
    return [note]


def _cold_recovery(results: dict[str, Any]) -> list[str]:
    variants = _get(results, "sections", "recovery", "variants") or {}
    fork, worker, cold = (_get(variants, name, "idle") for name in ("fork", "standby", "cold"))
    worker_start = _get(results, "sections", "handshake", "tools_list", "worker", "p50")
    if not cold or not cold.get("n"):
        return []
    out = [
        f"- Recovery without a standby (`OE_MCP_SPARE_WORKER=false`, not the default) takes "
        f"{secs(cold['p50'])} (p50): that path spawns a new worker, and a worker's cold start is "
        f"{secs(worker_start)} from spawn to `tools/list` here, almost all of it imports. A standby is "
        "what meets the 0.3 s target."
    ]
    if fork and fork.get("n") and worker and worker.get("n"):
        out.append(
            f"- The two standbys, idle: the fork host {secs(fork['p50'])} (p50; p95 "
            f"{secs(fork['p95'])}), where a new worker is forked, handshaken and then called; a standby "
            f"worker {secs(worker['p50'])} (p50; p95 {secs(worker['p95'])}), where a ready one is "
            f"promoted. Against the {TARGETS['recovery_seconds']} s target: fork host "
            f"{'met' if fork['p95'] < TARGETS['recovery_seconds'] else 'not met'}, standby worker "
            f"{'met' if worker['p95'] < TARGETS['recovery_seconds'] else 'not met'}. The fork host is "
            "the default because it costs a fraction of a second worker (the tree under Memory).")
    return out


def _concurrency(results: dict[str, Any]) -> list[str]:
    conc = results["sections"]["concurrency"]
    local, worker = conc["targets"]["local"], conc["targets"]["worker"]
    cores = results["machine"]["cores"] or 1
    cpu = local.get("burst_cpu_per_call") or {}
    wcpu = worker.get("burst_cpu_per_call") or {}
    relative = local["ratio"]["p50"] / worker["ratio"]["p50"]
    note = (
        f"- **Concurrency ({local['ratio']['p50']:.2f}x through the supervisor against "
        f"{worker['ratio']['p50']:.2f}x for the worker alone: {relative:.2f}, target <= "
        f"{TARGETS['concurrency_vs_worker']:.2f}).** The {conc['burst']} calls are CPU-bound on "
        f"{cores} cores, not latency-bound, and the rounds spread widely: "
        f"{local['ratio']['min']:.2f}x to {local['ratio']['max']:.2f}x through the supervisor, "
        f"{worker['ratio']['min']:.2f}x to {worker['ratio']['max']:.2f}x direct, over "
        f"{local['ratio']['n']} rounds each. "
    )
    if cpu and wcpu:
        note += (f"Each call costs {ms(sum(cpu.values()))} of CPU in all through the supervisor "
                 f"({ms(cpu['front'])} of it in the supervisor) against {ms(sum(wcpu.values()))} "
                 "direct.")
    return [note]


def _memory(results: dict[str, Any], missed: list[str]) -> list[str]:
    mem = results["sections"]["memory"]
    floors = mem.get("floors", {})
    notes = []
    if "supervisor_rss" in missed:
        rest = mem["rest"]["supervisor"]
        settings = floors.get("trio_mcp_types_settings", 0)
        notes.append(
            f"- **Supervisor RSS ({rest / MIB:.1f} MiB against <= "
            f"{TARGETS['supervisor_rss_mib']:.0f} MiB).** It is not growth, and the target is below "
            f"what the supervisor must load. A python that imports only `trio` and `mcp_types` and "
            f"waits holds {floors.get('trio_mcp_types', 0) / MIB:.1f} MiB (the floor the target names; "
            f"bare python {floors.get('python', 0) / MIB:.1f} MiB). The supervisor also needs the "
            f"settings library, to read `.env` and name a wrong setting: with `pydantic_settings` that "
            f"python holds {settings / MIB:.1f} MiB "
            f"({(settings - floors.get('trio_mcp_types', 0)) / MIB:+.1f} MiB: `pydantic_settings.main` "
            f"imports `asyncio` and `argparse` for its command-line source). Every module the supervisor "
            f"loads before the handshake comes to {floors.get('supervisor_imports', 0) / MIB:.1f} MiB, "
            f"and every module once it serves calls (the settings, the pool, relay and status) "
            f"{floors.get('supervisor_all_imports', 0) / MIB:.1f} MiB. The remaining "
            f"{(rest - floors.get('supervisor_all_imports', 0)) / MIB:.1f} MiB are the running "
            "process's data: the surface and its list results, the workers' pipes and buffers, the "
            "threads trio starts processes from."
        )
    notes += _worker_floor(mem) if "worker_rss" in missed else []
    notes += _tree(mem)
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


def _added(layers: dict[str, Any], key: str) -> float:
    """MiB the layer `key` adds to the one before it."""
    keys = list(layers)
    i = keys.index(key)
    return (layers[key]["rss"] - layers[keys[i - 1]]["rss"]) / MIB


def _worker_floor(mem: dict[str, Any]) -> list[str]:
    layers = mem.get("layers") or {}
    rest = mem["rest"]["worker"]
    if not {"python", "sdk", "server", "httpx"} <= set(layers):
        return []
    sdk, python, server = layers["sdk"], layers["python"], layers["server"]
    grown = {name: n - python["packages"].get(name, 0) for name, n in sdk["packages"].items()}
    top = sorted(((n, name) for name, n in grown.items() if n >= 4), reverse=True)
    web = {name: grown.get(name, 0) for name in ("starlette", "uvicorn", "sse_starlette", "opentelemetry",
                                                  "httpx2")}
    ours = ", ".join(f"{label} {_added(layers, key):+.1f}" for key, label in (
        ("sdk_pieces", "the rest of the SDK it imports"), ("trio", "trio"), ("settings", "the settings"),
        ("jsonschema", "jsonschema"), ("jwt", "PyJWT"), ("token_cache", "the token cache"),
        ("client", "the OvalEdge client"), ("tools", "the tools"), ("server", "the server")))
    return [
        f"- **Worker RSS at rest ({rest / MIB:.1f} MiB against <= {TARGETS['worker_rss_mib']:.0f} MiB).** "
        f"The MCP SDK's own floor is above the target: a python that imports only `mcp.server.lowlevel` "
        f"(the SDK's low-level server, the least an MCP server on the SDK imports) holds "
        f"{sdk['rss'] / MIB:.1f} MiB with {sdk['modules'] - python['modules']} modules beyond a bare "
        f"python ({python['rss'] / MIB:.1f} MiB): " + ", ".join(f"`{name}` {n}" for n, name in top)
        + ". Any `import mcp...` runs the package's `__init__`, which imports the SDK's client and server "
        "sides wholesale; `mcp.server.lowlevel.server` itself imports `starlette.applications`, the "
        "streamable-HTTP transport (`sse_starlette`, `uvicorn`) and the SDK's OpenTelemetry hooks, and "
        "the client side imports httpx2. So the web stack is in the floor: "
        + ", ".join(f"`{name}` {n} modules" for name, n in web.items())
        + ". The worker is built on the SDK (the project's rule: no hand-written MCP server, no stub "
        "modules planted in `sys.modules`), so it cannot go under that floor; "
        "`tests/worker/test_light_imports.py` holds it to the floor: no web module beyond it, no "
        f"hypercorn, one HTTP client library. Above the floor the worker's own parts add "
        f"{(server['rss'] - sdk['rss']) / MIB:.1f} MiB ({ours}; the table under Memory): "
        f"{server['rss'] / MIB:.1f} MiB for a python that imports all of the worker. "
        + (f"The worker measured is forked from the fork host, which imported all that: a fork does "
           f"not map the parent's file pages (the C extensions' code) into the child until it touches "
           f"them, so its VmRSS is {(server['rss'] - rest) / MIB:.1f} MiB under that, and its PSS (the "
           f"pages it shares with the host divided between them) is "
           f"{mem['rest']['worker_pss'] / MIB:.1f} MiB. "
           if mem["rest"].get("standby") == "fork host" and mem["rest"].get("worker_pss") else
           f"The running process's data (the certificates the client's TLS context loads, the surface, "
           f"the connection pool, the token) adds the remaining {(rest - server['rss']) / MIB:+.1f} MiB. ")
        + "Each of those parts is used by the first call (every "
        "call's arguments are checked with jsonschema, the first call exchanges the token and reads its "
        "expiry with PyJWT, the token cache is shared by default), so a lazy import would only move it "
        "after the first call; the doctor (`worker/check.py`) is not imported by the server at all. "
        f"The worker no longer imports httpx: its OvalEdge client is on httpx2, which the SDK imports "
        f"anyway; httpx would add {_added(layers, 'httpx'):+.1f} MiB "
        f"({layers['httpx']['modules'] - server['modules']} modules, with the pygments lexers of its "
        "command line)."
    ]


def _tree(mem: dict[str, Any]) -> list[str]:
    rest, floors = mem["rest"], mem.get("floors", {})
    tree, tree_pss = tree_bytes(rest), tree_bytes(rest, "_pss")
    other = mem.get("rest_worker_standby") or {}
    other_pss = tree_bytes(other, "_pss")
    sdk = floors.get("sdk")
    if tree is None or tree_pss is None or not sdk or rest.get("standby") != "fork host":
        return []
    least = floors.get("supervisor_all_imports", rest["supervisor"]) + 2 * sdk
    verdict = "within" if tree_pss <= TARGETS["tree_rss_mib"] * MIB else "above"
    out = [
        f"- **The whole tree ({tree_pss / MIB:.1f} MiB of PSS, {verdict} <= {TARGETS['tree_rss_mib']:.0f} "
        f"MiB).** The standby is the fork host (`worker/host.py`): a process that has imported the worker's "
        f"code once, and from which every worker is forked, the first one included. A forked worker shares "
        f"the host's pages until it writes to them (the host freezes its objects out of the collector's "
        f"reach before it forks, so a collection does not copy them), so the pair costs "
        f"{(rest['worker_pss'] + rest['spare_pss']) / MIB:.1f} MiB of PSS where two workers cost "
        + (f"{(other['worker_pss'] + other['spare_pss']) / MIB:.1f} MiB "
           f"(the tree with a standby worker: {other_pss / MIB:.1f} MiB of PSS). " if other_pss else "more. ")
        + f"Summed as VmRSS, which counts every shared page once in each process that maps it, the tree "
        f"is {tree / MIB:.1f} MiB: two processes at the SDK's floor ({sdk / MIB:.1f} MiB each) and the "
        f"supervisor's own modules ({floors.get('supervisor_all_imports', 0) / MIB:.1f} MiB) already "
        f"come to {least / MIB:.1f} MiB that way, before any page is shared."
    ]
    return out

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
    if "first_call" in missed:
        notes += _first_call(results)
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
