"""kustomize-controller's managedFields cleanup as fluxops models it: which managers' fields are
handed to the controller (and so removed when the repo does not set them), which are kept, the
`ssa: Merge` exclusion and `--override-manager`."""

from __future__ import annotations

from typing import Any

import pytest

from fluxops.drift.compare import CompareOptions, compare_object
from fluxops.drift.schema import SchemaRegistry

pytestmark = pytest.mark.unit

REGISTRY = SchemaRegistry()


def cm(labels: dict[str, str] | None = None, **meta: Any) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "c", "namespace": "n", "labels": labels or {}, **meta},
        "data": {"a": "1"},
    }


def live_with(manager: str, operation: str, subresource: str = "", **meta: Any) -> dict[str, Any]:
    live = cm({"app": "c", "added": "x"}, **meta)
    entry: dict[str, Any] = {
        "manager": manager,
        "operation": operation,
        "fieldsV1": {"f:metadata": {"f:labels": {"f:added": {}}}},
    }
    if subresource:
        entry["subresource"] = subresource
    live["metadata"]["managedFields"] = [
        {
            "manager": "kustomize-controller",
            "operation": "Apply",
            "fieldsV1": {"f:metadata": {"f:labels": {"f:app": {}}}, "f:data": {"f:a": {}}},
        },
        entry,
    ]
    return live


def notes(live: dict[str, Any], desired: dict[str, Any] | None = None, **opts: Any) -> list[str]:
    result = compare_object(desired or cm({"app": "c"}), live, REGISTRY, CompareOptions(**opts))
    if desired is None:
        assert result.verdict == "in-sync"  # handed-over fields are notes, never drift
    return result.notes


@pytest.mark.parametrize(
    ("manager", "operation", "subresource", "handed_over"),
    [
        ("kubectl-label", "Update", "", True),
        ("kubectl-client-side-apply", "Update", "", True),
        ("kubectl", "Apply", "", True),  # kubectl apply --server-side --force-conflicts
        ("before-first-apply", "Update", "", True),
        ("kustomize-controller", "Update", "", True),  # the controller before SSA
        ("kubectl-edit", "Update", "status", False),  # subresources are left alone
        ("before-first-apply", "Apply", "", False),  # only the Update operation
        ("kube-controller-manager", "Update", "", False),
        ("helm", "Apply", "", False),
    ],
)
def test_which_managers_are_handed_over(
    manager: str, operation: str, subresource: str, handed_over: bool
) -> None:
    found = notes(live_with(manager, operation, subresource))
    assert bool(found) is handed_over, found
    if handed_over:
        assert found[0].startswith(f"metadata.labels.added was set by {manager}")


@pytest.mark.parametrize("where", ["desired", "live"])
def test_ssa_merge_objects_are_excluded_from_the_cleanup(where: str) -> None:
    marker = {"kustomize.toolkit.fluxcd.io/ssa": "Merge"}
    desired = cm({"app": "c"}, annotations=marker if where == "desired" else {})
    live = live_with("kubectl-label", "Update", annotations=marker if where == "live" else {})
    assert notes(live, desired) == []


def test_override_manager_is_handed_over_with_both_operations() -> None:
    for operation in ("Apply", "Update"):
        live = live_with("my-operator", operation)
        assert notes(live) == []
        (note,) = notes(live, override_managers=("my-operator",))
        assert "set by my-operator" in note


def test_fields_the_repo_sets_are_not_noted() -> None:
    live = live_with("kubectl-label", "Update")
    assert notes(live, cm({"app": "c", "added": "x"})) == []


def test_last_applied_annotation_is_removed_by_the_cleanup() -> None:
    annotation = "kubectl.kubernetes.io/last-applied-configuration"
    live = live_with("helm", "Apply", annotations={annotation: "{}"})
    (note,) = notes(live)
    assert note.startswith(f"metadata.annotations.{annotation} is removed")
    merge = {"kustomize.toolkit.fluxcd.io/ssa": "merge"}
    live = live_with("helm", "Apply", annotations={annotation: "{}", **merge})
    assert notes(live, cm({"app": "c"}, annotations=merge)) == []
