"""The result model of `fluxops drift`: one verdict per object, field-level differences,
and a summary per owner (Flux Kustomization, HelmRelease or overlay). Every renderer (text,
JSON, Markdown) reads these; Secret values never get in (they are masked on creation)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

from fluxops.model.findings import Finding, Severity
from fluxops.model.identity import ObjectId
from fluxops.model.kube.scalars import ABSENT
from fluxops.model.results import Result

Verdict = Literal["in-sync", "missing", "drifted", "orphaned", "skipped", "error"]
VERDICTS: tuple[Verdict, ...] = ("in-sync", "missing", "drifted", "orphaned", "skipped", "error")

#: A difference's `op`: the live value differs (`changed`), the desired object sets a field the
#: live one lacks (`missing`), or the live object has a field Flux owns but no longer sets,
#: which the next apply removes (`unexpected`).
Op = Literal["changed", "missing", "unexpected"]

SECRET_MASK = "***"
SECRET_MASK_DESIRED = "*** (desired)"
SECRET_MASK_LIVE = "*** (live)"


@dataclass
class Difference:
    """One field that differs. `path` reads like `spec.template.spec.containers[name=app].image`;
    `pointer` is the RFC 6901 pointer on the live object (usable in `spec.ignore`)."""

    path: str
    pointer: str
    op: Op
    desired: Any = ABSENT
    live: Any = ABSENT
    secret: bool = False


@dataclass
class ObjectDrift:
    """The verdict on one object."""

    id: ObjectId
    owner: str
    verdict: Verdict
    differences: list[Difference] = field(default_factory=list)
    reason: str = ""
    #: for orphans: "prune" (Flux deletes it on the next reconciliation) or "keep"
    prune: str | None = None
    #: for Secrets: (key, "unchanged" | "changed" | "missing" | "unexpected" | "compared by
    #: name"); values are never kept
    secret_keys: list[tuple[str, str]] | None = None
    #: masked, comparable renderings for a unified diff (drifted objects only)
    desired_view: dict[str, Any] | None = None
    live_view: dict[str, Any] | None = None
    notes: list[str] = field(default_factory=list)
    #: fields not compared, with why: they depend on a substituteFrom variable whose value
    #: fluxops could not read (a snapshot holds no Secret values, or the read was refused)
    not_compared: list[tuple[str, str]] = field(default_factory=list)

    @property
    def counts_as_drift(self) -> bool:
        """Drift Flux would act on: it creates, updates or prunes the object. Orphans it keeps
        (`keep`, `keep-annotated`) are reported but do not count (see `fail_on_orphans`)."""
        if self.verdict in ("missing", "drifted"):
            return True
        return self.verdict == "orphaned" and self.prune == "prune"

    def sort_key(self) -> tuple[str, str, str, str, str]:
        return (self.owner, self.id.group, self.id.kind, self.id.namespace, self.id.name)


@dataclass
class OwnerSummary:
    """One Flux Kustomization, HelmRelease or overlay whose objects were compared."""

    kind: str  # "Kustomization" | "HelmRelease" | "overlay"
    ref: str  # NAMESPACE/NAME, or the overlay folder
    cluster: str = ""
    status: Literal["compared", "failed", "skipped"] = "compared"
    error: str | None = None
    prune: bool | None = None
    inventory: int | None = None  # entries in the live status.inventory, None when unknown
    notes: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        return f"{self.kind}/{self.ref}" if self.kind != "overlay" else self.ref


@dataclass
class DriftResult(Result):
    kind: ClassVar[str] = "DriftResult"

    mode: str  # "fields" | "server"
    source: str  # where the live state came from
    objects: list[ObjectDrift] = field(default_factory=list)
    owners: list[OwnerSummary] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    requests: int | None = None
    seconds: float = 0.0
    #: seconds per phase: render, read, dryRun (server mode), compare
    timings: dict[str, float] = field(default_factory=dict)
    #: orphans Flux keeps (`keep`: prune false, not in the inventory) count as drift too
    fail_on_orphans: bool = False

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = dict.fromkeys(VERDICTS, 0)
        for obj in self.objects:
            out[obj.verdict] += 1
        return out

    @property
    def drift(self) -> bool:
        return any(
            o.counts_as_drift
            or (self.fail_on_orphans and o.verdict == "orphaned" and o.prune == "keep")
            for o in self.objects
        )

    @property
    def errors(self) -> bool:
        return (
            any(o.verdict == "error" for o in self.objects)
            or any(o.status == "failed" for o in self.owners)
            or any(f.severity >= Severity.ERROR for f in self.findings)
        )

    @property
    def exit_code(self) -> int:
        """As `flux diff`: 0 no drift, 1 drift, 2 an error (even alongside drift)."""
        if self.errors:
            return 2
        return 1 if self.drift else 0
