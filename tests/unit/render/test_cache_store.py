"""render.cache.BuildCache with an in-memory store shared by two renderers (`diff`): a key
without a cache folder, hits across caches, and Secrets never on disk."""

from __future__ import annotations

from pathlib import Path

from fluxops.render.cache import BuildCache, SharedOutputs

SECRET = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\nstringData:\n  k: plain\n"


def _tree(root: Path, text: str) -> Path:
    root.mkdir(parents=True)
    (root / "a.yaml").write_text(text, encoding="utf-8")
    return root


def test_two_caches_share_one_store_without_a_folder(tmp_path: Path) -> None:
    store = SharedOutputs()
    base = BuildCache(None, "salt", store)
    head = BuildCache(None, "salt", store)
    key_base = base.key(_tree(tmp_path / "base", "x: 1\n"), ["a.yaml"], "resources: [a.yaml]", "")
    key_head = head.key(_tree(tmp_path / "head", "x: 1\n"), ["a.yaml"], "resources: [a.yaml]", "")
    assert key_base is not None and key_base == key_head
    assert head.get(key_head) is None
    base.put(key_base, "out\n")
    assert head.get(key_head) == "out\n"
    other = head.key(_tree(tmp_path / "other", "x: 2\n"), ["a.yaml"], "resources: [a.yaml]", "")
    assert other != key_base and head.get(other) is None
    assert BuildCache(None, "salt").key(tmp_path / "base", ["a.yaml"], "", "") is None


def test_a_plain_secret_stays_in_memory(tmp_path: Path) -> None:
    store = SharedOutputs()
    folder = tmp_path / "cache"
    cache = BuildCache(folder, "salt", store)
    key = cache.key(_tree(tmp_path / "t", "x: 1\n"), ["a.yaml"], "k", "")
    cache.put(key, SECRET)
    assert key is not None and store.get(key) == SECRET
    assert not any(p.is_file() for p in folder.rglob("*"))
    assert BuildCache(folder, "salt").get(key) is None
