"""One function per verb: the only module cli/ and mcp/ import. Library functions never print."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from fluxops.errors import NotFoundError, UsageError
from fluxops.model.findings import Finding, Severity
from fluxops.model.flux import SourceRef
from fluxops.model.resource import Resource
from fluxops.model.results import BuildResult, KustomizationBuild

if TYPE_CHECKING:
    from collections.abc import Callable

    from fluxops.diff.release_diff import ValuesDiffResult
    from fluxops.lint.result import LintResult
    from fluxops.validate.run import ValidateResult


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
    from fluxops.render.select import build_all, build_ks

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
            builds = build_ks(renderer, request.ks)
        else:
            builds = build_all(renderer, request.cluster)
        extra.extend(renderer.resolver.findings)
    from fluxops.render.build import build_result

    return build_result(builds, extra)


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


# -- validate ------------------------------------------------------------------------------------


@dataclass
class ValidateRequest:
    """What to validate: the same selection as `build` (`path`, `ks`, `all_`, `cluster`). A
    PATH without a kustomization file and no --ks means every Flux Kustomization (--all)."""

    path: str
    ks: str | None = None
    all_: bool = False
    cluster: str | None = None
    sources: list[str] = field(default_factory=list)
    kube_version: str | None = None
    strict: bool = False
    require_schemas: bool = False
    build_strict: bool = True
    kustomize_bin: str | None = None
    jobs: int = 0
    cache: bool = True
    progress: object = None


def _text_reader(root: Path) -> Callable[[str], str | None]:
    def read(rel: str) -> str | None:
        try:
            return (root / rel).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return None

    return read


def _enclosing_repo_root(directory: Path) -> Path:
    for candidate in (directory, *directory.parents):
        if (candidate / ".git").exists():
            return candidate
    return directory


def validate(request: ValidateRequest) -> ValidateResult:
    """Render like `build`, then validate every object against its schema (built-in kinds,
    the Flux CRDs, CRDs found in the repo or the output), CEL rules included."""
    from fluxops.loader.repo import load_repo
    from fluxops.model.findings import Severity
    from fluxops.render.generator import find_kustomization_file
    from fluxops.validate.builtin import BuiltinSchemas, UnknownKubeVersion, resolve_kube_version
    from fluxops.validate.catalog import SchemaCatalog
    from fluxops.validate.compiled import default_cache_dir
    from fluxops.validate.run import ValidateOptions, attach_origins, validate_build

    try:
        kube_version = resolve_kube_version(request.kube_version)
        builtin = BuiltinSchemas(kube_version, strict=request.strict)
    except UnknownKubeVersion as exc:
        raise UsageError(f"--kube-version: {exc}") from None
    root = Path(request.path)
    if not root.is_dir():
        raise UsageError(f"{request.path} is not a folder")
    all_ = request.all_
    overlay = not request.ks and not all_ and find_kustomization_file(root) is not None
    if not request.ks and not all_ and not overlay:
        all_ = True
    result = build(
        BuildRequest(
            path=request.path,
            ks=request.ks,
            all_=all_,
            cluster=request.cluster,
            strict=request.build_strict,
            sources=list(request.sources),
            kustomize_bin=request.kustomize_bin,
            jobs=request.jobs,
            cache=request.cache,
            progress=request.progress,
        )
    )
    repo_root = _enclosing_repo_root(root.resolve()) if overlay else root.resolve()
    repo = load_repo(repo_root)
    if overlay:
        attach_origins(result, repo.resources)
    catalog = SchemaCatalog(builtin, strict=request.strict)
    options = ValidateOptions(
        kube_version=kube_version,
        strict=request.strict,
        require_schemas=request.require_schemas,
        cache_dir=default_cache_dir() if request.cache else None,
    )
    outcome = validate_build(result, repo.resources, catalog, options, _text_reader(repo_root))
    outcome.findings[:0] = [f for f in repo.findings if f.severity >= Severity.WARNING]
    outcome.root = repo_root
    return outcome


# --- values-diff -------------------------------------------------------------------------------


@dataclass
class ValuesDiffRequest:
    """Compare HelmRelease values across environments. `release` is NAME or NAMESPACE/NAME;
    `all_` compares every release. `envs` are names resolved by `resolve_environment`;
    `env_paths` are NAME=PATH pairs stated explicitly."""

    path: str
    release: str | None = None
    envs: list[str] = field(default_factory=list)
    env_paths: list[str] = field(default_factory=list)
    all_: bool = False
    all_values: bool = False
    with_defaults: bool = False
    strict: bool = True
    sources: list[str] = field(default_factory=list)
    kustomize_bin: str | None = None


def values_diff(request: ValuesDiffRequest) -> ValuesDiffResult:
    from fluxops.diff.release_diff import EnvRelease, ValuesDiffResult, compare
    from fluxops.loader.repo import load_repo
    from fluxops.render.build import BuildOptions, Renderer
    from fluxops.render.select import resolve_environment

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
    repo = load_repo(request.path)
    options = BuildOptions(
        strict=request.strict,
        sources=parse_source_overrides(request.sources, repo.root),
        kustomize_bin=request.kustomize_bin,
    )
    findings: list[Finding] = list(repo.findings)
    with Renderer(repo, options) as renderer:
        envs = [resolve_environment(renderer, name, path) for name, path in named]
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
                            f"local folder); values shown without them"
                        )
            diffs.append(diff)
        only_in: dict[str, list[str]] = {}
        if request.all_:
            everywhere = set.intersection(*(set(r) for r in releases.values()))
            for env_name, rels in releases.items():
                for key in sorted(set(rels) - everywhere):
                    only_in.setdefault(f"{key[0]}/{key[1]}", []).append(env_name)
    return ValuesDiffResult(
        envs=[e.name for e in envs],
        env_descriptions={e.name: e.how for e in envs},
        diffs=diffs,
        only_in=only_in,
        findings=findings,
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
    from fluxops.diff.helm_values import read_values
    from fluxops.loader.sources import LocalSource, UnresolvedSource, clean_path
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
    values_file = source.root / clean_path(chart) / "values.yaml"
    if not values_file.is_file():
        return None
    try:
        return read_values(values_file.read_text(encoding="utf-8"))
    except Exception:
        return None


# -- lint ----------------------------------------------------------------------------------------


@dataclass
class LintRequest:
    """What to lint: the repository at `path`. Rendering (for rules that need the effective
    objects) follows `build`'s selection; by default every Flux Kustomization is rendered when
    the repo has any (`render=False`: lint the files only)."""

    path: str
    ks: str | None = None
    all_: bool = False
    cluster: str | None = None
    sources: list[str] = field(default_factory=list)
    render: bool = True
    config: str | None = None
    build_strict: bool = True
    kustomize_bin: str | None = None
    jobs: int = 0
    cache: bool = True
    progress: object = None


class _DiskFiles:
    """RepoFiles over the repository folder (read-only, texts cached)."""

    def __init__(self, root: Path, yaml_files: list[str]) -> None:
        self.root = root
        self._yaml = yaml_files
        self._texts: dict[str, str | None] = {}

    def read(self, rel: str) -> str | None:
        if rel not in self._texts:
            self._texts[rel] = _text_reader(self.root)(rel)
        return self._texts[rel]

    def is_dir(self, rel: str) -> bool:
        return (self.root / rel).is_dir()

    def is_file(self, rel: str) -> bool:
        return (self.root / rel).is_file()

    def yaml_files(self) -> list[str]:
        return list(self._yaml)


def lint_config(root: Path, explicit: str | None) -> object:
    """The lint configuration: `explicit`, else `.fluxops.yaml` at the repo root, else none."""
    from fluxops.lint.config import CONFIG_FILE, LintConfig, parse_config
    from fluxops.lint.run import META_CODES, rule_defaults

    path = Path(explicit) if explicit else root / CONFIG_FILE
    if not path.is_file():
        if explicit:
            raise UsageError(f"--config {explicit}: no such file")
        return LintConfig()
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read {path}: {exc}") from None
    return parse_config(text, str(path), rule_defaults(), META_CODES)


def lint(request: LintRequest) -> LintResult:
    """Check the repository against the conventions (one rule per module in fluxops.lint)."""
    import time

    from fluxops.lint.config import LintConfig
    from fluxops.lint.context import LintContext
    from fluxops.lint.run import run_lint
    from fluxops.loader.repo import iter_yaml_files, load_repo
    from fluxops.loader.sources import LocalSource, SourceResolver, UnresolvedSource
    from fluxops.model.findings import Severity
    from fluxops.model.flux import SourceRef, is_flux_kustomization

    started = time.perf_counter()
    root = Path(request.path)
    if not root.is_dir():
        raise UsageError(f"{request.path} is not a folder")
    repo = load_repo(root)
    config = lint_config(repo.root, request.config)
    assert isinstance(config, LintConfig)
    builds: list[KustomizationBuild] = []
    has_flux = any(is_flux_kustomization(r) for r in repo.resources)
    if request.render and (request.ks or request.all_ or has_flux):
        result = build(
            BuildRequest(
                path=request.path,
                ks=request.ks,
                all_=not request.ks,
                cluster=request.cluster,
                strict=request.build_strict,
                sources=list(request.sources),
                kustomize_bin=request.kustomize_bin,
                jobs=request.jobs,
                cache=request.cache,
                progress=request.progress,
            )
        )
        builds = result.builds
    resolver = SourceResolver(repo, parse_source_overrides(request.sources, repo.root))
    roots: dict[tuple[str, str], str] = {}
    refs = [
        SourceRef.from_spec(r.spec.get("sourceRef"), r.namespace or "flux-system")
        for r in repo.resources
        if isinstance(r.spec.get("sourceRef"), dict)
    ]
    for ref in refs:
        if ref is None or (ref.kind, ref.name) in roots or "${" in ref.name:
            continue
        try:
            resolved = resolver.resolve(ref)
        except (UnresolvedSource, OSError):
            continue
        if isinstance(resolved, LocalSource):
            try:
                roots[(ref.kind, ref.name)] = (
                    resolved.root.resolve().relative_to(repo.root).as_posix().strip(".")
                )
            except ValueError:
                continue
    own = set()
    for r in repo.resources:
        sync = r.spec.get("sync") if r.kind == "FluxInstance" else None
        if isinstance(sync, dict):
            own.add((r.namespace or "flux-system", str(sync.get("name") or "flux-system")))
    yaml_files = [p.relative_to(repo.root).as_posix() for p in iter_yaml_files(repo.root)]
    ctx = LintContext(
        files=_DiskFiles(repo.root, yaml_files),
        resources=repo.resources,
        builds=builds,
        own_sources=own,
        source_roots=roots,
    )
    outcome = run_lint(ctx, config)
    outcome.findings[:0] = [f for f in repo.findings if f.severity >= Severity.WARNING]
    outcome.root = repo.root
    outcome.builds_failed = sum(1 for b in builds if b.status == "failed")
    outcome.seconds = time.perf_counter() - started
    return outcome
