"""A tree's files read whole, and a digest of everything a build of it can read: the key of
the caches that hold what a whole repository renders to (render/walkcache.py,
render/kscache.py). Light on purpose: a cached `--ks` result is found with this module and
no parser."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from fluxops.loader import confine
from fluxops.loader.confine import Tree

#: The most file bytes kept in memory for one tree (`Repo.contents`, `read_tree`).
KEEP_BYTES = 256 << 20


@dataclass
class TreeDigests:
    """`tree`: the digest of everything a build of the tree can read (its folders, each file's
    path and bytes, what reading left out); `shape`: of its folders and what reading left
    out; `files`: each file's own."""

    tree: str
    shape: bytes
    files: dict[str, bytes]


def file_digests(tree: Tree, contents: dict[str, bytes]) -> TreeDigests | None:
    """The digest of each file of the tree, of its shape and of the whole (`TreeDigests`);
    file bytes come from `contents`, else are read confined. None when the files not in
    `contents` come to more than KEEP_BYTES, or one cannot be read."""
    import hashlib

    if sum(size for rel, size in tree.files.items() if rel not in contents) > KEEP_BYTES:
        return None
    shape = hashlib.blake2b(b"shape", digest_size=20)
    for rel in tree.dirs:
        shape.update(b"d\0" + rel.encode() + b"\0")
    for skipped in tree.skipped:
        shape.update(f"s\0{skipped.rel}\0{skipped.kind}\0{skipped.detail}\0".encode())
    h = hashlib.blake2b(b"fluxops-tree-3", digest_size=20)
    h.update(shape.digest())
    files: dict[str, bytes] = {}
    blake2b = hashlib.blake2b
    with confine.TreeReader(tree.root) as reader:
        for rel in tree.files:
            data = contents.get(rel)
            if data is None:
                try:
                    data = reader.read(rel)
                except OSError:
                    return None
            digest = blake2b(data, digest_size=20).digest()
            files[rel] = digest
            h.update(b"f\0" + rel.encode() + b"\0" + digest)
    return TreeDigests(h.hexdigest(), shape.digest(), files)


def read_tree(root: Path) -> tuple[Tree, dict[str, bytes]] | None:
    """The tree at `root` and the bytes of every file in it, read confined (as `load_repo`
    reads them; hand both to it); None when they come to more than KEEP_BYTES or one cannot
    be read (`load_repo` then reads and reports it)."""
    tree = confine.scan(root.resolve())
    if sum(tree.files.values()) > KEEP_BYTES:
        return None
    contents: dict[str, bytes] = {}
    with confine.TreeReader(tree.root) as reader:
        for rel in tree.files:
            try:
                contents[rel] = reader.read(rel)
            except OSError:
                return None
    return tree, contents
