"""One function per verb: the only module cli/ and mcp/ import. Library functions never print."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field
from pathlib import Path

from fluxops.errors import NotFoundError, UsageError
from fluxops.model.findings import Finding
from fluxops.model.flux import SourceRef
from fluxops.model.identity import NamespacedName
from fluxops.model.results import BuildResult, KustomizationBuild


@dataclass
class BuildRequest:
    """What to build. Exactly one of: `ks`, `all_`, or neither (a plain overlay at `path`)."""

    path: str
    ks: str | None = None
    all_: bool = False
    cluster: str | None = None
    strict: bool = True
    owner_labels: bool = True
    sources: list[str] = field(default_factory=list)
    kustomize_bin: str | None = None
    jobs: int = 0
    cache: bool = True
    progress: object = None


def parse_source_overrides(items: list[str], base: Path) -> dict[tuple[str, str, str], Path]:
    out: dict[tuple[str, str, str], Path] = {}
    for item in items:
        ref_text, sep, directory = item.partition("=")
        if not sep or not directory:
            raise UsageError(
                f"--source {item!r}: expected KIND/NAMESPACE/NAME=DIR",
                hint="for example --source GitRepository/flux-system/apps=../apps-repo",
            )
        try:
            ref = SourceRef.parse(ref_text)
        except ValueError as exc:
            raise UsageError(f"--source {item!r}: {exc}") from None
        path = Path(directory)
        if not path.is_absolute():
            path = (Path.cwd() / path).resolve()
        if not path.is_dir():
            raise UsageError(f"--source {item!r}: {path} is not a folder")
        out[(ref.kind, ref.namespace, ref.name)] = path
    return out


def build(request: BuildRequest) -> BuildResult:
    """Render a kustomize overlay, one Flux Kustomization, or all of them."""
    from fluxops.loader.repo import load_repo
    from fluxops.render.build import BuildOptions, Renderer

    root = Path(request.path)
    if request.ks and request.all_:
        raise UsageError("--ks and --all cannot be used together")
    if request.cluster and not request.all_:
        raise UsageError("--cluster goes with --all", hint="fluxops build REPO --all --cluster DIR")
    if not request.ks and not request.all_:
        return _build_overlay(request)
    repo = load_repo(root)
    options = BuildOptions(
        strict=request.strict,
        owner_labels=request.owner_labels,
        sources=parse_source_overrides(request.sources, repo.root),
        kustomize_bin=request.kustomize_bin,
        jobs=request.jobs,
        cache=request.cache,
        progress=request.progress,  # type: ignore[arg-type]
    )
    extra: list[Finding] = list(repo.findings)
    with Renderer(repo, options) as renderer:
        if request.ks:
            builds = _build_ks(renderer, request.ks)
        else:
            builds = _build_all(renderer, request.cluster)
        extra.extend(renderer.resolver.findings)
    from fluxops.render.build import build_result

    return build_result(builds, extra)


def _build_all(renderer: object, cluster: str | None) -> list[KustomizationBuild]:
    from fluxops.loader.entries import entry_for_dir, find_entries
    from fluxops.loader.sources import clean_path
    from fluxops.render.build import Renderer, entry_roots, unattached

    assert isinstance(renderer, Renderer)
    repo = renderer.repo
    entries = find_entries(repo)
    if cluster is not None:
        wanted = clean_path(_repo_relative(repo.root, cluster))
        if not (repo.root / wanted).is_dir():
            raise UsageError(f"--cluster {cluster}: no such folder in {repo.root}")
        chosen = [e for e in entries if e.cluster == wanted or e.cluster.startswith(wanted + "/")]
        entries = chosen or [entry_for_dir(repo, wanted)]
        return renderer.build_tree(entry_roots(entries))
    builds = renderer.build_tree(entry_roots(entries))
    # Kustomizations no entry reaches (repos without a bootstrap, test layouts) are built as
    # roots of their own, their cluster named after the folder of the file defining them.
    rest = unattached(repo, builds)
    if rest:
        seen = {(b.name, clean_path(b.path)) for b in builds}
        roots = [(posixpath.dirname(r.origin.file) if r.origin else "", r) for r in rest]
        for extra in renderer.build_tree(roots):
            if (extra.name, clean_path(extra.path)) not in seen:
                builds.append(extra)
    return builds


def _repo_relative(root: Path, path: str) -> str:
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


def _build_ks(renderer: object, ks_ref: str) -> list[KustomizationBuild]:
    from fluxops.loader.entries import find_entries
    from fluxops.render.build import Renderer, entry_roots, repo_kustomizations

    assert isinstance(renderer, Renderer)
    repo = renderer.repo
    ref = NamespacedName.parse(ks_ref)
    if not ref.name:
        raise UsageError(f"--ks {ks_ref!r}: expected NAMESPACE/NAME")

    def matches(build: KustomizationBuild) -> bool:
        return build.namespace == ref.namespace and build.name == ref.name

    # The effective object is the one its parent renders (namespace, patches and variables
    # applied); find it by building from the cluster entries, cheapest first.
    entries = find_entries(repo)
    if entries:
        tree = renderer.build_tree(entry_roots(entries), stop=matches)
        found = [b for b in tree if matches(b)]
        if found:
            return [found[-1]]
    candidates = [
        r
        for r in repo_kustomizations(repo)
        if r.name == ref.name and (r.namespace or "default") == ref.namespace
    ] or [r for r in repo_kustomizations(repo) if r.name == ref.name and not r.namespace]
    if not candidates:
        known = sorted(
            {f"{r.namespace or '(no namespace)'}/{r.name}" for r in repo_kustomizations(repo)}
        )
        raise NotFoundError(
            f"no Flux Kustomization {ref} in {repo.root}",
            hint="known Kustomizations: " + ", ".join(known[:30])
            if known
            else "this repository defines no Flux Kustomization",
        )
    resource = candidates[0]
    if not resource.namespace:
        resource.raw.setdefault("metadata", {})["namespace"] = ref.namespace
        from fluxops.model.resource import Resource

        resource = Resource(raw=resource.raw, origin=resource.origin)
    return [renderer.build_one(resource)]


def _build_overlay(request: BuildRequest) -> BuildResult:
    """A plain kustomize overlay: read-only kustomize run, no Flux post-processing."""
    from fluxops.model.flux import Kustomization
    from fluxops.model.resource import Resource
    from fluxops.render.engine import KustomizeFailure, default_engine
    from fluxops.render.generator import find_kustomization_file
    from fluxops.render.postbuild import PostBuildError, post_build

    directory = Path(request.path)
    if not directory.is_dir():
        raise UsageError(f"{request.path} is not a folder")
    if find_kustomization_file(directory) is None:
        raise UsageError(
            f"{request.path} has no kustomization file",
            hint="to render a Flux repository use --all (every Kustomization) or --ks NAMESPACE/NAME",
        )
    engine = default_engine(request.kustomize_bin)
    synthetic = Resource(
        raw={
            "apiVersion": "kustomize.config.k8s.io/v1beta1",
            "kind": "Kustomization",
            "metadata": {"name": directory.resolve().name, "namespace": ""},
            "spec": {"path": request.path},
        }
    )
    build = KustomizationBuild(cluster="", kustomization=synthetic, source="(overlay)")
    build.source_dir = request.path
    try:
        stream = engine.build(directory)
        outcome = post_build(
            Kustomization(synthetic),
            stream,
            lambda kind, ns, name: None,
            strict=False,
            owner_labels=False,
            origin_of=lambda raw, text: None,
            strip_origin=False,
        )
        build.objects = outcome.objects
    except (KustomizeFailure, PostBuildError) as exc:
        build.fail(str(exc))
    return BuildResult(builds=[build])
