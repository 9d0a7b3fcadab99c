"""Offline schema coverage on the homelab fixture repos: every rendered object has a schema
(built-in, Flux, the repo's CRDs, the bundled catalog) except the kinds listed below, each with
the reason it is not bundled (docs/validate.md, "Coverage of the homelab fixtures"). A kind
that newly lacks a schema, or a catalog group that stops validating, fails here."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import FIXTURE_REPOS, require_fixture_repos

pytestmark = pytest.mark.corpus

HOMELAB = ("onedr0p__home-ops", "buroa__k8s-gitops")
#: API groups with no bundled schema, and why.
NOT_BUNDLED = {
    "kopiur.home-operations.com": "AGPL-3.0",
    "observability.giantswarm.io": "not served by the Go module proxy",
    "tuppr.home-operations.com": "not served by the Go module proxy",
    "miroir.home-operations.com": "not served by the Go module proxy",
    "talos.dev": "MPL-2.0: the catalog bundles permissive licenses only",
}
MISSING = re.compile(
    r"^no schema for \S+ (?P<group>[^/ ]+)/\S+ .*?(?:\((?P<count>\d+) objects\))?$"
)


@pytest.mark.timeout(600)
@pytest.mark.parametrize("name", HOMELAB)
def test_only_the_documented_kinds_lack_a_schema(name: str) -> None:
    require_fixture_repos()
    from fluxops import api

    result = api.validate(api.ValidateRequest(path=str(FIXTURE_REPOS / name), all_=True))
    missing: dict[str, int] = {}
    for finding in result.findings:
        if finding.code != "schema-missing":
            continue
        match = MISSING.match(finding.message)
        assert match, finding.message
        group = match["group"]
        missing[group] = missing.get(group, 0) + int(match["count"] or 1)
    assert set(missing) <= set(NOT_BUNDLED), missing
    assert sum(missing.values()) == result.no_schema
    assert result.not_served == 0 and result.skipped == 0
    assert result.validated + result.no_schema == result.documents
    # the groups added for these repos validate their objects
    assert result.by_source.get("catalog: grafana-operator v5.24.0", 0) >= 30
    assert result.by_source.get("catalog: network-attachment-definition v1.7.7", 0) >= 1
    schema_errors = [
        f for f in result.findings if f.code.startswith("schema") and str(f.severity) == "error"
    ]
    assert schema_errors == []


def test_the_documented_reasons_are_in_the_docs() -> None:
    text = (Path(__file__).resolve().parents[2] / "docs" / "validate.md").read_text()
    for group in NOT_BUNDLED:
        assert group in text, group
