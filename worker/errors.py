"""Errors the worker turns into tool results. Each one says what failed and what to check."""

from __future__ import annotations


class OvalEdgeError(Exception):
    """An OvalEdge call failed. `status` is the HTTP status, or None when nothing came back."""

    def __init__(
        self, message: str, *, status: int | None = None, hint: str = "", kind: str | None = None
    ):
        self.status = status
        self.message = message
        self.hint = hint
        self._kind = kind
        super().__init__(self.text)

    @property
    def kind(self) -> str:
        """A short name for what went wrong, stable enough for `check` and for tests."""
        if self._kind:
            return self._kind
        status = self.status or 0
        if status in (401, 403):
            return "rejected"
        if status == 404:
            return "not-found"
        if status == 429:
            return "rate-limited"
        if status >= 500:
            return "server-error"
        return "bad-request" if status >= 400 else "error"

    @property
    def text(self) -> str:
        head = f"OvalEdge HTTP {self.status}: " if self.status is not None else "OvalEdge: "
        return head + self.message + (f" {self.hint}" if self.hint else "")


class TokenExchangeError(OvalEdgeError):
    """The credentials could not be exchanged for a JWT at token/generate."""

    @property
    def text(self) -> str:
        status = f" (HTTP {self.status})" if self.status is not None else ""
        return f"TokenExchangeError{status}: {self.message}" + (f" {self.hint}" if self.hint else "")


class InvalidArguments(Exception):
    """A tool was called with arguments OvalEdge would reject; no HTTP call was made.

    `details` are machine-readable fields for the result (e.g. the expected confirmation token).
    """

    def __init__(self, message: str, **details: object):
        super().__init__(message)
        self.details = details
