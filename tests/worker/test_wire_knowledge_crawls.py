"""knowledge_search and metadata_changes_between_crawls against OvalEdge's evidenced answer shapes,
through `oe-mcp-local --demo` (docs/wire.md; audit wire-reads.md sections 5 and 7).

Each shape the evidence allows is served by the sandbox in turn (sandbox/shapes.py switches), and
the assertions are on what went over the wire and on what the agent is shown.
"""

from __future__ import annotations

from typing import Any

from tests.harness import demo_supervisor, result_json, result_text

API = "/api/v1/mcp"
KNOWLEDGE, DOCS, STORIES = f"{API}/knowledge-search", f"{API}/search-platform-docs", f"{API}/lookup-datastory"
CHANGES = f"{API}/metadata-changes-between-crawls"
WEEKLY, ONBOARDING, SUPPLIER = 6001, 6002, 6003  # the sandbox's data stories


def sent(recorded: list[dict[str, Any]]) -> list[tuple[str, str, Any]]:
    return [(r["method"], r["path"], r["json"] if r["method"] == "POST" else dict(r["query_items"]))
            for r in recorded]


# ------------------------------------------------------------------------ knowledge_search


async def test_knowledge_search_reads_data_stories_as_a_list_one_story_or_a_wrapper(tmp_path):
    """A dict `dataStories` (one story) once crashed the tool: AttributeError on a str."""
    async with demo_supervisor(tmp_path / "s.sock") as (conn, sandbox):
        base = sandbox.base_url
        seen = {}
        for shape in ("list", "dict", "wrapped"):
            await sandbox.set(shapes={"knowledge.dataStories": shape})
            found = await conn.call("knowledge_search", {"story_name": "Weekly revenue reporting"})
            nothing = await conn.call("knowledge_search", {"story_name": "no story has this name"})
            seen[shape] = (result_json(found), result_json(nothing))
    for shape, (found, nothing) in seen.items():
        [story] = found["data"]["dataStories"]
        assert story["objectId"] == WEEKLY, shape
        citation = f"[Weekly revenue reporting]({base}/#nav/story?id={WEEKLY}) (story zone: Finance Insights)"
        assert story["storyCitation"] == citation, shape
        lines = found["formattedResponse"].splitlines()
        assert lines[0] == citation and "### What the pack shows" in lines, shape
        assert "Authorized roles: Finance Analysts, Data Stewards" in lines, shape
        assert nothing["data"]["dataStories"] == [], shape
        assert nothing["formattedResponse"] == "No data story or documentation page matched.", shape


async def test_platform_docs_are_read_whatever_their_item_keys(tmp_path):
    async with demo_supervisor(tmp_path / "s.sock") as (conn, sandbox):
        await sandbox.set(shapes={"knowledge.platformDocs": "name-link-content"})
        result = result_json(await conn.call("knowledge_search", {"query": "how do I trace lineage"}))
    docs = result["data"]["platformDocs"]
    assert docs and docs[0]["name"] == "Understanding data lineage"
    assert docs[0]["title"] == "Understanding data lineage" and docs[0]["url"] == docs[0]["link"]
    text = result["formattedResponse"].split("### OvalEdge documentation\n", 1)[1]
    assert text.splitlines()[0] == f"- [Understanding data lineage]({docs[0]['link']}): {docs[0]['content']}"


async def test_first_generation_story_is_one_object_and_is_asked_for_as_the_reference_does(tmp_path):
    async with demo_supervisor(tmp_path / "s.sock", api="legacy") as (conn, sandbox):
        await conn.call("knowledge_search", {"story_name": "x"})  # the current route's one 404
        calls = {}
        for name, args in {
            "by_id": {"object_id": SUPPLIER, "content_query": "margin", "story_zone_name": "Finance Insights"},
            "by_words": {"story_zone_name": "Finance Insights", "content_query": "revenue"},
            "question": {"query": "supplier price list"},
            "zone_alone": {"story_zone_name": "Finance Insights"},
            "no_match": {"content_query": "nothing like this anywhere"},
        }.items():
            await sandbox.reset()
            calls[name] = (await conn.call("knowledge_search", args), sent(await sandbox.requests()))

    result, requests = calls["by_id"]
    assert requests == [("GET", STORIES, {"objectId": str(SUPPLIER)})]  # never objectId with contentQuery
    data = result_json(result)
    assert [s["objectId"] for s in data["data"]["dataStories"]] == [SUPPLIER]
    assert data["formattedResponse"].startswith("[Supplier cost refresh]")
    assert any("ignored content_query, story_zone_name" in n for n in data["notes"])

    result, requests = calls["by_words"]
    assert requests == [("GET", STORIES, {"storyZoneName": "Finance Insights", "contentQuery": "revenue"})]
    assert [s["objectId"] for s in result_json(result)["data"]["dataStories"]] == [WEEKLY]

    result, requests = calls["question"]
    assert requests == [("GET", DOCS, {"query": "supplier price list"}),
                        ("GET", STORIES, {"contentQuery": "supplier price list"})]
    assert [s["objectId"] for s in result_json(result)["data"]["dataStories"]] == [SUPPLIER]

    result, requests = calls["zone_alone"]  # lookup-datastory refuses a zone alone: not sent
    assert result.is_error and "cannot list a story zone alone" in result_text(result)
    assert requests == []

    result, requests = calls["no_match"]  # OvalEdge's 404: no story, not an error
    assert [r[1] for r in requests] == [STORIES]
    assert result_json(result)["data"]["dataStories"] == []


async def test_first_generation_docs_answer_as_flat_chunks(tmp_path):
    async with demo_supervisor(tmp_path / "s.sock", api="legacy") as (conn, sandbox):
        await sandbox.set(shapes={"docs.answer": "chunks"})
        result = result_json(await conn.call("knowledge_search", {"query": "how do I trace lineage"}))
    docs = result["data"]["platformDocs"]
    assert docs and all(d["url"].startswith("https://docs.ovaledge.com/") for d in docs)
    assert docs[0]["snippet"] == " ".join(docs[0]["text"].split())
    assert f"]({docs[0]['url']}): {docs[0]['snippet']}" in result["formattedResponse"]


# ------------------------------------------------------------- metadata_changes_between_crawls


async def test_metadata_changes_report_reads_rollup_and_change_lists(tmp_path):
    """Given OvalEdge's rollup/columnChanges, the report once said "No metadata changes"."""
    async with demo_supervisor(tmp_path / "s.sock") as (conn, sandbox):
        base = sandbox.base_url
        result = result_json(await conn.call("metadata_changes_between_crawls", {
            "question": "What changed in table fct_sales?", "connection_name": "retail_snowflake",
            "from_crawl_id": 7001, "to_crawl_id": 7003}))
        same = result_json(await conn.call("metadata_changes_between_crawls", {
            "connection_name": "retail_snowflake", "from_crawl_id": 7003, "to_crawl_id": 7003}))
        mart = result_json(await conn.call("metadata_changes_between_crawls", {"schema_names": ["mart"]}))
    data, report = result["data"], result["formattedResponse"]
    rollup = data["rollup"]
    assert rollup["totalChanges"] > 0 and "No structural changes" not in report
    assert f"Summary: {rollup['totalChanges']} change(s): tables added {rollup['tablesAdded']}" in report
    assert report.startswith("## Metadata changes in retail_snowflake")
    assert "Note: Crawl(s) [7002] ran without ANALYSIS_TRANSACTION_JOB" in report  # fallback.message
    for entry in data["columnChanges"]:
        assert f"{entry['schemaName']}.{entry['tableName']}.{entry['columnName']}" in report
    quantity = next(c for c in data["columnChanges"] if c["columnName"] == "quantity")
    assert f"]({base}/{quantity['navLink']}): length 8,0 -> 10,0 (Length changed)" in report  # fct_sales: linked
    assert "- staging.stg_orders.order_date: data type timestamp_ntz -> date (Data type changed)" in report
    assert "### Row counts (2)" in report and "+85,190 (1,402,110 -> 1,487,300)" in report
    assert f"[Compare schema in OvalEdge]({base}/#nav/comparedb?srchtab=history&id=7003)" in report
    # the view's model: derived from the same lists and counts
    assert data["summary"] == {key: rollup[key] for key in data["summary"]}
    assert len(data["changes"]) == len(data["tableChanges"]) + len(data["columnChanges"])
    kinds = {c["columnName"]: c["changeType"] for c in data["changes"] if "columnName" in c}
    assert kinds["quantity"] == kinds["order_date"] == "DATA_TYPE_CHANGED" and kinds["net_amount"] == "COLUMN_ADDED"

    assert same["data"]["rollup"]["totalChanges"] == 0
    assert "No structural changes were found for this scope." in same["formattedResponse"]
    assert mart["formattedResponse"].startswith("## Metadata changes in retail_snowflake (schema mart)")
    assert "[Open in OvalEdge](" in mart["formattedResponse"] and "#nav/schema?id=103)" in mart["formattedResponse"]


async def test_metadata_changes_go_to_the_same_route_on_a_first_generation_ovaledge(tmp_path):
    """The route exists in every generation (constants @94334ab2 and @0f1b928e): no NotOffered."""
    args = {"last_n_days": 2, "from_crawl_id": 7002, "to_crawl_id": 7003}  # the reference's own test
    body = {"lastNDays": 2, "fromCrawlId": 7002, "toCrawlId": 7003}
    seen = {}
    for mode in ("legacy", "both"):
        async with demo_supervisor(tmp_path / f"{mode}.sock", api=mode) as (conn, sandbox):
            result = await conn.call("metadata_changes_between_crawls", args)
            report = result_json(result)["formattedResponse"].replace(sandbox.base_url, "<base>")
            seen[mode] = (result_json(result), sent(await sandbox.requests()), report)
    for mode, (result, requests, _) in seen.items():
        assert requests == [("POST", CHANGES, body)], mode
        assert result["data"]["crawlComparisonReference"] == "crawl 7002 -> crawl 7003", mode
    assert seen["legacy"][2] == seen["both"][2]


async def test_only_days_with_weeks_and_reversed_windows_are_refused(tmp_path):
    async with demo_supervisor(tmp_path / "s.sock") as (conn, sandbox):
        refused = [await conn.call("metadata_changes_between_crawls", args) for args in (
            {"last_n_days": 1, "last_n_weeks": 1}, {"from_crawl_id": 7003, "to_crawl_id": 7002},
            {"from_timestamp": "2025-11-20T00:00:00Z", "to_timestamp": "2025-11-01T00:00:00Z"})]
        assert await sandbox.requests() == []
        combined = await conn.call("metadata_changes_between_crawls", {
            "last_n_weeks": 2, "from_timestamp": "2025-11-01T00:00:00Z", "to_crawl_id": 7003})
        requests = sent(await sandbox.requests())
    assert all(r.is_error and "Invalid arguments" in result_text(r) for r in refused)
    assert requests == [("POST", CHANGES, {"lastNWeeks": 2, "fromTimestamp": "2025-11-01T00:00:00Z",
                                           "toCrawlId": 7003})]
    assert result_json(combined)["ok"] is True


# ------------------------------------------------------------ answers the sandbox does not send


def test_the_report_never_says_no_changes_about_an_answer_that_holds_some():
    """Shapes from the reference (formatters.py @348b8bc1; its test's mock is `{"changeSummary": "x"}`)."""
    from worker.tools.crawls import render_changes, view_model

    counted_only = {"contextHeader": {"connection": "Snowflake PROD", "catalogSchema": "CUSTOMER"},
                    "rollup": {"totalChanges": 3, "columnsAdded": 3},
                    "tableSummaries": [{"tableName": "CUSTOMER_PROFILE", "columnsAdded": 3}]}
    report = render_changes(counted_only, set(), "https://oe")
    assert "No structural changes" not in report and "Summary: 3 change(s)" in report
    assert "- CUSTOMER.CUSTOMER_PROFILE: 3 added, 0 deleted, 0 modified" in report

    listed_only = {"columnChanges": [{"changeType": "removed", "tableName": "T", "columnName": "c",
                                      "previousDataType": "int"}]}
    report = render_changes(listed_only, set(), "https://oe")
    assert "no change" not in report.lower() and "### Columns deleted (1)\n- T.c (was int)" in report
    assert view_model(listed_only)[1]["columnsDeleted"] == 1

    summary_only = render_changes({"changeSummary": "x"}, set(), "https://oe")
    assert "no structural changes" not in summary_only.lower() and "its summary: x" in summary_only

    nothing = render_changes({"rollup": {"totalChanges": 0}, "columnChanges": []}, set(), "https://oe")
    assert "No structural changes were found for this scope." in nothing


def test_stories_and_docs_are_read_from_every_evidenced_container():
    from worker.tools.knowledge import docs_of, listed, story_citation

    story = {"metadata": {"storyName": "S", "storyZoneName": "Z", "objectId": 7}, "content": {"story": "<p>x</p>"}}
    for shape in ([story], story, {"items": [story]}, {"content": [story]}, {"results": [story]},
                  {"data": [story]}):
        assert listed(shape) == [story], shape
    assert listed(None) == listed({}) == listed({"total": 0}) == []
    assert story_citation(story, "https://oe") == "[S](https://oe/#nav/story?id=7) (story zone: Z)"
    assert story_citation({"storyCitation": "[S](#nav/story?id=7)"}, "https://oe") == "[S](https://oe/#nav/story?id=7)"
    [doc] = docs_of({"chunks": [{"text": "How to create a rule", "url": "https://docs.example/x"}]})
    assert (doc["title"], doc["url"], doc["snippet"]) == ("https://docs.example/x", "https://docs.example/x",
                                                         "How to create a rule")
    assert docs_of({"query": "x", "total": 0}) == []
