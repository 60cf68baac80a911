"""The one place where secrets are scrubbed from text.

Every log line, error text and status answer passes through `redact()`. It removes:
- values registered as secrets (the user token and secret, each JWT we obtain);
- anything JWT-shaped (three base64url segments starting with `eyJ`);
- the credential part of `Authorization: <scheme> <value>` and of userToken/userSecret fields.
"""

from __future__ import annotations

import logging
import re
import sys
import threading

REDACTED = "[REDACTED]"

_JWT_RE = re.compile(r"eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*")
_AUTH_HEADER_RE = re.compile(
    r"(?i)\b(authorization\"?\s*[:=]\s*\"?)(jwt|bearer|basic|oauth2)?\s*([^\s\",}]+)"
)
_CREDENTIAL_FIELD_RE = re.compile(
    r"(?i)([\"']?(?:user_?token|user_?secret|secret|password|access_?token)[\"']?\s*[:=]\s*[\"']?)"
    r"([^\s\"',}]+)"
)

# Short values are not registered: replacing e.g. "a" everywhere would shred the text and say
# nothing about the secret anyway.
_MIN_SECRET_LEN = 4
_secrets: set[str] = set()
_lock = threading.Lock()


def register_secret(value: str | None) -> None:
    """Remember a value that must never appear in any output."""
    if value and len(value) >= _MIN_SECRET_LEN:
        with _lock:
            _secrets.add(value)


def redact(text: object) -> str:
    """Return `text` as a string with every secret, JWT and credential value replaced."""
    out = str(text)
    with _lock:
        known = sorted(_secrets, key=len, reverse=True)
    for value in known:
        if value in out:
            out = out.replace(value, REDACTED)
    out = _JWT_RE.sub(REDACTED, out)
    out = _AUTH_HEADER_RE.sub(
        lambda m: f"{m.group(1)}{(m.group(2) + ' ') if m.group(2) else ''}{REDACTED}", out
    )
    out = _CREDENTIAL_FIELD_RE.sub(lambda m: f"{m.group(1)}{REDACTED}", out)
    return out


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
    # Library chatter at INFO (per-request lines from httpx, per-message lines from mcp) is noise
    # on a long-running stdio server; our own request log is opt-in via OVALEDGE_LOG_HTTP_REQUESTS.
    for noisy in ("httpx", "httpcore", "mcp", "hypercorn"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    return logging.getLogger(name)
