"""The sample catalog is coherent (sandbox/catalog.py and the sample data modules)."""

from __future__ import annotations

import html
import re
from datetime import date
from graphlib import TopologicalSorter

from sandbox import SandboxState, dq_sql
from sandbox import sample_access as sa
from sandbox import sample_crawls as sc
from sandbox import sample_data as sd
from sandbox import sample_dq as sdq
from sandbox import sample_governance as sg
from sandbox.catalog import Catalog
from sandbox.data_quality import DataQuality


def test_sample_catalog_is_coherent():
    catalog = Catalog()
    kinds = {}
    for doc in catalog.objects.values():
        kinds[doc["objectType"]] = kinds.get(doc["objectType"], 0) + 1
    assert len(catalog.connections) == 4  # grown from 3: the S3 bucket of files
    # grown from 3 schemas and 12 tables: archive.fct_sales
    assert kinds["oeschema"] == 4 and kinds["oetable"] == 13 and kinds["oechart"] == 4
    assert kinds["oecolumn"] >= 60 and kinds["glossary"] == 8 and kinds["oetag"] == 6
    assert len(sd.PLATFORM_DOCS) == 8
    every_tag = {name for _, name, _, _ in sd.TAGS}
    every_term = {t["name"] for t in sd.GLOSSARY}
    for doc in catalog.objects.values():
        assert set(doc.get("tags", [])) <= every_tag
        assert set(doc.get("terms", [])) <= every_term
        assert catalog.by_fqn(doc["fullyQualifiedName"]) is doc
        assert doc["navLink"].startswith("#nav/") and doc["navLink"].endswith(f"id={doc['objectId']}")
    graph = {}
    for source, target, _ in sd.LINEAGE_EDGES:
        assert source in catalog.objects and target in catalog.objects
        graph.setdefault(target, set()).add(source)
    order = list(TopologicalSorter(graph).static_order())  # raises CycleError on a cycle
    assert order.index(1001) < order.index(1006) < order.index(1009) < order.index(3003)
    for table_id in catalog.columns:
        assert catalog.relationships(table_id) is not None
        assert len(catalog.profile(table_id)) == len(catalog.columns[table_id])
    assert Catalog().objects == catalog.objects  # stable ids and content
    assert SandboxState().catalog is not SandboxState().catalog


def test_ids_follow_the_scheme_and_are_not_reused():
    catalog = Catalog()
    ranges = {
        "oeschema": range(100, 200),
        "oetable": range(1000, 1100),
        "glossary": range(2000, 2100),
        "oechart": range(3000, 3100),
        "oetag": range(4000, 4100),
        "mastertag": range(4100, 4200),
        "oefile": range(5000, 5100),
        "oestory": range(6000, 6100),
        "storyzone": range(6100, 6200),
        "oequery": range(8100, 8200),
    }
    for doc in catalog.objects.values():
        kind, object_id = doc["objectType"], doc["objectId"]
        if kind in ("oecolumn", "oefilecolumn"):
            container = doc.get("tableId") or doc["fileId"]
            assert object_id == container * 100 + doc["columnPosition"]
        else:
            assert object_id in ranges[kind], (kind, object_id)
    placement_ids = [
        placement[0] for placements in (sd.GLOSSARY_DOMAINS, sd.GLOSSARY_CATEGORIES, sd.GLOSSARY_SUBCATEGORIES)
        for placement in placements
    ]
    assert all(2100 <= i < 2200 for i in placement_ids) and not set(placement_ids) & set(catalog.objects)
    assert sorted(catalog.placements) == sorted(placement_ids)
    crawl_ids = [crawl_id for crawls in sc.CRAWLS.values() for crawl_id, _, _ in crawls]
    assert all(7000 <= i < 7100 for i in crawl_ids) and not set(crawl_ids) & set(catalog.objects)


def test_files_and_stories_are_coherent():
    catalog = Catalog()
    files = catalog.of_type("oefile")
    assert [f["objectId"] for f in files] == [5001, 5002, 5003]
    for file in files:
        assert (
            file["connectionName"] == "retail_s3"
            and file["navLink"] == f"#nav/file?browse=summary&id={file['objectId']}"
        )
        assert file["fullyQualifiedName"] == f"retail_s3.{file['folder']}/{file['objectName']}"
        assert [c["fileId"] for c in catalog.column_docs(file["objectId"])] == [file["objectId"]] * file[
            "columnCount"
        ]
    in_lineage = {node for source, target, _ in sd.LINEAGE_EDGES for node in (source, target)}
    assert {5001, 5002} <= in_lineage and 5003 not in in_lineage
    zones = {z["objectId"]: z for z in catalog.of_type("storyzone")}
    for story in catalog.of_type("oestory"):
        assert story["navLink"] == f"#nav/story?id={story['objectId']}"
        assert ref_of(story) in zones[story["storyZoneId"]]["stories"]
        content = story["storyContent"]
        assert (
            content.startswith("<h2>") and "<p>" in content and "<ul><li>" in content and "{" not in content
        )
        linked = re.findall(r'<a href="([^"]+)">([^<]+)</a>', content)
        assert linked and len(story["mentionedObjects"]) == len({href for href, _ in linked})
        for href, name in linked:  # every mention names a real object by its link
            [doc] = [d for d in catalog.objects.values() if d["navLink"] == html.unescape(href)]
            assert html.unescape(name) == doc["objectName"]


def ref_of(doc):
    return {key: doc[key] for key in ("objectId", "objectType", "objectName", "navLink")}


def test_facets_agree_with_the_rest_of_the_data():
    catalog = Catalog()
    for container in catalog.of_type("oetable", "oefile"):
        columns = catalog.column_docs(container["objectId"])
        profile = {p["columnId"]: p for p in catalog.profile(container["objectId"])}
        for column in columns:
            assert column["nullDensity"] == profile[column["objectId"]]["nullPercent"]
            assert column["density"] == round(100 - column["nullDensity"], 2)
            assert column["criticalDataElement"] in ("Yes", "No")
            assert ("PII" in column.get("classifications", [])) == ("PII" in column["tags"])
        assert container["nullDensity"] == round(sum(c["nullDensity"] for c in columns) / len(columns), 2)
        assert container["criticalDataElement"] == (
            "Yes" if any(c["criticalDataElement"] == "Yes" for c in columns) else "No"
        )
        assert container["rowCount"] == catalog.row_counts[container["objectId"]]
    for doc in catalog.objects.values():
        if "certification" in doc:
            assert doc["certification"] in ("certified", "caution", "draft", "none")
            assert (doc["certification"] == "certified") == ("Certified" in doc["tags"]), doc["objectName"]
        if "rating" in doc:
            assert 0 <= doc["rating"] <= 5 and round(doc["rating"], 1) == doc["rating"]
        for score in ("dqIndex", "curationScore"):
            assert 0 <= doc.get(score, 0) <= 100
        if "createdDate" in doc:
            assert date.fromisoformat(doc["createdDate"]) <= date(2025, 11, 20)
    views = sorted(t["objectName"] for t in catalog.of_type("oetable") if t["tableType"] == "VIEW")
    assert views == ["stg_customers", "stg_products"]


def test_governance_sample_data_is_coherent():
    catalog = Catalog()
    assert set(sa.CATALOG_USERS) <= set(sg.USERS) and sg.CURRENT_USER in sg.USERS
    assert all(9000 <= i < 9100 for i in sg.USERS.values()) and len(set(sg.USERS.values())) == len(sg.USERS)
    for record in [*catalog.objects.values(), *catalog.placements.values()]:
        for role in sg.GOVERNANCE_ROLES:
            assert record.get(role) is None or record[role] in sg.USERS, (record["objectName"], role)
    categories = [name for _, _, name in sd.GLOSSARY_CATEGORIES]
    assert len(categories) == len(set(categories))
    domains_with_categories = {domain_id for _, domain_id, _ in sd.GLOSSARY_CATEGORIES}
    categories_with_subcategories = {category_id for _, category_id, _ in sd.GLOSSARY_SUBCATEGORIES}
    assert {d for d, *_ in sd.GLOSSARY_DOMAINS} - domains_with_categories  # a domain without categories
    assert {c for c, *_ in sd.GLOSSARY_CATEGORIES} - categories_with_subcategories
    for term in catalog.of_type("glossary"):
        assert catalog.placements[term["domainId"]]["objectType"] == "oeglobaldomain"
        assert catalog.placements[term["categoryId"]]["domainId"] == term["domainId"]
        if "subcategoryId" in term:
            assert catalog.placements[term["subcategoryId"]]["categoryId"] == term["categoryId"]


def test_every_tag_sits_under_a_master_tag():
    catalog = Catalog()
    masters = {m["objectId"]: m for m in catalog.of_type("mastertag")}
    assert sorted(m["objectName"] for m in masters.values()) == ["Business Area", "Data Sensitivity", "Lifecycle"]
    for tag in catalog.of_type("oetag"):
        master = masters[tag["masterTag"]["objectId"]]
        on_top = tag["parentTag"] is None
        assert (tag["objectId"] in {c["objectId"] for c in master["childTags"]}) == on_top
        if not on_top:
            assert catalog.objects[tag["parentTag"]["objectId"]]["masterTag"] == tag["masterTag"]


def test_custom_field_values_agree_with_their_definitions():
    catalog = Catalog()
    keys = [f["fieldKey"] for f in sg.CUSTOM_FIELDS]
    assert len(keys) == len(set(keys))
    by_type: dict[str, dict[str, dict]] = {}
    for definition in sg.CUSTOM_FIELDS:
        assert definition["type"] in sg.FIELD_TYPES
        assert ("options" in definition) == (definition["type"] == "code")
        assert not definition.get("allowMultiple") or definition["type"] == "code"
        for object_type in definition["objectTypes"]:
            assert definition["fieldName"] not in by_type.get(object_type, {})
            by_type.setdefault(object_type, {})[definition["fieldName"]] = definition
    set_somewhere = set()
    for doc in catalog.objects.values():
        for name, value in doc.get("customFields", {}).items():
            definition = by_type[doc["objectType"]][name]
            set_somewhere.add(definition["fieldKey"])
            names = [option for _, option in definition.get("options", [])]
            kind = definition["type"]
            if kind == "code" and definition.get("allowMultiple"):
                assert value and set(value) <= set(names), (doc["objectName"], name, value)
            elif kind == "code":
                assert value in names, (doc["objectName"], name, value)
            elif kind == "numeric":
                assert isinstance(value, int | float)
            elif kind == "date":
                assert date.fromisoformat(value)
            else:
                assert isinstance(value, str) and value
        for definition in by_type.get(doc["objectType"], {}).values():
            if definition.get("required"):
                assert definition["fieldName"] in doc["customFields"], (doc["objectName"], definition)
        if doc["objectType"] in ("oetable", "oechart"):
            assert ("Certified By" in doc["customFields"]) == (doc["certification"] == "certified")
    assert set_somewhere == set(keys)  # every field has a value somewhere


def test_dq_sample_data_is_coherent():
    catalog = Catalog()
    rules = DataQuality(catalog).rules
    assert all(8000 <= i < 8100 for i in rules) and {r["function"] for r in rules.values()} <= set(sdq.DQ_FUNCTIONS)
    for code in catalog.of_type("oequery"):
        read, errors = dq_sql.tables_named(catalog, catalog.objects[code["schemaId"]], code["queryText"])
        assert read and not errors, code["objectName"]
    for rule in rules.values():
        on = [catalog.objects[o["objectId"]] for o in rule["associatedObjects"]]
        if rule["ruleType"] == "custom_sql":
            schema = catalog.objects[rule["schemaId"]]
            read, _ = dq_sql.tables_named(catalog, schema, rule["ruleQuery"])
            assert {t["objectId"] for t in read} == {d["objectId"] for d in on}
        else:
            assert all(d["objectType"] in ("oecolumn", "oefilecolumn") for d in on)
    on_cde = [r for r in rules.values() if any(catalog.objects[o["objectId"]]["criticalDataElement"] == "Yes" for o in r["associatedObjects"])]
    assert on_cde and [r for r in rules.values() if not r["associatedObjects"]]  # some on CDE columns, some on nothing


def test_a_write_in_one_sandbox_never_reaches_another():
    """Documents are the sandbox's own: nested sample values (facets, custom fields) are copied."""
    first = Catalog()
    first.get(1002)["customFields"]["Refresh Schedule"] = "hourly"
    first.get(1002)["classifications"].append("Secret")
    fresh = Catalog().get(1002)
    assert "Refresh Schedule" not in fresh["customFields"] and "Secret" not in fresh["classifications"]
