"""The `values-diff` verb: a HelmRelease's effective values across environments."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from fluxops.errors import NotFoundError, UsageError
from fluxops.model.findings import Finding, Severity
from fluxops.model.resource import Resource
from fluxops.model.selection import RenderOptions

if TYPE_CHECKING:
    from collections.abc import Callable

    from fluxops.helmvalues.releases import ValuesDiffResult


@dataclass(kw_only=True)
class ValuesDiffRequest(RenderOptions):
    """Compare HelmRelease values across environments of the repository at `path`. `release`
    is NAME or NAMESPACE/NAME; `all_` compares every release. `envs` are names resolved by
    `resolve_environment`; `env_paths` are NAME=PATH pairs stated explicitly. `all_values`:
    show equal values too; `with_defaults`: coalesce a local chart's values.yaml;
    `exit_on_difference`: a difference makes the exit status 1."""

    path: str = "."
    release: str | None = None
    envs: list[str] = field(default_factory=list)
    env_paths: list[str] = field(default_factory=list)
    all_: bool = False
    all_values: bool = False
    with_defaults: bool = False
    exit_on_difference: bool = False


def run(request: ValuesDiffRequest) -> ValuesDiffResult:
    """Render each environment, compose each release's values as helm-controller does, and
    compare them."""
    from fluxops.helmvalues.releases import EnvRelease, ValuesDiffResult, compare
    from fluxops.loader.parsecache import parse_cache
    from fluxops.loader.repo import load_repo
    from fluxops.render.build import Renderer
    from fluxops.render.select import resolve_environment
    from fluxops.render.verb import build_options

    if not request.release and not request.all_:
        raise UsageError("name a release (NAME or NAMESPACE/NAME) or pass --all")
    if request.release and request.all_:
        raise UsageError("a release name and --all cannot be used together")
    named: list[tuple[str, str | None]] = [(e, None) for e in request.envs if e]
    for item in request.env_paths:
        name, sep, path = item.partition("=")
        if not sep or not name or not path:
            raise UsageError(f"--env {item!r}: expected NAME=PATH")
        named.append((name, path))
    if len(named) < 2:
        raise UsageError(
            "values-diff needs at least two environments",
            hint="for example --envs staging,production, or --env a=clusters/a --env b=clusters/b",
        )
    repo = load_repo(request.path, cache=parse_cache(request.cache))
    options = build_options(request, repo.root)
    findings: list[Finding] = list(repo.findings)
    with Renderer(repo, options) as renderer:
        started = time.perf_counter()
        envs = [resolve_environment(renderer, name, path) for name, path in named]
        rendered = time.perf_counter()
        findings.extend(renderer.resolver.findings)
        releases: dict[str, dict[tuple[str, str], Resource]] = {}
        for env in envs:
            for build in env.failed:
                findings.append(
                    Finding(
                        "FO020",
                        Severity.WARNING,
                        f"environment {env.name}: Kustomization {build.ref} failed to build "
                        f"({build.error}); its HelmReleases are missing from the comparison",
                        object=f"Kustomization/{build.ref}",
                    )
                )
            releases[env.name] = {
                (o.namespace, o.name): o
                for o in env.objects
                if o.id.group == "helm.toolkit.fluxcd.io" and o.kind == "HelmRelease"
            }
        wanted = _wanted_releases(request, releases)
        diffs = []
        for keys in wanted:
            entries = []
            for env in envs:
                key = keys[env.name]
                hr = releases[env.name].get(key)
                entries.append(
                    EnvRelease(
                        env=env.name,
                        release=hr,
                        lookup=_values_lookup(env.objects, key[0]),
                        chart_defaults=_chart_defaults(renderer, hr)
                        if hr and request.with_defaults
                        else None,
                    )
                )
            names = sorted({f"{k[0]}/{k[1]}" for k in keys.values()})
            diff = compare(
                " | ".join(names),
                entries,
                all_values=request.all_values,
                with_defaults=request.with_defaults,
            )
            if request.with_defaults:
                for entry in entries:
                    if entry.release is not None and entry.chart_defaults is None:
                        diff.notes.append(
                            f"{entry.env}: chart defaults not available (the chart is not a "
                            f"local folder, or its values.yaml is a symlink, a special file or "
                            f"unreadable); values shown without them"
                        )
            diffs.append(diff)
        compared = time.perf_counter()
        only_in: dict[str, list[str]] = {}
        if request.all_:
            everywhere = set.intersection(*(set(r) for r in releases.values()))
            for env_name, rels in releases.items():
                for key in sorted(set(rels) - everywhere):
                    only_in.setdefault(f"{key[0]}/{key[1]}", []).append(env_name)
    timings = {"render": rendered - started, "compare": compared - rendered}
    return ValuesDiffResult(
        envs=[e.name for e in envs],
        env_descriptions={e.name: e.how for e in envs},
        diffs=diffs,
        only_in=only_in,
        findings=findings,
        timings=timings,
        exit_on_difference=request.exit_on_difference,
    )


def _wanted_releases(
    request: ValuesDiffRequest,
    releases: dict[str, dict[tuple[str, str], Resource]],
) -> list[dict[str, tuple[str, str]]]:
    """Which release to compare in each environment. With --all: every NAMESPACE/NAME present
    in all of them. With a name: the one release of that name in each environment (their
    namespaces may differ; a NAMESPACE/NAME pins it)."""
    if request.all_:
        everywhere = set.intersection(*(set(r) for r in releases.values()))
        return [dict.fromkeys(releases, key) for key in sorted(everywhere)]
    assert request.release
    ns, _, name = request.release.rpartition("/")
    chosen: dict[str, tuple[str, str]] = {}
    for env_name, rels in releases.items():
        matches = [k for k in rels if k[1] == name and (not ns or k[0] == ns)]
        if not matches:
            present = ", ".join(f"{k[0]}/{k[1]}" for k in sorted(rels)) or "none"
            raise NotFoundError(
                f"HelmRelease {request.release} not found in environment {env_name}",
                hint=f"HelmReleases there: {present}",
            )
        if len(matches) > 1:
            raise UsageError(
                f"HelmRelease {name} exists in several namespaces in {env_name}: "
                + ", ".join(f"{k[0]}/{k[1]}" for k in sorted(matches)),
                hint="name it as NAMESPACE/NAME",
            )
        chosen[env_name] = matches[0]
    return [chosen]


def _values_lookup(
    objects: list[Resource], namespace: str
) -> Callable[[str, str], dict[str, object] | None]:
    """valuesFrom reads ConfigMaps and Secrets of the release's namespace, and only those the
    environment renders: another environment's objects must never leak in."""
    index = {
        (o.kind, o.name): o.raw
        for o in objects
        if o.id.group == "" and o.kind in ("ConfigMap", "Secret") and o.namespace == namespace
    }
    return lambda kind, name: index.get((kind, name))


def _chart_defaults(renderer: object, release: Resource) -> dict[str, object] | None:
    """The chart's values.yaml when the chart is a folder in a local source."""
    from fluxops.helmvalues.compose import read_values
    from fluxops.loader.roots import clean_path
    from fluxops.loader.sources import LocalSource, UnresolvedSource
    from fluxops.model.flux import HelmRelease
    from fluxops.render.build import Renderer

    assert isinstance(renderer, Renderer)
    hr = HelmRelease(release)
    ref = hr.chart_source_ref
    chart = hr.chart_spec.get("chart")
    if ref is None or ref.kind not in ("GitRepository", "Bucket") or not isinstance(chart, str):
        return None
    try:
        source = renderer.resolver.resolve(ref)
    except UnresolvedSource:
        return None
    if not isinstance(source, LocalSource):
        return None
    from fluxops.loader import confine

    rel = clean_path(chart)
    # Read as Flux reads the source: no symlink followed (a symlinked chart folder is not
    # in the artifact), regular files only, size-capped.
    try:
        text = confine.read_text(source.root, f"{rel}/values.yaml" if rel else "values.yaml")
    except (OSError, UnicodeDecodeError):
        return None
    try:
        return read_values(text)
    except ValueError:
        return None
