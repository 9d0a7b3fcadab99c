"""Batched builds (render/batch.py) give exactly what one kustomize run per Kustomization
gives, over every shared real repository: the whole `build --all` output, byte for byte
(objects on stdout; failures, their messages and findings on stderr)."""

from __future__ import annotations

from pathlib import Path

import pytest

from fluxops import api
from fluxops.output.registry import render
from tests.conftest import fixture_repos, require_fixture_repos

pytestmark = pytest.mark.corpus


def _output(repo: Path) -> tuple[str, str]:
    result = api.build(api.BuildRequest(path=str(repo), all_=True, cache=False))
    rendered = render(result, "yaml")
    return rendered.stdout, rendered.stderr


@pytest.mark.parametrize("repo", fixture_repos(), ids=lambda p: p.name)
def test_batched_output_is_unbatched_output(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    require_fixture_repos()
    monkeypatch.setenv("FLUXOPS_BATCH", "1")
    batched = _output(repo)
    monkeypatch.setenv("FLUXOPS_BATCH", "0")
    alone = _output(repo)
    assert batched[0] == alone[0]
    assert batched[1] == alone[1]
    assert batched[0]  # every shared repo renders objects
