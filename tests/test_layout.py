"""The package rooms import only what they may: the supervisor nothing of the worker or the
sandbox, `shared/` nothing of the supervisor, the worker or the sandbox; and neither of the two
the MCP SDK or an HTTP stack, which live in the worker (the supervisor is a light front; the
running process is checked in tests/supervisor/test_light_imports.py)."""

from __future__ import annotations

import ast

from shared.settings import REPO_ROOT

HEAVY = {"mcp", "httpx", "httpcore", "httpx2", "httpcore2", "anyio", "starlette", "uvicorn", "sse_starlette", "jwt"}
FORBIDDEN = {
    "supervisor": {"worker", "sandbox"} | HEAVY,
    "shared": {"supervisor", "worker", "sandbox"} | HEAVY,
}


def imported_packages(path) -> set[tuple[int, str]]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {(node.lineno, alias.name.split(".")[0]) for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add((node.lineno, node.module.split(".")[0]))
    return found


def test_each_room_imports_only_what_it_may():
    broken = []
    for room, forbidden in FORBIDDEN.items():
        for path in sorted((REPO_ROOT / room).rglob("*.py")):
            for line, package in sorted(imported_packages(path)):
                if package in forbidden:
                    broken.append(f"{path.relative_to(REPO_ROOT)}:{line} imports {package}")
    assert not broken, "\n".join(broken)
