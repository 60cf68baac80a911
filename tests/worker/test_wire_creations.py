"""The guided creations on OvalEdge's real wire, through `oe-mcp-local --demo`: create_glossary_term
and create_tag send the queries and bodies the reference `ovaledge/oe_mcp` sends, read the keys
it reads, and report what was created with its link (docs/wire.md, the domain-metadata,
glossary-terms, tags/create-options, tags/parent-options and POST tags entries).

For both tools: a picker step or a preview posts nothing; the confirmed call posts exactly the
evidenced body once; the result names what was created, with its link.
"""

from __future__ import annotations

from typing import Any

from tests.harness import demo_supervisor, result_json, result_text
from tests.worker.test_tools_wire import EXPLORER, GET, sent
from tests.worker.test_writes_wire import PLACEMENT, TAG_OPTIONS, TAG_PARENTS, TAGS, TERMS, posts_to

SUPPLY_CHAIN, PURCHASING, INVENTORY, SUPPLIER_COSTS = 2102, 2113, 2114, 2123
DATA_SENSITIVITY, BUSINESS_AREA = 4101, 4102
SENSITIVE, PII = 4001, 4002


def queries(recorded: list[dict[str, Any]], path: str) -> list[dict[str, Any]]:
    """The query strings of the GETs to `path`, in order (values as sent: strings)."""
    return [query for method, where, query in sent(recorded) if method == GET and where == path]


def picker_query(search_on: str, domain: int = 0, category: int = 0, **extra: int) -> dict[str, str]:
    """The reference's domain-metadata query (glossary_helpers.py @554c256d)."""
    query = {"searchOn": search_on, "page": 0, "size": 100, "domainId": domain, "categoryId": category, **extra}
    return {key: str(value) for key, value in query.items()}


async def confirmed(conn, tool: str, args: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(the preview, the answer to confirming it with its token)."""
    preview = result_json(await conn.call(tool, args))
    assert preview["awaitingUserConfirmation"] is True and preview["workflowPhase"] == "confirm_create", preview
    done = await conn.call(tool, {**args, "write_confirmed_by_user": True,
                                  "confirmation_token": preview["confirmationToken"]})
    return preview, result_json(done)


# -- create_glossary_term ------------------------------------------------------------------------

async def test_glossary_pickers_send_the_reference_query_and_trust_given_ids(tmp_path):
    async with demo_supervisor(tmp_path / "s.sock") as (conn, sandbox):
        domains = result_json(await conn.call("create_glossary_term", {"search_on": "oeglobaldomain",
                                                                       "skip_category": True}))
        assert domains["workflowPhase"] == "select_domain"
        assert domains["notes"] == ["ignored skip_category: search_on only lists one picker level"]
        # REF-TEST: {"searchOn":"oeglobaldomain","page":0,"size":100,"domainId":0,"categoryId":0}
        assert queries(await sandbox.requests(), PLACEMENT) == [picker_query("oeglobaldomain")]

        await sandbox.reset()  # a subcategory listing needs only its category; domainId goes as 0
        subs = result_json(await conn.call("create_glossary_term", {"search_on": "subcategory",
                                                                    "category_id": PURCHASING}))
        assert [o["name"] for o in subs["placementOptions"]] == ["Supplier Costs", "Supplier Performance"]
        assert queries(await sandbox.requests(), PLACEMENT) == [
            picker_query("subcategory", 0, PURCHASING, subCategoryId=0)]
        no_domain = await conn.call("create_glossary_term", {"search_on": "category"})
        assert no_domain.is_error and "search_on=category needs domain_id" in result_text(no_domain)

        await sandbox.reset()  # names match ignoring case, spaces, "_" and "-"
        term = {"term_name": "Reorder Point", "domain_name": "supplychain > IN-VENTORY"}
        asked = result_json(await conn.call("create_glossary_term", term))
        assert asked["workflowPhase"] == "collect_description" and asked["placementPath"] == "Supply Chain > Inventory"
        assert queries(await sandbox.requests(), PLACEMENT) == [
            picker_query("oeglobaldomain"), picker_query("category", SUPPLY_CHAIN),
            picker_query("subcategory", SUPPLY_CHAIN, INVENTORY, subCategoryId=0)]
        by_ids = result_json(await conn.call("create_glossary_term", {  # names the pickers showed label ids
            "term_name": "Reorder Point", "domain_id": SUPPLY_CHAIN, "category_id": INVENTORY}))
        assert by_ids["placementPath"] == "Supply Chain > Inventory"
        ambiguous = result_json(await conn.call("create_glossary_term", {"term_name": "X", "domain_name": "ly"}))
        assert ambiguous["domainNameMatch"] == "ambiguous" and ambiguous["requestedDomainName"] == "ly"

        await sandbox.reset()  # given ids are trusted: no picker page is fetched to check them
        trusted = {"term_name": "Supplier Fee", "domain_id": SUPPLY_CHAIN, "category_id": PURCHASING,
                   "subcategory_id": SUPPLIER_COSTS, "description": "A fee the supplier charges."}
        preview = result_json(await conn.call("create_glossary_term", trusted))
        assert preview["pendingCreate"]["category2Id"] == SUPPLIER_COSTS
        assert await sandbox.requests() == []


async def test_glossary_create_posts_the_evidenced_body_once_and_links_the_term(tmp_path):
    async with demo_supervisor(tmp_path / "s.sock") as (conn, sandbox):
        args = {"term_name": "  Reorder Point ", "domain_id": SUPPLY_CHAIN, "category_id": INVENTORY,
                "description": "  Stock level that triggers a purchase order. ", "definition": "   "}
        body = {"termName": "Reorder Point", "domainId": SUPPLY_CHAIN,
                "description": "Stock level that triggers a purchase order.",
                "category1Id": INVENTORY, "category2Id": 0, "publish": False}  # no blank definition
        preview = result_json(await conn.call("create_glossary_term", args))
        assert preview["pendingCreate"] == body and preview["doNotCreate"] is True
        assert posts_to(await sandbox.requests(), TERMS) == []
        _, done = await confirmed(conn, "create_glossary_term", args)
        assert posts_to(await sandbox.requests(), TERMS) == [body]
        term_id = done["data"]["businessGlossaryId"]
        link = f"{sandbox.base_url}/#nav/glossary?browse=summary&id={term_id}"
        assert done["data"]["redirectUrl"] == link
        assert done["formattedResponse"].startswith("Created the glossary term **Reorder Point** (DRAFT)")
        assert link in done["formattedResponse"]

        # a release that answers without navLink: the link is built from businessGlossaryId
        await sandbox.set(shapes={"glossary_term_created": "ids_only"})
        bare = {**args, "term_name": "Safety Stock", "definition": "Kept for demand spikes."}
        _, done = await confirmed(conn, "create_glossary_term", bare)
        assert posts_to(await sandbox.requests(), TERMS)[-1]["definition"] == "Kept for demand spikes."
        assert f"#nav/glossary?browse=summary&id={done['data']['businessGlossaryId']}" in done["formattedResponse"]

        # the 409 duplicate names OvalEdge's own code
        before = len(posts_to(await sandbox.requests(), TERMS))
        preview = result_json(await conn.call("create_glossary_term", args))
        duplicate = await conn.call("create_glossary_term", {**args, "write_confirmed_by_user": True,
                                                             "confirmation_token": preview["confirmationToken"]})
        text = result_text(duplicate)
        assert duplicate.is_error and "409" in text and "duplicate_term" in text and "Reorder Point" in text
        assert len(posts_to(await sandbox.requests(), TERMS)) == before + 1


# -- create_tag ----------------------------------------------------------------------------------

async def test_a_secure_tag_reads_the_reference_keys_browses_nested_parents_and_posts_once(tmp_path):
    async with demo_supervisor(tmp_path / "s.sock") as (conn, sandbox):
        await sandbox.set(shapes={"tag_master_name_key": "masterTagsName"})
        name = {"tag_name": "Card Data"}
        masters = result_json(await conn.call("create_tag", name))
        assert masters["selectionPhase"] == "MASTER_REQUIRED" and masters["tagSecurityMode"] == "secure"
        assert [(m["masterTagId"], m["tagName"]) for m in masters["userSelectableMasters"]] == [
            (4101, "Data Sensitivity"), (4102, "Business Area"), (4103, "Lifecycle")]
        assert "Business Area (masterTagId=4102)" in masters["formattedResponse"]
        master = {**name, "master_tag_id": DATA_SENSITIVITY, "master_tag_id_confirmed_by_user": True}
        top = result_json(await conn.call("create_tag", master))
        assert top["selectionPhase"] == "PARENT_OPTIONAL" and top["doNotCreateTag"] is True
        assert top["userSelectableParents"] == [
            {"parentTagId": SENSITIVE, "tagName": "Sensitive", "hasChildren": True, "rootTag": True}]
        assert top["masterTagName"] == "Data Sensitivity"
        browsed = result_json(await conn.call("create_tag", {**master, "browse_parent_tag_id": SENSITIVE}))
        assert [p["tagName"] for p in browsed["userSelectableParents"]] == ["PII"]
        assert browsed["browseParentTagName"] == "Sensitive"
        assert queries(await sandbox.requests(), TAG_OPTIONS) == [{}, {}, {}]
        assert queries(await sandbox.requests(), TAG_PARENTS) == [
            {"masterTagId": "4101"}, {"masterTagId": "4101", "browseParentTagId": "4001"}]

        # a nested parent the user named without browsing is found by browsing (BFS)
        await sandbox.reset()
        other = {**master, "tag_name": "Card Holder"}
        result_json(await conn.call("create_tag", other))
        args = {**other, "parent_tag_id": PII, "parent_tag_id_confirmed_by_user": True,
                "parent_step_completed_by_user": True, "description": " Names printed on cards. "}
        body = {"tagName": "Card Holder", "description": "Names printed on cards.", "masterTagId": DATA_SENSITIVITY,
                "parentTagId": PII}
        preview = result_json(await conn.call("create_tag", args))
        assert preview["pendingCreate"] == body and preview["doNotCreateTag"] is True
        assert {"masterTagId": "4101", "browseParentTagId": "4001"} in queries(await sandbox.requests(), TAG_PARENTS)
        assert posts_to(await sandbox.requests(), TAGS) == []
        _, done = await confirmed(conn, "create_tag", args)
        assert posts_to(await sandbox.requests(), TAGS) == [body]
        tag_id = done["data"]["tagId"]
        assert done["data"]["masterTagId"] == DATA_SENSITIVITY and done["data"]["parentTagId"] == PII
        assert posts_to(await sandbox.requests(), EXPLORER) == [{"objectId": tag_id, "objectType": "oetag"}]
        text = done["formattedResponse"]
        assert text.startswith(f"Created the tag **Card Holder** (id {tag_id}) under Data Sensitivity > PII: ")
        assert f"{sandbox.base_url}/#nav/tag" in text and done["data"]["redirectUrl"] in text

        # a parent found neither among those shown nor below them is refused, naming what to do
        elsewhere = {**name, "master_tag_id": BUSINESS_AREA, "master_tag_id_confirmed_by_user": True}
        result_json(await conn.call("create_tag", elsewhere))
        outside = await conn.call("create_tag", {**elsewhere, "parent_tag_id": PII,
                                                 "parent_tag_id_confirmed_by_user": True})
        assert outside.is_error and "parent_tag_id=4002 was not among the parents offered" in result_text(outside)
        assert "nor found below them" in result_text(outside)
        assert posts_to(await sandbox.requests(), TAGS) == [body]


async def test_an_open_tag_takes_parents_from_create_options_and_posts_once(tmp_path):
    async with demo_supervisor(tmp_path / "s.sock") as (conn, sandbox):
        await sandbox.set(tag_security_mode="OPEN")
        name = {"tag_name": "Card Fraud", "master_tag_id_confirmed_by_user": True}
        shown = result_json(await conn.call("create_tag", name))
        assert shown["selectionPhase"] == "PARENT_OPTIONAL" and shown["tagSecurityMode"] == "open"
        assert [p["tagName"] for p in shown["userSelectableParents"]] == [
            "Sensitive", "Certified", "Finance", "Marketing", "Deprecated"]
        assert any("master_tag_id_confirmed_by_user" in n for n in shown["notes"])
        assert queries(await sandbox.requests(), TAG_PARENTS) == []  # create-options listed them
        browsed = result_json(await conn.call("create_tag", {**name, "browse_parent_tag_id": SENSITIVE}))
        assert [p["tagName"] for p in browsed["userSelectableParents"]] == ["PII"]
        assert queries(await sandbox.requests(), TAG_PARENTS) == [{"browseParentTagId": "4001"}]
        args = {"tag_name": "Card Fraud", "parent_tag_id": PII, "parent_tag_id_confirmed_by_user": True,
                "parent_step_completed_by_user": True, "description": "Suspected misuse of cards.",
                "browse_parent_tag_id": SENSITIVE}  # kept from the browsing call: the choice wins
        body = {"tagName": "Card Fraud", "description": "Suspected misuse of cards.", "parentTagId": PII}
        preview, done = await confirmed(conn, "create_tag", args)
        assert preview["pendingCreate"] == body and preview["tagSecurityMode"] == "open"
        assert any(n.startswith("ignored browse_parent_tag_id") for n in preview["notes"])
        assert posts_to(await sandbox.requests(), TAGS) == [body]
        assert done["data"]["tagId"] and done["data"]["parentTagId"] == PII
        assert "Created the tag **Card Fraud**" in done["formattedResponse"]
        assert done["data"]["redirectUrl"] in done["formattedResponse"]

        root = {"tag_name": "Seasonal"}
        result_json(await conn.call("create_tag", root))
        root_args = {**root, "create_directly_under_master": True, "parent_step_completed_by_user": True}
        preview, done = await confirmed(conn, "create_tag", root_args)
        assert set(preview["pendingCreate"]) == {"tagName", "description"}  # no master, no parent
        assert posts_to(await sandbox.requests(), TAGS)[-1] == preview["pendingCreate"]
        assert "at the top level" in done["formattedResponse"]


async def test_tag_422_guidance_is_a_master_picker_and_a_failed_lookup_keeps_the_create(tmp_path):
    async with demo_supervisor(tmp_path / "s.sock") as (conn, sandbox):
        await sandbox.set(shapes={"tag_create_options": "guidance_422"})
        name = {"tag_name": "Retention Class"}
        masters = result_json(await conn.call("create_tag", name))
        assert masters["selectionPhase"] == "MASTER_REQUIRED" and len(masters["userSelectableMasters"]) == 3
        assert "Select a master tag" in masters["formattedResponse"]  # OvalEdge's own words
        master = {**name, "master_tag_id": 4103, "master_tag_id_confirmed_by_user": True}
        parents = result_json(await conn.call("create_tag", master))
        assert [p["tagName"] for p in parents["userSelectableParents"]] == ["Certified", "Deprecated"]
        direct = {**master, "create_directly_under_master": True, "parent_step_completed_by_user": True}

        # the POST answered 422 with guidance: read as the master picker; nothing was created
        await sandbox.set(shapes={"tag_create_options": "ok", "tag_create_answer": "guidance_422"})
        preview = result_json(await conn.call("create_tag", direct))
        refused = result_json(await conn.call("create_tag", {**direct, "write_confirmed_by_user": True,
                                                             "confirmation_token": preview["confirmationToken"]}))
        assert refused["selectionPhase"] == "MASTER_REQUIRED" and refused["doNotCreateTag"] is True
        assert "OvalEdge refused: Select the master tag again" in refused["formattedResponse"]
        assert len(posts_to(await sandbox.requests(), TAGS)) == 1

        # the lookup after a done create fails: the create is still reported, without a link
        await sandbox.set(shapes={"tag_create_answer": "created"})
        result_json(await conn.call("create_tag", master))
        await sandbox.fault({"path": EXPLORER, "status": 500, "message": "search index unavailable"})
        _, done = await confirmed(conn, "create_tag", direct)
        assert len(posts_to(await sandbox.requests(), TAGS)) == 2
        text = done["formattedResponse"]
        assert text.startswith(f"Created the tag **Retention Class** (id {done['data']['tagId']}) under Lifecycle")
        assert "link could not be shown" in text and "search index unavailable" in text
        assert "redirectUrl" not in done["data"]
        found = result_json(await conn.call("asset_explorer", {"object_type": "oetag", "name": "Retention Class"}))
        assert [t["objectId"] for t in found["data"]["tags"]] == [done["data"]["tagId"]]
        posted = posts_to(await sandbox.requests(), TAGS)[-1]
        assert posted == {"tagName": "Retention Class", "masterTagId": 4103, "description": posted["description"]}
        assert posted["description"].startswith("<p>Retention Class is a governance tag in the <strong>Lifecycle")


async def test_a_tag_created_on_a_get_era_release_is_read_back_by_get_and_search_stays_current(tmp_path):
    """The read-back after a create goes through asset_explorer's own sender: on a release whose
    asset-explorer takes GET, the POST's 405 must not move search to the first generation."""
    async with demo_supervisor(tmp_path / "s.sock") as (conn, sandbox):
        await sandbox.set(tag_security_mode="OPEN", shapes={"asset_explorer_method": "get"})
        root = {"tag_name": "Quarterly"}
        result_json(await conn.call("create_tag", root))
        args = {**root, "create_directly_under_master": True, "parent_step_completed_by_user": True}
        _, done = await confirmed(conn, "create_tag", args)
        assert "Its link could not be shown" not in done["formattedResponse"], done
        assert done["data"].get("redirectUrl") in done["formattedResponse"], done
        explorer = [(r["method"], r["path"]) for r in await sandbox.requests() if r["path"].endswith("asset-explorer")]
        assert explorer == [("POST", EXPLORER), ("GET", EXPLORER)], explorer
        await sandbox.reset()
        found = result_json(await conn.call("asset_explorer", {"search_terms": ["orders"]}))
        assert found["data"]["items"]
        assert [(r["method"], r["path"]) for r in await sandbox.requests()] == [("GET", EXPLORER)]
