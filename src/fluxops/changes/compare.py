"""Two renders of a repository, compared: per cluster, per Flux Kustomization, per object.

An object is identified by group, kind, namespace and name (not API version). It is *moved*
when the Kustomization that renders it changed within one cluster (the new owner adopts it;
nothing is deleted). A removed object is *pruned* (deleted by Flux) when its Kustomization has
`spec.prune: true`, and left in the cluster otherwise. HelmReleases are also compared as
helm-controller composes their values (the values-diff machinery): a values ConfigMap that
changed shows on the release it feeds.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fluxops.changes.objects import (
    field_changes,
    hide_values,
    is_secret,
    unified,
    without_inline_secrets,
)
from fluxops.changes.result import KustomizationDiff, ObjectChange, ValuesChange
from fluxops.model.flux import HELM_GROUP, KUSTOMIZE_GROUP, SOURCE_GROUP, Kustomization
from fluxops.model.resource import Resource
from fluxops.model.results import KustomizationBuild

BuildKey = tuple[str, str, str]
ObjectKey = tuple[str, str, str, str]


def _index(builds: list[KustomizationBuild]) -> dict[BuildKey, KustomizationBuild]:
    out: dict[BuildKey, KustomizationBuild] = {}
    for b in builds:
        out.setdefault((b.cluster, b.namespace, b.name), b)
    return out


def _owners(builds: list[KustomizationBuild]) -> dict[tuple[str, ObjectKey], str]:
    out: dict[tuple[str, ObjectKey], str] = {}
    for b in builds:
        if b.status == "ok":
            for obj in b.objects:
                out.setdefault((b.target, obj.id.key), b.ref)
    return out


def _category(obj: Resource) -> str:
    if obj.is_kind(KUSTOMIZE_GROUP, "Kustomization"):
        return "kustomization"
    if obj.is_kind(HELM_GROUP, "HelmRelease"):
        return "helmrelease"
    if obj.id.group == SOURCE_GROUP:
        return "source"
    return "object"


def _prune(build: KustomizationBuild) -> bool:
    return Kustomization(build.kustomization).prune is True


class Comparison:
    """Compares `base` and `head` builds (one render each, the same options)."""

    def __init__(self, base: list[KustomizationBuild], head: list[KustomizationBuild]) -> None:
        self.base = _index(base)
        self.head = _index(head)
        self.base_owner = _owners(base)
        self.head_owner = _owners(head)
        self.base_objects = _cluster_objects(base)
        self.head_objects = _cluster_objects(head)

    def run(self) -> list[KustomizationDiff]:
        keys = list(self.head) + [k for k in self.base if k not in self.head]
        out = []
        for key in keys:
            diff = self._kustomization(self.base.get(key), self.head.get(key))
            if diff.status != "unchanged":
                out.append(diff)
        return out

    def _kustomization(
        self, base: KustomizationBuild | None, head: KustomizationBuild | None
    ) -> KustomizationDiff:
        either = head or base
        assert either is not None
        diff = KustomizationDiff(
            either.cluster, either.namespace, either.name, "unchanged", either.path, _prune(either)
        )
        diff.error_base = base.error if base is not None and base.status == "failed" else None
        diff.error_head = head.error if head is not None and head.status == "failed" else None
        if diff.error_base or diff.error_head:
            if diff.error_base != diff.error_head or base is None or head is None:
                diff.status = "failed"
            return diff
        old = {o.id.key: o for o in base.objects} if base is not None else {}
        new = {o.id.key: o for o in head.objects} if head is not None else {}
        target = either.target
        for key, obj in new.items():
            before = old.get(key)
            moved_from = None
            if before is None:
                owner = self.base_owner.get((target, key))
                if owner is not None and owner != either.ref:
                    moved_from = owner
                    before = self._base_object(target, key)
            change = self._object(before, obj, moved_from)
            if change is not None:
                diff.objects.append(change)
        for key, obj in old.items():
            if key in new:
                continue
            owner = self.head_owner.get((target, key))
            if owner is not None and owner != either.ref:
                continue  # moved: the new owner reports it
            change = self._object(obj, None, None)
            if change is not None:
                change.pruned = diff.prune
                diff.objects.append(change)
        for change in diff.objects:
            if change.category == "helmrelease" and change.change in ("changed", "moved"):
                self._values(change, target)
        extra = self._values_only(base, head, {c.ref for c in diff.objects})
        diff.objects.extend(extra)
        if head is None:
            diff.status = "removed"
        elif base is None:
            diff.status = "added"
        elif diff.objects:
            diff.status = "changed"
        return diff

    def _base_object(self, target: str, key: ObjectKey) -> Resource | None:
        return self.base_objects.get(target, {}).get(key)

    def _object(
        self, before: Resource | None, after: Resource | None, moved_from: str | None
    ) -> ObjectChange | None:
        either = after or before
        assert either is not None
        secret = is_secret(either)
        change = ObjectChange(
            "moved" if moved_from else ("added" if before is None else "removed"),
            either.api_version,
            either.kind,
            either.namespace,
            either.name,
            secret=secret,
            moved_from=moved_from,
            category=_category(either),
        )
        old = without_inline_secrets(before.raw) if before is not None else None
        new = without_inline_secrets(after.raw) if after is not None else None
        if old is not None and new is not None and before is not None and after is not None:
            if before.raw == after.raw:
                return change if moved_from else None
            if not moved_from:
                change.change = "changed"
            fields = field_changes(before.raw, after.raw, secret=secret)
            change.fields = hide_values(fields, old, new)
        if not secret:
            change.diff = unified(old, new, either.id.short())
        return change

    def _values(self, change: ObjectChange, target: str) -> None:
        from fluxops.helmvalues.releases import EnvRelease, compare
        from fluxops.helmvalues.valuediff import MISSING

        key = (HELM_GROUP, "HelmRelease", change.namespace, change.name)
        before = self.base_objects.get(target, {}).get(key)
        after = self.head_objects.get(target, {}).get(key)
        if before is None or after is None:
            return
        envs = [
            EnvRelease(
                "base", before, _lookup(self.base_objects.get(target, {}), change.namespace)
            ),
            EnvRelease("head", after, _lookup(self.head_objects.get(target, {}), change.namespace)),
        ]
        result = compare(change.ref, envs)
        for row in result.rows:
            if not row.differs:
                continue
            values = {k: (None if v is MISSING else _text(v)) for k, v in row.values.items()}
            change.values.append(
                ValuesChange(
                    row.section, row.path, values.get("base"), values.get("head"), row.secret
                )
            )
        change.values_errors = [
            f"{side}: {message}"
            for side, message in sorted(result.errors.items())
            if result.errors.get("base") != result.errors.get("head")
        ]

    def _values_only(
        self, base: KustomizationBuild | None, head: KustomizationBuild | None, seen: set[str]
    ) -> list[ObjectChange]:
        """HelmReleases whose object is the same but whose composed values are not (a values
        ConfigMap or Secret changed)."""
        if base is None or head is None:
            return []
        old = {o.id.key: o for o in base.objects if o.is_kind(HELM_GROUP, "HelmRelease")}
        out = []
        for obj in head.objects:
            if not obj.is_kind(HELM_GROUP, "HelmRelease") or obj.id.key not in old:
                continue
            if not obj.spec.get("valuesFrom"):
                continue
            change = ObjectChange(
                "changed",
                obj.api_version,
                obj.kind,
                obj.namespace,
                obj.name,
                category="helmrelease",
            )
            if change.ref in seen:
                continue
            self._values(change, head.target)
            if change.values or change.values_errors:
                out.append(change)
        return out


def _cluster_objects(
    builds: list[KustomizationBuild],
) -> dict[str, dict[ObjectKey, Resource]]:
    out: dict[str, dict[ObjectKey, Resource]] = {}
    for b in builds:
        if b.status == "ok":
            objects = out.setdefault(b.target, {})
            for obj in b.objects:
                objects.setdefault(obj.id.key, obj)
    return out


def _lookup(objects: Mapping[ObjectKey, Resource], namespace: str) -> Any:
    """valuesFrom reads ConfigMaps and Secrets of the release's namespace that this side
    renders in the same cluster."""

    def lookup(kind: str, name: str) -> dict[str, Any] | None:
        hit = objects.get(("", kind, namespace, name))
        return hit.raw if hit is not None else None

    return lookup


def _text(value: Any) -> str:
    import json

    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True, default=str)
    return text if len(text) <= 300 else text[:300] + "..."
