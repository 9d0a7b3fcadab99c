"""Keyword-aware walks over JSON Schema documents.

A schema is data whose keys are sometimes keywords and sometimes names: under `properties` a key
called `description` or `$ref` is a field name, not a keyword (the CustomResourceDefinition schema
has both). Every transformation here knows which keys hold sub-schemas, which hold maps of
sub-schemas, and which hold plain data.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

#: Keywords whose value is one sub-schema.
SCHEMA_KEYS = frozenset(
    {"items", "additionalProperties", "not", "additionalItems", "contains", "propertyNames"}
)
#: Keywords whose value is a list of sub-schemas.
SCHEMA_LIST_KEYS = frozenset({"allOf", "anyOf", "oneOf"})
#: Keywords whose value maps names to sub-schemas.
SCHEMA_MAP_KEYS = frozenset({"properties", "patternProperties", "definitions", "$defs"})
#: Documentation-only keywords: dropped from compiled schemas (smaller, faster to compile).
DOC_KEYS = frozenset({"description", "example", "examples", "title", "default", "$comment"})

Transform = Callable[[dict[str, Any]], dict[str, Any]]


def map_schema(node: Any, before: Transform | None = None, after: Transform | None = None) -> Any:
    """A rebuilt copy of `node`: `before` sees each schema object before its children are
    rebuilt (it may return a different object), `after` sees it afterwards."""
    if not isinstance(node, dict):
        return node
    if before is not None:
        node = before(node)
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key in SCHEMA_KEYS and isinstance(value, dict):
            out[key] = map_schema(value, before, after)
        elif (key in SCHEMA_KEYS and isinstance(value, list)) or (
            key in SCHEMA_LIST_KEYS and isinstance(value, list)
        ):  # tuple-form items
            out[key] = [map_schema(v, before, after) for v in value]
        elif key in SCHEMA_MAP_KEYS and isinstance(value, dict):
            out[key] = {name: map_schema(sub, before, after) for name, sub in value.items()}
        else:
            out[key] = value
    return after(out) if after is not None else out


def strip_docs(node: Any, *, keep_format: bool = False) -> Any:
    """Drop documentation keywords (and `format`, which Kubernetes' published JSON schemas use
    for int32/int64/byte and the API server does not enforce the way JSON Schema would)."""

    def drop(schema: dict[str, Any]) -> dict[str, Any]:
        return {
            k: v for k, v in schema.items() if k not in DOC_KEYS and (keep_format or k != "format")
        }

    return map_schema(node, after=drop)


def collect_refs(node: Any) -> set[str]:
    """Every `$ref` string used as a keyword in `node`."""
    found: set[str] = set()

    def see(schema: dict[str, Any]) -> dict[str, Any]:
        ref = schema.get("$ref")
        if isinstance(ref, str):
            found.add(ref)
        return schema

    map_schema(node, before=see)
    return found


def rewrite_refs(node: Any, rewrite: Callable[[str], str]) -> Any:
    def fix(schema: dict[str, Any]) -> dict[str, Any]:
        ref = schema.get("$ref")
        if isinstance(ref, str):
            schema = dict(schema)
            schema["$ref"] = rewrite(ref)
        return schema

    return map_schema(node, after=fix)
