"""Structural defaulting, as the API server applies it to a custom resource before validating
it (k8s.io/apiextensions-apiserver pkg/apiserver/schema/defaulting): a property with a
`default` that the object does not set gets a copy of it, in objects (`properties`), list items
(`items`) and map values (`additionalProperties`); a default is itself defaulted below. CEL
rules then see `kind: Gateway` in a parentRef that left it out, as on the server."""

from __future__ import annotations

import copy
from typing import Any


def has_defaults(schema: Any) -> bool:
    return '"default"' in repr(schema).replace("'", '"')


def apply_defaults(value: Any, schema: Any) -> Any:
    """`value` with the defaults of `schema` filled in; `value` itself is not changed (parts
    without defaults are shared, not copied)."""
    if not isinstance(schema, dict):
        return value
    if isinstance(value, dict):
        props = schema.get("properties")
        out = value
        if isinstance(props, dict):
            for name, sub in props.items():
                if not isinstance(sub, dict):
                    continue
                if name not in value and "default" in sub:
                    out = dict(out) if out is value else out
                    out[name] = apply_defaults(copy.deepcopy(sub["default"]), sub)
                elif name in value and value[name] is not None:
                    new = apply_defaults(value[name], sub)
                    if new is not value[name]:
                        out = dict(out) if out is value else out
                        out[name] = new
        extra = schema.get("additionalProperties")
        if isinstance(extra, dict) and not isinstance(props, dict):
            for name, item in value.items():
                new = apply_defaults(item, extra)
                if new is not item:
                    out = dict(out) if out is value else out
                    out[name] = new
        return out
    if isinstance(value, list) and isinstance(schema.get("items"), dict):
        items = [apply_defaults(item, schema["items"]) for item in value]
        if any(a is not b for a, b in zip(items, value, strict=True)):
            return items
    return value
