"""Wrong settings never stop the server, and the env file is read again before each call: the
client gets the handshake and the tool list, each tool call answers with the fix, a fix on disk
is taken up by the next call, and new credentials by the next call after them, with one token
exchange and no failed call. No client restart at any point."""

from __future__ import annotations

from pathlib import Path

import pytest
import trio

from tests.harness import alive, base_env, result_json, result_text, status_of, supervisor, wait_until

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


def processes_of(supervisor_pid: int) -> list[int]:
    """Live processes started for this supervisor (its fork host, workers forked or spawned):
    their environment names it."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            environ = (entry / "environ").read_bytes().split(b"\0")
        except OSError:
            continue
        if f"OE_MCP_SUPERVISOR_PID={supervisor_pid}".encode() in environ and alive(int(entry.name)):
            found.append(int(entry.name))
    return found


async def test_a_standby_worker_set_in_the_env_file_stops_the_early_fork_host_and_its_worker(
        sandbox, tmp_path):
    # The fork host is started, and asked for the first worker, before the env file is read;
    # OE_MCP_STANDBY=worker there means neither is used: both must go, and only the pool's own
    # workers remain.
    from sandbox import DEMO_USER_SECRET, DEMO_USER_TOKEN

    env_file, sock = tmp_path / ".env", tmp_path / "sup.sock"
    settings_file(env_file, base_url=sandbox.base_url, token=DEMO_USER_TOKEN, secret=DEMO_USER_SECRET)
    with env_file.open("a") as file:
        file.write("OE_MCP_STANDBY=worker\n")
    env = base_env({"OE_MCP_ENV_FILE": str(env_file), "OE_MCP_STATUS_SOCKET": str(sock)})
    async with supervisor(env) as conn:
        result_json(await conn.call(*SEARCH))
        with trio.fail_after(20):
            while not (status := await status_of(sock))["worker"]["spare_pid"]:
                await trio.sleep(0.05)
        assert status["worker"]["standby"] == "worker"
        pool = {status["worker"]["pid"], status["worker"]["spare_pid"]}
        await wait_until(lambda: set(processes_of(conn.pid)) == pool, timeout=10)
