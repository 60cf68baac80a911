"""The in-memory catalog built from the sample data: wire documents, indexes, profiles, lineage.

Every object is one dict in OvalEdge's wire shape (camelCase keys); updates change it in place.
Tables and files are the two kinds of column containers: both have columns, a row count and a
profile. Glossary placements (domains, categories, subcategories) are kept beside the objects:
they are not catalog objects but carry governance roles. Glossary terms, tags and code objects
are built by the same functions whether they come from the sample data or are created through
the API. Facets not given in the sample data are derived here: a column's null density is its
profiled null percent (a container's is the mean of its columns'), density is 100 minus it, a
column's data quality index drops a point per four percent of nulls below its container's, a
column is classified PII when tagged PII and Confidential when tagged Finance, and a container
is a critical data element when one of its columns is.
"""

from __future__ import annotations

import copy
import html
import re
import zlib
from collections import defaultdict
from statistics import fmean
from typing import Any

from sandbox import sample_data as sd
from sandbox import sample_dq as sdq
from sandbox import sample_lineage as wide
from sandbox import sample_stories as stories

DESCRIPTION_FIELDS = (
    "businessDescription",
    "technicalDescription",
    "detailedDescription",
    "domainDescription",
    "tagDescription",
    "masterTagDescription",
)

# Every objectType the API accepts, and the aliases that name the same type.
OBJECT_TYPES = frozenset(
    "oeschema oetable oecolumn oefile filecolumn oefilecolumn oechart chartchild oeapi "
    "oeapicolumn oequery dp_product glossary oetag oestory code oecode businessglossary "
    "mastertag oeglobaldomain storyzone dp_domain oedomain".split()
)
TYPE_ALIASES = {"filecolumn": "oefilecolumn", "oecode": "code", "businessglossary": "glossary"}
# The kinds of data assets: what descriptions, CDE flags and governance roles apply to alike.
ASSET_TYPES = (
    "oeschema",
    "oetable",
    "oecolumn",
    "oefile",
    "oefilecolumn",
    "oechart",
    "chartchild",
    "oeapi",
    "oeapicolumn",
    "oequery",
)
CONTAINER_TYPES = ("oetable", "oefile")  # what has columns, a row count and a profile
# container type -> the type of its columns, and the column key naming the container
_COLUMNS_OF = {"oetable": ("oecolumn", "tableId"), "oefile": ("oefilecolumn", "fileId")}

# where the ids of the objects the API creates come from
TERM_IDS, TAG_IDS, CODE_OBJECT_IDS = range(2000, 2100), range(4000, 4100), range(8100, 8200)

PROFILED_AT = "2025-11-20T02:00:00Z"
LAST_CRAWLED = "2025-11-20T01:30:00Z"


def canonical_type(object_type: str) -> str:
    return TYPE_ALIASES.get(object_type, object_type)


def nav_link(object_type: str, object_id: int) -> str:
    routes = {
        "oeschema": f"#nav/schema?id={object_id}",
        "oetable": f"#nav/table?browse=summary&id={object_id}",
        "oecolumn": f"#nav/column?browse=summary&id={object_id}",
        "oefile": f"#nav/file?browse=summary&id={object_id}",
        "oefilecolumn": f"#nav/filecolumn?browse=summary&id={object_id}",
        "oechart": f"#nav/chart?browse=summary&id={object_id}",
        "glossary": f"#nav/glossary?browse=summary&id={object_id}",
        "oetag": f"#nav/tag?browse=summary&id={object_id}",
        "mastertag": f"#nav/mastertag?browse=summary&id={object_id}",
        "oequery": f"#nav/code?browse=summary&id={object_id}",
        "oeglobaldomain": f"#nav/domain?id={object_id}",
        "category": f"#nav/category?id={object_id}",
        "subcategory": f"#nav/category?id={object_id}",
        "oestory": f"#nav/story?id={object_id}",
        "storyzone": f"#nav/storyzone?id={object_id}",
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


_MENTION = re.compile(r"\{(\d+)\}")  # a mention of a catalog object in story content


def html_link(doc: dict[str, Any]) -> str:
    return f'<a href="{html.escape(doc["navLink"])}">{html.escape(doc["objectName"])}</a>'


def tag_ref(doc: dict[str, Any]) -> dict[str, Any]:
    """How a tag names its parent, children and master tag."""
    return {"objectId": doc["objectId"], "objectName": doc["objectName"], "navLink": doc["navLink"]}


def placement_path(term: dict[str, Any]) -> str:
    """"Domain > Category > Subcategory" of a glossary term, as far as it goes."""
    names = (term.get(key) for key in ("domainName", "categoryName", "subcategoryName"))
    return " > ".join(name for name in names if name)


class Catalog:
    """All sample objects plus the indexes the read endpoints need. `wide_lineage` adds the
    clickstream sample (sample_lineage.py), whose lineage holds 55 assets."""

    def __init__(self, *, wide_lineage: bool = False) -> None:
        self.wide_lineage = wide_lineage
        self.objects: dict[int, dict[str, Any]] = {}
        self.connections = {c["connectionName"]: dict(c) for c in sd.CONNECTIONS}
        if wide_lineage:
            self.connections[wide.CONNECTION["connectionName"]] = dict(wide.CONNECTION)
        # table or file id -> its column ids, in position order; -> its row count
        self.columns: dict[int, list[int]] = defaultdict(list)
        self.column_extras: dict[int, dict[str, Any]] = {}
        self.row_counts: dict[int, int] = {}
        # column id -> glossary term id whose definition and steward the column inherits
        self.inherited_business: dict[int, int] = {}
        # glossary domain, category and subcategory id -> its record (objectId, objectType,
        # objectName, navLink, domainId / categoryId above it, governance roles)
        self.placements: dict[int, dict[str, Any]] = {}
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

    def terms_named(self, name: str) -> list[dict[str, Any]]:
        """Glossary terms with this name, then those with it as a synonym (case-insensitive)."""
        wanted = name.strip().lower()
        terms = self.of_type("glossary")
        by_name = [t for t in terms if t["objectName"].lower() == wanted]
        return by_name + [
            t for t in terms if t not in by_name and wanted in (s.lower() for s in t["synonyms"])
        ]

    def of_type(self, *object_types: str) -> list[dict[str, Any]]:
        return [doc for doc in self.objects.values() if doc["objectType"] in object_types]

    def parent(self, doc: dict[str, Any]) -> dict[str, Any] | None:
        """The object a document sits in (column -> table or file, table -> schema, story ->
        zone); None at the top (its connection, if any, is `doc["connectionName"]`)."""
        parent_id = doc.get("tableId") or doc.get("fileId") or doc.get("schemaId") or doc.get("storyZoneId")
        return self.objects[parent_id] if parent_id else None

    def governing_term(self, doc: dict[str, Any]) -> dict[str, Any] | None:
        """The published, propagating glossary term a column takes its business description
        and steward from, if any."""
        term_id = self.inherited_business.get(doc["objectId"])
        return None if term_id is None else self.objects[term_id]

    def column_docs(self, container_id: int) -> list[dict[str, Any]]:
        return [self.objects[cid] for cid in self.columns[container_id]]

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
        # A copy all the way down: documents change in place under writes, and nested values
        # (facets, custom fields) come from the sample data, which every sandbox shares.
        doc = copy.deepcopy(doc)
        doc["navLink"] = nav_link(doc["objectType"], doc["objectId"])
        self.objects[doc["objectId"]] = doc
        return doc

    def _build(self) -> None:
        schemas: dict[int, dict[str, Any]] = {}
        for sid, conn, name, business, owner, steward, custodian, facets in [
            *sd.SCHEMAS, *(wide.SCHEMAS if self.wide_lineage else [])
        ]:
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
                    **facets,
                }
            )
        extra_tables = [{**spec, "schema": wide.SCHEMA_IDS[schema]} for schema, spec in wide.tables()]
        for table in [*sd.TABLES, *(extra_tables if self.wide_lineage else [])]:
            schema = schemas[table["schema"]]
            self._add_container(
                table,
                "oetable",
                f"{schema['fullyQualifiedName']}.{table['name']}",
                {
                    "connectionName": schema["connectionName"],
                    "serverType": schema["serverType"],
                    "schemaName": schema["objectName"],
                    "tableName": table["name"],
                },
                schemaId=schema["objectId"],
            )
        for schema in schemas.values():
            schema["tableCount"] = sum(
                1 for d in self.of_type("oetable") if d["schemaId"] == schema["objectId"]
            )
        charts = [(chart, sd.CHART_WORKBOOK) for chart in sd.CHARTS]
        if self.wide_lineage:
            charts += [(chart, wide.CHART_WORKBOOK) for chart in wide.charts()]
        for (cid, name, description, tags, terms, facets), workbook in charts:
            self._add(
                {
                    "objectId": cid,
                    "objectType": "oechart",
                    "objectName": name,
                    "fullyQualifiedName": f"retail_tableau.{workbook}.{name}",
                    "connectionName": "retail_tableau",
                    "serverType": "tableau",
                    "schemaName": None,
                    "reportName": workbook,
                    "reportGroup": workbook,
                    "businessDescription": description,
                    "technicalDescription": "",
                    "owner": sd.OWNER_SALES,
                    "steward": sd.STEWARD_SALES,
                    "custodian": sd.CUSTODIAN_PLATFORM,
                    "tags": list(tags),
                    "terms": list(terms),
                    "lastCrawled": LAST_CRAWLED,
                    **facets,
                }
            )
        bucket = self.connections[sd.FILE_BUCKET_CONNECTION]
        for file in [*sd.FILES, *(wide.files() if self.wide_lineage else [])]:
            self._add_container(
                file,
                "oefile",
                f"{bucket['connectionName']}.{file['folder']}/{file['name']}",
                {
                    "connectionName": bucket["connectionName"],
                    "serverType": bucket["serverType"],
                    "schemaName": None,
                    "folder": file["folder"],
                    "fileType": file["fileType"],
                },
            )
        for code in sdq.CODE_OBJECTS:
            self.add_code_object(*code)
        self._add_placements()
        self._add_glossary()
        self._add_tags()
        self._add_stories()
        self._resolve_foreign_keys()
        self._derive_facets()
        edges = list(sd.LINEAGE_EDGES)
        if self.wide_lineage:
            ids = {name: doc["objectId"] for doc in self.objects.values()
                   for name in (doc["objectName"], f"{doc.get('schemaName')}.{doc['objectName']}")
                   if doc["objectType"] in ("oetable", "oefile", "oechart")}
            edges += wide.edges(ids)
        for source, target, transformation in edges:
            self.downstream[source].append((target, transformation))
            self.upstream[target].append((source, transformation))

    def _add_container(
        self, spec: dict[str, Any], object_type: str, fqn: str, common: dict[str, Any], **own: Any
    ) -> None:
        """A table or a file (`spec` from sample_data) and its columns; `common` goes on both."""
        people = {key: spec[key] for key in ("owner", "steward", "custodian")}
        container_id = spec["id"]
        self.row_counts[container_id] = spec["rows"]
        self._add(
            {
                "objectId": container_id,
                "objectType": object_type,
                "objectName": spec["name"],
                "fullyQualifiedName": fqn,
                **common,
                **people,
                **own,
                "businessDescription": spec["business"],
                "technicalDescription": spec["technical"],
                "rowCount": spec["rows"],
                "columnCount": len(spec["columns"]),
                "tags": list(spec["tags"]),
                "terms": list(spec["terms"]),
                "lastCrawled": LAST_CRAWLED,
                **spec["facets"],
            }
        )
        column_type, container_key = _COLUMNS_OF[object_type]
        for position, (name, data_type, description, extras) in enumerate(spec["columns"], 1):
            cid = container_id * 100 + position
            self.columns[container_id].append(cid)
            extras = dict(extras)
            self.column_extras[cid] = extras
            self._add(
                {
                    "objectId": cid,
                    "objectType": column_type,
                    "objectName": name,
                    "fullyQualifiedName": f"{fqn}.{name}",
                    **common,
                    **people,
                    container_key: container_id,
                    "dataType": data_type,
                    "columnPosition": position,
                    "isPrimaryKey": bool(extras.get("pk")),
                    "isForeignKey": "fk" in extras,
                    "businessDescription": description,
                    "technicalDescription": "",
                    "tags": list(extras.get("tags", [])),
                    "terms": list(extras.get("terms", [])),
                    **({"customFields": dict(extras["customFields"])} if "customFields" in extras else {}),
                }
            )

    def add_code_object(
        self, code_id: int, schema_id: int, name: str, description: str, query: str, owner: str, created: str
    ) -> dict[str, Any]:
        """A SQL code object (`oequery`) in a schema."""
        schema = self.objects[schema_id]
        return self._add(
            {
                "objectId": code_id,
                "objectType": "oequery",
                "objectName": name,
                "fullyQualifiedName": f"{schema['fullyQualifiedName']}.{name}",
                "connectionName": schema["connectionName"],
                "serverType": schema["serverType"],
                "schemaName": schema["objectName"],
                "schemaId": schema_id,
                "queryText": query,
                "businessDescription": description,
                "technicalDescription": "",
                "owner": owner,
                "steward": owner,
                "custodian": sd.CUSTODIAN_PLATFORM,
                "tags": [],
                "terms": [],
                "createdDate": created,
            }
        )

    def _add_placements(self) -> None:
        def add(kind: str, object_id: int, name: str, roles: dict[str, Any], **above: Any) -> None:
            self.placements[object_id] = {
                "objectId": object_id,
                "objectType": kind,
                "objectName": name,
                "navLink": nav_link(kind, object_id),
                **above,
                **roles,
            }

        for domain_id, name, description, owner, steward in sd.GLOSSARY_DOMAINS:
            roles = {"owner": owner, "steward": steward, "custodian": None}
            add("oeglobaldomain", domain_id, name, {**roles, "domainDescription": description})
        for category_id, domain_id, name in sd.GLOSSARY_CATEGORIES:
            add("category", category_id, name, self.roles_of(self.placements[domain_id]), domainId=domain_id)
        for subcategory_id, category_id, name in sd.GLOSSARY_SUBCATEGORIES:
            category = self.placements[category_id]
            add(
                "subcategory",
                subcategory_id,
                name,
                self.roles_of(category),
                domainId=category["domainId"],
                categoryId=category_id,
            )

    @staticmethod
    def roles_of(record: dict[str, Any]) -> dict[str, Any]:
        return {role: record.get(role) for role in ("owner", "steward", "custodian")}

    def placement_of(self, category_id: int | None, subcategory_id: int | None = None) -> dict[str, Any]:
        """The placement fields of a term under this category (and subcategory)."""
        fields: dict[str, Any] = {}
        for kind, object_id in (("category", category_id), ("subcategory", subcategory_id)):
            if object_id is not None:
                record = self.placements[object_id]
                fields |= {f"{kind}Id": object_id, f"{kind}Name": record["objectName"]}
        return fields

    def add_term(
        self, term_id: int, name: str, domain_id: int, placement: dict[str, Any], **content: Any
    ) -> dict[str, Any]:
        """A glossary term in a domain (`placement`: its category and subcategory fields);
        `content` gives status, businessDescription, detailedDescription, owner and steward,
        optionally synonyms, copyDescriptionToAssociations and customFields."""
        domain = self.placements[domain_id]
        fqn = ".".join(n for n in (domain["objectName"], placement.get("categoryName"), name) if n)
        return self._add(
            {
                "objectId": term_id,
                "objectType": "glossary",
                "objectName": name,
                "fullyQualifiedName": fqn,
                "domainId": domain_id,
                "domainName": domain["objectName"],
                **placement,
                "synonyms": [],
                "custodian": None,
                "tags": [],
                "terms": [],
                "copyDescriptionToAssociations": False,
                "associatedObjects": [],
                "relatedTerms": [],
                **content,
            }
        )

    def _add_glossary(self) -> None:
        by_name = {term["name"]: term for term in sd.GLOSSARY}
        categories = {name: (cid, domain_id) for cid, domain_id, name in sd.GLOSSARY_CATEGORIES}
        subcategories = {name: sid for sid, _, name in sd.GLOSSARY_SUBCATEGORIES}
        for term in sd.GLOSSARY:
            linked = self.linked_to_term(term["name"])
            category_id, domain_id = categories[term["category"]]
            doc = self.add_term(
                term["id"],
                term["name"],
                domain_id,
                self.placement_of(category_id, subcategories.get(term["subcategory"])),
                status=term["status"],
                businessDescription=term["definition"],
                detailedDescription=term["detailed"],
                synonyms=list(term["synonyms"]),
                owner=term["owner"],
                steward=term["steward"],
                copyDescriptionToAssociations=term["propagates"],
                associatedObjects=[ref(d) for d in linked],
                **({"customFields": dict(term["customFields"])} if "customFields" in term else {}),
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
                    if linked_doc["objectType"] in ("oecolumn", "oefilecolumn"):
                        linked_doc["businessDescription"] = term["definition"]
                        linked_doc["steward"] = term["steward"]
                        self.inherited_business[linked_doc["objectId"]] = term["id"]

    def add_tag(
        self,
        tag_id: int,
        name: str,
        description: str,
        parent: dict[str, Any] | None,
        master: dict[str, Any] | None,
        owner: str,
    ) -> dict[str, Any]:
        """A tag under `parent` (None: at the top, under `master` when tags are secured)."""
        doc = self._add(
            {
                "objectId": tag_id,
                "objectType": "oetag",
                "objectName": name,
                "fullyQualifiedName": f"{parent['objectName']}.{name}" if parent else name,
                "tagDescription": description,
                "businessDescription": description,
                "parentTag": tag_ref(parent) if parent else None,
                "childTags": [],
                "masterTag": tag_ref(master) if master else None,
                "owner": owner,
                "steward": owner,
                "custodian": None,
                "tags": [],
                "terms": [],
                "taggedObjects": [ref(d) for d in self.tagged_with(name)],
            }
        )
        above = parent or master
        if above is not None:
            above["childTags"].append(tag_ref(doc))
        return doc

    def _add_tags(self) -> None:
        masters = {}
        for master_id, name, description, top_tags in sd.MASTER_TAGS:
            master = self._add(
                {
                    "objectId": master_id,
                    "objectType": "mastertag",
                    "objectName": name,
                    "fullyQualifiedName": name,
                    "masterTagDescription": description,
                    "businessDescription": description,
                    "childTags": [],
                    "owner": sd.STEWARD_CUSTOMER,
                    "steward": sd.STEWARD_CUSTOMER,
                    "custodian": None,
                    "tags": [],
                    "terms": [],
                }
            )
            masters |= dict.fromkeys(top_tags, master)
        by_name: dict[str, dict[str, Any]] = {}
        for tid, name, parent_name, description in sd.TAGS:
            master = masters.setdefault(name, masters.get(parent_name))  # a child follows its parent
            parent = by_name.get(parent_name)
            by_name[name] = self.add_tag(tid, name, description, parent, master, sd.STEWARD_CUSTOMER)

    def _add_stories(self) -> None:
        for zone_id, name, description, owner in stories.STORY_ZONES:
            self._add(
                {
                    "objectId": zone_id,
                    "objectType": "storyzone",
                    "objectName": name,
                    "fullyQualifiedName": name,
                    "businessDescription": description,
                    "owner": owner,
                    "steward": None,
                    "custodian": None,
                    "tags": [],
                    "terms": [],
                    "stories": [],
                }
            )
        for story in stories.STORIES:
            zone = self.objects[story["zone"]]
            mentioned = dict.fromkeys(int(i) for i in _MENTION.findall(story["content"]))
            doc = self._add(
                {
                    "objectId": story["id"],
                    "objectType": "oestory",
                    "objectName": story["name"],
                    "fullyQualifiedName": f"{zone['objectName']}.{story['name']}",
                    "storyZoneId": zone["objectId"],
                    "storyZoneName": zone["objectName"],
                    "businessDescription": story["summary"],
                    "technicalDescription": "",
                    "owner": story["owner"],
                    "steward": story["steward"],
                    "custodian": None,
                    "tags": [],
                    "terms": [],
                    "createdDate": story["created"],
                    "storyContent": _MENTION.sub(
                        lambda m: html_link(self.objects[int(m.group(1))]), story["content"]
                    ),
                    "mentionedObjects": [ref(self.objects[i]) for i in mentioned],
                }
            )
            zone["stories"].append(ref(doc))

    def _resolve_foreign_keys(self) -> None:
        index = {
            (d["schemaName"], d["tableName"], d["objectName"]): d["objectId"]
            for d in self.of_type("oecolumn")
        }
        for extras in self.column_extras.values():
            if "fk" in extras:
                schema, table, column = extras["fk"].split(".")
                extras["_fk_id"] = index[(schema, table, column)]

    def _derive_facets(self) -> None:
        for container in self.of_type(*CONTAINER_TYPES):
            columns = self.column_docs(container["objectId"])
            profiles = self.profile(container["objectId"])
            for column, profile in zip(columns, profiles, strict=True):
                self._derive_column_facets(column, container, profile["nullPercent"])
            container["nullDensity"] = round(fmean(c["nullDensity"] for c in columns), 2)
            container["density"] = round(100 - container["nullDensity"], 2)
            cde = any(c["criticalDataElement"] == "Yes" for c in columns)
            container["criticalDataElement"] = "Yes" if cde else "No"

    def _derive_column_facets(
        self, column: dict[str, Any], container: dict[str, Any], null_percent: float
    ) -> None:
        extras = self.column_extras[column["objectId"]]
        seed = zlib.crc32(column["fullyQualifiedName"].encode())
        classifications = [
            label for tag, label in (("PII", "PII"), ("Finance", "Confidential")) if tag in column["tags"]
        ]
        column.update(
            {
                "nullDensity": null_percent,
                "density": round(100 - null_percent, 2),
                "dqIndex": max(0, container["dqIndex"] - round(null_percent / 4)),
                "popularity": container["popularity"] * (20 + seed % 60) // 100,
                "curationScore": container["curationScore"] if column["businessDescription"] else 40,
                "createdDate": extras.get("created", container["createdDate"]),
                "criticalDataElement": "Yes" if extras.get("cde") else "No",
                "sensitivity": "High" if "PII" in column["tags"] else container["sensitivity"],
            }
        )
        if classifications:
            column["classifications"] = classifications

    # ---------------------------------------------------------------- profiles

    def profile(self, container_id: int) -> list[dict[str, Any]]:
        """Column statistics of a table or a file."""
        rows = self.row_counts[container_id]
        return [self._column_profile(cid, rows) for cid in self.columns[container_id]]

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
            distinct = min(filled, self.row_counts[target_table])
            low, high = 1, self.row_counts[target_table]
        elif data_type.startswith(("numeric", "number", "int", "bigint", "decimal")):
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
        mine = set(self.columns[table_id])
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
