"""`oe-mcp-status`: inspect running supervisors through their status sockets.

Exit codes: 0 ok, 1 nothing running / unreachable, 2 usage.
"""

from __future__ import annotations

import argparse
import json
import socket
import sys
from pathlib import Path
from typing import Any

from shared.version_flag import VersionFlag
from supervisor.runtime import TCP_SUFFIX, running_sockets

TIMEOUT_SECONDS = 5.0


def ask(path: Path, command: str) -> dict[str, Any]:
    """Send one command to a supervisor's status socket (or TCP descriptor) and read the answer."""
    request: dict[str, Any] = {"command": command}
    if path.name.endswith(TCP_SUFFIX):
        descriptor = json.loads(path.read_text())
        request["token"] = descriptor["token"]
        family, address = socket.AF_INET, ("127.0.0.1", int(descriptor["port"]))
    else:
        family, address = socket.AF_UNIX, str(path)
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.settimeout(TIMEOUT_SECONDS)
        sock.connect(address)
        sock.sendall(json.dumps(request).encode() + b"\n")
        data = b""
        while not data.endswith(b"\n"):
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
    return json.loads(data)


def _age(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    seconds = int(seconds)
    if seconds < 120:
        return f"{seconds}s"
    if seconds < 7200:
        return f"{seconds // 60}m"
    return f"{seconds // 3600}h{(seconds % 3600) // 60:02d}m"


def render_table(rows: list[tuple[Path, dict[str, Any]]]) -> str:
    header = ("SUPERVISOR", "UPTIME", "WORKER", "STATE", "RESTARTS", "BREAKER", "CALLS",
              "FAILED", "REPLAYED", "TOKEN", "EXPIRES")
    table = [header]
    notes = []
    for path, s in rows:
        if "error" in s:
            table.append((str(path.name), "-", "-", "unreachable", "-", "-", "-", "-", "-", "-", "-"))
            notes.append(f"{path}: {s['error']}")
            continue
        sup, wrk, brk, calls, tok = s["supervisor"], s["worker"], s["breaker"], s["calls"], s["token"]
        table.append((
            str(sup["pid"]), _age(sup["uptime_seconds"]), str(wrk["pid"] or "-"), wrk["state"],
            str(wrk["restarts"]), brk["state"], str(calls["total"]), str(calls["failed"]),
            str(calls["replayed"]), tok["state"], _age(tok.get("expires_in_seconds")),
        ))
        routes = s.get("routes") or {}
        if routes.get("setting"):
            legacy = routes.get("first_generation_for") or []
            notes.append(f"supervisor {sup['pid']}: OvalEdge API routes: {routes['generation']} "
                         f"(OVALEDGE_API_ROUTES={routes['setting']})"
                         + (f"; first-generation routes for {', '.join(legacy)}" if legacy else ""))
        shared = tok.get("shared")
        if isinstance(shared, dict):
            notes.append(f"supervisor {sup['pid']}: {shared_cache_line(shared)}")
        if tok.get("last_error"):
            notes.append(f"supervisor {sup['pid']}: token error: {tok['last_error']}")
        if wrk.get("last_exit"):
            last = wrk["last_exit"]
            notes.append(f"supervisor {sup['pid']}: last worker exit: {last['reason']} "
                         f"(code {last['code']}, signal {last['signal']}) at {last['at']}")
        if brk["state"] != "closed" and wrk.get("stderr_tail"):
            notes.append(f"supervisor {sup['pid']}: worker said: {wrk['stderr_tail'][-1]}")
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
             for row in table]
    return "\n".join(lines + ([""] + notes if notes else []))


def shared_cache_line(shared: dict[str, Any]) -> str:
    """The worker's shared token cache in one line (never the JWT)."""
    if not shared.get("in_use"):
        return f"shared token cache: not in use ({shared.get('why_not') or 'unknown why'})"
    last = (f"last exchange {shared['last_exchange_at']} by process {shared['last_exchange_pid']}"
            if shared.get("last_exchange_at") else "no exchange yet")
    users = shared.get("processes")
    return (f"shared token cache: in use by {users} process{'es' if users != 1 else ''} with these "
            f"credentials; {last}; {shared.get('adopted', 0)} JWT(s) adopted from other processes")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="oe-mcp-status", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("action", nargs="?", choices=["status", "restart-worker"], default="status")
    parser.add_argument("--json", action="store_true", help="one JSON object per supervisor")
    parser.add_argument("--socket", type=Path, help="talk to this socket only")
    parser.add_argument("--version", action=VersionFlag)
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return 0 if exc.code == 0 else 2
    paths = [args.socket] if args.socket else running_sockets()
    if not paths:
        print("no running oe-mcp-local supervisor found", file=sys.stderr)
        return 1
    rows: list[tuple[Path, dict[str, Any]]] = []
    for path in paths:
        try:
            rows.append((path, ask(path, args.action)))
        except (OSError, ValueError) as exc:
            rows.append((path, {"error": f"unreachable ({type(exc).__name__}: {exc})"}))
    reachable = [row for row in rows if "error" not in row[1]]
    if args.action == "restart-worker":
        for path, answer in rows:
            print(f"{path}: {answer.get('result') or answer.get('error')}")
        recycled = [a for _, a in rows if str(a.get("result", "")).startswith("recycled")]
        return 0 if recycled and len(recycled) == len(rows) else 1
    elif args.json:
        for _, answer in rows:
            print(json.dumps(answer))
    else:
        print(render_table(rows))
    return 0 if reachable else 1


if __name__ == "__main__":
    sys.exit(main())
