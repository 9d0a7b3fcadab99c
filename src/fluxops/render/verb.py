"""The `build` verb: a kustomize overlay, one Flux Kustomization, or every one an entry reaches.
Also what every rendering verb shares: the selection rules and the render options turned into
the renderer's own (`build_options`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fluxops.errors import UsageError
from fluxops.model.findings import Finding, Severity
from fluxops.model.flux import SourceRef
from fluxops.model.results import BuildResult, KustomizationBuild
from fluxops.model.selection import Mode, RenderOptions, Selection

if TYPE_CHECKING:
    from fluxops.loader.confine import Tree
    from fluxops.loader.repo import Repo
    from fluxops.loader.treecontent import TreeDigests
    from fluxops.render.build_options import BuildOptions
    from fluxops.render.kscache import KsResults, Stored
    from fluxops.render.live_variables import VariableSource

    Preread = tuple[Tree, dict[str, bytes]]


#: `--ks` results are cached (render/kscache.py); the tests of the walk beneath turn it off.
CACHE_RESULTS = True


@dataclass(kw_only=True)
class BuildRequest(Selection, RenderOptions):
    """What to build and how; `owner_labels`: add the kustomize.toolkit.fluxcd.io/name and
    /namespace labels, as the controller does."""

    owner_labels: bool = True
    #: A Kustomization skipped because its source is outside the repository fails the run.
    require_all: bool = False


def selection_mode(selection: Selection, *, all_by_default: bool = False) -> Mode:
    """How a selection reads. `--ks` and `--all` exclude each other and `--cluster` goes with
    one of them. Neither: the overlay at `path`, or (`all_by_default`, for the verbs that check
    a whole repository) every Kustomization when `path` has no kustomization file."""
    if selection.ks and selection.all_:
        raise UsageError("--ks and --all cannot be used together")
    if selection.ks:
        return "ks"
    if selection.all_:
        return "all"
    if selection.cluster and not all_by_default:
        raise UsageError(
            "--cluster goes with --all or --ks", hint="fluxops build REPO --all --cluster DIR"
        )
    from fluxops.render.generator import find_kustomization_file

    root = Path(selection.path)
    if not root.is_dir():
        raise UsageError(f"{selection.path} is not a folder")
    if all_by_default and find_kustomization_file(root) is None:
        return "all"
    return "overlay"


def parse_source_overrides(items: list[str], base: Path) -> dict[tuple[str, str, str], Path]:
    """`--source KIND/NAMESPACE/NAME=DIR` items as the renderer's source map (folders
    resolved against the working folder)."""
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


def build_options(
    options: RenderOptions,
    root: Path,
    *,
    owner_labels: bool = True,
    variable_source: VariableSource | None = None,
    on_engine_start: Callable[[], None] | None = None,
) -> BuildOptions:
    """The renderer's options for `options`, source overrides parsed against `root`."""
    from fluxops.render.build_options import BuildOptions

    if options.flux_version is not None and not _flux_release(options.flux_version):
        raise UsageError(
            f"--flux-version {options.flux_version!r}: expected a Flux release such as 2.5 or "
            "v2.9.1"
        )

    return BuildOptions(
        strict=options.strict_substitute,
        flux_version=options.flux_version,
        owner_labels=owner_labels,
        sources=parse_source_overrides(options.sources, root),
        kustomize_bin=options.kustomize_bin,
        jobs=options.jobs,
        cache=options.cache,
        progress=options.progress,
        cancelled=options.cancelled,
        allow_remote=options.allow_remote,
        variable_source=variable_source,
        on_engine_start=on_engine_start,
    )


def _flux_release(text: str) -> bool:
    from fluxops.loader.fluxversion import parse_version

    return parse_version(text, "") is not None


def run(
    selection: Selection,
    options: RenderOptions,
    *,
    owner_labels: bool = True,
    repo: Repo | None = None,
    mode: Mode | None = None,
    variable_source: VariableSource | None = None,
    on_engine_start: Callable[[], None] | None = None,
) -> BuildResult:
    """Render what `selection` selects, as `options` says. Every rendering verb calls this
    with its own request, which is both. `repo`: the repository already loaded from
    `selection.path` (validate and lint read it anyway); `mode`: as `selection_mode` said;
    `variable_source` (drift): where substituteFrom variables are read; `on_engine_start`
    (drift): called when a kustomize process has started (or when none will)."""
    mode = mode or selection_mode(selection)
    if mode == "overlay":
        from fluxops.render.overlay import build_overlay

        return build_overlay(selection, options)
    results: _Results | None = None
    if repo is None:
        results = _Results.look(selection, options, owner_labels, variable_source)
        if results is not None and results.hit is not None:
            if on_engine_start is not None:
                on_engine_start()  # no engine will run: the render needs the CPU no longer
            return results.result(selection)
    # a result from the cache needs none of these
    from fluxops.loader.parsecache import parse_cache
    from fluxops.loader.repo import load_repo
    from fluxops.render.build import Renderer
    from fluxops.render.select import build_all, build_ks

    if repo is None:
        repo = load_repo(
            Path(selection.path),
            cache=parse_cache(options.cache),
            preread=results.preread if results is not None else None,
        )
        if results is not None:
            repo.made_digests = results.digests  # of the very bytes the loader took
    extra: list[Finding] = list(repo.findings)
    renderer_options = build_options(
        options,
        repo.root,
        owner_labels=owner_labels,
        variable_source=variable_source,
        on_engine_start=on_engine_start,
    )
    with Renderer(repo, renderer_options) as renderer:
        if mode == "ks" and selection.ks:
            builds = build_ks(
                renderer,
                selection.ks,
                selection.cluster,
                namespace=selection.namespace,
                verbose=selection.verbose,
            )
        else:
            builds = build_all(
                renderer, selection.cluster, include_unreached=selection.include_unreached
            )
        for build in builds:
            if build.status != "unreached":
                renderer.flux_version(build.cluster)
        extra.extend(renderer.resolver.findings)
        extra.extend(renderer.run_findings())
        notes = renderer.notes()
        files_read = renderer.files_read()
        core_lookups = renderer.core_lookups
        releases = {
            b.cluster: renderer.flux_version(b.cluster).release
            for b in builds
            if b.status != "unreached"
        }
    if mode == "all" and not builds:
        unreadable = [f for f in repo.findings if f.severity >= Severity.ERROR]
        raise UsageError(
            f"nothing to check: no Flux Kustomization in {repo.root}",
            hint=f"{len(unreadable)} file(s) could not be read, e.g. {unreadable[0].file}: "
            f"{unreadable[0].message}"
            if unreadable
            else "pass the root of a Flux repository, or a kustomize overlay folder (without "
            "--all)",
        )
    if results is not None and (variable_source is None or variable_source.consulted == 0):
        from fluxops.render.kscache import Stored

        results.store(Stored(builds, extra, notes, releases), repo, files_read, core_lookups)
    return _result(selection, builds, extra, notes, releases, complete=mode == "all")


def _result(
    selection: Selection,
    builds: list[KustomizationBuild],
    extra: list[Finding],
    notes: list[str],
    releases: dict[str, Any],
    *,
    complete: bool,
) -> BuildResult:
    from fluxops.render.outcome import build_result

    result = build_result(builds, extra, complete=complete)
    result.notes = notes
    result.flux_releases = releases
    result.require_all = bool(getattr(selection, "require_all", False))
    return result


class _Results:
    """`--ks` through the result cache (render/kscache.py): the repository read once, for the
    key and, on a miss, for the loader. A result stored for an earlier state of the repository
    is taken when what it read has not changed since (render/ksreads.py)."""

    def __init__(
        self,
        cache: KsResults,
        settings: str,
        picked: tuple[Any, ...],
        preread: Preread,
        digests: TreeDigests,
        landlock: bool,
    ) -> None:
        from fluxops.render.kscache import result_key

        self.cache = cache
        self.settings = settings
        self.picked = picked
        self.key = result_key(digests.tree, settings, picked)
        self.preread = preread
        self.digests = digests
        self.landlock = landlock
        self.hit = cache.get(self.key)
        if self.hit is None:
            self.hit = self._earlier()

    @classmethod
    def look(
        cls,
        selection: Selection,
        options: RenderOptions,
        owner_labels: bool,
        variable_source: VariableSource | None,
    ) -> _Results | None:
        """None when results are not cached: not `--ks`, no cache, remote bases allowed,
        sources from outside the repository, a repository too large to keep in memory."""
        if not CACHE_RESULTS or not selection.ks or not options.cache:
            return None
        if options.allow_remote or options.sources:
            return None
        if not Path(selection.path).is_dir():
            return None  # the loader says what is wrong with it
        from fluxops.loader.cachefiles import cache_folder
        from fluxops.loader.treecontent import file_digests, read_tree
        from fluxops.render.engine import default_engine
        from fluxops.render.kscache import KsResults

        preread = read_tree(Path(selection.path))
        if preread is None:
            return None
        digests = file_digests(*preread)
        if digests is None:
            return None
        renderer_options = build_options(
            options, preread[0].root, owner_labels=owner_labels, variable_source=variable_source
        )
        settings = renderer_options.cache_settings(default_engine(options.kustomize_bin).version)
        # the repository's place too: nothing rendered is known to name it, but nothing
        # proves it never will (a copy elsewhere renders again)
        root = str(preread[0].root)
        picked = (root, selection.ks, selection.cluster, selection.namespace)
        results = KsResults(cache_folder("results"))
        return cls(results, settings, picked, preread, digests, renderer_options.landlock)

    def _earlier(self) -> Stored | None:
        """The result stored for an earlier state of the repository, when nothing it read
        has changed since (render/ksreads.py); stored again under this state's key."""
        from fluxops.render import ksreads
        from fluxops.render.kscache import result_key

        reads_key = ksreads.reads_key(self.settings, self.picked)
        reads = self.cache.records.get(reads_key)
        if reads is None:
            return None
        tree, contents = self.preread

        def reprint(rel: str, core: bool) -> bytes:
            return _fingerprint(tree, contents, rel, core)

        carried = ksreads.carried(reads, tree, self.digests, reprint)
        if carried is None:
            return None
        stored = self.cache.get(result_key(reads.digest, self.settings, self.picked))
        if stored is None:
            return None
        self.cache.put(self.key, stored)
        self.cache.records.put(reads_key, carried)
        return stored

    def result(self, selection: Selection) -> BuildResult:
        """The BuildResult of the stored entry (with this machine's confinement note)."""
        from fluxops.render.landlock import confinement_note

        assert self.hit is not None
        extra = list(self.hit.extra)
        note = confinement_note(self.landlock)
        if note is not None:
            extra.append(Finding("FO017", Severity.INFO, note))
        hit = self.hit
        return _result(selection, hit.builds, extra, hit.notes, hit.releases, complete=False)

    def store(
        self, stored: Stored, repo: Repo, files_read: set[str] | None, core_lookups: bool
    ) -> None:
        """Store a result, and what it read when that is known (`files_read`: the files
        its builds read, `Renderer.files_read`; `core_lookups`: `Renderer.core_lookups`)."""
        from fluxops.render import ksreads

        if not self.cache.put(self.key, stored) or files_read is None:
            return
        reads = ksreads.record(self.digests, files_read, core_lookups, repo)
        self.cache.records.put(ksreads.reads_key(self.settings, self.picked), reads)


def _fingerprint(tree: Tree, contents: dict[str, bytes], rel: str, core: bool) -> bytes:
    """`ksreads.fingerprint` of the YAML file `rel` as it is now (parsed on its own), its
    ConfigMaps and Secrets left out unless `core` (`ksreads.consulted`)."""
    from fluxops.loader import confine
    from fluxops.loader.parsecache import parse_cache
    from fluxops.loader.repo import parse_file
    from fluxops.render.ksreads import consulted_among, fingerprint

    with confine.TreeReader(tree.root, contents) as reader:
        resources, findings = parse_file(tree.root, rel, parse_cache(True), reader)
    return fingerprint(consulted_among(resources, core), findings)


def abort_engines() -> None:
    """Stop every running kustomize process and refuse new ones (on SIGTERM/SIGHUP), so that
    the run unwinds quickly and removes its workspaces."""
    from fluxops.render.sandbox import abort_all

    abort_all()
