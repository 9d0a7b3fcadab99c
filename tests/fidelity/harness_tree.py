"""Fidelity harness, whole repo: `fluxops build REPO --all` (no --source: fluxops resolves every
source itself, finds the cluster entries and walks the tree) against flux's own recursion,
`flux build kustomization NAME --recursive --local-sources KIND/NS/NAME=DIR --dry-run
--in-memory-build`, object for object, per Flux Kustomization.

flux's recursive build stops at the first definition it cannot build, and with --dry-run it
skips every `substituteFrom`. So the harness runs it from the roots of the largest subtrees
flux can build whole ("clean": every definition in it builds with flux, none has substituteFrom,
all of its sources lie below the subtree root's folder); a definition outside such a subtree is
compared through flux's build of that one definition (the Kustomization-level build, against the
API server for substituteFrom), and so is a clean subtree of one definition (there is nothing
to recurse into). The objects of a recursive run are told apart by the owner
labels flux sets (`kustomize.toolkit.fluxcd.io/name`, `/namespace`); fluxops's by the file
`--output-dir` writes for each Kustomization.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fluxops.goyaml import dump

from .harness_build import FLUX_TIMEOUT, NETWORK_ERROR, Build, FluxCli, Fluxops, Node, _run
from .harness_compare import Deviation, RawObjects, compare, failure_kind
from .harness_inprocess import secrets_of_all
from .harness_repo import secure_rel

OWNER_NAME = "kustomize.toolkit.fluxcd.io/name"
OWNER_NAMESPACE = "kustomize.toolkit.fluxcd.io/namespace"


@dataclass
class TreeResult:
    """Per definition: compared (with its deviations) or not compared (with why)."""

    compared: list[tuple[str, list[Deviation]]] = field(default_factory=list)
    not_compared: list[tuple[str, str]] = field(default_factory=list)
    both_fail: list[tuple[str, str]] = field(default_factory=list)
    recursive_runs: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    stats: Counter[str] = field(default_factory=Counter)  # normalisations applied (D1)


def _subtree(node: Node, seen: set[int] | None = None) -> Iterator[Node]:
    """The node and every definition below it (each once)."""
    seen = set() if seen is None else seen
    if id(node) in seen:
        return
    seen.add(id(node))
    yield node
    for child in node.children:
        yield from _subtree(child, seen)


def _source_key(node: Node) -> str:
    assert node.source is not None
    return "/".join(node.source)


def _clean(node: Node, memo: dict[int, bool]) -> bool:
    """flux can build this definition and everything below it in one recursive dry run."""
    if id(node) not in memo:
        memo[id(node)] = False  # a cycle is not clean
        ok = (
            node.skip is None
            and node.flux is not None
            and node.flux.ok
            and not node.live
            and node.folder is not None
        )
        # every child is visited (memo) even when this one is already not clean
        kids_ok = all([_clean(c, memo) for c in node.children])
        memo[id(node)] = ok and kids_ok
        if memo[id(node)]:
            assert node.folder is not None
            folders: dict[str, Path] = {}
            for n in _subtree(node):
                assert n.folder is not None
                if folders.setdefault(_source_key(n), n.folder) != n.folder or not (
                    n.folder.resolve().is_relative_to(node.folder.resolve())
                ):
                    memo[id(node)] = False  # one source, two folders; or outside the root
                    break
    return memo[id(node)]


def _recursive(flux: FluxCli, root: Node, nodes: list[Node], workdir: Path) -> Build:
    assert root.folder is not None
    ks_file = workdir / f"tree-{hashlib.sha1(root.key.encode()).hexdigest()[:12]}.yaml"
    ks_file.write_text(dump(root.doc), encoding="utf-8")
    local = sorted({f"{_source_key(n)}={n.folder}" for n in nodes})
    cmd = [
        str(flux.path), "build", "kustomization", root.name, "-n", root.ns,
        "--path", str(root.folder / secure_rel(str(root.doc["spec"].get("path") or ""))),
        "--kustomization-file", str(ks_file), "--recursive",
        "--local-sources", ",".join(local), "--dry-run", "--in-memory-build",
    ]  # fmt: skip
    if flux.has("strict-substitute"):
        cmd.append("--strict-substitute")
    env = {**os.environ, "KUBECONFIG": str(workdir / "no-kubeconfig"), "HOME": str(workdir)}
    try:
        proc = subprocess.run(
            cmd, cwd=root.folder, capture_output=True, text=True, env=env, timeout=FLUX_TIMEOUT * 3
        )
    except subprocess.TimeoutExpired:
        return Build(ok=False, error="timed out")
    if proc.returncode != 0:
        return Build(ok=False, error=(proc.stderr or proc.stdout).strip())
    return flux.decode("flux", proc.stdout)


def _owner(obj: dict[str, Any]) -> tuple[str, str]:
    labels = (obj.get("metadata") or {}).get("labels") or {}
    return str(labels.get(OWNER_NAMESPACE, "")), str(labels.get(OWNER_NAME, ""))


def _file_name(cluster: str, ns: str, name: str) -> str:
    """What `fluxops build --output-dir` names a Kustomization's file."""
    return f"{cluster.replace('/', '_') if cluster else '_'}/{ns}_{name}.yaml"


class FluxopsAll:
    """`fluxops build REPO --all --output-dir DIR` (no --source), and the in-process build of the
    same for Secret values."""

    def __init__(self, fluxops: Fluxops, flux: FluxCli, workdir: Path) -> None:
        self.fluxops, self.flux = fluxops, flux
        out = workdir / "fluxops-all"
        cmd = [
            fluxops.bin,
            "build",
            str(fluxops.root),
            "--all",
            "--include-unreached",
            "--output-dir",
            str(out),
        ]
        self.code, _, self.stderr = _run([*cmd, *fluxops.strict_flags], fluxops.env)
        self.out = out
        self.summary = {
            (str(e.get("cluster", "")), str(e.get("namespace")), str(e.get("name"))): e
            for e in fluxops.summary()
        }
        self.secrets = secrets_of_all(
            fluxops.root,
            fluxops.cache_dir,
            strict_substitute=fluxops.strict_flags == ["--strict-substitute"],
        )

    def build(self, cluster: str, ns: str, name: str) -> tuple[Build, RawObjects]:
        entry = self.summary.get((cluster, ns, name))
        if entry is None:
            return Build(ok=False, error="fluxops build --all does not build it"), {}
        if entry.get("status") != "ok":
            return Build(ok=False, error=str(entry.get("error") or "failed")), {}
        path = self.out / _file_name(cluster, ns, name)
        text = path.read_text(encoding="utf-8") if path.exists() else ""
        return self.flux.decode("fluxops", text), self.secrets.get((cluster, ns, name), {})


def whole_repo(
    nodes: dict[str, list[Node]], flux: FluxCli, fluxops: Fluxops, workdir: Path
) -> TreeResult:
    result = TreeResult()
    every = [n for variants in nodes.values() for n in variants]
    memo: dict[int, bool] = {}
    for n in every:
        _clean(n, memo)
    inside = {id(c) for n in every if memo[id(n)] for c in n.children}
    roots = [n for n in every if memo[id(n)] and id(n) not in inside]

    # flux: one recursive run per clean subtree; the rest from their single builds
    flux_side: dict[int, Build] = {}
    for root in sorted(roots, key=lambda n: n.ks):
        subtree = list(_subtree(root))
        if len(subtree) == 1:
            continue  # nothing to recurse into: the definition's own build says it all
        run = _recursive(flux, root, subtree, workdir)
        names = Counter((n.ns, n.name) for n in subtree)
        if not run.ok:
            result.notes.append(
                f"recursive build of {root.ks} failed, its {len(subtree)} definitions are "
                f"compared one by one: {run.error.splitlines()[-1][:200]}"
            )
            continue
        result.recursive_runs.append(f"{root.ks} ({len(subtree)} definitions)")
        groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
        for obj in run.objects:
            groups.setdefault(_owner(obj), []).append(obj)
        for n in subtree:
            if names[(n.ns, n.name)] > 1:
                continue  # two definitions of one name in one run: the single builds decide
            flux_side[id(n)] = Build(ok=True, objects=groups.get((n.ns, n.name), []))
        strays = set(groups) - {(n.ns, n.name) for n in subtree}
        if strays:
            result.notes.append(
                f"recursive build of {root.ks}: objects owned by definitions the harness did "
                f"not discover: {sorted(strays)}"
            )

    ours = FluxopsAll(fluxops, flux, workdir)
    if ours.code not in (0, 1):
        raise AssertionError(f"fluxops build --all --output-dir failed: {ours.stderr[-2000:]}")
    stats = result.stats
    for ks, variants in sorted(nodes.items()):
        for node in variants:
            label = ks if len(variants) == 1 else f"{ks} [{node.near.partition('#')[0]}]"
            if node.skip:
                result.not_compared.append((label, node.skip))
                continue
            theirs = flux_side.get(id(node), node.flux)
            if theirs is None:
                result.not_compared.append((label, "flux did not build it"))
                continue
            if not theirs.ok and NETWORK_ERROR.search(theirs.error):
                result.not_compared.append((label, "needs the network"))
                continue
            clusters, cluster = fluxops.cluster_of(node)
            if cluster is None and len(clusters) == 1:
                cluster = clusters[0]
            if cluster is None:
                why = (
                    "fluxops build --all does not build it"
                    if not clusters
                    else ("none of the clusters fluxops builds it in holds it")
                )
                if clusters or not theirs.ok:
                    result.not_compared.append((label, f"no fluxops counterpart: {why}"))
                else:
                    result.compared.append((label, [Deviation(ks, "-", f"flux builds it, {why}")]))
                continue
            mine, raw = ours.build(cluster, node.ns, node.name)
            devs = compare(theirs, mine, ks, stats, withhold=node.scrub is not None, raw=raw)
            if node.scrub is not None:
                devs = [Deviation(d.ks, d.obj, node.scrub(d.text)) for d in devs]
            result.compared.append((label, devs))
            if not devs and not theirs.ok:
                result.both_fail.append((label, failure_kind(theirs.error)))
    return result
