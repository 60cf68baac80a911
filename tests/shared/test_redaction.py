"""Redaction: registered secrets, JWT-shaped strings and credential fields never get through."""

from __future__ import annotations

import base64
import json
import logging

from shared.redaction import REDACTED, RedactingFormatter, redact, register_secret


def make_jwt(claims: dict) -> str:
    def seg(obj: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()

    return f"{seg({'alg': 'HS256', 'typ': 'JWT'})}.{seg(claims)}.c2lnbmF0dXJlLWJ5dGVz"


def test_registered_secret_is_removed_everywhere():
    register_secret("canary-secret-4821")
    out = redact("failed for canary-secret-4821 (again: canary-secret-4821)")
    assert "canary-secret-4821" not in out
    assert out.count(REDACTED) == 2


def test_short_values_are_not_registered():
    register_secret("ab")
    assert redact("abc tab") == "abc tab"


def test_jwt_shaped_strings_are_removed_even_unregistered():
    token = make_jwt({"sub": "svc", "exp": 2_000_000_000})
    out = redact(f"got {token} from the server")
    assert token not in out and "eyJ" not in out
    assert out == f"got {REDACTED} from the server"


def test_authorization_header_values_are_removed():
    for line in (
        "Authorization: jwt opaque-value-1234",
        "authorization=Bearer opaque-value-1234",
        '{"Authorization": "Basic opaque-value-1234"}',
    ):
        out = redact(line)
        assert "opaque-value-1234" not in out, out
        assert REDACTED in out


def test_credential_fields_in_bodies_are_removed():
    body = json.dumps({"userToken": "tok-value-9", "userSecret": "sec-value-9", "page": 1})
    out = redact(body)
    assert "tok-value-9" not in out and "sec-value-9" not in out
    assert '"page": 1' in out


def test_ordinary_text_is_untouched():
    text = "GET /api/v1/mcp/search-catalog 200 12.5ms attempt=1 host ovaledge.example.com"
    assert redact(text) == text


def test_log_formatter_redacts_messages_and_arguments():
    register_secret("canary-token-7777")
    record = logging.LogRecord(
        "t", logging.INFO, __file__, 1, "exchange with %s gave %s", ("canary-token-7777",
        make_jwt({"exp": 1})), None,
    )
    line = RedactingFormatter("%(message)s").format(record)
    assert line == f"exchange with {REDACTED} gave {REDACTED}"
