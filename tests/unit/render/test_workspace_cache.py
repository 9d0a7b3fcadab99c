import os
from pathlib import Path

import pytest

from fluxops.render.cache import BuildCache, input_closure
from fluxops.render.workspace import Workspace, leaf_copy, skeleton

pytestmark = pytest.mark.unit


def write(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    write(root, "apps/base/kustomization.yaml", "resources: [cm.yaml]\n")
    write(root, "apps/base/cm.yaml", "kind: ConfigMap\n")
    write(root, "apps/staging/kustomization.yaml", "resources: [../base]\n")
    write(root, "apps/staging/patch.yaml", "p\n")
    write(root, "other/x.yaml", "x\n")
    return root


def tree_state(root: Path) -> dict[str, tuple[int, int]]:
    return {str(p): (p.stat().st_size, p.stat().st_mtime_ns) for p in sorted(root.rglob("*"))}


def test_skeleton_and_leaf_copy_never_touch_the_repo(repo: Path) -> None:
    before = tree_state(repo)
    with Workspace() as ws:
        skel = ws.new_dir("x") / "root"
        skel.mkdir()
        skeleton(repo, skel)
        assert (skel / "apps").is_dir() and not (skel / "apps").is_symlink()
        assert (skel / "other" / "x.yaml").is_symlink()
        leaf = leaf_copy(skel, "apps/staging", "1")
        assert leaf.parent == skel / "apps"  # a sibling: relative references resolve alike
        assert (leaf / "patch.yaml").is_symlink()
        # Writing the generated kustomization replaces the link, not the user's file.
        (leaf / "kustomization.yaml").unlink()
        (leaf / "kustomization.yaml").write_text("changed")
        assert (leaf / ".." / "base" / "cm.yaml").read_text() == "kind: ConfigMap\n"
        root_copy = leaf_copy(skel, "", "2")
        assert (root_copy / "apps" / "base").is_dir()
        root = ws.root
    assert not root.exists()
    assert tree_state(repo) == before
    assert (repo / "apps/staging/kustomization.yaml").read_text() == "resources: [../base]\n"


def test_closure_follows_kustomization_references(repo: Path) -> None:
    files = input_closure(repo / "apps" / "staging")
    names = {p.relative_to(repo.resolve()).as_posix() for p in files}
    assert names == {
        "apps/staging/kustomization.yaml",
        "apps/staging/patch.yaml",
        "apps/base/kustomization.yaml",
        "apps/base/cm.yaml",
    }


def test_cache_key_changes_with_any_input(repo: Path, tmp_path: Path) -> None:
    cache = BuildCache(tmp_path / "cache", "salt")
    ws = tmp_path / "ws"
    ws.mkdir()
    leaf = repo / "apps" / "staging"
    k1 = cache.key(leaf, "text", "apps/staging", ws)
    assert k1 == cache.key(leaf, "text", "apps/staging", ws)
    assert k1 != cache.key(leaf, "other text", "apps/staging", ws)
    write(repo, "apps/base/cm.yaml", "kind: ConfigMap\ndata: {}\n")
    os.utime(repo / "apps/base/cm.yaml", ns=(1, 1))
    k2 = cache.key(leaf, "text", "apps/staging", ws)
    assert k2 != k1
    cache.put(k2, "output")
    assert cache.get(k2) == "output"
    assert cache.get(k1) is None


def test_remote_resources_are_not_cached(repo: Path, tmp_path: Path) -> None:
    write(repo, "remote/kustomization.yaml", "resources:\n- https://github.com/x/y//z?ref=v1\n")
    cache = BuildCache(tmp_path / "cache", "salt")
    assert cache.key(repo / "remote", "t", "remote", tmp_path) is None
