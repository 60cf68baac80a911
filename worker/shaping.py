"""Make OvalEdge answers fit for an agent: absolute links, slim descriptions, a size budget.

Nothing is cut silently: every cut is listed under `_truncation` in the result itself, with
what to do to get the rest.
"""

from __future__ import annotations

import copy
import json
from typing import Any

DESCRIPTION_KEYS = frozenset(
    k.lower() for k in (
        "businessDescription", "technicalDescription", "detailedDescription",
        "domainDescription", "tagDescription", "masterTagDescription",
    )
)
LONG_TEXT_KEYS = DESCRIPTION_KEYS | {"description", "definition", "sourcedescription", "content",
                                     "storycontent"}
PLAIN_MEMBERS = frozenset({"plaintext", "wikitextplain", "plain_text"})
MARKUP_MEMBERS = frozenset({"wikitext", "html", "techtext", "richtext"})
PLAIN_TEXT_MAX = 6_000
MARKUP_TEXT_MAX = 1_500
STRING_CAP_UNDER_PRESSURE = 2_000


def add_links(data: Any, link_base: str) -> Any:
    """Give every object with a `navLink` hash route an absolute `redirectUrl` (in place)."""
    if isinstance(data, dict):
        route = data.get("navLink") or data.get("hyperlink")
        if isinstance(route, str) and route.startswith("#"):
            data["redirectUrl"] = f"{link_base}/{route}"
        for value in data.values():
            add_links(value, link_base)
    elif isinstance(data, list):
        for item in data:
            add_links(item, link_base)
    return data


class _Cuts:
    def __init__(self) -> None:
        self.fields: list[str] = []
        self.items: dict[str, tuple[int, int]] = {}  # list path -> (kept, original)

    def text(self, path: str, original: int, kept: int) -> str:
        self.fields.append(f"{path} ({original} -> {kept} chars)")
        return f" [... {original - kept} more characters cut to fit; open it in OvalEdge]"


def _trim(value: str, limit: int, path: str, cuts: _Cuts) -> str:
    if len(value) <= limit:
        return value
    return value[:limit] + cuts.text(path, len(value), limit)


def _slim(node: Any, path: str, cuts: _Cuts, cap: int | None, parent_key: str = "") -> Any:
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            sub = f"{path}.{key}" if path else key
            lower = key.lower()
            if isinstance(value, str):
                if parent_key in DESCRIPTION_KEYS and lower in MARKUP_MEMBERS:
                    value = _trim(value, MARKUP_TEXT_MAX, sub, cuts)
                elif lower in LONG_TEXT_KEYS or (parent_key in DESCRIPTION_KEYS and lower in PLAIN_MEMBERS):
                    value = _trim(value, PLAIN_TEXT_MAX, sub, cuts)
                if cap is not None:
                    value = _trim(value, cap, sub, cuts)
                out[key] = value
            else:
                out[key] = _slim(value, sub, cuts, cap, lower)
        return out
    if isinstance(node, list):
        return [_slim(item, f"{path}[{i}]", cuts, cap, parent_key) for i, item in enumerate(node)]
    return node


def _size(data: Any) -> int:
    return len(json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode())


def _lists(node: Any, path: str = "result"):
    """Every list with more than one item, with its path."""
    if isinstance(node, list):
        if len(node) > 1:
            yield path, node
        for i, item in enumerate(node):
            yield from _lists(item, f"{path}[{i}]")
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from _lists(value, f"{path}.{key}")


def fit_to_budget(data: dict[str, Any], budget: int, *, more_hint: str) -> dict[str, Any]:
    """Slim long texts, then cap strings, then drop trailing list items until `data` fits."""
    cuts = _Cuts()
    result = _slim(copy.deepcopy(data), "", cuts, None)
    if _size(result) > budget:
        result = _slim(result, "", cuts, STRING_CAP_UNDER_PRESSURE)
    while _size(result) > budget:
        found = max(_lists(result), key=lambda entry: _size(entry[1]), default=None)
        if found is None:
            break
        path, items = found
        total = len(items)
        keep = total // 2
        del items[keep:]
        original = cuts.items.get(path, (0, total))[1]
        cuts.items[path] = (keep, original)
    if cuts.fields or cuts.items:
        result["_truncation"] = {
            "cut": [
                f"{path}: kept the first {kept} of {original} items"
                for path, (kept, original) in cuts.items.items()
            ] + cuts.fields[:50],
            "fields_cut": len(cuts.fields),
            "how_to_get_the_rest": more_hint,
        }
    return result
