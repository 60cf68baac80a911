from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

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


@pytest.fixture
def shared_tmp():
    """A fresh world-writable sticky directory like /tmp, where another user may create names."""
    path = Path(tempfile.mkdtemp(prefix="oe-shared-", dir="/tmp"))
    os.chmod(path, 0o1777)
    yield path
    shutil.rmtree(path, ignore_errors=True)


def pytest_collection_modifyitems(config, items):
    """`slow` tests run only when selected (`-m slow`), as the marker's description says."""
    if "slow" in (config.getoption("-m") or ""):
        return
    skip = pytest.mark.skip(reason="slow: select with -m slow")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)
