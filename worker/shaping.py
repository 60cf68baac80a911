"""Make OvalEdge answers fit for an agent: absolute links, slim descriptions, a size budget.

Nothing is cut silently: every cut is listed under `_truncation` in the result itself, with
what to do to get the rest.
"""

from __future__ import annotations

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


NAV_ROUTE = "#nav/"


def hash_route(value: Any) -> str | None:
    """The in-app route of a link: a value starting with '#' as is, else from the first `#nav/` on
    (OvalEdge sometimes sends a whole URL, or one with a doubled base, in `navLink`/`hyperlink`)."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    if text.startswith("#"):
        return text
    at = text.find(NAV_ROUTE)
    return text[at:] if at >= 0 else None


def nav_url(link_base: str, value: Any) -> str | None:
    """The browser link of a link value (see `hash_route`), rebuilt on the configured base."""
    route = hash_route(value)
    return f"{link_base}/{route}" if route else None


def add_links(data: Any, link_base: str) -> Any:
    """Give every object with a `navLink`/`hyperlink` route an absolute `redirectUrl`, and make a
    `redirectUrl` that is itself an in-app `#...` route absolute (in place)."""
    if isinstance(data, dict):
        url = nav_url(link_base, data.get("navLink")) or nav_url(link_base, data.get("hyperlink"))
        redirect = data.get("redirectUrl")
        if url is None and isinstance(redirect, str) and redirect.strip().startswith("#"):
            url = nav_url(link_base, redirect)
        if url is not None:
            data["redirectUrl"] = url
        for value in data.values():
            add_links(value, link_base)
    elif isinstance(data, list):
        for item in data:
            add_links(item, link_base)
    return data


Path = tuple[str | int, ...]  # keys and list indices from the top of an answer


def _spelled(path: Path) -> str:
    """`items[0].businessDescription`: how a path is written in the `_truncation` note."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else f".{part}" if out else part
    return out


class _Cuts:
    def __init__(self) -> None:
        self.fields: list[tuple[Path, int, int]] = []  # (path, original chars, kept chars)
        self.items: dict[Path, tuple[int, int]] = {}  # list path -> (kept, original)

    def text(self, path: Path, original: int, kept: int) -> str:
        self.fields.append((path, original, kept))
        return f" [... {original - kept} more characters cut to fit; open it in OvalEdge]"

    def drop_items(self, path: Path, keep: int, total: int) -> None:
        """Record that `path` keeps its first `keep` items; forget text cuts inside the rest."""
        def kept(inner: Path) -> bool:
            below = inner[:len(path)] == path and len(inner) > len(path)
            return not below or inner[len(path)] < keep

        self.items = {p: counts for p, counts in self.items.items() if kept(p)}
        self.items[path] = (keep, self.items.get(path, (0, total))[1])
        self.fields = [entry for entry in self.fields if kept(entry[0])]

    def note(self, more_hint: str) -> dict[str, Any]:
        return {
            "cut": [
                f"{_spelled(path)}: kept the first {kept} of {original} items"
                for path, (kept, original) in self.items.items()
            ] + [f"{_spelled(path)} ({original} -> {kept} chars)"
                 for path, original, kept in self.fields[:50]],
            "fields_cut": len(self.fields),
            "how_to_get_the_rest": more_hint,
        }


def _trim(value: str, limit: int, path: Path, cuts: _Cuts) -> str:
    if len(value) <= limit:
        return value
    return value[:limit] + cuts.text(path, len(value), limit)


def _slim(node: Any, path: Path, cuts: _Cuts, cap: int | None, parent_key: str = "") -> Any:
    """A copy of `node` with long texts cut (each string at most once, to the tightest limit)."""
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            sub = (*path, key)
            lower = key.lower()
            if isinstance(value, str):
                limit = None
                if parent_key in DESCRIPTION_KEYS and lower in MARKUP_MEMBERS:
                    limit = MARKUP_TEXT_MAX
                elif lower in LONG_TEXT_KEYS or (parent_key in DESCRIPTION_KEYS and lower in PLAIN_MEMBERS):
                    limit = PLAIN_TEXT_MAX
                if cap is not None:
                    limit = cap if limit is None else min(limit, cap)
                out[key] = value if limit is None else _trim(value, limit, sub, cuts)
            else:
                out[key] = _slim(value, sub, cuts, cap, lower)
        return out
    if isinstance(node, list):
        return [_slim(item, (*path, i), cuts, cap, parent_key) for i, item in enumerate(node)]
    return node


def _size(data: Any) -> int:
    """Bytes of the JSON text block the server sends (`json.dumps(data, ensure_ascii=False)`)."""
    return len(json.dumps(data, ensure_ascii=False).encode())


def _lists(node: Any, path: Path = ()):
    """Every list with more than one item, with its path."""
    if isinstance(node, list):
        if len(node) > 1:
            yield path, node
        for i, item in enumerate(node):
            yield from _lists(item, (*path, i))
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from _lists(value, (*path, key))


def fit_to_budget(data: dict[str, Any], budget: int, *, more_hint: str) -> dict[str, Any]:
    """Slim long texts, then cap strings, then drop trailing list items until `data` fits.

    The budget covers the whole answer as sent, `_truncation` note included.
    """
    def noted(result: dict[str, Any], cuts: _Cuts) -> dict[str, Any]:
        if cuts.fields or cuts.items:
            return {**result, "_truncation": cuts.note(more_hint)}
        return result

    cuts = _Cuts()
    result = _slim(data, (), cuts, None)
    if _size(noted(result, cuts)) > budget:
        cuts = _Cuts()  # cap from the original, so each marker counts what was really cut
        result = _slim(data, (), cuts, STRING_CAP_UNDER_PRESSURE)
    while _size(noted(result, cuts)) > budget:
        found = max(_lists(result), key=lambda entry: _size(entry[1]), default=None)
        if found is None:
            break
        path, items = found
        total = len(items)
        keep = total // 2
        del items[keep:]
        cuts.drop_items(path, keep, total)
    return noted(result, cuts)
