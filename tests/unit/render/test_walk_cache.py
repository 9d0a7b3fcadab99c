"""The walk cache (render/walkcache.py): a second `--ks` for the same Kustomization builds only
it, with exactly what a full walk gives; any change to the repository walks again; walks that
depend on more than the repository (live variables) or on a wave's siblings (substituteFrom)
are never stored; no Secret value is stored; a damaged entry is a miss. Real kustomize engine,
repositories written here."""

from __future__ import annotations

from pathlib import Path

import pytest

from fluxops.render import verb
from fluxops.render.live_variables import VariableSource
from fluxops.render.verb import BuildRequest, run
from tests.unit.render.ks_repo import WALK, build, use_cache, write_repo

pytestmark = pytest.mark.unit


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = use_cache(tmp_path, monkeypatch)
    # the result cache above the walk would answer a second run without walking at all
    monkeypatch.setattr(verb, "CACHE_RESULTS", False)
    return folder


def walks(cache: Path) -> list[Path]:
    return sorted(cache.rglob("*.walk"))


def test_a_second_ks_builds_only_it_and_says_the_same(tmp_path: Path, cache: Path) -> None:
    repo = write_repo(tmp_path / "repo")
    first, built = build(repo)
    assert built == WALK
    assert len(walks(cache)) == 1
    second, built = build(repo)
    assert built == ["flux-system/web"]
    uncached, built = build(repo, cache=False)
    assert built == WALK
    assert first == second == uncached
    [web] = second[1][0]
    # the parent's patch and variable reached it: found as its parent renders it
    assert web[0]["metadata"]["namespace"] == "web"
    assert web[0]["metadata"]["labels"]["tier"] == "gold"
    assert second[0][0][2] == "flux-system/apps"  # its parent


def test_what_the_walk_resolved_and_noted_is_there_on_a_hit(tmp_path: Path, cache: Path) -> None:
    """`web` syncs from a source only its parent renders (so its sourceRef resolves only with
    the sources the walk rendered), in a repository whose source root is a folder of it (so
    resolving the source notes it, with a finding)."""
    repo = write_repo(tmp_path / "repo", prefix="k8s", mirror=True)
    first, built = build(repo)
    assert built == WALK
    assert first[0][0][3] == "ok", first[0][0][4]
    assert first[0][0][5] == "GitRepository/flux-system/mirror-gold"
    assert any("source root 'k8s/'" in note for note in first[4])
    assert any(code == "FO010" for code, _ in first[3])
    second, built = build(repo)
    assert built == ["flux-system/web"]
    assert second == first


def test_any_change_to_the_repository_walks_again(tmp_path: Path, cache: Path) -> None:
    repo = write_repo(tmp_path / "repo")
    build(repo)
    # the parent's variable changes: the child's objects follow, no stale walk
    write_repo(repo, tier="silver")
    changed, built = build(repo)
    assert built == WALK
    assert changed[1][0][0][0]["metadata"]["labels"]["tier"] == "silver"
    assert build(repo)[1] == ["flux-system/web"]
    # a file that is not YAML, read only by the parent's build
    (repo / "apps" / "notes.env").write_text("NOTE=changed\n")
    assert build(repo)[1] == WALK
    # a new empty folder (an auto-generated kustomization lists folders)
    (repo / "apps" / "empty").mkdir()
    assert build(repo)[1] == WALK
    # another Kustomization has its own walk
    assert build(repo, "flux-system/db")[1] == [*WALK[:2], "flux-system/db"]
    assert build(repo, "flux-system/db")[1] == ["flux-system/db"]
    assert build(repo)[1] == ["flux-system/web"]


def test_options_that_change_a_render_are_part_of_the_key(tmp_path: Path, cache: Path) -> None:
    repo = write_repo(tmp_path / "repo")
    build(repo)
    assert build(repo, flux_version="2.4")[1] == WALK
    assert build(repo, flux_version="2.4")[1] == ["flux-system/web"]
    assert build(repo, strict_substitute=False)[1] == WALK


def test_a_kustomization_that_reads_substitute_from_is_never_stored(
    tmp_path: Path, cache: Path
) -> None:
    reads = "  postBuild:\n    substituteFrom:\n      - {kind: ConfigMap, name: notes}\n"
    repo = write_repo(tmp_path / "repo", child_extra=reads)
    for _ in range(2):
        result, built = build(repo)
        # its whole wave is built, as a sibling may render what it reads
        assert sorted(built) == sorted([*WALK, "flux-system/db"])
        assert result[0][0][3] == "ok", result[0][0][4]
    assert walks(cache) == []


def test_a_walk_through_live_variables_is_never_stored(tmp_path: Path, cache: Path) -> None:
    """drift reads substituteFrom from the cluster: the walk may change without the
    repository changing."""
    live = "    substituteFrom:\n      - {kind: ConfigMap, name: tiers}\n"
    repo = write_repo(tmp_path / "repo", post_build=live)
    (repo / "clusters" / "prod" / "tiers.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: tiers, namespace: flux-system}\n"
        "data: {TIER: gold}\n"
    )
    request = BuildRequest(path=str(repo), ks="flux-system/web")
    for _ in range(2):
        result = run(request, request, variable_source=VariableSource())
        assert [b.ref for b in result.builds] == ["flux-system/web"]
    assert walks(cache) == []
    # the same walk without live variables (build): the repository is all it reads
    build(repo)
    assert len(walks(cache)) == 1


def test_no_secret_value_is_stored(tmp_path: Path, cache: Path) -> None:
    secret = "    substituteFrom:\n      - {kind: Secret, name: tiers}\n"
    repo = write_repo(tmp_path / "repo", post_build=secret)
    (repo / "clusters" / "prod" / "tiers.yaml").write_text(
        "apiVersion: v1\nkind: Secret\nmetadata: {name: tiers, namespace: flux-system}\n"
        "stringData: {TIER: hunter2-canary}\n"
    )
    first, _ = build(repo)
    second, built = build(repo)
    assert built == ["flux-system/web"]
    assert first == second
    assert "hunter2-canary" not in repr(second)
    assert walks(cache)
    for path in cache.rglob("*"):
        if path.is_file():
            assert b"hunter2-canary" not in path.read_bytes(), path


@pytest.mark.parametrize("damage", [b"", b"garbage", b"\xe3\x00\x00\x00"])
def test_a_damaged_walk_is_a_miss(tmp_path: Path, cache: Path, damage: bytes) -> None:
    repo = write_repo(tmp_path / "repo")
    expected, _ = build(repo)
    [entry] = walks(cache)
    entry.write_bytes(damage)
    again, built = build(repo)
    assert built == WALK
    assert again == expected


def test_no_walk_is_stored_without_the_cache_or_with_remote_bases(
    tmp_path: Path, cache: Path
) -> None:
    repo = write_repo(tmp_path / "repo")
    build(repo, cache=False)
    build(repo, allow_remote=True)
    assert walks(cache) == []
