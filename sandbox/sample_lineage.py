"""An optional, wider sample: Juniper & Pine's clickstream platform, whose lineage runs to more
than fifty assets around one table (for the views' browser test and their screenshots, where a
lineage must stay readable at 50+ nodes).

Served only when asked for (`open_sandbox(wide_lineage=True)`, `python -m sandbox
--wide-lineage`): the default catalog, which every other suite counts on, is unchanged.

A Databricks connection with a `bronze`, `silver` and `gold` schema (schemas 105-107, tables
11xx), raw event files in the S3 bucket (files 51xx) and a Tableau workbook (charts 31xx).
Lineage: 12 raw files -> 10 bronze tables -> silver.web_sessions -> 12 gold tables -> 18 charts
and 2 exported files; 55 assets in all, the whole graph of web_sessions at depth 2.
"""

from __future__ import annotations

from typing import Any

from sandbox.sample_data import CUSTODIAN_PLATFORM, OWNER_CUSTOMER, STEWARD_CUSTOMER

CONNECTION = {
    "connectionId": 5,
    "connectionName": "clickstream_databricks",
    "serverType": "DeltaLake",
    "description": "Lakehouse for web-shop and app events: raw landings, cleaned events, marts.",
}
CENTRE_ID = 1101  # silver.web_sessions

SCHEMAS: list[tuple[int, str, str, str, str, str, str, dict[str, Any]]] = [
    (sid, CONNECTION["connectionName"], name, description, OWNER_CUSTOMER, STEWARD_CUSTOMER,
     CUSTODIAN_PLATFORM, {"createdDate": "2024-09-02", "curationScore": score, "dataDomains": ["Customer"]})
    for sid, name, description, score in (
        (105, "bronze", "Events as they landed, typed and de-duplicated, one table per event.", 52),
        (106, "silver", "Events stitched into sessions and customers.", 70),
        (107, "gold", "Marts for marketing, product and web analytics.", 83),
    )
]
SCHEMA_IDS = {"bronze": 105, "silver": 106, "gold": 107}

# bronze table -> (what one row is, the raw files it loads)
BRONZE: dict[str, tuple[str, list[str]]] = {
    "page_views": ("a page shown in the web shop", ["web_page_views.json"]),
    "clicks": ("a click on a link or a button", ["web_clicks.json"]),
    "searches": ("a search typed in the shop", ["web_searches.json"]),
    "cart_events": ("an item put in or taken out of a basket", ["web_cart.json", "app_cart.json"]),
    "checkouts": ("a checkout step reached", ["web_checkout.json"]),
    "app_opens": ("an opening of the mobile app", ["app_lifecycle.json"]),
    "push_opens": ("a push notification opened", ["push_receipts.json"]),
    "email_opens": ("a marketing e-mail opened", ["email_tracking.json"]),
    "ad_impressions": ("an ad shown to a visitor", ["ad_network_export.csv"]),
    "consent_events": ("a cookie consent given or withdrawn", ["consent_log.json", "app_consent.json"]),
}
RAW_FILES = sorted({file for _, files in BRONZE.values() for file in files})

# gold table -> (what it holds, the bronze tables it also reads besides web_sessions)
GOLD: dict[str, tuple[str, list[str]]] = {
    "session_funnel": ("Sessions by the deepest funnel step reached.", ["checkouts"]),
    "daily_active_users": ("Distinct visitors per day, web and app.", ["app_opens"]),
    "marketing_attribution": (
        "Orders credited to the campaign touches before them.", ["ad_impressions", "email_opens"]),
    "search_terms_daily": ("Searches per term and day, with their click-through.", ["searches"]),
    "cart_abandonment": ("Baskets left without a checkout, by day and channel.", ["cart_events"]),
    "customer_journeys": ("Each customer's sessions in order, with their channel.", []),
    "campaign_performance": ("Spend, reach and orders per campaign.", ["ad_impressions"]),
    "app_engagement": ("App opens, pushes opened and session length per user.", ["push_opens"]),
    "consent_status": ("Each visitor's current consent choices.", ["consent_events"]),
    "product_affinity": ("Products viewed together in one session.", ["page_views"]),
    "bounce_rates": ("Sessions of one page, per landing page and day.", []),
    "session_kpis": ("Sessions, length and conversion per day.", []),
}

# chart -> the gold tables it reads
CHART_WORKBOOK = "Web Analytics"
CHARTS: dict[str, list[str]] = {
    "Conversion Funnel": ["session_funnel"],
    "Funnel by Channel": ["session_funnel", "customer_journeys"],
    "Daily Active Users": ["daily_active_users"],
    "Web vs App Users": ["daily_active_users", "app_engagement"],
    "Attributed Revenue": ["marketing_attribution"],
    "Channel Mix": ["marketing_attribution", "campaign_performance"],
    "Top Search Terms": ["search_terms_daily"],
    "Searches Without Results": ["search_terms_daily"],
    "Abandoned Baskets": ["cart_abandonment"],
    "Journey Explorer": ["customer_journeys"],
    "Campaign Scorecard": ["campaign_performance"],
    "Push Engagement": ["app_engagement"],
    "Consent Rates": ["consent_status"],
    "Bought Together": ["product_affinity"],
    "Landing Page Bounces": ["bounce_rates"],
    "Session KPIs": ["session_kpis"],
    "Weekly Traffic Review": ["session_kpis", "bounce_rates"],
    "Executive Web Summary": ["session_kpis", "marketing_attribution"],
}
# exported file -> the gold table written to it
EXPORTS: dict[str, str] = {
    "consent_status_daily.parquet": "consent_status",
    "audience_segments.csv": "customer_journeys",
}

_FACETS = {
    "certification": "none", "dqIndex": 74, "popularity": 18, "rating": 3.6, "curationScore": 61,
    "createdDate": "2024-09-02", "classifications": ["Internal"], "customFields": {},
    "dataProducts": ["Web Analytics"], "sensitivity": "Medium", "criticality": "Medium",
    "dataDomains": ["Customer"],
}


def _container(object_id: int, name: str, business: str, technical: str, rows: int,
               columns: list[tuple[str, str, str, dict[str, Any]]], **facets: Any) -> dict[str, Any]:
    return {
        "id": object_id, "name": name, "business": business, "technical": technical,
        "owner": OWNER_CUSTOMER, "steward": STEWARD_CUSTOMER, "custodian": CUSTODIAN_PLATFORM,
        "rows": rows, "tags": [], "terms": [], "facets": {**_FACETS, **facets}, "columns": columns,
    }


def _event_columns(what: str) -> list[tuple[str, str, str, dict[str, Any]]]:
    return [
        ("event_id", "string", f"Identifier of {what}.", {"pk": True}),
        ("session_id", "string", "Session the event belongs to.", {}),
        ("event_time", "timestamp", "When the event happened (UTC).", {}),
        ("channel", "string", "Where it happened.", {"values": ["app", "web"]}),
    ]


def tables() -> list[tuple[str, dict[str, Any]]]:
    """(schema name, table spec) for every table of the sample, in id order."""
    found: list[tuple[str, dict[str, Any]]] = [("silver", _container(
        CENTRE_ID, "web_sessions", "Every visit to the web shop or the app, one row per session.",
        "Sessionised nightly from the bronze events: 30 minutes without an event ends a session.",
        2_480_000, [
            ("session_id", "string", "Session identifier.", {"pk": True}),
            ("customer_id", "integer", "Signed-in customer, if any.", {"nulls": 0.38}),
            ("started_at", "timestamp", "First event of the session (UTC).", {}),
            ("ended_at", "timestamp", "Last event of the session (UTC).", {}),
            ("channel", "string", "Web shop or app.", {"values": ["app", "web"]}),
            ("converted", "boolean", "Whether the session ended in an order.", {}),
        ], certification="certified", dqIndex=88, popularity=96, curationScore=86, criticality="High"))]
    for offset, (name, (what, files)) in enumerate(BRONZE.items(), 11):
        found.append(("bronze", _container(
            1100 + offset, name, f"One row per event: {what}.",
            f"Loaded hourly from {', '.join(files)}.", 400_000 + 97_000 * offset, _event_columns(what))))
    for offset, (name, (holds, _)) in enumerate(GOLD.items(), 31):
        found.append(("gold", _container(
            1100 + offset, name, holds, "Rebuilt nightly by the web analytics job.", 3_000 + 1_700 * offset, [
                ("day", "date", "Calendar day (UTC).", {}),
                ("channel", "string", "Web shop or app.", {"values": ["app", "web"]}),
                ("sessions", "bigint", "Sessions counted.", {}),
                ("value", "decimal(14,2)", "The figure the table is about.", {}),
            ], popularity=40 + offset, certification="draft")))
    return found


def files() -> list[dict[str, Any]]:
    """Raw landings, then exports; each spec with its folder and file type."""
    found = []
    for offset, name in enumerate(RAW_FILES, 1):
        found.append({**_container(
            5100 + offset, name, "Raw events as the collector wrote them.",
            "Hourly drop by the event collector.", 250_000 + 31_000 * offset, [
                ("payload", "string", "The event as sent.", {}),
                ("received_at", "timestamp", "When the collector received it.", {}),
            ], dqIndex=60), "folder": "landing/events", "fileType": name.rsplit(".", 1)[1].upper()})
    for offset, (name, table) in enumerate(EXPORTS.items(), 51):
        found.append({**_container(
            5100 + offset, name, f"Export of gold.{table} for partners.",
            "Written nightly after the gold build.", 12_000 + offset, [
                ("day", "date", "Calendar day (UTC).", {}),
                ("value", "string", "The exported record.", {}),
            ]), "folder": "exports/web", "fileType": name.rsplit(".", 1)[1].upper()})
    return found


def charts() -> list[tuple[int, str, str, list[str], list[str], dict[str, Any]]]:
    return [
        (3100 + offset, name, f"{name}, from {', '.join('gold.' + t for t in sources)}.", [], [],
         {"certification": "none", "popularity": 20 + offset, "rating": 4.0, "curationScore": 58,
          "createdDate": "2024-10-01", "reportType": "Worksheet", "customFields": {}})
        for offset, (name, sources) in enumerate(CHARTS.items(), 1)
    ]


def edges(ids: dict[str, int]) -> list[tuple[int, int, str]]:
    """Lineage edges, source id -> target id; `ids` maps a table's `schema.name`, a file's
    name and a chart's name to its id."""
    found = []
    for name, (_, raw) in BRONZE.items():
        found += [(ids[file], ids[f"bronze.{name}"], "parse JSON, drop duplicates") for file in raw]
        found.append((ids[f"bronze.{name}"], CENTRE_ID, "stitch into sessions"))
    for name, (_, extra) in GOLD.items():
        found.append((CENTRE_ID, ids[f"gold.{name}"], "aggregate per day"))
        found += [(ids[f"bronze.{table}"], ids[f"gold.{name}"], "join on session_id") for table in extra]
    for chart, sources in CHARTS.items():
        found += [(ids[f"gold.{table}"], ids[chart], "Tableau extract") for table in sources]
    for file, table in EXPORTS.items():
        found.append((ids[f"gold.{table}"], ids[file], "nightly export"))
    return found
