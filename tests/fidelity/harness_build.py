"""Fidelity harness: build Flux Kustomizations with the real flux CLI and with fluxops, compare.

discover() walks from the root Kustomizations (in files, with a namespace) through the child
Kustomizations in flux's own output, as `flux build --recursive` does, so each child is built
from the definition Flux would apply (parent patches, namespace and substitutions included).
"""

from __future__ import annotations

import base64
import copy
import fnmatch
import hashlib
import json
import os
import re
import subprocess
import threading
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .harness_repo import (
    FIDELITY_DOC,
    RepoScan,
    SourceMap,
    Unavailable,
    buildable,
    is_flux_ks,
    load_output,
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

    def has(self, flag: str) -> bool:
        return flag in self.flags


@dataclass
class RepoReport:
    """What one repo's fidelity run found; filled in by the test, printed by the summary hook."""

    repo: str
    compared: int = 0
    equal: int = 0
    deviating: int = 0
    # deviations by documentation status: (entry id or "UNDOCUMENTED", text)
    deviations: list[tuple[str, str]] = field(default_factory=list)
    # not compared, with the reason: "needs the API server", "source not available offline", ...
    not_compared: list[tuple[str, str]] = field(default_factory=list)
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

    @property
    def ks(self) -> str:
        return f"{self.ns}/{self.name}"

    @property
    def key(self) -> str:
        """Same definition read from the same folder: built once."""
        spec = self.doc.get("spec")
        return json.dumps([self.ns, self.name, spec, str(self.folder)], sort_keys=True, default=str)


def needs_api_server(doc: dict[str, Any]) -> str | None:
    post = (doc.get("spec") or {}).get("postBuild") or {}
    refs = [
        r
        for r in post.get("substituteFrom") or []
        if not (isinstance(r, dict) and r.get("optional") is True)
    ]
    if refs:
        names = ", ".join(f"{r.get('kind')}/{r.get('name')}" for r in refs if isinstance(r, dict))
        return f"needs the API server: substituteFrom {names} is skipped by flux --dry-run"
    return None


def run_flux(flux: FluxCli, node: Node, workdir: Path) -> Build:
    assert node.folder is not None
    rel = secure_rel(str(node.doc["spec"]["path"]))
    ks_file = workdir / f"ks-{hashlib.sha1(node.key.encode()).hexdigest()[:12]}.yaml"
    ks_file.write_text(yaml.safe_dump(node.doc, sort_keys=False))
    cmd = [
        str(flux.path), "build", "kustomization", node.name, "-n", node.ns,
        "--path", str(node.folder / rel), "--kustomization-file", str(ks_file), "--dry-run",
    ]  # fmt: skip
    if not flux.has("in-memory-build"):  # checked by the flux_cli fixture too
        raise RuntimeError(f"flux {flux.version} has no --in-memory-build")
    cmd.append("--in-memory-build")
    if flux.has("strict-substitute"):
        cmd.append("--strict-substitute")  # the controller's default; see docs/fidelity.md
    env = {**os.environ, "KUBECONFIG": str(workdir / "no-kubeconfig"), "HOME": str(workdir)}
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
    return Build(ok=True, objects=load_output(proc.stdout))


def discover(
    scan: RepoScan, sources: SourceMap, flux: FluxCli, workdir: Path
) -> dict[str, list[Node]]:
    """Every definition reachable from the roots, keyed by NS/NAME, each built by flux."""
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
        node.skip = parent_skip or needs_api_server(node.doc)
        try:
            node.folder = sources.folder(*node.source, secure_rel(str(spec["path"])), node.near)
        except Unavailable as exc:
            node.skip = node.skip or str(exc)

    def add(node: Node, parent_skip: str | None = None) -> None:
        prepare(node, parent_skip)
        known = by_key.get(node.key)
        if known is None:
            by_key[node.key] = node
            queue.append(node)
        elif not known.origin.startswith("built by") and node.origin.startswith("built by"):
            # the same definition read from a file and applied by a parent: the parent's
            # chain is how the cluster gets it
            known.origin, known.near = node.origin, node.near

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
        batch, queue[:] = list(queue), []
        runnable = [
            n
            for n in batch
            if n.folder is not None and (n.skip is None or not n.skip.startswith("needs the API"))
        ]
        with ThreadPoolExecutor(WORKERS) as pool:
            for node, result in zip(
                runnable, pool.map(lambda n: run_flux(flux, n, workdir), runnable), strict=True
            ):
                node.flux = result
        for node in runnable:
            assert node.flux is not None
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
                )
                add(child, f"defined by {node.ks}, which is not compared" if node.skip else None)

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
    for node in orphans:
        if not any(name == node.name for _, name in reached):
            node.skip = f"not reached: {node.origin} has no namespace and no parent builds it"
            result.setdefault(f"?/{node.name}", []).append(node)
    return result


# ---- the fluxops side and the comparison ------------------------------------------------------


def _run(cmd: list[str], env: dict[str, str] | None = None) -> tuple[int, str, str]:
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=FLUXOPS_TIMEOUT, env=env)
    except subprocess.TimeoutExpired:
        return -1, "", f"timed out after {FLUXOPS_TIMEOUT}s"
    return proc.returncode, proc.stdout, proc.stderr


def _parse(code: int, out: str, err: str) -> Build:
    if code != 0:
        return Build(ok=False, error=(err or out).strip() or f"exit {code}")
    try:
        return Build(ok=True, objects=load_output(out))
    except yaml.YAMLError as exc:
        return Build(ok=False, error=f"fluxops printed YAML that does not parse: {exc}")


class Fluxops:
    """Runs `fluxops build` on one repo, with the same source folders flux got. Its build cache
    starts empty for each repo (FLUXOPS_CACHE_DIR in the test's temp dir): nothing built by an
    earlier fluxops is reused, while the parents that several `--ks` runs share build once."""

    def __init__(self, fluxops: Path, root: Path, workdir: Path, strict: bool = True):
        self.bin, self.root = str(fluxops), root
        # strict as the controller; `--no-strict` only for a flux without --strict-substitute
        self.strict_flags = [] if strict else ["--no-strict"]
        self._summary: list[dict[str, Any]] | None = None
        self._lock = threading.Lock()
        self.env = {**os.environ, "FLUXOPS_CACHE_DIR": str(workdir / "fluxops-cache")}

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
                cmd = [self.bin, "build", str(self.root), "--all", "-o", "json"]
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
        return how, _parse(code, out, err)  # exit 2 (e.g. an unknown --ks) is a failure too


def identity(obj: dict[str, Any]) -> str:
    api = str(obj.get("apiVersion", ""))
    md = obj.get("metadata") or {}
    group = api.rpartition("/")[0] if "/" in api else ""
    return f"{group or 'core'}/{obj.get('kind')}/{md.get('namespace') or ''}/{md.get('name')}"


def value_diff(a: Any, b: Any, path: str = "", secret: bool = False) -> Iterator[str]:
    """Paths where a (flux) and b (fluxops) differ; values are not shown under a Secret's
    data/stringData (house rule: secret values never reach output)."""

    def show(v: Any) -> str:
        return (
            "<value>" if secret and path.split(".")[0] in ("data", "stringData") else f"{v!r:.80}"
        )

    if isinstance(a, dict) and isinstance(b, dict):
        for k in sorted(set(a) | set(b), key=str):
            sub = f"{path}.{k}" if path else str(k)
            if k not in a:
                yield f"{sub}: flux=<absent> fluxops={show(b[k])}"
            elif k not in b:
                yield f"{sub}: flux={show(a[k])} fluxops=<absent>"
            else:
                yield from value_diff(a[k], b[k], sub, secret)
    elif isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            yield from value_diff(x, y, f"{path}[{i}]", secret)
    elif a != b or type(a) is not type(b):
        yield f"{path}: flux={show(a)} fluxops={show(b)}"


SECRET_MASK = "**SECRET**"
SECRET_MASK_B64 = base64.b64encode(SECRET_MASK.encode()).decode()
LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"


def is_secret(obj: dict[str, Any]) -> bool:
    return obj.get("apiVersion") == "v1" and obj.get("kind") == "Secret"


def unmask(flux_obj: dict[str, Any], ours: dict[str, Any]) -> tuple[dict[str, Any], int]:
    """Deviation D1 (docs/fidelity.md): fluxops prints every v1 Secret value masked, flux prints
    them. Where fluxops has the mask for a key that flux also has, take flux's value, so that
    the comparison still checks the keys and everything else. Returns (object, values unmasked)."""
    if not (is_secret(flux_obj) and is_secret(ours)):
        return ours, 0
    out = copy.deepcopy(ours)
    n = 0
    for field_, mask in (("data", SECRET_MASK_B64), ("stringData", SECRET_MASK)):
        mine, theirs = out.get(field_), flux_obj.get(field_)
        if isinstance(mine, dict) and isinstance(theirs, dict):
            for k, v in mine.items():
                if v == mask and k in theirs:
                    mine[k] = theirs[k]
                    n += 1
    mine_ann = (out.get("metadata") or {}).get("annotations") or {}
    theirs_ann = (flux_obj.get("metadata") or {}).get("annotations") or {}
    if mine_ann.get(LAST_APPLIED) == SECRET_MASK and LAST_APPLIED in theirs_ann:
        mine_ann[LAST_APPLIED] = theirs_ann[LAST_APPLIED]
        n += 1
    return out, n


@dataclass(frozen=True)
class Deviation:
    ks: str
    obj: str  # object identity, or "-" for the build as a whole
    text: str


def compare(flux: Build, ours: Build, ks: str, stats: Counter[str]) -> list[Deviation]:
    if not flux.ok and not ours.ok:
        return []
    if not flux.ok:
        return [
            Deviation(ks, "-", f"flux fails, fluxops builds: {flux.error.splitlines()[-1][:300]}")
        ]
    if not ours.ok:
        return [Deviation(ks, "-", f"fluxops fails, flux builds: {ours.error[:300]}")]
    theirs: dict[str, list[dict[str, Any]]] = {}
    mine: dict[str, list[dict[str, Any]]] = {}
    for obj in flux.objects:
        theirs.setdefault(identity(obj), []).append(obj)
    for obj in ours.objects:
        mine.setdefault(identity(obj), []).append(obj)
    out = []
    for ident in sorted(set(theirs) | set(mine)):
        a, b = theirs.get(ident, []), mine.get(ident, [])
        if not b:
            out.append(Deviation(ks, ident, "missing from fluxops's output"))
        elif not a:
            out.append(Deviation(ks, ident, "only in fluxops's output"))
        elif len(a) != len(b):
            out.append(Deviation(ks, ident, f"flux has {len(a)} copies, fluxops {len(b)}"))
        else:
            diffs = []
            for x, y in zip(a, b, strict=True):
                y, unmasked = unmask(x, y)
                stats["D1 Secret values masked by fluxops"] += unmasked
                diffs += value_diff(x, y, secret=is_secret(x))
            if diffs:
                more = f"; ... (+{len(diffs) - 6})" if len(diffs) > 6 else ""
                out.append(Deviation(ks, ident, "differs: " + "; ".join(diffs[:6]) + more))
    return out


@dataclass(frozen=True)
class Entry:
    id: str
    status: str  # deliberate | bug
    repo: str
    ks: str
    obj: str
    what: str

    def matches(self, repo: str, dev: Deviation) -> bool:
        return (
            fnmatch.fnmatchcase(repo, self.repo)
            and fnmatch.fnmatchcase(dev.ks, self.ks)
            and fnmatch.fnmatchcase(dev.obj, self.obj)
        )


def documented_deviations() -> list[Entry]:
    """The table between the deviations markers in docs/fidelity.md."""
    text = FIDELITY_DOC.read_text() if FIDELITY_DOC.exists() else ""
    m = re.search(r"<!-- deviations:start -->(.*?)<!-- deviations:end -->", text, re.DOTALL)
    entries = []
    for line in (m.group(1) if m else "").splitlines():
        cells = [c.strip().strip("`") for c in line.strip().strip("|").split("|")]
        if len(cells) < 6 or cells[0] in ("id", "") or set(cells[0]) <= set("-: "):
            continue
        entries.append(Entry(*cells[:5], what=" | ".join(cells[5:])))
        assert entries[-1].status in ("deliberate", "bug"), (
            f"docs/fidelity.md: bad status in {line}"
        )
    return entries
