"""OvalEdge's auth behaviour: the token exchange and the Authorization check on API calls."""

from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse, PlainTextResponse, Response

from sandbox.state import SandboxState

TOKEN_HEADER = "X-Auth-Token"


def prefix_missing() -> JSONResponse:
    return JSONResponse(
        {"ok": False, "errorCode": "INVALID_TOKEN", "message": "Prefix missing Token"},
        status_code=400,
    )


def invalid_token() -> JSONResponse:
    return JSONResponse({"ok": False, "message": "Invalid or expired token"}, status_code=401)


def check_api_auth(state: SandboxState, authorization: str | None) -> Response | None:
    """None when the call may proceed, else the rejection.

    No header, or a value without a scheme word in front of the token: 400 "Prefix missing
    Token". A scheme outside `accepted_schemes`, or a JWT that is unknown, superseded or
    expired: 401.
    """
    parts = (authorization or "").split(None, 1)
    if len(parts) != 2:
        return prefix_missing()
    scheme, token = parts
    if scheme.lower() not in {s.lower() for s in state.accepted_schemes}:
        return invalid_token()
    if not state.jwt_is_valid(token.strip()):
        return invalid_token()
    return None


def exchange(state: SandboxState, authorization: str | None, body: Any) -> Response:
    """`POST /api/user/token/generate`."""
    if state.require_auth_prefix_on_exchange and authorization is None:
        return prefix_missing()
    if not isinstance(body, dict):
        return JSONResponse(
            {"ok": False, "message": "Request body must be JSON with userToken and userSecret"},
            status_code=400,
        )
    user_token, user_secret = body.get("userToken"), body.get("userSecret")
    if (
        not isinstance(user_token, str)
        or not isinstance(user_secret, str)
        or state.credentials.get(user_token) != user_secret
    ):
        return JSONResponse(
            {"ok": False, "message": "Invalid user token or secret"}, status_code=401
        )
    shape = state.token_response_shape
    if shape == "empty":  # builds that do not issue JWTs from a token and secret
        return Response(b"", status_code=200)
    jwt = state.issue_jwt(user_token)
    state.exchanges += 1
    if shape == "token":
        return JSONResponse({"token": jwt})
    if shape == "access_token":
        return JSONResponse(
            {
                "access_token": jwt,
                "token_type": "Bearer",
                "expires_in": int(state.jwt_lifetime_seconds),
            }
        )
    if shape == "raw":
        return PlainTextResponse(jwt)
    if shape == "empty_with_header":
        return Response(b"", status_code=200, headers={TOKEN_HEADER: jwt})
    return JSONResponse({"ok": True, "data": {"token": jwt}})
