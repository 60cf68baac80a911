"""The worker's surface: every family module collected into one registry.

    python -m worker.surface          check shared/surface.json is fresh (exit 1 if not)
    python -m worker.surface --write  regenerate it (commit it with the change)
"""

from __future__ import annotations

import argparse
import json
import sys

from shared.surface import SURFACE_FILE, Surface
from worker import prompts, resources
from worker.registry import Registry
from worker.tools import FAMILIES

SERVER_NAME = "ovaledge-local"

INSTRUCTIONS = (
    "OvalEdge data catalog tools. Search with search_catalog_assets, then use the objectId and "
    "objectType of a hit with the detail, profile, relationship and lineage tools. Show users "
    "redirectUrl links, never ovaledge:// URIs. update_asset_descriptions is a governed write: "
    "show its preview and get the user's explicit approval before confirming. Access rules "
    "are OvalEdge's own: you see what the configured account may see. When a result says it "
    "was cut to fit, follow its advice (next page or a narrower query) for the rest."
)

REGISTRY = Registry(server_name=SERVER_NAME, instructions=INSTRUCTIONS)
for family in FAMILIES:
    REGISTRY.add_tools(family.TOOLS)
REGISTRY.add_resource_templates(resources.TEMPLATES)
REGISTRY.add_prompts(prompts.PROMPTS)

SURFACE = Surface(REGISTRY.document())


def serialized(document: dict) -> str:
    return json.dumps(document, indent=1, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m worker.surface", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--write", action="store_true", help=f"rewrite {SURFACE_FILE}")
    args = parser.parse_args(argv)
    current = serialized(SURFACE.document)
    if args.write:
        SURFACE_FILE.write_text(current, encoding="utf-8")
        print(f"wrote {SURFACE_FILE}")
        return 0
    if SURFACE_FILE.exists() and SURFACE_FILE.read_text(encoding="utf-8") == current:
        print(f"{SURFACE_FILE} is fresh")
        return 0
    print(f"{SURFACE_FILE} is stale: run python -m worker.surface --write and commit it", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
