#!/usr/bin/env python3
"""Generate the built-in Kubernetes schemas from the Kubernetes OpenAPI.

Input: `api/openapi-spec/swagger.json` of the Go module `k8s.io/kubernetes` at each release in
RELEASES, fetched through the Go module proxy only (`go mod download -json MODULE@VERSION`, the
zip read in place).
Output: src/fluxops/data/kube/
  v<minor>.json.gz   the OpenAPI definitions of that release as JSON Schema (`$defs`), as
                     validate and drift read them: documentation stripped; every `type` also
                     allows null (the API server treats null as unset); IntOrString and Quantity
                     as `oneOf` string/integer and string/number; `apiVersion` and `kind` of each
                     kind as enums; `x-kubernetes-*` and `format` kept. Strictness (no unknown
                     fields) is applied when loading;
  index.json         releases, and per release its kinds: (group, version, kind) -> definition;
  SOURCE.md          module, version, license.

Usage: scripts/generate_kube_schemas.py [--check] [--zips DIR]
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "src" / "fluxops" / "data" / "kube"
MODULE = "k8s.io/kubernetes"
RELEASES = ("v1.36.3", "v1.37.2")
INT_OR_STRING = "io.k8s.apimachinery.pkg.util.intstr.IntOrString"
QUANTITY = "io.k8s.apimachinery.pkg.api.resource.Quantity"
DROP = frozenset({"description", "example", "examples", "title", "default", "$comment"})


def module_zip(version: str, zips: Path | None) -> Path:
    if zips is not None:
        return zips / f"{MODULE.replace('/', '_')}@{version}.zip"
    proc = subprocess.run(
        ["go", "mod", "download", "-json", f"{MODULE}@{version}"],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "GOFLAGS": "-mod=mod", "GOTOOLCHAIN": "local"},
    )
    info = json.loads(proc.stdout or "{}")
    if not info.get("Zip"):
        raise SystemExit(f"{MODULE}@{version}: {info.get('Error') or proc.stderr}")
    return Path(info["Zip"])


def _nullable(kind: Any) -> Any:
    if isinstance(kind, str):
        return [kind, "null"]
    return kind


def convert(node: Any, *, names: bool = False) -> Any:
    """One OpenAPI v2 schema node as JSON Schema (see the module docstring)."""
    if isinstance(node, list):
        return [convert(v) for v in node]
    if not isinstance(node, dict):
        return node
    if names:
        return {k: convert(v) for k, v in node.items()}
    ref = node.get("$ref")
    if isinstance(ref, str):
        kept = {k: v for k, v in node.items() if k.startswith("x-kubernetes-")}
        return {"$ref": ref.replace("#/definitions/", "#/$defs/"), **kept}
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key in DROP:
            continue
        if key == "properties" and isinstance(value, dict):
            out[key] = convert(value, names=True)
        elif key == "type":
            out[key] = _nullable(value)
        elif isinstance(value, dict | list) and not key.startswith("x-kubernetes-"):
            out[key] = convert(value)
        else:
            out[key] = value
    for name in node.get("required") or []:  # a required field may not be null
        prop = out.get("properties", {}).get(name)
        if isinstance(prop, dict) and isinstance(prop.get("type"), list):
            prop["type"] = prop["type"][0]
    return out


def definitions(swagger: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """($defs, "group/version/Kind" -> definition name)."""
    defs: dict[str, Any] = {}
    kinds: dict[str, str] = {}
    for name, schema in sorted(swagger["definitions"].items()):
        if name == INT_OR_STRING:
            defs[name] = {"oneOf": [{"type": ["string", "null"]}, {"type": ["integer", "null"]}]}
            continue
        if name == QUANTITY:
            defs[name] = {"oneOf": [{"type": ["string", "null"]}, {"type": ["number", "null"]}]}
            continue
        body = convert(schema)
        gvks = schema.get("x-kubernetes-group-version-kind") or []
        props = body.get("properties")
        if gvks and isinstance(props, dict) and "apiVersion" in props and "kind" in props:
            versions = [
                f"{g['group']}/{g['version']}" if g["group"] else g["version"] for g in gvks
            ]
            props["apiVersion"] = {**props["apiVersion"], "enum": versions}
            props["kind"] = {**props["kind"], "enum": sorted({g["kind"] for g in gvks})}
            for g in gvks:
                kinds.setdefault(f"{g['group']}/{g['version']}/{g['kind']}", name)
        defs[name] = body
    return defs, kinds


def gz(data: str) -> bytes:
    buffer = io.BytesIO()
    with gzip.GzipFile(fileobj=buffer, mode="wb", mtime=0, compresslevel=9) as handle:
        handle.write(data.encode("utf-8"))
    return buffer.getvalue()


def dumps(value: object) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":")) + "\n"


def generate(zips: Path | None) -> dict[str, bytes]:
    out: dict[str, bytes] = {}
    index: dict[str, Any] = {"module": MODULE, "releases": {}}
    license_text = ""
    for version in RELEASES:
        prefix = f"{MODULE}@{version}/"
        with zipfile.ZipFile(module_zip(version, zips)) as archive:
            swagger = json.loads(archive.read(prefix + "api/openapi-spec/swagger.json"))
            license_text = archive.read(prefix + "LICENSE").decode("utf-8")
        defs, kinds = definitions(swagger)
        minor = ".".join(version.lstrip("v").split(".")[:2])
        out[f"v{minor}.json.gz"] = gz(dumps({"$defs": defs}))
        index["releases"][minor] = {"version": version, "file": f"v{minor}.json.gz", "kinds": kinds}
    out["index.json"] = dumps(index).encode("utf-8")
    out["LICENSE"] = license_text.encode("utf-8")
    out["SOURCE.md"] = (
        "# Built-in Kubernetes schemas\n\n"
        "The OpenAPI definitions (`api/openapi-spec/swagger.json`) of the Go module "
        f"`{MODULE}` at {', '.join(RELEASES)}, converted to JSON Schema by "
        "`scripts/generate_kube_schemas.py` (documentation stripped), fetched through the Go "
        "module proxy only. License: Apache-2.0 (`LICENSE`). Do not edit: re-run the script "
        "(`--check` fails when these files are stale).\n"
    ).encode()
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--check", action="store_true")
    parser.add_argument("--zips", type=Path)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    expected = generate(args.zips)
    if args.check:
        stale = [
            rel
            for rel, data in sorted(expected.items())
            if not (args.out / rel).is_file() or (args.out / rel).read_bytes() != data
        ]
        for rel in stale:
            print(f"missing or different: {rel}")
        return 1 if stale else 0
    args.out.mkdir(parents=True, exist_ok=True)
    for rel, data in expected.items():
        (args.out / rel).write_bytes(data)
    print(f"wrote {len(expected)} files to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
