"""Stage one of a build: lay out the workspace, generate the kustomization, run kustomize (or
take the cached output). Safe to run in parallel: each build has its own folder."""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field
from pathlib import Path

from fluxops.goyaml import dump
from fluxops.loader.sourceignore import SourceFilter
from fluxops.loader.sources import (
    GeneratedSource,
    LocalSource,
    ResolvedSource,
    clean_path,
)
from fluxops.model.flux import Kustomization
from fluxops.render.cache import BuildCache
from fluxops.render.engine import Engine, KustomizeFailure
from fluxops.render.generator import KUSTOMIZATION_FILES, GeneratorError, generate
from fluxops.render.workspace import Workspace, leaf_copy, materialize, skeleton


@dataclass
class StageOutput:
    stream: str | None = None
    error: str | None = None
    notes: list[str] = field(default_factory=list)
    cached: bool = False
    injected_origin: bool = False
    source_dir: Path | None = None
    leaf_rel: str = ""


class Stager:
    """Builds Flux Kustomizations up to kustomize's output."""

    def __init__(self, engine: Engine, workspace: Workspace, cache: BuildCache) -> None:
        self.engine = engine
        self.workspace = workspace
        self.cache = cache
        self._artifact_roots: dict[str, Path] = {}
        self._skeletons: dict[Path, Path] = {}
        self._filters: dict[Path, SourceFilter] = {}
        self._lock = threading.Lock()
        self._count = 0

    def source_root(self, source: ResolvedSource) -> Path:
        if isinstance(source, LocalSource):
            return source.root
        assert isinstance(source, GeneratedSource)
        with self._lock:
            root = self._artifact_roots.get(source.key)
            if root is None:
                root = self.workspace.new_dir("artifact-" + source.key.split("/")[-1])
                materialize(source.layout, root)
                self._artifact_roots[source.key] = root
                self._skeletons[root] = root  # a materialized artifact is its own skeleton
            return root

    def _skeleton(self, root: Path) -> tuple[Path, int]:
        with self._lock:
            skel = self._skeletons.get(root)
            if skel is None:
                skel = self.workspace.new_dir("source") / "root"
                skel.mkdir()
                skeleton(root, skel)
                self._skeletons[root] = skel
            self._count += 1
            return skel, self._count

    def _filter(self, root: Path) -> SourceFilter:
        if root not in self._filters:
            self._filters[root] = SourceFilter(root)
        return self._filters[root]

    def run(self, ks: Kustomization, source: ResolvedSource) -> StageOutput:
        out = StageOutput()
        try:
            root = self.source_root(source)
        except OSError as exc:
            out.error = f"cannot lay out the source artifact: {exc}"
            return out
        rel = clean_path(ks.path)
        out.leaf_rel = rel
        src_dir = root / rel if rel else root
        out.source_dir = src_dir
        if not src_dir.is_dir():
            out.error = (
                f"kustomization path not found: {ks.path or './'} (in {source_label(source)})"
            )
            return out
        flt = self._filter(root) if isinstance(source, LocalSource) else None

        def ignored(path: Path, is_dir: bool) -> bool:
            if flt is None:
                return False
            try:
                return flt.ignored(path.relative_to(root).as_posix(), is_dir)
            except ValueError:
                return False

        try:
            generated = generate(src_dir, ks.spec, ignored)
        except GeneratorError as exc:
            out.error = str(exc)
            return out
        out.notes.extend(generated.notes)
        kus = generated.kustomization
        metadata = list(kus.get("buildMetadata") or [])
        if "originAnnotations" not in metadata:
            # Origin annotations tell findings which file an object came from; stripped later.
            kus["buildMetadata"] = [*metadata, "originAnnotations"]
            out.injected_origin = True
        text = dump(kus)

        skel, number = self._skeleton(root)
        leaf = leaf_copy(skel, rel, str(number))
        for name in KUSTOMIZATION_FILES:
            existing = leaf / name
            if existing.is_symlink() or existing.exists():
                existing.unlink()
        (leaf / generated.file_name).write_text(text, encoding="utf-8")

        key = self.cache.key(leaf, text, rel, self.workspace.root)
        hit = self.cache.get(key)
        if hit is not None:
            out.stream = hit
            out.cached = True
            return out
        try:
            stream = self.engine.build(leaf)
        except KustomizeFailure as exc:
            out.error = _relative_message(str(exc), leaf, skel, rel)
            return out
        self.cache.put(key, stream)
        out.stream = stream
        return out


def source_label(source: ResolvedSource) -> str:
    if isinstance(source, GeneratedSource):
        return f"artifact of {source.generator}"
    return str(source.root)


def _relative_message(message: str, leaf: Path, skel: Path, rel: str) -> str:
    """kustomize names workspace paths; show them relative to the source root instead."""
    text = message.replace(str(leaf), str(skel / rel) if rel else str(skel))
    return text.replace(str(skel) + os.sep, "").replace(str(skel), ".")
