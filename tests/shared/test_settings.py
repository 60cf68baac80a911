"""Settings: precedence, the absolute .env path, and one readable line per bad value."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from shared.settings import DEFAULT_ENV_FILE, REPO_ROOT, SettingsError, load_settings

GOOD = {
    "OVALEDGE_BASE_URL": "https://oe.example.test/ovaledge/",
    "OVALEDGE_USER_TOKEN": "tok-from-dotenv",
    "OVALEDGE_USER_SECRET": "sec-from-dotenv",
}


def write_env(path: Path, values: dict[str, str]) -> Path:
    path.write_text("".join(f"{k}={v}\n" for k, v in values.items()), encoding="utf-8")
    return path


@pytest.fixture
def clean_env(monkeypatch):
    for name in list(os.environ):
        if name.upper().startswith(("OVALEDGE_", "OE_MCP_", "AUTH_MODE")):
            monkeypatch.delenv(name)
    return monkeypatch


def test_dotenv_values_load_and_base_url_is_normalised(tmp_path, clean_env):
    settings = load_settings(env_file=write_env(tmp_path / ".env", GOOD))
    assert settings.ovaledge_base_url == "https://oe.example.test/ovaledge"
    assert settings.ovaledge_user_token.get_secret_value() == "tok-from-dotenv"
    assert settings.ovaledge_http_auth_scheme == "jwt"
    assert settings.link_base_url == settings.ovaledge_base_url


def test_process_env_overrides_dotenv_and_names_are_case_insensitive(tmp_path, clean_env):
    env_file = write_env(tmp_path / ".env", {**GOOD, "OVALEDGE_TIMEOUT_SECONDS": "12"})
    clean_env.setenv("ovaledge_timeout_seconds", "7")
    clean_env.setenv("OVALEDGE_USER_TOKEN", "tok-from-env")
    settings = load_settings(env_file=env_file)
    assert settings.ovaledge_timeout_seconds == 7
    assert settings.ovaledge_user_token.get_secret_value() == "tok-from-env"
    assert settings.ovaledge_user_secret.get_secret_value() == "sec-from-dotenv"


def test_explicit_overrides_beat_the_environment(tmp_path, clean_env):
    clean_env.setenv("OVALEDGE_BASE_URL", "https://env.example.test")
    settings = load_settings(
        env_file=write_env(tmp_path / ".env", GOOD), ovaledge_base_url="http://127.0.0.1:9"
    )
    assert settings.ovaledge_base_url == "http://127.0.0.1:9"


def test_default_dotenv_is_the_repo_root_by_absolute_path():
    assert DEFAULT_ENV_FILE.is_absolute()
    assert DEFAULT_ENV_FILE == REPO_ROOT / ".env"
    assert (REPO_ROOT / "pyproject.toml").is_file()


def test_dotenv_is_found_from_another_working_directory(tmp_path):
    """An MCP client starts the server from anywhere: the .env in effect must not depend on cwd."""
    env_file = write_env(tmp_path / "custom.env", GOOD)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / ".env").write_text("OVALEDGE_BASE_URL=https://wrong-cwd-file.test\n")
    code = (
        "import json; from shared.settings import load_settings, env_file_path, DEFAULT_ENV_FILE;"
        "s = load_settings();"
        "print(json.dumps({'base': s.ovaledge_base_url, 'path': str(env_file_path()),"
        " 'default': str(DEFAULT_ENV_FILE)}))"
    )
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith(("OVALEDGE_", "OE_MCP_"))}
    env["OE_MCP_ENV_FILE"] = str(env_file)
    env["PYTHONPATH"] = str(REPO_ROOT)
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=elsewhere, env=env, capture_output=True, text=True,
        check=True,
    )
    seen = json.loads(out.stdout)
    assert seen["base"] == "https://oe.example.test/ovaledge"
    assert seen["path"] == str(env_file)
    assert seen["default"] == str(REPO_ROOT / ".env")


@pytest.mark.parametrize(
    ("overrides", "expected_line"),
    [
        ({"auth_mode": "remote"},
         "AUTH_MODE='remote' is not supported by oe-mcp-local; set AUTH_MODE=local"),
        ({"ovaledge_base_url": ""}, "OVALEDGE_BASE_URL is not set; set OVALEDGE_BASE_URL to"),
        ({"ovaledge_base_url": "ovaledge.example.test"},
         "OVALEDGE_BASE_URL='ovaledge.example.test' is not an http(s) URL; set OVALEDGE_BASE_URL"),
        ({"ovaledge_user_token": ""}, "OVALEDGE_USER_TOKEN is not set; set OVALEDGE_USER_TOKEN"),
        ({"ovaledge_user_secret": " "}, "OVALEDGE_USER_SECRET is not set; set OVALEDGE_USER_SECRET"),
        ({"ovaledge_timeout_seconds": "soon"},
         "OVALEDGE_TIMEOUT_SECONDS='soon' is not a number; set OVALEDGE_TIMEOUT_SECONDS"),
        ({"ovaledge_timeout_seconds": "0"},
         "OVALEDGE_TIMEOUT_SECONDS='0' input should be greater than 0; set"),
        ({"ovaledge_max_retries": "2.5"},
         "OVALEDGE_MAX_RETRIES='2.5' is not a whole number; set OVALEDGE_MAX_RETRIES"),
        ({"ovaledge_max_retries": "0"}, "OVALEDGE_MAX_RETRIES='0' input should be greater than"),
        ({"ovaledge_log_http_requests": "maybe"},
         "OVALEDGE_LOG_HTTP_REQUESTS='maybe' is not true or false; set"),
        ({"ovaledge_http_auth_scheme": "jwt extra"},
         "OVALEDGE_HTTP_AUTH_SCHEME='jwt extra' must be a single word; set"),
        ({"ovaledge_link_base_url": "not-a-url"},
         "OVALEDGE_LINK_BASE_URL='not-a-url' is not an http(s) URL; set"),
        ({"oe_mcp_call_timeout_seconds": "-1"}, "OE_MCP_CALL_TIMEOUT_SECONDS='-1' input should be"),
        ({"oe_mcp_max_restarts": "none"}, "OE_MCP_MAX_RESTARTS='none' is not a whole number; set"),
        ({"ovaledge_api_routes": "v2"},
         "OVALEDGE_API_ROUTES='v2' is not one of auto, current, legacy; set OVALEDGE_API_ROUTES=auto"),
    ],
)
def test_each_bad_value_is_one_line_naming_the_setting_and_fix(
    tmp_path, clean_env, overrides, expected_line
):
    with pytest.raises(SettingsError) as caught:
        load_settings(env_file=write_env(tmp_path / ".env", GOOD), **overrides)
    lines = str(caught.value).splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith(expected_line), lines[0]
    assert "Traceback" not in str(caught.value) and "pydantic" not in str(caught.value)


def test_several_problems_give_several_lines_and_never_echo_secrets(tmp_path, clean_env):
    with pytest.raises(SettingsError) as caught:
        load_settings(
            env_file=tmp_path / "missing.env",
            auth_mode="oauth",
            ovaledge_user_token="has space-canary-tok",
        )
    text = str(caught.value)
    assert len(caught.value.problems) == 4  # auth mode, base URL, token, secret
    assert "canary-tok" not in text
    assert "OVALEDGE_USER_TOKEN contains whitespace" in text


def test_example_env_file_is_valid_and_complete():
    """`.env.example` loads as-is and names every setting the product has."""
    from shared.settings import Settings

    example = REPO_ROOT / ".env.example"
    names = {
        line.split("=", 1)[0].strip()
        for line in example.read_text().splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    }
    assert names == {name.upper() for name in Settings.model_fields}
    assert load_settings(env_file=example).auth_mode == "local"
