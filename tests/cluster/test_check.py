"""`fluxops check` against the real kube-apiserver (v1.36.3, the Flux CRDs of
src/fluxops/data/crds/flux installed: each Flux kind served in one version).

Controllers are Deployments with status written through the status subresource; the
repository is a folder of YAML written by the test, with API versions the cluster serves and
some it does not."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from fluxops import api
from fluxops.output.envelope import schema_errors
from fluxops.output.registry import render
from fluxops.status.check_model import CheckResult
from tests.cluster import controllers as c

if TYPE_CHECKING:
    from tests.cluster.conftest import LiveCluster

pytestmark = pytest.mark.cluster

SYSTEM = "ck-flux-system"
IMAGE = "ghcr.io/fluxcd/{}:v1.7.{}@sha256:" + "ab" * 32

REPO_FILES = {
    "clusters/prod/apps.yaml": """\
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: apps, namespace: flux-system}
spec: {interval: 10m, path: ./apps, prune: true, sourceRef: {kind: GitRepository, name: repo}}
---
apiVersion: source.toolkit.fluxcd.io/v1beta2
kind: GitRepository
metadata: {name: repo, namespace: flux-system}
spec: {interval: 1m, url: https://github.com/acme/repo, ref: {branch: main}}
""",
    "apps/podinfo.yaml": """\
apiVersion: helm.toolkit.fluxcd.io/v2beta1
kind: HelmRelease
metadata: {name: podinfo, namespace: podinfo}
spec: {interval: 10m, chart: {spec: {chart: podinfo, sourceRef: {kind: HelmRepository, name: p}}}}
---
apiVersion: helm.toolkit.fluxcd.io/v2beta1
kind: HelmRelease
metadata: {name: other, namespace: podinfo}
spec: {interval: 10m, chart: {spec: {chart: other, sourceRef: {kind: HelmRepository, name: p}}}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: podinfo}
spec: {selector: {matchLabels: {app: web}}, template: {metadata: {labels: {app: web}}, spec: {containers: [{name: web, image: nginx}]}}}
""",
    "apps/kustomization.yaml": """\
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources: [podinfo.yaml]
""",
    # a group no other cluster test installs (the validate tier installs cert-manager's CRDs)
    "infra/certs.yaml": """\
apiVersion: certs.check-tests.example/v1
kind: Certificate
metadata: {name: web, namespace: podinfo}
spec: {secretName: web-tls}
""",
    "infra/issuer.yaml": """\
apiVersion: certs.check-tests.example/v1
kind: Issuer
metadata: {name: web, namespace: podinfo}
""",
    "infra/widgets.yaml": """\
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
spec:
  group: example.com
  names: {kind: Widget, plural: widgets}
  scope: Namespaced
  versions: [{name: v1, served: true, storage: true, schema: {openAPIV3Schema: {type: object}}}]
---
apiVersion: example.com/v1
kind: Widget
metadata: {name: w, namespace: podinfo}
""",
}


@pytest.fixture(scope="module")
def controllers(cluster: LiveCluster) -> None:
    client = cluster.admin()
    try:
        objs = [
            c.deployment("kustomize-controller", SYSTEM, IMAGE.format("kustomize-controller", 0)),
            c.deployment("source-controller", SYSTEM, IMAGE.format("source-controller", 1)),
            c.deployment(
                "helm-controller", SYSTEM, IMAGE.format("helm-controller", 2), available=False
            ),
        ]
        c.create(client, objs)
    finally:
        client.close()


@pytest.fixture()
def repo(tmp_path: Path) -> Path:
    for rel, text in REPO_FILES.items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return tmp_path


def _check(cluster: LiveCluster, repo: Path | None = None, namespace: str = SYSTEM) -> CheckResult:
    return api.check(
        api.CheckRequest(
            repo=str(repo) if repo else None,
            kubeconfig=cluster.kubeconfig,
            context="admin",
            flux_namespace=namespace,
        )
    )


def test_check_controllers_and_kubernetes(cluster: LiveCluster, controllers: None) -> None:
    result = _check(cluster)
    assert result.kubernetes_version == "v1.36.3" and result.kubernetes_ok
    by_name = {ctl.name: ctl for ctl in result.controllers}
    assert sorted(by_name) == ["helm-controller", "kustomize-controller", "source-controller"]
    assert by_name["kustomize-controller"].versions == ("v1.7.0",)
    assert by_name["kustomize-controller"].available
    assert not by_name["helm-controller"].available
    assert [f.code for f in result.findings] == ["CK003"]
    assert "helm-controller" in result.findings[0].message
    assert result.exit_code == 1
    served = {s.kind: s.api_versions for s in result.served}
    assert served["HelmRelease"] == ("helm.toolkit.fluxcd.io/v2",)
    assert served["Kustomization"] == ("kustomize.toolkit.fluxcd.io/v1",)


def test_check_repo_api_versions_not_served(
    cluster: LiveCluster, controllers: None, repo: Path
) -> None:
    result = _check(cluster, repo)
    by_pair = {(r.api_version, r.kind): r for r in result.repo_api_versions}
    assert ("kustomize.config.k8s.io/v1beta1", "Kustomization") not in by_pair
    assert by_pair[("kustomize.toolkit.fluxcd.io/v1", "Kustomization")].ok
    assert by_pair[("apps/v1", "Deployment")].ok
    widget = by_pair[("example.com/v1", "Widget")]
    assert widget.ok and "CustomResourceDefinition" in widget.note
    hr = by_pair[("helm.toolkit.fluxcd.io/v2beta1", "HelmRelease")]
    assert not hr.ok and hr.count == 2 and hr.served == ("helm.toolkit.fluxcd.io/v2",)
    assert hr.first == "apps/podinfo.yaml:1"
    findings = {(f.code, f.file): f for f in result.findings}
    helm = findings[("CK004", "apps/podinfo.yaml")]
    assert "it serves HelmRelease as helm.toolkit.fluxcd.io/v2" in helm.message
    assert helm.hint == "change apiVersion to helm.toolkit.fluxcd.io/v2"
    git = findings[("CK004", "clusters/prod/apps.yaml")]
    assert git.line == 6 and "source.toolkit.fluxcd.io/v1beta2" in git.message
    cert = findings[("CK005", "infra/certs.yaml")]
    assert cert.severity.name == "WARNING"
    assert cert.message == (
        "the cluster does not serve the API group certs.check-tests.example, used by "
        "Certificate (certs.check-tests.example/v1) x1, Issuer (certs.check-tests.example/v1) x1"
    )
    text = render(result, "text")
    assert "✗ helm.toolkit.fluxcd.io/v2beta1 HelmRelease x2" in text.stdout
    assert "CK004" in text.stderr


def test_check_cli_json(cluster: LiveCluster, controllers: None, repo: Path) -> None:
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "fluxops",
            "check",
            str(repo),
            "--kubeconfig",
            cluster.kubeconfig,
            "--context",
            "admin",
            "--flux-namespace",
            SYSTEM,
            "-o",
            "json",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 1, proc.stderr
    data = json.loads(proc.stdout)
    assert data["kubernetesVersion"] == "v1.36.3" and data["kubernetesOk"] is True
    assert {f["code"] for f in data["findings"]} == {"CK003", "CK004", "CK005"}
    assert data["kind"] == "CheckResult" and data["summary"]["exitCode"] == 1
    assert schema_errors(data) == []
    assert data["summary"]["unserved"] == sum(1 for r in data["repoApiVersions"] if not r["ok"])


def test_check_no_controllers(cluster: LiveCluster) -> None:
    result = _check(cluster, namespace="no-flux-here")
    assert [f.code for f in result.findings] == ["CK002"]


def test_check_unreachable(cluster: LiveCluster, tmp_path: Path) -> None:
    text = Path(cluster.kubeconfig).read_text().replace(cluster.server, "https://127.0.0.1:1")
    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_text(text)
    result = api.check(api.CheckRequest(kubeconfig=str(kubeconfig), context="admin", timeout=2))
    assert result.exit_code == 2 and result.error
    doc = json.loads(render(result, "json").stdout)
    assert [f["code"] for f in doc["findings"]] == ["cluster-unreachable"]
    assert doc["summary"]["exitCode"] == 2 and schema_errors(doc) == []


def test_check_as_a_user_who_may_not_list_controllers(
    cluster: LiveCluster, controllers: None
) -> None:
    result = api.check(
        api.CheckRequest(
            kubeconfig=cluster.kubeconfig, context=cluster.reader_context, flux_namespace=SYSTEM
        )
    )
    assert result.error == "" and result.kubernetes_ok
    assert [f.code for f in result.findings] == ["CK006"] and result.exit_code == 0
