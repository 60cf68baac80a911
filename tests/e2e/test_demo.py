"""The guided demo a newcomer runs ends with its summary, recovery included."""

from __future__ import annotations

import sys

import trio

from tests.harness import base_env


async def test_guided_demo_completes_with_recovery():
    done = await trio.run_process(
        [sys.executable, "-m", "sandbox.demo"], env=base_env(), capture_stdout=True,
        capture_stderr=True, check=False,
    )
    out = done.stdout.decode()
    assert done.returncode == 0, out + done.stderr.decode()
    assert "[10/10] Summary" in out
    assert "select_domain: " in out and "select_category: " in out and "collect_description:" in out
    assert "glossary term created through its pickers: True" in out
    assert "knowledge_search: [Weekly revenue reporting](" in out
    assert "metadata_changes_between_crawls: Summary:" in out and "native Snowflake grants" in out
    assert "OvalEdge API routes: current (OVALEDGE_API_ROUTES=auto)" in out
    assert "call succeeded" in out and "failed calls: 0" in out
    assert "Demo complete: everything worked, recovery included." in out
