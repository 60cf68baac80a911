"""The one place where secrets are scrubbed from text and data.

Every log line, error text, status answer and tool result passes through `redact()` (text) or
`redact_data()` (a tool result's data). It removes:
- values registered as secrets (the user token and secret, each JWT we obtain), also in the
  forms an echo gives them: JSON-escaped (once, or JSON inside JSON), URL-encoded, repr'd;
- anything JWT-shaped, whole or a fragment (a base64url run starting with `eyJ`, which is what
  `{"` encodes to: every JWT header and payload starts so);
- the credential part of `Authorization: <scheme> <value>` and of userToken/userSecret fields,
  in plain or escaped JSON, and the value of such a field in data.
Text is redacted before it is cut (`clip`, `quoted`): cut first, a secret across the cut leaves
a prefix nothing recognises any more.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import threading
from typing import Any
from urllib.parse import quote, quote_plus

REDACTED = "[REDACTED]"
QUOTE_MAX_CHARS = 80  # how much of a bad value an error message quotes

_JWT_RE = re.compile(r"eyJ[A-Za-z0-9_-]{4,}(?:\.[A-Za-z0-9_-]*){0,2}")
# `\\*` before a quote: the same text when it sits JSON-escaped inside another JSON string.
# Possessive quantifiers (`*+`, `?+`) keep the opening quote out of a value: an already
# redacted value is left alone, and its quotes stay.
_AUTH_HEADER_RE = re.compile(
    r"(?i)\b(authorization\\*\"?\s*[:=]\s*\\*\"?)(jwt|bearer|basic|oauth2)?\s*([^\s\",}\\]+)"
)
_CREDENTIAL_NAMES = r"user_?token|user_?secret|secret|password|access_?token"
_CREDENTIAL_FIELD_RE = re.compile(
    rf"(?i)(\\*[\"']?(?:{_CREDENTIAL_NAMES})\\*[\"']?\s*[:=]\s*+\\*+[\"']?+)"
    rf"(?!{re.escape(REDACTED)})((?:\\.|[^\s\"',}}\\])+)"
)
_CREDENTIAL_KEY_RE = re.compile(rf"(?i)(?:{_CREDENTIAL_NAMES}|authorization)")
# The hex digits of \u00e9 and %C3: escapers differ in their case.
_HEX_DIGITS_RE = re.compile(r"(?<=\\u)[0-9a-fA-F]{4}|(?<=%)[0-9a-fA-F]{2}")

# Short values are not registered: replacing e.g. "a" everywhere would shred the text and say
# nothing about the secret anyway.
_MIN_SECRET_LEN = 4
_secrets: set[str] = set()
_known: re.Pattern[str] | None = None  # every form of every secret, longest first
_lock = threading.Lock()


def echoed_forms(secret: str) -> set[str]:
    """`secret` as a server or a log may echo it: raw, JSON-escaped (ASCII-only or not, and
    once more for JSON text inside a JSON string), URL-encoded, repr'd, hex digits in either case."""
    escaped = {json.dumps(secret, ensure_ascii=ascii_only)[1:-1] for ascii_only in (True, False)}
    escaped |= {json.dumps(form, ensure_ascii=ascii_only)[1:-1]
                for form in set(escaped) for ascii_only in (True, False)}
    forms = {secret, repr(secret)[1:-1], quote(secret, safe=""), quote(secret), quote_plus(secret), *escaped}
    return {_HEX_DIGITS_RE.sub(lambda m, case=case: case(m.group()), form)
            for form in forms for case in (str.lower, str.upper)}


def register_secret(value: str | None) -> None:
    """Remember a value that must never appear in any output, in any of its echoed forms."""
    global _known
    if value and len(value) >= _MIN_SECRET_LEN:
        with _lock:
            if value in _secrets:
                return
            _secrets.add(value)
            forms = {form for secret in _secrets for form in echoed_forms(secret)}
            # Longest first: the regex takes the first alternative that matches at a position.
            _known = re.compile("|".join(map(re.escape, sorted(forms, key=len, reverse=True))))


def redact(text: object) -> str:
    """Return `text` as a string with every secret, JWT and credential value replaced."""
    out = str(text)
    known = _known
    if known is not None:
        out = known.sub(REDACTED, out)
    out = _JWT_RE.sub(REDACTED, out)
    out = _AUTH_HEADER_RE.sub(
        lambda m: f"{m.group(1)}{(m.group(2) + ' ') if m.group(2) else ''}{REDACTED}", out
    )
    out = _CREDENTIAL_FIELD_RE.sub(lambda m: f"{m.group(1)}{REDACTED}", out)
    return out


def redact_data(node: Any) -> Any:
    """A copy of JSON-like `node` with every string redacted, and the string value of a
    credential-named member (userSecret, password, Authorization...) replaced whole."""
    if isinstance(node, str):
        return redact(node)
    if isinstance(node, list):
        return [redact_data(item) for item in node]
    if isinstance(node, dict):
        return {
            redact(key): REDACTED if isinstance(value, str) and _CREDENTIAL_KEY_RE.fullmatch(str(key))
            else redact_data(value)
            for key, value in node.items()
        }
    return node


def clip(text: object, limit: int) -> str:
    """`text` redacted, then cut to `limit` characters (in that order: see the module doc)."""
    out = redact(text)
    return out if len(out) <= limit else out[:limit] + "…"


def quoted(value: object, limit: int = QUOTE_MAX_CHARS) -> str:
    """A bad value as an error message may show it: its repr, redacted, cut to `limit` chars."""
    return clip(repr(value), limit)


class RedactingFormatter(logging.Formatter):
    """A formatter whose every output line has been through `redact()`."""

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


def configure_logging(
    name: str, level: int = logging.INFO, *, timestamps: bool = True
) -> logging.Logger:
    """Send the process's logs to stderr (never stdout: it carries JSON-RPC), redacted.

    A supervised worker logs without timestamps: the supervisor stamps its lines.
    """
    handler = logging.StreamHandler(sys.stderr)
    stamp = "%(asctime)s " if timestamps else ""
    handler.setFormatter(RedactingFormatter(f"{stamp}{name} %(levelname)s %(message)s"))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    # Library chatter at INFO (per-request lines from httpx2 or httpx, per-message lines from mcp) is
    # noise on a long-running stdio server; our own request log is opt-in via OVALEDGE_LOG_HTTP_REQUESTS.
    for noisy in ("httpx2", "httpcore2", "httpx", "httpcore", "mcp", "hypercorn"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    return logging.getLogger(name)
