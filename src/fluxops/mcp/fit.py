"""Responses an agent can hold: narrowed (one Kustomization, one namespace, one kind), paged
(offset/limit over every top-level list) and cut to a size limit, with the cut stated
explicitly (`page`: totals, what was returned, the offset to ask for next).

Pure functions over the verb's JSON (dicts and lists), so that what the server sends is what
`fluxops VERB -o json` prints, minus what the agent asked to leave out."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

#: The default size limit of one response (bytes of JSON).
DEFAULT_MAX_BYTES = 200_000


@dataclass(frozen=True)
class Narrow:
    """Keep only the list items that match: `ks` (NAMESPACE/NAME of a Flux Kustomization),
    `namespace`, `kind`. A criterion is applied to items that carry the field it reads."""

    ks: str | None = None
    namespace: str | None = None
    kind: str | None = None

    def keeps(self, item: Any) -> bool:
        if not isinstance(item, dict):
            return True
        if self.namespace and "namespace" in item and item["namespace"] != self.namespace:
            return False
        if self.kind and "kind" in item and str(item["kind"]).lower() != self.kind.lower():
            return False
        if self.ks:
            owner = item.get("kustomization")
            if isinstance(owner, str):
                return owner == self.ks
            if "namespace" in item and "name" in item and "path" in item:
                return f"{item['namespace']}/{item['name']}" == self.ks
        return True


def _size(value: Any) -> int:
    return len(json.dumps(value, separators=(",", ":")).encode())


def fit(
    data: dict[str, Any],
    *,
    narrow: Narrow | None = None,
    offset: int = 0,
    limit: int | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> dict[str, Any]:
    """`data` with its top-level lists narrowed, paged from `offset` (at most `limit` items
    each), then halved, the longest first, until the JSON fits in `max_bytes`. Adds `page`:
    `{truncated, maxBytes, bytes, lists: {key: {total, offset, returned, nextOffset}}, hint}`."""
    out = dict(data)
    lists = {k: v for k, v in data.items() if isinstance(v, list)}
    totals: dict[str, int] = {}
    for key, items in lists.items():
        kept = [i for i in items if narrow is None or narrow.keeps(i)]
        totals[key] = len(kept)
        end = None if limit is None else offset + max(limit, 0)
        out[key] = kept[offset:end]
    cut = False
    while _size(_paged(out, lists, totals, offset, max_bytes, cut=True)) > max_bytes:
        longest = max(
            (k for k in lists if out[k]),
            key=lambda k: _size(out[k]),
            default=None,
        )
        if longest is None:  # what is left is not a list: nothing more to cut
            break
        out[longest] = _prefix_that_fits(out, longest, lists, totals, offset, max_bytes)
        cut = True
    return _paged(out, lists, totals, offset, max_bytes, cut=cut)


def _prefix_that_fits(
    out: dict[str, Any],
    key: str,
    lists: dict[str, Any],
    totals: dict[str, int],
    offset: int,
    max_bytes: int,
) -> list[Any]:
    """The longest prefix of `out[key]` that fits with everything else (at least one item
    shorter than now, so that the caller's loop ends)."""
    items = out[key]
    base = _size(_paged({**out, key: []}, lists, totals, offset, max_bytes, cut=True))
    budget = max_bytes - base - _SLACK
    used, count = 0, 0
    for item in items:
        used += _size(item) + 1  # the comma
        if used > budget:
            break
        count += 1
    return list(items[: min(count, len(items) - 1)])


#: Bytes kept free for the page information growing with the numbers it holds.
_SLACK = 64


def _paged(
    data: dict[str, Any],
    lists: dict[str, Any],
    totals: dict[str, int],
    offset: int,
    max_bytes: int,
    *,
    cut: bool,
) -> dict[str, Any]:
    """`data` with its `page`: what each list holds of its total, and how to get the rest."""
    pages: dict[str, Any] = {}
    for key in lists:
        returned = len(data[key])
        following = offset + returned
        pages[key] = {
            "total": totals[key],
            "offset": offset,
            "returned": returned,
            "nextOffset": following if following < totals[key] else None,
        }
    more = any(p["nextOffset"] is not None for p in pages.values())
    page: dict[str, Any] = {"truncated": cut or more, "maxBytes": max_bytes, "lists": pages}
    if cut:
        page["hint"] = (
            "the response was cut to maxBytes: call again with offset=nextOffset and a smaller "
            "limit, or narrow it (ks, namespace, kind)"
        )
    elif more:
        page["hint"] = "more items: call again with offset=nextOffset"
    out = {**data, "page": page}
    page["bytes"] = 0
    page["bytes"] = _size(out) + 8  # room for the digits of the size itself
    return out


def summary_line(tool: str, data: dict[str, Any]) -> str:
    """A short text summary of a tool's JSON: the counts of its summary, the size of each list,
    and what was cut."""
    parts: list[str] = []
    summary = data.get("summary")
    if isinstance(summary, dict):
        parts += [
            f"{k} {v}" for k, v in summary.items() if isinstance(v, int | str | bool) and v != ""
        ][:10]
    page = data.get("page")
    lists = page.get("lists", {}) if isinstance(page, dict) else {}
    for key, info in lists.items():
        if info["returned"] != info["total"]:
            parts.append(f"{key} {info['returned']}/{info['total']}")
    text = f"fluxops {tool}: " + (", ".join(parts) if parts else "done")
    if isinstance(page, dict) and page.get("truncated"):
        text += f". Truncated: {page.get('hint', '')}"
    return text
