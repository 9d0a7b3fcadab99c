"""CRDs one cluster renders validate only that cluster's objects (a Flux release vendored for
one cluster must not judge another's Kustomizations)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from fluxops.model.resource import Origin, Resource
from fluxops.model.results import BuildResult, KustomizationBuild
from fluxops.validate.build_objects import validate_build
from fluxops.validate.builtin import BuiltinSchemas, resolve_kube_version
from fluxops.validate.catalog import SchemaCatalog
from fluxops.validate.validator import ValidateOptions

pytestmark = pytest.mark.unit

OLD_CRD: dict[str, Any] = {
    "apiVersion": "apiextensions.k8s.io/v1",
    "kind": "CustomResourceDefinition",
    "metadata": {"name": "kustomizations.kustomize.toolkit.fluxcd.io"},
    "spec": {
        "group": "kustomize.toolkit.fluxcd.io",
        "names": {"kind": "Kustomization", "plural": "kustomizations"},
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
                                "properties": {
                                    "sourceRef": {
                                        "type": "object",
                                        "properties": {
                                            "kind": {
                                                "type": "string",
                                                "enum": ["GitRepository", "OCIRepository"],
                                            }
                                        },
                                    }
                                },
                            }
                        },
                    }
                },
            }
        ],
    },
}


def kustomization(name: str, source_kind: str) -> dict[str, Any]:
    return {
        "apiVersion": "kustomize.toolkit.fluxcd.io/v1",
        "kind": "Kustomization",
        "metadata": {"name": name, "namespace": "flux-system"},
        "spec": {
            "interval": "1h",
            "prune": True,
            "path": "./",
            "sourceRef": {"kind": source_kind, "name": "apps"},
        },
    }


def build(cluster: str, objects: list[dict[str, Any]]) -> KustomizationBuild:
    ks = Resource(
        raw=kustomization("flux-system", "GitRepository"),
        origin=Origin(f"{cluster}/flux-system/gotk-sync.yaml", 0, 1),
    )
    out = KustomizationBuild(cluster=cluster, kustomization=ks)
    out.objects = [
        Resource(raw=o, origin=Origin(f"{cluster}/file-{i}.yaml", 0, 1))
        for i, o in enumerate(objects)
    ]
    return out


def findings_per_object(tmp_path: Path, builds: list[KustomizationBuild]) -> dict[str, list[str]]:
    version = resolve_kube_version(None)
    catalog = SchemaCatalog(BuiltinSchemas(version, strict=False), strict=False)
    options = ValidateOptions(kube_version=version, cache_dir=tmp_path / "cache")
    result = validate_build(BuildResult(builds=builds), [], catalog, options, lambda _: None)
    out: dict[str, list[str]] = {}
    for f in result.findings:
        out.setdefault(f.object or "", []).append(f.message)
    return out


def test_a_vendored_crd_judges_only_its_own_cluster(tmp_path: Path) -> None:
    old = build("clusters/old", [OLD_CRD, kustomization("legacy", "ExternalArtifact")])
    new = build("clusters/new", [kustomization("apps", "ExternalArtifact")])
    found = findings_per_object(tmp_path, [old, new])
    # the old cluster's own CRD rejects the kind it does not know...
    assert any(
        "ExternalArtifact" in m
        for m in found["Kustomization/flux-system/legacy (kustomize.toolkit.fluxcd.io/v1)"]
    )
    # ...and the new cluster is judged by the Flux CRDs fluxops ships, which know it
    assert "Kustomization/flux-system/apps (kustomize.toolkit.fluxcd.io/v1)" not in found


def test_without_the_vendored_crd_the_packaged_one_applies(tmp_path: Path) -> None:
    found = findings_per_object(
        tmp_path, [build("clusters/old", [kustomization("legacy", "ExternalArtifact")])]
    )
    assert "Kustomization/flux-system/legacy (kustomize.toolkit.fluxcd.io/v1)" not in found
