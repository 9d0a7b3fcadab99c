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

    from fluxops.cluster.live import LiveReader, LiveSet
    from fluxops.diff.drift_model import DriftResult
    from fluxops.diff.drift_plan import OwnerPlan
    from fluxops.diff.release_diff import ValuesDiffResult
    from fluxops.diff.schema import SchemaRegistry
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
    if request.cluster and not (request.all_ or request.ks):
        raise UsageError(
            "--cluster goes with --all or --ks", hint="fluxops build REPO --all --cluster DIR"
        )
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
            builds = build_ks(renderer, request.ks, request.cluster)
        else:
            builds = build_all(renderer, request.cluster)
        extra.extend(renderer.resolver.findings)
    from fluxops.render.build import build_result

    return build_result(builds, extra, complete=not request.ks)


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


# -- drift ---------------------------------------------------------------------------------------


@dataclass
class DriftRequest:
    """Where the live cluster differs from what the repo renders. Desired state: the same
    selection as `build` (`path`, `ks`, `all_`, `cluster`; a PATH without a kustomization file
    and no --ks means --all). Live state: `snapshot` (a file) or the cluster of `context` in
    `kubeconfig`. `owner` (overlays only) names the Flux Kustomization the overlay stands for:
    its owner labels are added, its live spec and inventory used."""

    path: str
    ks: str | None = None
    all_: bool = False
    cluster: str | None = None
    snapshot: str | None = None
    kubeconfig: str | None = None
    context: str | None = None
    timeout: float = 10.0
    mode: str = "fields"
    helm: bool = False
    owner: str | None = None
    sources: list[str] = field(default_factory=list)
    strict: bool = True
    kustomize_bin: str | None = None
    jobs: int = 0
    cache: bool = True
    views: bool = True
    workers: int = 8
    progress: object = None


def drift(request: DriftRequest) -> DriftResult:
    """Render like `build`, read the live objects (cluster or snapshot) and compare: missing,
    drifted (field by field) and orphaned objects, with Flux's exclusions and ignore rules.
    Writes nothing: reads, and in server mode server-side apply dry runs (dryRun=All)."""
    import time

    from fluxops.cluster.client import connect
    from fluxops.cluster.live import LiveReader, Wanted
    from fluxops.cluster.snapshot import load_snapshot
    from fluxops.diff import drift_plan as dp
    from fluxops.diff.drift_model import DriftResult
    from fluxops.diff.ignore import OWNER_NAME, OWNER_NAMESPACE
    from fluxops.diff.schema import SchemaRegistry
    from fluxops.model.identity import NamespacedName
    from fluxops.render.generator import find_kustomization_file

    started = time.perf_counter()
    timings: dict[str, float] = {}
    if request.mode not in ("fields", "server"):
        raise UsageError(f"--mode {request.mode!r}: expected fields or server")
    if request.mode == "server" and request.snapshot:
        raise UsageError(
            "--mode server needs a live cluster: it asks the API server for apply dry runs",
            hint="use --mode fields with --snapshot, or drop --snapshot",
        )
    if request.snapshot and (request.kubeconfig or request.context):
        raise UsageError("--snapshot cannot be combined with --kubeconfig or --context")
    root = Path(request.path)
    if not root.is_dir():
        raise UsageError(f"{request.path} is not a folder")
    all_ = request.all_
    overlay = not request.ks and not all_ and find_kustomization_file(root) is not None
    if not request.ks and not all_ and not overlay:
        all_ = True
    owner: tuple[str, str] | None = None
    if request.owner:
        if not overlay:
            raise UsageError(
                "--owner goes with an overlay folder",
                hint="with --ks or --all the owner is the Flux Kustomization itself",
            )
        parsed = NamespacedName.parse(request.owner)
        owner = (parsed.namespace, parsed.name)
    rendered = build(
        BuildRequest(
            path=request.path,
            ks=request.ks,
            all_=all_,
            cluster=request.cluster,
            strict=request.strict,
            sources=list(request.sources),
            kustomize_bin=request.kustomize_bin,
            jobs=request.jobs,
            cache=request.cache,
            progress=request.progress,
        )
    )
    clusters = sorted({b.cluster for b in rendered.builds if b.cluster})
    if len(clusters) > 1 and not request.cluster:
        raise UsageError(
            f"{request.path} renders for {len(clusters)} clusters ({', '.join(clusters)}); drift "
            "compares with one live cluster: say which entry it runs with --cluster DIR",
            hint=f"fluxops drift {request.path} {'--ks ' + request.ks if request.ks else '--all'} "
            f"--cluster {clusters[0]}",
        )
    source = (
        load_snapshot(request.snapshot)
        if request.snapshot
        else connect(request.kubeconfig, request.context, timeout=request.timeout)
    )
    secret_values = not request.snapshot
    with source:
        reader = LiveReader(source, workers=request.workers)
        scope = _LazyScope(reader)
        where = (
            f"snapshot {request.snapshot}"
            if request.snapshot
            else f"cluster {source.server} (context {source.context})"
        )
        result = DriftResult(mode=request.mode, source=where, findings=rendered.all_findings())
        ks_refs = (
            [owner]
            if owner
            else []
            if overlay
            else [(b.namespace, b.name) for b in rendered.builds]
        )
        timings["render"] = time.perf_counter() - started
        mark = time.perf_counter()
        live_ks = _live_kustomizations(reader, ks_refs, result)
        plans = dp.plan_builds(
            rendered.builds,
            live_ks,
            scope,
            mode=request.mode,
            overlay=overlay,
            owner=owner,
            secret_values=secret_values,
            views=request.views,
        )
        desired = dp.wanted_keys(plans)
        rendered_keys = {d.key for d in desired}
        inventory = {key: api for p in plans for key, api in p.inventory.items()}
        selector: dict[str, str | None] | None = None
        if not overlay or owner:
            refs = {p.owner_ref for p in plans if p.owner_ref}
            if len(refs) == 1:
                ns, name = next(iter(refs))
                selector = {OWNER_NAME: name, OWNER_NAMESPACE: ns}
            elif refs:
                selector = {OWNER_NAME: None}
        owner_kinds = sorted({(api, key[1]) for key, api in inventory.items()})
        live = reader.read(
            [Wanted(d.api_version, d.kind, d.namespace, d.name) for d in desired],
            owner_selector=selector,
            owner_kinds=owner_kinds,
        )
        stragglers = [
            Wanted(api, key[1], key[2], key[3])
            for key, api in inventory.items()
            if key not in live.objects and key not in rendered_keys and api
        ]
        if stragglers:
            more = reader.read(stragglers)
            live.objects.update(more.objects)
            live.errors.update(more.errors)
        result.notes.extend(live.notes)
        if request.helm:
            plans.extend(_helm_plans(reader, plans, live, scope, request, secret_values))
        schemas = SchemaRegistry()
        _add_crd_schemas(reader, schemas, plans)
        timings["read"] = time.perf_counter() - mark
        mark = time.perf_counter()
        dry_runs: dict[tuple[str, tuple[str, str, str, str]], object] = {}
        if request.mode == "server":
            for manager in sorted({p.options.field_manager for p in plans}):
                todo = [
                    d
                    for p in plans
                    if p.summary.status == "compared" and p.options.field_manager == manager
                    for d in p.desired
                    if (d.key[0], d.kind) not in live.not_served
                    and d.key not in live.errors
                    and dp.needs_dry_run(d, live.objects.get(d.key), p.options)
                ]
                outcomes = reader.dry_run([dp.dry_run_payload(d.raw) for d in todo], manager)
                dry_runs.update({(manager, d.key): o for d, o in zip(todo, outcomes, strict=True)})
            timings["dryRun"] = time.perf_counter() - mark
            mark = time.perf_counter()
        state = dp.LiveState(
            objects=live.objects,
            errors=live.errors,
            not_served=live.not_served,
            labelled=live.labelled,
            dry_runs=dry_runs,  # type: ignore[arg-type]
        )
        dp.evaluate(plans, state, schemas, result)
        timings["compare"] = time.perf_counter() - mark
        result.timings = {k: round(v, 3) for k, v in timings.items()}
        stats = getattr(source, "stats", None)
        result.requests = getattr(stats, "requests", None)
    result.seconds = time.perf_counter() - started
    return result


class _LazyScope(dict[tuple[str, str], "bool | None"]):
    """(apiVersion, kind) -> namespaced?, asked of the reader on first use."""

    def __init__(self, reader: LiveReader) -> None:
        super().__init__()
        self.reader = reader

    def get(self, key: tuple[str, str], default: bool | None = None) -> bool | None:  # type: ignore[override]
        found = self.reader.namespaced(*key)
        return default if found is None else found


def _live_kustomizations(
    reader: LiveReader,
    refs: list[tuple[str, str]],
    result: DriftResult,
) -> dict[tuple[str, str], dict[str, object] | None]:
    """The live Flux Kustomizations (their status.inventory says what to prune)."""
    from fluxops.cluster.live import Wanted
    from fluxops.errors import ClusterError

    if not refs:
        return {}
    group = "kustomize.toolkit.fluxcd.io"
    try:
        versions = reader.source.served_versions(group)
    except ClusterError:
        versions = []
    version = "v1" if "v1" in versions or not versions else versions[0]
    api_version = f"{group}/{version}"
    got = reader.read([Wanted(api_version, "Kustomization", ns, name) for ns, name in refs])
    group = api_version.partition("/")[0]
    out: dict[tuple[str, str], dict[str, object] | None] = {}
    for ns, name in refs:
        key = (group, "Kustomization", ns, name)
        if key in got.errors:
            result.notes.append(
                f"cannot read Kustomization {ns}/{name}: {got.errors[key]} (orphans not found)"
            )
        out[(ns, name)] = got.objects.get(key)
    return out


def _helm_plans(
    reader: LiveReader,
    plans: list[OwnerPlan],
    live: LiveSet,
    scope: _LazyScope,
    request: DriftRequest,
    secret_values: bool,
) -> list[OwnerPlan]:
    """--helm: one plan per rendered HelmRelease, from its latest deployed release."""
    from fluxops.cluster.live import Wanted
    from fluxops.diff.drift_helm import plan_helm
    from fluxops.diff.helm_storage import release_location
    from fluxops.errors import ClusterError

    out: list[OwnerPlan] = []
    for plan in plans:
        if plan.summary.status != "compared":
            continue
        for d in plan.desired:
            if d.kind != "HelmRelease" or d.key[0] != "helm.toolkit.fluxcd.io":
                continue
            release = Resource(raw=d.raw)
            storage_ns, name = release_location(release, live.objects.get(d.key))
            try:
                storage = reader.helm_releases(storage_ns, name)
            except ClusterError as exc:
                failed = plan_helm(release, [], scope, mode=request.mode)
                failed.summary.status = "failed"
                failed.summary.error = f"cannot read the Helm release storage: {exc.message}"
                out.append(failed)
                continue
            hplan = plan_helm(
                release,
                storage,
                scope,
                mode=request.mode,
                secret_values=secret_values,
                views=request.views,
            )
            out.append(hplan)
    wanted = [
        Wanted(d.api_version, d.kind, d.namespace, d.name)
        for p in out
        if p.summary.status == "compared"
        for d in p.desired
        if not d.problem and d.key not in live.objects
    ]
    if wanted:
        more = reader.read(wanted)
        live.objects.update(more.objects)
        live.errors.update(more.errors)
        live.not_served.update(more.not_served)
    return out


def _add_crd_schemas(reader: LiveReader, schemas: SchemaRegistry, plans: list[OwnerPlan]) -> None:
    """The schemas of custom kinds: the live CRD, else one in the rendered objects, else the
    Flux CRDs shipped with fluxops. Unknown kinds are compared without a schema."""
    from fluxops.cluster.client import ClusterClient
    from fluxops.diff.schema import shipped_flux_crds
    from fluxops.errors import ClusterError

    kinds: set[tuple[str, str]] = set()
    crds: list[dict[str, object]] = []
    for plan in plans:
        for d in plan.desired:
            kinds.add((d.api_version, d.kind))
            if d.kind == "CustomResourceDefinition":
                crds.append(d.raw)
    missing = []
    for api_version, kind in sorted(kinds):
        group, _, version = api_version.rpartition("/")
        if group and not schemas.has(group, version, kind):
            missing.append((api_version, kind))
    if not missing:
        return
    source = reader.source
    if isinstance(source, ClusterClient):
        for api_version, kind in missing:
            try:
                res = source.resource(api_version, kind)
                crd = source.get(
                    "apiextensions.k8s.io/v1",
                    "CustomResourceDefinition",
                    f"{res.plural}.{res.group}",
                )
            except ClusterError:
                continue
            if crd:
                schemas.add_crd(crd)
    else:
        try:
            for crd in reader.list_all("apiextensions.k8s.io/v1", "CustomResourceDefinition"):
                schemas.add_crd(crd)
        except ClusterError:
            pass
    for crd in crds:
        schemas.add_crd(crd, override=False)
    if any(not schemas.has(*_gvk(a, k)) for a, k in missing):
        for crd in shipped_flux_crds():
            schemas.add_crd(crd, override=False)


def _gvk(api_version: str, kind: str) -> tuple[str, str, str]:
    group, _, version = api_version.rpartition("/")
    return group, version, kind


# -- status and snapshot -------------------------------------------------------------------------

if TYPE_CHECKING:
    from datetime import datetime

    from fluxops.cluster.snapshot_writer import SnapshotSummary
    from fluxops.status.model import ClusterStatus, StatusResult


@dataclass
class StatusRequest:
    """Which clusters to read: kubeconfig `contexts` (none: the current one), every context
    (`all_contexts`), or a `snapshot` file instead. `namespace` None reads all namespaces.
    `stale_after` (seconds): a spec change no controller has picked up for this long is stale.
    `now` fixes the clock (tests; a snapshot defaults to the time it was taken)."""

    contexts: list[str] = field(default_factory=list)
    all_contexts: bool = False
    kubeconfig: str | None = None
    namespace: str | None = None
    snapshot: str | None = None
    timeout: float = 10.0
    stale_after: float = 600.0
    fail_on: str = "failed"
    now: datetime | None = None


def status(request: StatusRequest) -> StatusResult:
    """Classify every Flux object of one or more clusters (or a snapshot), root causes first."""
    from concurrent.futures import ThreadPoolExecutor
    from datetime import UTC, datetime, timedelta

    from fluxops.cluster.snapshot_writer import CONTEXT, SERVER, TAKEN_AT
    from fluxops.status.fields import parse_time
    from fluxops.status.model import FAIL_ON, ClusterIssue, ClusterStatus, StatusResult
    from fluxops.status.run import cluster_status

    if request.fail_on not in FAIL_ON:
        raise UsageError(f"--fail-on {request.fail_on!r}: choose from {', '.join(FAIL_ON)}")
    if request.snapshot and (request.contexts or request.all_contexts):
        raise UsageError("--snapshot reads a file: it cannot be combined with --context")
    if request.contexts and request.all_contexts:
        raise UsageError("--context and --all-contexts cannot be used together")
    stale_after = timedelta(seconds=max(0.0, request.stale_after))

    if request.snapshot:
        from fluxops.cluster.snapshot import load_snapshot

        snap = load_snapshot(request.snapshot)
        now = request.now or parse_time(snap.annotations.get(TAKEN_AT)) or datetime.now(UTC)
        cs = cluster_status(
            snap,
            name=snap.annotations.get(CONTEXT) or request.snapshot,
            now=now,
            origin="snapshot",
            namespace=request.namespace,
            stale_after=stale_after,
        )
        cs.server = snap.annotations.get(SERVER) or cs.server
        return StatusResult([cs], generated_at=now, fail_on=request.fail_on)

    from fluxops.cluster.client import connect
    from fluxops.cluster.kubeconfig import context_names
    from fluxops.errors import ClusterError

    now = request.now or datetime.now(UTC)
    contexts: list[str | None] = list(request.contexts) or [None]
    if request.all_contexts:
        contexts = list(context_names(request.kubeconfig))

    def one(context: str | None) -> ClusterStatus:
        try:
            client = connect(request.kubeconfig, context, timeout=request.timeout)
        except ClusterError as exc:
            return ClusterStatus(
                name=context or "(current context)", error=ClusterIssue(exc.message, exc.hint)
            )
        with client:
            return cluster_status(
                client,
                name=client.context,
                now=now,
                namespace=request.namespace,
                stale_after=stale_after,
            )

    if len(contexts) == 1:
        clusters = [one(contexts[0])]
    else:
        with ThreadPoolExecutor(max_workers=min(8, len(contexts))) as pool:
            clusters = list(pool.map(one, contexts))
    return StatusResult(clusters, generated_at=now, fail_on=request.fail_on)


@dataclass
class SnapshotRequest:
    """Write the Flux objects of one cluster, their Events and the objects in their
    inventories to `output` (a path; `-`: keep the text in the summary for stdout)."""

    output: str
    context: str | None = None
    kubeconfig: str | None = None
    namespace: str | None = None
    inventory: bool = True
    events: bool = True
    timeout: float = 30.0
    format: str | None = None  # json | yaml; default from the file extension


def snapshot(request: SnapshotRequest) -> SnapshotSummary:
    """Write a snapshot of a live cluster (Flux objects, their Events, their inventories),
    Secret data removed."""
    from fluxops import __version__
    from fluxops.cluster.client import connect
    from fluxops.cluster.snapshot_writer import format_for, render, take_snapshot, write_snapshot

    if request.format not in (None, "json", "yaml"):
        raise UsageError(f"--format {request.format!r}: choose json or yaml")
    fmt = format_for(request.output, request.format)
    with connect(request.kubeconfig, request.context, timeout=request.timeout) as client:
        doc, summary = take_snapshot(
            client,
            request.namespace,
            inventory=request.inventory,
            events=request.events,
            version=__version__,
        )
    if request.output == "-":
        summary.text = render(doc, fmt)
        summary.bytes = len(summary.text.encode())
    else:
        summary.bytes = write_snapshot(doc, request.output, fmt)
        summary.path = request.output
    return summary
