"""The outcome of one `validate` run: what each finding code means, the counts, and the rule
that turns findings into an exit status (`fail_on`)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from fluxops.model.findings import Finding, Severity
from fluxops.model.results import Result

#: Finding codes of `validate`, with what each means (SARIF rule help, docs).
CODES: dict[str, tuple[Severity, str]] = {
    "schema": (Severity.ERROR, "The object does not match its schema."),
    "schema-unknown-field": (
        Severity.ERROR,
        "A field the schema does not define: server-side apply (how Flux applies) rejects it "
        "(--allow-unknown-fields turns the check off; the `sops` block of a Secret is exempt).",
    ),
    "schema-cel": (Severity.ERROR, "A CEL validation rule (x-kubernetes-validations) fails."),
    "schema-cel-error": (
        Severity.INFO,
        "A CEL validation rule could not be evaluated on this object (evaluation error).",
    ),
    "schema-cel-unsupported": (
        Severity.INFO,
        "A CEL validation rule the CEL library cannot evaluate; it was counted, not checked.",
    ),
    "schema-cel-cost": (
        Severity.WARNING,
        "A CEL validation rule whose estimated cost on this object is over the API server's "
        "per-rule budget: not evaluated (the API server would stop it and reject the object).",
    ),
    "schema-crd-invalid": (
        Severity.ERROR,
        "The CRD's schema itself is invalid (a keyword value of the wrong type, a pattern that "
        "is not a regular expression): the API server refuses the CRD.",
    ),
    "schema-missing": (
        Severity.INFO,
        "No schema for this kind in any source (one line per kind, naming the sources tried); "
        "an error with --require-schemas.",
    ),
    "schema-not-served": (
        Severity.ERROR,
        "The kind is known, but not served in this version (by its CRD, the Flux CRDs or "
        "Kubernetes): the message names the served versions.",
    ),
    "apiserver": (
        Severity.ERROR,
        "A check the API server makes in Go code (selector vs template labels, restartPolicy, "
        "Job selector, HPA and PodDisruptionBudget bounds).",
    ),
    "apiserver-feature-gate": (
        Severity.WARNING,
        "Valid only when the cluster enables a feature gate that is off by default.",
    ),
    "api-off-by-default": (
        Severity.WARNING,
        "A built-in alpha or beta API version: served only when the cluster enables it.",
    ),
    "schema-deprecated": (Severity.WARNING, "The CRD marks this version as deprecated."),
    "catalog-version": (
        Severity.INFO,
        "A HelmRelease installs another release of an operator than the bundled CRDs are from.",
    ),
    "schema-location": (
        Severity.WARNING,
        "A --schema-location could not be read (unreachable URL, not JSON).",
    ),
    "metadata": (Severity.ERROR, "Invalid object metadata (name, namespace, labels, annotations)."),
    "build-failed": (Severity.ERROR, "A Flux Kustomization failed to render; nothing to validate."),
}


@dataclass
class SkippedRule:
    kind: str
    api_version: str
    rule: str
    reason: str
    count: int = 0


@dataclass
class ValidateResult(Result):
    kind: ClassVar[str] = "ValidateResult"

    findings: list[Finding] = field(default_factory=list)
    documents: int = 0
    validated: int = 0
    failed_documents: int = 0
    no_schema: int = 0
    not_served: int = 0
    skipped: int = 0
    kube_version: str = ""
    flux_release: str = ""
    crds: int = 0
    builds_ok: int = 0
    builds_failed: int = 0
    cel_evaluated: int = 0
    cel_skipped: list[SkippedRule] = field(default_factory=list)
    #: What the render assumed (source roots, Flux versions), said first in every format.
    notes: list[str] = field(default_factory=list)
    by_source: dict[str, int] = field(default_factory=dict)
    #: which source validated each object ("Kind/namespace/name (apiVersion)" -> source)
    object_sources: dict[str, str] = field(default_factory=dict)
    compiled: int = 0
    loaded_from_cache: int = 0
    seconds: float = 0.0
    root: Path | None = None
    #: the least severe finding that fails the run (exit 1)
    fail_on: Severity = Severity.ERROR

    @property
    def exit_code(self) -> int:
        return 1 if any(f.severity >= self.fail_on for f in self.findings) else 0

    def summary(self) -> dict[str, Any]:
        return {
            "documents": self.documents,
            "validated": self.validated,
            "failed_documents": self.failed_documents,
            "no_schema": self.no_schema,
            "not_served": self.not_served,
            "skipped": self.skipped,
            "coverage": round(100 * self.validated / self.documents, 1)
            if self.documents
            else 100.0,
            "kube_version": self.kube_version,
            "flux_crds": self.flux_release,
            "repo_crd_versions": self.crds,
            "kustomizations_ok": self.builds_ok,
            "kustomizations_failed": self.builds_failed,
            "cel_rules_evaluated": self.cel_evaluated,
            "cel_rules_not_evaluated": sum(s.count for s in self.cel_skipped),
            "schemas_by_source": self.by_source,
            "object_sources": self.object_sources,
            "validators_compiled": self.compiled,
            "validators_from_cache": self.loaded_from_cache,
            "seconds": round(self.seconds, 3),
        }


def dedupe(findings: list[Finding]) -> list[Finding]:
    """One finding per problem in a source file: a component rendered into twelve namespaces
    fails once, naming the other objects (`extra["objects"]`). Missing schemas are reported once
    per kind."""
    groups: dict[tuple[Any, ...], list[Finding]] = {}
    for f in findings:
        if f.code == "schema-missing":
            key: tuple[Any, ...] = (f.code, f.message)
        else:
            key = (f.code, f.file, f.line, f.path, f.message)
        groups.setdefault(key, []).append(f)
    out = []
    for group in groups.values():
        first = group[0]
        objects = list(dict.fromkeys(f.object for f in group if f.object))
        if len(objects) <= 1:
            out.append(first)
            continue
        message = first.message
        if first.code == "schema-missing":
            message += f" ({len(objects)} objects)"
        out.append(
            Finding(
                code=first.code,
                severity=max(f.severity for f in group),
                message=message,
                file=first.file,
                line=first.line,
                object=f"{objects[0]} and {len(objects) - 1} more",
                path=first.path,
                hint=first.hint,
                extra={**first.extra, "objects": objects},
            )
        )
    return out


def severity_counts(findings: Iterable[Finding]) -> Counter[str]:
    return Counter(str(f.severity) for f in findings)
