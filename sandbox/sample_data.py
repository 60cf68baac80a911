"""The sandbox's sample catalog, as plain literals: Juniper & Pine, a small retail company.

Three connections: a point-of-sale PostgreSQL database (raw source), a Snowflake warehouse with a
`staging` and a `mart` schema, and a Tableau site whose charts read the mart. Lineage runs
raw -> staging -> mart -> charts. Every id is a fixed integer: schemas 1xx, tables 10xx,
columns <table id>*100 + n, glossary terms 20xx, charts 30xx, tags 40xx.
All names, people and documentation URLs are invented for the sandbox.
"""

from __future__ import annotations

from typing import Any

OWNER_SALES = "ana.ortiz"
OWNER_CUSTOMER = "ben.kim"
STEWARD_SALES = "chloe.nguyen"
STEWARD_CUSTOMER = "dev.patel"
CUSTODIAN_SOURCE = "pos-dba"
CUSTODIAN_PLATFORM = "data-platform"

CONNECTIONS: list[dict[str, Any]] = [
    {
        "connectionId": 1,
        "connectionName": "pos_postgres",
        "serverType": "PostgreSQL",
        "description": "Point-of-sale and web-shop order database; the system of record.",
    },
    {
        "connectionId": 2,
        "connectionName": "retail_snowflake",
        "serverType": "Snowflake",
        "description": "Analytics warehouse: cleaned staging copies and the reporting mart.",
    },
    {
        "connectionId": 3,
        "connectionName": "retail_tableau",
        "serverType": "Tableau",
        "description": "Tableau site with the Retail KPIs workbook.",
    },
]

# (id, connection, schema, business description, owner, steward, custodian)
SCHEMAS: list[tuple[int, str, str, str, str, str, str]] = [
    (
        101,
        "pos_postgres",
        "pos",
        "Operational tables written by the tills and the web shop.",
        OWNER_SALES,
        STEWARD_SALES,
        CUSTODIAN_SOURCE,
    ),
    (
        102,
        "retail_snowflake",
        "staging",
        "Typed, de-duplicated copies of the source tables.",
        OWNER_SALES,
        STEWARD_SALES,
        CUSTODIAN_PLATFORM,
    ),
    (
        103,
        "retail_snowflake",
        "mart",
        "Star schema used by finance and marketing reporting.",
        OWNER_SALES,
        STEWARD_SALES,
        CUSTODIAN_PLATFORM,
    ),
]

# A column: (name, data type, business description, extras). Extras may hold
#   pk=True, fk="schema.table.column", tags=[...], terms=[...], values=[...] (an enumeration),
#   nulls=<fraction of null rows>.
Column = tuple[str, str, str, dict[str, Any]]

# A table: id, schema id, name, business description, technical description, owner, steward,
# custodian, row count, tags, terms, columns.
TABLES: list[dict[str, Any]] = [
    {
        "id": 1001,
        "schema": 101,
        "name": "customers",
        "business": "Every customer who has bought in a store or online, one row per account.",
        "technical": "Replicated nightly from the POS database by change data capture.",
        "owner": OWNER_CUSTOMER,
        "steward": STEWARD_CUSTOMER,
        "custodian": CUSTODIAN_SOURCE,
        "rows": 48210,
        "tags": ["PII"],
        "terms": [],
        "columns": [
            ("customer_id", "integer", "Customer account identifier.", {"pk": True}),
            ("email", "varchar(255)", "E-mail address given at sign-up.", {"tags": ["PII"]}),
            ("full_name", "varchar(200)", "Customer name as typed at sign-up.", {"tags": ["PII"]}),
            ("phone", "varchar(40)", "Optional phone number.", {"tags": ["PII"], "nulls": 0.41}),
            ("signup_date", "date", "Day the account was created.", {}),
            (
                "loyalty_tier",
                "varchar(10)",
                "Loyalty programme tier.",
                {"values": ["bronze", "gold", "silver"], "terms": ["Loyalty Tier"]},
            ),
            (
                "home_store_id",
                "integer",
                "Store the customer shops at most.",
                {"fk": "pos.stores.store_id", "nulls": 0.12},
            ),
        ],
    },
    {
        "id": 1002,
        "schema": 101,
        "name": "orders",
        "business": "Orders placed at the till or in the web shop, one row per order.",
        "technical": "Append-only; cancelled orders keep their row with status 'cancelled'.",
        "owner": OWNER_SALES,
        "steward": STEWARD_SALES,
        "custodian": CUSTODIAN_SOURCE,
        "rows": 612400,
        "tags": [],
        "terms": ["Order"],
        "columns": [
            ("order_id", "bigint", "Order identifier.", {"pk": True}),
            (
                "customer_id",
                "integer",
                "Buying customer; empty for anonymous till sales.",
                {"fk": "pos.customers.customer_id", "nulls": 0.18},
            ),
            (
                "store_id",
                "integer",
                "Store that took the order; web orders use the web shop row.",
                {"fk": "pos.stores.store_id"},
            ),
            ("order_ts", "timestamp", "When the order was placed, store local time.", {}),
            ("channel", "varchar(10)", "Sales channel.", {"values": ["store", "web"]}),
            (
                "status",
                "varchar(12)",
                "Order status.",
                {"values": ["cancelled", "completed", "returned"]},
            ),
            ("order_total", "numeric(12,2)", "Amount charged, after discounts, before tax.", {}),
        ],
    },
    {
        "id": 1003,
        "schema": 101,
        "name": "order_items",
        "business": "Products on each order, one row per order line.",
        "technical": "Child of pos.orders; unit_price is the price at the time of sale.",
        "owner": OWNER_SALES,
        "steward": STEWARD_SALES,
        "custodian": CUSTODIAN_SOURCE,
        "rows": 1530000,
        "tags": [],
        "terms": [],
        "columns": [
            ("order_item_id", "bigint", "Order line identifier.", {"pk": True}),
            ("order_id", "bigint", "Order the line belongs to.", {"fk": "pos.orders.order_id"}),
            ("product_id", "integer", "Product sold.", {"fk": "pos.products.product_id"}),
            ("quantity", "integer", "Units sold on the line.", {}),
            ("unit_price", "numeric(10,2)", "Price per unit at the time of sale.", {}),
            ("discount_amount", "numeric(10,2)", "Discount applied to the line.", {}),
        ],
    },
    {
        "id": 1004,
        "schema": 101,
        "name": "products",
        "business": "The product range: everything that can be sold, past and present.",
        "technical": "Maintained by merchandising in the POS back office.",
        "owner": OWNER_SALES,
        "steward": STEWARD_SALES,
        "custodian": CUSTODIAN_SOURCE,
        "rows": 3420,
        "tags": [],
        "terms": [],
        "columns": [
            ("product_id", "integer", "Product identifier.", {"pk": True}),
            ("sku", "varchar(20)", "Stock keeping unit printed on the label.", {}),
            ("product_name", "varchar(200)", "Name shown on receipts and the web shop.", {}),
            (
                "category",
                "varchar(40)",
                "Merchandising category.",
                {"values": ["apparel", "camping", "footwear", "home"]},
            ),
            ("list_price", "numeric(10,2)", "Current shelf price.", {}),
            ("unit_cost", "numeric(10,2)", "Purchase cost per unit.", {}),
            (
                "is_active",
                "boolean",
                "Still on sale; being replaced by a status column.",
                {"tags": ["Deprecated"]},
            ),
        ],
    },
    {
        "id": 1005,
        "schema": 101,
        "name": "stores",
        "business": "Physical stores, plus one row that stands for the web shop.",
        "technical": "Small reference table edited by hand.",
        "owner": OWNER_SALES,
        "steward": STEWARD_SALES,
        "custodian": CUSTODIAN_SOURCE,
        "rows": 38,
        "tags": [],
        "terms": [],
        "columns": [
            ("store_id", "integer", "Store identifier.", {"pk": True}),
            ("store_name", "varchar(100)", "Store name.", {}),
            ("city", "varchar(80)", "City the store is in.", {}),
            (
                "region",
                "varchar(20)",
                "Sales region.",
                {"values": ["central", "north", "online", "south"]},
            ),
            ("opened_on", "date", "Opening day.", {}),
        ],
    },
    {
        "id": 1006,
        "schema": 102,
        "name": "stg_customers",
        "business": "Customers with the e-mail address hashed and the home region attached.",
        "technical": "dbt model stg_customers; joins pos.customers to pos.stores.",
        "owner": OWNER_CUSTOMER,
        "steward": STEWARD_CUSTOMER,
        "custodian": CUSTODIAN_PLATFORM,
        "rows": 48210,
        "tags": [],
        "terms": [],
        "columns": [
            ("customer_id", "number(38,0)", "Customer account identifier.", {"pk": True}),
            ("email_hash", "varchar(64)", "SHA-256 of the lower-cased e-mail address.", {}),
            ("signup_date", "date", "Day the account was created.", {}),
            (
                "loyalty_tier",
                "varchar(10)",
                "Loyalty programme tier.",
                {"values": ["bronze", "gold", "silver"], "terms": ["Loyalty Tier"]},
            ),
            (
                "home_region",
                "varchar(20)",
                "Region of the customer's home store.",
                {"values": ["central", "north", "online", "south"], "nulls": 0.12},
            ),
        ],
    },
    {
        "id": 1007,
        "schema": 102,
        "name": "stg_orders",
        "business": "Orders with their lines summed up and the store region attached.",
        "technical": "dbt model stg_orders; aggregates pos.order_items per order.",
        "owner": OWNER_SALES,
        "steward": STEWARD_SALES,
        "custodian": CUSTODIAN_PLATFORM,
        "rows": 598900,
        "tags": [],
        "terms": ["Order"],
        "columns": [
            ("order_id", "number(38,0)", "Order identifier.", {"pk": True}),
            (
                "customer_id",
                "number(38,0)",
                "Buying customer, if known.",
                {"fk": "staging.stg_customers.customer_id", "nulls": 0.18},
            ),
            ("store_id", "number(38,0)", "Store that took the order.", {}),
            (
                "store_region",
                "varchar(20)",
                "Region of that store.",
                {"values": ["central", "north", "online", "south"]},
            ),
            ("order_date", "date", "Day of the order.", {}),
            ("channel", "varchar(10)", "Sales channel.", {"values": ["store", "web"]}),
            ("gross_amount", "number(12,2)", "Sum of quantity times unit price.", {}),
            ("net_amount", "number(12,2)", "Gross amount minus discounts.", {}),
        ],
    },
    {
        "id": 1008,
        "schema": 102,
        "name": "stg_products",
        "business": "Products with prices and costs in a single currency.",
        "technical": "dbt model stg_products; drops test SKUs.",
        "owner": OWNER_SALES,
        "steward": STEWARD_SALES,
        "custodian": CUSTODIAN_PLATFORM,
        "rows": 3390,
        "tags": [],
        "terms": [],
        "columns": [
            ("product_id", "number(38,0)", "Product identifier.", {"pk": True}),
            ("sku", "varchar(20)", "Stock keeping unit.", {}),
            ("product_name", "varchar(200)", "Product name.", {}),
            (
                "category",
                "varchar(40)",
                "Merchandising category.",
                {"values": ["apparel", "camping", "footwear", "home"]},
            ),
            ("unit_cost", "number(10,2)", "Purchase cost per unit.", {}),
        ],
    },
    {
        "id": 1009,
        "schema": 103,
        "name": "dim_customer",
        "business": "One row per customer with activity flags and lifetime value.",
        "technical": "dbt model dim_customer; rebuilt daily at 03:00 UTC.",
        "owner": OWNER_CUSTOMER,
        "steward": STEWARD_CUSTOMER,
        "custodian": CUSTODIAN_PLATFORM,
        "rows": 48210,
        "tags": ["Certified", "Marketing"],
        "terms": ["Active Customer", "Customer Lifetime Value"],
        "columns": [
            ("customer_key", "number(38,0)", "Surrogate key.", {"pk": True}),
            ("customer_id", "number(38,0)", "Customer account identifier.", {}),
            (
                "loyalty_tier",
                "varchar(10)",
                "Loyalty programme tier.",
                {"values": ["bronze", "gold", "silver"], "terms": ["Loyalty Tier"]},
            ),
            (
                "home_region",
                "varchar(20)",
                "Region of the customer's home store.",
                {"values": ["central", "north", "online", "south"], "nulls": 0.12},
            ),
            ("first_order_date", "date", "Day of the first completed order.", {"nulls": 0.07}),
            ("last_order_date", "date", "Day of the latest completed order.", {"nulls": 0.07}),
            (
                "is_active",
                "boolean",
                "Customer counts as active today.",
                {"terms": ["Active Customer"]},
            ),
            (
                "lifetime_value",
                "number(12,2)",
                "Net revenue from the customer so far.",
                {"terms": ["Customer Lifetime Value"]},
            ),
        ],
    },
    {
        "id": 1010,
        "schema": 103,
        "name": "dim_product",
        "business": "One row per product with its category and current cost.",
        "technical": "dbt model dim_product; type-1 dimension.",
        "owner": OWNER_SALES,
        "steward": STEWARD_SALES,
        "custodian": CUSTODIAN_PLATFORM,
        "rows": 3390,
        "tags": ["Certified"],
        "terms": [],
        "columns": [
            ("product_key", "number(38,0)", "Surrogate key.", {"pk": True}),
            ("product_id", "number(38,0)", "Product identifier.", {}),
            ("product_name", "varchar(200)", "Product name.", {}),
            (
                "category",
                "varchar(40)",
                "Merchandising category.",
                {"values": ["apparel", "camping", "footwear", "home"]},
            ),
            ("unit_cost", "number(10,2)", "Purchase cost per unit.", {}),
        ],
    },
    {
        "id": 1011,
        "schema": 103,
        "name": "fct_sales",
        "business": "Completed sales at order-line grain: the basis of every revenue figure.",
        "technical": "dbt model fct_sales; incremental on order_date, late lines merged.",
        "owner": OWNER_SALES,
        "steward": STEWARD_SALES,
        "custodian": CUSTODIAN_PLATFORM,
        "rows": 1487300,
        "tags": ["Certified", "Finance"],
        "terms": ["Revenue", "Gross Margin"],
        "columns": [
            ("sales_id", "number(38,0)", "Surrogate key of the sales line.", {"pk": True}),
            ("order_id", "number(38,0)", "Order the line belongs to.", {}),
            (
                "customer_key",
                "number(38,0)",
                "Customer dimension key.",
                {"fk": "mart.dim_customer.customer_key"},
            ),
            (
                "product_key",
                "number(38,0)",
                "Product dimension key.",
                {"fk": "mart.dim_product.product_key"},
            ),
            ("store_id", "number(38,0)", "Store that made the sale.", {}),
            ("order_date", "date", "Day of the sale.", {}),
            ("quantity", "number(10,0)", "Units sold.", {}),
            ("net_revenue", "number(12,2)", "", {"terms": ["Revenue"], "tags": ["Finance"]}),
            (
                "gross_margin",
                "number(12,2)",
                "Net revenue minus cost of goods sold.",
                {"terms": ["Gross Margin"], "tags": ["Finance"]},
            ),
        ],
    },
    {
        "id": 1012,
        "schema": 103,
        "name": "agg_daily_revenue",
        "business": "Revenue, orders and average order value per day and region.",
        "technical": "dbt model agg_daily_revenue; summarises fct_sales.",
        "owner": OWNER_SALES,
        "steward": STEWARD_SALES,
        "custodian": CUSTODIAN_PLATFORM,
        "rows": 10950,
        "tags": ["Certified", "Finance"],
        "terms": ["Revenue", "Average Order Value"],
        "columns": [
            ("revenue_date", "date", "Calendar day.", {"pk": True}),
            (
                "region",
                "varchar(20)",
                "Sales region.",
                {"values": ["central", "north", "online", "south"]},
            ),
            ("order_count", "number(10,0)", "Completed orders that day.", {}),
            ("net_revenue", "number(14,2)", "", {"terms": ["Revenue"], "tags": ["Finance"]}),
            (
                "average_order_value",
                "number(10,2)",
                "Net revenue divided by order count.",
                {"terms": ["Average Order Value"]},
            ),
        ],
    },
]

# Charts in the Tableau workbook "Retail KPIs": (id, name, description, tags, terms).
CHARTS: list[tuple[int, str, str, list[str], list[str]]] = [
    (
        3001,
        "Daily Revenue Trend",
        "Net revenue per day for the last 13 months, by region.",
        ["Certified", "Finance"],
        ["Revenue"],
    ),
    (
        3002,
        "Top Products by Margin",
        "The 20 products with the highest gross margin this quarter.",
        ["Finance"],
        ["Gross Margin"],
    ),
    (
        3003,
        "Customer Lifetime Value Distribution",
        "How lifetime value spreads across customers.",
        ["Marketing"],
        ["Customer Lifetime Value"],
    ),
    (
        3004,
        "Active Customers by Region",
        "Count of active customers per home region.",
        ["Marketing"],
        ["Active Customer"],
    ),
]
CHART_WORKBOOK = "Retail KPIs"

# Lineage edges, source id -> target id (tables and charts). Forms a DAG.
LINEAGE_EDGES: list[tuple[int, int, str]] = [
    (1001, 1006, "hash e-mail, attach home region"),
    (1005, 1006, "join on home_store_id"),
    (1002, 1007, "copy order header"),
    (1003, 1007, "sum order lines"),
    (1005, 1007, "join on store_id"),
    (1004, 1008, "drop test SKUs"),
    (1006, 1009, "one row per customer"),
    (1007, 1009, "first/last order, lifetime value"),
    (1007, 1011, "explode to sales lines"),
    (1008, 1010, "type-1 dimension"),
    (1008, 1011, "cost of goods sold"),
    (1011, 1012, "group by day and region"),
    (1012, 3001, "Tableau extract"),
    (1011, 3002, "Tableau live query"),
    (1010, 3002, "Tableau live query"),
    (1009, 3003, "Tableau extract"),
    (1009, 3004, "Tableau extract"),
]

# Glossary terms: id, name, category, status, definition, detailed description, synonyms,
# related term names, and whether a published term pushes its definition to linked columns.
GLOSSARY_DOMAIN = "Retail Analytics"
GLOSSARY: list[dict[str, Any]] = [
    {
        "id": 2001,
        "name": "Revenue",
        "category": "Sales",
        "status": "Published",
        "definition": "Money received from completed sales after discounts and returns, "
        "before tax.",
        "detailed": "Counted on the day of the sale. Cancelled orders never count; returns "
        "reduce revenue on the day of the return.",
        "synonyms": ["Net Sales"],
        "related": ["Gross Margin", "Average Order Value"],
        "propagates": True,
        "owner": OWNER_SALES,
        "steward": STEWARD_SALES,
    },
    {
        "id": 2002,
        "name": "Gross Margin",
        "category": "Sales",
        "status": "Published",
        "definition": "Revenue minus the cost of the goods sold, as an amount.",
        "detailed": "Cost of goods sold uses the unit cost valid on the day of the sale.",
        "synonyms": [],
        "related": ["Revenue"],
        "propagates": False,
        "owner": OWNER_SALES,
        "steward": STEWARD_SALES,
    },
    {
        "id": 2003,
        "name": "Customer Lifetime Value",
        "category": "Customer",
        "status": "Published",
        "definition": "Revenue a customer has generated since their first completed order.",
        "detailed": "Historical value only; no forecast is included. Anonymous till sales are "
        "not attributed to any customer.",
        "synonyms": ["CLV", "LTV"],
        "related": ["Active Customer", "Churned Customer"],
        "propagates": True,
        "owner": OWNER_CUSTOMER,
        "steward": STEWARD_CUSTOMER,
    },
    {
        "id": 2004,
        "name": "Active Customer",
        "category": "Customer",
        "status": "Published",
        "definition": "A customer with at least one completed order in the last 365 days.",
        "detailed": "Evaluated every night; web and store orders both count.",
        "synonyms": [],
        "related": ["Churned Customer", "Customer Lifetime Value"],
        "propagates": False,
        "owner": OWNER_CUSTOMER,
        "steward": STEWARD_CUSTOMER,
    },
    {
        "id": 2005,
        "name": "Average Order Value",
        "category": "Sales",
        "status": "Published",
        "definition": "Revenue divided by the number of completed orders in the period.",
        "detailed": "Orders without a known customer are included.",
        "synonyms": ["AOV"],
        "related": ["Revenue", "Order"],
        "propagates": False,
        "owner": OWNER_SALES,
        "steward": STEWARD_SALES,
    },
    {
        "id": 2006,
        "name": "Order",
        "category": "Sales",
        "status": "Published",
        "definition": "One purchase, in a store or online, holding one or more products.",
        "detailed": "An order keeps its identifier through cancellation and returns.",
        "synonyms": ["Transaction"],
        "related": ["Average Order Value"],
        "propagates": False,
        "owner": OWNER_SALES,
        "steward": STEWARD_SALES,
    },
    {
        "id": 2007,
        "name": "Loyalty Tier",
        "category": "Customer",
        "status": "Published",
        "definition": "Bronze, silver or gold level of the loyalty programme, set by yearly spend.",
        "detailed": "Reassessed on 1 January; a customer never drops more than one tier a year.",
        "synonyms": [],
        "related": ["Customer Lifetime Value"],
        "propagates": False,
        "owner": OWNER_CUSTOMER,
        "steward": STEWARD_CUSTOMER,
    },
    {
        "id": 2008,
        "name": "Churned Customer",
        "category": "Customer",
        "status": "Draft",
        "definition": "A customer whose latest completed order is more than 365 days old.",
        "detailed": "Draft: marketing and finance still disagree on the 365-day window.",
        "synonyms": ["Lapsed Customer"],
        "related": ["Active Customer"],
        "propagates": False,
        "owner": OWNER_CUSTOMER,
        "steward": STEWARD_CUSTOMER,
    },
]

# Tags: id, name, parent name, description.
TAGS: list[tuple[int, str, str | None, str]] = [
    (4001, "Sensitive", None, "Data that needs restricted handling."),
    (
        4002,
        "PII",
        "Sensitive",
        "Personally identifiable information such as names, e-mail addresses and phone numbers.",
    ),
    (4003, "Certified", None, "Reviewed by the governance team and approved for reporting."),
    (4004, "Finance", None, "Used in financial reporting."),
    (4005, "Marketing", None, "Used by the marketing team for campaigns and segmentation."),
    (4006, "Deprecated", None, "Scheduled for removal; do not build anything new on it."),
]

# Product documentation hits for search-platform-docs: title, path, section, snippet, keywords.
DOCS_BASE = "https://docs.ovaledge.com"
PLATFORM_DOCS: list[tuple[str, str, str, str, str]] = [
    (
        "Generating an API token",
        "/api/generating-an-api-token",
        "Administration",
        "Create a user token and secret under My Profile, then exchange them for a JWT at "
        "/api/user/token/generate before calling the REST API.",
        "api token secret jwt authentication rest",
    ),
    (
        "Searching the data catalog",
        "/data-catalog/searching-the-catalog",
        "Data Catalog",
        "Search by keyword across tables, columns, files, reports and glossary terms, then narrow "
        "the results with filters for connection, schema, type and governance roles.",
        "search catalog filter keyword find table column",
    ),
    (
        "Understanding data lineage",
        "/data-catalog/data-lineage",
        "Data Catalog",
        "Lineage shows where data comes from and where it goes, from source tables through "
        "transformations to reports, with a configurable number of levels.",
        "lineage upstream downstream impact analysis source report",
    ),
    (
        "Business glossary terms",
        "/business-glossary/glossary-terms",
        "Business Glossary",
        "Glossary terms give business definitions to data. Published terms can push their "
        "definition to the columns they are associated with.",
        "glossary term definition business publish associate",
    ),
    (
        "Tags and tag hierarchies",
        "/governance/tags",
        "Data Governance",
        "Tags group data assets; a child tag inherits the meaning of its parent, for example PII "
        "under Sensitive.",
        "tag tags hierarchy parent child classify pii",
    ),
    (
        "Data profiling",
        "/data-catalog/data-profiling",
        "Data Catalog",
        "Profiling collects row counts, null counts, distinct values and minimum and maximum "
        "values for each column of a table or file.",
        "profile profiling statistics null distinct min max column",
    ),
    (
        "Connecting to Snowflake",
        "/connectors/snowflake",
        "Connectors",
        "Add a Snowflake connection with an account URL, warehouse and role, then crawl schemas "
        "to bring tables and views into the catalog.",
        "snowflake connector connection crawl warehouse",
    ),
    (
        "Governance roles",
        "/governance/governance-roles",
        "Data Governance",
        "Each asset can have an owner, a steward and a custodian; they approve changes and answer "
        "questions about the data.",
        "owner steward custodian governance roles responsibility",
    ),
]
