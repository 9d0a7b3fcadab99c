"""changes.compare and changes.objects on builds made by hand: what is added, removed,
changed, moved, pruned, and that a Secret's change carries no value."""

from __future__ import annotations

from typing import Any

from fluxops.changes.compare import Comparison
from fluxops.changes.objects import field_changes
from fluxops.changes.result import FieldChange
from fluxops.model.resource import Resource
from fluxops.model.results import KustomizationBuild


def _ks(name: str, prune: bool = True) -> Resource:
    return Resource(
        raw={
            "apiVersion": "kustomize.toolkit.fluxcd.io/v1",
            "kind": "Kustomization",
            "metadata": {"name": name, "namespace": "flux-system"},
            "spec": {"path": f"./{name}", "prune": prune},
        }
    )


def _cm(name: str, **data: str) -> Resource:
    return Resource(
        raw={
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": name, "namespace": "default"},
            "data": dict(data),
        }
    )


def _secret(name: str, **data: str) -> Resource:
    raw: dict[str, Any] = {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": name, "namespace": "default"},
        "stringData": dict(data),
    }
    return Resource(raw=raw)


def _build(name: str, *objects: Resource, prune: bool = True) -> KustomizationBuild:
    return KustomizationBuild(cluster="c", kustomization=_ks(name, prune), objects=list(objects))


def test_added_removed_changed() -> None:
    base = [_build("a", _cm("one", k="1"), _cm("two", k="2"), prune=False)]
    head = [_build("a", _cm("one", k="9"), _cm("three", k="3"), prune=False)]
    (diff,) = Comparison(base, head).run()
    assert diff.status == "changed" and not diff.prune
    got = [
        (o.change, o.name, o.pruned, [(f.path, f.before, f.after) for f in o.fields])
        for o in diff.objects
    ]
    assert got == [
        ("changed", "one", None, [("data.k", '"1"', '"9"')]),
        ("added", "three", None, []),
        ("removed", "two", False, []),
    ]
    removed = diff.objects[2]
    assert removed.diff.startswith(
        "--- base/ConfigMap/default/two\n+++ head/ConfigMap/default/two\n"
    )
    assert '-  k: "2"\n' in removed.diff


def test_moved_between_kustomizations_is_reported_once_by_the_new_owner() -> None:
    base = [_build("a", _cm("one", k="1")), _build("b")]
    head = [_build("a"), _build("b", _cm("one", k="1"))]
    diffs = Comparison(base, head).run()
    assert [
        (d.name, [(o.change, o.name, o.moved_from, o.fields) for o in d.objects]) for d in diffs
    ] == [("b", [("moved", "one", "flux-system/a", [])])]


def test_a_removed_kustomization_prunes_what_it_rendered() -> None:
    base = [_build("a", _cm("one", k="1"), prune=True)]
    (diff,) = Comparison(base, []).run()
    assert diff.status == "removed"
    assert [(o.change, o.pruned) for o in diff.objects] == [("removed", True)]


def test_unchanged_kustomizations_are_left_out() -> None:
    builds = [_build("a", _cm("one", k="1"))]
    assert Comparison(builds, [_build("a", _cm("one", k="1"))]).run() == []


def test_a_failure_on_one_side() -> None:
    broken = _build("a")
    broken.fail("kustomize build failed: boom")
    (diff,) = Comparison([_build("a", _cm("one", k="1"))], [broken]).run()
    assert (diff.status, diff.error_base, diff.error_head) == (
        "failed",
        None,
        "kustomize build failed: boom",
    )
    same = _build("a")
    same.fail("kustomize build failed: boom")
    assert Comparison([same], [broken]).run() == []


def test_a_secret_change_has_keys_only() -> None:
    base = [_build("a", _secret("s", token="old-value", user="bob"))]
    head = [_build("a", _secret("s", token="new-value", user="bob", extra="x"))]
    (diff,) = Comparison(base, head).run()
    (change,) = diff.objects
    assert change.secret and change.diff == ""
    assert change.fields == [FieldChange("stringData.token"), FieldChange("stringData.extra")]
    assert "old-value" not in repr(change) and "new-value" not in repr(change)


def test_field_paths_quote_odd_keys_and_bound_values() -> None:
    before = {"metadata": {"labels": {"app.kubernetes.io/name": "a"}}, "spec": {"l": [1, 2]}}
    after = {
        "metadata": {"labels": {"app.kubernetes.io/name": "b"}},
        "spec": {"l": [1], "x": "y" * 1000},
    }
    got = field_changes(before, after, secret=False)
    assert [f.path for f in got] == [
        'metadata.labels["app.kubernetes.io/name"]',
        "spec.x",
        "spec.l[1]",
    ]
    assert got[1].before is None and got[1].after is not None and got[1].after.endswith("...")
    assert got[2].after is None and got[2].before == "2"


def _hr(password: str, replicas: int) -> Resource:
    return Resource(
        raw={
            "apiVersion": "helm.toolkit.fluxcd.io/v2",
            "kind": "HelmRelease",
            "metadata": {"name": "app", "namespace": "default"},
            "spec": {
                "chart": {"spec": {"chart": "app", "version": "1.0.0"}},
                "values": {"admin": {"password": password}, "replicas": replicas},
            },
        }
    )


def test_inline_helm_secrets_are_masked_in_fields_and_diff() -> None:
    base = [_build("a", _hr("hunter2-before", 1))]
    head = [_build("a", _hr("hunter2-after", 2))]
    (diff,) = Comparison(base, head).run()
    (change,) = diff.objects
    shown = repr([(f.path, f.before, f.after) for f in change.fields]) + change.diff
    assert "hunter2" not in shown
    assert "replicas" in change.diff and "**SECRET**" in change.diff
    got = [(f.path, f.before, f.after) for f in change.fields]
    assert got == [("spec.values.admin.password", None, None), ("spec.values.replicas", "1", "2")]
