"""Shared test plumbing: where the real public repos are, golden files, the example repo."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "podinfo-platform"
GOLDEN = Path(__file__).resolve().parent / "golden"
FIXTURE_REPOS = ROOT.parent / "shared" / "fixtures" / "repos"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="rewrite golden files from the current output instead of comparing",
    )


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


def fixture_repos() -> list[Path]:
    if not FIXTURE_REPOS.is_dir():
        return []
    return sorted(p for p in FIXTURE_REPOS.iterdir() if p.is_dir())


def require_fixture_repos() -> None:
    """Skip a corpus test when the shared repos are absent; fail instead when the environment
    sets FLUXOPS_REQUIRE_FIXTURES (CI does: a missing folder must not pass as skips)."""
    if FIXTURE_REPOS.is_dir():
        return
    message = f"the shared fixture repos are not at {FIXTURE_REPOS} (corpus tier needs them)"
    if os.environ.get("FLUXOPS_REQUIRE_FIXTURES"):
        pytest.fail(f"{message}, and FLUXOPS_REQUIRE_FIXTURES is set", pytrace=False)
    pytest.skip(message)


def assert_golden(path: Path, actual: str, update: bool) -> None:
    """Compare with a golden file; `pytest --update-golden` rewrites it instead."""
    if update or not path.exists():
        if not update:
            pytest.fail(f"golden file {path} is missing: run pytest --update-golden and review it")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8")
        return
    expected = path.read_text(encoding="utf-8")
    assert actual == expected, f"output differs from {path} (pytest --update-golden to accept)"


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Corpus tiers print their per-repo counts here, so they show in normal output."""
    from tests.corpus import test_build_corpus

    lines = test_build_corpus.pytest_terminal_summary_lines()
    if lines:
        terminalreporter.section("corpus counts")
        for line in lines:
            terminalreporter.write_line(line)
