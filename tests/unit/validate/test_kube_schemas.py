"""The built-in schemas generated from the Kubernetes OpenAPI (scripts/generate_kube_schemas.py):
reproducible (`--check` fails when stale, on small pinned module zips made here, no network),
and read as validate and drift need them."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest

from fluxops.validate.builtin import BuiltinSchemas, kube_versions

pytestmark = pytest.mark.unit
ROOT = Path(__file__).resolve().parents[3]
SCRIPT = ROOT / "scripts" / "generate_kube_schemas.py"
SWAGGER: dict[str, Any] = {
    "definitions": {
        "io.k8s.api.example.v1.Widget": {
            "description": "a widget",
            "type": "object",
            "required": ["spec"],
            "properties": {
                "apiVersion": {"type": "string"},
                "kind": {"type": "string"},
                "description": {"type": "string"},
                "spec": {"$ref": "#/definitions/io.k8s.api.example.v1.WidgetSpec"},
            },
            "x-kubernetes-group-version-kind": [
                {"group": "example.k8s.io", "version": "v1", "kind": "Widget"}
            ],
        },
        "io.k8s.api.example.v1.WidgetSpec": {
            "type": "object",
            "properties": {
                "port": {"$ref": "#/definitions/io.k8s.apimachinery.pkg.util.intstr.IntOrString"}
            },
        },
        "io.k8s.apimachinery.pkg.util.intstr.IntOrString": {
            "type": "string",
            "format": "int-or-string",
        },
    }
}


def make_zips(folder: Path, swagger: dict[str, Any]) -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("generate_kube_schemas", SCRIPT)
    assert spec is not None and spec.loader is not None
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    module: str = script.MODULE
    releases: tuple[str, ...] = script.RELEASES
    folder.mkdir(exist_ok=True)
    for version in releases:
        with zipfile.ZipFile(folder / f"{module.replace('/', '_')}@{version}.zip", "w") as zf:
            zf.writestr(f"{module}@{version}/LICENSE", "Apache License 2.0 (test)\n")
            zf.writestr(f"{module}@{version}/api/openapi-spec/swagger.json", json.dumps(swagger))


def generate(tmp_path: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    args = ["--zips", str(tmp_path / "zips"), "--out", str(tmp_path / "out"), *extra]
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args], capture_output=True, text=True, check=False
    )


def test_generation_is_reproducible_and_check_fails_when_stale(tmp_path: Path) -> None:
    make_zips(tmp_path / "zips", SWAGGER)
    assert generate(tmp_path).returncode == 0
    first = {p.name: p.read_bytes() for p in (tmp_path / "out").iterdir()}
    assert generate(tmp_path, "--check").returncode == 0
    index = json.loads(first["index.json"])
    kinds = next(iter(index["releases"].values()))["kinds"]
    assert kinds == {"example.k8s.io/v1/Widget": "io.k8s.api.example.v1.Widget"}
    changed = json.loads(json.dumps(SWAGGER))
    changed["definitions"]["io.k8s.api.example.v1.WidgetSpec"]["properties"]["size"] = {
        "type": "integer"
    }
    make_zips(tmp_path / "zips", changed)
    stale = generate(tmp_path, "--check")
    assert stale.returncode == 1 and ".json.gz" in stale.stdout


def test_shipped_releases_and_strictness() -> None:
    assert kube_versions() == ["1.36", "1.37"]
    strict = BuiltinSchemas("1.37", strict=True).lookup("v1", "ConfigMap")
    loose = BuiltinSchemas("1.37", strict=False).lookup("v1", "ConfigMap")
    assert strict is not None and loose is not None
    assert strict["additionalProperties"] is False and "additionalProperties" not in loose
    assert strict["properties"]["kind"]["enum"] == ["ConfigMap"]
    assert BuiltinSchemas("1.37", strict=True).lookup("v1", "Widget") is None
    # a property named `description` is a field, not documentation (PriorityClass has one)
    priority = BuiltinSchemas("1.37", strict=True).lookup("scheduling.k8s.io/v1", "PriorityClass")
    assert priority is not None and "description" in priority["properties"]
    crd = BuiltinSchemas("1.37", strict=True).lookup(
        "apiextensions.k8s.io/v1", "CustomResourceDefinition"
    )
    assert crd is not None
    props = crd["definitions"]["io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSON"]
    assert "additionalProperties" not in props  # preserve-unknown-fields stays open
