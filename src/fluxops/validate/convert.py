"""A CustomResourceDefinition's `openAPIV3Schema` as JSON Schema (draft-07).

OpenAPI 3.0 and the Kubernetes extensions are not JSON Schema. The rewrites, each with a test:

- `nullable: true` -> `null` added to `type` (and to `enum`); JSON Schema would reject `null`.
- `x-kubernetes-int-or-string: true` (no `type`) -> `anyOf: [{type: integer}, {type: string}]`.
- `x-kubernetes-preserve-unknown-fields: true` stays open, strict mode included.
- boolean `exclusiveMinimum`/`exclusiveMaximum` (OpenAPI 3.0) -> the numeric draft-07 form.
- `x-kubernetes-list-type: set` -> `uniqueItems`; `map` (items unique by their
  `x-kubernetes-list-map-keys`) is not expressible and goes to the extras tree (checked in code).
- `x-kubernetes-embedded-resource: true` -> `apiVersion` and `kind` required, `metadata` checked
  as ObjectMeta.
- the root `metadata` is checked as the built-in ObjectMeta (CRDs leave it as `type: object`).
- strict mode closes objects that list `properties` (unknown fields rejected), but never inside
  `allOf`/`anyOf`/`oneOf`/`not` (structural schemas only restate values there).

CEL rules (`x-kubernetes-validations`) and list-map keys are collected into an `Extras` tree that
mirrors the schema where (and only where) such checks exist.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

#: Keywords copied as they are (the value keywords JSON Schema and OpenAPI 3.0 share), each
#: with the check its value must pass. A value that fails is left out: the API server refuses
#: such a CRD (`schema_problems` says why).
_NUMBER = (int, float)
_TYPES = frozenset({"object", "array", "string", "integer", "number", "boolean"})


def _is_number(value: Any) -> bool:
    return isinstance(value, _NUMBER) and not isinstance(value, bool)


def _is_count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


_COPIED: dict[str, Any] = {
    "type": lambda v: isinstance(v, str) and v in _TYPES,
    "enum": lambda v: isinstance(v, list),
    "required": lambda v: isinstance(v, list) and all(isinstance(x, str) for x in v),
    "minLength": _is_count,
    "maxLength": _is_count,
    "minimum": _is_number,
    "maximum": _is_number,
    "minItems": _is_count,
    "maxItems": _is_count,
    "uniqueItems": lambda v: isinstance(v, bool),
    "minProperties": _is_count,
    "maxProperties": _is_count,
    "multipleOf": lambda v: _is_number(v) and v > 0,
    # Matched with RE2, as the API server's Go regexp does (validate/compiled.py).
    "pattern": lambda v: isinstance(v, str),
}
PATTERN = "pattern"
INT_OR_STRING = [{"type": "integer"}, {"type": "string"}]


@dataclass(frozen=True)
class CelRule:
    """One `x-kubernetes-validations` entry."""

    rule: str
    message: str = ""
    field_path: str = ""
    reason: str = ""

    @property
    def is_transition(self) -> bool:
        """Transition rules compare with the stored object (`oldSelf`): not checkable offline."""
        return "oldSelf" in self.rule


@dataclass
class Extras:
    """Checks JSON Schema cannot express, at one schema node and below."""

    rules: list[CelRule] = field(default_factory=list)
    map_keys: tuple[str, ...] | None = None
    properties: dict[str, Extras] = field(default_factory=dict)
    items: Extras | None = None
    additional: Extras | None = None

    def empty(self) -> bool:
        return (
            not self.rules
            and self.map_keys is None
            and not self.properties
            and self.items is None
            and self.additional is None
        )

    def all_rules(self) -> list[CelRule]:
        out = list(self.rules)
        for sub in self.properties.values():
            out.extend(sub.all_rules())
        for maybe in (self.items, self.additional):
            if maybe is not None:
                out.extend(maybe.all_rules())
        return out


def convert(
    node: Any,
    *,
    strict: bool,
    object_meta_ref: str | None = None,
    root: bool = True,
) -> dict[str, Any]:
    """JSON Schema (draft-07) for an `openAPIV3Schema` node. `object_meta_ref` is the `$ref`
    that stands for ObjectMeta (root and embedded resources)."""
    if not isinstance(node, dict):
        return {}
    return _convert(node, strict=strict, meta=object_meta_ref, root=root, in_logic=False)


def _convert(
    node: dict[str, Any], *, strict: bool, meta: str | None, root: bool, in_logic: bool
) -> dict[str, Any]:
    out: dict[str, Any] = {k: node[k] for k, ok in _COPIED.items() if k in node and ok(node[k])}
    preserve = node.get("x-kubernetes-preserve-unknown-fields") is True
    embedded = node.get("x-kubernetes-embedded-resource") is True

    # Numeric bounds: OpenAPI 3.0 booleans -> draft-07 numbers.
    for bound, exclusive in (("minimum", "exclusiveMinimum"), ("maximum", "exclusiveMaximum")):
        flag = node.get(exclusive)
        if flag is True and bound in out:
            out[exclusive] = out.pop(bound)
        elif isinstance(flag, int | float) and not isinstance(flag, bool):
            out[exclusive] = flag

    # Sub-schemas.
    props = node.get("properties")
    if isinstance(props, dict):
        out["properties"] = {
            name: _convert(sub, strict=strict, meta=meta, root=False, in_logic=in_logic)
            for name, sub in props.items()
            if isinstance(sub, dict)
        }
    items = node.get("items")
    if isinstance(items, dict):
        out["items"] = _convert(items, strict=strict, meta=meta, root=False, in_logic=in_logic)
    additional = node.get("additionalProperties")
    if isinstance(additional, dict):
        out["additionalProperties"] = _convert(
            additional, strict=strict, meta=meta, root=False, in_logic=in_logic
        )
    elif isinstance(additional, bool):
        out["additionalProperties"] = additional
    for key in ("allOf", "anyOf", "oneOf"):
        branches = node.get(key)
        if isinstance(branches, list):
            out[key] = [
                _convert(b, strict=strict, meta=meta, root=False, in_logic=True)
                for b in branches
                if isinstance(b, dict)
            ]
    if isinstance(node.get("not"), dict):
        out["not"] = _convert(node["not"], strict=strict, meta=meta, root=False, in_logic=True)

    # Kubernetes extensions.
    if node.get("x-kubernetes-int-or-string") is True and "type" not in out:
        if "anyOf" in out:
            out["allOf"] = [*out.get("allOf", []), {"anyOf": INT_OR_STRING}]
        else:
            out["anyOf"] = [dict(s) for s in INT_OR_STRING]
    if node.get("x-kubernetes-list-type") == "set":
        out["uniqueItems"] = True
    if embedded:
        required = list(out.get("required", []))
        out["required"] = required + [k for k in ("apiVersion", "kind") if k not in required]
        props_out = out.setdefault("properties", {})
        props_out.setdefault("apiVersion", {"type": "string"})
        props_out.setdefault("kind", {"type": "string"})
        if meta is not None:
            props_out["metadata"] = {"$ref": meta}
        if "type" not in out:
            out["type"] = "object"
    if root:
        # the API server allows apiVersion, kind and metadata at the root of every custom
        # resource, whether the schema lists them or not
        props_root = out.setdefault("properties", {})
        props_root.setdefault("apiVersion", {"type": "string"})
        props_root.setdefault("kind", {"type": "string"})
        if meta is not None:
            props_root["metadata"] = {"$ref": meta}

    # Strict mode: unknown fields are errors, except where the schema keeps them.
    if (
        strict
        and not in_logic
        and not preserve
        and "properties" in out
        and "additionalProperties" not in node
    ):
        out["additionalProperties"] = False

    if node.get("nullable") is True:
        _allow_null(out)
    return out


def _allow_null(out: dict[str, Any]) -> None:
    kind = out.get("type")
    if isinstance(kind, str):
        out["type"] = [kind, "null"]
    elif isinstance(kind, list) and "null" not in kind:
        out["type"] = [*kind, "null"]
    if isinstance(out.get("enum"), list) and None not in out["enum"]:
        out["enum"] = [*out["enum"], None]
    if kind is None:
        # No type (int-or-string, or a pure anyOf): allow null beside whatever it allows.
        inner = {k: out.pop(k) for k in list(out) if k not in ("enum",)}
        out["anyOf"] = [{"type": "null"}, inner]


def extract_extras(node: Any) -> Extras | None:
    """The CEL rules and list-map keys of a schema, as a tree that mirrors it; None when the
    schema has neither anywhere."""
    if not isinstance(node, dict):
        return None
    extras = Extras()
    for entry in node.get("x-kubernetes-validations") or []:
        if isinstance(entry, dict) and isinstance(entry.get("rule"), str):
            extras.rules.append(
                CelRule(
                    rule=entry["rule"],
                    message=str(entry.get("message") or ""),
                    field_path=str(entry.get("fieldPath") or ""),
                    reason=str(entry.get("reason") or ""),
                )
            )
    if node.get("x-kubernetes-list-type") == "map":
        keys = node.get("x-kubernetes-list-map-keys")
        if isinstance(keys, list) and keys:
            extras.map_keys = tuple(str(k) for k in keys)
    props = node.get("properties")
    if isinstance(props, dict):
        for name, sub in props.items():
            found = extract_extras(sub)
            if found is not None:
                extras.properties[name] = found
    extras.items = extract_extras(node.get("items"))
    extras.additional = extract_extras(node.get("additionalProperties"))
    return None if extras.empty() else extras


def schema_problems(node: Any, limit: int = 20) -> list[str]:
    """Why the API server would refuse this openAPIV3Schema: keyword values of the wrong type
    and patterns that are not valid (RE2) regular expressions. At most `limit` problems."""
    from fluxops.loader.linear_regex import PatternError, compile_linear

    problems: list[str] = []
    stack: list[tuple[Any, str]] = [(node, "openAPIV3Schema")]
    while stack and len(problems) < limit:
        item, where = stack.pop()
        if not isinstance(item, dict):
            continue
        for key, ok in _COPIED.items():
            if key in item and not ok(item[key]):
                problems.append(f"{where}.{key}: {item[key]!r} is not a valid value")
        pattern = item.get(PATTERN)
        if isinstance(pattern, str):
            try:
                compile_linear(pattern)
            except PatternError as exc:
                problems.append(
                    f"{where}.pattern: {pattern!r} is not a valid regular expression ({exc})"
                )
        props = item.get("properties")
        if isinstance(props, dict):
            stack.extend((sub, f"{where}.properties.{name}") for name, sub in props.items())
        for key in ("items", "additionalProperties", "not"):
            if isinstance(item.get(key), dict):
                stack.append((item[key], f"{where}.{key}"))
        for key in ("allOf", "anyOf", "oneOf"):
            branches = item.get(key)
            if isinstance(branches, list):
                stack.extend((b, f"{where}.{key}[{i}]") for i, b in enumerate(branches))
    return problems[:limit]
