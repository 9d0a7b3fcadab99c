"""The walk `--ks` takes to one Kustomization, cached.

`--ks NAMESPACE/NAME` builds the cluster entry's tree down to that Kustomization: every
ancestor is staged, built (or taken from the build cache) and post-processed, to find the
Kustomization as its parent renders it (patches, namespace, variables). On a real repository
that walk is most of the run (home-ops: the entry and `cluster-apps`, which renders 76
Kustomizations, to find one). A walk made before is kept here, and the next `--ks` for the same
Kustomization builds only it. An entry holds what building it needs from its ancestors: the
Kustomization as rendered (with its origin), where it was found (cluster, parent, depth), the
source objects the ancestors rendered in its cluster (its sourceRef may name one), the notes
and findings resolving their sources made, and the clusters whose Flux version they asked for.

An entry is keyed by everything the walk depends on: the repository's place and the content
of every file in it with its folders and what reading it left out (`Repo.content_digest`), the
cluster entries, the options that change a render, fluxops' own code (`code_stamp`) and
kustomize's version. A walk also keeps the files its ancestors' builds may have read
(`Walk.read`), and beside it a record of what it read (render/ksreads.py): after an edit to
nothing it read (the Kustomization's own files, another app), the walk stored for the earlier
state is taken and stored again under the new one. Any other change is a miss, never a stale
walk.

Never stored: a walk through a Kustomization that reads `substituteFrom` while variables come
from the live cluster (`drift`: they may change without the repository changing, and Secret
values are per-run tokens); a walk that hit a limit; a target that reads `substituteFrom`
(its whole wave is built, as without the cache); a run with remote
bases allowed or sources from outside the repository. Entries are written as the other caches
(`loader.cachefiles`: folders 0700, files 0600, atomically); one that cannot be read or is not
what this module writes is a miss. They hold Flux Kustomizations and source objects, which
`render.postbuild` gives masked Secret variables; never a Secret.
"""

from __future__ import annotations

import hashlib
import marshal
from dataclasses import dataclass, field
from pathlib import Path

from fluxops.model.findings import Finding
from fluxops.model.resource import Resource
from fluxops.render.packing import pack_finding, pack_resource, unpack_finding, unpack_resource

#: What the entries hold; a change of layout changes it.
FORMAT = b"fluxops-walk-2"


@dataclass
class Walk:
    """Where `--ks` found its Kustomization, and what building it needs from the walk."""

    cluster: str
    kustomization: Resource
    parent: str | None
    depth: int
    #: Source objects the ancestors rendered in the cluster, in order.
    sources: list[Resource]
    #: The source resolver's notes after the walk, in order.
    notes: list[tuple[tuple[str, str, str], str]]
    #: The clusters whose Flux version the ancestors asked for, in order.
    clusters: list[str]
    #: The source resolver's findings after the walk (a source root chosen, an
    #: ArtifactGenerator's warnings), in order.
    findings: list[Finding] = field(default_factory=list)
    #: The repository files the ancestors' builds may have read (`Renderer.files_read`);
    #: None when not known.
    read: list[str] | None = None
    #: Whether a `substituteFrom` lookup of the walk fell back to the repository's
    #: ConfigMaps and Secrets.
    core: bool = True


def _pack(walk: Walk) -> bytes:
    return marshal.dumps(
        (
            FORMAT,
            walk.cluster,
            pack_resource(walk.kustomization),
            walk.parent,
            walk.depth,
            [pack_resource(r) for r in walk.sources],
            [(list(key), note) for key, note in walk.notes],
            list(walk.clusters),
            [pack_finding(f) for f in walk.findings],
            walk.read,
            walk.core,
        )
    )


def _unpack(blob: bytes) -> Walk:
    fmt, cluster, ks, parent, depth, sources, notes, clusters, findings, read, core = marshal.loads(
        blob
    )
    if fmt != FORMAT or not isinstance(cluster, str) or not isinstance(depth, int):
        raise ValueError("not a walk")
    if read is not None and not (isinstance(read, list) and all(isinstance(r, str) for r in read)):
        raise ValueError("not a walk")
    if parent is not None and not isinstance(parent, str):
        raise ValueError("not a walk")
    if not all(isinstance(c, str) for c in clusters):
        raise ValueError("not a walk")
    if not isinstance(core, bool):
        raise ValueError("not a walk")
    unpacked_notes: list[tuple[tuple[str, str, str], str]] = []
    for key, note in notes:
        if len(key) != 3 or not all(isinstance(k, str) for k in key) or not isinstance(note, str):
            raise ValueError("not a walk")
        unpacked_notes.append(((key[0], key[1], key[2]), note))
    return Walk(
        cluster=cluster,
        kustomization=unpack_resource(ks),
        parent=parent,
        depth=depth,
        sources=[unpack_resource(r) for r in sources],
        notes=unpacked_notes,
        clusters=list(clusters),
        findings=[unpack_finding(f) for f in findings],
        read=read,
        core=core,
    )


class WalkCache:
    """The walk entries in `directory`."""

    def __init__(self, directory: Path) -> None:
        from fluxops.loader.cachefiles import Entries
        from fluxops.render.ksreads import Records

        self._entries = Entries(directory, ".walk")
        #: What each walk read (render/ksreads.py).
        self.records = Records(directory)
        self.hits = 0
        self.misses = 0

    def get(self, key: str) -> Walk | None:
        blob = self._entries.read(key)
        try:
            walk = _unpack(blob) if blob is not None else None
        except (EOFError, ValueError, TypeError):
            walk = None
        if walk is None:
            self.misses += 1
            return None
        self.hits += 1
        return walk

    def put(self, key: str, walk: Walk) -> None:
        if walk.kustomization.kind == "Secret" or any(r.kind == "Secret" for r in walk.sources):
            return
        try:
            blob = _pack(walk)
        except ValueError:  # a value marshal cannot hold: walk every time
            return
        self._entries.write(key, blob)


def walk_key(
    repo_digest: str,
    settings: str,
    roots: list[tuple[str, Resource]],
    namespace: str,
    name: str,
) -> str:
    """The key of the walk to `namespace/name` from `roots` in a repository whose content
    has `repo_digest` (empty: the key of its reads record), rendered under `settings`
    (options, code, engine)."""
    h = hashlib.blake2b(FORMAT, digest_size=20)
    h.update(f"\0{repo_digest}\0{settings}\0{namespace}\0{name}\0".encode())
    # the entries come from the repository's files (in the digest); their repr is stable
    h.update(repr([(cluster, pack_resource(r)) for cluster, r in roots]).encode())
    return h.hexdigest()
