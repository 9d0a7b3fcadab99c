"""The result of `fluxops check`: whether a cluster can run what a repository asks of it.
Renderers in `fluxops.output.check` read only this."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from fluxops.model.findings import Finding, Severity
from fluxops.model.results import Result

#: fluxcd/flux2 v2.9 cmd/flux/check.go: kubernetesConstraints = [">=1.33.0-0"]
KUBERNETES_MINIMUM = (1, 33, 0)
FLUX_VERSION = "v2.9"


@dataclass(frozen=True)
class ControllerCheck:
    """One Flux controller Deployment: its images (and their tags), and kstatus' verdict."""

    name: str
    images: tuple[str, ...]
    versions: tuple[str, ...]
    status: str  # Current | InProgress | Failed | ...
    message: str
    available: bool


@dataclass(frozen=True)
class ServedKind:
    """A Flux kind the cluster serves, with every apiVersion it serves it in (preferred first)."""

    kind: str
    api_versions: tuple[str, ...]


@dataclass(frozen=True)
class RepoApiVersion:
    """One apiVersion/kind pair the repository uses, how often, where first, and whether the
    cluster serves it (`served`: the apiVersions it serves the kind in)."""

    api_version: str
    kind: str
    count: int
    first: str  # file:line
    ok: bool
    served: tuple[str, ...]
    note: str = ""


@dataclass
class CheckResult(Result):
    kind: ClassVar[str] = "CheckResult"

    cluster: str = ""
    server: str = ""
    kubernetes_version: str = ""
    kubernetes_minimum: str = ".".join(map(str, KUBERNETES_MINIMUM))
    kubernetes_ok: bool = False
    flux_namespace: str = "flux-system"
    controllers: list[ControllerCheck] = field(default_factory=list)
    served: list[ServedKind] = field(default_factory=list)
    repo: str | None = None
    repo_api_versions: list[RepoApiVersion] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    error: str = ""
    error_hint: str = ""
    error_code: str = "error"  # the finding code of `error` (fluxops.errors)

    def all_findings(self) -> list[Finding]:
        """The findings, and why it could not look when it could not."""
        if not self.error:
            return list(self.findings)
        cause = Finding(self.error_code, Severity.ERROR, self.error, hint=self.error_hint or None)
        return [cause, *self.findings]

    @property
    def exit_code(self) -> int:
        if self.error:
            return 2
        return 1 if any(f.severity >= Severity.ERROR for f in self.findings) else 0
