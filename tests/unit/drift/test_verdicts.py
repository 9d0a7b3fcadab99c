"""Verdicts per object: exclusions, missing, drifted, Secrets masked, server mode, orphans."""

from __future__ import annotations

import base64
import copy
import json
from typing import Any

import pytest

from fluxops.drift.compare import CompareOptions, compare_object, orphan
from fluxops.drift.schema import SchemaRegistry
from fluxops.drift.verdicts import DriftResult

pytestmark = pytest.mark.unit

REGISTRY = SchemaRegistry()
SECRET_VALUES = ("s3cr3t", "czNjcjN0", "n3w-value", "bjN3LXZhbHVl", "old-value")


def cm(data: dict[str, str], **meta: Any) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "c", "namespace": "n", **meta},
        "data": data,
    }


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def test_in_sync_missing_and_drifted() -> None:
    opts = CompareOptions(owner="Kustomization/flux-system/apps")
    assert compare_object(cm({"a": "1"}), cm({"a": "1"}), REGISTRY, opts).verdict == "in-sync"
    missing = compare_object(cm({"a": "1"}), None, REGISTRY, opts)
    assert (missing.verdict, missing.owner) == ("missing", "Kustomization/flux-system/apps")
    drifted = compare_object(cm({"a": "1"}), cm({"a": "2"}), REGISTRY, opts)
    assert drifted.verdict == "drifted"
    assert [(d.path, d.desired, d.live) for d in drifted.differences] == [("data.a", "1", "2")]
    assert drifted.desired_view is not None and drifted.live_view is not None


@pytest.mark.parametrize(
    ("desired_meta", "live_meta", "reason"),
    [
        ({"annotations": {"kustomize.toolkit.fluxcd.io/ssa": "ignore"}}, {}, "(in the repo)"),
        (
            {},
            {"labels": {"kustomize.toolkit.fluxcd.io/reconcile": "disabled"}},
            "(on the live object)",
        ),
        (
            {"annotations": {"kustomize.toolkit.fluxcd.io/ssa": "IfNotPresent"}},
            {},
            "the object exists",
        ),
    ],
)
def test_exclusions_skip(
    desired_meta: dict[str, Any], live_meta: dict[str, Any], reason: str
) -> None:
    result = compare_object(
        cm({"a": "1"}, **desired_meta), cm({"a": "2"}, **live_meta), REGISTRY, CompareOptions()
    )
    assert result.verdict == "skipped"
    assert reason in result.reason


def test_if_not_present_still_missing_when_absent() -> None:
    desired = cm({"a": "1"}, annotations={"kustomize.toolkit.fluxcd.io/ssa": "IfNotPresent"})
    assert compare_object(desired, None, REGISTRY, CompareOptions()).verdict == "missing"


def test_ignore_rules_remove_paths_on_both_sides() -> None:
    from fluxops.drift.ignore import parse_ignore_rules

    opts = CompareOptions(
        ignore_rules=parse_ignore_rules([{"paths": ["/data/a"], "target": {"kind": "ConfigMap"}}])
    )
    assert (
        compare_object(cm({"a": "1", "b": "x"}), cm({"a": "2", "b": "x"}), REGISTRY, opts).verdict
        == "in-sync"
    )
    assert (
        compare_object(cm({"a": "1", "b": "x"}), cm({"a": "2", "b": "y"}), REGISTRY, opts).verdict
        == "drifted"
    )


def secret(**fields: Any) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": "s", "namespace": "n"},
        **fields,
    }


def _no_values(obj: Any) -> None:
    text = json.dumps(obj, default=str)
    for value in SECRET_VALUES:
        assert value not in text


def test_secret_values_masked_and_keys_listed() -> None:
    desired = secret(stringData={"password": "s3cr3t", "user": "bob"})
    live = secret(
        data={"password": b64("n3w-value"), "user": b64("bob"), "extra": b64("x")},
        type="Opaque",
        metadata={
            "name": "s",
            "namespace": "n",
            "annotations": {
                "kubectl.kubernetes.io/last-applied-configuration": json.dumps(
                    {"data": {"password": b64("old-value")}}
                )
            },
        },
    )
    result = compare_object(desired, live, REGISTRY, CompareOptions())
    assert result.verdict == "drifted"
    assert result.secret_keys == [
        ("extra", "unexpected"),
        ("password", "changed"),
        ("user", "unchanged"),
    ]
    assert [(d.path, d.desired, d.live, d.secret) for d in result.differences] == [
        ("data.password", "*** (desired)", "*** (live)", True)
    ]
    _no_values(result.differences)
    _no_values(result.desired_view)
    _no_values(result.live_view)
    assert result.live_view is not None and result.live_view["data"]["password"] == "*** (live)"


def test_secret_whole_data_missing_is_masked() -> None:
    result = compare_object(
        secret(stringData={"password": "s3cr3t"}), secret(), REGISTRY, CompareOptions()
    )
    assert result.verdict == "drifted"
    assert result.differences[0].desired == {"password": "***"}
    _no_values(result.differences)


def test_sops_secrets_compared_by_key_names() -> None:
    desired = secret(
        data={"password": "ENC[AES256_GCM,data:abc,type:str]"},
        sops={"mac": "ENC[AES256_GCM,data:xyz]", "version": "3.8.1"},
    )
    live = secret(data={"password": b64("s3cr3t")})
    result = compare_object(desired, live, REGISTRY, CompareOptions())
    assert result.verdict == "in-sync"
    assert result.secret_keys == [("password", "compared by name")]
    assert "SOPS" in result.notes[0]
    live2 = secret(data={"other": b64("s3cr3t")})
    result2 = compare_object(desired, live2, REGISTRY, CompareOptions())
    assert result2.verdict == "drifted"
    assert [d.path for d in result2.differences] == ['data["password"]']
    _no_values(result2.differences)


def test_snapshot_secrets_without_values_compared_by_name() -> None:
    desired = secret(stringData={"password": "s3cr3t"})
    live = secret(data={"password": ""})  # what a snapshot keeps
    result = compare_object(desired, live, REGISTRY, CompareOptions(secret_values=False))
    assert result.verdict == "in-sync"
    assert "snapshot" in result.notes[0]


def test_server_mode_compares_dry_run_result_with_live() -> None:
    live = cm({"a": "2"}, labels={"x": "1"}, resourceVersion="5", uid="u")
    live["metadata"]["managedFields"] = [{"manager": "m"}]
    merged = copy.deepcopy(live)
    merged["data"]["a"] = "1"
    result = compare_object(
        cm({"a": "1"}), live, REGISTRY, CompareOptions(mode="server"), merged=merged
    )
    assert result.verdict == "drifted"
    assert [(d.path, d.desired, d.live) for d in result.differences] == [("data.a", "1", "2")]
    assert result.live_view is not None and "managedFields" not in result.live_view["metadata"]
    same = compare_object(
        cm({"a": "1"}), live, REGISTRY, CompareOptions(mode="server"), merged=copy.deepcopy(live)
    )
    assert same.verdict == "in-sync"


def test_server_mode_helm_ignores_live_only_metadata() -> None:
    live = cm({"a": "1"}, labels={"x": "1", "y": "2"}, resourceVersion="5")
    merged = cm({"a": "1"}, labels={"x": "1"}, resourceVersion="5")
    opts = CompareOptions(mode="server", ignore_metadata_removals=True)
    assert compare_object(cm({"a": "1"}), live, REGISTRY, opts, merged=merged).verdict == "in-sync"
    strict = CompareOptions(mode="server")
    assert (
        compare_object(cm({"a": "1"}), live, REGISTRY, strict, merged=merged).verdict == "drifted"
    )


@pytest.mark.parametrize(
    ("meta", "in_inventory", "prune", "expected"),
    [
        ({}, True, True, "prune"),
        ({}, True, False, "keep"),
        ({}, False, True, "keep"),
        (
            {"annotations": {"kustomize.toolkit.fluxcd.io/prune": "Disabled"}},
            True,
            True,
            "keep-annotated",
        ),
        (
            {
                "labels": {
                    "kustomize.toolkit.fluxcd.io/name": "other",
                    "kustomize.toolkit.fluxcd.io/namespace": "flux-system",
                }
            },
            True,
            True,
            "keep",
        ),
    ],
)
def test_orphans(meta: dict[str, Any], in_inventory: bool, prune: bool, expected: str) -> None:
    labels = {
        "kustomize.toolkit.fluxcd.io/name": "apps",
        "kustomize.toolkit.fluxcd.io/namespace": "flux-system",
    }
    live = cm(
        {"a": "1"},
        labels={**labels, **meta.get("labels", {})},
        annotations=meta.get("annotations", {}),
    )
    result = orphan(
        live,
        "Kustomization/flux-system/apps",
        owner_namespace="flux-system",
        owner_name="apps",
        in_inventory=in_inventory,
        prune_enabled=prune,
    )
    assert (result.verdict, result.prune) == ("orphaned", expected)
    # only the orphans Flux deletes are drift; those it keeps count with --fail-on-orphans
    assert result.counts_as_drift is (expected == "prune")
    for fail_on_orphans in (False, True):
        summary = DriftResult(mode="fields", source="x", fail_on_orphans=fail_on_orphans)
        summary.objects.append(result)
        counts = expected == "prune" or (fail_on_orphans and expected == "keep")
        assert (summary.drift, summary.exit_code) == (counts, 1 if counts else 0)
