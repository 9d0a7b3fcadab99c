"""The bundled CRD catalog (`data/catalog/`, made by `scripts/generate_catalog.py`): the CRDs
of the operators most used in Flux repositories, one gzipped JSON file per API group, read
only when an object of that group is validated."""

from __future__ import annotations

import gzip
import json
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Any

from fluxops.validate.crds import CrdVersion

CATALOG_DATA = ("data", "catalog")


def _base() -> Traversable:
    base = resources.files("fluxops")
    for part in CATALOG_DATA:
        base = base / part
    return base


@cache
def catalog_index() -> dict[str, Any]:
    """The catalog's index.json: groups (file, source, served versions per kind) and sources
    (module, version, license); empty when the package has no catalog."""
    index_file = _base() / "index.json"
    if not index_file.is_file():
        return {"groups": {}, "sources": {}}
    index: dict[str, Any] = json.loads(index_file.read_text(encoding="utf-8"))
    return index


def source_label(name: str) -> str:
    source = catalog_index()["sources"].get(name, {})
    version = source.get("version", "")
    return f"catalog: {name} {version}".rstrip()


@cache
def group_versions(group: str) -> tuple[CrdVersion, ...]:
    """Every CRD version of `group` in the catalog (none when the catalog lacks the group)."""
    entry = catalog_index()["groups"].get(group)
    if entry is None:
        return ()
    data = json.loads(gzip.decompress((_base() / entry["file"]).read_bytes()))
    label = source_label(data["source"])
    out = []
    for crd in data["kinds"]:
        for version in crd["versions"]:
            out.append(
                CrdVersion(
                    group=group,
                    kind=crd["kind"],
                    version=version["name"],
                    schema=version["schema"],
                    served=version.get("served", True),
                    deprecated=version.get("deprecated", False),
                    deprecation_warning=version.get("deprecationWarning", ""),
                    scope=crd.get("scope", "Namespaced"),
                    source=label,
                )
            )
    return tuple(out)


def crd_manifests(group: str) -> list[dict[str, Any]]:
    """The catalog's CRDs of `group` as installable CustomResourceDefinitions (documentation
    stripped): for a test cluster, or to compare with a cluster's own."""
    entry = catalog_index()["groups"].get(group)
    if entry is None:
        return []
    data = json.loads(gzip.decompress((_base() / entry["file"]).read_bytes()))
    out = []
    for crd in data["kinds"]:
        plural = crd.get("plural") or crd["kind"].lower() + "s"
        versions = [
            {
                "name": v["name"],
                "served": v.get("served", True),
                "storage": v.get("storage", False),
                "schema": {"openAPIV3Schema": v["schema"]},
                **({"deprecated": True} if v.get("deprecated") else {}),
            }
            for v in crd["versions"]
        ]
        out.append(
            {
                "apiVersion": "apiextensions.k8s.io/v1",
                "kind": "CustomResourceDefinition",
                "metadata": {"name": f"{plural}.{group}"},
                "spec": {
                    "group": group,
                    "names": {"kind": crd["kind"], "plural": plural},
                    "scope": crd.get("scope", "Namespaced"),
                    "versions": versions,
                },
            }
        )
    return out
