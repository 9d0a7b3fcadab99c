"""`changes.revisions.read_revisions`: the head read (in a worker thread) while the base is
written; a file both commits hold is parsed once; a revision that cannot be read leaves no
private folder behind, whichever side failed."""

from __future__ import annotations

from pathlib import Path

import pytest

from fluxops.changes.revisions import changed_files, read_revisions
from fluxops.errors import UsageError
from fluxops.loader.gittree import GitRepo as TreeReader
from tests.gitrepos import GitRepo

CM = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\n"


@pytest.fixture
def repo(tmp_path: Path) -> GitRepo:
    out = GitRepo(tmp_path / "repo")
    out.root.mkdir()
    out.git("init", "-q", "-b", "main")
    out.write("same.yaml", CM.format(name="same"))
    out.write("bumped.yaml", CM.format(name="old"))
    out.commit("base")
    out.git("tag", "base")
    out.write("bumped.yaml", CM.format(name="new"))
    out.write("added.yaml", CM.format(name="added"))
    out.commit("head")
    return out


@pytest.fixture
def scratch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "scratch"
    folder.mkdir()
    monkeypatch.setenv("FLUXOPS_TMPDIR", str(folder))
    return folder


@pytest.mark.parametrize("head", ["HEAD", None])
def test_both_sides_loaded_a_same_file_parsed_once(
    repo: GitRepo, scratch: Path, head: str | None
) -> None:
    with TreeReader(repo.root) as git, read_revisions(git, "base", head) as sides:
        assert (sides.head_checkout is None) == (head is None)
        assert changed_files(sides.base, sides.head, sides.same) == ["added.yaml", "bumped.yaml"]
        names = {side: {r.origin.file: r for r in repo_.resources if r.origin}
                 for side, repo_ in (("base", sides.base), ("head", sides.head))}  # fmt: skip
        assert names["base"]["same.yaml"] is names["head"]["same.yaml"]
        assert names["base"]["bumped.yaml"].name == "old"
        assert names["head"]["bumped.yaml"].name == "new"
        assert "added.yaml" not in names["base"]
        assert len(list(scratch.iterdir())) == (2 if head else 1)
    assert list(scratch.iterdir()) == []


@pytest.mark.parametrize(("base", "head"), [("nope", "HEAD"), ("base", "nope"), ("nope", "no")])
def test_a_revision_that_names_no_commit_leaves_nothing_behind(
    repo: GitRepo, scratch: Path, base: str, head: str
) -> None:
    with TreeReader(repo.root) as git, pytest.raises(UsageError) as caught:
        read_revisions(git, base, head)
    first_bad = base if base == "nope" else head
    assert f"{first_bad!r} names no commit" in caught.value.message
    assert list(scratch.iterdir()) == []
