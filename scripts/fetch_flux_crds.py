#!/usr/bin/env python3
"""Fetch the Flux CRDs of the current Flux release into src/fluxops/data/crds/flux/.

Only the Go module proxy is used (through `go mod download -json` and `go list -m -versions`):

1. Find the newest github.com/fluxcd/flux2/v2 v2.x release (or take --flux-version).
2. Read which controller releases it ships from its manifests/bases/<controller>/kustomization.yaml
   (the release-asset URLs), and check them against the controllers' `.../api` modules that the
   flux2 go.mod requires.
3. For each controller, download its Go module and copy every CRD from config/crd/bases/*.yaml,
   byte for byte, one file per CRD.
4. A controller module the proxy refuses to serve (some module proxies serve only an allow-list)
   cannot be copied. Then its CRDs are regenerated the way upstream generates them: controller-gen
   (at the version the controllers' Makefiles pin) with the controllers' CRD_OPTIONS over the
   published `.../api` module of the same version. Before trusting that, the same regeneration is
   run for every controller that *was* downloadable and must reproduce its config/crd/bases
   byte for byte; if it does not, the script stops.

Writes SOURCE.md (modules, versions, how each file was obtained, Apache-2.0) and LICENSE next to
the CRDs. Usage: scripts/fetch_flux_crds.py [--flux-version v2.9.5] [--out DIR]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "src" / "fluxops" / "data" / "crds" / "flux"
FLUX2 = "github.com/fluxcd/flux2/v2"
CONTROLLER_TOOLS = "sigs.k8s.io/controller-tools"
RELEASE_URL = re.compile(
    r"https://github\.com/fluxcd/(?P<name>[a-z-]+)/releases/download/(?P<version>v[0-9][^/]*)/"
    r"(?P=name)\.crds\.yaml"
)


class FetchError(Exception):
    pass


@dataclass
class Controller:
    name: str
    version: str
    module: str = ""
    api_module: str = ""
    files: dict[str, bytes] = field(default_factory=dict)
    how: str = ""
    sum: str = ""
    license: bytes = b""


def go_env() -> dict[str, str]:
    env = dict(os.environ)
    env.update(GOFLAGS="-mod=mod", GOTOOLCHAIN="local", CGO_ENABLED="0", GO111MODULE="on")
    return env


def run(cmd: list[str], cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, cwd=cwd, env=go_env(), capture_output=True, text=True, check=False)


def mod_download(path: str, version: str, cwd: Path) -> dict[str, str]:
    """`go mod download -json path@version`; the JSON has "Error" when the proxy refuses."""
    proc = run(["go", "mod", "download", "-json", f"{path}@{version}"], cwd=cwd)
    try:
        info: dict[str, str] = json.loads(proc.stdout)
    except json.JSONDecodeError as exc:
        raise FetchError(f"go mod download {path}@{version}: {proc.stderr.strip()}") from exc
    return info


def semver_key(v: str) -> tuple[int, ...]:
    m = re.match(r"v(\d+)\.(\d+)\.(\d+)$", v)
    return tuple(int(x) for x in m.groups()) if m else (-1,)


def newest_flux(cwd: Path) -> str:
    proc = run(["go", "list", "-m", "-versions", FLUX2], cwd=cwd)
    if proc.returncode != 0:
        raise FetchError(f"go list -m -versions {FLUX2}: {proc.stderr.strip()}")
    versions = [v for v in proc.stdout.split()[1:] if re.match(r"v2\.\d+\.\d+$", v)]
    if not versions:
        raise FetchError(f"no v2.x release of {FLUX2} in the module proxy")
    return max(versions, key=semver_key)


def module_path(name: str, version: str) -> str:
    major = int(version.lstrip("v").split(".")[0])
    return f"github.com/fluxcd/{name}" + (f"/v{major}" if major >= 2 else "")


def api_module_path(name: str, version: str) -> str:
    major = int(version.lstrip("v").split(".")[0])
    return f"github.com/fluxcd/{name}/api" + (f"/v{major}" if major >= 2 else "")


def controllers_of(flux_dir: Path) -> list[Controller]:
    found: dict[str, Controller] = {}
    for kfile in sorted((flux_dir / "manifests" / "bases").glob("*/kustomization.yaml")):
        for m in RELEASE_URL.finditer(kfile.read_text()):
            found[m["name"]] = Controller(m["name"], m["version"])
    if not found:
        raise FetchError(f"no controller release URLs found under {flux_dir}/manifests/bases")
    gomod = (flux_dir / "go.mod").read_text()
    for c in found.values():
        c.module = module_path(c.name, c.version)
        c.api_module = api_module_path(c.name, c.version)
        m = re.search(rf"^\s*{re.escape(c.api_module)} (v\S+)", gomod, re.M)
        if m and m[1] != c.version:
            raise FetchError(
                f"flux2 ships {c.name} {c.version} but its go.mod requires {c.api_module} {m[1]}"
            )
    return sorted(found.values(), key=lambda c: c.name)


def read_bases(module_dir: Path) -> dict[str, bytes]:
    bases = module_dir / "config" / "crd" / "bases"
    files = {
        p.name: p.read_bytes()
        for p in sorted(bases.glob("*.yaml"))
        if b"kind: CustomResourceDefinition" in p.read_bytes()
    }
    if not files:
        raise FetchError(f"no CRDs in {bases}")
    for name, data in files.items():
        if data.count(b"kind: CustomResourceDefinition") != 1:
            raise FetchError(f"{bases / name} does not hold exactly one CRD")
    return files


def controller_gen_version(downloaded: list[tuple[Controller, Path]]) -> str:
    versions = set()
    for _c, d in downloaded:
        m = re.search(r"^CONTROLLER_GEN_VERSION \?= (v\S+)", (d / "Makefile").read_text(), re.M)
        if m:
            versions.add(m[1])
    if len(versions) != 1:
        raise FetchError(
            f"cannot tell which controller-gen the Flux controllers use (found {sorted(versions)})"
        )
    return versions.pop()


def build_controller_gen(version: str, work: Path) -> Path:
    gobin = work / "bin"
    mod = work / "controller-gen-mod"
    mod.mkdir(parents=True)
    run(["go", "mod", "init", "tmp"], cwd=mod)
    env_bin = dict(go_env(), GOBIN=str(gobin))
    proc = subprocess.run(
        ["go", "install", f"{CONTROLLER_TOOLS}/cmd/controller-gen@{version}"],
        cwd=mod,
        env=env_bin,
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        raise FetchError(f"go install controller-gen@{version}: {proc.stderr.strip()}")
    return gobin / "controller-gen"


def regenerate(c: Controller, gen: Path, work: Path) -> dict[str, bytes]:
    """Regenerate the CRDs from the published api module, as the controller's `make manifests`."""
    info = mod_download(c.api_module, c.version, work)
    if info.get("Error"):
        raise FetchError(f"go mod download {c.api_module}@{c.version}: {info['Error']}")
    src = work / f"api-{c.name}"
    shutil.copytree(info["Dir"], src)
    for p in [src, *src.rglob("*")]:
        p.chmod(p.stat().st_mode | 0o200)
    out = work / f"crds-{c.name}"
    proc = run(
        [str(gen), "crd:crdVersions=v1", "paths=./...", f"output:crd:artifacts:config={out}"],
        cwd=src,
    )
    if proc.returncode != 0:
        raise FetchError(f"controller-gen over {c.api_module}@{c.version}: {proc.stderr.strip()}")
    return {p.name: p.read_bytes() for p in sorted(out.glob("*.yaml"))}


def write_source_md(out: Path, flux_version: str, ctrls: list[Controller], gen: str | None) -> None:
    lines = [
        "# Flux CRDs",
        "",
        f"The CustomResourceDefinitions of **Flux {flux_version}** "
        f"(`{FLUX2}@{flux_version}`, whose `manifests/bases/*/kustomization.yaml` pin the "
        "controller releases below), one file per CRD, as each controller's "
        "`config/crd/bases/` holds them.",
        "",
        "Written by `scripts/fetch_flux_crds.py` through the Go module proxy only "
        "(`go mod download -json MODULE@VERSION`). Re-run it to update; do not edit these files.",
        "",
        "| controller | Go module | version | files | obtained |",
        "|---|---|---|---|---|",
    ]
    for c in ctrls:
        files = "<br>".join(f"`{n}`" for n in sorted(c.files))
        lines.append(f"| {c.name} | `{c.module}` | {c.version} | {files} | {c.how} |")
    lines += [
        "",
        "*copied*: from the module zip's `config/crd/bases/` (module checksum given).",
    ]
    if gen:
        lines += [
            f"*regenerated*: the module proxy refused the controller module, so the files were "
            f"generated by `controller-gen {gen}` (the version the controllers' Makefiles pin) "
            "with `crd:crdVersions=v1 paths=./...` over the published `.../api` module of the same "
            "version, as the controller's `make manifests` does. The same regeneration reproduced "
            "the copied controllers' `config/crd/bases` byte for byte in the same run.",
        ]
    lines += [
        "",
        "## License",
        "",
        "Copyright The Flux authors. Licensed under the Apache License, Version 2.0 "
        "(see `LICENSE` in this directory, copied from the controller modules); "
        "redistributed here unmodified.",
        "",
    ]
    (out / "SOURCE.md").write_text("\n".join(lines))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--flux-version", help="flux2 release (default: newest v2.x in the proxy)")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = ap.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="fetch-flux-crds-") as tmp:
        work = Path(tmp)
        flux_version = args.flux_version or newest_flux(work)
        info = mod_download(FLUX2, flux_version, work)
        if info.get("Error"):
            raise FetchError(f"go mod download {FLUX2}@{flux_version}: {info['Error']}")
        print(f"flux2 {flux_version}", file=sys.stderr)
        ctrls = controllers_of(Path(info["Dir"]))

        downloaded: list[tuple[Controller, Path]] = []
        refused: list[Controller] = []
        for c in ctrls:
            mi = mod_download(c.module, c.version, work)
            if mi.get("Error"):
                print(
                    f"  {c.module}@{c.version}: refused ({mi['Error'].splitlines()[0]})",
                    file=sys.stderr,
                )
                refused.append(c)
                continue
            d = Path(mi["Dir"])
            c.files, c.how, c.sum = read_bases(d), f"copied (`{mi['Sum']}`)", mi["Sum"]
            c.license = (d / "LICENSE").read_bytes()
            downloaded.append((c, d))
            print(f"  {c.module}@{c.version}: {len(c.files)} CRDs copied", file=sys.stderr)

        gen_version: str | None = None
        if refused:
            if not downloaded:
                raise FetchError(
                    "the proxy refused every controller module; nothing to check against"
                )
            gen_version = controller_gen_version(downloaded)
            gen = build_controller_gen(gen_version, work)
            for c, _d in downloaded:
                again = regenerate(c, gen, work)
                if again != c.files:
                    differ = sorted(set(again) ^ set(c.files)) or [
                        n for n in c.files if again.get(n) != c.files[n]
                    ]
                    raise FetchError(
                        f"controller-gen {gen_version} over {c.api_module}@{c.version} does not "
                        f"reproduce config/crd/bases of {c.module} (differs: {differ}); refusing "
                        "to regenerate the CRDs of " + ", ".join(r.module for r in refused)
                    )
                print(f"  check: regenerated {c.name} CRDs are identical", file=sys.stderr)
            for c in refused:
                c.files = regenerate(c, gen, work)
                if not c.files:
                    raise FetchError(f"controller-gen produced no CRDs from {c.api_module}")
                api = mod_download(c.api_module, c.version, work)
                c.how = (
                    f"regenerated from `{c.api_module}@{c.version}` (`{api['Sum']}`) "
                    f"with controller-gen {gen_version}"
                )
                print(
                    f"  {c.api_module}@{c.version}: {len(c.files)} CRDs regenerated",
                    file=sys.stderr,
                )

        out: Path = args.out
        out.mkdir(parents=True, exist_ok=True)
        for old in out.glob("*.yaml"):
            old.unlink()
        seen: dict[str, str] = {}
        for c in ctrls:
            for name, data in c.files.items():
                if name in seen:
                    raise FetchError(f"{name} comes from both {seen[name]} and {c.name}")
                seen[name] = c.name
                (out / name).write_bytes(data)
        licenses = {hashlib.sha256(c.license).hexdigest(): c.license for c, _ in downloaded}
        if len(licenses) != 1:
            raise FetchError("the controller modules' LICENSE files differ")
        (out / "LICENSE").write_bytes(next(iter(licenses.values())))
        write_source_md(out, flux_version, ctrls, gen_version)
        print(f"wrote {len(seen)} CRDs to {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except FetchError as exc:
        print(f"fetch_flux_crds: {exc}", file=sys.stderr)
        sys.exit(1)
