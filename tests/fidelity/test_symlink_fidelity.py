"""A repository with symlinks, built by fluxops and by Flux.

Flux never builds a checkout: source-controller archives it first, keeping regular files and
folders only, and kustomize-controller builds the archive. The real flux CLI makes the same
archive (`flux build artifact`, fluxcd/pkg's tar builder), so Flux's side here is: archive the
repo with flux, extract it, `flux build kustomization` on the extract. fluxops builds the
checkout itself, symlinks and all, and must come out the same: a Kustomization that relies on
a symlinked base fails in both, one whose folder holds a symlinked manifest renders the same
objects in both (without it). `flux build` run directly on the checkout follows the symlinks:
that is the local-kustomize behaviour the repo-symlink lint rule warns about, shown below.
"""

from __future__ import annotations

import json
import subprocess
import tarfile
from pathlib import Path
from typing import Any

import pytest
import yaml

from .harness_build import FluxCli

pytestmark = pytest.mark.fidelity

CM = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\n  namespace: default\ndata:\n  a: b\n"


def _ks(name: str, path: str) -> dict[str, Any]:
    return {
        "apiVersion": "kustomize.toolkit.fluxcd.io/v1",
        "kind": "Kustomization",
        "metadata": {"name": name, "namespace": "flux-system"},
        "spec": {
            "interval": "10m",
            "path": path,
            "prune": True,
            "sourceRef": {"kind": "GitRepository", "name": "flux-system"},
        },
    }


def _repo(root: Path) -> Path:
    files = {
        "shared/base/kustomization.yaml": "resources: [cm.yaml]\n",
        "shared/base/cm.yaml": CM.format(name="shared"),
        "apps/prod/kustomization.yaml": "resources: [base, local.yaml]\n",
        "apps/prod/local.yaml": CM.format(name="local"),
        "apps/loose/local.yaml": CM.format(name="loose"),
        "clusters/test/ks.yaml": yaml.safe_dump_all(
            [_ks("prod", "./apps/prod"), _ks("loose", "./apps/loose")]
        ),
    }
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    (root / "apps/prod/base").symlink_to("../../shared/base")
    (root / "apps/loose/linked.yaml").symlink_to("../../shared/base/cm.yaml")
    return root


def _flux(flux: FluxCli, source: Path, name: str, path: str, work: Path) -> tuple[bool, list[Any]]:
    ks_file = work / f"{name}.yaml"
    ks_file.write_text(yaml.safe_dump(_ks(name, path)))
    proc = subprocess.run(
        [str(flux.path), "build", "kustomization", name, "-n", "flux-system", "--path",
         str(source / path), "--kustomization-file", str(ks_file), "--dry-run",
         "--in-memory-build"],
        cwd=source, capture_output=True, text=True, timeout=120,
        env={"PATH": "/usr/bin:/bin", "HOME": str(work), "KUBECONFIG": str(work / "none")},
    )  # fmt: skip
    docs = [d for d in yaml.safe_load_all(proc.stdout) if d] if proc.returncode == 0 else []
    return proc.returncode == 0, docs


def _fluxops(fluxops: Path, repo: Path, name: str, cache: Path) -> tuple[bool, list[Any]]:
    proc = subprocess.run(
        [str(fluxops), "build", str(repo), "--ks", f"flux-system/{name}"],
        capture_output=True, text=True, timeout=120,
        env={"PATH": "/usr/bin:/bin", "HOME": str(cache), "FLUXOPS_CACHE_DIR": str(cache)},
    )  # fmt: skip
    docs = [d for d in yaml.safe_load_all(proc.stdout) if d] if proc.returncode == 0 else []
    return proc.returncode == 0, docs


def _key(doc: dict[str, Any]) -> str:
    return json.dumps(doc, sort_keys=True)


def test_symlinks_are_left_out_as_flux_does(
    flux_cli: FluxCli, fluxops_bin: Path, tmp_path: Path
) -> None:
    repo = _repo(tmp_path / "repo")
    archive = tmp_path / "artifact.tgz"
    subprocess.run(
        [str(flux_cli.path), "build", "artifact", "--path", str(repo), "--output", str(archive)],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    extracted = tmp_path / "artifact"
    with tarfile.open(archive) as tar:
        names = tar.getnames()
        tar.extractall(extracted, filter="data")
    assert not any(n.endswith(("apps/prod/base", "linked.yaml")) for n in names), names

    flux_prod = _flux(flux_cli, extracted, "prod", "./apps/prod", tmp_path)
    ours_prod = _fluxops(fluxops_bin, repo, "prod", tmp_path / "cache")
    assert flux_prod == (False, []) and ours_prod == (False, [])

    flux_loose = _flux(flux_cli, extracted, "loose", "./apps/loose", tmp_path)
    ours_loose = _fluxops(fluxops_bin, repo, "loose", tmp_path / "cache")
    assert flux_loose[0] and ours_loose[0]
    assert sorted(map(_key, flux_loose[1])) == sorted(map(_key, ours_loose[1]))
    assert {d["metadata"]["name"] for d in ours_loose[1]} == {"loose"}

    # On the checkout itself flux follows the symlinks, as a local kustomize build does.
    on_checkout = _flux(flux_cli, repo, "prod", "./apps/prod", tmp_path)
    assert on_checkout[0] and {d["metadata"]["name"] for d in on_checkout[1]} == {"shared", "local"}
