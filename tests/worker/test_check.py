"""`oe-mcp-check` (and `oe-mcp-local check`) names each kind of failure distinctly."""

from __future__ import annotations

import trio

from sandbox import Fault
from tests.harness import base_env, command_path, sandbox_env

SEARCH = "/api/v1/mcp/asset-explorer"
EXCHANGE = "/api/user/token/generate"


async def check(env: dict[str, str], *args: str, command: str = "oe-mcp-check") -> tuple[int, str]:
    done = await trio.run_process([command_path(command), *args], env=env, capture_stdout=True,
                                  capture_stderr=True, check=False)
    return done.returncode, (done.stdout + done.stderr).decode()


async def test_healthy_setup_passes_every_step(sandbox):
    code, out = await check(sandbox_env(sandbox))
    assert code == 0, out
    assert out.count("[ ok ]") == 4 and "healthy" in out
    assert "[ ok ] catalog read: POST /api/v1/mcp/asset-explorer answered (" in out
    assert "[ ok ] API routes: OVALEDGE_API_ROUTES=auto: current OvalEdge MCP routes" in out


async def test_an_older_ovaledge_is_read_through_the_first_generation_routes(sandbox):
    sandbox.state.api = "legacy"
    code, out = await check(sandbox_env(sandbox))
    assert code == 0, out
    assert "[ ok ] catalog read: GET /api/v1/mcp/search-catalog answered (" in out
    assert "[ ok ] API routes: OVALEDGE_API_ROUTES=auto: legacy OvalEdge MCP routes" in out


async def test_demo_check_through_the_main_command():
    code, out = await check(base_env(), "check", "--demo", command="oe-mcp-local")
    assert code == 0, out
    assert "token exchange: got a JWT" in out


async def test_each_failure_kind_is_reported_distinctly(sandbox):
    with trio.socket.socket() as probe:
        await probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    cases = {
        "unreachable": (sandbox_env(sandbox, OVALEDGE_BASE_URL=f"http://127.0.0.1:{closed_port}/oe"), None),
        "credentials": (sandbox_env(sandbox, OVALEDGE_USER_SECRET="wrong-secret"), None),
        "empty-token": (sandbox_env(sandbox), ("empty", None)),
        "login-page": (sandbox_env(sandbox), (None, (Fault(html_login_page=True), EXCHANGE))),
        "redirect": (sandbox_env(sandbox), (None, (Fault(redirect_to="/ovaledge/login"), SEARCH))),
        "server-error": (sandbox_env(sandbox), (None, (Fault(status=503), SEARCH))),
    }
    seen = {}
    for kind, (env, setup) in cases.items():
        sandbox.state.reset()
        sandbox.state.token_response_shape = "data.token"
        if setup:
            shape, fault = setup
            if shape:
                sandbox.state.token_response_shape = shape
            if fault:
                sandbox.state.add_fault(fault[0], path=fault[1], times=5)
        code, out = await check(env)
        fail_lines = [line for line in out.splitlines() if line.startswith("[FAIL]")]
        assert code == 1, (kind, out)
        assert len(fail_lines) == 1 and f"({kind})" in fail_lines[0], (kind, out)
        seen[kind] = fail_lines[0]
    assert len(set(seen.values())) == len(cases)
    assert "OVALEDGE_USER_SECRET" in seen["credentials"]
    assert "empty body (HTTP 200)" in seen["empty-token"]
    assert "redirected to /ovaledge/login" in seen["redirect"]
    assert "503" in seen["server-error"]


async def test_bad_settings_exit_2_with_one_line_each(sandbox):
    code, out = await check(sandbox_env(sandbox, AUTH_MODE="remote", OVALEDGE_TIMEOUT_SECONDS="x"))
    assert code == 2
    assert "[FAIL] settings: AUTH_MODE='remote' is not supported by oe-mcp-local; set AUTH_MODE=local" in out
    assert "[FAIL] settings: OVALEDGE_TIMEOUT_SECONDS='x' is not a number" in out
    assert "Traceback" not in out


async def test_check_never_prints_credentials(sandbox):
    token, secret = "canary-tok-check1", "canary-sec-check1"
    sandbox.state.credentials[token] = secret
    code, out = await check(sandbox_env(sandbox, OVALEDGE_USER_TOKEN=token, OVALEDGE_USER_SECRET=secret))
    assert code == 0
    assert token not in out and secret not in out and "eyJ" not in out
