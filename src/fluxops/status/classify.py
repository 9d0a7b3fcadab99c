"""Classify one Flux object as Ready, Failed, Progressing, Stalled, Suspended or Unknown.

The rules are kstatus's, read with Flux's condition types and reasons (fluxcd/pkg
`apis/meta`, the controllers' docs "Status" sections):

1. Suspended: `spec.suspend: true`, or flux-operator's `fluxcd.controlplane.io/reconcile:
   disabled` annotation. The controller leaves status untouched, so the last Ready condition
   is kept as a note.
2. Progressing: `metadata.generation` is ahead of every generation the controller has
   observed (`status.observedGeneration` and each condition's `observedGeneration`). Flux
   leaves `status.observedGeneration` behind while a new generation fails, so a condition
   that observed the current generation settles it. When the spec change is older than
   `stale_after`, the object is *stale*: no controller is picking it up.
3. Stalled: `Stalled=True` (retries exhausted, invalid spec): a terminal failure.
4. Ready=False: Failed (Flux retries; `Reconciling=True` with `ProgressingWithRetry` says so).
5. Ready=Unknown, or `Reconciling=True`: Progressing.
6. Ready=True: Ready.
7. No Ready condition: Unknown ("waiting to be reconciled", as `flux get` says), except for
   the kinds that carry no status at all (notification Alert and Provider v1beta3): Ready.

For dependents, an object is *ready* as kustomize-controller's `checkDependencies` has it:
Ready=True and `status.observedGeneration == metadata.generation`.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from fluxops.model.durations import format_age
from fluxops.status import accessors as f
from fluxops.status.states import FailedUpgrade, ObjectStatus, State

#: Kinds whose objects carry no status (notification-controller v1beta3 Alert and Provider;
#: HelmRepository of type oci is static too since source-controller v1).
STATIC_KINDS = frozenset({"Alert", "Provider"})

#: fluxops's own reasons (not Flux's), for states Flux does not name.
NEW_GENERATION = "NewGeneration"
STALE_GENERATION = "StaleGeneration"
NOT_RECONCILED = "NotReconciled"
STUCK_RECONCILING = "StuckReconciling"

DEFAULT_STALE_AFTER = timedelta(minutes=10)

_HELM_DEPLOYED = ("deployed", "superseded")


def classify(
    obj: dict[str, Any],
    now: datetime,
    stale_after: timedelta = DEFAULT_STALE_AFTER,
) -> ObjectStatus:
    """The classification of one object (graph fields are filled in later by `analyze`)."""
    meta = f.meta(obj)
    spec = f.spec(obj)
    st = f.status(obj)
    kind = f.s(obj.get("kind"))
    conds = f.conditions(obj, st)
    ready = f.find(conds, "Ready")
    reconciling = f.find(conds, "Reconciling")
    stalled = f.find(conds, "Stalled")
    generation = f.n(meta.get("generation"))
    observed = f.n(st.get("observedGeneration"))
    annotations = f.d(meta.get("annotations"))

    out = ObjectStatus(
        api_version=f.s(obj.get("apiVersion")),
        kind=kind,
        namespace=f.s(meta.get("namespace")),
        name=f.s(meta.get("name")),
        state=State.UNKNOWN,
        generation=generation,
        observed_generation=observed,
        conditions=conds,
    )
    out.suspended = (
        spec.get("suspend") is True
        or f.s(annotations.get("fluxcd.controlplane.io/reconcile")).lower() == "disabled"
    )
    out.ready = (
        ready is not None
        and ready.status == "True"
        and (generation is None or observed is None or observed == generation)
    )
    _revisions(obj, kind, out)
    seen_generations = {observed} | {c.observed_generation for c in conds}
    has_status = bool(conds) or (observed is not None and observed > 0)
    not_observed = (
        generation is not None
        and has_status
        and all((g or 0) < generation for g in seen_generations)
    )

    if out.suspended:
        out.state = State.SUSPENDED
        out.reason = "Suspended"
        out.message = "reconciliation is suspended (spec.suspend: true)"
        if f.s(annotations.get("fluxcd.controlplane.io/reconcile")).lower() == "disabled":
            out.message = "reconciliation is disabled (fluxcd.controlplane.io/reconcile: disabled)"
        if ready is not None:
            out.since = ready.last_transition_time
            last = f"Ready={ready.status}" + (f" {ready.reason}" if ready.reason else "")
            out.notes.append(
                f"last status before suspension: {last}"
                + (f": {ready.message}" if ready.message else "")
            )
    elif not_observed:
        assert generation is not None
        out.state = State.PROGRESSING
        out.reason = NEW_GENERATION
        last_seen = max((g or 0) for g in seen_generations)
        out.message = (
            f"generation {generation} is not observed yet (the controller last observed "
            f"generation {last_seen})"
        )
        changed = f.spec_changed_at(obj)
        out.since = f.iso(changed) if changed else None
        if changed is not None and now - changed > stale_after:
            out.stale = True
            out.reason = STALE_GENERATION
            out.message += (
                f"; the spec changed {_ago(now - changed)} ago and no controller has picked it up"
            )
        elif ready is not None and ready.status == "False":
            out.notes.append(f"the previous generation failed: {ready.reason}: {ready.message}")
    elif stalled is not None and stalled.status == "True":
        out.state = State.STALLED
        out.reason = stalled.reason or (ready.reason if ready else "")
        out.message = stalled.message or (ready.message if ready else "")
        out.since = stalled.last_transition_time
        if ready is not None and ready.message and ready.message != out.message:
            out.notes.append(f"Ready: {ready.reason}: {ready.message}")
    elif ready is not None and ready.status == "False":
        out.state = State.PROGRESSING if ready.reason == "Progressing" else State.FAILED
        out.reason, out.message, out.since = ready.reason, ready.message, ready.last_transition_time
        if reconciling is not None and reconciling.reason == "ProgressingWithRetry":
            out.notes.append("the controller retries with back-off")
    elif (reconciling is not None and reconciling.status == "True") or (
        ready is not None and ready.status == "Unknown"
    ):
        deciding = (
            reconciling if reconciling is not None and reconciling.status == "True" else ready
        )
        assert deciding is not None
        out.state = State.PROGRESSING
        out.reason = deciding.reason or "Progressing"
        out.message = deciding.message or (ready.message if ready else "")
        out.since = deciding.last_transition_time
        if (
            ready is not None
            and ready.status == "Unknown"
            and ready.reason
            not in (
                "",
                "Progressing",
                "ProgressingWithRetry",
            )
        ):
            out.state = State.UNKNOWN
            out.reason, out.message = ready.reason, ready.message
        started = f.parse_time(out.since)
        if out.state == State.PROGRESSING and started and now - started > stale_after:
            out.stale = True
            out.notes.append(f"reconciling for {_ago(now - started)}")
    elif ready is not None and ready.status == "True":
        out.state = State.READY
        out.reason, out.message, out.since = ready.reason, ready.message, ready.last_transition_time
    elif not conds and (
        kind in STATIC_KINDS or (kind == "HelmRepository" and spec.get("type") == "oci")
    ):
        out.state = State.READY
        out.ready = True
        out.message = "no status: a configuration object, not reconciled on its own"
    else:
        out.state = State.UNKNOWN
        out.reason = ""
        out.message = "waiting to be reconciled (no Ready condition yet)"
        created = f.parse_time(meta.get("creationTimestamp"))
        out.since = f.s(meta.get("creationTimestamp")) or None
        if created is not None and now - created > stale_after:
            out.stale = True
            out.reason = NOT_RECONCILED
            out.message = (
                f"not reconciled since it was created {_ago(now - created)} ago: "
                "is its controller running?"
            )

    if kind == "HelmRelease":
        _helm_release(obj, out)
    elif kind == "Kustomization" and out.state.failing:
        applied, attempted = out.revision, out.attempted_revision
        if attempted and applied and attempted != applied:
            out.notes.append(
                f"revision {f.short_revision(attempted)} failed; the cluster still runs "
                f"{f.short_revision(applied)}"
            )
        elif attempted and not applied:
            out.notes.append(f"no revision applied yet; {f.short_revision(attempted)} failed")
    return out


def _revisions(obj: dict[str, Any], kind: str, out: ObjectStatus) -> None:
    st = f.status(obj)
    if kind == "Kustomization":
        out.revision = f.s(st.get("lastAppliedRevision")) or None
        out.attempted_revision = f.s(st.get("lastAttemptedRevision")) or None
    elif kind == "HelmRelease":
        deployed = _deployed(obj)
        out.revision = (
            f.s(deployed.get("chartVersion")) if deployed else f.s(st.get("lastAppliedRevision"))
        ) or None
        out.attempted_revision = f.s(st.get("lastAttemptedRevision")) or None
    elif kind == "ImagePolicy":
        latest = f.d(st.get("latestRef"))
        if latest:
            tag = f.s(latest.get("tag"))
            out.revision = f.s(latest.get("name")) + (f":{tag}" if tag else "")
        else:
            out.revision = f.s(st.get("latestImage")) or None
    elif kind == "ImageUpdateAutomation":
        out.revision = f.s(st.get("lastPushCommit")) or None
    else:
        out.revision = f.artifact_revision(obj)


def _history(obj: dict[str, Any]) -> list[dict[str, Any]]:
    return [f.d(h) for h in f.status(obj).get("history") or [] if isinstance(h, dict)]


def _deployed(obj: dict[str, Any]) -> dict[str, Any] | None:
    """The newest Helm release snapshot that was deployed (helm-controller v2 history)."""
    return next((h for h in _history(obj) if h.get("status") in _HELM_DEPLOYED), None)


def _helm_release(obj: dict[str, Any], out: ObjectStatus) -> None:
    st = f.status(obj)
    history = _history(obj)
    failures = f.n(st.get("failures"))
    install_failures = f.n(st.get("installFailures"))
    upgrade_failures = f.n(st.get("upgradeFailures"))
    counts = [
        f"{label} {value}"
        for label, value in (
            ("failures", failures),
            ("install failures", install_failures),
            ("upgrade failures", upgrade_failures),
        )
        if value
    ]
    if counts and out.state != State.READY:
        out.notes.append("helm-controller counted " + ", ".join(counts))
    if not out.state.failing and out.state != State.SUSPENDED:
        return
    latest = history[0] if history else {}
    deployed = _deployed(obj)
    action = f.s(st.get("lastAttemptedReleaseAction")) or "upgrade"
    attempted = out.attempted_revision or f.s(latest.get("chartVersion"))
    applied_v2beta = f.s(st.get("lastAppliedRevision"))
    reasons = {c.reason for c in out.conditions if c.status in ("False", "True")}
    upgrade_failed = bool(reasons & {"UpgradeFailed", "RollbackSucceeded", "RetriesExceeded"})
    if deployed is not None:
        deployed_chart = f.s(deployed.get("chartVersion"))
        newer_failed = deployed is not latest  # the newest release failed (or was rolled back)
        if (
            newer_failed
            or (attempted and attempted != deployed_chart)
            or (upgrade_failed and len(history) > 1)
        ):
            out.failed_upgrade = FailedUpgrade(
                action=action,
                attempted=attempted or f.s(latest.get("chartVersion")),
                deployed=deployed_chart,
                deployed_release=f.n(deployed.get("version")),
                failures=upgrade_failures or failures,
            )
    elif not history and applied_v2beta and attempted and attempted != applied_v2beta:
        # helm.toolkit.fluxcd.io/v2beta1 and v2beta2 keep lastAppliedRevision
        out.failed_upgrade = FailedUpgrade(
            action=action,
            attempted=attempted,
            deployed=applied_v2beta,
            deployed_release=f.n(st.get("lastReleaseRevision")),
            failures=upgrade_failures or failures,
        )
    if out.failed_upgrade is not None:
        fu = out.failed_upgrade
        release = f" (release v{fu.deployed_release})" if fu.deployed_release else ""
        out.notes.insert(
            0,
            f"{fu.action} to chart {fu.attempted or '?'} failed; chart {fu.deployed}{release} "
            "is still deployed",
        )


def _ago(delta: timedelta) -> str:
    return format_age(delta.total_seconds())
