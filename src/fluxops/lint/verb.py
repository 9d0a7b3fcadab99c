"""The `lint` verb: the repository against the GitOps conventions, one rule per module in
`fluxops.lint.rules`, on the files and on the objects the Flux Kustomizations render."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from fluxops.errors import UsageError
from fluxops.lint.config import LintConfig
from fluxops.loader.repo import text_reader
from fluxops.model.findings import Severity
from fluxops.model.flux import SourceRef
from fluxops.model.results import KustomizationBuild
from fluxops.model.selection import Mode, RenderOptions, Selection

if TYPE_CHECKING:
    from fluxops.lint.result import LintResult
    from fluxops.loader.confine import Tree
    from fluxops.loader.repo import Repo


@dataclass(kw_only=True)
class LintRequest(Selection, RenderOptions):
    """What to lint: the repository at `path`. Rendering (for rules that need the effective
    objects) follows `build`'s selection; by default every Flux Kustomization is rendered when
    the repo has any (`render=False`: lint the files only). `config`: a configuration file
    (default: `.fluxops.yaml` at the root); `fail_on`: the least severe finding that fails."""

    render: bool = True
    config: str | None = None
    fail_on: Severity = Severity.ERROR


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


def lint_config(root: Path, explicit: str | None) -> LintConfig:
    """The lint configuration: `explicit`, else `.fluxops.yaml` at the repo root, else none."""
    from fluxops.lint.config import CONFIG_FILE, parse_config
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


def run(request: LintRequest) -> LintResult:
    """Check the repository against the conventions."""
    from fluxops.lint.context import LintContext
    from fluxops.lint.runner import run_lint
    from fluxops.loader import confine
    from fluxops.loader.parsecache import parse_cache
    from fluxops.loader.repo import load_repo
    from fluxops.model.flux import is_flux_kustomization
    from fluxops.render.verb import run as render

    started = time.perf_counter()
    root = Path(request.path)
    if not root.is_dir():
        raise UsageError(f"{request.path} is not a folder")
    repo = load_repo(root, cache=parse_cache(request.cache))
    if not repo.yaml_files:
        raise UsageError(
            f"nothing to check: {request.path} holds no YAML file",
            hint="pass the folder of a Flux repository (fluxops lint REPO)",
        )
    config = lint_config(repo.root, request.config)
    builds: list[KustomizationBuild] = []
    notes: list[str] = []
    releases: dict[str, tuple[int, int, int]] = {}
    has_flux = any(is_flux_kustomization(r) for r in repo.resources)
    if request.render and (request.ks or request.all_ or has_flux):
        mode: Mode = "ks" if request.ks else "all"
        rendered = render(request, request, repo=repo, mode=mode)
        builds, notes = rendered.builds, rendered.notes
        releases = rendered.flux_releases
    tree = repo.tree if repo.tree is not None else confine.scan(repo.root)
    ctx = LintContext(
        files=_DiskFiles(repo.root, tree, list(repo.yaml_files)),
        resources=repo.resources,
        builds=builds,
        own_sources=_own_sources(repo),
        source_roots=_source_roots(repo, request.sources),
        flux_releases=releases,
    )
    outcome = run_lint(ctx, config)
    # Symlinks are the repo-symlink rule's (configurable, suppressible) findings in lint.
    outcome.findings[:0] = [
        f for f in repo.findings if f.severity >= Severity.WARNING and f.code != "FO013"
    ]
    outcome.root = repo.root
    outcome.files = len(repo.yaml_files)
    outcome.objects = len(repo.resources) + sum(len(b.objects) for b in builds)
    outcome.builds_failed = sum(1 for b in builds if b.status == "failed")
    outcome.notes.extend(notes)
    outcome.seconds = time.perf_counter() - started
    outcome.fail_on = request.fail_on
    return outcome


def _source_roots(repo: Repo, sources: list[str]) -> dict[tuple[str, str], str]:
    """(kind, name) of each source the repo's Kustomizations use -> its root folder in the
    repository (`""` for the root), for the sources that map into it."""
    from fluxops.loader.sources import LocalSource, SourceResolver, UnresolvedSource
    from fluxops.render.verb import parse_source_overrides

    resolver = SourceResolver(repo, parse_source_overrides(sources, repo.root))
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
    return roots


def _own_sources(repo: Repo) -> set[tuple[str, str]]:
    """(namespace, name) of the sources a FluxInstance in the repo syncs from."""
    own = set()
    for r in repo.resources:
        sync = r.spec.get("sync") if r.kind == "FluxInstance" else None
        if isinstance(sync, dict):
            own.add((r.namespace or "flux-system", str(sync.get("name") or "flux-system")))
    return own
