"""Renderers of findings: text grouped by file, JSON, SARIF 2.1.0 (validated against the OASIS
schema shipped in data/, see data/SOURCE.md) and GitHub workflow annotations."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from fluxops.model.findings import Finding, Severity
from fluxops.output.findings import (
    FindingsReport,
    RuleMeta,
    render_github,
    render_sarif,
    render_text,
)

pytestmark = pytest.mark.unit

SCHEMA = json.loads((Path(__file__).parent / "data" / "sarif-schema-2.1.0.json").read_text())


def report() -> FindingsReport:
    findings = [
        Finding(
            "ks-prune",
            Severity.WARNING,
            "prune is false",
            file="b.yaml",
            line=9,
            object="Kustomization/flux-system/apps",
            path="spec.prune",
            hint="set prune: true",
        ),
        Finding(
            "schema",
            Severity.ERROR,
            "spec.replicas: expected an integer, got string",
            file="a.yaml",
            line=7,
            object="Deployment/apps/web",
            path="spec.replicas",
        ),
        Finding("schema-cel-unsupported", Severity.INFO, "rule not evaluated", object="Widget"),
        Finding(
            "FO005",
            Severity.ERROR,
            "rendered twice, 100%: a, b",
            object="Kustomization/x",
            extra={"objects": ["a", "b"]},
        ),
    ]
    rules = {
        "ks-prune": RuleMeta(
            "ks-prune",
            Severity.WARNING,
            "prune missing",
            "Long help.",
            "https://example.com/ks-prune",
        ),
        "schema": RuleMeta("schema", Severity.ERROR, "schema violation"),
        "schema-cel-unsupported": RuleMeta("schema-cel-unsupported", Severity.INFO, "cel"),
    }
    return FindingsReport("lint", findings, rules, {"x": 1}, Path("/tmp/repo"))


def test_sarif_is_valid_sarif_2_1_0() -> None:
    doc = json.loads(render_sarif(report()))
    jsonschema.validate(doc, SCHEMA)
    run = doc["runs"][0]
    rule_ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
    assert "FO005" in rule_ids and "ks-prune" in rule_ids  # codes without metadata get a rule
    by_rule = {r["ruleId"]: r for r in run["results"]}
    loc = by_rule["schema"]["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"]["uri"] == "a.yaml" and loc["region"]["startLine"] == 7
    assert by_rule["schema-cel-unsupported"]["level"] == "note"
    help_rule = next(r for r in run["tool"]["driver"]["rules"] if r["id"] == "ks-prune")
    assert help_rule["help"]["text"] == "Long help." and help_rule["helpUri"]
    for result in run["results"]:
        assert run["tool"]["driver"]["rules"][result["ruleIndex"]]["id"] == result["ruleId"]
    assert run["originalUriBaseIds"]["SRCROOT"]["uri"].endswith("/")


def test_sarif_without_findings_is_valid() -> None:
    jsonschema.validate(json.loads(render_sarif(FindingsReport("validate", []))), SCHEMA)


def test_text_groups_by_file_and_hides_info() -> None:
    text = render_text(report())
    assert text.index("a.yaml") < text.index("b.yaml") < text.index("(no file)")
    assert "rule not evaluated" not in text
    assert "2 errors, 1 warning, 1 info (shown with --verbose) in 2 files" in text
    assert "\x1b[" not in text
    verbose = render_text(report(), verbose=True, colour=True)
    assert "rule not evaluated" in verbose and "\x1b[31m" in verbose


def test_github_annotations_escape_properties_and_data() -> None:
    lines = render_github(report()).splitlines()
    first = lines[0]
    assert first.startswith("::error file=a.yaml,line=7,title=fluxops lint%3A schema::")
    assert any(line.startswith("::notice ") for line in lines)
    fo = next(line for line in lines if "FO005" in line)
    assert "100%25" in fo and "\n" not in fo
    warning = next(line for line in lines if line.startswith("::warning"))
    assert "%0Ahint: set prune: true" in warning
