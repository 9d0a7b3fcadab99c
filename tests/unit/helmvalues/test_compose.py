"""HelmRelease values composition (fluxcd/pkg chartutil), null handling and Helm ReadValues.

`test_fluxcd_pkg_*` port fluxcd/pkg `chartutil/values_test.go` case by case; the rest follow
from `values.go` / `merge.go` traced by hand.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from typing import Any

import pytest

from fluxops.errors import EXIT_FINDINGS, FluxopsError, ValuesError
from fluxops.helmvalues.compose import (
    ComposedValues,
    ValuesReference,
    coalesce_values,
    compose_values,
    merge_maps,
    read_values,
    remove_nulls,
    values_references,
)

pytestmark = pytest.mark.unit


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def cm(**data: str) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "ConfigMap", "data": data}


def secret(**data: str) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Secret", "data": {k: b64(v) for k, v in data.items()}}


class Store:
    """A lookup over (kind, name) that counts fetches."""

    def __init__(self, objects: Mapping[tuple[str, str], Mapping[str, Any]]) -> None:
        self.objects = objects
        self.calls: list[tuple[str, str]] = []

    def __call__(self, kind: str, name: str) -> Mapping[str, Any] | None:
        self.calls.append((kind, name))
        return self.objects.get((kind, name))


def ref(kind: str, name: str, **kw: Any) -> ValuesReference:
    return ValuesReference(kind, name, **kw)


def compose(
    refs: list[ValuesReference],
    inline: dict[str, Any] | None,
    objects: Mapping[tuple[str, str], Mapping[str, Any]],
    **kw: Any,
) -> ComposedValues:
    return compose_values(refs, inline, Store(objects), **kw)


# --- merge_maps ---------------------------------------------------------------------------------


def test_merge_maps_merges_maps_and_replaces_everything_else() -> None:
    a = {"m": {"x": 1, "y": {"z": 1}}, "l": [1, 2, 3], "s": "a", "to_map": 1, "to_scalar": {"k": 1}}
    b = {"m": {"y": {"w": 2}}, "l": [9], "s": None, "to_map": {"k": 2}, "to_scalar": "v", "new": 1}
    assert merge_maps(a, b) == {
        "m": {"x": 1, "y": {"z": 1, "w": 2}},
        "l": [9],
        "s": None,
        "to_map": {"k": 2},
        "to_scalar": "v",
        "new": 1,
    }


def test_merge_maps_does_not_touch_or_share_its_inputs() -> None:
    a = {"m": {"x": [1]}}
    b = {"n": {"y": [2]}, "m": {"z": 1}}
    out = merge_maps(a, b)
    out["m"]["x"].append(5)
    out["n"]["y"].append(5)
    assert a == {"m": {"x": [1]}}
    assert b == {"n": {"y": [2]}, "m": {"z": 1}}


# --- ValuesReference ----------------------------------------------------------------------------


def test_values_reference_from_spec() -> None:
    refs = values_references(
        [
            {"kind": "ConfigMap", "name": "a"},
            {"kind": "Secret", "name": "b", "valuesKey": "k", "targetPath": "x.y"},
            {"kind": "Secret", "name": "c", "valuesKey": "", "optional": True, "literal": True},
            {"kind": "Secret", "name": "d", "optional": "true"},
            "not-a-map",
        ]
    )
    assert refs == [
        ValuesReference("ConfigMap", "a"),
        ValuesReference("Secret", "b", values_key="k", target_path="x.y"),
        ValuesReference("Secret", "c", values_key="values.yaml", optional=True, literal=True),
        ValuesReference("Secret", "d"),
    ]
    assert values_references(None) == []


# --- fluxcd/pkg chartutil/values_test.go ---------------------------------------------------------


def test_fluxcd_pkg_merges() -> None:
    objects = {
        ("ConfigMap", "values"): cm(
            **{"values.yaml": "flat: value\nnested:\n  configuration: value\n"}
        ),
        ("Secret", "values"): secret(**{"values.yaml": "flat:\n  nested: value\nnested: value\n"}),
    }
    got = compose(
        [ref("ConfigMap", "values"), ref("Secret", "values")], {"other": "values"}, objects
    )
    assert got.values == {"flat": {"nested": "value"}, "nested": "value", "other": "values"}


def test_fluxcd_pkg_with_target_path() -> None:
    objects = {("Secret", "values"): secret(single="value")}
    refs = [ref("Secret", "values", values_key="single", target_path="merge.at.specific.path")]
    got = compose(refs, None, objects)
    assert got.values == {"merge": {"at": {"specific": {"path": "value"}}}}


def test_fluxcd_pkg_target_path_precedence_over_all() -> None:
    # Passes only because the --set parser writes into the list shared with spec.values.
    objects = {
        ("ConfigMap", "values"): cm(
            **{
                "values.yaml": "flat: value\nnested:\n  configuration:\n  - one\n  - two\n  - three\n"
            }
        ),
        ("Secret", "values"): secret(key="value"),
    }
    refs = [
        ref("Secret", "values", values_key="key", target_path="nested.configuration[0]"),
        ref("ConfigMap", "values"),
    ]
    inline = {"nested": {"configuration": ["list", "item", "option"]}}
    got = compose(refs, inline, objects)
    assert got.values == {"flat": "value", "nested": {"configuration": ["value", "item", "option"]}}


def test_fluxcd_pkg_target_path_for_string_array_item() -> None:
    objects = {
        ("ConfigMap", "values"): cm(
            **{
                "values.yaml": "flat: value\nnested:\n  configuration:\n  - list\n  - item\n  - option\n"
            }
        ),
        ("Secret", "values"): secret(**{"values.yaml": "foo"}),
    }
    refs = [
        ref("ConfigMap", "values"),
        ref("Secret", "values", target_path="nested.configuration[1]"),
    ]
    got = compose(refs, {"other": "values"}, objects)
    assert got.values == {
        "flat": "value",
        "nested": {"configuration": ["list", "foo", "option"]},
        "other": "values",
    }
    assert got.secret_paths == {("nested", "configuration", 1)}


@pytest.mark.parametrize(
    ("refs", "objects", "reason"),
    [
        ([ref("Secret", "missing")], {}, "resource-not-found"),
        ([ref("ConfigMap", "missing")], {}, "resource-not-found"),
        (
            [ref("Secret", "values", values_key="nonexisting")],
            {("Secret", "values"): secret()},
            "key-not-found",
        ),
        (
            [ref("ConfigMap", "values", values_key="nonexisting")],
            {("ConfigMap", "values"): cm()},
            "key-not-found",
        ),
        ([ref("Unsupported", "")], {}, "unsupported-kind"),
        (
            [ref("ConfigMap", "values")],
            {("ConfigMap", "values"): cm(**{"values.yaml": "\ninvalid"})},
            "values-read",
        ),
    ],
)
def test_fluxcd_pkg_errors(
    refs: list[ValuesReference], objects: dict[tuple[str, str], Any], reason: str
) -> None:
    with pytest.raises(ValuesError) as err:
        compose(refs, None, objects)
    assert err.value.reason == reason
    assert isinstance(err.value, FluxopsError)
    assert err.value.exit_code == EXIT_FINDINGS


@pytest.mark.parametrize("kind", ["Secret", "ConfigMap"])
def test_fluxcd_pkg_optional_missing(kind: str) -> None:
    missing = ref(kind, "missing", optional=True)
    got = compose([missing], None, {})
    assert got.values == {}
    assert got.missing_optional == (missing,)


@pytest.mark.parametrize(
    ("value", "path", "expected"),
    [
        ("value", "outer.inner", {"outer": {"inner": "value"}}),
        ("{a,b,c}", "name", {"name": ["a", "b", "c"]}),
        ("value1\\,value2", "name", {"name": "value1,value2"}),
        ("true", "merge.at.specific.path", {"merge": {"at": {"specific": {"path": True}}}}),
        ('"true"', "merge.at.specific.path", {"merge": {"at": {"specific": {"path": "true"}}}}),
        ("value", "merge.at[2]", {"merge": {"at": [None, None, "value"]}}),
        (
            "master",
            "nodeSelector.kubernetes\\.io/role",
            {"nodeSelector": {"kubernetes.io/role": "master"}},
        ),
    ],
)
def test_fluxcd_pkg_replace_path_value(value: str, path: str, expected: dict[str, Any]) -> None:
    objects = {("ConfigMap", "v"): cm(k=value)}
    got = compose([ref("ConfigMap", "v", values_key="k", target_path=path)], None, objects)
    assert got.values == expected


# --- ordering and targetPath --------------------------------------------------------------------


def test_later_references_win_and_inline_values_win_last() -> None:
    objects = {
        ("ConfigMap", "base"): cm(**{"values.yaml": "a: 1\nb: 1\nc: 1\n"}),
        ("ConfigMap", "env"): cm(**{"values.yaml": "b: 2\nc: 2\n"}),
    }
    got = compose([ref("ConfigMap", "base"), ref("ConfigMap", "env")], {"c": 3}, objects)
    assert got.values == {"a": 1, "b": 2, "c": 3}


def test_lists_are_replaced_not_merged() -> None:
    objects = {
        ("ConfigMap", "a"): cm(**{"values.yaml": "hosts: [a, b]\n"}),
        ("ConfigMap", "b"): cm(**{"values.yaml": "hosts: [c]\n"}),
    }
    assert compose([ref("ConfigMap", "a"), ref("ConfigMap", "b")], None, objects).values == {
        "hosts": ["c"]
    }
    assert compose([ref("ConfigMap", "a")], {"hosts": []}, objects).values == {"hosts": []}


def test_target_path_into_nested_maps_with_escaped_dots_and_list_indexes() -> None:
    objects = {
        ("ConfigMap", "base"): cm(**{"values.yaml": "containers:\n- name: app\n- name: side\n"}),
        ("ConfigMap", "v"): cm(tag="1.2.3", redirect="false", port="8080"),
    }
    refs = [
        ref("ConfigMap", "base"),
        ref("ConfigMap", "v", values_key="tag", target_path="containers[1].image.tag"),
        ref(
            "ConfigMap",
            "v",
            values_key="redirect",
            target_path="ingress.annotations.nginx\\.ingress\\.kubernetes\\.io/ssl-redirect",
        ),
        ref("ConfigMap", "v", values_key="port", target_path="ports[2]"),
    ]
    got = compose(refs, None, objects)
    assert got.values == {
        "containers": [{"name": "app"}, {"name": "side", "image": {"tag": "1.2.3"}}],
        "ingress": {"annotations": {"nginx.ingress.kubernetes.io/ssl-redirect": False}},
        "ports": [None, None, 8080],
    }


@pytest.mark.parametrize(
    ("data", "literal", "expected"),
    [
        ("3", False, 3),
        ("3\n", False, "3\n"),  # a trailing newline is data: no int coercion
        ("'3'", False, "3"),
        ('"3"', False, "3"),
        ("'", False, ""),  # one quote is both prefix and suffix
        ("''x'''", False, "x"),  # every leading/trailing quote is trimmed
        ("'3\"", False, "'3\""),
        ("null", False, None),
        ("1.5", False, "1.5"),
        ("{a,b}", False, ["a", "b"]),
        ("'{a,b}'", False, ["a", "b"]),
        ("a,b[0]={x}\\y=z.w", True, "a,b[0]={x}\\y=z.w"),
        ("{a,b}", True, "{a,b}"),
        ("'quoted'", True, "'quoted'"),
        ("true", True, "true"),
        ("", True, ""),
    ],
)
def test_target_path_value_forms(data: str, literal: bool, expected: Any) -> None:
    objects = {("ConfigMap", "v"): cm(k=data)}
    got = compose(
        [ref("ConfigMap", "v", values_key="k", target_path="x", literal=literal)], None, objects
    )
    assert got.values == {"x": expected}


def test_quoted_value_is_still_set_syntax() -> None:
    objects = {("ConfigMap", "v"): cm(k="'a,b'")}
    with pytest.raises(ValuesError) as err:
        compose([ref("ConfigMap", "v", values_key="k", target_path="x")], None, objects)
    assert err.value.reason == "value-merge"
    assert err.value.message.endswith(': key "b" has no value')


def test_unescaped_comma_sets_a_second_key() -> None:
    objects = {("ConfigMap", "v"): cm(k="a,y=2")}
    got = compose([ref("ConfigMap", "v", values_key="k", target_path="x")], None, objects)
    assert got.values == {"x": "a", "y": 2}


def test_target_path_overrides_a_nested_inline_value() -> None:
    objects = {("Secret", "s"): secret(pw="from-secret")}
    refs = [ref("Secret", "s", values_key="pw", target_path="db.password")]
    got = compose(refs, {"db": {"password": "inline", "user": "app"}}, objects)
    assert got.values == {"db": {"password": "from-secret", "user": "app"}}
    assert got.secret_paths == {("db", "password")}


def test_top_level_target_path_loses_to_inline_value() -> None:
    # result = MergeMaps(result, inline) copies the top level; the write lands in the copy and
    # the final MergeMaps(result, inline) puts the inline value back.
    objects = {("ConfigMap", "v"): cm(n="3")}
    refs = [ref("ConfigMap", "v", values_key="n", target_path="replicas")]
    assert compose(refs, {"replicas": 1}, objects).values == {"replicas": 1}


def test_nested_target_path_loses_to_inline_when_an_earlier_reference_made_the_map() -> None:
    objects = {
        ("ConfigMap", "base"): cm(**{"values.yaml": "db:\n  host: h\n"}),
        ("Secret", "s"): secret(pw="from-secret"),
    }
    refs = [
        ref("ConfigMap", "base"),
        ref("Secret", "s", values_key="pw", target_path="db.password"),
    ]
    got = compose(refs, {"db": {"password": "inline"}}, objects)
    assert got.values == {"db": {"host": "h", "password": "inline"}}
    assert got.secret_paths == frozenset()


def test_target_path_inside_an_inline_map_survives_later_references() -> None:
    objects = {
        ("ConfigMap", "v"): cm(k="1"),
        ("ConfigMap", "later"): cm(**{"values.yaml": "a:\n  z: 2\n"}),
    }
    refs = [ref("ConfigMap", "v", values_key="k", target_path="a.z"), ref("ConfigMap", "later")]
    assert compose(refs, {"a": {"x": 1}}, objects).values == {"a": {"x": 1, "z": 1}}
    # Without an inline map to write through, the later reference wins as documented.
    assert compose(refs, None, objects).values == {"a": {"z": 2}}


def test_inline_list_element_written_in_place_survives_but_a_grown_list_does_not() -> None:
    objects = {("ConfigMap", "v"): cm(k="z")}
    inline = {"l": ["a", "b"]}
    in_place = [ref("ConfigMap", "v", values_key="k", target_path="l[0]")]
    grown = [ref("ConfigMap", "v", values_key="k", target_path="l[3]")]
    assert compose(in_place, inline, objects).values == {"l": ["z", "b"]}
    assert compose(grown, inline, objects).values == {"l": ["a", "b"]}
    assert inline == {"l": ["a", "b"]}  # the caller's dict is never touched


def test_target_path_through_a_scalar_is_an_error() -> None:
    objects = {("ConfigMap", "v"): cm(k="x")}
    refs = [ref("ConfigMap", "v", values_key="k", target_path="tls.crt")]
    with pytest.raises(ValuesError) as err:
        compose(refs, {"tls": True}, objects)
    assert "interface conversion: interface {} is bool" in err.value.message


def test_invalid_target_path_is_rejected_like_the_crd() -> None:
    objects = {("ConfigMap", "v"): cm(k="x")}
    for path in ["a,b", "a=b", "a[-1]", "a[123456]", "x" * 251]:
        with pytest.raises(ValuesError) as err:
            compose([ref("ConfigMap", "v", values_key="k", target_path=path)], None, objects)
        assert err.value.reason == "invalid-reference"


# --- fetching and errors ------------------------------------------------------------------------


def test_each_object_is_fetched_once() -> None:
    store = Store({("ConfigMap", "v"): cm(a="1", b="2"), ("Secret", "v"): secret(c="3")})
    refs = [
        ref("ConfigMap", "v", values_key="a", target_path="a"),
        ref("ConfigMap", "v", values_key="b", target_path="b"),
        ref("Secret", "v", values_key="c", target_path="c"),
        ref("ConfigMap", "gone", optional=True),
        ref("ConfigMap", "gone", optional=True),
    ]
    got = compose_values(refs, None, store)
    assert got.values == {"a": 1, "b": 2, "c": 3}
    assert store.calls == [("ConfigMap", "v"), ("Secret", "v"), ("ConfigMap", "gone")]
    assert len(got.missing_optional) == 2


def test_optional_reference_with_missing_key_is_skipped() -> None:
    objects = {("ConfigMap", "v"): cm(other="1")}
    got = compose([ref("ConfigMap", "v", values_key="k", optional=True)], {"a": 1}, objects)
    assert got.values == {"a": 1}
    assert got.missing_optional == (ref("ConfigMap", "v", values_key="k", optional=True),)


def test_missing_required_object_error_names_everything() -> None:
    with pytest.raises(ValuesError) as err:
        compose(
            [ref("Secret", "db-creds", values_key="values.yaml")],
            None,
            {},
            namespace="apps",
            release="HelmRelease apps/podinfo",
        )
    e = err.value
    assert e.message == (
        "could not resolve Secret chart values reference 'apps/db-creds' with key 'values.yaml': "
        'secrets "db-creds" not found'
    )
    assert e.obj == "HelmRelease apps/podinfo"
    assert e.hint is not None and "db-creds" in e.hint and "optional" in e.hint
    assert str(e).startswith("HelmRelease apps/podinfo: could not resolve")


def test_required_reference_after_an_optional_miss_of_the_same_object() -> None:
    refs = [ref("ConfigMap", "v", optional=True), ref("ConfigMap", "v", values_key="k")]
    with pytest.raises(ValuesError) as err:
        compose(refs, None, {})
    assert err.value.message.endswith("with key 'k': resource not found")


def test_missing_key_error_message() -> None:
    with pytest.raises(ValuesError) as err:
        compose(
            [ref("ConfigMap", "v", values_key="k", optional=False)],
            None,
            {("ConfigMap", "v"): cm()},
        )
    assert err.value.message == (
        "could not resolve ConfigMap chart values reference 'v' with key 'k': key not found"
    )


def test_values_read_errors_show_configmap_details_but_never_secret_data() -> None:
    bad = "password: [hunter2\n"
    with pytest.raises(ValuesError) as err:
        compose([ref("ConfigMap", "v")], None, {("ConfigMap", "v"): cm(**{"values.yaml": bad})})
    assert err.value.reason == "values-read"
    assert "failed to read values data: " in err.value.message
    assert "line 1" in err.value.message
    with pytest.raises(ValuesError) as err:
        compose([ref("Secret", "v")], None, {("Secret", "v"): secret(**{"values.yaml": bad})})
    assert "hunter2" not in str(err.value)
    assert "line" in err.value.message
    with pytest.raises(ValuesError) as err:
        compose(
            [ref("Secret", "v")], None, {("Secret", "v"): secret(**{"values.yaml": "- hunter2"})}
        )
    assert "hunter2" not in str(err.value)
    assert "not a map" in err.value.message


def test_set_syntax_errors_never_show_secret_data() -> None:
    objects = {("Secret", "s"): secret(pw="hunter2,oops")}
    with pytest.raises(ValuesError) as err:
        compose([ref("Secret", "s", values_key="pw", target_path="x")], None, objects)
    assert err.value.reason == "value-merge"
    assert "oops" not in str(err.value) and "hunter2" not in str(err.value)


# --- Secrets ------------------------------------------------------------------------------------


def test_secret_string_data_wins_over_data() -> None:
    obj = {
        "data": {"a": b64("from-data"), "b": b64("only-data")},
        "stringData": {"a": "from-string"},
    }
    refs = [
        ref("Secret", "s", values_key="a", target_path="a"),
        ref("Secret", "s", values_key="b", target_path="b"),
    ]
    assert compose(refs, None, {("Secret", "s"): obj}).values == {
        "a": "from-string",
        "b": "only-data",
    }


def test_secret_base64_with_line_breaks_and_yaml_values() -> None:
    encoded = b64("db:\n  password: s3cret\n  port: 5432\n")
    wrapped = "\n".join(encoded[i : i + 8] for i in range(0, len(encoded), 8))
    got = compose([ref("Secret", "s")], None, {("Secret", "s"): {"data": {"values.yaml": wrapped}}})
    assert got.values == {"db": {"password": "s3cret", "port": 5432}}


@pytest.mark.parametrize(
    ("obj", "text"),
    [
        ({"data": {"values.yaml": "not base64!"}}, "not valid base64"),
        ({"data": {"values.yaml": "ENC[AES256_GCM,data:x]"}, "sops": {"version": "3"}}, "SOPS"),
        ({"data": {"values.yaml": 3}}, "not a string"),
        ({"stringData": {"values.yaml": 3}}, "not a string"),
    ],
)
def test_unreadable_secret_data(obj: dict[str, Any], text: str) -> None:
    with pytest.raises(ValuesError) as err:
        compose([ref("Secret", "s")], None, {("Secret", "s"): obj})
    assert text in err.value.message


def test_configmap_binary_data_is_ignored() -> None:
    obj = {"binaryData": {"values.yaml": b64("a: 1")}}
    with pytest.raises(ValuesError) as err:
        compose([ref("ConfigMap", "v")], None, {("ConfigMap", "v"): obj})
    assert err.value.reason == "key-not-found"


def test_secret_sourced_values_are_tracked_and_masked() -> None:
    objects = {
        ("Secret", "s"): secret(
            **{"values.yaml": "db:\n  password: pw\n  user: app\nhosts: [a]\n"}
        ),
        ("Secret", "t"): secret(token="tok", extra="x,api.key=k"),
        ("ConfigMap", "c"): cm(**{"values.yaml": "db:\n  user: admin\n"}),
    }
    refs = [
        ref("Secret", "s"),
        ref("ConfigMap", "c"),
        ref("Secret", "t", values_key="token", target_path="tokens[1]"),
        ref("Secret", "t", values_key="extra", target_path="extra"),
    ]
    got = compose(refs, {"image": "nginx"}, objects)
    assert got.values == {
        "db": {"password": "pw", "user": "admin"},
        "hosts": ["a"],
        "tokens": [None, "tok"],
        "extra": "x",
        "api": {"key": "k"},
        "image": "nginx",
    }
    assert got.secret_paths == {
        ("db", "password"),
        ("hosts",),
        ("tokens", 1),
        ("extra",),
        ("api", "key"),
    }
    assert got.masked() == {
        "db": {"password": "***", "user": "admin"},
        "hosts": "***",
        "tokens": [None, "***"],
        "extra": "***",
        "api": {"key": "***"},
        "image": "nginx",
    }
    assert got.values["db"]["password"] == "pw"  # masked() copies
    assert got.is_secret(("db", "password"))
    assert got.is_secret(("db",))  # a row holding the whole map must be masked
    assert got.is_secret(("tokens",))
    assert not got.is_secret(("db", "user"))
    assert not got.is_secret(("image",))


def test_secret_value_overridden_by_inline_is_not_secret() -> None:
    objects = {("Secret", "s"): secret(**{"values.yaml": "a: hidden\nb: hidden\n"})}
    got = compose([ref("Secret", "s")], {"a": "public"}, objects)
    assert got.secret_paths == {("b",)}
    assert got.masked() == {"a": "public", "b": "***"}


# --- nulls --------------------------------------------------------------------------------------


def test_inline_nulls_are_dropped_as_apply_does_unless_asked() -> None:
    inline = {"a": None, "b": {"c": None, "d": 1}, "l": [None, 1]}
    assert compose([], inline, {}).values == {"b": {"d": 1}, "l": [None, 1]}
    kept = compose([], inline, {}, strip_inline_nulls=False).values
    assert kept == {"a": None, "b": {"c": None, "d": 1}, "l": [None, 1]}


def test_nulls_from_references_are_kept_and_override() -> None:
    objects = {
        ("ConfigMap", "a"): cm(
            **{"values.yaml": "resources:\n  limits:\n    cpu: 1\n    memory: 1Gi\n"}
        ),
        ("ConfigMap", "b"): cm(**{"values.yaml": "resources:\n  limits:\n    cpu: null\n"}),
        ("ConfigMap", "c"): cm(v="null"),
    }
    refs = [
        ref("ConfigMap", "a"),
        ref("ConfigMap", "b"),
        ref("ConfigMap", "c", values_key="v", target_path="x"),
    ]
    got = compose(refs, None, objects)
    assert got.values == {"resources": {"limits": {"cpu": None, "memory": "1Gi"}}, "x": None}
    assert remove_nulls(got.values) == {"resources": {"limits": {"memory": "1Gi"}}}


def test_remove_nulls_leaves_lists_alone_and_copies() -> None:
    values: dict[str, Any] = {"a": None, "b": {"c": None, "d": [None, {"e": None}]}}
    out = remove_nulls(values)
    assert out == {"b": {"d": [None, {"e": None}]}}
    out["b"]["d"].append(1)
    assert values["b"]["d"] == [None, {"e": None}]


def test_coalesce_values_like_helm() -> None:
    defaults = {
        "image": {"repository": "nginx", "tag": "1"},
        "resources": {"limits": {"cpu": 1, "memory": "1Gi"}},
        "podAnnotations": {},
        "replicas": 1,
        "service": "ClusterIP",
        "nullDefault": None,
    }
    user = {
        "replicas": None,  # chart defines it: deleted
        "unknown": None,  # chart does not: stays null
        "resources": {"limits": {"cpu": None}, "requests": {"x": None}},
        "podAnnotations": {"a": None},  # nested null under a map both define: deleted
        "service": {"type": "LoadBalancer"},  # map over scalar default: user value kept
        "image": "busybox",  # scalar over map default: user value kept
    }
    assert coalesce_values(user, defaults) == {
        "image": "busybox",
        "resources": {"limits": {"memory": "1Gi"}, "requests": {"x": None}},
        "podAnnotations": {},
        "service": {"type": "LoadBalancer"},
        "unknown": None,
        "nullDefault": None,
    }
    assert user["replicas"] is None  # inputs untouched


# --- Helm ReadValues (sigs.k8s.io/yaml, go-yaml v2) ---------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", {}),
        ("# only a comment\n", {}),
        ("~\n", {}),
        ("{}", {}),
        ("a: 1\n---\nb: 2\n", {"a": 1}),
        ("a: 1\n--- [not, a, map\n", {"a": 1}),  # only the first document is read
        ("a: [yes, no, on, off, y, n, Y, N, True, FALSE]", {"a": [True, False] * 5}),
        ("a: [yEs, TrUe]", {"a": ["yEs", "TrUe"]}),
        ("y: 1\nn: 2\non: 3\n", {"true": 3, "false": 2}),  # keys resolve too: y and on are one key
        (
            "1: a\ntrue: c\n0: d\nfalse: e\n",
            {"1": "a", "true": "c", "0": "d", "false": "e"},
        ),
        ("1.5: a\n", {"1.5": "a"}),
        (
            "mode: 0755\nhex: 0x1F\noct: 0o17\nbin: 0b101\nnb: -0b11\n",
            {"mode": 493, "hex": 31, "oct": 15, "bin": 5, "nb": -3},
        ),
        (
            "zip: 09\nx: 1_000\ne: 1e3\nf: .5\ng: +12\nh: 1.\n",
            {"zip": 9.0, "x": 1000, "e": 1000.0, "f": 0.5, "g": 12, "h": 1.0},
        ),
        (
            "big: 18446744073709551615\nbigger: 18446744073709551616\n",
            {"big": 18446744073709551615, "bigger": 1.8446744073709552e19},
        ),
        (
            "t: 1:30\nd: 2020-01-01\nts: 2001-12-14t21:59:43.10-05:00\n",
            {"t": "1:30", "d": "2020-01-01", "ts": "2001-12-14t21:59:43.10-05:00"},
        ),
        (
            "eq: =\ntilde: ~\nempty:\nnul: Null\n",
            {"eq": "=", "tilde": None, "empty": None, "nul": None},
        ),
        ("q: 'yes'\nb: !!binary aGk=\n", {"q": "yes", "b": "hi"}),
        (
            "base: &b {x: 1}\nmerged:\n  <<: *b\n  z: 2\n",
            {"base": {"x": 1}, "merged": {"x": 1, "z": 2}},
        ),
        ("dup: 1\ndup: 2\n", {"dup": 2}),
    ],
)
def test_read_values_resolves_like_go_yaml_v2(text: str, expected: dict[str, Any]) -> None:
    assert read_values(text) == expected


@pytest.mark.parametrize(
    "text", ["- a\n", "just a string", "a: .inf\n", "a: [\n", "? [a]\n: b\n", "~: x\n"]
)
def test_read_values_rejects_non_maps_and_bad_yaml(text: str) -> None:
    with pytest.raises(ValueError):
        read_values(text)


def test_inline_values_are_normalised_like_json() -> None:
    import datetime

    # keys that are not strings, as YAML can give them: the test is that they are normalised
    inline: dict[Any, Any] = {1: "a", False: {"d": datetime.date(2020, 1, 2)}, "t": ("x", "y")}
    got = compose([], inline, {})
    assert got.values == {"1": "a", "false": {"d": "2020-01-02"}, "t": ["x", "y"]}
