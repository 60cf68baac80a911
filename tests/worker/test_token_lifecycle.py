"""The JWT lifecycle over real HTTP, through `oe-mcp-worker` driven by an MCP client on stdio."""

from __future__ import annotations

import trio

from sandbox import Fault
from shared.surface import Surface
from tests.harness import result_json, result_text, sandbox_env, worker

SEARCH = "/api/v1/mcp/asset-explorer"
EXCHANGE = "/api/user/token/generate"


async def search(conn, **args):
    return await conn.call("asset_explorer", {"search_terms": ["orders"], **args})


async def concurrent_searches(conn, count: int) -> list:
    results = []

    async def one():
        results.append(await search(conn))

    async with trio.open_nursery() as nursery:
        for _ in range(count):
            nursery.start_soon(one)
    return results


async def test_first_call_exchanges_once_and_sends_jwt_scheme(sandbox):
    async with worker(sandbox_env(sandbox)) as conn:
        result_json(await search(conn))
    assert sandbox.state.exchanges == 1
    [sent] = [r for r in sandbox.state.requests if r.path == SEARCH]
    assert sent.headers["authorization"] == f"jwt {sandbox.state.active_jwt('demo-user-token')}"
    exchange = next(r for r in sandbox.state.requests if r.path == EXCHANGE)
    assert exchange.json == {"userToken": "demo-user-token", "userSecret": "demo-user-secret"}


async def test_bearer_scheme_is_sent_when_configured(sandbox):
    async with worker(sandbox_env(sandbox, OVALEDGE_HTTP_AUTH_SCHEME="Bearer")) as conn:
        result_json(await search(conn))
    [sent] = [r for r in sandbox.state.requests if r.path == SEARCH]
    assert sent.headers["authorization"] == f"Bearer {sandbox.state.active_jwt('demo-user-token')}"


async def test_concurrent_calls_share_one_exchange(sandbox):
    sandbox.state.latency_seconds = 0.05
    # No warm-up exchange at start: the 8 calls themselves race for the first JWT.
    async with worker(sandbox_env(sandbox, OE_MCP_WORKER_WARM_TOKEN="0")) as conn:
        assert sandbox.state.exchanges == 0
        results = await concurrent_searches(conn, 8)
    assert len(results) == 8 and not any(r.is_error for r in results)
    assert sandbox.state.exchanges == 1
    assert sandbox.state.count("POST", SEARCH) == 8


async def test_jwt_close_to_expiry_is_refreshed_before_the_next_request(sandbox):
    sandbox.state.jwt_lifetime_seconds = 2  # too short for the 120 s leeway: refreshed at 1 s
    async with worker(sandbox_env(sandbox)) as conn:
        result_json(await search(conn))
        first_exchanges = sandbox.state.exchanges
        sandbox.state.jwt_lifetime_seconds = 3600
        await trio.sleep(1.2)  # past the half-life of the last 2 s JWT
        result_json(await search(conn))
        assert sandbox.state.exchanges == first_exchanges + 1
        result_json(await search(conn))  # now fresh: no further exchange
        assert sandbox.state.exchanges == first_exchanges + 1
    searches = [r for r in sandbox.state.requests if r.path == SEARCH]
    assert all(r.status == 200 for r in searches)  # never sent a stale JWT


async def test_a_short_lived_jwt_is_exchanged_once_for_concurrent_and_sequential_calls(sandbox):
    """A 60 s JWT is inside the 120 s leeway from the start: it used to be "due" at once, so
    every call exchanged (and killed the JWT the calls before it were still sending)."""
    sandbox.state.jwt_lifetime_seconds = 60
    async with worker(sandbox_env(sandbox, OE_MCP_WORKER_WARM_TOKEN="0")) as conn:
        concurrent = await concurrent_searches(conn, 50)
        sequential = [await search(conn) for _ in range(20)]
    assert not [result_text(r) for r in concurrent + sequential if r.is_error]
    assert sandbox.state.exchanges == 1
    assert [r.status for r in sandbox.state.requests if r.path == SEARCH] == [200] * 70


async def test_one_401_is_healed_by_one_reexchange(sandbox):
    async with worker(sandbox_env(sandbox)) as conn:
        result_json(await search(conn))
        before = sandbox.state.exchanges
        sandbox.state.add_fault(Fault(status=401), path=SEARCH)
        result_json(await search(conn))
        assert sandbox.state.exchanges == before + 1
    assert sandbox.state.count("POST", SEARCH) == 3


async def test_two_401s_give_an_error_naming_401_after_two_sends(sandbox):
    async with worker(sandbox_env(sandbox)) as conn:
        result_json(await search(conn))
        sandbox.state.reset()
        sandbox.state.add_fault(Fault(status=401), path=SEARCH, times=2)
        result = await search(conn)
    assert result.is_error
    assert "401" in result_text(result)
    assert sandbox.state.count("POST", SEARCH) == 2


async def test_invalid_token_400_triggers_reexchange(sandbox):
    async with worker(sandbox_env(sandbox)) as conn:
        result_json(await search(conn))
        before = sandbox.state.exchanges
        sandbox.state.add_fault(
            Fault(status=400, message="Invalid token, please generate a new token"), path=SEARCH
        )
        result_json(await search(conn))
        assert sandbox.state.exchanges == before + 1


async def test_superseded_jwt_is_replaced_transparently(sandbox):
    """Someone else exchanged the same credentials: our JWT died; the next call still works."""
    async with worker(sandbox_env(sandbox)) as conn:
        result_json(await search(conn))
        sandbox.state.issue_jwt("demo-user-token")
        result_json(await search(conn))
    assert sandbox.state.exchanges == 2  # ours at start, ours again after theirs killed it
    assert [r.status for r in sandbox.state.requests if r.path == SEARCH] == [200, 401, 200]


async def test_transient_503s_are_retried(sandbox):
    async with worker(sandbox_env(sandbox)) as conn:
        sandbox.state.add_fault(Fault(status=503), path=SEARCH, times=2)
        result_json(await search(conn))
    assert [r.status for r in sandbox.state.requests if r.path == SEARCH] == [503, 503, 200]


async def test_429_honours_retry_after(sandbox):
    async with worker(sandbox_env(sandbox)) as conn:
        sandbox.state.add_fault(Fault(status=429, retry_after=0.3), path=SEARCH)
        result_json(await search(conn))
    first, second = [r for r in sandbox.state.requests if r.path == SEARCH]
    assert second.at - first.at >= 0.25


async def test_persistent_503_is_an_error_after_max_retries(sandbox):
    async with worker(sandbox_env(sandbox, OVALEDGE_MAX_RETRIES="3")) as conn:
        sandbox.state.add_fault(Fault(status=503, message="maintenance"), path=SEARCH, times=3)
        result = await search(conn)
    assert result.is_error and "503" in result_text(result) and "maintenance" in result_text(result)
    assert sandbox.state.count("POST", SEARCH) == 3


async def test_connection_refused_is_a_clear_error_after_retries():
    with trio.socket.socket() as probe:  # a port nothing listens on
        await probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = sandbox_env(type("S", (), {"base_url": f"http://127.0.0.1:{port}/ovaledge"})())
    async with worker(env) as conn:
        result = await search(conn)
        tools = await conn.session.list_tools()
    text = result_text(result)
    assert result.is_error
    assert "cannot connect" in text and "after 3 attempts" in text and "OVALEDGE_BASE_URL" in text
    assert len(tools.tools) == len(Surface.load().tool_names)


async def test_redirect_is_an_error_naming_the_location(sandbox):
    async with worker(sandbox_env(sandbox)) as conn:
        sandbox.state.add_fault(Fault(redirect_to="/ovaledge/login"), path=SEARCH)
        result = await search(conn)
    text = result_text(result)
    assert result.is_error and "302" in text and "redirected to /ovaledge/login" in text


async def test_html_login_page_is_an_error_naming_it(sandbox):
    async with worker(sandbox_env(sandbox)) as conn:
        sandbox.state.add_fault(Fault(html_login_page=True), path=SEARCH)
        result = await search(conn)
    text = result_text(result)
    assert result.is_error and "text/html" in text and "login page" in text


async def test_empty_token_body_is_named_and_fallback_header_works(sandbox):
    sandbox.state.token_response_shape = "empty"
    async with worker(sandbox_env(sandbox)) as conn:
        result = await search(conn)
    text = result_text(result)
    assert result.is_error and "empty body (HTTP 200)" in text
    assert "OVALEDGE_TOKEN_EXCHANGE_FALLBACK_HEADER" in text

    sandbox.state.token_response_shape = "empty_with_header"
    env = sandbox_env(sandbox, OVALEDGE_TOKEN_EXCHANGE_FALLBACK_HEADER="X-Auth-Token")
    async with worker(env) as conn:
        result_json(await search(conn))


async def test_raw_and_nested_token_bodies_are_accepted(sandbox):
    for shape in ("raw", "token", "access_token", "data.token"):
        sandbox.state.token_response_shape = shape
        async with worker(sandbox_env(sandbox)) as conn:
            result_json(await search(conn))


async def test_wrong_credentials_error_and_tools_list_still_works(sandbox):
    env = sandbox_env(sandbox, OVALEDGE_USER_SECRET="wrong-secret")
    async with worker(env) as conn:
        result = await search(conn)
        tools = await conn.session.list_tools()
    text = result_text(result)
    assert result.is_error and "401" in text and "OVALEDGE_USER_SECRET" in text
    assert {t.name for t in tools.tools} >= {"asset_explorer", "asset_lineage"}
    assert sandbox.state.count("POST", SEARCH) == 0


async def test_canary_credentials_never_leak(sandbox):
    token, secret = "canary-tok-3f9a1c", "canary-sec-77b2e0"
    sandbox.state.credentials[token] = secret
    env = sandbox_env(sandbox, OVALEDGE_USER_TOKEN=token, OVALEDGE_USER_SECRET=secret,
                      OVALEDGE_LOG_HTTP_REQUESTS="true")
    texts = []
    async with worker(env) as conn:
        texts.append(result_text(await search(conn)))
        jwt = sandbox.state.active_jwt(token)
        for fault in (Fault(status=401), Fault(status=500, message=f"bad {secret}"),
                      Fault(html_login_page=True), Fault(redirect_to="/login")):
            sandbox.state.add_fault(fault, path=SEARCH, times=2)
            texts.append(result_text(await search(conn)))
        sandbox.state.credentials[token] = "rotated"  # exchanges now fail with 401
        sandbox.state.issue_jwt(token)
        texts.append(result_text(await search(conn)))
        stderr = conn.stderr()
    everything = "\n".join(texts) + stderr
    assert "POST /api/v1/mcp/asset-explorer" in stderr  # the request log is on
    for canary in (token, secret, jwt):
        assert canary not in everything
