import os
import stat
from pathlib import Path

import pytest

from fluxops.loader import confine
from fluxops.render.cache import BuildCache, holds_plain_secret
from fluxops.render.preflight import preflight
from fluxops.render.workspace import Workspace, leaf_copy, stage

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


def test_stage_and_leaf_copy_never_touch_the_repo(repo: Path) -> None:
    before = tree_state(repo)
    with Workspace() as ws:
        staged = ws.new_dir("x") / "root"
        staged.mkdir()
        assert stage(confine.scan(repo), staged) == []
        for rel in ("apps", "apps/base"):
            assert (staged / rel).is_dir() and not (staged / rel).is_symlink()
        assert (staged / "other" / "x.yaml").read_text() == "x\n"
        assert not (staged / "other" / "x.yaml").is_symlink()
        leaf = leaf_copy(staged, "apps/staging", "1")
        assert leaf.parent == staged / "apps"  # a sibling: relative references resolve alike
        # Writing the generated kustomization replaces the link, not the user's file.
        (leaf / "kustomization.yaml").unlink()
        (leaf / "kustomization.yaml").write_text("changed")
        assert (leaf / ".." / "base" / "cm.yaml").read_text() == "kind: ConfigMap\n"
        root_copy = leaf_copy(staged, "", "2")
        assert (root_copy / "apps" / "base").is_dir()
        root = ws.root
    assert not root.exists()
    assert tree_state(repo) == before
    assert (repo / "apps/staging/kustomization.yaml").read_text() == "resources: [../base]\n"


def test_stage_leaves_symlinks_and_special_files_out(repo: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_text("secret\n")
    (repo / "apps" / "link.yaml").symlink_to(outside)
    (repo / "apps" / "dirlink").symlink_to(tmp_path)
    os.mkfifo(repo / "apps" / "pipe")
    tree = confine.scan(repo)
    kinds = {s.rel: s.kind for s in tree.skipped}
    assert kinds == {"apps/link.yaml": "symlink", "apps/dirlink": "symlink", "apps/pipe": "fifo"}
    with Workspace() as ws:
        staged = ws.new_dir("x") / "root"
        staged.mkdir()
        stage(tree, staged)
        names = sorted(p.name for p in (staged / "apps").iterdir())
        assert names == ["base", "staging"]
        for path in staged.rglob("*"):
            assert not path.is_symlink()
            assert stat.S_ISDIR(path.lstat().st_mode) or stat.S_ISREG(path.lstat().st_mode)


def test_closure_follows_kustomization_references(repo: Path) -> None:
    checked = preflight({"resources": ["../base"]}, repo, "apps/staging", "k")
    assert checked.problems == []
    assert set(checked.closure) == {
        "apps/staging/kustomization.yaml",
        "apps/staging/patch.yaml",
        "apps/base/kustomization.yaml",
        "apps/base/cm.yaml",
    }


def test_cache_key_changes_with_any_input(repo: Path, tmp_path: Path) -> None:
    cache = BuildCache(tmp_path / "cache", "salt")
    closure = preflight({"resources": ["../base"]}, repo, "apps/staging", "k").closure
    k1 = cache.key(repo, closure, "text", "apps/staging")
    assert k1 == cache.key(repo, closure, "text", "apps/staging")
    assert k1 != cache.key(repo, closure, "other text", "apps/staging")
    write(repo, "apps/base/cm.yaml", "kind: ConfigMap\ndata: {}\n")
    os.utime(repo / "apps/base/cm.yaml", ns=(1, 1))
    k2 = cache.key(repo, closure, "text", "apps/staging")
    assert k2 != k1
    cache.put(k2, "output")
    assert cache.get(k2) == "output"
    assert cache.get(k1) is None


def test_cache_is_private(repo: Path, tmp_path: Path) -> None:
    cache = BuildCache(tmp_path / "cache", "salt")
    key = cache.key(repo, [], "text", "")
    assert key is not None
    cache.put(key, "kind: ConfigMap\n")
    folder = tmp_path / "cache"
    entry = folder / key[:2] / f"{key}.yaml"
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE(entry.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(entry.stat().st_mode) == 0o600


def test_cache_never_stores_secret_values(repo: Path, tmp_path: Path) -> None:
    cache = BuildCache(tmp_path / "cache", "salt")
    key = cache.key(repo, [], "secret", "")
    secret = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\ndata:\n  token: aHVudGVyMg==\n"
    assert holds_plain_secret(secret)
    cache.put(key, secret)
    assert cache.get(key) is None
    assert not any(p.is_file() for p in (tmp_path / "cache").rglob("*"))
    sops = secret.replace("aHVudGVyMg==", "ENC[AES256_GCM,data:xx,type:str]")
    assert not holds_plain_secret(sops)
    assert not holds_plain_secret("apiVersion: v1\nkind: ConfigMap\ndata:\n  a: b\n")


def test_remote_resources_are_flagged(repo: Path) -> None:
    write(repo, "remote/kustomization.yaml", "resources:\n- https://github.com/x/y//z?ref=v1\n")
    checked = preflight({"resources": ["../remote"]}, repo, "apps", "k", allow_remote=True)
    assert checked.remote and checked.problems == []
    refused = preflight({"resources": ["../remote"]}, repo, "apps", "k")
    assert refused.remote
    assert "https://github.com/x/y//z?ref=v1" in refused.problems[0]
    assert "remote/kustomization.yaml field resources[0]" in refused.problems[0]
