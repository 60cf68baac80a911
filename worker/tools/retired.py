"""The first-generation tool names that left the surface, and what replaces each.

A client (or a saved prompt) that still calls one gets an error result naming the replacement
and how to call it; the supervisor answers it from the surface data, without the worker.
"""

from __future__ import annotations

REPLACED_BY: dict[str, tuple[str, str]] = {
    "search_catalog_assets": (
        "asset_explorer", "the same search_terms, context_query, page, limit, object_type and "
        "owner/steward/custodian/connection_name/schema_name arguments"),
    "catalog_asset_details": (
        "asset_details", "object_id and object_type (resolve a fully qualified name with "
        "asset_explorer first)"),
    "column_profile_statistics": (
        "asset_details", "object_id and object_type: the profile is in data.profile"),
    "table_entity_relationships": (
        "asset_details", "object_id and object_type=oetable: the relationships are in "
        "data.relationships"),
    "lookup_glossary_term": (
        "asset_explorer", "object_type=glossary with name=<term name> or object_id"),
    "lookup_tags": (
        "asset_explorer", "object_type=oetag with name=<tag name> or object_id "
        "(include_parent / include_children for the hierarchy)"),
    "search_platform_docs": (
        "knowledge_search", "query=<the question> (limit and num_candidates as before)"),
}


def replacement_text(old: str) -> str:
    new, how = REPLACED_BY[old]
    return f"{old} was replaced by {new}: call {new} with {how}."
