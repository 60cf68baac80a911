"""Turn the results of one run into docs/performance.md."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from benchmarks.stats import ms, secs

MIB = 1024 * 1024
REPRODUCE = ".venv/bin/python -m benchmarks.run"

TARGETS = {
    "overhead_ratio_p50": 1.10,
    "handshake_seconds": 0.35,  # p95, at most
    "recovery_seconds": 0.3,
    "concurrency_vs_worker": 1.10,  # the supervisor's burst ratio / the worker alone's
    "first_call_extra_seconds": 0.15,  # spawn -> first call, beyond the worker's own cold start
    "supervisor_rss_mib": 40.0,
    "worker_rss_mib": 50.0,  # at rest, after its first call
    "tree_rss_mib": 140.0,  # supervisor + worker + standby, at rest
    "growth": 0.05,
    "description_max": 1_500,
    "tools_list_chars": 28_000,
    "multiclient_exchanges": 2,  # in all, 3 clients x 8 concurrent calls x 10 rounds
    "multiclient_401": 3,
}
LABELS = {"worker": "oe-mcp-worker, direct", "local": "oe-mcp-local (supervisor -> worker)",
          "trio_relay": "trio line relay (floor) -> oe-mcp-worker"}
HANDSHAKE_LABELS = {
    "local_hanging_token": "oe-mcp-local, token endpoint hangs (30 s)",
    "local": "oe-mcp-local, token endpoint answers",
    "local_worker_standby": ("oe-mcp-local with a standby worker (OE_MCP_STANDBY=worker), token endpoint "
                             "answers"),
    "worker": "oe-mcp-worker alone (a worker's cold start)",
    "floor_python": "floor: `python -c 'import sys'`",
    "floor_mcp_types_pkg": "floor: `python -c 'import mcp_types'` (the SDK's types package alone)",
    "floor_mcp_types": "floor: `python -c 'import mcp.types'` (runs `mcp/__init__`)",
    "floor_sdk": "floor: `python -c 'import mcp.server.lowlevel'` (the SDK's low-level server)",
    "floor_trio_mcp_types": "floor: `python -c 'import trio, mcp_types'` (the least a front needs)",
    "floor_local_imports": "floor: python importing the supervisor's modules",
    "floor_worker_imports": "floor: python importing the worker's modules",
}
RECOVERY_LABELS = {"fork": "standby fork host (default: OE_MCP_STANDBY=fork)",
                   "standby": "standby worker (OE_MCP_STANDBY=worker)",
                   "cold": "OE_MCP_SPARE_WORKER=false (cold spawn)"}


def _mib(value: float | None) -> str:
    return "n/a" if value is None else f"{value / MIB:.1f} MiB"


def _pct(value: float | None) -> str:
    return "n/a" if value is None or math.isnan(value) else f"{value * 100:+.1f} %"


def _met(ok: bool | None) -> str:
    return "n/a" if ok is None else ("met" if ok else "**not met**")


def _get(data: Any, *path: str) -> Any:
    for key in path:
        if not isinstance(data, dict) or key not in data:
            return None
        data = data[key]
    return data


def label(results: dict[str, Any], name: str) -> str:
    if name == "peer":
        return f"{results['peer']['label']} -> oe-mcp-worker"
    return LABELS[name]


class Rows:
    def __init__(self) -> None:
        self.rows: list[tuple[str, str, str, str]] = []
        self.missed: list[str] = []

    def add(self, figure: str, measured: str, target: str, ok: bool | None, key: str = "") -> None:
        self.rows.append((figure, measured, target, _met(ok)))
        if ok is False:
            self.missed.append(key or figure)

    def table(self) -> list[str]:
        lines = ["| Figure | Measured | Target | Result |", "| --- | --- | --- | --- |"]
        lines += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in self.rows]
        return lines


def summary_rows(results: dict[str, Any]) -> Rows:
    rows = Rows()
    sections = results["sections"]
    sf = sections.get("surface", {})
    if sf.get("tools"):
        allowance = sf["reference_allowance"]
        rows.add(f"Largest tool description ({sf['tools']} tools)",
                 f"{sf['description_max']:,} chars (reference allowance {allowance['description_max']:,})",
                 f"<= {TARGETS['description_max']:,}", sf["description_max"] <= TARGETS["description_max"],
                 "description_max")
        rows.add("The whole tools/list result, as JSON on the wire",
                 f"{sf['tools_list_chars']:,} chars (descriptions {sf['descriptions_total']:,}; reference "
                 f"allowance {allowance['descriptions_total']:,} for descriptions alone)",
                 f"<= {TARGETS['tools_list_chars']:,}", sf["tools_list_chars"] <= TARGETS["tools_list_chars"],
                 "tools_list_chars")
    ov = sections.get("overhead", {})
    local = _get(ov, "targets", "local")
    if local:
        worker = ov["targets"]["worker"]["summary"]
        ratio, limit = local["ratio_p50"], TARGETS["overhead_ratio_p50"]
        rows.add("Forwarding overhead: p50 oe-mcp-local / p50 oe-mcp-worker",
                 f"{ratio:.2f} ({ms(local['summary']['p50'])} vs {ms(worker['p50'])}; "
                 f"p95 ratio {local['ratio_p95']:.2f})", f"<= {limit:.2f}", ratio <= limit, "overhead")
    relay = _get(ov, "targets", "trio_relay")
    if relay:
        rows.add("Floor: a trio line relay that reads no message (benchmarks/trio_relay.py) in front of "
                 "the same worker: p50 ratio",
                 f"{relay['ratio_p50']:.2f} ({ms(relay['summary']['p50'])}; "
                 f"p95 ratio {relay['ratio_p95']:.2f})",
                 "(comparison)", None)
    peer = _get(ov, "targets", "peer")
    if peer:
        rows.add(f"Peer stdio proxy ({results['peer']['label']}) in front of the same worker: p50 ratio",
                 f"{peer['ratio_p50']:.2f} ({ms(peer['summary']['p50'])}; p95 ratio {peer['ratio_p95']:.2f})",
                 "(comparison)", None)
    elif ov:
        rows.add("Peer stdio proxy", f"not measured: {results['peer']['label']}", "(comparison)", None)
    hs = sections.get("handshake", {})
    if _get(hs, "initialize", "local_hanging_token", "n"):
        limit = TARGETS["handshake_seconds"]
        for what, key in (("initialize", "initialize"), ("tools/list", "tools_list")):
            s = hs[key]["local_hanging_token"]
            rows.add(f"Handshake, hanging token endpoint: spawn -> {what} answered (p95 of {s['n']} spawns)",
                     f"{secs(s['p95'])} (p50 {secs(s['p50'])}, max {secs(s['max'])})",
                     f"<= {limit} s", s["p95"] <= limit, f"handshake_{key}")
    local_first, worker_first = _get(hs, "first_call", "local"), _get(hs, "first_call", "worker")
    if _get(local_first, "n") and _get(worker_first, "n"):
        extra, limit = local_first["p50"] - worker_first["p50"], TARGETS["first_call_extra_seconds"]
        rows.add(f"Spawn -> first tool call answered, oe-mcp-local against the worker's own cold start "
                 f"(p50 of {local_first['n']} spawns)",
                 f"{secs(local_first['p50'])} vs {secs(worker_first['p50'])}: {extra * 1000:+.0f} ms",
                 f"<= +{limit * 1000:.0f} ms", extra <= limit, "first_call")
        spawned = _get(hs, "first_call", "local_worker_standby")
        if _get(spawned, "n"):
            rows.add("The same with a standby worker (OE_MCP_STANDBY=worker: the first worker spawned, "
                     "not forked from the fork host), interleaved with it",
                     f"{secs(spawned['p50'])}: the fork host's first call "
                     f"{(local_first['p50'] - spawned['p50']) * 1000:+.0f} ms against it",
                     "(comparison)", None)
    rec = _get(sections, "recovery", "variants", "fork")
    limit = TARGETS["recovery_seconds"]
    if _get(rec, "idle", "n"):
        s = rec["idle"]
        rows.add(f"Recovery, idle worker: SIGKILL -> next call answered (p95 of {s['n']})",
                 f"{secs(s['p95'])} (p50 {secs(s['p50'])})", f"< {limit} s", s["p95"] < limit,
                 "recovery_idle")
    if _get(rec, "under_load_all_interrupted_answered", "n"):
        s = rec["under_load_all_interrupted_answered"]
        tasks = sections["recovery"]["under_load_tasks"]
        rows.add(f"Recovery under load ({tasks} callers): SIGKILL -> every interrupted call answered "
                 f"(p95 of {s['n']})",
                 f"{secs(s['p95'])} (p50 {secs(s['p50'])}; {rec['failed_calls']} failed calls)",
                 f"< {limit} s", s["p95"] < limit, "recovery_load")
    conc = sections.get("concurrency", {})
    if _get(conc, "targets", "local") and _get(conc, "targets", "worker"):
        s, w = conc["targets"]["local"], conc["targets"]["worker"]
        relative, limit = s["ratio"]["p50"] / w["ratio"]["p50"], TARGETS["concurrency_vs_worker"]
        rows.add(f"Concurrency: {conc['burst']} concurrent reads / one read, sandbox latency "
                 f"{conc['latency_seconds'] * 1000:.0f} ms (median of {s['ratio']['n']} rounds), through "
                 "the supervisor against the worker alone",
                 f"{s['ratio']['p50']:.2f}x vs {w['ratio']['p50']:.2f}x: {relative:.2f} (one read "
                 f"{ms(s['single']['p50'])}, {conc['burst']} reads {ms(s['burst_wall']['p50'])})",
                 f"<= {limit:.2f}", relative <= limit, "concurrency")
    mem = sections.get("memory", {})
    if mem.get("trace"):
        peak = max(mem["rest"]["supervisor"], mem["end"]["supervisor"])
        rows.add("Supervisor RSS (at rest / after the calls)",
                 f"{_mib(mem['rest']['supervisor'])} / {_mib(mem['end']['supervisor'])}",
                 f"<= {TARGETS['supervisor_rss_mib']:.0f} MiB", peak <= TARGETS["supervisor_rss_mib"] * MIB,
                 "supervisor_rss")
        rest = mem["rest"]
        rows.add("Worker RSS at rest, after its first call",
                 f"{_mib(rest['worker'])} (the SDK's floor, `import mcp.server.lowlevel`: "
                 f"{_mib(mem['floors'].get('sdk'))})",
                 f"<= {TARGETS['worker_rss_mib']:.0f} MiB", rest["worker"] <= TARGETS["worker_rss_mib"] * MIB,
                 "worker_rss")
        tree, tree_pss = tree_bytes(rest), tree_bytes(rest, "_pss")
        if tree_pss is not None:
            rows.add("The whole tree of one client at rest, in PSS (what it takes from the machine): "
                     "supervisor + worker + standby fork host",
                     f"{_mib(tree_pss)} ({_mib(rest['supervisor_pss'])} + {_mib(rest['worker_pss'])} + "
                     f"{_mib(rest['spare_pss'])})",
                     f"<= {TARGETS['tree_rss_mib']:.0f} MiB", tree_pss <= TARGETS["tree_rss_mib"] * MIB,
                     "tree_rss")
        if tree is not None:
            rows.add("The same tree in VmRSS summed (each page the worker shares with the fork host "
                     "counted twice)",
                     f"{_mib(tree)} ({_mib(rest['supervisor'])} + {_mib(rest['worker'])} + "
                     f"{_mib(rest['spare'])})", "(comparison)", None)
        other = mem.get("rest_worker_standby") or {}
        if tree_bytes(other, "_pss") is not None:
            rows.add("The tree with a standby worker instead (OE_MCP_STANDBY=worker), PSS / VmRSS summed",
                     f"{_mib(tree_bytes(other, '_pss'))} / {_mib(tree_bytes(other))}", "(comparison)", None)
        for who in ("supervisor", "worker"):
            g = mem["growth_from_rest"][who]
            if g is None:
                rows.add(f"{who.capitalize()} RSS growth over {mem['calls']:,} calls",
                         "not measurable: the worker was replaced during the run (see below)",
                         f"< {TARGETS['growth'] * 100:.0f} %", None)
                continue
            rows.add(f"{who.capitalize()} RSS growth over {mem['calls']:,} calls",
                     f"{_pct(g)} ({_mib(mem['rest'][who])} -> {_mib(mem['end'][who])})",
                     f"< {TARGETS['growth'] * 100:.0f} %", g < TARGETS["growth"], f"growth_{who}")
    unplanned = unplanned_restarts(results)
    if unplanned:
        total = sum(n for n, _ in unplanned.values())
        where = ", ".join(f"{name} {n}" for name, (n, _) in unplanned.items() if n)
        rows.add("Worker restarts nobody asked for (no kill, no recycle) in the sections that count them",
                 f"{total}" + (f" ({where})" if where else ""), "0", total == 0, "unplanned_restarts")
    three = _get(sections, "multiclient", "scenarios", "three_concurrent")
    if three:
        after, before = three["after"], three["before"]
        ok = (after["failed"] == 0 and after["exchanges"] <= TARGETS["multiclient_exchanges"]
              and after["http_401"] <= TARGETS["multiclient_401"])
        rows.add(f"3 clients with one credential pair x 8 concurrent calls x 10 rounds ({after['calls']} "
                 "calls): failed / exchanges / HTTP 401",
                 f"{after['failed']} / {after['exchanges']} / {after['http_401']} (without the shared "
                 f"cache: {before['failed']} / {before['exchanges']} / {before['http_401']})",
                 f"0 / <= {TARGETS['multiclient_exchanges']} / <= {TARGETS['multiclient_401']}", ok,
                 "multiclient")
    return rows


def tree_bytes(point: dict[str, Any], suffix: str = "") -> int | None:
    """Supervisor + worker + standby VmRSS (`suffix` "_pss": PSS) of one sample (None without a
    standby)."""
    parts = [point.get(f"{who}{suffix}") for who in ("supervisor", "worker", "spare")]
    return None if None in parts else sum(parts)


def unplanned_restarts(results: dict[str, Any]) -> dict[str, tuple[int, Any]]:
    """Per section: worker restarts beyond the kills the benchmark made, and the last exit seen."""
    found: dict[str, tuple[int, Any]] = {}
    for name, data in results["sections"].items():
        if not isinstance(data, dict):
            continue
        if isinstance(data.get("supervisor"), dict):
            found[name] = (data["supervisor"]["restarts"], data["supervisor"].get("last_exit"))
        if isinstance(data.get("supervisors"), dict):
            kills = data.get("kills_per_variant", 0)
            extra = [(sup["restarts"] - kills, sup.get("last_exit")) for sup in data["supervisors"].values()]
            found[name] = (sum(max(0, n) for n, _ in extra), extra[-1][1] if extra else None)
    return found


def _dist_row(name: str, s: dict[str, Any], fmt: Callable[[float], str] = ms) -> str:
    if not s or not s.get("n"):
        return f"| {name} | 0 | | | | |"
    return f"| {name} | {s['n']} | {fmt(s['p50'])} | {fmt(s['p95'])} | {fmt(s['p99'])} | {fmt(s['max'])} |"


DIST_HEAD = ["| | n | p50 | p95 | p99 | max |", "| --- | --- | --- | --- | --- | --- |"]


def _overhead(results: dict[str, Any], ov: dict[str, Any]) -> list[str]:
    out = ["### Forwarding overhead and the peer proxy", "",
           f"`asset_explorer` called sequentially, {ov['blocks']} interleaved blocks of "
           f"{ov['calls_per_block']} calls per server (A, B, C, then B, C, A, ...), after a warm-up.",
           "", *DIST_HEAD]
    for name, data in ov["targets"].items():
        out.append(_dist_row(label(results, name), data["summary"]))
    out += ["", "| vs direct worker | p50 ratio | p95 ratio | added at p50 | per-block p50 ratio: median "
            "[min, max] |", "| --- | --- | --- | --- | --- |"]
    for name, data in ov["targets"].items():
        if name == "worker":
            continue
        b = data["block_ratio"]
        out.append(f"| {label(results, name)} | {data['ratio_p50']:.3f} | {data['ratio_p95']:.3f} | "
                   f"{ms(data['added_p50'])} | {b['p50']:.3f} [{b['min']:.3f}, {b['max']:.3f}] |")
    out += ["", "CPU time per call (from /proc/<pid>/stat over the measured blocks; 10 ms clock ticks, "
            "so small values are approximate). *Front* is the process the client talks to, *children* "
            "the processes below it (the supervisor's worker and idle standby; the peer's worker).", "",
            "| | front | children | sandbox | client (this process) | total |",
            "| --- | --- | --- | --- | --- | --- |"]
    for name, data in ov["targets"].items():
        c = data.get("cpu_per_call")
        if c:
            out.append(f"| {label(results, name)} | {ms(c['front'])} | {ms(c['children'])} | "
                       f"{ms(c['sandbox'])} | {ms(c['client'])} | {ms(sum(c.values()))} |")
    kernel = [f"{label(results, name)} {ms(data['front_system_per_call'])}"
              for name, data in ov["targets"].items() if "front_system_per_call" in data]
    if kernel:
        out += ["", "Of *front*, in the kernel (system time: pipe reads and writes, polling, "
                "wake-ups): " + "; ".join(kernel) + "."]
    return out + [""]


def _handshake(hs: dict[str, Any]) -> list[str]:
    out = ["### Handshake", "", "Seconds from spawn to each answer; every spawn is a fresh process, the "
           "variants are interleaved round by round and each waits until the previous one's processes "
           "have all exited. The floors are a python that imports modules and exits.", "",
           "| spawn -> | n | p50 | p95 | max |", "| --- | --- | --- | --- | --- |"]
    rows = [(key, "initialize" if not key.startswith("floor") else "exit", s)
            for key, s in hs["initialize"].items()]
    rows += [(key, "tools/list", s) for key, s in hs["tools_list"].items()]
    rows += [(key, "first search answered", s) for key, s in hs["first_call"].items()]
    for key, what, s in rows:
        out.append(f"| {HANDSHAKE_LABELS[key]}: {what} | {s['n']} | {secs(s['p50'])} | {secs(s['p95'])} | "
                   f"{secs(s['max'])} |")
    return out + [""]


DISCOVERY_LABELS = {"hanging_token": "token endpoint hangs (30 s)",
                    "no_settings": "settings wrong: no worker serves"}


def _discovery(dv: dict[str, Any]) -> list[str]:
    out = ["### Handshake and discovery, both revisions", "",
           "Seconds from spawn of `oe-mcp-local` to its first answer, `initialize` (2025-11-25) or "
           "`server/discover` (2026-07-28), and to the `tools/list` after it, over a raw line client: "
           "all answered by the supervisor from the surface data while no worker can answer.", "",
           "| revision, worker | first answer | n | p50 | p95 | max | tools/list p50 | p95 |",
           "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    for key, s in dv["first"].items():
        variant, revision = key.split("/")
        listed = dv["tools_list"][key]
        what = "initialize" if revision != "2026-07-28" else "server/discover"
        out.append(f"| {revision}, {DISCOVERY_LABELS[variant]} | {what} | {s['n']} | {secs(s['p50'])} | "
                   f"{secs(s['p95'])} | {secs(s['max'])} | {secs(listed['p50'])} | {secs(listed['p95'])} |")
    return out + [""]


def _recovery(rec: dict[str, Any]) -> list[str]:
    out = ["### Recovery", "",
           "SIGKILL of the current worker (pid from `oe-mcp-status --json`) once the supervisor is settled "
           "(worker ready and, with the standby on, the standby ready too), then the time until calls are "
           f"answered again. Under load: {rec['under_load_tasks']} callers in a loop, sandbox latency "
           f"{rec['under_load_latency_seconds'] * 1000:.0f} ms. One supervisor per variant, side by "
           "side; they are killed in turn.", "",
           "| | n | p50 | p95 | max |", "| --- | --- | --- | --- | --- |"]
    for variant, data in rec["variants"].items():
        for key, what in (("idle", "idle: SIGKILL -> next call answered"),
                          ("under_load_first_issued_after",
                           "under load: SIGKILL -> first call issued after the kill answered"),
                          ("under_load_all_interrupted_answered",
                           "under load: SIGKILL -> every interrupted call answered")):
            s = data[key]
            if s.get("n"):
                out.append(f"| {RECOVERY_LABELS[variant]}, {what} | {s['n']} | {secs(s['p50'])} | "
                           f"{secs(s['p95'])} | {secs(s['max'])} |")
    out.append("")
    for variant, data in rec["variants"].items():
        out.append(f"- {RECOVERY_LABELS[variant]}: calls interrupted per kill under load "
                   f"{data['under_load_interrupted_calls']}, failed calls {data['failed_calls']}.")
    return out + [""]


def _concurrency(results: dict[str, Any], conc: dict[str, Any]) -> list[str]:
    out = ["### Concurrency", "",
           f"Per round and server: sequential reads (one read's time = their p50), then {conc['burst']} "
           f"reads at once (wall time until the last answer). Sandbox latency "
           f"{conc['latency_seconds'] * 1000:.0f} ms; failed calls: {conc['failed_calls']}.", "",
           "| | one read p50 | burst wall p50 | ratio median | ratio worst |",
           "| --- | --- | --- | --- | --- |"]
    for name, s in conc["targets"].items():
        out.append(f"| {label(results, name)} | {ms(s['single']['p50'])} | {ms(s['burst_wall']['p50'])} | "
                   f"{s['ratio']['p50']:.2f}x | {s['ratio']['max']:.2f}x |")
    cores = results["machine"]["cores"] or 1
    out += ["", f"CPU time per call during the bursts, and what {conc['burst']} calls' CPU costs spread "
            f"over the machine's {cores} cores (a floor under the burst's wall time, on top of the "
            "sandbox latency):", "",
            "| | front | children | sandbox | client | total per call | burst CPU / cores |",
            "| --- | --- | --- | --- | --- | --- | --- |"]
    for name, s in conc["targets"].items():
        c = s.get("burst_cpu_per_call")
        if c:
            total = sum(c.values())
            out.append(f"| {label(results, name)} | {ms(c['front'])} | {ms(c['children'])} | "
                       f"{ms(c['sandbox'])} | {ms(c['client'])} | {ms(total)} | "
                       f"{ms(total * conc['burst'] / cores)} |")
    return out + [""]


def _memory(mem: dict[str, Any]) -> list[str]:
    every = mem["calls"] // max(1, len(mem["trace"]) - 2)
    replaced = "yes" if mem["worker_replaced"] else "no"
    out = ["### Memory", "",
           f"VmRSS from /proc/<pid>/status: at rest (handshake, one call, 2 s idle), then every {every:,} "
           f"calls ({mem['tasks']} concurrent callers), and after 2 s idle at the end. Failed calls: "
           f"{mem['failed_calls']}; worker replaced during the run: {replaced}.",
           "", "| calls | supervisor | worker (pid) | standby worker (pid) | sandbox (no target) |",
           "| --- | --- | --- | --- | --- |"]
    for point in mem["trace"]:
        out.append(f"| {point['calls']:,} | {_mib(point['supervisor'])} | {_mib(point['worker'])} "
                   f"({point.get('worker_pid')}) | {_mib(point.get('spare'))} ({point.get('spare_pid')}) | "
                   f"{_mib(point['sandbox'])} |")
    g = mem["growth_from_first_sample"]
    out += ["", f"Growth from the first sample (after {g['after_calls']:,} calls, once warm) instead of from "
            f"rest: supervisor {_pct(g['supervisor'])}, worker {_pct(g['worker'])}.", ""]
    floors = mem.get("floors")
    if floors:
        out += ["What the imports alone cost (a python that imports the modules and waits):", "",
                "| python with | VmRSS |", "| --- | --- |",
                f"| nothing (`import sys`) | {_mib(floors['python'])} |",
                f"| `mcp_types` (the SDK's types package alone) | {_mib(floors.get('mcp_types_pkg'))} |",
                f"| `mcp.types` (runs `mcp/__init__`) | {_mib(floors['mcp_types'])} |",
                f"| `trio` and `mcp_types` (a front's least) | {_mib(floors.get('trio_mcp_types'))} |",
                f"| `trio`, `mcp_types` and `pydantic_settings` (with the settings library) | "
                f"{_mib(floors.get('trio_mcp_types_settings'))} |",
                f"| the supervisor's modules, up to the handshake | {_mib(floors['supervisor_imports'])} |",
                f"| the supervisor's modules, serving calls | {_mib(floors.get('supervisor_all_imports'))} |",
                f"| the worker's modules | {_mib(floors['worker_imports'])} |",
                f"| `mcp.server.lowlevel` (the SDK's low-level server: the worker's floor) | "
                f"{_mib(floors.get('sdk'))} |", ""]
    out += _pss(mem)
    out += _layers(mem)
    return out


def _pss(mem: dict[str, Any]) -> list[str]:
    out = []
    other = mem.get("rest_worker_standby") or {}
    for point, standby in ((mem["rest"], "the fork host (the default)"),
                           (other, "a standby worker (OE_MCP_STANDBY=worker)")):
        total = tree_bytes(point, "_pss")
        if total is None:
            continue
        out.append(f"- With {standby}: PSS supervisor {_mib(point['supervisor_pss'])}, worker "
                   f"{_mib(point['worker_pss'])}, standby {_mib(point['spare_pss'])}: {_mib(total)} in all; "
                   f"VmRSS {_mib(point['supervisor'])} + {_mib(point['worker'])} + {_mib(point['spare'])} = "
                   f"{_mib(tree_bytes(point))}.")
    if not out:
        return []
    return ["At rest a process's VmRSS counts every page it maps, also the pages it shares (the "
            "interpreter, the C extensions' code, and with the fork host the worker's imported modules, "
            "which a forked worker shares with the host until it writes to them); PSS "
            "(`/proc/<pid>/smaps_rollup`: each shared page divided among the processes that map it) adds up "
            "to what the tree takes from the machine.", "", *out, ""]


LAYER_LABELS = {
    "python": "nothing (`import sys`)",
    "sdk": "the SDK's floor: `mcp.server.lowlevel`",
    "sdk_pieces": "the rest of the SDK the worker imports (`mcp.types`, `mcp.server`, its stdio ...)",
    "trio": "trio",
    "settings": "the settings (`pydantic_settings`, `shared.settings`)",
    "jsonschema": "jsonschema (every call's arguments; the tools' schemas)",
    "jwt": "PyJWT (a token's `exp`; it imports `cryptography`'s key types)",
    "token_cache": "the shared token cache (AES-GCM, HKDF, filelock)",
    "client": "the OvalEdge client (transport, tokens, client) and the transport httpx2 loads when the "
              "client is built (httpcore2, h2, truststore); httpx2 itself is in the floor",
    "tools": "the registry and the tool families",
    "server": "the server, its prompts and resources: every worker module",
    "httpx": "httpx, a second HTTP client (not loaded by the worker since it uses httpx2)",
}


def _layers(mem: dict[str, Any]) -> list[str]:
    layers = mem.get("layers")
    if not layers:
        return []
    out = ["The worker's imports in layers, in one python that imports each line's modules on top "
           "of the lines above it (so each line is what it adds):", "",
           "| imports | VmRSS | added | modules | added |", "| --- | --- | --- | --- | --- |"]
    previous = None
    for key, step in layers.items():
        added_rss = "" if previous is None else f"{(step['rss'] - previous['rss']) / MIB:+.1f} MiB"
        added_mods = "" if previous is None else f"+{step['modules'] - previous['modules']}"
        out.append(f"| {LAYER_LABELS.get(key, key)} | {_mib(step['rss'])} | {added_rss} | {step['modules']} "
                   f"| {added_mods} |")
        previous = step
    sdk, python = layers.get("sdk"), layers.get("python")
    if sdk and python:
        grown = {name: n - python["packages"].get(name, 0) for name, n in sdk["packages"].items()}
        top = sorted(((n, name) for name, n in grown.items() if n > 0), reverse=True)
        out += ["", f"The SDK's floor by top-level package (the {sdk['modules'] - python['modules']} modules "
                "`import mcp.server.lowlevel` loads beyond a bare python): "
                + ", ".join(f"`{name}` {n}" for n, name in top) + ".", ""]
    return out + HTTP_CLIENT


HTTP_CLIENT = [
    "**One HTTP client library: httpx2.** The SDK imports httpx2 in every process that imports `mcp` "
    "(its client side, in the floor above), so the worker's OvalEdge client uses it too and httpx is no "
    "longer loaded (the last line of the table is what it would add). httpx2 offers the API the "
    "transport uses unchanged (`AsyncClient`, `Response`, `Timeout`, `Limits`, the same exception "
    "classes, `follow_redirects=False`), so the retries, the redirects never followed and the mapping "
    "of its errors at the edge (`worker/transport.py`, `worker/client.py`) are as they were. Two "
    "differences are handled: its loggers are `httpx2` and `httpcore2` (quieted like httpx's), and by "
    "itself it trusts the system's certificate store where httpx trusted certifi's bundle, so the "
    "worker passes it the context httpx built (`SSL_CERT_FILE`, `SSL_CERT_DIR`, else certifi): the "
    "certificates OvalEdge's must chain to are the same. Building the client loads its transport "
    "(`httpcore2`, and `h2` because it is installed), as httpx loaded `httpcore` before. httpx stays "
    "a development dependency only: the tests and the benchmarks drive the sandbox with it.",
    "",
]


def details(results: dict[str, Any]) -> list[str]:
    sections = results["sections"]
    out: list[str] = []
    if _get(sections, "overhead", "targets"):
        out += _overhead(results, sections["overhead"])
    if _get(sections, "handshake", "initialize"):
        out += _handshake(sections["handshake"])
    if _get(sections, "discovery", "first"):
        out += _discovery(sections["discovery"])
    if _get(sections, "recovery", "variants"):
        out += _recovery(sections["recovery"])
    if _get(sections, "concurrency", "targets"):
        out += _concurrency(results, sections["concurrency"])
    if _get(sections, "memory", "trace"):
        out += _memory(sections["memory"])
    if _get(sections, "multiclient", "scenarios"):
        from benchmarks.multiclient import report as multiclient_report

        out += multiclient_report(sections["multiclient"])
    return out


def render(results: dict[str, Any], notes: list[str]) -> str:
    m = results["machine"]
    rows = summary_rows(results)
    load_start = results["load_start"][0] if results["load_start"] else "n/a"
    load_end = results["load_end"][0] if results["load_end"] else "n/a"
    lines = [
        "# Performance",
        "",
        f"Measured by `benchmarks/run.py` on {results['date']} in {results['duration_seconds']:.0f} s"
        + (" (a `--quick` smoke run: few samples, not the figures of record)" if results["quick"] else "")
        + ". Every figure is a ratio or a distribution from this one run; compared variants are "
        "interleaved block by block so that machine noise falls on all of them alike.",
        "",
        "Reproduce (about 4 minutes on the machine below; `--quick` is a smoke run of about a minute "
        "that writes under `benchmarks/.out/` only):",
        "",
        "```sh",
        REPRODUCE,
        "```",
        "",
        "It rewrites this file and puts the raw numbers in `benchmarks/.out/results.json` (not in git).",
        "",
        "## Machine",
        "",
        "| | |",
        "| --- | --- |",
        f"| CPU | {m['cpu']} |",
        f"| Cores | {m['cores']} |",
        f"| Memory | {m['memory_bytes'] / 2**30:.0f} GiB |" if m.get("memory_bytes") else "| Memory | n/a |",
        f"| OS | {m['os']} (kernel {m['kernel']}) |",
        f"| Python | {m['python']} |",
        f"| Commit measured | {m['commit']} |",
        f"| Load average (1 min) at start / end | {load_start} / {load_end} |",
        "",
        "## Results",
        "",
        *rows.table(),
        "",
        "MiB = 1024² bytes (VmRSS is reported in KiB). Distributions are judged on their p95; the "
        "overhead on the ratio of p50s, the first call on the difference of p50s, and the concurrency on "
        "the median ratio over rounds.",
        "",
    ]
    failed = {k: v["error"] for k, v in results["sections"].items() if isinstance(v, dict) and "error" in v}
    if failed:
        lines += ["Sections that failed in this run:", ""]
        lines += [f"- {name}: `{error}`" for name, error in failed.items()]
        lines.append("")
    lines += ["## Notes on the gaps and their causes", ""]
    lines += notes or ["Every target was met in this run."]
    lines += ["", "## Details", "", *details(results)]
    lines += ["## Method", "", *METHOD]
    return "\n".join(lines).rstrip() + "\n"


METHOD = [
    "- Servers are the installed commands (`oe-mcp-local`, `oe-mcp-worker`) spawned as stdio subprocesses "
    "and driven by the MCP SDK's `ClientSession`, as an MCP client would. The supervisor spawns its worker "
    "(and its standby worker) as in production (`python -m worker.cli`), with default settings unless "
    "stated.",
    "- The OvalEdge API is the sandbox (`oe-mcp-sandbox`), always in its own process so that it does not "
    "share the client's event loop; one sandbox per server under test, because the sandbox, like "
    "OvalEdge, keeps one active JWT per credential and two servers sharing it would invalidate each "
    "other's token. Latency is set through its `/__sandbox/settings` endpoint; the hanging token endpoint "
    "is a `/__sandbox/faults` delay of 30 s on `/api/user/token/generate`.",
    "- The call measured everywhere is `asset_explorer` with `search_terms=[\"orders\"], limit=5` "
    "(one GET to the sandbox). Times are `time.perf_counter()` in the client around `call_tool`, so they "
    "include the client's own JSON and pydantic work, the same for every server.",
    "- The recovery section sets `OE_MCP_RESTART_WINDOW_SECONDS=1` and waits 1.1 s between kills, so every "
    "kill is a lone crash, restarted at once (as the first crash in any window is in production) rather "
    "than the n-th crash of a loop that earns backoff.",
    "- RSS is VmRSS from `/proc/<pid>/status`; the worker's and standby's pids come from the status socket "
    "via `oe-mcp-status --json --socket ...`.",
    "- The peer proxy is installed by the run with `pip install` into `benchmarks/.out/peer-venv` and "
    "watches an empty folder, so it never reloads.",
]
