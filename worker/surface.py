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
from worker.tools.retired import REPLACED_BY, replacement_text

SERVER_NAME = "ovaledge-local"

INSTRUCTIONS = (
    "This server answers from the OvalEdge data catalog, and OvalEdge enforces every "
    "permission: answers hold only what the signed-in account may see or change. "
    "Read docs://ovaledge/mcp_workflows at the start of a session and again before multi-step "
    "or governed work. "
    "For a who-has-access question, use access_explorer with operation source_system_access and "
    "access_intent_confirmed=native when the user speaks of native, source system, DAM or "
    "remote access, or with operation catalog_access and access_intent_confirmed=catalog_acl "
    "when they speak of catalog permissions or OvalEdge security; with neither, ask which of "
    "the two they mean before calling anything. "
    "A platform name such as Snowflake, Redshift or Tableau is not a signal on its own. "
    "Finding data, including what the user can see, is catalog discovery with asset_explorer; "
    "grants, roles and permissions go to access_explorer. "
    "Use knowledge_search for the organisation's data stories and policies and for OvalEdge "
    "product documentation. "
    "When a result carries formattedResponse, present it. "
    "Governed writes (descriptions, CDE flags, governance roles, custom fields, glossary terms, "
    "tags, service requests, DQ rules) start with a preview; only after the user approves it, "
    "call again with write_confirmed_by_user=true and its confirmation_token, and preview again "
    "if an argument changes. "
    "Guided steps that return workflowPhase and awaitingUserSelection write nothing: show their "
    "formattedResponse to the user, wait for the choice, and pass back only ids a picker offered. "
    "DQ rules are found with dq_rule_advisor, not asset_explorer. "
    "Show navLink or redirectUrl for links and never show ovaledge:// URIs."
)

REGISTRY = Registry(server_name=SERVER_NAME, instructions=INSTRUCTIONS)
for family in FAMILIES:
    REGISTRY.add_tools(family.TOOLS)
for old_name in REPLACED_BY:
    REGISTRY.retire(old_name, replacement_text(old_name))
REGISTRY.add_resource_templates(resources.TEMPLATES)
REGISTRY.add_documents(resources.documents())
REGISTRY.add_views(resources.VIEWS, resources.SHARED_DIR)
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
