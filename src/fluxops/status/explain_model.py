"""The result of `fluxops explain`: why one Flux object is not ready and what to run next.
Renderers in `fluxops.output.explain` read only this."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from fluxops.model.findings import Finding, Severity
from fluxops.model.results import Result


@dataclass(frozen=True)
class AgedCondition:
    type: str
    status: str
    reason: str
    message: str
    last_transition_time: str | None
    age: str | None  # "3m20s" before the time of the explain run


@dataclass(frozen=True)
class ChainLink:
    """One object upstream of the explained one (a dependsOn, a source, the source's own
    source, ...). `via`: how the one below reaches it; `depth`: 1 for direct references."""

    id: str
    via: str
    depth: int
    state: str  # a status State, or Missing / Forbidden
    reason: str = ""
    message: str = ""
    since: str | None = None
    root_cause: bool = False
    waiting_for: tuple[str, ...] = ()


@dataclass(frozen=True)
class AgedEvent:
    type: str
    reason: str
    message: str
    count: int
    last_seen: str | None
    age: str | None


@dataclass(frozen=True)
class LogLine:
    controller: str
    ts: str
    level: str
    message: str
    error: str
    text: str  # as `flux logs` prints it


@dataclass
class ControllerLogs:
    """Where the log lines came from (per controller), and what could not be read."""

    read: bool = False
    source: str = ""  # live | snapshot | off
    controllers: list[str] = field(default_factory=list)
    lines: list[LogLine] = field(default_factory=list)
    omitted: int = 0  # older matching lines left out (the last `log_lines` per controller kept)
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class UnhealthyObject:
    id: str
    api_version: str
    status: str  # kstatus: InProgress | Failed | Terminating | NotFound | Unreadable
    message: str


@dataclass
class InventoryHealth:
    total: int = 0
    checked: int = 0
    unhealthy: list[UnhealthyObject] = field(default_factory=list)


@dataclass(frozen=True)
class HelmRevision:
    """One entry of a HelmRelease's status.history (newest first)."""

    version: int | None
    status: str
    chart: str
    chart_version: str
    app_version: str
    first_deployed: str | None
    last_deployed: str | None
    deleted: str | None = None
    test_status: str = ""


@dataclass
class ExplainResult(Result):
    """Everything `explain` found about one object. `error`: it could not look (unreachable,
    not found: then `suggestions`); exit 0 ready, 1 not ready, 2 could not look."""

    kind: ClassVar[str] = "ExplainResult"

    target: str
    origin: str = "live"  # live | snapshot
    cluster: str = ""
    generated_at: str = ""
    found: bool = False
    api_version: str = ""
    state: str = ""
    ready: bool = False
    reason: str = ""
    message: str = ""
    since: str | None = None
    suspended: bool = False
    revision: str | None = None
    root_cause: bool = False
    blocked_by: list[str] = field(default_factory=list)
    chain: list[ChainLink] = field(default_factory=list)
    conditions: list[AgedCondition] = field(default_factory=list)
    events: list[AgedEvent] = field(default_factory=list)
    logs: ControllerLogs = field(default_factory=ControllerLogs)
    inventory: InventoryHealth | None = None
    history: list[HelmRevision] | None = None
    hint: str = ""
    next_commands: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    error: str = ""
    error_hint: str = ""
    error_code: str = "error"  # the finding code of `error` (fluxops.errors)
    suggestions: list[str] = field(default_factory=list)

    def all_findings(self) -> list[Finding]:
        """The envelope's findings: why it could not look, when it could not."""
        if not self.error:
            return []
        return [
            Finding(
                self.error_code,
                Severity.ERROR,
                self.error,
                object=self.target,
                hint=self.error_hint or None,
            )
        ]

    @property
    def exit_code(self) -> int:
        if self.error or not self.found:
            return 2
        return 0 if self.ready else 1
