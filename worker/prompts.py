"""Workflow prompts: numbered playbooks naming the exact tools to call.

Each prompt is a numbered playbook. Tool names reach the text only through {tool_<name>}
fields, filled from the registry, so a renamed or removed tool fails at import instead of
reaching a client as a stale instruction.
"""

from __future__ import annotations

from worker.registry import Prompt, PromptArgument

PROMPTS = (
    Prompt(
        name="data_discovery",
        title="Data discovery",
        description="Find the data that answers a business question, with governance context.",
        arguments=(PromptArgument("query", "The business question or data need."),),
        tools=("asset_explorer", "asset_details", "knowledge_search"),
        template=(
            "Find data in OvalEdge for: {query}\n"
            "1. Call {tool_asset_explorer} once as an open search: 2-5 distinct keywords as "
            "search_terms and the request word for word as context_query. Leave object_type, "
            "tags and terms out unless the request names a kind of asset, a tag or a term.\n"
            "2. If a business concept is central, look it up with {tool_asset_explorer} using "
            "name and object_type glossary (oetag for a tag).\n"
            "3. Shortlist up to 5 hits and call {tool_asset_details} for those only.\n"
            "4. Too many or off-target hits: narrow with owner, steward, connection_name, "
            "schema_name or filters (certification, facets), sort a filter-only listing, or "
            "take the next page; limit is at most 50.\n"
            "5. For policy or narrative context call {tool_knowledge_search} with the request "
            "as query.\n"
            "6. Present the top 5: name, what it holds, owner and steward, certification, "
            "glossary terms, a green/amber/red trust note and each redirectUrl. Say plainly if "
            "nothing fits. This playbook also answers 'what tables can I see?' when no person "
            "and no source system is named."
        ),
    ),
    Prompt(
        name="explain_business_term",
        title="Explain a business term",
        description="Explain a glossary term and where it lives in the data.",
        arguments=(PromptArgument("term", "The business term, e.g. Revenue."),),
        tools=("asset_explorer", "asset_details"),
        template=(
            "Explain the business term: {term}\n"
            "1. Call {tool_asset_explorer} with name set to the term and object_type glossary. "
            "No exact match: search it as keywords with object_type glossary and confirm the "
            "right term with the user.\n"
            "2. Look up its related terms and synonyms one level deep the same way.\n"
            "3. For up to 2 linked tables, columns or files call {tool_asset_details}.\n"
            "4. Give the organisation's definition (not a textbook one), its status, how it is "
            "calculated, related terms, where it lives in the data, classifications, owner and "
            "steward, each redirectUrl, and any curation gap."
        ),
    ),
    Prompt(
        name="trust_assessment",
        title="Trust assessment",
        description="Rate how far an asset can be trusted, dimension by dimension.",
        arguments=(PromptArgument("asset_name", "Name of the table, file or report."),),
        tools=("asset_explorer", "asset_details", "asset_lineage"),
        template=(
            "Assess whether {asset_name} can be trusted.\n"
            "1. Resolve it with {tool_asset_explorer}: keywords plus the name as "
            "context_query; confirm the right hit when several match.\n"
            "2. Call {tool_asset_details} with its object_id and object_type; for a table or "
            "file this includes the column profile.\n"
            "3. For a table or file call {tool_asset_lineage} with depth 2-3.\n"
            "4. Rate red/amber/green: data quality (quality index, nulls in the profile), "
            "metadata completeness (curation, descriptions), certification, ownership (owner, "
            "steward, custodian), lineage clarity, sensitivity and classifications.\n"
            "5. Verdict: Trusted, Use with caution, or Unreliable, with the one action that "
            "would raise trust and the asset's redirectUrl."
        ),
    ),
    Prompt(
        name="explore_data_domain",
        title="Explore a data domain",
        description="Map the terms, key assets, stories and contacts of a business domain.",
        arguments=(PromptArgument("domain", "The domain, e.g. Finance."),),
        tools=("asset_explorer", "asset_details", "knowledge_search"),
        template=(
            "Give an overview of the {domain} data domain.\n"
            "1. Call {tool_asset_explorer} as an open search for the domain's keywords, with no "
            "object_type and the domain name as context_query.\n"
            "2. List its glossary terms with {tool_asset_explorer}: object_type glossary and "
            "domain_name set to the domain; if that finds nothing, search the keywords with "
            "object_type glossary. Look up its tags the same way with object_type oetag when "
            "they matter.\n"
            "3. Call {tool_asset_details} for the 3-5 anchor tables or files.\n"
            "4. Call {tool_knowledge_search} for the domain's data stories and policies.\n"
            "5. Summarise the key terms, anchor assets, quality and certification, owners and "
            "stewards, relevant stories (keep each story's citation line), and first steps for "
            "someone new, with redirectUrls."
        ),
    ),
    Prompt(
        name="trace_data_lineage",
        title="Trace data lineage",
        description="Tell where an asset's data comes from and where it goes.",
        arguments=(PromptArgument("asset_name", "Name of the table or file."),),
        tools=("asset_explorer", "asset_lineage", "asset_details"),
        template=(
            "Trace the lineage of {asset_name}.\n"
            "1. Resolve it with {tool_asset_explorer}; lineage exists for tables and files "
            "only, so pick an oetable or oefile hit.\n"
            "2. Call {tool_asset_lineage} with depth 3.\n"
            "3. Call {tool_asset_details} for the key sources and consumers.\n"
            "4. Tell it as source -> transformation -> consumer in plain language and flag "
            "risks: uncertified sources, missing owners, long chains, poor quality. If the "
            "graph was cut to fit, say so and offer a lower depth."
        ),
    ),
    Prompt(
        name="find_related_assets",
        title="Find related assets",
        description="Find assets related to one asset by joins, terms and tags.",
        arguments=(PromptArgument("asset_name", "Name of the starting asset."),),
        tools=("asset_explorer", "asset_details"),
        template=(
            "Find assets related to {asset_name}.\n"
            "1. Resolve it with an open {tool_asset_explorer} search (not limited to tables) "
            "and confirm the right hit.\n"
            "2. Call {tool_asset_details} for it; for a table the answer includes its "
            "relationships (joins).\n"
            "3. Find assets that share its glossary terms or tags with {tool_asset_explorer}, "
            "with terms or tags set to their exact names.\n"
            "4. Rank the related assets (relationships first, then shared terms, then shared "
            "tags), without duplicates, each with why it is related and its redirectUrl."
        ),
    ),
    Prompt(
        name="organizational_knowledge",
        title="Organisational knowledge",
        description="Answer from the organisation's data stories: policies, playbooks, context.",
        arguments=(PromptArgument("question", "The question about how the organisation works."),),
        tools=("knowledge_search", "asset_explorer"),
        template=(
            "Answer from the organisation's own knowledge: {question}\n"
            "1. Call {tool_knowledge_search} first with the question as query; add "
            "story_zone_name or story_name when the user names one.\n"
            "2. If no story fits, call {tool_asset_explorer} with object_type oestory and the "
            "question's keywords, then {tool_knowledge_search} with the chosen story's "
            "object_id.\n"
            "3. Present formattedResponse. For a data story its first line is the story "
            "citation: keep it verbatim as the first line of your answer.\n"
            "4. If nothing the user may see matches, say so; label any general-knowledge "
            "answer as such."
        ),
    ),
    Prompt(
        name="metadata_drift",
        title="Metadata drift",
        description="Summarise what changed in a source's metadata between crawls.",
        arguments=(PromptArgument("scope", "The connection, schema or tables and the period."),),
        tools=("asset_explorer", "metadata_changes_between_crawls"),
        template=(
            "Report metadata changes between crawls for: {scope}\n"
            "1. Resolve the connection, schema and table names the scope mentions with "
            "{tool_asset_explorer}, so they are spelled as OvalEdge spells them.\n"
            "2. Call {tool_metadata_changes_between_crawls} with the scope word for word as "
            "question, plus connection_name, schema_names and table_names, and one window: "
            "last_n_days, last_n_weeks, from_timestamp and to_timestamp, or from_crawl_id and "
            "to_crawl_id.\n"
            "3. Summarise added, deleted and renamed objects and changed data types, by schema "
            "and table, with the links the answer gives.\n"
            "4. If the answer recommends running ANALYSIS_TRANSACTION_JOB, tell the user that "
            "job has to run before the changes can be compared."
        ),
    ),
    Prompt(
        name="resolve_object_access",
        title="Who has access?",
        description="Settle whether a who-has-access question means native grants or catalog "
                    "permissions, then answer it.",
        arguments=(PromptArgument("question", "The who-has-access question."),),
        tools=("access_explorer", "asset_explorer"),
        template=(
            "Work out which kind of access this question is about: {question}\n"
            "1. Native signals (native, remote, source system, data access management, DAM, "
            "source): call {tool_access_explorer} with operation source_system_access, "
            "query_direction object_to_users and access_intent_confirmed native.\n"
            "2. Catalog signals (catalog permissions, catalog access, OvalEdge security, OE "
            "security, ACL): resolve the asset with {tool_asset_explorer}, then call "
            "{tool_access_explorer} with operation catalog_access, query_direction "
            "object_to_principals and access_intent_confirmed catalog_acl.\n"
            "3. Neither: a platform name such as Snowflake, Redshift or Tableau does not count. "
            "Ask: 1 = native access in the source system, 2 = OvalEdge catalog permissions. "
            "Call nothing until the user answers, then go on with step 1 or 2.\n"
            "4. Say catalog permissions, not ACL, to the user. A first-person 'what can I see?' "
            "with no person and no source named is catalog discovery with "
            "{tool_asset_explorer}; a request to be granted access is not answered here."
        ),
    ),
    Prompt(
        name="native_source_access",
        title="Native source access",
        description="Answer from the grants, roles, groups and privileges harvested from a "
                    "source system.",
        arguments=(
            PromptArgument("source_system", "The source system, e.g. redshift, snowflake, tableau."),
            PromptArgument("question", "The access question."),
        ),
        tools=("access_explorer",),
        template=(
            "Answer from the native grants in {source_system}: {question}\n"
            "1. Pick one query_direction: user_to_objects (what a user can access), "
            "object_to_users (who can access an object; add access_intent_confirmed native), "
            "browse, role_to_users, group_to_users, user_to_roles, user_to_groups, "
            "group_to_roles, role_to_groups, role_to_parent_roles, role_to_privileges, "
            "group_to_privileges, user_to_privileges, privilege_to_roles, privilege_to_groups, "
            "privilege_to_users or privilege_to_principals. Snowflake has roles, no groups.\n"
            "2. Call {tool_access_explorer} with operation source_system_access, source_system "
            "{source_system} and that direction. Pass object_type whenever you pass "
            "object_path: database, schema, table or column with database.schema.table.column "
            "(columns on Redshift with include_columns), project or report with Project/Report "
            "on Tableau. Role, group and privilege names go in object_name. Prefer a "
            "connection_id the user gives; never guess ids, paths or usernames.\n"
            "3. Present each grant with its object path, privileges, mechanism (direct, group "
            "or role) and contributing role or group, then the summary counts.\n"
            "4. ambiguousMatch, matchCandidates or requiresSchemaSelection: list the candidates, "
            "ask which one, and retry with the full path; never invent a schema.\n"
            "5. Listing objects is query_direction browse; everything under a schema or "
            "database is scope_mode descendants.\n"
            "6. Report empty or failed answers as they are and never substitute a catalog "
            "search. If the result says it came from catalog permissions because the source is "
            "not supported natively, tell the user."
        ),
    ),
    Prompt(
        name="dam_object_browse",
        title="Browse a connection's objects",
        description="List the databases, schemas, tables or columns of a connection as data "
                    "access management sees them.",
        arguments=(
            PromptArgument("connection_id", "The OvalEdge connection id."),
            PromptArgument("scope", "What to list, e.g. tables in SALES_DB.PUBLIC."),
        ),
        tools=("access_explorer",),
        template=(
            "List objects of connection {connection_id} for: {scope}\n"
            "1. Call {tool_access_explorer} with operation source_system_access, "
            "query_direction browse, connection_id {connection_id}, and the source_system of "
            "that connection (ask the user if it is not known).\n"
            "2. Set object_type to the level to list and object_path to its parent: no path "
            "and database for databases; the database and schema for schemas; database.schema "
            "and table for tables; database.schema.table and column for columns (project or "
            "report on Tableau).\n"
            "3. Present the objects with their paths; if the list was cut to fit, say so and "
            "narrow the parent.\n"
            "4. For who can access what was listed, call again with query_direction "
            "object_to_users, access_intent_confirmed native, and scope_mode descendants for "
            "everything under the parent."
        ),
    ),
    Prompt(
        name="catalog_object_access",
        title="Catalog permissions",
        description="Answer from OvalEdge catalog permissions on an object.",
        arguments=(PromptArgument("question", "The catalog permissions question."),),
        tools=("asset_explorer", "access_explorer"),
        template=(
            "Answer from OvalEdge catalog permissions: {question}\n"
            "1. Pick the direction: user_to_object (what access a named user has on an object; "
            "needs username) or object_to_principals (which users and roles have access to an "
            "object).\n"
            "2. Resolve the object with {tool_asset_explorer} and take object_id and "
            "object_type from the chosen hit (a connector: object_type connection with "
            "object_name).\n"
            "3. Call {tool_access_explorer} with operation catalog_access, that direction and "
            "the object; for object_to_principals add access_intent_confirmed catalog_acl.\n"
            "4. Present metadata permission, data permission, grant sources, contributing "
            "roles, inheritance (inheritedFrom) and the redirectUrl. If matchCandidates come "
            "back, ask which one is meant.\n"
            "5. Call them catalog permissions, not ACL."
        ),
    ),
    Prompt(
        name="explain_tag",
        title="Explain a tag",
        description="Explain a tag, its place in the tag hierarchy and what carries it.",
        arguments=(PromptArgument("tag_name", "The tag name, e.g. PII."),),
        tools=("asset_explorer",),
        template=(
            "Explain the tag: {tag_name}\n"
            "1. Call {tool_asset_explorer} with name set to the tag, object_type oetag, and "
            "include_parent and include_children true. No exact match: search it as keywords "
            "with object_type oetag and confirm the right tag.\n"
            "2. Give its description, master tag, parent and child tags, and owner or steward "
            "where shown, with its redirectUrl.\n"
            "3. If the user wants the tagged assets, call {tool_asset_explorer} with tags set "
            "to the exact tag name, and page on while there is more."
        ),
    ),
    Prompt(
        name="document_asset_descriptions",
        title="Document asset descriptions",
        description="Draft descriptions for an asset and write them after the user approves.",
        arguments=(
            PromptArgument("asset_name", "Name of the asset to describe."),
            PromptArgument("intent", "What the description should say, or which slot to fill."),
        ),
        tools=("asset_explorer", "asset_details", "update_asset_descriptions"),
        template=(
            "Write descriptions for {asset_name}. What the user wants: {intent}\n"
            "1. Resolve the asset with {tool_asset_explorer}; never guess an object_id.\n"
            "2. Call {tool_asset_details} to read its current descriptions.\n"
            "3. Pick the slot by object type: business or technical for catalog assets, "
            "business or detailed for glossary terms and data products, domain, tag or master "
            "tag for those kinds. If the user only said description on a two-slot type, ask "
            "which one.\n"
            "4. Draft the text only from the user's intent and catalog facts; never invent.\n"
            "5. Call {tool_update_asset_descriptions} without write_confirmed_by_user, with the "
            "slot and the user's request in prompt. Show the preview (formattedResponse) and "
            "wait for an explicit yes.\n"
            "6. After approval call it again with the same arguments plus "
            "write_confirmed_by_user=true and the confirmation_token from the preview. If the "
            "user changes the text, preview again.\n"
            "7. Report updated and blocked fields with their reasons (a business description "
            "governed by a published glossary term is blocked) and the redirectUrl."
        ),
    ),
    Prompt(
        name="platform_help",
        title="OvalEdge platform help",
        description="Answer a how-to question about OvalEdge from its documentation.",
        arguments=(PromptArgument("question", "The question about using OvalEdge."),),
        tools=("knowledge_search",),
        template=(
            "Answer this question about using the OvalEdge platform: {question}\n"
            "1. Call {tool_knowledge_search} with the question as query and limit 7.\n"
            "2. Keep only the hits that answer it; answer from them and cite their URLs.\n"
            "3. If nothing relevant comes back, say so and label any general-knowledge answer "
            "as such."
        ),
    ),
    Prompt(
        name="explain_dq_rule",
        title="Explain a data quality rule",
        description="Explain a data quality rule: what it checks, where it applies, who looks after it.",
        arguments=(PromptArgument("rule_name", "The DQ rule's name."),),
        tools=("dq_rule_advisor", "update_governance_roles"),
        template=(
            "Explain the data quality rule: {rule_name}\n"
            "1. Call {tool_dq_rule_advisor} with step lookup and rule_name set to the rule. DQ "
            "rules are not catalog search hits, so look them up only this way. Several matches: "
            "list them and ask which one is meant.\n"
            "2. Give its name, rule id, steward and redirectUrl from the lookup; what it checks "
            "and where it applies are in OvalEdge behind that link.\n"
            "3. To change its steward (a DQ rule has a steward and no other role): call "
            "{tool_update_governance_roles} with its objectId (the rule id) as object_id, "
            "object_type dqrule and role_updates setting steward to the user name (a role cannot be "
            "cleared), without "
            "write_confirmed_by_user. Show the preview and wait for an explicit yes.\n"
            "4. After approval call it again with the same arguments plus "
            "write_confirmed_by_user=true and the confirmation_token from the preview, and report "
            "the result."
        ),
    ),
    Prompt(
        name="create_business_glossary_term",
        title="Create a business glossary term",
        description="Create a glossary term step by step, with the user choosing its placement.",
        arguments=(PromptArgument("term_name", "The new term's name."),),
        tools=("create_glossary_term",),
        template=(
            "Create the business glossary term: {term_name}\n"
            "1. Call {tool_create_glossary_term} with term_name set to the term, plus domain_name "
            "if the user named a domain or a 'Domain > Category > Subcategory' path.\n"
            "2. Each answer names its workflowPhase. While awaitingUserSelection is true, show "
            "formattedResponse as it is and wait for the user's choice; then call again with the "
            "same arguments plus the id it asks for (domain_id, category_id or subcategory_id). "
            "Use only ids a picker offered; an ambiguous or unknown name brings the picker back.\n"
            "3. Leave out a category or subcategory only when the user says so: skip_category "
            "with category_skip_confirmed=true, or skip_subcategory with "
            "subcategory_skip_confirmed=true.\n"
            "4. At collect_description ask the user for the description and pass their words; "
            "never write it yourself. Add definition only if they give one, and publish=true only "
            "if they want it published (a draft otherwise).\n"
            "5. Show the preview and wait for an explicit yes; then call again with the same "
            "arguments plus write_confirmed_by_user=true and the confirmation_token. If anything "
            "changes, preview again.\n"
            "6. Present the result: the term, its status, placementPath and link."
        ),
    ),
    Prompt(
        name="create_governance_tag",
        title="Create a governance tag",
        description="Create a tag under the master and parent the user picks.",
        arguments=(PromptArgument("tag_name", "The new tag's name."),),
        tools=("create_tag",),
        template=(
            "Create the governance tag: {tag_name}\n"
            "1. Call {tool_create_tag} with tag_name set to the tag and nothing else (description "
            "only if the user gave one).\n"
            "2. MASTER_REQUIRED (SECURE mode): show the master picker (formattedResponse) as it "
            "is and wait; then call again with master_tag_id and "
            "master_tag_id_confirmed_by_user=true. OPEN mode has no masters: never pass "
            "master_tag_id there.\n"
            "3. PARENT_OPTIONAL: show the parent picker as it is and wait. Then call again with "
            "parent_tag_id and parent_tag_id_confirmed_by_user=true; with browse_parent_tag_id to "
            "list a tag's children; or, for no parent, with create_directly_under_master=true and "
            "parent_step_completed_by_user=true.\n"
            "4. Keep earlier choices in every later call. Use only ids a picker offered; when a "
            "picker comes back (an id refused, a server restart), show it again.\n"
            "5. Show the preview and wait for an explicit yes; then call again with the same "
            "arguments plus write_confirmed_by_user=true and the confirmation_token.\n"
            "6. Present the created tag, its master and parent, and its link."
        ),
    ),
    Prompt(
        name="assign_governance_roles",
        title="Assign governance roles",
        description="Change the owner, steward, custodian or other governance roles of an asset.",
        arguments=(
            PromptArgument("asset_name", "The asset, glossary term, tag or DQ rule."),
            PromptArgument("role_changes", "Who should get or lose which role."),
        ),
        tools=("asset_explorer", "asset_details", "dq_rule_advisor", "update_governance_roles"),
        template=(
            "Change the governance roles of {asset_name}: {role_changes}\n"
            "1. Resolve the target: a DQ rule with {tool_dq_rule_advisor} step lookup and "
            "rule_name; anything else with {tool_asset_explorer}, confirming the right hit, then "
            "{tool_asset_details} for its current roles. Never guess an object_id.\n"
            "2. Map the changes to role_updates keys owner, steward, custodian, "
            "governance_role_4, governance_role_5 or governance_role_6, each a user name, or null "
            "to remove the role. A DQ rule (dqrule, dqscheme) takes steward only. Ask when a "
            "change or a user is unclear.\n"
            "3. Call {tool_update_governance_roles} with object_id, object_type and role_updates, "
            "without write_confirmed_by_user. Show the preview and wait for an explicit yes.\n"
            "4. After approval call it again with the same arguments plus "
            "write_confirmed_by_user=true and the confirmation_token. Changed roles need a new "
            "preview.\n"
            "5. Report the status (success or partial_success), the updated roles, and each "
            "blocked role with its reason (a role propagated from a glossary term; "
            "GOVERNANCE_ROLE_NOT_ENABLED means that role is off in this OvalEdge), with the "
            "redirectUrl."
        ),
    ),
    Prompt(
        name="assess_cde_dq_coverage",
        title="Assess DQ coverage of critical data elements",
        description="Check which critical data elements lack data quality rules and add the "
                    "recommended ones after the user approves.",
        arguments=(PromptArgument("scope", "The tables, columns, schema or connection to cover."),),
        tools=("asset_explorer", "dq_rule_advisor", "dq_rule_manager"),
        template=(
            "Assess data quality coverage of the critical data elements in: {scope}\n"
            "1. Find them with {tool_asset_explorer}: critical_data_element [\"Yes\"], usually "
            "object_type oecolumn, plus the connection, schema or table names of the scope.\n"
            "2. Call {tool_dq_rule_advisor} with step assess and objects holding only the "
            "objects the user named (object_id, object_type from the hits); pass every CDE found, "
            "or discover_cde_columns=true, only when the user asks for all of them.\n"
            "3. Present each object's recommended function, the candidates, and the existing rules "
            "of that function (existingRulesForFunction), saying which are already associated.\n"
            "4. To apply them, call {tool_dq_rule_manager} with step create_standard, the same "
            "objects and prefer_existing_rule=true. When existing rules use the function it lists "
            "them: the user picks one (step associate with its dqrule_id) or asks for a new rule "
            "(prefer_existing_rule=false). Otherwise show the preview, wait for an "
            "explicit yes, then call again with write_confirmed_by_user=true and the "
            "confirmation_token.\n"
            "5. Functions the user rejects: assess again with excluded_function_names listing "
            "them and present the new candidates. A rule needing custom SQL starts from step "
            "generate_query; never write the SQL yourself.\n"
            "6. On an error, retry the last step once; if it fails again, show the error and ask "
            "the user how to go on."
        ),
    ),
    Prompt(
        name="create_custom_sql_dq_workflow",
        title="Custom SQL data quality rule",
        description="Create a data quality rule for a business rule, reusing a standard one "
                    "where it fits and custom SQL where it does not.",
        arguments=(PromptArgument("user_intent", "The business rule to enforce, and on what data."),),
        tools=("asset_explorer", "dq_rule_advisor", "dq_rule_manager"),
        template=(
            "Create a data quality rule for: {user_intent}\n"
            "1. Resolve the tables or columns with {tool_asset_explorer}; never guess ids.\n"
            "2. Call {tool_dq_rule_advisor} with step assess and those objects. If an existing "
            "rule fits (existingRulesForFunction), offer {tool_dq_rule_manager} step associate with its "
            "dqrule_id; if a standard function fits, step create_standard with "
            "prefer_existing_rule=true.\n"
            "3. Otherwise call {tool_dq_rule_advisor} with step generate_query, the object and "
            "the rule in the user's words as business_rule, and follow its status and "
            "agentInstruction. Never write SQL yourself.\n"
            "4. Then step validate_query with the generated rule_query, stats_query and "
            "failed_values_query and the connection_id and schema_id from its context. It runs "
            "SQL on the source, so it is gated like a write.\n"
            "5. Only if canCreateRule is true, call {tool_dq_rule_manager} with step "
            "create_custom_sql: the objects, rule_name, the validated queries, connection_id, schema_id, "
            "purpose, and recommended_function exactly as generated. A rule that checks values IN "
            "or NOT IN a list is 'SQL Values Contains', never 'SQL Exact Value'. Otherwise show "
            "the validation errors and stop.\n"
            "6. Every gated step: show the preview, wait for an explicit yes, then call again "
            "with the same arguments plus write_confirmed_by_user=true and the "
            "confirmation_token.\n"
            "7. If the answer has code_found with a recommendedReuseAction, do what it says (reuse "
            "the query object with code_object_id) instead of creating another. Report the rule "
            "and its link."
        ),
    ),
    Prompt(
        name="create_service_desk_request",
        title="Create a service desk request",
        description="Raise an OvalEdge service request: access, a content change or a data "
                    "quality issue.",
        arguments=(PromptArgument("intent", "What the user wants to request, and on what."),),
        tools=("asset_explorer", "create_service_request"),
        template=(
            "Raise an OvalEdge service request for: {intent}\n"
            "1. Infer request_type: access (to be granted access), content (a change to "
            "metadata) or dataquality (a quality issue or recommendation); and the object_type "
            "(oetable, oecolumn, oechart, glossary, oetag...). Ask if either is unclear.\n"
            "2. Resolve the objects with {tool_asset_explorer} and take their object_id values "
            "from the hits; never guess.\n"
            "3. Call {tool_create_service_request} with request_type, object_type and object_id "
            "and no summary: the answer is the published template and its fields. No template: "
            "tell the user an administrator has to publish one; never publish or activate "
            "templates.\n"
            "4. Write the summary yourself from the user's request. Ask only for the required "
            "fields still needed (requester fields are the signed-in user, catalog selectors the "
            "object ids, dropdowns keep their default unless the user wants another option), offer "
            "the optional additional fields, and never invent descriptions, tags or terms. Call "
            "again with summary, ticket_fields by field name and custom_fields; if required fields "
            "are still missing, ask for them.\n"
            "5. Show the preview and wait for an explicit yes; then call again with the same "
            "arguments plus write_confirmed_by_user=true and the confirmation_token.\n"
            "6. Report the ticket id, its link and any warnings OvalEdge gave."
        ),
    ),
)
