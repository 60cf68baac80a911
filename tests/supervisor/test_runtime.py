"""The runtime dir of the status sockets, against another local user (docs/security.md, items 1
and 10): with XDG_RUNTIME_DIR unset, `$TMPDIR/oe-mcp-<uid>` in a shared sticky TMPDIR is a name
anyone can take first. The other user is the real unprivileged account `nobody`."""

from __future__ import annotations

import os
import stat

import pytest

from supervisor.runtime import is_private_dir
from tests.harness import (
    OTHER_USER,
    as_other_user,
    needs_root,
    result_json,
    run_command,
    sandbox_env,
    supervisor,
)


def env_without_xdg(sandbox, tmpdir) -> dict[str, str]:
    env = sandbox_env(sandbox, TMPDIR=str(tmpdir))
    env.pop("XDG_RUNTIME_DIR", None)
    return env


def mode(path) -> int:
    return stat.S_IMODE(os.lstat(path).st_mode)


async def serve_and_look(env: dict[str, str]) -> tuple[int, str, str]:
    """Start a supervisor, make a call, run `oe-mcp-status`: (its pid, the table, the stderr)."""
    async with supervisor(env) as conn:
        result_json(await conn.call("asset_explorer", {"search_terms": ["orders"]}))
        code, table = await run_command("oe-mcp-status", env=env)
        assert code == 0, table
        return conn.pid, table, conn.stderr()


@needs_root
async def test_another_users_directory_at_our_name_is_passed_over(sandbox, shared_tmp):
    squatted = shared_tmp / f"oe-mcp-{os.getuid()}"
    await as_other_user("mkdir", "-m", "0777", str(squatted))
    pid, table, stderr = await serve_and_look(env_without_xdg(sandbox, shared_tmp))
    [private] = [path for path in shared_tmp.glob(f"oe-mcp-{os.getuid()}-*")]
    assert str(pid) in table and "Traceback" not in stderr
    assert is_private_dir(private) and f"using {private} instead" in stderr
    assert os.lstat(squatted).st_uid != os.getuid() and mode(squatted) == 0o777
    assert list(squatted.iterdir()) == []  # nothing of ours went into their directory


@needs_root
@pytest.mark.parametrize("owner", [OTHER_USER, "us"])
async def test_a_link_at_our_name_is_never_followed(sandbox, shared_tmp, owner):
    target = shared_tmp / "their-dir" if owner == OTHER_USER else shared_tmp / "our-project"
    if owner == OTHER_USER:
        await as_other_user("mkdir", "-m", "0755", str(target))
    else:
        target.mkdir(mode=0o755)
        os.chmod(target, 0o755)
    await as_other_user("ln", "-s", str(target), str(shared_tmp / f"oe-mcp-{os.getuid()}"))
    pid, table, stderr = await serve_and_look(env_without_xdg(sandbox, shared_tmp))
    assert str(pid) in table and "Traceback" not in stderr
    assert mode(target) == 0o755 and list(target.iterdir()) == []  # not chmod'ed, not used


@needs_root
async def test_oe_mcp_status_passes_over_another_users_directory(shared_tmp):
    await as_other_user("mkdir", "-m", "0755", str(shared_tmp / f"oe-mcp-{os.getuid()}"))
    env = {"PATH": os.environ["PATH"], "TMPDIR": str(shared_tmp)}
    code, out = await run_command("oe-mcp-status", env=env)
    assert code == 1 and "no running oe-mcp-local supervisor" in out and "Traceback" not in out


async def test_a_runtime_dir_open_to_others_is_not_used(sandbox, tmp_path):
    """XDG_RUNTIME_DIR with mode 0755: the socket goes to `$TMPDIR/oe-mcp-<uid>`, as the
    README says (platformdirs would pick a /tmp/runtime-<uid> of its own, with a warning)."""
    xdg, tmpdir = tmp_path / "xdg", tmp_path / "tmp"
    xdg.mkdir(mode=0o755)
    os.chmod(xdg, 0o755)
    tmpdir.mkdir()
    env = sandbox_env(sandbox, XDG_RUNTIME_DIR=str(xdg), TMPDIR=str(tmpdir))
    pid, table, stderr = await serve_and_look(env)
    assert f"status socket: {tmpdir}/oe-mcp-{os.getuid()}/supervisor-{pid}.sock" in stderr
    assert str(pid) in table and list(xdg.iterdir()) == [] and "Warning" not in stderr
