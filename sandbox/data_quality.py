"""Data quality rules as the sandbox keeps them: the rules (rule id -> wire document) and the SQL
runs made to validate queries. The routes that read and change them are dq_advisor.py and
dq_manager.py.

A rule's document: ruleId, ruleName, description, function, ruleType ("standard" | "custom_sql"),
steward, associatedObjects [{objectId, objectType, objectName}], criteria, navLink; a custom SQL
rule adds its code object, connection, schema and queries.
"""

from __future__ import annotations

from typing import Any

from sandbox import sample_dq as sdq
from sandbox.catalog import Catalog
from sandbox.wire import fresh_id

RULE_IDS = range(8000, 8100)


def associated(doc: dict[str, Any]) -> dict[str, Any]:
    """How a rule names an object it is associated with."""
    return {key: doc[key] for key in ("objectId", "objectType", "objectName")}


def rule_ref(rule: dict[str, Any]) -> dict[str, Any]:
    return {key: rule[key] for key in ("ruleId", "ruleName", "function")}


def sql_rule_fields(
    catalog: Catalog, code: dict[str, Any], stats_query: str | None, failed_values_query: str | None
) -> dict[str, Any]:
    """What a custom SQL rule adds to its document: the code object whose query it runs."""
    return {
        "ruleType": "custom_sql",
        "codeObjectId": code["objectId"],
        "connectionId": catalog.connections[code["connectionName"]]["connectionId"],
        "schemaId": code["schemaId"],
        "ruleQuery": code["queryText"],
        "statsQuery": stats_query,
        "failedValuesQuery": failed_values_query,
    }


class DataQuality:
    def __init__(self, catalog: Catalog) -> None:
        self.rules: dict[int, dict[str, Any]] = {}
        # one entry per validate-queries call: a run of SQL on a source system
        self.validation_runs: list[dict[str, Any]] = []
        for spec in sdq.DQ_RULES:
            code = catalog.objects.get(spec.get("codeObjectId", 0))
            self.add_rule(
                spec["id"],
                spec["name"],
                spec["description"],
                spec["function"],
                spec["steward"],
                [catalog.objects[i] for i in spec["objects"]],
                spec["criteria"],
                **(sql_rule_fields(catalog, code, None, None) if code else {}),
            )

    def add_rule(
        self,
        rule_id: int,
        name: str,
        description: str,
        function: str,
        steward: str,
        objects: list[dict[str, Any]],
        criteria: str,
        **extra: Any,
    ) -> dict[str, Any]:
        rule = {
            "ruleId": rule_id,
            "ruleName": name,
            "description": description,
            "function": function,
            "ruleType": "standard",
            "steward": steward,
            "associatedObjects": [associated(d) for d in objects],
            "criteria": criteria,
            "navLink": f"#nav/dqrule?id={rule_id}",
            **extra,
        }
        self.rules[rule_id] = rule
        return rule

    def new_rule_id(self) -> int:
        return fresh_id(self.rules, RULE_IDS, "DQ rules")

    def rules_on(self, object_id: int) -> list[dict[str, Any]]:
        """The rules associated with an object."""
        return [
            rule
            for rule in self.rules.values()
            if any(o["objectId"] == object_id for o in rule["associatedObjects"])
        ]

    def named(self, name: str) -> list[dict[str, Any]]:
        """Rules with this name, then those whose name contains it (case-insensitive)."""
        wanted = name.strip().lower()
        exact = [r for r in self.rules.values() if r["ruleName"].lower() == wanted]
        return exact + [r for r in self.rules.values() if r not in exact and wanted in r["ruleName"].lower()]
