"""The one writer and the Go-faithful reader of fluxops.goyaml, without Go."""

from __future__ import annotations

import pytest
import yaml

from fluxops.goyaml import JSONConversionError, dump, dump_all, load
from fluxops.helmvalues.strvals import Int64

pytestmark = pytest.mark.unit


def test_dump_keeps_key_order_and_block_strings() -> None:
    text = dump({"b": 1, "a": "x\ny\n", "l": [1]})
    assert text.index("b:") < text.index("a:")
    assert "a: |" in text
    assert "  - 1" in text


def test_dump_quotes_what_go_would_read_otherwise_keys_too() -> None:
    text = dump({"y": "y", "pci": "0380", "tag": "4416e21", "plain": "nginx", "n": 1})
    assert text.splitlines() == [
        '"y": "y"',
        'pci: "0380"',
        'tag: "4416e21"',
        "plain: nginx",
        '"n": 1',
    ]


def test_line_breaks_other_than_newline_are_escaped() -> None:
    text = dump({"a": "x\x85y", "b": "x\ny\u2028", "c": "x\ry"})
    assert "\\N" in text and "\\L" in text and "\\r" in text
    assert yaml.safe_load(text) == {"a": "x\x85y", "b": "x\ny\u2028", "c": "x\ry"}


def test_int_subclasses_are_plain_integers() -> None:
    assert dump({"a": Int64(5), "b": True}) == "a: 5\nb: true\n"


def test_dump_all_separates_documents() -> None:
    assert dump_all([{"a": 1}, {"b": 2}]) == "a: 1\n---\nb: 2\n"


def test_load_decodes_as_sigs_k8s_yaml() -> None:
    assert load("a: y\nb: 0380\nc: 1e-07\n1: x\n1.5: z\ntrue: t\nd: 2001-1-2\ne: =\n") == {
        "a": True,
        "b": 380.0,
        "c": 1e-07,
        "1": "x",
        "1.5": "z",
        "true": "t",
        "d": "2001-1-2",
        "e": "=",
    }


def test_load_explicit_tags_and_anchors() -> None:
    assert load("a: !!str 12\nb: !!int '12'\nc: !!float 1\nd: !custom x\n") == {
        "a": "12",
        "b": 12,
        "c": 1.0,
        "d": "x",
    }
    with pytest.raises(yaml.YAMLError, match="cannot decode"):
        load("a: !!int abc\n")
    assert load("a: &x 1\nb: *x\nc: &x 2\nd: *x\n") == {"a": 1, "b": 1, "c": 2, "d": 2}


def test_load_refuses_what_json_cannot_carry() -> None:
    with pytest.raises(JSONConversionError, match="unsupported value: NaN"):
        load("a: .nan\n")
    assert load(".nan: 1\n") == {".nan": 1}  # a key is fine: it becomes a string
    with pytest.raises(JSONConversionError, match="map key"):
        load("~: 1\n")


def test_load_reads_the_first_document_only() -> None:
    assert load("a: 1\n---\nb: [\n") == {"a": 1}
