"""The confirmation token of a governed write: SHA-256 of the canonical JSON of its exact body."""

from __future__ import annotations

import hashlib
import json
from typing import Any


def confirmation_token(body: Any) -> str:
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()
