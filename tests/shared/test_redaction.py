"""Redaction: registered secrets (in their echoed forms too), JWT-shaped strings and fragments, and
credential fields never get through; text is redacted before it is cut."""

from __future__ import annotations

import base64
import json
import logging
from urllib.parse import quote, quote_plus

from shared.redaction import (
    QUOTE_MAX_CHARS,
    REDACTED,
    RedactingFormatter,
    clip,
    quoted,
    redact,
    redact_data,
    register_secret,
)


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


def test_escaped_and_encoded_forms_of_a_registered_secret_are_removed():
    secret = 'sec-"ü\\CANARY-6a1f'
    register_secret(secret)
    echoes = [
        json.dumps({"userSecret": secret}),  # JSON, non-ASCII escaped: \"  \\  \u00fc
        json.dumps({"userSecret": secret}, ensure_ascii=False),
        json.dumps(json.dumps({"s": secret})),  # JSON text inside a JSON string
        json.dumps(secret).replace("\\u00fc", "\\u00FC"),  # the other hex case
        "https://sso.example/?s=" + quote(secret, safe=""),
        "form: s=" + quote_plus(secret),
        f"repr: {secret!r}",
    ]
    for echo in echoes:
        out = redact(echo)
        assert "CANARY" not in out and REDACTED in out, (echo, out)


def test_a_jwt_fragment_is_removed_like_a_whole_jwt():
    token = make_jwt({"sub": "svc-fragment", "exp": 2_000_000_000})
    header, payload, _ = token.split(".")
    for fragment in (header, f"{header}.{payload[:12]}", payload[:20], token[:-10]):
        out = redact(f"got {fragment} back")
        assert out == f"got {REDACTED} back", (fragment, out)


def test_clip_redacts_before_it_cuts_so_no_prefix_survives():
    register_secret("tok-CANARY-7f29c1")
    text = "x" * 282 + " got tok-CANARY-7f29c1 from OvalEdge"
    assert "tok-CANARY" not in clip(text, 300) and clip(text, 300).endswith("…")
    assert text[:300].endswith("tok-CANARY-7f")  # what a cut before redaction kept


def test_data_is_redacted_member_by_member():
    register_secret("canary-data-4821")
    token = make_jwt({"sub": "svc", "exp": 2_000_000_000})
    data = {"request": {"headers": {"Authorization": f"jwt {token}"}, "json": {"password": "p4ss"}},
            "items": [{"note": "canary-data-4821 here"}, 5, None], "total": 2}
    assert redact_data(data) == {
        "request": {"headers": {"Authorization": REDACTED}, "json": {"password": REDACTED}},
        "items": [{"note": f"{REDACTED} here"}, 5, None], "total": 2,
    }


def test_quoted_shows_a_short_redacted_prefix():
    register_secret("canary-quote-1234")
    shown = quoted("canary-quote-1234" + "x" * 1_000_000)
    assert len(shown) <= QUOTE_MAX_CHARS + 1 and shown.startswith(f"'{REDACTED}xxx")
