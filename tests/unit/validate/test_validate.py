"""validate_build end to end on synthetic builds: built-in kinds, Flux CRDs with CEL, repo
CRDs, missing schemas, strict mode, Secret masking, line numbers, the disk cache."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from fluxops.model.resource import Origin, Resource
from fluxops.model.results import BuildResult, KustomizationBuild
from fluxops.validate.build_objects import validate_build
from fluxops.validate.builtin import BuiltinSchemas, UnknownKubeVersion, resolve_kube_version
from fluxops.validate.catalog import SchemaCatalog
from fluxops.validate.results import ValidateResult
from fluxops.validate.validator import ValidateOptions

pytestmark = pytest.mark.unit

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: apps
spec:
  replicas: "three"
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: web
          image: nginx
          imagePullPolcy: Always
"""


def run(
    objects: list[dict[str, Any]],
    tmp_path: Path,
    *,
    strict: bool = False,
    require: bool = False,
    texts: dict[str, str] | None = None,
    repo: list[Resource] | None = None,
) -> ValidateResult:
    version = resolve_kube_version(None)
    catalog = SchemaCatalog(BuiltinSchemas(version, strict=strict), strict=strict)
    ks = Resource(
        raw={
            "apiVersion": "kustomize.toolkit.fluxcd.io/v1",
            "kind": "Kustomization",
            "metadata": {"name": "apps", "namespace": "flux-system"},
            "spec": {},
        },
        origin=Origin("clusters/apps.yaml", 0, 1),
    )
    build = KustomizationBuild(cluster="c", kustomization=ks)
    build.objects = [
        Resource(raw=o, origin=Origin("apps/file.yaml", i, 1)) for i, o in enumerate(objects)
    ]
    options = ValidateOptions(
        kube_version=version, strict=strict, require_schemas=require, cache_dir=tmp_path / "cache"
    )
    texts = texts or {}
    return validate_build(BuildResult(builds=[build]), repo or [], catalog, options, texts.get)


def load(text: str) -> dict[str, Any]:
    import yaml

    value = yaml.safe_load(text)
    assert isinstance(value, dict)
    return value


def test_builtin_kind_errors_with_paths_lines_and_expectations(tmp_path: Path) -> None:
    result = run([load(DEPLOYMENT)], tmp_path, texts={"apps/file.yaml": DEPLOYMENT})
    errors = [f for f in result.findings if f.code == "schema"]
    assert len(errors) == 1
    assert errors[0].path == "spec.replicas"
    assert "expected an integer" in errors[0].message
    assert errors[0].file == "apps/file.yaml" and errors[0].line == 7
    assert errors[0].object and "Deployment/apps/web" in errors[0].object
    assert not [f for f in result.findings if f.code == "schema-unknown-field"]


def test_strict_rejects_unknown_fields(tmp_path: Path) -> None:
    result = run([load(DEPLOYMENT)], tmp_path, strict=True, texts={"apps/file.yaml": DEPLOYMENT})
    unknown = [f for f in result.findings if f.code == "schema-unknown-field"]
    assert [f.path for f in unknown] == ["spec.template.spec.containers[0].imagePullPolcy"]
    assert unknown[0].line == 17


def test_flux_crd_and_cel_rule(tmp_path: Path) -> None:
    hr: dict[str, Any] = {
        "apiVersion": "helm.toolkit.fluxcd.io/v2",
        "kind": "HelmRelease",
        "metadata": {"name": "podinfo", "namespace": "apps"},
        "spec": {
            "interval": "10m",
            "chart": {
                "spec": {
                    "chart": "podinfo",
                    "sourceRef": {"kind": "HelmRepository", "name": "podinfo"},
                }
            },
            "chartRef": {"kind": "OCIRepository", "name": "podinfo"},
        },
    }
    result = run([hr], tmp_path)
    assert result.by_source and any("Flux" in s for s in result.by_source)
    cel = [f for f in result.findings if f.code == "schema-cel"]
    assert cel, result.findings
    assert "chartRef" in cel[0].message
    assert result.cel_evaluated > 0
    hr["spec"].pop("chartRef")
    assert not [f for f in run([hr], tmp_path).findings if f.code.startswith("schema")]


def test_flux_crd_unserved_version_is_an_error_naming_the_served_ones(tmp_path: Path) -> None:
    hr = {
        "apiVersion": "helm.toolkit.fluxcd.io/v2beta2",
        "kind": "HelmRelease",
        "metadata": {"name": "a"},
        "spec": {},
    }
    result = run([hr], tmp_path)
    unserved = [f for f in result.findings if f.code == "schema-not-served"]
    assert [str(f.severity) for f in unserved] == ["error"]
    assert "served" in unserved[0].message and "helm.toolkit.fluxcd.io/v2" in unserved[0].message
    assert result.exit_code == 1 and result.not_served == 1 and result.no_schema == 0


CRD = {
    "apiVersion": "apiextensions.k8s.io/v1",
    "kind": "CustomResourceDefinition",
    "metadata": {"name": "widgets.example.com"},
    "spec": {
        "group": "example.com",
        "names": {"kind": "Widget", "plural": "widgets"},
        "scope": "Namespaced",
        "versions": [
            {
                "name": "v1",
                "served": True,
                "storage": True,
                "schema": {
                    "openAPIV3Schema": {
                        "type": "object",
                        "properties": {
                            "spec": {
                                "type": "object",
                                "required": ["size"],
                                "properties": {
                                    "size": {"type": "integer", "minimum": 1},
                                    "url": {"type": "string"},
                                },
                                "x-kubernetes-validations": [
                                    {"rule": "self.size < 10", "message": "size must be below 10"},
                                    {"rule": "!has(self.url) || isURL(self.url)", "message": "url"},
                                ],
                            }
                        },
                    }
                },
            },
            {
                "name": "v1beta1",
                "served": True,
                "deprecated": True,
                "schema": {"openAPIV3Schema": {"type": "object"}},
            },
        ],
    },
}


def test_repo_crd_cel_and_unsupported_rules(tmp_path: Path) -> None:
    widget = {
        "apiVersion": "example.com/v1",
        "kind": "Widget",
        "metadata": {"name": "w"},
        "spec": {"size": 12},
    }
    repo = [Resource(raw=CRD, origin=Origin("crds/widget.yaml", 0, 1))]
    result = run([widget], tmp_path, repo=repo)
    codes = [f.code for f in result.findings]
    assert "schema-cel" in codes
    assert result.cel_skipped and "isURL" in result.cel_skipped[0].reason
    assert any(f.code == "schema-cel-unsupported" for f in result.findings)
    assert result.by_source == {"CRD in crds/widget.yaml": 1}
    bad = dict(widget, spec={"size": 0})
    assert any(f.path == "spec.size" for f in run([bad], tmp_path, repo=repo).findings)
    old = {"apiVersion": "example.com/v1beta1", "kind": "Widget", "metadata": {"name": "w"}}
    assert any(f.code == "schema-deprecated" for f in run([old], tmp_path, repo=repo).findings)


def test_missing_schema_is_info_or_an_error(tmp_path: Path) -> None:
    thing = {"apiVersion": "example.org/v1", "kind": "Gadget", "metadata": {"name": "g"}}
    warn = run([thing, dict(thing, metadata={"name": "h"})], tmp_path)
    missing = [f for f in warn.findings if f.code == "schema-missing"]
    assert len(missing) == 1 and "2 objects" in missing[0].message
    assert str(missing[0].severity) == "info"
    assert "tried: CRDs in the repository" in missing[0].message
    assert warn.exit_code == 0
    strict = run([thing], tmp_path, require=True)
    assert [str(f.severity) for f in strict.findings if f.code == "schema-missing"] == ["error"]


def test_secret_values_never_reach_messages(tmp_path: Path) -> None:
    secret = {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": "s"},
        "type": "Opaque",
        "data": {"pw": 12345678},
    }
    result = run([secret], tmp_path)
    assert result.findings
    assert all("12345678" not in f.message for f in result.findings)


def test_metadata_names_and_labels(tmp_path: Path) -> None:
    cm = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "Bad_Name", "labels": {"ok": "-bad-"}},
    }
    paths = [f.path for f in run([cm], tmp_path).findings if f.code == "metadata"]
    assert paths == ["metadata.name", "metadata.labels.ok"]


def test_compiled_validators_are_cached_on_disk(tmp_path: Path) -> None:
    cm = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a"}, "data": {"k": "v"}}
    first = run([cm], tmp_path)
    assert first.compiled >= 1 and first.loaded_from_cache == 0
    second = run([cm], tmp_path)
    assert second.compiled == 0 and second.loaded_from_cache >= 1


def test_unknown_kube_version() -> None:
    with pytest.raises(UnknownKubeVersion, match="ships"):
        resolve_kube_version("1.2")
    assert resolve_kube_version("v1.36.2") == "1.36"
    with pytest.raises(UnknownKubeVersion, match=r"1\.36, 1\.37"):
        resolve_kube_version("1.30")
