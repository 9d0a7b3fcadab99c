"""The result cache of `--ks` (render/kscache.py): a second run on an unchanged repository
builds nothing and says exactly what a full render says; a change to what it read, the
selection or the options renders again; a Secret, a failed build or variables read from the
live cluster are never stored; the engine's confinement note is this machine's; a damaged
entry is a miss. Real kustomize engine, repositories written here."""

from __future__ import annotations

from pathlib import Path

import pytest

from fluxops.loader import confine
from fluxops.render import landlock
from fluxops.render.live_variables import VariableSource
from fluxops.render.verb import BuildRequest, run
from tests.unit.render.ks_repo import WALK, build, use_cache, write_repo

pytestmark = pytest.mark.unit


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return use_cache(tmp_path, monkeypatch)


def results(cache: Path) -> list[Path]:
    return sorted(cache.rglob("*.result"))


def test_a_second_run_builds_nothing_and_says_the_same(tmp_path: Path, cache: Path) -> None:
    repo = write_repo(tmp_path / "repo")
    first, built = build(repo)
    assert built == WALK
    assert len(results(cache)) == 1
    second, built = build(repo)
    assert built == []
    uncached, built = build(repo, cache=False)
    assert built == WALK
    assert first == second == uncached
    [web] = second[1][0]
    assert web[0]["metadata"]["labels"]["tier"] == "gold"  # the parent's variable, patched in


def test_a_change_to_what_it_read_renders_again(tmp_path: Path, cache: Path) -> None:
    """The walk beneath is keyed by the whole repository: a change to what the result read
    walks again (edits to what it did not read: test_ks_result_reads.py)."""
    repo = write_repo(tmp_path / "repo")
    build(repo)
    write_repo(repo, tier="silver")
    changed, built = build(repo)
    assert built == WALK
    assert changed[1][0][0][0]["metadata"]["labels"]["tier"] == "silver"
    assert build(repo)[1] == []
    (repo / "apps" / "web" / "cm.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: web}\ndata: {colour: red}\n"
    )
    changed, built = build(repo)
    assert built == WALK
    assert changed[1][0][0][0]["data"] == {"colour": "red"}
    for change in (
        # apps/web holds no kustomization file: the parent's build reads the folder whole
        lambda: (repo / "apps" / "web" / "notes.txt").write_text("read with its folder\n"),
        lambda: (repo / "apps" / "web" / "empty").mkdir(),
        lambda: (repo / "apps" / "web" / "link.yaml").symlink_to(repo / "apps" / "db" / "cm.yaml"),
    ):
        change()
        assert build(repo)[1] == WALK
        assert build(repo)[1] == []


def test_the_selection_and_options_are_part_of_the_key(tmp_path: Path, cache: Path) -> None:
    repo = write_repo(tmp_path / "repo")
    web, _ = build(repo)
    db, built = build(repo, "flux-system/db")
    assert built and db != web
    assert build(repo, "flux-system/db")[1] == []
    assert build(repo, owner_labels=False)[1]
    assert build(repo, flux_version="2.4")[1]
    assert build(repo, flux_version="2.4")[1] == []


def test_a_secret_is_never_stored(tmp_path: Path, cache: Path) -> None:
    repo = write_repo(tmp_path / "repo")
    (repo / "apps" / "web" / "secret.yaml").write_text(
        "apiVersion: v1\nkind: Secret\nmetadata: {name: creds}\n"
        "stringData: {password: hunter2-canary}\n"
    )
    for walked in (WALK, ["flux-system/web"]):
        result, built = build(repo)
        assert built == walked  # the walk is cached; the result, with a Secret, is not
        assert "hunter2-canary" in repr(result[1])  # the build shows it; no cache keeps it
    assert results(cache) == []
    for path in cache.rglob("*"):
        if path.is_file():
            assert b"hunter2-canary" not in path.read_bytes(), path


def test_a_failed_build_is_never_stored(tmp_path: Path, cache: Path) -> None:
    repo = write_repo(tmp_path / "repo")
    (repo / "apps" / "web" / "kustomization.yaml").write_text(
        "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n"
        "resources: [missing.yaml]\n"
    )
    for _ in range(2):
        result, built = build(repo)
        assert built
        assert result[0][0][3] == "failed"
    assert results(cache) == []


def test_variables_read_from_the_cluster_are_never_stored(tmp_path: Path, cache: Path) -> None:
    reads = "  postBuild:\n    substituteFrom:\n      - {kind: ConfigMap, name: notes}\n"
    repo = write_repo(tmp_path / "repo", child_extra=reads)
    request = BuildRequest(path=str(repo), ks="flux-system/web")
    for _ in range(2):
        source = VariableSource()
        result = run(request, request, variable_source=source)
        assert [b.status for b in result.builds] == ["ok"]
        assert source.consulted == 1
    assert results(cache) == []
    # a render that reads no variable through the source depends on the repository only
    plain = write_repo(tmp_path / "plain")
    request = BuildRequest(path=str(plain), ks="flux-system/web")
    run(request, request, variable_source=VariableSource())
    assert len(results(cache)) == 1


def test_the_confinement_note_is_this_machines(
    tmp_path: Path, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = write_repo(tmp_path / "repo")
    monkeypatch.setattr(landlock, "abi_version", lambda: 0)
    first, _ = build(repo)
    assert "FO017" in [code for code, _ in first[3]]
    monkeypatch.setattr(landlock, "abi_version", lambda: 3)
    second, built = build(repo)
    assert built == []
    assert "FO017" not in [code for code, _ in second[3]]
    monkeypatch.setattr(landlock, "abi_version", lambda: 0)
    assert "FO017" in [code for code, _ in build(repo)[0][3]]


@pytest.mark.parametrize("damage", [b"", b"garbage", b"\xe3\x00\x00\x00"])
def test_a_damaged_entry_is_a_miss(tmp_path: Path, cache: Path, damage: bytes) -> None:
    repo = write_repo(tmp_path / "repo")
    expected, _ = build(repo)
    [entry] = results(cache)
    entry.write_bytes(damage)
    again, built = build(repo)
    assert built
    assert again == expected


def test_what_reading_left_out_is_said_on_a_hit_too(
    tmp_path: Path, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file over the per-file cap is left out with a finding (FO015); the cap is part of
    the key."""
    repo = write_repo(tmp_path / "repo")
    (repo / "apps" / "web" / "big.txt").write_bytes(b"x" * 4096)
    monkeypatch.setenv("FLUXOPS_MAX_FILE_BYTES", "1024")
    assert confine.scan(repo).skipped
    first, built = build(repo)
    assert built
    second, built = build(repo)
    assert built == []
    assert first == second
    assert "FO015" in [code for code, _ in second[3]]
    monkeypatch.setenv("FLUXOPS_MAX_FILE_BYTES", "8192")
    third, built = build(repo)
    assert built
    assert "FO015" not in [code for code, _ in third[3]]


def test_a_copy_elsewhere_renders_again(tmp_path: Path, cache: Path) -> None:
    """The repository's place is part of the key: nothing rendered is known to name it, but a
    copy elsewhere never takes another copy's result or walk."""
    import shutil

    repo = write_repo(tmp_path / "repo")
    first, _ = build(repo)
    copy = tmp_path / "copy"
    shutil.copytree(repo, copy)
    again, built = build(copy)
    assert built == WALK
    assert again == first
    assert build(copy)[1] == []
