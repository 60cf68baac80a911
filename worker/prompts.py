"""Workflow prompts: numbered playbooks naming the exact tools to call.

Tool names are injected from the registry ({tool_<name>} fields), so a renamed or removed tool
fails at import instead of reaching a client as a stale instruction.
"""

from __future__ import annotations

from worker.registry import Prompt, PromptArgument

PROMPTS = (
    Prompt(
        name="data_discovery",
        title="Data discovery",
        description="Find the data that answers a business question, with governance context.",
        arguments=(PromptArgument("query", "The business question or data need."),),
        tools=("search_catalog_assets", "lookup_glossary_term", "catalog_asset_details"),
        template=(
            "Find data in OvalEdge for: {query}\n"
            "1. Pick 2-5 distinct keywords and call {tool_search_catalog_assets} with them as "
            "search_terms and the question verbatim as context_query (object_type oetable "
            "first if the question is about tables).\n"
            "2. For each key business concept call {tool_lookup_glossary_term} with term_name.\n"
            "3. For the best 3-5 hits call {tool_catalog_asset_details}.\n"
            "4. Present the top 5: name, what it holds, owner/steward, certification, glossary "
            "alignment and a green/yellow/red trust note, with each redirectUrl. Say plainly "
            "if nothing fits."
        ),
    ),
    Prompt(
        name="explain_business_term",
        title="Explain a business term",
        description="Explain a glossary term and where it lives in the data.",
        arguments=(PromptArgument("term", "The business term, e.g. Revenue."),),
        tools=("lookup_glossary_term", "catalog_asset_details"),
        template=(
            "Explain the business term: {term}\n"
            "1. Call {tool_lookup_glossary_term} with term_name; look up related terms and "
            "synonyms one level deep the same way.\n"
            "2. For up to 2 linked tables or files call {tool_catalog_asset_details}.\n"
            "3. Give the organisation's definition, how it is calculated, related terms, the "
            "physical tables, classifications, owner and steward, and any curation warning."
        ),
    ),
    Prompt(
        name="trust_assessment",
        title="Trust assessment",
        description="Rate how far an asset can be trusted, dimension by dimension.",
        arguments=(PromptArgument("asset_name", "Name of the table, file or report."),),
        tools=("search_catalog_assets", "catalog_asset_details", "asset_lineage",
               "column_profile_statistics"),
        template=(
            "Assess whether {asset_name} can be trusted.\n"
            "1. Resolve it with {tool_search_catalog_assets}; confirm the right hit.\n"
            "2. Call {tool_catalog_asset_details}, then {tool_asset_lineage} with depth 2-3.\n"
            "3. For tables and files call {tool_column_profile_statistics}.\n"
            "4. Rate red/amber/green: data quality, completeness, certification, ownership, "
            "lineage clarity, sensitivity. Verdict: Trusted, Use with caution, or Unreliable, "
            "with the one action that would raise trust."
        ),
    ),
    Prompt(
        name="explore_data_domain",
        title="Explore a data domain",
        description="Map the terms, key tables, tags and contacts of a business domain.",
        arguments=(PromptArgument("domain", "The domain, e.g. Finance."),),
        tools=("search_catalog_assets", "lookup_glossary_term", "lookup_tags"),
        template=(
            "Give an overview of the {domain} data domain.\n"
            "1. Call {tool_search_catalog_assets} with object_type glossary, then with "
            "oetable, for the domain's keywords.\n"
            "2. Call {tool_lookup_glossary_term} for its core terms and {tool_lookup_tags} "
            "for related tags.\n"
            "3. Summarise the key terms, anchor tables, quality and certification, owners and "
            "stewards, and the first steps for someone new to the domain."
        ),
    ),
    Prompt(
        name="trace_data_lineage",
        title="Trace data lineage",
        description="Tell where an asset's data comes from and where it goes.",
        arguments=(PromptArgument("asset_name", "Name of the table or file."),),
        tools=("search_catalog_assets", "asset_lineage", "catalog_asset_details"),
        template=(
            "Trace the lineage of {asset_name}.\n"
            "1. Resolve it with {tool_search_catalog_assets}.\n"
            "2. Call {tool_asset_lineage} with depth 3.\n"
            "3. Call {tool_catalog_asset_details} for the key sources and consumers.\n"
            "4. Tell it as source -> transformation -> consumer in plain language and flag "
            "risks: uncertified sources, missing owners, long chains."
        ),
    ),
    Prompt(
        name="find_related_assets",
        title="Find related assets",
        description="Find assets related to one asset by joins, terms and tags.",
        arguments=(PromptArgument("asset_name", "Name of the starting asset."),),
        tools=("search_catalog_assets", "table_entity_relationships", "catalog_asset_details",
               "lookup_glossary_term", "lookup_tags"),
        template=(
            "Find assets related to {asset_name}.\n"
            "1. Resolve it with {tool_search_catalog_assets}.\n"
            "2. For a table call {tool_table_entity_relationships}; call "
            "{tool_catalog_asset_details} for it.\n"
            "3. Follow its terms with {tool_lookup_glossary_term} and its tags with "
            "{tool_lookup_tags}.\n"
            "4. Rank the related assets (joins first, then shared terms and tags), without "
            "duplicates, each with why it is related and its redirectUrl."
        ),
    ),
    Prompt(
        name="platform_help",
        title="OvalEdge platform help",
        description="Answer a how-to question about OvalEdge from its documentation.",
        arguments=(PromptArgument("question", "The question about using OvalEdge."),),
        tools=("search_platform_docs",),
        template=(
            "Answer this question about the OvalEdge platform: {question}\n"
            "1. Call {tool_search_platform_docs} with the question as query, limit 7, "
            "num_candidates 128.\n"
            "2. Keep only relevant hits; answer from them and cite their URLs.\n"
            "3. If nothing relevant comes back, say so and label any general-knowledge answer "
            "as such."
        ),
    ),
)
