"""What server-side apply and the API server's Go code reject, beyond the schemas: unknown
fields by default (a SOPS Secret's `sops` block exempt), unserved versions of built-in kinds,
selector vs template labels, Job pod templates, HPA bounds, beta APIs off by default."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from fluxops.validate.apiserver import check_builtin, selector_matches
from tests.unit.validate.test_validate import run

pytestmark = pytest.mark.unit


def deployment(selector: dict[str, Any], labels: dict[str, str]) -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "apps"},
        "spec": {
            "selector": selector,
            "template": {
                "metadata": {"labels": labels},
                "spec": {"containers": [{"name": "web", "image": "nginx"}]},
            },
        },
    }


def codes(result: Any) -> list[str]:
    return sorted(f.code for f in result.findings)


def test_unknown_fields_are_errors_by_default(tmp_path: Path) -> None:
    obj = deployment({"matchLabels": {"app": "web"}}, {"app": "web"})
    obj["spec"]["replicaz"] = 2
    assert codes(run([obj], tmp_path, strict=True)) == ["schema-unknown-field"]
    assert codes(run([obj], tmp_path, strict=False)) == []


def test_sops_block_of_a_secret_is_exempt(tmp_path: Path) -> None:
    secret = {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": "s", "namespace": "apps"},
        "stringData": {"token": "ENC[AES256_GCM,data:abc,type:str]"},
        "sops": {"age": [{"recipient": "age1x"}], "version": "3.9.0"},
    }
    assert codes(run([secret], tmp_path, strict=True)) == []
    config = {**secret, "kind": "ConfigMap", "data": secret["stringData"]}
    del config["stringData"]
    assert codes(run([config], tmp_path, strict=True)) == ["schema-unknown-field"]


def test_unserved_builtin_version_names_the_served_ones(tmp_path: Path) -> None:
    hpa = {
        "apiVersion": "autoscaling/v2beta2",
        "kind": "HorizontalPodAutoscaler",
        "metadata": {"name": "h", "namespace": "apps"},
        "spec": {},
    }
    result = run([hpa], tmp_path)
    [finding] = [f for f in result.findings if f.code == "schema-not-served"]
    assert "autoscaling/v1" in finding.message and "autoscaling/v2" in finding.message
    assert result.exit_code == 1


def test_selector_must_match_template_labels(tmp_path: Path) -> None:
    good = deployment({"matchLabels": {"app": "web"}}, {"app": "web", "tier": "x"})
    assert codes(run([good], tmp_path)) == []
    bad = deployment({"matchLabels": {"app": "web"}}, {"app": "api"})
    result = run([bad], tmp_path)
    assert codes(result) == ["apiserver"]
    assert result.findings[0].path == "spec.template.metadata.labels"
    assert result.exit_code == 1 and result.failed_documents == 1
    empty = deployment({}, {"app": "web"})
    assert "empty selector" in run([empty], tmp_path).findings[0].message


def test_selector_expressions() -> None:
    labels = {"app": "web", "tier": "front"}
    assert selector_matches({"matchExpressions": [{"key": "tier", "operator": "Exists"}]}, labels)
    assert not selector_matches(
        {"matchExpressions": [{"key": "tier", "operator": "NotIn", "values": ["front"]}]}, labels
    )
    assert selector_matches(
        {"matchExpressions": [{"key": "x", "operator": "DoesNotExist"}]}, labels
    )
    assert selector_matches({"matchLabels": {"app": "${APP}"}}, labels) is None


def test_job_restart_policy_and_selector() -> None:
    job: dict[str, Any] = {"template": {"spec": {"containers": []}}}
    found = check_builtin("batch/v1", "Job", {"spec": job})
    assert [p.path for p in found] == [("spec", "template", "spec", "restartPolicy")]
    job["template"]["spec"]["restartPolicy"] = "Never"
    assert check_builtin("batch/v1", "Job", {"spec": job}) == []
    job["selector"] = {"matchLabels": {"a": "b"}}
    assert [p.path for p in check_builtin("batch/v1", "Job", {"spec": job})] == [
        ("spec", "selector")
    ]
    cron = {"spec": {"jobTemplate": {"spec": {"template": {"spec": {"restartPolicy": "Always"}}}}}}
    [problem] = check_builtin("batch/v1", "CronJob", cron)
    assert problem.path[:3] == ("spec", "jobTemplate", "spec")


def test_hpa_bounds_and_scale_to_zero_caveat(tmp_path: Path) -> None:
    hpa: dict[str, Any] = {
        "apiVersion": "autoscaling/v2",
        "kind": "HorizontalPodAutoscaler",
        "metadata": {"name": "h", "namespace": "apps"},
        "spec": {
            "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"},
            "minReplicas": 0,
            "maxReplicas": 3,
        },
    }
    result = run([hpa], tmp_path)
    assert codes(result) == ["apiserver-feature-gate"]
    assert "HPAScaleToZero" in result.findings[0].message and result.exit_code == 0
    hpa["spec"]["minReplicas"] = 4
    assert codes(run([hpa], tmp_path)) == ["apiserver"]


def test_pdb_with_both_bounds() -> None:
    spec = {"minAvailable": 1, "maxUnavailable": 1}
    assert [p.code for p in check_builtin("policy/v1", "PodDisruptionBudget", {"spec": spec})] == [
        "apiserver"
    ]


def test_beta_builtin_api_is_noted(tmp_path: Path) -> None:
    bundle = {
        "apiVersion": "certificates.k8s.io/v1beta1",
        "kind": "ClusterTrustBundle",
        "metadata": {"name": "b"},
        "spec": {"trustBundle": "x"},
    }
    result = run([bundle], tmp_path)
    assert "api-off-by-default" in codes(result)
    assert "--runtime-config=certificates.k8s.io/v1beta1=true" in result.findings[0].message
