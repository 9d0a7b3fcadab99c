"""What a cached `--ks` result read of its repository, so that it outlives an edit elsewhere.

A result (render/kscache.py) is stored under the digest of the whole repository: any edit
is a miss. Most edits are not to what one Kustomization renders from: another app's
HelmRelease, a README, a workflow. So beside each result is kept a record of what the render
read (`Reads`):

- the digest of every file, and the repository's folders and what reading left out;
- the files its builds may read (`Renderer.files_read`: what the kustomization files of
  every build of the walk and of the Kustomization itself name, and the folders they read
  whole; the build cache's input closures, a superset of what kustomize reads);
- for each YAML file, a digest of what repository-wide lookups can take from it: the
  objects of `Repo.lookups` (Flux objects, FluxInstances, the HelmReleases that install
  Flux, core ConfigMaps and Secrets; the last two only when a `substituteFrom` lookup fell
  back to the repository's) with their place in the file, and what the loader found wrong
  in it. The render path searches the repository only through `Repo.lookups`
  (`tests/unit/loader/test_lookups.py` keeps it so).

An edit leaves the result as it is when the same files and folders are there, and every
changed file is outside what the builds read, is not a `.sourceignore` or a
`gotk-components.yaml` (both read as text, outside any build), and, for a YAML file, gives
lookups what it gave before (the changed file alone is parsed). Then the stored result is
the result, and is stored again under the new digest. Anything else is a miss, and the render
runs as without the record.

Never recorded: when the files a build read are not known (the walk came from the walk
cache, a source outside the repository or generated from an artifact). Records hold digests,
paths and the loader's findings; never an object, never a value.
"""

from __future__ import annotations

import hashlib
import marshal
import posixpath
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fluxops.loader.confine import Tree
from fluxops.model.findings import Finding
from fluxops.model.resource import Resource

if TYPE_CHECKING:
    from fluxops.loader.repo import Repo
    from fluxops.loader.treecontent import TreeDigests

#: What the records hold; a change of layout changes it.
FORMAT = b"fluxops-ks-reads-1"
#: Files read as text outside any build: an edit to one is always a miss.
READ_AS_TEXT = frozenset({".sourceignore", "gotk-components.yaml"})


@dataclass
class Reads:
    """What a stored result read: `digest` (the whole repository's, the result's key),
    `files` (each file's digest), `shape` (folders and what reading left out), `read` (the
    files its builds may read), `core` (whether a `substituteFrom` lookup fell back to the
    repository's ConfigMaps and Secrets), `prints` (each YAML file's `fingerprint`, when not
    empty)."""

    digest: str
    files: dict[str, bytes]
    shape: bytes
    read: frozenset[str]
    core: bool
    prints: dict[str, bytes]


def fingerprint(resources: Iterable[Resource], findings: Iterable[Finding]) -> bytes:
    """What repository-wide lookups can take from one file: its `Repo.lookups` objects (given
    already filtered) with their places, and the loader's findings on it. Empty when there
    is neither."""
    from fluxops.render.packing import pack_finding, pack_resource

    ordered = sorted(resources, key=lambda r: r.origin.document if r.origin is not None else -1)
    packed = [pack_resource(r) for r in ordered]
    found = [pack_finding(f) for f in findings]
    if not packed and not found:
        return b""
    # repr, not marshal: marshal writes equal values differently when they share objects
    # (a parse and a parse cache's copy of the same file)
    text = repr((packed, found)).encode("utf-8", "surrogatepass")
    return hashlib.blake2b(text, digest_size=20).digest()


def consulted(repo: Repo, core: bool) -> list[Resource]:
    """The objects of `repo` a render's lookups could have read: `Repo.lookups()`, and its
    `variable_objects()` when a `substituteFrom` lookup fell back to them (`core`)."""
    return [*repo.lookups(), *(repo.variable_objects() if core else [])]


def consulted_among(resources: Iterable[Resource], core: bool) -> list[Resource]:
    """`consulted` of some objects (one file's): those `Repo.lookups()` holds, and the core
    ConfigMaps and Secrets when `core`."""
    from fluxops.loader.repo import looked_up

    return [r for r in resources if looked_up(r) and (core or r.id.group != "")]


def prints(objects: Iterable[Resource], findings: Iterable[Finding]) -> dict[str, bytes]:
    """`fingerprint` of every file with lookup objects (`consulted`) or the loader's
    findings."""
    by_file: dict[str, tuple[list[Resource], list[Finding]]] = {}
    for r in objects:
        if r.origin is not None:
            by_file.setdefault(r.origin.file, ([], []))[0].append(r)
    for f in findings:
        if f.file is not None:
            by_file.setdefault(f.file, ([], []))[1].append(f)
    return {rel: fingerprint(rs, fs) for rel, (rs, fs) in by_file.items()}


def record(digests: TreeDigests, read: Iterable[str], core: bool, repo: Repo) -> Reads:
    """The record of a render of the repository `repo` (whose files have `digests`) that
    read the files `read` and, if `core`, fell back to its ConfigMaps and Secrets."""
    return Reads(
        digest=digests.tree,
        files=digests.files,
        shape=digests.shape,
        read=frozenset(read),
        core=core,
        prints=prints(consulted(repo, core), repo.findings),
    )


def carried(
    reads: Reads,
    tree: Tree,
    digests: TreeDigests,
    reprint: Callable[[str, bool], bytes],
) -> Reads | None:
    """What a render that read `reads` read, carried over to the tree `tree` whose files now
    have `digests`, when it is the same render there (`still_holds`); else None.
    `reprint(rel, core)`: the `fingerprint` of the file `rel` as it is now."""
    fresh: dict[str, bytes] = {}

    def printed(rel: str) -> bytes:
        fresh[rel] = reprint(rel, reads.core)
        return fresh[rel]

    if reads.digest == digests.tree or not still_holds(reads, tree, digests, printed):
        return None
    return replace(
        reads,
        digest=digests.tree,
        files=digests.files,
        shape=digests.shape,
        prints={**reads.prints, **fresh},
    )


def still_holds(
    reads: Reads, tree: Tree, digests: TreeDigests, reprint: Callable[[str], bytes]
) -> bool:
    """Whether a render that read `reads` is the render of the tree `tree` whose files have
    `digests`. `reprint(rel)`: the `fingerprint` of the file `rel` as it is now."""
    files = digests.files
    if reads.shape != digests.shape or reads.files.keys() != files.keys():
        return False
    changed = [rel for rel, digest in files.items() if reads.files[rel] != digest]
    if not changed:
        return True
    from fluxops.loader.repo import yaml_files  # the parser with it: only after an edit

    parsed = set(yaml_files(tree))
    for rel in changed:
        if rel in reads.read or posixpath.basename(rel) in READ_AS_TEXT:
            return False
        if rel in parsed and reprint(rel) != reads.prints.get(rel, b""):
            return False
    return True


def pack(reads: Reads) -> bytes:
    return marshal.dumps(
        (
            FORMAT,
            reads.digest,
            reads.files,
            reads.shape,
            sorted(reads.read),
            reads.core,
            reads.prints,
        )
    )


def unpack(blob: bytes) -> Reads:
    fmt, digest, files, tree_shape, read, core, file_prints = marshal.loads(blob)
    if fmt != FORMAT or not isinstance(digest, str) or not isinstance(tree_shape, bytes):
        raise ValueError("not a record")
    for mapping in (files, file_prints):
        if not isinstance(mapping, dict) or not all(
            isinstance(k, str) and isinstance(v, bytes) for k, v in mapping.items()
        ):
            raise ValueError("not a record")
    if not isinstance(read, list) or not all(isinstance(r, str) for r in read):
        raise ValueError("not a record")
    if not isinstance(core, bool):
        raise ValueError("not a record")
    return Reads(digest, files, tree_shape, frozenset(read), core, file_prints)


class Records:
    """The records in `directory` (beside the entries they describe), read and written as
    every cache's entries (`loader.cachefiles`); one that is not what `pack` writes is
    None."""

    def __init__(self, directory: Path) -> None:
        from fluxops.loader.cachefiles import Entries

        self._entries = Entries(directory, ".reads")

    def get(self, key: str) -> Reads | None:
        blob = self._entries.read(key)
        try:
            return unpack(blob) if blob is not None else None
        except (EOFError, ValueError, TypeError):
            return None

    def put(self, key: str, reads: Reads) -> None:
        self._entries.write(key, pack(reads))


def reads_key(settings: str, selection: tuple[Any, ...]) -> str:
    """Where the record of the last result stored for `selection` under `settings` is."""
    h = hashlib.blake2b(FORMAT, digest_size=20)
    h.update(f"\0{settings}\0{selection!r}\0".encode())
    return h.hexdigest()
