from __future__ import annotations

import httpx
import pytest

from sandbox import open_sandbox
from tests.sandbox.support import authed


@pytest.fixture
async def sandbox():
    async with open_sandbox() as sb:
        yield sb


@pytest.fixture
async def client(sandbox):
    async with httpx.AsyncClient(base_url=sandbox.base_url, timeout=5) as c:
        yield c


@pytest.fixture
async def headers(client):
    """Authorization headers with a fresh JWT."""
    return await authed(client)
