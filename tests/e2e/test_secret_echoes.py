"""Secrets that OvalEdge echoes back, escaped or cut, reach no output (docs/security.md, item 2).

The sandbox echoes the request (`Fault(echo_request=True)`): the credentials of a token
exchange, the JWT of an API call. The credentials hold a quote, a backslash and a non-ASCII
letter, so the worker's JSON rendering of the echoed body holds them JSON-escaped; and they are
placed so that the 300-character cut of upstream text falls across the user secret.
"""

from __future__ import annotations

import json

import trio

from sandbox import Fault
from shared.redaction import echoed_forms
from tests.harness import result_json, result_text, run_command, sandbox_env, status_of, supervisor

SEARCH = "/api/v1/mcp/asset-explorer"
DETAILS = "/api/v1/mcp/asset-details"
EXCHANGE = "/api/user/token/generate"
UPSTREAM_CUT = 300  # worker.transport.UPSTREAM_TEXT_MAX_CHARS, spelled here: it is under test
FRAGMENT = 8  # a run of this many characters of a secret counts as a leak


def straddling_credentials() -> tuple[str, str]:
    """A token and a secret with `"`, `\\` and `ü`, the secret starting 12 characters before the
    cut of the echoed exchange body as the worker renders it (json.dumps of the parsed body)."""
    secret = 'sec-"ü\\CANARY-b81e-5c0d-77aa'
    token = 'tok-"ü\\CANARY-3f9a'
    before_token = len('{"ok": false, "request": {"json": {"userToken": "')
    between = len('", "userSecret": "')
    padding = UPSTREAM_CUT - 12 - before_token - between - len(json.dumps(token)[1:-1])
    return token + "-" * padding, secret


def leaks(text: str, secret: str) -> list[str]:
    """The runs of `secret` (in any echoed form) found in `text`."""
    return sorted({form[i:i + FRAGMENT] for form in echoed_forms(secret)
                   for i in range(len(form) - FRAGMENT + 1) if form[i:i + FRAGMENT] in text
                   and form[i:i + FRAGMENT].strip("-")})


def rendered_echo(request) -> str:
    """The echoed error body of `request` as the worker renders it before cutting it."""
    return json.dumps({"ok": False, "request": {"json": request.json, "headers": request.headers}})


async def test_escaped_and_cut_credentials_echoed_by_ovaledge_reach_no_output(sandbox, tmp_path):
    token, secret = straddling_credentials()
    sandbox.state.credentials[token] = secret
    sock = tmp_path / "sup.sock"
    env = sandbox_env(sandbox, OVALEDGE_USER_TOKEN=token, OVALEDGE_USER_SECRET=secret,
                      OE_MCP_STATUS_SOCKET=str(sock))
    # The worker's warm-up exchange and the call's own exchange are both answered with the echo.
    sandbox.state.add_fault(Fault(status=401, echo_request=True), path=EXCHANGE, times=2)
    async with supervisor(env) as conn:
        with trio.fail_after(20):
            while (await status_of(sock))["token"]["state"] != "failed":
                await trio.sleep(0.05)
        failed = await conn.call("asset_explorer", {"search_terms": ["orders"]})
        status = await status_of(sock)
        _, table = await run_command("oe-mcp-status", "--socket", str(sock))
        stderr = conn.stderr()
    sandbox.state.add_fault(Fault(status=401, echo_request=True), path=EXCHANGE)
    _, doctor = await run_command("oe-mcp-local", "check", env=env)

    exchange = next(r for r in sandbox.state.requests if r.path == EXCHANGE)
    at = rendered_echo(exchange).find(json.dumps(secret)[1:-1])
    assert at < UPSTREAM_CUT < at + len(json.dumps(secret)), "the secret is not across the cut"
    assert failed.is_error and "401" in result_text(failed) and "request" in result_text(failed)
    assert "token/generate failed" in doctor and "request" in doctor
    outputs = {"tool result": result_text(failed) + json.dumps(failed.structured_content),
               "stderr": stderr, "status --json": json.dumps(status), "status table": table,
               "check": doctor}
    for where, text in outputs.items():
        for credential in (token, secret):
            assert not leaks(text, credential), (where, leaks(text, credential))


async def test_a_jwt_echoed_in_a_success_body_or_cut_in_an_error_reaches_no_output(sandbox, tmp_path):
    sock = tmp_path / "sup.sock"
    async with supervisor(sandbox_env(sandbox, OE_MCP_STATUS_SOCKET=str(sock))) as conn:
        result_json(await conn.call("asset_explorer", {"search_terms": ["orders"]}))
        jwt = sandbox.state.active_jwt("demo-user-token")
        sandbox.state.add_fault(Fault(echo_request=True), path=DETAILS)
        details = await conn.call("asset_details", {"object_id": 1002, "object_type": "oetable"})
        # A GET has no body to echo, which puts the JWT across the cut of the echoed error body.
        sandbox.state.add_fault(Fault(status=500, echo_request=True), path=DETAILS)
        failed = await conn.call("asset_details", {"object_id": 1002, "object_type": "oetable"})
        stderr = conn.stderr()
    assert result_json(details)["data"]["request"]["headers"]["authorization"] == "[REDACTED]"
    echo = rendered_echo(next(r for r in sandbox.state.requests if r.path == DETAILS and r.status == 500))
    assert echo.find(jwt) < UPSTREAM_CUT < echo.find(jwt) + len(jwt), "the JWT is not across the cut"
    assert failed.is_error and "HTTP 500" in result_text(failed)
    for text in [result_text(details), result_text(failed), stderr]:
        assert not [jwt[i:i + FRAGMENT] for i in range(len(jwt) - FRAGMENT) if jwt[i:i + FRAGMENT] in text]
