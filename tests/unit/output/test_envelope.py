"""The envelope (fluxops.output.envelope): its shape, the hooks a new verb uses, the schemas."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import ClassVar

import pytest

from fluxops.model.findings import Finding, Severity
from fluxops.model.results import ErrorResult, Result
from fluxops.output.envelope import camel, envelope, schema_errors
from fluxops.output.registry import View, render

pytestmark = pytest.mark.unit


@dataclass
class FrobResult(Result):
    """A verb that defines nothing but its result: it still gets -o json and -o yaml."""

    kind: ClassVar[str] = "FrobResult"

    findings: list[Finding] = field(default_factory=list)
    widget_count: int = 0
    by_owner: dict[str, int] = field(default_factory=dict)

    @property
    def exit_code(self) -> int:
        return 1 if self.findings else 0


@dataclass
class CountedResult(FrobResult):
    kind: ClassVar[str] = "CountedResult"

    def envelope_summary(self) -> dict[str, object]:
        return {"widgets": self.widget_count}

    def envelope_data(self) -> dict[str, object]:
        return {"owners": sorted(self.by_owner)}


def test_a_new_result_gets_the_envelope_from_its_fields() -> None:
    found = Finding("frob-bent", Severity.WARNING, "bent", file="a.yaml", line=3)
    result = FrobResult(findings=[found], widget_count=2, by_owner={"team_a": 1})
    doc = json.loads(render(result, "json").stdout)
    assert doc["kind"] == "FrobResult" and doc["apiVersion"] == "fluxops.io/v1"
    assert doc["summary"] == {"errors": 0, "warnings": 1, "info": 0, "exitCode": 1}
    assert doc["widgetCount"] == 2
    assert doc["byOwner"] == {"team_a": 1}  # data keyed by names is left as it is
    assert doc["findings"][0]["file"] == "a.yaml" and doc["findings"][0]["hint"] is None
    assert schema_errors(doc) == []  # the shared envelope schema for a kind without its own
    assert render(result, "yaml").stdout.startswith("apiVersion: fluxops.io/v1\n")


def test_hooks_give_the_summary_and_the_data() -> None:
    doc = json.loads(
        render(CountedResult(widget_count=5, by_owner={"b": 1, "a": 2}), "json").stdout
    )
    assert doc["summary"]["widgets"] == 5 and doc["summary"]["exitCode"] == 0
    assert doc["owners"] == ["a", "b"] and "widgetCount" not in doc


def test_compact_json_is_one_line() -> None:
    text = render(FrobResult(), "json", View(compact=True)).stdout
    assert text.count("\n") == 1 and json.loads(text)["kind"] == "FrobResult"


def test_data_may_not_shadow_the_envelope() -> None:
    with pytest.raises(ValueError, match="summary"):
        envelope(FrobResult(), data={"summary": 1})


def test_schema_errors_name_what_is_wrong() -> None:
    doc = envelope(ErrorResult(code="usage", message="bad flag", status=2, command="fluxops x"))
    assert schema_errors(doc) == []
    broken = {**doc, "summary": {**doc["summary"], "exitCode": 7}}
    assert any("exitCode" in e for e in schema_errors(broken))
    snake = {**doc, "exit_code": 2}
    assert schema_errors(snake)  # keys are camelCase
    shapeless = {**doc, "findings": [{"code": "x"}]}
    assert any("severity" in e for e in schema_errors(shapeless))


def test_camel() -> None:
    assert camel("kube_version") == "kubeVersion"
    assert camel("in-sync") == "inSync"
    assert camel("ok") == "ok"
