"""Finding the JWT in the answers OvalEdge builds have given, and reading its expiry."""

from __future__ import annotations

import time

import jwt as pyjwt
import pytest

from worker.tokens import extract_token, jwt_expiry, looks_like_jwt

JWT = pyjwt.encode({"sub": "svc", "exp": 2_000_000_000}, "k" * 32, algorithm="HS256")


@pytest.mark.parametrize("payload", [
    {"token": JWT},
    {"access_token": JWT},
    {"accessToken": JWT},
    {"jwtToken": JWT},
    {"ok": True, "data": {"token": JWT}},
    {"result": {"jwt": JWT}},
    {"data": JWT},
    [{"token": JWT}],
    JWT,
    f"  {JWT}\n",
    f'{{"token": "{JWT}"}}',
])
def test_token_is_found_in_every_known_shape(payload):
    assert extract_token(payload) == JWT


@pytest.mark.parametrize(("payload", "message"), [
    (None, "null"),
    ("   ", "empty"),
    ({"success": False, "message": "user locked"}, "declined the exchange: user locked"),
    ({"ok": False, "error": "bad secret"}, "declined the exchange: bad secret"),
    ({"status": "ok", "user": "x"}, "no token field in the response (fields: status, user)"),
    ([1, 2], "list of 2 items"),
    (42, "unsupported response type int"),
])
def test_unusable_answers_say_why(payload, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        extract_token(payload)


def test_jwt_shape_and_expiry():
    assert looks_like_jwt(JWT)
    assert not looks_like_jwt("<html>login</html>")
    assert not looks_like_jwt("a.b.c")
    assert jwt_expiry(JWT) == 2_000_000_000
    no_exp = pyjwt.encode({"sub": "svc", "iat": int(time.time())}, "k" * 32, algorithm="HS256")
    assert jwt_expiry(no_exp) is None
    assert jwt_expiry("not-a-jwt") is None
