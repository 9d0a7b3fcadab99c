"""One object against itself on the other side: the changed fields (leaves, dotted paths) and
a unified diff of the goyaml-written object. A Secret (core v1) shows only which fields
changed: no value, no text."""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterator
from typing import Any

from fluxops.changes.result import FieldChange
from fluxops.goyaml.writer import dump
from fluxops.model.resource import Resource
from fluxops.model.secret_keys import inline_secrets

#: Bounds on what one object's change carries.
MAX_FIELDS = 200
MAX_VALUE_CHARS = 300
MAX_DIFF_LINES = 2000

_PLAIN_KEY = re.compile(r"^[A-Za-z0-9_/-]+$")
_ABSENT = object()


def is_secret(resource: Resource) -> bool:
    return resource.id.group == "" and resource.kind == "Secret"


#: What an inline secret of a HelmRelease's values shows as (as values-diff masks it).
INLINE_SECRET_MASK = "**SECRET**"


def without_inline_secrets(raw: dict[str, Any]) -> dict[str, Any]:
    """A HelmRelease with every value lint's hr-inline-secret rule calls a secret masked (a
    copy; any other object as it is), so that neither its changed fields nor its unified diff
    print one: the same classifier values-diff and lint use."""
    spec = raw.get("spec")
    if raw.get("kind") != "HelmRelease" or not isinstance(spec, dict):
        return raw
    values = spec.get("values")
    found = list(inline_secrets(values)) if isinstance(values, dict) else []
    if not found:
        return raw
    copy: dict[str, Any] = json.loads(json.dumps(raw))
    for path, _ in found:
        node: Any = copy["spec"]["values"]
        for part in path[:-1]:
            node = (
                node[int(part[1:-1])]
                if part.startswith("[") and isinstance(node, list)
                else node[part]
            )
        node[path[-1]] = INLINE_SECRET_MASK
    return copy


def _key(path: str, key: Any) -> str:
    text = str(key)
    if _PLAIN_KEY.match(text):
        return f"{path}.{text}" if path else text
    return f"{path}[{json.dumps(text)}]"


def _leaves(value: Any, path: str) -> Iterator[tuple[str, Any]]:
    if isinstance(value, dict) and value:
        for key in value:
            yield from _leaves(value[key], _key(path, key))
    elif isinstance(value, list) and value:
        for i, item in enumerate(value):
            yield from _leaves(item, f"{path}[{i}]")
    else:
        yield path, value


def _show(value: Any) -> str | None:
    if value is _ABSENT:
        return None
    text = json.dumps(value, sort_keys=True, default=str, ensure_ascii=False)
    if len(text) > MAX_VALUE_CHARS:
        text = text[:MAX_VALUE_CHARS] + "..."
    return text


def field_changes(
    before: dict[str, Any], after: dict[str, Any], *, secret: bool
) -> list[FieldChange]:
    """The leaves that differ, in the order of `after` then `before`'s removed ones."""
    old = dict(_leaves(before, ""))
    new = dict(_leaves(after, ""))
    out: list[FieldChange] = []
    for path, value in new.items():
        was = old.get(path, _ABSENT)
        if was is _ABSENT or was != value or type(was) is not type(value):
            out.append(_field(path, was, value, secret))
    for path, was in old.items():
        if path not in new:
            out.append(_field(path, was, _ABSENT, secret))
    if len(out) > MAX_FIELDS:
        dropped = len(out) - MAX_FIELDS
        out = out[:MAX_FIELDS]
        out.append(FieldChange(f"(and {dropped} more fields)"))
    return out


def hide_values(fields: list[FieldChange], *masked: dict[str, Any] | None) -> list[FieldChange]:
    """`fields` with the values of every leaf `without_inline_secrets` masked on either side
    left out (the path still says that it changed)."""
    hidden = {
        path
        for obj in masked
        if obj is not None
        for path, value in _leaves(obj, "")
        if value == INLINE_SECRET_MASK
    }
    return [FieldChange(f.path) if f.path in hidden else f for f in fields]


def _field(path: str, before: Any, after: Any, secret: bool) -> FieldChange:
    if secret:
        return FieldChange(path)
    return FieldChange(path, _show(before), _show(after))


def unified(before: dict[str, Any] | None, after: dict[str, Any] | None, label: str) -> str:
    """The unified diff of the two objects as the goyaml writer writes them (empty for
    Secrets: callers never pass one)."""
    old = dump(before).splitlines(keepends=True) if before is not None else []
    new = dump(after).splitlines(keepends=True) if after is not None else []
    lines = list(difflib.unified_diff(old, new, f"base/{label}", f"head/{label}", n=3))
    if len(lines) > MAX_DIFF_LINES:
        lines = [*lines[:MAX_DIFF_LINES], f"... ({len(lines) - MAX_DIFF_LINES} more lines)\n"]
    return "".join(line if line.endswith("\n") else line + "\n" for line in lines)
