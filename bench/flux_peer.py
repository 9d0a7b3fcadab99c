"""The real peer of `fluxops build --all`: the flux CLI's recursive build of each cluster,
`flux build kustomization ROOT --recursive --local-sources ... --dry-run --in-memory-build`.

For one repo, `clusters()` finds, from fluxops's own summary (`--all -o json`), each cluster
whose Kustomizations all build, the definition of its root (from the repo's files, or the one
fluxops assumes for a placeholder bootstrap file) and the folder of every source its tree
reads (decided as the fidelity tier decides, tests/fidelity/harness_repo.py). A cluster with a
failed build or a source that is not in the repo is left out (flux's recursion stops at the
first failure), with the reason.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
# the repo root, for the `tests.` package: `python bench/x.py` puts only bench/ on sys.path
sys.path.insert(0, str(ROOT))

from tests.fidelity.harness_repo import (  # noqa: E402
    SourceMap,
    Unavailable,
    closeness,
    scan_repo,
    secure_rel,
)

from fluxops.goyaml import dump  # noqa: E402


@dataclass
class Cluster:
    name: str
    root: dict[str, Any]  # the root Flux Kustomization
    folder: Path  # its source's folder
    repo: Path  # flux's working directory (its in-memory build reads only below it)
    sources: dict[str, Path] = field(default_factory=dict)  # KIND/NS/NAME -> folder
    objects: int = 0  # what fluxops renders for the cluster
    kustomizations: int = 0


def _root_doc(scan: Any, entry: dict[str, Any], cluster: str) -> tuple[dict[str, Any], str]:
    """The root's definition: the repo file nearest to the cluster folder, or the one fluxops
    assumes (placeholder bootstrap files): name, namespace, path and source from its summary."""
    ns, name = entry["namespace"], entry["name"]
    found = [
        (origin, doc)
        for origin, doc in scan.flux_ks
        if (doc.get("metadata") or {}).get("name") == name
        and (doc.get("metadata") or {}).get("namespace") == ns
    ]
    if found:
        origin, doc = max(found, key=lambda od: closeness(od[0], f"{cluster}/x"))
        return doc, origin
    kind, src_ns, src_name = str(entry["source"]).split("/")
    doc = {
        "apiVersion": "kustomize.toolkit.fluxcd.io/v1",
        "kind": "Kustomization",
        "metadata": {"name": name, "namespace": ns},
        "spec": {
            "interval": "10m",
            "path": entry["path"],
            "prune": True,
            "sourceRef": {"kind": kind, "name": src_name, "namespace": src_ns},
        },
    }
    return doc, f"{cluster}/flux-system/gotk-sync.yaml#0"


def clusters(
    repo: Path, summary: list[dict[str, Any]], workdir: Path
) -> tuple[list[Cluster], list[str]]:
    """`repo` and `workdir` (where ExternalArtifacts are laid out) must share a parent folder:
    flux runs there (its in-memory build reads nothing above its working directory)."""
    scan = scan_repo(repo)
    by_cluster: dict[str, list[dict[str, Any]]] = {}
    for entry in summary:
        by_cluster.setdefault(str(entry.get("cluster") or ""), []).append(entry)
    out, skipped = [], []
    sources = SourceMap(scan, workdir)
    for name, entries in sorted(by_cluster.items()):
        failed = [e for e in entries if e.get("status") != "ok"]
        roots = [e for e in entries if not e.get("parent")]
        if failed:
            skipped.append(f"{name}: {len(failed)} Kustomizations fail to build")
            continue
        if len(roots) != 1:
            skipped.append(f"{name}: {len(roots)} roots")
            continue
        doc, near = _root_doc(scan, roots[0], name)
        cluster = Cluster(name, doc, repo, repo.parent, kustomizations=len(entries))
        try:
            for e in entries:
                kind, ns, src = str(e["source"]).split("/")
                folder = sources.folder(kind, ns, src, secure_rel(str(e["path"] or "")), near)
                if cluster.sources.setdefault(str(e["source"]), folder) != folder:
                    raise Unavailable(f"{e['source']} read from two folders")
        except Unavailable as exc:
            skipped.append(f"{name}: {exc}")
            continue
        cluster.folder = cluster.sources[str(roots[0]["source"])]
        cluster.objects = sum(int(e.get("objects") or 0) for e in entries)
        out.append(cluster)
    return out, skipped


def flux_build(flux: Path, cluster: Cluster, work: Path) -> tuple[int, str, str]:
    """Runs flux's recursive build of one cluster: (exit status, stdout, stderr)."""
    ks_file = work / "root.yaml"
    ks_file.write_text(dump(cluster.root), encoding="utf-8")
    md, spec = cluster.root["metadata"], cluster.root["spec"]
    cmd = [
        str(flux), "build", "kustomization", md["name"], "-n", md["namespace"],
        "--path", str(cluster.folder / secure_rel(str(spec.get("path") or ""))),
        "--kustomization-file", str(ks_file), "--recursive",
        "--local-sources", ",".join(f"{k}={v}" for k, v in sorted(cluster.sources.items())),
        "--dry-run", "--in-memory-build", "--strict-substitute",
    ]  # fmt: skip
    env = {**os.environ, "KUBECONFIG": str(work / "none"), "HOME": str(work)}
    proc = subprocess.run(cmd, cwd=cluster.repo, capture_output=True, text=True, env=env)
    return proc.returncode, proc.stdout, proc.stderr


def count_objects(decoder: Path, text: str) -> int:
    """Documents as the controller reads them (Go's YAML decoder, empty ones skipped)."""
    proc = subprocess.run([str(decoder)], input=text.encode(), capture_output=True, check=True)
    return sum(1 for line in proc.stdout.decode().split("\n") if line.strip())


def summary(repo: Path, env: dict[str, str]) -> list[dict[str, Any]]:
    proc = subprocess.run(
        [sys.executable, "-m", "fluxops", "build", str(repo), "--all", "-o", "json"],
        capture_output=True,
        text=True,
        env=env,
    )
    return list(json.loads(proc.stdout)["kustomizations"])
