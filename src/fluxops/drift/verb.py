"""The `drift` verb: where the live cluster differs from what the repo renders. Render like
`build`, read the live objects (a cluster or a snapshot), plan each owner's comparison, ask for
server-side apply dry runs in server mode, and judge every object."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from fluxops.errors import UsageError
from fluxops.model.resource import Resource
from fluxops.model.selection import Mode, RenderOptions, Selection

if TYPE_CHECKING:
    from fluxops.cluster.live import LiveReader, LiveSet
    from fluxops.drift.early import EarlyConnection, Opened
    from fluxops.drift.plan import OwnerPlan
    from fluxops.drift.verdicts import DriftResult
    from fluxops.model.results import BuildResult
    from fluxops.render.live_variables import VariableSource

Key = tuple[str, str, str, str]


@dataclass(kw_only=True)
class DriftRequest(Selection, RenderOptions):
    """Where the live cluster differs from what the repo renders. Desired state: the selection
    of `build` (a PATH without a kustomization file and no --ks means --all). Live state:
    `snapshot` (a file) or the cluster of `context` in `kubeconfig`. `owner` (overlays only)
    names the Flux Kustomization the overlay stands for: its owner labels are added, its live
    spec and inventory used. `mode`: fields (compare what the repo sets) or server (apply dry
    runs); `helm`: also each HelmRelease's objects against its Helm release; `workers`:
    concurrent API reads; `override_managers`: kustomize-controller's `--override-manager`
    names (their fields are handed to the controller too); `fail_on_orphans`: orphans Flux
    keeps (prune: false, not in the inventory) count as drift (exit 1)."""

    snapshot: str | None = None
    kubeconfig: str | None = None
    context: str | None = None
    timeout: float = 10.0
    mode: str = "fields"
    helm: bool = False
    owner: str | None = None
    workers: int = 8
    override_managers: tuple[str, ...] = ()
    fail_on_orphans: bool = False


@dataclass
class _Target:
    overlay: bool
    owner: tuple[str, str] | None


def check(request: DriftRequest) -> _Target:
    """Refuse what cannot be done; what the selection means."""
    from fluxops.model.identity import NamespacedName
    from fluxops.render.verb import selection_mode

    if request.mode not in ("fields", "server"):
        raise UsageError(f"--mode {request.mode!r}: expected fields or server")
    if request.mode == "server" and request.snapshot:
        raise UsageError(
            "--mode server needs a live cluster: it asks the API server for apply dry runs",
            hint="use --mode fields with --snapshot, or drop --snapshot",
        )
    if request.snapshot and (request.kubeconfig or request.context):
        raise UsageError("--snapshot cannot be combined with --kubeconfig or --context")
    overlay = selection_mode(request, all_by_default=True) == "overlay"
    owner: tuple[str, str] | None = None
    if request.owner:
        if not overlay:
            raise UsageError(
                "--owner goes with an overlay folder",
                hint="with --ks or --all the owner is the Flux Kustomization itself",
            )
        parsed = NamespacedName.parse(request.owner)
        owner = (parsed.namespace, parsed.name)
    return _Target(overlay=overlay, owner=owner)


def run(request: DriftRequest, *, warm_up: Callable[[], None] | None = None) -> DriftResult:
    """Compare: missing, drifted (field by field) and orphaned objects, with Flux's exclusions
    and ignore rules. Writes nothing: reads, and in server mode server-side apply dry runs
    (dryRun=All). `warm_up`: run in the background once connected (the caller's imports)."""
    from fluxops.drift.early import EarlyConnection
    from fluxops.render.live_variables import VariableSource
    from fluxops.render.verb import run as render

    started = time.perf_counter()
    target = check(request)
    mode: Mode = "overlay" if target.overlay else "ks" if request.ks else "all"
    early: EarlyConnection | None = None
    if not request.snapshot:
        refs = [target.owner] if target.owner else _ks_ref(request) if mode == "ks" else []
        early = EarlyConnection(
            request.kubeconfig,
            request.context,
            timeout=request.timeout,
            workers=request.workers,
            refs=refs,
            deferred=mode == "ks",
            warm_up=warm_up,
        )
    variables = VariableSource(read=_live_variables(early) if early else None)
    try:
        rendered = render(
            request,
            request,
            mode=mode,
            variable_source=variables,
            on_engine_start=early.start_now if early else None,
        )
        _require_one_cluster(request, rendered)
    except BaseException:
        if early is not None:
            early.close()
        raise
    render_seconds = time.perf_counter() - started
    if early is not None:
        from fluxops.drift.early import warm_up as load_comparison

        # here, while the connection waits on the server (a no-op when it was done there)
        load_comparison()
        opened = early.get()
        # the connection was opened during the render: `connect` is only the wait for it
        opened.waited = time.perf_counter() - started - render_seconds
        return _compare(request, target, rendered, variables, opened, started, render_seconds)
    from fluxops.cluster.live import LiveReader
    from fluxops.cluster.snapshot import load_snapshot

    snapshot = load_snapshot(request.snapshot or "")
    reader = LiveReader(snapshot, workers=request.workers)
    return _compare(request, target, rendered, variables, reader, started, render_seconds)


@contextlib.contextmanager
def _closing(source: object) -> Iterator[None]:
    try:
        yield
    finally:
        close = getattr(source, "close", None)
        if close is not None:
            close()


def _ks_ref(request: DriftRequest) -> list[tuple[str, str]]:
    from fluxops.model.identity import NamespacedName

    try:
        parsed = NamespacedName.parse(request.ks or "")
    except (ValueError, UsageError):
        return []
    return [(parsed.namespace, parsed.name)]


def _compare(
    request: DriftRequest,
    target: _Target,
    rendered: BuildResult,
    variables: VariableSource,
    live_source: Opened | LiveReader,
    started: float,
    render_seconds: float,
) -> DriftResult:
    from fluxops.drift import plan as dp
    from fluxops.drift.early import Opened, live_kustomizations
    from fluxops.drift.schema_sources import schemas_for
    from fluxops.drift.verdicts import DriftResult

    opened = live_source if isinstance(live_source, Opened) else None
    reader = opened.reader if opened else live_source
    assert not isinstance(reader, Opened)
    source = reader.source
    timings: dict[str, float] = {"render": render_seconds}
    if opened is not None:
        timings["connect"] = opened.waited
    with _closing(source):
        scope = _LazyScope(reader)
        where = (
            f"snapshot {request.snapshot}"
            if request.snapshot
            else f"cluster {getattr(source, 'server', '')} (context {getattr(source, 'context', '')})"
        )
        result = DriftResult(
            mode=request.mode,
            source=where,
            findings=rendered.all_findings(),
            fail_on_orphans=request.fail_on_orphans,
        )
        mark = time.perf_counter()
        refs = (
            [target.owner]
            if target.owner
            else []
            if target.overlay
            else [(b.namespace, b.name) for b in rendered.builds]
        )
        known = dict(opened.kustomizations) if opened else {}
        if opened:
            result.notes.extend(opened.notes)
        todo = [r for r in refs if r not in known]
        known.update(live_kustomizations(reader, todo, result.notes))
        plans = dp.plan_builds(
            rendered.builds,
            known,
            scope,
            mode=request.mode,
            overlay=target.overlay,
            owner=target.owner,
            secret_values=not request.snapshot,
            override_managers=tuple(request.override_managers),
            variable_source=variables,
        )
        live = _read_live(reader, plans, owned=not target.overlay or target.owner is not None)
        result.notes.extend(live.notes)
        if request.helm:
            plans.extend(_helm_plans(reader, plans, live, scope, request))
        schemas = schemas_for(reader, plans)
        timings["read"] = time.perf_counter() - mark
        mark = time.perf_counter()
        dry_runs: dict[tuple[str, Key], object] = {}
        if request.mode == "server":
            dry_runs = _dry_runs(reader, plans, live)
            timings["dryRun"] = time.perf_counter() - mark
            mark = time.perf_counter()
        state = dp.LiveState(
            objects=live.objects,
            errors=live.errors,
            not_served=live.not_served,
            labelled=live.labelled,
            dry_runs=dry_runs,  # type: ignore[arg-type]
        )
        dp.evaluate(plans, state, schemas, result, secret_values=variables.known_values())
        timings["compare"] = time.perf_counter() - mark
        result.timings = {k: round(v, 3) for k, v in timings.items()}
        stats = getattr(source, "stats", None)
        result.requests = getattr(stats, "requests", None)
    result.seconds = time.perf_counter() - started
    return result


def _live_variables(early: EarlyConnection) -> Any:
    """Reads of substituteFrom ConfigMaps and Secrets as kustomize-controller makes them (in
    the Kustomization's namespace): (object or None when absent, problem or "")."""
    from fluxops.errors import ClusterError

    def read(kind: str, namespace: str, name: str) -> tuple[dict[str, Any] | None, str]:
        source = early.get().source
        try:
            return source.get("v1", kind, name, namespace), ""
        except ClusterError as exc:
            return None, f"cannot be read: {exc.message}"

    return read


def _require_one_cluster(request: DriftRequest, rendered: BuildResult) -> None:
    clusters = sorted({b.cluster for b in rendered.builds if b.cluster})
    if len(clusters) > 1 and not request.cluster:
        raise UsageError(
            f"{request.path} renders for {len(clusters)} clusters ({', '.join(clusters)}); drift "
            "compares with one live cluster: say which entry it runs with --cluster DIR",
            hint=f"fluxops drift {request.path} {'--ks ' + request.ks if request.ks else '--all'} "
            f"--cluster {clusters[0]}",
        )


def _read_live(reader: LiveReader, plans: list[OwnerPlan], *, owned: bool) -> LiveSet:
    """The live counterparts of the desired objects, the objects that carry the owners'
    labels (`owned`: the owners are Flux Kustomizations), and the inventory entries neither
    read found (deleted, or no longer labelled)."""
    from fluxops.cluster.live import Wanted
    from fluxops.drift import plan as dp
    from fluxops.drift.early import owner_selector
    from fluxops.drift.ignore import OWNER_NAME

    desired = dp.wanted_keys(plans)
    rendered_keys = {d.key for d in desired}
    inventory = {key: api for p in plans for key, api in p.inventory.items()}
    selector: dict[str, str | None] | None = None
    if owned:
        refs = {p.owner_ref for p in plans if p.owner_ref}
        if len(refs) == 1:
            selector = owner_selector(*next(iter(refs)))
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
    return live


def _dry_runs(
    reader: LiveReader, plans: list[OwnerPlan], live: LiveSet
) -> dict[tuple[str, Key], Any]:
    """Server mode: one batch of server-side apply dry runs per field manager, for the objects
    whose comparison needs one."""
    from fluxops.drift import plan as dp

    out: dict[tuple[str, Key], Any] = {}
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
        outcomes = reader.dry_run(
            [dp.dry_run_payload(d.raw, d.not_compared) for d in todo], manager
        )
        out.update({(manager, d.key): o for d, o in zip(todo, outcomes, strict=True)})
    return out


class _LazyScope(dict[tuple[str, str], "bool | None"]):
    """(apiVersion, kind) -> namespaced?, asked of the reader on first use."""

    def __init__(self, reader: LiveReader) -> None:
        super().__init__()
        self.reader = reader

    def get(self, key: tuple[str, str], default: bool | None = None) -> bool | None:  # type: ignore[override]
        found = self.reader.namespaced(*key)
        return default if found is None else found


def _helm_plans(
    reader: LiveReader,
    plans: list[OwnerPlan],
    live: LiveSet,
    scope: _LazyScope,
    request: DriftRequest,
) -> list[OwnerPlan]:
    """--helm: one plan per rendered HelmRelease, from its latest deployed release."""
    from fluxops.cluster.live import Wanted
    from fluxops.drift.helm import plan_helm
    from fluxops.drift.helm_storage import release_location
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
                secret_values=not request.snapshot,
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
