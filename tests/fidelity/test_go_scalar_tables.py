"""fluxops.goyaml's scalar tables against Go itself: generated plain (unquoted) scalars, as
keys and values, decoded by Go (tests/tools/goyamldecode) and by fluxops's reader.

- sigs.k8s.io/yaml (go-yaml v2; what kustomize-controller and kubectl decode) must give what
  `fluxops.goyaml.load` gives: same types, same values, same JSON keys (float keys as Go
  formats a float32);
- kyaml (go-yaml v3) must agree with `resolve_go(..., yaml11=False)` on every value's type.
"""

from __future__ import annotations

import math
import re
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fluxops.goyaml import load
from fluxops.goyaml.resolve import BOOL, FLOAT, INT, NULL, STR, TIMESTAMP, resolve_go
from tests.gotools import GoDecodeError, GoDecoder, first_difference

from .test_go_reads_output import DATES, NUMBERS, SHAS, WORDS

pytestmark = pytest.mark.fidelity

#: Characters that keep a scalar plain and on one line, where it is a value or a key.
_PLAIN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._+\-:~<=/]*|[.+~<=][A-Za-z0-9._+\-:~<=/]*")


def _plain(text: str) -> bool:
    return bool(_PLAIN.fullmatch(text)) and ": " not in text and not text.endswith(":")


SCALARS = st.one_of(NUMBERS, WORDS, SHAS, DATES).filter(_plain)


def _python(text: str) -> tuple[bool, Any]:
    try:
        return True, load(text)
    except yaml.YAMLError:  # JSONConversionError among them
        return False, None


@settings(
    max_examples=200,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(pairs=st.lists(st.tuples(SCALARS, SCALARS), min_size=1, max_size=24))
def test_plain_scalars_resolve_as_go_resolves_them(
    pairs: list[tuple[str, str]], go_decoder: GoDecoder
) -> None:
    values = "".join(f"v{i}: {v}\n" for i, (_, v) in enumerate(pairs))
    # keys that become one JSON key (`0.0` and `0`) make Go's result depend on map order
    unique: dict[str, str] = {}
    for k, _ in pairs:
        ok, decoded = _python(f"{k}: 0\n")
        if ok and isinstance(decoded, dict):
            unique.setdefault(next(iter(decoded)), k)
        else:  # a key fluxops refuses (null, out of range): Go must refuse it too
            with pytest.raises(GoDecodeError):
                go_decoder.decode(f"{k}: 0\n")
    keys = "".join(f"{k}: {i}\n" for i, k in enumerate(unique.values()))
    for text in (values, keys) if keys else (values,):
        try:
            go = go_decoder.decode(text)
        except GoDecodeError as exc:
            ok, ours = _python(text)
            # Go refuses only what JSON cannot carry (NaN, infinities, unusable keys)
            assert not ok, f"Go refuses, fluxops reads {ours!r}: {exc}\n{text}"
            continue
        ok, ours = _python(text)
        assert ok, f"fluxops refuses, Go reads {go!r}\n{text}"
        where = first_difference(go[0], ours)
        assert where is None, f"sigs.k8s.io/yaml: {where}\n{text}"
    try:
        kyaml = go_decoder.decode(values, kyaml=True)[0]
    except GoDecodeError:  # JSON cannot carry NaN or infinities
        assert any(
            isinstance(x := resolve_go(v, yaml11=False)[1], float) and not math.isfinite(x)
            for _, v in pairs
        )
        return
    for i, (_, v) in enumerate(pairs):
        tag, expected = resolve_go(v, yaml11=False)
        got = kyaml[f"v{i}"]
        if tag in (STR, TIMESTAMP):  # kyaml prints a time.Time in RFC 3339
            assert isinstance(got, str) and (tag == TIMESTAMP or got == v), (v, got)
        elif tag in (BOOL, NULL):
            assert got is expected, (v, got)
        else:
            assert tag in (INT, FLOAT) and isinstance(got, int | float), (v, got)
            if not math.isnan(expected):
                assert got == expected, (v, got)


@pytest.mark.parametrize(
    ("text", "value"),
    [("3e91", 3e91), ("0380", 380.0), ("y", True), ("N", False), ("1e3", 1000.0),
     ("0.5e3", 500.0), ("0o17", 15), ("4416e21", 4.416e24), ("~", None), ("0x_1F", 31),
     ("1_000", 1000), ("+.5", 0.5), (".5_5", 0.55), ("2001-1-2", "2001-1-2"), ("=", "="),
     ("9223372036854775808", 2**63), ("18446744073709551616", 1.8446744073709552e19)],
)  # fmt: skip
def test_known_values(text: str, value: Any, go_decoder: GoDecoder) -> None:
    doc = f"v: {text}\n"
    assert first_difference(go_decoder.decode(doc), [{"v": value}]) is None
    assert first_difference(load(doc), {"v": value}) is None
