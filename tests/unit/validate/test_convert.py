"""openAPIV3Schema -> JSON Schema: each gotcha, checked with both validators fluxops uses."""

from __future__ import annotations

from typing import Any

import fastjsonschema
import jsonschema
import pytest

from fluxops.validate.builtin import BuiltinSchemas, resolve_kube_version
from fluxops.validate.catalog import META_REF
from fluxops.validate.celrules import check_extras
from fluxops.validate.convert import convert, extract_extras

pytestmark = pytest.mark.unit


def valid(schema: dict[str, Any], doc: Any) -> bool:
    """Both validators must agree."""
    slow: bool = jsonschema.Draft7Validator(schema).is_valid(doc)
    try:
        fastjsonschema.compile(schema)(doc)
        fast = True
    except fastjsonschema.JsonSchemaValueException:
        fast = False
    assert slow == fast, (schema, doc)
    return slow


def obj(**props: Any) -> dict[str, Any]:
    return {"type": "object", "properties": props}


def test_nullable_accepts_null() -> None:
    raw = obj(
        timeout={"type": "string", "nullable": True},
        mode={"type": "string", "enum": ["a"], "nullable": True},
    )
    schema = convert(raw, strict=False, root=False)
    assert valid(schema, {"timeout": None, "mode": None})
    assert not valid(schema, {"timeout": 3})
    assert not valid(convert(obj(t={"type": "string"}), strict=False, root=False), {"t": None})


def test_int_or_string() -> None:
    schema = convert(obj(port={"x-kubernetes-int-or-string": True}), strict=False, root=False)
    assert valid(schema, {"port": 80}) and valid(schema, {"port": "http"})
    assert not valid(schema, {"port": [1]}) and not valid(schema, {"port": 1.5})
    with_any = {
        "x-kubernetes-int-or-string": True,
        "anyOf": [{"type": "integer"}, {"type": "string", "pattern": "^[0-9]+%$"}],
    }
    schema = convert(obj(max=with_any), strict=False, root=False)
    assert valid(schema, {"max": "25%"}) and not valid(schema, {"max": "lots"})


def test_preserve_unknown_fields_stays_open_in_strict_mode() -> None:
    raw = obj(
        spec=obj(
            name={"type": "string"},
            values={"type": "object", "x-kubernetes-preserve-unknown-fields": True},
            known=obj(a={"type": "string"}) | {"x-kubernetes-preserve-unknown-fields": True},
        )
    )
    strict = convert(raw, strict=True, root=False)
    lax = convert(raw, strict=False, root=False)
    doc = {"spec": {"name": "x", "values": {"any": {"thing": 1}}, "known": {"a": "b", "extra": 1}}}
    assert valid(strict, doc)
    assert not valid(strict, {"spec": {"name": "x", "typo": 1}})
    assert valid(lax, {"spec": {"name": "x", "typo": 1}})


def test_strict_mode_never_closes_logic_branches() -> None:
    raw = obj(
        a=obj(x={"type": "string"}, y={"type": "string"})
        | {
            "oneOf": [
                {"required": ["x"]},
                {"required": ["y"], "properties": {"y": {"minLength": 1}}},
            ]
        }
    )
    schema = convert(raw, strict=True, root=False)
    assert valid(schema, {"a": {"x": "1"}}) and valid(schema, {"a": {"y": "1"}})
    assert not valid(schema, {"a": {"x": "1", "z": 1}})


def test_boolean_exclusive_bounds() -> None:
    raw = obj(
        ratio={
            "type": "number",
            "minimum": 0,
            "exclusiveMinimum": True,
            "maximum": 1,
            "exclusiveMaximum": True,
        },
        count={"type": "integer", "minimum": 0, "exclusiveMinimum": False},
    )
    schema = convert(raw, strict=False, root=False)
    assert valid(schema, {"ratio": 0.5, "count": 0})
    assert not valid(schema, {"ratio": 0}) and not valid(schema, {"ratio": 1})


def test_list_type_set_and_map() -> None:
    raw = obj(
        tags={"type": "array", "items": {"type": "string"}, "x-kubernetes-list-type": "set"},
        ports={
            "type": "array",
            "x-kubernetes-list-type": "map",
            "x-kubernetes-list-map-keys": ["port", "protocol"],
            "items": obj(port={"type": "integer"}, protocol={"type": "string"}),
        },
    )
    schema = convert(raw, strict=False, root=False)
    assert valid(schema, {"tags": ["a", "b"]}) and not valid(schema, {"tags": ["a", "a"]})
    extras = extract_extras(raw)
    assert extras is not None
    ok = {"ports": [{"port": 80, "protocol": "TCP"}, {"port": 80, "protocol": "UDP"}]}
    dup = {"ports": [{"port": 80, "protocol": "TCP"}, {"port": 80, "protocol": "TCP"}]}
    assert check_extras(ok, extras, None).duplicates == []
    found = check_extras(dup, extras, None).duplicates
    assert [path for path, _ in found] == [("ports", 1)]


def test_embedded_resource_and_root_metadata_use_object_meta() -> None:
    builtin = BuiltinSchemas(resolve_kube_version(None), strict=True)
    raw = obj(
        spec=obj(
            template={
                "type": "object",
                "x-kubernetes-embedded-resource": True,
                "x-kubernetes-preserve-unknown-fields": True,
            }
        )
    )
    schema = convert(raw, strict=True, object_meta_ref=META_REF)
    schema["definitions"] = builtin.object_meta_definitions()
    good = {
        "metadata": {"name": "a", "labels": {"x": "y"}},
        "spec": {
            "template": {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": "p"},
                "spec": {"anything": 1},
            }
        },
    }
    assert valid(schema, good)
    assert not valid(schema, {"metadata": {"name": "a"}, "spec": {"template": {"kind": "Pod"}}})
    assert not valid(schema, {"metadata": {"labels": "not-a-map"}})
    assert not valid(schema, {"metadata": {"nmae": "typo"}})  # strict ObjectMeta


def test_cel_rules_are_collected_with_their_paths() -> None:
    raw = obj(
        spec=obj(a={"type": "string"})
        | {"x-kubernetes-validations": [{"rule": "has(self.a)", "message": "a is required"}]}
    )
    extras = extract_extras(raw)
    assert extras is not None
    assert [r.rule for r in extras.all_rules()] == ["has(self.a)"]
    assert extract_extras(obj(a={"type": "string"})) is None


def test_the_root_always_allows_apiversion_kind_and_metadata_when_strict() -> None:
    # a CRD whose schema lists only spec: the API server still takes apiVersion and kind
    schema = convert(obj(spec=obj(size={"type": "integer"})), strict=True)
    doc = {"apiVersion": "example.com/v1", "kind": "Widget", "spec": {"size": 1}}
    assert valid(schema, doc)
    assert not valid(schema, {**doc, "extra": 1})
    assert not valid(schema, {**doc, "spec": {"size": 1, "colour": "red"}})
