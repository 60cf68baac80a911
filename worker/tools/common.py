"""Vocabulary the tool families share: OvalEdge object types, argument encodings, answer shapes."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from worker.errors import InvalidArguments, OvalEdgeError
from worker.schema import integer
from worker.shaping import add_links

# Every object type the current OvalEdge MCP API takes, as it spells them.
OBJECT_TYPES = (
    "oeschema", "oetable", "oecolumn", "oefile", "oefilecolumn", "filecolumn", "oechart",
    "chartchild", "oeapi", "oeapicolumn", "oequery", "code", "oecode", "dp_product", "dp_domain",
    "glossary", "businessglossary", "oetag", "mastertag", "oestory", "storyzone", "oeglobaldomain",
    "oedomain",
)
GRAPH_OBJECT_TYPES = ("oetable", "oefile")  # the types with lineage and column profiles

# The catalog object types that descriptions, CDE flags and the like apply to, as OvalEdge names
# them (its API's `objectType`).
CATALOG_OBJECT_TYPES = (
    "oeschema", "oetable", "oecolumn", "oefile", "oefilecolumn", "oechart", "chartchild", "oeapi",
    "oeapicolumn", "oequery",
)


def object_ref(item: dict[str, Any], where: str, aliases: dict[str, str], allowed: tuple[str, ...],
               not_allowed: str) -> dict[str, Any]:
    """One `{object_id, object_type}` of a list argument (camelCase keys too), as OvalEdge's
    `{objectId, objectType}`: the type lower-cased and de-aliased, both checked; `where` names
    the item in errors (`targets[2]`), `not_allowed` ends the error for a type not in `allowed`."""
    object_id = item.get("object_id", item.get("objectId"))
    kind = str(item.get("object_type", item.get("objectType", ""))).strip().lower()
    kind = aliases.get(kind, kind)
    if not isinstance(object_id, int) or isinstance(object_id, bool) or object_id < 1:
        raise InvalidArguments(f"{where}.object_id must be a positive integer")
    if kind not in allowed:
        raise InvalidArguments(f"{where}.object_type={kind!r}{not_allowed}")
    return {"objectId": object_id, "objectType": kind}


OBJECT_ID = integer("objectId from asset_explorer.", minimum=1)


def json_array(values: list[str] | None) -> str | None:
    """First-generation routes take list filters as a JSON-array string in one parameter."""
    return json.dumps(values, separators=(",", ":")) if values else None


def camel(name: str) -> str:
    """snake_case -> camelCase (already camelCase names pass through)."""
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def compact(name: str) -> str:
    """A name reduced for lenient matching: 'Dq Index', 'dq_index', 'dqIndex' -> 'dqindex'."""
    return re.sub(r"[^a-z0-9]", "", name.lower())


def data_of(answer: Any) -> dict[str, Any]:
    """The `data` object of an OvalEdge `{ok, data}` answer; a flat answer (some routes put
    `items` at the top) is its own data, without the envelope's `ok` and `message`."""
    if isinstance(answer, dict) and isinstance(answer.get("data"), dict):
        return answer["data"]
    if isinstance(answer, dict):
        return {key: value for key, value in answer.items() if key not in ("ok", "message")}
    return {"items": answer}


def ok(data: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """Our answer shape, the same whichever OvalEdge route generation produced it."""
    return {"ok": True, "data": data, **extra}


def one(value: Any, name: str) -> Any:
    """A parameter that may come as a list but must name exactly one thing."""
    if isinstance(value, list):
        if len(value) != 1:
            raise InvalidArguments(f"{name} takes one value per call, got {len(value)}: {value!r}")
        return value[0]
    return value


def as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def is_not_found(error: OvalEdgeError) -> bool:
    return error.status == 404


def md_table(headers: list[str], rows: list[list[Any]]) -> str:
    """A Markdown table; cells are flattened to one line and pipes escaped."""
    def cell(value: Any) -> str:
        if isinstance(value, list):
            value = ", ".join(map(str, value))
        text = "" if value is None else str(value)
        return " ".join(text.split()).replace("|", "\\|")

    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def link(text: str, url: str | None) -> str:
    return f"[{text}]({url})" if url else text


def written(answer: Any, link_base: str) -> dict[str, Any]:
    """The data of a write's answer with each object in it given its `redirectUrl`, so that the
    report can link every object written (the server adds the same links to the JSON later)."""
    return add_links(data_of(answer), link_base)


def named(obj: dict[str, Any]) -> str:
    """An object's name, linked to it in OvalEdge when its `redirectUrl` is known."""
    name = obj.get("objectName") or f"{obj.get('objectType')} {obj.get('objectId')}"
    return link(str(name), obj.get("redirectUrl"))


def phase(name: str, *, selection_field: str, options: list[Any], formatted: str, instruction: str,
          **extra: Any) -> dict[str, Any]:
    """A step of a guided flow that waits for the user: nothing was written; show
    `formattedResponse`, then call again with `selectionField` (or what the instruction says)."""
    return {
        "ok": True, "workflowPhase": name, "awaitingUserSelection": bool(options),
        "selectionField": selection_field, "options": options, "formattedResponse": formatted,
        "agentInstruction": instruction, "writeConfirmedByUser": False, **extra,
    }


def local_timezone() -> str:
    """This machine's IANA time zone name (TZ, else /etc/localtime's target), else UTC."""
    given = os.environ.get("TZ", "").lstrip(":")
    if given and "/" in given:
        return given
    try:
        target = str(Path("/etc/localtime").resolve())
    except OSError:
        return "UTC"
    return target.split("zoneinfo/", 1)[1] if "zoneinfo/" in target else "UTC"


def valid_timezone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidArguments(
            f"time_zone={name!r} is not an IANA time zone, e.g. Europe/Berlin or UTC") from None
    return name
