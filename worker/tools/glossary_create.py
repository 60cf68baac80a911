"""`create_glossary_term`: a guided creation over several calls.

Each call advances as far as the arguments allow and stops at the first step that needs the
user: the domain picker, the category picker (if the domain has categories), the subcategory
picker (if the category has any), the description (asked for, never invented), then the preview
with its confirmation token, then the POST. Names ("Retail Analytics > Sales") are resolved
against what OvalEdge offers: exactly, else by a unique substring; otherwise the picker comes back
saying "ambiguous" or "not_found". Skipping a category or subcategory needs its explicit
confirmation. Every picker step is a read; only the confirmed call writes. Current OvalEdge only.
"""

from __future__ import annotations

from typing import Any

from worker import routes
from worker.errors import InvalidArguments
from worker.gate import CONFIRMATION
from worker.registry import Effect, Tool, ToolContext
from worker.schema import boolean, closed, integer, string
from worker.tools.common import absolute, data_of, ok, phase

SIZE_DEFAULT, SIZE_MAX = 100, 500
LEVELS = {  # searchOn -> (answer list, id key, name key, our argument)
    "oeglobaldomain": ("domains", "globaldomainid", "domain", "domain_id"),
    "category": ("Category", "categoryId", "categoryName", "category_id"),
    "subcategory": ("SubCategory", "subCategoryId", "subCategoryName", "subcategory_id"),
}
LABEL = {"oeglobaldomain": "domain", "category": "category", "subcategory": "subcategory"}


def _norm(name: str) -> str:
    return " ".join(name.split()).casefold()


async def _options(ctx: ToolContext, level: str, a: dict[str, Any], **ids: int) -> list[dict[str, Any]]:
    params = {"searchOn": level, "page": a.get("page", 0), "size": a.get("size", SIZE_DEFAULT), **ids}
    answer = data_of(await ctx.api.ask(routes.GLOSSARY_PLACEMENT, params, what="create_glossary_term"))
    listed, id_key, name_key, _ = LEVELS[level]
    return [{"id": o.get(id_key), "name": o.get(name_key)} for o in answer.get(listed) or []]


def _resolve(
    options: list[dict[str, Any]], name: str
) -> tuple[dict[str, Any] | None, str, list[dict[str, Any]]]:
    """(the match, how it matched: exact | unique | ambiguous | not_found, the candidates)."""
    wanted = _norm(name)
    exact = [o for o in options if _norm(str(o["name"])) == wanted]
    if len(exact) == 1:
        return exact[0], "exact", exact
    partial = [o for o in options if wanted in _norm(str(o["name"]))]
    if len(partial) == 1:
        return partial[0], "unique", partial
    return None, "ambiguous" if len(exact or partial) > 1 else "not_found", exact or partial


def _picker(
    level: str,
    options: list[dict[str, Any]],
    a: dict[str, Any],
    *,
    match: str | None = None,
    skippable: bool = False,
    note: str = "",
) -> dict[str, Any]:
    label, (_, _, _, argument) = LABEL[level], LEVELS[level]
    lines = [
        f"Choose the {label} for the new term **{a.get('term_name', '')}**"
        + (f" ({note})" if note else "")
        + ":"
    ] + [f"{i}. {o['name']} (id {o['id']})" for i, o in enumerate(options, 1)]
    if skippable:
        lines.append(f"Or create it without a {label}.")
    extra: dict[str, Any] = {
        "searchOn": level,
        "placementOptions": options,
        "formattedPlacementOptions": "\n".join(lines[1:]),
    }
    if match:
        extra[f"{label}NameMatch"] = match
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
    """domain_name may carry the whole path, "Domain > Category > Subcategory"."""
    names = {key: a[key] for key in ("domain_name", "category_name", "subcategory_name") if key in a}
    parts = [part.strip() for part in names.get("domain_name", "").split(">")]
    if len(parts) > 1:
        names["domain_name"] = parts[0]
        for key, part in zip(("category_name", "subcategory_name"), parts[1:], strict=False):
            if part:
                names.setdefault(key, part)
    return names


async def _choose(
    ctx: ToolContext, level: str, a: dict[str, Any], names: dict[str, str], **ids: int
) -> tuple[int | None, str | None, dict[str, Any] | None]:
    """(chosen id or None for none, its name, or the picker to show instead)."""
    label = LABEL[level]
    argument = LEVELS[level][3]
    options = await _options(ctx, level, a, **ids)
    if argument in a:
        found = next((o for o in options if o["id"] == a[argument]), None)
        if found is None:
            raise InvalidArguments(
                f"{argument}={a[argument]} is not one of the {label} options OvalEdge "
                f"offers here: {', '.join(f'{o["name"]} ({o["id"]})' for o in options) or 'none'}"
            )
        return found["id"], found["name"], None
    if level != "oeglobaldomain" and not options:
        return None, None, None  # nothing to choose from: no such level here
    if level != "oeglobaldomain" and a.get(f"skip_{label}"):
        if a.get(f"{label}_skip_confirmed"):
            return None, None, None
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
            ),
        )
    wanted = names.get(f"{label}_name")
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
                note=f"{wanted!r} is {'ambiguous' if how == 'ambiguous' else 'not one of them'}",
                skippable=level != "oeglobaldomain",
            ),
        )
    return None, None, _picker(level, options, a, skippable=level != "oeglobaldomain")


async def create_glossary_term(ctx: ToolContext, a: dict[str, Any]) -> Any:
    if "search_on" in a:
        if "term_name" in a:
            raise InvalidArguments(
                "search_on browses the placement pickers; leave out term_name, or drop "
                "search_on to create the term step by step"
            )
        level = a["search_on"]
        ids = {
            key: a[arg] for key, arg in (("domainId", "domain_id"), ("categoryId", "category_id")) if arg in a
        }
        needed = {"category": ("domain_id",), "subcategory": ("domain_id", "category_id")}.get(level, ())
        missing = [arg for arg in needed if arg not in a]
        if missing:
            raise InvalidArguments(f"search_on={level} needs {' and '.join(missing)}")
        return _picker(level, await _options(ctx, level, a, **ids), a)
    if "term_name" not in a:
        raise InvalidArguments("give term_name (the new term), or search_on to browse the placement pickers")
    if "subcategory_id" in a and "category_id" not in a:
        raise InvalidArguments("subcategory_id needs its category_id")
    names = _split_path(a)
    domain_id, domain, shown = await _choose(ctx, "oeglobaldomain", a, names)
    if shown:
        return shown
    category_id, category, shown = await _choose(ctx, "category", a, names, domainId=domain_id)
    if shown:
        return shown
    subcategory_id = subcategory = None
    if category_id is not None:
        subcategory_id, subcategory, shown = await _choose(
            ctx, "subcategory", a, names, domainId=domain_id, categoryId=category_id
        )
        if shown:
            return shown
    path = " > ".join(str(p) for p in (domain, category, subcategory) if p)
    if not a.get("description"):
        return phase(
            "collect_description",
            selection_field="description",
            options=[],
            formatted=f"Placement: **{path}**. What should the description of **{a['term_name']}** say?",
            instruction="Ask the user for the description; never write one yourself. Then call again "
            "with the same arguments plus description.",
            awaitingUserInput=True,
            placementPath=path,
        )
    body: dict[str, Any] = {
        "termName": a["term_name"],
        "domainId": domain_id,
        "description": a["description"],
        "category1Id": category_id or 0,
        "category2Id": subcategory_id or 0,
        "publish": bool(a.get("publish")),
    }
    if "definition" in a:
        body["definition"] = a["definition"]
    summary = (
        f"Create the glossary term **{a['term_name']}** in {path} as "
        f"{'published' if body['publish'] else 'a draft'}, described as: {a['description']}"
    )
    answer = await ctx.gate.write(
        ctx, a, body, routes.GLOSSARY_TERM_CREATION, create=True, summary=summary, what="create_glossary_term"
    )
    if answer.get("awaitingUserConfirmation"):
        return {**answer, "placementPath": path}
    data = dict(data_of(answer))
    data.setdefault("placementPath", path)
    url = absolute(ctx.settings.link_base_url, data.get("navLink"))
    return ok(
        data,
        formattedResponse=f"Created the glossary term **{data.get('termName', a['term_name'])}** "
        f"({data.get('status', 'Draft')}) in {data['placementPath']}" + (f": {url}" if url else "."),
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
