"""The `list` verb: the Flux Kustomizations, HelmReleases and sources a repository defines, per
cluster, as Flux sees them (after rendering: a Kustomization that a Kustomization renders is
listed with the cluster that reaches it, and with the Kustomization that defines it)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from fluxops.model.findings import Finding
from fluxops.model.flux import (
    SOURCE_KINDS,
    HelmRelease,
    Kustomization,
    SourceRef,
    is_flux_kustomization,
    view,
)
from fluxops.model.resource import Resource
from fluxops.model.results import BuildResult, KustomizationBuild, Result
from fluxops.model.selection import RenderOptions, Selection

#: The kinds `list` reports, as `--kind` names them.
LIST_KINDS = ("Kustomization", "HelmRelease", "Source")


@dataclass(kw_only=True)
class ListRequest(Selection, RenderOptions):
    """What to list: every Flux Kustomization an entry reaches (`cluster`: one cluster only),
    narrowed to `kinds` (of LIST_KINDS; empty: all) and `namespace`."""

    kinds: list[str] = field(default_factory=list)
    namespace: str | None = None


@dataclass
class ListedKustomization:
    cluster: str
    namespace: str
    name: str
    path: str
    source: str
    depends_on: list[str]
    parent: str | None
    defined_in: str | None
    status: str
    objects: int
    prune: bool | None
    interval: str | None
    suspended: bool
    error: str | None = None


@dataclass
class ListedHelmRelease:
    cluster: str
    namespace: str
    name: str
    chart: str
    version: str
    source: str
    depends_on: list[str]
    kustomization: str
    defined_in: str | None
    interval: str | None
    suspended: bool


@dataclass
class ListedSource:
    cluster: str
    kind: str
    namespace: str
    name: str
    url: str
    ref: str
    kustomization: str
    defined_in: str | None
    interval: str | None
    suspended: bool


@dataclass
class ListResult(Result):
    """What `list` found, in build order; `complete`: every Kustomization rendered (a failed
    one may define more)."""

    kind: ClassVar[str] = "ListResult"

    kustomizations: list[ListedKustomization] = field(default_factory=list)
    helm_releases: list[ListedHelmRelease] = field(default_factory=list)
    sources: list[ListedSource] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    failed: int = 0

    @property
    def clusters(self) -> list[str]:
        names = [k.cluster for k in self.kustomizations]
        names += [h.cluster for h in self.helm_releases]
        names += [s.cluster for s in self.sources]
        return list(dict.fromkeys(names))

    @property
    def exit_code(self) -> int:
        """1 when a Kustomization failed to render (what it defines is missing)."""
        return 1 if self.failed else 0


def _file(resource: Resource) -> str | None:
    return resource.origin.file if resource.origin else None


def _source_text(ref: SourceRef | None) -> str:
    return str(ref) if ref else ""


def _kustomization(build: KustomizationBuild) -> ListedKustomization:
    ks = Kustomization(build.kustomization)
    return ListedKustomization(
        cluster=build.cluster,
        namespace=build.namespace,
        name=build.name,
        path=build.path,
        source=build.source,
        depends_on=[f"{d.namespace}/{d.name}" for d in ks.depends_on],
        parent=build.parent,
        defined_in=_file(build.kustomization),
        status=build.status,
        objects=len(build.objects),
        prune=ks.prune,
        interval=ks.interval,
        suspended=ks.suspended,
        error=build.error,
    )


def _helm_release(build: KustomizationBuild, obj: Resource) -> ListedHelmRelease:
    hr = HelmRelease(obj)
    chart = hr.chart_spec
    ref = hr.chart_ref or hr.chart_source_ref
    return ListedHelmRelease(
        cluster=build.cluster,
        namespace=hr.namespace,
        name=hr.name,
        chart=str(chart.get("chart") or (hr.chart_ref.name if hr.chart_ref else "")),
        version=str(chart.get("version") or ""),
        source=_source_text(ref),
        depends_on=[f"{d.namespace}/{d.name}" for d in hr.depends_on],
        kustomization=build.ref,
        defined_in=_file(obj),
        interval=hr.interval,
        suspended=hr.suspended,
    )


def _ref_text(spec: dict[str, object]) -> str:
    ref = spec.get("ref")
    if isinstance(ref, dict):
        return ", ".join(f"{k}={v}" for k, v in sorted(ref.items()) if isinstance(v, str | int))
    return ""


def _source(build: KustomizationBuild, obj: Resource) -> ListedSource:
    flux = view(obj)
    spec = obj.spec
    return ListedSource(
        cluster=build.cluster,
        kind=obj.kind,
        namespace=obj.namespace or build.namespace,
        name=obj.name,
        url=str(spec.get("url") or spec.get("bucketName") or ""),
        ref=_ref_text(spec),
        kustomization=build.ref,
        defined_in=_file(obj),
        interval=flux.interval if flux else None,
        suspended=flux.suspended if flux else False,
    )


def list_result(built: BuildResult, request: ListRequest) -> ListResult:
    """The Flux objects of `built`, narrowed as `request` says."""
    kinds = set(request.kinds) or set(LIST_KINDS)
    result = ListResult(findings=built.all_findings(), failed=built.failed)

    def wanted(namespace: str) -> bool:
        return request.namespace is None or namespace == request.namespace

    for build in built.builds:
        if "Kustomization" in kinds and wanted(build.namespace):
            result.kustomizations.append(_kustomization(build))
        for obj in build.objects:
            flux = view(obj)
            if flux is None or is_flux_kustomization(obj) or not wanted(flux.namespace):
                continue
            if isinstance(flux, HelmRelease) and "HelmRelease" in kinds:
                result.helm_releases.append(_helm_release(build, obj))
            elif obj.kind in SOURCE_KINDS and "Source" in kinds:
                result.sources.append(_source(build, obj))
    return result


def run(request: ListRequest) -> ListResult:
    """Render every Flux Kustomization (the build cache makes a rerun cheap) and list what
    the repository defines."""
    from dataclasses import fields

    from fluxops.errors import UsageError
    from fluxops.render.verb import BuildRequest
    from fluxops.render.verb import run as render

    unknown = sorted(set(request.kinds) - set(LIST_KINDS))
    if unknown:
        raise UsageError(f"--kind {', '.join(unknown)}: expected one of {', '.join(LIST_KINDS)}")
    options = {f.name: getattr(request, f.name) for f in fields(RenderOptions)}
    build_request = BuildRequest(path=request.path, cluster=request.cluster, all_=True, **options)
    built = render(build_request, build_request, mode="all")
    return list_result(built, request)
