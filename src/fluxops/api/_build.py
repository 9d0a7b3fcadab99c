"""fluxops build: a kustomize overlay, one Flux Kustomization, or all of them."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from fluxops.errors import UsageError
from fluxops.model.findings import Finding
from fluxops.model.flux import SourceRef
from fluxops.model.resource import Resource
from fluxops.model.results import BuildResult, KustomizationBuild

if TYPE_CHECKING:
    from fluxops.loader.repo import Repo

    pass


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


def build(request: BuildRequest, repo: Repo | None = None) -> BuildResult:
    """Render a kustomize overlay, one Flux Kustomization, or all of them. `repo`: the
    repository already loaded from `request.path` (validate and lint read it anyway)."""
    from fluxops.loader.repo import load_repo
    from fluxops.render.build import BuildOptions, Renderer
    from fluxops.render.select import build_all, build_ks

    root = Path(request.path)
    if request.ks and request.all_:
        raise UsageError("--ks and --all cannot be used together")
    if request.cluster and not (request.all_ or request.ks):
        raise UsageError(
            "--cluster goes with --all or --ks", hint="fluxops build REPO --all --cluster DIR"
        )
    if not request.ks and not request.all_:
        return _build_overlay(request)
    if repo is None:
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
            builds = build_ks(renderer, request.ks, request.cluster)
        else:
            builds = build_all(renderer, request.cluster)
        extra.extend(renderer.resolver.findings)
    from fluxops.render.build import build_result

    return build_result(builds, extra, complete=not request.ks)


def _build_overlay(request: BuildRequest) -> BuildResult:
    """A plain kustomize overlay: read-only kustomize run, no Flux post-processing."""
    from fluxops.model.flux import Kustomization
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
