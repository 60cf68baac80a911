"""`create_tag`: a guided creation whose steps depend on OvalEdge's tag security mode.

SECURE: every tag lives under a master tag; the user picks the master from the ones OvalEdge
offers, then a parent under it (or none), from the parent picker. OPEN: no masters, an optional
parent among the open tags. An id the user "picked" must be one the picker offered: the worker
remembers, per tag name, which parents it showed (flow memory, handed over on a graceful
recycle); after a restart the picker is shown again rather than trusting an id. Then the preview,
then the POST. Current OvalEdge only.
"""

from __future__ import annotations

import html
from typing import Any

from worker import routes
from worker.errors import InvalidArguments, OvalEdgeError
from worker.gate import CONFIRMATION
from worker.registry import Effect, Tool, ToolContext
from worker.schema import boolean, closed, integer, string
from worker.tools.common import absolute, data_of, ok, phase

FLOW = "create_tag.parents"  # tag name -> the parent ids shown for it, per master


def _masters_picker(a: dict[str, Any], masters: list[dict[str, Any]], note: str = "") -> dict[str, Any]:
    lines = [
        f"Choose the master tag for the new tag **{a['tag_name']}**" + (f" ({note})" if note else "") + ":"
    ]
    lines += [
        f"{i}. {m.get('masterTagName')} (id {m.get('masterTagId')})"
        + (f": {m['description']}" if m.get("description") else "")
        for i, m in enumerate(masters, 1)
    ]
    return phase(
        "MASTER_REQUIRED",
        selection_field="master_tag_id",
        options=masters,
        formatted="\n".join(lines),
        status="awaiting_user_selection",
        userSelectableMasters=masters,
        doNotCreateTag=True,
        instruction="Show the masters exactly as listed and wait for the user's choice; then call "
        "again with master_tag_id and master_tag_id_confirmed_by_user=true.",
    )


async def _parents(ctx: ToolContext, a: dict[str, Any], master: int | None, browse: int | None) -> list[dict]:
    params = {"masterTagId": master, "browseParentTagId": browse}
    answer = data_of(await ctx.api.ask(routes.TAG_PARENTS, params, what="create_tag"))
    return list(answer.get("userSelectableParents") or [])


def _parents_picker(
    ctx: ToolContext, a: dict[str, Any], master: int | None, parents: list[dict[str, Any]], *, note: str = ""
) -> dict[str, Any]:
    shown = ctx.flows.recall(FLOW, a["tag_name"]) or {}
    key = str(master)  # JSON keys: the memory travels to a successor worker as JSON
    names = {str(p.get("parentTagId")): p.get("parentTagName") for p in parents}
    shown[key] = {**shown.get(key, {}), **names}
    ctx.flows.remember(FLOW, a["tag_name"], shown)
    under = "the master tag" if master is not None else "the top level"
    lines = [
        f"Choose a parent tag for **{a['tag_name']}**, or create it directly under {under}"
        + (f" ({note})" if note else "")
        + ":"
    ]
    lines += [
        f"{i}. {p.get('parentTagName')} (id {p.get('parentTagId')})"
        + (" - has children; ask to browse them" if p.get("hasChildren") else "")
        for i, p in enumerate(parents, 1)
    ]
    return phase(
        "PARENT_OPTIONAL",
        selection_field="parent_tag_id",
        options=parents,
        formatted="\n".join(lines),
        status="awaiting_user_selection",
        userSelectableParents=parents,
        doNotCreateTag=True,
        instruction="Show these exactly and wait. Then call again with parent_tag_id and "
        "parent_tag_id_confirmed_by_user=true, or browse_parent_tag_id to see a tag's "
        "children, or create_directly_under_master=true with "
        "parent_step_completed_by_user=true for no parent.",
    )


def _offered(ctx: ToolContext, a: dict[str, Any], master: int | None) -> dict[int, str] | None:
    """The parents (id -> name) the picker showed for this tag name and master, or None if it
    never did (in this worker, or the one it took over from)."""
    shown = ctx.flows.recall(FLOW, a["tag_name"])
    if shown is None or str(master) not in shown:
        return None
    return {int(parent): name for parent, name in shown[str(master)].items()}


async def _parent_step(
    ctx: ToolContext, a: dict[str, Any], master: int | None
) -> int | None | dict[str, Any]:
    """The chosen parent id, None for no parent, or the picker to show."""
    if "browse_parent_tag_id" in a:
        return _parents_picker(
            ctx,
            a,
            master,
            await _parents(ctx, a, master, a["browse_parent_tag_id"]),
            note=f"children of tag {a['browse_parent_tag_id']}",
        )
    offered = _offered(ctx, a, master)
    restarted = ("this server has not shown the parent choices for this tag yet, or has restarted since: "
                 "show them to the user and ask again")
    if "parent_tag_id" in a:
        if not a.get("parent_tag_id_confirmed_by_user"):
            return _parents_picker(
                ctx,
                a,
                master,
                await _parents(ctx, a, master, None),
                note="confirm the parent with parent_tag_id_confirmed_by_user=true",
            )
        if offered is None:
            return _parents_picker(ctx, a, master, await _parents(ctx, a, master, None), note=restarted)
        if a["parent_tag_id"] not in offered:
            raise InvalidArguments(
                f"parent_tag_id={a['parent_tag_id']} was not among the parents offered for "
                f"{a['tag_name']!r} ({', '.join(map(str, offered)) or 'none'}); show the "
                "picker again and use an id from it",
                doNotCreateTag=True,
            )
        return a["parent_tag_id"]
    if a.get("create_directly_under_master") and a.get("parent_step_completed_by_user"):
        if offered is None:
            return _parents_picker(ctx, a, master, await _parents(ctx, a, master, None), note=restarted)
        return None
    return _parents_picker(ctx, a, master, await _parents(ctx, a, master, None))


def _auto_description(a: dict[str, Any], master: str | None) -> str:
    where = f" under {html.escape(master)}" if master else ""
    return (
        f"<p>{html.escape(a['tag_name'])}: a governance tag{where}, created from the OvalEdge MCP server.</p>"
    )


async def create_tag(ctx: ToolContext, a: dict[str, Any]) -> Any:
    options = data_of(await ctx.api.ask(routes.TAG_OPTIONS, what="create_tag"))
    mode = str(options.get("mode", "SECURE")).upper()
    masters = list(options.get("userSelectableMasters") or [])
    master_id: int | None = None
    master_name = None
    if mode == "SECURE":
        if "master_tag_id" not in a or not a.get("master_tag_id_confirmed_by_user"):
            return _masters_picker(a, masters)
        chosen = next((m for m in masters if m.get("masterTagId") == a["master_tag_id"]), None)
        if chosen is None:
            raise InvalidArguments(
                f"master_tag_id={a['master_tag_id']} is not a master tag OvalEdge offers; "
                "choose one of: "
                + ", ".join(f"{m.get('masterTagName')} ({m.get('masterTagId')})" for m in masters),
                doNotCreateTag=True,
            )
        master_id, master_name = chosen["masterTagId"], chosen.get("masterTagName")
    elif "master_tag_id" in a:
        raise InvalidArguments(
            "this OvalEdge uses OPEN tags: there are no master tags; leave out master_tag_id"
        )
    parent = await _parent_step(ctx, a, master_id)
    if isinstance(parent, dict):
        return parent
    body: dict[str, Any] = {"tagName": a["tag_name"]}
    description = a.get("description") or (
        _auto_description(a, master_name) if ctx.settings.ovaledge_tag_auto_description else None
    )
    if description:
        body["description"] = description
    if master_id is not None:
        body["masterTagId"] = master_id
    if parent is not None:
        body["parentTagId"] = parent
    parent_name = (_offered(ctx, a, master_id) or {}).get(parent) if parent is not None else None
    place = " > ".join(str(p) for p in (master_name, parent_name or parent) if p) or "the top level"
    summary = (
        f"Create the tag **{a['tag_name']}** under {place}"
        + (f", described as: {description}" if description else "")
        + "."
    )
    try:
        answer = await ctx.gate.write(
            ctx, a, body, routes.TAG_CREATION, create=True, summary=summary, what="create_tag"
        )
    except OvalEdgeError as exc:
        guidance = (exc.body or {}).get("data") if exc.status == 422 else None
        if not isinstance(guidance, dict):
            raise
        return _parents_picker(
            ctx,
            a,
            master_id,
            list(guidance.get("userSelectableParents") or []),
            note=f"OvalEdge refused: {exc.message}",
        )
    if answer.get("awaitingUserConfirmation"):
        return answer
    created = data_of(answer)
    ctx.flows.forget(FLOW, a["tag_name"])
    found = data_of(
        await ctx.api.ask(
            routes.SEARCH,
            body={
                "objectType": "oetag",
                "objectId": created.get("tagId"),
                "includeParent": True,
                "search": {"page": 1, "limit": 1},
            },
            what="create_tag",
        )
    )
    tag = next(iter(found.get("tags") or []), {})
    url = absolute(ctx.settings.link_base_url, tag.get("navLink") or created.get("navLink"))
    parent_name = (tag.get("parentTag") or {}).get("objectName")
    return ok(
        {**created, "tag": tag},
        formattedResponse=(
            f"Created the tag **{a['tag_name']}**"
            + (f" under {parent_name}" if parent_name else "")
            + (f" (master {master_name})" if master_name else "")
            + (f": {url}" if url else ".")
        ),
    )


TOOLS = (
    Tool(
        name="create_tag",
        title="Create governance tag",
        description=(
            
            
            
            'Guided: create a governance tag; call with tag_name, each answer says the next step. '
            'SECURE: master_tag_id (+ master_tag_id_confirmed_by_user), then parent_tag_id (+ '
            'parent_tag_id_confirmed_by_user) from the parent picker, browse_parent_tag_id for '
            'children, or create_directly_under_master with parent_step_completed_by_user. OPEN: no '
            'masters. Show pickers as given; use only ids they offered. Preview first; only after the '
            "user approves, confirm with write_confirmed_by_user=true and the preview's "
            'confirmation_token.'
        
        
        
        ),
        input_schema=closed(
            {
                "tag_name": string("The new tag's name."),
                "description": string("Description (default: generated)."),
                "master_tag_id": integer("Master id (SECURE).", minimum=1),
                "master_tag_id_confirmed_by_user": boolean("User chose it."),
                "parent_tag_id": integer("Parent id from the picker.", minimum=1),
                "parent_tag_id_confirmed_by_user": boolean("User chose it."),
                "browse_parent_tag_id": integer("List this tag's children.", minimum=1),
                "create_directly_under_master": boolean("No parent tag."),
                "parent_step_completed_by_user": boolean("User decided."),
                **CONFIRMATION,
            },
            required=("tag_name",),
        ),
        handler=create_tag,
        subject=("tag_name",),
        effect=Effect.CREATE,
    ),
)
