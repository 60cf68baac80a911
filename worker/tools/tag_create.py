"""`create_tag`: a guided creation whose steps depend on OvalEdge's tag security mode.

`GET tags/create-options` says the mode (`tagSecurityMode`, "secure" or "open") and, in SECURE
mode, the master tags the user may create under (`masterTagChoices`); OvalEdge may also answer it
with a 422 whose `data` holds that same guidance. SECURE: the user picks the master, then a parent
under it (or none) from `GET tags/parent-options?masterTagId=` (`parentTagChoices`, browsed with
`browseParentTagId`). OPEN: no masters, an optional parent among the open tags (create-options'
own `parentTagChoices` first, else parent-options). A parent the user "picked" must be one a
picker showed for this tag name (flow memory, handed over on a graceful recycle; after a crash
the picker is shown again rather than trusting an id), or one found under them by browsing the
nested parent-options as the reference does. Then the preview, then the POST; the lookup of the
new tag after it is only for its link, and never turns a done create into a failure. The wire:
docs/wire.md, the `tags/create-options`, `tags/parent-options` and `POST tags` entries.
"""

from __future__ import annotations

import html
from typing import Any

from worker import routes
from worker.errors import InvalidArguments, OvalEdgeError
from worker.gate import CONFIRMATION
from worker.notes import ignore, note
from worker.registry import Effect, Tool, ToolContext
from worker.schema import boolean, closed, integer, string
from worker.shaping import hash_route, nav_url
from worker.tools.common import data_of, ok, phase
from worker.tools.explorer import explore

FLOW = "create_tag.parents"  # tag name -> {master id: {parent id: name}} the pickers showed
BROWSE_MAX_REQUESTS = 12  # the reference's depth bound for the nested parent search
RESTARTED = ("this server has not shown the parent choices for this tag yet, or has restarted since: "
             "show them to the user and ask again")


def _positive(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


def _text(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


class Options:
    """What create-options said: the mode, the masters, and OPEN mode's parents."""

    def __init__(self, data: dict[str, Any], refused: str | None = None):
        self.data = data
        self.refused = refused  # OvalEdge's message when it answered 422 with this guidance
        mode = _text(data.get("tagSecurityMode")) or _text(data.get("mode"))
        self.masters = _masters(data.get("masterTagChoices"))
        # Unknown mode: masters on offer mean SECURE (the reference reads "secure" only).
        self.secure = mode.lower() == "secure" if mode else bool(self.masters)

    @property
    def mode(self) -> str:
        return "secure" if self.secure else "open"

    def master(self, master_id: int) -> dict[str, Any] | None:
        return next((m for m in self.masters if m["masterTagId"] == master_id), None)

    def nested_parents(self, master_id: int) -> list[dict[str, Any]] | None:
        """A master's `parentTagChoices` inside create-options, when it has that list."""
        for item in self.data.get("masterTagChoices") or []:
            if isinstance(item, dict) and item.get("masterTagId") == master_id:
                raw = item.get("parentTagChoices")
                return _parents(raw) if isinstance(raw, list) else None
        return None


def _masters(choices: Any) -> list[dict[str, Any]]:
    masters = []
    for item in choices if isinstance(choices, list) else []:
        if not isinstance(item, dict) or _positive(item.get("masterTagId")) is None:
            continue
        name = next((_text(item.get(key)) for key in ("tagName", "masterTagsName", "masterTagName")
                     if _text(item.get(key))), None)
        entry: dict[str, Any] = {"masterTagId": item["masterTagId"], "tagName": name}
        if _text(item.get("description")):
            entry["description"] = item["description"].strip()
        masters.append(entry)
    return masters


def _parents(choices: Any) -> list[dict[str, Any]]:
    parents = []
    for row in choices if isinstance(choices, list) else []:
        if not isinstance(row, dict) or _positive(row.get("parentTagId")) is None:
            continue
        entry: dict[str, Any] = {
            "parentTagId": row["parentTagId"],
            "tagName": _text(row.get("tagName")) or _text(row.get("parentTagName")) or _text(row.get("name")),
        }
        for flag in ("hasChildren", "rootTag"):
            if row.get(flag) is True:
                entry[flag] = True
        parents.append(entry)
    return parents


async def _create_options(ctx: ToolContext) -> Options:
    try:
        return Options(data_of(await ctx.api.ask(routes.TAG_OPTIONS, what="create_tag")))
    except OvalEdgeError as exc:
        guidance = (exc.body or {}).get("data") if exc.status == 422 else None
        if not isinstance(guidance, dict):
            raise
        options = Options(guidance, _text((exc.body or {}).get("message")) or exc.message)
        if not _text(guidance.get("tagSecurityMode")):
            options.secure = True  # a 422 with guidance is the SECURE "pick a master" answer
        return options


async def _parent_choices(
    ctx: ToolContext, options: Options, master: int | None, browse: int | None
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """(the parents to offer, what OvalEdge said about the listing: masterTagName,
    browseParentTagId, browseParentTagName). SECURE asks parent-options with masterTagId (and
    browseParentTagId); OPEN takes create-options' parentTagChoices first, and asks
    parent-options with browseParentTagId or nothing."""
    if master is None and browse is None:
        listed = _parents(options.data.get("parentTagChoices"))
        if listed:
            return listed, {}
    params = {"masterTagId": master, "browseParentTagId": browse}
    try:
        answer = data_of(await ctx.api.ask(routes.TAG_PARENTS, params, what="create_tag"))
    except OvalEdgeError:
        fallback = options.nested_parents(master) if master is not None and browse is None else None
        if not fallback:
            raise
        note("tags/parent-options failed; the parents shown are those create-options listed under the master")
        return fallback, {}
    meta = {key: answer[key] for key in ("masterTagName", "browseParentTagId", "browseParentTagName")
            if answer.get(key) not in (None, "")}
    return _parents(answer.get("parentTagChoices")), meta


def _masters_picker(a: dict[str, Any], options: Options, note_text: str = "") -> dict[str, Any]:
    masters = options.masters
    lines = [
        f"Choose the master tag for the new tag **{a['tag_name']}**"
        + (f" ({note_text})" if note_text else "")
        + f" - SECURE mode, {len(masters)} master tag(s), the complete list:"
    ]
    lines += [
        f"{i}. {m.get('tagName')} (masterTagId={m['masterTagId']})"
        + (f": {m['description']}" if m.get("description") else "")
        for i, m in enumerate(masters, 1)
    ]
    if not masters:
        lines.append("(OvalEdge listed no master tag this account may create under.)")
    return phase(
        "MASTER_REQUIRED",
        selection_field="master_tag_id",
        options=masters,
        formatted="\n".join(lines),
        instruction="Show the masters exactly as listed and wait for the user's choice; then call "
        "again with master_tag_id and master_tag_id_confirmed_by_user=true.",
        selectionPhase="MASTER_REQUIRED",
        status="awaiting_user_selection",
        tagSecurityMode="secure",
        masterTagRequired=True,
        userMustSelectMasterTag=True,
        userSelectableMasters=masters,
        masterTagChoiceCount=len(masters),
        masterTagChoices=options.data.get("masterTagChoices") or [],
        doNotCreateTag=True,
    )


def _remember(ctx: ToolContext, a: dict[str, Any], master: int | None, parents: list[dict[str, Any]]) -> None:
    shown = dict(ctx.flows.recall(FLOW, a["tag_name"]) or {})
    key = str(master)  # JSON keys: the memory travels to a successor worker as JSON
    shown[key] = {**shown.get(key, {}), **{str(p["parentTagId"]): p.get("tagName") for p in parents}}
    ctx.flows.remember(FLOW, a["tag_name"], shown)


def _parents_picker(
    ctx: ToolContext, a: dict[str, Any], options: Options, master: int | None,
    listing: tuple[list[dict[str, Any]], dict[str, Any]], *, note_text: str = "",
) -> dict[str, Any]:
    parents, meta = listing
    _remember(ctx, a, master, parents)
    master_name = (options.master(master) or {}).get("tagName") if master is not None else None
    master_name = master_name or meta.get("masterTagName")
    under = f"the master tag {master_name or master}" if master is not None else "the top level (no parent)"
    browsing = meta.get("browseParentTagId") or a.get("browse_parent_tag_id")
    lines = [
        f"Choose a parent tag for **{a['tag_name']}**, or create it directly under {under}"
        + (f" ({note_text})" if note_text else "")
        + (f"; children of {meta.get('browseParentTagName') or f'tag {browsing}'}" if browsing else "")
        + ":"
    ]
    lines += [
        f"{i}. {p.get('tagName')} (parentTagId={p['parentTagId']})"
        + (" - has children; ask to browse them" if p.get("hasChildren") else "")
        for i, p in enumerate(parents, 1)
    ]
    if not parents:
        lines.append("(No parent tags are listed here.)")
    extra: dict[str, Any] = {}
    if master is not None:
        extra = {"masterTagId": master, "masterTagName": master_name}
    if browsing:
        extra["browseParentTagId"] = browsing
        if meta.get("browseParentTagName"):
            extra["browseParentTagName"] = meta["browseParentTagName"]
    return phase(
        "PARENT_OPTIONAL",
        selection_field="parent_tag_id",
        options=parents,
        formatted="\n".join(lines),
        instruction="Show these exactly and wait. Then call again with parent_tag_id, "
        "parent_tag_id_confirmed_by_user=true and parent_step_completed_by_user=true, or "
        "browse_parent_tag_id to see a tag's children, or create_directly_under_master=true with "
        "parent_step_completed_by_user=true for no parent.",
        selectionPhase="PARENT_OPTIONAL",
        status="awaiting_user_selection",
        tagSecurityMode=options.mode,
        masterTagRequired=options.secure,
        parentTagRequired=False,
        userMustSelectParentOrSkip=True,
        userSelectableParents=parents,
        parentTagChoiceCount=len(parents),
        doNotCreateTag=True,
        **extra,
    )


def _offered(ctx: ToolContext, a: dict[str, Any], master: int | None) -> dict[int, str | None] | None:
    """The parents (id -> name) the pickers showed for this tag name and master, or None if
    none did (in this worker, or the one it took over from)."""
    shown = ctx.flows.recall(FLOW, a["tag_name"])
    if shown is None or str(master) not in shown:
        return None
    return {int(parent): name for parent, name in shown[str(master)].items()}


async def _nested(
    ctx: ToolContext, options: Options, master: int | None, wanted: int
) -> dict[str, Any] | None:
    """The parent-options row of `wanted` at the top of the master (or the open tags) or below
    it, browsing breadth first (at most BROWSE_MAX_REQUESTS nested listings), else None."""
    top, _ = await _parent_choices(ctx, options, master, None)
    queue = [p["parentTagId"] for p in top if p.get("hasChildren")]
    found = next((p for p in top if p["parentTagId"] == wanted), None)
    seen: set[int] = set()
    while found is None and queue and len(seen) < BROWSE_MAX_REQUESTS:
        browse = queue.pop(0)
        if browse in seen:
            continue
        seen.add(browse)
        nested, _ = await _parent_choices(ctx, options, master, browse)
        found = next((p for p in nested if p["parentTagId"] == wanted), None)
        queue += [p["parentTagId"] for p in nested if p.get("hasChildren")]
    return found


async def _parent_step(
    ctx: ToolContext, a: dict[str, Any], options: Options, master: int | None
) -> tuple[int | None, str | None] | dict[str, Any]:
    """(the chosen parent id and name, or None for no parent), or the picker to show."""
    async def picker(browse: int | None = None, note_text: str = "") -> dict[str, Any]:
        listing = await _parent_choices(ctx, options, master, browse)
        return _parents_picker(ctx, a, options, master, listing, note_text=note_text)

    chosen = ("parent_tag_id" in a and a.get("parent_tag_id_confirmed_by_user")) or (
        "parent_tag_id" not in a and a.get("create_directly_under_master")
        and a.get("parent_step_completed_by_user"))
    if "browse_parent_tag_id" in a:
        if not chosen:
            return await picker(a["browse_parent_tag_id"])
        ignore(a, ["browse_parent_tag_id"], "the parent step is decided; browsing is for choosing")
    offered = _offered(ctx, a, master)
    if "parent_tag_id" in a:
        if not a.get("parent_tag_id_confirmed_by_user"):
            return await picker(note_text="confirm the parent with parent_tag_id_confirmed_by_user=true")
        if offered is None:
            return await picker(note_text=RESTARTED)
        wanted = a["parent_tag_id"]
        if wanted in offered:
            return wanted, offered[wanted]
        row = await _nested(ctx, options, master, wanted)
        if row is None:
            raise InvalidArguments(
                f"parent_tag_id={wanted} was not among the parents offered for {a['tag_name']!r} "
                f"({', '.join(map(str, offered)) or 'none'}), nor found below them; show the picker "
                "again (browse_parent_tag_id lists a tag's children) and use an id from it",
                doNotCreateTag=True,
            )
        return wanted, row.get("tagName")
    if a.get("create_directly_under_master") and a.get("parent_step_completed_by_user"):
        if offered is None:
            return await picker(note_text=RESTARTED)
        return None, None
    return await picker()


def _auto_description(name: str, master: str | None, parent: str | None) -> str:
    where = [f"under <strong>{html.escape(parent)}</strong>" if parent else "",
             f"in the <strong>{html.escape(master)}</strong> master tag hierarchy" if master else ""]
    placed = " ".join(w for w in where if w)
    return (f"<p>{html.escape(name)} is a governance tag" + (f" {placed}" if placed else "")
            + ", created from the OvalEdge MCP server.</p>")


def _tag_nav(tag_id: int, master: int | None, parent: int | None) -> str:
    """The tag summary route the reference builds from ids when OvalEdge gives none."""
    if master is None and parent is None:
        return f"#nav/tag?id={tag_id}&objectType=mastertag&masterTagId={tag_id}"
    return f"#nav/tag?id={tag_id}&objectType=oetag&masterTagId={master or parent}"


def _nav_of(item: dict[str, Any]) -> str | None:
    return hash_route(item.get("navLink")) or hash_route(item.get("hyperlink"))


async def _look_up(ctx: ToolContext, tag_id: int) -> tuple[dict[str, Any] | None, str | None]:
    """(the new tag's catalog entry, or None; why it could not be read). Never raises: the tag
    is created whatever happens here."""
    try:
        # through asset_explorer's own sender, so a GET-era release is asked by GET and the
        # search capability never moves to the first generation because of this lookup
        body = {"objectId": tag_id, "objectType": "oetag"}
        found = data_of(await ctx.api.by_generation(routes.SEARCH, lambda: explore(ctx, body), None,
                                                    what="create_tag"))
    except Exception as exc:  # noqa: BLE001 - the create is done; only its link is at stake
        return None, getattr(exc, "text", None) or type(exc).__name__
    tags = found.get("tags")
    if isinstance(tags, list):
        tags = next((t for t in tags if isinstance(t, dict)), None)
    return (tags if isinstance(tags, dict) else None), None


async def create_tag(ctx: ToolContext, a: dict[str, Any]) -> Any:
    name = _text(a.get("tag_name"))
    if name is None:
        raise InvalidArguments("tag_name is blank; give the new tag's name")
    a["tag_name"] = name
    options = await _create_options(ctx)
    master_id: int | None = None
    master_name = None
    if options.secure:
        if "master_tag_id" not in a or not a.get("master_tag_id_confirmed_by_user"):
            return _masters_picker(a, options, options.refused or "")
        chosen = options.master(a["master_tag_id"])
        if chosen is None:
            raise InvalidArguments(
                f"master_tag_id={a['master_tag_id']} is not a master tag OvalEdge offers; "
                "choose one of: "
                + (", ".join(f"{m.get('tagName')} ({m['masterTagId']})" for m in options.masters) or "none"),
                doNotCreateTag=True,
                userMustSelectMasterTag=True,
            )
        master_id, master_name = chosen["masterTagId"], chosen.get("tagName")
    elif "master_tag_id" in a:
        raise InvalidArguments(
            "this OvalEdge uses OPEN tags: there are no master tags; leave out master_tag_id"
        )
    else:
        ignore(a, ["master_tag_id_confirmed_by_user"], "OPEN tag mode has no master tag step")
    parent = await _parent_step(ctx, a, options, master_id)
    if isinstance(parent, dict):
        return parent
    parent_id, parent_name = parent
    body: dict[str, Any] = {"tagName": name}
    description = _text(a.get("description")) or (
        _auto_description(name, master_name, parent_name)
        if ctx.settings.ovaledge_tag_auto_description else None
    )
    if description:
        body["description"] = description
    if master_id is not None:
        body["masterTagId"] = master_id
    if parent_id is not None:
        body["parentTagId"] = parent_id
    place = " > ".join(str(p) for p in (master_name or master_id, parent_name or parent_id) if p)
    place = place or "the top level"
    summary = (
        f"Create the tag **{name}** ({options.mode.upper()} mode) under {place}"
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
        refused = f"OvalEdge refused: {_text((exc.body or {}).get('message')) or exc.message}"
        if isinstance(guidance.get("parentTagChoices"), list) and "masterTagChoices" not in guidance:
            return _parents_picker(ctx, a, options, master_id, (_parents(guidance["parentTagChoices"]), {}),
                                   note_text=refused)
        return _masters_picker(a, Options({"tagSecurityMode": "secure", **guidance}), refused)
    if answer.get("awaitingUserConfirmation"):
        return {**answer, "doNotCreateTag": True, "tagSecurityMode": options.mode}
    return await _created(ctx, a, data_of(answer), body, master_name, parent_name)


async def _created(
    ctx: ToolContext, a: dict[str, Any], created: dict[str, Any], body: dict[str, Any],
    master_name: str | None, parent_name: str | None,
) -> dict[str, Any]:
    """The report of a create OvalEdge accepted: what was created, and its link when it can be
    shown (a failed lookup costs the link, never the result)."""
    ctx.flows.forget(FLOW, a["tag_name"])
    tag_id = _positive(created.get("tagId"))
    master = _positive(created.get("masterTagId")) or body.get("masterTagId")
    parent = _positive(created.get("parentTagId")) or body.get("parentTagId")
    tag, failed = await _look_up(ctx, tag_id) if tag_id is not None else (None, None)
    nav = _nav_of(tag or {}) or _nav_of(created)
    if nav is None and tag_id is not None and failed is None:
        nav = _tag_nav(tag_id, master, parent)
    data = {**created, "tagName": created.get("tagName") or body["tagName"]}
    if nav:
        data["navLink"] = nav
    if tag is not None:
        data["tag"] = tag
    url = nav_url(ctx.settings.link_base_url, nav)
    where = " > ".join(str(p) for p in (master_name or master, parent_name or parent) if p)
    text = (f"Created the tag **{data['tagName']}**" + (f" (id {tag_id})" if tag_id else "")
            + (f" under {where}" if where else " at the top level") + (f": {url}" if url else "."))
    if url is None:
        why = f"looking the new tag up failed ({failed})" if failed else "OvalEdge's answer held no id"
        text += (f" Its link could not be shown: {why}. The tag is created; find it with asset_explorer"
                 + (f" (object_id={tag_id}, object_type=oetag)." if tag_id else " (object_type=oetag)."))
        data["lookupNote"] = f"the link could not be shown: {why}"
    return ok(data, formattedResponse=text)


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
