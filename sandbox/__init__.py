"""Sandbox OvalEdge: a real HTTP server on 127.0.0.1 imitating the OvalEdge API.

For the demo, the tests, the benchmarks and the chaos suites. In-process:

    async with open_sandbox() as sandbox:   # sandbox.base_url ends with the context path
        sandbox.state.add_fault(Fault(status=503), path="/api/v1/mcp/search-catalog")

It serves both generations of the OvalEdge MCP API: the first-generation routes (search-catalog,
object-details, ...) and the current ones (asset-explorer, asset-details, asset-lineage,
metadata-changes-between-crawls, access-explorer, knowledge-search, and the governed writes:
update-cde-associations, update-governance-roles, custom fields, glossary term and tag creation,
the service desk, the dq-intelligence routes). `open_sandbox(api="legacy")` imitates an old
OvalEdge (the current routes answer as unmapped paths do), `api="current"` a new one (the
first-generation routes do). The writes change what the read routes show; `sandbox.state` keeps
the rest for tests to look at: `.audit.entries`, `.service_desk.tickets`, `.data_quality.rules`
and `.data_quality.validation_runs` (also `GET /__sandbox/written`). `tag_security_mode` and
`disabled_governance_roles` are settings like `api`.

Out of process: `python -m sandbox --port 0 [--api both|current|legacy]`, then the
`/__sandbox/...` control endpoints.
"""

from sandbox.server import Sandbox, main, open_sandbox
from sandbox.state import (
    API_MODES,
    DEMO_USER_SECRET,
    DEMO_USER_TOKEN,
    TOKEN_RESPONSE_SHAPES,
    Fault,
    RecordedRequest,
    SandboxState,
)

__all__ = [
    "API_MODES",
    "DEMO_USER_SECRET",
    "DEMO_USER_TOKEN",
    "TOKEN_RESPONSE_SHAPES",
    "Fault",
    "RecordedRequest",
    "Sandbox",
    "SandboxState",
    "main",
    "open_sandbox",
]
