"""The JWT lifecycle for AUTH_MODE=local.

OvalEdge keeps one active JWT per token+secret pair: a second exchange kills the first. So the
JWT is exchanged once, cached in memory, refreshed shortly before `exp` (REFRESH_LEEWAY_SECONDS
before it, or half-way through the life of a JWT too short-lived for that), and exchanged again
only after OvalEdge rejects it. Exchanges are serialised by a lock with a double check, so any
number of concurrent callers cause at most one exchange.

With OE_MCP_SHARE_TOKEN (the default) every process of this OS user with the same base URL and
credential pair shares one JWT through worker/token_cache.py: a process adopts the JWT another
obtained, exchanges only under the cross-process lock, and re-reads the cache once it holds the
lock, so that whichever process comes first refreshes and the others adopt.

The exchange sends what OvalEdge's own server sends: JSON `{userToken, userSecret}` and no
Authorization header. Builds whose filter wants an Authorization prefix on every API call
answer 400 "Prefix missing Token": then, and from then on, a neutral Basic marker is sent.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import jwt as pyjwt
import trio

from shared.redaction import redact, register_secret
from shared.settings import Settings
from worker.errors import FailureKind, OvalEdgeError, TokenExchangeError
from worker.routes import TOKEN_GENERATE
from worker.token_cache import CachedJwt, TokenCache, open_cache
from worker.transport import Transport, message_of

log = logging.getLogger("oe-mcp-worker.tokens")

REFRESH_LEEWAY_SECONDS = 120.0
# How long a process waits for another one's exchange (the lock) before exchanging itself.
# A holder that died frees the lock at once (the OS drops it); this bounds a holder that hangs.
LOCK_WAIT_SECONDS = 45.0
REJECTED_MEMORY = 8  # JWTs OvalEdge rejected, never adopted again from the shared cache
# Some OvalEdge builds reject any /api/** call without an Authorization prefix, token/generate
# included ("Prefix missing Token"). Only for those, and only after they said so, a neutral
# Basic marker satisfies that filter without being a credential (a Bearer value would be
# introspected on OAuth-enabled pods). OvalEdge's own server sends no Authorization header.
PREFIX_MISSING = "prefix missing"
EXCHANGE_AUTH_MARKER = "Basic " + base64.b64encode(b"oe-mcp-local:").decode()
# Field names OvalEdge builds have used for the JWT, in the order they are tried.
TOKEN_FIELDS = (
    "token", "access_token", "jwt", "accessToken", "bearerToken", "jwtToken", "userToken", "result",
)
EMPTY_BODY_HINT = (
    "Likely causes: OVALEDGE_BASE_URL is wrong (it must include the context path, e.g. "
    "https://host/ovaledge), or a login page or SSO proxy intercepts API calls. If your "
    "OvalEdge returns the JWT in a response header, set OVALEDGE_TOKEN_EXCHANGE_FALLBACK_HEADER "
    "to that header's name."
)


def looks_like_jwt(value: str) -> bool:
    parts = value.split(".")
    if len(parts) != 3 or not all(parts[:2]):
        return False
    try:
        header = json.loads(base64.urlsafe_b64decode(parts[0] + "=" * (-len(parts[0]) % 4)))
    except ValueError:
        return False
    return isinstance(header, dict)


def _time_claim(value: str, name: str) -> float | None:
    """A time claim (`exp`, `iat`) of a JWT, read without verifying the signature (we are not
    its audience)."""
    try:
        claims = pyjwt.decode(value, options={"verify_signature": False})
    except pyjwt.PyJWTError:
        return None
    claim = claims.get(name)
    return float(claim) if isinstance(claim, int | float) and not isinstance(claim, bool) else None


def jwt_expiry(value: str) -> float | None:
    """`exp` of a JWT; None when it has none."""
    return _time_claim(value, "exp")


def extract_token(payload: Any) -> str:
    """Find the JWT in a token/generate answer: a known field, `data` nesting, or raw text."""
    if payload is None:
        raise ValueError("the response body is null")
    if isinstance(payload, str):
        text = payload.strip()
        if not text:
            raise ValueError("the response body is empty")
        if text.startswith(("{", "[")):
            try:
                return extract_token(json.loads(text))
            except json.JSONDecodeError:
                pass
        return text
    if isinstance(payload, list):
        if len(payload) == 1:
            return extract_token(payload[0])
        raise ValueError(f"the response is a list of {len(payload)} items, not one token")
    if isinstance(payload, dict):
        if payload.get("success") is False or payload.get("ok") is False:
            reason = next(
                (payload[k] for k in ("message", "error", "error_description") if payload.get(k)),
                "no reason given",
            )
            raise ValueError(f"OvalEdge declined the exchange: {reason}")
        for key in TOKEN_FIELDS:
            value = payload.get(key)
            if isinstance(value, str) and value.strip():
                return value.strip()
            if isinstance(value, dict):
                return extract_token(value)
        if isinstance(payload.get("data"), dict | str | list):
            return extract_token(payload["data"])
        raise ValueError(f"no token field in the response (fields: {', '.join(sorted(payload))})")
    raise ValueError(f"unsupported response type {type(payload).__name__}")


@dataclass
class TokenSnapshot:
    state: str  # none | valid | expiring | failed
    expires_in_seconds: float | None
    exchanges: int
    last_error: str | None
    shared: dict[str, Any] | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "state": self.state,
            "expires_in_seconds": self.expires_in_seconds,
            "exchanges": self.exchanges,
            "last_error": self.last_error,
            "shared": self.shared,
        }


class TokenManager:
    """Owns the JWT of this process (shared with this user's other processes through the
    token cache). Never exposes it except to the request builder and the cache."""

    def __init__(
        self,
        settings: Settings,
        transport: Transport,
        *,
        clock: Callable[[], float] = time.time,
        leeway: float = REFRESH_LEEWAY_SECONDS,
        lock_wait: float = LOCK_WAIT_SECONDS,
    ):
        self._settings = settings
        self._transport = transport
        self._clock = clock
        self._leeway = leeway
        self._lock_wait = lock_wait
        self._lock = trio.Lock()
        self._jwt: str | None = None
        self._exp: float | None = None
        self._refresh_at: float | None = None  # when `_jwt` is due for a new exchange
        self._attempts = 0  # exchange attempts, successful or not
        self._last_failure: TokenExchangeError | None = None
        self._failed_attempt: int | None = None  # which attempt produced _last_failure
        self._rejected: list[str] = []  # JWTs OvalEdge refused: never adopted again
        self._marker = False  # this OvalEdge wants an Authorization prefix on the exchange
        self._opaque_said = False
        self.exchanges = 0
        self.adopted = 0  # JWTs taken from the shared cache, obtained by another process
        self.cache: TokenCache | None = None
        self.cache_off_reason: str | None = None
        if not settings.oe_mcp_share_token:
            self.cache_off_reason = "OE_MCP_SHARE_TOKEN=false"
        else:
            self.cache, why = open_cache(
                settings.ovaledge_base_url, settings.ovaledge_user_token.get_secret_value(),
                settings.ovaledge_user_secret.get_secret_value())
            if self.cache is None:
                self.cache_off_reason = why
                log.warning("shared token cache off: %s; this process keeps its own JWT, which "
                            "other oe-mcp-local processes with the same credentials may cancel", why)

    # -- freshness ------------------------------------------------------------------------
    def _usable(self) -> bool:
        if self._jwt is None:
            return False
        # A JWT without exp is never refreshed proactively; a 401 will tell us.
        return self._refresh_at is None or self._clock() < self._refresh_at

    def _due_at(self, token: str) -> tuple[float | None, float | None]:
        """(exp, refresh_at) of `token`: the leeway before `exp`, or half-way through its life
        when that is later (with a 60 s JWT and a 120 s leeway it would never be fresh enough
        to use). (None, None) for a token without `exp` (or not a JWT at all)."""
        exp = jwt_expiry(token)
        if exp is None:
            return None, None
        now = self._clock()
        issued = min(_time_claim(token, "iat") or now, now)
        return exp, max(exp - self._leeway, issued + (exp - issued) / 2)

    def _hold(self, token: str | None) -> None:
        """Keep `token` (None: forget ours) and work out when it is due for a new exchange."""
        self._jwt, self._exp, self._refresh_at = token, None, None
        if token is None:
            return
        register_secret(token)
        self._exp, self._refresh_at = self._due_at(token)

    def _adoptable(self, record: CachedJwt) -> bool:
        """A cached JWT worth using instead of ours: another one, not refused, not yet due."""
        if record.jwt == self._jwt or record.jwt in self._rejected:
            return False
        _, refresh_at = self._due_at(record.jwt)
        return refresh_at is None or self._clock() < refresh_at

    def _adopt_record(self, record: CachedJwt) -> str:
        self._hold(record.jwt)
        self._last_failure = None
        if record.worker_pid != os.getpid():
            self.adopted += 1
            log.info("adopted the JWT that process %d obtained %.0f s ago (shared token cache): "
                     "no exchange of our own", record.pid, max(0.0, time.time() - record.obtained_at))
        return record.jwt

    def _from_cache(self, *, force: bool = False) -> str | None:
        """A newer JWT another process left in the shared cache, when there is one (one lstat
        when nothing changed, unless `force`)."""
        if self.cache is None or not (force or self.cache.changed()):
            return None
        record = self.cache.read()
        if record is not None and self._adoptable(record):
            return self._adopt_record(record)
        return None

    def snapshot(self) -> TokenSnapshot:
        expires_in = None if self._exp is None else round(self._exp - self._clock(), 1)
        if self._jwt is not None:
            state = "valid" if self._usable() else "expiring"
        elif self._last_failure is not None:
            state = "failed"
        else:
            state = "none"
        last_error = redact(self._last_failure.text) if self._last_failure else None
        return TokenSnapshot(state, expires_in if self._jwt else None, self.exchanges, last_error,
                             self.shared_state())

    def shared_state(self) -> dict[str, Any]:
        """What oe-mcp-status and the check show of the shared cache: never the JWT."""
        if self.cache is None:
            return {"in_use": False, "why_not": self.cache_off_reason}
        record = self.cache.read(track=False) or self.cache.last_record
        return {
            "in_use": True,
            "directory": str(self.cache.directory),
            "processes": self.cache.users(),
            "last_exchange_at": None if record is None else time.strftime(
                "%Y-%m-%dT%H:%M:%SZ", time.gmtime(record.obtained_at)),
            "last_exchange_pid": None if record is None else record.pid,
            "adopted": self.adopted,
            "damaged_files_ignored": self.cache.damaged,
        }

    # -- public API -----------------------------------------------------------------------
    async def get(self) -> str:
        """A JWT not yet due for refresh; exchanges at most once for concurrent callers (and,
        with the shared cache, for every process of this user with the same pair)."""
        if self._usable():
            assert self._jwt is not None
            if self.cache is None or not self.cache.changed():
                return self._jwt
        attempts_seen = self._attempts
        async with self._lock:
            adopted = self._from_cache(force=not self._usable())
            if adopted is not None:
                return adopted
            if self._usable():
                assert self._jwt is not None
                return self._jwt
            if self._failed_attempt is not None and self._failed_attempt > attempts_seen:
                # The exchange we queued behind just failed: share its answer, don't hammer.
                raise self._last_failure
            if self.cache is None:
                return await self._exchange()
            return await self._shared_exchange()

    async def _shared_exchange(self) -> str:
        """Exchange under the cross-process lock, unless another process's JWT turns up first."""
        assert self.cache is not None
        locked, record = await self.cache.acquire(self._lock_wait, self._adoptable)
        if record is not None:
            return self._adopt_record(record)
        if not locked:
            log.warning("another process has held the shared token cache lock for %.0f s; "
                        "exchanging without it", self._lock_wait)
            return await self._exchange()
        try:
            record = self.cache.read()  # another process may have exchanged while we waited
            if record is not None and self._adoptable(record):
                return self._adopt_record(record)
            return await self._exchange()
        finally:
            self.cache.release()

    def invalidate(self, rejected_jwt: str) -> None:
        """Forget the JWT OvalEdge rejected, unless a newer one already replaced it; never adopt
        it again from the shared cache."""
        if rejected_jwt not in self._rejected:
            self._rejected = [*self._rejected, rejected_jwt][-REJECTED_MEMORY:]
        if self._jwt == rejected_jwt:
            self._hold(None)

    def export(self) -> str | None:
        """The current JWT if still usable, for a graceful hand-over to a successor worker."""
        return self._jwt if self._usable() else None

    def adopt(self, token: str) -> None:
        """Use a JWT handed over by a predecessor instead of exchanging (one JWT per pair)."""
        if token.strip():
            self._hold(token.strip())

    # -- the exchange ---------------------------------------------------------------------
    async def _exchange(self) -> str:
        self._attempts += 1
        try:
            token = await self._request_token()
        except TokenExchangeError as exc:
            self._last_failure = exc
            self._failed_attempt = self._attempts
            self._hold(None)
            log.warning("%s", exc.text)
            raise
        self._hold(token)
        self._last_failure = None
        self.exchanges += 1
        if self.cache is not None:
            self.cache.write(token)
        if self._exp is None and not self._opaque_said:
            self._opaque_said = True
            log.info("OvalEdge's token carries no expiry (%s): it is used until OvalEdge rejects "
                     "it, then exchanged again", "no exp claim" if looks_like_jwt(token)
                     else "an opaque token, not a JWT")
        return token

    async def _send_exchange(self, body: dict[str, str]) -> Any:
        headers = {"Content-Type": "application/json"}
        if self._marker:
            headers["Authorization"] = EXCHANGE_AUTH_MARKER
        try:
            return await self._transport.send(
                TOKEN_GENERATE.method, TOKEN_GENERATE.path, headers=headers, json_body=body,
                changes=TOKEN_GENERATE.changes,
            )
        except OvalEdgeError as exc:  # nothing came back: same words, as an exchange failure
            raise TokenExchangeError(exc.message, status=exc.status, hint=exc.hint,
                                     kind=exc.kind) from None

    async def _request_token(self) -> str:
        settings = self._settings
        body = {
            "userToken": settings.ovaledge_user_token.get_secret_value(),
            "userSecret": settings.ovaledge_user_secret.get_secret_value(),
        }
        response = await self._send_exchange(body)
        if (not self._marker and response.status_code == 400
                and PREFIX_MISSING in message_of(response).lower()):
            self._marker = True  # this OvalEdge's filter wants a prefix even here
            log.info("token/generate asked for an Authorization prefix; sending a neutral marker")
            response = await self._send_exchange(body)
        status = response.status_code
        if response.is_redirect:
            raise TokenExchangeError(
                f"token/generate redirected to {response.headers.get('location', '?')}.",
                status=status,
                hint="A login page or SSO proxy is in front of the API; check OVALEDGE_BASE_URL.",
                kind=FailureKind.REDIRECT,
            )
        if status != 200:
            raise TokenExchangeError(
                f"token/generate failed: {message_of(response)}",
                status=status,
                hint=_exchange_hint(status),
                kind=FailureKind.CREDENTIALS if status in (401, 403) else None,
            )
        if not response.content.strip():
            fallback = settings.ovaledge_token_exchange_fallback_header
            if fallback and response.headers.get(fallback, "").strip():
                token = response.headers[fallback].strip()
                token = token.split(" ", 1)[1] if " " in token else token
                return self._checked(token, f"the {fallback} header")
            raise TokenExchangeError(
                "token/generate returned an empty body (HTTP 200), expected a JWT.",
                status=status,
                hint=EMPTY_BODY_HINT,
                kind=FailureKind.EMPTY_TOKEN,
            )
        content_type = response.headers.get("content-type", "")
        if "html" in content_type.lower():
            raise TokenExchangeError(
                f"token/generate answered {content_type} (a login page?), not a token.",
                status=status,
                hint=EMPTY_BODY_HINT,
                kind=FailureKind.LOGIN_PAGE,
            )
        try:
            payload: Any = response.json()
        except ValueError:
            payload = response.text
        try:
            token = extract_token(payload)
        except ValueError as exc:
            raise TokenExchangeError(f"token/generate: {exc}.", status=status,
                                     kind=FailureKind.NO_TOKEN) from None
        return self._checked(token, "the response")

    @staticmethod
    def _checked(token: str, source: str) -> str:
        """Any non-empty token is used, as OvalEdge's own server does (an opaque one too: its
        lifetime is then unknown); only a value that cannot travel as one header word (text
        with spaces, e.g. a message) is refused."""
        if not token or any(ch.isspace() or ord(ch) < 32 for ch in token):
            raise TokenExchangeError(
                f"{source} holds text, not a token ({len(token)} characters).",
                status=200,
                hint="Check OVALEDGE_BASE_URL points at OvalEdge itself.",
                kind=FailureKind.NOT_A_JWT,
            )
        return token


def _exchange_hint(status: int) -> str:
    if status in (401, 403):
        return (
            "Check OVALEDGE_USER_TOKEN and OVALEDGE_USER_SECRET (OvalEdge: My Profile > API "
            "credentials); they may have been rotated."
        )
    if status == 404:
        return "Check OVALEDGE_BASE_URL: it must include the context path, e.g. /ovaledge."
    if status >= 500:
        return "OvalEdge failed; try again later or ask its administrator."
    return "Check OVALEDGE_BASE_URL and the credentials."
