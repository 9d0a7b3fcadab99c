"""Fidelity harness: build Flux Kustomizations with the real flux CLI and with fluxops (the
comparison is harness_compare.py, the builds against the API server harness_cluster.py, the
whole-repo comparison harness_tree.py).

discover() walks from the root Kustomizations (in files, with a namespace) through the child
Kustomizations in flux's own output, as `flux build --recursive` does, so each child is built
from the definition Flux would apply (parent patches, namespace and substitutions included).

Both tools' output is decoded by Go (tests/tools/goyamldecode: sigs.k8s.io/yaml, as
kustomize-controller and kubectl decode it), so a scalar's type counts: `"0380"` and `0380`
are different values, as they are to Flux.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fluxops.goyaml import dump
from tests.gotools import GoDecodeError, GoDecoder

from .harness_repo import (
    RepoScan,
    SourceMap,
    Unavailable,
    buildable,
    is_flux_ks,
    secure_rel,
)

FLUX_TIMEOUT = 180
FLUXOPS_TIMEOUT = 300
WORKERS = 2
NETWORK_ERROR = re.compile(
    r"dial tcp|no such host|network is unreachable|i/o timeout|connection refused|"
    r"git clone|failed to (?:fetch|clone)|remote (?:base|resource)|x509|TLS handshake",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class FluxCli:
    path: Path
    version: str  # e.g. "2.9.5"
    flags: frozenset[str]  # flags of `flux build kustomization`
    decoder: GoDecoder  # how both tools' output is read

    def has(self, flag: str) -> bool:
        return flag in self.flags

    def decode(self, tool: str, text: str) -> Build:
        """A tool's YAML output as Go decodes it (a failure when Go cannot)."""
        try:
            return Build(ok=True, objects=self.decoder.decode(text))
        except GoDecodeError as exc:
            return Build(ok=False, error=f"{tool} printed YAML that Go does not decode: {exc}")


@dataclass
class RepoReport:
    """What one repo's fidelity run found; filled in by the test, printed by the summary hook."""

    repo: str
    compared: int = 0
    equal: int = 0
    deviating: int = 0
    # deviations by documentation status: (entry id or "UNDOCUMENTED", text)
    deviations: list[tuple[str, str]] = field(default_factory=list)
    # both tools fail, with the same kind of failure (harness_compare.failure_kind): (ks, kind)
    both_fail: list[tuple[str, str]] = field(default_factory=list)
    # not compared, with the reason: "source not available offline", ...
    not_compared: list[tuple[str, str]] = field(default_factory=list)
    # compared against the API server (substituteFrom), with what the harness created there
    live: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


# ---- the flux side: definitions and their builds ------------------------------------------------


@dataclass
class Build:
    ok: bool
    objects: list[dict[str, Any]] = field(default_factory=list)
    error: str = ""


@dataclass
class Node:
    """One definition of a Flux Kustomization, as Flux would see it."""

    ns: str
    name: str
    doc: dict[str, Any]
    origin: str  # "file#doc" or "built by NS/NAME"
    near: str  # the file of the root this definition comes from (to pick among duplicate sources)
    skip: str | None = None  # why it is not compared
    source: tuple[str, str, str] | None = None  # kind, ns, name
    folder: Path | None = None
    flux: Build | None = None
    # built against the API server (substituteFrom; harness_cluster.py): what the harness put
    # there, how many Secret-sourced values it masked in flux's output (D2), and, when it
    # created Secrets, what keeps their values out of messages
    made: list[str] = field(default_factory=list)
    masked: int = 0
    scrub: Callable[[str], str] | None = None
    # the definition whose flux output applies this one (None for a root read from a file),
    # and the definitions this one's flux output applies (one node may have several parents)
    parent: Node | None = None
    children: list[Node] = field(default_factory=list)

    @property
    def ks(self) -> str:
        return f"{self.ns}/{self.name}"

    @property
    def live(self) -> bool:
        """Built against the API server: flux --dry-run would skip its substituteFrom."""
        return bool(substitute_from(self.doc))

    @property
    def key(self) -> str:
        """Same definition read from the same folder: built once."""
        spec = self.doc.get("spec")
        return json.dumps([self.ns, self.name, spec, str(self.folder)], sort_keys=True, default=str)


def substitute_from(doc: dict[str, Any]) -> list[dict[str, Any]]:
    """`spec.postBuild.substituteFrom`, optional entries included: `flux build --dry-run`
    skips them all, while fluxops uses those it finds."""
    spec = doc.get("spec")
    post = spec.get("postBuild") if isinstance(spec, dict) else None
    refs = post.get("substituteFrom") if isinstance(post, dict) else None
    return [r for r in refs or [] if isinstance(r, dict)] if isinstance(refs, list) else []


def needs_api_server(doc: dict[str, Any]) -> str:
    names = ", ".join(f"{r.get('kind')}/{r.get('name')}" for r in substitute_from(doc))
    return f"needs the API server: substituteFrom {names} is skipped by flux --dry-run"


#: Builds one definition with substituteFrom against the API server (harness_cluster.py); it
#: is given the definitions flux has built so far and sets node.flux (or node.skip).
LiveBuild = Callable[[Node, list[Node]], None]


def run_flux(
    flux: FluxCli, node: Node, workdir: Path, kube: tuple[str, str] | None = None
) -> Build:
    """`flux build kustomization ... --dry-run`, or with kube=(KUBECONFIG, context) without
    --dry-run against that API server."""
    assert node.folder is not None
    rel = secure_rel(str(node.doc["spec"].get("path") or ""))
    ks_file = workdir / f"ks-{hashlib.sha1(node.key.encode()).hexdigest()[:12]}.yaml"
    # written so that Go reads back the same definition (a key `N` stays a string)
    ks_file.write_text(dump(node.doc), encoding="utf-8")
    cmd = [
        str(flux.path), "build", "kustomization", node.name, "-n", node.ns,
        "--path", str(node.folder / rel), "--kustomization-file", str(ks_file),
    ]  # fmt: skip
    cmd += ["--context", kube[1]] if kube else ["--dry-run"]
    if not flux.has("in-memory-build"):  # checked by the flux_cli fixture too
        raise RuntimeError(f"flux {flux.version} has no --in-memory-build")
    cmd.append("--in-memory-build")
    if flux.has("strict-substitute"):
        cmd.append("--strict-substitute")  # the controller's default; see docs/fidelity.md
    kubeconfig = kube[0] if kube else str(workdir / "no-kubeconfig")  # dry run: no cluster
    env = {**os.environ, "KUBECONFIG": kubeconfig, "HOME": str(workdir)}
    try:
        # the in-memory build reads only below the working directory: the source root, as the
        # controller reads only inside the artifact
        proc = subprocess.run(
            cmd, cwd=node.folder, capture_output=True, text=True, env=env, timeout=FLUX_TIMEOUT
        )
    except subprocess.TimeoutExpired:
        return Build(ok=False, error=f"timed out after {FLUX_TIMEOUT}s")
    if proc.returncode != 0:
        return Build(ok=False, error=(proc.stderr or proc.stdout).strip())
    return flux.decode("flux", proc.stdout)


def discover(
    scan: RepoScan, sources: SourceMap, flux: FluxCli, workdir: Path, live: LiveBuild | None = None
) -> dict[str, list[Node]]:
    """Every definition reachable from the roots, keyed by NS/NAME, each built by flux.

    Definitions with substituteFrom are built by `live` against the API server, after every
    other definition found so far (so that what those render is known), one at a time;
    without `live` they are not compared."""
    by_key: dict[str, Node] = {}
    orphans: list[Node] = []
    queue: list[Node] = []

    def prepare(node: Node, parent_skip: str | None) -> None:
        spec = node.doc["spec"]
        ref = spec["sourceRef"]
        node.source = (
            str(ref.get("kind")),
            str(ref.get("namespace") or node.ns),
            str(ref.get("name")),
        )
        node.skip = parent_skip or (needs_api_server(node.doc) if node.live and not live else None)
        try:
            node.folder = sources.folder(
                *node.source, secure_rel(str(spec.get("path") or "")), node.near
            )
        except Unavailable as exc:
            node.skip = node.skip or str(exc)

    def add(node: Node, parent_skip: str | None = None) -> Node:
        """Adds the definition (once per key) and returns the node that stands for it."""
        prepare(node, parent_skip)
        known = by_key.get(node.key)
        if known is None:
            by_key[node.key] = node
            queue.append(node)
            return node
        elif (
            not known.origin.startswith("built by")
            and node.origin.startswith("built by")
            and node.parent is not known  # flux-system applying itself is not its own parent
        ):
            # the same definition read from a file and applied by a parent: the parent's
            # chain is how the cluster gets it
            known.origin, known.near, known.parent = node.origin, node.near, node.parent
        return known

    for origin, doc in scan.flux_ks:
        md = doc.get("metadata") or {}
        name, ns = str(md.get("name", "")), md.get("namespace")
        node = Node(ns=str(ns or ""), name=name, doc=doc, origin=origin, near=origin)
        if not buildable(doc) or "${" in name:
            continue
        if ns is None:
            orphans.append(node)  # namespace comes from the parent that applies it
        else:
            add(node)

    while queue:
        # the dry runs first; the live builds when nothing else is left
        batch = [n for n in queue if not n.live] or list(queue)
        queue[:] = [n for n in queue if n not in batch]
        runnable = [
            n
            for n in batch
            if n.folder is not None and (n.skip is None or not n.skip.startswith("needs the API"))
        ]
        dry = [n for n in runnable if not n.live]
        with ThreadPoolExecutor(WORKERS) as pool:
            for node, build in zip(
                dry, pool.map(lambda n: run_flux(flux, n, workdir), dry), strict=True
            ):
                node.flux = build
        for node in runnable:
            if node.live:
                assert live is not None
                live(node, [n for n in by_key.values() if n.flux is not None])
        for node in runnable:
            if node.flux is None:  # the live build could not set it up (node.skip says why)
                continue
            for obj in node.flux.objects:
                if not is_flux_ks(obj) or not buildable(obj):
                    continue
                md = obj.get("metadata") or {}
                child = Node(
                    ns=str(md.get("namespace") or ""),
                    name=str(md.get("name")),
                    doc=obj,
                    origin=f"built by {node.ks}",
                    near=node.near,
                    parent=node,
                )
                kept = add(
                    child, f"defined by {node.ks}, which is not compared" if node.skip else None
                )
                if kept is not node and kept not in node.children:
                    node.children.append(kept)

    result: dict[str, list[Node]] = {}
    for node in by_key.values():
        result.setdefault(node.ks, []).append(node)
    # a parent's output is what the cluster gets: it wins over the same object read from a file
    # (listed as not compared: in a repo with several clusters it may belong to another one)
    for nodes in result.values():
        built = [n for n in nodes if n.origin.startswith("built by")]
        for node in nodes:
            if built and node not in built:
                node.skip = f"superseded: {built[0].origin} applies another definition of it"
    reached = {(n.ns, n.name) for nodes in result.values() for n in nodes}
    failed = [n for n in by_key.values() if n.flux is not None and not n.flux.ok]
    # a definition read from a file that no parent applies, lying under the path of one that
    # fails: in the cluster nothing would apply it (children of a failed definition)
    for node in by_key.values():
        if node.skip is None and not node.origin.startswith("built by"):
            parent = _failed_parent(scan, node, [f for f in failed if f is not node])
            if parent is not None:
                node.skip = (
                    f"parent fails: {node.origin} lies under {parent.ks}, which flux cannot "
                    "build, and no other definition applies it"
                )
    for node in orphans:
        if not any(name == node.name for _, name in reached):
            parent = _failed_parent(scan, node, failed)
            node.skip = (
                f"parent fails: {node.origin} lies under {parent.ks}, which flux cannot build, "
                "so nothing applies it"
                if parent
                else f"not reached: {node.origin} has no namespace and no parent builds it"
            )
            result.setdefault(f"?/{node.name}", []).append(node)
    return result


def _failed_parent(scan: RepoScan, orphan: Node, failed: list[Node]) -> Node | None:
    """A definition that fails to build and whose path holds the orphan's file: the parent
    that would have applied it (children of a failed definition are not compared)."""
    file = (scan.root / orphan.origin.partition("#")[0]).resolve()
    for node in failed:
        if node.folder is None:
            continue
        base = (node.folder / secure_rel(str(node.doc["spec"].get("path") or ""))).resolve()
        if file.is_relative_to(base):
            return node
    return None


# ---- the fluxops side ------------------------------------------------------------------------


def _run(cmd: list[str], env: dict[str, str] | None = None) -> tuple[int, str, str]:
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=FLUXOPS_TIMEOUT, env=env)
    except subprocess.TimeoutExpired:
        return -1, "", f"timed out after {FLUXOPS_TIMEOUT}s"
    return proc.returncode, proc.stdout, proc.stderr


def _parse(flux: FluxCli, code: int, out: str, err: str) -> Build:
    if code != 0:
        return Build(ok=False, error=(err or out).strip() or f"exit {code}")
    return flux.decode("fluxops", out)


class Fluxops:
    """Runs `fluxops build` on one repo, with the same source folders flux got. Its build cache
    starts empty for each repo (FLUXOPS_CACHE_DIR in the test's temp dir): nothing built by an
    earlier fluxops is reused, while the parents that several `--ks` runs share build once."""

    def __init__(
        self, fluxops: Path, root: Path, workdir: Path, flux: FluxCli, strict: bool = True
    ):
        self.bin, self.root, self.flux = str(fluxops), root, flux
        self.cache_dir = workdir / "fluxops-cache"
        # strict as the flux CLI run beside it (stated: fluxops's default follows the Flux
        # version a cluster installs); not strict only for a flux without --strict-substitute
        self.strict_flags = ["--strict-substitute"] if strict else ["--no-strict-substitute"]
        self._summary: list[dict[str, Any]] | None = None
        self._lock = threading.Lock()
        self.env = {**os.environ, "FLUXOPS_CACHE_DIR": str(self.cache_dir)}

    @staticmethod
    def _source_flags(node: Node) -> list[str]:
        assert node.source is not None and node.folder is not None
        if node.source[0] == "ExternalArtifact":  # fluxops lays out ArtifactGenerator copies
            return []
        return ["--source", "/".join(node.source) + f"={node.folder}"]

    def summary(self) -> list[dict[str, Any]]:
        """`fluxops build REPO --all -o json`: which clusters hold which Kustomization."""
        with self._lock:
            if self._summary is None:
                cmd = [
                    self.bin,
                    "build",
                    str(self.root),
                    "--all",
                    "--include-unreached",
                    "-o",
                    "json",
                ]
                code, out, err = _run(cmd, self.env)
                try:
                    self._summary = list(json.loads(out)["kustomizations"])
                except (ValueError, KeyError, TypeError) as exc:
                    raise RuntimeError(
                        f"`fluxops build {self.root} --all -o json` gave no summary "
                        f"(exit {code}, {exc}): {err[-2000:]}"
                    ) from None
            return self._summary

    def cluster_of(self, node: Node) -> tuple[list[str], str | None]:
        """The clusters fluxops builds NS/NAME in, and the one this definition belongs to: the
        most specific cluster entry that holds the file the definition's root comes from."""
        entries = [
            e
            for e in self.summary()
            if e.get("namespace") == node.ns and e.get("name") == node.name
        ]
        clusters = sorted({str(e.get("cluster", "")) for e in entries})
        near = node.near.partition("#")[0] + "/"
        holding = [c for c in clusters if near.startswith(c.rstrip("/") + "/")]
        best = max(holding, key=len) if holding else None
        return clusters, best

    def build(self, node: Node) -> tuple[str, Build] | None:
        """The contract, `fluxops build REPO --ks NS/NAME -o yaml`, plus `--cluster DIR` when
        fluxops builds NS/NAME in several clusters (plain `--ks` then prints them all, one
        after the other). None when fluxops builds NS/NAME in several clusters and none of them
        holds this definition's root file (the harness cannot tell which to compare)."""
        clusters, cluster = self.cluster_of(node)
        cmd = [self.bin, "build", str(self.root), "--ks", node.ks, "-o", "yaml"]
        how = "--ks"
        if len(clusters) > 1:
            if cluster is None:
                return None
            cmd += ["--cluster", cluster]
            how = cluster
        code, out, err = _run([*cmd, *self.strict_flags, *self._source_flags(node)], self.env)
        return how, _parse(self.flux, code, out, err)  # exit 2 (an unknown --ks) fails too

    def request(self, node: Node, how: str) -> dict[str, Any]:
        """The same build as `build()` made, as fields of fluxops.api.BuildRequest."""
        return {
            "path": str(self.root),
            "ks": node.ks,
            "cluster": None if how == "--ks" else how,
            "strict_substitute": self.strict_flags == ["--strict-substitute"],
            "sources": self._source_flags(node)[1::2],  # the values of the --source flags
        }
