"""Quantities, label selectors, JSON pointers and Flux's drift-ignore rules."""

from __future__ import annotations

import pytest

from fluxops.drift.ignore import (
    EXCLUSIONS,
    get_pointer,
    ignored_paths,
    matching_marker,
    parse_ignore_rules,
    remove_pointer,
    without_paths,
)
from fluxops.model.kube.quantity import parse_quantity, quantities_equal
from fluxops.model.kube.selector import SelectorError, parse_selector

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("1000m", "1"),
        ("1024Mi", "1Gi"),
        ("1Gi", 1073741824),
        ("0.5", "500m"),
        ("1e3", "1k"),
        ("1.5Gi", "1536Mi"),
        ("100m", "0.1"),
        (2, "2"),
        ("+1", "1"),
        (".5", "500m"),
        ("1E-3", "1m"),
    ],
)
def test_equal_quantities(a: object, b: object) -> None:
    assert quantities_equal(a, b)


@pytest.mark.parametrize(("a", "b"), [("1", "2"), ("1Gi", "1G"), ("1Ki", "1k"), ("abc", "abc")])
def test_different_or_invalid_quantities(a: str, b: str) -> None:
    assert not quantities_equal(a, b)


def test_parse_quantity_rejects_non_quantities() -> None:
    assert parse_quantity("12 Mi") is None
    assert parse_quantity(True) is None
    assert parse_quantity(None) is None
    assert parse_quantity("") is None


@pytest.mark.parametrize(
    ("expr", "labels", "matches"),
    [
        ("", {}, True),
        ("app=web", {"app": "web"}, True),
        ("app==web", {"app": "db"}, False),
        ("app!=web", {}, True),
        ("app!=web", {"app": "web"}, False),
        ("env in (a, b)", {"env": "b"}, True),
        ("env notin (a,b)", {"env": "c"}, True),
        ("env notin (a,b)", {}, True),
        ("legacy", {"legacy": ""}, True),
        ("!legacy", {"legacy": "x"}, False),
        ("app=web,!legacy,tier in (fe)", {"app": "web", "tier": "fe"}, True),
        ("count>3", {"count": "4"}, True),
        ("count<3", {"count": "4"}, False),
        ("key=", {"key": ""}, True),
    ],
)
def test_label_selectors(expr: str, labels: dict[str, str], matches: bool) -> None:
    assert parse_selector(expr).matches(labels) is matches


@pytest.mark.parametrize("expr", ["app in a", "=x", "a b", "x in (a", "n > x"])
def test_bad_selectors(expr: str) -> None:
    with pytest.raises(SelectorError):
        parse_selector(expr)


def test_pointers_escape_and_missing_paths() -> None:
    obj = {"metadata": {"annotations": {"a/b": "1", "c~d": "2"}}, "spec": {"l": [1, 2, 3]}}
    assert get_pointer(obj, "/metadata/annotations/a~1b") == (True, "1")
    remove_pointer(obj, "/metadata/annotations/c~0d")
    remove_pointer(obj, "/spec/l/-1")
    remove_pointer(obj, "/does/not/exist")
    remove_pointer(obj, "/spec/l/9")
    assert obj == {"metadata": {"annotations": {"a/b": "1"}}, "spec": {"l": [1, 2]}}


def test_ignore_rules_target_regexes_and_selectors() -> None:
    rules = parse_ignore_rules(
        [
            {"paths": ["/spec/replicas"], "target": {"kind": "Deploy.*", "name": "web"}},
            {"paths": ["/data/x"], "target": {"labelSelector": "team=a"}},
            {"paths": ["/metadata/annotations/note"]},
        ]
    )
    deploy = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"}}
    other = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web2"}}
    cm = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "c", "labels": {"team": "a"}},
    }
    assert ignored_paths(rules, deploy) == ["/spec/replicas", "/metadata/annotations/note"]
    assert ignored_paths(rules, other) == ["/metadata/annotations/note"]  # regex is anchored
    assert ignored_paths(rules, cm) == ["/data/x", "/metadata/annotations/note"]
    stripped = without_paths({"spec": {"replicas": 3, "x": 1}}, ["/spec/replicas"])
    assert stripped == {"spec": {"x": 1}}


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ({"paths": ["spec/replicas"]}, "not a JSON pointer"),
        ({"paths": ["/a"], "target": {"name": "web("}}, "invalid regular expression"),
        ({"paths": ["/a"], "target": {"labelSelector": "a in b"}}, "labelSelector"),
    ],
)
def test_bad_ignore_rules(rule: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_ignore_rules([rule])


def test_exclusion_markers_case_insensitive_labels_or_annotations() -> None:
    obj = {"metadata": {"annotations": {"kustomize.toolkit.fluxcd.io/ssa": "IGNORE"}}}
    assert matching_marker(obj, EXCLUSIONS) == "kustomize.toolkit.fluxcd.io/ssa: IGNORE"
    labelled = {"metadata": {"labels": {"kustomize.toolkit.fluxcd.io/reconcile": "Disabled"}}}
    assert matching_marker(labelled, EXCLUSIONS)
    assert (
        matching_marker(
            {"metadata": {"labels": {"kustomize.toolkit.fluxcd.io/ssa": ""}}}, EXCLUSIONS
        )
        is None
    )
    assert matching_marker(None, EXCLUSIONS) is None


def test_integer_ratios_agree_with_fractions() -> None:
    import itertools
    import random
    import re
    from fractions import Fraction

    from fluxops.model.kube.quantity import _ratio

    rng = random.Random(19)
    numbers = ["0", "1", "+2", "-3", "1.5", ".25", "10.", "0.001", "1536", "-0.5"]
    suffixes = ["", "m", "k", "M", "Ki", "Mi", "Gi", "n", "u", "e3", "E-2", "e0"]
    texts = [n + s for n, s in itertools.product(numbers, suffixes)]
    texts += [str(rng.randint(0, 10**6)) + rng.choice(suffixes) for _ in range(200)]
    binary = {"Ki": 1, "Mi": 2, "Gi": 3}
    decimal = {"n": -9, "u": -6, "m": -3, "": 0, "k": 3, "M": 6}

    def reference(text: str) -> Fraction:
        """The quantity as Fraction reads its number (independent of fluxops's parser)."""
        match = re.fullmatch(r"([+-]?[0-9.]+)(.*)", text)
        assert match is not None, text
        number, suffix = match.groups()
        if suffix in binary:
            return Fraction(number) * int(1024 ** binary[suffix])
        exponent = decimal[suffix] if suffix in decimal else int(suffix[1:])
        scale = Fraction(int(10**exponent)) if exponent >= 0 else Fraction(1, int(10**-exponent))
        return Fraction(number) * scale

    for text in texts:
        ratio = _ratio(text)
        expected = reference(text)
        assert ratio is not None and parse_quantity(text) == expected, text
        assert Fraction(*ratio) == expected, text
    for a, b in itertools.islice(itertools.permutations(texts, 2), 0, None, 37):
        assert quantities_equal(a, b) == (parse_quantity(a) == parse_quantity(b)), (a, b)
    assert _ratio("1e99999") is None and not quantities_equal("1e99999", "1e99999 ")
