"""Temporary build workspaces. fluxops never writes into the user's repository.

A source is staged into the workspace the way source-controller archives it
(fluxops.loader.confine): real folders, and each regular file as a hard link to the original
when the workspace is on the same filesystem, else as a copy. Symlinks, devices, FIFOs,
sockets and files over the size cap are not staged, so nothing a build reads through the
stage can lead outside it; the kustomize engine is confined to the workspace
(render/sandbox.py).

A Flux Kustomization's generated kustomization must sit at `spec.path`, where kustomize reads
it, and two Kustomizations may point at the same path with different specs. So each build
gets its own leaf: a sibling of the staged folder (relative references such as `../base`
resolve as from the original) whose entries link to the staged folder's entries. Leaf links
are fluxops's own and point inside the workspace.

The workspace also holds the engine's empty HOME and its TMPDIR.
"""

from __future__ import annotations

import errno
import os
import shutil
import tempfile
import threading
from collections.abc import Mapping
from pathlib import Path

from fluxops.loader import confine
from fluxops.loader.artifacts import ArtifactLayout
from fluxops.loader.confine import Skipped, Tree
from fluxops.loader.scratch import temp_base


class Workspace:
    """A temporary folder (0700) for one fluxops run; removed on close. `near` and `size`: the
    source it will stage and its size (see `loader.scratch`)."""

    def __init__(self, near: Path | None = None, size: int = 0) -> None:
        base = temp_base(near, size)
        self.root = Path(tempfile.mkdtemp(prefix="fluxops-", dir=base)).resolve()
        self._counter = 0
        self._lock = threading.Lock()
        self.home = self.root / "home"
        self.tmp = self.root / "tmp"
        self.home.mkdir(mode=0o700)
        self.tmp.mkdir(mode=0o700)

    def new_dir(self, hint: str) -> Path:
        with self._lock:
            self._counter += 1
            n = self._counter
        safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in hint)[:60]
        path = self.root / f"{n:05d}-{safe}"
        path.mkdir()
        return path

    def close(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class _Placer:
    """Hard link when the filesystems allow it, else copy (through the confined reader)."""

    def __init__(self, source: Path, dest: Path) -> None:
        self.source = source
        self.reader = confine.TreeReader(source)
        try:
            self.link = os.stat(source).st_dev == os.stat(dest).st_dev
        except OSError:
            self.link = False

    def __enter__(self) -> _Placer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.reader.close()

    def place(self, rel: str, target: Path, data: bytes | None = None) -> bool:
        """Stage the file `rel` of the source as `target` (`data`: its bytes, already read
        confined: written as read, so that the build sees the bytes a cache key was made of);
        False when it cannot be read."""
        if self.link and data is None:
            try:
                os.link(self.source / rel, target, follow_symlinks=False)
                return True
            except OSError as exc:
                if exc.errno not in (errno.EXDEV, errno.EPERM, errno.EMLINK, errno.EACCES):
                    return False
                self.link = False
        if data is None:
            try:
                data = self.reader.read(rel)
            except OSError:
                return False
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        return True


def stage(tree: Tree, dest: Path, contents: Mapping[str, bytes] | None = None) -> list[Skipped]:
    """Lay out the scanned `tree` in the empty folder `dest`: its folders, and its regular
    files linked or copied (`contents`: the bytes of files already read confined, written
    without reading them again). Returns the files that could not be staged (read errors)."""
    for rel in tree.dirs:
        (dest / rel).mkdir(parents=True, exist_ok=True)
    failed = []
    known = contents or {}
    with _Placer(tree.root, dest) as placer:
        for rel in tree.files:
            if not placer.place(rel, dest / rel, known.get(rel)):
                failed.append(Skipped(rel, "unreadable", "could not be staged"))
    return failed


def leaf_path(skeleton_root: Path, rel_path: str, tag: str) -> Path:
    """Where `leaf_copy` puts the build folder for `rel_path`."""
    parts = [p for p in rel_path.split("/") if p]
    if parts:
        return skeleton_root.joinpath(*parts[:-1]) / f".fluxops-{tag}-{parts[-1][:40]}"
    return skeleton_root.parent / f"{skeleton_root.name}.fluxops-{tag}"


def leaf_copy(skeleton_root: Path, rel_path: str, tag: str) -> Path:
    """A private copy of the folder `rel_path` of a staged tree, as a sibling of it (so every
    relative reference resolves as from the original), whose entries link to the original's.
    The build writes its generated kustomization there. For the root folder the copy sits
    beside the staged tree."""
    parts = [p for p in rel_path.split("/") if p]
    original = skeleton_root.joinpath(*parts)
    leaf = leaf_path(skeleton_root, rel_path, tag)
    leaf.mkdir()
    for entry in os.scandir(original):
        os.symlink(entry.path, leaf / entry.name)
    return leaf


def materialize(layout: ArtifactLayout, dest: Path) -> list[Skipped]:
    """Lay out a generated artifact: real folders, files linked or copied from their sources
    under the same rule as `stage` (a source file reached through a symlink is left out)."""
    for directory in sorted(layout.dirs):
        if directory not in ("", "."):
            (dest / directory).mkdir(parents=True, exist_ok=True)
    failed = []
    for rel, (base, src_rel) in sorted(layout.sources().items()):
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.is_symlink() or target.exists():
            target.unlink()
        with _Placer(base, dest) as placer:
            placed = placer.place(src_rel, target)
        if not placed:
            failed.append(Skipped(rel, "unreadable", "could not be staged"))
    return failed
