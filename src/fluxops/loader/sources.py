"""Map Flux sources to local folders.

By default every source is the repository root. `--source KIND/NAMESPACE/NAME=DIR` overrides
that. When the cluster entry's path, or most paths the Kustomizations read from a source, exist
under one subfolder rather than at the repo root (repos that push `kubernetes/` as an OCI
artifact), that subfolder is used and a note says so (`fluxops.loader.roots`). A source defined
here whose files live elsewhere (another Git repository, an OCI registry) is an
`ExternalSource`: builds from it are skipped, not failed. ExternalArtifacts produced by an ArtifactGenerator get the layout the
generator's copy rules describe.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fluxops.errors import SourceError
from fluxops.loader import confine
from fluxops.loader.artifacts import ArtifactError, ArtifactLayout, artifact_layout
from fluxops.loader.repo import Repo
from fluxops.loader.roots import clean_path as clean_path  # re-exported
from fluxops.loader.roots import is_hidden
from fluxops.model.findings import Finding, Severity
from fluxops.model.flux import SOURCE_GROUP, ArtifactGenerator, Kustomization, SourceRef
from fluxops.model.resource import Resource


@dataclass(frozen=True)
class LocalSource:
    """A source that is a folder on disk (the repo root, a subfolder, or --source DIR)."""

    root: Path
    note: str | None = None


@dataclass(frozen=True)
class GeneratedSource:
    """An ExternalArtifact assembled from copy rules; render/ lays it out in its workspace."""

    layout: ArtifactLayout
    generator: str
    key: str = field(default="")


ResolvedSource = LocalSource | GeneratedSource


class UnresolvedSource(SourceError):
    """A source we cannot map to a local folder; the message says what to do."""


class ExternalSource(UnresolvedSource):
    """A source defined in the repo whose files are elsewhere (`url`): Kustomizations reading
    it are skipped, unless `--source` maps it to a local folder (`flag`)."""

    def __init__(self, message: str, *, url: str, flag: str) -> None:
        super().__init__(message)
        self.url = url
        self.flag = flag


def _key(ref: SourceRef) -> tuple[str, str, str]:
    return (ref.kind, ref.namespace, ref.name)


class SourceResolver:
    def __init__(self, repo: Repo, overrides: dict[tuple[str, str, str], Path] | None = None):
        self.repo = repo
        self.overrides = dict(overrides or {})
        self.findings: list[Finding] = []
        self._cache: dict[tuple[str, str, str, str], ResolvedSource] = {}
        #: Notes on the roots chosen, one per source ("which root and why").
        self.notes: dict[tuple[str, str, str], str] = {}
        self._paths_by_source: dict[tuple[str, str, str], set[str]] = {}
        for obj in repo.lookup_flux("Kustomization"):
            assert isinstance(obj, Kustomization)
            ref = obj.source_ref
            origin = obj.resource.origin
            if ref is None or "${" in obj.path or (origin is not None and is_hidden(origin.file)):
                continue
            self._paths_by_source.setdefault(_key(ref), set()).add(clean_path(obj.path))
        self._dirs: list[str] | None = None
        self._entry_paths: dict[tuple[str, str, str], set[str]] | None = None

    def _entries_of(self, key: tuple[str, str, str]) -> set[str]:
        """The paths the cluster entries syncing from source `key` read."""
        if self._entry_paths is None:
            from fluxops.loader.entries import find_entries

            self._entry_paths = {}
            for entry in find_entries(self.repo):
                ks = Kustomization(entry.kustomization)
                ref = ks.source_ref
                if ref is not None and "${" not in ks.path:
                    self._entry_paths.setdefault(_key(ref), set()).add(clean_path(ks.path))
        return self._entry_paths.get(key, set())

    def _all_dirs(self) -> list[str]:
        if self._dirs is None:
            tree = self.repo.tree if self.repo.tree is not None else confine.scan(self.repo.root)
            self._dirs = list(tree.dirs)
        return self._dirs

    def _is_dir(self, rel: str) -> bool:
        """A real folder of the repository (no symlink on the way), as the loader saw it."""
        if self.repo.tree is not None:
            return self.repo.tree.is_dir(rel)
        return confine.is_dir(self.repo.root, rel)

    def resolve(
        self, ref: SourceRef, scope: str = "", rendered: Sequence[Resource] = ()
    ) -> ResolvedSource:
        """Map `ref` to a local folder. `rendered` are the objects rendered so far in the same
        cluster (`scope`): sources and ArtifactGenerators found there win over repo files,
        since one repo can hold several clusters with same-named objects."""
        key = (*_key(ref), scope)
        if key not in self._cache:
            self._cache[key] = self._resolve(ref, rendered)
        return self._cache[key]

    def _definition(self, ref: SourceRef, rendered: Sequence[Resource]) -> Resource | None:
        for pool in (rendered, self.repo.lookups()):
            for r in pool:
                if (
                    r.id.group == SOURCE_GROUP
                    and r.kind == ref.kind
                    and r.name == ref.name
                    and (r.namespace or ref.namespace) == ref.namespace
                ):
                    return r
        return None

    def _is_own_ref(self, ref: SourceRef) -> bool:
        """The repo's own source: flux bootstrap's GitRepository (or OCIRepository)
        flux-system/flux-system, or a FluxInstance's sync source."""
        return ref.kind in ("GitRepository", "OCIRepository", "Bucket") and (
            (ref.namespace, ref.name) == ("flux-system", "flux-system")
            or (ref.namespace, ref.name) in self._instance_sources()
        )

    def _instance_sources(self) -> set[tuple[str, str]]:
        out = set()
        for r in self.repo.lookups():
            if r.kind == "FluxInstance":
                sync = r.spec.get("sync")
                if isinstance(sync, dict):
                    out.add((r.namespace or "flux-system", str(sync.get("name") or "flux-system")))
        return out

    def _own_urls(self) -> set[str]:
        urls = set()
        for r in self.repo.lookups():
            if r.id.group == SOURCE_GROUP and r.name == "flux-system":
                url = r.spec.get("url")
                if isinstance(url, str):
                    urls.add(url.rstrip("/").removesuffix(".git"))
            values = r.spec.get("values") if r.kind == "HelmRelease" else None
            instance = values.get("instance") if isinstance(values, dict) else None
            sync = (
                r.spec.get("sync")
                if r.kind == "FluxInstance"
                else (instance.get("sync") if isinstance(instance, dict) else None)
            )
            if isinstance(sync, dict) and isinstance(sync.get("url"), str):
                urls.add(sync["url"].rstrip("/").removesuffix(".git"))
        return urls

    def _resolve(self, ref: SourceRef, rendered: Sequence[Resource]) -> ResolvedSource:
        key = _key(ref)
        if key in self.overrides:
            return LocalSource(self.overrides[key])
        if ref.kind == "ExternalArtifact":
            return self._external_artifact(ref, rendered)
        paths = {p for p in self._paths_by_source.get(key, set()) if p}
        definition = self._definition(ref, rendered)
        url = definition.spec.get("url") if definition is not None else None
        if definition is None and not self._is_own_ref(ref):
            raise UnresolvedSource(
                f"{ref} is not defined in this repository (Flux would report the source as not "
                f"found); define it, or map it to a folder with "
                f"--source {ref.kind}/{ref.namespace}/{ref.name}=DIR"
            )
        own = (
            definition is None
            or ref.name == "flux-system"
            or (isinstance(url, str) and url.rstrip("/").removesuffix(".git") in self._own_urls())
        )
        if not own and (not paths or not self._paths_exist(paths)):
            where = f" ({url})" if isinstance(url, str) else ""
            flag = f"--source {ref.kind}/{ref.namespace}/{ref.name}=DIR"
            raise ExternalSource(
                f"{ref} is an external source{where}: its files are not in this repository; "
                f"map it to a local checkout with {flag}",
                url=url if isinstance(url, str) else "",
                flag=flag,
            )
        return self._choose(ref, paths)

    def _choose(self, ref: SourceRef, paths: set[str]) -> LocalSource:
        from fluxops.loader.roots import choose_root

        root = self.repo.root
        entry_paths = self._entries_of(_key(ref))
        if not entry_paths and (not paths or all(self._is_dir(p) for p in paths)):
            return LocalSource(root)
        choice = choose_root(entry_paths, paths, self._all_dirs(), self._is_dir)
        if choice is None or not choice.root:
            return LocalSource(root)
        note = (
            f"{ref}: {choice.note}; override with "
            f"--source {ref.kind}/{ref.namespace}/{ref.name}=DIR"
        )
        if _key(ref) not in self.notes:
            self.notes[_key(ref)] = note
            self.findings.append(Finding("FO010", Severity.INFO, note, object=str(ref)))
        return LocalSource(root / choice.root, note=note)

    def _paths_exist(self, paths: set[str]) -> bool:
        return all(self._is_dir(p) for p in paths) or any(
            all(self._is_dir(f"{d}/{p}") for p in paths) for d in self._all_dirs()
        )

    def _external_artifact(self, ref: SourceRef, rendered: Sequence[Resource]) -> ResolvedSource:
        generators = [
            ArtifactGenerator(r)
            for pool in (rendered, self.repo.lookups())
            for r in pool
            if r.id.group == ArtifactGenerator.group and r.kind == ArtifactGenerator.kind
        ]
        for obj in generators:
            if obj.namespace != ref.namespace:
                continue
            for artifact in obj.artifacts:
                if artifact.get("name") != ref.name:
                    continue
                aliases = {
                    str(s.get("alias")): s for s in obj.sources if isinstance(s.get("alias"), str)
                }

                def resolve_alias(
                    alias: str,
                    _gen: ArtifactGenerator = obj,
                    _aliases: dict[str, Any] = aliases,
                ) -> Path | None:
                    spec = _aliases[alias]
                    src = SourceRef(
                        kind=str(spec.get("kind", "")),
                        namespace=str(spec.get("namespace") or _gen.namespace),
                        name=str(spec.get("name", "")),
                    )
                    try:
                        resolved = self.resolve(src, "", rendered)
                    except UnresolvedSource as exc:
                        raise ArtifactError(f"source alias '{alias}': {exc}") from None
                    return resolved.root if isinstance(resolved, LocalSource) else None

                where = f"ArtifactGenerator/{obj.namespace}/{obj.name}"
                try:
                    layout = artifact_layout(artifact, resolve_alias, aliases)
                except ArtifactError as exc:
                    raise UnresolvedSource(
                        f"{ref}: {where} cannot produce it offline: {exc}"
                    ) from None
                for warning in layout.warnings:
                    self.findings.append(
                        Finding("FO011", Severity.WARNING, warning, object=where, file=_file(obj))
                    )
                digest = hashlib.sha256(
                    "\n".join(f"{k}={v}" for k, v in sorted(layout.files.items())).encode()
                ).hexdigest()[:16]
                return GeneratedSource(layout=layout, generator=where, key=f"{ref.name}-{digest}")
        raise UnresolvedSource(
            f"{ref} is not produced by any ArtifactGenerator in this repository; "
            f"map it with --source ExternalArtifact/{ref.namespace}/{ref.name}=DIR"
        )


def _file(obj: ArtifactGenerator) -> str | None:
    return obj.resource.origin.file if obj.resource.origin else None
