"""What a lint rule sees: the repository's objects (with file and line), its kustomization files,
the rendered output when there is one, and read-only access to file texts through a protocol
(api.py provides the disk implementation; tests use `MemoryFiles`)."""

from __future__ import annotations

import posixpath
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Protocol

from fluxops.loader.yamlio import YamlParseError, load_documents
from fluxops.model.findings import Finding, Severity
from fluxops.model.flux import (
    KUSTOMIZE_CONFIG_GROUP,
    SOURCE_GROUP,
    FluxObject,
    is_flux_kustomization,
    view,
)
from fluxops.model.resource import Origin, Resource
from fluxops.model.results import KustomizationBuild

KUSTOMIZATION_NAMES = ("kustomization.yaml", "kustomization.yml", "Kustomization")


class RepoFiles(Protocol):
    """Read-only view of the repository's files (paths are repo-relative, posix). Symlinks
    are not files or folders here (Flux leaves them out); `symlinks()` lists them."""

    def read(self, rel: str) -> str | None: ...

    def is_dir(self, rel: str) -> bool: ...

    def is_file(self, rel: str) -> bool: ...

    def yaml_files(self) -> list[str]: ...

    def symlinks(self) -> dict[str, str]: ...


#: In MemoryFiles (rule examples), a key `PATH -> TARGET` is a symlink, not a file.
LINK_ARROW = " -> "


class MemoryFiles:
    """Files held in memory: rule examples and tests. A key `path -> target` stands for a
    symlink."""

    def __init__(self, files: dict[str, str]) -> None:
        self.links = {
            posixpath.normpath(k.split(LINK_ARROW, 1)[0]): k.split(LINK_ARROW, 1)[1]
            for k in files
            if LINK_ARROW in k
        }
        self.files = {posixpath.normpath(k): v for k, v in files.items() if LINK_ARROW not in k}

    def symlinks(self) -> dict[str, str]:
        return dict(self.links)

    def read(self, rel: str) -> str | None:
        return self.files.get(posixpath.normpath(rel))

    def is_file(self, rel: str) -> bool:
        return posixpath.normpath(rel) in self.files

    def is_dir(self, rel: str) -> bool:
        norm = posixpath.normpath(rel)
        if norm in ("", "."):
            return True
        return any(f.startswith(norm + "/") for f in self.files)

    def yaml_files(self) -> list[str]:
        return sorted(f for f in self.files if f.endswith((".yaml", ".yml")))


@dataclass
class KustomizeFile:
    """A kustomization file: its folder, file, parsed content and text."""

    directory: str
    file: str
    data: dict[str, Any]
    text: str

    def line_of(self, key: str) -> int:
        """Line of a top-level key (1 when absent)."""
        for number, line in enumerate(self.text.splitlines(), start=1):
            if line.startswith(f"{key}:"):
                return number
        return 1

    def line_containing(self, needle: str, default: int = 1) -> int:
        for number, line in enumerate(self.text.splitlines(), start=1):
            if needle in line:
                return number
        return default


def load_resources(files: RepoFiles) -> tuple[list[Resource], list[Finding]]:
    """Resources from every YAML file (used with MemoryFiles; api.py uses the loader)."""
    resources: list[Resource] = []
    findings: list[Finding] = []
    for rel in files.yaml_files():
        text = files.read(rel) or ""
        try:
            docs = load_documents(text)
        except YamlParseError as exc:
            findings.append(Finding("FO001", Severity.ERROR, exc.message, file=rel, line=exc.line))
            continue
        for doc in docs:
            value = doc.value
            if (
                isinstance(value, dict)
                and isinstance(value.get("apiVersion"), str)
                and isinstance(value.get("kind"), str)
            ):
                resources.append(Resource(raw=value, origin=Origin(rel, doc.index, doc.line)))
    return resources, findings


@dataclass
class LintContext:
    files: RepoFiles
    resources: list[Resource]
    builds: list[KustomizationBuild] = field(default_factory=list)
    options: dict[str, dict[str, Any]] = field(default_factory=dict)
    own_sources: set[tuple[str, str]] = field(default_factory=set)
    #: (source kind, name) -> the source's folder in this repo ('' = the root); sources whose
    #: files are elsewhere are absent. api.py fills it with the build's source resolution.
    source_roots: dict[tuple[str, str], str] = field(default_factory=dict)
    #: The Flux release (major, minor, patch) of each cluster the render built.
    flux_releases: dict[str, tuple[int, int, int]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.source_roots:
            for kind in ("GitRepository", "OCIRepository", "Bucket"):
                self.source_roots[(kind, "flux-system")] = ""

    # -- options -----------------------------------------------------------------------------

    def option(self, rule_id: str, name: str, default: Any) -> Any:
        return self.options.get(rule_id, {}).get(name, default)

    # -- objects -----------------------------------------------------------------------------

    def flux(self, kind: str) -> Iterator[FluxObject]:
        for resource in self.resources:
            obj = view(resource)
            if obj is not None and obj.kind == kind:
                yield obj

    def of_kind(self, group: str, kind: str) -> Iterator[Resource]:
        for resource in self.resources:
            if resource.id.group == group and resource.kind == kind:
                yield resource

    @cached_property
    def rendered(self) -> list[Resource]:
        return [obj for b in self.builds if b.status == "ok" for obj in b.objects]

    @cached_property
    def _rendered_namespaces(self) -> dict[tuple[str, str, str], str]:
        out: dict[tuple[str, str, str], str] = {}
        for obj in self.rendered:
            if obj.origin is not None and obj.namespace:
                out.setdefault((obj.origin.file, obj.kind, obj.name), obj.namespace)
        return out

    def namespace_of(self, resource: Resource) -> str | None:
        """The object's namespace: written in it, or learnt from the rendered output; None
        when unknown (set by a kustomization `namespace:` or a parent's targetNamespace)."""
        if resource.namespace:
            return resource.namespace
        if resource.origin is not None:
            return self._rendered_namespaces.get(
                (resource.origin.file, resource.kind, resource.name)
            )
        return None

    def all_objects(self) -> Iterable[Resource]:
        """Repo documents, then rendered objects (generated ConfigMaps, remote bases...)."""
        yield from self.resources
        yield from self.rendered

    def defines(self, group: str, kinds: Iterable[str], name: str, namespace: str | None) -> bool:
        """Whether an object of `kinds` named `name` exists (namespace-tolerant: an object
        whose namespace is unknown matches any)."""
        wanted = set(kinds)
        for obj in self.all_objects():
            if obj.id.group != group or obj.kind not in wanted or obj.name != name:
                continue
            ns = obj.namespace or self.namespace_of(obj)
            if namespace is None or ns is None or ns == namespace:
                return True
        return False

    def is_whole_kustomization(self, resource: Resource) -> bool:
        """A Flux Kustomization document that is an object, not a kustomize patch."""
        return (
            is_flux_kustomization(resource)
            and bool(resource.name)
            and isinstance(resource.spec.get("sourceRef"), dict)
            and not self.is_patch(resource)
        )

    @cached_property
    def patch_files(self) -> set[str]:
        """Files that kustomization files use as patches (their documents are not objects)."""
        out: set[str] = set()
        for kfile in self.kustomize_files.values():
            data = kfile.data
            for entry in [*(data.get("patches") or []), *(data.get("patchesJson6902") or [])]:
                if isinstance(entry, dict) and isinstance(entry.get("path"), str):
                    out.add(join(kfile.directory, entry["path"]))
            for entry in data.get("patchesStrategicMerge") or []:
                if isinstance(entry, str) and "\n" not in entry:
                    out.add(join(kfile.directory, entry))
        return out

    def is_patch(self, resource: Resource) -> bool:
        return resource.origin is not None and resource.origin.file in self.patch_files

    def effective(self, group: str, kind: str) -> list[Resource]:
        """Objects of a kind as Flux applies them: the rendered objects (patches, namespaces and
        variables applied; origin = the file they come from), plus repository documents that no
        render reached. Patch documents are never objects."""
        rendered = [
            o
            for o in self.rendered
            if o.id.group == group
            and o.kind == kind
            and o.origin is not None
            and self.files.is_file(o.origin.file)  # not from a generated artifact's layout
        ]
        covered = {(o.origin.file, o.kind) for o in rendered if o.origin is not None}
        rest = [
            r
            for r in self.of_kind(group, kind)
            if not self.is_patch(r) and (r.origin is None or (r.origin.file, r.kind) not in covered)
        ]
        return rendered + rest

    @cached_property
    def _file_releases(self) -> dict[str, tuple[int, int, int]]:
        out: dict[str, tuple[int, int, int]] = {}
        for build in self.builds:
            release = self.flux_releases.get(build.cluster)
            if release is None or build.status != "ok":
                continue
            for obj in build.objects:
                if obj.origin is not None:
                    out[obj.origin.file] = max(out.get(obj.origin.file, release), release)
        return out

    def flux_release_of(self, resource: Resource) -> tuple[int, int, int] | None:
        """The Flux release of the cluster that applies `resource`'s file (the newest one when
        several do); None when no render reached it."""
        if resource.origin is None:
            return None
        return self._file_releases.get(resource.origin.file)

    @cached_property
    def unrendered_files(self) -> set[str]:
        """When lint rendered: the files holding objects no successful render produced (no
        entry reaches them, or the render that would have failed); rules judged them as
        written. Objects rendered from another layout (an ExternalArtifact's copy of the
        file) count as produced."""
        if not self.builds:
            return set()
        rendered_files = {o.origin.file for o in self.rendered if o.origin is not None}
        elsewhere = {
            (o.kind, o.name)
            for o in self.rendered
            if o.origin is not None and not self.files.is_file(o.origin.file)
        }
        return {
            r.origin.file
            for r in self.resources
            if r.origin is not None
            and r.origin.file not in rendered_files
            and (r.kind, r.name) not in elsewhere
            and r.id.group != KUSTOMIZE_CONFIG_GROUP  # kustomization files are never rendered
            and not self.is_patch(r)
        }

    def kustomizations(self) -> list[Resource]:
        """Whole Flux Kustomizations, effective where rendered."""
        return [
            r
            for r in self.effective("kustomize.toolkit.fluxcd.io", "Kustomization")
            if self.is_whole_kustomization(r)
        ]

    def is_own_source(self, kind: str, namespace: str | None, name: str) -> bool:
        """The repo's own source (flux bootstrap's flux-system, a FluxInstance sync)."""
        if kind not in ("GitRepository", "OCIRepository", "Bucket"):
            return False
        return name == "flux-system" or any(
            n == name and (namespace is None or ns == namespace) for ns, n in self.own_sources
        )

    def source_defined(self, kind: str, namespace: str | None, name: str) -> bool:
        if self.is_own_source(kind, namespace, name):
            return True
        if kind == "ExternalArtifact":
            for gen in self.of_kind("source.extensions.fluxcd.io", "ArtifactGenerator"):
                ns = self.namespace_of(gen)
                if namespace is not None and ns is not None and ns != namespace:
                    continue
                for artifact in gen.spec.get("artifacts") or []:
                    if isinstance(artifact, dict) and artifact.get("name") == name:
                        return True
        return self.defines(SOURCE_GROUP, [kind], name, namespace)

    def kustomization_objects(self) -> Iterator[tuple[Resource, list[Resource]]]:
        """Each Flux Kustomization with what it applies: the rendered objects when lint
        rendered, else the documents under its path (a rough stand-in)."""
        if self.builds:
            for build in self.builds:
                if build.status == "ok":
                    yield build.kustomization, build.objects
            return
        for resource in self.resources:
            if not self.is_whole_kustomization(resource):
                continue
            ref = resource.spec["sourceRef"]
            root = self.source_roots.get((str(ref.get("kind")), str(ref.get("name"))))
            path = resource.spec.get("path")
            if root is None or not isinstance(path, str) or "${" in path:
                continue
            folder = join(root, path.strip()) if path.strip() else root
            prefix = folder + "/" if folder else ""
            yield (
                resource,
                [
                    r
                    for r in self.resources
                    if r.origin is not None
                    and r.origin.file.startswith(prefix)
                    and r.id.group != KUSTOMIZE_CONFIG_GROUP
                ],
            )

    # -- kustomization files -----------------------------------------------------------------

    @cached_property
    def kustomize_files(self) -> dict[str, KustomizeFile]:
        """Every kustomize kustomization file, by folder."""
        out: dict[str, KustomizeFile] = {}
        for rel in self.files.yaml_files():
            if posixpath.basename(rel) not in KUSTOMIZATION_NAMES:
                continue
            text = self.files.read(rel)
            if text is None:
                continue
            try:
                docs = load_documents(text)
            except YamlParseError:
                continue
            data = docs[0].value if docs else None
            if not isinstance(data, dict):
                continue
            api_version = data.get("apiVersion")
            if isinstance(api_version, str) and not api_version.startswith(KUSTOMIZE_CONFIG_GROUP):
                continue  # a Flux Kustomization in a file named kustomization.yaml
            directory = posixpath.dirname(rel)
            out[directory] = KustomizeFile(directory, rel, data, text)
        return out

    def kustomize_file_in(self, directory: str) -> KustomizeFile | None:
        norm = posixpath.normpath(directory) if directory else ""
        return self.kustomize_files.get("" if norm == "." else norm)

    def resources_in_file(self, rel: str) -> list[Resource]:
        return [r for r in self.resources if r.origin is not None and r.origin.file == rel]


def join(directory: str, entry: str) -> str:
    """A kustomization entry relative to its folder, as a clean repo-relative path."""
    path = posixpath.normpath(posixpath.join(directory, entry))
    return "" if path == "." else path


def is_remote(entry: str) -> bool:
    return "://" in entry or entry.startswith(
        ("git@", "github.com/", "gitlab.com/", "bitbucket.org/")
    )
