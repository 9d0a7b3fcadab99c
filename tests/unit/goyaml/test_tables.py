"""fluxops.goyaml without Go: the scalar tables, Go's strconv, timestamps (the fidelity tier
checks all of them against Go itself, tests/fidelity/test_go_scalar_tables.py)."""

from __future__ import annotations

import math
from collections.abc import Callable

import pytest

from fluxops.goyaml.resolve import (
    BOOL,
    FLOAT,
    INT,
    NULL,
    STR,
    TIMESTAMP,
    is_ambiguous,
    pyyaml_tag,
    resolve_go,
)
from fluxops.goyaml.strconv import (
    RANGE,
    SYNTAX,
    NumError,
    atoi,
    format_float32_g,
    go_quote,
    parse_float,
    parse_int,
    parse_uint,
)
from fluxops.goyaml.timestamp import is_timestamp

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("text", "v2", "v3"),
    [
        ("y", (BOOL, True), (STR, "y")),
        ("Off", (BOOL, False), (STR, "Off")),
        ("TRUE", (BOOL, True), (BOOL, True)),
        ("~", (NULL, None), (NULL, None)),
        ("", (NULL, None), (NULL, None)),
        ("3e91", (FLOAT, 3e91), (FLOAT, 3e91)),
        ("0380", (FLOAT, 380.0), (FLOAT, 380.0)),
        ("0377", (INT, 255), (INT, 255)),
        ("0o17", (INT, 15), (INT, 15)),
        ("-0b11", (INT, -3), (INT, -3)),
        ("1_000", (INT, 1000), (INT, 1000)),
        ("4416e21", (FLOAT, 4.416e24), (FLOAT, 4.416e24)),
        ("9223372036854775808", (INT, 2**63), (INT, 2**63)),
        ("1e400", (STR, "1e400"), (STR, "1e400")),
        (".5_5", (FLOAT, 0.55), (FLOAT, 0.55)),
        ("._5", (STR, "._5"), (STR, "._5")),
        ("2001-1-2", (TIMESTAMP, "2001-1-2"), (TIMESTAMP, "2001-1-2")),
        ("2001-2-29", (STR, "2001-2-29"), (STR, "2001-2-29")),
        ("<<", (STR, "<<"), (STR, "<<")),
        ("4416e2x", (STR, "4416e2x"), (STR, "4416e2x")),
    ],
)
def test_go_resolution(text: str, v2: tuple[str, object], v3: tuple[str, object]) -> None:
    assert resolve_go(text, yaml11=True) == v2
    assert resolve_go(text, yaml11=False) == v3


def test_special_floats() -> None:
    assert resolve_go("-.Inf") == (FLOAT, -math.inf)
    tag, value = resolve_go(".NaN")
    assert tag == FLOAT and math.isnan(value)


@pytest.mark.parametrize(
    "text",
    ["y", "n", "Y", "N", "3e91", "0380", "1e3", "0.5e3", "0o17", "4416e21", "~", "null", "",
     "yes", "=", "<<", "1:30", "0:30", "2001-1-2", "2001-12-14", ".5", "+1"],
)  # fmt: skip
def test_ambiguous_strings(text: str) -> None:
    assert is_ambiguous(text)


@pytest.mark.parametrize("text", ["abc", "nginx", "v1.2.3", "4416e2x", "-", "1.2.3", "é", "a: b"])
def test_plain_strings(text: str) -> None:
    assert not is_ambiguous(text)


def test_pyyaml_table_is_pyyaml_s_own() -> None:
    assert pyyaml_tag("1:30") == "tag:yaml.org,2002:int"
    assert pyyaml_tag("1e3") == "tag:yaml.org,2002:str"  # PyYAML floats need a dot
    assert pyyaml_tag("y") == "tag:yaml.org,2002:str"  # PyYAML has no y/n booleans


@pytest.mark.parametrize(
    ("call", "err"),
    [
        (lambda: atoi("99999999999999999999x"), RANGE),  # range before syntax, as Go scans
        (lambda: atoi("1_0"), SYNTAX),
        (lambda: atoi("+"), SYNTAX),
        (lambda: parse_int("-9223372036854775809"), RANGE),
        (lambda: parse_uint("0x"), SYNTAX),
        (lambda: parse_uint("_1", 0), SYNTAX),
        (lambda: parse_float("1e400"), RANGE),
        (lambda: parse_float("1__0"), SYNTAX),
        (lambda: parse_float("infx"), SYNTAX),
    ],
)
def test_strconv_errors(call: Callable[[], object], err: str) -> None:
    with pytest.raises(NumError) as info:
        call()
    assert info.value.err == err


def test_strconv_values() -> None:
    assert atoi("-05") == -5 and atoi("+7") == 7
    assert parse_int("0x1F") == 31 and parse_int("-0o17") == -15 and parse_int("017") == 15
    assert parse_uint("18446744073709551615") == 2**64 - 1
    assert parse_float("1_000.5") == 1000.5 and parse_float("0x1p-2") == 0.25
    assert parse_float("-Infinity") == -math.inf and math.isnan(parse_float("nan"))
    assert str(NumError("Atoi", "x\n", SYNTAX)) == 'strconv.Atoi: parsing "x\\n": invalid syntax'
    assert go_quote("a\u200bé") == '"a\\u200bé"'


@pytest.mark.parametrize(
    ("value", "text"),
    [(1000.0, "1000"), (1e6, "1e+06"), (123456789.0, "1.2345679e+08"), (0.1, "0.1"),
     (1e-5, "1e-05"), (3e91, "+Inf"), (-2.5e-10, "-2.5e-10"), (16777216.0, "1.6777216e+07")],
)  # fmt: skip
def test_float32_formatting(value: float, text: str) -> None:
    assert format_float32_g(value) == text


@pytest.mark.parametrize(
    ("text", "expected"),
    [("0000-1-1", True), ("2000-2-29", True), ("2001-2-29", False),
     ("2001-12-14t21:59:43.10-05:00", True), ("2001-12-14 21:59:43.10 -5", False),
     ("2001-1-2   1:2:3,5", True), ("2001-1-2T1:2:3Z", True), ("2001-1-2T1:2:3", False),
     ("2001-13-1", False), ("12345-1-1", False), ("2001-1-2x", False)],
)  # fmt: skip
def test_timestamps(text: str, expected: bool) -> None:
    assert is_timestamp(text) is expected
