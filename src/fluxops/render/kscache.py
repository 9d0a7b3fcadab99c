"""The result of `--ks`, cached.

`build --ks NAMESPACE/NAME` (and `drift --ks`, which renders the same way) on a repository
nothing changed in since the last such run gives the same result: the same Kustomization,
objects, findings and notes. So the result is kept, keyed by everything it depends on: the
repository's place and the content of every file in it with its folders and what reading it
left out (`loader.treecontent.file_digests`, read as the loader reads: confined; the loader
and the stage then use those very bytes), the selection (`--ks`,
`--cluster`, `-n`), the options that change a render, fluxops' own code and kustomize's
version (`BuildOptions.cache_settings`). A hit costs reading the repository's files and one
entry: no parse, no staging, no kustomize, no post-build. Beside each entry is a record of
what the render read (render/ksreads.py): after an edit to nothing it read, the result
stored for the earlier state is the result, and is stored again under the new one.

Never stored: a result with a Secret among its objects (encrypted or not: no fluxops cache
holds a Secret), a failed build (a timeout or a resource limit is not the repository's
doing: built again next time), a render that read variables from the live cluster (`drift`:
they change without the repository changing), a run with remote bases allowed or sources
from outside the repository. The engine's confinement note (FO017) is the machine's, not the
repository's: it is made again on a hit. Entries are written as the other caches
(`loader.cachefiles`); one that cannot be read or is not what this module writes is a miss.
"""

from __future__ import annotations

import hashlib
import marshal
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fluxops.model.findings import Finding
from fluxops.model.results import KustomizationBuild
from fluxops.render.packing import pack_finding, pack_resource, unpack_finding, unpack_resource

#: What the entries hold; a change of layout changes it.
FORMAT = b"fluxops-ks-result-1"
#: The finding of the engine's confinement: the machine's, not the repository's.
CONFINEMENT_CODE = "FO017"


@dataclass
class Stored:
    """What `render.verb.run` makes a BuildResult from."""

    builds: list[KustomizationBuild]
    extra: list[Finding]
    notes: list[str]
    releases: dict[str, Any]


def _pack_build(b: KustomizationBuild) -> tuple[Any, ...]:
    return (
        b.cluster,
        pack_resource(b.kustomization),
        b.status,
        [pack_resource(o) for o in b.objects],
        b.error,
        [pack_finding(f) for f in b.findings],
        b.parent,
        b.source,
        b.source_dir,
        b.source_url,
        b.source_flag,
    )


def _unpack_build(packed: Any) -> KustomizationBuild:
    (cluster, ks, status, objects, error, findings, parent, source, source_dir, url, flag) = packed
    texts = (cluster, status, source, source_dir, url, flag)
    if not all(isinstance(t, str) for t in texts):
        raise ValueError("not a build")
    if not all(t is None or isinstance(t, str) for t in (error, parent)):
        raise ValueError("not a build")
    return KustomizationBuild(
        cluster=cluster,
        kustomization=unpack_resource(ks),
        status=status,
        objects=[unpack_resource(o) for o in objects],
        error=error,
        findings=[unpack_finding(f) for f in findings],
        parent=parent,
        source=source,
        source_dir=source_dir,
        cached=True,
        source_url=url,
        source_flag=flag,
    )


def result_key(digest: str, settings: str, selection: tuple[Any, ...]) -> str:
    h = hashlib.blake2b(FORMAT, digest_size=20)
    h.update(f"\0{digest}\0{settings}\0{selection!r}\0".encode())
    return h.hexdigest()


def storable(stored: Stored) -> bool:
    """Whether a result may be stored (see the module's text)."""
    for build in stored.builds:
        if build.status not in ("ok", "skipped"):
            return False
        if build.kustomization.kind == "Secret" or any(o.kind == "Secret" for o in build.objects):
            return False
    return bool(stored.builds)


class KsResults:
    """The entries in `directory`."""

    def __init__(self, directory: Path) -> None:
        from fluxops.loader.cachefiles import Entries
        from fluxops.render.ksreads import Records

        self._entries = Entries(directory, ".result")
        #: What each result read (render/ksreads.py).
        self.records = Records(directory)

    def get(self, key: str) -> Stored | None:
        blob = self._entries.read(key)
        if blob is None:
            return None
        try:
            fmt, builds, extra, notes, releases = marshal.loads(blob)
            if fmt != FORMAT or not isinstance(releases, dict):
                raise ValueError("not a result")
            if not all(isinstance(n, str) for n in notes):
                raise ValueError("not a result")
            return Stored(
                builds=[_unpack_build(b) for b in builds],
                extra=[unpack_finding(f) for f in extra],
                notes=list(notes),
                releases=releases,
            )
        except (EOFError, ValueError, TypeError):
            return None

    def put(self, key: str, stored: Stored) -> bool:
        """Store `stored` under `key`; False when it may not be stored (`storable`)."""
        if not storable(stored):
            return False
        try:
            blob = marshal.dumps(
                (
                    FORMAT,
                    [_pack_build(b) for b in stored.builds],
                    [pack_finding(f) for f in stored.extra if f.code != CONFINEMENT_CODE],
                    list(stored.notes),
                    dict(stored.releases),
                )
            )
        except ValueError:  # a value marshal cannot hold: render every time
            return False
        self._entries.write(key, blob)
        return True
