"""Progress of a long render: (done, total) for every Kustomization, and the one built last
for a display that shows it (the CLI's bar on a terminal: elapsed time and current name)."""

from __future__ import annotations

from pathlib import Path

import pytest

from fluxops import api

pytestmark = pytest.mark.unit

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "podinfo-platform"


class Recorder:
    def __init__(self) -> None:
        self.ticks: list[tuple[int, int]] = []
        self.names: list[str] = []

    def current(self, ref: str) -> None:
        self.names.append(ref)

    def __call__(self, done: int, total: int) -> None:
        self.ticks.append((done, total))


def test_progress_names_each_kustomization(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLUXOPS_CACHE_DIR", str(tmp_path / "cache"))
    recorder = Recorder()
    result = api.build(api.BuildRequest(path=str(EXAMPLE), all_=True, progress=recorder))
    assert len(recorder.ticks) == len(result.builds) == len(recorder.names)
    assert recorder.ticks[-1][0] == recorder.ticks[-1][1] == len(result.builds)
    assert set(recorder.names) == {b.ref for b in result.builds}


def test_a_plain_callable_still_works(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLUXOPS_CACHE_DIR", str(tmp_path / "cache"))
    seen: list[int] = []
    api.build(api.BuildRequest(path=str(EXAMPLE), all_=True, progress=lambda d, t: seen.append(d)))
    assert seen and max(seen) == 8
