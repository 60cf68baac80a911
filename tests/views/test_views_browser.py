"""The four MCP Apps views in a real browser, drawing real answers.

The sandbox OvalEdge (with its clickstream sample, whose lineage holds 55 assets) and a real
`oe-mcp-local` give the tool results and the views' HTML over MCP (tools/list, resources/list,
resources/read, tools/call). Headless Chromium then loads tests/views/host.html, which mounts
each view as a host does: in a sandboxed iframe (scripts only, opaque origin), talking to it
through the ext-apps SDK's AppBridge. The checks read what a person sees in the frame, in a
light and a dark host, and the screenshots go to docs/views/.

Needs Chromium (Debian's `chromium`, installed by `scripts/setup_local_mcp.sh --dev`) and the
`playwright` package (a dev dependency; it drives that browser, it downloads none). Without
them the tests skip, except in CI (CI=true), where they fail.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import pytest
import trio

from shared.settings import REPO_ROOT
from tests.harness import base_env, result_json, sandbox_env, supervisor, worker

HOST_PAGE = REPO_ROOT / "tests" / "views" / "host.html"
SCREENSHOTS = REPO_ROOT / "docs" / "views"
IN_CI = os.environ.get("CI", "").lower() == "true"
VIEW_OF = {
    "asset_explorer": "ui://ovaledge/asset-explorer.html",
    "asset_details": "ui://ovaledge/asset-details.html",
    "asset_lineage": "ui://ovaledge/asset-lineage.html",
    "metadata_changes_between_crawls": "ui://ovaledge/metadata-changes.html",
}
MIME = "text/html;profile=mcp-app"
# What each view is shown with: real calls on the sandbox, and the width the host gives it.
CALLS = {
    "asset_explorer": ({"search_terms": ["orders"]}, 1000),
    "asset_details": ({"object_id": 1011, "object_type": "oetable"}, 900),
    "asset_lineage": ({"object_id": 1101, "object_type": "oetable", "depth": 2}, 1600),
    "metadata_changes_between_crawls": (
        {"connection_name": "retail_snowflake", "from_crawl_id": 7001, "to_crawl_id": 7003}, 900),
}
THEMES = ("light", "dark")


def _missing(why: str):
    if IN_CI:
        pytest.fail(f"{why}; CI must run the browser test (scripts/setup_local_mcp.sh --dev installs it)")
    pytest.skip(why)


def chromium_path() -> str | None:
    chosen = os.environ.get("OE_MCP_CHROMIUM")
    if chosen:
        return chosen if Path(chosen).exists() else None
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    return None


# ------------------------------------------------------------------ real answers over MCP


async def _collect() -> dict[str, Any]:
    from sandbox import open_sandbox

    found: dict[str, Any] = {"calls": {}, "views": {}}
    runtime = tempfile.mkdtemp(prefix="oe-views-")
    os.chmod(runtime, 0o700)
    async with open_sandbox(wide_lineage=True) as sandbox:
        env = sandbox_env(sandbox, XDG_RUNTIME_DIR=runtime)
        async with supervisor(env) as front:
            listed = await front.session.list_tools()
            found["tools_meta"] = {t.name: t.meta for t in listed.tools}
            resources = await front.session.list_resources()
            found["resources"] = [r.model_dump(mode="json", by_alias=True, exclude_none=True)
                                  for r in resources.resources]
            for tool, uri in VIEW_OF.items():
                read = await front.session.read_resource(uri)
                found["views"][tool] = read.model_dump(mode="json", by_alias=True, exclude_none=True)
            for tool, (args, _) in CALLS.items():
                result = await front.call(tool, args)
                result_json(result)  # not an error
                found["calls"][tool] = result.model_dump(mode="json", by_alias=True, exclude_none=True)
        # Without settings the front runs no worker (it stops the early one) and still serves
        # the views.
        async with supervisor(base_env({"XDG_RUNTIME_DIR": runtime})) as front_only:
            found["front_only_views"] = {
                tool: (await front_only.session.read_resource(uri)).model_dump(
                    mode="json", by_alias=True, exclude_none=True)
                for tool, uri in VIEW_OF.items()}
            found["front_only_stderr"] = front_only.stderr()
        # The worker alone is a complete MCP server: it serves the same views.
        async with worker(env) as alone:
            read = await alone.session.read_resource(VIEW_OF["asset_lineage"])
            found["worker_view"] = read.model_dump(mode="json", by_alias=True, exclude_none=True)
    shutil.rmtree(runtime, ignore_errors=True)
    return found


@pytest.fixture(scope="module")
def answers() -> dict[str, Any]:
    return trio.run(_collect)


def data_of(answers: dict[str, Any], tool: str) -> dict[str, Any]:
    return answers["calls"][tool]["structuredContent"]["data"]


# ------------------------------------------------------------------ the surface


def test_tools_point_at_their_views(answers):
    for tool, uri in VIEW_OF.items():
        meta = answers["tools_meta"][tool]
        assert meta["ui"]["resourceUri"] == uri and meta["openai/outputTemplate"] == uri, meta
    others = [name for name, meta in answers["tools_meta"].items() if name not in VIEW_OF]
    assert others and all(answers["tools_meta"][name] is None for name in others)


def test_views_are_listed_and_read_as_mcp_apps(answers):
    listed = {r["uri"]: r for r in answers["resources"] if r["uri"].startswith("ui://")}
    assert sorted(listed) == sorted(VIEW_OF.values())
    for tool, uri in VIEW_OF.items():
        assert listed[uri]["mimeType"] == MIME and listed[uri]["_meta"] == {"ui": {"prefersBorder": True}}
        [content] = answers["views"][tool]["contents"]
        built = (REPO_ROOT / "shared" / "views" / uri.removeprefix("ui://ovaledge/")).read_text(encoding="utf-8")
        assert content["uri"] == uri and content["mimeType"] == MIME and content["text"] == built
        assert content["_meta"] == {"ui": {"prefersBorder": True}}
        assert listed[uri]["size"] == len(built.encode())
    assert answers["worker_view"] == answers["views"]["asset_lineage"]
    assert "serving without OvalEdge" in answers["front_only_stderr"]
    assert answers["front_only_views"] == answers["views"]


def test_results_stay_json_for_hosts_without_views(answers):
    for tool in VIEW_OF:
        result = answers["calls"][tool]
        assert json.loads(result["content"][0]["text"]) == result["structuredContent"]


# ------------------------------------------------------------------ the browser


@pytest.fixture(scope="module")
def browser():
    executable = chromium_path()
    if executable is None:
        _missing("no Chromium found (Debian: apt-get install chromium; or set OE_MCP_CHROMIUM)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("the playwright package is not installed (poetry install --with dev)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        yield launched
        launched.close()


class Mounted:
    """One view mounted in the test host: its frame, and what the page reported."""

    def __init__(self, page, frame, problems: list[str], requests: list[str]):
        self.page, self.frame, self.problems, self.requests = page, frame, problems, requests

    def texts(self, selector: str) -> list[str]:
        return [text.strip() for text in self.frame.locator(selector).all_inner_texts()]

    def background(self) -> tuple[int, ...]:
        colour = self.frame.locator("body").evaluate("b => getComputedStyle(b).backgroundColor")
        return tuple(int(float(x)) for x in colour[colour.index("(") + 1:-1].split(",")[:3])


@pytest.fixture
def mount(browser, answers):
    pages = []

    def mount_view(tool: str, theme: str) -> Mounted:
        # The system prefers the other scheme: what the view shows must follow the host's theme.
        context = browser.new_context(color_scheme="light" if theme == "dark" else "dark",
                                      viewport={"width": CALLS[tool][1] + 40, "height": 900})
        page = context.new_page()
        pages.append(context)
        problems: list[str] = []
        requests: list[str] = []
        page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}")
                if m.type in ("error", "warning") else None)
        page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
        page.on("request", lambda request: requests.append(request.url))
        page.goto(HOST_PAGE.as_uri())
        [content] = answers["views"][tool]["contents"]
        page.evaluate("(mount) => window.mountView(mount)", {
            "html": content["text"], "tool": tool, "args": CALLS[tool][0],
            "result": answers["calls"][tool], "theme": theme, "width": CALLS[tool][1],
        })
        page.wait_for_function("window.hostLog.initialized && window.hostLog.sizes.length > 0")
        frame = page.frame_locator("iframe")
        frame.locator("main h1").wait_for()
        page.wait_for_timeout(150)  # the last size change after fonts and layout settle
        return Mounted(page, frame, problems, requests)

    yield mount_view
    for context in pages:
        context.close()


def finish(mounted: Mounted, name: str, theme: str) -> None:
    """What every view must also be: drawn without an error, from nothing but its own file, in
    the host's theme, at the height it asked for; then photographed."""
    assert mounted.problems == []
    assert mounted.requests == [HOST_PAGE.as_uri()], mounted.requests  # no network, no CDN
    red, green, blue = mounted.background()
    luminance = (0.2126 * red + 0.7152 * green + 0.0722 * blue) / 255
    assert (luminance < 0.25) if theme == "dark" else (luminance > 0.85), (theme, red, green, blue)
    frame_box = mounted.page.locator("iframe").bounding_box()
    content_height = mounted.frame.locator("body").evaluate("b => b.scrollHeight")
    assert abs(frame_box["height"] - content_height) <= 4, (frame_box, content_height)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    # A frame is painted only where the window is: make the window as tall as the view.
    viewport = mounted.page.viewport_size
    mounted.page.set_viewport_size({"width": viewport["width"], "height": int(frame_box["height"]) + 40})
    mounted.page.wait_for_timeout(100)
    mounted.page.locator("iframe").screenshot(path=str(SCREENSHOTS / f"{name}-{theme}.png"))


@pytest.mark.parametrize("theme", THEMES)
def test_explorer_view_lists_the_hits(mount, answers, theme):
    items = data_of(answers, "asset_explorer")["items"]
    view = mount("asset_explorer", theme)
    rows = view.frame.locator("table.hits tbody tr")
    assert rows.count() == len(items) > 5
    assert view.texts("table.hits tbody tr .name") == [hit["objectName"] for hit in items]
    assert view.texts("table.hits tbody td.path") == [hit["fullyQualifiedName"] for hit in items]
    links = view.frame.locator("table.hits tbody a.open")
    assert [links.nth(i).get_attribute("href") for i in range(links.count())] == [h["redirectUrl"] for h in items]
    first = rows.first.locator("td")
    assert first.nth(0).inner_text().strip() == "Table" and first.nth(3).inner_text().strip() == items[0]["owner"]
    assert f"{len(items)} of {data_of(answers, 'asset_explorer')['total']} hits" in view.texts("p.summary")[0]
    finish(view, "asset-explorer", theme)
    # Sorting is for people: by name, then the other way.
    view.frame.locator("th[data-key=name] button").click()
    by_name = sorted((hit["objectName"] for hit in items), key=str.casefold)
    assert view.texts("table.hits tbody tr .name") == by_name
    view.frame.locator("th[data-key=name] button").click()
    assert view.texts("table.hits tbody tr .name") == by_name[::-1]
    assert view.frame.locator("th[data-key=name]").get_attribute("aria-sort") == "descending"


@pytest.mark.parametrize("theme", THEMES)
def test_details_view_shows_the_card(mount, answers, theme):
    data = data_of(answers, "asset_details")
    details = data["details"]
    assert details["tags"] and details["terms"]  # a table that has both, so both are shown
    view = mount("asset_details", theme)
    assert view.texts("article.card h1") == [details["objectName"]]
    prop = lambda label: view.frame.locator(f'dd[data-prop="{label}"]')  # noqa: E731
    assert prop("Owner").inner_text() == details["owner"]
    assert prop("Steward").inner_text() == details["steward"]
    assert prop("Custodian").inner_text() == details["custodian"]
    assert [t.strip() for t in prop("Tags").locator(".chip").all_inner_texts()] == details["tags"]
    assert [t.strip() for t in prop("Terms").locator(".chip").all_inner_texts()] == details["terms"]
    assert "Certified" in prop("Certification").inner_text()
    assert view.frame.locator("header a.open").get_attribute("href") == details["redirectUrl"]
    figures = {f.get_attribute("data-figure"): f.locator(".value").inner_text()
               for f in view.frame.locator(".figure").all()}
    assert figures["Rows"] == f"{details['rowCount']:,}" and figures["DQ index"] == str(details["dqIndex"])
    profiled = [c["columnName"] for c in data["profile"]["columns"]]
    assert view.texts("table.profile tbody tr td:first-child") == profiled
    assert view.frame.locator("ul.relationships li").count() == len(data["relationships"]["relationships"])
    finish(view, "asset-details", theme)


@pytest.mark.parametrize("theme", THEMES)
def test_lineage_view_draws_the_graph(mount, answers, theme):
    data = data_of(answers, "asset_lineage")
    nodes = [data["root"], *data["upstream"], *data["downstream"]]
    assert len(nodes) >= 50
    view = mount("asset_lineage", theme)
    # What the frame shows, read at once: each node's box on screen, its texts and its link.
    shown = view.frame.locator("svg.lineage").evaluate("""svg => ({
        nodes: [...svg.querySelectorAll("g.node")].map(g => {
            const box = g.querySelector("rect.box").getBoundingClientRect();
            return { id: Number(g.dataset.objectId), x: box.x, y: box.y, width: box.width, height: box.height,
                     name: g.querySelector("text.name").textContent, meta: g.querySelector("text.meta").textContent,
                     href: g.parentElement.closest("a")?.getAttribute("href") ?? null };
        }),
        edges: [...svg.querySelectorAll("path.edge")].map(e => [Number(e.dataset.source), Number(e.dataset.target)]),
    })""")
    boxes = {node["id"]: node for node in shown["nodes"]}
    assert len(shown["nodes"]) == len(boxes) == len(nodes)
    assert set(boxes) == {node["objectId"] for node in nodes}
    # Every edge of the answer is drawn, between the nodes it joins.
    drawn_edges = {tuple(edge) for edge in shown["edges"]}
    assert len(shown["edges"]) == len(drawn_edges) == len(data["edges"])
    assert drawn_edges == {(e["sourceId"], e["targetId"]) for e in data["edges"]}
    # Upstream to the left of the asset, downstream to the right, farther hops farther out.
    root = boxes[data["root"]["objectId"]]
    for node in data["upstream"]:
        assert boxes[node["objectId"]]["x"] + boxes[node["objectId"]]["width"] < root["x"], node
    for node in data["downstream"]:
        assert boxes[node["objectId"]]["x"] > root["x"] + root["width"], node
    by_level = lambda side, level: [boxes[n["objectId"]]["x"] for n in data[side] if n["level"] == level]  # noqa: E731
    assert max(by_level("upstream", 2)) < min(by_level("upstream", 1))
    assert max(by_level("downstream", 1)) < min(by_level("downstream", 2))
    # Readable at this size: all in view at the host's width (no scrolling to find a node), no
    # two nodes overlap, every one is at least 200 px wide.
    frame_box = view.page.locator("iframe").bounding_box()
    placed = list(boxes.values())
    assert all(box["x"] + box["width"] <= frame_box["width"] for box in placed)
    assert all(box["width"] >= 200 for box in placed)
    for i, a in enumerate(placed):
        for b in placed[i + 1:]:
            apart = (a["x"] + a["width"] <= b["x"] or b["x"] + b["width"] <= a["x"]
                     or a["y"] + a["height"] <= b["y"] or b["y"] + b["height"] <= a["y"])
            assert apart, (a, b)
    # Each node names itself and its type, and opens in OvalEdge.
    labels = {"oetable": "TABLE", "oefile": "FILE", "oechart": "CHART"}
    for node in nodes:
        seen = boxes[node["objectId"]]
        name = node["objectName"]
        assert seen["name"] == name or (seen["name"].endswith("…") and name.startswith(seen["name"][:-1])), seen
        assert seen["meta"].startswith(labels[node["objectType"]]), seen
        assert seen["href"] == node["redirectUrl"], seen
    assert view.texts("h1") == [f"Lineage of {data['root']['objectName']}"]
    summary = view.texts("p.summary")[0]
    assert f"{len(data['upstream'])} upstream · {len(data['downstream'])} downstream · {len(data['edges'])} edges" in summary
    finish(view, "asset-lineage", theme)


@pytest.mark.parametrize("theme", THEMES)
def test_metadata_changes_view_lists_the_changes(mount, answers, theme):
    data = data_of(answers, "metadata_changes_between_crawls")
    changes = data["changes"]
    table_changes = [c for c in changes if c["changeType"].startswith("TABLE_")]
    column_changes = [c for c in changes if not c["changeType"].startswith("TABLE_")]
    assert {c["changeType"] for c in table_changes} == {"TABLE_ADDED", "TABLE_DELETED"}
    assert {"COLUMN_ADDED", "COLUMN_DELETED", "DATA_TYPE_CHANGED"} <= {c["changeType"] for c in column_changes}
    view = mount("metadata_changes_between_crawls", theme)
    tables = view.frame.locator("table.changes.tables tbody tr")
    assert tables.count() == len(table_changes)
    shown = [[td.strip() for td in row.locator("td").all_inner_texts()] for row in tables.all()]
    words = {"TABLE_ADDED": "+ Added", "TABLE_DELETED": "− Removed"}
    assert shown == [[words[c["changeType"]], c["schemaName"], c["tableName"]] for c in table_changes]
    columns = view.frame.locator("table.changes.columns tbody tr")
    assert columns.count() == len(column_changes)
    for row, change in zip(columns.all(), column_changes, strict=True):
        cells = [td.strip() for td in row.locator("td").all_inner_texts()]
        assert cells[1] == f"{change['schemaName']}.{change['tableName']}"
        assert cells[2] == change.get("columnName", change.get("newName"))
        if change["changeType"] == "DATA_TYPE_CHANGED":
            assert cells[0] == "~ Type changed" and cells[3:] == [change["oldDataType"], change["newDataType"]]
        if change["changeType"] == "COLUMN_ADDED":
            assert cells[0] == "+ Added" and cells[4] == change["newDataType"]
        if change["changeType"] == "COLUMN_DELETED":
            assert cells[0] == "− Removed" and cells[3] == change["oldDataType"]
    tiles = {t.get_attribute("data-tile"): t.locator(".value").inner_text()
             for t in view.frame.locator(".tile").all()}
    assert tiles == {key: str(value) for key, value in data["summary"].items() if key in tiles}
    assert set(tiles) <= set(data["summary"])
    finish(view, "metadata-changes", theme)
