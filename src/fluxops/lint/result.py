"""The outcome of one `lint` run."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from fluxops.model.findings import Finding, Severity
from fluxops.model.results import Result


@dataclass
class LintResult(Result):
    kind: ClassVar[str] = "LintResult"

    findings: list[Finding] = field(default_factory=list)
    rules_run: list[str] = field(default_factory=list)
    #: what was checked: YAML files, and objects (in the files and rendered)
    files: int = 0
    objects: int = 0
    suppressed: int = 0
    ignored: int = 0
    config_file: str | None = None
    rendered: bool = False
    builds_failed: int = 0
    root: Path | None = None
    seconds: float = 0.0
    #: the least severe finding that fails the run (exit 1)
    fail_on: Severity = Severity.ERROR
    #: Said before any finding: renders that failed, the source roots and Flux versions the
    #: render assumed.
    notes: list[str] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        return 1 if any(f.severity >= self.fail_on for f in self.findings) else 0

    def per_rule(self) -> Counter[str]:
        return Counter(f.code for f in self.findings)

    def summary(self) -> dict[str, Any]:
        return {
            "rules_run": len(self.rules_run),
            "findings_per_rule": dict(sorted(self.per_rule().items())),
            "suppressed": self.suppressed,
            "ignored_by_path": self.ignored,
            "config": self.config_file,
            "rendered": self.rendered,
            "kustomizations_failed": self.builds_failed,
            "unrendered_findings": sum(1 for f in self.findings if f.extra.get("unrendered")),
            "seconds": round(self.seconds, 3),
        }
