"""Stage the Claude Desktop extension (MCPB) of this server: the files, manifest.json and the
bundle's own pyproject.toml. `scripts/build_mcpb.sh` runs this, then `mcpb validate` and
`mcpb pack`.

Server type `uv`: Claude Desktop resolves the dependencies listed in the bundle's pyproject.toml
on the user's machine, for its platform. The `python` type would mean shipping the dependencies
inside the bundle, and ours include compiled ones (pydantic-core among them) that cannot be
shipped portably: one bundle would then work on one OS and CPU only. `uv` is marked experimental
in the MCPB spec (manifest 0.4); that is the price of one bundle for every platform.

The server is the same supervisor as `oe-mcp-local`. Its settings come from `user_config`: the
base URL, and the token and secret marked `sensitive`, which Claude Desktop keeps in the OS
keychain and hands to the server as environment variables.
"""

from __future__ import annotations

import json
import shutil
import sys
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PACKAGES = ("supervisor", "worker", "shared", "sandbox")
ENTRY_POINT = "main.py"
USER_CONFIG = {
    "ovaledge_base_url": {
        "type": "string", "title": "OvalEdge URL", "required": True,
        "description": "Your OvalEdge address with its context path, e.g. https://ovaledge.example.com/ovaledge",
    },
    "ovaledge_user_token": {
        "type": "string", "title": "API user token", "required": True, "sensitive": True,
        "description": "The user token of your OvalEdge API credentials (kept in the OS keychain).",
    },
    "ovaledge_user_secret": {
        "type": "string", "title": "API user secret", "required": True, "sensitive": True,
        "description": "The user secret of your OvalEdge API credentials (kept in the OS keychain).",
    },
}


def project() -> dict:
    return tomllib.loads((REPO / "pyproject.toml").read_text())["project"]


def manifest(meta: dict, tools: list[dict]) -> dict:
    return {
        "manifest_version": "0.4",
        "name": "ovaledge-local",
        "display_name": "OvalEdge (local)",
        "version": meta["version"],
        "description": "Search, explore and govern your OvalEdge data catalog from Claude.",
        "long_description": meta["description"],
        "author": {"name": "OvalEdge Local MCP contributors"},
        "license": meta.get("license", "MIT"),
        "keywords": ["ovaledge", "data catalog", "governance", "lineage"],
        "server": {
            "type": "uv",
            "entry_point": ENTRY_POINT,
            "mcp_config": {
                "command": "uv",
                "args": ["run", "--directory", "${__dirname}", ENTRY_POINT],
                "env": {
                    # the worker and the sandbox are started with `python -m`: they import from here
                    "PYTHONPATH": "${__dirname}",
                    "AUTH_MODE": "local",
                    "OVALEDGE_BASE_URL": "${user_config.ovaledge_base_url}",
                    "OVALEDGE_USER_TOKEN": "${user_config.ovaledge_user_token}",
                    "OVALEDGE_USER_SECRET": "${user_config.ovaledge_user_secret}",
                },
            },
        },
        "tools": [{"name": t["name"], "description": t.get("title") or t["name"]} for t in tools],
        "prompts_generated": True,  # the 22 playbooks come from the server itself (prompts/list)
        "user_config": USER_CONFIG,
        "compatibility": {"platforms": ["darwin", "win32", "linux"],
                          "runtimes": {"python": meta["requires-python"]}},
    }


def bundle_pyproject(meta: dict) -> str:
    """Dependencies only: uv installs them and runs main.py; nothing of ours is built."""
    deps = ",\n".join(f"    {json.dumps(dep)}" for dep in meta["dependencies"])
    return (f'[project]\nname = "ovaledge-local-mcpb"\nversion = "{meta["version"]}"\n'
            f'requires-python = "{meta["requires-python"]}"\ndependencies = [\n{deps},\n]\n\n'
            '[tool.uv]\npackage = false\n')


MAIN = '''"""Claude Desktop starts this (manifest.json): the OvalEdge local MCP supervisor."""

import sys

from supervisor.cli import main

sys.exit(main(sys.argv[1:]))
'''


def stage(out: Path) -> Path:
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for package in PACKAGES:
        shutil.copytree(REPO / package, out / package, ignore=ignore)
    shutil.copy2(REPO / "README.md", out / "README.md")
    shutil.copy2(REPO / ".python-version", out / ".python-version")  # the Python the tests run on
    meta = project()
    surface = json.loads((REPO / "shared" / "surface.json").read_text())
    (out / "manifest.json").write_text(json.dumps(manifest(meta, surface["tools"]),
                                                  indent=2) + "\n")
    (out / "pyproject.toml").write_text(bundle_pyproject(meta))
    (out / ENTRY_POINT).write_text(MAIN)
    return out


if __name__ == "__main__":
    print(stage(Path(sys.argv[1]) if len(sys.argv) > 1 else REPO / "build" / "mcpb"))
