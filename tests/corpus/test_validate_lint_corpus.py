"""validate and lint over every public repo in ../shared/fixtures/repos: no crash, no internal
error, and the findings per rule printed in the terminal summary ("validate/lint corpus")."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from tests.conftest import fixture_repos, require_fixture_repos

pytestmark = pytest.mark.corpus

COUNTS: dict[str, dict[str, Counter[str]]] = {}


class _Summary:
    def pytest_terminal_summary(self, terminalreporter: pytest.TerminalReporter) -> None:
        if not COUNTS:
            return
        terminalreporter.section("validate/lint corpus: findings per rule")
        for repo in sorted(COUNTS):
            for verb in ("validate", "lint"):
                counts = COUNTS[repo].get(verb)
                if counts is None:
                    continue
                shown = ", ".join(f"{k}={v}" for k, v in sorted(counts.items())) or "none"
                terminalreporter.write_line(f"{repo} {verb}: {shown}")


@pytest.fixture(scope="module", autouse=True)
def _summary(request: pytest.FixtureRequest) -> None:
    manager = request.config.pluginmanager
    if not manager.has_plugin("fluxops-validate-lint-corpus"):
        manager.register(_Summary(), "fluxops-validate-lint-corpus")


def _repos() -> list[Path]:
    return fixture_repos() or [Path("missing")]


@pytest.mark.timeout(600)
@pytest.mark.parametrize("repo", _repos(), ids=lambda p: p.name)
def test_validate_corpus(repo: Path) -> None:
    require_fixture_repos()
    from fluxops import api

    result = api.validate(api.ValidateRequest(path=str(repo), all_=True))
    assert result.documents > 0
    assert result.validated + result.no_schema + result.not_served == result.documents
    for finding in result.findings:
        assert finding.code and finding.message
        assert "internal error" not in finding.message
    COUNTS.setdefault(repo.name, {})["validate"] = Counter(f.code for f in result.findings)


@pytest.mark.timeout(600)
@pytest.mark.parametrize("repo", _repos(), ids=lambda p: p.name)
def test_lint_corpus(repo: Path) -> None:
    require_fixture_repos()
    from fluxops import api

    result = api.lint(api.LintRequest(path=str(repo)))
    crashes = [f.message for f in result.findings if f.code == "lint-crash"]
    assert crashes == []
    assert len(result.rules_run) >= 20
    COUNTS.setdefault(repo.name, {})["lint"] = Counter(f.code for f in result.findings)
