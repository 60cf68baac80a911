"""What the supervisor and the worker both need: settings, redaction, surface, protocol helpers."""

from __future__ import annotations

DIST_NAME = "ovaledge-local-mcp"


def __getattr__(name: str) -> str:
    """`__version__`, looked up when first asked for: importlib.metadata costs ~50 ms of every
    start-up, before the supervisor can spawn its first worker."""
    if name != "__version__":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib import metadata

    try:
        version = metadata.version(DIST_NAME)
    except metadata.PackageNotFoundError:  # running from a source tree without an install
        version = "0.0.0-dev"
    globals()["__version__"] = version
    return version
