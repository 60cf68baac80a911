"""Every OvalEdge route the worker calls, named once, and the rule for choosing between the two
generations of OvalEdge's MCP API.

OvalEdge releases differ: the current MCP API (`asset-explorer`, `asset-details`, ...) replaced
the first-generation routes (`search-catalog`, `object-details`, ...), and older releases have
only the first generation. A `Capability` is one thing a tool asks of OvalEdge, with its current
route and the first-generation routes that do the same job (none: older releases lack it).
`RouteBook` applies `OVALEDGE_API_ROUTES`: `auto` tries the current route and, once OvalEdge
answers that the route itself does not exist, uses the first generation for that capability
for the rest of the worker's life; `current` and `legacy` use one generation only.

Tools, resources and the doctor call OvalEdge through these names only, never with a path
literal. The sandbox OvalEdge spells its routes on its own, on purpose: it is the worker's
independent check, so a typo here fails a wire test.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from enum import StrEnum
from typing import NamedTuple

log = logging.getLogger("oe-mcp-worker.routes")

API = "/api/v1/mcp"


class Route(NamedTuple):
    method: str
    path: str
    # May a request change something in OvalEdge? Only such requests are never re-sent after a
    # timeout or a 502/504 (transport.py): queries sent as POST are safe to send again.
    changes: bool = False

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


# An exchange supersedes the previous JWT of the credential pair: never sent twice blindly.
TOKEN_GENERATE = Route("POST", "/api/user/token/generate", changes=True)

# The current MCP API.
ASSET_EXPLORER = Route("POST", f"{API}/asset-explorer")
# Some releases serve asset-explorer as GET with flat query parameters instead (docs/wire.md): the
# explorer answers a 405 from one method by trying the other, and keeps the one that answered.
ASSET_EXPLORER_GET = Route("GET", f"{API}/asset-explorer")
ASSET_DETAILS = Route("GET", f"{API}/asset-details")
ASSET_LINEAGE = Route("GET", f"{API}/asset-lineage")
METADATA_CHANGES = Route("POST", f"{API}/metadata-changes-between-crawls")
ACCESS_EXPLORER = Route("GET", f"{API}/access-explorer")
KNOWLEDGE_SEARCH = Route("GET", f"{API}/knowledge-search")

# The first-generation MCP API.
SEARCH_CATALOG = Route("GET", f"{API}/search-catalog")
OBJECT_DETAILS = Route("GET", f"{API}/object-details")
COLUMN_PROFILE = Route("GET", f"{API}/column-profile")
ENTITY_RELATIONSHIPS = Route("GET", f"{API}/entity-relationships")
LINEAGE = Route("GET", f"{API}/lineage")
GLOSSARY_TERMS = Route("GET", f"{API}/glossary-terms")
TAGS = Route("GET", f"{API}/tags")
SEARCH_PLATFORM_DOCS = Route("GET", f"{API}/search-platform-docs")
LOOKUP_DATASTORY = Route("GET", f"{API}/lookup-datastory")
SOURCE_SYSTEM_ACCESS = Route("GET", f"{API}/source-system-access")
GET_USER_OBJECT_ACCESS = Route("GET", f"{API}/get-user-object-access")

# The current MCP API's governed writes, guided creation and data quality.
UPDATE_CDE_ASSOCIATIONS = Route("POST", f"{API}/update-cde-associations", changes=True)
UPDATE_GOVERNANCE_ROLES = Route("POST", f"{API}/update-governance-roles", changes=True)
CUSTOM_FIELDS = Route("GET", f"{API}/custom-fields")
UPDATE_CUSTOM_FIELD_VALUES = Route("POST", f"{API}/update-custom-field-values", changes=True)
DOMAIN_METADATA = Route("GET", f"{API}/domain-metadata")
CREATE_GLOSSARY_TERM = Route("POST", f"{API}/glossary-terms", changes=True)
TAG_CREATE_OPTIONS = Route("GET", f"{API}/tags/create-options")
TAG_PARENT_OPTIONS = Route("GET", f"{API}/tags/parent-options")
CREATE_TAG = Route("POST", f"{API}/tags", changes=True)
SERVICE_REQUEST_TEMPLATES = Route("GET", f"{API}/service-request-templates")
CREATE_SERVICE_REQUEST = Route("POST", f"{API}/service-requests", changes=True)
DQ_ASSESS_CDE = Route("POST", f"{API}/dq-intelligence/assess-cde")
DQ_GENERATE_QUERIES = Route("POST", f"{API}/dq-intelligence/generate-queries")
# Runs SQL on the source system: never sent twice blindly.
DQ_VALIDATE_QUERIES = Route("POST", f"{API}/dq-intelligence/validate-queries", changes=True)
LOOKUP_DQ_RULES = Route("GET", f"{API}/lookup-dq-rules")
DQ_CREATE_RULES = Route("POST", f"{API}/dq-intelligence/create-rules", changes=True)
DQ_CREATE_SQL_RULE = Route("POST", f"{API}/dq-intelligence/create-sql-rule", changes=True)
DQ_ASSOCIATE_RULE_OBJECTS = Route("POST", f"{API}/dq-intelligence/associate-rule-objects", changes=True)

# The same route in every generation (METADATA_CHANGES too: constants @94334ab2 and @0f1b928e).
UPDATE_ASSET_DESCRIPTIONS = Route("POST", f"{API}/update-asset-descriptions", changes=True)


@dataclass(frozen=True)
class Capability:
    name: str
    current: Route
    legacy: tuple[Route, ...] = ()  # first-generation routes doing the same; () = none

    @property
    def unchanged(self) -> bool:
        """The same route in both generations."""
        return self.legacy == (self.current,)


SEARCH = Capability("search", ASSET_EXPLORER, (SEARCH_CATALOG, GLOSSARY_TERMS, TAGS))
DETAILS = Capability("details", ASSET_DETAILS, (OBJECT_DETAILS, COLUMN_PROFILE, ENTITY_RELATIONSHIPS))
LINEAGE_GRAPH = Capability("lineage", ASSET_LINEAGE, (LINEAGE,))
CRAWL_CHANGES = Capability("metadata changes", METADATA_CHANGES, (METADATA_CHANGES,))  # every generation
ACCESS = Capability("access", ACCESS_EXPLORER, (SOURCE_SYSTEM_ACCESS, GET_USER_OBJECT_ACCESS))
KNOWLEDGE = Capability("knowledge", KNOWLEDGE_SEARCH, (SEARCH_PLATFORM_DOCS, LOOKUP_DATASTORY))
DESCRIPTIONS = Capability("descriptions", UPDATE_ASSET_DESCRIPTIONS, (UPDATE_ASSET_DESCRIPTIONS,))
CDE = Capability("critical data elements", UPDATE_CDE_ASSOCIATIONS)
ROLES = Capability("governance roles", UPDATE_GOVERNANCE_ROLES)
CUSTOM_FIELD_DEFINITIONS = Capability("custom field definitions", CUSTOM_FIELDS)
CUSTOM_FIELD_VALUES = Capability("custom field values", UPDATE_CUSTOM_FIELD_VALUES)
GLOSSARY_PLACEMENT = Capability("glossary placement", DOMAIN_METADATA)
GLOSSARY_TERM_CREATION = Capability("glossary term creation", CREATE_GLOSSARY_TERM)
TAG_OPTIONS = Capability("tag options", TAG_CREATE_OPTIONS)
TAG_PARENTS = Capability("tag parents", TAG_PARENT_OPTIONS)
TAG_CREATION = Capability("tag creation", CREATE_TAG)
SERVICE_TEMPLATES = Capability("service request templates", SERVICE_REQUEST_TEMPLATES)
SERVICE_REQUEST = Capability("service requests", CREATE_SERVICE_REQUEST)
DQ_ASSESS = Capability("DQ assessment", DQ_ASSESS_CDE)
DQ_GENERATE = Capability("DQ query generation", DQ_GENERATE_QUERIES)
DQ_VALIDATION = Capability("DQ query validation", DQ_VALIDATE_QUERIES)
DQ_LOOKUP = Capability("DQ rule lookup", LOOKUP_DQ_RULES)
DQ_STANDARD_RULES = Capability("DQ standard rules", DQ_CREATE_RULES)
DQ_SQL_RULE = Capability("DQ custom SQL rules", DQ_CREATE_SQL_RULE)
DQ_ASSOCIATION = Capability("DQ rule association", DQ_ASSOCIATE_RULE_OBJECTS)


class Generation(StrEnum):
    CURRENT = "current"
    LEGACY = "legacy"


class RouteBook:
    """Which generation each capability uses, and what OvalEdge has told us so far."""

    def __init__(self, setting: str):
        self.setting = setting  # auto | current | legacy
        self._missing: dict[str, Route] = {}  # capability -> its current route OvalEdge lacks
        self._confirmed: set[str] = set()  # capabilities whose current route answered
        self._methods: dict[str, Route] = {}  # capability -> the method variant that answered

    def choose(self, capability: Capability) -> Generation:
        if self.setting == "legacy" or (self.setting == "auto" and capability.name in self._missing):
            return Generation.LEGACY
        return Generation.CURRENT

    def may_fall_back(self) -> bool:
        return self.setting == "auto"

    def current_missing(self, capability: Capability, status: int | None) -> None:
        """OvalEdge answered that `capability.current` does not exist: remember it for life."""
        if capability.name in self._missing:
            return
        self._missing[capability.name] = capability.current
        self._confirmed.discard(capability.name)
        instead = ", ".join(str(route) for route in capability.legacy) or "nothing (no older route)"
        log.warning("OvalEdge has no route %s (HTTP %s): %s uses the first-generation routes from "
                    "now on: %s", capability.current, status, capability.name, instead)

    def current_answered(self, capability: Capability) -> None:
        if capability.unchanged:  # a route every generation serves tells nothing about the release
            return
        if capability.name not in self._confirmed and capability.name not in self._missing:
            self._confirmed.add(capability.name)
            if len(self._confirmed) == 1:
                log.info("OvalEdge serves the current MCP routes (%s answered)", capability.current)

    def variant(self, capability: Capability, default: Route) -> Route:
        """The variant of `capability`'s current route (same path, another method) this OvalEdge
        takes, once known; `default` until then."""
        return self._methods.get(capability.name, default)

    def variant_answered(self, capability: Capability, route: Route) -> None:
        """`route` answered for `capability`: use it for the rest of the worker's life (a 405
        to the other method said the path exists, for this one)."""
        if self._methods.get(capability.name) != route:
            self._methods[capability.name] = route
            log.info("OvalEdge's %s takes %s", capability.name, route)

    def snapshot(self) -> dict[str, object]:
        """For status: the setting, the generation in use, and where the first one is used."""
        if self.setting != "auto":
            generation = self.setting
        elif self._missing and self._confirmed:
            generation = "mixed"
        elif self._missing:
            generation = "legacy"
        elif self._confirmed:
            generation = "current"
        else:
            generation = "not yet known"
        return {
            "setting": self.setting,
            "generation": generation,
            "first_generation_for": sorted(self._missing),
            "missing_routes": [str(route) for _, route in sorted(self._missing.items())],
        }
