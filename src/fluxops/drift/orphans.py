"""Orphans: live objects of a Flux Kustomization that it no longer renders (in its inventory,
or carrying its owner labels), and what the controller does with each."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fluxops.drift.compare import orphan, owner_labels_match
from fluxops.drift.verdicts import ObjectDrift
from fluxops.model.identity import ObjectId

if TYPE_CHECKING:
    from fluxops.drift.plan import LiveState, OwnerPlan

Key = tuple[str, str, str, str]
Obj = dict[str, Any]


def find_orphans(plan: OwnerPlan, live: LiveState, rendered: set[Key]) -> list[ObjectDrift]:
    assert plan.owner_ref is not None
    namespace, name = plan.owner_ref
    own = {d.key for d in plan.desired}
    candidates: dict[Key, Obj | None] = {}
    for key in plan.inventory:
        if key not in own and key not in rendered:
            candidates[key] = live.objects.get(key)
    for labelled in live.labelled:
        key = _key(labelled)
        matches = owner_labels_match(labelled, namespace, name)
        if matches and key not in own and key not in rendered:
            candidates[key] = labelled
    out: list[ObjectDrift] = []
    gone = 0
    for key, obj in sorted(candidates.items()):
        if obj is None:
            if key in live.errors:
                out.append(
                    ObjectDrift(
                        id=ObjectId(key[0], key[1], key[2], key[3]),
                        owner=plan.options.owner,
                        verdict="error",
                        reason=live.errors[key],
                    )
                )
            else:
                gone += 1
            continue
        out.append(
            orphan(
                obj,
                plan.options.owner,
                owner_namespace=namespace,
                owner_name=name,
                in_inventory=key in plan.inventory,
                prune_enabled=plan.prune,
            )
        )
    if gone:
        plan.summary.notes.append(
            f"{gone} inventory entr{'y' if gone == 1 else 'ies'} no longer rendered "
            "and already gone from the cluster"
        )
    return out


def _key(obj: Obj) -> Key:
    oid = ObjectId.of(obj)
    return (oid.group, oid.kind, oid.namespace, oid.name)
