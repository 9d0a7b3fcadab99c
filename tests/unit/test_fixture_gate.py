"""A missing fixture folder skips the corpus tests, unless FLUXOPS_REQUIRE_FIXTURES is set
(.ci/run sets it): then it fails them."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests import conftest

pytestmark = pytest.mark.unit


def test_missing_fixtures_skip_or_fail(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(conftest, "FIXTURE_REPOS", tmp_path / "absent")
    monkeypatch.delenv("FLUXOPS_REQUIRE_FIXTURES", raising=False)
    with pytest.raises(pytest.skip.Exception):
        conftest.require_fixture_repos()
    monkeypatch.setenv("FLUXOPS_REQUIRE_FIXTURES", "1")
    with pytest.raises(pytest.fail.Exception, match="FLUXOPS_REQUIRE_FIXTURES"):
        conftest.require_fixture_repos()
    monkeypatch.setattr(conftest, "FIXTURE_REPOS", tmp_path)
    conftest.require_fixture_repos()  # present: nothing happens
