"""Stage one of a build: stage the source, generate the kustomization, check what it may
read, run kustomize (or take the cached output). Safe to run in parallel: each build has its
own folder."""

from __future__ import annotations

import errno
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path

from fluxops.goyaml import dump
from fluxops.loader import confine
from fluxops.loader.confine import Skipped, Tree
from fluxops.loader.sourceignore import SourceFilter
from fluxops.loader.sources import (
    GeneratedSource,
    LocalSource,
    ResolvedSource,
    clean_path,
)
from fluxops.model.flux import Kustomization
from fluxops.render.batchsafe import Traits, traits
from fluxops.render.cache import WAIT_SECONDS, BuildCache
from fluxops.render.engine import Engine, KustomizeFailure
from fluxops.render.generator import KUSTOMIZATION_FILES, GeneratorError, generate
from fluxops.render.preflight import preflight
from fluxops.render.sandbox import Sandbox
from fluxops.render.workspace import Workspace, leaf_copy, leaf_path, materialize, stage

#: Longest spec.path accepted (Linux refuses longer paths; Flux would fail to find it).
MAX_PATH_LENGTH = 1024


@dataclass
class StageOutput:
    stream: str | None = None
    error: str | None = None
    notes: list[str] = field(default_factory=list)
    cached: bool = False
    injected_origin: bool = False
    source_dir: Path | None = None
    leaf_rel: str = ""


@dataclass
class Prepared:
    """A build made ready up to running kustomize: `out` is final when `folder` is None (an
    error, or the cached output); else kustomize still has to build `folder` (`complete`, or
    a batch, then `accept`)."""

    out: StageOutput
    folder: Path | None = None
    key: str | None = None
    root: Path | None = None
    rel: str = ""
    traits: Traits = field(default_factory=lambda: Traits(alone="not prepared"))
    #: Set when another renderer's build of the same key ends (`Stager.await_elsewhere`).
    elsewhere: threading.Event | None = None


@dataclass
class Staged:
    """A source laid out in the workspace: `root` (staged), `origin` (the real folder, or
    None for a generated artifact) and what staging left out."""

    root: Path
    origin: Path | None
    skipped: list[Skipped] = field(default_factory=list)


class Stager:
    """Builds Flux Kustomizations up to kustomize's output."""

    def __init__(
        self,
        engine: Engine,
        workspace: Workspace,
        cache: BuildCache,
        sandbox: Sandbox,
        *,
        allow_remote: bool = False,
        trees: dict[Path, Tree] | None = None,
        contents: dict[Path, dict[str, bytes]] | None = None,
    ) -> None:
        self.engine = engine
        self.workspace = workspace
        self.cache = cache
        self.sandbox = sandbox
        self.allow_remote = allow_remote
        self._trees = dict(trees or {})
        #: The bytes of files the loader read, by source root: staged without reading again.
        self._contents = dict(contents or {})
        self._staged: dict[object, Staged] = {}
        self._filters: dict[Path, SourceFilter] = {}
        #: Build folders made inside each staged tree (staged-root-relative): other builds must
        #: not see them (the generator lists folders, the cache hashes them).
        self._leaves: dict[Path, set[str]] = {}
        self._lock = threading.Lock()
        self._count = 0
        #: What each build prepared so far may read: (the real folder of its source, None
        #: for a generated artifact; its files, relative to it). A result cache entry is
        #: valid while none of them changes (render/ksreads.py).
        self.reads: list[tuple[Path | None, list[str]]] = []

    def staged(self, source: ResolvedSource) -> Staged:
        """The source staged in the workspace (once per source and run)."""
        key: object = source.root if isinstance(source, LocalSource) else source.key
        with self._lock:
            found = self._staged.get(key)
            if found is not None:
                return found
            if isinstance(source, LocalSource):
                tree = self._trees.get(source.root)
                if tree is None:
                    tree = confine.scan(source.root)
                dest = self.workspace.new_dir("source") / "root"
                dest.mkdir()
                failed = stage(tree, dest, self._contents.get(source.root))
                found = Staged(dest, source.root, [*tree.skipped, *failed])
            else:
                assert isinstance(source, GeneratedSource)
                dest = self.workspace.new_dir("artifact-" + source.key.split("/")[-1])
                found = Staged(dest, None, materialize(source.layout, dest))
            self._staged[key] = found
            return found

    def foreign_skips(self, repo_root: Path) -> list[tuple[Path, Skipped]]:
        """What staging left out of sources outside the repository (`--source DIR`): the
        repository's own are reported by the loader."""
        out: list[tuple[Path, Skipped]] = []
        with self._lock:
            staged = list(self._staged.values())
        for item in staged:
            origin = item.origin
            if origin is None or origin == repo_root or origin.is_relative_to(repo_root):
                continue
            out.extend((origin, skipped) for skipped in item.skipped)
        return out

    def _hidden(self, root: Path) -> frozenset[str]:
        with self._lock:
            return frozenset(self._leaves.get(root, ()))

    def _leaf(self, root: Path, rel: str) -> Path:
        with self._lock:
            self._count += 1
            number = self._count
        planned = leaf_path(root, rel, str(number))
        if planned.parent != root.parent:  # inside the staged tree (not the root's own leaf)
            # Registered before it exists: a build listing that folder never sees it.
            with self._lock:
                self._leaves.setdefault(root, set()).add(planned.relative_to(root).as_posix())
        return leaf_copy(root, rel, str(number))

    def _filter(self, root: Path) -> SourceFilter:
        with self._lock:
            if root not in self._filters:
                self._filters[root] = SourceFilter(root)
            return self._filters[root]

    def run(self, ks: Kustomization, source: ResolvedSource) -> StageOutput:
        """Prepare and build one Kustomization on its own."""
        return self.complete(self.prepare(ks, source))

    def complete(self, prepared: Prepared) -> StageOutput:
        """Run kustomize for a prepared build on its own (nothing to do when it is final)."""
        out = prepared.out
        if prepared.folder is None:
            return out
        assert prepared.root is not None
        try:
            stream = self.engine.build(prepared.folder, self.sandbox)
        except KustomizeFailure as exc:
            self.cache.release(prepared.key)
            out.error = _relative_message(str(exc), prepared.folder, prepared.root, prepared.rel)
            return out
        return self.accept(prepared, stream)

    def await_elsewhere(self, prepared: Prepared) -> StageOutput:
        """The output of the same build another renderer had in flight; built here when that
        build failed (or did not end in time)."""
        assert prepared.elsewhere is not None
        prepared.elsewhere.wait(WAIT_SECONDS)
        shared = self.cache.get(prepared.key)
        if shared is None:
            return self.complete(prepared)
        prepared.out.stream = shared
        prepared.out.cached = True
        return prepared.out

    def accept(self, prepared: Prepared, stream: str) -> StageOutput:
        """The build's kustomize output, from its own run or its share of a batch."""
        self.cache.put(prepared.key, stream)
        prepared.out.stream = stream
        return prepared.out

    def prepare(self, ks: Kustomization, source: ResolvedSource) -> Prepared:
        """Stage, generate, check and look up the cache: what comes before kustomize."""
        out = StageOutput()
        final = Prepared(out)
        rel = clean_path(ks.path)
        out.leaf_rel = rel
        if len(rel) > MAX_PATH_LENGTH:
            out.error = (
                f"spec.path is {len(rel)} characters long; no folder can have such a path "
                f"(at most {MAX_PATH_LENGTH} are accepted)"
            )
            return final
        try:
            staged = self.staged(source)
        except OSError as exc:
            out.error = f"cannot stage the source: {exc.strerror or exc}"
            return final
        root = staged.root
        out.source_dir = (staged.origin / rel if rel else staged.origin) if staged.origin else None
        if out.source_dir is None:
            out.source_dir = root / rel if rel else root
        src_dir = root / rel if rel else root
        if not confine.is_dir(root, rel):
            out.error = (
                f"kustomization path not found: {ks.path or './'} (in {source_label(source)})"
                + _symlink_note(staged, rel)
            )
            return final
        flt = self._filter(root) if isinstance(source, LocalSource) else None
        hidden = self._hidden(root)

        def ignored(path: Path, is_dir: bool) -> bool:
            try:
                rel_path = path.relative_to(root).as_posix()
            except ValueError:
                return False
            if rel_path in hidden:
                return True
            return flt is not None and flt.ignored(rel_path, is_dir)

        try:
            generated = generate(src_dir, ks.spec, ignored)
        except GeneratorError as exc:
            out.error = str(exc)
            return final
        out.notes.extend(generated.notes)
        kus = generated.kustomization
        metadata = list(kus.get("buildMetadata") or [])
        if "originAnnotations" not in metadata:
            # Origin annotations tell findings which file an object came from; stripped later.
            kus["buildMetadata"] = [*metadata, "originAnnotations"]
            out.injected_origin = True
        text = dump(kus)
        label = f"{rel}/{generated.file_name}" if rel else generated.file_name
        if generated.created:
            label += " (generated)"
        checked = preflight(kus, root, rel, label, allow_remote=self.allow_remote, hidden=hidden)
        if checked.problems:
            out.error = "refused before building: " + "; ".join(checked.problems)
            return final
        read = list(checked.closure)
        if not generated.created:  # the generator read it; the closure has what it names
            read.append(f"{rel}/{generated.file_name}" if rel else generated.file_name)
        with self._lock:
            self.reads.append((staged.origin, read))

        try:
            leaf = self._leaf(root, rel)
        except OSError as exc:
            if exc.errno == errno.ENAMETOOLONG:
                out.error = f"spec.path {ks.path!r} is too long for this system"
            else:
                out.error = f"cannot prepare the build folder: {exc.strerror or exc}"
            return final
        for name in KUSTOMIZATION_FILES:
            existing = leaf / name
            if existing.is_symlink() or existing.exists():
                existing.unlink()
        (leaf / generated.file_name).write_text(text, encoding="utf-8")

        key = None if checked.remote else self.cache.key(root, checked.closure, text, rel)
        hit = self.cache.get(key)
        elsewhere = None
        if hit is None:
            state = self.cache.claim(key)
            if isinstance(state, str):
                hit = state
            else:
                elsewhere = state
        if hit is not None:
            out.stream = hit
            out.cached = True
            return final
        found = traits(
            kus,
            checked.kustomizations,
            target_namespace=ks.target_namespace,
            remote=checked.remote,
        )
        return Prepared(out, leaf, key, root, rel, found, elsewhere)


def _symlink_note(staged: Staged, rel: str) -> str:
    """When spec.path goes through a symlink that staging left out, say so."""
    parts = rel.split("/") if rel else []
    prefixes = {"/".join(parts[: i + 1]) for i in range(len(parts))}
    for skipped in staged.skipped:
        if skipped.rel in prefixes and skipped.kind == "symlink":
            return (
                f"; {skipped.rel} is a symlink, which Flux leaves out of the source artifact "
                "(make it a real folder)"
            )
    return ""


def source_label(source: ResolvedSource) -> str:
    if isinstance(source, GeneratedSource):
        return f"artifact of {source.generator}"
    return str(source.root)


def _relative_message(message: str, leaf: Path, skel: Path, rel: str) -> str:
    """kustomize names workspace paths; show them relative to the source root instead."""
    text = message.replace(str(leaf), str(skel / rel) if rel else str(skel))
    return text.replace(str(skel) + os.sep, "").replace(str(skel), ".")
