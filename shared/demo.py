"""Settings that point a process at the embedded sandbox OvalEdge (`--demo`)."""

from __future__ import annotations

from typing import Any


def demo_overrides(base_url: str) -> dict[str, Any]:
    from shared.sandbox import DEMO_USER_SECRET, DEMO_USER_TOKEN

    return {
        "auth_mode": "local",
        "ovaledge_base_url": base_url,
        "ovaledge_user_token": DEMO_USER_TOKEN,
        "ovaledge_user_secret": DEMO_USER_SECRET,
    }
