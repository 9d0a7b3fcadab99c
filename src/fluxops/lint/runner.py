"""Run the lint rules over a context: configuration, severity overrides, ignored paths and
suppression comments applied; a rule that crashes becomes a finding, never a traceback."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from fluxops.lint.config import LintConfig
from fluxops.lint.context import LintContext
from fluxops.lint.rendered import (
    RENDER_FAILED,
    RENDER_FAILED_SUMMARY,
    headline,
    mark_unrendered,
    render_failures,
    unreached_files,
)
from fluxops.lint.result import LintResult
from fluxops.lint.rule import Rule
from fluxops.lint.suppress import CODE as SUPPRESSION_CODE
from fluxops.lint.suppress import FileSuppressions, parse_suppressions
from fluxops.model.findings import Finding, Severity

if TYPE_CHECKING:
    import pathspec

CRASH_CODE = "lint-crash"
#: Codes lint reports that are not rules (they can still be given a severity or disabled).
META_CODES = {
    SUPPRESSION_CODE: (Severity.WARNING, "A suppression comment without a reason or rule id."),
    CRASH_CODE: (Severity.ERROR, "A lint rule failed on this repository (a bug in fluxops)."),
    RENDER_FAILED: (Severity.WARNING, RENDER_FAILED_SUMMARY),
}


def all_rules() -> list[type[Rule]]:
    from fluxops.lint.rules import RULES

    return list(RULES)


def rule_defaults() -> dict[str, dict[str, object]]:
    return {r.id: dict(r.defaults) for r in all_rules()}


def run_lint(
    ctx: LintContext, config: LintConfig | None = None, rules: Sequence[type[Rule]] | None = None
) -> LintResult:
    started = time.perf_counter()
    config = config or LintConfig()
    chosen = list(rules) if rules is not None else all_rules()
    ctx.options = {**ctx.options, **config.options}
    result = LintResult(config_file=config.file, rendered=bool(ctx.builds))
    failures = render_failures(ctx.builds)
    raw: list[Finding] = list(failures)
    for rule_cls in chosen:
        if rule_cls.id in config.disabled:
            continue
        result.rules_run.append(rule_cls.id)
        try:
            raw.extend(rule_cls().check(ctx))
        except Exception as exc:  # a bug in a rule must not hide the others
            raw.append(
                Finding(
                    CRASH_CODE,
                    Severity.ERROR,
                    f"rule {rule_cls.id} failed: {type(exc).__name__}: {exc}",
                    hint="please report this; other rules ran normally",
                )
            )
    raw = mark_unrendered(raw, ctx.unrendered_files, unreached_files(ctx.builds))
    known = {r.id for r in all_rules()} | set(META_CODES)
    suppressions: dict[str, FileSuppressions] = {}

    def suppressions_of(file: str) -> FileSuppressions:
        if file not in suppressions:
            text = ctx.files.read(file)
            suppressions[file] = parse_suppressions(text or "", file, known)
            raw.extend(suppressions[file].problems)
        return suppressions[file]

    for rel in ctx.files.yaml_files():  # bad suppression comments are reported everywhere
        text = ctx.files.read(rel)
        if text is not None and "fluxops:" in text:
            suppressions_of(rel)
    ignore = _ignore_spec(config.ignore)
    kept: list[Finding] = []
    seen: set[tuple[object, ...]] = set()
    for finding in raw:
        if finding.code in config.disabled:
            continue
        if finding.file and ignore is not None and ignore.match_file(finding.file):
            result.ignored += 1
            continue
        if (
            finding.file
            and finding.code != SUPPRESSION_CODE
            and suppressions_of(finding.file).covers(finding.code, finding.line)
        ):
            result.suppressed += 1
            continue
        if finding.code in config.severity:
            finding = Finding(
                code=finding.code,
                severity=config.severity[finding.code],
                message=finding.message,
                file=finding.file,
                line=finding.line,
                object=finding.object,
                path=finding.path,
                hint=finding.hint,
                extra=finding.extra,
            )
        key = (finding.code, finding.file, finding.line, finding.message)
        if key in seen:
            continue
        seen.add(key)
        kept.append(finding)
    result.findings = kept
    if RENDER_FAILED not in config.disabled:
        result.notes[:0] = headline(failures)
    result.seconds = time.perf_counter() - started
    return result


def _ignore_spec(patterns: list[str]) -> pathspec.PathSpec[Any] | None:
    if not patterns:
        return None
    from fluxops.loader.sourceignore import gitignore_spec

    return gitignore_spec(patterns)
