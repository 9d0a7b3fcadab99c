"""fluxops lint: the GitOps conventions, as rules."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from fluxops.api._build import BuildRequest, build, parse_source_overrides
from fluxops.api._validate import text_reader
from fluxops.errors import UsageError
from fluxops.model.findings import Severity
from fluxops.model.flux import SourceRef
from fluxops.model.results import KustomizationBuild

if TYPE_CHECKING:
    from fluxops.lint.result import LintResult
    from fluxops.loader.confine import Tree


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
    allow_remote: bool = False
    progress: object = None


class _DiskFiles:
    """RepoFiles over the repository folder as the loader saw it (regular files and folders
    only, read-only, texts cached)."""

    def __init__(self, root: Path, tree: Tree, yaml_files: list[str]) -> None:
        self.root = root
        self.tree = tree
        self._yaml = yaml_files
        self._texts: dict[str, str | None] = {}
        self._read = text_reader(root)

    def read(self, rel: str) -> str | None:
        if rel not in self._texts:
            self._texts[rel] = self._read(rel)
        return self._texts[rel]

    def is_dir(self, rel: str) -> bool:
        return self.tree.is_dir(rel)

    def is_file(self, rel: str) -> bool:
        return self.tree.is_file(rel)

    def yaml_files(self) -> list[str]:
        return list(self._yaml)

    def symlinks(self) -> dict[str, str]:
        return {s.rel: s.detail for s in self.tree.symlinks()}


def lint_config(root: Path, explicit: str | None) -> object:
    """The lint configuration: `explicit`, else `.fluxops.yaml` at the repo root, else none."""
    from fluxops.lint.config import CONFIG_FILE, LintConfig, parse_config
    from fluxops.lint.runner import META_CODES, rule_defaults
    from fluxops.loader import confine

    if explicit:
        # Given on the command line: trusted, followed if it is a symlink; still size-capped.
        path = Path(explicit).resolve()
        if not path.is_file():
            raise UsageError(f"--config {explicit}: no such file")
        try:
            text = confine.read_text(path.parent, path.name)
        except (OSError, UnicodeDecodeError) as exc:
            raise UsageError(f"cannot read {path}: {exc}") from None
        return parse_config(text, str(path), rule_defaults(), META_CODES)
    kind = confine.kind_of(root, CONFIG_FILE)
    if kind is None:
        if (root / CONFIG_FILE).is_symlink():
            raise UsageError(
                f"{root / CONFIG_FILE} is a symlink: fluxops does not follow symlinks in the "
                "repository",
                hint="make it a regular file, or pass --config",
            )
        return LintConfig()
    try:
        text = confine.read_text(root, CONFIG_FILE)
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read {root / CONFIG_FILE}: {exc}") from None
    return parse_config(text, str(root / CONFIG_FILE), rule_defaults(), META_CODES)


def lint(request: LintRequest) -> LintResult:
    """Check the repository against the conventions (one rule per module in fluxops.lint)."""
    import time

    from fluxops.lint.config import LintConfig
    from fluxops.lint.context import LintContext
    from fluxops.lint.runner import run_lint
    from fluxops.loader import confine
    from fluxops.loader.repo import load_repo
    from fluxops.loader.sources import LocalSource, SourceResolver, UnresolvedSource
    from fluxops.model.flux import is_flux_kustomization

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
                allow_remote=request.allow_remote,
                progress=request.progress,
            ),
            repo=repo,
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
    tree = repo.tree if repo.tree is not None else confine.scan(repo.root)
    ctx = LintContext(
        files=_DiskFiles(repo.root, tree, list(repo.yaml_files)),
        resources=repo.resources,
        builds=builds,
        own_sources=own,
        source_roots=roots,
    )
    outcome = run_lint(ctx, config)
    # Symlinks are the repo-symlink rule's (configurable, suppressible) findings in lint.
    outcome.findings[:0] = [
        f for f in repo.findings if f.severity >= Severity.WARNING and f.code != "FO013"
    ]
    outcome.root = repo.root
    outcome.builds_failed = sum(1 for b in builds if b.status == "failed")
    outcome.seconds = time.perf_counter() - started
    return outcome
