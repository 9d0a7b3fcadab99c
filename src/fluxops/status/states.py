"""The result model of `fluxops status`: one `ObjectStatus` per Flux object, the root causes
with what they block, per cluster; renderers in `fluxops.output.status` and `status_text` read only this."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime
from typing import ClassVar

from fluxops.model.results import Result


class State(enum.StrEnum):
    """The health of one object (kstatus-compatible, with Flux's Suspended)."""

    STALLED = "Stalled"  # a terminal failure: Stalled=True (retries exhausted, invalid spec)
    FAILED = "Failed"  # Ready=False: failed, the controller retries
    UNKNOWN = "Unknown"  # no Ready condition: never reconciled, or not reconcilable
    PROGRESSING = "Progressing"  # Reconciling=True, or a spec generation not yet observed
    SUSPENDED = "Suspended"  # spec.suspend: true
    READY = "Ready"  # Ready=True for the current generation

    @property
    def failing(self) -> bool:
        return self in (State.STALLED, State.FAILED)


#: Table and JSON order: failing first, then progressing, suspended, ready.
STATE_ORDER: tuple[State, ...] = (
    State.STALLED,
    State.FAILED,
    State.UNKNOWN,
    State.PROGRESSING,
    State.SUSPENDED,
    State.READY,
)

FAIL_ON = ("failed", "progressing", "none")


@dataclass(frozen=True)
class Condition:
    type: str
    status: str
    reason: str = ""
    message: str = ""
    last_transition_time: str | None = None
    observed_generation: int | None = None


@dataclass(frozen=True)
class Event:
    """A Kubernetes Event about an object (the most recent first)."""

    type: str
    reason: str
    message: str
    count: int
    last_seen: str | None


@dataclass(frozen=True)
class Hint:
    """What a failure reason usually means and the next commands to run."""

    reason: str
    text: str
    commands: tuple[str, ...] = ()


@dataclass(frozen=True)
class Edge:
    """`source` depends on `target` (an object id): the kind of reference says how."""

    via: str  # dependsOn | sourceRef | chart | chartRef | helmChart | imageRepositoryRef | ...
    target: str


@dataclass(frozen=True)
class FailedUpgrade:
    """A HelmRelease whose last attempt failed after an earlier successful release."""

    action: str  # upgrade | install | rollback | ...
    attempted: str  # chart version (or revision) attempted
    deployed: str  # chart version still deployed
    deployed_release: int | None = None
    failures: int | None = None


@dataclass
class ObjectStatus:
    """One Flux object's classification and everything known about why."""

    api_version: str
    kind: str
    namespace: str
    name: str
    state: State
    reason: str = ""
    message: str = ""
    since: str | None = None  # lastTransitionTime of the condition that decided the state
    #: whether it counts as ready for its dependents (Ready=True for the current generation)
    ready: bool = False
    suspended: bool = False
    generation: int | None = None
    observed_generation: int | None = None
    stale: bool = False  # its generation waits for a controller that does not come
    revision: str | None = None  # applied revision, artifact revision or deployed chart
    attempted_revision: str | None = None
    source_revision: str | None = None  # the upstream source's artifact revision
    behind_source: bool = False  # the source has a newer artifact than was applied
    failed_upgrade: FailedUpgrade | None = None
    conditions: list[Condition] = field(default_factory=list)
    upstream: list[Edge] = field(default_factory=list)
    #: upstream ids it waits for right now (its status says so and they are not ready)
    waiting_for: list[str] = field(default_factory=list)
    #: root-cause ids this object is blocked by (transitively); [] for a root cause
    blocked_by: list[str] = field(default_factory=list)
    root_cause: bool = False
    hint: Hint | None = None
    events: list[Event] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def id(self) -> str:
        return object_id(self.kind, self.namespace, self.name)


def object_id(kind: str, namespace: str, name: str) -> str:
    return f"{kind}/{namespace}/{name}" if namespace else f"{kind}/{name}"


@dataclass
class RootCause:
    """Something failing that is not explained by anything upstream of it.

    `type`: `object` (a failing object), `missing` (a referenced object that does not
    exist), `forbidden` (a referenced object the user may not read) or `cycle` (objects that
    wait for each other through dependsOn)."""

    id: str
    type: str
    members: list[str] = field(default_factory=list)  # the cycle's objects
    blocks: list[str] = field(default_factory=list)  # not-ready objects it explains
    affects: list[str] = field(default_factory=list)  # ready consumers that get no updates
    hint: Hint | None = None


@dataclass(frozen=True)
class Forbidden:
    verb: str
    resource: str
    namespace: str | None
    message: str


@dataclass(frozen=True)
class ClusterIssue:
    """Why a cluster could not be read at all."""

    message: str
    hint: str | None = None
    #: the error's code (fluxops.errors): cluster-unreachable, cluster-forbidden, ...
    code: str = "cluster-unreachable"


@dataclass
class ClusterStatus:
    """One cluster (a kubeconfig context) or snapshot file."""

    name: str
    server: str = ""
    origin: str = "live"  # live | snapshot
    namespace: str | None = None  # the -n filter
    api_versions: dict[str, str] = field(default_factory=dict)
    objects: list[ObjectStatus] = field(default_factory=list)
    root_causes: list[RootCause] = field(default_factory=list)
    cycles: list[list[str]] = field(default_factory=list)
    forbidden: list[Forbidden] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    error: ClusterIssue | None = None
    seconds: float = 0.0

    def counts(self) -> dict[State, int]:
        out = dict.fromkeys(STATE_ORDER, 0)
        for obj in self.objects:
            out[obj.state] += 1
        return out

    def by_id(self) -> dict[str, ObjectStatus]:
        return {o.id: o for o in self.objects}


@dataclass
class StatusResult(Result):
    """Everything one `status` run found, cluster by cluster."""

    kind: ClassVar[str] = "StatusResult"

    clusters: list[ClusterStatus]
    generated_at: datetime
    fail_on: str = "failed"

    def counts(self) -> dict[State, int]:
        out = dict.fromkeys(STATE_ORDER, 0)
        for cluster in self.clusters:
            for state, n in cluster.counts().items():
                out[state] += n
        return out

    @property
    def errors(self) -> list[ClusterStatus]:
        return [c for c in self.clusters if c.error is not None]

    def failing(self, fail_on: str | None = None) -> bool:
        """Whether the run should exit 1 under `fail_on` (failed | progressing | none)."""
        mode = fail_on or self.fail_on
        if mode == "none":
            return False
        bad = {State.STALLED, State.FAILED}
        if mode == "progressing":
            bad |= {State.PROGRESSING, State.UNKNOWN}
        return any(o.state in bad for c in self.clusters for o in c.objects)

    @property
    def exit_code(self) -> int:
        """2 when a cluster could not be read, else 1 when something is failing (fail_on)."""
        if self.errors:
            return 2
        return 1 if self.failing() else 0

    def all_ready(self) -> bool:
        """Every object Ready (suspended ones aside) and every cluster read."""
        return not self.errors and all(
            o.state in (State.READY, State.SUSPENDED) for c in self.clusters for o in c.objects
        )
