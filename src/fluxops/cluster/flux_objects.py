"""Read every Flux object (and their Events) from a cluster or a snapshot, as far as RBAC allows.

    read = read_flux_objects(client, namespace=None)
    read.objects      # raw dicts of every Flux kind the server serves, in its preferred version
    read.events       # core/v1 Events about Flux objects
    read.refusals     # what RBAC refused (verb, resource, namespace), never fatal

Kinds are found by discovery (`flux_api_versions`), so a cluster on an older Flux release is
read in the versions it serves. Each kind is listed with paging, kinds concurrently. When a
cluster-wide list is forbidden, the namespaces the user may see are read one by one (every
namespace when it may list Namespaces, else the kubeconfig context's namespace), and what was
refused is reported, not raised.
"""

from __future__ import annotations

import builtins
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from fluxops.cluster.snapshot import FLUX_GROUPS, ObjectSource
from fluxops.errors import ClusterError, ForbiddenError
from fluxops.model.flux import KIND_ORDER as FLUX_KIND_ORDER

Obj = dict[str, Any]

#: The order kinds are reported in (sources first, then what consumes them).
KIND_ORDER = FLUX_KIND_ORDER

#: Flux kinds that carry a meaningful Ready status (flux-operator's `Reconcilable`).
STATIC_KINDS = frozenset({"Alert", "Provider"})

DEFAULT_WORKERS = 8


@dataclass(frozen=True)
class Refusal:
    """One request RBAC refused."""

    verb: str
    resource: str
    namespace: str | None
    message: str

    def describe(self) -> str:
        where = f"in namespace {self.namespace}" if self.namespace else "cluster-wide"
        return f"{self.verb} {self.resource} {where}"


@dataclass
class FluxRead:
    """What could be read from one cluster (or snapshot)."""

    server: str
    context: str
    api_versions: dict[str, str]
    objects: list[Obj] = field(default_factory=list)
    events: list[Obj] = field(default_factory=list)
    refusals: list[Refusal] = field(default_factory=list)
    #: kind -> None when it was read in every namespace, else the namespaces it was read in.
    scopes: dict[str, set[str] | None] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def readable(self, kind: str, namespace: str) -> bool:
        """Whether objects of `kind` in `namespace` were read (so a missing one is missing)."""
        if kind not in self.scopes:
            return False
        scope = self.scopes[kind]
        return scope is None or namespace in scope


def _source_attr(source: object, name: str, default: str = "") -> str:
    value = getattr(source, name, default)
    return value if isinstance(value, str) else default


def _refusal(exc: ForbiddenError) -> Refusal:
    return Refusal(exc.verb, exc.resource, exc.namespace, exc.message)


def flux_kinds(api_versions: dict[str, str]) -> list[str]:
    known = [k for k in KIND_ORDER if k in api_versions]
    return known + sorted(k for k in api_versions if k not in KIND_ORDER)


def discover(source: ObjectSource) -> dict[str, str]:
    """kind -> apiVersion of every Flux kind served; ClusterError when there is none."""
    versions = source.flux_api_versions()
    if not versions:
        server = _source_attr(source, "server", "the cluster")
        if server.startswith("snapshot "):
            raise ClusterError(
                f"{server} holds no Flux objects",
                hint="write one with `fluxops snapshot -o FILE` or "
                "`kubectl get kustomizations,helmreleases,gitrepositories -A -o yaml`",
            )
        raise ClusterError(
            f"Flux is not installed on {server}: it serves none of the Flux API groups "
            f"({', '.join(FLUX_GROUPS[:3])}, ...)",
            hint="install Flux (flux install, or flux bootstrap), or pick the right context "
            "with --context; `flux check --pre` checks the cluster",
        )
    return versions


@dataclass
class _Scope:
    items: list[Obj] = field(default_factory=list)
    refusals: list[Refusal] = field(default_factory=list)
    read_in: set[str] | None = field(default_factory=set)  # None: every namespace


#: Called in the reading thread with each kind's objects as soon as they are read.
OnItems = Callable[[str, list[Obj]], None]


def _read_scope(
    source: ObjectSource,
    api_version: str,
    kind: str,
    namespaces: Sequence[str] | None,
    chunk_size: int,
    on_items: OnItems | None = None,
) -> _Scope:
    out = _Scope()
    for ns in namespaces if namespaces is not None else [None]:
        try:
            items = list(source.list(api_version, kind, ns, chunk_size))
        except ForbiddenError as exc:
            out.refusals.append(_refusal(exc))
            continue
        out.items.extend(items)
        if ns is None:
            out.read_in = None
        elif out.read_in is not None:
            out.read_in.add(ns)
        if on_items is not None and kind != "Event":
            on_items(kind, items)
    return out


def read_flux_objects(
    source: ObjectSource,
    namespace: str | None = None,
    *,
    kinds: Sequence[str] | None = None,
    events: bool = True,
    chunk_size: int = 500,
    workers: int = DEFAULT_WORKERS,
    on_items: OnItems | None = None,
) -> FluxRead:
    """Every Flux object of `kinds` (default: all served) in `namespace` (None: all), and the
    core/v1 Events about Flux objects. RBAC refusals are collected in `refusals`; when nothing
    at all may be read, ClusterError. `on_items(kind, objects)` sees each listing as it
    arrives, in the reading thread (to analyse while other kinds are still on the wire)."""
    api_versions = discover(source)
    read = FluxRead(
        server=_source_attr(source, "server"),
        context=_source_attr(source, "context"),
        api_versions=api_versions,
    )
    wanted = [k for k in flux_kinds(api_versions) if kinds is None or k in kinds]
    listings: builtins.list[tuple[str, str]] = [(api_versions[k], k) for k in wanted]
    if events:
        listings.append(("v1", "Event"))
    first: Sequence[str] | None = [namespace] if namespace else None

    # one thread per kind (they mostly wait for the server), so the largest lists start at once
    with ThreadPoolExecutor(max_workers=max(1, min(len(listings), 2 * workers))) as pool:
        scopes = list(
            pool.map(
                lambda lk: _read_scope(source, lk[0], lk[1], first, chunk_size, on_items),
                listings,
            )
        )
        refused = [i for i, sc in enumerate(scopes) if first is None and sc.read_in is not None]
        if refused:
            fallback = _fallback_namespaces(source)
            if fallback:
                retried = list(
                    pool.map(
                        lambda i: _read_scope(
                            source, listings[i][0], listings[i][1], fallback, chunk_size, on_items
                        ),
                        refused,
                    )
                )
                for i, again in zip(refused, retried, strict=True):
                    again.refusals[:0] = scopes[i].refusals
                    scopes[i] = again
                what = (
                    "every Flux kind"
                    if len(refused) >= len(wanted)
                    else ", ".join(listings[i][1] for i in refused)
                )
                plural = "s" if len(fallback) > 1 else ""
                read.notes.append(
                    f"listing {what} in all namespaces was forbidden; "
                    f"read namespace{plural} {', '.join(fallback)} one by one instead"
                )

    for (api_version, kind), scope in zip(listings, scopes, strict=True):
        read.refusals.extend(scope.refusals)
        if kind == "Event" and api_version == "v1":
            read.events = [e for e in scope.items if _about_flux(e)]
            continue
        read.objects.extend(scope.items)
        if scope.read_in is None or scope.read_in:
            read.scopes[kind] = scope.read_in
    if wanted and not read.scopes:
        refused_text = "; ".join(r.describe() for r in read.refusals[:3])
        raise ForbiddenError(
            f"may not read any Flux object on {read.server} (refused: {refused_text})",
            verb="list",
            resource=", ".join(wanted[:3]) + (", ..." if len(wanted) > 3 else ""),
            namespace=namespace,
            hint=f"grant the user of kubeconfig context {read.context!r} get/list on the Flux "
            "kinds (for example the ClusterRole `view` extended with the Flux API groups), or "
            "pass -n NAMESPACE for a namespace it may read",
        )
    return read


def _fallback_namespaces(source: ObjectSource) -> builtins.list[str]:
    """Namespaces to read one by one when cluster-wide lists are refused: all of them when the
    user may list Namespaces, else the kubeconfig context's namespace."""
    try:
        names = [
            str((n.get("metadata") or {}).get("name") or "") for n in source.list("v1", "Namespace")
        ]
        return sorted(n for n in names if n)
    except ForbiddenError:
        pass
    ns = _source_attr(source, "namespace")
    return [ns] if ns else []


def _about_flux(event: Obj) -> bool:
    involved = event.get("involvedObject") or event.get("regarding") or {}
    api_version = str(involved.get("apiVersion") or "")
    return api_version.partition("/")[0] in FLUX_GROUPS


@dataclass(frozen=True)
class Ref:
    """An object to fetch by name."""

    api_version: str
    kind: str
    namespace: str
    name: str


@dataclass
class Fetched:
    found: list[Obj] = field(default_factory=list)
    missing: list[Ref] = field(default_factory=list)
    refused: list[tuple[Ref, Refusal]] = field(default_factory=list)
    failed: list[tuple[Ref, str]] = field(default_factory=list)


def fetch(
    source: ObjectSource, refs: Iterable[Ref], *, workers: int = DEFAULT_WORKERS, limit: int = 200
) -> Fetched:
    """GET each of `refs` (at most `limit`), concurrently: objects referenced from outside
    the namespaces that were listed."""
    out = Fetched()
    todo = list(dict.fromkeys(refs))[:limit]

    def one(ref: Ref) -> tuple[Ref, Obj | None, Refusal | None, str | None]:
        try:
            return ref, source.get(ref.api_version, ref.kind, ref.name, ref.namespace), None, None
        except ForbiddenError as exc:
            return ref, None, _refusal(exc), None
        except ClusterError as exc:
            return ref, None, None, exc.message

    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        for ref, obj, refusal, error in pool.map(one, todo):
            if obj is not None:
                out.found.append(obj)
            elif refusal is not None:
                out.refused.append((ref, refusal))
            elif error is not None:
                out.failed.append((ref, error))
            else:
                out.missing.append(ref)
    return out
