"""The recursive values diff, the across-environments table and Helm-style paths."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from fluxops.helmvalues.strvals import parse, parse_path
from fluxops.helmvalues.valuediff import (
    MISSING,
    Change,
    Row,
    diff_across,
    diff_values,
    render_path,
    values_equal,
)

pytestmark = pytest.mark.unit


def test_no_changes_for_equal_values() -> None:
    values = {"a": {"b": [1, {"c": 2}]}, "d": None}
    assert list(diff_values(values, copy.deepcopy(values))) == []


def test_changes_sorted_by_path() -> None:
    a = {"z": 1, "image": {"tag": "1", "repo": "x"}, "gone": {"deep": 1}, "same": "s"}
    b = {"z": 2, "image": {"tag": "2", "repo": "x", "pull": "Always"}, "same": "s", "new": [1]}
    assert list(diff_values(a, b)) == [
        Change("remove", ("gone",), {"deep": 1}, MISSING),
        Change("add", ("image", "pull"), MISSING, "Always"),
        Change("change", ("image", "tag"), "1", "2"),
        Change("add", ("new",), MISSING, [1]),
        Change("change", ("z",), 1, 2),
    ]


def test_lists_are_atomic() -> None:
    a = {"l": [{"name": "a", "v": 1}, {"name": "b"}]}
    b = {"l": [{"name": "a", "v": 2}, {"name": "b"}]}
    assert list(diff_values(a, b)) == [Change("change", ("l",), a["l"], b["l"])]


def test_type_changes_between_map_and_scalar() -> None:
    assert list(diff_values({"a": {"b": 1}}, {"a": "x"})) == [
        Change("change", ("a",), {"b": 1}, "x")
    ]
    assert list(diff_values({"a": None}, {"a": {}})) == [Change("change", ("a",), None, {})]


@pytest.mark.parametrize(
    ("a", "b", "equal"),
    [
        (1, 1.0, True),
        (True, 1, False),
        (False, 0, False),
        ("1", 1, False),
        (None, None, True),
        (None, "", False),
        ([1, True], [1.0, True], True),
        ([1, True], [1, 1], False),
        ({"a": [True]}, {"a": [1]}, False),
        ({"a": 1}, {"a": 1, "b": None}, False),
    ],
)
def test_values_equal_is_strict_about_types(a: Any, b: Any, equal: bool) -> None:
    assert values_equal(a, b) is equal
    assert (list(diff_values({"k": a}, {"k": b})) == []) is equal


def test_diff_of_non_map_roots() -> None:
    assert list(diff_values([1], [2])) == [Change("change", (), [1], [2])]


def test_missing_is_a_falsy_singleton() -> None:
    assert not MISSING
    assert copy.deepcopy(MISSING) is MISSING
    assert repr(MISSING) == "MISSING"


ENVS = {
    "dev": {"replicas": 1, "image": {"tag": "dev", "repo": "r"}, "debug": True, "hosts": ["d"]},
    "staging": {"replicas": 2, "image": {"tag": "1.0", "repo": "r"}, "hosts": ["s"]},
    "prod": {"replicas": 3, "image": {"tag": "1.0", "repo": "r"}, "hosts": ["p", "q"], "hpa": {}},
}


def test_diff_across_lists_only_differing_paths() -> None:
    rows = diff_across(ENVS)
    assert [r.path for r in rows] == [
        ("debug",),
        ("hosts",),
        ("hpa",),
        ("image", "tag"),
        ("replicas",),
    ]
    assert rows[0].values == {"dev": True, "staging": MISSING, "prod": MISSING}
    assert rows[3].values == {"dev": "dev", "staging": "1.0", "prod": "1.0"}
    assert list(rows[0].values) == ["dev", "staging", "prod"]  # the order given
    assert all(r.differs for r in rows)


def test_diff_across_with_equal_paths() -> None:
    rows = diff_across(ENVS, include_equal=True)
    paths = [r.path for r in rows]
    assert ("image", "repo") in paths
    repo = rows[paths.index(("image", "repo"))]
    assert repo == Row(("image", "repo"), {"dev": "r", "staging": "r", "prod": "r"})
    assert not repo.differs


def test_diff_across_walks_maps_missing_elsewhere_and_stops_at_type_changes() -> None:
    envs = {
        "a": {"res": {"limits": {"cpu": 1}}, "svc": "ClusterIP"},
        "b": {"svc": {"type": "LoadBalancer"}},
    }
    rows = diff_across(envs)
    assert rows == [
        Row(("res", "limits", "cpu"), {"a": 1, "b": MISSING}),
        Row(("svc",), {"a": "ClusterIP", "b": {"type": "LoadBalancer"}}),
    ]


def test_diff_across_edge_cases() -> None:
    assert diff_across({}) == []
    assert diff_across({"only": {"a": 1}}) == []
    assert diff_across({"only": {"a": 1}}, include_equal=True) == [Row(("a",), {"only": 1})]
    assert diff_across({"x": {"a": 1, "b": True}, "y": {"a": 1.0, "b": 1}}) == [
        Row(("b",), {"x": True, "y": 1})
    ]
    assert diff_across({"x": {"e": {}}, "y": {}}) == [Row(("e",), {"x": {}, "y": MISSING})]


@pytest.mark.parametrize(
    ("path", "text"),
    [
        (("a",), "a"),
        (("a", "b.c", 0), "a.b\\.c[0]"),
        (("list", 0, 1, "x"), "list[0][1].x"),
        (
            ("ingress", "annotations", "nginx.ingress.kubernetes.io/rewrite-target"),
            "ingress.annotations.nginx\\.ingress\\.kubernetes\\.io/rewrite-target",
        ),
        (("k", "a,b=c[d]\\e"), "k.a\\,b\\=c\\[d]\\\\e"),
        ((), ""),
    ],
)
def test_render_path(path: tuple[Any, ...], text: str) -> None:
    assert render_path(path) == text


@pytest.mark.parametrize(
    "path", [("a", "b.c", 0, "d"), ("x", "a,b=c[d]\\e"), ("ports", 2), ("k", "日本", "v w")]
)
def test_render_path_round_trips_through_helm_set_syntax(path: tuple[Any, ...]) -> None:
    text = render_path(path)
    assert parse_path(text) == path
    # And --set puts a value exactly there.
    node: Any = parse(f"{text}=v")
    for part in path:
        node = node[part]
    assert node == "v"
