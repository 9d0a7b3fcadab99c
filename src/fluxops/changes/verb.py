"""The `diff` verb: what Flux would apply differently at `head` than at `base`.

Both revisions are read from git objects into private folders (`changes.revisions`,
`loader.gittree`; the working tree when no head is given, read as `build` reads it); the
user's checkout, index and refs are never touched. Both are rendered at the same time by the
same engine with the same options and one shared output store, so a Kustomization whose
inputs did not change is built by kustomize once. With `changed_only`, only the
Kustomizations a changed file reaches are rendered (`changes.reach`); when no file changed,
nothing is rendered at all.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from fluxops.changes.result import DiffResult, Side
from fluxops.errors import UsageError
from fluxops.loader.repo import Repo
from fluxops.model.findings import Finding, Severity
from fluxops.model.resource import Resource
from fluxops.model.results import KustomizationBuild
from fluxops.model.selection import RenderOptions

if TYPE_CHECKING:
    from fluxops.render.cache import SharedOutputs


@dataclass(kw_only=True)
class DiffRequest(RenderOptions):
    """`path`: a folder of the git working tree (the repository root or a sub-folder);
    `base`, `head`: git revisions (`head` None: the working tree); `cluster`: one cluster
    folder only; `changed_only`: render only what the changed files reach;
    `exit_on_change`: exit 1 when anything differs."""

    path: str = "."
    base: str = ""
    head: str | None = None
    cluster: str | None = None
    changed_only: bool = False
    exit_on_change: bool = False


def _render(
    repo: Repo,
    request: DiffRequest,
    store: SharedOutputs,
    cluster: str | None,
    only: Callable[[str, Resource], bool] | None,
    *,
    head: bool,
) -> tuple[list[KustomizationBuild], list[Finding]]:
    """One side's builds and findings; the head's progress goes to the request's callback."""
    from fluxops.render.build import Renderer
    from fluxops.render.select import build_all
    from fluxops.render.verb import build_options

    options = build_options(request, repo.root)
    options.store = store
    if not head:
        options.progress = None
    with Renderer(repo, options) as renderer:
        # Kustomizations no cluster entry applies are not part of what a revision deploys
        builds = [b for b in build_all(renderer, cluster, only) if b.status != "unreached"]
        findings = [*renderer.resolver.findings, *renderer.run_findings()]
    return builds, findings


def _render_sides(
    base: Repo,
    head: Repo,
    request: DiffRequest,
    cluster: str | None,
    only: Callable[[str, Resource], bool] | None,
) -> tuple[list[KustomizationBuild], list[KustomizationBuild], list[Finding]]:
    """Both sides' builds and the head's findings. The two sides render at the same time
    (each wave of a side waits for its parent's kustomize run; two sides in step halve the
    wall time) with one output store: a Kustomization whose inputs are the same on both
    sides is built by kustomize once, by the side that comes to it first, the other side
    waiting for that output (render.cache.SharedOutputs)."""
    from concurrent.futures import ThreadPoolExecutor

    from fluxops.render.cache import SharedOutputs

    store = SharedOutputs()
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="fluxops-diff-base") as pool:
        base_future = pool.submit(_render, base, request, store, cluster, only, head=False)
        head_builds, findings = _render(head, request, store, cluster, only, head=True)
        base_builds, _ = base_future.result()
    return base_builds, head_builds, findings


def _side(ref: str, commit: str, builds: list[KustomizationBuild]) -> Side:
    return Side(
        ref=ref,
        commit=commit,
        rendered=len(builds),
        cached=sum(1 for b in builds if b.cached),
        failed=sum(1 for b in builds if b.status == "failed"),
    )


def _skipped(side: str, skipped: list[tuple[str, str]]) -> list[Finding]:
    return [
        Finding("FO013", Severity.INFO, f"{path} is {reason}: left out of the {side} revision")
        for path, reason in skipped
    ]


def run(request: DiffRequest) -> DiffResult:
    from fluxops.changes.compare import Comparison
    from fluxops.changes.reach import Reach
    from fluxops.changes.revisions import changed_files, read_revisions
    from fluxops.loader.gittree import GitRepo
    from fluxops.loader.parsecache import parse_cache
    from fluxops.loader.sources import clean_path
    from fluxops.render.select import repo_relative
    from fluxops.render.verb import parse_source_overrides

    if not request.base:
        raise UsageError("--base is required", hint="fluxops diff . --base origin/main")
    folder = Path(request.path)
    if not folder.is_dir():
        raise UsageError(f"{request.path} is not a folder")
    overrides = parse_source_overrides(request.sources, folder.resolve())
    with (
        GitRepo(folder) as git,
        read_revisions(git, request.base, request.head, parse_cache(request.cache)) as sides,
    ):
        base_repo, head_repo = sides.base, sides.head
        cluster = None
        if request.cluster is not None:
            cluster = clean_path(repo_relative(folder.resolve(), request.cluster))
            if not (base_repo.tree and base_repo.tree.is_dir(cluster)) and not (
                head_repo.tree and head_repo.tree.is_dir(cluster)
            ):
                raise UsageError(f"--cluster {request.cluster}: no such folder on either side")
        changed = changed_files(base_repo, head_repo, sides.same)
        only = None
        if request.changed_only:
            overridden = {(kind, name) for kind, _ns, name in overrides}
            only = Reach([base_repo, head_repo], set(changed), overridden).wants
        base_builds: list[KustomizationBuild] = []
        head_builds: list[KustomizationBuild] = []
        findings = _skipped("base", sides.base_checkout.skipped)
        if sides.head_checkout is not None:
            findings += _skipped("head", sides.head_checkout.skipped)
        if changed:
            base_builds, head_builds, head_findings = _render_sides(
                base_repo, head_repo, request, cluster, only
            )
            findings += head_findings
        base_commit = sides.base_checkout.commit
        head_commit = sides.head_checkout.commit if sides.head_checkout else ""
    return DiffResult(
        base=_side(request.base, base_commit, base_builds),
        head=_side(request.head or "(working tree)", head_commit, head_builds),
        changed_files=changed,
        changed_only=request.changed_only,
        kustomizations=Comparison(base_builds, head_builds).run(),
        findings=findings,
        exit_on_change=request.exit_on_change,
    )
