"""Which Flux Kustomizations a set of changed files reaches (`diff --changed-only`).

Read from the repository's files alone, before anything is rendered. The files a Flux
Kustomization reads are its defining file (its spec) and what kustomize reads from its
`spec.path`: the kustomization file, the files and folders it names (resources, components,
patches, generators, ...), recursively; a folder without a kustomization file (Flux generates
one) reads every file under it. A Kustomization is *touched* when one of those files changed,
when a ConfigMap or Secret its `postBuild.substituteFrom` reads (or a HelmRelease's
`valuesFrom` in it reads) is defined in a changed file, or when it cannot be told (a `${VAR}`
in its path, a source that is not this repository). It must be rendered when it is touched,
below a touched one (its spec may come from its parent's changed output), above one (its
parent renders its spec), or renders what one of those substitutes from. Both sides'
files are read and the union is taken, so a Kustomization is rendered on both sides or on none.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

from fluxops.loader import confine
from fluxops.loader.repo import Repo
from fluxops.loader.sources import clean_path
from fluxops.loader.yamlio import Document, YamlParseError, load_documents
from fluxops.model.flux import HELM_GROUP, Kustomization
from fluxops.model.resource import Resource
from fluxops.render.generator import KUSTOMIZATION_FILES
from fluxops.render.preflight import path_fields
from fluxops.render.select import repo_kustomizations

#: (defining file, name) of a Flux Kustomization document.
KsKey = tuple[str, str]

#: Source kinds whose artifact is this repository (as fluxops renders it).
_LOCAL_SOURCES = frozenset({"GitRepository", "OCIRepository", "Bucket"})


@dataclass
class _KsFiles:
    key: KsKey
    reads: set[str] = field(default_factory=set)
    #: Folders read whole (any file below).
    open_dirs: set[str] = field(default_factory=set)
    #: Folders Flux generates a kustomization for: their manifests, and those of sub-folders
    #: without a kustomization file, recursively.
    listed_dirs: set[str] = field(default_factory=set)
    names: set[str] = field(default_factory=set)
    always: bool = False

    def reaches(self, path: str, kustomization_dirs: set[str]) -> bool:
        if path in self.reads:
            return True
        if any(path.startswith(d + "/") or not d for d in self.open_dirs):
            return True
        folder = posixpath.dirname(path)
        while True:
            if folder in self.listed_dirs:
                return True
            if not folder or folder in kustomization_dirs:
                return False
            folder = posixpath.dirname(folder)


class _Layout:
    """The folders of one side: sub-folders per folder, folders with a kustomization file."""

    def __init__(self, repo: Repo, parsed: dict[str, list[Document] | None]) -> None:
        assert repo.tree is not None
        #: Kustomization files parsed, by content (shared by both sides: most are the same).
        self.parsed = parsed
        self.subdirs: dict[str, list[str]] = {}
        for rel in repo.tree.dirs:
            if rel:
                self.subdirs.setdefault(posixpath.dirname(rel), []).append(rel)
        self.kustomization_dirs = {
            posixpath.dirname(f)
            for f in repo.tree.files
            if posixpath.basename(f) in KUSTOMIZATION_FILES
        }


class _Walker:
    """The files kustomize reads for one Flux Kustomization in one repository."""

    def __init__(self, repo: Repo, layout: _Layout, out: _KsFiles) -> None:
        assert repo.tree is not None
        self.repo = repo
        self.tree = repo.tree
        self.subdirs = layout.subdirs
        self.kustomization_dirs = layout.kustomization_dirs
        self.parsed = layout.parsed
        self.out = out
        self.seen: set[str] = set()

    def folder(self, rel_dir: str) -> None:
        if rel_dir in self.seen or len(self.seen) > 5000:
            return
        self.seen.add(rel_dir)
        found = None
        for name in KUSTOMIZATION_FILES:
            rel = f"{rel_dir}/{name}" if rel_dir else name
            self.out.reads.add(rel)
            if found is None and self.tree.is_file(rel):
                found = rel
        if found is None:
            self.generated(rel_dir)
            return
        try:
            text = confine.read_text(self.repo.root, found)
        except (OSError, UnicodeDecodeError):
            return
        if text not in self.parsed:
            try:
                self.parsed[text] = load_documents(text)
            except YamlParseError:
                self.parsed[text] = None
        for doc in self.parsed[text] or ():
            if isinstance(doc.value, dict):
                self.kustomization(doc.value, rel_dir)

    def generated(self, rel_dir: str) -> None:
        """As `render.generator.scan_manifests` walks a folder without a kustomization file."""
        self.out.listed_dirs.add(rel_dir)
        for sub in self.subdirs.get(rel_dir, ()):
            if sub in self.kustomization_dirs:
                self.folder(sub)
            elif sub not in self.out.listed_dirs:
                self.generated(sub)

    def kustomization(self, kus: dict[str, object], rel_dir: str) -> None:
        for _name, value, may_nest in path_fields(kus):
            text = value.strip()
            if not text or "://" in text or text.startswith("/"):
                continue
            target = posixpath.normpath(posixpath.join(rel_dir, text))
            if target == ".." or target.startswith("../"):
                continue
            target = "" if target == "." else target
            if self.tree.is_dir(target):
                if may_nest:
                    self.folder(target)
                else:
                    self.out.open_dirs.add(target)
            else:
                self.out.reads.add(target)


def _files_of(
    repo: Repo, layout: _Layout, resource: Resource, overridden: set[tuple[str, str]]
) -> _KsFiles:
    file = resource.origin.file if resource.origin else ""
    out = _KsFiles((file, resource.name))
    ks = Kustomization(resource)
    for entry in ks.substitute_from:
        name = entry.get("name")
        if isinstance(name, str):
            out.names.add(name)
    ref = ks.source_ref
    path = ks.path
    if (
        ref is None
        or ref.kind not in _LOCAL_SOURCES
        or (ref.kind, ref.name) in overridden
        or "$" in path
        or "$" in resource.name
    ):
        out.always = True
        return out
    _Walker(repo, layout, out).folder(clean_path(path))
    return out


def _children(all_ks: list[_KsFiles], kus_dirs: set[str]) -> dict[KsKey, set[KsKey]]:
    """For each Kustomization, the others whose defining file it reaches: what `reaches`
    says of every pair, from indexes of the files and folders each one reads."""
    by_read: dict[str, list[int]] = {}
    by_open: dict[str, list[int]] = {}
    by_listed: dict[str, list[int]] = {}
    for i, ks in enumerate(all_ks):
        for path in ks.reads:
            by_read.setdefault(path, []).append(i)
        for folder in ks.open_dirs:
            by_open.setdefault(folder, []).append(i)
        for folder in ks.listed_dirs:
            by_listed.setdefault(folder, []).append(i)
    reached: list[set[KsKey]] = [set() for _ in all_ks]
    for child in all_ks:
        path = child.key[0]
        parents = set(by_read.get(path, ()))
        folder, listing = path, True
        while folder:
            folder = posixpath.dirname(folder)
            parents.update(by_open.get(folder, ()))  # any folder above the file
            if listing:  # folders Flux lists, up to one with a kustomization file
                parents.update(by_listed.get(folder, ()))
                listing = bool(folder) and folder not in kus_dirs
        for i in parents:
            if all_ks[i].key != child.key:
                reached[i].add(child.key)
    return {ks.key: reached[i] for i, ks in enumerate(all_ks)}


class _Provided:
    """Which files define (or generate) a ConfigMap or Secret of a given name."""

    def __init__(self, repo: Repo) -> None:
        self.repo = repo
        self.defines: dict[str, set[str]] = {}
        self.values: dict[str, set[str]] = {}
        for r in repo.resources:
            if r.origin is None:
                continue
            if r.id.group == "" and r.kind in ("ConfigMap", "Secret"):
                self.defines.setdefault(r.origin.file, set()).add(r.name)
            if r.is_kind(HELM_GROUP, "HelmRelease"):
                for entry in r.spec.get("valuesFrom") or []:
                    if isinstance(entry, dict) and isinstance(entry.get("name"), str):
                        self.values.setdefault(r.origin.file, set()).add(entry["name"])
        self._texts: dict[str, str | None] = {}

    def by(self, path: str, names: set[str]) -> bool:
        if not names:
            return False
        if self.defines.get(path, set()) & names:
            return True
        if posixpath.basename(path) not in KUSTOMIZATION_FILES:
            return False
        if path not in self._texts:
            try:
                self._texts[path] = confine.read_text(self.repo.root, path)
            except (OSError, UnicodeDecodeError):
                self._texts[path] = None
        text = self._texts[path]
        return text is None or any(n in text for n in names)

    def values_names(self, reads: Callable[[str], bool]) -> set[str]:
        """ConfigMaps and Secrets that the HelmReleases in the files `reads` accepts read
        values from."""
        out: set[str] = set()
        for file, names in self.values.items():
            if reads(file):
                out |= names
        return out


class Reach:
    """The Flux Kustomizations to render for `changed` paths, from both sides' files."""

    def __init__(
        self, repos: list[Repo], changed: set[str], overridden: set[tuple[str, str]]
    ) -> None:
        self.changed = changed
        self.needed: set[KsKey] = set()
        self.dynamic_files: set[str] = set()
        #: Every Flux Kustomization document of either side: others (synthetic cluster
        #: entries, objects whose file is not known) are always rendered.
        self.known: set[KsKey] = set()
        self._parsed: dict[str, list[Document] | None] = {}
        for repo in repos:
            self._side(repo, overridden)

    def _side(self, repo: Repo, overridden: set[tuple[str, str]]) -> None:
        documents = repo_kustomizations(repo)
        self.dynamic_files |= {r.origin.file for r in documents if r.origin and "$" in r.name}
        layout = _Layout(repo, self._parsed)
        kus_dirs = layout.kustomization_dirs
        all_ks = [_files_of(repo, layout, r, overridden) for r in documents]
        self.known |= {ks.key for ks in all_ks}
        provided = _Provided(repo)
        changed = self.changed
        touched: set[KsKey] = set()
        for ks in all_ks:
            names = ks.names | provided.values_names(
                partial(ks.reaches, kustomization_dirs=kus_dirs)
            )
            if (
                ks.always
                or ks.key[0] in changed
                or any(ks.reaches(p, kus_dirs) for p in changed)
                or any(provided.by(p, names) for p in changed)
            ):
                touched.add(ks.key)
        by_key = {ks.key: ks for ks in all_ks}
        children = _children(all_ks, kus_dirs)
        needed = set(touched)
        pending = list(touched)
        while pending:  # below a touched one
            for child in children.get(pending.pop(), ()):
                if child not in needed:
                    needed.add(child)
                    pending.append(child)
        while True:  # above, and what they substitute from
            grown = set(needed)
            for key in needed:
                grown.update(p for p, kids in children.items() if key in kids)
                names = by_key[key].names if key in by_key else set()
                if names:
                    grown.update(
                        ks.key
                        for ks in all_ks
                        if any(provided.by(f, names) for f in ks.reads if self._exists(repo, f))
                    )
            if grown == needed:
                break
            needed = grown
        self.needed |= needed

    @staticmethod
    def _exists(repo: Repo, path: str) -> bool:
        return repo.tree is not None and repo.tree.is_file(path)

    def wants(self, _cluster: str, resource: Resource) -> bool:
        """Whether to render this Flux Kustomization (as the parent rendered it)."""
        file = resource.origin.file if resource.origin else ""
        if not file or "$" in resource.name or file in self.dynamic_files:
            return True
        key = (file, resource.name)
        return key in self.needed or key not in self.known
