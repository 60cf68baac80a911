"""Who may see what, as plain literals: OvalEdge's own catalog permissions, and the native grants
of the two source systems OvalEdge reads natively (Snowflake and Tableau).

Catalog permissions: users hold roles (every user also holds OE_PUBLIC); a permission is set for
a role or a user on a connection or on an object, and an object without one for a principal
takes the one of its nearest parent (column -> table -> schema -> connection, file column ->
file -> connection, chart -> connection, story -> story zone). NO_ACCESS/NO_ACCESS entries take
a permission away below the level that gave it.

Native grants: one shape for both systems. A membership puts a user or a role into a role
(Snowflake's role hierarchy: the inner role's privileges flow to the outer one) or a user into a
group (Tableau). A grant gives privileges on one object path to a role, a group or a user.
Snowflake paths are DATABASE.SCHEMA.TABLE[.COLUMN] of the retail_snowflake catalog, upper-case;
Tableau paths are Project/Report, the project being the charts' report group.
"""

from __future__ import annotations

METADATA_PERMISSIONS = ("NO_ACCESS", "META_READ", "META_WRITE", "ADMIN")  # weakest first
DATA_PERMISSIONS = ("NO_ACCESS", "DATA_PREVIEW", "DATA_READ", "DATA_WRITE")
PUBLIC_ROLE = "OE_PUBLIC"

# role -> description
CATALOG_ROLES: dict[str, str] = {
    PUBLIC_ROLE: "Every registered user.",
    "Finance Analysts": "Finance reporting and the monthly close.",
    "Marketing Analysts": "Campaigns, segmentation and customer insight.",
    "Data Engineers": "Build and run the pipelines.",
    "Data Stewards": "Curate metadata and answer questions about the data.",
}

# user -> roles besides OE_PUBLIC
CATALOG_USERS: dict[str, list[str]] = {
    "ana.ortiz": ["Finance Analysts", "Data Stewards"],
    "ben.kim": ["Marketing Analysts", "Data Stewards"],
    "chloe.nguyen": ["Data Stewards"],
    "dev.patel": ["Data Stewards"],
    "eva.rossi": ["Finance Analysts"],
    "femi.adeyemi": ["Marketing Analysts"],
    "gus.lindqvist": ["Data Engineers"],
}

# (connection, principal type, principal name, metadata permission, data permission)
CONNECTION_PERMISSIONS: list[tuple[str, str, str, str, str]] = [
    ("pos_postgres", "role", PUBLIC_ROLE, "META_READ", "NO_ACCESS"),
    ("pos_postgres", "role", "Data Engineers", "META_WRITE", "DATA_READ"),
    ("retail_snowflake", "role", PUBLIC_ROLE, "META_READ", "NO_ACCESS"),
    ("retail_snowflake", "role", "Data Engineers", "META_WRITE", "DATA_WRITE"),
    ("retail_tableau", "role", PUBLIC_ROLE, "META_READ", "DATA_PREVIEW"),
    ("retail_s3", "role", "Data Engineers", "META_WRITE", "DATA_READ"),
]

# (object id, principal type, principal name, metadata permission, data permission)
OBJECT_PERMISSIONS: list[tuple[int, str, str, str, str]] = [
    (101, "role", "Data Stewards", "META_READ", "DATA_PREVIEW"),  # schema pos
    (102, "role", "Data Stewards", "META_WRITE", "DATA_PREVIEW"),  # schema staging
    (103, "role", "Finance Analysts", "META_READ", "DATA_READ"),  # schema mart
    (103, "role", "Marketing Analysts", "META_READ", "DATA_READ"),
    (103, "role", "Data Stewards", "META_WRITE", "DATA_PREVIEW"),
    (104, "role", PUBLIC_ROLE, "NO_ACCESS", "NO_ACCESS"),  # schema archive: auditors only
    (104, "role", "Finance Analysts", "META_READ", "DATA_READ"),
    (1001, "user", "ben.kim", "ADMIN", "DATA_READ"),  # pos.customers
    (1009, "role", "Finance Analysts", "META_READ", "NO_ACCESS"),  # mart.dim_customer
    (1011, "role", "Data Stewards", "META_WRITE", "DATA_READ"),  # mart.fct_sales
    (1011, "user", "eva.rossi", "META_WRITE", "DATA_READ"),
    (5002, "role", "Finance Analysts", "META_READ", "DATA_READ"),  # daily_revenue_export.csv
    (5003, "role", "Marketing Analysts", "META_READ", "DATA_PREVIEW"),  # customer_survey_2025.parquet
    (6101, "role", "Finance Analysts", "META_READ", "NO_ACCESS"),  # zone Finance Insights
    (6101, "role", "Data Stewards", "META_WRITE", "NO_ACCESS"),
    (6102, "role", "Marketing Analysts", "META_READ", "NO_ACCESS"),  # zone Customer Insights
    (6102, "role", "Data Stewards", "META_WRITE", "NO_ACCESS"),
    (6003, "role", "Data Engineers", "META_READ", "NO_ACCESS"),  # story Supplier cost refresh
]

# ---------------------------------------------------------------- native grants

SNOWFLAKE_DATABASE = "RETAIL_DB"

# source system -> how OvalEdge reaches it natively
NATIVE_SYSTEMS: dict[str, dict[str, object]] = {
    "snowflake": {
        "connectionId": 2,
        "levels": ("database", "schema", "table", "column"),
        "principalTypes": ("user", "role"),
    },
    "tableau": {
        "connectionId": 3,
        "levels": ("project", "report"),
        "principalTypes": ("user", "group"),
    },
}

# source system -> (member type, member name, container type, container name)
NATIVE_MEMBERSHIPS: dict[str, list[tuple[str, str, str, str]]] = {
    "snowflake": [
        ("role", "ANALYST_BASE", "role", "ANALYST_FINANCE"),
        ("role", "ANALYST_BASE", "role", "ANALYST_MARKETING"),
        ("role", "ANALYST_BASE", "role", "AUDITOR"),
        ("role", "ANALYST_FINANCE", "role", "REPORTING"),
        ("role", "ANALYST_MARKETING", "role", "REPORTING"),
        ("role", "TRANSFORMER", "role", "SYSADMIN"),
        ("role", "LOADER", "role", "SYSADMIN"),
        ("user", "ana.ortiz", "role", "ANALYST_FINANCE"),
        ("user", "eva.rossi", "role", "ANALYST_FINANCE"),
        ("user", "eva.rossi", "role", "AUDITOR"),
        ("user", "ben.kim", "role", "ANALYST_MARKETING"),
        ("user", "femi.adeyemi", "role", "ANALYST_MARKETING"),
        ("user", "gus.lindqvist", "role", "SYSADMIN"),
        ("user", "svc_dbt", "role", "TRANSFORMER"),
        ("user", "svc_loader", "role", "LOADER"),
        ("user", "svc_tableau", "role", "REPORTING"),
    ],
    "tableau": [
        ("user", "ana.ortiz", "group", "All Users"),
        ("user", "ben.kim", "group", "All Users"),
        ("user", "chloe.nguyen", "group", "All Users"),
        ("user", "dev.patel", "group", "All Users"),
        ("user", "eva.rossi", "group", "All Users"),
        ("user", "femi.adeyemi", "group", "All Users"),
        ("user", "ana.ortiz", "group", "Finance Viewers"),
        ("user", "eva.rossi", "group", "Finance Viewers"),
        ("user", "ben.kim", "group", "Marketing Explorers"),
        ("user", "femi.adeyemi", "group", "Marketing Explorers"),
        ("user", "gus.lindqvist", "group", "Site Publishers"),
    ],
}

# source system -> (principal type, principal name, privileges, object level, object path)
NATIVE_GRANTS: dict[str, list[tuple[str, str, list[str], str, str]]] = {
    "snowflake": [
        ("role", "TRANSFORMER", ["USAGE"], "database", "RETAIL_DB"),
        ("role", "TRANSFORMER", ["OWNERSHIP"], "schema", "RETAIL_DB.STAGING"),
        ("role", "TRANSFORMER", ["OWNERSHIP"], "schema", "RETAIL_DB.MART"),
        ("role", "TRANSFORMER", ["OWNERSHIP"], "table", "RETAIL_DB.STAGING.STG_CUSTOMERS"),
        ("role", "TRANSFORMER", ["OWNERSHIP"], "table", "RETAIL_DB.STAGING.STG_ORDERS"),
        ("role", "TRANSFORMER", ["OWNERSHIP"], "table", "RETAIL_DB.STAGING.STG_PRODUCTS"),
        ("role", "TRANSFORMER", ["OWNERSHIP"], "table", "RETAIL_DB.MART.DIM_CUSTOMER"),
        ("role", "TRANSFORMER", ["OWNERSHIP"], "table", "RETAIL_DB.MART.DIM_PRODUCT"),
        ("role", "TRANSFORMER", ["OWNERSHIP"], "table", "RETAIL_DB.MART.FCT_SALES"),
        ("role", "TRANSFORMER", ["OWNERSHIP"], "table", "RETAIL_DB.MART.AGG_DAILY_REVENUE"),
        ("role", "LOADER", ["USAGE"], "database", "RETAIL_DB"),
        ("role", "LOADER", ["USAGE"], "schema", "RETAIL_DB.STAGING"),
        ("role", "LOADER", ["INSERT", "UPDATE"], "table", "RETAIL_DB.STAGING.STG_ORDERS"),
        ("role", "ANALYST_BASE", ["USAGE"], "database", "RETAIL_DB"),
        ("role", "ANALYST_BASE", ["USAGE"], "schema", "RETAIL_DB.MART"),
        ("role", "ANALYST_FINANCE", ["SELECT"], "table", "RETAIL_DB.MART.FCT_SALES"),
        ("role", "ANALYST_FINANCE", ["SELECT"], "table", "RETAIL_DB.MART.AGG_DAILY_REVENUE"),
        ("role", "ANALYST_FINANCE", ["SELECT"], "table", "RETAIL_DB.MART.DIM_PRODUCT"),
        ("role", "ANALYST_MARKETING", ["SELECT"], "table", "RETAIL_DB.MART.DIM_CUSTOMER"),
        ("role", "ANALYST_MARKETING", ["SELECT"], "table", "RETAIL_DB.MART.DIM_PRODUCT"),
        ("role", "AUDITOR", ["USAGE"], "schema", "RETAIL_DB.ARCHIVE"),
        ("role", "AUDITOR", ["SELECT"], "table", "RETAIL_DB.ARCHIVE.FCT_SALES"),
    ],
    "tableau": [
        ("group", "All Users", ["VIEW"], "project", "Retail KPIs"),
        ("group", "Site Publishers", ["VIEW", "EXPLORE", "PUBLISH"], "project", "Retail KPIs"),
        ("group", "Finance Viewers", ["VIEW", "EXPLORE"], "report", "Retail KPIs/Daily Revenue Trend"),
        ("group", "Finance Viewers", ["VIEW", "EXPLORE"], "report", "Retail KPIs/Top Products by Margin"),
        (
            "group",
            "Marketing Explorers",
            ["VIEW", "EXPLORE"],
            "report",
            "Retail KPIs/Customer Lifetime Value Distribution",
        ),
        (
            "group",
            "Marketing Explorers",
            ["VIEW", "EXPLORE"],
            "report",
            "Retail KPIs/Active Customers by Region",
        ),
        ("user", "chloe.nguyen", ["VIEW", "EXPLORE", "PUBLISH"], "report", "Retail KPIs/Daily Revenue Trend"),
        (
            "user",
            "dev.patel",
            ["VIEW", "EXPLORE"],
            "report",
            "Retail KPIs/Customer Lifetime Value Distribution",
        ),
    ],
}
