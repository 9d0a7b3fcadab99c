"""Reading Flux controller logs as `flux logs` (v2.9) does: line scanning, JSON decoding with
Go's rules, the --kind/--name/-n filter, the printed format, and kubectl's ByLogging pod
order. The same code is compared with the real `flux logs` in tests/cluster/test_explain.py."""

from __future__ import annotations

import json
from typing import Any

import pytest

from fluxops.cluster.controller_logs import (
    MAX_SCAN_TOKEN,
    LogEntry,
    filter_entries,
    matches,
    parse_entries,
    pick_pod,
    scan_lines,
)


def line(**fields: Any) -> str:
    return json.dumps(fields)


def test_scan_lines_splits_and_drops_carriage_returns() -> None:
    assert list(scan_lines("a\r\nb\n\nc")) == ["a", "b", "", "c"]
    assert list(scan_lines("")) == []
    assert list(scan_lines("a\n")) == ["a"]


def test_scan_lines_stops_at_a_line_too_long_for_bufio() -> None:
    longest = "x" * (MAX_SCAN_TOKEN - 1)
    assert list(scan_lines(f"a\n{longest}\nb\n")) == ["a", longest, "b"]
    too_long = "x" * MAX_SCAN_TOKEN
    assert list(scan_lines(f"a\n{too_long}\nb\n")) == ["a"]
    assert list(scan_lines(f"a\n{too_long}")) == ["a"]


def test_parse_skips_text_lines_and_stops_at_bad_json() -> None:
    text = "\n".join(
        [
            "I0601 plain klog line",
            line(ts="1", level="info", msg="one", name="a", namespace="ns"),
            "{broken",
            line(ts="2", level="info", msg="never", name="a", namespace="ns"),
        ]
    )
    assert [e.msg for e in parse_entries(text)] == ["one"]


def test_parse_stops_at_a_field_of_the_wrong_type() -> None:
    text = "\n".join(
        [
            line(msg="one", name="a"),
            line(msg="two", name=5),  # Go: UnmarshalTypeError -> flux stops reading
            line(msg="three", name="a"),
        ]
    )
    assert [e.msg for e in parse_entries(text)] == ["one"]


def test_parse_matches_keys_as_go_does() -> None:
    entries = parse_entries(
        "\n".join(
            [
                '{"MSG": "case-folded", "Name": "a", "extra": {"nested": [1, 2]}}',
                '{"msg": "null keeps empty", "name": null, "level": "info"}',
                '{"name": "first", "NAME": "last", "msg": "last wins"}',
                '{"reconciler kind": "Kustomization", "controllerKind": "X", "msg": "both"}',
            ]
        )
    )
    assert [(e.msg, e.name) for e in entries] == [
        ("case-folded", "a"),
        ("null keeps empty", ""),
        ("last wins", "last"),
        ("both", ""),
    ]
    assert entries[3].kind == "Kustomization" and entries[3].controller_kind == "X"


def test_parse_refuses_what_go_refuses() -> None:
    assert parse_entries('{"msg": "a", "n": NaN}') == []
    assert parse_entries('{"msg": "a"} trailing') == []


def test_format_is_flux_logs_template() -> None:
    full = LogEntry("t", "error", "failed", "boom", "", "Kustomization", "", "apps", "flux-system")
    assert full.format() == "t error Kustomization/apps.flux-system - failed boom"
    no_name = LogEntry("t", "info", "starting", controller_kind="HelmRelease")
    assert no_name.format() == "t info HelmRelease - starting "


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        (LogEntry(kind="Kustomization", name="apps", namespace="flux-system"), True),
        (LogEntry(controller_kind="kustomization", name="APPS", namespace="Flux-System"), True),
        (LogEntry(kind="HelmRelease", name="apps", namespace="flux-system"), False),
        (LogEntry(kind="Kustomization", name="apps", namespace="other"), False),
        (LogEntry(kind="Kustomization", name="apps-2", namespace="flux-system"), False),
        (LogEntry(kind="Kustomization", name="apps", namespace=""), False),
    ],
)
def test_filter_kind_name_namespace(entry: LogEntry, expected: bool) -> None:
    assert matches(entry, "Kustomization", "apps", "flux-system") is expected
    assert filter_entries([entry], "Kustomization", "apps", "flux-system") == (
        [entry] if expected else []
    )


def test_filter_uses_simple_case_folding_not_casefold() -> None:
    entry = LogEntry(kind="Kustomization", name="straße", namespace="ns")
    assert matches(entry, "Kustomization", "STRASSE", "ns") is False
    assert matches(entry, "Kustomization", "STRAßE", "ns") is True


def pod(
    name: str,
    *,
    node: str = "n1",
    phase: str = "Running",
    ready_at: str | None = "2025-06-01T10:00:00Z",
    restarts: int = 0,
    created: str = "2025-06-01T09:00:00Z",
) -> dict[str, Any]:
    conditions = (
        [{"type": "Ready", "status": "True", "lastTransitionTime": ready_at}]
        if ready_at
        else [{"type": "Ready", "status": "False"}]
    )
    return {
        "metadata": {"name": name, "creationTimestamp": created},
        "spec": {"nodeName": node},
        "status": {
            "phase": phase,
            "conditions": conditions,
            "containerStatuses": [{"name": "manager", "restartCount": restarts}],
        },
    }


@pytest.mark.parametrize(
    ("pods", "chosen"),
    [
        ([pod("unassigned", node=""), pod("assigned")], "assigned"),
        ([pod("pending", phase="Pending"), pod("running")], "running"),
        ([pod("unknown", phase="Unknown"), pod("pending", phase="Pending")], "unknown"),
        ([pod("not-ready", ready_at=None), pod("ready")], "ready"),
        (
            [pod("newer", ready_at="2025-06-01T11:00:00Z"), pod("longer")],
            "longer",
        ),
        ([pod("calm"), pod("restarted", restarts=3)], "restarted"),
        (
            [
                pod("young", ready_at=None, created="2025-06-01T09:30:00Z"),
                pod("old", ready_at=None),
            ],
            "old",
        ),
        # a Go map miss: Succeeded ranks with Running, then readiness decides
        ([pod("succeeded", phase="Succeeded", ready_at=None), pod("running")], "running"),
    ],
)
def test_pick_pod_by_logging(pods: list[dict[str, Any]], chosen: str) -> None:
    assert pick_pod(pods)["metadata"]["name"] == chosen  # type: ignore[index]
    assert pick_pod(list(reversed(pods)))["metadata"]["name"] == chosen  # type: ignore[index]


def test_pick_pod_none() -> None:
    assert pick_pod([]) is None
