"""`confine.TreeReader`: many files of one tree read as `confine.read_bytes` reads one (no
symlink followed on the way, regular files only, the size cap), keeping the folders of the
last path open; the same bytes and the same refusals whatever the order, and no descriptor
left open."""

from __future__ import annotations

import errno
import os
import random
from pathlib import Path

import pytest

from fluxops.loader import confine
from fluxops.loader.confine import ConfinedError, TreeReader

pytestmark = pytest.mark.unit


def open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    for rel in (
        "a.yaml",
        "apps/base/one.yaml",
        "apps/base/two.yaml",
        "apps/base/deep/er/three.yaml",
        "apps/prod/four.yaml",
        "clusters/prod/five.yaml",
    ):
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"name: {rel}\n")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.yaml").write_text("canary: outside\n")
    # a folder and a file that lead outside, beside files that are read
    (root / "apps" / "linked").symlink_to(outside)
    (root / "apps" / "base" / "link.yaml").symlink_to(outside / "secret.yaml")
    os.mkfifo(root / "apps" / "base" / "fifo.yaml")
    (root / "apps" / "big.yaml").write_bytes(b"x" * 64)
    return root


def test_every_file_reads_as_read_bytes_in_any_order(tree: Path) -> None:
    scanned = confine.scan(tree)
    files = [rel for rel in scanned.files if not rel.endswith("big.yaml")]
    assert len(files) == 6
    expected = {rel: confine.read_bytes(tree, rel) for rel in files}
    for order in (files, list(reversed(files)), random.Random(7).sample(files, len(files))):
        with TreeReader(tree) as reader:
            assert {rel: reader.read(rel) for rel in order} == expected


@pytest.mark.parametrize(
    ("rel", "code"),
    [
        ("apps/linked/secret.yaml", errno.ENOTDIR),  # a symlinked folder on the way
        ("apps/base/link.yaml", errno.ELOOP),  # a symlinked file
        ("apps/base/fifo.yaml", errno.EACCES),  # not a regular file (and never blocks)
        ("apps/base", errno.EACCES),  # a folder
        ("../outside/secret.yaml", errno.EACCES),  # climbs out of the root
    ],
)
def test_refusals_are_those_of_read_bytes_even_beside_a_file_just_read(
    tree: Path, rel: str, code: int
) -> None:
    with TreeReader(tree) as reader:
        reader.read("apps/base/one.yaml")  # apps and apps/base are open now
        with pytest.raises(OSError) as refused:
            reader.read(rel)
        with pytest.raises(OSError) as alone:
            confine.read_bytes(tree, rel)
        assert refused.value.errno == alone.value.errno
        assert refused.value.errno == code
        assert isinstance(refused.value, ConfinedError) == isinstance(alone.value, ConfinedError)
        # a refusal leaves the reader usable
        assert reader.read("apps/base/two.yaml") == b"name: apps/base/two.yaml\n"
        assert reader.read("a.yaml") == b"name: a.yaml\n"


def test_the_size_cap_holds(tree: Path) -> None:
    with TreeReader(tree) as reader:
        assert reader.read("apps/big.yaml", cap=64) == b"x" * 64
        with pytest.raises(ConfinedError) as refused:
            reader.read("apps/big.yaml", cap=63)
    assert refused.value.errno == errno.EFBIG


def test_folders_stay_open_one_per_level_and_none_after_close(tree: Path) -> None:
    before = open_fds()
    reader = TreeReader(tree)
    reader.read("apps/base/deep/er/three.yaml")
    # the root and apps, base, deep, er
    assert open_fds() - before == 5
    reader.read("apps/prod/four.yaml")
    assert open_fds() - before == 3
    reader.read("a.yaml")
    assert open_fds() - before == 1
    reader.close()
    assert open_fds() == before
    reader.close()  # twice is harmless


def test_staging_and_loading_leave_no_descriptor_open(tree: Path, tmp_path: Path) -> None:
    from fluxops.loader.repo import load_repo
    from fluxops.render.workspace import stage

    before = open_fds()
    load_repo(tree)
    dest = tmp_path / "staged"
    dest.mkdir()
    failed = stage(confine.scan(tree), dest)
    assert open_fds() == before
    assert failed == []
    assert (dest / "apps" / "base" / "deep" / "er" / "three.yaml").read_bytes() == (
        b"name: apps/base/deep/er/three.yaml\n"
    )
    assert not (dest / "apps" / "linked").exists()


def test_the_loader_renders_the_bytes_the_key_was_made_of(tree: Path, tmp_path: Path) -> None:
    """`read_tree` reads a repository once for the result cache's key; `load_repo` and staging
    then use those bytes, so a file changed in between cannot be rendered under the old key."""
    from fluxops.loader.repo import load_repo
    from fluxops.loader.treecontent import file_digests, read_tree
    from fluxops.render.workspace import stage

    os.unlink(tree / "apps" / "base" / "fifo.yaml")  # read_tree reads every regular file
    (tree / "apps" / "base" / "one.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: before}\n"
    )
    (tree / "notes.txt").write_text("before\n")
    preread = read_tree(tree)
    assert preread is not None
    digests = file_digests(*preread)
    assert digests is not None
    digest = digests.tree
    (tree / "apps" / "base" / "one.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: after}\n"
    )
    (tree / "notes.txt").write_text("after\n")
    repo = load_repo(tree, preread=preread)
    assert [r.name for r in repo.resources] == ["before"]
    assert repo.content_digest() == digest
    dest = tmp_path / "staged"
    dest.mkdir()
    assert repo.tree is not None
    stage(repo.tree, dest, repo.contents)
    assert (dest / "notes.txt").read_text() == "before\n"
