"""`validate` and `lint` results as findings reports, in every format findings have: text
grouped by file, JSON, SARIF 2.1.0 and GitHub workflow annotations."""

from __future__ import annotations

from typing import Any

from fluxops.lint.result import LintResult
from fluxops.output.envelope import envelope, to_json, to_yaml
from fluxops.output.findings import (
    FindingsReport,
    RuleMeta,
    render_github,
    render_sarif,
    render_text,
    sort_key,
)
from fluxops.output.registry import Rendered, View, formatter
from fluxops.validate.results import ValidateResult

DOCS = "https://github.com/fluxops/fluxops/blob/main/docs/lint.md"


def validate_report(result: ValidateResult) -> FindingsReport:
    from fluxops.validate.results import CODES

    notes = [
        f"CEL rule not evaluated ({s.count}x, {s.kind} {s.api_version}): {s.reason}: {s.rule}"
        for s in result.cel_skipped
    ]
    return FindingsReport(
        tool="validate",
        findings=result.findings,
        rules={code: RuleMeta(code, sev, text) for code, (sev, text) in CODES.items()},
        summary=result.summary(),
        root=result.root,
        notes=notes,
        headlines=list(result.notes),
        checked=f"{result.documents} objects checked",
    )


def lint_report(result: LintResult) -> FindingsReport:
    from fluxops.lint.runner import META_CODES, all_rules

    rules = {
        r.id: RuleMeta(r.id, r.severity, r.summary, r.description(), f"{DOCS}#{r.id}")
        for r in all_rules()
    }
    rules.update({code: RuleMeta(code, sev, text) for code, (sev, text) in META_CODES.items()})
    return FindingsReport(
        tool="lint",
        findings=result.findings,
        rules=rules,
        summary=result.summary(),
        root=result.root,
        headlines=list(result.notes),
        checked=f"{result.objects} objects in {result.files} files checked",
    )


def _report(result: ValidateResult | LintResult) -> FindingsReport:
    if isinstance(result, ValidateResult):
        return validate_report(result)
    return lint_report(result)


def validate_headline(result: ValidateResult) -> str:
    s = result
    return (
        f"validated {s.validated} of {s.documents} objects (Kubernetes {s.kube_version}, "
        f"Flux {s.flux_release or '?'} CRDs, {s.crds} CRD versions from the repo); "
        f"{s.cel_evaluated} CEL rule checks, {sum(x.count for x in s.cel_skipped)} not "
        f"evaluated; {s.builds_failed} Kustomization(s) failed to render\n"
    )


@formatter("ValidateResult", "text")
@formatter("LintResult", "text")
def text_format(result: ValidateResult | LintResult, view: View) -> Rendered:
    """Findings grouped by file; validate adds a headline for people on stderr."""
    report = _report(result)
    headline = validate_headline(result) if isinstance(result, ValidateResult) else ""
    text = render_text(report, colour=view.colour, verbose=view.verbose)
    return Rendered(text, headline, stderr_first=True)


def validate_data(result: ValidateResult) -> dict[str, Any]:
    """The envelope of a validate run (docs/json.md)."""
    return envelope(
        result,
        summary={
            "objects": result.documents,
            "validated": result.validated,
            "failedObjects": result.failed_documents,
            "noSchema": result.no_schema,
            "notServed": result.not_served,
            "skipped": result.skipped,
            "coverage": result.summary()["coverage"],
            "kustomizationsOk": result.builds_ok,
            "kustomizationsFailed": result.builds_failed,
            "celRulesEvaluated": result.cel_evaluated,
            "celRulesNotEvaluated": sum(s.count for s in result.cel_skipped),
        },
        data={
            "kubeVersion": result.kube_version,
            "fluxCrds": result.flux_release,
            "repoCrdVersions": result.crds,
            "schemasBySource": dict(result.by_source),
            "objectSources": [
                {"object": label, "source": source}
                for label, source in result.object_sources.items()
            ],
            "validatorsCompiled": result.compiled,
            "validatorsFromCache": result.loaded_from_cache,
            "celNotEvaluated": [
                {
                    "kind": s.kind,
                    "apiVersion": s.api_version,
                    "rule": s.rule,
                    "reason": s.reason,
                    "count": s.count,
                }
                for s in result.cel_skipped
            ],
            "failOn": str(result.fail_on),
            "seconds": round(result.seconds, 3),
            "notes": list(result.notes),
        },
        findings=sorted(result.findings, key=sort_key),
    )


def lint_data(result: LintResult) -> dict[str, Any]:
    """The envelope of a lint run (docs/json.md)."""
    return envelope(
        result,
        summary={
            "files": result.files,
            "objects": result.objects,
            "rules": len(result.rules_run),
            "suppressed": result.suppressed,
            "ignoredByPath": result.ignored,
            "kustomizationsFailed": result.builds_failed,
            "unrenderedFindings": sum(1 for f in result.findings if f.extra.get("unrendered")),
        },
        data={
            "notes": list(result.notes),
            "findingsPerRule": dict(sorted(result.per_rule().items())),
            "rulesRun": list(result.rules_run),
            "config": result.config_file,
            "rendered": result.rendered,
            "failOn": str(result.fail_on),
            "seconds": round(result.seconds, 3),
        },
        findings=sorted(result.findings, key=sort_key),
    )


def to_data(result: ValidateResult | LintResult) -> dict[str, Any]:
    if isinstance(result, ValidateResult):
        return validate_data(result)
    return lint_data(result)


@formatter("ValidateResult", "json")
@formatter("LintResult", "json")
def json_format(result: ValidateResult | LintResult, view: View) -> Rendered:
    return Rendered(to_json(to_data(result), compact=view.compact))


@formatter("ValidateResult", "yaml")
@formatter("LintResult", "yaml")
def yaml_format(result: ValidateResult | LintResult, view: View) -> Rendered:
    return Rendered(to_yaml(to_data(result), compact=view.compact))


@formatter("ValidateResult", "sarif")
@formatter("LintResult", "sarif")
def sarif_format(result: ValidateResult | LintResult, view: View) -> Rendered:
    return Rendered(render_sarif(_report(result)))


@formatter("ValidateResult", "github")
@formatter("LintResult", "github")
def github_format(result: ValidateResult | LintResult, view: View) -> Rendered:
    return Rendered(render_github(_report(result)))
