"""Narrowing, paging and the size limit of MCP responses (`fluxops.mcp.fit`)."""

from __future__ import annotations

import json

import pytest

from fluxops.mcp.fit import Narrow, fit, summary_line

pytestmark = pytest.mark.unit


def items(n: int, size: int = 10) -> list[dict[str, str]]:
    return [
        {"namespace": f"ns{i % 2}", "name": f"n{i}", "kind": "HelmRelease", "pad": "x" * size}
        for i in range(n)
    ]


def test_nothing_cut_when_it_fits() -> None:
    data = {"summary": {"exitCode": 0}, "releases": items(3), "note": "kept"}
    out = fit(data)
    assert out["releases"] == data["releases"] and out["note"] == "kept"
    assert out["page"]["truncated"] is False
    assert out["page"]["lists"]["releases"] == {
        "total": 3,
        "offset": 0,
        "returned": 3,
        "nextOffset": None,
    }


def test_offset_and_limit_page_every_list() -> None:
    out = fit({"a": items(5), "b": items(1)}, offset=1, limit=2)
    assert [i["name"] for i in out["a"]] == ["n1", "n2"]
    assert out["b"] == []
    assert out["page"]["lists"]["a"]["nextOffset"] == 3
    assert out["page"]["truncated"] is True
    assert "offset=nextOffset" in out["page"]["hint"]


def test_the_size_limit_keeps_the_longest_prefix_that_fits_and_says_so() -> None:
    data = {"big": items(200, 200), "small": items(2)}
    out = fit(data, max_bytes=5000)
    size = len(json.dumps(out, separators=(",", ":")).encode())
    assert size <= 5000
    assert out["page"]["bytes"] >= size
    assert 0 < len(out["big"]) < 200 and len(out["small"]) == 2
    one_item = len(json.dumps(data["big"][0], separators=(",", ":")))
    assert size > 5000 - 2 * one_item - 100, "the cut left much more room than one item"
    assert out["page"]["lists"]["big"]["nextOffset"] == len(out["big"])
    assert "maxBytes" in out["page"]["hint"]
    assert "big" in summary_line("x", out) and "Truncated" in summary_line("x", out)


def test_one_item_larger_than_the_limit_is_left_out_explicitly() -> None:
    out = fit({"big": items(1, 10_000)}, max_bytes=2000)
    assert out["big"] == []
    assert out["page"]["truncated"] is True
    assert out["page"]["lists"]["big"]["nextOffset"] == 0


def test_narrowing_reads_the_fields_an_item_has() -> None:
    data = {
        "helmReleases": items(4),
        "kustomizations": [
            {"namespace": "flux-system", "name": "apps", "path": "./apps"},
            {"namespace": "flux-system", "name": "infra", "path": "./infra"},
        ],
        "objects": [
            {"kustomization": "flux-system/apps", "kind": "Deployment", "namespace": "ns0"},
            {"kustomization": "flux-system/infra", "kind": "Deployment", "namespace": "ns0"},
        ],
    }
    out = fit(data, narrow=Narrow(namespace="ns0"))
    assert [h["name"] for h in out["helmReleases"]] == ["n0", "n2"]
    assert out["kustomizations"] == []
    out = fit(data, narrow=Narrow(ks="flux-system/apps", kind="deployment"))
    assert [k["name"] for k in out["kustomizations"]] == ["apps"]
    assert [o["kustomization"] for o in out["objects"]] == ["flux-system/apps"]
    assert out["helmReleases"] == []
