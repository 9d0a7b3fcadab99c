"""Which Flux Kustomizations a command means: every one reachable from the cluster entries
(`--all`, optionally one `--cluster`), or one `--ks NAMESPACE/NAME` as its parent renders it."""

from __future__ import annotations

import posixpath
from collections.abc import Callable
from dataclasses import dataclass
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
    renderer: Renderer,
    cluster: str | None,
    only: Callable[[str, Resource], bool] | None = None,
    *,
    include_unreached: bool = False,
) -> list[KustomizationBuild]:
    """Every Kustomization the cluster entries reach (of `cluster` only, when given), built
    once in the cluster that applies it; then the Kustomizations no entry reaches, listed as
    `unreached` (built as clusters of their own, named after their folder, with
    `include_unreached`). A repository without any cluster entry (test layouts, examples
    without a bootstrap) builds them all that way. `only`: as `Renderer.build_tree` takes it."""
    repo = renderer.repo
    entries = find_entries(repo)
    if cluster is not None:
        wanted = checked_cluster(repo, entries, cluster)
        chosen = [e for e in entries if e.cluster == wanted or e.cluster.startswith(wanted + "/")]
        if chosen:
            return renderer.build_tree(entry_roots(chosen), only=only)
        # A folder `--all` named as the cluster of Kustomizations no entry reaches.
        known = repo_kustomizations(repo)
        loose = [(wanted, r) for r in tops([r for r in known if loose_cluster(r) == wanted])] or [
            (wanted, r) for r in known if r.origin and posixpath.dirname(r.origin.file) == wanted
        ]
        if loose:
            return renderer.build_tree(loose, only=only)
        return renderer.build_tree(entry_roots([entry_for_dir(repo, wanted)]), only=only)
    builds = renderer.build_tree(entry_roots(entries), only=only)
    rest = unattached(repo, builds)
    if not rest:
        return builds
    if entries and not include_unreached:
        builds.extend(unreached_build(r) for r in rest)
        return builds
    seen = {(b.name, clean_path(b.path)) for b in builds}
    seen_files = {_defined_in(b) for b in builds}
    roots = [(loose_cluster(r), r) for r in tops(rest)]
    for extra in renderer.build_tree(roots, only=only):
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
    for r in repo.lookups():
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


def checked_cluster(repo: Repo, entries: list[Entry], cluster: str) -> str:
    """`--cluster DIR` as a repo-relative folder; a folder that does not exist is a usage
    error naming the known clusters (and the closest one)."""
    wanted = clean_path(repo_relative(repo.root, cluster))
    if wanted and (repo.root / wanted).is_dir():
        return wanted
    known = sorted({e.cluster for e in entries if e.cluster})
    raise UsageError(
        f"--cluster {cluster}: no such folder in {repo.root}",
        hint=did_you_mean(cluster.strip("/"), known, "clusters", verbose=True),
    )


def did_you_mean(wanted: str, known: list[str], what: str, *, verbose: bool) -> str:
    """`did you mean X?` (the closest known names), then how many are known and, with
    `verbose` (or when there are few), every one of them."""
    import difflib

    if not known:
        return f"this repository has no {what}"
    # the same NAME in another namespace, then close spellings of the whole name, then of
    # NAME alone (`metrcs` -> kube-system/metrics)
    short = wanted.rpartition("/")[2]
    close = [k for k in known if k.rpartition("/")[2] == short]
    close += difflib.get_close_matches(wanted, known, n=3, cutoff=0.8)
    names = sorted({k.rpartition("/")[2] for k in known})
    near = set(difflib.get_close_matches(short, names, n=3, cutoff=0.6))
    close += [k for k in known if k.rpartition("/")[2] in near]
    close = list(dict.fromkeys(close))[:3]
    parts = [f"did you mean {' or '.join(close)}?"] if close else []
    if verbose or len(known) <= 10:
        parts.append(f"known {what} ({len(known)}): {', '.join(known)}")
    else:
        parts.append(f"{len(known)} known {what} (-v lists them)")
    return "; ".join(parts)


def parse_ks(ks_ref: str, namespace: str | None) -> tuple[str | None, str]:
    """`--ks NAMESPACE/NAME` or `--ks NAME` (with `-n NAMESPACE`, or none: any namespace)."""
    ns, sep, name = ks_ref.strip().rpartition("/")
    if not name or (sep and not ns):
        raise UsageError(f"--ks {ks_ref!r}: expected NAME or NAMESPACE/NAME")
    if sep and namespace and namespace != ns:
        raise UsageError(f"--ks {ks_ref} and -n {namespace} name different namespaces")
    return (ns if sep else namespace or None), name


def build_ks(
    renderer: Renderer,
    ks_ref: str,
    cluster: str | None = None,
    *,
    namespace: str | None = None,
    verbose: bool = False,
) -> list[KustomizationBuild]:
    """One Flux Kustomization by its effective name (the namespace its parent renders it
    into: the parent's kustomize `namespace:` or targetNamespace, as kustomize-controller
    applies it), built as its parent renders it (patches and variables applied). A bare NAME
    works when it is unique. A Kustomization no cluster entry reaches is built as written in
    its file. The same name in several clusters asks for `cluster`."""
    repo = renderer.repo
    want_ns, name = parse_ks(ks_ref, namespace)

    def named(namespace: str, ks_name: str) -> bool:
        return ks_name == name and (want_ns is None or namespace == want_ns)

    def matches(build: KustomizationBuild) -> bool:
        return named(build.namespace, build.name)

    entries = find_entries(repo)
    if cluster is not None:
        wanted = checked_cluster(repo, entries, cluster)
        entries = [
            e for e in entries if e.cluster == wanted or e.cluster.startswith(wanted + "/")
        ] or [entry_for_dir(repo, wanted)]
    # one cluster entry and a full NAMESPACE/NAME: the tree is built down to it only
    if not entries:
        builds = []
    elif len(entries) == 1 and want_ns is not None:
        builds = renderer.build_target(entry_roots(entries), want_ns, name)
    else:
        builds = renderer.build_tree(entry_roots(entries))
    found = [b for b in builds if matches(b)]
    if not found:
        found = _unattached_match(renderer, builds, want_ns, name)
    if not found:
        known = sorted({b.ref for b in builds} | set(_file_refs(repo, builds)))
        wanted_ref = f"{want_ns}/{name}" if want_ns else name
        raise NotFoundError(
            f"no Flux Kustomization {wanted_ref} in {repo.root}",
            hint=did_you_mean(wanted_ref, known, "Kustomizations", verbose=verbose),
        )
    refs = sorted({b.ref for b in found})
    if len(refs) > 1:
        raise UsageError(
            f"--ks {ks_ref} is ambiguous: {', '.join(refs)}",
            hint="name one as NAMESPACE/NAME (or add -n NAMESPACE)",
        )
    clusters = sorted({b.cluster for b in found})
    if len(clusters) > 1:
        raise UsageError(
            f"Kustomization {refs[0]} is in {len(clusters)} clusters: {', '.join(clusters)}",
            hint=f"pick one with --cluster (e.g. --cluster {clusters[0]})",
        )
    return found[:1]


def _file_refs(repo: Repo, builds: list[KustomizationBuild]) -> list[str]:
    """NAMESPACE/NAME of the Kustomization files no entry reaches."""
    return [f"{r.namespace or 'flux-system'}/{r.name}" for r in unattached(repo, builds)]


def _unattached_match(
    renderer: Renderer, builds: list[KustomizationBuild], want_ns: str | None, name: str
) -> list[KustomizationBuild]:
    """A Kustomization file no cluster entry reaches, built as written (no namespace in the
    file: flux-system, where `flux bootstrap` puts them)."""
    candidates = [
        r
        for r in unattached(renderer.repo, builds)
        if r.name == name and want_ns in (None, r.namespace or "flux-system")
    ]
    refs = sorted({f"{r.namespace or 'flux-system'}/{r.name}" for r in candidates})
    if len(refs) > 1:
        raise UsageError(
            f"--ks {name} is ambiguous: {', '.join(refs)}",
            hint="name one as NAMESPACE/NAME (or add -n NAMESPACE)",
        )
    for resource in candidates:
        ns = resource.namespace or "flux-system"
        if not resource.namespace:
            raw = dict(resource.raw)
            raw["metadata"] = {**resource.metadata, "namespace": ns}
            resource = Resource(raw=raw, origin=resource.origin)
        cluster = posixpath.dirname(resource.origin.file) if resource.origin else ""
        return [renderer.build_one(resource, cluster=cluster)]
    return []


@dataclass(frozen=True)
class CompletionNames:
    kustomizations: list[str]
    clusters: list[str]


def completion_names(path: str) -> CompletionNames:
    """Kustomization names (NAMESPACE/NAME as written, and NAME) and cluster folders of the
    repository at `path`, from its files only (nothing is rendered: for shell completion)."""
    from fluxops.loader.repo import load_repo

    repo = load_repo(Path(path))
    # NAMESPACE/NAME only where the file says the namespace (a parent may set it otherwise)
    refs = {f"{r.namespace}/{r.name}" for r in repo_kustomizations(repo) if r.namespace}
    names = {r.name for r in repo_kustomizations(repo)}
    clusters = sorted({e.cluster for e in find_entries(repo) if e.cluster})
    return CompletionNames(sorted(refs) + sorted(names), clusters)


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
            build_ks(renderer, f"{ns}/{n}" if ns else n),
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
