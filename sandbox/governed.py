"""What every governed write shares: its `options` (dryRun, failOnBlockedField, idempotencyKey),
the `clientContext` kept with it in the audit log, the memory of applied writes that makes a
repeated write answer its first answer again, how a write names its target objects, and the
users it may name.

A dry run is never remembered and never audited: it validates and answers what would change.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sandbox.catalog import Catalog, canonical_type
from sandbox.sample_governance import USERS
from sandbox.wire import Answer, BadRequest, body_object, body_text


class IdempotencyStore:
    """idempotencyKey -> (request digest, answer) of applied (non-dry-run) writes."""

    def __init__(self) -> None:
        self._answers: dict[str, tuple[str, Answer]] = {}

    def lookup(self, key: str, digest: str) -> Answer | None:
        seen = self._answers.get(key)
        if seen is None:
            return None
        if seen[0] != digest:
            return 409, {
                "ok": False,
                "message": "idempotencyKey was already used for a different request",
            }
        status, body = seen[1]
        return status, {**body, "data": {**body["data"], "idempotentReplay": True}}

    def remember(self, key: str, digest: str, answer: Answer) -> None:
        self._answers[key] = (digest, answer)


@dataclass
class AuditLog:
    """One entry per object a governed write changed, with the client context it came with."""

    entries: list[dict[str, Any]] = field(default_factory=list)

    def record(
        self, route: str, target: dict[str, Any], changes: dict[str, Any], client_context: dict[str, str]
    ) -> str:
        """Log a change; its audit reference id."""
        reference = f"AUD-{len(self.entries) + 1:06d}"
        self.entries.append(
            {
                "auditReferenceId": reference,
                "route": route,
                "objectId": target["objectId"],
                "objectType": target["objectType"],
                "changes": changes,
                "clientContext": client_context,
                "at": datetime.now(UTC).isoformat(timespec="seconds"),
            }
        )
        return reference


@dataclass(frozen=True)
class WriteOptions:
    dry_run: bool
    fail_on_blocked_field: bool
    idempotency_key: str | None
    client_context: dict[str, str]


def write_options(body: dict[str, Any], flags: tuple[str, ...] = ("dryRun",)) -> WriteOptions:
    """`options` (the `flags` it takes, and idempotencyKey) and `clientContext`, checked."""
    options = body_object(body.get("options") or {}, "options", (*flags, "idempotencyKey"))
    for flag in flags:
        if not isinstance(options.get(flag, False), bool):
            raise BadRequest(f"options.{flag} must be true or false")
    key = options.get("idempotencyKey")
    if key is not None and (not isinstance(key, str) or not key.strip()):
        raise BadRequest("options.idempotencyKey must be a non-empty string")
    context = body_object(body.get("clientContext") or {}, "clientContext", ("prompt", "reason"))
    return WriteOptions(
        dry_run=options.get("dryRun", False),
        fail_on_blocked_field=options.get("failOnBlockedField", False),
        idempotency_key=key,
        client_context={name: text for name in context if (text := body_text(context, name))},
    )


def applied_once(
    idempotency: IdempotencyStore, route: str, body: Any, options: WriteOptions, apply: Callable[[], Answer]
) -> Answer:
    """`apply()`, unless this key already applied this request (its answer again) or another
    one (409). Only successful, real writes are remembered."""
    key = options.idempotency_key
    if options.dry_run or key is None:
        return apply()
    digest = hashlib.sha256(json.dumps([route, body], sort_keys=True, default=str).encode()).hexdigest()
    replay = idempotency.lookup(key, digest)
    if replay is not None:
        return replay
    answer = apply()
    if answer[0] == 200:
        idempotency.remember(key, digest, answer)
    return answer


def object_ref(raw: Any, name: str, allowed: Iterable[str]) -> tuple[int, str]:
    """`{objectId, objectType}`: a positive id (a string of digits too) and an allowed type,
    its alias resolved."""
    ref = body_object(raw, name, ("objectId", "objectType"))
    object_id = ref.get("objectId")
    if isinstance(object_id, str) and object_id.strip().isdigit():
        object_id = int(object_id)
    if not isinstance(object_id, int) or isinstance(object_id, bool) or object_id < 1:
        raise BadRequest(f"{name}.objectId must be a positive integer")
    object_type = body_text(ref, "objectType")
    if object_type is None:
        raise BadRequest(f"{name}.objectType is required")
    object_type = canonical_type(object_type.lower())
    if object_type not in allowed:
        raise BadRequest(
            f"{name}.objectType {object_type!r} is not supported here; expected one of {sorted(allowed)}"
        )
    return object_id, object_type


def object_refs(
    body: dict[str, Any], name: str, allowed: Iterable[str], *, maximum: int
) -> list[tuple[int, str]]:
    """A list of 1..maximum `{objectId, objectType}`."""
    raw = body.get(name)
    if not isinstance(raw, list) or not 1 <= len(raw) <= maximum:
        raise BadRequest(f"{name} must be a list of 1 to {maximum} objects with objectId and objectType")
    return [object_ref(item, f"{name}[{n}]", allowed) for n, item in enumerate(raw)]


def write_status(updated: int, blocked: int) -> str:
    """A governed update's status from how many of its parts it changed and how many were blocked."""
    if blocked:
        return "partial_success" if updated else "blocked"
    return "success" if updated else "no_change"


def target_of(doc: dict[str, Any]) -> dict[str, Any]:
    """How a governed update's answer names the object it changed."""
    return {key: doc.get(key) for key in ("objectId", "objectType", "objectName", "navLink")}


def linked_target(target: dict[str, Any], link_base: str) -> dict[str, Any]:
    """A target as OvalEdge's update answers give it: its in-app route as an absolute
    `redirectUrl` (tests/tools/test_governance.py @7be16022), not a `navLink`."""
    route = target.get("navLink")
    out = {key: value for key, value in target.items() if key != "navLink"}
    return {**out, "redirectUrl": f"{link_base}/{route}" if route else None}


def governed_by_term(catalog: Catalog, doc: dict[str, Any], what: str) -> dict[str, str] | None:
    """Why `what` of a column cannot be written: a glossary term governs it (None: it can)."""
    term = catalog.governing_term(doc)
    if term is None:
        return None
    return {
        "code": "GOVERNED_BY_GLOSSARY_TERM",
        "message": f"The {what} comes from the published glossary term '{term['objectName']}' "
        f"(id {term['objectId']}); change the term instead",
    }


def known_user(name: Any, what: str) -> str:
    """A user the sandbox knows, spelled as it knows it (names match case-insensitively)."""
    if isinstance(name, str):
        for user in USERS:
            if user.lower() == name.strip().lower():
                return user
    raise BadRequest(f"{what}: unknown user {name!r}")
