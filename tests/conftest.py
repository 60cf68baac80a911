from __future__ import annotations

import os

import pytest


@pytest.fixture(autouse=True)
def _private_runtime_dir(tmp_path_factory, monkeypatch):
    """Status sockets land in a private runtime dir, never the developer's real one."""
    runtime = tmp_path_factory.mktemp("runtime")
    os.chmod(runtime, 0o700)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(runtime))
    return runtime


@pytest.fixture
async def sandbox():
    from sandbox import open_sandbox

    async with open_sandbox() as running:
        yield running
