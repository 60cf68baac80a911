"""JWTs the way OvalEdge hands them out: HS256, one active token per credential pair."""

from __future__ import annotations

import math
import secrets
import time

import jwt

ALGORITHM = "HS256"


class TokenBook:
    """Issues JWTs and remembers the single active one per user token."""

    def __init__(self) -> None:
        self._key = secrets.token_bytes(32)  # random per sandbox: nothing to leak or reuse
        self._active: dict[str, str] = {}

    def issue(self, user_token: str, lifetime_seconds: float) -> str:
        now = time.time()
        expires = now + lifetime_seconds
        claims = {
            "sub": user_token,
            "iat": int(now),
            # Whole seconds like real tokens; fractional lifetimes keep their fraction so that
            # sub-second test lifetimes do not expire on issue.
            "exp": math.floor(expires) if lifetime_seconds >= 1 else expires,
            "jti": secrets.token_hex(8),
        }
        token = jwt.encode(claims, self._key, algorithm=ALGORITHM)
        self._active[user_token] = token  # supersedes the previous token of this pair
        return token

    def verify(self, token: str) -> bool:
        """True when the token is ours, unexpired and still the active one of its pair."""
        try:
            claims = jwt.decode(
                token,
                self._key,
                algorithms=[ALGORITHM],
                # pyjwt truncates exp to whole seconds; compare it ourselves so that
                # sub-second lifetimes used by tests behave.
                options={"require": ["sub", "exp", "iat", "jti"], "verify_exp": False},
            )
        except jwt.PyJWTError:
            return False
        if not isinstance(claims["exp"], int | float) or claims["exp"] <= time.time():
            return False
        return self._active.get(claims["sub"]) == token

    def active(self, user_token: str) -> str | None:
        token = self._active.get(user_token)
        return token if token is not None and self.verify(token) else None
