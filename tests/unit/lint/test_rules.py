"""Every rule's passing and failing example (they are its documentation) run through the rule
and through the whole lint pipeline."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from fluxops.lint.context import LintContext, MemoryFiles, load_resources
from fluxops.lint.rule import Rule
from fluxops.lint.rules import RULES
from fluxops.lint.runner import run_lint
from fluxops.model.findings import Finding, Severity

pytestmark = pytest.mark.unit


def context(files: dict[str, str]) -> LintContext:
    memory = MemoryFiles(files)
    resources, findings = load_resources(memory)
    assert not findings, findings
    return LintContext(files=memory, resources=resources)


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_passing_example_has_no_finding(rule: type[Rule]) -> None:
    result = run_lint(context(rule.passing))
    assert [f for f in result.findings if f.code == rule.id] == []
    assert not [f for f in result.findings if f.code == "lint-crash"]


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_failing_example_has_a_finding(rule: type[Rule]) -> None:
    found = list(rule().check(context(rule.failing)))
    assert found, f"{rule.id}: the failing example produced no finding"
    for finding in found:
        assert finding.code == rule.id
        assert finding.file, f"{rule.id}: findings must name a file"
        assert finding.message
    result = run_lint(context(rule.failing))
    assert any(f.code == rule.id for f in result.findings)


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_rule_is_documented(rule: type[Rule]) -> None:
    assert rule.id and rule.id == rule.id.lower()
    assert rule.summary and rule.passing and rule.failing
    assert len(rule.description()) > 80, "the module docstring explains the rule"
    assert isinstance(rule.severity, Severity)


def test_rule_ids_are_unique() -> None:
    ids = [r.id for r in RULES]
    assert len(ids) == len(set(ids))


def test_a_crashing_rule_becomes_a_finding() -> None:
    class Broken(Rule):
        id = "broken"
        summary = "always fails"

        def check(self, ctx: LintContext) -> Iterator[Finding]:
            raise RuntimeError("boom")

    result = run_lint(context({"a.yaml": "kind: ConfigMap\n"}), rules=[Broken])
    assert [f.code for f in result.findings] == ["lint-crash"]
    assert "boom" in result.findings[0].message
