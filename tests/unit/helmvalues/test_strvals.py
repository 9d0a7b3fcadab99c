"""Helm's strvals, case by case.

The tables copy helm/helm `pkg/strvals/parser_test.go` and `literal_parser_test.go`; the
"quirks" tables are behaviour read off `parser.go` (Helm v3.10+ / v4: MaxIndex, nesting limit,
`errors.Is(err, io.EOF)`), each traced through the Go code by hand.
"""

from __future__ import annotations

from typing import Any

import pytest

from fluxops.helmvalues.strvals import (
    MAX_INDEX,
    MAX_NESTED_NAME_LEVEL,
    StrvalsError,
    parse,
    parse_into,
    parse_literal,
    parse_literal_into,
    parse_path,
)

pytestmark = pytest.mark.unit

ERR = object()

# parser_test.go TestParseSet `tests` (Parse, i.e. --set).
PARSE_SET: list[tuple[str, Any]] = [
    ("name1=null,f=false,t=true", {"name1": None, "f": False, "t": True}),
    ("name1=value1", {"name1": "value1"}),
    ("name1=value1,name2=value2", {"name1": "value1", "name2": "value2"}),
    ("name1=value1,name2=value2,", {"name1": "value1", "name2": "value2"}),
    ("name1=value1,,,,name2=value2,", ERR),
    ("name1=,name2=value2", {"name1": "", "name2": "value2"}),
    ("leading_zeros=00009", {"leading_zeros": "00009"}),
    ("zero_int=0", {"zero_int": 0}),
    ("long_int=1234567890", {"long_int": 1234567890}),
    ("boolean=true", {"boolean": True}),
    ("is_null=null", {"is_null": None}),
    ("name1,name2=", ERR),
    ("name1,name2=value2", ERR),
    ("name1,name2=value2\\", ERR),
    ("name1,name2", ERR),
    ("name1=one\\,two,name2=three\\,four", {"name1": "one,two", "name2": "three,four"}),
    ("name1=one\\=two,name2=three\\=four", {"name1": "one=two", "name2": "three=four"}),
    (
        "name1=one two three,name2=three two one",
        {"name1": "one two three", "name2": "three two one"},
    ),
    ("outer.inner=value", {"outer": {"inner": "value"}}),
    ("outer.middle.inner=value", {"outer": {"middle": {"inner": "value"}}}),
    ("outer.inner1=value,outer.inner2=value2", {"outer": {"inner1": "value", "inner2": "value2"}}),
    (
        "outer.inner1=value,outer.middle.inner=value",
        {"outer": {"inner1": "value", "middle": {"inner": "value"}}},
    ),
    ("name1.name2", ERR),
    ("name1.name2,name1.name3", ERR),
    ("name1.name2=", {"name1": {"name2": ""}}),
    ("name1.=name2", ERR),
    ("name1.,name2", ERR),
    ("name1={value1,value2}", {"name1": ["value1", "value2"]}),
    (
        "name1={value1,value2},name2={value1,value2}",
        {"name1": ["value1", "value2"], "name2": ["value1", "value2"]},
    ),
    ("name1={1021,902}", {"name1": [1021, 902]}),
    ("name1.name2={value1,value2}", {"name1": {"name2": ["value1", "value2"]}}),
    ("name1={1021,902", ERR),
    ("list[0]=foo", {"list": ["foo"]}),
    ("list[0].foo=bar", {"list": [{"foo": "bar"}]}),
    ("list[0].foo=bar,list[0].hello=world", {"list": [{"foo": "bar", "hello": "world"}]}),
    ("list[0].foo=bar,list[-30].hello=world", ERR),
    ("list[0]=foo,list[1]=bar", {"list": ["foo", "bar"]}),
    ("list[0]=foo,list[1]=bar,", {"list": ["foo", "bar"]}),
    ("list[0]=foo,list[3]=bar", {"list": ["foo", None, None, "bar"]}),
    ("list[0]=foo,list[-20]=bar", ERR),
    ("illegal[0]name.foo=bar", ERR),
    ("noval[0]", {"noval": []}),
    ("noval[0]=", {"noval": [""]}),
    ("nested[0][0]=1", {"nested": [[1]]}),
    ("nested[1][1]=1", {"nested": [None, [None, 1]]}),
    (
        "name1.name2[0].foo=bar,name1.name2[1].foo=bar",
        {"name1": {"name2": [{"foo": "bar"}, {"foo": "bar"}]}},
    ),
    (
        "name1.name2[1].foo=bar,name1.name2[0].foo=bar",
        {"name1": {"name2": [{"foo": "bar"}, {"foo": "bar"}]}},
    ),
    ("name1.name2[1].foo=bar", {"name1": {"name2": [None, {"foo": "bar"}]}}),
    ("]={}].", ERR),
]

# parser_test.go TestParseSet `testsString` (ParseString, i.e. --set-string).
PARSE_SET_STRING: list[tuple[str, Any]] = [
    ("long_int_string=1234567890", {"long_int_string": "1234567890"}),
    ("boolean=true", {"boolean": "true"}),
    ("is_null=null", {"is_null": "null"}),
    ("zero=0", {"zero": "0"}),
]


@pytest.mark.parametrize(("expr", "expected"), PARSE_SET)
def test_parse_set_table(expr: str, expected: Any) -> None:
    if expected is ERR:
        with pytest.raises(StrvalsError):
            parse(expr)
    else:
        assert parse(expr) == expected


@pytest.mark.parametrize(("expr", "expected"), PARSE_SET_STRING)
def test_parse_set_string_table(expr: str, expected: Any) -> None:
    assert parse(expr, as_string=True) == expected


# parser_test.go TestParseInto (two inputs applied in turn to `got`).
PARSE_INTO: list[tuple[str, str, dict[str, Any], dict[str, Any]]] = [
    (
        "outer.inner1=value1,outer.inner3=value3,outer.inner4=4",
        "",
        {"outer": {"inner1": "overwrite", "inner2": "value2"}},
        {"outer": {"inner1": "value1", "inner2": "value2", "inner3": "value3", "inner4": 4}},
    ),
    (
        "listOuter[0][0].type=listValue",
        "listOuter[0][0].status=alive",
        {},
        {"listOuter": [[{"type": "listValue", "status": "alive"}]]},
    ),
    (
        "listOuter[0][0].type=listValue",
        "listOuter[1][0].status=alive",
        {},
        {"listOuter": [[{"type": "listValue"}], [{"status": "alive"}]]},
    ),
    (
        "listOuter[0][1][0].type=listValue",
        "listOuter[0][0][1].status=alive",
        {"listOuter": [[[{"exited": "old"}]]]},
        {"listOuter": [[[{"exited": "old"}, {"status": "alive"}], [{"type": "listValue"}]]]},
    ),
]


@pytest.mark.parametrize(("first", "second", "got", "expected"), PARSE_INTO)
def test_parse_into_table(
    first: str, second: str, got: dict[str, Any], expected: dict[str, Any]
) -> None:
    parse_into(first, got)
    if second:
        parse_into(second, got)
    assert got == expected


def test_parse_into_string_overwrites_and_keeps_strings() -> None:
    got: dict[str, Any] = {"outer": {"inner1": "overwrite", "inner2": "value2"}}
    parse_into("outer.inner1=1,outer.inner3=3", got, as_string=True)
    assert got == {"outer": {"inner1": "1", "inner2": "value2", "inner3": "3"}}


def test_nested_name_levels() -> None:
    assert parse("outer.middle.inner=value") == {"outer": {"middle": {"inner": "value"}}}
    deep = ".".join(f"name{i}" for i in range(1, MAX_NESTED_NAME_LEVEL + 3))
    with pytest.raises(StrvalsError) as err:
        parse(deep + "=value")
    assert err.value.message == (
        "value name nested level is greater than maximum supported nested level of 30"
    )
    # Exactly 30 dots is allowed.
    ok = ".".join(f"n{i}" for i in range(MAX_NESTED_NAME_LEVEL + 1))
    parse(ok + "=v")


# Behaviour read off parser.go, with Helm's exact messages.
QUIRKS: list[tuple[str, Any]] = [
    # typedVal: EqualFold, "0", base-10 int64 not starting with "0"; no floats.
    ("a=TRUE,b=fAlSe,c=Null", {"a": True, "b": False, "c": None}),
    ("a=-05", {"a": -5}),
    ("a=+7", {"a": 7}),
    ("a=-0", {"a": 0}),
    ("a=05", {"a": "05"}),
    ("a=1.5", {"a": "1.5"}),
    ("a=1e3", {"a": "1e3"}),
    ("a=1_000", {"a": "1_000"}),
    ("a=0x10", {"a": "0x10"}),
    ("a=9223372036854775807", {"a": 9223372036854775807}),
    ("a=9223372036854775808", {"a": "9223372036854775808"}),
    ("a=-9223372036854775808", {"a": -9223372036854775808}),
    ("a=-9223372036854775809", {"a": "-9223372036854775809"}),
    ("a=yes", {"a": "yes"}),
    ("a= 1", {"a": " 1"}),
    # Values: "=" is fine inside, "\" escapes, a trailing "\" is dropped.
    ("a=b=c", {"a": "b=c"}),
    ("a=x\\\\y", {"a": "x\\y"}),
    ("a=x\\", {"a": "x"}),
    ("a=", {"a": ""}),
    # Lists: "{}" is one empty string; text after "}" is the next key.
    ("a={}", {"a": [""]}),
    ("a={x\\,y,z}", {"a": ["x,y", "z"]}),
    ("a={1,true,null,05}", {"a": [1, True, None, "05"]}),
    ("a={x}c", StrvalsError('key "c" has no value')),
    ("a={x", StrvalsError("list must terminate with '}'")),
    # Keys: escapes, empty keys are skipped silently.
    ("a\\.b=1", {"a.b": 1}),
    ("a\\[0\\]=1", {"a[0]": 1}),
    ("=x", {}),
    (".a=1", {}),
    ("a", StrvalsError('key "a" has no value')),
    ("a,b=1", StrvalsError('key "a" has no value (cannot end with ,)')),
    ("a=1,,b=2", StrvalsError('key "" has no value (cannot end with ,)')),
    ("a.=x", StrvalsError('key map "a" has no value')),
    ('a"b', StrvalsError('key "a\\"b" has no value')),
    # Indexes: Atoi, limits, unterminated (EOF is wrapped, then taken as the end).
    ("a[1", {}),
    ("a[0][1", {"a": []}),
    ("a[x]=1", StrvalsError('error parsing index: strconv.Atoi: parsing "x": invalid syntax')),
    ("a[]=1", StrvalsError('error parsing index: strconv.Atoi: parsing "": invalid syntax')),
    ("a[+1]=1", {"a": [None, 1]}),
    ("a[-1]=1", StrvalsError("negative -1 index not allowed")),
    (
        "a[99999999999999999999]=1",
        StrvalsError(
            'error parsing index: strconv.Atoi: parsing "99999999999999999999": value out of range'
        ),
    ),
    (
        f"a[{MAX_INDEX + 1}]=1",
        StrvalsError("index of 65537 is greater than maximum supported index of 65536"),
    ),
    (
        f"a[{MAX_INDEX + 1}].b=1",
        StrvalsError("index of 65537 is greater than maximum supported index of 65536"),
    ),
    ("a[0]x=1", StrvalsError("unexpected data at end of array index: ['x']")),
    ("a[0]ab.c=1", StrvalsError("unexpected data at end of array index: ['a' 'b']")),
    ("a[0].=1", {"a": [{}]}),
    (
        "]={}].",
        StrvalsError(
            "unable to parse key: interface conversion: interface {} is []interface {}, "
            "not map[string]interface {}"
        ),
    ),
]


@pytest.mark.parametrize(("expr", "expected"), QUIRKS)
def test_quirks(expr: str, expected: Any) -> None:
    if isinstance(expected, StrvalsError):
        with pytest.raises(StrvalsError) as err:
            parse(expr)
        assert err.value.message == expected.message
    else:
        assert parse(expr) == expected


def test_largest_index_is_allowed() -> None:
    got = parse(f"a[{MAX_INDEX}]=x")
    assert len(got["a"]) == MAX_INDEX + 1
    assert got["a"][-1] == "x"


def test_set_string_keeps_lists_and_indexes() -> None:
    assert parse("a={1,true},b[1]=null", as_string=True) == {
        "a": ["1", "true"],
        "b": [None, "null"],
    }


@pytest.mark.parametrize(
    ("dest", "expr", "message"),
    [
        (
            {"a": "x"},
            "a.b=1",
            "unable to parse key: interface conversion: interface {} is string, "
            "not map[string]interface {}",
        ),
        (
            {"a": None},
            "a.b=1",
            "unable to parse key: interface conversion: interface {} is nil, "
            "not map[string]interface {}",
        ),
        (
            {"a": {"b": 1}},
            "a[0]=1",
            "unable to parse key: interface conversion: interface {} is "
            "map[string]interface {}, not []interface {}",
        ),
        (
            {"a": None},
            "a[0]=1",
            "unable to parse key: interface conversion: interface {} is nil, not []interface {}",
        ),
        (
            {"a": ["x"]},
            "a[0][0]=1",
            "unable to parse key: interface conversion: interface {} is string, not []interface {}",
        ),
    ],
)
def test_type_mismatch_in_dest_is_an_error(dest: dict[str, Any], expr: str, message: str) -> None:
    with pytest.raises(StrvalsError) as err:
        parse_into(expr, dest)
    assert err.value.message == message


def test_list_element_of_another_type_becomes_a_map() -> None:
    dest: dict[str, Any] = {"a": ["x", "y"]}
    parse_into("a[1].b=1", dest)
    assert dest == {"a": ["x", {"b": 1}]}


def test_writes_before_an_error_stay() -> None:
    dest: dict[str, Any] = {}
    with pytest.raises(StrvalsError):
        parse_into("a=1,b", dest)
    assert dest == {"a": 1}


def test_lists_are_assigned_in_place_but_copied_to_grow() -> None:
    shared = ["x", "y"]
    dest: dict[str, Any] = {"a": shared}
    parse_into("a[0]=z", dest)
    assert shared == ["z", "y"]
    assert dest["a"] is shared
    parse_into("a[3]=w", dest)
    assert shared == ["z", "y"]
    assert dest["a"] == ["z", "y", None, "w"]


def test_nested_maps_are_written_in_place() -> None:
    inner = {"x": 1}
    dest: dict[str, Any] = {"a": inner}
    parse_into("a.y=2", dest)
    assert inner == {"x": 1, "y": 2}


# literal_parser_test.go TestParseLiteral.
PARSE_LITERAL: list[tuple[str, Any]] = [
    ("name", ERR),
    ("name=", {"name": ""}),
    ("name=value", {"name": "value"}),
    ("long_int_string=1234567890", {"long_int_string": "1234567890"}),
    ("boolean=true", {"boolean": "true"}),
    ("is_null=null", {"is_null": "null"}),
    ("zero=0", {"zero": "0"}),
    ("name1=null,name2=value2", {"name1": "null,name2=value2"}),
    ("name1=value,,,tail", {"name1": "value,,,tail"}),
    ("leading_zeros=00009", {"leading_zeros": "00009"}),
    ("name=one two three", {"name": "one two three"}),
    ("outer.inner=value", {"outer": {"inner": "value"}}),
    ("outer.middle.inner=value", {"outer": {"middle": {"inner": "value"}}}),
    ("name1.name2", ERR),
    ("name1.name2=", {"name1": {"name2": ""}}),
    ("name1.=name2", ERR),
    ("name1.,name2", ERR),
    ("name1={value1,value2}", {"name1": "{value1,value2}"}),
    ("list[0]=foo", {"list": ["foo"]}),
    ("list[0].foo=bar", {"list": [{"foo": "bar"}]}),
    ("list[-30].hello=world", ERR),
    ("list[3]=bar", {"list": [None, None, None, "bar"]}),
    ("illegal[0]name.foo=bar", ERR),
    ("noval[0]", {"noval": []}),
    ("noval[0]=", {"noval": [""]}),
    ("nested[0][0]=1", {"nested": [["1"]]}),
    ("nested[1][1]=1", {"nested": [None, [None, "1"]]}),
    ("name1.name2[0].foo=bar", {"name1": {"name2": [{"foo": "bar"}]}}),
    ("name1.name2[1].foo=bar", {"name1": {"name2": [None, {"foo": "bar"}]}}),
    ("]={}].", {"]": "{}]."}),
    ("name=val,val", {"name": "val,val"}),
    ("name=val.val", {"name": "val.val"}),
    ("name=val=val", {"name": "val=val"}),
    ("name=val$val", {"name": "val$val"}),
    ("name=(value", {"name": "(value"}),
    ("name=value)", {"name": "value)"}),
    ("name=(value)", {"name": "(value)"}),
    ("name={value", {"name": "{value"}),
    ("name=value}", {"name": "value}"}),
    ("name={value}", {"name": "{value}"}),
    ("name={value1,value2}", {"name": "{value1,value2}"}),
    ("name=val\\val", {"name": "val\\val"}),
    ("name=val\\\\val", {"name": "val\\\\val"}),
    ("name=val\\\\\\val", {"name": "val\\\\\\val"}),
    ("name={val,.?*v\\0a!l)some", {"name": "{val,.?*v\\0a!l)some"}),
    (
        "name=em%GT)tqUDqz,i-\\h+Mbqs-!:.m\\\\rE=mkbM#rR}@{-k@",
        {"name": "em%GT)tqUDqz,i-\\h+Mbqs-!:.m\\\\rE=mkbM#rR}@{-k@"},
    ),
]


@pytest.mark.parametrize(("expr", "expected"), PARSE_LITERAL)
def test_parse_literal_table(expr: str, expected: Any) -> None:
    if expected is ERR:
        with pytest.raises(StrvalsError):
            parse_literal(expr)
    else:
        assert parse_literal(expr) == expected


def test_parse_literal_into() -> None:
    got: dict[str, Any] = {"outer": {"inner1": "overwrite", "inner2": "value2"}}
    parse_literal_into("outer.inner1=value1,outer.inner3=value3,outer.inner4=4", got)
    assert got == {
        "outer": {"inner1": "value1,outer.inner3=value3,outer.inner4=4", "inner2": "value2"}
    }
    got = {"listOuter": [[[{"exited": "old"}]]]}
    parse_literal_into("listOuter[0][1][0].type=listValue", got)
    parse_literal_into("listOuter[0][0][1].status=alive", got)
    assert got == {
        "listOuter": [[[{"exited": "old"}, {"status": "alive"}], [{"type": "listValue"}]]]
    }


def test_literal_keys_have_no_escapes_or_commas() -> None:
    assert parse_literal("a\\.b=1") == {"a\\": {"b": "1"}}
    assert parse_literal("a,b=1") == {"a,b": "1"}
    with pytest.raises(StrvalsError) as err:
        parse_literal("name1.,name2")
    assert err.value.message == 'key ",name2" has no value'
    deep = ".".join(f"name{i}" for i in range(1, MAX_NESTED_NAME_LEVEL + 3))
    with pytest.raises(StrvalsError):
        parse_literal(deep + "=value")


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("a", ("a",)),
        ("a.b.c", ("a", "b", "c")),
        ("a\\.b.c", ("a.b", "c")),
        ("a[0]", ("a", 0)),
        ("a[0][2].b", ("a", 0, 2, "b")),
        (
            "ingress.annotations.nginx\\.ingress\\.kubernetes\\.io/rewrite",
            ("ingress", "annotations", "nginx.ingress.kubernetes.io/rewrite"),
        ),
    ],
)
def test_parse_path(path: str, expected: tuple[Any, ...]) -> None:
    assert parse_path(path) == expected


@pytest.mark.parametrize("path", ["a[1", "a[x]", "a[-1]", "a[0]b"])
def test_parse_path_errors(path: str) -> None:
    with pytest.raises(StrvalsError):
        parse_path(path)
