"""`oe-mcp-local`: the command an MCP client launches (the supervisor), and `check`.

Light on purpose: it starts the first worker before importing trio or anything heavy, so that
the worker's cold start overlaps the supervisor's own from the start (supervisor/serve.py runs
the rest)."""

from __future__ import annotations

import argparse
import logging
import os
import secrets
import sys
from typing import Any

from shared.redaction import configure_logging, register_secret
from shared.version_flag import VersionFlag
from shared.worker_env import CONFIRM_KEY_ENV

EXIT_INTERRUPTED = 130  # what shells report for a command ended by Ctrl-C (128 + SIGINT)
log = logging.getLogger("oe-mcp-local")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="oe-mcp-local",
        description="OvalEdge local MCP server (stdio). 'oe-mcp-local check' diagnoses the setup; "
        "'oe-mcp-local install CLIENT' registers it in an MCP client (uninstall removes it).",
    )
    parser.add_argument("command", nargs="?", choices=["check"],
                        help="check: validate settings, exchange the token, probe the API")
    parser.add_argument("--demo", action="store_true",
                        help="use the embedded sandbox OvalEdge (sample catalog, no credentials)")
    parser.add_argument("--version", action=VersionFlag)
    return parser


def worker_env(overrides: dict[str, Any]) -> dict[str, str]:
    """The workers' environment: ours, the demo settings when there are any, and this run's key
    for governed-write confirmation tokens (so a preview outlives a worker crash or recycle)."""
    env = dict(os.environ)
    for key, value in overrides.items():
        env[key.upper()] = str(value)
    key = secrets.token_hex(32)
    register_secret(key)
    env[CONFIRM_KEY_ENV] = key
    return env


def start_fork_host_early(env: dict[str, str] | None) -> Any:
    """The fork host (the standby, which forks the first worker too), started before anything
    heavy is imported, unless this machine cannot fork or the environment asks for another
    standby (a setting in the env file is read later: the pool then stops this host). With the
    workers' `env`, it is asked at once for the first worker, which it forks as soon as it has
    imported the worker's code (the demo's worker needs the sandbox's address: asked later)."""
    standby = os.environ.get("OE_MCP_STANDBY", "fork").strip().lower() or "fork"
    spare = os.environ.get("OE_MCP_SPARE_WORKER", "true").strip().lower()
    if standby != "fork" or spare in ("0", "off", "f", "false", "n", "no"):  # (pydantic's false)
        return None
    from supervisor.spawn import start_fork_host

    return start_fork_host(dict(os.environ), supervisor_pid=os.getpid(), first_worker_env=env)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] in ("install", "uninstall"):
        from supervisor.install import main as install_main

        return install_main(argv[0], argv[1:])
    args = build_parser().parse_args(argv)
    if args.command == "check":
        # The doctor is worker code (it owns the HTTP client); run it as its own program.
        command = [sys.executable, "-m", "worker.check", *(["--demo"] if args.demo else [])]
        os.execv(sys.executable, command)
    configure_logging("oe-mcp-local")
    env = None if args.demo else worker_env({})  # (the demo's needs the sandbox's address)
    first = start_fork_host_early(env)
    if first is None and env is not None:
        from supervisor.spawn import start_first_worker

        first = start_first_worker(env)
    from shared.processes import run_main
    from supervisor.serve import run_supervisor

    return run_main("oe-mcp-local", run_supervisor, args.demo, env, first)


if __name__ == "__main__":
    sys.exit(main())
