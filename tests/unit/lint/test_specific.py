"""Edge cases of individual rules that the examples do not cover."""

from __future__ import annotations

import pytest

from fluxops.lint.intervals import interval_problem
from fluxops.lint.rule import field_line
from fluxops.lint.rules.hr_inline_secret import HrInlineSecret, is_sensitive_key
from fluxops.lint.rules.image_marker import ImageMarker
from fluxops.lint.rules.ks_depends_on import KsDependsOn
from fluxops.lint.rules.ks_source_ref import KsSourceRef
from fluxops.lint.rules.kustomize_remote_unpinned import unpinned
from fluxops.lint.semver import is_valid_constraint
from fluxops.model.durations import parse_duration
from fluxops.model.resource import Origin, Resource
from tests.unit.lint.test_rules import context

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("10m", 600), ("1h30m", 5400), ("90s", 90), ("1.5h", 5400), ("10m0s", 600), ("bad", None),
     # as Go's time.ParseDuration: one sign at most, no spaces, the Greek mu is a unit
     ("--5m", None), (" 5m", None), ("+-1h", None), ("1\u03bcs", 1e-6), ("-0", 0.0)],
)  # fmt: skip
def test_parse_duration(text: str, seconds: float | None) -> None:
    assert parse_duration(text) == seconds


def test_interval_bounds() -> None:
    assert interval_problem("1m", "1m", "1h") is None
    assert interval_problem("1h", "1m", "1h") is None
    assert interval_problem("59s", "1m", "1h") is not None
    assert interval_problem("61m", "1m", "1h") is not None
    assert interval_problem(None, "1m", "1h") is not None
    assert interval_problem("${INTERVAL}", "1m", "1h") is None


@pytest.mark.parametrize(
    ("text", "valid"),
    [
        ("1.2.3", True),
        (">=1.2.0 <2.0.0", True),
        ("~1.2", True),
        ("^1.2.x", True),
        ("1.2 - 1.4", True),
        (">=1.0, <2.0 || 3.x", True),
        ("latest", False),
        ("1..2", False),
        (">= 1.2", True),
    ],
)
def test_semver_constraints(text: str, valid: bool) -> None:
    assert is_valid_constraint(text) is valid


@pytest.mark.parametrize(
    ("key", "sensitive"),
    [
        ("password", True),
        ("adminPassword", True),
        ("apiKey", True),
        ("client_secret", True),
        ("existingSecret", False),
        ("passwordSecretName", False),
        ("secretName", False),
        ("tokenSecretRef", False),
        ("existingSecretPasswordKey", False),
        ("replicas", False),
    ],
)
def test_sensitive_keys(key: str, sensitive: bool) -> None:
    assert is_sensitive_key(key) is sensitive


def test_inline_secret_skips_references_and_placeholders_and_never_prints_values() -> None:
    hr = """\
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata: {name: app, namespace: apps}
spec:
  interval: 30m
  chartRef: {kind: OCIRepository, name: app}
  values:
    githubConfigSecret: runner-secret
    password: ${DB_PASSWORD}
    token: ""
    auth:
      apiKey: Zm9vYmFyLXNlY3JldC12YWx1ZQ
"""
    found = list(HrInlineSecret().check(context({"hr.yaml": hr})))
    assert [f.path for f in found] == ["spec.values.auth.apiKey"]
    assert "Zm9vYmFy" not in found[0].message
    assert found[0].line == 12


def test_depends_on_unknown_and_cross_namespace_leniency() -> None:
    ks = """\
---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {{name: {name}{ns}}}
spec:
  interval: 10m
  path: ./
  prune: true
  sourceRef: {{kind: GitRepository, name: flux-system}}
  dependsOn: [{{name: {dep}}}]
"""
    files = {
        "a.yaml": ks.format(name="apps", ns="", dep="infra")
        + ks.format(name="infra", ns=", namespace: other", dep="missing")
    }
    found = list(KsDependsOn().check(context(files)))
    messages = [f.message for f in found]
    assert len(found) == 1, messages  # apps (namespace unknown) may depend on other/infra
    assert "missing" in messages[0]


def test_source_ref_accepts_external_artifacts_of_generators() -> None:
    files = {
        "ks.yaml": """\
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: apps, namespace: flux-system}
spec:
  interval: 10m
  path: ./
  prune: true
  sourceRef: {kind: ExternalArtifact, name: apps}
""",
        "gen.yaml": """\
apiVersion: source.extensions.fluxcd.io/v1beta1
kind: ArtifactGenerator
metadata: {name: gen, namespace: flux-system}
spec:
  sources: [{alias: repo, kind: GitRepository, name: flux-system}]
  artifacts: [{name: apps, copy: [{from: "@repo/apps/**", to: "@artifact/"}]}]
""",
    }
    assert list(KsSourceRef().check(context(files))) == []


def test_image_marker_unreachable_outside_update_path() -> None:
    files = dict(ImageMarker.passing)
    files["other/podinfo.yaml"] = files.pop("apps/podinfo.yaml")
    found = list(ImageMarker().check(context(files)))
    assert len(found) == 1 and "update.path" in found[0].message


def test_image_marker_missing_policy() -> None:
    files = dict(ImageMarker.passing)
    files["apps/podinfo.yaml"] = files["apps/podinfo.yaml"].replace(
        "flux-system:podinfo", "flux-system:nginx"
    )
    found = list(ImageMarker().check(context(files)))
    assert len(found) == 1 and "not defined" in found[0].message


@pytest.mark.parametrize(
    ("entry", "pinned"),
    [
        ("https://github.com/org/repo//deploy?ref=v1.2.3", True),
        ("github.com/org/repo/deploy?ref=0123abcd", True),
        ("https://github.com/org/repo//deploy?ref=main", False),
        ("https://github.com/org/repo//deploy", False),
        ("https://github.com/org/repo/releases/download/v1.2.3/install.yaml", True),
        ("https://github.com/org/repo/releases/latest/download/install.yaml", False),
    ],
)
def test_remote_pins(entry: str, pinned: bool) -> None:
    assert (unpinned(entry) is None) is pinned


def test_field_line_finds_direct_children_only() -> None:
    text = "kind: X\nspec:\n  chart:\n    spec:\n      interval: 5m\n  interval: 10m\n"
    res = Resource(raw={"kind": "X"}, origin=Origin("f.yaml", 0, 1))
    assert field_line(res, text, "spec", "interval") == 6
    assert field_line(res, text, "spec", "chart", "spec", "interval") == 5
    assert field_line(res, text, "spec", "missing") is None
