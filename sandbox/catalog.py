"""The in-memory catalog built from `sample_data`: wire documents, indexes, profiles, lineage.

Every object is one dict in OvalEdge's wire shape (camelCase keys); updates change it in place.
"""

from __future__ import annotations

import zlib
from collections import defaultdict
from typing import Any

from sandbox import sample_data as sd

DESCRIPTION_FIELDS = (
    "businessDescription",
    "technicalDescription",
    "detailedDescription",
    "domainDescription",
    "tagDescription",
    "masterTagDescription",
)

# Keys a search hit carries (the rest of a document is for object-details).
HIT_KEYS = (
    "objectId",
    "objectType",
    "objectName",
    "fullyQualifiedName",
    "navLink",
    "businessDescription",
    "technicalDescription",
    "connectionName",
    "schemaName",
    "tableName",
    "dataType",
    "owner",
    "steward",
    "custodian",
    "tags",
    "terms",
)

PROFILED_AT = "2025-11-20T02:00:00Z"
LAST_CRAWLED = "2025-11-20T01:30:00Z"


def nav_link(object_type: str, object_id: int) -> str:
    routes = {
        "oeschema": f"#nav/schema?id={object_id}",
        "oetable": f"#nav/table?browse=summary&id={object_id}",
        "oecolumn": f"#nav/column?browse=summary&id={object_id}",
        "oechart": f"#nav/chart?browse=summary&id={object_id}",
        "glossary": f"#nav/glossary?browse=summary&id={object_id}",
        "oetag": f"#nav/tag?browse=summary&id={object_id}",
    }
    return routes[object_type]


def ref(doc: dict[str, Any]) -> dict[str, Any]:
    """The short reference to an object used inside other documents."""
    return {
        "objectId": doc["objectId"],
        "objectType": doc["objectType"],
        "objectName": doc["objectName"],
        "navLink": doc["navLink"],
    }


def hit(doc: dict[str, Any]) -> dict[str, Any]:
    return {key: doc[key] for key in HIT_KEYS if key in doc}


class Catalog:
    """All sample objects plus the indexes the read endpoints need."""

    def __init__(self) -> None:
        self.objects: dict[int, dict[str, Any]] = {}
        self.connections = {c["connectionName"]: dict(c) for c in sd.CONNECTIONS}
        self.table_columns: dict[int, list[int]] = defaultdict(list)
        self.column_extras: dict[int, dict[str, Any]] = {}
        self.table_rows: dict[int, int] = {}
        # column id -> glossary term id whose definition the column inherits
        self.inherited_business: dict[int, int] = {}
        self.upstream: dict[int, list[tuple[int, str]]] = defaultdict(list)
        self.downstream: dict[int, list[tuple[int, str]]] = defaultdict(list)
        self._build()

    # ----------------------------------------------------------------- lookups

    def get(self, object_id: int, object_type: str | None = None) -> dict[str, Any] | None:
        doc = self.objects.get(object_id)
        if doc is None or (object_type is not None and doc["objectType"] != object_type):
            return None
        return doc

    def by_fqn(self, fqn: str) -> dict[str, Any] | None:
        wanted = fqn.strip().lower()
        for doc in self.objects.values():
            if doc["fullyQualifiedName"].lower() == wanted:
                return doc
        return None

    def by_name(self, object_type: str, name: str) -> dict[str, Any] | None:
        wanted = name.strip().lower()
        for doc in self.objects.values():
            if doc["objectType"] == object_type and doc["objectName"].lower() == wanted:
                return doc
        return None

    def of_type(self, object_type: str) -> list[dict[str, Any]]:
        return [doc for doc in self.objects.values() if doc["objectType"] == object_type]

    def tagged_with(self, tag_name: str) -> list[dict[str, Any]]:
        return [doc for doc in self.objects.values() if tag_name in doc.get("tags", [])]

    def linked_to_term(self, term_name: str) -> list[dict[str, Any]]:
        return [
            doc
            for doc in self.objects.values()
            if doc["objectType"] != "glossary" and term_name in doc.get("terms", [])
        ]

    # ------------------------------------------------------------------ building

    def _add(self, doc: dict[str, Any]) -> dict[str, Any]:
        doc["navLink"] = nav_link(doc["objectType"], doc["objectId"])
        self.objects[doc["objectId"]] = doc
        return doc

    def _build(self) -> None:
        schemas: dict[int, dict[str, Any]] = {}
        for sid, conn, name, business, owner, steward, custodian in sd.SCHEMAS:
            schemas[sid] = self._add(
                {
                    "objectId": sid,
                    "objectType": "oeschema",
                    "objectName": name,
                    "fullyQualifiedName": f"{conn}.{name}",
                    "connectionName": conn,
                    "serverType": self.connections[conn]["serverType"],
                    "schemaName": name,
                    "businessDescription": business,
                    "technicalDescription": "",
                    "owner": owner,
                    "steward": steward,
                    "custodian": custodian,
                    "tags": [],
                    "terms": [],
                    "lastCrawled": LAST_CRAWLED,
                }
            )
        for table in sd.TABLES:
            schema = schemas[table["schema"]]
            self._add_table(table, schema)
        for schema in schemas.values():
            schema["tableCount"] = sum(
                1 for d in self.of_type("oetable") if d["schemaName"] == schema["objectName"]
            )
        for cid, name, description, tags, terms in sd.CHARTS:
            self._add(
                {
                    "objectId": cid,
                    "objectType": "oechart",
                    "objectName": name,
                    "fullyQualifiedName": f"retail_tableau.{sd.CHART_WORKBOOK}.{name}",
                    "connectionName": "retail_tableau",
                    "serverType": "Tableau",
                    "schemaName": None,
                    "reportName": sd.CHART_WORKBOOK,
                    "businessDescription": description,
                    "technicalDescription": "",
                    "owner": sd.OWNER_SALES,
                    "steward": sd.STEWARD_SALES,
                    "custodian": sd.CUSTODIAN_PLATFORM,
                    "tags": list(tags),
                    "terms": list(terms),
                    "lastCrawled": LAST_CRAWLED,
                }
            )
        self._add_glossary()
        self._add_tags()
        self._resolve_foreign_keys()
        for source, target, transformation in sd.LINEAGE_EDGES:
            self.downstream[source].append((target, transformation))
            self.upstream[target].append((source, transformation))

    def _add_table(self, table: dict[str, Any], schema: dict[str, Any]) -> None:
        conn = schema["connectionName"]
        fqn = f"{conn}.{schema['objectName']}.{table['name']}"
        common = {
            "connectionName": conn,
            "serverType": schema["serverType"],
            "schemaName": schema["objectName"],
            "owner": table["owner"],
            "steward": table["steward"],
            "custodian": table["custodian"],
        }
        tid = table["id"]
        self.table_rows[tid] = table["rows"]
        self._add(
            {
                "objectId": tid,
                "objectType": "oetable",
                "objectName": table["name"],
                "fullyQualifiedName": fqn,
                **common,
                "tableName": table["name"],
                "tableType": "TABLE",
                "businessDescription": table["business"],
                "technicalDescription": table["technical"],
                "rowCount": table["rows"],
                "columnCount": len(table["columns"]),
                "tags": list(table["tags"]),
                "terms": list(table["terms"]),
                "lastCrawled": LAST_CRAWLED,
            }
        )
        for position, (name, data_type, description, extras) in enumerate(table["columns"], 1):
            cid = tid * 100 + position
            self.table_columns[tid].append(cid)
            extras = dict(extras)
            self.column_extras[cid] = extras
            self._add(
                {
                    "objectId": cid,
                    "objectType": "oecolumn",
                    "objectName": name,
                    "fullyQualifiedName": f"{fqn}.{name}",
                    **common,
                    "tableName": table["name"],
                    "tableId": tid,
                    "dataType": data_type,
                    "columnPosition": position,
                    "isPrimaryKey": bool(extras.get("pk")),
                    "isForeignKey": "fk" in extras,
                    "businessDescription": description,
                    "technicalDescription": "",
                    "tags": list(extras.get("tags", [])),
                    "terms": list(extras.get("terms", [])),
                }
            )

    def _add_glossary(self) -> None:
        by_name = {term["name"]: term for term in sd.GLOSSARY}
        for term in sd.GLOSSARY:
            linked = self.linked_to_term(term["name"])
            doc = self._add(
                {
                    "objectId": term["id"],
                    "objectType": "glossary",
                    "objectName": term["name"],
                    "fullyQualifiedName": f"{sd.GLOSSARY_DOMAIN}.{term['category']}.{term['name']}",
                    "domainName": sd.GLOSSARY_DOMAIN,
                    "categoryName": term["category"],
                    "status": term["status"],
                    "businessDescription": term["definition"],
                    "detailedDescription": term["detailed"],
                    "synonyms": list(term["synonyms"]),
                    "owner": term["owner"],
                    "steward": term["steward"],
                    "custodian": None,
                    "tags": [],
                    "terms": [],
                    "copyDescriptionToAssociations": term["propagates"],
                    "associatedObjects": [ref(d) for d in linked],
                }
            )
            doc["relatedTerms"] = [
                {
                    "objectId": by_name[n]["id"],
                    "objectName": n,
                    "objectType": "glossary",
                    "navLink": nav_link("glossary", by_name[n]["id"]),
                }
                for n in term["related"]
            ]
            if term["propagates"] and term["status"] == "Published":
                for linked_doc in linked:
                    if linked_doc["objectType"] == "oecolumn":
                        linked_doc["businessDescription"] = term["definition"]
                        self.inherited_business[linked_doc["objectId"]] = term["id"]

    def _add_tags(self) -> None:
        ids = {name: tid for tid, name, _, _ in sd.TAGS}
        for tid, name, parent, description in sd.TAGS:
            self._add(
                {
                    "objectId": tid,
                    "objectType": "oetag",
                    "objectName": name,
                    "fullyQualifiedName": f"{parent}.{name}" if parent else name,
                    "tagDescription": description,
                    "businessDescription": description,
                    "parentTag": (
                        {
                            "objectId": ids[parent],
                            "objectName": parent,
                            "navLink": nav_link("oetag", ids[parent]),
                        }
                        if parent
                        else None
                    ),
                    "childTags": [
                        {"objectId": c_id, "objectName": c_name, "navLink": nav_link("oetag", c_id)}
                        for c_id, c_name, c_parent, _ in sd.TAGS
                        if c_parent == name
                    ],
                    "owner": sd.STEWARD_CUSTOMER,
                    "steward": sd.STEWARD_CUSTOMER,
                    "custodian": None,
                    "tags": [],
                    "terms": [],
                    "taggedObjects": [ref(d) for d in self.tagged_with(name)],
                }
            )

    def _resolve_foreign_keys(self) -> None:
        index = {
            (d["schemaName"], d["tableName"], d["objectName"]): d["objectId"]
            for d in self.of_type("oecolumn")
        }
        for extras in self.column_extras.values():
            if "fk" in extras:
                schema, table, column = extras["fk"].split(".")
                extras["_fk_id"] = index[(schema, table, column)]

    # ---------------------------------------------------------------- profiles

    def profile(self, table_id: int) -> list[dict[str, Any]]:
        rows = self.table_rows[table_id]
        return [self._column_profile(cid, rows) for cid in self.table_columns[table_id]]

    def _column_profile(self, cid: int, rows: int) -> dict[str, Any]:
        doc = self.objects[cid]
        extras = self.column_extras[cid]
        seed = zlib.crc32(doc["fullyQualifiedName"].encode())
        name, data_type = doc["objectName"], doc["dataType"].lower()
        keyish = extras.get("pk") or "fk" in extras or name.endswith(("_id", "_key"))
        if "nulls" in extras:
            nulls = round(rows * extras["nulls"])
        elif keyish:
            nulls = 0
        else:
            nulls = round(rows * (seed % 3) / 100)
        filled = rows - nulls
        top_values = None
        low: Any = None
        high: Any = None
        if extras.get("pk"):
            distinct = rows
            if data_type.startswith(("int", "bigint", "number")):
                low, high = 1, rows + seed % 500
            elif data_type == "date":
                low, high = "2019-01-01", "2025-11-19"
        elif "values" in extras:
            values = list(extras["values"])
            distinct = len(values)
            low, high = values[0], values[-1]
            top_values, left = [], filled
            for i, value in enumerate(values):
                share = left if i == len(values) - 1 else min(left, left // 2 + (seed >> i) % 7)
                top_values.append({"value": value, "count": share})
                left -= share
            top_values.sort(key=lambda v: -v["count"])
        elif data_type == "boolean":
            distinct, low, high = 2, False, True
        elif data_type in ("date", "timestamp"):
            distinct = min(filled, 1500 + seed % 900)
            low, high = "2019-03-02", "2025-11-19"
            if data_type == "timestamp":
                low, high = f"{low}T08:01:12", f"{high}T21:58:40"
        elif "fk" in extras:
            target_table = self.objects[extras["_fk_id"]]["tableId"]
            distinct = min(filled, self.table_rows[target_table])
            low, high = 1, self.table_rows[target_table]
        elif data_type.startswith(("numeric", "number", "int", "bigint")):
            distinct = max(1, min(filled, filled // (2 + seed % 5)))
            low, high = 0, 50 + seed % 5000
        else:
            distinct = max(1, filled - filled * (seed % 4) // 100)
        profile = {
            "columnId": cid,
            "columnName": name,
            "dataType": doc["dataType"],
            "rowCount": rows,
            "nullCount": nulls,
            "nullPercent": round(100 * nulls / rows, 2) if rows else 0.0,
            "distinctCount": distinct,
            "distinctPercent": round(100 * distinct / rows, 2) if rows else 0.0,
            "minValue": low,
            "maxValue": high,
        }
        if top_values is not None:
            profile["topValues"] = top_values
        return profile

    # ----------------------------------------------------------- relationships

    def relationships(self, table_id: int) -> list[dict[str, Any]]:
        mine = set(self.table_columns[table_id])
        found = []
        for cid, extras in self.column_extras.items():
            target = extras.get("_fk_id")
            if target is None or (cid not in mine and target not in mine):
                continue
            src, dst = self.objects[cid], self.objects[target]
            declared = src["connectionName"] == "pos_postgres"
            found.append(
                {
                    "relationshipType": "FOREIGN_KEY",
                    "cardinality": "MANY_TO_ONE",
                    "source": "Declared" if declared else "Inferred from column names",
                    "direction": "outgoing" if cid in mine else "incoming",
                    "fromTableId": src["tableId"],
                    "fromTable": src["fullyQualifiedName"].rsplit(".", 1)[0],
                    "fromColumnId": cid,
                    "fromColumn": src["objectName"],
                    "toTableId": dst["tableId"],
                    "toTable": dst["fullyQualifiedName"].rsplit(".", 1)[0],
                    "toColumnId": target,
                    "toColumn": dst["objectName"],
                }
            )
        return found
