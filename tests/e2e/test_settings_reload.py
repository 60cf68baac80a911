"""Wrong settings never stop the server, and the env file is read again before each call: the
client gets the handshake and the tool list, each tool call answers with the fix, a fix on disk
is taken up by the next call, and new credentials by the next call after them, with one token
exchange and no failed call. No client restart at any point."""

from __future__ import annotations

from pathlib import Path

import pytest
import trio

from tests.harness import base_env, result_json, result_text, status_of, supervisor

SEARCH = ("asset_explorer", {"search_terms": ["orders"]})
SECOND_TOKEN, SECOND_SECRET = "second-machine-token", "second-machine-secret"


def settings_file(path: Path, *, base_url: str | None, token: str, secret: str,
                  auth_mode: str = "local") -> None:
    lines = [f"AUTH_MODE={auth_mode}", f"OVALEDGE_USER_TOKEN={token}", f"OVALEDGE_USER_SECRET={secret}"]
    if base_url is not None:
        lines.append(f"OVALEDGE_BASE_URL={base_url}")
    path.write_text("\n".join(lines) + "\n")


@pytest.mark.parametrize("broken, fix_named", [
    ({"auth_mode": "remote"}, "set AUTH_MODE=local"),
    ({"base_url": None}, "set OVALEDGE_BASE_URL to your OvalEdge address"),
], ids=["auth-mode-remote", "base-url-unset"])
async def test_wrong_settings_are_answered_with_the_fix_then_fixed_on_disk_without_a_restart(
        sandbox, tmp_path, broken, fix_named):
    from sandbox import DEMO_USER_SECRET, DEMO_USER_TOKEN

    env_file, sock = tmp_path / ".env", tmp_path / "sup.sock"
    right = {"base_url": sandbox.base_url, "token": DEMO_USER_TOKEN, "secret": DEMO_USER_SECRET}
    settings_file(env_file, **{**right, **broken})
    env = base_env({"OE_MCP_ENV_FILE": str(env_file), "OE_MCP_STATUS_SOCKET": str(sock),
                    "OE_MCP_SPARE_WORKER": "false"})
    async with supervisor(env) as conn:  # initialize and tools/list, answered by the front
        tools = await conn.session.list_tools()
        assert len(tools.tools) == 15
        assert len((await conn.session.list_prompts()).prompts) == 22
        refused = await conn.call(*SEARCH)
        text = result_text(refused)
        assert refused.is_error and fix_named in text and str(env_file) in text
        assert "no restart is needed" in text and "Traceback" not in text
        assert fix_named in conn.stderr()
        assert sandbox.state.exchanges == 0 and not sock.exists()  # no worker was started

        settings_file(env_file, **right)
        found = result_json(await conn.call(*SEARCH))  # the next call: a worker on the fix
        assert found["data"]["items"], found
        assert sandbox.state.exchanges == 1
        assert any("settings in" in log.data and "right now" in log.data for log in conn.logs)
        first_pid = (await status_of(sock))["worker"]["pid"]

        # New credentials for the same OvalEdge: the next call runs on them, nothing fails.
        sandbox.state.credentials = {SECOND_TOKEN: SECOND_SECRET}  # the old pair is revoked
        settings_file(env_file, **{**right, "token": SECOND_TOKEN, "secret": SECOND_SECRET})
        again = await conn.call(*SEARCH)
        assert not again.is_error, result_text(again)
        assert sandbox.state.exchanges == 2  # exactly one more exchange, with the new pair
        assert sandbox.state.active_jwt(SECOND_TOKEN) is not None
        with trio.fail_after(10):
            while (status := await status_of(sock))["worker"]["pid"] == first_pid:
                await trio.sleep(0.05)
        assert status["worker"]["state"] == "ready"
        assert conn.process.returncode is None  # the same server throughout


async def test_valid_settings_broken_while_running_keep_the_running_worker(sandbox, tmp_path):
    from sandbox import DEMO_USER_SECRET, DEMO_USER_TOKEN

    env_file = tmp_path / ".env"
    settings_file(env_file, base_url=sandbox.base_url, token=DEMO_USER_TOKEN, secret=DEMO_USER_SECRET)
    env = base_env({"OE_MCP_ENV_FILE": str(env_file), "OE_MCP_SPARE_WORKER": "false"})
    async with supervisor(env) as conn:
        assert not (await conn.call(*SEARCH)).is_error
        settings_file(env_file, base_url=None, token=DEMO_USER_TOKEN, secret=DEMO_USER_SECRET)
        still = await conn.call(*SEARCH)
        assert not still.is_error, result_text(still)
        assert sandbox.state.exchanges == 1
        warned = [log.data for log in conn.logs if log.level == "warning"]
        assert any("keeps its settings until they are fixed" in text and "OVALEDGE_BASE_URL" in text
                   for text in warned), warned
