"""What `diff` found: per cluster, per Flux Kustomization, per object. Never a Secret value:
a Secret's change is the names of the keys that changed, nothing more."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar, Literal

from fluxops.model.findings import Finding, Severity
from fluxops.model.results import Result

Change = Literal["added", "removed", "changed", "moved"]
KsStatus = Literal["added", "removed", "changed", "unchanged", "failed"]


@dataclass
class FieldChange:
    """One changed leaf (or subtree added/removed whole), as a dotted path; values are
    display text (None when absent on that side; never set for Secrets)."""

    path: str
    before: str | None = None
    after: str | None = None


@dataclass
class ValuesChange:
    """A HelmRelease's composed values, chart or release settings, one row per path."""

    section: str  # values | chart | settings
    path: str
    before: str | None
    after: str | None
    secret: bool = False


@dataclass
class ObjectChange:
    """One object that differs. `moved_from`: the Kustomization (NAMESPACE/NAME) that
    rendered it before, when it moved; `pruned`: a removed object Flux deletes (prune on) or
    leaves in the cluster (prune off), None otherwise."""

    change: Change
    api_version: str
    kind: str
    namespace: str
    name: str
    fields: list[FieldChange] = field(default_factory=list)
    diff: str = ""
    secret: bool = False
    moved_from: str | None = None
    pruned: bool | None = None
    category: str = "object"  # object | kustomization | source | helmrelease
    values: list[ValuesChange] = field(default_factory=list)
    values_errors: list[str] = field(default_factory=list)

    @property
    def ref(self) -> str:
        return (
            f"{self.kind}/{self.namespace}/{self.name}"
            if self.namespace
            else (f"{self.kind}/{self.name}")
        )


@dataclass
class KustomizationDiff:
    """One Flux Kustomization of one cluster: how it changed and what it renders differently.
    `prune`: spec.prune on the side that applies (head, or base when removed)."""

    cluster: str
    namespace: str
    name: str
    status: KsStatus
    path: str = ""
    prune: bool = False
    objects: list[ObjectChange] = field(default_factory=list)
    error_base: str | None = None
    error_head: str | None = None

    @property
    def ref(self) -> str:
        return f"{self.namespace}/{self.name}"

    def count(self, change: Change) -> int:
        return sum(1 for o in self.objects if o.change == change)


@dataclass
class Side:
    """One side of the comparison: the ref as given, the commit (empty for the working
    tree), the number of Kustomizations rendered and how many came from the cache."""

    ref: str
    commit: str = ""
    rendered: int = 0
    cached: int = 0
    failed: int = 0


@dataclass
class DiffResult(Result):
    """The outcome of `diff`: every Kustomization that differs, in cluster order."""

    kind: ClassVar[str] = "DiffResult"

    base: Side
    head: Side
    changed_files: list[str] = field(default_factory=list)
    changed_only: bool = False
    kustomizations: list[KustomizationDiff] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    exit_on_change: bool = False

    def totals(self) -> dict[str, int]:
        out = {"added": 0, "removed": 0, "changed": 0, "moved": 0}
        for ks in self.kustomizations:
            for obj in ks.objects:
                out[obj.change] += 1
        return out

    @property
    def changed(self) -> bool:
        return any(k.status != "unchanged" for k in self.kustomizations)

    @property
    def new_failures(self) -> list[KustomizationDiff]:
        """Kustomizations the head fails to render (and the base did not)."""
        return [k for k in self.kustomizations if k.error_head and not k.error_base]

    @property
    def exit_code(self) -> int:
        """1 with --exit-code when anything changed, and always when the head breaks a
        Kustomization the base rendered."""
        if self.new_failures:
            return 1
        return 1 if self.exit_on_change and self.changed else 0

    def has_errors(self) -> bool:
        return bool(self.new_failures) or any(f.severity >= Severity.ERROR for f in self.findings)
