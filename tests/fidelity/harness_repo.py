"""Fidelity harness: read a fixture repo tolerantly and decide which folder plays each Flux source.

The same folder is handed to both tools (flux: --path and the working directory; fluxops:
--source), except ExternalArtifacts, which fluxops lays out from the ArtifactGenerator itself.
"""

from __future__ import annotations

import os
import posixpath
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
FIXTURE_REPOS = Path(os.environ.get("FLUXOPS_FIXTURE_REPOS", ROOT.parent / "shared/fixtures/repos"))
FIDELITY_DOC = ROOT / "docs/fidelity.md"
# ---- reading the repo (tolerant, as real repos need) -------------------------------------------


class _Loader(yaml.SafeLoader):
    pass


def _any_tag(loader: yaml.SafeLoader, _suffix: str, node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        return loader.construct_scalar(node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node)
    assert isinstance(node, yaml.MappingNode)  # the third and last kind of YAML node
    return loader.construct_mapping(node)


def _value_tag(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> str:
    return loader.construct_scalar(node)


_Loader.add_multi_constructor("!", _any_tag)
_Loader.add_constructor("tag:yaml.org,2002:value", _value_tag)


def is_flux_ks(doc: Any) -> bool:
    return (
        isinstance(doc, dict)
        and str(doc.get("apiVersion", "")).startswith("kustomize.toolkit.fluxcd.io/")
        and doc.get("kind") == "Kustomization"
    )


def is_data_object(doc: Any) -> bool:
    """A v1 ConfigMap or Secret (the kinds `spec.postBuild.substituteFrom` reads)."""
    return (
        isinstance(doc, dict)
        and doc.get("apiVersion") == "v1"
        and doc.get("kind") in ("ConfigMap", "Secret")
    )


def buildable(doc: dict[str, Any]) -> bool:
    """A Flux Kustomization with a source (`spec.path` may be left out: the source's root)."""
    spec = doc.get("spec") or {}
    return isinstance(spec, dict) and isinstance(spec.get("sourceRef"), dict)


@dataclass
class RepoScan:
    root: Path
    url: str | None
    flux_ks: list[tuple[str, dict[str, Any]]] = field(default_factory=list)  # (origin, doc)
    other: list[tuple[str, dict[str, Any]]] = field(default_factory=list)  # sources, generators
    # v1 ConfigMaps and Secrets: what a substituteFrom may name (see harness_cluster.py)
    data_objects: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    unparsed: list[str] = field(default_factory=list)


def scan_repo(root: Path) -> RepoScan:
    url = None
    source_txt = root / "SOURCE.txt"
    if source_txt.exists():
        m = re.search(r"^repo:\s*(\S+)", source_txt.read_text(), re.MULTILINE)
        url = m.group(1) if m else None
    scan = RepoScan(root=root, url=url)
    for path in sorted(root.rglob("*")):
        if path.suffix not in (".yaml", ".yml") or not path.is_file():
            continue
        rel = path.relative_to(root).as_posix()
        try:
            docs = list(yaml.load_all(path.read_text(encoding="utf-8"), Loader=_Loader))
        except (yaml.YAMLError, UnicodeDecodeError):
            scan.unparsed.append(rel)
            continue
        for i, doc in enumerate(docs):
            if is_flux_ks(doc):
                scan.flux_ks.append((f"{rel}#{i}", doc))
            elif isinstance(doc, dict) and doc.get("kind") in (
                "GitRepository",
                "OCIRepository",
                "Bucket",
                "ArtifactGenerator",
            ):
                scan.other.append((f"{rel}#{i}", doc))
            elif is_data_object(doc):
                scan.data_objects.append((f"{rel}#{i}", doc))
    return scan


def secure_rel(path: str) -> str:
    """spec.path as SecureJoin keeps it: relative, inside the source root ('' for the root)."""
    norm = posixpath.normpath("/" + str(path).strip()).lstrip("/")
    return "" if norm == "." else norm


def _norm_url(url: str) -> str:
    url = re.sub(r"^(?:ssh://)?git@([^:/]+)[:/]", r"\1/", url.strip())
    url = re.sub(r"^[a-z+]+://", "", url)
    return url.removesuffix("/").removesuffix(".git").lower()


def closeness(origin: str, near: str) -> int:
    """How many leading folders the files of two origins ("file#doc") share."""
    a, b = posixpath.dirname(origin).split("/"), posixpath.dirname(near).split("/")
    n = 0
    while n < min(len(a), len(b)) and a[n] == b[n]:
        n += 1
    return n


# ---- mapping sources to folders ------------------------------------------------------------------


class Unavailable(Exception):
    """This source has no local folder; the message says why."""


class SourceMap:
    """Which folder plays each Flux source. Decided here, passed to both tools (see docs).

    Sources are looked up by kind/namespace/name among the objects in the repo's files; when a
    repo defines the same source more than once (one per cluster), the definition nearest to
    the Kustomization's own file wins (the longest common folder prefix).
    """

    def __init__(self, scan: RepoScan, workdir: Path):
        self.scan = scan
        self.workdir = workdir
        self._artifacts: dict[tuple[str, int], Path] = {}
        self._dirs: list[str] | None = None

    def _all_dirs(self) -> list[str]:
        if self._dirs is None:
            root = self.scan.root
            self._dirs = sorted(
                p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_dir()
            )
        return self._dirs

    def _nearest(
        self, kind: str, ns: str, near: str, name: str | None = None
    ) -> list[tuple[str, dict[str, Any]]]:
        found = [
            (origin, d)
            for origin, d in self.scan.other
            if d.get("kind") == kind
            and (name is None or (d.get("metadata") or {}).get("name") == name)
            and (d.get("metadata") or {}).get("namespace", ns) == ns
        ]
        best = max((closeness(o, near) for o, _ in found), default=0)
        return [(o, d) for o, d in found if closeness(o, near) == best]

    def folder(self, kind: str, ns: str, name: str, rel: str, near: str) -> Path:
        """The root folder of source KIND/NS/NAME, for a Kustomization defined in file `near`
        that reads `rel` in it."""
        root = self.scan.root
        where = f"{kind}/{ns}/{name}"
        if kind == "ExternalArtifact":
            return self._external_artifact(ns, name, near)
        if kind == "GitRepository":
            if rel and (root / rel).is_dir():
                return root  # a non-trivial path that exists here: this repo (flux-local style)
            objs = [d for _, d in self._nearest(kind, ns, near, name)]
            if not objs:
                if name == "flux-system" and ns == "flux-system":  # made by `flux bootstrap`
                    return root
                raise Unavailable(
                    f"source not available offline: {where} is not defined in the repo"
                )
            mine = _norm_url(self.scan.url or "")
            for obj in objs:
                spec = obj.get("spec") or {}
                ref = spec.get("ref") or {}
                other_ref = {
                    k: v for k, v in ref.items() if not (k == "branch" and v in ("main", "master"))
                }
                if _norm_url(str(spec.get("url", ""))) == mine and not other_ref:
                    return root
            urls = sorted(
                {
                    f"{(o.get('spec') or {}).get('url')} {(o.get('spec') or {}).get('ref') or ''}"
                    for o in objs
                }
            )
            raise Unavailable(f"source not available offline: {where} is {'; '.join(urls)}")
        # OCIRepository, Bucket: an artifact pushed from a subfolder of this repo, if exactly one
        # folder holds the path the Kustomization reads; a root path ('./') proves nothing.
        if not rel:
            raise Unavailable(f"source not available offline: {where} read at its root")
        candidates = [d for d in ["", *self._all_dirs()] if (root / d / rel).is_dir()]
        if len(candidates) != 1:
            raise Unavailable(
                f"source not available offline: {where}: {len(candidates)} folders hold {rel}"
            )
        return root / candidates[0]

    def _external_artifact(self, ns: str, name: str, near: str) -> Path:
        for origin, gen in self._nearest("ArtifactGenerator", ns, near):
            for artifact in (gen.get("spec") or {}).get("artifacts") or []:
                if artifact.get("name") != name:
                    continue
                key = (name, id(gen))
                if key not in self._artifacts:
                    out = self.workdir / f"artifact-{id(gen)}-{ns}-{name}"
                    self._materialize(gen, artifact, ns, out, origin)
                    self._artifacts[key] = out
                return self._artifacts[key]
        raise Unavailable(
            f"source not available offline: ExternalArtifact/{ns}/{name} has no generator"
        )

    def _materialize(
        self, gen: dict[str, Any], artifact: dict[str, Any], ns: str, out: Path, near: str
    ) -> None:
        """Lay out the artifact for the flux CLI. Only the plain forms are supported (a
        `@alias/dir/**` or `@alias/path` copy to `@artifact/dest`); others are not compared."""
        aliases = {s.get("alias"): s for s in (gen.get("spec") or {}).get("sources") or []}
        shutil.rmtree(out, ignore_errors=True)  # a failed earlier attempt
        out.mkdir(parents=True)
        for op in artifact.get("copy") or []:
            src, dst = str(op.get("from", "")), str(op.get("to", ""))
            m = re.fullmatch(r"@([^/]+)/(.+)", src)
            if (
                op.get("exclude")
                or op.get("strategy") not in (None, "Overwrite")
                or not m
                or not dst.startswith("@artifact/")
            ):
                raise Unavailable(
                    f"source not available offline: copy rule {src} -> {dst} not laid out by the harness"
                )
            alias, pattern = m.groups()
            spec = aliases.get(alias)
            if spec is None:
                raise Unavailable(f"source not available offline: unknown alias {alias}")
            tree = pattern.removesuffix("/**")
            if any(c in tree for c in "*?[{"):
                raise Unavailable(
                    f"source not available offline: glob {src} not laid out by the harness"
                )
            base = self.folder(
                str(spec.get("kind")),
                str(spec.get("namespace") or ns),
                str(spec.get("name")),
                secure_rel(tree),
                near,
            )
            source = base / secure_rel(tree)
            dest = out / secure_rel(dst.removeprefix("@artifact/"))
            if pattern.endswith("/**") and source.is_dir():
                shutil.copytree(source, dest, dirs_exist_ok=True)
            elif source.is_file():
                target = dest / source.name if dst.endswith("/") else dest
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, target)
            elif source.is_dir():
                shutil.copytree(source, dest / source.name, dirs_exist_ok=True)
            elif not op.get("optional"):
                raise Unavailable(f"source not available offline: {src} does not exist")
