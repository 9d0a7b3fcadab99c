"""Render Flux Kustomizations: one, or every one reachable from the cluster entries.

Waves: each wave runs stage one (kustomize) for its Kustomizations in parallel, then the
post-build step in order (those without substituteFrom first, so variables they render are
known), then looks for Flux Kustomizations in the output: those not built yet form the next
wave, until nothing new appears. One failure never stops the others.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fluxops import __version__
from fluxops.errors import CancelledByClient
from fluxops.loader.fluxversion import FluxVersion
from fluxops.loader.repo import Repo
from fluxops.loader.sources import (
    ExternalSource,
    GeneratedSource,
    ResolvedSource,
    SourceResolver,
    UnresolvedSource,
)
from fluxops.model.findings import Finding, Severity
from fluxops.model.flux import (
    SOURCE_GROUP,
    ArtifactGenerator,
    Kustomization,
    is_flux_kustomization,
)
from fluxops.model.names import name_problem
from fluxops.model.resource import Origin, Resource
from fluxops.model.results import KustomizationBuild
from fluxops.render.batch import build_prepared
from fluxops.render.build_options import BuildOptions
from fluxops.render.cache import BuildCache, default_cache_dir
from fluxops.render.engine import Engine, default_engine
from fluxops.render.flux_versions import FluxVersions
from fluxops.render.sandbox import Sandbox
from fluxops.render.stage import Prepared, StageOutput, Stager
from fluxops.render.workspace import Workspace

if TYPE_CHECKING:
    from fluxops.loader.parsecache import ParseCache
    from fluxops.render.walkcache import Walk, WalkCache

#: Limits on the Kustomization graph: Kustomizations that render Kustomizations that render
#: ... (each level may re-create itself under a new name through substitution).
MAX_KUSTOMIZATIONS = 5000
MAX_TREE_DEPTH = 32


def _core_named(r: Resource, kind: str, name: str, namespace: str) -> bool:
    """A core-group object of the repo with this kind and name, in `namespace` or in none."""
    return r.id.group == "" and r.kind == kind and r.name == name and r.namespace in ("", namespace)


@dataclass
class _Task:
    cluster: str
    resource: Resource
    parent: str | None
    depth: int = 0
    ks: Kustomization = field(init=False)

    def __post_init__(self) -> None:
        self.ks = Kustomization(self.resource)

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.cluster, self.ks.namespace, self.ks.name)


class Renderer:
    """Holds what a run shares: the repo, the engine, the workspace, the cache."""

    def __init__(self, repo: Repo, options: BuildOptions | None = None) -> None:
        self.repo = repo
        self.options = options or BuildOptions()
        self.engine: Engine = default_engine(self.options.kustomize_bin)
        self.resolver = SourceResolver(repo, self.options.sources)
        size = sum(repo.tree.files.values()) if repo.tree is not None else 0
        self.workspace = Workspace(near=repo.root, size=size)
        cache_dir = (self.options.cache_dir or default_cache_dir()) if self.options.cache else None
        self.cache = BuildCache(
            cache_dir, f"{__version__}|{self.engine.version}", self.options.store
        )
        self.jobs = self.options.jobs or os.cpu_count() or 2
        self.sandbox = Sandbox(
            self.workspace.root,
            self.engine.binary,
            home=self.workspace.home,
            tmp=self.workspace.tmp,
            allow_remote=self.options.allow_remote,
            landlock_enabled=self.options.landlock,
            workers=self.jobs,
            on_start=self.options.on_engine_start,
        )
        self.stager = Stager(
            self.engine,
            self.workspace,
            self.cache,
            self.sandbox,
            allow_remote=self.options.allow_remote,
            trees={repo.root: repo.tree} if repo.tree is not None else None,
            contents={repo.root: repo.contents},
        )
        #: Run-level findings (limits hit, the engine's confinement).
        self.findings: list[Finding] = []
        self._rendered: dict[str, dict[tuple[str, str, str], dict[str, Any]]] = {}
        self._sources: dict[str, list[Resource]] = {}
        #: Every object by file, for the origins of rendered objects: only files a build read
        #: are ever asked for (lookups across the repository use `repo.lookups()`).
        self._by_file: dict[str, list[Resource]] = {}
        for r in repo.resources:
            if r.origin is not None:
                self._by_file.setdefault(r.origin.file, []).append(r)
        self._done = 0
        self._total = 0
        self.versions = FluxVersions(repo, self.options.flux_version, self.options.strict)
        #: Builds whose source is outside the repository: skipped, not failed.
        self._external: dict[tuple[str, str, str], ExternalSource] = {}
        self._parsed: ParseCache | None = None  # made at the first post-build
        self._parsed_made = False
        #: `build_target`: the walk to the wanted Kustomization, as found (None: not found
        #: yet, or not to be stored) and whether it may be stored.
        self._walk: Walk | None = None
        self._walk_storable = True
        #: A walk taken from the walk cache: the files its builds read, as it recorded them
        #: (None: not known).
        self._resumed: list[str] | None = []
        #: A `substituteFrom` lookup fell back to the repository's ConfigMaps and Secrets.
        self.core_lookups = False

    def close(self) -> None:
        try:
            self.cache.close()
            self.sandbox.close()
        finally:
            self.workspace.close()

    def run_findings(self) -> list[Finding]:
        """Findings about the run itself: the engine's confinement, limits that were hit."""
        from fluxops.loader.repo import skipped_finding

        out = list(self.findings)
        for origin, skipped in self.stager.foreign_skips(self.repo.root):
            finding = skipped_finding(skipped)
            out.append(replace(finding, file=f"{origin}/{skipped.rel}"))
        note = self.sandbox.note()
        if note is not None:
            out.append(Finding("FO017", Severity.INFO, note))
        return out

    def __enter__(self) -> Renderer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- lookups -----------------------------------------------------------------------------

    def _lookup(self, cluster: str) -> Callable[[str, str, str], dict[str, Any] | None]:
        rendered = self._rendered.setdefault(cluster, {})

        def lookup(kind: str, namespace: str, name: str) -> dict[str, Any] | None:
            hit = rendered.get((kind, namespace, name))
            if hit is not None:
                return hit
            self.core_lookups = True
            candidates = [
                r for r in self.repo.variable_objects() if _core_named(r, kind, name, namespace)
            ]
            exact = [r for r in candidates if r.namespace == namespace]
            chosen = exact or candidates
            return chosen[0].raw if chosen else None

        return lookup

    def _origin_of(
        self, build_dir: str, layout: dict[str, Path] | None = None
    ) -> Callable[[dict[str, Any], str | None], Origin | None]:
        """Origins from kustomize's origin annotation; `layout`: an ExternalArtifact's files
        (artifact path -> repository file), so that its objects point at the repo's files."""
        from fluxops.render.origins import origin_finder

        return origin_finder(self._by_file, build_dir, self.repo.root, layout)

    # -- one build ---------------------------------------------------------------------------

    def _resolve(self, task: _Task) -> ResolvedSource | str:
        ref = task.ks.source_ref
        if ref is None:
            return "spec.sourceRef is missing"
        try:
            return self.resolver.resolve(ref, task.cluster, self._sources.get(task.cluster, []))
        except ExternalSource as exc:
            self._external[task.key] = exc
            return str(exc)
        except UnresolvedSource as exc:
            return str(exc)

    def _prepare(self, task: _Task) -> tuple[Prepared, ResolvedSource | None]:
        problem = name_problem(task.ks.namespace, task.ks.name)
        if problem is not None:
            return (
                Prepared(
                    StageOutput(
                        error=f"{problem}: the API server would refuse this Kustomization, "
                        "so Flux never builds it"
                    )
                ),
                None,
            )
        resolved = self._resolve(task)
        if isinstance(resolved, str):
            return Prepared(StageOutput(error=resolved)), None
        return self.stager.prepare(task.ks, resolved), resolved

    def _tick(self, task: _Task) -> None:
        self._done += 1
        progress = self.options.progress
        if progress is not None:
            # a progress display with a `current` method also shows the latest Kustomization
            current = getattr(progress, "current", None)
            if callable(current):
                current(f"{task.ks.namespace}/{task.ks.name}")
            progress(self._done, self._total)
        if self.options.cancelled is not None and self.options.cancelled():
            raise CancelledByClient(
                f"cancelled by the client after {self._done} of {self._total} Kustomizations"
            )

    def _finish(
        self, task: _Task, staged: StageOutput, resolved: ResolvedSource | None
    ) -> KustomizationBuild:
        # after kustomize ran: imported then (drift imports them while kustomize runs)
        from fluxops.render.outcome import duplicate_identities
        from fluxops.render.postbuild import SECRET_MASK, SOPS_MASK, PostBuildError, post_build

        ref = task.ks.source_ref
        build = KustomizationBuild(
            cluster=task.cluster,
            kustomization=task.resource,
            parent=task.parent,
            source=str(ref) if ref else "",
            cached=staged.cached,
        )
        if staged.source_dir is not None and resolved is not None:
            try:
                build.source_dir = staged.source_dir.relative_to(self.repo.root).as_posix()
            except ValueError:
                build.source_dir = staged.leaf_rel
        where = self._where(task)
        for note in staged.notes:
            build.findings.append(Finding("FO012", Severity.INFO, note, object=where))
        external = self._external.get(task.key)
        if external is not None:
            build.skip(str(external), url=external.url, flag=external.flag)
            return build
        if staged.error is not None or staged.stream is None:
            build.fail(staged.error or "build failed")
            return build
        build_dir = build.source_dir or staged.leaf_rel
        try:
            outcome = post_build(
                task.ks,
                staged.stream,
                self._lookup(task.cluster),
                strict=self.strict_for(task.cluster),
                owner_labels=self.options.owner_labels,
                origin_of=self._origin_of(
                    build_dir,
                    resolved.layout.files if isinstance(resolved, GeneratedSource) else None,
                ),
                strip_origin=staged.injected_origin,
                variable_source=self.options.variable_source,
                parsed=self._output_cache(),
            )
        except PostBuildError as exc:
            build.fail(str(exc))
            return build
        build.objects = outcome.objects
        build.findings.extend(outcome.findings)
        duplicates = duplicate_identities(build.objects)
        if duplicates:
            masked = [d for d in duplicates if any(m in d for m in (SECRET_MASK, SOPS_MASK))]
            if len(masked) < len(duplicates):
                # kustomize-controller replaces each substituted object in the resource map by
                # its identity; two objects that became one identity fail the build.
                build.fail(
                    "in Replace: id matched 2 resources: postBuild substitution gave "
                    + ", ".join(d for d in duplicates if d not in masked)
                    + " the same identity twice"
                )
                return build
            for dup in masked:
                build.findings.append(
                    Finding(
                        "FO004",
                        Severity.WARNING,
                        f"{dup} is rendered twice: its name comes from Secret variables, which "
                        f"fluxops masks, so it cannot tell whether Flux would see one object or two",
                        object=where,
                    )
                )
        for obj in build.objects:
            if obj.id.group in (SOURCE_GROUP, ArtifactGenerator.group):
                self._sources.setdefault(task.cluster, []).append(obj)
            if obj.kind in ("ConfigMap", "Secret") and obj.id.group == "":
                self._rendered.setdefault(task.cluster, {})[(obj.kind, obj.namespace, obj.name)] = (
                    obj.raw
                )
        return build

    def _output_cache(self) -> ParseCache | None:
        """The cache of parsed kustomize outputs (with the build cache: beside it when the
        run names its folder, else the user's parse cache)."""
        if not self.options.cache:
            return None
        if not self._parsed_made:
            from fluxops.loader.parsecache import ParseCache

            self._parsed = ParseCache.default(self._cache_folder("parsed"), outputs=True)
            self._parsed_made = True
        return self._parsed

    # -- Flux versions -----------------------------------------------------------------------

    def flux_version(self, cluster: str) -> FluxVersion:
        """The Flux release `cluster` installs (`--flux-version`, else detected)."""
        return self.versions.get(cluster)

    def strict_for(self, cluster: str) -> bool:
        return self.versions.strict_for(cluster)

    def notes(self) -> list[str]:
        """What the run assumed: each source's root, each cluster's Flux version."""
        return [*self.resolver.notes.values(), *self.versions.notes()]

    @staticmethod
    def _where(task: _Task) -> str:
        return f"Kustomization/{task.ks.namespace}/{task.ks.name}"

    # -- waves -------------------------------------------------------------------------------

    def _run_wave(self, tasks: list[_Task]) -> list[KustomizationBuild]:
        self._total += len(tasks)
        if len(tasks) == 1 or self.jobs == 1:
            prepared = [self._prepare(t) for t in tasks]
        else:
            from concurrent.futures import ThreadPoolExecutor

            with ThreadPoolExecutor(max_workers=self.jobs) as pool:
                prepared = list(pool.map(self._prepare, tasks))
        staged = build_prepared(
            self.stager,
            [p for p, _ in prepared],
            workers=self.jobs,
            batching=self.options.batch,
            on_done=lambda i: self._tick(tasks[i]),
        )
        order = sorted(range(len(tasks)), key=lambda i: bool(tasks[i].ks.substitute_from))
        results: dict[int, KustomizationBuild] = {}
        for i in order:
            results[i] = self._finish(tasks[i], staged[i], prepared[i][1])
        return [results[i] for i in range(len(tasks))]

    def build_target(
        self, roots: Iterable[tuple[str, Resource]], namespace: str, name: str
    ) -> list[KustomizationBuild]:
        """`build_tree(roots, looking_for=namespace/name)`, the walk to it taken from the walk
        cache when it holds it (render/walkcache.py): then only that Kustomization is built;
        else walked, and the walk stored when it may be."""
        from fluxops.render.walkcache import WalkCache

        def wanted(ns: str, ks_name: str) -> bool:
            return (ns, ks_name) == (namespace, name)

        roots = list(roots)
        key = self._walk_key(roots, namespace, name)
        cache = WalkCache(self._cache_folder("walks")) if key is not None else None
        if cache is not None and key is not None:
            walk = cache.get(key) or self._earlier_walk(cache, key, roots, namespace, name)
            if walk is not None:
                build = self._resume(walk)
                if wanted(build.namespace, build.name):
                    return [build]
        self._walk, self._walk_storable = None, True
        out = self.build_tree(roots, looking_for=wanted)
        walk = self._walk
        if (
            cache is not None
            and key is not None
            and walk is not None
            and self._walk_storable
            and not self.findings
            and any(wanted(b.namespace, b.name) for b in out)
        ):
            cache.put(key, walk)
            self._record_reads(cache, walk, roots, namespace, name)
        return out

    def _reads_key(self, roots: list[tuple[str, Resource]], namespace: str, name: str) -> str:
        from fluxops.render.walkcache import walk_key

        return walk_key("", self._walk_settings(), roots, namespace, name)

    def _record_reads(
        self, cache: WalkCache, walk: Walk, roots: list[tuple[str, Resource]], ns: str, name: str
    ) -> None:
        """What a walk just stored read (render/ksreads.py), when that is known."""
        from fluxops.render import ksreads

        digests = self.repo.digests()
        if walk.read is None or digests is None:
            return
        reads = ksreads.record(digests, walk.read, walk.core, self.repo)
        cache.records.put(self._reads_key(roots, ns, name), reads)

    def _earlier_walk(
        self,
        cache: WalkCache,
        key: str,
        roots: list[tuple[str, Resource]],
        namespace: str,
        name: str,
    ) -> Walk | None:
        """The walk stored for an earlier state of the repository, when nothing it read has
        changed since (render/ksreads.py); stored again under this state's key."""
        from fluxops.render import ksreads
        from fluxops.render.walkcache import walk_key

        digests = self.repo.digests()
        tree = self.repo.tree
        reads_key = self._reads_key(roots, namespace, name)
        reads = cache.records.get(reads_key)
        if reads is None or digests is None or tree is None:
            return None

        def reprint(rel: str, core: bool) -> bytes:  # from the loaded repository: no parse
            return ksreads.fingerprint(
                ksreads.consulted_among(self._by_file.get(rel, []), core),
                [f for f in self.repo.findings if f.file == rel],
            )

        carried = ksreads.carried(reads, tree, digests, reprint)
        if carried is None:
            return None
        walk = cache.get(walk_key(reads.digest, self._walk_settings(), roots, namespace, name))
        if walk is None:
            return None
        cache.put(key, walk)
        cache.records.put(reads_key, carried)
        return walk

    def _walk_key(self, roots: list[tuple[str, Resource]], namespace: str, name: str) -> str | None:
        """The walk cache's key for this run, or None when walks are not cached: no cache,
        remote bases allowed, sources from outside the repository, a repository too large to
        digest."""
        options = self.options
        if not options.cache or options.allow_remote or options.sources:
            return None
        digest = self.repo.content_digest()
        if digest is None:
            return None
        from fluxops.render.walkcache import walk_key

        return walk_key(digest, self._walk_settings(), roots, namespace, name)

    def _walk_settings(self) -> str:
        """What besides the repository's content keys a walk: its place, the options."""
        return f"{self.repo.root}\0{self.options.cache_settings(self.engine.version)}"

    def _cache_folder(self, name: str) -> Path:
        """The folder of the cache `name`: beside the build cache when the run names its
        folder, else the user's (`loader.cachefiles`)."""
        if self.options.cache_dir is not None:
            return self.options.cache_dir / name
        from fluxops.loader.cachefiles import cache_folder

        return cache_folder(name)

    def _resume(self, walk: Walk) -> KustomizationBuild:
        """Build the Kustomization a cached walk found, with what the walk left behind."""
        self._resumed = walk.read
        self.core_lookups = self.core_lookups or walk.core
        if walk.sources:
            self._sources[walk.cluster] = list(walk.sources)
        for key, note in walk.notes:
            self.resolver.notes.setdefault(key, note)
        self.resolver.findings.extend(walk.findings)
        for cluster in walk.clusters:
            self.versions.get(cluster)
        task = _Task(walk.cluster, walk.kustomization, walk.parent, walk.depth)
        return self._run_wave([task])[0]

    def files_read(self) -> set[str] | None:
        """The repository files the builds of this run may have read (what their kustomization
        files name, and the folders they read whole), repository-relative, with those of a
        walk taken from the walk cache; None when that is not known: a source outside the
        repository or generated from an artifact, a walk that did not record them."""
        if self._resumed is None:
            return None
        out = set(self._resumed)
        for origin, files in list(self.stager.reads):
            if origin is None:
                return None
            if origin == self.repo.root:
                out.update(files)
                continue
            try:
                prefix = origin.relative_to(self.repo.root).as_posix()
            except ValueError:
                return None
            out.update(f"{prefix}/{rel}" for rel in files)
        return out

    def _record_walk(self, task: _Task) -> None:
        """The wave that holds the wanted Kustomization is about to be built: what it needs
        from the walk so far."""
        from fluxops.render.walkcache import Walk

        self._walk = Walk(
            cluster=task.cluster,
            kustomization=task.resource,
            parent=task.parent,
            depth=task.depth,
            sources=list(self._sources.get(task.cluster, [])),
            notes=list(self.resolver.notes.items()),
            clusters=self.versions.asked(),
            findings=list(self.resolver.findings),
        )
        read = self.files_read()  # the ancestors' builds: the wave that holds it comes next
        self._walk.read = sorted(read) if read is not None else None
        self._walk.core = self.core_lookups

    def build_tree(
        self,
        roots: Iterable[tuple[str, Resource]],
        looking_for: Callable[[str, str], bool] | None = None,
        only: Callable[[str, Resource], bool] | None = None,
    ) -> list[KustomizationBuild]:
        """Build the roots and every Flux Kustomization found in their output, recursively.
        `only(cluster, kustomization)`: build only those it accepts (and look for children in
        their output only); `diff --changed-only` passes what a changed file reaches.
        `looking_for(namespace, name)`: one Kustomization is wanted (`--ks`): the tree is
        built down to it and no further, and of the wave that holds it only it is built (its
        siblings cannot change it: its source was resolved before any of them was built),
        unless it reads `substituteFrom`, whose ConfigMaps and Secrets a sibling may render."""
        done: dict[tuple[str, str, str], KustomizationBuild] = {}
        wave = [_Task(cluster, res, None) for cluster, res in roots]
        out: list[KustomizationBuild] = []
        while wave:
            unique: dict[tuple[str, str, str], _Task] = {}
            for task in wave:
                if only is not None and not only(task.cluster, task.resource):
                    continue
                if task.key not in done and task.key not in unique:
                    unique[task.key] = task
            tasks = list(unique.values())
            if looking_for is not None:
                wanted = [t for t in tasks if looking_for(t.ks.namespace, t.ks.name)]
                if wanted and not any(t.ks.substitute_from for t in wanted):
                    tasks = wanted
                    if len(wanted) == 1:
                        self._record_walk(wanted[0])
                elif (
                    not wanted
                    and self.options.variable_source is not None
                    and any(t.ks.substitute_from for t in tasks)
                ):
                    # variables read from the live cluster: a walk through them may change
                    # without the repository changing
                    self._walk_storable = False
            if not tasks:
                break
            room = MAX_KUSTOMIZATIONS - self._total
            if len(tasks) > room:
                self._limit(
                    f"stopped after {MAX_KUSTOMIZATIONS} Kustomizations: "
                    f"{len(tasks) - max(room, 0)} more were not built (a Kustomization that "
                    "renders ever more Kustomizations?)"
                )
                tasks = tasks[: max(room, 0)]
                if not tasks:
                    break
            builds = self._run_wave(tasks)
            wave = []
            for task, build in zip(tasks, builds, strict=True):
                done[task.key] = build
                out.append(build)
                if looking_for is not None and looking_for(build.namespace, build.name):
                    return out
                children = [obj for obj in build.objects if is_flux_kustomization(obj)]
                if children and task.depth + 1 > MAX_TREE_DEPTH:
                    self._limit(
                        f"Kustomization {build.ref} renders Kustomizations "
                        f"{MAX_TREE_DEPTH} levels deep; those below were not built "
                        "(does it re-create itself through substitution?)",
                        obj=f"Kustomization/{build.ref}",
                    )
                    continue
                for obj in children:
                    # A Kustomization applied to a remote cluster is reconciled there.
                    wave.append(_Task(build.target, obj, build.ref, task.depth + 1))
        return out

    def _limit(self, message: str, obj: str | None = None) -> None:
        self.findings.append(
            Finding(
                "FO018",
                Severity.ERROR,
                message,
                object=obj,
                hint="fluxops bounds the Kustomization graph: at most "
                f"{MAX_KUSTOMIZATIONS} Kustomizations, {MAX_TREE_DEPTH} levels deep",
            )
        )

    def build_one(self, resource: Resource, cluster: str = "") -> KustomizationBuild:
        return self._run_wave([_Task(cluster, resource, None)])[0]
