"""`dump` writes common documents directly, without PyYAML's emitter: the bytes must be the
emitter's own, for every shape it takes on (and the rest is left to the emitter)."""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from fluxops.goyaml import writer
from fluxops.goyaml.writer import dump
from tests.conftest import fixture_repos

pytestmark = pytest.mark.unit


def emitted(value: Any) -> str:
    """What PyYAML's emitter writes with the writer's own settings."""
    return yaml.dump(
        value,
        Dumper=writer._Dumper,
        default_flow_style=False,
        sort_keys=False,
        allow_unicode=True,
        width=1 << 16,
    )


def direct(value: Any) -> bool:
    try:
        writer._mapping(value, 0, [], set(), first_pad=True)
    except writer._Slow:
        return False
    return True


_SHARED = {"a": [1, 2]}  # one object twice: PyYAML writes an anchor and aliases
CASES: list[dict[Any, Any]] = [
    {"a": 1, "b": None, "c": True, "d": False, "e": "x y", "f": "", "g": "123", "h": -4},
    {"m": {"q": [1, "a", {"i": "j", "k": ["l"]}, {}, []], "o": {}}, "p": []},
    {"data": {"s1": "line1\n\nline3\n", "s2": "no newline\nend", "s3": "a\n  indented\n"}},
    {"l": [{"a": {"b": 1}, "c": [{"d": "e"}]}, "x", {"lit": "a\nb\n"}, "a\nb"]},
    {"l": ["${APP}", "http://x:80/y", "a: b", "-x", "x-", "a #b", "a#b", "~", "null", "yes"]},
    {"l": ["0o17", "1e3", "0380", "3e91", "y", "on", "<<", "=", "a:", ":a", "?x", "é", " x"]},
    {"s": ["trailing \nspace", "\nleading", "two\n\n", " lead\nx", "tab\tin\n", "x\r\ny"]},
    {"k" * 130: 1},
    {"nested": [[1, 2]], "float": 1.5},
    {1: "int key", "yes": "ambiguous key", "a b": "spaced key", "a: b": "colon key"},
    {"l": ["*", "[a]", "#x", "a:", "it's", "-x", ":a", "?x", " lead", "trail ", "0\n\t0"]},
    {"shared": _SHARED, "again": _SHARED, "in": [_SHARED]},
    # `...` first: a document end marker at the start of a line, never plain
    {"...": None, "... x": "...", "...a": ["...", "... b"], "a...": "b..."},
]


@pytest.mark.parametrize("value", CASES)
def test_same_bytes_as_the_emitter(value: dict[Any, Any]) -> None:
    assert dump(value) == emitted(value)


def test_the_common_shapes_take_the_direct_path() -> None:
    assert direct(CASES[0]) and direct(CASES[1]) and direct(CASES[2]) and direct(CASES[3])
    assert not direct(CASES[6]) and not direct(CASES[7]) and not direct(CASES[8])
    assert not direct(CASES[-1])


_TEXT = st.text(alphabet=st.sampled_from(list("ab yz:#-'\"\\\n\t$%{}[],.0189eE~é")), max_size=12)
_SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-(10**6), 10**6), _TEXT)
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(_TEXT, inner, max_size=4)),
    max_leaves=20,
)


@settings(max_examples=400, deadline=None)
@given(st.dictionaries(_TEXT, _VALUES, min_size=1, max_size=5))
def test_same_bytes_on_generated_documents(value: dict[str, Any]) -> None:
    assert dump(value) == emitted(value)


def test_same_bytes_on_the_shared_repos() -> None:
    """Every document of the shared repos' YAML files (skipped where they are not here)."""
    from fluxops.loader.repo import load_repo

    repos = fixture_repos()
    if not repos:
        pytest.skip("the shared fixture repos are not here")
    checked = 0
    for repo in repos:
        for resource in load_repo(repo).resources:
            assert dump(resource.raw) == emitted(resource.raw), resource.id
            checked += 1
    assert checked > 1000
