"""`loader.scratch`: where workspaces and the revisions `diff` reads from git are written."""

from __future__ import annotations

from pathlib import Path

import pytest

from fluxops.loader import scratch
from fluxops.loader.gittree import GitRepo as TreeReader
from tests.gitrepos import GitRepo


def test_fluxops_tmpdir_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLUXOPS_TMPDIR", str(tmp_path))
    assert scratch.temp_base(Path("/"), size=0) == str(tmp_path)
    assert scratch.temp_base(None, size=scratch.MEMORY_STAGE_BYTES * 2) == str(tmp_path)


def test_small_trees_go_to_memory_large_ones_next_to_the_source(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("FLUXOPS_TMPDIR", raising=False)
    shm = tmp_path / "shm"
    shm.mkdir()
    monkeypatch.setattr(scratch, "SHM", str(shm))
    monkeypatch.setattr("tempfile.gettempdir", lambda: str(tmp_path))
    assert scratch.temp_base(tmp_path, size=1) == str(shm)
    large = scratch.MEMORY_STAGE_BYTES + 1
    assert scratch.temp_base(tmp_path, size=large) == str(tmp_path)  # same filesystem
    monkeypatch.setattr(scratch, "SHM", str(tmp_path / "no-shm"))
    assert scratch.temp_base(tmp_path, size=1) == str(tmp_path)  # no memory file system


def test_a_checkout_is_written_where_scratch_says(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = GitRepo(tmp_path / "repo")
    repo.root.mkdir()
    repo.git("init", "-q", "-b", "main")
    repo.write("kustomization.yaml", "resources: []\n")
    repo.commit("first")
    scratch_dir = tmp_path / "scratch"
    scratch_dir.mkdir()
    monkeypatch.setenv("FLUXOPS_TMPDIR", str(scratch_dir))
    with TreeReader(repo.root) as reader, reader.checkout("HEAD") as checkout:
        assert checkout.folder.parent == scratch_dir
        assert (checkout.root / "kustomization.yaml").read_text() == "resources: []\n"
    assert list(scratch_dir.iterdir()) == []
