"""Which Flux Kustomizations a command means: every one reachable from the cluster entries
(`--all`, optionally one `--cluster`), or one `--ks NAMESPACE/NAME` as its parent renders it."""

from __future__ import annotations

import posixpath
from pathlib import Path

from fluxops.errors import NotFoundError, UsageError
from fluxops.loader.entries import Entry, entry_for_dir, find_entries
from fluxops.loader.repo import Repo
from fluxops.loader.roots import clean_path
from fluxops.model.flux import is_flux_kustomization
from fluxops.model.identity import NamespacedName
from fluxops.model.resource import Resource
from fluxops.model.results import KustomizationBuild
from fluxops.render.build import Renderer


def build_all(
    renderer: Renderer, cluster: str | None, *, include_unreached: bool = False
) -> list[KustomizationBuild]:
    """Every Kustomization the cluster entries reach, built once in the cluster that applies
    it; then the Kustomizations no entry reaches, listed as `unreached` (built as clusters of
    their own, named after their folder, with `include_unreached`). A repository without any
    cluster entry (test layouts, examples without a bootstrap) builds them all that way."""
    repo = renderer.repo
    entries = find_entries(repo)
    if cluster is not None:
        wanted = clean_path(repo_relative(repo.root, cluster))
        if not (repo.root / wanted).is_dir():
            raise UsageError(f"--cluster {cluster}: no such folder in {repo.root}")
        chosen = [e for e in entries if e.cluster == wanted or e.cluster.startswith(wanted + "/")]
        if chosen:
            return renderer.build_tree(entry_roots(chosen))
        # A folder `--all` named as the cluster of Kustomizations no entry reaches.
        known = repo_kustomizations(repo)
        loose = [(wanted, r) for r in tops([r for r in known if loose_cluster(r) == wanted])] or [
            (wanted, r) for r in known if r.origin and posixpath.dirname(r.origin.file) == wanted
        ]
        if loose:
            return renderer.build_tree(loose)
        return renderer.build_tree(entry_roots([entry_for_dir(repo, wanted)]))
    builds = renderer.build_tree(entry_roots(entries))
    rest = unattached(repo, builds)
    if not rest:
        return builds
    if entries and not include_unreached:
        builds.extend(unreached_build(r) for r in rest)
        return builds
    seen = {(b.name, clean_path(b.path)) for b in builds}
    seen_files = {_defined_in(b) for b in builds}
    roots = [(loose_cluster(r), r) for r in tops(rest)]
    for extra in renderer.build_tree(roots):
        if (extra.name, clean_path(extra.path)) in seen or _defined_in(extra) in seen_files:
            continue  # reached from a real entry: built there, once
        seen.add((extra.name, clean_path(extra.path)))
        builds.append(extra)
    return builds


def loose_cluster(resource: Resource) -> str:
    """The cluster a Kustomization no entry reaches is built as: the folder holding both its
    file and its path (`flux/config/cluster.yaml` with `path: ./flux` is cluster `flux`), else
    its file's folder."""
    folder = posixpath.dirname(resource.origin.file) if resource.origin else ""
    path = clean_path(str(resource.spec.get("path", "")))
    if path and "${" not in path:
        common = posixpath.commonpath([folder, path]) if folder else ""
        if common:
            return common
    return folder


def tops(kustomizations: list[Resource]) -> list[Resource]:
    """The Kustomizations no other one of `kustomizations` applies (its file is not under
    another's path): built as roots, they build the rest once, as their children."""
    folders = {clean_path(str(r.spec.get("path", ""))) for r in kustomizations}
    folders.discard("")
    out = []
    for r in kustomizations:
        file = r.origin.file if r.origin else ""
        own = clean_path(str(r.spec.get("path", "")))
        if not any(file.startswith(f + "/") for f in folders if f != own):
            out.append(r)
    return out or kustomizations


def _defined_in(build: KustomizationBuild) -> tuple[str, str, str]:
    origin = build.kustomization.origin
    return (build.namespace, build.name, origin.file if origin else "")


def unreached_build(resource: Resource) -> KustomizationBuild:
    """A Kustomization no cluster entry applies, listed (not built)."""
    where = resource.origin.file if resource.origin else "(unknown file)"
    return KustomizationBuild(
        cluster="",
        kustomization=resource,
        status="unreached",
        error=f"no cluster entry applies it (defined in {where}); not built "
        "(--include-unreached builds it as a cluster of its own)",
    )


def repo_kustomizations(repo: Repo) -> list[Resource]:
    """Flux Kustomization documents in the repo files that are whole objects (not patches)."""
    out = []
    for r in repo.resources:
        if is_flux_kustomization(r) and r.name and isinstance(r.spec.get("sourceRef"), dict):
            out.append(r)
    return out


def unattached(repo: Repo, builds: list[KustomizationBuild]) -> list[Resource]:
    """Repo Kustomizations that no build rendered (no cluster entry reaches them)."""
    built = {(b.name, clean_path(b.path)) for b in builds}
    built_ns = {(b.namespace, b.name) for b in builds}
    # a definition an overlay patched (path, namespace) is still the one its file holds
    built_files = {
        (b.name, b.kustomization.origin.file) for b in builds if b.kustomization.origin is not None
    }
    out = []
    for r in repo_kustomizations(repo):
        path = clean_path(str(r.spec.get("path", "")))
        if (r.name, path) in built or (r.origin and (r.name, r.origin.file) in built_files):
            continue
        if r.namespace and (r.namespace, r.name) in built_ns and "${" in str(r.spec.get("path")):
            continue
        out.append(r)
    return out


def entry_roots(entries: list[Entry]) -> list[tuple[str, Resource]]:
    """The (cluster, Kustomization) each entry starts its tree from."""
    return [(e.cluster, e.kustomization) for e in entries]


def repo_relative(root: Path, path: str) -> str:
    """A user-given path (absolute, relative to the repo, or to the working folder) as a
    repo-relative posix path."""
    candidate = Path(path)
    if candidate.is_absolute():
        try:
            return candidate.resolve().relative_to(root).as_posix()
        except ValueError:
            raise UsageError(f"{path} is not inside the repository {root}") from None
    if (root / candidate).exists():
        return candidate.as_posix()
    resolved = (Path.cwd() / candidate).resolve()
    try:
        return resolved.relative_to(root).as_posix()
    except ValueError:
        return candidate.as_posix()


def build_ks(
    renderer: Renderer, ks_ref: str, cluster: str | None = None
) -> list[KustomizationBuild]:
    """One Flux Kustomization, as its parent renders it (namespace, patches and variables
    applied) when a cluster entry reaches it; else as written in its file. A repository with
    several clusters may hold the same NAMESPACE/NAME in each: then every one is built (one
    result per cluster) unless `cluster` picks one."""
    repo = renderer.repo
    ref = NamespacedName.parse(ks_ref)
    if not ref.name:
        raise UsageError(f"--ks {ks_ref!r}: expected NAMESPACE/NAME")

    def matches(build: KustomizationBuild) -> bool:
        return build.namespace == ref.namespace and build.name == ref.name

    entries = find_entries(repo)
    if cluster is not None:
        wanted = clean_path(repo_relative(repo.root, cluster))
        entries = [
            e for e in entries if e.cluster == wanted or e.cluster.startswith(wanted + "/")
        ] or [entry_for_dir(repo, wanted)]
    if entries:
        stop = matches if len(entries) == 1 else None
        found = [b for b in renderer.build_tree(entry_roots(entries), stop=stop) if matches(b)]
        if found:
            return found
    known = repo_kustomizations(repo)
    candidates = [
        r for r in known if r.name == ref.name and (r.namespace or "default") == ref.namespace
    ] or [r for r in known if r.name == ref.name and not r.namespace]
    if not candidates:
        names = sorted({f"{r.namespace or '(no namespace)'}/{r.name}" for r in known})
        raise NotFoundError(
            f"no Flux Kustomization {ref} in {repo.root}",
            hint=("known Kustomizations: " + ", ".join(names[:30]))
            if names
            else "this repository defines no Flux Kustomization",
        )
    resource = candidates[0]
    if not resource.namespace:
        raw = dict(resource.raw)
        raw["metadata"] = {**resource.metadata, "namespace": ref.namespace}
        resource = Resource(raw=raw, origin=resource.origin)
    return [renderer.build_one(resource)]


class Environment:
    """A named set of rendered objects: a Flux Kustomization, a cluster, or an overlay."""

    def __init__(self, name: str, how: str, builds: list[KustomizationBuild]) -> None:
        self.name = name
        self.how = how
        self.builds = builds

    @property
    def objects(self) -> list[Resource]:
        return [o for b in self.builds for o in b.objects]

    @property
    def failed(self) -> list[KustomizationBuild]:
        return [b for b in self.builds if b.status == "failed"]


def resolve_environment(renderer: Renderer, name: str, path: str | None = None) -> Environment:
    """An environment named `name`, resolved in this order: `path` when given (a cluster
    folder or an overlay folder), a Flux Kustomization called `name`, a cluster folder
    (`clusters/<name>` or `<name>` itself), an overlay folder (`apps/<name>` or `<name>`)."""
    repo = renderer.repo
    root = repo.root
    if path is not None:
        rel = clean_path(repo_relative(root, path))
        if not (root / rel).is_dir():
            raise UsageError(f"--env {name}={path}: no such folder in {root}")
        return _folder_environment(renderer, name, rel)
    ks_names = {(r.namespace, r.name) for r in repo_kustomizations(repo)}
    wanted = NamespacedName.parse(name, default_namespace="")
    matching = [(ns, n) for ns, n in ks_names if n == wanted.name and wanted.namespace in ("", ns)]
    if matching:
        ns, n = sorted(matching)[0]
        return Environment(
            name,
            f"Flux Kustomization {ns or 'flux-system'}/{n}",
            build_ks(renderer, f"{ns or 'flux-system'}/{n}"),
        )
    for candidate in (f"clusters/{name}", name, f"apps/{name}"):
        rel = clean_path(candidate)
        if rel and (root / rel).is_dir():
            return _folder_environment(renderer, name, rel)
    raise UsageError(
        f"environment {name!r}: no Flux Kustomization of that name, and no folder "
        f"clusters/{name}, {name} or apps/{name} in {root}",
        hint=f"state it explicitly with --env {name}=PATH",
    )


def _folder_environment(renderer: Renderer, name: str, rel: str) -> Environment:
    """A cluster folder (it has a cluster entry or Flux Kustomizations) or an overlay."""
    from fluxops.render.generator import find_kustomization_file

    repo = renderer.repo
    entries = [e for e in find_entries(repo) if e.cluster == rel or e.cluster.startswith(rel + "/")]
    if entries or (repo.root / rel / "flux-system").is_dir():
        return Environment(name, f"cluster {rel}", build_all(renderer, rel))
    if find_kustomization_file(repo.root / rel) is not None:
        raw = {
            "apiVersion": "kustomize.toolkit.fluxcd.io/v1",
            "kind": "Kustomization",
            "metadata": {"name": name, "namespace": "flux-system"},
            "spec": {
                "path": "./" + rel,
                "sourceRef": {"kind": "GitRepository", "name": "flux-system"},
            },
        }
        renderer_opts = renderer.options
        labels = renderer_opts.owner_labels
        renderer_opts.owner_labels = False
        try:
            build = renderer.build_one(Resource(raw=raw), cluster=f"overlay {rel}")
        finally:
            renderer_opts.owner_labels = labels
        return Environment(name, f"overlay {rel}", [build])
    return Environment(name, f"cluster {rel}", build_all(renderer, rel))
