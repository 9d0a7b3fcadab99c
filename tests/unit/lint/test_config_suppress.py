"""`.fluxops.yaml` and suppression comments."""

from __future__ import annotations

import pytest

from fluxops.errors import UsageError
from fluxops.lint.config import LintConfig, parse_config
from fluxops.lint.rules.ks_prune import KsPrune
from fluxops.lint.runner import META_CODES, rule_defaults, run_lint
from fluxops.lint.suppress import parse_suppressions
from fluxops.model.findings import Severity
from tests.unit.lint.test_rules import context

pytestmark = pytest.mark.unit


def config(text: str) -> LintConfig:
    return parse_config(text, "/repo/.fluxops.yaml", rule_defaults(), META_CODES)


def test_config_disable_severity_options_ignore() -> None:
    cfg = config(
        """\
lint:
  disable: [hr-chart-version]
  severity: {ks-prune: error}
  options: {ks-interval: {max: 2h}}
  ignore: ["legacy/**"]
"""
    )
    assert cfg.disabled == {"hr-chart-version"}
    assert cfg.severity == {"ks-prune": Severity.ERROR}
    assert cfg.options == {"ks-interval": {"max": "2h"}}
    assert cfg.ignore == ["legacy/**"]


def test_config_disable_all_then_enable() -> None:
    cfg = config("lint:\n  disable: [all]\n  enable: [ks-prune]\n")
    assert "ks-prune" not in cfg.disabled and "ks-interval" in cfg.disabled


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("lint:\n  disable: [no-such-rule]\n", "no-such-rule"),
        ("lint:\n  severity: {ks-prune: fatal}\n", "fatal"),
        ("lint:\n  options: {ks-interval: {maximum: 2h}}\n", "maximum"),
        ("lint:\n  options: {kustomize-large-patch: {max_lines: lots}}\n", "max_lines"),
        ("lint:\n  disabel: [ks-prune]\n", "disabel"),
        ("linting: {}\n", "linting"),
        ("lint: [\n", "invalid YAML"),
    ],
)
def test_bad_config_is_a_usage_error_naming_the_file(text: str, needle: str) -> None:
    with pytest.raises(UsageError) as info:
        config(text)
    message = str(info.value)
    assert needle in message and "/repo/.fluxops.yaml" in message
    assert info.value.exit_code == 2


def test_config_applies_in_run() -> None:
    ctx = context(KsPrune.failing)
    assert [f.severity for f in run_lint(ctx).findings if f.code == "ks-prune"] == [
        Severity.WARNING
    ]
    raised = run_lint(ctx, config("lint:\n  severity: {ks-prune: error}\n"))
    assert [f.severity for f in raised.findings if f.code == "ks-prune"] == [Severity.ERROR]
    off = run_lint(ctx, config("lint:\n  disable: [ks-prune]\n"))
    assert not [f for f in off.findings if f.code == "ks-prune"]
    ignored = run_lint(ctx, config("lint:\n  ignore: ['apps.yaml']\n"))
    assert not [f for f in ignored.findings if f.code == "ks-prune"] and ignored.ignored == 1


KNOWN = {"ks-prune", "ks-interval"}


def test_suppression_next_line_document_trailing_and_file() -> None:
    text = """\
# fluxops:ignore ks-prune -- CRDs are never pruned
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
spec:
  interval: 10s  # fluxops:ignore ks-interval -- load test cluster
---
apiVersion: v1
kind: ConfigMap
"""
    s = parse_suppressions(text, "f.yaml", KNOWN)
    assert not s.problems
    assert s.covers("ks-prune", 2) and s.covers("ks-prune", 5)  # the whole first document
    assert not s.covers("ks-prune", 7)
    assert s.covers("ks-interval", 5) and not s.covers("ks-interval", 4)
    whole = parse_suppressions(
        "# fluxops:ignore-file ks-prune -- vendored\na: 1\n", "f.yaml", KNOWN
    )
    assert whole.covers("ks-prune", 99)


def test_suppression_needs_a_reason_and_known_ids() -> None:
    s = parse_suppressions("# fluxops:ignore ks-prune\na: 1\n", "f.yaml", KNOWN)
    assert not s.covers("ks-prune", 2)
    assert "no reason" in s.problems[0].message
    s = parse_suppressions("# fluxops:ignore nope -- because\na: 1\n", "f.yaml", KNOWN)
    assert "unknown rule" in s.problems[0].message


def test_suppression_in_run() -> None:
    files = dict(KsPrune.failing)
    files["apps.yaml"] = "# fluxops:ignore ks-prune -- CRDs only\n" + files["apps.yaml"]
    result = run_lint(context(files))
    assert not [f for f in result.findings if f.code == "ks-prune"]
    assert result.suppressed == 1
    files["apps.yaml"] = files["apps.yaml"].replace(" -- CRDs only", "")
    result = run_lint(context(files))
    codes = [f.code for f in result.findings]
    assert "ks-prune" in codes and "lint-suppression" in codes
