"""Read the live objects `drift` compares with, in as few requests as the API allows.

`LiveReader.read()` answers, for a set of wanted objects, which exist (and their content):

1. For every kind, one LIST across all namespaces with the owner-label selector Flux puts on
   what it applies (`kustomize.toolkit.fluxcd.io/name=...`): one request returns every object a
   Kustomization manages (and the orphans carrying its labels). When the user may not list
   cluster-wide, one LIST per namespace instead.
2. Wanted objects that list did not return (never applied, labels removed): one LIST per kind
   and namespace when several are in one namespace, else one GET each (in parallel).

With `prefetch()` (drift --ks: the live Kustomization's inventory says which kinds to list)
those LISTs, and GETs of the inventory entries they miss, run in a background thread while the
repository renders; `read()` then takes their answers instead of asking again.

A snapshot answers the same calls from memory. Server mode adds `dry_run()`: server-side apply
dry runs (dryRun=All, field manager `kustomize-controller`, force), in parallel.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from fluxops.cluster.ahead import ReadAhead, parallel_map
from fluxops.cluster.client import ClusterClient
from fluxops.cluster.snapshot import ObjectSource
from fluxops.errors import ClusterError, ForbiddenError, NotServedError
from fluxops.model.identity import split_api_version

Obj = dict[str, Any]
Key = tuple[str, str, str, str]  # group, kind, namespace, name
HELM_STORAGE_LABELS = {"owner": "helm"}
RETRY_DELAY = 0.5


def key_of(obj: Obj) -> Key:
    meta = obj.get("metadata") if isinstance(obj.get("metadata"), dict) else {}
    group, _ = split_api_version(str(obj.get("apiVersion") or ""))
    return (
        group,
        str(obj.get("kind") or ""),
        str((meta or {}).get("namespace") or ""),
        str((meta or {}).get("name") or ""),
    )


@dataclass(frozen=True)
class Wanted:
    api_version: str
    kind: str
    namespace: str
    name: str

    @property
    def key(self) -> Key:
        return (split_api_version(self.api_version)[0], self.kind, self.namespace, self.name)


@dataclass
class LiveSet:
    objects: dict[Key, Obj] = field(default_factory=dict)
    absent: set[Key] = field(default_factory=set)
    errors: dict[Key, str] = field(default_factory=dict)
    #: objects returned by the owner-label LISTs (every owner), for orphan detection
    labelled: list[Obj] = field(default_factory=list)
    #: (group, kind) -> why the server does not serve it
    not_served: dict[tuple[str, str], str] = field(default_factory=dict)
    #: what could not be read as planned (a kind's owner-label list failed)
    notes: list[str] = field(default_factory=list)


def _labels(obj: Obj) -> dict[str, Any]:
    meta = obj.get("metadata")
    labels = meta.get("labels") if isinstance(meta, dict) else None
    return labels if isinstance(labels, dict) else {}


def selector_text(selector: dict[str, str | None]) -> str:
    return ",".join(k if v is None else f"{k}={v}" for k, v in selector.items())


def _matches(obj: Obj, selector: dict[str, str | None]) -> bool:
    labels = _labels(obj)
    return all(k in labels if v is None else labels.get(k) == v for k, v in selector.items())


class LiveReader(ReadAhead):
    """Reads from a `ClusterClient` (live) or any `ObjectSource` (a snapshot); what it asked
    ahead of time (`prefetch`, cluster/ahead.py) answers first."""

    def __init__(self, source: ObjectSource, *, list_threshold: int = 3, workers: int = 8) -> None:
        self.source = source
        self.live = isinstance(source, ClusterClient)
        self.list_threshold = list_threshold
        self.workers = max(1, workers)
        self._scope: dict[tuple[str, str], bool | None] = {}
        self._scope_error: dict[tuple[str, str], str] = {}
        self._init_ahead()

    # -- scope -------------------------------------------------------------------------------

    def namespaced(self, api_version: str, kind: str) -> bool | None:
        """Whether the kind is namespaced; None when unknown (a snapshot) or not served."""
        key = (api_version, kind)
        if key not in self._scope:
            if isinstance(self.source, ClusterClient):
                try:
                    self._scope[key] = self.source.resource(api_version, kind).namespaced
                except NotServedError as exc:  # others (unreachable, refused) are raised
                    self._scope[key] = None
                    self._scope_error[key] = exc.message
            else:
                self._scope[key] = None
        return self._scope[key]

    def served_error(self, api_version: str, kind: str) -> str | None:
        self.namespaced(api_version, kind)
        return self._scope_error.get((api_version, kind))

    def effective_namespace(self, api_version: str, kind: str, namespace: str) -> str:
        """The namespace the object really lives in: "" for cluster-scoped kinds."""
        return "" if self.namespaced(api_version, kind) is False else namespace

    # -- reading ------------------------------------------------------------------------------

    def read(
        self,
        wanted: Iterable[Wanted],
        *,
        owner_selector: dict[str, str | None] | None = None,
        owner_kinds: Iterable[tuple[str, str]] = (),
    ) -> LiveSet:
        out = LiveSet()
        wanted = list(dict.fromkeys(wanted))
        kinds = list(dict.fromkeys([(w.api_version, w.kind) for w in wanted] + list(owner_kinds)))
        for api_version, kind in kinds:
            error = self.served_error(api_version, kind)
            if error:
                out.not_served[(split_api_version(api_version)[0], kind)] = error
        served = [k for k in kinds if (split_api_version(k[0])[0], k[1]) not in out.not_served]
        if owner_selector:
            selector = owner_selector
            jobs = [
                (
                    api_version,
                    kind,
                    sorted(
                        {
                            w.namespace
                            for w in wanted
                            if (w.api_version, w.kind) == (api_version, kind)
                        }
                    ),
                )
                for api_version, kind in served
            ]
            lists = self._parallel(
                lambda job: self._list_labelled(job[0], job[1], job[2], selector), jobs
            )
            for listed in lists:
                if isinstance(listed, ClusterError):
                    raise listed
                found, notes = listed
                out.notes.extend(notes)
                for obj in found:
                    out.labelled.append(obj)
                    out.objects[key_of(obj)] = obj
        pending = [
            w
            for w in wanted
            if w.key not in out.objects
            and w.key not in out.errors
            and (w.key[0], w.kind) not in out.not_served
        ]
        groups: dict[tuple[str, str, str], list[Wanted]] = {}
        for w in pending:
            groups.setdefault((w.api_version, w.kind, w.namespace), []).append(w)
        singles: list[Wanted] = []
        for (api_version, kind, namespace), items in groups.items():
            if len(items) >= self.list_threshold or not self.live:
                self._list_group(api_version, kind, namespace, items, out)
            else:
                singles.extend(items)
        for w, result in zip(singles, self._parallel(self._get, singles), strict=True):
            if isinstance(result, ClusterError):
                out.errors[w.key] = result.message
            elif result is None:
                out.absent.add(w.key)
            else:
                out.objects[w.key] = result
        return out

    def _list(
        self, api_version: str, kind: str, namespace: str | None, selector: str | None
    ) -> list[Obj]:
        """One LIST (all pages), retried once after a transient failure (a 429 while the
        server's cache initialises, a 5xx, a timeout); RBAC refusals are not retried."""
        if namespace is None and selector is not None and self._early:
            taken, value = self._taken(("list", api_version, kind, selector))
            if taken:
                return list(value)
        return self._list_now(api_version, kind, namespace, selector)

    def _list_now(
        self, api_version: str, kind: str, namespace: str | None, selector: str | None
    ) -> list[Obj]:
        for attempt in (0, 1):
            try:
                if isinstance(self.source, ClusterClient):
                    return list(
                        self.source.list(api_version, kind, namespace, label_selector=selector)
                    )
                return list(self.source.list(api_version, kind, namespace))
            except ForbiddenError:
                raise
            except ClusterError:
                if attempt or not self.live:
                    raise
                time.sleep(RETRY_DELAY)
        raise AssertionError("unreachable")  # pragma: no cover

    def _list_labelled(
        self,
        api_version: str,
        kind: str,
        namespaces: list[str],
        selector: dict[str, str | None],
    ) -> tuple[list[Obj], list[str]]:
        """The objects of one kind carrying the owner labels (and notes on what failed)."""
        text = selector_text(selector)
        notes: list[str] = []
        try:
            found = self._list(api_version, kind, None, text)
        except ForbiddenError:
            if self.namespaced(api_version, kind) is False:
                return [], notes
            found = []
            for namespace in namespaces:
                try:
                    found.extend(self._list(api_version, kind, namespace, text))
                except ForbiddenError:
                    continue  # reported when the object itself is read
                except ClusterError as exc:
                    notes.append(f"cannot list {kind} in {namespace}: {exc.message}")
        except ClusterError as exc:
            notes.append(
                f"cannot list {kind} by owner labels ({exc.message}): read one by one, "
                "orphans of this kind not searched"
            )
            return [], notes
        if not self.live:
            found = [o for o in found if _matches(o, selector)]
        return found, notes

    def _list_group(
        self, api_version: str, kind: str, namespace: str, items: list[Wanted], out: LiveSet
    ) -> None:
        scope = namespace if self.namespaced(api_version, kind) is not False else None
        try:
            found = {key_of(o): o for o in self._list(api_version, kind, scope, None)}
        except ClusterError as exc:
            for w in items:
                out.errors[w.key] = exc.message
            return
        for w in items:
            obj = found.get(w.key)
            if obj is None:
                out.absent.add(w.key)
            else:
                out.objects[w.key] = obj

    def _get(self, w: Wanted) -> Obj | None:
        if self._early:
            taken, value = self._taken(("get", w.api_version, w.kind, w.namespace, w.name))
            if taken:
                return value  # type: ignore[no-any-return]
        try:
            return self.source.get(w.api_version, w.kind, w.name, w.namespace or None)
        except ForbiddenError:
            raise
        except ClusterError:
            if not self.live:
                raise
            time.sleep(RETRY_DELAY)
            return self.source.get(w.api_version, w.kind, w.name, w.namespace or None)

    def _parallel(self, func: Callable[[Any], Any], items: list[Any]) -> list[Any]:
        def call(item: Any) -> Any:
            try:
                return func(item)
            except ClusterError as exc:
                return exc

        if len(items) <= 1 or not self.live:
            return [call(i) for i in items]
        return parallel_map(call, items, self.workers)

    # -- server-side apply dry runs ------------------------------------------------------------

    def dry_run(self, objects: list[Obj], field_manager: str) -> list[Obj | ClusterError]:
        """The dry-run result of applying each object as `field_manager` (force), or the error
        the API server answered; needs a live cluster."""
        if not isinstance(self.source, ClusterClient):
            raise ClusterError("a server-side apply dry run needs a live cluster")
        client = self.source
        for obj in objects:  # discovery before the threads start
            self.namespaced(str(obj.get("apiVersion", "")), str(obj.get("kind", "")))
        return self._parallel(
            lambda obj: client.apply_dry_run(obj, field_manager=field_manager, force=True),
            objects,
        )

    # -- Helm release storage -----------------------------------------------------------------

    def helm_releases(self, namespace: str, release: str) -> list[Obj]:
        """The `sh.helm.release.v1` Secrets of one release (every version)."""
        selector: dict[str, str | None] = {**HELM_STORAGE_LABELS, "name": release}
        found = self._list("v1", "Secret", namespace, selector_text(selector))
        return [
            s
            for s in found
            if _matches(s, selector) and s.get("type", "helm.sh/release.v1") == "helm.sh/release.v1"
        ]

    def get(self, api_version: str, kind: str, name: str, namespace: str | None) -> Obj | None:
        if self._early:
            taken, value = self._taken(("get", api_version, kind, namespace or "", name))
            if taken:
                return value  # type: ignore[no-any-return]
        return self.source.get(api_version, kind, name, namespace)

    def list_all(self, api_version: str, kind: str, namespace: str | None = None) -> list[Obj]:
        return self._list(api_version, kind, namespace, None)
