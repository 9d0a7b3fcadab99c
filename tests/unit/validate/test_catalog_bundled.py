"""The bundled CRD catalog: generated reproducibly (`--check` fails when stale, on a small pinned
module zip made here, no network), loaded per group, validating with defaults and CEL."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest

from fluxops.validate.bundled import catalog_index, group_versions
from fluxops.validate.defaults import apply_defaults
from tests.unit.validate.test_validate import run

pytestmark = pytest.mark.unit
ROOT = Path(__file__).resolve().parents[3]
SCRIPT = ROOT / "scripts" / "generate_catalog.py"
MODULE = "example.com/widget-operator"
VERSION = "v1.2.3"
CRD = """\
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.widgets.example.com
spec:
  group: widgets.example.com
  names: {kind: Widget, plural: widgets}
  scope: Namespaced
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec:
              type: object
              description: dropped from the catalog
              x-kubernetes-validations:
                - rule: self.min <= self.max
                  message: min must not exceed max
              properties:
                min: {type: integer, default: 0}
                max: {type: integer}
"""


def make_zip(folder: Path, crd: str) -> None:
    folder.mkdir(exist_ok=True)
    name = folder / f"{MODULE.replace('/', '_')}@{VERSION}.zip"
    with zipfile.ZipFile(name, "w") as archive:
        archive.writestr(f"{MODULE}@{VERSION}/LICENSE", "Apache License 2.0 (test)\n")
        archive.writestr(f"{MODULE}@{VERSION}/config/crd/widgets.yaml", crd)
        archive.writestr(f"{MODULE}@{VERSION}/README.md", "not a CRD")


def generate(tmp_path: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    sources = tmp_path / "sources.json"
    sources.write_text(
        json.dumps(
            [
                {
                    "name": "widgets",
                    "module": MODULE,
                    "version": VERSION,
                    "license": "Apache-2.0",
                    "paths": ["config/crd/*.yaml"],
                }
            ]
        )
    )
    args = ["--zips", str(tmp_path / "zips"), "--sources", str(sources)]
    args += ["--out", str(tmp_path / "out"), *extra]
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args], capture_output=True, text=True, check=False
    )


def test_generation_is_reproducible_and_check_fails_when_stale(tmp_path: Path) -> None:
    make_zip(tmp_path / "zips", CRD)
    assert generate(tmp_path).returncode == 0
    out = tmp_path / "out"
    first = {p.name: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert set(first) == {"index.json", "SOURCE.md", "widgets.example.com.json.gz", "widgets.txt"}
    index = json.loads(first["index.json"])
    assert index["groups"]["widgets.example.com"]["kinds"] == {"Widget": ["v1"]}
    assert "example.com/widget-operator" in first["SOURCE.md"].decode()
    check = generate(tmp_path, "--check")
    assert check.returncode == 0, check.stdout
    assert generate(tmp_path).returncode == 0  # same bytes again (fixed gzip timestamp)
    assert {p.name: p.read_bytes() for p in out.rglob("*") if p.is_file()} == first
    make_zip(tmp_path / "zips", CRD.replace("type: integer}", "type: number}"))
    stale = generate(tmp_path, "--check")
    assert stale.returncode == 1 and "widgets.example.com.json.gz" in stale.stdout


def test_catalog_covers_the_common_operators() -> None:
    groups = catalog_index()["groups"]
    for group in (
        "monitoring.coreos.com",
        "external-secrets.io",
        "gateway.networking.k8s.io",
        "cert-manager.io",
        "cilium.io",
        "snapshot.storage.k8s.io",
        "grafana.integreatly.org",
        "k8s.cni.cncf.io",
    ):
        assert group in groups, group
    assert "fluxcd.controlplane.io" not in groups  # AGPL-3.0: not bundled
    assert "kopiur.home-operations.com" not in groups  # AGPL-3.0 too
    for name, source in catalog_index()["sources"].items():
        assert source["license"] and source["version"].startswith("v"), name
        assert "GPL" not in source["license"], name
        assert (ROOT / "src/fluxops/data/catalog/licenses" / f"{name}.txt").is_file()
    versions = group_versions("cert-manager.io")
    assert {v.kind for v in versions} >= {"Certificate", "ClusterIssuer"}
    assert all(v.schema and "description" not in v.schema for v in versions)
    assert group_versions("not.a.catalog.group") == ()


def httproute(backend: dict[str, Any]) -> dict[str, Any]:
    return {
        "apiVersion": "gateway.networking.k8s.io/v1",
        "kind": "HTTPRoute",
        "metadata": {"name": "web", "namespace": "apps"},
        "spec": {
            "parentRefs": [{"name": "gw", "namespace": "net"}],
            "rules": [{"backendRefs": [backend]}],
        },
    }


def test_catalog_crd_cel_rule_catches_a_bad_object(tmp_path: Path) -> None:
    good = run([httproute({"name": "web", "port": 80})], tmp_path, strict=True)
    assert [f.code for f in good.findings if f.severity >= good.fail_on] == []
    assert good.by_source == {"catalog: gateway-api v1.7.0": 1}
    # `kind` defaults to Service and `group` to "": the rule needs the port of a Service
    bad = run([httproute({"name": "web"})], tmp_path, strict=True)
    cel = [f for f in bad.findings if f.code == "schema-cel"]
    assert len(cel) == 1 and "port" in cel[0].message
    assert bad.exit_code == 1


def dashboard(**spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": "grafana.integreatly.org/v1beta1",
        "kind": "GrafanaDashboard",
        "metadata": {"name": "nodes", "namespace": "o11y"},
        "spec": {"instanceSelector": {"matchLabels": {"app": "grafana"}}, **spec},
    }


def test_grafana_operator_crds_validate_dashboards_with_their_cel_rules(tmp_path: Path) -> None:
    good = run([dashboard(url="https://example.com/d.json", folderUID="infra")], tmp_path)
    assert [f.code for f in good.findings if f.severity >= good.fail_on] == []
    assert good.by_source == {"catalog: grafana-operator v5.24.0": 1}
    both = run([dashboard(folderUID="infra", folderRef="infra")], tmp_path)
    cel = [f for f in both.findings if f.code == "schema-cel"]
    assert len(cel) == 1 and "folderUID or folderRef" in cel[0].message
    unselected = dashboard()
    del unselected["spec"]["instanceSelector"]
    missing = run([unselected], tmp_path)
    assert any("instanceSelector" in f.message for f in missing.findings if f.code == "schema")


def test_network_attachment_definitions_are_validated(tmp_path: Path) -> None:
    nad: dict[str, Any] = {
        "apiVersion": "k8s.cni.cncf.io/v1",
        "kind": "NetworkAttachmentDefinition",
        "metadata": {"name": "iot", "namespace": "net"},
        "spec": {"config": '{"cniVersion": "0.3.1", "type": "macvlan"}'},
    }
    good = run([nad], tmp_path)
    assert good.by_source == {"catalog: network-attachment-definition v1.7.7": 1}
    assert good.exit_code == 0
    nad["spec"]["config"] = {"cniVersion": "0.3.1"}  # the CNI config is a JSON string
    bad = run([nad], tmp_path)
    assert [f.path for f in bad.findings if f.code == "schema"] == ["spec.config"]


def test_unknown_field_against_a_bundled_crd_is_a_warning(tmp_path: Path) -> None:
    route = httproute({"name": "web", "port": 80})
    route["spec"]["colour"] = "blue"
    result = run([route], tmp_path, strict=True)
    [finding] = [f for f in result.findings if f.code == "schema-unknown-field"]
    assert str(finding.severity) == "warning" and "--crds" in (finding.hint or "")
    assert result.exit_code == 0


def test_defaults_fill_what_is_unset_without_changing_the_input() -> None:
    schema = {
        "type": "object",
        "properties": {
            "spec": {
                "type": "object",
                "properties": {
                    "refs": {
                        "type": "array",
                        "items": {"properties": {"kind": {"default": "Service"}, "name": {}}},
                    },
                    "mode": {"default": "Terminate"},
                },
            }
        },
    }
    value = {"spec": {"refs": [{"name": "a"}, {"name": "b", "kind": "Gateway"}], "mode": "x"}}
    out = apply_defaults(value, schema)
    assert out["spec"]["refs"] == [
        {"name": "a", "kind": "Service"},
        {"name": "b", "kind": "Gateway"},
    ]
    assert out["spec"]["mode"] == "x"
    assert value["spec"]["refs"][0] == {"name": "a"}
    assert apply_defaults({"spec": {}}, schema) == {"spec": {"mode": "Terminate"}}


def test_a_helmrelease_pinning_another_release_gets_a_note() -> None:
    from fluxops.model.resource import Resource
    from fluxops.validate.chart_versions import catalog_version_notes

    def hr(name: str, chart: dict[str, Any]) -> Resource:
        return Resource(
            raw={
                "apiVersion": "helm.toolkit.fluxcd.io/v2",
                "kind": "HelmRelease",
                "metadata": {"name": name, "namespace": "ops"},
                "spec": chart,
            }
        )

    repo = Resource(
        raw={
            "apiVersion": "source.toolkit.fluxcd.io/v1",
            "kind": "OCIRepository",
            "metadata": {"name": "cm", "namespace": "ops"},
            "spec": {
                "url": "oci://quay.io/jetstack/charts/cert-manager",
                "ref": {"tag": "v1.19.0"},
            },
        }
    )
    objects = [
        hr("by-ref", {"chartRef": {"kind": "OCIRepository", "name": "cm"}}),
        hr("by-spec", {"chart": {"spec": {"chart": "cert-manager", "version": "v1.21.2"}}}),
        hr("range", {"chart": {"spec": {"chart": "cert-manager", "version": "1.x"}}}),
        repo,
    ]
    sources = catalog_index()["sources"]
    notes = catalog_version_notes(objects, ["cert-manager"], sources)
    assert [n.object for n in notes] == ["HelmRelease/ops/by-ref"]
    assert "v1.19.0" in notes[0].message and str(notes[0].severity) == "info"
    assert catalog_version_notes(objects, [], sources) == []
