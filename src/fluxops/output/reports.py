"""`validate` and `lint` results as findings reports, in every format findings have: text
grouped by file, JSON, SARIF 2.1.0 and GitHub workflow annotations."""

from __future__ import annotations

from fluxops.lint.result import LintResult
from fluxops.output.findings import (
    FindingsReport,
    RuleMeta,
    render_github,
    render_json,
    render_sarif,
    render_text,
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


@formatter("ValidateResult", "json")
@formatter("LintResult", "json")
def json_format(result: ValidateResult | LintResult, view: View) -> Rendered:
    return Rendered(render_json(_report(result)))


@formatter("ValidateResult", "sarif")
@formatter("LintResult", "sarif")
def sarif_format(result: ValidateResult | LintResult, view: View) -> Rendered:
    return Rendered(render_sarif(_report(result)))


@formatter("ValidateResult", "github")
@formatter("LintResult", "github")
def github_format(result: ValidateResult | LintResult, view: View) -> Rendered:
    return Rendered(render_github(_report(result)))
