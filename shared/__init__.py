"""What the supervisor and the worker both need: settings, redaction, surface, protocol helpers."""

from importlib import metadata

DIST_NAME = "ovaledge-local-mcp"

try:
    __version__ = metadata.version(DIST_NAME)
except metadata.PackageNotFoundError:  # running from a source tree without an install
    __version__ = "0.0.0-dev"
