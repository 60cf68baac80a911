"""The Claude Desktop extension: `scripts/build_mcpb.sh` validates its manifest with `mcpb validate`
and packs `dist/ovaledge-local.mcpb` with `mcpb pack`; the bundle, unpacked, starts the way its
manifest says (uv, `${__dirname}`, the user_config values as environment variables) against the
sandbox, and answers initialize, tools/list and a search, through the MCP SDK's client.

The MCPB tools come from npm and uv from the package index, into .tools/; where either cannot be
installed, the test skips with the reason.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from sandbox import DEMO_USER_SECRET, DEMO_USER_TOKEN
from shared.settings import REPO_ROOT
from tests.harness import base_env, connect, result_json

BUILD = REPO_ROOT / "scripts" / "build_mcpb.sh"
UV_VENV = REPO_ROOT / ".tools" / "uv"


def uv() -> str:
    uv_bin = UV_VENV / "bin" / "uv"
    if not uv_bin.exists():
        made = subprocess.run([sys.executable, "-m", "venv", str(UV_VENV)], capture_output=True, text=True)
        installed = made.returncode == 0 and subprocess.run(
            [str(UV_VENV / "bin" / "pip"), "install", "--quiet", "uv"], capture_output=True, text=True,
            timeout=600).returncode == 0
        if not installed:
            pytest.skip("uv could not be installed into .tools/uv (no package index?)")
    return str(uv_bin)


def built_bundle() -> Path:
    done = subprocess.run(["bash", str(BUILD)], capture_output=True, text=True, timeout=900)
    if done.returncode == 3:
        pytest.skip(f"the MCPB tools could not be installed: {done.stderr.strip()[-300:]}")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Manifest schema validation passes" in done.stdout + done.stderr  # `mcpb validate`
    bundle = Path(done.stdout.strip().splitlines()[-1])
    assert bundle == REPO_ROOT / "dist" / "ovaledge-local.mcpb" and zipfile.is_zipfile(bundle)
    return bundle


def filled(value: str, dirname: Path, user_config: dict[str, str]) -> str:
    """What Claude Desktop does to a manifest value: ${__dirname} and ${user_config.X} replaced."""
    value = value.replace("${__dirname}", str(dirname))
    for name, given in user_config.items():
        value = value.replace("${user_config." + name + "}", given)
    return value


async def test_the_bundle_validates_packs_and_serves_from_its_manifest(tmp_path, sandbox):
    uv_path = uv()
    bundle = built_bundle()
    unpacked = tmp_path / "extension"
    with zipfile.ZipFile(bundle) as archive:
        archive.extractall(unpacked)
    manifest = json.loads((unpacked / "manifest.json").read_text())
    assert manifest["server"]["type"] == "uv"
    secrets = {name for name, spec in manifest["user_config"].items() if spec.get("sensitive")}
    assert secrets == {"ovaledge_user_token", "ovaledge_user_secret"}
    config = manifest["server"]["mcp_config"]
    user_config = {"ovaledge_base_url": sandbox.base_url, "ovaledge_user_token": DEMO_USER_TOKEN,
                   "ovaledge_user_secret": DEMO_USER_SECRET}
    env = base_env({name: filled(value, unpacked, user_config) for name, value in config["env"].items()})
    env["PATH"] = f"{Path(uv_path).parent}{os.pathsep}{env['PATH']}"
    env["UV_CACHE_DIR"] = str(REPO_ROOT / ".tools" / "uv-cache")  # one download across runs
    # Claude Desktop brings a Python for uv; this machine cannot download one: use its own, and
    # its CA store (as pip does here) for the package index.
    env.update(UV_PYTHON_DOWNLOADS="never", UV_NATIVE_TLS="1")
    assert config["command"] == "uv"
    args = [filled(arg, unpacked, user_config) for arg in config["args"]]
    async with connect(uv_path, args, env) as conn:
        listed = {tool.name for tool in (await conn.session.list_tools()).tools}
        assert {"asset_explorer", "asset_details", "update_asset_descriptions"} <= listed
        found = result_json(await conn.call("asset_explorer", {"search_terms": ["orders"]}))
        assert any("orders" in json.dumps(item).lower() for item in found["data"]["items"]), found
    assert sandbox.state.exchanges >= 1  # it used the credentials given as user_config
