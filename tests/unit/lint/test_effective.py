"""Lint on effective objects (issue 15): values valuesFrom replaces are not inline secrets,
failed renders are said first, findings on unrendered files are marked, identical findings
print once with a count."""

from __future__ import annotations

import pytest

from fluxops.lint.context import LintContext, MemoryFiles, load_resources
from fluxops.lint.rendered import RENDER_FAILED, mark_unrendered, render_failures
from fluxops.lint.rules.hr_inline_secret import HrInlineSecret
from fluxops.lint.runner import run_lint
from fluxops.model.findings import Finding, Severity
from fluxops.model.resource import Origin, Resource
from fluxops.model.results import KustomizationBuild
from fluxops.output.findings import FindingsReport, render_text

pytestmark = pytest.mark.unit

RELEASE = """\
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: notifier
  namespace: apps
spec:
  interval: 30m
  chartRef:
    kind: OCIRepository
    name: notifier
  values:
    webhook_url: https://hooks.example.com/T000/B000/abcdef
    smtp:
      password: s3cr3t
    admin:
      password: PLACEHOLDER
    api:
      token: hunter2
{values_from}
"""


def secret_paths(files: dict[str, str]) -> list[str]:
    memory = MemoryFiles(files)
    resources, _ = load_resources(memory)
    result = run_lint(LintContext(files=memory, resources=resources), rules=[HrInlineSecret])
    return sorted(f.path or "" for f in result.findings)


def test_values_from_target_path_and_placeholders_are_not_secrets() -> None:
    plain = secret_paths({"hr.yaml": RELEASE.format(values_from="")})
    assert plain == [
        "spec.values.api.token",
        "spec.values.smtp.password",
        "spec.values.webhook_url",
    ]
    targeted = secret_paths(
        {
            "hr.yaml": RELEASE.format(
                values_from="  valuesFrom:\n    - kind: Secret\n      name: hooks\n"
                "      valuesKey: url\n      targetPath: webhook_url\n"
            )
        }
    )
    assert targeted == ["spec.values.api.token", "spec.values.smtp.password"]


def test_whole_key_merge_from_a_repo_configmap_replaces_its_keys() -> None:
    config = (
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: notifier-values\n"
        "  namespace: apps\ndata:\n  values.yaml: |\n    smtp:\n      password: from-vault\n"
    )
    merged = secret_paths(
        {
            "hr.yaml": RELEASE.format(
                values_from="  valuesFrom:\n    - kind: ConfigMap\n      name: notifier-values\n"
            ),
            "cm.yaml": config,
        }
    )
    assert merged == ["spec.values.api.token", "spec.values.webhook_url"]


def test_render_failures_and_unrendered_marks() -> None:
    ks = Resource(
        raw={
            "apiVersion": "kustomize.toolkit.fluxcd.io/v1",
            "kind": "Kustomization",
            "metadata": {"name": "apps", "namespace": "flux-system"},
            "spec": {"path": "./apps"},
        },
        origin=Origin("clusters/prod/apps.yaml", 0, 3),
    )
    failed = KustomizationBuild(cluster="clusters/prod", kustomization=ks)
    failed.fail("kustomize build failed: missing.yaml: no such file\nmore detail")
    ok = KustomizationBuild(cluster="clusters/prod", kustomization=ks)
    found = render_failures([failed, ok])
    assert len(found) == 1
    assert found[0].code == RENDER_FAILED and found[0].line == 3
    assert (
        "missing.yaml: no such file" in found[0].message and "more detail" not in found[0].message
    )
    plain = Finding("hr-interval", Severity.WARNING, "m", file="apps/hr.yaml")
    other = Finding("hr-interval", Severity.WARNING, "m", file="apps/other.yaml")
    marked = mark_unrendered([plain, other, *found], {"apps/hr.yaml"})
    assert marked[0].extra["unrendered"] and "[unrendered" in marked[0].message
    assert "unrendered" not in marked[1].extra
    assert marked[2] == found[0]
    unreached = mark_unrendered(
        [Finding("ks-path", Severity.ERROR, "m", file="old/ks.yaml")], set(), {"old/ks.yaml"}
    )
    assert unreached[0].severity == Severity.WARNING and "[unreached" in unreached[0].message


def test_identical_findings_print_once_with_a_count() -> None:
    same = Finding("FO006", Severity.WARNING, "${X} is left", file="a.yaml", line=2)
    report = FindingsReport(
        tool="lint",
        findings=[same, same, same, Finding("FO006", Severity.WARNING, "other", file="a.yaml")],
        headlines=["source root 'kubernetes/'"],
    )
    text = render_text(report)
    assert text.splitlines()[0] == "note: source root 'kubernetes/'"
    assert text.count("${X} is left") == 1 and "${X} is left (x3)" in text
