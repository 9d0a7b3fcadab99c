"""fluxops build: a kustomize overlay, one Flux Kustomization, or all of them."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from fluxops.errors import UsageError
from fluxops.model.findings import Finding, Severity
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
    #: Fetch remote bases and URL file sources (clean environment); refused by default.
    allow_remote: bool = False


def abort_engines() -> None:
    """Stop every running kustomize process and refuse new ones (on SIGTERM/SIGHUP), so that
    the run unwinds quickly and removes its workspaces."""
    from fluxops.render.sandbox import abort_all

    abort_all()


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
        allow_remote=request.allow_remote,
    )
    extra: list[Finding] = list(repo.findings)
    with Renderer(repo, options) as renderer:
        if request.ks:
            builds = build_ks(renderer, request.ks, request.cluster)
        else:
            builds = build_all(renderer, request.cluster)
        extra.extend(renderer.resolver.findings)
        extra.extend(renderer.run_findings())
    from fluxops.render.build import build_result

    return build_result(builds, extra, complete=not request.ks)


def overlay_root(directory: Path) -> Path:
    """The root an overlay build is confined to: the enclosing repository (a folder with
    `.git`), else the working folder when the overlay is inside it, else the overlay itself."""
    resolved = directory.resolve()
    for candidate in (resolved, *resolved.parents):
        if (candidate / ".git").exists():
            return candidate
    cwd = Path.cwd().resolve()
    if resolved == cwd or cwd in resolved.parents:
        return cwd
    return resolved


def _build_overlay(request: BuildRequest) -> BuildResult:
    """A plain kustomize overlay: read-only kustomize run, no Flux post-processing. The
    enclosing repository is staged and the engine confined to it, as for Flux builds."""
    from fluxops.loader import confine
    from fluxops.loader.repo import skipped_finding
    from fluxops.loader.yamlio import YamlParseError, load_documents
    from fluxops.model.flux import Kustomization
    from fluxops.render.engine import KustomizeFailure, default_engine
    from fluxops.render.generator import find_kustomization_file
    from fluxops.render.postbuild import PostBuildError, post_build
    from fluxops.render.preflight import preflight
    from fluxops.render.sandbox import Sandbox
    from fluxops.render.workspace import Workspace, stage

    directory = Path(request.path)
    if not directory.is_dir():
        raise UsageError(f"{request.path} is not a folder")
    if find_kustomization_file(directory) is None:
        raise UsageError(
            f"{request.path} has no kustomization file",
            hint="to render a Flux repository use --all (every Kustomization) or --ks NAMESPACE/NAME",
        )
    engine = default_engine(request.kustomize_bin)
    root = overlay_root(directory)
    rel = directory.resolve().relative_to(root).as_posix()
    rel = "" if rel == "." else rel
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
    tree = confine.scan(root)
    result = BuildResult(builds=[build])
    result.findings.extend(skipped_finding(s) for s in tree.skipped)
    with Workspace(near=root, size=sum(tree.files.values())) as workspace:
        sandbox = Sandbox(
            workspace.root,
            engine.binary,
            home=workspace.home,
            tmp=workspace.tmp,
            allow_remote=request.allow_remote,
            workers=1,
        )
        try:
            staged = workspace.new_dir("source") / "root"
            staged.mkdir()
            stage(tree, staged)
            kfile = find_kustomization_file(staged / rel if rel else staged)
            if kfile is None:
                build.fail(
                    f"{request.path}: its kustomization file is a symlink or too large, which "
                    "fluxops does not read"
                )
                return result
            label = f"{rel}/{kfile.name}" if rel else kfile.name
            try:
                docs = load_documents(kfile.read_text(encoding="utf-8"))
            except (YamlParseError, OSError, UnicodeDecodeError):
                docs = []
            problems: list[str] = []
            for doc in docs:
                if isinstance(doc.value, dict):
                    checked = preflight(
                        doc.value, staged, rel, label, allow_remote=request.allow_remote
                    )
                    problems.extend(checked.problems)
            if problems:
                build.fail("refused before building: " + "; ".join(problems))
                return result
            stream = engine.build(staged / rel if rel else staged, sandbox)
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
            message = str(exc).replace(str(staged) + "/", "").replace(str(staged), ".")
            build.fail(message)
        finally:
            note = sandbox.note()
            sandbox.close()
            if note is not None:
                result.findings.append(Finding("FO017", Severity.INFO, note))
    return result
