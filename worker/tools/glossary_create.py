"""`create_glossary_term`: a guided creation over several calls.

Each call advances as far as the arguments allow and stops at the first step that needs the
user: the domain picker, the category picker (if the domain has categories), the subcategory
picker (if the category has any), the description (asked for, never invented), then the preview
with its confirmation token, then the POST. A given domain_id, category_id or subcategory_id is
trusted as OvalEdge's reference server trusts it: its level is not fetched (OvalEdge itself
refuses a wrong one at the POST or the next picker). Names ("Retail Analytics > Sales") are
resolved against what OvalEdge offers, ignoring case, spaces, `_` and `-`: exactly, else by a
unique contained match; otherwise the picker comes back saying "ambiguous" or "not_found".
Skipping a category or subcategory needs its explicit confirmation. Every picker step is a read;
only the confirmed call writes. Current OvalEdge only. The wire: docs/wire.md, the
domain-metadata and glossary-terms entries.
"""

from __future__ import annotations

import re
from typing import Any

from worker import routes
from worker.errors import InvalidArguments, OvalEdgeError
from worker.gate import CONFIRMATION
from worker.notes import ignore
from worker.registry import Effect, Tool, ToolContext
from worker.schema import boolean, closed, integer, string
from worker.shaping import nav_url
from worker.tools.common import data_of, ok, phase

SIZE_DEFAULT, SIZE_MAX = 100, 500
LEVELS = {  # searchOn -> (answer list, id key, name key, our argument)
    "oeglobaldomain": ("domains", "globaldomainid", "domain", "domain_id"),
    "category": ("Category", "categoryId", "categoryName", "category_id"),
    "subcategory": ("SubCategory", "subCategoryId", "subCategoryName", "subcategory_id"),
}
LABEL = {"oeglobaldomain": "domain", "category": "category", "subcategory": "subcategory"}
NAMES = "create_glossary_term.names"  # term name -> {"<level>:<id>": name} the pickers showed


def _norm(name: str) -> str:
    """A name as the reference matches it: no whitespace, `_` or `-`, case folded."""
    return re.sub(r"[\s_\-]+", "", name).casefold()


def _blank(value: Any) -> bool:
    return not isinstance(value, str) or not value.strip()


async def _options(
    ctx: ToolContext, level: str, a: dict[str, Any], domain_id: int = 0, category_id: int = 0
) -> list[dict[str, Any]]:
    """One picker page. The query always carries domainId and categoryId (0 when unknown), and
    subCategoryId=0 for the subcategory level, as the reference sends them."""
    params: dict[str, Any] = {
        "searchOn": level,
        "page": a.get("page", 0),
        "size": min(max(a.get("size", SIZE_DEFAULT), 1), SIZE_MAX),
        "domainId": domain_id or 0,
        "categoryId": category_id or 0,
    }
    if level == "subcategory":
        params["subCategoryId"] = 0
    answer = data_of(await ctx.api.ask(routes.GLOSSARY_PLACEMENT, params, what="create_glossary_term"))
    listed, id_key, name_key, _ = LEVELS[level]
    options = [
        {"id": o.get(id_key), "name": o.get(name_key)}
        for o in answer.get(listed) or []
        if isinstance(o, dict) and o.get(id_key) is not None
    ]
    if "term_name" in a and options:
        shown = dict(ctx.flows.recall(NAMES, a["term_name"]) or {})
        shown.update({f"{level}:{o['id']}": o["name"] for o in options if isinstance(o["name"], str)})
        ctx.flows.remember(NAMES, a["term_name"], shown)
    return options


def _resolve(
    options: list[dict[str, Any]], name: str
) -> tuple[dict[str, Any] | None, str, list[dict[str, Any]]]:
    """(the match, how it matched: exact | unique | ambiguous | not_found, the candidates)."""
    wanted = _norm(name)
    named = [o for o in options if isinstance(o["name"], str)]
    exact = [o for o in named if _norm(o["name"]) == wanted]
    if len(exact) == 1:
        return exact[0], "exact", exact
    if exact:
        return None, "ambiguous", exact
    partial = [o for o in named if wanted and wanted in _norm(o["name"])]
    if len(partial) == 1:
        return partial[0], "unique", partial
    return None, "ambiguous" if partial else "not_found", partial


def _picker(
    level: str,
    options: list[dict[str, Any]],
    a: dict[str, Any],
    *,
    match: str | None = None,
    requested: str | None = None,
    skippable: bool = False,
    note: str = "",
) -> dict[str, Any]:
    label, (_, _, _, argument) = LABEL[level], LEVELS[level]
    lines = [
        f"Choose the {label} for the new term **{a.get('term_name', '')}**"
        + (f" ({note})" if note else "")
        + ":"
    ] + [f"{i}. {o['name']} (id {o['id']})" for i, o in enumerate(options, 1)]
    if not options:
        lines.append("(OvalEdge listed none here: check your permissions, or the page and size.)")
    if skippable:
        lines.append(f"Or create it without a {label}.")
    extra: dict[str, Any] = {
        "searchOn": level,
        "placementOptions": options,
        "formattedPlacementOptions": "\n".join(lines[1:]),
    }
    if "term_name" in a:
        extra["pendingTermName"] = a["term_name"]
    if match:
        extra[f"{label}NameMatch"] = match
        extra[f"requested{label.capitalize()}Name"] = requested
    skip = (
        f" To go without a {label}, call again with skip_{label}=true and {label}_skip_confirmed=true "
        "once the user said so."
        if skippable
        else ""
    )
    return phase(
        f"select_{label}",
        selection_field=argument,
        options=options,
        formatted="\n".join(lines),
        instruction=f"Show these {label} options exactly as listed and wait for the user's choice; "
        f"then call again with the same arguments plus {argument}.{skip}",
        **extra,
    )


def _split_path(a: dict[str, Any]) -> dict[str, str]:
    """domain_name may carry the whole path, "Domain > Category > Subcategory", and
    category_name "Category > Subcategory"; a name given on its own wins over the path's."""
    names = {key: a[key].strip() for key in ("domain_name", "category_name", "subcategory_name")
             if not _blank(a.get(key))}
    for key, below in (("domain_name", ("category_name", "subcategory_name")),
                       ("category_name", ("subcategory_name",))):
        parts = [part.strip() for part in names.get(key, "").split(">") if part.strip()]
        if len(parts) > 1:
            names[key] = parts[0]
            for lower, part in zip(below, parts[1:], strict=False):
                names.setdefault(lower, part)
    return names


async def _choose(
    ctx: ToolContext, level: str, a: dict[str, Any], names: dict[str, str], domain_id: int = 0,
    category_id: int = 0,
) -> tuple[int | None, str | None, dict[str, Any] | None]:
    """(chosen id or None for none, its name, or the step to show instead)."""
    label = LABEL[level]
    argument = LEVELS[level][3]
    wanted = names.get(f"{label}_name")
    if argument in a:  # trusted, as the reference does: OvalEdge refuses a wrong one itself
        shown = (ctx.flows.recall(NAMES, a["term_name"]) or {}).get(f"{level}:{a[argument]}")
        return a[argument], wanted or shown, None
    if level != "oeglobaldomain" and a.get(f"skip_{label}") and a.get(f"{label}_skip_confirmed"):
        return None, None, None
    options = await _options(ctx, level, a, domain_id, category_id)
    if level != "oeglobaldomain" and not options:
        return None, None, None  # nothing to choose from: no such level here
    if level != "oeglobaldomain" and a.get(f"skip_{label}"):
        return (
            None,
            None,
            phase(
                f"confirm_skip_{label}",
                selection_field=f"{label}_skip_confirmed",
                options=[True, False],
                formatted=f"Create **{a['term_name']}** without a {label}? The {label}s on offer are: "
                + ", ".join(str(o["name"]) for o in options)
                + ".",
                instruction=f"Ask the user; only if they agree call again with {label}_skip_confirmed=true.",
                placementOptions=options,
            ),
        )
    skippable = level != "oeglobaldomain"
    if wanted:
        found, how, candidates = _resolve(options, wanted)
        if found is not None:
            return found["id"], found["name"], None
        return (
            None,
            None,
            _picker(
                level,
                candidates if how == "ambiguous" else options,
                a,
                match=how,
                requested=wanted,
                note=f"{wanted!r} is {'ambiguous' if how == 'ambiguous' else 'not one of them'}",
                skippable=skippable,
            ),
        )
    return None, None, _picker(level, options, a, skippable=skippable)


def _term_nav(data: dict[str, Any]) -> str | None:
    """The new term's in-app route: data.navLink, a termDetails link, else built from its id
    (objectId or businessGlossaryId) as `#nav/glossary?browse=summary&id=<id>`."""
    for value in (data.get("navLink"), data.get("termDetails")):
        if isinstance(value, str) and "#" in value:
            return value[value.index("#"):]
    for key in ("objectId", "businessGlossaryId", "termId"):
        value = data.get(key)
        if isinstance(value, int) and not isinstance(value, bool) and value > 0:
            return f"#nav/glossary?browse=summary&id={value}"
    return None


async def create_glossary_term(ctx: ToolContext, a: dict[str, Any]) -> Any:
    if "search_on" in a:
        if not _blank(a.get("term_name")):
            raise InvalidArguments(
                "search_on browses the placement pickers; leave out term_name, or drop "
                "search_on to create the term step by step"
            )
        level = a["search_on"]
        ignore(a, [key for key in a if key not in ("search_on", "domain_id", "category_id", "page", "size")],
               "search_on only lists one picker level")
        needed = {"category": "domain_id", "subcategory": "category_id"}.get(level)
        if needed and not a.get(needed):
            raise InvalidArguments(f"search_on={level} needs {needed}")
        options = await _options(ctx, level, a, a.get("domain_id", 0), a.get("category_id", 0))
        return _picker(level, options, a)
    if _blank(a.get("term_name")):
        raise InvalidArguments("give term_name (the new term), or search_on to browse the placement pickers")
    a["term_name"] = a["term_name"].strip()
    if "subcategory_id" in a and "category_id" not in a:
        raise InvalidArguments("subcategory_id needs its category_id")
    names = _split_path(a)
    domain_id, domain, shown = await _choose(ctx, "oeglobaldomain", a, names)
    if shown:
        return shown
    assert domain_id is not None
    category_id, category, shown = await _choose(ctx, "category", a, names, domain_id)
    if shown:
        return shown
    subcategory_id = subcategory = None
    if category_id is not None:
        subcategory_id, subcategory, shown = await _choose(
            ctx, "subcategory", a, names, domain_id, category_id)
        if shown:
            return shown
    path = " > ".join(
        name or f"{label} {number}"
        for label, number, name in (("domain", domain_id, domain), ("category", category_id, category),
                                    ("subcategory", subcategory_id, subcategory))
        if number is not None
    )
    if _blank(a.get("description")):
        return phase(
            "collect_description",
            selection_field="description",
            options=[],
            formatted=f"Placement: **{path}**. What should the description of **{a['term_name']}** say?",
            instruction="Ask the user for the description; never write one yourself. Then call again "
            "with the same arguments plus description.",
            awaitingUserInput=True,
            placementPath=path,
            pendingTermName=a["term_name"],
            pendingDomainId=domain_id,
            pendingCategoryId=category_id,
            pendingSubcategoryId=subcategory_id,
        )
    body: dict[str, Any] = {
        "termName": a["term_name"],
        "domainId": domain_id,
        "description": a["description"].strip(),
        "category1Id": category_id or 0,
        "category2Id": subcategory_id or 0,
        "publish": bool(a.get("publish")),
    }
    if not _blank(a.get("definition")):
        body["definition"] = a["definition"].strip()
    summary = (
        f"Create the glossary term **{a['term_name']}** in {path} as "
        f"{'published' if body['publish'] else 'a draft'}, described as: {body['description']}"
    )
    try:
        answer = await ctx.gate.write(
            ctx, a, body, routes.GLOSSARY_TERM_CREATION, create=True, summary=summary,
            what="create_glossary_term",
        )
    except OvalEdgeError as exc:
        if exc.error_code and exc.error_code not in exc.message:  # e.g. a 409 duplicate's `code`
            exc.message += f" (OvalEdge code {exc.error_code})"
        raise
    if answer.get("awaitingUserConfirmation"):
        return {**answer, "placementPath": path}
    ctx.flows.forget(NAMES, a["term_name"])
    data = dict(data_of(answer))
    data["placementPath"] = path
    nav = _term_nav(data)
    if nav:
        data["navLink"] = nav
    url = nav_url(ctx.settings.link_base_url, nav)
    status = data.get("status") or ("Published" if body["publish"] else "Draft")
    return ok(
        data,
        formattedResponse=f"Created the glossary term **{data.get('termName') or a['term_name']}** "
        f"({status}) in {path}"
        + (f": {url}" if url else ". OvalEdge's answer held no link to it; find it with asset_explorer."),
    )


TOOLS = (
    Tool(
        name="create_glossary_term",
        title="Create glossary term",
        description=(
            
            
            
            "Guided: create a glossary term. Call with term_name (and domain_name or a 'Domain > "
            "Category > Sub' path if given); each answer's workflowPhase is the next step: domain, "
            'category, subcategory pickers (show them as given, wait for the user), the description '
            '(ask; never invent it), then a preview. skip_category/skip_subcategory need '
            'category_skip_confirmed/subcategory_skip_confirmed. Draft unless publish. Preview first; '
            'only after the user approves, confirm with write_confirmed_by_user=true and the '
            "preview's confirmation_token."
        
        
        
        ),
        input_schema=closed(
            {
                "term_name": string("The new term's name."),
                "description": string("The user's description."),
                "definition": string("Formal definition."),
                "domain_id": integer("Domain id.", minimum=1),
                "domain_name": string("Domain, or 'Domain > Category > Sub'."),
                "category_id": integer("Category id.", minimum=1),
                "category_name": string("Category name."),
                "subcategory_id": integer("Subcategory id.", minimum=1),
                "subcategory_name": string("Subcategory name."),
                "skip_category": boolean("No category."),
                "category_skip_confirmed": boolean("User confirmed."),
                "skip_subcategory": boolean("No subcategory."),
                "subcategory_skip_confirmed": boolean("User confirmed."),
                "publish": boolean("Publish (default draft)."),
                "search_on": string(
                    "Browse one picker level.", enum=list(LEVELS)
                ),
                "page": integer("Picker page, from 0.", minimum=0),
                "size": integer(
                    f"Picker page size (max {SIZE_MAX}).", minimum=1, maximum=SIZE_MAX
                ),
                **CONFIRMATION,
            }
        ),
        handler=create_glossary_term,
        subject=("term_name",),
        effect=Effect.CREATE,
    ),
)
