"""Results: the base every verb's result derives from, and the results of the render step
(every analysis and renderer reads those)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

from fluxops.model.findings import Finding, Severity
from fluxops.model.graph import KustomizationGraph
from fluxops.model.resource import Resource

#: ok: built; failed: Flux would fail it too; skipped: its source is outside this repository
#: (another Git repository, an OCI registry; `--source` maps it); unreached: no cluster entry
#: applies it (listed, built only with `--include-unreached`).
Status = Literal["ok", "failed", "skipped", "unreached"]


class Result:
    """What every verb returns: its findings and the exit status it stands for. Renderers
    (`fluxops.output`) turn a result into text, JSON, SARIF, ...; `kind` names the result in
    machine-readable output. Results never hold a Secret value."""

    kind: ClassVar[str] = "Result"

    def all_findings(self) -> list[Finding]:
        """Every finding of the run (a result with nested parts gathers theirs)."""
        return list(getattr(self, "findings", []))

    @property
    def exit_code(self) -> int:
        """0 clean, 1 findings/failures/differences, 2 could not look (see fluxops.errors)."""
        raise NotImplementedError

    # -- the JSON envelope's hooks (fluxops.output.envelope, docs/json.md) --------------------

    def envelope_summary(self) -> dict[str, Any]:
        """The verb's counts for the envelope's `summary` (camelCase keys); `errors`,
        `warnings`, `info` and `exitCode` are added by the envelope."""
        return {}

    def envelope_data(self) -> dict[str, Any] | None:
        """The verb's data: top-level keys of the envelope (camelCase). None (the default):
        every dataclass field of the result but `findings`, keys camelCased."""
        return None


@dataclass
class ErrorResult(Result):
    """A command that could not run (usage, not found, cluster unreachable or forbidden,
    engine missing, internal error): with `-o json|yaml` it is printed as an envelope of kind
    `ErrorResult` on stdout, one finding naming the cause."""

    kind: ClassVar[str] = "ErrorResult"

    code: str = "error"
    message: str = ""
    hint: str | None = None
    file: str | None = None
    object: str | None = None
    status: int = 2
    command: str = ""

    @property
    def findings(self) -> list[Finding]:
        return [
            Finding(
                self.code,
                Severity.ERROR,
                self.message,
                file=self.file,
                object=self.object,
                hint=self.hint,
            )
        ]

    @property
    def exit_code(self) -> int:
        return self.status

    def envelope_data(self) -> dict[str, Any] | None:
        return {"command": self.command}


@dataclass
class KustomizationBuild:
    """The outcome of rendering one Flux Kustomization."""

    cluster: str
    kustomization: Resource
    status: Status = "ok"
    objects: list[Resource] = field(default_factory=list)
    error: str | None = None
    findings: list[Finding] = field(default_factory=list)
    parent: str | None = None
    source: str = ""
    source_dir: str = ""
    cached: bool = False
    #: skipped: the source's URL and the `--source` flag that maps it to a local folder.
    source_url: str = ""
    source_flag: str = ""

    @property
    def namespace(self) -> str:
        return self.kustomization.namespace or "default"

    @property
    def name(self) -> str:
        return self.kustomization.name

    @property
    def ref(self) -> str:
        return f"{self.namespace}/{self.name}"

    @property
    def target(self) -> str:
        """Where the objects are applied: the cluster, or the remote cluster named by
        spec.kubeConfig (hub-and-spoke repos)."""
        kube_config = self.kustomization.spec.get("kubeConfig")
        if isinstance(kube_config, dict):
            ref = kube_config.get("secretRef")
            name = ref.get("name") if isinstance(ref, dict) else None
            return f"{self.cluster} -> kubeConfig {self.namespace}/{name or '?'}"
        return self.cluster

    @property
    def path(self) -> str:
        value = self.kustomization.spec.get("path")
        return value if isinstance(value, str) else ""

    def fail(self, message: str) -> None:
        self.status = "failed"
        self.error = message
        self.objects = []

    def skip(self, message: str, *, url: str, flag: str) -> None:
        """Not built: the source's files are not in this repository."""
        self.status = "skipped"
        self.error = message
        self.objects = []
        self.source_url = url
        self.source_flag = flag


@dataclass
class BuildResult(Result):
    """Everything one `build` run produced, in build order."""

    kind: ClassVar[str] = "BuildResult"

    builds: list[KustomizationBuild] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    graph: KustomizationGraph | None = None
    #: What the run assumed and why: each source's root folder, each cluster's Flux version.
    notes: list[str] = field(default_factory=list)
    #: The Flux release (major, minor, patch; -1 unknown) assumed for each cluster built.
    flux_releases: dict[str, tuple[int, int, int]] = field(default_factory=dict)
    #: `--require-all`: a skipped Kustomization fails the run too.
    require_all: bool = False

    def count(self, status: Status) -> int:
        return sum(1 for b in self.builds if b.status == status)

    @property
    def ok(self) -> int:
        return self.count("ok")

    @property
    def failed(self) -> int:
        """Kustomizations that fail the run: failed ones (and skipped with --require-all)."""
        return self.count("failed") + (self.count("skipped") if self.require_all else 0)

    @property
    def skipped(self) -> int:
        return self.count("skipped")

    @property
    def unreached(self) -> int:
        return self.count("unreached")

    def summary(self) -> dict[str, int]:
        return {
            "ok": self.ok,
            "failed": self.count("failed"),
            "skipped": self.skipped,
            "unreached": self.unreached,
        }

    def all_findings(self) -> list[Finding]:
        out = list(self.findings)
        for build in self.builds:
            out.extend(build.findings)
        return out

    @property
    def exit_code(self) -> int:
        """1 when a Kustomization failed to render."""
        return 1 if self.failed else 0

    def has_errors(self) -> bool:
        return self.failed > 0 or any(f.severity >= Severity.ERROR for f in self.all_findings())
