#!/usr/bin/env python3
"""Generate the bundled CRD catalog: the CRDs of the operators most used in Flux repositories.

Input: each operator's Go module, fetched through the Go module proxy only
(`go mod download -json MODULE@VERSION`; the module zip is read in place, nothing is built or
run), at the version pinned in SOURCES below; the CRD manifests are the files the project itself
publishes in that module (paths below).
Output: src/fluxops/data/catalog/
  <group>.json.gz   every CRD of one API group: kind, scope, and per version its
                    openAPIV3Schema (documentation stripped, as the Flux CRDs are), served,
                    deprecated; gzip with a fixed timestamp, so the bytes are reproducible;
  index.json        group -> file, source, kinds and versions (read without opening the gz);
  SOURCE.md         module, version, license and paths of every source;
  licenses/         each source's license file, as the module ships it.

Usage:
  scripts/generate_catalog.py                 regenerate (needs the Go module proxy)
  scripts/generate_catalog.py --check         exit 1 when the committed files are stale
  scripts/generate_catalog.py --zips DIR      read DIR/<module path with / as _>@<version>.zip
                                              instead of asking `go mod download`
  scripts/generate_catalog.py --sources FILE  a JSON list of sources instead of SOURCES
  scripts/generate_catalog.py --out DIR       write (or check) DIR instead of the package data
"""

from __future__ import annotations

import argparse
import fnmatch
import gzip
import io
import json
import subprocess
import sys
import zipfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from fluxops.goyaml.reader import GoLoader  # noqa: E402
from fluxops.validate.crds import crd_versions, is_crd  # noqa: E402

OUT = ROOT / "src" / "fluxops" / "data" / "catalog"
FORMAT = 1


@dataclass(frozen=True)
class Source:
    name: str
    module: str
    version: str
    license: str
    paths: tuple[str, ...]
    license_file: str = "LICENSE"
    #: Helm charts that install this release, versioned like it (a HelmRelease pinning another
    #: version of one gets a note: the bundled CRDs may differ from the installed ones)
    charts: tuple[str, ...] = ()


#: Chosen by counting the kinds of the fixture repositories (../shared/fixtures/repos) and what
#: homelab repositories install; each must be served by the Go module proxy.
SOURCES = (
    Source(
        "prometheus-operator",
        "github.com/prometheus-operator/prometheus-operator",
        "v0.85.0",
        "Apache-2.0",
        ("example/prometheus-operator-crd/*.yaml",),
    ),
    Source(
        "external-secrets",
        "github.com/external-secrets/external-secrets",
        "v1.3.2",
        "Apache-2.0",
        ("config/crds/bases/*.yaml",),
        charts=("external-secrets",),
    ),
    Source(
        "gateway-api",
        "sigs.k8s.io/gateway-api",
        "v1.7.0",
        "Apache-2.0",
        ("config/crd/experimental/gateway.networking.*.yaml",),
    ),
    Source(
        "cert-manager",
        "github.com/cert-manager/cert-manager",
        "v1.21.2",
        "Apache-2.0",
        ("deploy/crds/*.yaml",),
        charts=("cert-manager",),
    ),
    Source(
        "cilium",
        "github.com/cilium/cilium",
        "v1.20.2",
        "Apache-2.0",
        (
            "pkg/k8s/apis/cilium.io/client/crds/v2/*.yaml",
            "pkg/k8s/apis/cilium.io/client/crds/v2alpha1/*.yaml",
        ),
        charts=("cilium",),
    ),
    Source(
        "envoy-gateway",
        "github.com/envoyproxy/gateway",
        "v1.9.1",
        "Apache-2.0",
        ("charts/gateway-helm/charts/crds/crds/generated/*.yaml",),
        charts=("gateway-helm", "gateway-crds-helm"),
    ),
    Source(
        "kyverno",
        "github.com/kyverno/kyverno",
        "v1.19.1",
        "Apache-2.0",
        (
            "config/crds/kyverno/*.yaml",
            "config/crds/policies.kyverno.io/*.yaml",
            "config/crds/policyreport/*.yaml",
            "config/crds/reports/*.yaml",
        ),
    ),
    Source(
        "external-snapshotter",
        "github.com/kubernetes-csi/external-snapshotter/client/v8",
        "v8.7.0",
        "Apache-2.0",
        ("config/crd/*storage.k8s.io_*.yaml",),
    ),
    Source(
        "external-dns",
        "sigs.k8s.io/external-dns",
        "v0.23.0",
        "Apache-2.0",
        ("config/crd/standard/*.yaml",),
        "LICENSE.md",
    ),
    Source(
        "node-feature-discovery",
        "sigs.k8s.io/node-feature-discovery",
        "v0.17.3",
        "Apache-2.0",
        ("deployment/base/nfd-crds/nfd-api-crds.yaml",),
        charts=("node-feature-discovery",),
    ),
    Source(
        "tailscale",
        "tailscale.com",
        "v1.104.7",
        "BSD-3-Clause",
        ("cmd/k8s-operator/deploy/crds/*.yaml",),
        charts=("tailscale-operator",),
    ),
    Source(
        "keda",
        "github.com/kedacore/keda/v2",
        "v2.21.1",
        "Apache-2.0",
        ("config/crd/bases/*.yaml",),
        charts=("keda",),
    ),
    Source(
        "traefik",
        "github.com/traefik/traefik/v3",
        "v3.7.13",
        "MIT",
        ("docs/content/reference/dynamic-configuration/traefik.io_*.yaml",),
        "LICENSE.md",
    ),
    Source(
        "velero",
        "github.com/vmware-tanzu/velero",
        "v1.18.3",
        "Apache-2.0",
        ("config/crd/v1/bases/*.yaml", "config/crd/v2alpha1/bases/*.yaml"),
    ),
    Source(
        "trust-manager",
        "github.com/cert-manager/trust-manager",
        "v0.25.0",
        "Apache-2.0",
        ("deploy/crds/*.yaml",),
        charts=("trust-manager",),
    ),
    Source(
        "vertical-pod-autoscaler",
        "k8s.io/autoscaler/vertical-pod-autoscaler",
        "v1.8.1",
        "Apache-2.0",
        ("deploy/vpa-v1-crd-gen.yaml",),
    ),
    Source(
        "sealed-secrets",
        "github.com/bitnami-labs/sealed-secrets",
        "v0.40.0",
        "Apache-2.0",
        ("helm/sealed-secrets/crds/*.yaml",),
    ),
    Source(
        "gatekeeper",
        "github.com/open-policy-agent/gatekeeper/v3",
        "v3.23.1",
        "Apache-2.0",
        ("charts/gatekeeper/crds/*.yaml",),
        charts=("gatekeeper",),
    ),
    Source(
        "frr-k8s",
        "github.com/metallb/frr-k8s",
        "v0.0.21",
        "Apache-2.0",
        ("config/crd/bases/*.yaml",),
    ),
    Source(
        "istio",
        "istio.io/api",
        "v1.32.0",
        "Apache-2.0",
        ("kubernetes/customresourcedefinitions.gen.yaml",),
    ),
    Source(
        "flagger",
        "github.com/fluxcd/flagger",
        "v1.36.1",
        "Apache-2.0",
        ("artifacts/flagger/crd.yaml",),
        charts=("flagger",),
    ),
    Source(
        "grafana-operator",
        "github.com/grafana/grafana-operator/v5",
        "v5.24.0",
        "Apache-2.0",
        ("config/crd/bases/grafana.integreatly.org_*.yaml",),
        charts=("grafana-operator",),
    ),
    Source(
        # The NetworkAttachmentDefinition CRD of the Network Plumbing Working Group's
        # specification, which multus installs.
        "network-attachment-definition",
        "github.com/k8snetworkplumbingwg/network-attachment-definition-client",
        "v1.7.7",
        "Apache-2.0",
        ("artifacts/networks-crd.yaml",),
    ),
)


def zip_name(module: str, version: str) -> str:
    return f"{module.replace('/', '_')}@{version}.zip"


def module_zip(source: Source, zips: Path | None) -> Path:
    """The module zip: from DIR when given, else `go mod download -json` (the Go module proxy)."""
    if zips is not None:
        return zips / zip_name(source.module, source.version)
    proc = subprocess.run(
        ["go", "mod", "download", "-json", f"{source.module}@{source.version}"],
        capture_output=True,
        text=True,
        check=False,
        env={**__import__("os").environ, "GOFLAGS": "-mod=mod", "GOTOOLCHAIN": "local"},
    )
    info = json.loads(proc.stdout or "{}")
    # A module that needs a newer Go still has its zip downloaded (and verified): that is enough.
    if not info.get("Zip"):
        raise SystemExit(f"{source.module}@{source.version}: {info.get('Error') or proc.stderr}")
    return Path(info["Zip"])


def read_module(source: Source, path: Path) -> tuple[dict[str, str], str]:
    """(relative path -> text of each CRD file, license text) from the module zip."""
    prefix = f"{source.module}@{source.version}/"
    files: dict[str, str] = {}
    license_text = ""
    with zipfile.ZipFile(path) as archive:
        for name in sorted(archive.namelist()):
            if not name.startswith(prefix):
                continue
            rel = name[len(prefix) :]
            if rel == source.license_file:
                license_text = archive.read(name).decode("utf-8")
            if any(fnmatch.fnmatchcase(rel, pattern) for pattern in source.paths):
                files[rel] = archive.read(name).decode("utf-8")
    if not files:
        raise SystemExit(f"{source.name}: no file matches {source.paths}")
    if not license_text:
        raise SystemExit(f"{source.name}: no {source.license_file} in the module")
    return files, license_text


def gz(data: str) -> bytes:
    buffer = io.BytesIO()
    with gzip.GzipFile(fileobj=buffer, mode="wb", mtime=0, compresslevel=9) as handle:
        handle.write(data.encode("utf-8"))
    return buffer.getvalue()


def dumps(value: object) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":")) + "\n"


def generate(sources: tuple[Source, ...], zips: Path | None) -> dict[str, bytes]:
    """Relative path -> bytes of every file of the catalog."""
    groups: dict[str, dict[str, Any]] = {}
    owner: dict[str, str] = {}
    out: dict[str, bytes] = {}
    rows = []
    for source in sources:
        files, license_text = read_module(source, module_zip(source, zips))
        out[f"licenses/{source.name}.txt"] = license_text.encode("utf-8")
        found_groups: set[str] = set()
        for rel, text in files.items():
            for doc in yaml.load_all(text, Loader=GoLoader):
                if not isinstance(doc, dict) or not is_crd(doc):
                    continue
                versions = [v for v in crd_versions(doc, rel) if v.schema is not None]
                if not versions:
                    continue
                group = versions[0].group
                if owner.setdefault(group, source.name) != source.name:
                    continue  # the first source of a group wins
                found_groups.add(group)
                slot = groups.setdefault(
                    group, {"group": group, "source": source.name, "kinds": {}}
                )
                names = doc["spec"].get("names") or {}
                storage = {
                    str(v.get("name")): v.get("storage") is True
                    for v in doc["spec"].get("versions") or []
                    if isinstance(v, dict)
                }
                slot["kinds"][versions[0].kind] = {
                    "kind": versions[0].kind,
                    "plural": names.get("plural", ""),
                    "scope": versions[0].scope,
                    "file": rel,
                    "versions": [
                        {
                            "name": v.version,
                            "served": v.served,
                            "storage": storage.get(v.version, False),
                            "deprecated": v.deprecated,
                            "deprecationWarning": v.deprecation_warning,
                            "schema": v.schema,
                        }
                        for v in versions
                    ],
                }
        rows.append((source, sorted(files), sorted(found_groups)))
    index: dict[str, Any] = {"format": FORMAT, "groups": {}, "sources": {}}
    for group, data in sorted(groups.items()):
        kinds = [data["kinds"][k] for k in sorted(data["kinds"])]
        out[f"{group}.json.gz"] = gz(dumps({**data, "kinds": kinds}))
        index["groups"][group] = {
            "file": f"{group}.json.gz",
            "source": data["source"],
            "kinds": {k["kind"]: [v["name"] for v in k["versions"] if v["served"]] for k in kinds},
        }
    for source, _, _ in rows:
        entry = {k: v for k, v in asdict(source).items() if k != "paths"}
        index["sources"][source.name] = {**entry, "paths": list(source.paths)}
    out["index.json"] = dumps(index).encode("utf-8")
    out["SOURCE.md"] = source_md(rows).encode("utf-8")
    return out


def source_md(rows: list[tuple[Source, list[str], list[str]]]) -> str:
    lines = [
        "# Bundled CRD catalog",
        "",
        "The CustomResourceDefinitions of the operators most used in Flux repositories, as each "
        "project publishes them in its Go module. Written by `scripts/generate_catalog.py` "
        "through the Go module proxy only (`go mod download -json MODULE@VERSION`, the zip read "
        "in place); do not edit these files, re-run the script (`--check` tells when they are "
        "stale). Each `<group>.json.gz` keeps the schemas with their documentation stripped; "
        "each source's license is in `licenses/<source>.txt`.",
        "",
        "| source | Go module | version | license | paths | API groups |",
        "|---|---|---|---|---|---|",
    ]
    for source, files, groups in rows:
        lines.append(
            f"| {source.name} | `{source.module}` | {source.version} | {source.license} | "
            + "<br>".join(f"`{f}`" for f in files)
            + " | "
            + ", ".join(f"`{g}`" for g in groups)
            + " |"
        )
    lines += [
        "",
        "Only sources under a permissive license are bundled. flux-operator (FluxInstance,"
        " ResourceSet) and kopiur (SnapshotPolicy, SnapshotSchedule, Restore,"
        " ClusterRepository) are AGPL-3.0 and are left out: validate those with `--crds`,"
        " `--crds-from-cluster` or `--schema-location`.",
        "",
    ]
    return "\n".join(lines)


def stale(expected: dict[str, bytes], out: Path) -> list[str]:
    present = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    problems = [
        f"missing or different: {rel}"
        for rel, data in sorted(expected.items())
        if not (out / rel).is_file() or (out / rel).read_bytes() != data
    ]
    problems += [f"not generated: {rel}" for rel in sorted(present - expected.keys())]
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--check", action="store_true")
    parser.add_argument("--zips", type=Path)
    parser.add_argument("--sources", type=Path)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    sources = SOURCES
    if args.sources is not None:
        raw = json.loads(args.sources.read_text(encoding="utf-8"))
        sources = tuple(Source(**{**s, "paths": tuple(s["paths"])}) for s in raw)
    expected = generate(sources, args.zips)
    if args.check:
        problems = stale(expected, args.out)
        for problem in problems:
            print(problem)
        if problems:
            print("the catalog is stale: run scripts/generate_catalog.py")
            return 1
        print(f"catalog up to date ({len(expected)} files)")
        return 0
    if args.out.exists():
        for old in sorted(args.out.rglob("*"), reverse=True):
            if old.is_file():
                old.unlink()
    for rel, data in expected.items():
        target = args.out / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    print(f"wrote {len(expected)} files to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
