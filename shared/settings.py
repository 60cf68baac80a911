"""Settings for the supervisor and the worker (pydantic-settings).

Precedence: explicit overrides (e.g. `--demo`) > process environment > `.env` > defaults.
The `.env` file is read from the repository root by absolute path, because MCP clients start
the server from an arbitrary working directory. `OE_MCP_ENV_FILE` points at another file.
Bad values raise `SettingsError`, whose text has one line per problem naming the variable and
the fix; the secret values themselves are never echoed.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.redaction import quoted, register_secret

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_ENV_FILE = REPO_ROOT / ".env"
ENV_FILE_OVERRIDE = "OE_MCP_ENV_FILE"

# Which OvalEdge API routes to call: the current ones, falling back per route to the first
# generation where OvalEdge says a route does not exist (auto), or only one generation.
API_ROUTE_CHOICES = ("auto", "current", "legacy")

SECRET_FIELDS = frozenset({"ovaledge_user_token", "ovaledge_user_secret"})

# What to do about each setting when its value is wrong; joined to the problem in one line.
FIXES: dict[str, str] = {
    "auth_mode": "set AUTH_MODE=local",
    "ovaledge_base_url": (
        "set OVALEDGE_BASE_URL to your OvalEdge address, "
        "e.g. OVALEDGE_BASE_URL=https://ovaledge.example.com/ovaledge"
    ),
    "ovaledge_user_token": (
        "set OVALEDGE_USER_TOKEN to the API token from OvalEdge (My Profile > API credentials)"
    ),
    "ovaledge_user_secret": "set OVALEDGE_USER_SECRET to the secret shown with that API token",
    "ovaledge_http_auth_scheme": "set OVALEDGE_HTTP_AUTH_SCHEME=jwt (or Bearer)",
    "ovaledge_timeout_seconds": "set OVALEDGE_TIMEOUT_SECONDS to seconds > 0, e.g. 30",
    "ovaledge_max_retries": "set OVALEDGE_MAX_RETRIES to a whole number of attempts 1-10, e.g. 3",
    "ovaledge_retry_backoff_seconds": (
        "set OVALEDGE_RETRY_BACKOFF_SECONDS to seconds >= 0, e.g. 0.5"
    ),
    "ovaledge_log_http_requests": "set OVALEDGE_LOG_HTTP_REQUESTS=true or false",
    "ovaledge_link_base_url": "set OVALEDGE_LINK_BASE_URL to an http(s) URL or leave it empty",
    "ovaledge_token_exchange_fallback_header": (
        "set OVALEDGE_TOKEN_EXCHANGE_FALLBACK_HEADER to a header name, e.g. X-Auth-Token"
    ),
    "ovaledge_api_routes": (
        "set OVALEDGE_API_ROUTES=auto (current routes, first-generation ones where OvalEdge lacks "
        "them), current or legacy"
    ),
    "ovaledge_tag_auto_description": "set OVALEDGE_TAG_AUTO_DESCRIPTION=true or false",
    "ovaledge_client_timezone": (
        "set OVALEDGE_CLIENT_TIMEZONE to an IANA time zone such as Europe/Berlin, or leave it empty"
    ),
    "oe_mcp_call_timeout_seconds": "set OE_MCP_CALL_TIMEOUT_SECONDS to seconds > 0, e.g. 120",
    "oe_mcp_ping_interval_seconds": "set OE_MCP_PING_INTERVAL_SECONDS to seconds > 0, e.g. 10",
    "oe_mcp_ping_timeout_seconds": "set OE_MCP_PING_TIMEOUT_SECONDS to seconds > 0, e.g. 5",
    "oe_mcp_status_socket": "set OE_MCP_STATUS_SOCKET to a writable file path or leave it empty",
    "oe_mcp_max_restarts": "set OE_MCP_MAX_RESTARTS to a whole number >= 1, e.g. 5",
    "oe_mcp_restart_window_seconds": "set OE_MCP_RESTART_WINDOW_SECONDS to seconds > 0, e.g. 60",
    "oe_mcp_breaker_cooldown_seconds": (
        "set OE_MCP_BREAKER_COOLDOWN_SECONDS to seconds > 0, e.g. 30"
    ),
    "oe_mcp_spare_worker": "set OE_MCP_SPARE_WORKER=true or false",
    "oe_mcp_standby": (
        "set OE_MCP_STANDBY=fork (a fork host the workers are forked from; Linux) or worker (a "
        "second worker, ready)"
    ),
    "oe_mcp_share_token": "set OE_MCP_SHARE_TOKEN=true or false",
    "oe_mcp_confirm": (
        "set OE_MCP_CONFIRM=auto (ask the user in the client when it can, else the confirmation "
        "token), elicit (only writes the user approved in the client) or token"
    ),
    "oe_mcp_confirm_timeout_seconds": (
        "set OE_MCP_CONFIRM_TIMEOUT_SECONDS to seconds > 0, e.g. 300"
    ),
    "oe_mcp_recycle_after_calls": "set OE_MCP_RECYCLE_AFTER_CALLS to a whole number, 0 for never",
    "oe_mcp_recycle_above_mb": "set OE_MCP_RECYCLE_ABOVE_MB to a whole number of MB, 0 for never",
    "oe_mcp_response_budget_bytes": (
        "set OE_MCP_RESPONSE_BUDGET_BYTES to a byte count >= 10000, e.g. 400000"
    ),
}


class SettingsError(Exception):
    """Settings are wrong. `str(err)` is one readable line per problem."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


def _http_url(value: str, *, required: bool) -> str:
    value = (value or "").strip().rstrip("/")
    if not value:
        if required:
            raise ValueError("is not set")
        return ""
    if not value.lower().startswith(("http://", "https://")):
        raise ValueError("is not an http(s) URL")
    return value


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file_encoding="utf-8",
        case_sensitive=False,
        extra="ignore",
        validate_default=True,
    )

    # OvalEdge / auth
    auth_mode: str = "local"
    ovaledge_base_url: str = ""
    ovaledge_user_token: SecretStr = SecretStr("")
    ovaledge_user_secret: SecretStr = SecretStr("")
    ovaledge_http_auth_scheme: str = "jwt"
    ovaledge_timeout_seconds: float = Field(30.0, gt=0, le=600)
    ovaledge_max_retries: int = Field(3, ge=1, le=10)
    ovaledge_retry_backoff_seconds: float = Field(0.5, ge=0, le=60)
    ovaledge_log_http_requests: bool = True
    ovaledge_link_base_url: str = ""
    ovaledge_token_exchange_fallback_header: str = ""
    ovaledge_api_routes: str = "auto"
    ovaledge_tag_auto_description: bool = True
    ovaledge_client_timezone: str = ""

    # Supervisor
    oe_mcp_call_timeout_seconds: float = Field(120.0, gt=0)
    oe_mcp_ping_interval_seconds: float = Field(10.0, gt=0)
    oe_mcp_ping_timeout_seconds: float = Field(5.0, gt=0)
    oe_mcp_status_socket: Path | None = None
    oe_mcp_max_restarts: int = Field(5, ge=1)
    oe_mcp_restart_window_seconds: float = Field(60.0, gt=0)
    oe_mcp_breaker_cooldown_seconds: float = Field(30.0, gt=0)
    # A standby, so that a crashed worker is replaced in a fraction of a second, and of which
    # kind (supervisor/pool.py): fork (Linux; elsewhere it means worker) or worker.
    oe_mcp_spare_worker: bool = True
    oe_mcp_standby: Literal["fork", "worker"] = "fork"
    # Share one JWT with this user's other processes on the same base URL and credentials
    # (worker/token_cache.py); false: each process exchanges its own.
    oe_mcp_share_token: bool = True
    oe_mcp_recycle_after_calls: int = Field(0, ge=0)
    oe_mcp_recycle_above_mb: int = Field(0, ge=0)
    # How a governed write is confirmed (supervisor/confirm.py): auto, elicit or token; and how
    # long the user has to answer the question (the life of a 2026-07-28 requestState too).
    oe_mcp_confirm: Literal["auto", "elicit", "token"] = "auto"
    oe_mcp_confirm_timeout_seconds: float = Field(300.0, gt=0, le=3600)

    # Tool results
    oe_mcp_response_budget_bytes: int = Field(400_000, ge=10_000, le=5_000_000)

    @field_validator("auth_mode", mode="before")
    @classmethod
    def _auth_mode(cls, value: Any) -> str:
        mode = str(value or "").strip().lower()
        if mode != "local":
            raise ValueError("is not supported by oe-mcp-local")
        return mode

    @field_validator("ovaledge_api_routes", mode="before")
    @classmethod
    def _api_routes(cls, value: Any) -> str:
        routes = str(value or "auto").strip().lower()
        if routes not in API_ROUTE_CHOICES:
            raise ValueError(f"is not one of {', '.join(API_ROUTE_CHOICES)}")
        return routes

    @field_validator("oe_mcp_confirm", mode="before")
    @classmethod
    def _confirm(cls, value: Any) -> str:
        return str(value or "auto").strip().lower()

    @field_validator("oe_mcp_standby", mode="before")
    @classmethod
    def _standby(cls, value: Any) -> str:
        return str(value or "fork").strip().lower()

    @field_validator("ovaledge_client_timezone", mode="before")
    @classmethod
    def _timezone(cls, value: Any) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        zone = str(value or "").strip()
        if zone:
            try:
                ZoneInfo(zone)
            except (ZoneInfoNotFoundError, ValueError):
                raise ValueError("is not an IANA time zone") from None
        return zone

    @field_validator("ovaledge_base_url", mode="before")
    @classmethod
    def _base_url(cls, value: Any) -> str:
        return _http_url(str(value or ""), required=True)

    @field_validator("ovaledge_link_base_url", mode="before")
    @classmethod
    def _link_base_url(cls, value: Any) -> str:
        return _http_url(str(value or ""), required=False)

    @field_validator("ovaledge_user_token", "ovaledge_user_secret", mode="after")
    @classmethod
    def _credential(cls, value: SecretStr) -> SecretStr:
        raw = value.get_secret_value().strip()
        if not raw:
            raise ValueError("is not set")
        if any(ch.isspace() for ch in raw):
            raise ValueError("contains whitespace (a copy-paste slip?)")
        return SecretStr(raw)

    @field_validator("ovaledge_http_auth_scheme", "ovaledge_token_exchange_fallback_header")
    @classmethod
    def _single_word(cls, value: str) -> str:
        value = value.strip()
        if any(ch.isspace() for ch in value):
            raise ValueError("must be a single word")
        return value

    @field_validator("ovaledge_http_auth_scheme")
    @classmethod
    def _scheme_present(cls, value: str) -> str:
        if not value:
            raise ValueError("is empty")
        return value

    @field_validator("oe_mcp_status_socket", mode="before")
    @classmethod
    def _socket_path(cls, value: Any) -> Any:
        return None if value is None or not str(value).strip() else Path(str(value)).expanduser()

    @property
    def link_base_url(self) -> str:
        """Where browser links point: OVALEDGE_LINK_BASE_URL, else the API base URL."""
        return self.ovaledge_link_base_url or self.ovaledge_base_url


def env_file_path() -> Path:
    """The `.env` in effect: `$OE_MCP_ENV_FILE` when set, else `<repo>/.env` (absolute)."""
    override = os.environ.get(ENV_FILE_OVERRIDE, "").strip()
    return Path(override).expanduser().resolve() if override else DEFAULT_ENV_FILE


def _describe(error: dict[str, Any]) -> str:
    field = str(error["loc"][0]) if error.get("loc") else "settings"
    name = field.upper()
    kind = error.get("type", "")
    if kind == "value_error":
        problem = str(error.get("ctx", {}).get("error", error.get("msg", "")))
    elif kind.endswith("_parsing") or kind.endswith("_type"):
        wanted = {"int": "a whole number", "float": "a number", "bool": "true or false"}
        problem = f"is not {wanted.get(kind.split('_')[0], 'valid')}"
    else:
        problem = str(error.get("msg", "is invalid")).lower()
    shown = name
    if field not in SECRET_FIELDS and "input" in error and error["input"] not in (None, ""):
        shown = f"{name}={quoted(error['input'])}"
    fix = FIXES.get(field, "check the value")
    return f"{shown} {problem}; {fix}"


def _env_file_problem(path: Path, exc: Exception) -> str:
    """One line naming the env file, what is wrong with it and the fix."""
    if isinstance(exc, UnicodeDecodeError):
        problem = f"is not UTF-8 text (byte {exc.object[exc.start]:#04x} at offset {exc.start})"
        fix = "save it as UTF-8"
    elif isinstance(exc, PermissionError):
        problem, fix = "cannot be read (permission denied)", "make it readable by this user"
    else:
        problem, fix = f"cannot be read ({exc.strerror or type(exc).__name__})", "check that file"
    return (f"the settings file {path} {problem}; {fix}, or set {ENV_FILE_OVERRIDE} to another "
            "file")


def load_settings(env_file: Path | None = None, **overrides: Any) -> Settings:
    """Load and validate settings, registering the credentials with the redactor."""
    path = env_file if env_file is not None else env_file_path()
    try:
        settings = Settings(_env_file=path if path.is_file() else None, **overrides)
    except ValidationError as exc:
        raise SettingsError([_describe(e) for e in exc.errors()]) from None
    except (OSError, UnicodeDecodeError) as exc:  # only the env file is read here
        raise SettingsError([_env_file_problem(path, exc)]) from None
    register_secret(settings.ovaledge_user_token.get_secret_value())
    register_secret(settings.ovaledge_user_secret.get_secret_value())
    return settings
