"""Governed updates of who is responsible for what: `POST update-cde-associations` (critical data
element flags) and `POST update-governance-roles` (owner, steward, custodian, governance roles
4 to 6).

Both answer a dry run exactly as the real write, `dryRun: true`, nothing changed and nothing
audited. CDE flags are "Yes", "No" or unset ("None" on the wire, null in the document); a flag
belongs to its object alone (a table keeps its own flag whatever its columns say). The objects
of a frozen schema (sample_governance.CDE_LOCKED_SCHEMAS) keep their flags: those targets are
blocked. Roles are keyed as OvalEdge's MCP sends them (owner, steward, custodian,
governance_role_4/5/6) and name known users; a role cannot be cleared (null or blank: 400). A
column whose business description comes from a published, propagating glossary term takes its
steward from the term too: its steward is blocked (reasonCode GLOSSARY_PROPAGATED_GOVERNANCE_ROLE),
and a new steward of such a term reaches those columns. `blockedRoles` lists role names, as the
reference's tests show, or objects (shape switch `governance_roles_blocked`).
"""

from __future__ import annotations

from typing import Any

from sandbox import sample_governance as sg
from sandbox.catalog import ASSET_TYPES, Catalog, canonical_type
from sandbox.data_quality import DataQuality
from sandbox.governed import (
    AuditLog,
    IdempotencyStore,
    WriteOptions,
    applied_once,
    governed_by_term,
    known_user,
    linked_target,
    object_ref,
    object_refs,
    target_of,
    write_options,
    write_status,
)
from sandbox.shapes import SHAPES
from sandbox.wire import Answer, BadRequest, body_object, body_text, not_found, ok, one_of

CDE_TYPES = ASSET_TYPES
CDE_ACTIONS = ("Yes", "No", "None")
CDE_KEYS = ("targets", "action", "cdeCategory", "cdeJustification", "options", "clientContext")
MAX_CDE_TARGETS = 100
MAX_JUSTIFICATION = 5000

PLACEMENT_TYPES = ("oeglobaldomain", "category", "subcategory")
DQ_TYPES = ("dqrule", "dqscheme")  # a steward only
# types OvalEdge governs that the sample data has no objects of: always "not found"
UNSAMPLED_TYPES = ("dag", "policy", "processing_activity", "ropa_report")
# the catalog types asset_explorer returns (aliases resolved) and the governance objects it does not index
CATALOG_ROLE_TYPES = (*CDE_TYPES, "code", "dp_product", "dp_domain", "glossary", "oetag", "mastertag",
                      "oestory", "storyzone", "oedomain")
ROLE_TYPES = (*CATALOG_ROLE_TYPES, *DQ_TYPES, *PLACEMENT_TYPES, *UNSAMPLED_TYPES)
PROPAGATED = "GLOSSARY_PROPAGATED_GOVERNANCE_ROLE"
BLOCKED_SHAPE = SHAPES.declare(
    "governance_roles_blocked", ("names", "objects"), "names",
    "docs/wire.md POST /api/v1/mcp/update-governance-roles: blockedRoles as role names "
    "(tests/tools/test_governance.py @7be16022) or as objects (unknown release)")
ROLE_KEYS = ("target", "roleUpdates", "options", "clientContext")


# ------------------------------------------------------------------------- CDE


def _locked_reason(catalog: Catalog, doc: dict[str, Any]) -> str | None:
    """Why the object's CDE flag cannot change (None: it can): its schema is frozen."""
    current: dict[str, Any] | None = doc
    while current is not None:
        if current["objectType"] == "oeschema":
            return sg.CDE_LOCKED_SCHEMAS.get(current["objectId"])
        current = catalog.parent(current)
    return None


def _cde_target(
    catalog: Catalog, object_id: int, object_type: str, wanted: dict[str, Any], options: WriteOptions,
    link_base: str,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """(the target's result, the changes made or that would be made)."""
    doc = catalog.get(object_id, object_type)
    if doc is None:
        missing = {"objectId": object_id, "objectType": object_type, "objectName": None, "redirectUrl": None}
        return {
            **missing,
            "previousCde": None,
            "updatedCde": None,
            "blocked": True,
            "message": "Object not found",
        }, {}
    previous = doc.get("criticalDataElement") or "None"
    result = {
        **linked_target(target_of(doc), link_base),
        "previousCde": previous,
        "updatedCde": wanted["criticalDataElement"] or "None",
    }
    if wanted.get("cdeJustification"):
        result["cdeJustification"] = wanted["cdeJustification"]
    locked = _locked_reason(catalog, doc)
    if locked:
        return {**result, "updatedCde": previous, "blocked": True, "message": locked}, {}
    changes = {
        key: {"from": doc.get(key), "to": value} for key, value in wanted.items() if doc.get(key) != value
    }
    if not changes:
        return {**result, "noChange": True, "message": f"The CDE flag is already {previous}"}, {}
    if not options.dry_run:
        doc.update(wanted)
    return result, changes


def update_cde_associations(
    catalog: Catalog, raw: Any, idempotency: IdempotencyStore, audit: AuditLog, link_base: str
) -> Answer:
    body = body_object(raw, "The request body", CDE_KEYS)
    targets = object_refs(body, "targets", CDE_TYPES, maximum=MAX_CDE_TARGETS)
    action = one_of(body_text(body, "action") or "", "action", CDE_ACTIONS)
    category, justification = body_text(body, "cdeCategory"), body_text(body, "cdeJustification")
    if justification is not None and len(justification) > MAX_JUSTIFICATION:
        raise BadRequest(f"cdeJustification must be at most {MAX_JUSTIFICATION} characters")
    if action == "None":  # unsetting the flag drops its category and justification too
        wanted: dict[str, Any] = {"criticalDataElement": None, "cdeCategory": None, "cdeJustification": None}
    else:
        wanted = {"criticalDataElement": action}
        wanted |= {k: v for k, v in (("cdeCategory", category), ("cdeJustification", justification)) if v}
    options = write_options(body)

    def apply() -> Answer:
        results, references = [], []
        for object_id, object_type in targets:
            result, changes = _cde_target(catalog, object_id, object_type, wanted, options, link_base)
            results.append(result)
            if changes and not options.dry_run:
                references.append(
                    audit.record("update-cde-associations", result, changes, options.client_context)
                )
        blocked = sum(1 for r in results if r.get("blocked"))
        unchanged = sum(1 for r in results if r.get("noChange"))
        updated = len(results) - blocked - unchanged
        return ok(
            {
                "status": write_status(updated, blocked),
                "results": results,
                "governanceSummary": {
                    "requested": len(results),
                    "updated": updated,
                    "blocked": blocked,
                    "noChange": unchanged,
                },
                "audit": {"source": "OE-MCP", "auditReferenceIds": references},
                "dryRun": options.dry_run,
            }
        )

    return applied_once(idempotency, "update-cde-associations", body, options, apply)


# ----------------------------------------------------------------------- roles


def _role_updates(raw: Any, object_type: str, disabled: list[str]) -> dict[str, str]:
    """roleUpdates checked: wire key -> a known user."""
    keys = list(sg.ROLE_WIRE_KEYS)
    if not isinstance(raw, dict) or not raw:
        raise BadRequest(f"roleUpdates must be a non-empty object with some of {keys}")
    unknown = sorted(set(raw) - set(keys))
    if unknown:
        raise BadRequest(f"Invalid governance role type(s): {unknown}; allowed: {keys}")
    for role in raw:
        field = sg.ROLE_WIRE_KEYS[role]
        if field in disabled:
            raise BadRequest(f"{role} ({sg.GOVERNANCE_ROLES[field]}): this governance role is not enabled")
    empty = sorted(role for role, user in raw.items() if not isinstance(user, str) or not user.strip())
    if empty:
        raise BadRequest(f"Governance roles cannot be empty or null: {empty}; a role cannot be cleared")
    if object_type in DQ_TYPES and set(raw) != {"steward"}:
        raise BadRequest(f"A {object_type} takes a steward only, not {sorted(set(raw) - {'steward'})}")
    return {role: known_user(user, f"roleUpdates.{role}") for role, user in raw.items()}


def _governed_record(
    catalog: Catalog, data_quality: DataQuality, object_id: int, object_type: str
) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """(the record holding the object's roles, how the answer names it); None when missing."""
    if object_type == "dqrule":
        rule = data_quality.rules.get(object_id)
        if rule is None:
            return None
        name = {"objectId": object_id, "objectType": object_type, "objectName": rule["ruleName"]}
        return rule, {**name, "navLink": rule["navLink"]}
    record = catalog.placements.get(object_id) if object_type in PLACEMENT_TYPES else catalog.get(object_id)
    if record is None or record["objectType"] != object_type:
        return None
    return record, target_of(record)


def _blocked_role(catalog: Catalog, record: dict[str, Any], role: str) -> dict[str, str] | None:
    if role != "steward" or record.get("objectType") not in ("oecolumn", "oefilecolumn"):
        return None
    governed = governed_by_term(catalog, record, "steward")
    return {"role": role, "reasonCode": PROPAGATED, "message": governed["message"]} if governed else None


def _propagate_steward(catalog: Catalog, term: dict[str, Any]) -> None:
    """A propagating term's steward is its governed columns' steward."""
    for column_id, term_id in catalog.inherited_business.items():
        if term_id == term["objectId"]:
            catalog.objects[column_id]["steward"] = term["steward"]


def update_governance_roles(
    catalog: Catalog,
    raw: Any,
    idempotency: IdempotencyStore,
    audit: AuditLog,
    data_quality: DataQuality,
    disabled_governance_roles: list[str],
    shapes: dict[str, str],
    link_base: str,
) -> Answer:
    body = body_object(raw, "The request body", ROLE_KEYS)
    object_id, object_type = object_ref(body.get("target"), "target", ROLE_TYPES)
    updates = _role_updates(body.get("roleUpdates"), object_type, disabled_governance_roles)
    options = write_options(body)
    as_objects = SHAPES.choice(shapes, BLOCKED_SHAPE) == "objects"

    def apply() -> Answer:
        found = _governed_record(catalog, data_quality, object_id, canonical_type(object_type))
        if found is None:
            return not_found()
        record, target = found
        blocked = [reason for role in updates if (reason := _blocked_role(catalog, record, role))]
        writable = {role: user for role, user in updates.items() if role not in {b["role"] for b in blocked}}
        changed = {role: user for role, user in writable.items()
                   if record.get(sg.ROLE_WIRE_KEYS[role]) != user}
        if changed and not options.dry_run:
            changes = {role: {"from": record.get(sg.ROLE_WIRE_KEYS[role]), "to": user}
                       for role, user in changed.items()}
            record.update({sg.ROLE_WIRE_KEYS[role]: user for role, user in changed.items()})
            if "steward" in changed and record.get("objectType") == "glossary":
                _propagate_steward(catalog, record)
            audit.record("update-governance-roles", target, changes, options.client_context)
        data: dict[str, Any] = {
            "status": write_status(len(changed), len(blocked)),
            "target": linked_target(target, link_base),
            "updatedRoles": list(changed),
            "blockedRoles": blocked if as_objects else [b["role"] for b in blocked],
            "dryRun": options.dry_run,
        }
        if blocked:
            data["reasonCode"] = PROPAGATED
            data["message"] = "; ".join(b["message"] for b in blocked)
        return ok(data)

    return applied_once(idempotency, "update-governance-roles", body, options, apply)
