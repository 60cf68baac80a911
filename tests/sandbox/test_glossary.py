"""domain-metadata and POST glossary-terms (sandbox/glossary.py): the placement picker, and
created terms found by search, the exact lookups and asset-details."""

from __future__ import annotations

import pytest

from tests.sandbox.support import (
    DOMAIN_METADATA,
    EXPLORER,
    GLOSSARY_TERMS,
    details_of,
    explorer_ids,
    get_data,
    names,
    post_data,
    post_error,
)


async def pick(client, headers, **params) -> dict:
    return await get_data(client, headers, DOMAIN_METADATA, {"page": 0, "size": 100, **params})


async def test_the_picker_walks_domains_categories_and_subcategories(client, headers):
    domains = await pick(client, headers, searchOn="oeglobaldomain")
    assert domains == {
        "domains": [
            {"globaldomainid": 2101, "domain": "Retail Analytics"},
            {"globaldomainid": 2102, "domain": "Supply Chain"},
            {"globaldomainid": 2103, "domain": "Data Governance Office"},
        ],
        "total": 3,
    }
    categories = await pick(client, headers, searchOn="category", domainId=2102)
    assert categories == {
        "Category": [
            {"categoryId": 2113, "categoryName": "Purchasing", "isSubCategory": False},
            {"categoryId": 2114, "categoryName": "Inventory", "isSubCategory": False},
        ],
        "total": 2,
    }
    assert await pick(client, headers, searchOn="category", domainId=2103) == {"Category": [], "total": 0}
    subcategories = await pick(client, headers, searchOn="subcategory", domainId=2102, categoryId=2113)
    assert subcategories == {
        "SubCategory": [
            {"subCategoryId": 2123, "subCategoryName": "Supplier Costs"},
            {"subCategoryId": 2124, "subCategoryName": "Supplier Performance"},
        ],
        "total": 2,
    }
    assert (await pick(client, headers, searchOn="subcategory", domainId=2102, categoryId=2114))["total"] == 0
    second = await get_data(client, headers, DOMAIN_METADATA, {"searchOn": "oeglobaldomain", "page": 1, "size": 1})
    assert second == {"domains": [{"globaldomainid": 2102, "domain": "Supply Chain"}], "total": 3}
    defaults = await get_data(client, headers, DOMAIN_METADATA, {"searchOn": "category", "domainId": 2101})
    assert [c["categoryName"] for c in defaults["Category"]] == ["Sales", "Customer"]


async def test_the_picker_takes_the_reference_query_with_zeros_for_unknown_ids(client, headers):
    """The reference always sends domainId and categoryId (0: not known), and subCategoryId=0 at
    the subcategory level, where the category alone is enough (its tests' exact queries)."""
    domains = await pick(client, headers, searchOn="oeglobaldomain", domainId=0, categoryId=0)
    assert [d["globaldomainid"] for d in domains["domains"]] == [2101, 2102, 2103]
    categories = await pick(client, headers, searchOn="category", domainId=2102, categoryId=0)
    assert [c["categoryId"] for c in categories["Category"]] == [2113, 2114]
    by_category = await pick(client, headers, searchOn="subcategory", domainId=0, categoryId=2113, subCategoryId=0)
    assert [s["subCategoryId"] for s in by_category["SubCategory"]] == [2123, 2124]
    both = await pick(client, headers, searchOn="subcategory", domainId=2102, categoryId=2113, subCategoryId=0)
    assert both == by_category


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"searchOn": "domain"},
        {"searchOn": "category"},
        {"searchOn": "category", "domainId": 0, "categoryId": 0},
        {"searchOn": "subcategory", "domainId": 2102, "categoryId": 0, "subCategoryId": 0},
        {"searchOn": "category", "domainId": 9999},
        {"searchOn": "category", "domainId": 2111},  # a category, not a domain
        {"searchOn": "subcategory", "domainId": 2101},
        {"searchOn": "subcategory", "domainId": 2101, "categoryId": 2113},  # Purchasing is in Supply Chain
        {"searchOn": "oeglobaldomain", "size": 501},
        {"searchOn": "oeglobaldomain", "size": 0},
        {"searchOn": "oeglobaldomain", "page": -1},
    ],
)
async def test_the_picker_rejects_bad_parameters(client, headers, params):
    response = await client.get(DOMAIN_METADATA, params=params, headers=headers)
    assert response.status_code == 400 and response.json()["ok"] is False, params


def term_body(name="Landed Cost", domain=2102, category=2113, subcategory=2123, publish=False, **extra):
    return {
        "termName": name,
        "domainId": domain,
        "description": "Purchase cost of a product including freight and duties.",
        "category1Id": category,
        "category2Id": subcategory,
        "publish": publish,
        **extra,
    }


async def test_a_created_term_is_found_everywhere(sandbox, client, headers):
    body = term_body(definition="Freight and duties are spread over the units of one delivery.")
    created = await post_data(client, headers, GLOSSARY_TERMS, body)
    term_id = created["businessGlossaryId"]
    assert created == {  # the reference's answer: tests/tools/test_governance.py @7be16022
        "businessGlossaryId": term_id,
        "termName": "Landed Cost",
        "status": "DRAFT",
        "domainId": 2102,
        "navLink": f"#nav/glossary?browse=summary&id={term_id}",
    }
    assert 2000 < term_id < 2100 and term_id not in {2001, 2002, 2003, 2004, 2005, 2006, 2007, 2008}
    assert sandbox.state.requests[-1].json == body
    details = await details_of(client, headers, term_id, "glossary")
    assert details["businessDescription"] == body["description"]
    assert details["detailedDescription"] == body["definition"]
    assert (details["owner"], details["steward"], details["categoryId"], details["subcategoryId"]) == (
        "chloe.nguyen",
        "chloe.nguyen",
        2113,
        2123,
    )
    assert details["fullyQualifiedName"] == "Supply Chain.Purchasing.Landed Cost"
    search = await post_data(client, headers, EXPLORER, {"search": {"searchTerms": ["landed cost"], "page": 1, "limit": 5}})
    assert search["items"][0]["objectId"] == term_id
    exact = await post_data(client, headers, EXPLORER, {"objectType": "glossary", "name": "LANDED COST"})
    assert [t["objectId"] for t in exact["glossaryTerms"]] == [term_id]
    by_id = await post_data(client, headers, EXPLORER, {"objectType": "glossary", "objectId": term_id})
    assert by_id["glossaryTerms"][0]["status"] == "Draft"
    placed = await post_data(client, headers, EXPLORER, {"glossaryPlacement": {"subcategoryId": 2123}})
    assert names(placed["glossaryTerms"]) == ["Landed Cost"]
    assert term_id in await explorer_ids(client, headers, "glossary", termStatus=["Draft"])
    first_generation = await client.get(GLOSSARY_TERMS, params={"termName": "Landed Cost"}, headers=headers)
    assert first_generation.json()["data"]["objectId"] == term_id


async def test_published_terms_placed_in_a_domain_alone_and_names_unique_per_domain(client, headers):
    policy = await post_data(
        client, headers, GLOSSARY_TERMS, term_body("Data Retention", domain=2103, category=0, subcategory=0, publish=True)
    )
    assert policy["status"] == "PUBLISHED" and policy["domainId"] == 2103
    details = await details_of(client, headers, policy["businessGlossaryId"], "glossary")
    assert "categoryId" not in details and details["fullyQualifiedName"] == "Data Governance Office.Data Retention"
    no_sub = await post_data(client, headers, GLOSSARY_TERMS, term_body("Stock Turn", category=2114, subcategory=0))
    inventory = await details_of(client, headers, no_sub["businessGlossaryId"], "glossary")
    assert inventory["categoryId"] == 2114 and "subcategoryId" not in inventory
    duplicate = await post_error(client, headers, GLOSSARY_TERMS, term_body("stock turn", category=2113, subcategory=0), 409)
    assert duplicate["code"] == "duplicate_term" and "Stock Turn" in duplicate["message"]
    taken = await post_error(client, headers, GLOSSARY_TERMS, term_body("revenue", domain=2101, category=2111, subcategory=2121), 409)
    assert "2001" in taken["message"]
    elsewhere = await post_data(client, headers, GLOSSARY_TERMS, term_body("Revenue", domain=2103, category=0, subcategory=0))
    assert (await details_of(client, headers, elsewhere["businessGlossaryId"], "glossary"))["domainId"] == 2103


async def test_the_created_shape_without_a_nav_link(sandbox, client, headers):
    sandbox.state.shapes["glossary_term_created"] = "ids_only"
    created = await post_data(client, headers, GLOSSARY_TERMS, term_body("Bare Term", category=2114, subcategory=0))
    assert set(created) == {"businessGlossaryId", "termName", "status", "domainId"}


@pytest.mark.parametrize(
    "body",
    [
        [],
        {k: v for k, v in term_body().items() if k != "termName"},
        {k: v for k, v in term_body().items() if k != "description"},
        term_body(description="   "),
        term_body(termName=""),
        term_body(domain=9999),
        term_body(domain=2113),
        term_body(domain=2101, category=2113),  # Purchasing is not in Retail Analytics
        term_body(subcategory=2121),  # Revenue Metrics is not under Purchasing
        term_body(category=0, subcategory=2123),
        term_body(category=-1),
        term_body(publish="yes"),
        term_body(domain="2102"),
        term_body(synonyms=["x"]),
    ],
)
async def test_create_term_rejects_bad_bodies(client, headers, body):
    await post_error(client, headers, GLOSSARY_TERMS, body, 400)
