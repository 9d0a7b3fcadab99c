"""`fluxops diff` over the real public repos in ../shared/fixtures/repos: each is copied into a
temp folder at test time and turned into a git repository, then one file is changed as
Renovate would (a HelmRelease chart version, else an OCIRepository tag). The diff must name
that object and that field only, and --changed-only must give the same diff."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from fluxops import api
from fluxops.output.diff import to_data
from tests.conftest import fixture_repos, require_fixture_repos
from tests.gitrepos import GitRepo

pytestmark = pytest.mark.corpus

_VERSION = re.compile(r"^(\s+version:\s*)([\"']?)([0-9><=~^*v][^\"'\s#]*)\2\s*$", re.MULTILINE)
_TAG = re.compile(r"^(\s+tag:\s*)([\"']?)([0-9v][^\"'\s#]*)\2\s*$", re.MULTILINE)
_DOCUMENT = re.compile(r"^---.*$", re.MULTILINE)


@dataclass
class Bump:
    file: str
    kind: str
    field: str
    before: str
    after: str
    #: Where the value starts in the file.
    offset: int


#: Where the first candidate is not rendered (flux-local's first HelmRelease patches a
#: Kustomization that fails, see test_build_corpus.EXPECTED_FAILURES): the file to bump.
PREFER = {"allenporter__flux-local": "tests/testdata/cluster3/namespaces/base/podinfo/release.yaml"}


def find_bump(root: Path) -> Bump | None:
    """The first chart version (else OCIRepository tag) in the repo's files, sorted (the
    preferred file only, when there is one)."""
    preferred = PREFER.get(root.name)
    files = (
        [root / preferred]
        if preferred
        else sorted(p for p in root.rglob("*.yaml") if p.is_file() and ".git" not in p.parts)
    )
    for kind, pattern, marker, field in (
        ("HelmRelease", _VERSION, "kind: HelmRelease", "spec.chart.spec.version"),
        ("OCIRepository", _TAG, "kind: OCIRepository", "spec.ref.tag"),
    ):
        for path in files:
            text = path.read_text(encoding="utf-8", errors="replace")
            start = 0
            for end in [m.start() for m in _DOCUMENT.finditer(text)] + [len(text)]:
                document = text[start:end]
                match = pattern.search(document) if f"\n{marker}" in "\n" + document else None
                if match is not None and "${" not in match.group(3):
                    before = match.group(3)
                    rel = path.relative_to(root).as_posix()
                    offset = start + match.start(3)
                    return Bump(rel, kind, field, before, before + "-next", offset)
                start = end
    return None


def apply(repo: GitRepo, bump: Bump) -> None:
    path = repo.root / bump.file
    text = path.read_text(encoding="utf-8")
    assert text[bump.offset : bump.offset + len(bump.before)] == bump.before
    end = bump.offset + len(bump.before)
    path.write_text(text[: bump.offset] + bump.after + text[end:], encoding="utf-8")


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    folder = tmp_path_factory.mktemp("diff-cache")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("FLUXOPS_CACHE_DIR", str(folder))
        yield folder


def _diff(root: Path, changed_only: bool) -> dict[str, Any]:
    request = api.DiffRequest(path=str(root), base="base", head="HEAD", changed_only=changed_only)
    return to_data(api.diff(request))


@pytest.mark.parametrize("name", [p.name for p in fixture_repos()] or ["(none)"])
def test_a_one_file_bump(name: str, tmp_path: Path, cache: Path) -> None:
    require_fixture_repos()
    source = next(p for p in fixture_repos() if p.name == name)
    bump = find_bump(source)
    assert bump is not None, f"{name} holds no chart version or OCIRepository tag"
    repo = GitRepo.copy_of(source, tmp_path / "repo")
    apply(repo, bump)
    repo.commit("bump")
    full = _diff(repo.root, changed_only=False)
    only = _diff(repo.root, changed_only=True)
    assert full["changedFiles"] == [bump.file]
    assert only["kustomizations"] == full["kustomizations"]
    assert only["head"]["rendered"] <= full["head"]["rendered"]
    objects = [o for k in full["kustomizations"] for o in k["objects"]]
    assert objects, f"{bump.file}: the bump changed no rendered object"
    for obj in objects:
        assert (obj["change"], obj["kind"]) == ("changed", bump.kind)
        assert [f["path"] for f in obj["fields"]] == [bump.field]
        assert obj["fields"][0]["before"] == f'"{bump.before}"'
        assert obj["fields"][0]["after"] == f'"{bump.after}"'
