"""What to compare for `fluxops drift`, and the verdicts once the live objects are known.

Pure functions between the reads `fluxops.api._drift` makes:

1. `plan_builds`: per rendered Flux Kustomization (or overlay), the desired objects with their
   real namespace (cluster-scoped kinds have none), the compare options (its `spec.ignore`
   rules), its owner labels and the inventory of its live status;
2. `fluxops.drift.helm.plan_helm`: per HelmRelease, the objects of its latest deployed
   Helm release;
3. `dry_run_payloads`: in server mode, what to send to the API server;
4. `evaluate`: the verdict on every desired object, then the orphans.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from fluxops.drift.compare import CompareOptions, compare_object, skipped_by
from fluxops.drift.ignore import (
    FORCE_SELECTOR,
    OWNER_NAME,
    OWNER_NAMESPACE,
    matching_marker,
    parse_ignore_rules,
    without_paths,
)
from fluxops.drift.immutable import judge_immutable
from fluxops.drift.inventory import inventory_of
from fluxops.drift.normalize import flux_normalize, is_secret
from fluxops.drift.orphans import find_orphans
from fluxops.drift.schema import SchemaRegistry
from fluxops.drift.secrets import is_sops_encrypted, scrub
from fluxops.drift.substituted import Resolved, dotted, mask_fields, resolve
from fluxops.drift.substituted import scrub as scrub_values
from fluxops.drift.verdicts import DriftResult, ObjectDrift, OwnerSummary
from fluxops.errors import ForbiddenError
from fluxops.model.identity import ObjectId, split_api_version
from fluxops.model.results import KustomizationBuild
from fluxops.render.live_variables import VariableSource

Key = tuple[str, str, str, str]  # group, kind, namespace, name
Obj = dict[str, Any]
#: (apiVersion, kind) -> namespaced? (None: unknown, e.g. a snapshot)
Scope = Mapping[tuple[str, str], bool | None]


@dataclass
class DesiredObject:
    raw: Obj
    api_version: str
    kind: str
    namespace: str
    name: str
    problem: str = ""  # an error found before reading (namespaced object without namespace)
    #: fields that came from substituteFrom Secrets (masked) or unreadable variables (skipped)
    substituted: Resolved | None = None

    @property
    def not_compared(self) -> list[str]:
        return list(self.substituted.not_compared) if self.substituted else []

    @property
    def key(self) -> Key:
        return (split_api_version(self.api_version)[0], self.kind, self.namespace, self.name)


@dataclass
class OwnerPlan:
    summary: OwnerSummary
    options: CompareOptions
    desired: list[DesiredObject] = field(default_factory=list)
    owner_ref: tuple[str, str] | None = None  # (namespace, name): owner labels, prune scope
    inventory: dict[Key, str] = field(default_factory=dict)  # key -> apiVersion
    prune: bool = False


def desired_object(raw: Obj, scope: Scope, default_namespace: str = "") -> DesiredObject:
    oid = ObjectId.of(raw)
    api_version = str(raw.get("apiVersion") or "")
    namespaced = scope.get((api_version, oid.kind))
    namespace = oid.namespace or default_namespace
    problem = ""
    if namespaced is False:
        namespace = ""
    elif namespaced is True and not namespace:
        problem = (
            f"{oid.kind} {oid.name} is namespaced but has no namespace: set metadata.namespace "
            "or the Kustomization's spec.targetNamespace (Flux would fail to apply it)"
        )
    if namespace != oid.namespace:
        raw = copy.deepcopy(raw)
        meta = raw.setdefault("metadata", {})
        if namespace:
            meta["namespace"] = namespace
        else:
            meta.pop("namespace", None)
    return DesiredObject(raw, api_version, oid.kind, namespace, oid.name, problem)


def plan_builds(
    builds: list[KustomizationBuild],
    live_kustomizations: Mapping[tuple[str, str], Obj | None],
    scope: Scope,
    *,
    mode: str,
    overlay: bool = False,
    owner: tuple[str, str] | None = None,
    secret_values: bool = True,
    override_managers: tuple[str, ...] = (),
    variable_source: VariableSource | None = None,
) -> list[OwnerPlan]:
    plans = []
    for build in builds:
        if build.status == "unreached":
            continue  # no cluster entry applies it: nothing in the cluster to compare
        if overlay:
            ref = f"{owner[0]}/{owner[1]}" if owner else build.source_dir or build.name
            summary = OwnerSummary(kind="Kustomization" if owner else "overlay", ref=ref)
            if owner is None and mode == "server":
                summary.notes.append(
                    "no --owner: Flux's owner labels are not added, so a dry run shows them "
                    "as removed from objects Flux manages"
                )
            live_ks = live_kustomizations.get(owner) if owner else None
            spec_source: Obj = live_ks or {}
            owner_ref = owner
        else:
            summary = OwnerSummary(kind="Kustomization", ref=build.ref, cluster=build.cluster)
            live_ks = live_kustomizations.get((build.namespace, build.name))
            spec_source = build.kustomization.raw
            owner_ref = (build.namespace, build.name)
        spec = spec_source.get("spec") if isinstance(spec_source.get("spec"), dict) else {}
        options = CompareOptions(
            mode=mode,
            owner=summary.label,
            secret_values=secret_values,
            override_managers=override_managers,
        )
        plan = OwnerPlan(summary=summary, options=options, owner_ref=owner_ref)
        plans.append(plan)
        if build.status == "failed":
            summary.status, summary.error = "failed", build.error or "the build failed"
            continue
        if build.status == "skipped":
            # its source is another repository: what it applies is unknown here, so nothing
            # it owns in the cluster may be called prunable
            summary.status = "skipped"
            summary.notes.append(build.error or "its source is not in this repository")
            continue
        if not overlay and build.kustomization.spec.get("kubeConfig"):
            summary.status = "skipped"
            summary.notes.append("applies to a remote cluster (spec.kubeConfig): not compared")
            continue
        try:
            options.ignore_rules = parse_ignore_rules((spec or {}).get("ignore"))
        except ValueError as exc:
            summary.status, summary.error = "failed", str(exc)
            continue
        plan.prune = bool((spec or {}).get("prune"))
        options.force = bool((spec or {}).get("force"))
        summary.prune = plan.prune if owner_ref else None
        if owner_ref is not None:
            if live_ks is None:
                summary.notes.append(
                    "the Kustomization does not exist in the cluster: no inventory to prune from"
                )
            inventory = inventory_of(live_ks)
            if inventory is not None:
                plan.inventory = inventory
                summary.inventory = len(inventory)
            if (spec or {}).get("suspend"):
                summary.notes.append("suspended: Flux does not reconcile it now")
        for resource in build.objects:
            raw = resource.raw
            if overlay and owner is not None:
                raw = copy.deepcopy(raw)
                labels = raw.setdefault("metadata", {}).setdefault("labels", {})
                labels.update({OWNER_NAME: owner[1], OWNER_NAMESPACE: owner[0]})
            plan.desired.append(_substituted(raw, scope, variable_source))
    return plans


def _substituted(raw: Obj, scope: Scope, source: VariableSource | None) -> DesiredObject:
    """The desired object with substituteFrom tokens swapped for their values."""
    resolved = resolve(raw, source)
    d = desired_object(resolved.raw, scope)
    if resolved.secret or resolved.not_compared:
        d.substituted = resolved
    identity = [p for p in resolved.not_compared if p in ("/metadata/name", "/metadata/namespace")]
    if identity:
        d.problem = (
            f"its {identity[0].rpartition('/')[2]} depends on a substituteFrom variable fluxops "
            f"could not read ({resolved.not_compared[identity[0]]}): not compared"
        )
    return d


def wanted_keys(plans: list[OwnerPlan]) -> list[DesiredObject]:
    return [d for p in plans if p.summary.status == "compared" for d in p.desired if not d.problem]


def dry_run_payload(raw: Obj, skip: list[str] | None = None) -> Obj:
    """What Flux sends: the normalised object, without a CRD's webhook caBundle; `skip`:
    fields fluxops cannot know (unreadable substituteFrom variables) left out."""
    obj = flux_normalize(without_paths(raw, skip or []))
    if obj.get("kind") == "CustomResourceDefinition":
        obj = copy.deepcopy(obj)
    if obj.get("kind") == "CustomResourceDefinition":
        conversion = (obj.get("spec") or {}).get("conversion")
        webhook = conversion.get("webhook") if isinstance(conversion, dict) else None
        client_config = webhook.get("clientConfig") if isinstance(webhook, dict) else None
        if isinstance(client_config, dict):
            client_config.pop("caBundle", None)
    return obj


def needs_dry_run(d: DesiredObject, live: Obj | None, options: CompareOptions) -> bool:
    if d.problem or skipped_by(d.raw, live, options):
        return False
    return not (is_secret(d.raw) and is_sops_encrypted(d.raw))


@dataclass
class LiveState:
    """What the reads found: objects by key, absent keys, read errors, kinds not served, the
    objects the owner-label lists returned, and the dry-run outcomes (result or error)."""

    objects: Mapping[Key, Obj]
    errors: Mapping[Key, str]
    not_served: Mapping[tuple[str, str], str]
    labelled: list[Obj]
    #: (field manager, key) -> the dry-run result, or the error the API server answered
    dry_runs: Mapping[tuple[str, Key], Obj | Exception] = field(default_factory=dict)


def evaluate(
    plans: list[OwnerPlan],
    live: LiveState,
    schemas: SchemaRegistry,
    result: DriftResult,
    secret_values: list[str] | None = None,
) -> DriftResult:
    """Every verdict; `secret_values`: values read for substitution, scrubbed from them all."""
    rendered: set[Key] = set()
    for plan in plans:
        result.owners.append(plan.summary)
        if plan.summary.status != "compared":
            continue
        for d in plan.desired:
            rendered.add(d.key)
            result.objects.append(_judge(d, plan, live, schemas))
    for plan in plans:
        if plan.summary.status == "compared" and plan.owner_ref is not None:
            result.objects.extend(find_orphans(plan, live, rendered))
    if secret_values:
        for obj in result.objects:
            scrub_values(obj, secret_values)
    result.objects.sort(key=ObjectDrift.sort_key)
    return result


def _judge(
    d: DesiredObject, plan: OwnerPlan, live: LiveState, schemas: SchemaRegistry
) -> ObjectDrift:
    oid = ObjectId(d.key[0], d.kind, d.namespace, d.name, split_api_version(d.api_version)[1])
    options = plan.options
    if d.problem:
        return ObjectDrift(id=oid, owner=options.owner, verdict="error", reason=d.problem)
    served = live.not_served.get((d.key[0], d.kind))
    if served:
        reason = skipped_by(d.raw, None, options)
        if reason:
            return ObjectDrift(id=oid, owner=options.owner, verdict="skipped", reason=reason)
        if "(it serves " in served:  # the kind exists in other versions: this one was removed
            return ObjectDrift(
                id=oid,
                owner=options.owner,
                verdict="error",
                reason=f"{served}: Flux would fail to apply it (update its apiVersion)",
            )
        return ObjectDrift(
            id=oid,
            owner=options.owner,
            verdict="missing",
            reason=f"the cluster does not serve this kind yet ({served})",
        )
    if d.key in live.errors:
        message = scrub(live.errors[d.key], d.raw)
        return ObjectDrift(id=oid, owner=options.owner, verdict="error", reason=message)
    current = live.objects.get(d.key)
    merged: Obj | None = None
    if options.mode == "server":
        outcome = live.dry_runs.get((options.field_manager, d.key))
        if isinstance(outcome, Exception):
            return _dry_run_failed(d, oid, current, outcome, plan)
        if isinstance(outcome, dict):
            if not (outcome.get("metadata") or {}).get("resourceVersion"):
                current = None  # the server would create it
            merged = outcome
    drift = compare_object(
        d.raw, current, schemas, options, namespace=d.namespace, merged=merged, skip=d.not_compared
    )
    drift.id = oid
    if options.mode == "fields" and drift.verdict == "drifted" and current is not None:
        force = plan.summary.kind == "Kustomization" and plan.options.force
        judge_immutable(drift, d.raw, current, force=force)
    if d.substituted is not None:
        mask_fields(drift, d.substituted)
        drift.not_compared = [
            (
                dotted(pointer),
                f"depends on a substituteFrom variable fluxops could not read: {why}",
            )
            for pointer, why in sorted(d.substituted.not_compared.items())
        ]
    return drift


def _dry_run_failed(
    d: DesiredObject, oid: ObjectId, current: Obj | None, error: Exception, plan: OwnerPlan
) -> ObjectDrift:
    message = scrub(str(getattr(error, "message", error)), d.raw, current)
    owner = plan.options.owner
    lowered = message.lower()
    if (
        current is None
        and "namespace" in lowered
        and ("not found" in lowered or "does not exist" in lowered)
    ):
        namespaces = {x.name for x in plan.desired if x.kind == "Namespace" and not x.key[0]}
        created = (
            "this Kustomization creates it first"
            if d.namespace in namespaces
            else "it must be created before Flux can apply this object"
        )
        return ObjectDrift(
            id=oid,
            owner=owner,
            verdict="missing",
            reason=f"its namespace {d.namespace} does not exist ({created}); no dry run possible",
        )
    if "immutable" in lowered and current is not None:
        force = matching_marker(d.raw, FORCE_SELECTOR) or matching_marker(current, FORCE_SELECTOR)
        if force or (plan.summary.kind == "Kustomization" and plan.options.force):
            return ObjectDrift(
                id=oid,
                owner=owner,
                verdict="drifted",
                reason="an immutable field changed: Flux deletes and recreates the object (force)",
            )
    hint = getattr(error, "hint", None)
    if isinstance(error, ForbiddenError):
        message = (
            f"{message}; --mode server asks for a server-side apply dry run, which needs "
            "permission to patch (nothing is written): use --mode fields, or a context that "
            "may patch"
        )
    elif hint:
        message = f"{message} ({hint})"
    return ObjectDrift(id=oid, owner=owner, verdict="error", reason=message)
